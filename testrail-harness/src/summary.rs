//! The short report printed after the libtest result line: linked cases, results by bug
//! label, unmapped tests, and where the spool file is.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use crate::outcome::{BugLabel, Execution, TestOutcome};

/// Renders the summary of a run.
pub fn render(outcomes: &[TestOutcome], spool: Option<&Path>) -> String {
    let cases: BTreeSet<u64> = outcomes
        .iter()
        .flat_map(TestOutcome::all_case_ids)
        .collect();
    let linked = outcomes
        .iter()
        .filter(|o| !o.all_case_ids().is_empty())
        .count();
    let mut text = String::new();
    let _ = writeln!(
        text,
        "testrail: {} test{} linked to {} case{}",
        linked,
        plural(linked),
        cases.len(),
        plural(cases.len())
    );
    let labels: Vec<String> = BugLabel::ALL
        .iter()
        .filter_map(|label| {
            let count = outcomes
                .iter()
                .filter(|o| o.bug_label == Some(*label))
                .count();
            (count > 0).then(|| format!("{label:?} {count}"))
        })
        .collect();
    if !labels.is_empty() {
        let _ = writeln!(text, "  bug labels: {}", labels.join(", "));
    }
    let skipped = outcomes
        .iter()
        .filter(|o| matches!(o.execution, Execution::Skipped { .. }))
        .count();
    if skipped > 0 {
        let _ = writeln!(text, "  skipped (ignored): {skipped}");
    }
    let unmapped: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.all_case_ids().is_empty())
        .map(|o| o.path.as_str())
        .collect();
    if !unmapped.is_empty() {
        let _ = writeln!(
            text,
            "  unmapped (no case ID, not reported): {} ({})",
            unmapped.len(),
            unmapped.join(", ")
        );
    }
    if let Some(spool) = spool {
        let _ = writeln!(text, "  spool: {}", spool.display());
    }
    text
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
