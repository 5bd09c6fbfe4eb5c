//! `cargo testrail push` on a real crate (in a temporary directory, depending on this
//! workspace's `testrail` by path) against the simulator: its tests run once, which records
//! their step plans; `push --dry-run` shows the diff (pinned as a snapshot) and changes
//! nothing; `push` sets the titles, the steps (on "Test Case (Steps)" cases only, with a line
//! for the others), refs from `known_bug` and a custom field, read back from the simulator;
//! a second push finds every case unchanged; `testrail.lock` holds the cases as TestRail has
//! them, so `status` shows them Synced.

mod common;
#[path = "../../tests/support/snapshot.rs"]
mod snapshot;
mod snapshot_cli;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Ran, World, workspace_root};

const CHECKOUT: &str = r#"#[testrail::step]
fn log_in(user: &str) {
    assert!(!user.is_empty());
}

#[testrail::step]
fn pay() {
    charge_card();
}

#[testrail::step]
fn charge_card() {}

#[testrail::case(C1, title = "Adds one item to an empty cart")]
fn adds_one_item() {
    log_in("ann");
    pay();
}

#[testrail::case(C2, known_bug = "SHOP-99")]
fn removes_an_item() {
    log_in("ann");
}

#[testrail::case(C3)]
fn keeps_the_cart_after_a_reload() {
    log_in("bob");
}

#[testrail::case(C4)]
fn prices_in_euros() {}

#[testrail::test]
fn shows_the_total() {}

testrail::main!();
"#;

/// The crate, in the world's directory.
fn shopfront(world: &World) -> PathBuf {
    common::user_crate(
        world,
        "\n[[test]]\nname = \"checkout\"\nharness = false\n",
        &[
            ("src/lib.rs", "//! A shop.\n"),
            ("tests/checkout.rs", CHECKOUT),
            (
                "testrail.toml",
                "[case_fields]\ncustom_automation_id = \"{path}\"\n",
            ),
        ],
    )
}

fn cli(world: &World, dir: &Path, args: &[&str]) -> Ran {
    common::cli_in_crate(world, dir, args)
}

/// What the simulator holds for a case: title, refs, step contents, two custom fields,
/// updated_on, updated_by.
#[derive(Clone, Debug, PartialEq)]
struct Held {
    title: String,
    refs: Option<String>,
    steps: Option<Vec<String>>,
    automation_id: Option<String>,
    preconds: Option<String>,
    updated_on: i64,
    updated_by: u64,
}

fn held(world: &World) -> BTreeMap<u64, Held> {
    world.sim.with_state(|state| {
        [1, 2, 3, 4]
            .into_iter()
            .map(|id| {
                let case = &state.cases[&id];
                let steps = case.custom.get("custom_steps_separated").map(|steps| {
                    steps
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| s["content"].as_str().unwrap().to_owned())
                        .collect()
                });
                let held = Held {
                    title: case.title.clone(),
                    refs: case.refs.clone(),
                    steps,
                    automation_id: case
                        .custom
                        .get("custom_automation_id")
                        .and_then(|v| v.as_str())
                        .map(str::to_owned),
                    preconds: case
                        .custom
                        .get("custom_preconds")
                        .and_then(|v| v.as_str())
                        .map(str::to_owned),
                    updated_on: case.updated_on,
                    updated_by: case.updated_by,
                };
                (id, held)
            })
            .collect()
    })
}

#[test]
fn push_sets_titles_steps_refs_and_fields_then_status_shows_them_synced() {
    let world = World::new();
    let dir = shopfront(&world);
    // C1, C2 and C4 use the "Test Case (Steps)" template (id 2), which has the Steps field;
    // C3 keeps "Test Case (Text)". C1 already has its first step, with an expected result;
    // C2 has a reference.
    world.sim.with_state_mut(|state| {
        for id in [1, 2, 4] {
            state.cases.get_mut(&id).unwrap().template_id = 2;
        }
        state.cases.get_mut(&2).unwrap().refs = Some("SHOP-1".into());
        state.cases.get_mut(&1).unwrap().custom.insert(
            "custom_steps_separated".into(),
            serde_json::json!([{"content": "log_in", "expected": "signed in"}, {"content": "browse", "expected": ""}]),
        );
    });
    world.sim.freeze_clock(true);

    // The tests run once: passing tests record their steps.
    let ran = common::run(common::crate_cargo_test(&world, &dir).env("TESTRAIL_PROJECT", "Shop"));
    assert_eq!(ran.code, Some(0), "{}", ran.both());

    // A dry run shows each change and changes nothing.
    let before = held(&world);
    let args = ["push", "--dry-run"];
    let ran = cli(&world, &dir, &args);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    snapshot_cli::assert_cli(&world, "push_dry_run", &args, &ran, &[]);
    assert_eq!(held(&world), before, "a dry run changes nothing");
    assert!(
        !dir.join("testrail.lock").exists(),
        "a dry run writes no lock file"
    );

    // The push.
    world.sim.advance_clock(60);
    world.sim.clear_log();
    let ran = cli(&world, &dir, &["push"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let after = held(&world);
    let updates = world
        .sim
        .log()
        .iter()
        .filter(|entry| entry.endpoint == "update_case")
        .count();
    assert_eq!(updates, 4, "one update_case per changed case");
    let c1 = &after[&1];
    assert_eq!(c1.title, "Adds one item to an empty cart");
    assert_eq!(
        c1.steps.as_deref(),
        Some(&["log_in".to_owned(), "pay".to_owned()][..]),
        "the steps the test called, not the step that pay calls"
    );
    assert_eq!(c1.automation_id.as_deref(), Some("checkout::adds_one_item"));
    assert_eq!(
        (c1.updated_on, c1.updated_by),
        (world.sim.now(), 1),
        "updated_on and updated_by move"
    );
    assert_ne!(c1.updated_on, before[&1].updated_on);
    let expected_kept = world
        .sim
        .with_state(|s| s.cases[&1].custom["custom_steps_separated"][0]["expected"].clone());
    assert_eq!(
        expected_kept, "signed in",
        "a step that stays keeps its expected result"
    );
    let c2 = &after[&2];
    assert_eq!(c2.title, "removes_an_item");
    assert_eq!(c2.steps.as_deref(), Some(&["log_in".to_owned()][..]));
    assert_eq!(
        c2.refs.as_deref(),
        Some("SHOP-1,SHOP-99"),
        "known_bug is added, none removed"
    );
    let c3 = &after[&3];
    assert_eq!(c3.title, "keeps_the_cart_after_a_reload");
    assert_eq!(c3.steps, None, "a Text case gets no steps");
    assert!(
        ran.stdout.contains(
            "steps not pushed: the case's template \"Test Case (Text)\" has no custom_steps_separated field"
        ),
        "{}",
        ran.both()
    );
    let c4 = &after[&4];
    assert_eq!((c4.title.as_str(), &c4.steps), ("prices_in_euros", &None));
    assert!(
        ran.stdout
            .contains("steps not pushed: no step plan for this test"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stdout.contains("shows_the_total"),
        "the test without a case is listed\n{}",
        ran.both()
    );
    assert!(
        common::cases_titled(&world, "shows_the_total").is_empty(),
        "push creates no case"
    );
    assert!(
        ran.stdout
            .contains("4 case(s) updated, 0 unchanged, 0 skipped"),
        "{}",
        ran.both()
    );

    // testrail.lock holds the cases as TestRail has them now.
    let lock = std::fs::read_to_string(dir.join("testrail.lock")).expect("the lock file");
    for (id, case) in &after {
        let line = lock
            .lines()
            .find(|line| line.starts_with(&format!("C{id} ")))
            .unwrap_or_else(|| panic!("C{id} in {lock}"));
        assert!(
            line.contains(&format!("updated_on = {}", case.updated_on)),
            "{line}"
        );
    }

    // Twice: nothing to send.
    world.sim.advance_clock(60);
    world.sim.clear_log();
    let ran = cli(&world, &dir, &["push", "--json"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    let outcomes: Vec<&str> = json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["unchanged"; 4], "{}", ran.stdout);
    assert_eq!(held(&world), after, "a second push changes nothing");
    assert!(
        world
            .sim
            .log()
            .iter()
            .all(|entry| entry.endpoint != "update_case"),
        "a second push sends nothing"
    );

    // Synced.
    let ran = cli(&world, &dir, &["status", "--json", "--suites", "Web Shop"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    let states: Vec<(u64, &str)> = json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_u64().unwrap(), c["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [(1, "Synced"), (2, "Synced"), (3, "Synced"), (4, "Synced")]
    );

    // --only: a title changed in TestRail comes back, the steps are left alone; a field
    // given with --case-field is set.
    world.sim.with_state_mut(|state| {
        let case = state.cases.get_mut(&1).unwrap();
        case.title = "Edited in TestRail".into();
        case.custom.insert(
            "custom_steps_separated".into(),
            serde_json::json!([{"content": "edited", "expected": ""}]),
        );
    });
    let ran = cli(
        &world,
        &dir,
        &[
            "push",
            "--only",
            "title,fields",
            "--case-field",
            "custom_preconds=Runs {name}",
        ],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let now = held(&world);
    assert_eq!(now[&1].title, "Adds one item to an empty cart");
    assert_eq!(now[&1].steps.as_deref(), Some(&["edited".to_owned()][..]));
    assert_eq!(now[&1].preconds.as_deref(), Some("Runs adds_one_item"));

    // What cannot be pushed is skipped with a line, and the exit code is 1: a case linked
    // from two tests, a case TestRail does not have, a field it does not have.
    let more = "#[testrail::case(C3)]\nfn reloads_twice() {}\n\n#[testrail::case(C9999)]\nfn gone() {}\n\ntestrail::main!();";
    let source = CHECKOUT.replace("testrail::main!();", more);
    std::fs::write(dir.join("tests/checkout.rs"), source).unwrap();
    let before = held(&world);
    let ran = cli(
        &world,
        &dir,
        &["push", "--case-field", "custom_nonexistent=x"],
    );
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    for line in [
        "C3 skipped",
        "linked from 2 places",
        "C9999 missing",
        "no such case in TestRail (Missing)",
        "custom_nonexistent not pushed: TestRail has no case field custom_nonexistent",
    ] {
        assert!(ran.stdout.contains(line), "{line:?}\n{}", ran.both());
    }
    assert_eq!(held(&world)[&3], before[&3], "C3 is left alone");

    // A user who may not edit cases: the error names the case and what to do; the key is
    // never printed.
    std::fs::write(dir.join("tests/checkout.rs"), CHECKOUT).unwrap();
    world.sim.with_state_mut(|state| {
        state.cases.get_mut(&2).unwrap().title = "Edited again".into();
    });
    std::fs::remove_file(dir.join("testrail.lock")).unwrap();
    let mut command = world.command(&["push"]);
    for (name, _) in std::env::vars() {
        if name.starts_with("CARGO_") && name != "CARGO_HOME" {
            command.env_remove(name);
        }
    }
    command
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", workspace_root().join("target"))
        .env("TESTRAIL_USER", "tester@shop.test")
        .env("TESTRAIL_API_KEY", "tester-api-key");
    let ran = common::run(&mut command);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(
        ran.stderr.contains("C2 could not be updated")
            && ran.stderr.contains("not allowed to edit test cases")
            && ran.stderr.contains("run `cargo testrail push` again"),
        "{}",
        ran.both()
    );
    assert!(!ran.both().contains("tester-api-key"), "{}", ran.both());
    assert_eq!(held(&world)[&2].title, "Edited again");
    let lock = std::fs::read_to_string(dir.join("testrail.lock")).expect("the lock file");
    assert!(
        lock.lines().any(|line| line.starts_with("C1 ")) && !lock.contains("C2 "),
        "the case before the refused one is recorded, the refused one is not\n{lock}"
    );
}
