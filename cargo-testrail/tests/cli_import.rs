//! `cargo testrail import junit`: JUnit XML written by cargo-nextest (run here), pytest
//! and Surefire, matched to cases by ID in names, by properties and by title; imported
//! exactly once; cases created for the rest, idempotently.

mod common;

use std::path::{Path, PathBuf};

use common::World;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/junit")
        .join(name)
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_owned()
}

fn new_run(world: &World, before: &[u64]) -> u64 {
    let runs: Vec<u64> = world
        .run_ids()
        .into_iter()
        .filter(|id| !before.contains(id))
        .collect();
    assert_eq!(runs.len(), 1, "one new run: {runs:?}");
    runs[0]
}

fn comment(world: &World, run_id: u64, case_id: u64) -> String {
    world.sim.with_state(|state| {
        state
            .results
            .values()
            .find(|r| r.run_id == run_id && r.case_id == case_id)
            .and_then(|r| r.comment.clone())
            .unwrap_or_default()
    })
}

#[test]
fn nextest_junit_of_testrail_tests_points_to_the_upload_which_sends_them_once() {
    let world = World::new();
    // The shop's tests under nextest with the `ci` profile of .config/nextest.toml.
    let harness_dir = world.dir.path().join("harness");
    let ran = common::run(
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(workspace_root())
            .args([
                "nextest",
                "run",
                "-p",
                "shop",
                "--profile",
                "ci",
                "--no-fail-fast",
            ])
            .env("TESTRAIL_DIR", &harness_dir)
            .env_remove("TESTRAIL_EXPORT")
            .env_remove("TESTRAIL_SESSION")
            .env_remove("NEXTEST_RUN_ID"),
    );
    assert_eq!(ran.code, Some(100), "two shop tests fail\n{}", ran.both());
    let produced = workspace_root().join("target/nextest/ci/junit.xml");
    let junit = world.dir.path().join("junit.xml");
    std::fs::copy(&produced, &junit).expect("nextest wrote junit.xml");

    // nextest names testrail-rs tests by their Rust path: the JUnit file carries no case
    // IDs, so the import matches nothing, says so, and points to the upload.
    let before = world.run_ids();
    let ran = world.run(&["import", "junit", junit.to_str().unwrap()]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout.contains("match no case") && ran.stdout.contains("cargo testrail upload"),
        "every test is named as unmatched, with the way out\n{}",
        ran.both()
    );
    assert!(
        ran.stdout
            .contains("checkout::checkout::refunds_add_up_to_the_amount_paid")
            || ran
                .stdout
                .contains("checkout::refunds_add_up_to_the_amount_paid"),
        "{}",
        ran.both()
    );
    assert!(world.run_ids().len() <= before.len() + 1);

    // The session the harness spooled under nextest has the case IDs: the upload sends them.
    let sessions: Vec<_> = std::fs::read_dir(harness_dir.join("sessions"))
        .expect("the harness spooled the nextest session")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let before = world.run_ids();
    let ran = world.run(&["upload", sessions[0].to_str().unwrap()]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let run_id = new_run(&world, &before);
    let statuses = world.statuses(run_id);
    for passed in [1, 2, 3, 4, 5, 6, 12, 13, 15, 20, 21] {
        assert_eq!(
            statuses.get(&passed),
            Some(&vec![1]),
            "C{passed}: {statuses:?}"
        );
    }
    assert_eq!(statuses.get(&14), Some(&vec![5]), "{statuses:?}");
    // What the spool knows and JUnit cannot say: C23's bug label Undecided is Retest, and
    // C22 could not run (run result Error), which is not reported and is named instead.
    assert_eq!(statuses.get(&23), Some(&vec![4]), "{statuses:?}");
    assert!(
        comment(&world, run_id, 23).contains("rules under review"),
        "{}",
        comment(&world, run_id, 23)
    );
    assert_eq!(statuses.get(&22), None, "{statuses:?}");
    assert!(ran.both().contains("C22"), "C22 is named\n{}", ran.both());

    let again = world.run(&["upload", sessions[0].to_str().unwrap(), "--json"]);
    assert_eq!(again.code, Some(0), "{}", again.both());
    let json: serde_json::Value = serde_json::from_str(&again.stdout).expect("JSON");
    assert_eq!(json["sent"], 0, "{}", again.stdout);
    assert_eq!(world.run_ids().len(), before.len() + 1, "no second run");
    assert!(
        world
            .results_per_case(run_id)
            .values()
            .all(|count| *count == 1)
    );
}

#[test]
fn imports_pytest_and_surefire_files_into_one_run() {
    let world = World::new();
    let before = world.run_ids();
    let pytest = fixture("pytest.xml");
    let surefire = fixture("surefire.xml");
    let ran = world.run(&[
        "import",
        "junit",
        pytest.to_str().unwrap(),
        surefire.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    assert_eq!(
        json["unmapped"],
        serde_json::json!(["tests.test_cart::test_gift_wrapping_is_free"]),
        "{}",
        ran.stdout
    );
    let how = |test: &str| {
        json["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["test"] == test)
            .map(|t| (t["case_ids"].clone(), t["how"].clone()))
            .unwrap_or_else(|| panic!("{test} is listed: {}", ran.stdout))
    };
    assert_eq!(how("tests.test_cart::test_add_one_item_C31").1, "name");
    assert_eq!(
        how("tests.test_cart::test_customer_can_check_out"),
        (serde_json::json!([12]), serde_json::json!("title"))
    );
    assert_eq!(how("tests.test_cart::test_coupon").1, "property");
    assert_eq!(
        how("tests.test_cart::test_crash").0,
        serde_json::json!([24])
    );
    assert_eq!(
        how("com.shop.CheckoutTest::C41_C42_shippingOptions").0,
        serde_json::json!([41, 42])
    );
    assert_eq!(
        how("com.shop.CheckoutTest::refundTwice_C45()").0,
        serde_json::json!([45])
    );

    let run_id = new_run(&world, &before);
    let statuses = world.statuses(run_id);
    assert_eq!(statuses[&31], [1]);
    assert_eq!(statuses[&12], [1]);
    assert_eq!(statuses[&23], [5], "failure");
    assert_eq!(statuses[&24], [5], "error: a crashed test is a failure");
    assert!(
        !statuses.contains_key(&25),
        "skipped: not reported, like ignored tests"
    );
    assert_eq!(statuses[&41], [1]);
    assert_eq!(statuses[&42], [1]);
    assert_eq!(statuses[&43], [1]);
    assert_eq!(statuses[&44], [1], "flaky: passed");
    assert_eq!(statuses[&45], [5]);
    let flaky = comment(&world, run_id, 44);
    assert!(
        flaky.contains("LikelyNoBug") && flaky.contains("Attempts: 2"),
        "{flaky}"
    );
    let failed = comment(&world, run_id, 23);
    assert!(failed.contains("assert 3 == 4"), "{failed}");
    assert!(
        failed.contains("coupon SAVE10 applied"),
        "system-out: {failed}"
    );
    assert!(comment(&world, run_id, 24).contains("fixture 'db' not found"));
    assert!(comment(&world, run_id, 45).contains("Attempts: 2"));
}

#[test]
fn creates_missing_cases_once_and_can_be_switched_off() {
    let world = World::new();
    let pytest = fixture("pytest.xml");
    let pytest = pytest.to_str().unwrap();
    let cases_before = world.sim.with_state(|state| state.cases.len());

    let off = world.run(&[
        "import",
        "junit",
        pytest,
        "--create-missing",
        "--no-create",
        "--create-section",
        "Web Shop/Imported/Python",
    ]);
    assert_eq!(off.code, Some(0), "{}", off.both());
    assert_eq!(
        world.sim.with_state(|state| state.cases.len()),
        cases_before
    );

    let args = [
        "import",
        "junit",
        pytest,
        "--create-missing",
        "--create-section",
        "Web Shop/Imported/Python",
        "--case-field",
        "custom_automation_id={path}",
    ];
    let first = world.run(&args);
    assert_eq!(first.code, Some(0), "{}", first.both());
    let created: Vec<(u64, String, Option<u64>)> = world.sim.with_state(|state| {
        state
            .cases
            .values()
            .filter(|case| case.title == "test_gift_wrapping_is_free")
            .map(|case| (case.id, case.title.clone(), Some(case.section_id)))
            .collect()
    });
    assert_eq!(created.len(), 1, "{created:?}\n{}", first.both());
    let new_id = created[0].0;
    assert!(
        first.stdout.contains(&format!("C{new_id}")) && first.stdout.contains("#[testrail::case("),
        "the new ID is printed\n{}",
        first.both()
    );
    assert_eq!(
        world.sim.with_state(|state| state.cases.len()),
        cases_before + 1,
        "only the unmapped, not skipped, test gets a case"
    );
    let automation_id = world.sim.with_state(|state| {
        state.cases[&new_id]
            .custom
            .get("custom_automation_id")
            .cloned()
    });
    assert_eq!(
        automation_id,
        Some(serde_json::json!(
            "tests.test_cart::test_gift_wrapping_is_free"
        ))
    );

    let second = world.run(&args);
    assert_eq!(second.code, Some(0), "{}", second.both());
    assert_eq!(
        world.sim.with_state(|state| state.cases.len()),
        cases_before + 1,
        "nothing new the second time\n{}",
        second.both()
    );
    let sections = world.sim.with_state(|state| {
        state
            .sections
            .values()
            .filter(|s| s.name == "Imported" || s.name == "Python")
            .count()
    });
    assert_eq!(sections, 2, "the sections are made once");
}

#[test]
fn a_broken_file_is_an_error_not_a_panic() {
    let world = World::new();
    let broken = world.dir.path().join("broken.xml");
    std::fs::write(&broken, "<testsuites><testsuite name='x'><testcase").unwrap();
    let ran = world.run(&["import", "junit", broken.to_str().unwrap()]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(
        ran.stderr.contains("is not a JUnit XML report"),
        "{}",
        ran.both()
    );
    assert!(!ran.stderr.contains("panicked"), "{}", ran.both());
}
