//! The settings made for `cargo testrail` are never silently ignored by the harness:
//! `fail_on_unmatched` (flag or variable) makes a test binary with an unlinked test exit
//! non-zero with a line naming it; `case_id_pattern` gets a line saying it does not apply.

mod support;

#[test]
fn fail_on_unmatched_fails_a_binary_with_an_unlinked_test_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::cargo_test_with(
        dir.path(),
        "harness-scenarios",
        "outcomes",
        &["--exact", "outcomes::unmapped_passes"],
        &[("TESTRAIL_FAIL_ON_UNMATCHED", "1")],
    );
    assert_ne!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stderr
            .contains("1 test(s) have no case ID and fail_on_unmatched is set")
            && ran.stderr.contains("outcomes::unmapped_passes"),
        "{}",
        ran.both()
    );

    let flag = support::cargo_test(
        dir.path(),
        "harness-scenarios",
        "outcomes",
        &[
            "--exact",
            "outcomes::unmapped_passes",
            "--testrail-fail-on-unmatched",
        ],
    );
    assert_ne!(flag.code, Some(0), "{}", flag.both());
    assert!(
        flag.stderr.contains("fail_on_unmatched is set"),
        "{}",
        flag.both()
    );
}

#[test]
fn fail_on_unmatched_lets_a_fully_linked_binary_pass() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::cargo_test_with(
        dir.path(),
        "harness-scenarios",
        "outcomes",
        &["--exact", "outcomes::passes_first_time"],
        &[("TESTRAIL_FAIL_ON_UNMATCHED", "1")],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(!ran.stderr.contains("fail_on_unmatched"), "{}", ran.both());
}

#[test]
fn case_id_pattern_is_said_not_to_apply_to_the_harness() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::cargo_test(
        dir.path(),
        "harness-scenarios",
        "outcomes",
        &[
            "--exact",
            "outcomes::passes_first_time",
            "--testrail-case-id-pattern",
            "TR-(\\d+)",
        ],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stderr
            .contains("case_id_pattern (\"TR-(\\\\d+)\") applies to `cargo testrail import junit`"),
        "{}",
        ran.both()
    );
}
