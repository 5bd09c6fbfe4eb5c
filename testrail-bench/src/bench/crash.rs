//! The randomized crash test as a benchmark: seeds 1..=N (or one seed), each an upload
//! killed at seeded requests and resumed (see [`crate::crash`]), and the figure: seeds
//! passed, results, duplicates, lost, wall time.

use std::time::{Duration, Instant};

use super::{Options, Report, secs};
use crate::crash::{self, CrashOptions, Figure};
use crate::reliability;

/// Settle window of the uploads (`TESTRAIL_SETTLE`).
pub const SETTLE: Duration = Duration::from_secs(2);

/// Runs the seeds and adds the section; returns whether every seed passed.
pub fn run(report: &mut Report, opts: &Options) -> bool {
    let cli = match reliability::cli_binary() {
        Ok(cli) => cli,
        Err(error) => {
            report.add(&format!("## Crash test\n\nnot run: {error}\n"));
            return false;
        }
    };
    let (figure, failures) = seeds(&cli, opts);
    report.add(&format!(
        "## Crash test\n\nReproduce: `cargo run --release -p testrail-bench -- crash {}`\n\n\
         Each seed: a spooled session of 200–400 results; `cargo testrail upload` (batches of 20–100, 1–3 in flight, settle window {} s) killed 1–3 times at a seeded request, which the simulator holds while the process is killed (the request is then dropped unhandled, handled up to 1.5 s later during the resume, or handled and answered into the stopped process); 30 % of the resumes run from a copy of the session directory in a fresh `TESTRAIL_DIR`; a last upload runs to its end. A seed passes when every result is stored exactly once, in one run, with no plan, and the last upload exits 0.\n\n\
         **{}**\n",
        match opts.seed {
            Some(seed) => format!("--seed {seed}"),
            None => format!("--seeds {}", opts.seeds),
        },
        SETTLE.as_secs(),
        figure.line()
    ));
    let rows: Vec<Vec<String>> = figure
        .kills_by
        .iter()
        .map(|(what, n)| vec![what.clone(), n.to_string()])
        .collect();
    report.table(&["kill (stage at endpoint)", "kills"], &rows);
    if failures.is_empty() {
        report.add("Every seed passed.\n");
    } else {
        report.add(&format!(
            "Failed seeds ({}):\n\n{}\n",
            failures.len(),
            failures
                .iter()
                .map(|line| format!("- {line}"))
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    failures.is_empty()
}

/// Runs the seeds of `opts`; returns the figure and the failed seeds, described.
pub fn seeds(cli: &std::path::Path, opts: &Options) -> (Figure, Vec<String>) {
    let options = CrashOptions {
        cli: cli.to_owned(),
        settle: SETTLE,
    };
    let list: Vec<u64> = match opts.seed {
        Some(seed) => vec![seed],
        None => (1..=opts.seeds).collect(),
    };
    let started = Instant::now();
    let mut figure = Figure::default();
    let mut failures = Vec::new();
    for seed in list {
        let outcome = crash::run_seed(seed, &options);
        eprintln!("  {} [{}]", outcome.describe(), secs(outcome.wall));
        figure.add(&outcome);
        if !outcome.passed() {
            failures.push(outcome.describe());
        }
    }
    figure.wall = started.elapsed();
    (figure, failures)
}
