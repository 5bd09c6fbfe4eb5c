//! The test binaries of `tests/scenarios` and the `cargo-testrail` binary, built once per
//! test process and run directly (no cargo in between, so exit codes are their own).
#![allow(dead_code)] // each test target uses its own part of this module

use std::path::{Path, PathBuf};

/// The executable of cargo target `name` that `cargo <args> --message-format=json` builds,
/// built once per test process.
pub fn executable(name: &str, args: &[&str]) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, path)) = built.iter().find(|(known, _)| known == name) {
        return path.clone();
    }
    let dir = tempfile::tempdir().unwrap();
    let mut command = crate::support::cargo(dir.path());
    command.args(args).args(["-q", "--message-format=json"]);
    let ran = crate::support::run(&mut command);
    let path = ran
        .stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == name)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("no executable for {name}\n{}", ran.both()));
    built.push((name.to_owned(), path.clone()));
    path
}

/// `tests/scenarios` of the workspace, from whichever crate's tests include this module.
fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("tests/scenarios"))
        .find(|dir| dir.join("Cargo.toml").is_file())
        .expect("tests/scenarios in the workspace")
}

/// The test binary of a `tests/scenarios` target.
pub fn scenario_binary(target: &str) -> PathBuf {
    executable(
        target,
        &[
            "test",
            "--no-run",
            "-p",
            "harness-scenarios",
            "--test",
            target,
        ],
    )
}

/// Runs a `tests/scenarios` test binary the way `cargo test` does (its own exit code, no
/// cargo in between), with a private testrail directory and only the `TESTRAIL_*`
/// variables of `env`.
pub fn scenario(
    dir: &Path,
    target: &str,
    args: &[&str],
    env: &[(String, String)],
) -> crate::support::Ran {
    let mut command = std::process::Command::new(scenario_binary(target));
    for (name, _) in std::env::vars() {
        if name.starts_with("TESTRAIL_") || name == "NEXTEST_RUN_ID" {
            command.env_remove(name);
        }
    }
    command
        .current_dir(scenarios_dir())
        .env("TESTRAIL_DIR", dir)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    crate::support::run(&mut command)
}
