//! Running test binaries of the workspace as real processes, the way a user does, and
//! reading what they spooled.
#![allow(dead_code)] // each test target uses its own part of this module

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use testrail_formats::spool::SpoolFile;

#[path = "../../examples/support/nested_cargo.rs"]
mod nested_cargo;

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

/// A `cargo` command in the workspace with a private testrail directory, without the
/// variables Cargo set for this test (with them, it and the `cargo test` that runs this test
/// would each rebuild ring and the TLS stack: see `examples/support/nested_cargo.rs`).
pub fn cargo(testrail_dir: &Path) -> Command {
    let mut command = nested_cargo::cargo();
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

/// The environment that points an export at a simulator, as the admin user.
pub fn sim_env(sim: &testrail_sim::Simulator) -> Vec<(String, String)> {
    vec![
        ("TESTRAIL_URL".into(), sim.base_url().to_owned()),
        ("TESTRAIL_USER".into(), sim.email().to_owned()),
        ("TESTRAIL_API_KEY".into(), sim.api_key().to_owned()),
        ("TESTRAIL_PROJECT".into(), "Shop".into()),
        // Retry waits in milliseconds instead of seconds, so fault tests stay fast.
        ("TESTRAIL_BACKOFF".into(), "20ms".into()),
    ]
}

/// Runs `cargo test` of a package's test targets with export settings.
pub fn export_run(
    testrail_dir: &Path,
    package: &str,
    targets: &[&str],
    args: &[&str],
    env: &[(String, String)],
) -> Ran {
    let mut command = cargo(testrail_dir);
    command.args(["test", "-q", "--no-fail-fast", "-p", package]);
    for target in targets {
        command.args(["--test", target]);
    }
    command.arg("--").args(args);
    command.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    run(&mut command)
}

/// Results per case of one run in the simulator: case ID → the status of every result.
pub fn results_by_case(
    sim: &testrail_sim::Simulator,
    run_id: u64,
) -> std::collections::BTreeMap<u64, Vec<u64>> {
    sim.with_state(|state| {
        let mut by_case: std::collections::BTreeMap<u64, Vec<u64>> =
            std::collections::BTreeMap::new();
        for result in state.results.values() {
            let Some(test) = state.tests.get(&result.test_id) else {
                continue;
            };
            if test.run_id == run_id {
                by_case
                    .entry(test.case_id)
                    .or_default()
                    .push(result.status_id.unwrap_or(0));
            }
        }
        by_case
    })
}

/// The IDs of every run in the simulator, in creation order.
pub fn run_ids(sim: &testrail_sim::Simulator) -> Vec<u64> {
    sim.with_state(|state| state.runs.keys().copied().collect())
}
