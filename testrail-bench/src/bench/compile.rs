//! Compile cost: a clean build of a crate with 1,000 `#[testrail::case]` tests against one
//! with 1,000 plain `#[test]`s, dev profile (what `cargo test` builds). Dependencies are
//! built first; each measured build follows `cargo clean -p <crate>`, so only that crate
//! (its empty lib and its test target) is compiled.

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

/// Runs the benchmark and adds its section to the report; returns the median ratio.
pub fn run(report: &mut Report, opts: &Options) -> f64 {
    genws::generate();
    let (ours, plain) = (genws::COMPILE_TR, genws::COMPILE_PLAIN);
    genws::build_tests(&[ours, plain], false).expect("the generated crates build");
    let runs = opts.runs.clamp(1, 5);
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
            "  compile run {}: ours {} / plain {}",
            run + 1,
            secs(*ours_times.last().unwrap_or(&Duration::ZERO)),
            secs(*plain_times.last().unwrap_or(&Duration::ZERO))
        );
    }
    let (o, p) = (measure::median(&ours_times), measure::median(&plain_times));
    let r = o.as_secs_f64() / p.as_secs_f64().max(1e-9);
    report.add(&format!(
        "## 2. Compile cost\n\n`cargo clean -p <crate>` then `cargo build --tests -p <crate>` (dev profile, dependencies already built), {runs} alternating builds per side; medians.\n"
    ));
    let all = |times: &[Duration]| {
        times
            .iter()
            .map(|t| format!("{:.2}", t.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    report.table(
        &[
            "crate",
            "ours: 1,000 `#[testrail::case]`",
            "plain: 1,000 `#[test]`",
            "ratio",
            "target",
            "",
            "every build (s)",
        ],
        &[vec![
            "clean build of the test crate".into(),
            secs(o),
            secs(p),
            ratio(o.as_secs_f64(), p.as_secs_f64()),
            format!("≤ {TARGET:.1}×"),
            met(r <= TARGET),
            format!("ours: {} · plain: {}", all(&ours_times), all(&plain_times)),
        ]],
    );
    r
}
