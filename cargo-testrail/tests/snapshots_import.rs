//! Snapshots of `cargo testrail import junit` on real-world files
//! (`tests/junit/realworld/`, `tests/junit/dialects/`): what is matched, sent, not reported
//! and why; text and `--json`; importing again; an unreadable file.

mod common;
#[path = "../../tests/support/snapshot.rs"]
mod snapshot;
mod snapshot_cli;

use std::path::{Path, PathBuf};

use common::World;
use snapshot_cli::run;
use testrail_sim::{Fixture, Simulator};

/// A simulator whose project "Shop" (one suite) has cases 101..=999, each titled
/// `Case <id>`, as the fixtures of `cli_import_realworld.rs` expect.
fn world() -> World {
    World::with_cases(101..=999)
}

fn junit(dir: &str, name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/junit")
        .join(dir)
        .join(name)
        .display()
        .to_string()
}

fn import(world: &World, name: &str, files: &[String], extra: &[&str]) -> common::Ran {
    let mut args = vec!["import", "junit"];
    args.extend(files.iter().map(String::as_str));
    args.extend_from_slice(extra);
    run(world, name, &args)
}

#[test]
fn import_ids_then_again() {
    let world = world();
    let files = [junit("realworld", "ids.xml")];
    let ran = import(&world, "import_ids", &files, &["--no-title-match"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    import(&world, "import_ids_again", &files, &["--no-title-match"]);
}

#[test]
fn import_ids_json() {
    let world = world();
    let files = [junit("realworld", "ids.xml")];
    import(
        &world,
        "import_ids_json",
        &files,
        &["--no-title-match", "--json"],
    );
}

#[test]
fn import_realworld_files() {
    for (name, file) in [
        ("import_reruns", "reruns.xml"),
        ("import_skipped", "skipped.xml"),
        ("import_times", "times.xml"),
        ("import_nested", "nested.xml"),
        ("import_control_chars", "control-chars.xml"),
    ] {
        let world = world();
        import(&world, name, &[junit("realworld", file)], &[]);
    }
}

#[test]
fn import_dialects() {
    for (name, file) in [
        ("import_nextest", "nextest.xml"),
        ("import_pytest", "pytest.xml"),
        ("import_surefire", "surefire.xml"),
    ] {
        let world = world();
        import(&world, name, &[junit("dialects", file)], &[]);
    }
}

#[test]
fn import_an_unreadable_file_and_unmatched_tests() {
    let unreadable = world();
    let missing: PathBuf = unreadable.dir.path().join("missing.xml");
    let garbage = unreadable.dir.path().join("garbage.xml");
    std::fs::write(&garbage, "<testsuite><testcase name=\"C101 x\"").unwrap();
    let ran = import(
        &unreadable,
        "import_unreadable",
        &[
            junit("realworld", "clean.xml"),
            missing.display().to_string(),
            garbage.display().to_string(),
        ],
        &[],
    );
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    let unmatched = world();
    let ran = import(
        &unmatched,
        "import_fail_on_unmatched",
        &[junit("dialects", "pytest.xml")],
        &["--fail-on-unmatched", "--no-title-match"],
    );
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    let few = world_with_few_cases();
    import(
        &few,
        "import_missing_cases",
        &[junit("dialects", "pytest.xml")],
        &["--no-title-match"],
    );
}

/// The demo fixture, whose cases the real-world files mostly do not name.
fn world_with_few_cases() -> World {
    World {
        sim: Simulator::spawn(Fixture::demo()).expect("the simulator starts"),
        dir: tempfile::tempdir().expect("a temporary directory"),
    }
}
