//! Build cost, side by side: a crate with one test and a crate with `--tests` tests (1,000
//! by default), each written three ways: (a) plain `#[test]`, (b) `#[testrail::case]` with
//! `testrail`'s default features (the export and its HTTP client), (c) the same with
//! `default-features = false` (the runtime only). For each, dev profile (what `cargo test`
//! builds):
//!
//! - **from scratch**: `cargo build --tests -p <crate>` in an empty target directory, every
//!   dependency included, as a CI job without a cache or a new user's first build sees it;
//! - **the crate alone**: `cargo clean -p <crate>` then the same build with the dependencies
//!   already built, as a developer's rebuild after an edit sees it;
//! - **the debug test binary's size** on disk, and the crates compiled from scratch.
//!
//! Every side is built on its own (`-p <crate>` alone) so cargo never unifies the features
//! of (b) and (c). Each round builds every crate once, in an order that rotates from round
//! to round; the report gives medians, min–max, and ratios against (a).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use super::{Options, Report, met, ratio, secs};
use crate::genws::{self, Kind, Spec};
use crate::measure;

/// Target: the crate alone with (b) at most this many times (a), 1,000 tests.
pub const TARGET: f64 = 1.3;

/// One crate's figures.
struct Figures {
    spec: Spec,
    /// Builds from an empty target directory.
    scratch: Vec<Duration>,
    /// Crates compiled by the last build from scratch.
    crates_compiled: usize,
    /// Builds of the crate alone: wall time.
    alone: Vec<Duration>,
    /// Builds of the crate alone: CPU time (user + system) of cargo and the compiler, less
    /// sensitive than the wall time to other work on the machine.
    alone_cpu: Vec<Duration>,
    /// Bytes of the debug test binary.
    binary: u64,
}

fn variant(kind: Kind) -> &'static str {
    match kind {
        Kind::Plain => "(a) `#[test]`",
        Kind::Testrail => "(b) `testrail`, default features",
        Kind::TestrailLight => "(c) `testrail`, `default-features = false`",
        Kind::RegInventory => "(b) written out, registered with `inventory::submit!`",
        Kind::RegLinkmeAttr => "(b) written out, registered with `#[linkme::distributed_slice]`",
    }
}

/// The empty target directory of the builds from scratch.
fn scratch_dir() -> PathBuf {
    crate::work_dir().join("target-scratch")
}

/// A build of `spec` from an empty target directory; its wall time and the number of
/// crates compiled (cargo's `compiler-artifact` messages).
fn scratch_build(spec: Spec) -> (Duration, usize) {
    let dir = scratch_dir();
    remove(&dir);
    let messages = crate::work_dir().join(format!("scratch-{}.jsonl", spec.name));
    let out = std::fs::File::create(&messages).expect("the build's message file can be made");
    let mut command = genws::cargo();
    command
        .env("CARGO_TARGET_DIR", &dir)
        .args(["build", "-q", "--tests", "--message-format=json", "-p"])
        .arg(spec.name);
    let measured =
        measure::run(&command, Stdio::from(out), Stdio::inherit(), None).expect("cargo build runs");
    assert_eq!(
        measured.code, 0,
        "building {} from scratch failed",
        spec.name
    );
    let crates = std::fs::read_to_string(&messages)
        .unwrap_or_default()
        .lines()
        .filter(|line| line.contains(r#""reason":"compiler-artifact""#))
        .count();
    remove(&dir);
    (measured.wall, crates)
}

fn remove(dir: &Path) {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => panic!("cannot empty {}: {error}", dir.display()),
    }
}

/// `cargo clean -p` then a build of the crate alone, its dependencies already built; its
/// wall time and CPU time (user + system).
fn alone_build(spec: Spec) -> (Duration, Duration) {
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
    (measured.wall, measured.user + measured.sys)
}

/// Builds `spec` alone (its own features) and returns the size of its test binary.
fn binary_size(spec: Spec) -> u64 {
    let built = genws::build_tests(&[spec], false).expect("the generated crate builds");
    let path = &built[spec.name];
    std::fs::metadata(path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        .len()
}

/// Every figure of `specs`, `rounds` rounds.
fn measure_all(specs: &[Spec], rounds: usize, scratch: bool) -> Vec<Figures> {
    let mut figures: Vec<Figures> = specs
        .iter()
        .map(|&spec| Figures {
            spec,
            scratch: Vec::new(),
            crates_compiled: 0,
            alone: Vec::new(),
            alone_cpu: Vec::new(),
            // Also builds each crate's dependencies, with its own features, for the
            // builds of the crate alone.
            binary: binary_size(spec),
        })
        .collect();
    for round in 0..rounds {
        for offset in 0..figures.len() {
            let index = (offset + round) % figures.len();
            let figure = &mut figures[index];
            // The registration variants differ from (b) in the test crate only.
            let scratch =
                scratch && !matches!(figure.spec.kind, Kind::RegInventory | Kind::RegLinkmeAttr);
            let (wall, crates) = if scratch {
                scratch_build(figure.spec)
            } else {
                (Duration::ZERO, 0)
            };
            if scratch {
                figure.scratch.push(wall);
                figure.crates_compiled = crates;
            }
            let (alone, alone_cpu) = alone_build(figure.spec);
            figure.alone.push(alone);
            figure.alone_cpu.push(alone_cpu);
            eprintln!(
                "  compile round {}: {} ({} tests): from scratch {} ({crates} crates), alone {} (CPU {})",
                round + 1,
                figure.spec.name,
                figure.spec.tests,
                secs(wall),
                secs(alone),
                secs(alone_cpu),
            );
        }
    }
    figures
}

/// `median (min–max)` of build times.
fn spread(times: &[Duration]) -> String {
    let min = times.iter().min().copied().unwrap_or_default();
    let max = times.iter().max().copied().unwrap_or_default();
    if times.len() < 2 {
        secs(measure::median(times))
    } else {
        format!(
            "{} ({}–{})",
            secs(measure::median(times)),
            secs(min),
            secs(max)
        )
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn median_secs(times: &[Duration]) -> f64 {
    measure::median(times).as_secs_f64()
}

/// The table of registration mechanisms: the large crate alone, (b) as the macros expand it
/// (each test a `static` element of a linkme distributed slice, placed by linkme's element
/// macro) against the same expansion written out with `inventory::submit!` and with linkme's
/// `#[distributed_slice]` attribute, measured in the same rounds as the main table.
fn registration_table(report: &mut Report, big: &[Figures], registration: &[Figures]) {
    let (plain, ours) = (&big[0], &big[1]);
    report.add(&format!(
        "### Registering {} tests: linkme's slices against `inventory`\n\n\
         The crate alone, default features, the same test functions and `TestDef` values; only the registration differs. `inventory::submit!` adds a constructor function and its `.init_array` entry per test; linkme's `#[distributed_slice]` attribute adds a type-checking function with two closures per element; the macros place a `static` in the slice's section through the element macro linkme generates for the slice, without that type check.\n",
        ours.spec.tests
    ));
    let mut rows = Vec::new();
    for (label, figure) in std::iter::once(("(b) `#[testrail::case]` (linkme element macro)", ours))
        .chain(
            registration
                .iter()
                .map(|figure| (variant(figure.spec.kind), figure)),
        )
    {
        rows.push(vec![
            label.to_owned(),
            spread(&figure.alone),
            ratio(median_secs(&figure.alone), median_secs(&plain.alone)),
            ratio(median_secs(&figure.alone), median_secs(&ours.alone)),
            spread(&figure.alone_cpu),
            ratio(
                median_secs(&figure.alone_cpu),
                median_secs(&plain.alone_cpu),
            ),
            ratio(median_secs(&figure.alone_cpu), median_secs(&ours.alone_cpu)),
            mib(figure.binary),
        ]);
    }
    report.table(
        &[
            "registration",
            "crate alone",
            "vs (a) `#[test]`",
            "vs the macros",
            "CPU",
            "vs (a) `#[test]`",
            "vs the macros",
            "debug test binary",
        ],
        &rows,
    );
}

/// Runs the benchmark and adds its section to the report; returns the median ratio of the
/// crate alone, (b) against (a), with the most tests.
pub fn run(report: &mut Report, opts: &Options) -> f64 {
    let tests = opts.compile_tests;
    genws::generate(tests);
    let mut specs = genws::compile_specs(tests).to_vec();
    specs.extend(genws::registration_specs(tests));
    let rounds = opts.runs.max(1);
    // `--only alone` leaves the builds from scratch out (a quicker run).
    let scratch = !opts.only.iter().any(|only| only == "alone");
    let figures = measure_all(&specs, rounds, scratch);
    report.add(&format!(
        "## 2. Build cost\n\n\
         Two test crates, one with {tests} tests and one with a single test, each written three ways: (a) plain `#[test]`, (b) `#[testrail::case]` with `testrail`'s default features (the export with its HTTP client), (c) the same with `testrail = {{ default-features = false }}` (the runtime only). Dev profile, `cargo build --tests -p <crate>`, each crate built alone so that cargo does not unify the features of (b) and (c). \
         **From scratch**: an empty target directory, every dependency compiled (a CI job without a cache, a first build). \
         **Crate alone**: `cargo clean -p <crate>` first, the dependencies already built (a rebuild after an edit). \
         **Binary**: the debug test executable on disk. {rounds} round(s), each building every crate once in a rotating order; median (min–max) of the wall time of the cargo command; ratios are medians against (a) of the same size.\n"
    ));
    let mut rows = Vec::new();
    for group in figures[..6].chunks(3) {
        let plain = &group[0];
        for figure in group {
            rows.push(vec![
                if figure.spec.tests == 1 {
                    "1 test".to_owned()
                } else {
                    format!("{} tests", figure.spec.tests)
                },
                variant(figure.spec.kind).to_owned(),
                if scratch {
                    spread(&figure.scratch)
                } else {
                    "not measured (`--only alone`)".to_owned()
                },
                if scratch {
                    ratio(median_secs(&figure.scratch), median_secs(&plain.scratch))
                } else {
                    String::new()
                },
                if scratch {
                    figure.crates_compiled.to_string()
                } else {
                    String::new()
                },
                spread(&figure.alone),
                ratio(median_secs(&figure.alone), median_secs(&plain.alone)),
                spread(&figure.alone_cpu),
                ratio(
                    median_secs(&figure.alone_cpu),
                    median_secs(&plain.alone_cpu),
                ),
                mib(figure.binary),
                ratio(figure.binary as f64, plain.binary as f64),
            ]);
        }
    }
    report.table(
        &[
            "crate",
            "written as",
            "from scratch",
            "vs (a)",
            "crates compiled",
            "crate alone",
            "vs (a)",
            "crate alone, CPU",
            "vs (a)",
            "debug test binary",
            "vs (a)",
        ],
        &rows,
    );
    let big = &figures[..3];
    registration_table(report, big, &figures[6..]);
    let r = median_secs(&big[1].alone) / median_secs(&big[0].alone).max(1e-9);
    let light = median_secs(&big[2].alone) / median_secs(&big[0].alone).max(1e-9);
    report.add(&format!(
        "Target: the crate alone with {tests} tests, (b) and (c) at most {TARGET:.1}× (a), wall time: (b) {r:.2}×, {}; (c) {light:.2}×, {}. CPU time: (b) {}, (c) {}.\n",
        met(r <= TARGET),
        met(light <= TARGET),
        ratio(median_secs(&big[1].alone_cpu), median_secs(&big[0].alone_cpu)),
        ratio(median_secs(&big[2].alone_cpu), median_secs(&big[0].alone_cpu)),
    ));
    r
}
