//! The short report printed after the libtest result line: linked cases, results by bug
//! label, unmapped tests, and where the spool file is.
//!
//! The harness does not keep the outcomes of the tests it has written to the spool: it adds
//! each one to a [`Tally`] as its test ends (one walk over the test's steps, while they are
//! still in the cache) and renders the summary from the tally.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use crate::outcome::{BugLabel, Execution, TestOutcome};

/// What the summary says about a run, gathered one outcome at a time.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Tests linked to at least one case (through themselves or a step).
    linked: usize,
    /// Every case ID linked to a test or a step.
    cases: BTreeSet<u64>,
    /// Tests per bug label, in the order of [`BugLabel::ALL`].
    labels: [usize; BugLabel::ALL.len()],
    /// Ignored tests.
    skipped: usize,
    /// The paths of the tests without any case ID.
    unmapped: Vec<String>,
}

impl Tally {
    /// Counts one test's outcome.
    pub fn add(&mut self, outcome: &TestOutcome) {
        let ids = outcome.all_case_ids();
        if ids.is_empty() {
            self.unmapped.push(outcome.path.clone());
        } else {
            self.linked += 1;
            self.cases.extend(ids);
        }
        if let Some(label) = outcome.bug_label
            && let Some(index) = BugLabel::ALL.iter().position(|each| *each == label)
        {
            self.labels[index] += 1;
        }
        if matches!(outcome.execution, Execution::Skipped { .. }) {
            self.skipped += 1;
        }
    }

    /// Whether no outcome was counted.
    pub fn is_empty(&self) -> bool {
        self.linked == 0 && self.unmapped.is_empty()
    }

    /// The summary; `spool` is the spool file the outcomes were written to, if any.
    pub fn render(&self, spool: Option<&Path>) -> String {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "testrail: {} test{} linked to {} case{}",
            self.linked,
            plural(self.linked),
            self.cases.len(),
            plural(self.cases.len())
        );
        let labels: Vec<String> = BugLabel::ALL
            .iter()
            .zip(self.labels)
            .filter(|(_, count)| *count > 0)
            .map(|(label, count)| format!("{label:?} {count}"))
            .collect();
        if !labels.is_empty() {
            let _ = writeln!(text, "  bug labels: {}", labels.join(", "));
        }
        if self.skipped > 0 {
            let _ = writeln!(text, "  skipped (ignored): {}", self.skipped);
        }
        if !self.unmapped.is_empty() {
            let mut unmapped: Vec<&str> = self.unmapped.iter().map(String::as_str).collect();
            unmapped.sort_unstable();
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
}

/// Renders the summary of a run whose outcomes are all at hand.
pub fn render(outcomes: &[TestOutcome], spool: Option<&Path>) -> String {
    let mut tally = Tally::default();
    for outcome in outcomes {
        tally.add(outcome);
    }
    tally.render(spool)
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
