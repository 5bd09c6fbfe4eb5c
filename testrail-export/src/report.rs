//! From spooled outcomes to one report per TestRail case: every case linked to a test gets
//! the test's outcome, every case linked to a step gets that step's outcome (seed 000: all
//! linked cases, from the test and all steps, are included). When several tests or steps
//! report one case, the worst outcome wins and the comment says so.

use std::collections::BTreeMap;

use testrail_formats::outcome::{
    Attempt, BugLabel, Execution, RunResult, StepOutcome, StepStatus, TestOutcome,
};
use testrail_formats::spool::SpoolFile;

/// What a test or step says about a case, before it becomes a TestRail status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The test (or the step, judged by the test) ran.
    Ran {
        /// How the run ended.
        run_result: RunResult,
        /// The bug label.
        label: BugLabel,
    },
    /// The step was not reached because an earlier step failed.
    NotReached,
    /// The test is ignored.
    Skipped,
}

impl Verdict {
    /// How bad it is: a failure wins over everything when a case is reported twice.
    pub fn severity(self) -> u8 {
        match self {
            Verdict::Skipped => 0,
            Verdict::Ran {
                label: BugLabel::NoBug,
                ..
            } => 1,
            Verdict::Ran {
                label: BugLabel::LikelyNoBug,
                ..
            } => 2,
            Verdict::Ran {
                label: BugLabel::Undecided,
                ..
            } => 3,
            Verdict::NotReached => 4,
            Verdict::Ran {
                label: BugLabel::LikelyBug,
                ..
            } => 5,
            Verdict::Ran {
                label: BugLabel::DefinitelyBug,
                ..
            } => 6,
        }
    }
}

/// A test or step that reports a case.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// The spool file it comes from.
    pub file: String,
    /// `test checkout::pay` or `step pay in checkout::flow`.
    pub description: String,
    /// What it says.
    pub verdict: Verdict,
    /// The failure message.
    pub message: Option<String>,
    /// Where it failed.
    pub location: Option<String>,
    /// The innermost failing step.
    pub failed_step: Option<String>,
    /// Attempts of the test.
    pub attempts: usize,
    /// Every attempt of the test, in order, without its steps (for the comment).
    pub history: Vec<Attempt>,
    /// The reason given for an ignored test.
    pub skip_reason: Option<String>,
    /// Time spent, in milliseconds.
    pub elapsed_ms: u64,
    /// Defect keys.
    pub defects: Vec<String>,
    /// Comments from the test body.
    pub comments: Vec<String>,
    /// `custom_*` fields from the test body.
    pub fields: BTreeMap<String, serde_json::Value>,
    /// The test's steps that have no case of their own (for `custom_step_results`).
    pub unlinked_steps: Vec<StepOutcome>,
    /// The git commit of the build.
    pub git_commit: Option<String>,
}

/// Everything reported about one case.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseReport {
    /// The TestRail case ID.
    pub case_id: u64,
    /// Who reports it, worst first.
    pub sources: Vec<Source>,
}

impl CaseReport {
    /// The source whose verdict decides the status.
    pub fn decisive(&self) -> &Source {
        &self.sources[0]
    }
}

/// Builds the case reports of some spool files, ordered by case ID.
pub fn build(files: &[SpoolFile]) -> Vec<CaseReport> {
    let mut by_case: BTreeMap<u64, Vec<Source>> = BTreeMap::new();
    for file in files {
        let file_name = file.file_name();
        for test in &file.tests {
            for source in sources_of(test, &file_name, file.git_commit.as_deref()) {
                for case_id in &source.0 {
                    by_case.entry(*case_id).or_default().push(source.1.clone());
                }
            }
        }
    }
    by_case
        .into_iter()
        .map(|(case_id, mut sources)| {
            sources.sort_by_key(|source| std::cmp::Reverse(source.verdict.severity()));
            CaseReport { case_id, sources }
        })
        .collect()
}

fn sources_of(test: &TestOutcome, file: &str, git_commit: Option<&str>) -> Vec<(Vec<u64>, Source)> {
    let verdict = match (&test.execution, test.run_result, test.bug_label) {
        (Execution::Skipped { .. }, _, _) => Verdict::Skipped,
        (Execution::Ran, Some(run_result), Some(label)) => Verdict::Ran { run_result, label },
        (Execution::Ran, _, _) => return Vec::new(),
    };
    let last = test.last_attempt();
    let steps = last
        .map(|attempt| attempt.steps.as_slice())
        .unwrap_or_default();
    let base = Source {
        file: file.to_owned(),
        description: format!("test {}", test.path),
        verdict,
        message: last.and_then(|attempt| attempt.message.clone()),
        location: last.and_then(|attempt| attempt.location.as_ref().map(ToString::to_string)),
        failed_step: last.and_then(|attempt| attempt.failed_step.clone()),
        attempts: test.attempts.len(),
        history: test
            .attempts
            .iter()
            .map(|attempt| Attempt {
                steps: Vec::new(),
                ..attempt.clone()
            })
            .collect(),
        skip_reason: match &test.execution {
            Execution::Skipped { reason } => reason.clone(),
            Execution::Ran => None,
        },
        elapsed_ms: test.elapsed_ms,
        defects: test.defects.clone(),
        comments: test.comments.clone(),
        fields: test.fields.clone(),
        unlinked_steps: unlinked(steps),
        git_commit: git_commit.map(str::to_owned),
    };
    let mut sources = Vec::new();
    if !test.case_ids.is_empty() {
        sources.push((test.case_ids.clone(), base.clone()));
    }
    collect_steps(steps, &base, test, &mut sources);
    sources
}

/// The steps of a tree that have no case of their own, flattened in order.
fn unlinked(steps: &[StepOutcome]) -> Vec<StepOutcome> {
    let mut flat = Vec::new();
    for step in steps {
        if step.case_ids.is_empty() {
            flat.push(StepOutcome {
                steps: Vec::new(),
                ..step.clone()
            });
        }
        flat.extend(unlinked(&step.steps));
    }
    flat
}

fn collect_steps(
    steps: &[StepOutcome],
    test_source: &Source,
    test: &TestOutcome,
    sources: &mut Vec<(Vec<u64>, Source)>,
) {
    for step in steps {
        if !step.case_ids.is_empty() {
            let verdict = step_verdict(step.status, test_source.verdict);
            sources.push((
                step.case_ids.clone(),
                Source {
                    description: format!("step {} in {}", step.name, test.path),
                    verdict,
                    message: step.message.clone(),
                    location: step.location.as_ref().map(ToString::to_string),
                    failed_step: (step.status == StepStatus::Failed).then(|| step.name.to_string()),
                    elapsed_ms: step.elapsed_ms,
                    unlinked_steps: unlinked(&step.steps),
                    comments: Vec::new(),
                    ..test_source.clone()
                },
            ));
        }
        collect_steps(&step.steps, test_source, test, sources);
    }
}

/// A step's verdict: a passed step is NoBug; a failed step carries the test's label when it
/// is a bug label (LikelyBug for a known bug), else DefinitelyBug; a stopped step is
/// Undecided; a step not reached is NotReached.
fn step_verdict(status: StepStatus, test: Verdict) -> Verdict {
    let run_result = match test {
        Verdict::Ran { run_result, .. } => run_result,
        _ => RunResult::Success,
    };
    match status {
        StepStatus::Passed => Verdict::Ran {
            run_result,
            label: BugLabel::NoBug,
        },
        StepStatus::Failed => {
            let label = match test {
                Verdict::Ran {
                    label: label @ (BugLabel::LikelyBug | BugLabel::DefinitelyBug),
                    ..
                } => label,
                _ => BugLabel::DefinitelyBug,
            };
            Verdict::Ran { run_result, label }
        }
        StepStatus::Stopped => Verdict::Ran {
            run_result,
            label: BugLabel::Undecided,
        },
        StepStatus::NotReached => Verdict::NotReached,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use testrail_formats::outcome::{Attempt, LabelSource, Location};

    fn step(name: &'static str, case_ids: &[u64], status: StepStatus) -> StepOutcome {
        StepOutcome {
            name: name.into(),
            case_ids: case_ids.to_vec(),
            defined_at: None,
            status,
            message: None,
            location: None,
            elapsed_ms: 5,
            steps: Vec::new(),
        }
    }

    fn test(path: &str, case_ids: &[u64], label: BugLabel, steps: Vec<StepOutcome>) -> TestOutcome {
        TestOutcome {
            path: path.into(),
            title: None,
            defined_at: Location {
                file: "t.rs".into(),
                line: 1,
                column: None,
            },
            case_ids: case_ids.to_vec(),
            execution: Execution::Ran,
            run_result: Some(RunResult::Success),
            bug_label: Some(label),
            label_source: Some(LabelSource::Derived),
            passed: label.is_pass(),
            elapsed_ms: 10,
            attempts: vec![Attempt {
                number: 1,
                run_result: RunResult::Success,
                passed: label.is_pass(),
                message: None,
                location: None,
                failed_step: None,
                elapsed_ms: 10,
                steps,
            }],
            known_bug: None,
            defects: Vec::new(),
            comments: Vec::new(),
            fields: BTreeMap::new(),
        }
    }

    fn file(tests: Vec<TestOutcome>) -> SpoolFile {
        SpoolFile {
            format: testrail_formats::spool::FORMAT.into(),
            version: testrail_formats::spool::VERSION,
            session: "s".into(),
            session_source: testrail_formats::session::SessionSource::Environment,
            package: "p".into(),
            binary: "b".into(),
            pid: 1,
            started_at_ms: 0,
            finished_at_ms: 0,
            git_commit: None,
            manifest_dir: ".".into(),
            tests,
        }
    }

    #[test]
    fn test_and_step_cases_are_all_reported_and_a_failure_wins() {
        let flow = test(
            "t::flow",
            &[1],
            BugLabel::DefinitelyBug,
            vec![
                step("login", &[2], StepStatus::Passed),
                step("pay", &[3], StepStatus::Failed),
                step("logout", &[4], StepStatus::NotReached),
                step("helper", &[], StepStatus::Passed),
            ],
        );
        let other = test("t::other", &[3], BugLabel::NoBug, Vec::new());
        let reports = build(&[file(vec![flow, other])]);
        let ids: Vec<u64> = reports.iter().map(|r| r.case_id).collect();
        assert_eq!(ids, [1, 2, 3, 4]);
        let three = &reports[2];
        assert_eq!(three.sources.len(), 2);
        assert_eq!(three.decisive().description, "step pay in t::flow");
        assert_eq!(reports[3].decisive().verdict, Verdict::NotReached);
        assert_eq!(reports[0].decisive().unlinked_steps.len(), 1);
        assert_eq!(reports[0].decisive().unlinked_steps[0].name, "helper");
    }
}
