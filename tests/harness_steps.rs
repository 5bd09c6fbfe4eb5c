//! Step outcomes: nesting, failures by `Err` and by panic, and steps not reached.

mod support;

use testrail_formats::outcome::{StepOutcome, StepStatus};

fn steps_after(
    dir: &std::path::Path,
    fail_at: Option<&str>,
) -> (Option<i32>, Vec<StepOutcome>, Option<String>) {
    let env: Vec<(&str, &str)> = fail_at
        .map(|step| ("SCENARIO_FAIL_AT", step))
        .into_iter()
        .collect();
    let session = format!("run-{}", fail_at.unwrap_or("pass"));
    let mut env = env;
    env.push(("TESTRAIL_SESSION", &session));
    let ran = support::cargo_test_with(dir, "harness-scenarios", "steps", &[], &env);
    let file =
        testrail_formats::spool::SpoolFile::read_session(&dir.join("sessions").join(&session))
            .unwrap();
    let test = &file[0].tests[0];
    let attempt = test.attempts.last().unwrap().clone();
    (ran.code, attempt.steps, attempt.failed_step)
}

fn shape(steps: &[StepOutcome]) -> Vec<(String, StepStatus, usize)> {
    steps
        .iter()
        .map(|s| (s.name.to_string(), s.status, s.steps.len()))
        .collect()
}

#[test]
fn steps_record_nesting_failures_and_what_was_not_reached() {
    let dir = tempfile::tempdir().unwrap();

    let (code, steps, failed) = steps_after(dir.path(), None);
    assert_eq!(code, Some(0));
    assert_eq!(failed, None);
    assert_eq!(
        shape(&steps),
        [
            ("log_in".into(), StepStatus::Passed, 1),
            ("pay".into(), StepStatus::Passed, 0),
            ("log out".into(), StepStatus::Passed, 0),
        ]
    );
    assert_eq!(steps[0].steps[0].name, "check_token");
    assert_eq!(steps[0].case_ids, [201]);
    assert_eq!(steps[1].case_ids, [202, 203]);

    // A nested step panics: it fails, its parent fails, the rest is not reached.
    let (code, steps, failed) = steps_after(dir.path(), Some("check_token"));
    assert_eq!(code, Some(101));
    assert_eq!(failed.as_deref(), Some("check_token"));
    assert_eq!(steps[0].status, StepStatus::Failed);
    let token = &steps[0].steps[0];
    assert_eq!(token.status, StepStatus::Failed);
    assert!(token.message.as_deref().unwrap().contains("token expired"));
    assert!(token.location.as_ref().unwrap().file.ends_with("steps.rs"));
    assert_eq!(steps[1].status, StepStatus::NotReached);
    assert_eq!(
        steps[1].case_ids,
        [202, 203],
        "not-reached steps keep their cases"
    );
    assert_eq!(steps[2].status, StepStatus::NotReached);

    // A step returns Err: it fails with the error text; its unreached child is listed too.
    let (_, steps, failed) = steps_after(dir.path(), Some("log_in"));
    assert_eq!(failed.as_deref(), Some("log_in"));
    assert_eq!(steps[0].message.as_deref(), Some("wrong password"));
    assert_eq!(steps[0].steps[0].status, StepStatus::NotReached);
    assert_eq!(
        shape(&steps)[1..],
        [
            ("pay".into(), StepStatus::NotReached, 0),
            ("log out".into(), StepStatus::NotReached, 0),
        ]
    );

    // An async step panics.
    let (_, steps, failed) = steps_after(dir.path(), Some("pay"));
    assert_eq!(failed.as_deref(), Some("pay"));
    assert_eq!(steps[1].status, StepStatus::Failed);
    assert!(
        steps[1]
            .message
            .as_deref()
            .unwrap()
            .contains("card declined for 42")
    );
    assert_eq!(steps[2].status, StepStatus::NotReached);
}
