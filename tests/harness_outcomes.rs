//! The run result and bug label of every row of the outcome table, recorded in the spool
//! by a real `cargo test` process.

mod support;

use testrail_formats::outcome::{BugLabel, Execution, RunResult, TestOutcome};

fn outcome<'a>(tests: &'a [TestOutcome], name: &str) -> &'a TestOutcome {
    let path = format!("outcomes::{name}");
    tests
        .iter()
        .find(|test| test.path == path)
        .unwrap_or_else(|| panic!("{path} is not in the spool"))
}

#[test]
fn every_table_row_gets_its_run_result_and_label() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::cargo_test(dir.path(), "harness-scenarios", "outcomes", &[]);
    assert_eq!(
        ran.code,
        Some(101),
        "failing tests make libtest's exit code\n{}",
        ran.both()
    );

    let spool = support::only_session(dir.path());
    assert_eq!(spool.len(), 1);
    let file = &spool[0];
    assert_eq!(file.binary, "outcomes");
    assert_eq!(file.package, "harness-scenarios");
    let tests = &file.tests;

    let row = |name: &str| {
        let test = outcome(tests, name);
        (
            test.run_result,
            test.bug_label,
            test.attempts.len(),
            test.passed,
        )
    };
    use BugLabel::*;
    use RunResult::*;
    assert_eq!(
        row("passes_first_time"),
        (Some(Success), Some(NoBug), 1, true)
    );
    assert_eq!(
        row("flaky_passes_on_second_attempt"),
        (Some(Success), Some(LikelyNoBug), 2, true)
    );
    assert_eq!(
        row("always_fails"),
        (Some(Success), Some(DefinitelyBug), 2, false)
    );
    assert_eq!(
        row("known_bug_fails"),
        (Some(Success), Some(LikelyBug), 1, false)
    );
    assert_eq!(
        row("sync_timeout"),
        (Some(Stopped), Some(Undecided), 1, false)
    );
    assert_eq!(
        row("async_timeout"),
        (Some(Stopped), Some(Undecided), 1, false)
    );
    assert_eq!(
        row("too_many_steps"),
        (Some(MaxSteps), Some(Undecided), 1, false)
    );
    assert_eq!(
        row("label_set_explicitly"),
        (Some(Success), Some(LikelyBug), 1, true)
    );
    assert_eq!(row("setup_fails"), (Some(Error), Some(Undecided), 1, false));
    assert_eq!(
        row("panics_as_expected"),
        (Some(Success), Some(NoBug), 1, true)
    );
    assert_eq!(
        row("unmapped_passes"),
        (Some(Success), Some(NoBug), 1, true)
    );
    assert_eq!(
        row("two_cases_async_pass"),
        (Some(Success), Some(NoBug), 1, true)
    );
    assert_eq!(
        row("returns_debug_only_error"),
        (Some(Success), Some(DefinitelyBug), 1, false)
    );
}

#[test]
fn failures_keep_message_location_attempts_and_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::cargo_test(dir.path(), "harness-scenarios", "outcomes", &[]);
    let spool = support::only_session(dir.path());
    let tests = &spool[0].tests;

    let always = outcome(tests, "always_fails");
    for attempt in &always.attempts {
        let message = attempt.message.as_deref().unwrap();
        assert!(message.contains("one is not two"), "{message}");
        let location = attempt.location.as_ref().unwrap();
        assert!(location.file.ends_with("outcomes.rs"), "{location}");
    }
    assert_eq!(
        always.attempts.iter().map(|a| a.number).collect::<Vec<_>>(),
        [1, 2]
    );

    let flaky = outcome(tests, "flaky_passes_on_second_attempt");
    assert!(!flaky.attempts[0].passed && flaky.attempts[1].passed);
    assert!(
        flaky.attempts[0]
            .message
            .as_deref()
            .unwrap()
            .contains("first attempt fails")
    );

    let known = outcome(tests, "known_bug_fails");
    assert_eq!(known.defects, ["BUG-7"]);
    assert_eq!(
        known.attempts[0].message.as_deref(),
        Some("rounding is off by one cent"),
        "an Err's Display text is the message"
    );

    let debug_only = outcome(tests, "returns_debug_only_error");
    assert_eq!(
        debug_only.attempts[0].message.as_deref(),
        Some("Opaque { code: 7 }")
    );

    let explicit = outcome(tests, "label_set_explicitly");
    assert_eq!(explicit.defects, ["QA-1"]);
    assert_eq!(explicit.comments, ["looks wrong to me"]);
    assert_eq!(explicit.fields["custom_browser"], "firefox");

    let timeout = outcome(tests, "sync_timeout");
    assert!(
        timeout.attempts[0]
            .message
            .as_deref()
            .unwrap()
            .contains("timed out after 200ms")
    );
    assert!(
        timeout.elapsed_ms < 4_000,
        "the sync test was abandoned, not awaited"
    );
    let async_timeout = outcome(tests, "async_timeout");
    assert!(
        async_timeout.elapsed_ms < 4_000,
        "the async test was cancelled"
    );

    let budget = outcome(tests, "too_many_steps");
    let steps = &budget.attempts[0].steps;
    assert_eq!(steps.len(), 2, "two steps fit the budget: {steps:?}");
    assert!(
        budget.attempts[0]
            .message
            .as_deref()
            .unwrap()
            .contains("step budget of 2")
    );

    let setup = outcome(tests, "setup_fails");
    assert!(
        setup.attempts[0]
            .message
            .as_deref()
            .unwrap()
            .contains("database is down")
    );

    let ignored = outcome(tests, "ignored_with_reason");
    assert_eq!(
        ignored.execution,
        Execution::Skipped {
            reason: Some("not ready".into())
        }
    );
    assert_eq!(ignored.bug_label, None);

    let two = outcome(tests, "two_cases_async_pass");
    assert_eq!(two.case_ids, [113, 114]);
    assert_eq!(two.title.as_deref(), Some("Two cases at once"));

    assert!(
        ran.stdout
            .contains("unmapped (no case ID, not reported): 1 (outcomes::unmapped_passes)"),
        "{}",
        ran.both()
    );
    assert!(ran.stdout.contains("spool: "), "{}", ran.both());
}
