//! Compile cost: a clean build of a crate with 1,000 `#[testrail::case]` tests against one
//! with 1,000 plain `#[test]`s, dev profile (what `cargo test` builds). Dependencies are
//! built first; each measured build follows `cargo clean -p <crate>`, so only that crate
//! (its empty lib and its test target) is compiled. The same with one test splits the
//! cost into a fixed part (linking the test binary) and a part per test.

use std::process::Stdio;
use std::time::Duration;

use super::{Options, Report, met, ratio, secs};
use crate::genws::{self, Spec};
use crate::measure;

/// Target: at most this many times the plain build.
pub const TARGET: f64 = 1.3;

fn clean_build(spec: Spec) -> Duration {
    let status = genws::cargo()
        .args(["clean", "-q", "-p", spec.name])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("cargo clean runs");
    assert!(status.success(), "cargo clean -p {} failed", spec.name);
    let mut command = genws::cargo();
    command.args(["build", "-q", "--tests", "-p", spec.name]);
    let measured =
        measure::run(&command, Stdio::null(), Stdio::inherit(), None).expect("cargo build runs");
    assert_eq!(measured.code, 0, "building {} failed", spec.name);
    measured.wall
}

fn all(times: &[Duration]) -> String {
    times
        .iter()
        .map(|t| format!("{:.2}", t.as_secs_f64()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Alternating clean builds of two crates; their medians and every figure.
fn compare(
    ours: Spec,
    plain: Spec,
    runs: usize,
) -> (Duration, Duration, Vec<Duration>, Vec<Duration>) {
    let (mut ours_times, mut plain_times) = (Vec::new(), Vec::new());
    for run in 0..runs {
        if run % 2 == 0 {
            ours_times.push(clean_build(ours));
            plain_times.push(clean_build(plain));
        } else {
            plain_times.push(clean_build(plain));
            ours_times.push(clean_build(ours));
        }
        eprintln!(
            "  compile {} run {}: ours {} / plain {}",
            ours.tests,
            run + 1,
            secs(*ours_times.last().unwrap_or(&Duration::ZERO)),
            secs(*plain_times.last().unwrap_or(&Duration::ZERO))
        );
    }
    (
        measure::median(&ours_times),
        measure::median(&plain_times),
        ours_times,
        plain_times,
    )
}

/// Runs the benchmark and adds its section to the report; returns the median ratio.
pub fn run(report: &mut Report, opts: &Options) -> f64 {
    genws::generate();
    let specs = [
        genws::COMPILE_TR,
        genws::COMPILE_PLAIN,
        genws::COMPILE1_TR,
        genws::COMPILE1_PLAIN,
    ];
    genws::build_tests(&specs, false).expect("the generated crates build");
    let runs = opts.runs.clamp(1, 5);
    let (o, p, ot, pt) = compare(genws::COMPILE_TR, genws::COMPILE_PLAIN, runs);
    let (o1, p1, ot1, pt1) = compare(genws::COMPILE1_TR, genws::COMPILE1_PLAIN, runs);
    let r = o.as_secs_f64() / p.as_secs_f64().max(1e-9);
    report.add(&format!(
        "## 2. Compile cost\n\n`cargo clean -p <crate>` then `cargo build --tests -p <crate>` (dev profile, dependencies already built, wall time of the cargo command), {runs} alternating builds per side; medians. The one-test crates give the fixed part (mostly linking the test binary: ours links the harness with its HTTP client); \"per test\" is (1,000 tests − 1 test) / 999.\n"
    ));
    let per_test = |thousand: Duration, one: Duration| {
        thousand.saturating_sub(one).as_secs_f64() * 1000.0 / 999.0
    };
    let (ours_per, plain_per) = (per_test(o, o1), per_test(p, p1));
    report.table(
        &[
            "crate",
            "ours: `#[testrail::case]`",
            "plain: `#[test]`",
            "ratio",
            "target",
            "",
            "every build (s)",
        ],
        &[
            vec![
                "1,000 tests, clean build of the test crate".into(),
                secs(o),
                secs(p),
                ratio(o.as_secs_f64(), p.as_secs_f64()),
                format!("≤ {TARGET:.1}×"),
                met(r <= TARGET),
                format!("ours: {} · plain: {}", all(&ot), all(&pt)),
            ],
            vec![
                "1 test (fixed part)".into(),
                secs(o1),
                secs(p1),
                ratio(o1.as_secs_f64(), p1.as_secs_f64()),
                "".into(),
                "".into(),
                format!("ours: {} · plain: {}", all(&ot1), all(&pt1)),
            ],
            vec![
                "per test".into(),
                format!("{ours_per:.2} ms"),
                format!("{plain_per:.2} ms"),
                ratio(ours_per, plain_per),
                "".into(),
                "".into(),
                "".into(),
            ],
        ],
    );
    r
}
