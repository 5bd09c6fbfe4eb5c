//! Isolation (`--testrail-isolate`, `TESTRAIL_ISOLATE=1`, `isolate = true`) and the calm of
//! the in-process runner, with the scenario binary `tests/scenarios/tests/isolation.rs` run
//! as a process: output captured, hidden for passing tests unless `--show-output`, shown
//! under failures and put in the TestRail comment (read back from `testrail-sim`); an
//! abort and a `std::process::exit(3)` failing only their own test with run result Error;
//! a hung test's process gone after its timeout; and without isolation, caught panics of
//! passing tests printing nothing, even with `RUST_BACKTRACE=1`.

#[path = "support/binaries.rs"]
mod binaries;
#[path = "support/snapshot.rs"]
mod snapshot;
mod support;

use testrail_formats::outcome::{RunResult, StepStatus, TestOutcome};
use testrail_sim::{Fixture, Simulator};

/// The scenario binary's tests and cases, in a project "Shop" with one suite, and the
/// configuration that reports run result Error (as Retest), which is not reported by default.
struct Scene {
    dir: tempfile::TempDir,
    sim: Simulator,
    config: std::path::PathBuf,
}

impl Scene {
    fn new() -> Scene {
        let cases: Vec<serde_json::Value> = (401..=408)
            .map(|id| serde_json::json!({ "id": id, "title": format!("Case {id}") }))
            .collect();
        let fixture = serde_json::json!({
            "projects": [{
                "id": 1,
                "name": "Shop",
                "suite_mode": 1,
                "sections": [{ "name": "Isolation", "cases": cases }]
            }]
        });
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("testrail.toml");
        std::fs::write(&config, "[mapping]\nerror = \"retest\"\n").unwrap();
        Scene {
            sim: Simulator::spawn(Fixture::from_json(&fixture.to_string()).unwrap()).unwrap(),
            dir,
            config,
        }
    }

    /// Runs the scenario with `args` and `env` (panics without backtraces unless `env`
    /// says otherwise; the flaky test's marker in the scene's directory).
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> support::Ran {
        let mut all: Vec<(String, String)> = vec![
            ("RUST_BACKTRACE".into(), "0".into()),
            ("SCENARIO_DIR".into(), self.dir.path().display().to_string()),
            ("TESTRAIL_SESSION".into(), "isolation".into()),
        ];
        for (name, value) in env {
            all.retain(|(known, _)| known != name);
            all.push((name.to_string(), value.to_string()));
        }
        let testrail_dir = self.dir.path().join("testrail");
        binaries::scenario(&testrail_dir, "isolation", args, &all)
    }

    /// Pins what a run printed as snapshot `name`.
    fn snap(&self, name: &str, command: &str, ran: &support::Ran) {
        let text = snapshot::shown(command, ran.code, &ran.stdout, &ran.stderr);
        let tmp = self.dir.path().display().to_string();
        let root = support::workspace().display().to_string();
        let mut settings = snapshot::settings(&[(&tmp, "[TMP]"), (&root, "[WORKSPACE]")]);
        // The escapes a test printed, visible.
        settings.add_filter("\x1b", "[ESC]");
        settings.bind(|| insta::assert_snapshot!(name, text));
    }

    /// The comment of the only result of case `id`.
    fn comment(&self, id: u64) -> String {
        let comments: Vec<String> = self.sim.with_state(|state| {
            state
                .results
                .values()
                .filter(|result| result.case_id == id)
                .map(|result| result.comment.clone().unwrap_or_default())
                .collect()
        });
        assert_eq!(comments.len(), 1, "one result for C{id}: {comments:?}");
        comments.into_iter().next().unwrap()
    }

    /// The spooled outcome of test `name`.
    fn spooled(&self, name: &str) -> TestOutcome {
        support::only_session(&self.dir.path().join("testrail"))
            .iter()
            .flat_map(|file| file.tests.iter())
            .find(|test| test.path == format!("isolation::{name}"))
            .unwrap_or_else(|| panic!("{name} is in the spool"))
            .clone()
    }
}

/// The text between `---- <test> stdout ----` and the next `----` heading or the list of
/// failures or successes, without the blank lines at its end.
fn section<'a>(stdout: &'a str, test: &str) -> &'a str {
    let heading = format!("---- isolation::{test} stdout ----\n");
    let start = stdout
        .find(&heading)
        .unwrap_or_else(|| panic!("no {heading:?} in\n{stdout}"))
        + heading.len();
    let rest = &stdout[start..];
    let end = ["\n---- ", "\nfailures:", "\nsuccesses:"]
        .iter()
        .filter_map(|next| rest.find(next))
        .min()
        .unwrap_or(rest.len());
    rest[..end].trim_end()
}

#[test]
fn isolated_tests_keep_their_output_and_crash_alone() {
    let scene = Scene::new();
    let pid_file = scene.dir.path().join("hung.pid");
    let mut env = support::sim_env(&scene.sim);
    env.push(("TESTRAIL_CONFIG".into(), scene.config.display().to_string()));
    env.push(("SCENARIO_CRASH".into(), "1".into()));
    env.push(("SCENARIO_PID_FILE".into(), pid_file.display().to_string()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let args = [
        "--testrail-isolate",
        "--testrail-export",
        "--test-threads=1",
    ];
    let ran = scene.run(&args, &env);
    assert!(!ran.both().contains(scene.sim.api_key()));
    scene.snap(
        "isolation_export",
        "SCENARIO_CRASH=1 isolation --testrail-isolate --testrail-export --test-threads=1",
        &ran,
    );
    assert_eq!(ran.code, Some(101), "{}", ran.both());
    // The other tests went on: every test has its line, the passing ones passed.
    for (test, verdict) in [
        ("a_passes_and_prints", "ok"),
        ("b_fails_and_prints", "FAILED"),
        ("c_aborts", "FAILED"),
        ("d_exits", "FAILED"),
        ("e_hangs", "FAILED"),
        ("f_panics_as_expected", "ok"),
        ("g_flaky", "ok"),
    ] {
        assert!(
            ran.stdout.lines().any(
                |line| line.contains(&format!("isolation::{test} ")) && line.ends_with(verdict)
            ),
            "{test} ... {verdict}\n{}",
            ran.both()
        );
    }
    // A passing test's output is hidden; a failing one's is under its failure.
    assert!(
        !ran.both().contains("printed by a passing test"),
        "{}",
        ran.both()
    );
    let failing = section(&ran.stdout, "b_fails_and_prints");
    // (libtest-mimic strips escapes when its stdout is not a terminal.)
    assert!(
        failing.contains("printed before failing, in red"),
        "{failing}"
    );
    assert!(failing.contains("the total is wrong"), "{failing}");
    assert!(section(&ran.stdout, "c_aborts").contains("the door is open\nabout to abort"));
    assert!(section(&ran.stdout, "d_exits").contains("exiting with 3"));

    // The crashes: run result Error, the signal or the exit code in the message.
    let aborted = scene.spooled("c_aborts");
    let last = aborted.last_attempt().unwrap();
    assert_eq!(aborted.run_result, Some(RunResult::Error));
    assert!(
        last.message
            .as_deref()
            .unwrap()
            .contains("signal 6 (SIGABRT"),
        "{last:?}"
    );
    // The steps written before the abort: one passed, the one it aborted in stopped.
    let steps: Vec<(&str, StepStatus)> = last
        .steps
        .iter()
        .map(|step| (step.name.as_ref(), step.status))
        .collect();
    assert_eq!(
        steps,
        [
            ("opens_the_door", StepStatus::Passed),
            ("calls_into_c", StepStatus::Stopped)
        ]
    );
    let exited = scene.spooled("d_exits");
    assert_eq!(exited.run_result, Some(RunResult::Error));
    assert!(
        exited
            .last_attempt()
            .unwrap()
            .message
            .as_deref()
            .unwrap()
            .contains("exited with code 3"),
        "{exited:?}"
    );
    // The hung test timed out, and its process is gone.
    let hung = scene.spooled("e_hangs");
    assert_eq!(hung.run_result, Some(RunResult::Stopped));
    let pid = std::fs::read_to_string(&pid_file).expect("the hung test wrote its process ID");
    let parent = support::only_session(&scene.dir.path().join("testrail"))[0].pid;
    assert_ne!(pid.trim(), parent.to_string(), "a process of its own");
    #[cfg(target_os = "linux")]
    assert!(
        !std::path::Path::new(&format!("/proc/{}", pid.trim())).exists(),
        "the hung test's process {pid} still runs"
    );
    let flaky = scene.spooled("g_flaky");
    assert_eq!(flaky.attempts.len(), 2, "each attempt in its own process");

    // TestRail's comments: the output, escapes stripped; the signal and the exit code.
    let failed = scene.comment(402);
    assert!(
        failed.contains("Output (stdout and stderr):\nprinted before failing, in red"),
        "{failed}"
    );
    assert!(!failed.contains('\x1b'), "{failed:?}");
    assert!(scene.comment(403).contains("signal 6 (SIGABRT"));
    assert!(scene.comment(403).contains("about to abort"));
    assert!(scene.comment(404).contains("exited with code 3"));
    assert!(scene.comment(405).contains("timed out after 500ms"));
    assert!(!scene.comment(401).contains("printed by a passing test"));
}

#[test]
fn passing_output_is_shown_with_show_output_and_isolation_is_asked_three_ways() {
    let scene = Scene::new();
    let quiet = scene.run(&["a_passes"], &[("TESTRAIL_ISOLATE", "1")]);
    assert_eq!(quiet.code, Some(0), "{}", quiet.both());
    assert!(
        quiet
            .stdout
            .contains("isolation asked for by TESTRAIL_ISOLATE=1")
    );
    assert!(
        !quiet.both().contains("printed by a passing test"),
        "{}",
        quiet.both()
    );

    let shown = scene.run(&["a_passes", "--show-output", "--testrail-isolate"], &[]);
    scene.snap(
        "isolation_show_output",
        "isolation a_passes --show-output --testrail-isolate",
        &shown,
    );
    assert_eq!(
        section(&shown.stdout, "a_passes_and_prints"),
        "printed by a passing test\nand on its stderr"
    );

    let file = scene.dir.path().join("isolate.toml");
    std::fs::write(&file, "isolate = true\n").unwrap();
    let by_file = scene.run(
        &["a_passes"],
        &[("TESTRAIL_CONFIG", file.to_str().unwrap())],
    );
    assert!(
        by_file
            .stdout
            .contains("isolation asked for by isolate = true in"),
        "{}",
        by_file.both()
    );
    assert!(!by_file.both().contains("printed by a passing test"));

    // With --nocapture the children write to the terminal.
    let nocapture = scene.run(&["a_passes", "--nocapture", "--testrail-isolate"], &[]);
    assert!(
        nocapture.stdout.contains("printed by a passing test"),
        "{}",
        nocapture.both()
    );
    assert!(
        nocapture.stdout.contains("own process"),
        "{}",
        nocapture.both()
    );

    // cargo-nextest runs each test in its own process already.
    let nextest = scene.run(
        &["a_passes"],
        &[("TESTRAIL_ISOLATE", "1"), ("NEXTEST_RUN_ID", "7")],
    );
    assert!(
        nextest
            .stdout
            .contains("isolation (asked for by TESTRAIL_ISOLATE=1) is left to cargo-nextest"),
        "{}",
        nextest.both()
    );

    // The flag beats the environment, which beats the file.
    let file_off = scene.run(
        &["a_passes"],
        &[
            ("TESTRAIL_CONFIG", file.to_str().unwrap()),
            ("TESTRAIL_ISOLATE", "0"),
        ],
    );
    assert!(
        !file_off.stdout.contains("own process"),
        "{}",
        file_off.both()
    );
    let off = scene.run(
        &["a_passes", "--testrail-isolate=false"],
        &[("TESTRAIL_ISOLATE", "1")],
    );
    assert!(!off.stdout.contains("own process"), "{}", off.both());
    assert!(
        off.stdout.contains("printed by a passing test"),
        "{}",
        off.both()
    );
}

#[test]
fn without_isolation_caught_panics_of_passing_tests_print_nothing() {
    let scene = Scene::new();
    // Every test passes without SCENARIO_CRASH but the failing one.
    let ran = scene.run(&["--test-threads=1"], &[("RUST_BACKTRACE", "1")]);
    assert_eq!(ran.code, Some(101), "{}", ran.both());
    // The should_panic test and the flaky test's first attempt panicked: not a word of it.
    for said in ["panicking as expected", "first attempt fails"] {
        assert!(!ran.both().contains(said), "{said}\n{}", ran.both());
    }
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
    // The failing test's panic is under its failure, naming the test, with its backtrace.
    let failing = section(&ran.stdout, "b_fails_and_prints");
    assert!(
        failing.starts_with(
            "thread 'isolation::b_fails_and_prints' panicked at tests/scenarios/tests/isolation.rs:"
        ),
        "{failing}"
    );
    assert_eq!(
        ran.both().matches("stack backtrace:").count(),
        1,
        "{}",
        ran.both()
    );
    assert!(failing.contains("stack backtrace:\n   0: "), "{failing}");

    let quiet = scene.run(&["--test-threads=1"], &[]);
    scene.snap("isolation_in_process", "isolation --test-threads=1", &quiet);
    let shown = scene.run(&["f_panics", "--show-output"], &[]);
    assert!(
        section(&shown.stdout, "f_panics_as_expected")
            .starts_with("thread 'isolation::f_panics_as_expected' panicked at"),
        "{}",
        shown.both()
    );
}
