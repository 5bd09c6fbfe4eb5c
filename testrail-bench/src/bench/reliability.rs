//! The reliability table: every scenario of [`crate::reliability`] for `cargo testrail
//! upload` and for trcli, and the crash test's figure over a few seeds.

use super::{Options, Report};
use crate::reliability::{self, N, Side};
use crate::trcli;

fn duplicates_text(side: &Side) -> String {
    let extra = side.runs.saturating_sub(1) + side.plans;
    if extra > 0 {
        format!("{}, {extra} extra run(s)", side.duplicates)
    } else {
        side.duplicates.to_string()
    }
}

/// Runs the scenarios and adds the table; returns whether ours stored every result exactly
/// once in every scenario.
pub fn run(report: &mut Report, opts: &Options) -> bool {
    let cli = match reliability::cli_binary() {
        Ok(cli) => cli,
        Err(error) => {
            report.add(&format!("## Reliability\n\nnot run: {error}\n"));
            return false;
        }
    };
    let trcli = if opts.no_trcli {
        None
    } else {
        match trcli::ensure() {
            Ok(trcli) => Some(trcli),
            Err(error) => {
                eprintln!("trcli left out: {error}");
                None
            }
        }
    };
    let work = crate::work_dir().join("reliability");
    std::fs::create_dir_all(&work).expect("a work directory");
    let mut rows = Vec::new();
    let mut all_once = true;
    for scenario in reliability::scenarios() {
        if !opts.selected(scenario.key) {
            continue;
        }
        eprintln!("  {}: ours", scenario.key);
        let ours = reliability::ours(&scenario, &cli);
        all_once &= ours.exactly_once();
        let theirs = trcli.as_ref().map(|trcli| {
            eprintln!("  {}: trcli", scenario.key);
            reliability::trcli(&scenario, trcli, &work)
        });
        rows.push(vec![
            scenario.issue.to_owned(),
            scenario.title.to_owned(),
            ours.steps.join("; "),
            ours.stored_text(),
            duplicates_text(&ours),
            theirs
                .as_ref()
                .map(|t| t.steps.join("; "))
                .unwrap_or_default(),
            theirs.as_ref().map(Side::stored_text).unwrap_or_default(),
            theirs.as_ref().map(duplicates_text).unwrap_or_default(),
        ]);
    }
    report.add(&format!(
        "## Reliability\n\nReproduce: `cargo run --release -p testrail-bench -- reliability`\n\n\
         {N} results (every 10th failed) into a fresh simulator per scenario and side, {} per request on both sides. Ours: `cargo testrail upload` of a spooled session (settle window {} s), run again with the same command while it fails (at most 3 runs). trcli {}: `parse_junit` of the same results as JUnit, run once more when it failed. \"stored\" counts cases with a result; \"duplicates\" counts extra results, and runs beyond one.\n",
        reliability::BATCH,
        reliability::SETTLE_SECS,
        trcli::VERSION
    ));
    report.table(
        &[
            "issue",
            "scenario",
            "testrail-rs did",
            "stored",
            "duplicates",
            "trcli did",
            "trcli stored",
            "trcli duplicates",
        ],
        &rows,
    );
    if opts.seeds > 0 {
        let (figure, failures) = super::crash::seeds(&cli, opts);
        report.add(&format!(
            "Crash test over seeds 1..={} (`cargo run --release -p testrail-bench -- crash --seeds {}`): **{}**\n\n{}",
            opts.seeds,
            opts.seeds,
            figure.line(),
            failures
                .iter()
                .map(|line| format!("- {line}\n"))
                .collect::<String>()
        ));
        all_once &= failures.is_empty();
    }
    all_once
}
