//! Reliability of the target (issue 10, scenarios 1, 3, 9, 10 and 14; issue 9 §7): the run,
//! plan or entry of a session is made exactly once, whatever happens to the answer of the
//! create (hung, dropped, the process killed while it is in flight), a CI re-run on a fresh
//! machine finds the run it made and sends only what is missing, a run closed or deleted
//! between a failure and its resume says what to do, concurrent sessions keep each other's
//! cases in a shared run, and a run of a plan entry takes results through the plan-entry
//! endpoints. Each test drives the `cargo-testrail` binary against `testrail-sim` and
//! checks the simulator's state.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{Ran, World, failed, passed, spool};
use testrail_api::{ApiKey, Client, ClientConfig, NewPlan, NewPlanEntry};
use testrail_sim::{FaultKind, FaultRule};

/// Runs and plans made since `before`.
fn new_ids(now: Vec<u64>, before: &[u64]) -> Vec<u64> {
    now.into_iter().filter(|id| !before.contains(id)).collect()
}

fn plan_ids(world: &World) -> Vec<u64> {
    world
        .sim
        .with_state(|state| state.plans.keys().copied().collect())
}

/// Case ID → results, over every run of the simulator.
fn results_everywhere(world: &World) -> BTreeMap<u64, usize> {
    world.sim.with_state(|state| {
        let mut counts = BTreeMap::new();
        for result in state.results.values() {
            *counts.entry(result.case_id).or_insert(0) += 1;
        }
        counts
    })
}

/// Asserts that each of `cases` has exactly one result in `run_id` and that it holds no
/// other result.
fn assert_exactly_once(world: &World, run_id: u64, cases: &[u64], ran: &Ran) {
    let counts = world.results_per_case(run_id);
    let expected: BTreeMap<u64, usize> = cases.iter().map(|case| (*case, 1)).collect();
    assert_eq!(
        counts,
        expected,
        "every result exactly once\n{}",
        ran.both()
    );
}

/// A session `key` with one passed test per case.
fn session(world: &World, key: &str, cases: &[u64]) {
    let tests = cases
        .iter()
        .map(|case| passed(&format!("shop::case_{case}"), &[*case]))
        .collect();
    spool(world, key, "shop", 7, tests);
}

/// Starts `cargo-testrail <args>` in the background.
fn start(world: &World, args: &[&str], env: &[(&str, &str)]) -> Child {
    let mut command = world.command(args);
    command.envs(env.iter().copied());
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the CLI starts")
}

/// Waits until the simulator has received `endpoint` `count` times.
fn wait_for_request(world: &World, endpoint: &str, count: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while world
        .sim
        .counters()
        .per_endpoint
        .get(endpoint)
        .copied()
        .unwrap_or(0)
        < count
    {
        assert!(Instant::now() < deadline, "{endpoint} never arrived");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn run_env(world: &World, args: &[&str], env: &[(&str, &str)]) -> Ran {
    let mut command = world.command(args);
    command.envs(env.iter().copied());
    common::run(&mut command)
}

#[test]
fn a_hung_or_dropped_add_run_answer_leaves_one_run() {
    for (name, fault, env) in [
        // The answer comes after the client gave up (1 s); the run lands after 2 s.
        (
            "hang",
            FaultKind::Hang { ms: 2_000 },
            vec![("TESTRAIL_TIMEOUT_SECS", "1")],
        ),
        ("drop_after", FaultKind::DropAfter, vec![]),
    ] {
        let world = World::new();
        let before = world.run_ids();
        let cases: Vec<u64> = (1..=5).collect();
        session(&world, "lost-add-run", &cases);
        world
            .sim
            .add_fault(FaultRule::new(fault).on("add_run").times(1));
        let ran = run_env(&world, &["upload"], &env);
        assert_eq!(ran.code, Some(0), "{name}\n{}", ran.both());
        let runs = new_ids(world.run_ids(), &before);
        assert_eq!(runs.len(), 1, "{name}: exactly one run\n{}", ran.both());
        assert_exactly_once(&world, runs[0], &cases, &ran);
    }
}

#[test]
fn a_dropped_add_plan_or_add_plan_entry_answer_leaves_one_plan_with_one_entry_per_suite() {
    for endpoint in ["add_plan", "add_plan_entry"] {
        let world = World::new();
        let (runs_before, plans_before) = (world.run_ids(), plan_ids(&world));
        // Two suites: a plan whose first entry comes with add_plan, the second with
        // add_plan_entry.
        let cases = [1, 2, 111, 112];
        session(&world, "lost-plan", &cases);
        world
            .sim
            .add_fault(FaultRule::new(FaultKind::DropAfter).on(endpoint).times(1));
        let ran = world.run(&["upload"]);
        assert_eq!(ran.code, Some(0), "{endpoint}\n{}", ran.both());
        let plans = new_ids(plan_ids(&world), &plans_before);
        assert_eq!(plans.len(), 1, "{endpoint}: one plan\n{}", ran.both());
        let entries = world
            .sim
            .with_state(|state| state.plans[&plans[0]].entries.len());
        assert_eq!(
            entries,
            2,
            "{endpoint}: one entry per suite\n{}",
            ran.both()
        );
        let runs = new_ids(world.run_ids(), &runs_before);
        assert_eq!(runs.len(), 2, "{endpoint}: one run per entry");
        let counts = results_everywhere(&world);
        for case in cases {
            assert_eq!(counts.get(&case), Some(&1), "{endpoint}: C{case} once");
        }
    }
}

#[test]
fn killed_while_a_create_is_in_flight_the_resume_makes_no_second_one() {
    // The create is held 1.5 s, the process is killed while it waits, the create lands,
    // and the resume finds it instead of making another.
    for (endpoint, cases, env) in [
        ("add_run", vec![1, 2, 3], vec![]),
        ("add_plan", vec![4, 5], vec![("TESTRAIL_PLAN", "1")]),
        ("add_plan_entry", vec![6, 113], vec![]),
    ] {
        let world = World::new();
        let (runs_before, plans_before) = (world.run_ids(), plan_ids(&world));
        session(&world, "killed", &cases);
        world.sim.add_fault(
            FaultRule::new(FaultKind::Hang { ms: 1_500 })
                .on(endpoint)
                .times(1),
        );
        let mut child = start(&world, &["upload"], &env);
        wait_for_request(&world, endpoint, 1);
        child.kill().expect("the CLI is killed");
        child.wait().expect("the CLI ends");

        let ran = run_env(&world, &["upload"], &env);
        assert_eq!(ran.code, Some(0), "{endpoint}\n{}", ran.both());
        let runs = new_ids(world.run_ids(), &runs_before);
        let plans = new_ids(plan_ids(&world), &plans_before);
        let suites = if cases.iter().any(|case| *case > 110) {
            2
        } else {
            1
        };
        assert_eq!(
            runs.len(),
            suites,
            "{endpoint}: one run per suite\n{}",
            ran.both()
        );
        if endpoint != "add_run" {
            assert_eq!(plans.len(), 1, "{endpoint}: one plan\n{}", ran.both());
        }
        let counts = results_everywhere(&world);
        for case in &cases {
            assert_eq!(counts.get(case), Some(&1), "{endpoint}: C{case} once");
        }
    }
}

/// Removes the journals of session directories: a fresh machine with the same artifacts.
fn forget_journals(dirs: &[String]) {
    for dir in dirs {
        let _ = std::fs::remove_file(Path::new(dir).join("export-journal.json"));
    }
}

/// Three shard sessions of eight cases each; returns their directories.
fn shards(world: &World) -> Vec<String> {
    (0..3u64)
        .map(|shard| {
            let key = format!("gh-77-shard-{shard}");
            let cases: Vec<u64> = (1..=8).map(|i| shard * 8 + i).collect();
            session(world, &key, &cases);
            world.session_dir(&key).display().to_string()
        })
        .collect()
}

#[test]
fn a_ci_re_run_on_a_fresh_machine_sends_only_what_is_missing() {
    let world = World::new();
    let before = world.run_ids();
    let dirs = shards(&world);
    let mut args = vec!["upload", "--batch-size", "4"];
    args.extend(dirs.iter().map(String::as_str));
    // The first report job fails midway.
    world.sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 500,
            html: false,
        })
        .on("add_results_for_cases")
        .after(3),
    );
    let first = world.run(&args);
    assert_eq!(first.code, Some(2), "{}", first.both());
    world.sim.clear_faults();
    forget_journals(&dirs);

    let again = world.run(&args);
    assert_eq!(again.code, Some(0), "{}", again.both());
    let runs = new_ids(world.run_ids(), &before);
    assert_eq!(
        runs.len(),
        1,
        "the re-run joins the first run\n{}",
        again.both()
    );
    let all: Vec<u64> = (1..=24).collect();
    assert_exactly_once(&world, runs[0], &all, &again);
}

#[test]
fn a_ci_re_run_with_close_run_after_success_is_already_done() {
    let world = World::new();
    let before = world.run_ids();
    let dirs = shards(&world);
    let mut args = vec!["upload", "--close-run"];
    args.extend(dirs.iter().map(String::as_str));
    let first = world.run(&args);
    assert_eq!(first.code, Some(0), "{}", first.both());
    forget_journals(&dirs);

    let again = world.run(&args);
    assert_eq!(
        again.code,
        Some(0),
        "a closed run of the session is done\n{}",
        again.both()
    );
    assert!(
        again.stdout.contains("already stored") || again.stdout.contains("nothing new"),
        "{}",
        again.both()
    );
    assert!(!again.both().contains("permission"), "{}", again.both());
    let runs = new_ids(world.run_ids(), &before);
    assert_eq!(runs.len(), 1, "no second run\n{}", again.both());
    let all: Vec<u64> = (1..=24).collect();
    assert_exactly_once(&world, runs[0], &all, &again);
}

/// An upload of cases 1..=9 that fails after its first batch of three; returns the run.
fn partial_upload(world: &World, close_run: bool) -> (u64, Ran) {
    let before = world.run_ids();
    session(world, "partial", &(1..=9).collect::<Vec<_>>());
    world.sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 500,
            html: false,
        })
        .on("add_results_for_cases")
        .after(1),
    );
    let mut args = vec!["upload", "--batch-size", "3", "--max-in-flight", "1"];
    if close_run {
        args.push("--close-run");
    }
    let ran = world.run(&args);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    world.sim.clear_faults();
    let runs = new_ids(world.run_ids(), &before);
    assert_eq!(runs.len(), 1, "{}", ran.both());
    (runs[0], ran)
}

/// The resume command an error printed.
fn printed_resume(ran: &Ran) -> Vec<String> {
    let line = ran
        .stderr
        .lines()
        .find(|line| line.trim_start().starts_with("cargo testrail upload"))
        .unwrap_or_else(|| panic!("a resume command\n{}", ran.both()));
    line.split_whitespace().skip(2).map(str::to_owned).collect()
}

#[test]
fn a_run_closed_before_the_resume_says_so_and_new_run_sends_the_rest() {
    let world = World::new();
    let (run_id, _) = partial_upload(&world, false);
    world.sim.with_state_mut(|state| {
        state.runs.get_mut(&run_id).expect("the run").is_completed = true;
    });
    let resumed = world.run(&["upload"]);
    assert_eq!(resumed.code, Some(2), "{}", resumed.both());
    assert!(
        resumed
            .stderr
            .contains(&format!("run R{run_id} of this session is closed")),
        "{}",
        resumed.both()
    );
    assert!(!resumed.stderr.contains("admin"), "{}", resumed.both());
    let command = printed_resume(&resumed);
    assert!(command.iter().any(|arg| arg == "--new-run"), "{command:?}");

    let args: Vec<&str> = command.iter().map(String::as_str).collect();
    let finished = world.run(&args);
    assert_eq!(finished.code, Some(0), "{}", finished.both());
    assert!(finished.stdout.contains("is closed"), "{}", finished.both());
    let counts = results_everywhere(&world);
    for case in 1..=9 {
        assert_eq!(
            counts.get(&case),
            Some(&1),
            "C{case} once\n{}",
            finished.both()
        );
    }
}

#[test]
fn a_run_deleted_before_the_resume_says_so_and_new_run_sends_everything() {
    let world = World::new();
    let (run_id, _) = partial_upload(&world, false);
    world.sim.with_state_mut(|state| state.remove_run(run_id));
    let resumed = world.run(&["upload"]);
    assert_eq!(resumed.code, Some(2), "{}", resumed.both());
    assert!(
        resumed
            .stderr
            .contains(&format!("run R{run_id} of this session no longer exists")),
        "{}",
        resumed.both()
    );
    let command = printed_resume(&resumed);
    assert!(command.iter().any(|arg| arg == "--new-run"), "{command:?}");
    let args: Vec<&str> = command.iter().map(String::as_str).collect();
    let finished = world.run(&args);
    assert_eq!(finished.code, Some(0), "{}", finished.both());
    let counts = results_everywhere(&world);
    let expected: BTreeMap<u64, usize> = (1..=9).map(|case| (case, 1)).collect();
    assert_eq!(counts, expected, "{}", finished.both());
}

#[test]
fn the_resume_command_of_a_failed_close_run_upload_keeps_close_run() {
    let world = World::new();
    let (run_id, ran) = partial_upload(&world, true);
    let command = printed_resume(&ran);
    assert!(
        command.iter().any(|arg| arg == "--close-run"),
        "{command:?}"
    );
    let args: Vec<&str> = command.iter().map(String::as_str).collect();
    let resumed = world.run(&args);
    assert_eq!(resumed.code, Some(0), "{}", resumed.both());
    assert!(
        world
            .sim
            .with_state(|state| state.runs[&run_id].is_completed),
        "the resume closed the run"
    );
    assert_exactly_once(&world, run_id, &(1..=9).collect::<Vec<_>>(), &resumed);
}

#[test]
fn a_damaged_journal_is_named_and_moving_it_aside_resumes_exactly_once() {
    let world = World::new();
    let before = world.run_ids();
    session(&world, "damaged", &[1, 2, 3]);
    let first = world.run(&["upload"]);
    assert_eq!(first.code, Some(0), "{}", first.both());
    let journal = world.session_dir("damaged").join("export-journal.json");
    std::fs::write(&journal, b"{\"runs\": [truncated").expect("the journal is damaged");

    let ran = world.run(&["upload"]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(ran.stderr.contains("export journal"), "{}", ran.both());
    assert!(ran.stderr.contains("move it aside"), "{}", ran.both());
    assert!(!ran.stderr.contains("spool file"), "{}", ran.both());

    std::fs::rename(&journal, journal.with_extension("damaged")).expect("moved aside");
    let again = world.run(&["upload"]);
    assert_eq!(again.code, Some(0), "{}", again.both());
    let runs = new_ids(world.run_ids(), &before);
    assert_eq!(runs.len(), 1, "{}", again.both());
    assert_exactly_once(&world, runs[0], &[1, 2, 3], &again);
}

/// A client of the simulator, for preparing what a user would have made in TestRail.
fn sim_client(world: &World) -> (tokio::runtime::Runtime, Client) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let client = Client::new(ClientConfig::new(
        world.sim.base_url(),
        world.sim.email(),
        ApiKey::new(world.sim.api_key()),
    ))
    .expect("a client");
    (runtime, client)
}

#[test]
fn four_sessions_into_one_existing_run_at_once_keep_every_case() {
    let world = World::new();
    let (runtime, client) = sim_client(&world);
    let run = runtime
        .block_on(client.add_run(
            1,
            &testrail_api::NewRun {
                name: "Nightly".into(),
                suite_id: Some(1.into()),
                include_all: Some(false),
                case_ids: Some(vec![40.into()]),
                ..Default::default()
            },
        ))
        .expect("the run is made");
    let run_id = run.id.get().to_string();
    // Slow case updates: the sessions' read-modify-writes of the run's cases overlap.
    world
        .sim
        .add_fault(FaultRule::new(FaultKind::Latency { ms: 300 }).on("update_run"));
    let mut children = Vec::new();
    for shard in 0..4u64 {
        let key = format!("concurrent-{shard}");
        let cases: Vec<u64> = (1..=6).map(|i| shard * 6 + i).collect();
        let tests = cases
            .iter()
            .map(|case| failed(&format!("shop::case_{case}"), &[*case]))
            .collect();
        spool(&world, &key, "shop", 10 + shard as u32, tests);
        let dir = world.session_dir(&key).display().to_string();
        let mut command = world.command(&["upload", &dir]);
        command.env("TESTRAIL_RUN_ID", &run_id);
        children.push(command.output_async());
    }
    let outputs: Vec<Ran> = children.into_iter().map(|child| child.finish()).collect();
    for ran in &outputs {
        assert_eq!(ran.code, Some(0), "{}", ran.both());
    }
    let mut expected: Vec<u64> = (1..=24).collect();
    let counts = world.results_per_case(run.id.get());
    assert_eq!(
        counts,
        expected.iter().map(|case| (*case, 1)).collect(),
        "every session's results, once"
    );
    expected.push(40);
    let held: Vec<u64> = world
        .sim
        .with_state(|state| state.runs[&run.id.get()].tests.keys().copied().collect());
    assert_eq!(
        held, expected,
        "the run keeps its case and gains every session's"
    );
}

#[test]
fn a_run_of_a_plan_entry_takes_results_through_the_plan_entry_endpoints() {
    let world = World::new();
    let (runtime, client) = sim_client(&world);
    // A plan whose entry has a Chrome run and a Firefox run, each with C1 and C2.
    let plan = runtime
        .block_on(client.add_plan(
            1,
            &NewPlan {
                name: "Release 1.1".into(),
                entries: vec![NewPlanEntry {
                    suite_id: Some(1.into()),
                    include_all: Some(false),
                    case_ids: Some(vec![1.into(), 2.into()]),
                    config_ids: vec![1.into(), 2.into()],
                    ..Default::default()
                }],
                ..Default::default()
            },
        ))
        .expect("the plan is made");
    let runs = &plan.entries[0].runs;
    let chrome = runs
        .iter()
        .find(|run| run.config.as_deref() == Some("Chrome"))
        .expect("a Chrome run")
        .id
        .get();
    let firefox = runs
        .iter()
        .find(|run| run.config.as_deref() == Some("Firefox"))
        .expect("a Firefox run")
        .id
        .get();
    let (runs_before, plans_before) = (world.run_ids(), plan_ids(&world));
    session(&world, "chrome", &[1, 3]);
    let ran = run_env(&world, &["upload", "--run-id", &chrome.to_string()], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        new_ids(world.run_ids(), &runs_before).is_empty(),
        "no new run"
    );
    assert!(
        new_ids(plan_ids(&world), &plans_before).is_empty(),
        "no new plan"
    );
    let cases_of = |run_id: u64| -> Vec<u64> {
        world
            .sim
            .with_state(|state| state.runs[&run_id].tests.keys().copied().collect())
    };
    assert_eq!(cases_of(chrome), [1, 2, 3], "C3 added, C2 kept");
    assert_eq!(cases_of(firefox), [1, 2], "the Firefox run is untouched");
    assert_exactly_once(&world, chrome, &[1, 3], &ran);
    assert!(world.results_per_case(firefox).is_empty());
    let log = world.sim.log();
    assert!(
        log.iter()
            .any(|entry| entry.endpoint == "update_run_in_plan_entry"),
        "the plan-entry endpoint changed the run"
    );
}

/// A process started in the background, and how to collect what it did.
trait Background {
    fn output_async(&mut self) -> Pending;
}

/// A process running in the background.
struct Pending(std::process::Child);

impl Background for std::process::Command {
    fn output_async(&mut self) -> Pending {
        Pending(
            self.stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("the CLI starts"),
        )
    }
}

impl Pending {
    fn finish(self) -> Ran {
        let output = self.0.wait_with_output().expect("the CLI ends");
        Ran {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

#[test]
fn a_hung_or_dropped_update_run_answer_keeps_every_case_and_result_once() {
    for (name, fault, env) in [
        (
            "hang",
            FaultKind::Hang { ms: 2_000 },
            vec![("TESTRAIL_TIMEOUT_SECS", "1")],
        ),
        ("drop_after", FaultKind::DropAfter, vec![]),
    ] {
        let world = World::new();
        let (runtime, client) = sim_client(&world);
        let run = runtime
            .block_on(client.add_run(
                1,
                &testrail_api::NewRun {
                    name: "Nightly".into(),
                    suite_id: Some(1.into()),
                    include_all: Some(false),
                    case_ids: Some(vec![40.into()]),
                    ..Default::default()
                },
            ))
            .expect("the run is made");
        session(&world, "lost-update", &[1, 2, 3]);
        world
            .sim
            .add_fault(FaultRule::new(fault).on("update_run").times(1));
        let run_id = run.id.get().to_string();
        let mut env = env;
        env.push(("TESTRAIL_RUN_ID", &run_id));
        let ran = run_env(&world, &["upload"], &env);
        assert_eq!(ran.code, Some(0), "{name}\n{}", ran.both());
        assert_exactly_once(&world, run.id.get(), &[1, 2, 3], &ran);
        let held: Vec<u64> = world
            .sim
            .with_state(|state| state.runs[&run.id.get()].tests.keys().copied().collect());
        assert_eq!(held, [1, 2, 3, 40], "{name}: the run keeps C40");
    }
}

#[test]
fn a_resume_adds_again_the_cases_another_session_removed_from_the_run() {
    let world = World::new();
    let (runtime, client) = sim_client(&world);
    let run = runtime
        .block_on(client.add_run(
            1,
            &testrail_api::NewRun {
                name: "Nightly".into(),
                suite_id: Some(1.into()),
                include_all: Some(false),
                case_ids: Some(vec![40.into()]),
                ..Default::default()
            },
        ))
        .expect("the run is made");
    let run_id = run.id.get().to_string();
    let cases: Vec<u64> = (1..=6).collect();
    session(&world, "removed", &cases);
    world.sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 500,
            html: false,
        })
        .on("add_results_for_cases")
        .after(1),
    );
    let args = [
        "upload",
        "--batch-size",
        "3",
        "--max-in-flight",
        "1",
        "--run-id",
        run_id.as_str(),
    ];
    let first = world.run(&args);
    assert_eq!(first.code, Some(2), "{}", first.both());
    world.sim.clear_faults();
    // Another session's change, based on what it read before, drops cases 4..=6.
    world.sim.with_state_mut(|state| {
        let keep: Vec<u64> = state.runs[&run.id.get()]
            .tests
            .keys()
            .copied()
            .filter(|case| *case < 4 || *case == 40)
            .collect();
        state.select_run_cases(run.id.get(), false, &keep);
    });
    let resumed = world.run(&args);
    assert_eq!(resumed.code, Some(0), "{}", resumed.both());
    assert_exactly_once(&world, run.id.get(), &cases, &resumed);
}

#[test]
fn killed_while_update_run_is_in_flight_the_resume_keeps_every_case() {
    let world = World::new();
    let (runtime, client) = sim_client(&world);
    let run = runtime
        .block_on(client.add_run(
            1,
            &testrail_api::NewRun {
                name: "Nightly".into(),
                suite_id: Some(1.into()),
                include_all: Some(false),
                case_ids: Some(vec![40.into()]),
                ..Default::default()
            },
        ))
        .expect("the run is made");
    let run_id = run.id.get().to_string();
    session(&world, "killed-update", &[1, 2, 3]);
    world.sim.add_fault(
        FaultRule::new(FaultKind::Hang { ms: 1_500 })
            .on("update_run")
            .times(1),
    );
    let env = [("TESTRAIL_RUN_ID", run_id.as_str())];
    let mut child = start(&world, &["upload"], &env);
    wait_for_request(&world, "update_run", 1);
    child.kill().expect("the CLI is killed");
    child.wait().expect("the CLI ends");
    let ran = run_env(&world, &["upload"], &env);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_exactly_once(&world, run.id.get(), &[1, 2, 3], &ran);
    let held: Vec<u64> = world
        .sim
        .with_state(|state| state.runs[&run.id.get()].tests.keys().copied().collect());
    assert_eq!(held, [1, 2, 3, 40]);
}
