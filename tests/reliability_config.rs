//! Reliability, scenarios 8 and 15 (issue 10), and the README's CI recipes, with real
//! `cargo test` processes of `tests/scenarios` against `testrail-sim`:
//!
//! - an export that was asked for (by a flag, the environment, or a file, however malformed
//!   its value or the file) and cannot run fails loudly with a non-zero exit;
//! - `export_failure = "warn"` (setting, `TESTRAIL_EXPORT_FAILURE`, `--testrail-export-failure`)
//!   keeps the tests' exit code when credentials are missing, and says what was not sent and
//!   how to send it later; a malformed setting still fails;
//! - plain `cargo test` stops at the first failing test binary, `--no-fail-fast` does not.
//!
//! The outage, the upload step and the whole CI recipe are in
//! `cargo-testrail/tests/reliability_ci.rs`, next to the CLI binary they run.

#[path = "support/binaries.rs"]
mod binaries;
mod support;

use std::path::{Path, PathBuf};

use binaries::scenario;

use testrail_sim::{Fixture, Simulator};

fn env_of(sim: &Simulator, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = support::sim_env(sim);
    env.push(("TESTRAIL_SUITES".into(), "Web Shop".into()));
    env.push(("TESTRAIL_SETTLE".into(), "3s".into()));
    for (name, value) in extra {
        env.retain(|(known, _)| known != name);
        env.push((name.to_string(), value.to_string()));
    }
    env
}

/// Writes a configuration file and returns its path.
fn config_file(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("ci-testrail.toml");
    std::fs::write(&path, text).unwrap();
    path
}

// Scenario 8: an export that was asked for and cannot run.

#[test]
fn export_true_in_a_named_file_with_one_bad_value_fails_loudly() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(
        dir.path(),
        "export = true\nproject = \"Shop\"\nbatch_size = \"big\"\n",
    );
    let env = env_of(&sim, &[("TESTRAIL_CONFIG", &file.display().to_string())]);
    let ran = scenario(dir.path(), "green", &[], &env);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    for text in [
        "testrail: cannot export: ",
        ":3: `batch_size` must be a whole number",
        &format!(
            "the export was asked for by export = true in {}, so this run fails; nothing was sent",
            file.display()
        ),
        "fix the setting, then send the results with:",
        "cargo testrail upload ",
    ] {
        assert!(ran.stderr.contains(text), "{text}\n{}", ran.both());
    }
    assert!(support::run_ids(&sim).is_empty());
}

#[test]
fn a_broken_toml_file_that_asks_for_export_fails_loudly() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(dir.path(), "export = true\nproject = \"Shop\n");
    let env = env_of(&sim, &[("TESTRAIL_CONFIG", &file.display().to_string())]);
    let ran = scenario(dir.path(), "green", &[], &env);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert!(
        ran.stderr.contains(&format!(
            "testrail: cannot export: {}: line 2",
            file.display()
        )),
        "{}",
        ran.both()
    );
    assert!(
        ran.stderr
            .contains("the export was asked for by export = true in"),
        "{}",
        ran.both()
    );
    assert!(support::run_ids(&sim).is_empty());
}

#[test]
fn testrail_export_enabled_fails_loudly() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = env_of(&sim, &[("TESTRAIL_EXPORT", "enabled")]);
    let ran = scenario(dir.path(), "green", &[], &env);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert!(
        ran.stderr.contains(
            "testrail: cannot export: environment variable TESTRAIL_EXPORT: `export` must be true or false (1/0, yes/no), not \"enabled\""
        ),
        "{}",
        ran.both()
    );
    assert!(
        ran.stderr
            .contains("the export was asked for by environment variable TESTRAIL_EXPORT=enabled"),
        "{}",
        ran.both()
    );
    assert!(support::run_ids(&sim).is_empty());
}

#[test]
fn an_unreadable_file_named_by_testrail_config_fails_loudly() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such.toml");
    let env = vec![("TESTRAIL_CONFIG".to_owned(), missing.display().to_string())];
    let ran = scenario(dir.path(), "green", &[], &env);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert!(
        ran.stderr.contains(&format!(
            "the export was asked for by TESTRAIL_CONFIG, which names {} (it cannot be read",
            missing.display()
        )),
        "{}",
        ran.both()
    );
}

#[test]
fn a_broken_file_without_export_warns_and_keeps_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(dir.path(), "project = \"Shop\nbatch_size = 0\n");
    let env = vec![("TESTRAIL_CONFIG".to_owned(), file.display().to_string())];
    let ran = scenario(dir.path(), "green", &[], &env);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert!(
        ran.stderr.contains("testrail: warning: ")
            && ran
                .stderr
                .contains("(the export is off, so nothing else happens)"),
        "{}",
        ran.both()
    );
}

// Scenario 15: best effort.

#[test]
fn missing_credentials_fail_by_default_and_only_warn_in_warn_mode() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A pull request from a fork: the secret is empty.
    let fork = env_of(&sim, &[("TESTRAIL_API_KEY", ""), ("TESTRAIL_EXPORT", "1")]);
    let ran = scenario(dir.path(), "green", &[], &fork);
    assert_eq!(ran.code, Some(1), "strict by default\n{}", ran.both());
    assert!(
        ran.stderr
            .contains("testrail: export failed: TESTRAIL_API_KEY is not set"),
        "{}",
        ran.both()
    );

    let warn_file = config_file(dir.path(), "export_failure = \"warn\"\n");
    let file = warn_file.display().to_string();
    let ways = [
        ("environment", &[][..], ("TESTRAIL_EXPORT_FAILURE", "warn")),
        ("flag", &["--testrail-export-failure", "warn"][..], ("", "")),
        ("file", &[][..], ("TESTRAIL_CONFIG", file.as_str())),
    ];
    for (way, args, (name, value)) in ways {
        let mut env = fork.clone();
        if !name.is_empty() {
            env.push((name.to_owned(), value.to_owned()));
        }
        let ran = scenario(dir.path(), "green", args, &env);
        assert_eq!(ran.code, Some(0), "warn by {way}\n{}", ran.both());
        for text in [
            "testrail: warning: the results were NOT sent to TestRail (export_failure = warn keeps the tests' exit code): TESTRAIL_API_KEY is not set",
            "  the results are kept in ",
            "send them later (it sends only what is missing) with:",
            "cargo testrail upload ",
        ] {
            assert!(ran.stderr.contains(text), "{way}: {text}\n{}", ran.both());
        }
    }
    assert!(support::run_ids(&sim).is_empty());
}

#[test]
fn a_malformed_setting_fails_even_in_warn_mode() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = env_of(
        &sim,
        &[
            ("TESTRAIL_EXPORT", "1"),
            ("TESTRAIL_EXPORT_FAILURE", "warn"),
            ("TESTRAIL_BATCH_SIZE", "lots"),
        ],
    );
    let ran = scenario(dir.path(), "green", &[], &env);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert!(
        ran.stderr.contains(
            "testrail: cannot export: environment variable TESTRAIL_BATCH_SIZE: `batch_size` must be a whole number"
        ),
        "{}",
        ran.both()
    );
}

// The README's CI recipes.

#[test]
fn plain_cargo_test_stops_at_the_first_failing_binary_and_no_fail_fast_does_not() {
    let binaries = |fail_fast: bool| {
        let dir = tempfile::tempdir().unwrap();
        let mut command = support::cargo(dir.path());
        command.args(["test", "-q", "-p", "harness-scenarios"]);
        if !fail_fast {
            command.arg("--no-fail-fast");
        }
        command.args([
            "--test", "outcomes", "--test", "steps", "--", "--skip", "timeout",
        ]);
        let ran = support::run(&mut command);
        assert_ne!(ran.code, Some(0), "{}", ran.both());
        let mut binaries: Vec<String> = support::only_session(dir.path())
            .into_iter()
            .map(|file| file.binary)
            .collect();
        binaries.sort();
        binaries
    };
    assert_eq!(binaries(true), ["outcomes"], "steps never runs");
    assert_eq!(binaries(false), ["outcomes", "steps"]);
}

#[test]
fn the_readme_ci_recipes_use_no_fail_fast_close_the_run_and_warn_on_forks() {
    let readme = std::fs::read_to_string(support::workspace().join("README.md")).unwrap();
    let recipes = &readme[readme
        .find("### CI recipes")
        .expect("the CI recipes section")..];
    let recipes = &recipes[..recipes[4..]
        .find("\n## ")
        .map_or(recipes.len(), |end| end + 4)];
    assert!(
        recipes.contains("- run: cargo test --no-fail-fast\n"),
        "{recipes}"
    );
    assert!(!recipes.contains("- run: cargo test\n"), "{recipes}");
    assert!(
        recipes.contains("run: cargo testrail upload --close-run"),
        "{recipes}"
    );
    assert!(recipes.contains("TESTRAIL_EXPORT_FAILURE: ${{ github.event_name == 'pull_request' && 'warn' || 'fail' }}"), "{recipes}");
}
