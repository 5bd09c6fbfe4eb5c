//! A test binary built with `testrail = { default-features = false }`
//! (`tests/scenarios-no-export`): no export is linked, the outcomes are spooled and
//! `cargo testrail upload` sends them; an export asked for by a flag, the environment or the
//! configuration file is never silently not done.

#[path = "support/binaries.rs"]
mod binaries;
mod support;

use std::path::{Path, PathBuf};

use testrail_sim::{Fixture, Simulator};

const PACKAGE: &str = "harness-scenarios-no-export";

/// Runs the `plain` test binary directly (its own exit code), with a private testrail
/// directory and only the `TESTRAIL_*` variables of `env`.
fn plain(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> support::Ran {
    let binary = binaries::executable(
        "plain",
        &["test", "--no-run", "-p", PACKAGE, "--test", "plain"],
    );
    let mut command = std::process::Command::new(binary);
    for (name, _) in std::env::vars() {
        if name.starts_with("TESTRAIL_") || name == "NEXTEST_RUN_ID" {
            command.env_remove(name);
        }
    }
    command
        .current_dir(support::workspace())
        .env("TESTRAIL_DIR", dir)
        .args(args)
        .envs(env.iter().copied());
    support::run(&mut command)
}

/// The only session directory under `dir`.
fn session_dir(dir: &Path) -> PathBuf {
    let sessions = support::sessions(dir);
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    sessions[0].clone()
}

#[test]
fn outcomes_are_spooled_and_cargo_testrail_upload_sends_them() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::cargo_test(dir.path(), PACKAGE, "plain", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let spool = support::only_session(dir.path());
    let mut paths: Vec<&str> = spool[0].tests.iter().map(|t| t.path.as_str()).collect();
    paths.sort();
    assert_eq!(
        paths,
        ["plain::passes", "plain::passes_too", "plain::unmapped"]
    );

    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let cli = binaries::executable(
        "cargo-testrail",
        &["build", "-p", "cargo-testrail", "--bin", "cargo-testrail"],
    );
    let mut upload = std::process::Command::new(cli);
    upload
        .current_dir(support::workspace())
        .args(["testrail", "upload"])
        .arg(session_dir(dir.path()))
        .env("TESTRAIL_DIR", dir.path())
        .env("TESTRAIL_SUITES", "Web Shop")
        .envs(support::sim_env(&sim));
    let sent = support::run(&mut upload);
    assert_eq!(sent.code, Some(0), "{}", sent.both());
    let runs = support::run_ids(&sim);
    assert_eq!(runs.len(), 1, "{}", sent.both());
    let results = support::results_by_case(&sim, runs[0]);
    assert_eq!(results.get(&101).map(Vec::len), Some(1), "{results:?}");
    assert_eq!(results.get(&102).map(Vec::len), Some(1), "{results:?}");
}

#[test]
fn without_an_ask_nothing_is_said_and_the_tests_exit_code_stays() {
    let dir = tempfile::tempdir().unwrap();
    let ran = plain(dir.path(), &[], &[("TESTRAIL_EXPORT", "off")]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(!ran.both().contains("export"), "{}", ran.both());
}

#[test]
fn fail_on_unmatched_is_said_not_to_be_checked_here() {
    let dir = tempfile::tempdir().unwrap();
    let ran = plain(dir.path(), &[], &[("TESTRAIL_FAIL_ON_UNMATCHED", "1")]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stderr.contains(
            "fail_on_unmatched (asked for by environment variable TESTRAIL_FAIL_ON_UNMATCHED=1) is not checked here"
        ) && ran.stderr.contains("cargo testrail upload --fail-on-unmatched"),
        "{}",
        ran.both()
    );
}

#[test]
fn export_flags_are_refused_with_what_to_do_instead() {
    let dir = tempfile::tempdir().unwrap();
    let ran = plain(dir.path(), &["--testrail-export"], &[]);
    assert_eq!(ran.code, Some(101), "{}", ran.both());
    assert!(
        ran.stderr.contains(
            "`--testrail-export`: the --testrail-* flags belong to the export, and this test binary is built without the `export` feature"
        ),
        "{}",
        ran.both()
    );
    assert!(
        ran.stderr.contains("cargo testrail upload"),
        "{}",
        ran.both()
    );
    assert!(support::sessions(dir.path()).is_empty(), "nothing ran");
}

#[test]
fn an_export_asked_for_by_the_environment_fails_the_run_and_names_the_upload() {
    let dir = tempfile::tempdir().unwrap();
    let ran = plain(dir.path(), &[], &[("TESTRAIL_EXPORT", "1")]);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    let session = session_dir(dir.path());
    for text in [
        "testrail: the export was asked for by environment variable TESTRAIL_EXPORT=1, but this test binary is built without the `export` feature",
        "so nothing was sent and this run fails",
        "the outcomes are kept in ",
        &format!(
            "send them with:\n    cargo testrail upload {}",
            session.display()
        ),
    ] {
        assert!(ran.stderr.contains(text), "{text}\n{}", ran.both());
    }
    assert_eq!(support::only_session(dir.path())[0].tests.len(), 3);
}

#[test]
fn a_dry_run_asked_for_by_the_environment_fails_and_names_the_dry_upload() {
    let dir = tempfile::tempdir().unwrap();
    let ran = plain(dir.path(), &[], &[("TESTRAIL_DRY_RUN", "yes")]);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    let session = session_dir(dir.path());
    for text in [
        "testrail: a dry run was asked for by environment variable TESTRAIL_DRY_RUN=yes",
        "so nothing was shown and this run fails",
        &format!(
            "see what would be sent with:\n    cargo testrail upload {} --dry-run",
            session.display()
        ),
    ] {
        assert!(ran.stderr.contains(text), "{text}\n{}", ran.both());
    }
}

#[test]
fn export_or_dry_run_in_the_configuration_file_is_never_silently_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("testrail.toml");
    let named = file.display().to_string();

    std::fs::write(&file, "project = \"Shop\"\nexport = true\n").unwrap();
    let ran = plain(&dir.path().join("a"), &[], &[("TESTRAIL_CONFIG", &named)]);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert!(
        ran.stderr.contains(&format!(
            "the export was asked for by export = true in {named}, but"
        )),
        "{}",
        ran.both()
    );

    // The environment decides before the file, as in the export.
    let ran = plain(
        &dir.path().join("b"),
        &[],
        &[("TESTRAIL_CONFIG", &named), ("TESTRAIL_EXPORT", "0")],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());

    // A file that is not valid TOML still asks with a line before its first table.
    std::fs::write(&file, "dry_run = \"yes\"\nproject = = broken\n").unwrap();
    let ran = plain(&dir.path().join("c"), &[], &[("TESTRAIL_CONFIG", &named)]);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert!(
        ran.stderr.contains(&format!(
            "a dry run was asked for by dry_run = \"yes\" in {named}"
        )),
        "{}",
        ran.both()
    );

    let missing = dir.path().join("missing.toml").display().to_string();
    let ran = plain(&dir.path().join("d"), &[], &[("TESTRAIL_CONFIG", &missing)]);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert!(
        ran.stderr.contains(&format!(
            "the export was asked for by TESTRAIL_CONFIG, which names {missing} (it cannot be read"
        )),
        "{}",
        ran.both()
    );
}

#[test]
fn under_nextest_the_line_is_printed_and_the_tests_exit_code_kept() {
    let dir = tempfile::tempdir().unwrap();
    let ran = support::run(
        support::cargo(dir.path())
            .args([
                "nextest",
                "run",
                "--no-capture",
                "-p",
                PACKAGE,
                "--test",
                "plain",
            ])
            .env("TESTRAIL_EXPORT", "1"),
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.both().contains(
            "testrail: the export was asked for by environment variable TESTRAIL_EXPORT=1 and this test binary is built without the `export` feature"
        ),
        "{}",
        ran.both()
    );
    assert!(
        ran.both().contains("when the run ends, send them with:"),
        "{}",
        ran.both()
    );
    assert_eq!(
        support::only_session(dir.path()).len(),
        3,
        "one file per test process"
    );
}
