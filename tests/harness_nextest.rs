//! The harness under cargo-nextest: one process per test, one session for the whole run.

mod support;

#[test]
fn nextest_runs_each_test_in_its_own_process_into_one_session() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::run(support::cargo(dir.path()).args([
        "nextest",
        "run",
        "--no-fail-fast",
        "-p",
        "harness-scenarios",
        "--test",
        "green",
        "--test",
        "outcomes",
        "-E",
        "not test(/timeout/)",
    ]));
    assert_eq!(
        ran.code,
        Some(100),
        "nextest reports the failing scenarios\n{}",
        ran.both()
    );
    // nextest names a test by its Rust path; the case IDs are in the harness's own line.
    assert!(
        ran.stderr
            .contains("harness-scenarios::outcomes outcomes::passes_first_time"),
        "{}",
        ran.both()
    );

    let spool = support::only_session(dir.path());
    assert!(
        spool[0].session.starts_with("nextest-"),
        "{}",
        spool[0].session
    );
    assert!(
        spool.iter().all(|file| file.tests.len() == 1),
        "one test per process"
    );
    let pids: std::collections::BTreeSet<u32> = spool.iter().map(|file| file.pid).collect();
    assert_eq!(pids.len(), spool.len(), "every process wrote its own file");
    let mut paths: Vec<&str> = spool
        .iter()
        .map(|file| file.tests[0].path.as_str())
        .collect();
    paths.sort();
    assert!(
        paths.contains(&"green::one")
            && paths.contains(&"outcomes::flaky_passes_on_second_attempt"),
        "{paths:?}"
    );
    assert!(
        !paths.iter().any(|path| path.contains("timeout")),
        "the filter applies: {paths:?}"
    );
}

#[test]
fn nextest_sends_nothing_per_process_and_says_how_to_upload() {
    let sim = testrail_sim::Simulator::spawn(testrail_sim::Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut command = support::cargo(dir.path());
    command
        .args([
            "nextest",
            "run",
            "--no-capture",
            "-p",
            "harness-scenarios",
            "--test",
            "green",
        ])
        .envs(support::sim_env(&sim))
        .env("TESTRAIL_EXPORT", "1");
    let ran = support::run(&mut command);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.both().contains("cargo testrail upload"),
        "{}",
        ran.both()
    );
    assert!(sim.log().is_empty(), "no request per process");
}
