//! Case creation for the unmapped tests of spooled sessions: `cargo testrail create` and
//! `upload --create-missing`, idempotent, with fields from `--case-field`.

mod common;

use common::{World, cases_titled, passed, spool};

#[test]
fn create_twice_creates_once() {
    let world = World::new();
    spool(
        &world,
        "s1",
        "checkout",
        3,
        vec![
            passed("checkout::pays", &[12]),
            passed("checkout::gift_cards_are_accepted", &[]),
        ],
    );
    let args = [
        "create",
        "--create-section",
        "Web Shop/Automated/Rust",
        "--case-field",
        "custom_automation_id={path}",
        "--case-field",
        "priority_id=3",
    ];
    let first = world.run(&args);
    assert_eq!(first.code, Some(0), "{}", first.both());
    let created = cases_titled(&world, "gift_cards_are_accepted");
    assert_eq!(created.len(), 1, "{}", first.both());
    let id = created[0];
    assert!(
        first.stdout.contains(&format!("created C{id}"))
            && first.stdout.contains(&format!("#[testrail::case(C{id})]")),
        "{}",
        first.both()
    );
    let (automation_id, priority) = world.sim.with_state(|state| {
        let case = &state.cases[&id];
        (
            case.custom.get("custom_automation_id").cloned(),
            case.priority_id,
        )
    });
    assert_eq!(
        automation_id,
        Some(serde_json::json!("checkout::gift_cards_are_accepted"))
    );
    assert_eq!(priority, 3);

    let second = world.run(&[&args[..], &["--json"]].concat());
    assert_eq!(second.code, Some(0), "{}", second.both());
    let json: serde_json::Value = serde_json::from_str(&second.stdout).expect("JSON");
    assert_eq!(json[0]["case_id"], id);
    assert_eq!(json[0]["created"], false, "{}", second.stdout);
    assert_eq!(cases_titled(&world, "gift_cards_are_accepted"), [id]);
    let sections = world.sim.with_state(|state| {
        state
            .sections
            .values()
            .filter(|s| s.name == "Automated" || s.name == "Rust")
            .count()
    });
    assert_eq!(sections, 2);
}

#[test]
fn upload_creates_missing_cases_when_asked_and_not_otherwise() {
    let world = World::new();
    spool(
        &world,
        "s2",
        "cart",
        4,
        vec![passed("cart::adds", &[1]), passed("cart::wraps_gifts", &[])],
    );
    let ran = world.run(&["upload", "--create-missing", "--no-create"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(cases_titled(&world, "wraps_gifts").is_empty());

    let ran = world.run(&["upload", "--create-missing"]);
    assert_eq!(
        ran.code,
        Some(2),
        "creation needs a section\n{}",
        ran.both()
    );
    assert!(ran.stderr.contains("--create-section"), "{}", ran.both());

    let mut command = world.command(&["upload"]);
    command
        .env("TESTRAIL_CREATE_MISSING", "1")
        .env("TESTRAIL_CREATE_SECTION", "Automated");
    let ran = common::run(&mut command);
    assert_eq!(
        ran.code,
        Some(2),
        "two suites configured: the suite must be named\n{}",
        ran.both()
    );
    let ran = world.run(&[
        "upload",
        "--create-missing",
        "--create-section",
        "Automated",
        "--suites",
        "Web Shop",
    ]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let created = cases_titled(&world, "wraps_gifts");
    assert_eq!(created.len(), 1, "{}", ran.both());
    assert!(
        ran.stdout.contains(&format!("C{}", created[0])),
        "{}",
        ran.both()
    );
}

#[test]
fn upload_into_an_existing_run_or_a_new_plan() {
    let world = World::new();
    spool(&world, "a", "cart", 1, vec![passed("cart::adds", &[1])]);
    let ran = world.run(&["upload", "--json"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    let run_id = json["runs"][0]["id"].as_u64().expect("a run");

    spool(&world, "b", "cart", 2, vec![passed("cart::removes", &[2])]);
    let run_arg = run_id.to_string();
    let ran = world.run(&["upload", "--run-id", &run_arg]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(
        world
            .results_per_case(run_id)
            .keys()
            .copied()
            .collect::<Vec<_>>(),
        [1, 2],
        "the second session reported into the existing run"
    );

    // Two sessions with cases of two suites, into one new plan.
    spool(&world, "web", "cart", 3, vec![passed("cart::x", &[3])]);
    spool(
        &world,
        "pay",
        "payments",
        4,
        vec![passed("payments::y", &[111])],
    );
    let plans_before = world.sim.with_state(|state| state.plans.len());
    let web = world.session_dir("web");
    let pay = world.session_dir("pay");
    let ran = world.run(&[
        "upload",
        "--plan",
        web.to_str().unwrap(),
        pay.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    let plan_id = json["plan_id"].as_u64().expect("a plan");
    assert_eq!(
        world.sim.with_state(|state| state.plans.len()),
        plans_before + 1
    );
    let runs_in_plan = world.sim.with_state(|state| {
        state
            .runs
            .values()
            .filter(|run| run.plan_id == Some(plan_id))
            .count()
    });
    assert_eq!(runs_in_plan, 2, "one entry per suite, in one plan");
}

#[test]
fn tests_of_the_same_name_in_two_modules_get_a_case_each() {
    let world = World::new();
    let args = ["create", "--create-section", "Web Shop/Automated/Rust"];
    spool(
        &world,
        "s1",
        "basic",
        3,
        vec![
            passed("basic::unmapped_one", &[]),
            passed("other::unmapped_one", &[]),
        ],
    );
    let first = world.run(&args);
    assert_eq!(first.code, Some(0), "{}", first.both());
    let basic = cases_titled(&world, "unmapped_one (basic)");
    let other = cases_titled(&world, "unmapped_one (other)");
    assert_eq!((basic.len(), other.len()), (1, 1), "{}", first.both());
    assert!(cases_titled(&world, "unmapped_one").is_empty());
    let again = world.run(&args);
    assert!(
        again.stdout.matches("exists").count() == 2,
        "{}",
        again.both()
    );
    assert_eq!(cases_titled(&world, "unmapped_one (basic)"), basic);

    // A case linked to one test is not given to another of the same name.
    let world = World::new();
    spool(&world, "s1", "basic", 3, vec![passed("basic::pays", &[])]);
    let first = world.run(&args);
    assert_eq!(first.code, Some(0), "{}", first.both());
    let [linked] = cases_titled(&world, "pays")[..] else {
        panic!("one case: {}", first.both());
    };
    spool(
        &world,
        "s2",
        "basic",
        4,
        vec![passed("basic::pays", &[linked]), passed("other::pays", &[])],
    );
    let second = world.run(&args);
    assert_eq!(second.code, Some(0), "{}", second.both());
    let [own] = cases_titled(&world, "pays (other)")[..] else {
        panic!("a case of its own: {}", second.both());
    };
    assert_ne!(own, linked);
    assert!(
        second.stdout.contains(&format!("created C{own}")),
        "{}",
        second.both()
    );
}
