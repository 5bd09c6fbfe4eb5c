//! From case reports to the bodies of `add_results_for_cases`: status, comment, elapsed,
//! version, defects, custom fields and step results.
//!
//! Every text sent is cleaned of terminal escapes and control characters and kept within the
//! comment budget ([`super::text`]): the comment as a whole, and each step text. The failure
//! message gets at most half of the budget, each attempt's failure text a share of a
//! quarter and each step line's failure text (steps without step results) a share of
//! another quarter, so a huge message never pushes the attempts, the steps, the comments
//! and the session line out. The full texts stay in the spool.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use testrail_api::{ElapsedFormat, NewResult, ResultForCase, StepResult, format_elapsed};
use testrail_formats::outcome::{Attempt, StepOutcome, StepStatus};

use super::report::{CaseReport, Verdict};
use super::status_map::StatusMap;
use super::text::{self, MIN_COMMENT_BUDGET};

/// What every result of one export shares.
#[derive(Clone, Debug)]
pub struct ResultContext {
    /// The session key, written into every comment: it is how a resumed export recognises
    /// results TestRail already stored.
    pub session: String,
    /// The configured version; else each spool file's git commit.
    pub version: Option<String>,
    /// Elapsed with milliseconds.
    pub elapsed: ElapsedFormat,
    /// Configured `custom_*` fields.
    pub fields: BTreeMap<String, serde_json::Value>,
    /// The CI build's URL, when known.
    pub build_url: Option<String>,
    /// Bytes per comment and per step text.
    pub comment_budget: usize,
    /// The API key, replaced by `***` wherever a test's output or message holds it.
    pub api_key: Option<testrail_api::ApiKey>,
}

impl ResultContext {
    /// The context of an export of `session` with `config`; the build URL comes from the CI
    /// variables of this process.
    pub fn new(config: &crate::config::Config, session: &str) -> ResultContext {
        ResultContext {
            session: session.to_owned(),
            version: config.version.clone(),
            elapsed: if config.elapsed_ms {
                ElapsedFormat::Milliseconds
            } else {
                ElapsedFormat::WholeSeconds
            },
            fields: config.fields.clone(),
            build_url: build_url_from_env(),
            comment_budget: config.comment_budget,
            api_key: config.api_key.clone(),
        }
    }
}

/// The line every comment ends with; [`is_from_session`] looks for it.
pub fn session_marker(session: &str) -> String {
    format!("testrail-rs session `{session}`")
}

/// Whether a stored result's comment was written by an export of `session`.
pub fn is_from_session(comment: Option<&str>, session: &str) -> bool {
    comment.is_some_and(|comment| comment.contains(&session_marker(session)))
}

/// The spool files a comment says its result comes from (see [`result_for`]).
///
/// ```
/// use testrail_export::results::files_in;
/// let comment = "**NoBug**\n\n_testrail-rs session `s1` · from cart-7.json, checkout-9.json_";
/// assert_eq!(files_in(Some(comment)), ["cart-7.json", "checkout-9.json"]);
/// ```
pub fn files_in(comment: Option<&str>) -> Vec<String> {
    let Some(line) = comment.and_then(|c| {
        c.lines()
            .rev()
            .find(|line| line.contains("testrail-rs session `"))
    }) else {
        return Vec::new();
    };
    let Some((_, files)) = line.rsplit_once(" · from ") else {
        return Vec::new();
    };
    files
        .trim_end_matches('_')
        .split(", ")
        .map(str::to_owned)
        .collect()
}

/// The spool files whose outcomes a report carries, sorted and unique.
pub fn files_of(report: &CaseReport) -> Vec<String> {
    let files: std::collections::BTreeSet<&str> = report
        .sources
        .iter()
        .map(|source| source.file.as_str())
        .collect();
    files.into_iter().map(str::to_owned).collect()
}

/// The build URL from common CI variables.
pub fn build_url_from_env() -> Option<String> {
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    if let (Some(server), Some(repo), Some(run)) = (
        var("GITHUB_SERVER_URL"),
        var("GITHUB_REPOSITORY"),
        var("GITHUB_RUN_ID"),
    ) {
        return Some(format!("{server}/{repo}/actions/runs/{run}"));
    }
    [
        "CI_JOB_URL",
        "BUILD_URL",
        "BUILDKITE_BUILD_URL",
        "CIRCLE_BUILD_URL",
    ]
    .iter()
    .find_map(|name| var(name))
}

/// The result of a case, or `None` when its outcome is not reported (run result Error, a
/// skipped test) — the reason is then returned instead.
pub fn result_for(
    report: &CaseReport,
    statuses: &StatusMap,
    context: &ResultContext,
    step_results: bool,
) -> Result<ResultForCase, &'static str> {
    let reported: Vec<_> = report
        .sources
        .iter()
        .filter_map(|source| {
            statuses
                .status_of(source.verdict)
                .map(|status| (source, status))
        })
        .collect();
    let Some((decisive, status_id)) = reported.first().copied() else {
        return Err(match report.decisive().verdict {
            Verdict::Skipped => "skipped (ignored test)",
            _ => "run result Error (not reported)",
        });
    };
    let budget = context.comment_budget.max(MIN_COMMENT_BUDGET);
    let mut comment = String::new();
    match decisive.verdict {
        Verdict::Ran { run_result, label } => {
            let _ = writeln!(
                comment,
                "**{label:?}** · run result {run_result:?} · {}",
                decisive.description
            );
        }
        Verdict::NotReached => {
            let _ = writeln!(
                comment,
                "**Not reached**: an earlier step failed · {}",
                decisive.description
            );
        }
        Verdict::Skipped => {
            let _ = writeln!(comment, "**Skipped** (ignored) · {}", decisive.description);
            let reason = decisive.skip_reason.as_deref().map(str::trim);
            let _ = match reason.filter(|reason| !reason.is_empty()) {
                Some(reason) => writeln!(comment, "Skip reason: {reason}"),
                None => writeln!(comment, "Skip reason: none given"),
            };
        }
    }
    if decisive.history.len() > 1 {
        write_attempts(&mut comment, decisive, budget);
    }
    if let Some(message) = &decisive.message {
        let message = text::clean(message);
        let _ = writeln!(comment, "\nFailure: {}", text::cut(&message, budget / 2));
    }
    if let Some(location) = &decisive.location {
        let _ = writeln!(comment, "at {location}");
    }
    if let Some(step) = &decisive.failed_step {
        let _ = writeln!(comment, "Failing step: {step}");
    }
    let steps = &decisive.unlinked_steps;
    let mut step_results_sent = Vec::new();
    if !steps.is_empty() {
        if step_results {
            step_results_sent = steps
                .iter()
                .map(|step| step_result(step, statuses, budget))
                .collect();
        } else {
            let _ = writeln!(comment, "\nSteps:");
            for step in steps {
                let share = (budget / 4 / steps.len()).max(MIN_COMMENT_BUDGET / 2);
                let _ = writeln!(comment, "- {}", step_line(step, share));
            }
        }
    }
    for source in &report.sources {
        for line in &source.comments {
            let _ = writeln!(comment, "\n{line}");
        }
    }
    if report.sources.len() > 1 {
        let _ = writeln!(
            comment,
            "\nCombined from {} reports of this case (the worst one decides):",
            report.sources.len()
        );
        for source in &report.sources {
            let status = statuses
                .status_of(source.verdict)
                .map(|id| statuses.label(id))
                .unwrap_or_else(|| "not reported".into());
            let _ = writeln!(comment, "- {} → {status}", source.description);
        }
    }
    if let Some(url) = &context.build_url {
        let _ = writeln!(comment, "\nBuild: {url}");
    }
    let _ = write!(
        comment,
        "\n_{} · from {}_",
        session_marker(&context.session),
        files_of(report).join(", ")
    );
    let comment = match &context.api_key {
        Some(key) => key.redact(&comment).into_owned(),
        None => comment,
    };
    let comment = text::cut_keeping_last_line(&text::clean(&comment), budget).into_owned();

    let elapsed_ms: u64 = report.sources.iter().map(|source| source.elapsed_ms).sum();
    let mut defects: Vec<&str> = Vec::new();
    let mut custom = context.fields.clone();
    for source in &report.sources {
        for defect in &source.defects {
            if !defects.contains(&defect.as_str()) {
                defects.push(defect);
            }
        }
        for (name, value) in &source.fields {
            custom.insert(name.clone(), value.clone());
        }
    }
    Ok(ResultForCase {
        case_id: report.case_id.into(),
        result: NewResult {
            status_id: Some(status_id.into()),
            comment: Some(comment),
            version: context
                .version
                .clone()
                .or_else(|| decisive.git_commit.clone()),
            elapsed: Some(format_elapsed(
                Duration::from_millis(elapsed_ms),
                context.elapsed,
            )),
            defects: (!defects.is_empty()).then(|| defects.join(", ")),
            assignedto_id: None,
            step_results: step_results_sent,
            custom,
        },
    })
}

/// The attempts of a test that ran more than once, each with its failure text (at most an
/// equal share of a quarter of `budget`); the final attempt's failure is the `Failure:`
/// that follows.
fn write_attempts(comment: &mut String, source: &super::report::Source, budget: usize) {
    let history = &source.history;
    let passed_at = history.iter().position(|attempt| attempt.passed);
    let _ = match passed_at {
        Some(index) => writeln!(
            comment,
            "Attempts: {}, passed on attempt {} after failing:",
            history.len(),
            index + 1
        ),
        None if history.iter().all(|attempt| !attempt.passed) => {
            writeln!(comment, "Attempts: {}, every one failed:", history.len())
        }
        None => writeln!(comment, "Attempts: {}:", history.len()),
    };
    let share = (budget / 4 / history.len()).max(MIN_COMMENT_BUDGET / 2);
    for (index, attempt) in history.iter().enumerate() {
        let _ = write!(comment, "- {}", attempt_line(attempt));
        let last = index + 1 == history.len();
        match &attempt.message {
            Some(message) if last && source.message.as_ref() == Some(message) => {
                let _ = writeln!(comment, ": the failure below");
            }
            Some(message) => {
                let message = text::clean(message);
                let message = text::cut(&message, share);
                let _ = writeln!(comment, ":\n  {}", message.replace('\n', "\n  "));
            }
            None => {
                let _ = writeln!(comment);
            }
        }
    }
}

/// `attempt 2 failed (12 ms) at src/cart.rs:14:5`
fn attempt_line(attempt: &Attempt) -> String {
    let how = if attempt.passed { "passed" } else { "failed" };
    let mut line = format!(
        "attempt {} {how} ({} ms)",
        attempt.number, attempt.elapsed_ms
    );
    if let Some(location) = &attempt.location {
        let _ = write!(line, " at {location}");
    }
    if let Some(step) = &attempt.failed_step {
        let _ = write!(line, " in step {step}");
    }
    line
}

/// Cuts a result that TestRail (or a proxy in front of it) refused as too large to about half
/// its comment and step texts, keeping the comment's session line and noting the cut.
/// Returns `false` when every text is already at the smallest budget: cutting cannot help.
pub fn shrink(result: &mut ResultForCase) -> bool {
    let mut shrunk = false;
    let mut halve = |text: &mut String, keep_last_line: bool| {
        if text.len() <= MIN_COMMENT_BUDGET {
            return;
        }
        let half = (text.len() / 2).max(MIN_COMMENT_BUDGET);
        let cut = if keep_last_line {
            text::cut_keeping_last_line(text, half)
        } else {
            text::cut(text, half)
        };
        if cut.len() < text.len() {
            *text = cut.into_owned();
            shrunk = true;
        }
    };
    if let Some(comment) = result.result.comment.as_mut() {
        halve(comment, true);
    }
    for step in &mut result.result.step_results {
        halve(&mut step.content, false);
        for text in [step.expected.as_mut(), step.actual.as_mut()]
            .into_iter()
            .flatten()
        {
            halve(text, false);
        }
    }
    shrunk
}

/// A step as a line of the comment, its failure text cut to `share` bytes.
fn step_line(step: &StepOutcome, share: usize) -> String {
    let mark = match step.status {
        StepStatus::Passed => "passed",
        StepStatus::Failed => "FAILED",
        StepStatus::Stopped => "stopped",
        StepStatus::NotReached => "not reached",
    };
    match &step.message {
        Some(message) => format!(
            "{} ({mark}, {} ms): {}",
            step.name,
            step.elapsed_ms,
            text::cut(&text::clean(message), share)
        ),
        None => format!("{} ({mark}, {} ms)", step.name, step.elapsed_ms),
    }
}

fn step_result(step: &StepOutcome, statuses: &StatusMap, budget: usize) -> StepResult {
    use testrail_formats::outcome::{BugLabel, RunResult};
    let verdict = match step.status {
        StepStatus::Passed => Verdict::Ran {
            run_result: RunResult::Success,
            label: BugLabel::NoBug,
        },
        StepStatus::Failed => Verdict::Ran {
            run_result: RunResult::Success,
            label: BugLabel::DefinitelyBug,
        },
        StepStatus::Stopped => Verdict::Ran {
            run_result: RunResult::Stopped,
            label: BugLabel::Undecided,
        },
        StepStatus::NotReached => Verdict::NotReached,
    };
    let bounded = |text: &str| text::cut(&text::clean(text), budget).into_owned();
    StepResult {
        content: bounded(&step.name),
        expected: None,
        actual: step.message.as_deref().map(bounded),
        status_id: statuses.status_of(verdict).unwrap_or(3).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::mapping::MappingConfig;
    use crate::report::Source;
    use crate::status_map::builtin_statuses;
    use testrail_formats::outcome::{BugLabel, RunResult};

    fn statuses(toml_text: &str) -> StatusMap {
        let config: MappingConfig = toml::from_str(toml_text).unwrap();
        StatusMap::resolve(&config, &builtin_statuses()).unwrap()
    }

    fn context(budget: usize) -> ResultContext {
        ResultContext {
            session: "s1".into(),
            version: None,
            elapsed: ElapsedFormat::WholeSeconds,
            fields: BTreeMap::new(),
            build_url: None,
            comment_budget: budget,
            api_key: Some(testrail_api::ApiKey::new("s3cret-key-42")),
        }
    }

    fn attempt(number: u32, message: Option<&str>) -> Attempt {
        Attempt {
            number,
            run_result: RunResult::Success,
            passed: message.is_none(),
            message: message.map(str::to_owned),
            location: None,
            failed_step: None,
            elapsed_ms: 3,
            steps: Vec::new(),
        }
    }

    fn source(label: BugLabel, history: Vec<Attempt>) -> Source {
        Source {
            file: "cart-1.json".into(),
            description: "test cart::adds".into(),
            verdict: Verdict::Ran {
                run_result: RunResult::Success,
                label,
            },
            message: history.last().and_then(|a| a.message.clone()),
            location: None,
            failed_step: None,
            attempts: history.len(),
            history,
            skip_reason: None,
            elapsed_ms: 9,
            defects: Vec::new(),
            comments: Vec::new(),
            fields: BTreeMap::new(),
            unlinked_steps: Vec::new(),
            git_commit: None,
        }
    }

    fn comment_of(source: Source, statuses: &StatusMap, budget: usize) -> String {
        let report = CaseReport {
            case_id: 7,
            sources: vec![source],
        };
        result_for(&report, statuses, &context(budget), false)
            .unwrap()
            .result
            .comment
            .unwrap()
    }

    #[test]
    fn a_flaky_test_shows_the_failure_that_made_it_flaky() {
        let history = vec![
            attempt(1, Some("\x1b[31mfirst attempt fails\x1b[0m\nleft: 1")),
            attempt(2, None),
        ];
        let comment = comment_of(source(BugLabel::LikelyNoBug, history), &statuses(""), 65536);
        assert!(
            comment.contains("Attempts: 2, passed on attempt 2 after failing:\n- attempt 1 failed (3 ms):\n  first attempt fails\n  left: 1\n- attempt 2 passed (3 ms)\n"),
            "{comment}"
        );
        assert!(!comment.contains('\x1b'), "{comment}");
        assert!(!comment.contains("Failure:"), "{comment}");
    }

    #[test]
    fn the_api_key_in_a_message_is_replaced() {
        let history = vec![attempt(1, Some("env: TESTRAIL_API_KEY=s3cret-key-42"))];
        let comment = comment_of(
            source(BugLabel::DefinitelyBug, history),
            &statuses(""),
            65536,
        );
        assert!(comment.contains("TESTRAIL_API_KEY=***"), "{comment}");
        assert!(!comment.contains("s3cret-key-42"), "{comment}");
    }

    #[test]
    fn a_test_that_always_failed_lists_every_failure() {
        let history = vec![
            attempt(1, Some("one is not two")),
            attempt(2, Some("two is not three")),
            attempt(3, Some("\x1b[1mthree\x1b[22m is not four")),
        ];
        let comment = comment_of(
            source(BugLabel::DefinitelyBug, history),
            &statuses(""),
            65536,
        );
        for expected in [
            "Attempts: 3, every one failed:",
            "- attempt 1 failed (3 ms):\n  one is not two\n",
            "- attempt 2 failed (3 ms):\n  two is not three\n",
            "- attempt 3 failed (3 ms): the failure below\n",
            "Failure: three is not four\n",
        ] {
            assert!(comment.contains(expected), "{expected:?} in\n{comment}");
        }
    }

    #[test]
    fn a_reported_skip_carries_its_reason() {
        let mut skipped = source(BugLabel::NoBug, Vec::new());
        skipped.verdict = Verdict::Skipped;
        skipped.skip_reason = Some("waiting for \x1b[33mPAY-12\x1b[0m".into());
        let map = statuses("skipped = \"retest\"");
        let comment = comment_of(skipped.clone(), &map, 65536);
        assert!(
            comment.contains(
                "**Skipped** (ignored) · test cart::adds\nSkip reason: waiting for PAY-12\n"
            ),
            "{comment}"
        );
        skipped.skip_reason = None;
        let comment = comment_of(skipped, &map, 65536);
        assert!(comment.contains("Skip reason: none given"), "{comment}");
    }

    #[test]
    fn a_huge_message_is_cut_within_the_budget_and_the_session_line_stays() {
        let huge = "ü🦀日".repeat(1 << 17); // 9 bytes each: 1.1 MiB
        let history = vec![attempt(1, Some(&huge)), attempt(2, Some(&huge))];
        for budget in [1024, 4096, 65536] {
            let comment = comment_of(
                source(BugLabel::DefinitelyBug, history.clone()),
                &statuses(""),
                budget,
            );
            assert!(comment.len() <= budget, "{} > {budget}", comment.len());
            assert!(is_from_session(Some(&comment), "s1"), "{comment}");
            assert_eq!(files_in(Some(&comment)), ["cart-1.json"]);
            assert!(
                comment.contains("bytes here to keep this text within"),
                "{comment}"
            );
            assert!(comment.contains("the full text is in the spool file"));
        }
        let comment = comment_of(
            source(BugLabel::DefinitelyBug, history),
            &statuses(""),
            65536,
        );
        // Both attempts are there, and the failure, each with its own cut.
        assert!(
            comment.contains("- attempt 1 failed (3 ms):\n  ü🦀日"),
            "{comment:.300}"
        );
        assert!(comment.contains("\nFailure: ü🦀日"));
        assert_eq!(comment.matches("[testrail-rs cut ").count(), 2);
    }

    #[test]
    fn shrinking_halves_the_texts_until_nothing_is_left_to_cut() {
        let mut failed = source(
            BugLabel::DefinitelyBug,
            vec![attempt(1, Some(&"é".repeat(40_000)))],
        );
        failed.unlinked_steps = vec![StepOutcome {
            name: "pay".into(),
            case_ids: Vec::new(),
            defined_at: None,
            status: StepStatus::Failed,
            message: Some(format!("\x1b[31m{}\x1b[0m", "ß".repeat(50_000))),
            location: None,
            elapsed_ms: 1,
            steps: Vec::new(),
        }];
        let report = CaseReport {
            case_id: 7,
            sources: vec![failed],
        };
        let mut result = result_for(&report, &statuses(""), &context(65536), true).unwrap();
        let actual = result.result.step_results[0].actual.clone().unwrap();
        assert!(
            actual.len() <= 65536 && actual.starts_with("ßß"),
            "{actual:.40}"
        );
        assert!(!actual.contains('\x1b'));
        let mut sizes = vec![result.result.comment.as_ref().unwrap().len()];
        while shrink(&mut result) {
            let comment = result.result.comment.as_ref().unwrap();
            assert!(comment.len() < *sizes.last().unwrap());
            assert!(is_from_session(Some(comment), "s1"));
            sizes.push(comment.len());
            assert!(sizes.len() < 20, "shrinking ends");
        }
        let comment = result.result.comment.unwrap();
        assert!(comment.len() <= MIN_COMMENT_BUDGET, "{}", comment.len());
        // One note, counting from the comment before any cut: its lines and 80 000 bytes.
        assert_eq!(comment.matches("[testrail-rs cut ").count(), 1, "{comment}");
        let note = comment.split("[testrail-rs cut ").nth(1).unwrap();
        let figures: Vec<usize> = note
            .split(' ')
            .filter_map(|word| word.parse().ok())
            .collect();
        let kept = comment.find("\n[testrail-rs cut ").unwrap();
        assert_eq!(figures[0] + kept, figures[1], "{note}");
        assert!((80_000..80_200).contains(&figures[1]), "{note}");
        let actual = result.result.step_results[0].actual.as_ref().unwrap();
        assert!(actual.len() <= MIN_COMMENT_BUDGET);
        assert!(actual.contains("of 100000 bytes here"), "{actual}");
    }

    #[test]
    fn a_huge_step_message_leaves_room_for_the_rest_of_the_comment() {
        let mut failed = source(
            BugLabel::DefinitelyBug,
            vec![attempt(1, Some("pay failed"))],
        );
        failed.comments = vec!["checked by hand".into()];
        failed.unlinked_steps = vec![StepOutcome {
            name: "pay".into(),
            case_ids: Vec::new(),
            defined_at: None,
            status: StepStatus::Failed,
            message: Some("\x1b[31m€\x1b[0m".repeat(100_000)),
            location: None,
            elapsed_ms: 1,
            steps: Vec::new(),
        }];
        let comment = comment_of(failed, &statuses(""), 8192);
        assert!(comment.len() <= 8192, "{}", comment.len());
        assert!(
            comment.contains("\nSteps:\n- pay (FAILED, 1 ms): €€€"),
            "{comment:.300}"
        );
        assert!(comment.contains("[testrail-rs cut "), "{comment}");
        assert!(comment.contains("\nchecked by hand\n"), "{comment}");
        assert!(!comment.contains('\x1b'));
        assert!(is_from_session(Some(&comment), "s1"));
    }
}
