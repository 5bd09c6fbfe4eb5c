//! `cargo testrail create --write` on a real crate (a git repository in a temporary
//! directory, depending on this workspace's `testrail` by path): its tests run once and
//! spool, `create --steps --write` makes the cases and writes their IDs into the test file
//! (the diff and the file pinned as snapshots), a dirty file is refused, a second run changes
//! nothing, a macro-generated test gets a line and a non-zero exit; then the crate builds
//! and its tests report to the new cases in the simulator.

mod common;
#[path = "../../tests/support/snapshot.rs"]
mod snapshot;
mod snapshot_cli;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::World;
use snapshot_cli::assert_cli;

const CHECKOUT: &str = r#"use testrail as my_tr;
use testrail::test;

/// Signs in.
#[testrail::step]
fn log_in(user: &str) {
    assert!(!user.is_empty());
}

#[testrail::test]
fn adds_one_item() {
    log_in("ann");
    assert_eq!(1 + 1, 2);
}

#[my_tr::test(timeout = "5s", title = "Adds the same item twice")]
fn adds_the_same_item_twice() {
    assert_eq!(2 + 2, 4);
}

#[test]
#[allow(clippy::eq_op)]
fn empties_the_cart() {
    assert_eq!(0, 0);
}

#[testrail::case(C1)]
fn already_linked() {}

macro_rules! priced {
    ($name:ident) => {
        #[testrail::test]
        fn $name() {}
    };
}

priced!(prices_in_euros);

testrail::main!();
"#;

/// The crate, committed in a fresh git repository.
fn crate_in_git(world: &World) -> PathBuf {
    let dir = common::user_crate(
        world,
        "\n[[test]]\nname = \"checkout\"\nharness = false\n",
        &[
            ("src/lib.rs", "//! A shop.\n"),
            ("tests/checkout.rs", CHECKOUT),
            (".gitignore", "/target\n"),
        ],
    );
    git(&dir, &["init", "-q"]);
    commit(&dir, "the crate");
    dir
}

fn git(dir: &Path, args: &[&str]) {
    let ran = common::run(
        Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
            .args(args),
    );
    assert_eq!(ran.code, Some(0), "git {args:?}\n{}", ran.both());
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// The crate's `cargo test`, in the workspace's target directory (its dependencies are
/// built there already), with nothing of this test process's cargo environment.
fn cargo_test(world: &World, dir: &Path, export: bool) -> common::Ran {
    let mut cargo = common::crate_cargo_test(world, dir);
    cargo
        .env("TESTRAIL_PROJECT", "Shop")
        .env("TESTRAIL_SUITES", "Web Shop");
    if export {
        cargo.env("TESTRAIL_EXPORT", "1");
    }
    common::run(&mut cargo)
}

/// The ID of the one live case titled `title`.
fn case_titled(world: &World, title: &str) -> u64 {
    let ids = common::cases_titled(world, title);
    assert_eq!(ids.len(), 1, "one case titled {title:?}: {ids:?}");
    ids[0]
}

fn checkout(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("tests/checkout.rs")).unwrap()
}

#[test]
fn create_write_links_a_real_crate_then_its_tests_report_to_the_new_cases() {
    let world = World::new();
    let dir = crate_in_git(&world);
    let ran = cargo_test(&world, &dir, false);
    assert_eq!(ran.code, Some(0), "the tests run and spool\n{}", ran.both());

    let create = [
        "create",
        "--create-section",
        "Web Shop/Automated",
        "--suites",
        "Web Shop",
        "--steps",
    ];
    let ran = world.run_in(&dir, &create);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(ran.stderr.contains("--write"), "a hint\n{}", ran.both());
    assert_eq!(
        checkout(&dir),
        CHECKOUT,
        "without --write nothing is written"
    );

    let write = [&create[..], &["--write"]].concat();
    // A file with uncommitted changes is refused, and stays as it is.
    let dirty = format!("{CHECKOUT}// work in progress\n");
    std::fs::write(dir.join("tests/checkout.rs"), &dirty).unwrap();
    let ran = world.run_in(&dir, &write);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert!(
        ran.stderr.contains("uncommitted changes") && ran.stderr.contains("--allow-dirty"),
        "{}",
        ran.both()
    );
    assert_eq!(checkout(&dir), dirty, "the dirty file is not touched");
    git(&dir, &["checkout", "--", "tests/checkout.rs"]);

    let ran = world.run_in(&dir, &write);
    assert_cli(&world, "create_write", &write, &ran, &[]);
    assert_eq!(
        ran.code,
        Some(1),
        "the macro-generated test's case cannot be written\n{}",
        ran.both()
    );
    let euros = case_titled(&world, "prices_in_euros");
    assert!(
        ran.stderr
            .contains(&format!("#[testrail::case(C{euros})] by hand")),
        "{}",
        ran.both()
    );
    let written = checkout(&dir);
    let mut settings = snapshot::settings(&[]);
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
    settings.bind(|| insta::assert_snapshot!("create_write_checkout_rs", written));
    let one = case_titled(&world, "adds_one_item");
    let twice = case_titled(&world, "Adds the same item twice");
    let cart = case_titled(&world, "empties_the_cart");
    let step = case_titled(&world, "log_in");
    for attribute in [
        format!("#[testrail::step(C{step})]\nfn log_in"),
        format!("#[testrail::case(C{one})]\nfn adds_one_item"),
        format!("#[my_tr::case(C{twice}, timeout = \"5s\", title = \"Adds the same item twice\")]"),
        format!("#[testrail::case(C{cart})]\n#[allow(clippy::eq_op)]\nfn empties_the_cart"),
        "#[testrail::case(C1)]\nfn already_linked".to_owned(),
    ] {
        assert!(written.contains(&attribute), "{attribute}\n{written}");
    }

    // Again: nothing changes, and it says so.
    let ran = world.run_in(&dir, &write);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert!(
        ran.stdout
            .contains("nothing written: 4 already name their case"),
        "{}",
        ran.both()
    );
    assert_eq!(checkout(&dir), written, "the second run changed the file");

    // The crate builds and its tests report to the new cases.
    commit(&dir, "case IDs");
    let before = world.run_ids();
    let ran = cargo_test(&world, &dir, true);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let runs: Vec<u64> = world
        .run_ids()
        .into_iter()
        .filter(|id| !before.contains(id))
        .collect();
    let [run_id] = runs.as_slice() else {
        panic!("one run, not {runs:?}\n{}", ran.both());
    };
    let statuses = world.statuses(*run_id);
    for case in [one, twice, cart, step] {
        assert_eq!(
            statuses.get(&case),
            Some(&vec![1]),
            "C{case} passed: {statuses:?}\n{}",
            ran.both()
        );
    }
}

/// A spool naming `tests` (path, file, line) of a package in `manifest_dir`, as the latest
/// session.
fn spool_at(world: &World, manifest_dir: &Path, tests: &[(&str, &str, u32)]) {
    use testrail_formats::session::SessionSource;
    use testrail_formats::spool::{self, SpoolFile};
    let tests = tests
        .iter()
        .map(|(path, file, line)| {
            let mut test = common::passed(path, &[]);
            test.defined_at.file = (*file).to_owned().into();
            test.defined_at.line = *line;
            test
        })
        .collect();
    let file = SpoolFile {
        format: spool::FORMAT.to_owned(),
        version: spool::VERSION,
        session: "s".to_owned(),
        session_source: SessionSource::Environment,
        package: "shop".to_owned(),
        binary: "checkout".to_owned(),
        pid: 1,
        started_at_ms: 1_700_000_000_000,
        finished_at_ms: 1_700_000_001_000,
        git_commit: None,
        manifest_dir: manifest_dir.display().to_string(),
        tests,
    };
    file.write_to(&world.session_dir("s")).unwrap();
    spool::write_atomically(&world.testrail_dir().join("sessions").join("LATEST"), b"s").unwrap();
}

/// Outside a git repository nothing is written without --allow-dirty; a test whose file is
/// gone or whose line holds another function gets a line with its case ID and exit code 1.
#[test]
fn outside_git_needs_allow_dirty_and_stale_places_are_reported() {
    let world = World::new();
    let package = world.dir.path().join("shop");
    std::fs::create_dir_all(package.join("tests")).unwrap();
    let source = "#[testrail::test]\nfn pays() {}\n\n#[testrail::test]\nfn refunds() {}\n";
    std::fs::write(package.join("tests/checkout.rs"), source).unwrap();
    spool_at(
        &world,
        &package,
        &[
            ("checkout::pays", "tests/checkout.rs", 2),
            ("checkout::renamed", "tests/checkout.rs", 5),
            ("checkout::moved", "tests/gone.rs", 1),
        ],
    );
    let args = [
        "create",
        "--create-section",
        "Web Shop/Automated",
        "--suites",
        "Web Shop",
        "--write",
    ];
    let ran = world.run_in(&package, &args);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert!(
        ran.stderr.contains("not in a git repository") && ran.stderr.contains("--allow-dirty"),
        "{}",
        ran.both()
    );
    assert_eq!(
        std::fs::read_to_string(package.join("tests/checkout.rs")).unwrap(),
        source
    );

    let allowed = [&args[..], &["--allow-dirty"]].concat();
    let ran = world.run_in(&package, &allowed);
    assert_cli(&world, "create_write_stale", &allowed, &ran, &[]);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    let pays = case_titled(&world, "pays");
    assert_eq!(
        std::fs::read_to_string(package.join("tests/checkout.rs")).unwrap(),
        source.replacen(
            "#[testrail::test]",
            &format!("#[testrail::case(C{pays})]"),
            1
        )
    );
    for title in ["renamed", "moved"] {
        let id = case_titled(&world, title);
        assert!(
            ran.stderr.contains(&format!("not written C{id}"))
                && ran
                    .stderr
                    .contains(&format!("#[testrail::case(C{id})] by hand")),
            "{title}\n{}",
            ran.both()
        );
    }
}
