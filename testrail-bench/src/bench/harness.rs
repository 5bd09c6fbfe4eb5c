//! Harness overhead: 10,000 trivial tests run by our harness against the same 10,000 as
//! plain `#[test]`s under libtest, both release builds, alternating runs; then the same
//! with 100 steps per test. Wall time and peak memory of the test process.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{Options, Report, met, mib, ratio, secs};
use crate::genws::{self, Spec};
use crate::measure::{self, Measured};

/// Target: at most this many times libtest's wall time.
pub const TARGET: f64 = 1.10;

/// Runs a test binary once with `TESTRAIL_DIR=testrail_dir`; the spool files it wrote
/// (`sessions/`) are removed afterwards, the step plans are kept.
fn run_once(executable: &Path, testrail_dir: &Path) -> Measured {
    let mut command = Command::new(executable);
    command
        .env("TESTRAIL_DIR", testrail_dir)
        .env("TESTRAIL_SESSION", "bench-harness")
        .env_remove("TESTRAIL_EXPORT")
        .env_remove("TESTRAIL_DRY_RUN")
        .env_remove("NEXTEST_RUN_ID");
    let measured = measure::run(
        &command,
        Stdio::null(),
        Stdio::null(),
        Some(Duration::from_secs(1800)),
    )
    .expect("the test binary runs");
    assert_eq!(
        measured.code,
        0,
        "{} failed (exit {})",
        executable.display(),
        measured.code
    );
    let _ = std::fs::remove_dir_all(testrail_dir.join("sessions"));
    measured
}

fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                dir_size(&path)
            } else {
                entry.metadata().map(|m| m.len()).unwrap_or(0)
            }
        })
        .sum()
}

/// One side-by-side comparison: figures of both sides, ours first.
pub struct Pair {
    /// What is compared.
    pub label: &'static str,
    /// Our runs, each with a fresh `TESTRAIL_DIR` (a CI build).
    pub ours: Vec<Measured>,
    /// Our runs with the step plans of an earlier run kept (a developer's second run).
    pub ours_kept: Vec<Measured>,
    /// libtest's runs.
    pub plain: Vec<Measured>,
    /// Bytes of spool written by one of our runs.
    pub spool_bytes: u64,
}

impl Pair {
    fn wall(runs: &[Measured]) -> Duration {
        measure::median(&runs.iter().map(|m| m.wall).collect::<Vec<_>>())
    }

    fn rss(runs: &[Measured]) -> u64 {
        measure::median_u64(&runs.iter().map(|m| m.max_rss_kib).collect::<Vec<_>>())
    }

    /// Median wall-time ratio of some of our runs to libtest's.
    pub fn wall_ratio(&self, ours: &[Measured]) -> f64 {
        Self::wall(ours).as_secs_f64() / Self::wall(&self.plain).as_secs_f64().max(1e-9)
    }
}

fn compare(label: &'static str, ours: Spec, plain: Spec, opts: &Options) -> Pair {
    let built = genws::build_tests(&[ours, plain], true).expect("the generated crates build");
    let scratch = tempfile::tempdir().expect("a temporary directory");
    // Fresh directories are never reused (nor deleted before the end: creating thousands of
    // files right after deleting thousands is slower on ext4 than on a fresh CI machine).
    let mut fresh = 0;
    let mut fresh_dir = || {
        fresh += 1;
        scratch.path().join(format!("fresh-{fresh}"))
    };
    let kept = scratch.path().join("kept");
    // Warm-up: page cache, dynamic loader; the kept directory learns its step plans.
    let first = fresh_dir();
    let mut command = Command::new(&built[ours.name]);
    command
        .env("TESTRAIL_DIR", &first)
        .env("TESTRAIL_SESSION", "bench-harness")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _ = command.status();
    let spool_bytes = dir_size(&first.join("sessions"));
    run_once(&built[ours.name], &kept);
    run_once(&built[plain.name], &fresh_dir());
    let mut pair = Pair {
        label,
        ours: Vec::new(),
        ours_kept: Vec::new(),
        plain: Vec::new(),
        spool_bytes,
    };
    for run in 0..opts.runs {
        // Alternate which side goes first.
        if run % 2 == 0 {
            pair.ours.push(run_once(&built[ours.name], &fresh_dir()));
            pair.plain.push(run_once(&built[plain.name], &fresh_dir()));
            pair.ours_kept.push(run_once(&built[ours.name], &kept));
        } else {
            pair.ours_kept.push(run_once(&built[ours.name], &kept));
            pair.plain.push(run_once(&built[plain.name], &fresh_dir()));
            pair.ours.push(run_once(&built[ours.name], &fresh_dir()));
        }
        eprintln!(
            "  {label} run {}: ours {} (plans kept {}) / libtest {}",
            run + 1,
            secs(pair.ours.last().map(|m| m.wall).unwrap_or_default()),
            secs(pair.ours_kept.last().map(|m| m.wall).unwrap_or_default()),
            secs(pair.plain.last().map(|m| m.wall).unwrap_or_default())
        );
    }
    pair
}

/// Runs the benchmark and adds its section to the report.
pub fn run(report: &mut Report, opts: &Options) -> Vec<Pair> {
    genws::generate(opts.compile_tests);
    report.add(&format!(
        "## 1. Harness overhead\n\n10,000 tests in one test binary, release profile (`cargo test --release`), default `--test-threads` (2 here), stdout to /dev/null. Our harness writes its spool file (and, for tests with steps, step plans) under `TESTRAIL_DIR`: part of our cost. \"fresh\": a new `TESTRAIL_DIR` for every run, as in a CI build; \"plans kept\": the step plans of an earlier run are there, as in a developer's second run. {} alternating runs per side after warm-up runs; medians. Peak memory is the test process's `ru_maxrss` (fresh runs).\n",
        opts.runs
    ));
    let pairs = vec![
        compare(
            "10,000 trivial tests",
            genws::HARNESS_TR,
            genws::HARNESS_PLAIN,
            opts,
        ),
        compare(
            "10,000 tests × 100 steps",
            genws::STEPS_TR,
            genws::STEPS_PLAIN,
            opts,
        ),
    ];
    let rows: Vec<Vec<String>> = pairs
        .iter()
        .map(|pair| {
            let (ours, kept, plain) = (
                Pair::wall(&pair.ours),
                Pair::wall(&pair.ours_kept),
                Pair::wall(&pair.plain),
            );
            let (ours_rss, plain_rss) = (Pair::rss(&pair.ours), Pair::rss(&pair.plain));
            let all = |runs: &[Measured]| {
                runs.iter()
                    .map(|m| format!("{:.2}", m.wall.as_secs_f64()))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let (r_fresh, r_kept) = (
                pair.wall_ratio(&pair.ours),
                pair.wall_ratio(&pair.ours_kept),
            );
            vec![
                pair.label.to_owned(),
                secs(ours),
                secs(kept),
                secs(plain),
                format!("{r_fresh:.2}× / {r_kept:.2}×"),
                format!("≤ {TARGET:.2}×"),
                met(r_fresh <= TARGET && r_kept <= TARGET),
                mib(ours_rss),
                mib(plain_rss),
                ratio(ours_rss as f64, plain_rss as f64),
                format!("{:.1} MB", pair.spool_bytes as f64 / 1e6),
                format!(
                    "fresh: {} · plans kept: {} · libtest: {}",
                    all(&pair.ours),
                    all(&pair.ours_kept),
                    all(&pair.plain)
                ),
            ]
        })
        .collect();
    report.table(
        &[
            "tests",
            "ours, fresh TESTRAIL_DIR (wall)",
            "ours, plans kept (wall)",
            "libtest (wall)",
            "ratios",
            "target",
            "",
            "ours (peak RSS)",
            "libtest (peak RSS)",
            "ratio",
            "spool written",
            "every run (s)",
        ],
        &rows,
    );
    pairs
}

/// One way of running the isolation benchmark's tests.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    InProcess,
    Isolated,
    Nextest,
}

impl Side {
    const ALL: [Side; 3] = [Side::InProcess, Side::Isolated, Side::Nextest];

    fn label(self) -> &'static str {
        match self {
            Side::InProcess => "in-process (default)",
            Side::Isolated => "isolated (`--testrail-isolate`)",
            Side::Nextest => "`cargo nextest run` (a process per test)",
        }
    }
}

/// The files that let cargo-nextest run the built tests without cargo (its "reuse build"):
/// the binaries' metadata and cargo's metadata of the generated workspace.
fn nextest_metadata(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let binaries = dir.join("binaries.json");
    let cargo = dir.join("cargo.json");
    let mut list = genws::cargo();
    list.args([
        "nextest",
        "list",
        "--release",
        "-p",
        genws::ISOLATION_TR.name,
        "--list-type",
        "binaries-only",
        "--message-format",
        "json",
    ]);
    let listed = list.output().expect("cargo nextest list runs");
    assert!(
        listed.status.success(),
        "cargo nextest list: {}",
        String::from_utf8_lossy(&listed.stderr)
    );
    std::fs::write(&binaries, &listed.stdout).expect("the binaries' metadata is written");
    let mut metadata = genws::cargo();
    metadata.args([
        "metadata",
        "--format-version",
        "1",
        "--all-features",
        "--no-deps",
    ]);
    let described = metadata.output().expect("cargo metadata runs");
    assert!(described.status.success(), "cargo metadata failed");
    std::fs::write(&cargo, &described.stdout).expect("cargo's metadata is written");
    (binaries, cargo)
}

/// What isolation costs: [`genws::ISOLATION_TR`]'s trivial tests run in-process, isolated
/// (a child process per test), and by cargo-nextest (a process per test, each running our
/// harness for its one test), release build, 2 test threads each, rounds in a rotating
/// order; each run with a fresh `TESTRAIL_DIR`.
pub fn isolation(report: &mut Report, opts: &Options) {
    genws::generate(opts.compile_tests);
    let spec = genws::ISOLATION_TR;
    let built = genws::build_tests(&[spec], true).expect("the generated crate builds");
    let exe = &built[spec.name];
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let (binaries, cargo) = nextest_metadata(scratch.path());
    let mut fresh = 0;
    let mut run = |side: Side| {
        fresh += 1;
        let testrail_dir = scratch.path().join(format!("fresh-{fresh}"));
        let mut command = match side {
            Side::InProcess | Side::Isolated => {
                let mut command = Command::new(exe);
                command.arg("--test-threads=2");
                if side == Side::Isolated {
                    command.arg("--testrail-isolate");
                }
                command
            }
            Side::Nextest => {
                // The nextest binary itself, not through `cargo`, which would check the
                // build first.
                let mut command = Command::new("cargo-nextest");
                command
                    .current_dir(genws::ws_dir())
                    .args([
                        "nextest",
                        "run",
                        "--test-threads",
                        "2",
                        "--binaries-metadata",
                    ])
                    .arg(&binaries)
                    .arg("--cargo-metadata")
                    .arg(&cargo);
                command
            }
        };
        command
            .env("TESTRAIL_DIR", &testrail_dir)
            .env("TESTRAIL_SESSION", "bench-isolation")
            .env_remove("TESTRAIL_EXPORT")
            .env_remove("TESTRAIL_ISOLATE")
            .env_remove("NEXTEST_RUN_ID");
        let measured = measure::run(
            &command,
            Stdio::null(),
            Stdio::null(),
            Some(Duration::from_secs(600)),
        )
        .expect("the tests run");
        assert_eq!(measured.code, 0, "{} failed", side.label());
        measured
    };
    // Warm-up: page cache, dynamic loader.
    for side in Side::ALL {
        run(side);
    }
    let ms = |wall: Duration| format!("{:.1}", wall.as_secs_f64() * 1000.0);
    let mut walls: [Vec<Duration>; 3] = Default::default();
    for round in 0..opts.runs {
        for offset in 0..Side::ALL.len() {
            let index = (round + offset) % Side::ALL.len();
            walls[index].push(run(Side::ALL[index]).wall);
        }
        eprintln!(
            "  isolation round {}: in-process {} ms / isolated {} ms / nextest {} ms",
            round + 1,
            ms(walls[0][round]),
            ms(walls[1][round]),
            ms(walls[2][round])
        );
    }
    let n = f64::from(spec.tests);
    let every = |runs: &[Duration]| {
        runs.iter()
            .map(|wall| ms(*wall))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let rows: Vec<Vec<String>> = Side::ALL
        .iter()
        .zip(&walls)
        .map(|(side, runs)| {
            let median = measure::median(runs);
            vec![
                side.label().to_owned(),
                format!("{} ms", ms(median)),
                format!("{:.2} ms", median.as_secs_f64() * 1000.0 / n),
                every(runs),
            ]
        })
        .collect();
    // Per-round ratios, for their spread.
    let ratios = |of: usize, to: usize| {
        let mut each: Vec<f64> = walls[of]
            .iter()
            .zip(&walls[to])
            .map(|(a, b)| a.as_secs_f64() / b.as_secs_f64().max(1e-9))
            .collect();
        each.sort_by(f64::total_cmp);
        let median = measure::median(&walls[of]).as_secs_f64()
            / measure::median(&walls[to]).as_secs_f64().max(1e-9);
        format!(
            "{median:.2}× (rounds {:.2}×–{:.2}×)",
            each.first().copied().unwrap_or_default(),
            each.last().copied().unwrap_or_default()
        )
    };
    let extra_ms = (measure::median(&walls[1]).as_secs_f64()
        - measure::median(&walls[0]).as_secs_f64())
        * 1000.0
        / n;
    report.add(&format!(
        "## Isolation\n\n{} trivial tests (`#[testrail::case]`, one assertion) in one test binary, release profile, `--test-threads=2` everywhere, stdout and stderr to /dev/null, a fresh `TESTRAIL_DIR` per run. cargo-nextest runs the built binary (`--binaries-metadata`, no cargo in between), one process per test, each running our harness for its one test (nextest also lists the binary's tests first, one more process). {} rounds in a rotating order after a warm-up run of each side; medians.\n",
        spec.tests, opts.runs
    ));
    report.table(&["", "wall (median)", "per test", "every run (ms)"], &rows);
    report.add(&format!(
        "- isolated ÷ in-process: {}; isolation adds {extra_ms:.2} ms per test\n- isolated ÷ cargo-nextest: {}\n",
        ratios(1, 0),
        ratios(1, 2)
    ));
}
