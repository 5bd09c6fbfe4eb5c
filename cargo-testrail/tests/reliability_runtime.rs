//! Reliability of the test runtime (issue 10, scenarios 5, 6, 7 and the dry-run part of 14),
//! driven as a user would: the `harness-scenarios` test binaries (built by `cargo test`) run
//! as real processes, then the harness's own export or `cargo testrail upload` against a
//! `testrail-sim`, with every assertion made on the simulator's state.
//!
//! - a test that ends its process (`exit`, abort, segfault, SIGKILL) loses nothing that
//!   finished: `upload` sends every finished test once, and the tests that were running as
//!   run result Error;
//! - the export at exit and a later `upload` never send a result twice;
//! - steps on threads and tasks the test started are recorded in their test; one that
//!   cannot be attributed is named in a line;
//! - a testrail directory that cannot be written: exported from memory, one line, no file;
//! - the outcomes of a dry run never reach TestRail.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{Ran, World, run, workspace_root};

const PASSED: u64 = 1;
const BLOCKED: u64 = 2;
const FAILED: u64 = 5;

/// The statuses every case of the `crash` scenario gets when its process ends during
/// `m_ends_the_process` (C115) while `n_slow` (C116) runs, with run result Error mapped to
/// Blocked. C117 is ignored and not reported.
fn after_the_crash() -> BTreeMap<u64, Vec<u64>> {
    BTreeMap::from([
        (111, vec![PASSED]),
        (112, vec![FAILED]),
        (113, vec![PASSED]),
        (114, vec![PASSED]),
        (115, vec![BLOCKED]),
        (116, vec![BLOCKED]),
    ])
}

/// A `testrail.toml` that reports run result Error as Blocked (by default it is not
/// reported), so that the interrupted tests can be seen in TestRail.
fn error_as_blocked(dir: &Path) -> String {
    let path = dir.join("error-as-blocked.toml");
    std::fs::write(&path, "[mapping]\nerror = \"blocked\"\n").unwrap();
    path.display().to_string()
}

/// The test binaries of `harness-scenarios`, built once by `cargo test --no-run` (running
/// them through `cargo test` each time would cost a build check per run), by target name.
fn scenario_binaries() -> &'static BTreeMap<String, PathBuf> {
    static BUILT: OnceLock<BTreeMap<String, PathBuf>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        command.current_dir(workspace_root()).args([
            "test",
            "-q",
            "-p",
            "harness-scenarios",
            "--test",
            "crash",
            "--test",
            "threads",
            "--no-run",
            "--message-format=json",
        ]);
        let built = run(&mut command);
        assert_eq!(built.code, Some(0), "the scenarios build\n{}", built.both());
        built
            .stdout
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|message| {
                let executable = message["executable"].as_str()?;
                let name = message["target"]["name"].as_str()?;
                Some((name.to_owned(), PathBuf::from(executable)))
            })
            .collect()
    })
}

/// Runs test binary `target` of `harness-scenarios` the way `cargo test` does (in its
/// package directory), with `TESTRAIL_DIR` set to `testrail_dir`, the simulator's
/// credentials, suite Payments and `env`.
fn scenario(
    world: &World,
    testrail_dir: &Path,
    target: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Ran {
    let mut command = Command::new(&scenario_binaries()[target]);
    for (name, _) in std::env::vars() {
        if name.starts_with("TESTRAIL_")
            || name.starts_with("SCENARIO_")
            || name == "NEXTEST_RUN_ID"
        {
            command.env_remove(name);
        }
    }
    command
        .current_dir(workspace_root().join("tests").join("scenarios"))
        .args(args)
        .env("TESTRAIL_DIR", testrail_dir)
        .env("TESTRAIL_URL", world.sim.base_url())
        .env("TESTRAIL_USER", world.sim.email())
        .env("TESTRAIL_API_KEY", world.sim.api_key())
        .env("TESTRAIL_PROJECT", "Shop")
        .env("TESTRAIL_SUITES", "Payments")
        .env("TESTRAIL_BACKOFF", "10ms")
        .env("TESTRAIL_SETTLE", "3s")
        .env("RUST_BACKTRACE", "0")
        .envs(env.iter().copied());
    run(&mut command)
}

/// `cargo testrail upload <args>` of suite Payments, with Error reported as Blocked.
fn upload(world: &World, args: &[&str]) -> Ran {
    let mut command = world.command(&[&["upload"], args].concat());
    command
        .env("TESTRAIL_SUITES", "Payments")
        .env("TESTRAIL_CONFIG", error_as_blocked(world.dir.path()));
    run(&mut command)
}

fn comment_of(world: &World, run_id: u64, case_id: u64) -> String {
    world.sim.with_state(|state| {
        state
            .results
            .values()
            .find(|result| result.run_id == run_id && result.case_id == case_id)
            .and_then(|result| result.comment.clone())
            .unwrap_or_default()
    })
}

#[test]
fn a_process_that_ends_during_a_test_loses_nothing_that_finished() {
    for how in ["exit", "exit0", "abort", "segfault", "kill"] {
        let world = World::new();
        let session = format!("ends-{how}");
        let ran = scenario(
            &world,
            &world.testrail_dir(),
            "crash",
            &["--test-threads=5", "--testrail-export"],
            &[("SCENARIO_END", how), ("TESTRAIL_SESSION", &session)],
        );
        assert_ne!(
            ran.code,
            Some(0),
            "{how}: the process ended badly\n{}",
            ran.both()
        );
        assert!(
            world.run_ids().is_empty(),
            "{how}: the export at exit was never reached"
        );

        let uploaded = upload(&world, &[]);
        assert_eq!(uploaded.code, Some(0), "{how}\n{}", uploaded.both());
        assert!(
            uploaded
                .stderr
                .contains("ended before its harness finished")
                && uploaded.stderr.contains("crash::m_ends_the_process")
                && uploaded.stderr.contains("crash::n_slow"),
            "{how}: upload says which tests were running\n{}",
            uploaded.both()
        );
        assert_eq!(world.run_ids(), [1], "{how}");
        assert_eq!(
            world.statuses(1),
            after_the_crash(),
            "{how}\n{}",
            uploaded.both()
        );
        assert!(
            comment_of(&world, 1, 115).contains("the process ended during this test"),
            "{how}: {}",
            comment_of(&world, 1, 115)
        );

        let again = upload(&world, &[]);
        assert_eq!(again.code, Some(0), "{how}\n{}", again.both());
        assert_eq!(world.run_ids(), [1], "{how}: no second run");
        assert_eq!(
            world.statuses(1),
            after_the_crash(),
            "{how}: nothing sent twice"
        );
    }
}

#[test]
fn the_export_at_exit_and_a_later_upload_send_each_result_once() {
    let world = World::new();
    let config = error_as_blocked(world.dir.path());
    let ran = scenario(
        &world,
        &world.testrail_dir(),
        "crash",
        &["--test-threads=5", "--testrail-export"],
        &[("TESTRAIL_SESSION", "once"), ("TESTRAIL_CONFIG", &config)],
    );
    assert_eq!(ran.code, Some(101), "b_fails fails\n{}", ran.both());
    let expected = BTreeMap::from([
        (111, vec![PASSED]),
        (112, vec![FAILED]),
        (113, vec![PASSED]),
        (114, vec![PASSED]),
        (115, vec![PASSED]),
        (116, vec![PASSED]),
    ]);
    assert_eq!(world.statuses(1), expected, "{}", ran.both());

    let uploaded = upload(&world, &[]);
    assert_eq!(uploaded.code, Some(0), "{}", uploaded.both());
    assert_eq!(world.run_ids(), [1]);
    assert_eq!(world.statuses(1), expected, "{}", uploaded.both());
}

#[test]
fn steps_on_threads_the_test_started_are_recorded_in_their_test() {
    let world = World::new();
    let ran = scenario(
        &world,
        &world.testrail_dir(),
        "threads",
        &["--testrail-export"],
        &[("TESTRAIL_SESSION", "threads")],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        world.statuses(1),
        BTreeMap::from([
            (121, vec![PASSED]),
            (122, vec![PASSED]),
            (123, vec![PASSED]),
            (124, vec![FAILED]),
            (125, vec![PASSED]),
            (126, vec![PASSED]),
            (127, vec![PASSED]),
            (128, vec![PASSED]),
        ]),
        "steps on testrail::spawn, testrail::scope, tokio::spawn and spawn_blocking threads \
         report their cases (C124 failed in a scoped thread); C129 on a bare thread cannot\n{}",
        ran.both()
    );
    assert!(
        comment_of(&world, 1, 124).contains("nothing to refund"),
        "{}",
        comment_of(&world, 1, 124)
    );
    let unattributed: Vec<&str> = ran
        .stderr
        .lines()
        .filter(|line| line.contains("`audits` (C129)"))
        .collect();
    assert_eq!(
        unattributed.len(),
        1,
        "one line names the step that cannot be attributed\n{}",
        ran.both()
    );
    assert!(
        unattributed[0].contains("not recorded"),
        "{}",
        unattributed[0]
    );
}

#[test]
fn a_testrail_dir_that_cannot_be_written_still_exports_from_memory_with_one_line() {
    let world = World::new();
    // A path under a regular file cannot be created, even by root.
    let blocker = world.dir.path().join("not-a-directory");
    std::fs::write(&blocker, "").unwrap();
    let testrail_dir = blocker.join("testrail");
    let ran = scenario(
        &world,
        &testrail_dir,
        "crash",
        &["--test-threads=5", "--testrail-export"],
        &[("TESTRAIL_SESSION", "unsaved")],
    );
    assert_eq!(
        ran.code,
        Some(101),
        "b_fails fails; the export works\n{}",
        ran.both()
    );
    assert_eq!(
        world.statuses(1),
        BTreeMap::from([
            (111, vec![PASSED]),
            (112, vec![FAILED]),
            (113, vec![PASSED]),
            (114, vec![PASSED]),
            (115, vec![PASSED]),
            (116, vec![PASSED]),
        ]),
        "{}",
        ran.both()
    );
    let complaints: Vec<&str> = ran
        .stderr
        .lines()
        .chain(ran.stdout.lines())
        .filter(|line| line.contains("could not") || line.contains("not-a-directory"))
        .collect();
    assert_eq!(
        complaints.len(),
        1,
        "one line says what was not saved\n{}",
        ran.both()
    );
    assert!(
        complaints[0].contains("the outcomes could not be saved")
            && complaints[0].contains("step plans"),
        "{}",
        complaints[0]
    );
    assert_eq!(
        std::fs::read(&blocker).unwrap(),
        b"",
        "nothing written anywhere"
    );
    let leftovers: Vec<_> = std::fs::read_dir(world.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| entry.file_name())
        .filter(|name| name.to_string_lossy().contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file: {leftovers:?}");
}

#[test]
fn the_outcomes_of_a_dry_run_are_never_uploaded() {
    let world = World::new();
    let dry = scenario(
        &world,
        &world.testrail_dir(),
        "crash",
        &["--test-threads=5", "--testrail-dry-run"],
        &[("TESTRAIL_SESSION", "dry")],
    );
    assert_eq!(dry.code, Some(101), "{}", dry.both());
    assert!(
        dry.stdout.contains("add_results_for_cases"),
        "{}",
        dry.both()
    );
    let uploaded = upload(&world, &[]);
    assert_ne!(uploaded.code, Some(0), "{}", uploaded.both());
    assert!(
        uploaded.stderr.contains("only the outcomes of dry runs"),
        "{}",
        uploaded.both()
    );
    assert!(world.sim.log().is_empty(), "nothing asked, nothing sent");

    // A real run in the same session is sent; the dry run next to it is left out, and said so.
    let real = scenario(
        &world,
        &world.testrail_dir(),
        "crash",
        &["--test-threads=5"],
        &[("TESTRAIL_SESSION", "dry")],
    );
    assert_eq!(real.code, Some(101), "{}", real.both());
    let uploaded = upload(&world, &[]);
    assert_eq!(uploaded.code, Some(0), "{}", uploaded.both());
    assert!(
        uploaded
            .stderr
            .contains("left out 1 spool file(s) of dry runs"),
        "{}",
        uploaded.both()
    );
    assert_eq!(world.run_ids(), [1]);
    let per_case = world.results_per_case(1);
    assert_eq!(
        per_case.keys().copied().collect::<Vec<_>>(),
        [111, 112, 113, 114, 115, 116]
    );
    assert!(per_case.values().all(|count| *count == 1), "{per_case:?}");
}
