//! Export at exit against the simulator over real HTTP: the default mapping, one run for
//! three binaries, existing runs and plans, new plans across suites, step-level results,
//! Missing and Unconfigured cases, dry run, and the API key kept out of everything.

mod support;

use std::collections::BTreeMap;

use testrail_sim::{Fixture, Simulator};

const PASSED: u64 = 1;
const BLOCKED: u64 = 2;
const RETEST: u64 = 4;
const FAILED: u64 = 5;

fn env_with(sim: &Simulator, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = support::sim_env(sim);
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

#[test]
fn three_binaries_of_one_cargo_test_report_into_one_run_with_the_default_mapping() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(&sim, &[("TESTRAIL_SUITES", "Web Shop")]);
    let ran = support::export_run(
        dir.path(),
        "shop",
        &["accounts", "cart", "checkout"],
        &["--testrail-export"],
        &env,
    );
    assert_eq!(
        ran.code,
        Some(101),
        "two shop tests fail on purpose\n{}",
        ran.both()
    );
    assert_eq!(
        support::run_ids(&sim),
        [1],
        "one run for the whole cargo test\n{}",
        ran.both()
    );

    let by_case = support::results_by_case(&sim, 1);
    let expected: BTreeMap<u64, Vec<u64>> = [
        (1, PASSED),
        (2, PASSED),
        (3, PASSED),
        (4, PASSED),
        (5, PASSED),
        (6, PASSED),
        (10, PASSED),
        (11, PASSED),
        (12, PASSED),
        (13, PASSED), // flaky: LikelyNoBug
        (14, FAILED), // known bug: LikelyBug
        (15, PASSED),
        (20, PASSED),
        (21, PASSED),
        (23, RETEST), // labelled Undecided by the test
    ]
    .into_iter()
    .map(|(case, status)| (case, vec![status]))
    .collect();
    assert_eq!(
        by_case, expected,
        "C7 (ignored) and C22 (run result Error) are not reported"
    );

    sim.with_state(|state| {
        let run = &state.runs[&1];
        assert!(!run.include_all);
        assert!(run.name.starts_with("shop "), "{}", run.name);
        let flaky = state.results.values().find(|r| r.case_id == 13).unwrap();
        assert!(flaky.comment.as_deref().unwrap().contains("Attempts: 2"));
        let known = state.results.values().find(|r| r.case_id == 14).unwrap();
        assert_eq!(known.defects.as_deref(), Some("SHOP-42"));
        assert!(known.comment.as_deref().unwrap().contains("refund parts"));
        assert!(known.elapsed.as_deref().is_some_and(|e| e != "0s"));
        assert!(
            known.version.as_deref().is_some_and(|v| v.len() == 40),
            "the git commit is the version"
        );
        let browser = state.results.values().find(|r| r.case_id == 12).unwrap();
        assert_eq!(
            browser
                .custom
                .get("custom_environment")
                .and_then(|v| v.as_str()),
            Some("headless")
        );
    });
    assert!(
        ran.stdout.contains("index.php?/runs/view/1"),
        "{}",
        ran.both()
    );
}

#[test]
fn steps_report_their_own_cases_and_unlinked_steps_become_step_results() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(
        &sim,
        &[
            ("TESTRAIL_SUITES", "Mobile App"),
            ("TESTRAIL_SESSION", "steps-1"),
        ],
    );
    // First run passes (the harness learns the steps), second fails at log_in.
    let first = support::export_run(
        dir.path(),
        "harness-scenarios",
        &["steps"],
        &["--testrail-export"],
        &env,
    );
    assert_eq!(first.code, Some(0), "{}", first.both());
    let by_case = support::results_by_case(&sim, 1);
    assert_eq!(
        by_case.keys().copied().collect::<Vec<_>>(),
        [200, 201, 202, 203]
    );
    assert!(by_case.values().all(|statuses| statuses == &[PASSED]));

    let mut env = env_with(
        &sim,
        &[
            ("TESTRAIL_SUITES", "Mobile App"),
            ("TESTRAIL_SESSION", "steps-2"),
        ],
    );
    env.push(("SCENARIO_FAIL_AT".into(), "log_in".into()));
    let second = support::export_run(
        dir.path(),
        "harness-scenarios",
        &["steps"],
        &["--testrail-export"],
        &env,
    );
    assert_eq!(second.code, Some(101), "{}", second.both());
    let by_case = support::results_by_case(&sim, 2);
    assert_eq!(by_case[&200], [FAILED]);
    assert_eq!(by_case[&201], [FAILED], "the failing step's case");
    assert_eq!(by_case[&202], [BLOCKED], "a step not reached is Blocked");
    assert_eq!(by_case[&203], [BLOCKED]);
    sim.with_state(|state| {
        let test_result = state
            .results
            .values()
            .find(|r| r.run_id == 2 && r.case_id == 200)
            .unwrap();
        let steps = test_result
            .custom
            .get("custom_step_results")
            .and_then(|v| v.as_array())
            .expect("step results");
        let names: Vec<&str> = steps
            .iter()
            .map(|s| s["content"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["check_token", "log out"],
            "the steps with no case of their own"
        );
        assert_eq!(steps[0]["status_id"], BLOCKED);
        assert!(
            test_result
                .comment
                .as_deref()
                .unwrap()
                .contains("Failing step: log_in")
        );
    });
}

#[test]
fn unconfigured_cases_are_skipped_and_missing_cases_stop_the_export() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(&sim, &[("TESTRAIL_SUITES", "Web Shop")]);
    let ran = support::export_run(
        dir.path(),
        "harness-scenarios",
        &["outcomes"],
        &["--testrail-export"],
        &env,
    );
    assert!(
        ran.stdout
            .contains("skipped (suite not configured): C111, C112, C113, C114"),
        "{}",
        ran.both()
    );
    let by_case = support::results_by_case(&sim, 1);
    assert!(
        by_case.keys().all(|case| (101..=110).contains(case)),
        "{by_case:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let ran = support::export_run(
        dir.path(),
        "harness-scenarios",
        &["green"],
        &["--testrail-export"],
        &env,
    );
    assert_eq!(
        ran.code,
        Some(101),
        "a failed export fails the run\n{}",
        ran.both()
    );
    assert!(ran.stderr.contains("exit status: 1"), "{}", ran.both());
    assert!(
        ran.stderr.contains(
            "2 linked case(s) no longer exist in TestRail: C301 (linked from test green::one); C302"
        ),
        "{}",
        ran.both()
    );
    assert!(
        ran.stderr.contains("cargo testrail upload"),
        "the resume command is printed\n{}",
        ran.both()
    );
    assert_eq!(
        support::run_ids(&sim),
        [1],
        "no run was created for the failed export"
    );

    let skip = env_with(
        &sim,
        &[
            ("TESTRAIL_SUITES", "Web Shop"),
            ("TESTRAIL_SKIP_MISSING", "1"),
        ],
    );
    let ran = support::export_run(
        dir.path(),
        "harness-scenarios",
        &["green"],
        &["--testrail-export"],
        &skip,
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout
            .contains("skipped (no longer in TestRail): C301, C302"),
        "{}",
        ran.both()
    );
}

#[test]
fn cases_across_two_suites_make_a_plan_with_one_entry_per_suite() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(&sim, &[]);
    let ran = support::export_run(
        dir.path(),
        "harness-scenarios",
        &["outcomes"],
        &["--testrail-export"],
        &env,
    );
    assert_eq!(ran.code, Some(101), "{}", ran.both());
    sim.with_state(|state| {
        assert_eq!(state.plans.len(), 1, "{}", ran.both());
        let suites: Vec<u64> = state.runs.values().map(|run| run.suite_id).collect();
        assert_eq!(suites, [1, 2]);
        assert!(state.runs.values().all(|run| run.plan_id == Some(1)));
    });
    let web = support::results_by_case(&sim, 1);
    let payments = support::results_by_case(&sim, 2);
    assert_eq!(
        web.keys().copied().collect::<Vec<_>>(),
        [101, 102, 103, 104, 105, 106, 107, 108],
        "C109 (Error) and C110 (ignored) are not reported"
    );
    assert_eq!(
        payments.keys().copied().collect::<Vec<_>>(),
        [111, 112, 113, 114]
    );
    assert_eq!(web[&105], [RETEST], "a timeout is Undecided → Retest");
    assert_eq!(web[&107], [RETEST], "max_steps is Undecided → Retest");
    assert_eq!(web[&103], [FAILED]);
    assert_eq!(web[&102], [PASSED]);
}

#[test]
fn an_existing_run_gets_the_missing_cases_without_losing_its_description_or_milestone() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let run_id = create_run(&sim, &[1, 90]);
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(&sim, &[("TESTRAIL_RUN_ID", &run_id.to_string())]);
    let ran = support::export_run(dir.path(), "shop", &["cart"], &["--testrail-export"], &env);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(support::run_ids(&sim), [run_id], "no new run");
    sim.with_state(|state| {
        let run = &state.runs[&run_id];
        assert_eq!(run.description.as_deref(), Some("nightly regression"));
        assert_eq!(run.milestone_id, Some(2));
        let cases: Vec<u64> = state
            .tests
            .values()
            .filter(|t| t.run_id == run_id)
            .map(|t| t.case_id)
            .collect();
        for case in [1, 2, 3, 4, 5, 6, 90] {
            assert!(cases.contains(&case), "C{case} is in the run: {cases:?}");
        }
    });
    assert_eq!(support::results_by_case(&sim, run_id).len(), 6);
}

/// A run made through the API in `project`, holding every case of `suite` (or of the
/// project's only suite).
fn run_in(sim: &Simulator, project: u64, suite: Option<u64>) -> u64 {
    let mut body = serde_json::json!({"name": "made by hand", "include_all": true});
    if let Some(suite) = suite {
        body["suite_id"] = suite.into();
    }
    add_run(sim, project, &body)
}

#[test]
fn a_run_of_another_suite_or_project_fails_the_export_and_says_why() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    // Payments, a suite of the right project that holds none of the shop's cases.
    let payments = run_in(&sim, 1, Some(2));
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(
        &sim,
        &[
            ("TESTRAIL_RUN_ID", &payments.to_string()),
            ("TESTRAIL_SUITES", "Web Shop"),
        ],
    );
    let ran = support::export_run(dir.path(), "shop", &["cart"], &["--testrail-export"], &env);
    assert_ne!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.both().contains(&format!(
            "6 result(s) were not sent: their cases (C1, C2, C3, C4, C5, C6) are not in suite S2 of run R{payments}"
        )),
        "{}",
        ran.both()
    );
    assert!(
        !ran.both().contains("suite not configured"),
        "{}",
        ran.both()
    );
    assert!(support::results_by_case(&sim, payments).is_empty());

    // A run of project Back Office.
    let back_office = run_in(&sim, 2, None);
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(&sim, &[("TESTRAIL_RUN_ID", &back_office.to_string())]);
    let ran = support::export_run(dir.path(), "shop", &["cart"], &["--testrail-export"], &env);
    assert_ne!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.both().contains(&format!(
            "run R{back_office} (TESTRAIL_RUN_ID / --run-id) belongs to project P2, not to project P1"
        )),
        "{}",
        ran.both()
    );
    assert!(support::results_by_case(&sim, back_office).is_empty());
}

#[test]
fn an_existing_plan_gets_a_new_entry() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let client = reqwest::blocking::Client::new();
    let plan: serde_json::Value = client
        .post(sim.api_url("add_plan/1"))
        .basic_auth(sim.email(), Some(sim.api_key()))
        .json(&serde_json::json!({"name": "Release 1.1 sign-off"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let plan_id = plan["id"].as_u64().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(
        &sim,
        &[
            ("TESTRAIL_PLAN_ID", &plan_id.to_string()),
            ("TESTRAIL_CONFIG_IDS", "2"),
        ],
    );
    let ran = support::export_run(dir.path(), "shop", &["cart"], &["--testrail-export"], &env);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    sim.with_state(|state| {
        let runs: Vec<_> = state.runs.values().collect();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].plan_id, Some(plan_id));
        assert_eq!(runs[0].config_ids, [2]);
    });
    let run_id = support::run_ids(&sim)[0];
    assert_eq!(support::results_by_case(&sim, run_id).len(), 6);
}

#[test]
fn dry_run_prints_the_requests_and_sends_nothing() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(&sim, &[]);
    let ran = support::export_run(dir.path(), "shop", &["cart"], &["--testrail-dry-run"], &env);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout.contains("POST http://127.0.0.1"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stdout.contains("index.php?/api/v2/add_run/PROJECT"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stdout.contains("add_results_for_cases/NEW_RUN"),
        "{}",
        ran.both()
    );
    assert!(ran.stdout.contains("\"case_id\": 6"), "{}", ran.both());
    assert!(!ran.both().contains(sim.api_key()));
    assert!(
        sim.log().is_empty(),
        "a dry run sends nothing, not even reads"
    );
}

#[test]
fn the_dry_run_of_a_plan_target_prints_the_plan_requests_the_export_sends() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(&sim, &[("TESTRAIL_PLAN", "true")]);
    let ran = support::export_run(dir.path(), "shop", &["cart"], &["--testrail-dry-run"], &env);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout.contains("index.php?/api/v2/add_plan/PROJECT"),
        "{}",
        ran.both()
    );
    assert!(!ran.stdout.contains("add_run"), "{}", ran.both());
    assert!(sim.log().is_empty(), "a dry run sends nothing");
    // The export of the same outcomes sends exactly that: a plan, no plain run.
    let ran = support::export_run(dir.path(), "shop", &["cart"], &["--testrail-export"], &env);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let routes: Vec<String> = sim.log().into_iter().map(|entry| entry.route).collect();
    assert!(
        routes.iter().any(|route| route.contains("add_plan/")),
        "{routes:?}"
    );
    assert!(
        !routes.iter().any(|route| route.contains("add_run/")),
        "{routes:?}"
    );
}

#[test]
fn the_api_key_appears_in_no_url_output_or_file() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(&sim, &[("TESTRAIL_SUITES", "Web Shop")]);
    let ran = support::export_run(
        dir.path(),
        "shop",
        &["cart", "checkout"],
        &["--testrail-export"],
        &env,
    );
    assert!(!support::run_ids(&sim).is_empty(), "{}", ran.both());
    let key = sim.api_key();
    assert!(!ran.both().contains(key), "the key is in the output");
    for entry in sim.log() {
        assert!(
            !entry.route.contains(key),
            "the key is in a URL: {}",
            entry.route
        );
    }
    for file in walk(dir.path()) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(!text.contains(key), "the key is in {}", file.display());
    }
    // A failing export prints the key nowhere either.
    let bad = env_with(&sim, &[("TESTRAIL_API_KEY", "wrong-key-123")]);
    let ran = support::export_run(dir.path(), "shop", &["cart"], &["--testrail-export"], &bad);
    assert!(
        ran.stderr.contains("rejected the credentials"),
        "{}",
        ran.both()
    );
    assert!(!ran.both().contains("wrong-key-123"));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path))
        } else {
            files.push(path)
        }
    }
    files
}

fn create_run(sim: &Simulator, case_ids: &[u64]) -> u64 {
    add_run(
        sim,
        1,
        &serde_json::json!({
            "suite_id": 1, "name": "Nightly", "description": "nightly regression",
            "milestone_id": 2, "include_all": false, "case_ids": case_ids,
        }),
    )
}

/// `add_run/{project}` with `body`; the new run's ID.
fn add_run(sim: &Simulator, project: u64, body: &serde_json::Value) -> u64 {
    let run: serde_json::Value = reqwest::blocking::Client::new()
        .post(sim.api_url(&format!("add_run/{project}")))
        .basic_auth(sim.email(), Some(sim.api_key()))
        .json(body)
        .send()
        .unwrap()
        .json()
        .unwrap();
    run["id"].as_u64().unwrap()
}

#[test]
fn advanced_mapping_with_a_custom_status_and_reported_skips() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("testrail.toml");
    std::fs::write(
        &config,
        r#"
suites = ["Web Shop"]
[mapping]
mode = "advanced"
skipped = "Retest"
[mapping.labels]
LikelyBug = "Known Bug"
[mapping.advanced.Stopped]
Undecided = "blocked"
"#,
    )
    .unwrap();
    let env = env_with(&sim, &[("TESTRAIL_CONFIG", config.to_str().unwrap())]);
    let ran = support::export_run(
        dir.path(),
        "harness-scenarios",
        &["outcomes"],
        &["--testrail-export"],
        &env,
    );
    let known_bug = sim
        .with_state(|state| {
            state
                .statuses
                .iter()
                .find(|s| s.label == "Known Bug")
                .map(|s| s.id)
        })
        .unwrap();
    let by_case = support::results_by_case(&sim, 1);
    let statuses: BTreeMap<u64, u64> = by_case
        .iter()
        .map(|(case, statuses)| (*case, statuses[0]))
        .collect();
    let expected: BTreeMap<u64, u64> = [
        (101, PASSED),
        (102, PASSED),
        (103, FAILED),
        (104, known_bug), // LikelyBug → the custom status, by label
        (105, BLOCKED),   // Stopped + Undecided → advanced mapping
        (106, BLOCKED),
        (107, RETEST),    // MaxSteps has no advanced mapping: the basic one applies
        (108, known_bug), // labelled LikelyBug by the test
        (110, RETEST),    // skipped, reported because mapped
    ]
    .into_iter()
    .collect();
    assert_eq!(statuses, expected, "{}", ran.both());

    // An unknown status name stops the export and lists the valid ones.
    std::fs::write(&config, "[mapping.labels]\nNoBug = \"Greenish\"\n").unwrap();
    let ran = support::export_run(
        dir.path(),
        "harness-scenarios",
        &["green"],
        &["--testrail-export"],
        &env,
    );
    assert!(
        ran.stderr.contains(
            "names \"Greenish\", which TestRail does not have; valid statuses: Passed (passed, 1)"
        ),
        "{}",
        ran.both()
    );
}

#[test]
fn processes_exporting_at_the_same_time_join_one_run() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(
        &sim,
        &[
            ("TESTRAIL_SUITES", "Web Shop"),
            ("TESTRAIL_SESSION", "ci-build-7"),
            ("TESTRAIL_EXPORT", "1"),
        ],
    );
    // Build first, so that both processes really run at the same time.
    support::export_run(dir.path(), "shop", &["cart", "accounts"], &["--list"], &[]);
    let children: Vec<_> = ["cart", "accounts"]
        .iter()
        .map(|target| {
            let mut command = support::cargo(dir.path());
            command.args(["test", "-q", "-p", "shop", "--test", target]);
            command.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            command
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            command.spawn().unwrap()
        })
        .collect();
    for mut child in children {
        child.wait().unwrap();
    }
    assert_eq!(support::run_ids(&sim), [1], "one run for both processes");
    let cases: Vec<u64> = support::results_by_case(&sim, 1).into_keys().collect();
    assert_eq!(cases, [1, 2, 3, 4, 5, 6, 20, 21, 23]);
}

#[test]
fn close_run_waits_for_the_last_binary_then_closes_on_upload() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(
        &sim,
        &[
            ("TESTRAIL_SUITES", "Web Shop"),
            ("TESTRAIL_CLOSE_RUN", "true"),
            ("TESTRAIL_SESSION", "closing"),
        ],
    );
    let ran = support::export_run(
        dir.path(),
        "shop",
        &["cart", "accounts"],
        &["--testrail-export"],
        &env,
    );
    assert!(ran.stdout.contains("--close-run"), "{}", ran.both());
    sim.with_state(|state| {
        assert!(
            !state.runs[&1].is_completed,
            "the second binary still reported"
        )
    });
    assert_eq!(support::results_by_case(&sim, 1).len(), 9);

    // What `cargo testrail upload --close-run` does once every binary has reported.
    let config =
        testrail_export::config::Config::from_sources(None, &env, &Default::default()).unwrap();
    let session_dir = dir.path().join("sessions").join("closing");
    let summary = testrail_export::export_blocking(
        &config,
        &session_dir,
        "closing",
        testrail_export::Selection::All,
    )
    .unwrap();
    assert_eq!(summary.sent, 0, "nothing is sent twice");
    sim.with_state(|state| assert!(state.runs[&1].is_completed));
}

#[test]
fn a_new_run_costs_three_requests_plus_one_per_batch() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(&sim, &[("TESTRAIL_SUITES", "Web Shop")]);
    let ran = support::export_run(dir.path(), "shop", &["cart"], &["--testrail-export"], &env);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let endpoints: Vec<String> = sim.log().into_iter().map(|entry| entry.endpoint).collect();
    assert_eq!(
        endpoints,
        [
            "get_projects",
            "get_suites",
            "add_run",
            "add_results_for_cases"
        ]
    );
}
