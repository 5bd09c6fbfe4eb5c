//! Libtest parity as a new user sees it, with the real scenario binaries and cargo-nextest:
//!
//! - the libtest name of a test is its Rust path, so `--exact <path>`, `--list` and
//!   nextest's `test(=<path>)` work; `[C…]` is the kind shown before it, and a `title`
//!   stays out of the line (it is the test's title in TestRail);
//! - `C<digits>` as filter or `--skip` selects by case ID, compared as a number;
//! - `--help` lists the `--testrail-*` flags after libtest's;
//! - `-q` quiets the testrail summaries (the harness's and the export's), not failures.

#[path = "support/binaries.rs"]
mod binaries;
mod support;

use std::path::Path;

use binaries::scenario;

/// The paths of the tests the only session under `dir` recorded, sorted.
fn spooled(dir: &Path) -> Vec<String> {
    let mut paths: Vec<String> = support::only_session(dir)
        .iter()
        .flat_map(|file| file.tests.iter().map(|test| test.path.clone()))
        .collect();
    paths.sort();
    paths
}

#[test]
fn exact_with_the_rust_path_runs_that_test_and_shows_its_case_id() {
    let dir = tempfile::tempdir().unwrap();
    let ran = scenario(
        dir.path(),
        "outcomes",
        &["--exact", "outcomes::passes_first_time"],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout
            .contains("test [C101] outcomes::passes_first_time ... ok"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stdout
            .contains("1 passed; 0 failed; 0 ignored; 0 measured; 13 filtered out"),
        "{}",
        ran.both()
    );
    assert_eq!(spooled(dir.path()), ["outcomes::passes_first_time"]);
}

#[test]
fn a_titled_test_keeps_its_path_as_name_and_its_title_for_testrail() {
    let dir = tempfile::tempdir().unwrap();
    let list = scenario(dir.path(), "outcomes", &["--list"], &[]);
    assert!(
        list.stdout
            .lines()
            .any(|line| line == "[C113,C114] outcomes::two_cases_async_pass: test"),
        "{}",
        list.both()
    );
    assert!(
        !list.stdout.contains("Two cases at once"),
        "{}",
        list.both()
    );

    let ran = scenario(
        dir.path(),
        "outcomes",
        &["--exact", "outcomes::two_cases_async_pass"],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout
            .contains("test [C113,C114] outcomes::two_cases_async_pass ... ok"),
        "{}",
        ran.both()
    );
    let spool = support::only_session(dir.path());
    assert_eq!(
        spool[0].tests[0].title.as_deref(),
        Some("Two cases at once")
    );
}

#[test]
fn the_terse_list_that_nextest_parses_names_every_test_by_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let registry = scenario(dir.path(), "outcomes", &["--testrail-registry"], &[]);
    let registry: serde_json::Value = serde_json::from_str(&registry.stdout).unwrap();
    let mut expected: Vec<String> = registry["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|test| test["ignored"] == false)
        .map(|test| format!("{}: test", test["path"].as_str().unwrap()))
        .collect();
    expected.sort();

    let terse = scenario(
        dir.path(),
        "outcomes",
        &["--list", "--format", "terse"],
        &[],
    );
    assert_eq!(terse.code, Some(0), "{}", terse.both());
    let mut listed: Vec<&str> = terse.stdout.lines().collect();
    listed.sort();
    assert_eq!(listed.len(), 14, "{}", terse.both());
    assert!(
        expected.iter().all(|line| listed.contains(&line.as_str())),
        "{expected:?}\n{listed:?}"
    );
    assert!(listed.iter().all(|line| !line.starts_with('[')));

    let ignored = scenario(
        dir.path(),
        "outcomes",
        &["--list", "--format", "terse", "--ignored"],
        &[],
    );
    assert_eq!(ignored.stdout, "outcomes::ignored_with_reason: test\n");
    assert!(
        support::sessions(dir.path()).is_empty(),
        "--list spools nothing"
    );
}

#[test]
fn a_case_id_selects_by_number_with_or_without_exact() {
    let dir = tempfile::tempdir().unwrap();
    // C11 is no case of the binary: it must not select C110 to C114 by prefix.
    let ran = scenario(dir.path(), "outcomes", &["C11"], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout
            .contains("testrail: case ID filter C11 selects 0 of 14 tests"),
        "{}",
        ran.both()
    );
    assert!(ran.stdout.contains("running 0 tests"), "{}", ran.both());

    for args in [&["C114"][..], &["--exact", "C114"]] {
        let dir = tempfile::tempdir().unwrap();
        let ran = scenario(dir.path(), "outcomes", args, &[]);
        assert_eq!(ran.code, Some(0), "{args:?}\n{}", ran.both());
        assert_eq!(
            spooled(dir.path()),
            ["outcomes::two_cases_async_pass"],
            "{args:?}"
        );
    }
}

#[test]
fn skip_takes_case_ids_and_libtest_patterns_together() {
    let dir = tempfile::tempdir().unwrap();
    let ran = scenario(
        dir.path(),
        "outcomes",
        &[
            "pass", "--skip", "C101", "--skip", "C113", "--skip", "flaky",
        ],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout
            .contains("testrail: case ID filter --skip C101 --skip C113 selects 12 of 14 tests"),
        "{}",
        ran.both()
    );
    assert_eq!(spooled(dir.path()), ["outcomes::unmapped_passes"]);
}

#[test]
fn nextest_selects_a_test_by_its_exact_path() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::run(support::cargo(dir.path()).args([
        "nextest",
        "run",
        "-p",
        "harness-scenarios",
        "--test",
        "outcomes",
        "-E",
        "test(=outcomes::two_cases_async_pass)",
    ]));
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stderr
            .contains("harness-scenarios::outcomes outcomes::two_cases_async_pass"),
        "{}",
        ran.both()
    );
    let spool = support::only_session(dir.path());
    assert_eq!(spool.len(), 1);
    assert_eq!(spool[0].tests[0].path, "outcomes::two_cases_async_pass");
    assert_eq!(spool[0].tests[0].case_ids, [113, 114]);
}

#[test]
fn help_lists_the_testrail_flags_after_libtests_own() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--help", "-h"] {
        let ran = scenario(dir.path(), "green", &[flag], &[]);
        assert_eq!(ran.code, Some(0), "{}", ran.both());
        let libtest = ran.stdout.find("--exact").expect("libtest's flags");
        let ours = ran.stdout.find("--testrail-export").expect("our flags");
        assert!(libtest < ours, "{}", ran.both());
        assert!(ran.stdout.contains("--testrail-registry"), "{}", ran.both());
    }
    assert!(
        support::sessions(dir.path()).is_empty(),
        "--help runs nothing"
    );
}

#[test]
fn quiet_keeps_failures_and_drops_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let loud = scenario(dir.path(), "green", &[], &[]);
    assert!(
        loud.stdout.contains("testrail: 2 tests linked to 2 cases"),
        "{}",
        loud.both()
    );
    let quiet = scenario(dir.path(), "green", &["-q"], &[]);
    assert_eq!(quiet.code, Some(0), "{}", quiet.both());
    assert!(!quiet.both().contains("testrail:"), "{}", quiet.both());

    let failing = scenario(dir.path(), "outcomes", &["--quiet", "C103"], &[]);
    assert_eq!(failing.code, Some(101), "{}", failing.both());
    assert!(
        failing.stdout.contains("---- outcomes::always_fails ----"),
        "{}",
        failing.both()
    );
    assert!(!failing.both().contains("testrail:"), "{}", failing.both());
}

#[test]
fn quiet_drops_the_export_summary_but_the_results_are_sent() {
    let sim = testrail_sim::Simulator::spawn(testrail_sim::Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut env = support::sim_env(&sim);
    env.push(("TESTRAIL_EXPORT".into(), "1".into()));
    env.push(("TESTRAIL_SUITES".into(), "Web Shop".into()));
    let ran = scenario(dir.path(), "outcomes", &["-q", "C101"], &env);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(!ran.both().contains("testrail:"), "{}", ran.both());
    let runs = support::run_ids(&sim);
    assert_eq!(runs.len(), 1, "{}", ran.both());
    let results = support::results_by_case(&sim, runs[0]);
    assert_eq!(results.keys().copied().collect::<Vec<_>>(), [101]);
}
