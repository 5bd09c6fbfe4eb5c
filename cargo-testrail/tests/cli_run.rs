//! `cargo testrail run create` and `run close` against the simulator: the run of a build
//! made before its tests, two sessions (two CI jobs) reporting into it with
//! `TESTRAIL_RUN_ID`, the same build finding the same run, and closing it (twice). The
//! texts, `--json` and `--format github-output` are pinned as snapshots.

mod common;
#[path = "../../tests/support/snapshot.rs"]
mod snapshot;
mod snapshot_cli;

use common::{World, failed, passed, spool};
use snapshot_cli::assert_cli;

/// `cargo testrail <args>` with `env`, pinned as snapshot `name`.
fn pinned(world: &World, name: &str, args: &[&str], env: &[(&str, &str)]) -> common::Ran {
    let mut command = world.command(args);
    command.envs(env.iter().copied());
    let ran = common::run(&mut command);
    assert_cli(world, name, args, &ran, &[]);
    ran
}

/// The `KEY=VALUE` lines of `--format github-output`.
fn github_output(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .map(|line| {
            let (key, value) = line.split_once('=').expect("KEY=VALUE lines only");
            (key.to_owned(), value.to_owned())
        })
        .collect()
}

#[test]
fn two_sessions_report_into_the_run_of_their_build() {
    let world = World::new();
    let ran = pinned(
        &world,
        "run_create",
        &["run", "create", "--build", "ci-77", "--suites", "Web Shop"],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let runs = world.run_ids();
    let [run_id] = runs.as_slice() else {
        panic!("one run, not {runs:?}\n{}", ran.both());
    };
    let run_id = *run_id;
    let (description, cases) = world.sim.with_state(|state| {
        let run = &state.runs[&run_id];
        (run.description.clone().unwrap_or_default(), run.include_all)
    });
    assert!(description.contains("ci-77"), "{description}");
    assert!(
        !cases,
        "a build's run holds the cases its sessions add, not every case"
    );

    // The same build again (a re-run of the job, on another machine): the same run.
    let ran = pinned(
        &world,
        "run_create_again_json",
        &[
            "run", "create", "--build", "ci-77", "--suites", "Web Shop", "--json",
        ],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    assert_eq!(json["run_id"], run_id);
    assert_eq!(json["created"], false);
    let ran = pinned(
        &world,
        "run_create_github_output",
        &[
            "run",
            "create",
            "--suites",
            "Web Shop",
            "--format",
            "github-output",
        ],
        &[("TESTRAIL_SESSION", "ci-77")],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        github_output(&ran.stdout),
        [("TESTRAIL_RUN_ID".to_owned(), run_id.to_string())]
    );
    assert_eq!(world.run_ids(), [run_id], "nothing new was made");

    // Two jobs, two sessions, one run.
    let id = run_id.to_string();
    spool(
        &world,
        "job-1",
        "checkout",
        101,
        vec![passed("checkout::adds", &[1, 2])],
    );
    spool(
        &world,
        "job-2",
        "cart",
        202,
        vec![failed("cart::merges", &[3])],
    );
    for key in ["job-1", "job-2"] {
        let dir = world.session_dir(key);
        let mut command = world.command(&["upload", dir.to_str().unwrap(), "--suites", "Web Shop"]);
        command.env("TESTRAIL_RUN_ID", &id);
        let ran = common::run(&mut command);
        assert_eq!(ran.code, Some(0), "{key}\n{}", ran.both());
    }
    assert_eq!(
        world.run_ids(),
        [run_id],
        "the sessions made no run of their own"
    );
    assert_eq!(
        world.results_per_case(run_id),
        [(1, 1), (2, 1), (3, 1)].into(),
        "both sessions' results are in the build's run"
    );
    assert_eq!(world.statuses(run_id)[&3], [5], "job-2's failure is there");

    // Closed once; closing it again says so and succeeds.
    let ran = pinned(
        &world,
        "run_close",
        &["run", "close", &format!("R{run_id}")],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        world
            .sim
            .with_state(|state| state.runs[&run_id].is_completed)
    );
    let ran = pinned(
        &world,
        "run_close_again",
        &["run", "close"],
        &[("TESTRAIL_RUN_ID", id.as_str())],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let ran = pinned(
        &world,
        "run_close_json",
        &["run", "close", &id, "--json"],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    assert_eq!(json["closed_now"], false);

    // The job re-run after the close (same build key): a new run, and a line says why.
    let ran = pinned(
        &world,
        "run_create_after_close",
        &["run", "create", "--build", "ci-77", "--suites", "Web Shop"],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let runs = world.run_ids();
    let [_, new_run] = runs.as_slice() else {
        panic!("a second run, not {runs:?}\n{}", ran.both());
    };
    assert!(
        !world
            .sim
            .with_state(|state| state.runs[new_run].is_completed)
    );
    assert!(
        ran.stdout.contains(&format!(
            "run R{run_id} of build ci-77 is closed (TestRail takes no more results there): made a new one"
        )),
        "{}",
        ran.both()
    );
    // And the build finds the open one from then on.
    let ran = world.run(&[
        "run", "create", "--build", "ci-77", "--suites", "Web Shop", "--json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    assert_eq!(json["run_id"], *new_run, "{}", ran.both());
    assert_eq!(json["created"], false);
    assert_eq!(json["closed"], serde_json::json!([]));
}

#[test]
fn several_suites_get_a_plan_found_again_by_the_build() {
    let world = World::new();
    let args = [
        "run",
        "create",
        "--build",
        "nightly-3",
        "--suites",
        "Web Shop,Payments",
        "--json",
    ];
    let first = world.run(&args);
    assert_eq!(first.code, Some(0), "{}", first.both());
    let ran = pinned(&world, "run_create_plan", &args[..6], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let first: serde_json::Value = serde_json::from_str(&first.stdout).expect("JSON");
    let plan_id = first["plan_id"].as_u64().expect("a plan");
    assert_eq!(first["created"], true);
    assert_eq!(first["runs"].as_array().map(Vec::len), Some(2), "{first}");
    assert_eq!(
        first["env"],
        serde_json::json!({ "TESTRAIL_PLAN_ID": plan_id.to_string() })
    );
    let plans = world.sim.with_state(|state| state.plans.len());
    assert_eq!(plans, 1, "the second create found the plan");

    // A run of a plan closes only with its plan.
    let entry_run = first["runs"][0]["run_id"].as_u64().unwrap().to_string();
    let ran = pinned(
        &world,
        "run_close_run_of_a_plan",
        &["run", "close", &entry_run],
        &[],
    );
    assert_eq!(ran.code, Some(2), "{}", ran.both());

    let ran = pinned(
        &world,
        "run_close_plan",
        &["run", "close", "--plan-id", &plan_id.to_string()],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
}

#[test]
fn sessions_report_into_the_entries_of_their_builds_plan() {
    let world = World::new();
    let ran = world.run(&[
        "run",
        "create",
        "--build",
        "ci-88",
        "--suites",
        "Web Shop,Payments",
        "--json",
    ]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    let plan_id = json["plan_id"].as_u64().expect("a plan").to_string();
    let run_of = |suite: &str| {
        json["runs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|run| run["suite"] == suite)
            .unwrap_or_else(|| panic!("a run of {suite}: {json}"))["run_id"]
            .as_u64()
            .unwrap()
    };
    let (web_shop, payments) = (run_of("Web Shop"), run_of("Payments"));

    // Two jobs, each with cases of both suites (C1, C2 of Web Shop; C111, C112 of Payments).
    spool(
        &world,
        "job-1",
        "checkout",
        101,
        vec![
            passed("checkout::adds", &[1]),
            passed("checkout::pays", &[112]),
        ],
    );
    spool(
        &world,
        "job-2",
        "cart",
        202,
        vec![
            failed("cart::merges", &[2]),
            passed("cart::refunds", &[111]),
        ],
    );
    for key in ["job-1", "job-2"] {
        let dir = world.session_dir(key);
        let mut command = world.command(&[
            "upload",
            dir.to_str().unwrap(),
            "--suites",
            "Web Shop,Payments",
        ]);
        command.env("TESTRAIL_PLAN_ID", &plan_id);
        let ran = common::run(&mut command);
        assert_eq!(ran.code, Some(0), "{key}\n{}", ran.both());
    }
    let entries = world.sim.with_state(|state| {
        state
            .plans
            .values()
            .map(|plan| plan.entries.len())
            .sum::<usize>()
    });
    assert_eq!(entries, 2, "the sessions added no entries of their own");
    let described = world.sim.with_state(|state| {
        state
            .plans
            .values()
            .flat_map(|plan| &plan.entries)
            .all(|entry| {
                entry
                    .description
                    .as_deref()
                    .is_some_and(|text| text.contains("Made by `cargo testrail run create`"))
            })
    });
    assert!(
        described,
        "the entries' description says run create made them"
    );
    assert_eq!(
        world.run_ids().len(),
        2,
        "no run besides the plan's two entries"
    );
    assert_eq!(
        world.results_per_case(web_shop),
        [(1, 1), (2, 1)].into(),
        "both sessions' Web Shop results are in the Web Shop entry"
    );
    assert_eq!(
        world.results_per_case(payments),
        [(111, 1), (112, 1)].into(),
        "both sessions' Payments results are in the Payments entry"
    );
    assert_eq!(
        world.statuses(web_shop)[&2],
        [5],
        "job-2's failure is there"
    );
}

#[test]
fn a_plan_of_one_suite_is_reported_into_through_its_run() {
    let world = World::new();
    let ran = world.run(&[
        "run",
        "create",
        "--build",
        "b9",
        "--plan",
        "--suites",
        "Web Shop",
        "--format",
        "github-output",
    ]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let lines = github_output(&ran.stdout);
    let [(key, run_id)] = lines.as_slice() else {
        panic!("one line\n{}", ran.both());
    };
    assert_eq!(key, "TESTRAIL_RUN_ID", "{}", ran.both());
    let run_id: u64 = run_id.parse().unwrap();
    let plan_id = world.sim.with_state(|state| state.runs[&run_id].plan_id);
    assert!(plan_id.is_some(), "the run is the plan's entry");

    spool(
        &world,
        "job-1",
        "checkout",
        101,
        vec![passed("checkout::adds", &[1])],
    );
    let dir = world.session_dir("job-1");
    let mut command = world.command(&["upload", dir.to_str().unwrap(), "--suites", "Web Shop"]);
    command.env("TESTRAIL_RUN_ID", run_id.to_string());
    let ran = common::run(&mut command);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(world.run_ids(), [run_id], "no run besides the plan's");
    assert_eq!(world.results_per_case(run_id), [(1, 1)].into());
}

#[test]
fn run_create_and_close_refuse_what_they_cannot_do() {
    let world = World::new();
    let ran = pinned(
        &world,
        "run_create_with_run_id",
        &["run", "create", "--build", "b1"],
        &[("TESTRAIL_RUN_ID", "4")],
    );
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    let ran = pinned(&world, "run_create_without_build", &["run", "create"], &[]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    let ran = pinned(
        &world,
        "run_create_empty_build",
        &["run", "create", "--build", " "],
        &[],
    );
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    let ran = pinned(&world, "run_close_without_id", &["run", "close"], &[]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    let ran = pinned(&world, "run_close_bad_id", &["run", "close", "C12"], &[]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    let ran = pinned(&world, "run_close_unknown", &["run", "close", "999"], &[]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(world.run_ids().is_empty(), "nothing was made");
}

#[test]
fn a_run_name_placeholder_run_create_cannot_fill_is_named() {
    let world = World::new();
    let mut command = world.command(&["run", "create", "--build", "b2", "--suites", "Web Shop"]);
    command.env("TESTRAIL_RUN_NAME", "{crate} nightly {session}");
    let ran = common::run(&mut command);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stderr
            .contains("run_name's {crate} is left empty: `run create` runs before any test binary names its crate"),
        "{}",
        ran.both()
    );
    assert!(ran.stdout.contains("\"nightly b2\""), "{}", ran.both());
    let mut command = world.command(&["run", "create", "--build", "b3"]);
    command.env("TESTRAIL_RUN_NAME", "{crate} {bogus}");
    let ran = common::run(&mut command);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(
        ran.stderr.contains("{bogus} is not a placeholder"),
        "{}",
        ran.both()
    );
}
