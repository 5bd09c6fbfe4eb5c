//! Snapshots of `cargo testrail --help` and of each command's, the first lines of the shell
//! completions, and clap's errors for flags and commands it does not know or values it
//! refuses.

mod common;
#[path = "../../tests/support/snapshot.rs"]
mod snapshot;
mod snapshot_cli;

use common::World;
use snapshot_cli::{assert_cli, run};

#[test]
fn help_of_every_command() {
    let world = World::new();
    for (name, args) in [
        ("help_main", &["--help"][..]),
        ("help_check", &["check", "--help"]),
        ("help_cases", &["cases", "--help"]),
        ("help_status", &["status", "--help"]),
        ("help_accept", &["accept", "--help"]),
        ("help_upload", &["upload", "--help"]),
        ("help_import", &["import", "--help"]),
        ("help_import_junit", &["import", "junit", "--help"]),
        ("help_create", &["create", "--help"]),
        ("help_push", &["push", "--help"]),
        ("help_completions", &["completions", "--help"]),
        ("help_init", &["init", "--help"]),
        ("help_run", &["run", "--help"]),
        ("help_run_create", &["run", "create", "--help"]),
        ("help_run_close", &["run", "close", "--help"]),
    ] {
        let ran = run(&world, name, args);
        assert_eq!(ran.code, Some(0), "{name}\n{}", ran.both());
    }
}

#[test]
fn short_help_and_version() {
    let world = World::new();
    run(&world, "help_short", &["-h"]);
    run(&world, "version", &["--version"]);
    // As cargo runs it: `cargo testrail check -h` is `cargo-testrail testrail check -h`.
    run(
        &world,
        "help_check_through_cargo",
        &["testrail", "check", "-h"],
    );
}

/// The first `lines` lines of `completions <shell>`, which must succeed.
fn completions(world: &World, shell: &str, lines: usize) {
    let args = ["completions", shell];
    let mut ran = world.run(&args);
    assert_eq!(ran.code, Some(0), "{shell}\n{}", ran.both());
    assert!(ran.stdout.lines().count() > lines, "{}", ran.stdout);
    ran.stdout = ran
        .stdout
        .lines()
        .take(lines)
        .map(|line| format!("{line}\n"))
        .collect();
    assert_cli(world, &format!("completions_{shell}"), &args, &ran, &[]);
}

#[test]
fn completions_first_lines() {
    let world = World::new();
    completions(&world, "bash", 8);
    completions(&world, "zsh", 8);
    completions(&world, "fish", 8);
}

#[test]
fn bad_flags_and_commands() {
    let world = World::new();
    for (name, args) in [
        ("error_unknown_command", &["chek"][..]),
        ("error_unknown_flag", &["check", "--colour", "never"]),
        ("error_bad_color", &["check", "--color", "sometimes"]),
        ("error_missing_files", &["import", "junit"]),
        ("error_missing_command", &[]),
        ("error_unknown_shell", &["completions", "tcsh"]),
        ("error_import_unknown_format", &["import", "xunit", "a.xml"]),
        ("error_flag_without_value", &["upload", "--run-id"]),
        (
            "error_switch_with_a_value",
            &["upload", "--create-missing=perhaps"],
        ),
    ] {
        let ran = run(&world, name, args);
        assert_eq!(ran.code, Some(2), "{name}\n{}", ran.both());
    }
}

/// `/dev/full` refuses every write (ENOSPC): an error says so, without a panic.
#[cfg(target_os = "linux")]
#[test]
fn completions_into_a_full_disk_are_an_error_not_a_panic() {
    let world = World::new();
    let args = ["completions", "bash"];
    let mut command = world.command(&args);
    command.stdout(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    );
    let ran = common::run(&mut command);
    assert_eq!(ran.code, Some(2), "{}", ran.both());
    assert_cli(&world, "completions_disk_full", &args, &ran, &[]);
}
