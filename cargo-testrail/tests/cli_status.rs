//! `cargo testrail status` and `accept` on the example shop's test binaries: every sync
//! state, after editing, deleting and moving cases in the simulator between runs.

mod common;

use std::collections::BTreeMap;

use common::{World, workspace_root};

/// Case ID → state name, from `status --json`.
fn states(json: &serde_json::Value) -> BTreeMap<u64, String> {
    json["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|case| {
            (
                case["id"].as_u64().unwrap(),
                case["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const SHOP_CASES: [u64; 17] = [1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23];

#[test]
fn every_sync_state_after_accepting_and_changing_cases() {
    let world = World::new();
    let root = workspace_root();
    let lock = world.dir.path().join("testrail.lock");
    let lock_arg = lock.to_str().unwrap().to_owned();
    let status = |extra: &[&str]| {
        let mut args = vec![
            "status", "-p", "shop", "--lock", &lock_arg, "--suites", "Web Shop",
        ];
        args.extend_from_slice(extra);
        world.run_in(&root, &args)
    };

    // Nothing accepted yet: every linked case is New.
    let ran = status(&["--json"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    let found = states(&json);
    assert_eq!(
        found.keys().copied().collect::<Vec<_>>(),
        SHOP_CASES,
        "{}",
        ran.stdout
    );
    assert!(found.values().all(|state| state == "New"), "{found:?}");
    assert_eq!(json["unmapped"][0]["path"], "cart::cart_starts_empty");
    let step = json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["id"] == 10)
        .unwrap();
    assert_eq!(
        step["links"][0]["kind"], "step",
        "C10 is linked from a step"
    );

    // Accepted: Synced, and the lock file is sorted, one line per case.
    let ran = world.run_in(
        &root,
        &[
            "accept", "-p", "shop", "--lock", &lock_arg, "--suites", "Web Shop",
        ],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(ran.stdout.contains("accepted 17 case(s)"), "{}", ran.both());
    let text = std::fs::read_to_string(&lock).expect("the lock file");
    let ids: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with('C'))
        .map(|line| line.split(' ').next().unwrap())
        .collect();
    assert_eq!(ids.len(), 17);
    assert_eq!(ids[..3], ["C1", "C2", "C3"]);
    assert!(
        text.contains("title = \"Adding an item grows the cart\""),
        "{text}"
    );
    let ran = status(&[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(ran.stdout.contains("17 Synced"), "{}", ran.both());
    assert!(
        !ran.stdout.contains('\u{1b}'),
        "NO_COLOR: no colours\n{}",
        ran.stdout
    );

    // Changes in TestRail between runs.
    world.sim.touch_case(1, None).expect("C1 exists");
    world.sim.with_state_mut(|state| {
        let now = state.now();
        let case = state.cases.get_mut(&2).unwrap();
        case.title = "Remove the only item".into();
        case.updated_on = now + 60;
    });
    world
        .sim
        .with_state_mut(|state| state.cases.get_mut(&4).unwrap().is_deleted = true);
    let other_suite_section = world.sim.with_state(|state| {
        state
            .sections
            .values()
            .find(|section| section.suite_id == 2)
            .map(|section| section.id)
            .unwrap()
    });
    let other_section = world.sim.with_state(|state| {
        let own = state.cases[&6].section_id;
        state
            .sections
            .values()
            .find(|section| section.suite_id == 1 && section.id != own)
            .map(|section| section.id)
            .unwrap()
    });
    world.sim.with_state_mut(|state| {
        let moved = state.cases.get_mut(&5).unwrap();
        moved.suite_id = 2;
        moved.section_id = other_suite_section;
        state.cases.get_mut(&6).unwrap().section_id = other_section;
    });
    // C7 was never accepted.
    let without_c7: String = text
        .lines()
        .filter(|line| !line.starts_with("C7 "))
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(&lock, without_c7).unwrap();

    let ran = status(&["--json"]);
    assert_eq!(ran.code, Some(1), "Missing makes it fail\n{}", ran.both());
    let found = states(&serde_json::from_str(&ran.stdout).expect("JSON"));
    assert_eq!(found[&1], "Outdated", "edited");
    assert_eq!(found[&2], "Outdated", "renamed");
    assert_eq!(found[&3], "Synced");
    assert_eq!(found[&4], "Missing", "deleted");
    assert_eq!(found[&5], "Unconfigured", "moved to another suite");
    assert_eq!(found[&6], "Outdated", "moved to another section");
    assert_eq!(found[&7], "New", "not in the lock file");
    assert_eq!(found[&12], "Synced");

    // The colours of seed 000.
    let ran = status(&["--color", "always"]);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    for (state, colour) in [
        ("Synced", "\u{1b}[32m"),
        ("Outdated", "\u{1b}[38;5;208m"),
        ("Missing", "\u{1b}[31m"),
        ("New", "\u{1b}[34m"),
        ("Unconfigured", "\u{1b}[90m"),
    ] {
        assert!(
            ran.stdout.contains(&format!("{colour}{state}")),
            "{state} in {colour:?}\n{}",
            ran.stdout
        );
    }
    assert!(
        ran.stdout
            .contains("was \"Removing an item empties its line\""),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("suite Payments"), "{}", ran.stdout);

    // Accepting again: everything but the Missing case.
    let ran = world.run_in(
        &root,
        &[
            "accept", "-p", "shop", "--lock", &lock_arg, "--suites", "Web Shop",
        ],
    );
    assert_eq!(
        ran.code,
        Some(1),
        "the Missing case cannot be accepted\n{}",
        ran.both()
    );
    assert!(ran.stdout.contains("C4 is Missing"), "{}", ran.both());
    let ran = status(&["--json"]);
    let found = states(&serde_json::from_str(&ran.stdout).expect("JSON"));
    let not_synced: Vec<(&u64, &String)> = found
        .iter()
        .filter(|(_, state)| *state != "Synced")
        .collect();
    assert_eq!(
        not_synced,
        [
            (&4, &"Missing".to_owned()),
            (&5, &"Unconfigured".to_owned())
        ]
    );
}
