//! Snapshots of `cargo testrail upload` (the first time, text and `--json`; resumed after
//! an outage midway; already done; nothing to send; no session) and of `cargo testrail
//! create`. The dry run is pinned elsewhere.

mod common;
#[path = "../../tests/support/snapshot.rs"]
mod snapshot;
mod snapshot_cli;

use common::{World, failed, passed, spool};
use snapshot_cli::run;
use testrail_sim::{FaultKind, FaultRule};

#[test]
fn upload_first_time_then_already_done() {
    let world = World::new();
    spool(
        &world,
        "build-1",
        "cart",
        7,
        vec![
            passed("cart::adds", &[1]),
            failed("cart::removes", &[2, 3]),
            passed("cart::unlinked", &[]),
        ],
    );
    let ran = run(&world, "upload_first_time", &["upload"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let ran = run(&world, "upload_already_done", &["upload"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    run(&world, "upload_already_done_json", &["upload", "--json"]);
}

#[test]
fn upload_first_time_json() {
    let world = World::new();
    spool(
        &world,
        "build-2",
        "cart",
        7,
        vec![passed("cart::adds", &[1]), failed("cart::removes", &[2])],
    );
    let ran = run(&world, "upload_first_time_json", &["upload", "--json"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
}

#[test]
fn upload_resumed_after_an_outage() {
    let world = World::new();
    let mut dirs = Vec::new();
    for shard in 0..2u64 {
        let key = format!("shard-{shard}");
        let tests = (1..=6)
            .map(|i| {
                let case = shard * 6 + i;
                passed(&format!("shard{shard}::case_{case}"), &[case])
            })
            .collect();
        spool(&world, &key, "shop", 100 + shard as u32, tests);
        dirs.push(world.session_dir(&key).display().to_string());
    }
    let mut args = vec!["upload", "--batch-size", "3", "--max-in-flight", "1"];
    args.extend(dirs.iter().map(String::as_str));
    // From the third batch on TestRail fails.
    world.sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 500,
            html: false,
        })
        .on("add_results_for_cases")
        .after(2),
    );
    let ran = run(&world, "upload_outage", &args);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    world.sim.clear_faults();
    let ran = run(&world, "upload_resumed", &args);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let ran = run(&world, "upload_resumed_again", &args);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
}

#[test]
fn upload_nothing_to_send() {
    let world = World::new();
    spool(
        &world,
        "unlinked",
        "cart",
        7,
        vec![passed("cart::adds", &[]), passed("cart::removes", &[])],
    );
    run(&world, "upload_nothing_to_send", &["upload"]);
    run(&world, "upload_nothing_to_send_json", &["upload", "--json"]);
}

#[test]
fn upload_without_a_session() {
    let world = World::new();
    run(&world, "upload_no_session", &["upload"]);
    run(
        &world,
        "upload_not_a_session",
        &["upload", "/definitely/not/here"],
    );
}

#[test]
fn create_then_create_again() {
    let world = World::new();
    spool(
        &world,
        "s1",
        "checkout",
        3,
        vec![
            passed("checkout::pays", &[12]),
            passed("checkout::gift_cards_are_accepted", &[]),
            passed("checkout::refunds_in_full", &[]),
        ],
    );
    let args = [
        "create",
        "--create-section",
        "Web Shop/Automated/Rust",
        "--case-field",
        "custom_automation_id={path}",
    ];
    let ran = run(&world, "create_first_time", &args);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let ran = run(
        &world,
        "create_again_json",
        &[&args[..], &["--json"]].concat(),
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    run(&world, "create_without_section", &["create"]);
}

#[test]
fn upload_closing_the_run() {
    let world = World::new();
    spool(&world, "close", "cart", 7, vec![passed("cart::adds", &[1])]);
    let ran = run(&world, "upload_close_run", &["upload", "--close-run"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
}

#[test]
fn upload_without_a_key_strict_and_warn() {
    let world = World::new();
    spool(&world, "fork", "cart", 7, vec![passed("cart::adds", &[1])]);
    let upload = |name: &str, env: &[(&str, &str)]| {
        let mut command = world.command(&["upload"]);
        command.env("TESTRAIL_API_KEY", "");
        for (key, value) in env {
            command.env(key, value);
        }
        let ran = common::run(&mut command);
        snapshot_cli::assert_cli(&world, name, &["upload"], &ran, &[]);
        ran
    };
    let ran = upload("upload_no_key_strict", &[]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    let ran = upload("upload_no_key_warn", &[("TESTRAIL_EXPORT_FAILURE", "warn")]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(world.run_ids().is_empty(), "nothing was sent");
}
