//! libtest's command line through the harness: `--list`, filters by case ID, `--exact`,
//! `--skip`, `--ignored`, the exit code, sessions and the registry listing.

mod support;

use testrail_formats::outcome::Execution;

fn paths(dir: &std::path::Path) -> Vec<String> {
    support::only_session(dir)
        .iter()
        .flat_map(|file| file.tests.iter().map(|test| test.path.clone()))
        .collect()
}

#[test]
fn list_shows_case_ids_like_libtest_kinds_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::cargo_test(dir.path(), "harness-scenarios", "outcomes", &["--list"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout
            .contains("[C101] outcomes::passes_first_time: test"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stdout
            .contains("[C113,C114] outcomes::two_cases_async_pass: test"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stdout.contains("outcomes::unmapped_passes: test"),
        "{}",
        ran.both()
    );
    assert!(
        support::sessions(dir.path()).is_empty(),
        "--list spools nothing"
    );

    let terse = support::cargo_test(
        dir.path(),
        "harness-scenarios",
        "outcomes",
        &["--list", "--format", "terse", "--ignored"],
    );
    // The terse list is what cargo-nextest parses: names only, no kinds.
    assert_eq!(
        terse.stdout.trim(),
        "outcomes::ignored_with_reason: test",
        "{}",
        terse.both()
    );
}

#[test]
fn a_case_id_selects_its_test() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::cargo_test(dir.path(), "harness-scenarios", "outcomes", &["C101"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(paths(dir.path()), ["outcomes::passes_first_time"]);
}

#[test]
fn exact_and_skip_behave_like_libtest() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::cargo_test(
        dir.path(),
        "harness-scenarios",
        "outcomes",
        &["--exact", "[C111] outcomes::panics_as_expected"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(paths(dir.path()), ["outcomes::panics_as_expected"]);

    let dir = tempfile::tempdir().unwrap();
    let ran = support::cargo_test(
        dir.path(),
        "harness-scenarios",
        "outcomes",
        &["pass", "--skip", "flaky", "--skip", "two_cases"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        paths(dir.path()),
        ["outcomes::passes_first_time", "outcomes::unmapped_passes"]
    );
}

#[test]
fn ignored_tests_are_skipped_or_run_on_request() {
    let dir = tempfile::tempdir().unwrap();
    support::cargo_test(dir.path(), "harness-scenarios", "outcomes", &["C110"]);
    let spool = support::only_session(dir.path());
    assert!(matches!(
        spool[0].tests[0].execution,
        Execution::Skipped { .. }
    ));

    let dir = tempfile::tempdir().unwrap();
    let ran = support::cargo_test(dir.path(), "harness-scenarios", "outcomes", &["--ignored"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let spool = support::only_session(dir.path());
    assert_eq!(spool[0].tests.len(), 1);
    assert_eq!(spool[0].tests[0].execution, Execution::Ran);
}

#[test]
fn exit_code_is_zero_when_everything_passes() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::cargo_test(
        dir.path(),
        "harness-scenarios",
        "green",
        &["--test-threads", "1"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout.contains("test result: ok. 2 passed"),
        "{}",
        ran.both()
    );
}

#[test]
fn all_binaries_of_one_cargo_test_share_one_session() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::run(support::cargo(dir.path()).args([
        "test",
        "-q",
        "-p",
        "harness-scenarios",
        "--test",
        "green",
        "--test",
        "steps",
    ]));
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let spool = support::only_session(dir.path());
    let mut binaries: Vec<_> = spool.iter().map(|file| file.binary.as_str()).collect();
    binaries.sort();
    assert_eq!(binaries, ["green", "steps"]);
    assert!(
        spool[0].session.starts_with("cargo-"),
        "{}",
        spool[0].session
    );
    assert_eq!(spool[0].session, spool[1].session);
}

#[test]
fn testrail_session_overrides_the_key() {
    let dir = tempfile::tempdir().unwrap();
    support::cargo_test_with(
        dir.path(),
        "harness-scenarios",
        "green",
        &[],
        &[("TESTRAIL_SESSION", "ci build #42")],
    );
    let sessions = support::sessions(dir.path());
    assert_eq!(sessions.len(), 1);
    assert!(sessions[0].ends_with("ci_build__42"), "{sessions:?}");
}

#[test]
fn registry_lists_tests_and_steps_as_json_without_running() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::cargo_test(
        dir.path(),
        "harness-scenarios",
        "steps",
        &["--testrail-registry"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let listing: serde_json::Value =
        serde_json::from_str(&ran.stdout).unwrap_or_else(|_| panic!("{}", ran.both()));
    assert_eq!(listing["format"], "testrail-rs/registry");
    assert_eq!(listing["tests"][0]["path"], "steps::checkout_in_steps");
    assert_eq!(listing["tests"][0]["case_ids"], serde_json::json!([200]));
    assert!(
        listing["tests"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("steps.rs")
    );
    let steps = listing["steps"].as_array().unwrap();
    let pay = steps.iter().find(|step| step["name"] == "pay").unwrap();
    assert_eq!(pay["case_ids"], serde_json::json!([202, 203]));
    assert!(pay["line"].as_u64().unwrap() > 0);
    assert!(support::sessions(dir.path()).is_empty());
}

#[test]
fn unknown_harness_flags_are_refused_with_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::cargo_test(
        dir.path(),
        "harness-scenarios",
        "green",
        &["--testrail-exprot"],
    );
    assert_eq!(ran.code, Some(101), "{}", ran.both());
    assert!(
        ran.stderr.contains("unknown flag `--testrail-exprot`"),
        "{}",
        ran.both()
    );
    assert!(ran.stderr.contains("--testrail-export"), "{}", ran.both());
}
