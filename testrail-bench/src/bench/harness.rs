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

/// Runs a test binary once. With `block_plans`, `<TESTRAIL_DIR>/step-plans/t` is made a
/// file, so that our harness cannot write its per-test step plans (a diagnostic: what the
/// run costs without them).
fn run_once(executable: &Path, testrail_dir: &Path, block_plans: bool) -> Measured {
    let _ = std::fs::remove_dir_all(testrail_dir);
    if block_plans {
        let plans = testrail_dir.join("step-plans");
        std::fs::create_dir_all(&plans).expect("the step-plans directory");
        std::fs::write(plans.join("t"), b"").expect("the blocking file");
    }
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
    /// Our runs.
    pub ours: Vec<Measured>,
    /// libtest's runs.
    pub plain: Vec<Measured>,
    /// Our runs with the step-plan writes blocked (diagnostic).
    pub ours_no_plans: Vec<Measured>,
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

    /// Median wall-time ratio, ours / libtest.
    pub fn wall_ratio(&self) -> f64 {
        Self::wall(&self.ours).as_secs_f64() / Self::wall(&self.plain).as_secs_f64().max(1e-9)
    }
}

fn compare(label: &'static str, ours: Spec, plain: Spec, opts: &Options) -> Pair {
    let built = genws::build_tests(&[ours, plain], true).expect("the generated crates build");
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let testrail_dir = scratch.path().join("testrail");
    // Warm-up: page cache, dynamic loader.
    run_once(&built[ours.name], &testrail_dir, false);
    let spool_bytes = dir_size(&testrail_dir.join("sessions"));
    run_once(&built[plain.name], &testrail_dir, false);
    let mut pair = Pair {
        label,
        ours: Vec::new(),
        plain: Vec::new(),
        ours_no_plans: Vec::new(),
        spool_bytes,
    };
    for run in 0..opts.runs {
        // Alternate which side goes first.
        if run % 2 == 0 {
            pair.ours
                .push(run_once(&built[ours.name], &testrail_dir, false));
            pair.plain
                .push(run_once(&built[plain.name], &testrail_dir, false));
        } else {
            pair.plain
                .push(run_once(&built[plain.name], &testrail_dir, false));
            pair.ours
                .push(run_once(&built[ours.name], &testrail_dir, false));
        }
        pair.ours_no_plans
            .push(run_once(&built[ours.name], &testrail_dir, true));
        eprintln!(
            "  {label} run {}: ours {} / libtest {}",
            run + 1,
            secs(pair.ours.last().map(|m| m.wall).unwrap_or_default()),
            secs(pair.plain.last().map(|m| m.wall).unwrap_or_default())
        );
    }
    pair
}

/// Runs the benchmark and adds its section to the report.
pub fn run(report: &mut Report, opts: &Options) -> Vec<Pair> {
    genws::generate();
    report.add(&format!(
        "## 1. Harness overhead\n\n10,000 tests in one test binary, release profile (`cargo test --release`), default `--test-threads` (2 here), stdout to /dev/null, `TESTRAIL_DIR` in a temporary directory (our harness writes its spool file there: part of our cost). {} alternating runs per side after one warm-up run each; medians. Peak memory is the test process's `ru_maxrss`. Diagnostic column: our binary again with `<TESTRAIL_DIR>/step-plans/t` made a file, so the harness cannot write its per-test step-plan files (each write fails at once and is reported to stderr, here /dev/null): what a run costs without them.\n",
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
            let (ours, plain) = (Pair::wall(&pair.ours), Pair::wall(&pair.plain));
            let (ours_rss, plain_rss) = (Pair::rss(&pair.ours), Pair::rss(&pair.plain));
            let all = |runs: &[Measured]| {
                runs.iter()
                    .map(|m| format!("{:.2}", m.wall.as_secs_f64()))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let no_plans = Pair::wall(&pair.ours_no_plans);
            vec![
                pair.label.to_owned(),
                secs(ours),
                secs(plain),
                ratio(ours.as_secs_f64(), plain.as_secs_f64()),
                format!("≤ {TARGET:.2}×"),
                met(pair.wall_ratio() <= TARGET),
                format!(
                    "{} ({})",
                    secs(no_plans),
                    ratio(no_plans.as_secs_f64(), plain.as_secs_f64())
                ),
                mib(ours_rss),
                mib(plain_rss),
                ratio(ours_rss as f64, plain_rss as f64),
                format!("{:.1} MB", pair.spool_bytes as f64 / 1e6),
                format!(
                    "ours: {} · libtest: {} · ours without plan writes: {}",
                    all(&pair.ours),
                    all(&pair.plain),
                    all(&pair.ours_no_plans)
                ),
            ]
        })
        .collect();
    report.table(
        &[
            "tests",
            "ours (wall)",
            "libtest (wall)",
            "ratio",
            "target",
            "",
            "diagnostic: ours without step-plan writes (ratio)",
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
