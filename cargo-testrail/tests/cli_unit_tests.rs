//! Tests outside `testrail::main!()`, in fresh crates of a user (depending on this
//! workspace's `testrail` by path, built as real processes):
//!
//! - `#[testrail::case]` unit tests in `src/` and in a `tests/*.rs` file without
//!   `harness = false` run under libtest's own harness beside plain `#[test]`s, and
//!   `cargo test` then `cargo testrail upload` sends their results to the simulator;
//! - a `tests/*.rs` file with `testrail::main!()` but no `[[test]] harness = false` entry
//!   fails to build, with a message naming the entry;
//! - plain `#[test]` functions in a `harness = false` target, which rustc drops, are listed
//!   by `check` and `status`, which exit with 1.

mod common;
#[path = "../../tests/support/snapshot.rs"]
mod snapshot;
mod snapshot_cli;

use std::path::{Path, PathBuf};

use common::{Ran, World};
use snapshot_cli::assert_cli;

const LIB: &str = r#"/// Adds.
pub fn add(a: u32, b: u32) -> u32 {
    a + b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_unit_test() {
        assert_eq!(add(1, 1), 2);
    }

    #[testrail::case(C1)]
    fn adds() {
        testrail::comment("checked from a unit test");
        assert_eq!(double(2), 4);
    }

    #[testrail::step(C5)]
    fn double(x: u32) -> u32 {
        add(x, x)
    }

    #[testrail::case(C2, should_panic = "boom")]
    fn panics_as_expected() {
        panic!("boom");
    }

    #[testrail::case(C3, retries = 1)]
    async fn fails_twice() -> Result<(), String> {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        Err(format!("{} is not 5", add(2, 2)))
    }

    #[testrail::case(C6, ignore = "needs a printer")]
    fn prints_the_receipt() {}
}
"#;

/// A `tests/*.rs` file without `testrail::main!()`: libtest's harness runs it.
const LIBTEST_FILE: &str = r#"#[testrail::case(C4)]
fn adds_in_an_integration_test() {
    assert_eq!(shopfront::add(3, 3), 6);
}
"#;

/// A fresh crate in the world's directory with `files` besides its manifest (which gets
/// `extra_manifest` appended), and the workspace's lock file, so that it builds offline
/// with the versions the workspace's target directory holds.
fn fresh_crate(world: &World, extra_manifest: &str, files: &[(&str, &str)]) -> PathBuf {
    common::user_crate(
        world,
        &format!("tokio = {{ version = \"1\", features = [\"rt\", \"time\"] }}\n{extra_manifest}"),
        files,
    )
}

/// `cargo-testrail <args>` in the crate, pointed at the simulator, building (for `status`)
/// in the workspace's target directory with none of the variables cargo set for this test.
fn cli_in(world: &World, dir: &Path, args: &[&str]) -> Ran {
    common::cli_in_crate(world, dir, args)
}

#[test]
fn unit_tests_in_src_are_reported_through_upload() {
    let world = World::with_cases(1..=6);
    let dir = fresh_crate(
        &world,
        "",
        &[("src/lib.rs", LIB), ("tests/libtest_file.rs", LIBTEST_FILE)],
    );
    let ran = common::run(&mut common::crate_cargo(
        &world,
        &dir,
        &["test", "--offline", "--no-fail-fast"],
    ));
    // The failing unit test fails `cargo test` as libtest says, with the harness's report.
    assert_eq!(ran.code, Some(101), "{}", ran.both());
    for line in [
        "test tests::plain_unit_test ... ok",
        "test tests::adds ... ok",
        "test tests::panics_as_expected ... ok",
        "test tests::fails_twice ... FAILED",
        "test tests::prints_the_receipt ... ignored, needs a printer",
        "test adds_in_an_integration_test ... ok",
        "4 is not 5\n  attempts: 2, all failed\n  run result: Success, bug label: DefinitelyBug",
        "panicked at src/lib.rs:32:14",
    ] {
        assert!(ran.stdout.contains(line), "{line:?} not in\n{}", ran.both());
    }
    // Nothing of testrail's own in libtest's output.
    assert!(!ran.stdout.contains("testrail:"), "{}", ran.both());

    let upload = cli_in(&world, &dir, &["upload"]);
    assert_eq!(upload.code, Some(0), "{}", upload.both());
    assert!(
        !upload.both().contains("ended before its harness finished"),
        "a libtest spool file has no end line, and needs none:\n{}",
        upload.both()
    );
    let runs = world.run_ids();
    let [run_id] = runs.as_slice() else {
        panic!("one run, not {runs:?}\n{}", upload.both());
    };
    // Passed, passed (should_panic), failed, passed; C5 through the step of C1; C6 is
    // ignored, so libtest never called it and it is not reported.
    assert_eq!(
        world.statuses(*run_id),
        [
            (1, vec![1]),
            (2, vec![1]),
            (3, vec![5]),
            (4, vec![1]),
            (5, vec![1])
        ]
        .into(),
        "{}",
        upload.both()
    );
    let comment_of_c1 = world.sim.with_state(|state| {
        state
            .results
            .values()
            .find(|result| result.case_id == 1)
            .and_then(|result| result.comment.clone())
            .unwrap_or_default()
    });
    assert!(
        comment_of_c1.contains("checked from a unit test"),
        "{comment_of_c1}"
    );

    // Uploading again sends nothing twice.
    let again = cli_in(&world, &dir, &["upload"]);
    assert_eq!(again.code, Some(0), "{}", again.both());
    assert_eq!(world.results_per_case(*run_id).values().sum::<usize>(), 5);

    // A spool that cannot be written is said once, past libtest's capture of test output.
    let blocker = world.dir.path().join("a-file");
    std::fs::write(&blocker, "").unwrap();
    let mut unsaved = common::crate_cargo(&world, &dir, &["test", "--offline", "--lib"]);
    unsaved.env("TESTRAIL_DIR", blocker.join("testrail"));
    let ran = common::run(&mut unsaved);
    assert_eq!(ran.code, Some(101), "{}", ran.both());
    assert_eq!(
        ran.stderr
            .matches("testrail: the outcomes of this test binary's testrail tests are not saved (could not create")
            .count(),
        1,
        "{}",
        ran.both()
    );
    assert!(
        ran.stderr
            .contains("`cargo testrail upload` cannot send them"),
        "{}",
        ran.both()
    );
    assert_eq!(
        ran.stderr
            .matches("testrail: could not save the step plans of 1 test(s)")
            .count(),
        1,
        "the plan of the test with a step: {}",
        ran.both()
    );
}

/// The text between cargo's progress lines and its last line: the compiler's error.
fn compiler_error(stderr: &str) -> String {
    let start = stderr
        .find("error: `testrail::main!()`")
        .unwrap_or_else(|| panic!("no error about testrail::main!() in\n{stderr}"));
    let end = stderr[start..]
        .find("error: could not compile")
        .map_or(stderr.len(), |end| start + end);
    stderr[start..end].to_owned()
}

#[test]
fn main_without_harness_false_fails_to_build_and_names_the_entry() {
    let world = World::new();
    let checkout = "use testrail::case;\n\n#[case(C1)]\nfn adds() {\n    assert_eq!(shopfront::add(1, 1), 2);\n}\n\ntestrail::main!();\n";
    let dir = fresh_crate(
        &world,
        "",
        &[
            (
                "src/lib.rs",
                "/// Adds.\npub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n",
            ),
            ("tests/checkout.rs", checkout),
        ],
    );
    let ran = common::run(&mut common::crate_cargo_test(&world, &dir));
    assert_eq!(ran.code, Some(101), "{}", ran.both());
    assert!(!ran.stdout.contains("running 0 tests"), "{}", ran.both());
    let error = compiler_error(&ran.stderr);
    let dir_text = dir.display().to_string();
    let settings = snapshot::settings(&[(&dir_text, "[CRATE]")]);
    settings.bind(|| insta::assert_snapshot!("unit_main_without_harness_false", error));

    // With the entry it names, the same file builds and runs its test.
    let entry = "\n[[test]]\nname = \"checkout\"\nharness = false\n";
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap() + entry;
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    let ran = common::run(&mut common::crate_cargo_test(&world, &dir));
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout.contains("test [C1] checkout::adds ... ok"),
        "{}",
        ran.both()
    );
}

#[test]
fn plain_tests_in_a_harness_false_target_are_listed_by_check_and_status() {
    let world = World::with_cases(1..=2);
    let checkout = r#"mod common;

#[testrail::case(C1)]
fn adds() {
    assert_eq!(shopfront::add(1, 1), common::two());
}

#[test]
fn plain_check() {
    assert_eq!(shopfront::add(0, 0), 0);
}

#[tokio::test]
async fn plain_async_check() {}

testrail::main!();
"#;
    let common = "pub fn two() -> u32 {\n    2\n}\n\n#[test]\nfn helper_check() {}\n";
    let dir = fresh_crate(
        &world,
        "\n[[test]]\nname = \"checkout\"\nharness = false\n",
        &[
            (
                "src/lib.rs",
                "/// Adds.\npub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n",
            ),
            ("tests/checkout.rs", checkout),
            ("tests/common/mod.rs", common),
            // A libtest file: its `#[test]` runs, and is not listed.
            ("tests/plain.rs", "#[test]\nfn runs() {}\n"),
        ],
    );
    let check = cli_in(&world, &dir, &["check"]);
    assert_eq!(check.code, Some(1), "{}", check.both());
    assert_cli(&world, "unit_check_never_run", &["check"], &check, &[]);

    let status = cli_in(&world, &dir, &["status"]);
    assert_eq!(status.code, Some(1), "{}", status.both());
    assert_cli(&world, "unit_status_never_run", &["status"], &status, &[]);

    let json = cli_in(&world, &dir, &["--json", "status"]);
    let answer: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let listed: Vec<(&str, u64, &str)> = answer["never_run"]
        .as_array()
        .unwrap()
        .iter()
        .map(|test| {
            (
                test["file"].as_str().unwrap(),
                test["line"].as_u64().unwrap(),
                test["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("tests/checkout.rs", 9, "plain_check"),
            ("tests/checkout.rs", 14, "plain_async_check"),
            ("tests/common/mod.rs", 6, "helper_check"),
        ]
    );
}
