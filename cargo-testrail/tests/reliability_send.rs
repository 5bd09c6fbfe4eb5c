//! Reliability of sending results (issue 10, scenarios 2, 4, 9, 11 and 14): the CLI (and the
//! harness's own per-binary export) against `testrail-sim` with faults, clock skew, deleted
//! cases and killed processes, asserting through the simulator's state that every result
//! is stored exactly once, that the worst result of a case is its latest, and that the
//! messages say what to do.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{World, failed, passed, spool};
use testrail_export::config::Config;
use testrail_export::flags::HarnessFlags;
use testrail_export::{self as export, Selection};
use testrail_sim::{FaultKind, FaultRule};

/// Runs created since `before`.
fn new_runs(world: &World, before: &[u64]) -> Vec<u64> {
    world
        .run_ids()
        .into_iter()
        .filter(|id| !before.contains(id))
        .collect()
}

/// Asserts that run `run_id` holds exactly one result for each of `cases`, and no other.
fn assert_once(world: &World, run_id: u64, cases: impl IntoIterator<Item = u64>, context: &str) {
    let counts = world.results_per_case(run_id);
    let expected: BTreeMap<u64, usize> = cases.into_iter().map(|case| (case, 1)).collect();
    assert_eq!(counts, expected, "exactly once: {context}");
}

/// The statuses of a case's results in a run, oldest first (by result ID), with comments.
fn history(world: &World, run_id: u64, case_id: u64) -> Vec<(u64, String)> {
    world.sim.with_state(|state| {
        let mut results: Vec<_> = state
            .results
            .values()
            .filter(|r| r.run_id == run_id && r.case_id == case_id)
            .map(|r| {
                (
                    r.id,
                    r.status_id.unwrap_or(0),
                    r.comment.clone().unwrap_or_default(),
                )
            })
            .collect();
        results.sort_by_key(|(id, _, _)| *id);
        results
            .into_iter()
            .map(|(_, status, comment)| (status, comment))
            .collect()
    })
}

/// The upload JSON's numbers: (sent, already stored).
fn sent_and_stored(stdout: &str) -> (u64, u64) {
    let json: serde_json::Value = serde_json::from_str(stdout).expect("upload --json prints JSON");
    (
        json["sent"].as_u64().expect("sent"),
        json["already_stored"].as_u64().expect("already_stored"),
    )
}

/// Scenario 2: a dropped answer with TestRail's clock 10 minutes or an hour off, either
/// way: the results of the lost answer are looked for by TestRail's own time (the `Date`
/// header of its answers) and found, never sent twice.
#[test]
fn a_lost_answer_is_found_whatever_testrail_s_clock_says() {
    for skew in [-600, 600, -3600, 3600] {
        let world = World::new();
        world.sim.advance_clock(skew);
        let before = world.run_ids();
        let tests = (1..=40)
            .map(|case| passed(&format!("shop::case_{case}"), &[case]))
            .collect();
        spool(&world, "skew", "shop", 1, tests);
        world.sim.add_fault(
            FaultRule::new(FaultKind::DropAfter)
                .on("add_results_for_cases")
                .times(1),
        );
        let ran = world.run(&["upload", "--json"]);
        assert_eq!(ran.code, Some(0), "skew {skew} s\n{}", ran.both());
        let runs = new_runs(&world, &before);
        assert_eq!(runs.len(), 1, "one run, skew {skew} s");
        assert_once(&world, runs[0], 1..=40, &format!("skew {skew} s"));
        let (sent, stored) = sent_and_stored(&ran.stdout);
        assert_eq!(
            sent + stored,
            40,
            "each result counted once\n{}",
            ran.both()
        );
    }
}

/// Scenario 2, across a resume: the batch whose answer was lost stays pending in the
/// journal with its send time by TestRail's clock; a resume finds it although TestRail's
/// clock is an hour behind.
#[test]
fn a_resume_finds_a_pending_batch_by_testrail_s_clock() {
    let world = World::new();
    world.sim.advance_clock(-3600);
    let before = world.run_ids();
    let tests = (1..=12)
        .map(|case| passed(&format!("shop::case_{case}"), &[case]))
        .collect();
    spool(&world, "skew-resume", "shop", 1, tests);
    // The first batch is stored but its answer lost, and looking for it fails: the export
    // stops with the batch pending.
    world.sim.add_fault(
        FaultRule::new(FaultKind::DropAfter)
            .on("add_results_for_cases")
            .times(1),
    );
    world.sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 503,
            html: false,
        })
        .on("get_results_for_run"),
    );
    let ran = world.run(&["upload", "--batch-size", "4"]);
    assert_ne!(ran.code, Some(0), "the first upload fails\n{}", ran.both());
    assert!(
        ran.stderr.contains("cargo testrail upload"),
        "{}",
        ran.both()
    );
    world.sim.clear_faults();
    let resumed = world.run(&["upload", "--batch-size", "4", "--json"]);
    assert_eq!(resumed.code, Some(0), "{}", resumed.both());
    let runs = new_runs(&world, &before);
    assert_eq!(runs.len(), 1, "one run");
    assert_once(
        &world,
        runs[0],
        1..=12,
        "resume with TestRail an hour behind",
    );
}

/// A session directory with one spool file per test binary, exported one binary at a
/// time the way each binary's harness does at its exit.
struct Binaries {
    world: World,
    env: Vec<(String, String)>,
}

impl Binaries {
    fn new() -> Binaries {
        let world = World::new();
        let env = vec![
            ("TESTRAIL_URL".to_owned(), world.sim.base_url().to_owned()),
            ("TESTRAIL_USER".to_owned(), world.sim.email().to_owned()),
            (
                "TESTRAIL_API_KEY".to_owned(),
                world.sim.api_key().to_owned(),
            ),
            ("TESTRAIL_PROJECT".to_owned(), "Shop".to_owned()),
            ("TESTRAIL_BACKOFF".to_owned(), "10ms".to_owned()),
        ];
        Binaries { world, env }
    }

    /// Exports one spool file of session `key`, as its binary's harness does.
    fn export(&self, key: &str, file: &Path) -> export::ExportSummary {
        let config = Config::from_sources(None, &self.env, &HarnessFlags::default())
            .expect("the settings are valid");
        let name = file
            .file_name()
            .expect("a spool file name")
            .to_string_lossy()
            .into_owned();
        export::export_blocking(
            &config,
            &self.world.session_dir(key),
            key,
            Selection::Files(vec![name]),
        )
        .expect("the export succeeds")
    }
}

/// Scenario 4: a case linked from tests in two binaries of one `cargo test`. Whatever the
/// order of the binaries, the latest result of the case in TestRail is the worst one
/// (Failed), and its comment names both reports.
#[test]
fn worst_wins_across_binaries_whatever_their_order() {
    for failing_first in [true, false] {
        let binaries = Binaries::new();
        let world = &binaries.world;
        let before = world.run_ids();
        let key = if failing_first { "ww-fp" } else { "ww-pf" };
        let (first, second) = if failing_first {
            (failed("api::checkout", &[7]), passed("ui::checkout", &[7]))
        } else {
            (passed("api::checkout", &[7]), failed("ui::checkout", &[7]))
        };
        let a = spool(
            world,
            key,
            "api",
            11,
            vec![first, passed("api::other", &[8])],
        );
        let b = spool(
            world,
            key,
            "ui",
            12,
            vec![second, passed("ui::other", &[9])],
        );
        binaries.export(key, &a);
        let summary = binaries.export(key, &b);
        assert_eq!(summary.sent, 2, "{summary:?}");
        assert_eq!(
            summary.kept_worse,
            usize::from(failing_first),
            "a better result after a worse one keeps the worse status: {summary:?}"
        );

        let runs = new_runs(world, &before);
        assert_eq!(runs.len(), 1, "the binaries share one run");
        let results = history(world, runs[0], 7);
        assert_eq!(results.len(), 2, "one result per binary: {results:?}");
        let (latest_status, latest_comment) = results.last().expect("a result");
        assert_eq!(
            *latest_status, 5,
            "the latest result is the worst (Failed), failing first: {failing_first}: {results:?}"
        );
        let (a_name, b_name) = (
            a.file_name().unwrap().to_string_lossy().into_owned(),
            b.file_name().unwrap().to_string_lossy().into_owned(),
        );
        assert!(
            latest_comment.contains(&a_name) && latest_comment.contains(&b_name),
            "the comment names both reports: {latest_comment}"
        );
        // The other cases are untouched, each once.
        let counts = world.results_per_case(runs[0]);
        assert_eq!(
            counts,
            BTreeMap::from([(7, 2), (8, 1), (9, 1)]),
            "one result per report"
        );
    }
}

/// Scenario 9 (batches): a case deleted between a failed upload and its resume. The resume
/// delivers every other result of the batch, says which case was dropped and why, and
/// fails (non-zero) unless `skip_missing` says the others are enough.
#[test]
fn a_deleted_case_does_not_block_its_batch() {
    for skip_missing in [false, true] {
        let world = World::new();
        let before = world.run_ids();
        let tests = (1..=30)
            .map(|case| passed(&format!("shop::case_{case}"), &[case]))
            .collect();
        spool(&world, "deleted", "shop", 1, tests);
        world.sim.add_fault(
            FaultRule::new(FaultKind::ServerError {
                status: 500,
                html: false,
            })
            .on("add_results_for_cases"),
        );
        let mut command = world.command(&["upload"]);
        command.env("TESTRAIL_SUITES", "Web Shop");
        let ran = common::run(&mut command);
        assert_ne!(ran.code, Some(0), "the first upload fails\n{}", ran.both());
        world.sim.clear_faults();
        world.sim.with_state_mut(|state| state.delete_case(5, 1));

        let mut command = world.command(&["upload"]);
        // One suite configured: its cases are not paged through, TestRail's refusal is
        // what tells the case is gone.
        command.env("TESTRAIL_SUITES", "Web Shop");
        if skip_missing {
            command.env("TESTRAIL_SKIP_MISSING", "true");
        }
        let resumed = common::run(&mut command);
        let runs = new_runs(&world, &before);
        assert_eq!(runs.len(), 1, "one run\n{}", resumed.both());
        assert_once(
            &world,
            runs[0],
            (1..=30).filter(|case| *case != 5),
            &format!("skip_missing {skip_missing}"),
        );
        let output = resumed.both();
        assert!(
            output.contains("C5") && output.contains("unknown or not part of the test run"),
            "names the dropped case and TestRail's reason\n{output}"
        );
        if skip_missing {
            assert_eq!(resumed.code, Some(0), "{output}");
            assert!(output.contains("not delivered"), "{output}");
        } else {
            assert_ne!(resumed.code, Some(0), "{output}");
            assert!(
                output.contains("every other result was delivered")
                    && output.contains("remove the link"),
                "says what to do\n{output}"
            );
        }
    }
}

/// Scenario 11: TestRail answers 500 to every result write. The batch is sent again with
/// growing waits (backoff 200 ms: at least 100 + 200 + 400 ms between the four sends), and
/// the resume, TestRail healthy again, looks once rather than waiting the settle window
/// (120 s here).
#[test]
fn a_5xx_on_results_backs_off_and_its_resume_does_not_wait() {
    let world = World::new();
    let before = world.run_ids();
    let tests = (1..=6)
        .map(|case| passed(&format!("shop::case_{case}"), &[case]))
        .collect();
    spool(&world, "five-hundred", "shop", 1, tests);
    world.sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 500,
            html: false,
        })
        .on("add_results_for_cases"),
    );
    let mut command = world.command(&["upload"]);
    command.env("TESTRAIL_BACKOFF", "200ms");
    let ran = common::run(&mut command);
    assert_ne!(ran.code, Some(0), "{}", ran.both());
    let sends: Vec<f64> = world
        .sim
        .log()
        .iter()
        .filter(|entry| entry.endpoint == "add_results_for_cases")
        .map(|entry| entry.time)
        .collect();
    assert_eq!(sends.len(), 4, "sent four times: {sends:?}");
    let gaps: Vec<f64> = sends.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        gaps[0] >= 0.09 && gaps[1] >= 0.19 && gaps[2] >= 0.39,
        "growing waits between the sends (seconds): {gaps:?}"
    );
    assert!(
        ran.stderr.contains("cargo testrail upload")
            && ran.stderr.contains("HTTP 500")
            && ran.stderr.contains("after 4 attempt(s)")
            && !ran.stderr.contains("not resent"),
        "says what failed and how to resume\n{}",
        ran.both()
    );

    world.sim.clear_faults();
    let started = Instant::now();
    let mut command = world.command(&["upload"]);
    command.env("TESTRAIL_SETTLE", "120s");
    let resumed = common::run(&mut command);
    assert_eq!(resumed.code, Some(0), "{}", resumed.both());
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "one look, not the settle window: {:?}",
        started.elapsed()
    );
    let runs = new_runs(&world, &before);
    assert_once(&world, runs[0], 1..=6, "after the resume");
}

/// Scenario 11: a wait for a write whose answer never came says what it waits for, then
/// sends it again (it was not stored) exactly once.
#[test]
fn a_long_wait_says_what_it_waits_for() {
    let world = World::new();
    let before = world.run_ids();
    let tests = (1..=3)
        .map(|case| passed(&format!("shop::case_{case}"), &[case]))
        .collect();
    spool(&world, "silent", "shop", 1, tests);
    world.sim.add_fault(
        FaultRule::new(FaultKind::DropBefore)
            .on("add_results_for_cases")
            .times(1),
    );
    let mut command = world.command(&["upload"]);
    command.env("TESTRAIL_SETTLE", "5s");
    let ran = common::run(&mut command);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stderr
            .contains("got no answer: looking for them in TestRail for up to"),
        "the wait is announced\n{}",
        ran.both()
    );
    let runs = new_runs(&world, &before);
    assert_once(&world, runs[0], 1..=3, "after the wait");
}

/// Scenario 11: nothing listens at TESTRAIL_URL. The CLI says so within seconds (it took
/// 21 s with the default backoff), and says what to check.
#[test]
fn a_refused_connection_is_reported_within_seconds() {
    let world = World::new();
    spool(&world, "refused", "shop", 1, vec![passed("shop::a", &[1])]);
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("its address").port()
    };
    let mut command = world.command(&["upload"]);
    command
        .env("TESTRAIL_URL", format!("http://127.0.0.1:{port}/"))
        // The default backoff, as a user has it.
        .env_remove("TESTRAIL_BACKOFF");
    let started = Instant::now();
    let ran = common::run(&mut command);
    let took = started.elapsed();
    assert_ne!(ran.code, Some(0), "{}", ran.both());
    assert!(
        took < Duration::from_secs(10),
        "took {took:?}\n{}",
        ran.both()
    );
    assert!(
        ran.stderr.contains("check TESTRAIL_URL") && ran.stderr.contains("cargo testrail upload"),
        "says what to check and how to resume\n{}",
        ran.both()
    );
}

/// Scenario 14: the exporter is killed while a batch is in flight (TestRail stores it
/// later). The resume finds it, sends nothing twice, and its summary counts each result
/// once.
#[test]
fn a_killed_upload_resumes_with_each_result_counted_once() {
    let world = World::new();
    let before = world.run_ids();
    let tests = (1..=8)
        .map(|case| passed(&format!("shop::case_{case}"), &[case]))
        .collect();
    spool(&world, "killed", "shop", 1, tests);
    world.sim.add_fault(
        FaultRule::new(FaultKind::Hang { ms: 1_500 })
            .on("add_results_for_cases")
            .times(1),
    );
    let mut child = world
        .command(&["upload", "--batch-size", "5"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the upload starts");
    // Killed once TestRail received the batch (and holds it for 1.5 s).
    let deadline = Instant::now() + Duration::from_secs(30);
    while world
        .sim
        .counters()
        .per_endpoint
        .get("add_results_for_cases")
        .is_none_or(|count| *count == 0)
    {
        assert!(Instant::now() < deadline, "no batch was sent");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().expect("the upload is killed");
    let _ = child.wait();
    // TestRail finishes the request it was working on.
    let deadline = Instant::now() + Duration::from_secs(10);
    while world.sim.with_state(|state| state.results.is_empty()) {
        assert!(Instant::now() < deadline, "the hung batch was never stored");
        std::thread::sleep(Duration::from_millis(50));
    }
    world.sim.clear_faults();

    let resumed = world.run(&["upload", "--batch-size", "5", "--json"]);
    assert_eq!(resumed.code, Some(0), "{}", resumed.both());
    let (sent, stored) = sent_and_stored(&resumed.stdout);
    assert_eq!(
        sent + stored,
        8,
        "each result counted once\n{}",
        resumed.both()
    );
    assert!(stored >= 1, "the hung batch was found\n{}", resumed.both());
    let runs = new_runs(&world, &before);
    assert_eq!(runs.len(), 1, "one run");
    assert_once(&world, runs[0], 1..=8, "after the kill and the resume");
}

/// Scenario 11: a wait the client makes before sending again (here TestRail's 429 asks for
/// 4 s) says what it waits for.
#[test]
fn a_long_retry_wait_says_what_it_waits_for() {
    let world = World::new();
    let before = world.run_ids();
    spool(&world, "patient", "shop", 1, vec![passed("shop::a", &[1])]);
    world.sim.add_fault(
        FaultRule::new(FaultKind::TooManyRequests { secs: 4 })
            .on("add_results_for_cases")
            .times(1),
    );
    let ran = world.run(&["upload"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stderr.contains("HTTP 429") && ran.stderr.contains("again in 4 s"),
        "the wait is announced\n{}",
        ran.both()
    );
    let runs = new_runs(&world, &before);
    assert_once(&world, runs[0], [1], "after the wait");
}
