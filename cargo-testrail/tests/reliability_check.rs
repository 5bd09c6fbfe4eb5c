//! Reliability, scenario 13 (issue 10): `cargo testrail check` says "exports will work" only
//! when they will. Each verdict is confirmed by doing the export it judged: what `check`
//! refuses, TestRail refuses; what it accepts, TestRail stores.

mod common;

use common::World;

/// A session with one passed test linked to C101 (suite Web Shop).
fn spooled(world: &World, key: &str) {
    common::spool(
        world,
        key,
        "checkout",
        1,
        vec![common::passed("checkout::pays", &[101])],
    );
}

/// `cargo testrail <args>` as `email` / `key`.
fn as_user(world: &World, email: &str, key: &str, args: &[&str]) -> common::Ran {
    let mut command = world.command(args);
    command
        .env("TESTRAIL_USER", email)
        .env("TESTRAIL_API_KEY", key)
        .env("TESTRAIL_SUITES", "Web Shop");
    common::run(&mut command)
}

#[test]
fn a_mapping_that_names_a_status_testrail_lacks_fails_check_and_export() {
    let world = World::new();
    std::fs::write(
        world.dir.path().join("testrail.toml"),
        "[mapping.labels]\nNoBug = \"Needs review\"\n",
    )
    .unwrap();
    let ran = world.run(&["check"]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(
        ran.stdout.contains(
            "✗ status mapping: the status mapping names \"Needs review\", which TestRail does not have; valid statuses: Passed (passed, 1)"
        ),
        "{}",
        ran.both()
    );
    assert!(
        ran.stdout
            .contains("Flaky (custom_status1, 6), Known Bug (custom_status2, 7)"),
        "custom statuses are listed\n{}",
        ran.both()
    );
    assert!(!ran.stdout.contains("exports will work"), "{}", ran.both());
    // The export says the same, and sends nothing.
    spooled(&world, "mapping");
    let upload = world.run(&["upload"]);
    assert_eq!(upload.code, Some(2), "{}", upload.both());
    assert!(
        upload.stderr.contains("\"Needs review\""),
        "{}",
        upload.both()
    );
    assert!(world.results_per_case(1).is_empty());

    // A custom status TestRail has passes.
    std::fs::write(
        world.dir.path().join("testrail.toml"),
        "[mapping.labels]\nNoBug = \"Flaky\"\n",
    )
    .unwrap();
    let ran = world.run(&["check"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout
            .contains("✓ statuses  every status the mapping names exists in TestRail"),
        "{}",
        ran.both()
    );
}

#[test]
fn a_read_only_user_is_refused_by_check_as_testrail_refuses_the_export() {
    let world = World::new();
    let ran = as_user(&world, "viewer@shop.test", "viewer-api-key", &["check"]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(
        ran.stdout.contains(
            "✗ permissions: viewer@shop.test has role Read-only, which may not add results (the export must add runs and results): ask a TestRail admin for the Lead role (or Tester, to report into an existing run)"
        ),
        "{}",
        ran.both()
    );
    let json = as_user(
        &world,
        "viewer@shop.test",
        "viewer-api-key",
        &["check", "--json"],
    );
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["ok"], false);
    assert_eq!(json["failed_step"], "permissions");
    // What TestRail does with that user's export: 403 on add_run.
    spooled(&world, "viewer");
    let upload = as_user(&world, "viewer@shop.test", "viewer-api-key", &["upload"]);
    assert_eq!(upload.code, Some(2), "{}", upload.both());
    assert!(
        upload
            .stderr
            .contains("You are not allowed to add test runs (insufficient permissions)."),
        "{}",
        upload.both()
    );
    assert!(world.run_ids().is_empty());
}

#[test]
fn a_tester_may_report_into_an_existing_run_but_not_create_one() {
    let world = World::new();
    let ran = as_user(&world, "tester@shop.test", "tester-api-key", &["check"]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(
        ran.stdout.contains("✗ permissions: tester@shop.test has role Tester, which (as TestRail's default Tester role) may add results but not runs or plans"),
        "{}",
        ran.both()
    );
    spooled(&world, "tester-new");
    let upload = as_user(&world, "tester@shop.test", "tester-api-key", &["upload"]);
    assert_eq!(upload.code, Some(2), "{}", upload.both());
    assert!(world.run_ids().is_empty(), "{}", upload.both());

    // A lead makes the run (with every case); the tester reports into it.
    let lead = as_user(&world, "lead@shop.test", "lead-api-key", &["upload"]);
    assert_eq!(lead.code, Some(0), "{}", lead.both());
    assert_eq!(world.run_ids(), [1]);
    let ran = as_user(
        &world,
        "tester@shop.test",
        "tester-api-key",
        &["check", "--run-id", "1"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    for text in [
        "✓ access    role Tester: may add results to run R1, but not add missing cases to it (that needs the Lead role)",
        "✓ target    run 1 (",
        ") is open",
        "TestRail is set up: exports will work",
    ] {
        assert!(ran.stdout.contains(text), "{text}\n{}", ran.both());
    }
    spooled(&world, "tester-existing");
    let upload = as_user(
        &world,
        "tester@shop.test",
        "tester-api-key",
        &["upload", "--run-id", "1"],
    );
    assert_eq!(upload.code, Some(0), "{}", upload.both());
    assert_eq!(
        world.results_per_case(1).get(&101),
        Some(&2),
        "one result per session"
    );
}

#[test]
fn a_closed_or_unknown_run_is_named_by_check() {
    let world = World::new();
    spooled(&world, "closed");
    let closed = world.run(&["upload", "--close-run"]);
    assert_eq!(closed.code, Some(0), "{}", closed.both());
    let ran = world.run(&["check", "--run-id", "1"]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(
        ran.stdout.contains("✗ target: run 1 (")
            && ran
                .stdout
                .contains(") is closed: TestRail refuses results for closed runs and plans"),
        "{}",
        ran.both()
    );
    let ran = world.run(&["check", "--run-id", "999"]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(
        ran.stdout.contains("✗ target: TestRail has no run 999"),
        "{}",
        ran.both()
    );
    let ran = world.run(&["check", "--plan-id", "999"]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(
        ran.stdout.contains("✗ target: TestRail has no plan 999"),
        "{}",
        ran.both()
    );
}

#[test]
fn an_admin_or_lead_gets_exports_will_work() {
    let world = World::new();
    for (email, key, role) in [
        ("admin@shop.test", "admin-api-key", "Administrator"),
        ("lead@shop.test", "lead-api-key", "Lead"),
    ] {
        let ran = as_user(&world, email, key, &["check"]);
        assert_eq!(ran.code, Some(0), "{}", ran.both());
        for text in [
            format!("✓ access    role {role}: may add runs and results"),
            "✓ statuses  every status the mapping names exists in TestRail".to_owned(),
            "TestRail is set up: exports will work".to_owned(),
        ] {
            assert!(ran.stdout.contains(&text), "{text}\n{}", ran.both());
        }
    }
}
