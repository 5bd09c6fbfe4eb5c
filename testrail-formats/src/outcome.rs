//! What happened: the run result and bug label of every test, the outcome of every step.
//!
//! These are the types written to the spool and read by the exporter; they are plain,
//! serialisable data with no behaviour beyond deriving a default bug label.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How a test run ended, independent of whether it found a bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RunResult {
    /// The body ran to its end, passing or failing its assertions.
    Success,
    /// The test timed out or was interrupted.
    Stopped,
    /// The test entered more steps than its `max_steps` budget.
    MaxSteps,
    /// The test could not run properly: a setup failure or a harness error.
    Error,
}

/// How likely it is that a test run found a bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BugLabel {
    /// Passed on the first attempt.
    NoBug,
    /// Passed after failing attempts: flaky.
    LikelyNoBug,
    /// Timed out or hit its step budget: nobody can tell.
    Undecided,
    /// Failed, and marked `known_bug`.
    LikelyBug,
    /// Failed on every attempt.
    DefinitelyBug,
}

impl BugLabel {
    /// Every label, from least to most severe.
    pub const ALL: [BugLabel; 5] = [
        BugLabel::NoBug,
        BugLabel::LikelyNoBug,
        BugLabel::Undecided,
        BugLabel::LikelyBug,
        BugLabel::DefinitelyBug,
    ];

    /// Whether libtest should count the test as passed.
    pub fn is_pass(self) -> bool {
        matches!(self, BugLabel::NoBug | BugLabel::LikelyNoBug)
    }
}

/// Who chose a test's bug label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelSource {
    /// Derived by the harness from what happened (see [`default_label`]).
    Derived,
    /// Set by the test body with `testrail::set_bug_label`.
    Explicit,
}

/// How a step ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// The step returned normally (and not an `Err`).
    Passed,
    /// The step panicked or returned an `Err`.
    Failed,
    /// The step was entered but never finished: the test timed out or was cancelled inside it.
    Stopped,
    /// The step was not reached because an earlier step failed.
    NotReached,
}

/// Where a panic or a definition happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Source file, as `file!()` gives it: borrowed when known at compile time (a step's
    /// or a test's definition, a panic's location), so recording it allocates nothing.
    pub file: Cow<'static, str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.column {
            Some(column) => write!(f, "{}:{}:{}", self.file, self.line, column),
            None => write!(f, "{}:{}", self.file, self.line),
        }
    }
}

/// The outcome of one step, with the steps it called.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepOutcome {
    /// The step's name (function name, or the name given to an inline step): borrowed from
    /// the step's registration when known at compile time, so recording it allocates nothing.
    pub name: Cow<'static, str>,
    /// TestRail case IDs linked to the step.
    pub case_ids: Vec<u64>,
    /// Where the step is defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defined_at: Option<Location>,
    /// How it ended.
    pub status: StepStatus,
    /// The failure message, for a failed step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Where the failure happened, when it was a panic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Wall time spent in the step, in milliseconds.
    pub elapsed_ms: u64,
    /// Steps entered while this one ran.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepOutcome>,
}

/// One attempt at running a test (a test with `retries = 2` has up to three).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// 1-based attempt number.
    pub number: u32,
    /// How the attempt ended.
    pub run_result: RunResult,
    /// Whether the attempt passed (assertions held, and `should_panic` was honoured).
    pub passed: bool,
    /// The failure message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Where the failure happened, when it was a panic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The innermost step that failed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_step: Option<String>,
    /// Wall time of the attempt, in milliseconds.
    pub elapsed_ms: u64,
    /// The steps of this attempt, in the order they were entered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepOutcome>,
}

/// Whether a test ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Execution {
    /// The test ran; see its attempts.
    Ran,
    /// The test is ignored and was not run.
    Skipped {
        /// The reason given with `ignore = "..."`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

/// Everything recorded about one test of a harness run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestOutcome {
    /// Module path and function name, e.g. `checkout::can_add_to_cart`.
    pub path: String,
    /// The title given with `title = "..."`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where the test is defined.
    pub defined_at: Location,
    /// TestRail case IDs linked to the test itself (empty for an unmapped test).
    pub case_ids: Vec<u64>,
    /// Whether it ran.
    pub execution: Execution,
    /// How the final attempt ended (absent for a skipped test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_result: Option<RunResult>,
    /// The bug label (absent for a skipped test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bug_label: Option<BugLabel>,
    /// Who chose the bug label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_source: Option<LabelSource>,
    /// Whether libtest counted the test as passed.
    pub passed: bool,
    /// Total wall time over all attempts, in milliseconds.
    pub elapsed_ms: u64,
    /// Every attempt, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<Attempt>,
    /// The issue key given with `known_bug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_bug: Option<String>,
    /// Defect keys for TestRail's `defects` field (from `known_bug` and the runtime API).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub defects: Vec<String>,
    /// Comments added by the test body.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<String>,
    /// Result fields (`custom_*`) set by the test body.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, serde_json::Value>,
    /// Files added to the result with `testrail::attach` or `testrail::attach_bytes`
    /// (absent in spool files written before attachments existed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// A file added to a test's result (`testrail::attach`, `testrail::attach_bytes`, or a
/// JUnit import's `[[ATTACHMENT|path]]`): the file stays where it is and is read when the
/// result is exported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The name TestRail shows: the file's name.
    pub name: String,
    /// The file, as an absolute path (`attach_bytes` writes its bytes to a file under the
    /// session directory).
    pub path: String,
    /// Its size in bytes when it was attached.
    pub size: u64,
    /// The cases whose results get it: those of the innermost step with its own cases that
    /// was open when it was attached; empty for the test's own cases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub case_ids: Vec<u64>,
}

impl TestOutcome {
    /// The final attempt, if the test ran.
    pub fn last_attempt(&self) -> Option<&Attempt> {
        self.attempts.last()
    }

    /// Every case ID linked to the test or to a step it entered (or planned to enter), in
    /// any attempt, in ascending order.
    pub fn all_case_ids(&self) -> Vec<u64> {
        fn walk(steps: &[StepOutcome], ids: &mut std::collections::BTreeSet<u64>) {
            for step in steps {
                ids.extend(step.case_ids.iter().copied());
                walk(&step.steps, ids);
            }
        }
        let mut ids: std::collections::BTreeSet<u64> = self.case_ids.iter().copied().collect();
        for attempt in &self.attempts {
            walk(&attempt.steps, &mut ids);
        }
        ids.into_iter().collect()
    }
}

/// The bug label the harness gives when the test does not set one:
///
/// | what happened | bug label |
/// |---|---|
/// | passed on the first attempt | NoBug |
/// | passed after failing attempts | LikelyNoBug |
/// | failed on every attempt | DefinitelyBug |
/// | failed, and marked `known_bug` | LikelyBug |
/// | timed out, or hit `max_steps` | Undecided |
/// | could not run (run result Error) | Undecided |
///
/// ```
/// use testrail_formats::outcome::{default_label, BugLabel, RunResult};
///
/// assert_eq!(default_label(RunResult::Success, true, 1, false), BugLabel::NoBug);
/// assert_eq!(default_label(RunResult::Success, true, 3, false), BugLabel::LikelyNoBug);
/// assert_eq!(default_label(RunResult::Success, false, 3, true), BugLabel::LikelyBug);
/// assert_eq!(default_label(RunResult::Stopped, false, 1, false), BugLabel::Undecided);
/// ```
pub fn default_label(
    final_result: RunResult,
    final_passed: bool,
    attempts: u32,
    known_bug: bool,
) -> BugLabel {
    match (final_result, final_passed) {
        (RunResult::Success, true) if attempts <= 1 => BugLabel::NoBug,
        (RunResult::Success, true) => BugLabel::LikelyNoBug,
        (RunResult::Success, false) if known_bug => BugLabel::LikelyBug,
        (RunResult::Success, false) => BugLabel::DefinitelyBug,
        (RunResult::Stopped | RunResult::MaxSteps | RunResult::Error, _) => BugLabel::Undecided,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_round_trip_and_outcomes_written_before_them_read_without_them() {
        let older = r#"{"path":"a::b","defined_at":{"file":"tests/a.rs","line":3},
            "case_ids":[7],"execution":{"kind":"ran"},"passed":true,"elapsed_ms":1}"#;
        let outcome: TestOutcome = serde_json::from_str(older).unwrap();
        assert!(outcome.attachments.is_empty());
        assert!(
            !serde_json::to_string(&outcome)
                .unwrap()
                .contains("attachments"),
            "no key when there is none"
        );

        let mut outcome = outcome;
        outcome.attachments.push(Attachment {
            name: "log.txt".into(),
            path: "/tmp/log.txt".into(),
            size: 12,
            case_ids: vec![40],
        });
        let json = serde_json::to_string(&outcome).unwrap();
        let back: TestOutcome = serde_json::from_str(&json).unwrap();
        assert_eq!(back, outcome);
    }
}
