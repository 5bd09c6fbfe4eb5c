//! The dry run's text, pinned: what `--testrail-dry-run` and `cargo testrail upload
//! --dry-run` print is the plan the export executes (the same planning stage), so a plan
//! target shows `add_plan` / `add_plan_entry` and never an `add_run` the export would not
//! send. Ports, dates, times, paths, build URLs and session keys are redacted.

use testrail_export::config::Config;
use testrail_export::dry_run;
use testrail_export::flags::HarnessFlags;
use testrail_export::journal::{Journal, RunState};
use testrail_export::target::Step;
use testrail_formats::spool::SpoolFile;

const SESSION: &str = "cargo-4242-1764480000123";

/// The configuration from these environment variables (and an optional `testrail.toml`).
fn config_with(env: &[(&str, &str)], toml: Option<&str>) -> Result<Config, String> {
    let mut vars: Vec<(String, String)> = vec![
        ("TESTRAIL_URL".into(), "http://127.0.0.1:38411".into()),
        ("TESTRAIL_USER".into(), "qa@acme.io".into()),
        ("TESTRAIL_API_KEY".into(), "secret-key-never-printed".into()),
    ];
    vars.extend(env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("testrail.toml");
    if let Some(text) = toml {
        std::fs::write(&path, text).unwrap();
    }
    Config::from_sources(
        toml.map(|_| path.as_path()),
        &vars,
        &HarnessFlags::default(),
    )
    .map_err(|error| {
        error
            .to_string()
            .replace(&dir.path().display().to_string(), "[DIR]")
    })
}

fn config(env: &[(&str, &str)]) -> Config {
    config_with(env, None).expect("a valid configuration")
}

/// A test outcome in the spool's own JSON form.
fn test(
    path: &str,
    cases: &[u64],
    run_result: &str,
    label: &str,
    message: Option<&str>,
) -> serde_json::Value {
    serde_json::json!({
        "path": path,
        "defined_at": { "file": "tests/cart.rs", "line": 12 },
        "case_ids": cases,
        "execution": { "kind": "ran" },
        "run_result": run_result,
        "bug_label": label,
        "passed": label == "NoBug",
        "elapsed_ms": 1250,
        "attempts": [{
            "number": 1,
            "run_result": run_result,
            "passed": label == "NoBug",
            "message": message,
            "elapsed_ms": 1250,
        }],
    })
}

fn spool(tests: Vec<serde_json::Value>) -> SpoolFile {
    serde_json::from_value(serde_json::json!({
        "format": testrail_formats::spool::FORMAT,
        "version": testrail_formats::spool::VERSION,
        "session": SESSION,
        "session_source": "cargo",
        "package": "shop",
        "binary": "cart",
        "pid": 4242,
        "started_at_ms": 1_764_480_000_123u64,
        "finished_at_ms": 1_764_480_003_456u64,
        "git_commit": "0123456789abcdef0123456789abcdef01234567",
        "manifest_dir": "/home/dev/shop",
        "tests": tests,
    }))
    .expect("a spool file")
}

/// Two linked tests, one passing and one failing.
fn cart() -> Vec<SpoolFile> {
    vec![spool(vec![
        test("cart::adds_an_item", &[1], "Success", "NoBug", None),
        test(
            "cart::removes_an_item",
            &[2],
            "Success",
            "DefinitelyBug",
            Some("assertion `left == right` failed\n  left: 1\n right: 0"),
        ),
    ])]
}

fn describe(config: &Config, files: &[SpoolFile]) -> String {
    dry_run::describe(config, files, SESSION, &Journal::default()).expect("the dry run renders")
}

/// Snapshots `text` with ports, dates, times, paths, build URLs and the session redacted.
fn assert_dry_run(name: &str, text: &str) {
    assert!(
        !text.contains("secret-key-never-printed"),
        "the API key is printed"
    );
    insta::with_settings!({
        filters => vec![
            (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
            (r"\b\d{4}-\d{2}-\d{2}\b", "[DATE]"),
            (r"\b\d{2}:\d{2}\b", "[TIME]"),
            (r"cargo-\d+-\d+", "[SESSION]"),
            (r"\\n\\nBuild: [^\\]*", ""),
            (r"/tmp/[^\s\x22]*", "[PATH]"),
        ],
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn a_new_run() {
    let config = config(&[
        ("TESTRAIL_PROJECT", "Shop"),
        ("TESTRAIL_RUN_NAME", "nightly {crate} {date} {time}"),
    ]);
    let text = describe(&config, &cart());
    assert_dry_run("dry_run_new_run", &text);
}

#[test]
fn an_existing_run_gets_only_the_results() {
    let config = config(&[("TESTRAIL_PROJECT", "1"), ("TESTRAIL_RUN_ID", "42")]);
    let plan = dry_run::plan(&config, &cart(), SESSION, &Journal::default()).unwrap();
    let steps: Vec<&Step> = plan.suites.values().map(|suite| &suite.step).collect();
    assert_eq!(steps, [&Step::Adopt { run_id: 42 }]);
    assert_dry_run("dry_run_existing_run", &describe(&config, &cart()));
}

#[test]
fn a_new_plan_is_made_with_the_entry_not_a_run() {
    let config = config(&[
        ("TESTRAIL_PROJECT", "1"),
        ("TESTRAIL_SUITES", "3"),
        ("TESTRAIL_PLAN", "true"),
        ("TESTRAIL_RUN_NAME", "nightly"),
    ]);
    let plan = dry_run::plan(&config, &cart(), SESSION, &Journal::default()).unwrap();
    assert!(
        matches!(
            plan.suites.get(&3).map(|suite| &suite.step),
            Some(Step::NewPlan(body)) if body.entries.len() == 1
        ),
        "{plan:?}"
    );
    let text = describe(&config, &cart());
    assert!(!text.contains("add_run"), "{text}");
    assert_dry_run("dry_run_new_plan", &text);
}

#[test]
fn an_existing_plan_gets_an_entry_not_a_run() {
    let config = config(&[
        ("TESTRAIL_PROJECT", "Shop"),
        ("TESTRAIL_PLAN_ID", "7"),
        ("TESTRAIL_CONFIG_IDS", "2"),
        ("TESTRAIL_RUN_NAME", "nightly"),
    ]);
    let plan = dry_run::plan(&config, &cart(), SESSION, &Journal::default()).unwrap();
    assert!(
        matches!(
            plan.suites.values().next().map(|suite| &suite.step),
            Some(Step::NewEntry {
                plan_id: Some(7),
                ..
            })
        ),
        "{plan:?}"
    );
    let text = describe(&config, &cart());
    assert!(!text.contains("add_run"), "{text}");
    assert_dry_run("dry_run_existing_plan", &text);
}

#[test]
fn tests_without_a_case_and_unreported_outcomes_are_named() {
    let config = config(&[("TESTRAIL_PROJECT", "1"), ("TESTRAIL_RUN_NAME", "nightly")]);
    let mut skipped = test("cart::later", &[4], "Success", "NoBug", None);
    skipped["execution"] =
        serde_json::json!({ "kind": "skipped", "reason": "needs a payment sandbox" });
    skipped["run_result"] = serde_json::Value::Null;
    skipped["bug_label"] = serde_json::Value::Null;
    skipped["attempts"] = serde_json::json!([]);
    let files = vec![spool(vec![
        test("cart::adds_an_item", &[1], "Success", "NoBug", None),
        test("cart::no_case_yet", &[], "Success", "NoBug", None),
        test(
            "cart::setup_broke",
            &[5],
            "Error",
            "Undecided",
            Some("fixture missing"),
        ),
        skipped,
    ])];
    assert_dry_run("dry_run_unmatched", &describe(&config, &files));
}

#[test]
fn steps_with_their_own_cases_get_their_own_results() {
    let config = config(&[("TESTRAIL_PROJECT", "1"), ("TESTRAIL_RUN_NAME", "nightly")]);
    let mut checkout = test(
        "checkout::pays",
        &[10],
        "Success",
        "DefinitelyBug",
        Some("card declined"),
    );
    checkout["attempts"][0]["failed_step"] = "confirm".into();
    checkout["attempts"][0]["steps"] = serde_json::json!([
        { "name": "log in", "case_ids": [], "status": "passed", "elapsed_ms": 100 },
        { "name": "enter card", "case_ids": [11], "status": "passed", "elapsed_ms": 200 },
        { "name": "confirm", "case_ids": [12], "status": "failed", "message": "card declined", "elapsed_ms": 300 },
        { "name": "receipt", "case_ids": [13], "status": "not_reached", "elapsed_ms": 0 },
    ]);
    assert_dry_run(
        "dry_run_steps",
        &describe(&config, &[spool(vec![checkout])]),
    );
}

#[test]
fn a_broken_configuration_says_what_to_fix() {
    let mut text = String::new();
    for (what, env, toml) in [
        (
            "a run ID that is not a number",
            vec![("TESTRAIL_RUN_ID", "R42")],
            None,
        ),
        (
            "an unknown key in testrail.toml",
            vec![],
            Some("project = 1\nsuite = \"Web\"\n"),
        ),
        (
            "an unknown bug label in the mapping",
            vec![],
            Some("[mapping.labels]\nFlaky = \"failed\"\n"),
        ),
    ] {
        let error = config_with(&env, toml).expect_err("a broken configuration");
        text.push_str(&format!("{what}:\n  {error}\n"));
    }
    let untested = config_with(
        &[("TESTRAIL_PROJECT", "1")],
        Some("[mapping.labels]\nUndecided = \"untested\"\n"),
    )
    .unwrap();
    let error = dry_run::describe(&untested, &cart(), SESSION, &Journal::default())
        .expect_err("untested is no result");
    text.push_str(&format!("a mapping to Untested:\n  {error}\n"));
    assert_dry_run("dry_run_broken_configuration", &text);
}

#[test]
fn custom_statuses_are_shown_by_name() {
    let config = config_with(
        &[("TESTRAIL_PROJECT", "1"), ("TESTRAIL_RUN_NAME", "nightly")],
        Some("[mapping.labels]\nDefinitelyBug = \"Needs review\"\nNoBug = 6\n"),
    )
    .unwrap();
    assert_dry_run("dry_run_custom_statuses", &describe(&config, &cart()));
}

#[test]
fn a_resumed_session_joins_its_run_and_skips_what_is_stored() {
    let config = config(&[("TESTRAIL_PROJECT", "1")]);
    let mut journal = Journal::default();
    journal.runs.insert(
        5,
        RunState {
            run_id: 12,
            created: true,
            verified: true,
            ..RunState::default()
        },
    );
    journal.acknowledge(&[("cart-4242.jsonl".to_owned(), 1)]);
    let files = cart();
    let plan = dry_run::plan(&config, &files, SESSION, &journal).unwrap();
    let steps: Vec<&Step> = plan.suites.values().map(|suite| &suite.step).collect();
    assert_eq!(steps, [&Step::Join { run_id: 12 }]);
    let text = dry_run::describe(&config, &files, SESSION, &journal).unwrap();
    assert!(!text.contains("add_run"), "{text}");
    assert_dry_run("dry_run_resumed_session", &text);
}
