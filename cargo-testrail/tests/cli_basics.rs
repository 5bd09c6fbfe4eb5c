//! The command line itself: help with examples on every command, `cargo testrail` as a
//! cargo subcommand, completions, colours, and bad input that never panics.

mod common;

use common::{cli, run};

fn testrail(args: &[&str]) -> common::Ran {
    let dir = tempfile::tempdir().unwrap();
    run(cli(dir.path(), &dir.path().join("testrail")).args(args))
}

#[test]
fn every_command_has_help_with_examples() {
    for command in [
        vec!["check"],
        vec!["cases"],
        vec!["status"],
        vec!["accept"],
        vec!["upload"],
        vec!["import", "junit"],
        vec!["create"],
        vec!["push"],
        vec!["completions"],
    ] {
        let mut args = command.clone();
        args.push("--help");
        let ran = testrail(&args);
        assert_eq!(ran.code, Some(0), "{command:?}\n{}", ran.both());
        assert!(
            ran.stdout.contains("Examples:"),
            "{command:?}\n{}",
            ran.stdout
        );
        assert!(ran.stdout.contains("--json"), "{command:?}\n{}", ran.stdout);
    }
    let ran = testrail(&["upload", "--help"]);
    for flag in [
        "--run-id",
        "--plan-id",
        "--dry-run",
        "--batch-size",
        "--close-run",
        "--create-missing",
    ] {
        assert!(ran.stdout.contains(flag), "{flag}\n{}", ran.stdout);
    }
}

#[test]
fn runs_as_a_cargo_subcommand() {
    // `cargo testrail --help` runs `cargo-testrail testrail --help`.
    let ran = testrail(&["testrail", "--help"]);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stdout.contains("Usage: cargo testrail"),
        "{}",
        ran.stdout
    );
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let ran = testrail(&["completions", shell]);
        assert_eq!(ran.code, Some(0), "{shell}\n{}", ran.both());
        assert!(ran.stdout.contains("upload"), "{shell}");
    }
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    for args in [
        vec!["upload", "--batch-size", "0"],
        vec!["upload", "--run-id", "x"],
        vec!["upload", "--run-id", "1", "--plan-id", "2"],
        vec!["nonsense"],
        vec!["import", "junit", "/no/such/file.xml"],
    ] {
        let ran = testrail(&args);
        assert_eq!(ran.code, Some(2), "{args:?}\n{}", ran.both());
        assert!(!ran.stderr.contains("panicked"), "{args:?}\n{}", ran.both());
    }
}
