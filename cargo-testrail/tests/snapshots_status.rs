//! Snapshots of `cargo testrail status` and `accept` on the example shop's test binaries:
//! every case New, then accepted, then after cases were edited, renamed, deleted and moved
//! in TestRail; text and `--json`.

mod common;
#[path = "../../tests/support/snapshot.rs"]
mod snapshot;
mod snapshot_cli;

use common::{World, workspace_root};
use snapshot_cli::assert_cli;

/// `cargo testrail <command> -p shop --lock <lock> --suites "Web Shop" <extra>` in the
/// workspace, pinned as snapshot `name`.
fn shop(world: &World, name: &str, command: &str, extra: &[&str]) -> common::Ran {
    let lock = world.dir.path().join("testrail.lock");
    let lock = lock.to_str().unwrap();
    let mut args = vec![
        command, "-p", "shop", "--lock", lock, "--suites", "Web Shop",
    ];
    args.extend_from_slice(extra);
    let ran = world.run_in(&workspace_root(), &args);
    assert_cli(world, name, &args, &ran, &[]);
    ran
}

#[test]
fn status_and_accept_through_every_sync_state() {
    let world = World::new();
    let ran = shop(&world, "status_all_new", "status", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    shop(&world, "status_all_new_json", "status", &["--json"]);
    let ran = shop(&world, "accept_first_time", "accept", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let ran = shop(&world, "status_all_synced", "status", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());

    // Changes in TestRail, at a fixed time (2026-01-01 00:00 UTC) so `updated_on` is the
    // same on every run: C1 edited, C2 renamed, C4 deleted, C5 moved to another suite.
    world.sim.set_clock(1_767_225_600);
    world.sim.freeze_clock(true);
    world.sim.touch_case(1, None).expect("C1 exists");
    world.sim.with_state_mut(|state| {
        let now = state.now();
        let case = state.cases.get_mut(&2).unwrap();
        case.title = "Remove the only item".into();
        case.updated_on = now + 60;
        state.cases.get_mut(&4).unwrap().is_deleted = true;
    });
    let other_suite_section = world.sim.with_state(|state| {
        state
            .sections
            .values()
            .filter(|section| section.suite_id == 2)
            .map(|section| section.id)
            .min()
            .unwrap()
    });
    world.sim.with_state_mut(|state| {
        let moved = state.cases.get_mut(&5).unwrap();
        moved.suite_id = 2;
        moved.section_id = other_suite_section;
    });
    let ran = shop(&world, "status_changed", "status", &[]);
    assert_eq!(ran.code, Some(1), "Missing makes it fail\n{}", ran.both());
    shop(&world, "status_changed_json", "status", &["--json"]);
    let ran = shop(&world, "accept_with_a_missing_case", "accept", &[]);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
}
