//! `cargo testrail check`: what works, and exactly what does not.

mod common;

use common::World;
use testrail_sim::{FaultKind, FaultRule};

#[test]
fn a_working_setup_shows_user_project_and_suites() {
    let world = World::new();
    let ran = world.run(&["check", "--suites", "Web Shop,2"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    for text in [
        "Ada Admin <admin@shop.test>",
        "Shop (P1), multiple suites",
        "Web Shop (S1), Payments (S2)",
    ] {
        assert!(ran.stdout.contains(text), "{text}\n{}", ran.both());
    }
    assert!(!ran.stdout.contains(world.sim.api_key()));

    let ran = world.run(&["check", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    assert_eq!(json["ok"], true);
    assert_eq!(json["project"]["suite_mode"], 3);
    assert_eq!(json["suites"].as_array().unwrap().len(), 3, "every suite");
}

#[test]
fn each_problem_is_named_with_what_to_do() {
    let world = World::new();
    let check = |env: &[(&str, &str)], args: &[&str]| {
        let mut command = world.command(&[&["check"], args].concat());
        for (name, value) in env {
            command.env(name, value);
        }
        common::run(&mut command)
    };

    let ran = check(&[("TESTRAIL_API_KEY", "wrong-key")], &[]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(ran.stdout.contains("✗ credentials"), "{}", ran.both());
    assert!(
        !ran.both().contains("wrong-key"),
        "the key is never printed\n{}",
        ran.both()
    );

    let ran = check(&[], &["--project", "Shopp"]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(ran.stdout.contains("✗ project"), "{}", ran.both());
    assert!(
        ran.stdout.contains("Shop (1)"),
        "the projects are listed\n{}",
        ran.both()
    );

    let ran = check(&[], &["--suites", "Web Shop,Desktop"]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(ran.stdout.contains("✗ suites"), "{}", ran.both());
    assert!(ran.stdout.contains("\"Desktop\""), "{}", ran.both());

    let ran = check(&[("TESTRAIL_URL", "")], &[]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(
        ran.stdout.contains("✗ settings") && ran.stdout.contains("TESTRAIL_URL"),
        "{}",
        ran.both()
    );

    let ran = check(&[("TESTRAIL_URL", "http://127.0.0.1:9")], &[]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(ran.stdout.contains("✗ address"), "{}", ran.both());

    world
        .sim
        .add_fault(FaultRule::new(FaultKind::LoginPage).on("get_current_user"));
    let ran = check(&[], &["--json"]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    assert_eq!(json["ok"], false);
    assert_eq!(json["failed_step"], "address", "{}", ran.stdout);
}

#[test]
fn a_run_of_a_suite_that_is_not_configured_is_named() {
    let world = World::new();
    let made = world.run(&[
        "run",
        "create",
        "--build",
        "payments-1",
        "--suites",
        "Payments",
        "--json",
    ]);
    assert_eq!(made.code, Some(0), "{}", made.both());
    let made: serde_json::Value = serde_json::from_str(&made.stdout).expect("JSON");
    let run_id = made["run_id"].to_string();
    let ran = world.run(&["check", "--suites", "Web Shop", "--run-id", &run_id]);
    assert_ne!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.both().contains(&format!("run {run_id} (payments-1 "))
            && ran
                .both()
                .contains(") holds suite S2, which is not among the configured suites"),
        "{}",
        ran.both()
    );
    let ran = world.run(&[
        "check",
        "--suites",
        "Web Shop,Payments",
        "--run-id",
        &run_id,
    ]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
}
