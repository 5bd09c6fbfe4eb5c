//! `cargo testrail upload`: the latest session, named sessions, several sessions into one
//! run, and the resume of an upload that failed midway, exactly once.

mod common;

use common::{World, failed, passed, spool};
use testrail_sim::{FaultKind, FaultRule};

#[test]
fn uploads_the_latest_session_once() {
    let world = World::new();
    let runs_before = world.run_ids();
    spool(
        &world,
        "build-1",
        "cart",
        7,
        vec![passed("cart::adds", &[1]), failed("cart::removes", &[2, 3])],
    );
    let ran = world.run(&["upload"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(ran.stdout.contains("sent 3 result(s)"), "{}", ran.both());

    let new_runs: Vec<u64> = world
        .run_ids()
        .into_iter()
        .filter(|id| !runs_before.contains(id))
        .collect();
    assert_eq!(new_runs.len(), 1, "one new run");
    let statuses = world.statuses(new_runs[0]);
    assert_eq!(statuses[&1], [1], "passed");
    assert_eq!(statuses[&2], [5], "failed");
    assert_eq!(statuses[&3], [5], "failed");

    let again = world.run(&["upload", "--json"]);
    assert_eq!(again.code, Some(0), "{}", again.both());
    let json: serde_json::Value = serde_json::from_str(&again.stdout).expect("JSON");
    assert_eq!(json["sent"], 0, "{}", again.stdout);
    assert_eq!(json["already_stored"], 3, "{}", again.stdout);
    assert_eq!(
        world.results_per_case(new_runs[0]).values().sum::<usize>(),
        3
    );
}

#[test]
fn three_sessions_go_into_one_run_and_a_failed_upload_resumes_exactly_once() {
    let world = World::new();
    let runs_before = world.run_ids();
    let mut dirs = Vec::new();
    for shard in 0..3u64 {
        let key = format!("shard-{shard}");
        let tests = (1..=8)
            .map(|i| {
                let case = shard * 8 + i;
                passed(&format!("shard{shard}::case_{case}"), &[case])
            })
            .collect();
        spool(&world, &key, "shop", 100 + shard as u32, tests);
        dirs.push(world.session_dir(&key).display().to_string());
    }
    let mut args = vec!["upload", "--batch-size", "3"];
    args.extend(dirs.iter().map(String::as_str));

    // The second batch is stored but its answer is lost; from the fifth on TestRail fails.
    world.sim.add_fault(
        FaultRule::new(FaultKind::DropAfter)
            .on("add_results_for_cases")
            .after(1)
            .times(1),
    );
    world.sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 500,
            html: false,
        })
        .on("add_results_for_cases")
        .after(4),
    );
    let ran = world.run(&args);
    assert_eq!(ran.code, Some(2), "the upload fails midway\n{}", ran.both());
    assert!(
        ran.stderr.contains("cargo testrail upload") && ran.stderr.contains("shard-2"),
        "the error names the command that resumes every session\n{}",
        ran.both()
    );
    let new_runs: Vec<u64> = world
        .run_ids()
        .into_iter()
        .filter(|id| !runs_before.contains(id))
        .collect();
    assert_eq!(new_runs.len(), 1, "one run so far");
    let partial: usize = world.results_per_case(new_runs[0]).values().sum();
    assert!(partial > 0 && partial < 24, "a partial upload: {partial}");

    world.sim.clear_faults();
    let resumed = world.run(&args);
    assert_eq!(resumed.code, Some(0), "{}", resumed.both());
    let new_runs: Vec<u64> = world
        .run_ids()
        .into_iter()
        .filter(|id| !runs_before.contains(id))
        .collect();
    assert_eq!(new_runs, [new_runs[0]], "still one run");
    let counts = world.results_per_case(new_runs[0]);
    assert_eq!(counts.len(), 24, "every case has a result: {counts:?}");
    assert!(
        counts.values().all(|count| *count == 1),
        "exactly once: {counts:?}"
    );

    let again = world.run(&args);
    assert_eq!(again.code, Some(0), "{}", again.both());
    assert!(
        again.stdout.contains("nothing new to send"),
        "{}",
        again.both()
    );
    assert_eq!(
        world.results_per_case(new_runs[0]).values().sum::<usize>(),
        24
    );
}

#[test]
fn a_missing_session_says_what_to_do() {
    let world = World::new();
    let ran = world.run(&["upload"]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(
        ran.stderr.contains("no session to upload"),
        "{}",
        ran.both()
    );
    assert!(ran.stderr.contains("cargo test"), "{}", ran.both());

    let ran = world.run(&["upload", "/definitely/not/here"]);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert!(
        ran.stderr.contains("is not a session directory"),
        "{}",
        ran.both()
    );
    assert!(
        !ran.stderr.contains(world.sim.api_key()),
        "the key is never printed"
    );
}

#[test]
fn dry_run_sends_nothing() {
    let world = World::new();
    spool(&world, "dry", "cart", 1, vec![passed("cart::adds", &[1])]);
    world.sim.clear_log();
    let ran = world.run(&["upload", "--dry-run"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout.contains("add_results_for_cases"),
        "{}",
        ran.both()
    );
    assert!(!ran.stdout.contains(world.sim.api_key()), "{}", ran.both());
    assert!(world.sim.log().is_empty(), "no request reached TestRail");
}

#[test]
fn a_spool_file_damaged_in_the_middle_is_named_and_moving_it_aside_sends_the_rest() {
    let world = World::new();
    let runs_before = world.run_ids();
    let damaged = spool(
        &world,
        "build-9",
        "cart",
        7,
        vec![passed("cart::adds", &[1]), failed("cart::removes", &[2])],
    );
    spool(&world, "build-9", "pay", 8, vec![passed("pay::cash", &[3])]);
    let text = std::fs::read_to_string(&damaged).expect("the spool file");
    let mut lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 3, "a header and events: {text}");
    lines[1] = "{\"event\": \"fini";
    std::fs::write(&damaged, lines.join("\n") + "\n").expect("damage the file");

    let ran = world.run(&["upload", world.session_dir("build-9").to_str().unwrap()]);
    assert_ne!(ran.code, Some(0), "{}", ran.both());
    let shown = damaged.display().to_string();
    assert!(
        ran.stderr.contains(&format!("{shown} cannot be read"))
            && ran.stderr.contains(&format!("mv {shown} {shown}.damaged")),
        "{}",
        ran.both()
    );
    assert_eq!(world.run_ids(), runs_before, "nothing sent");

    std::fs::rename(&damaged, format!("{shown}.damaged")).expect("move it aside");
    let again = world.run(&["upload", world.session_dir("build-9").to_str().unwrap()]);
    assert_eq!(again.code, Some(0), "{}", again.both());
    let new_runs: Vec<u64> = world
        .run_ids()
        .into_iter()
        .filter(|id| !runs_before.contains(id))
        .collect();
    assert_eq!(new_runs.len(), 1, "one new run");
    let stored = world.results_per_case(new_runs[0]);
    assert_eq!(stored.get(&3), Some(&1), "{stored:?}");
    assert_eq!(stored.values().sum::<usize>(), 1, "{stored:?}");
}
