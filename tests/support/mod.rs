//! Running test binaries of the workspace as real processes, the way a user does, and
//! reading what they spooled.
#![allow(dead_code)] // each test target uses its own part of this module

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use testrail_harness::spool::SpoolFile;

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What a process did.
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    fn from(output: Output) -> Ran {
        Ran {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Both streams, for assertion messages.
    pub fn both(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

/// A `cargo` command in the workspace with a private testrail directory.
pub fn cargo(testrail_dir: &Path) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(workspace())
        .env("TESTRAIL_DIR", testrail_dir)
        .env_remove("TESTRAIL_SESSION")
        .env_remove("NEXTEST_RUN_ID")
        .env_remove("TESTRAIL_EXPORT")
        .env_remove("RUST_LOG");
    command
}

/// Runs `cargo test -p <package> --test <target> -- <args>`.
pub fn cargo_test(testrail_dir: &Path, package: &str, target: &str, args: &[&str]) -> Ran {
    cargo_test_with(testrail_dir, package, target, args, &[])
}

/// Like [`cargo_test`], with extra environment variables.
pub fn cargo_test_with(
    testrail_dir: &Path,
    package: &str,
    target: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Ran {
    let mut command = cargo(testrail_dir);
    command
        .args(["test", "-q", "-p", package, "--test", target, "--"])
        .args(args)
        .envs(env.iter().copied());
    Ran::from(command.output().expect("cargo runs"))
}

/// Runs any command to completion.
pub fn run(command: &mut Command) -> Ran {
    Ran::from(command.output().expect("the command runs"))
}

/// Every session directory under `testrail_dir`.
pub fn sessions(testrail_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(testrail_dir.join("sessions")) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The spool files of the only session under `testrail_dir`.
pub fn only_session(testrail_dir: &Path) -> Vec<SpoolFile> {
    let sessions = sessions(testrail_dir);
    assert_eq!(
        sessions.len(),
        1,
        "expected one session, found {sessions:?}"
    );
    SpoolFile::read_session(&sessions[0]).expect("the spool is readable")
}
