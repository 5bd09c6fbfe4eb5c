//! Snapshots of what a test binary prints, run as `cargo test` runs it (the scenario
//! binaries of `tests/scenarios`, with a private testrail directory): the harness summary,
//! the export summary after a real export to `testrail-sim`, the lines of an export that
//! fails (strict and `export_failure = "warn"`, before sending and while sending), and the
//! line said when the outcomes cannot be saved. The dry run is pinned elsewhere.

#[path = "support/binaries.rs"]
mod binaries;
#[path = "support/snapshot.rs"]
mod snapshot;
mod support;

use testrail_sim::{FaultKind, FaultRule, Fixture, Simulator};

/// A scenario binary's run with its private testrail directory and simulator.
struct Scene {
    dir: tempfile::TempDir,
    sim: Simulator,
}

impl Scene {
    /// A simulator with the demo fixture, whose suites do not have C301 and C302 of the
    /// `green` scenario.
    fn new() -> Scene {
        Scene {
            dir: tempfile::tempdir().unwrap(),
            sim: Simulator::spawn(Fixture::demo()).unwrap(),
        }
    }

    /// A simulator whose project "Shop" (one suite) has C301 and C302 of the `green`
    /// scenario.
    fn green() -> Scene {
        let fixture = serde_json::json!({
            "projects": [{
                "id": 1,
                "name": "Shop",
                "suite_mode": 1,
                "sections": [{ "name": "Green", "cases": [
                    { "id": 301, "title": "One" },
                    { "id": 302, "title": "Two" },
                ] }]
            }]
        });
        Scene {
            dir: tempfile::tempdir().unwrap(),
            sim: Simulator::spawn(Fixture::from_json(&fixture.to_string()).unwrap()).unwrap(),
        }
    }

    /// The settings of an export into the simulator, with `extra` on top.
    fn export_env(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut env = support::sim_env(&self.sim);
        env.push(("TESTRAIL_SETTLE".into(), "3s".into()));
        env.push(("TESTRAIL_SESSION".into(), "snapshots".into()));
        for (name, value) in extra {
            env.retain(|(known, _)| known != name);
            env.push((name.to_string(), value.to_string()));
        }
        env
    }

    /// Runs scenario `target` with `args` and `env`, in `testrail_dir` (default: the
    /// scene's), and pins what it printed as snapshot `name`.
    fn snap(
        &self,
        name: &str,
        target: &str,
        args: &[&str],
        env: &[(String, String)],
        testrail_dir: Option<&std::path::Path>,
    ) -> support::Ran {
        let dir = testrail_dir.unwrap_or(self.dir.path());
        // Panics print no backtrace, whatever the caller's environment says.
        let mut quiet_panics = env.to_vec();
        quiet_panics.push(("RUST_BACKTRACE".into(), "0".into()));
        let ran = binaries::scenario(dir, target, args, &quiet_panics);
        let key = self.sim.api_key();
        assert!(
            !ran.both().contains(key),
            "{name}: the key is printed\n{}",
            ran.both()
        );
        let set: Vec<String> = env
            .iter()
            .filter(|(name, _)| name != "TESTRAIL_API_KEY")
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let command = format!("{} {target} {}", set.join(" "), args.join(" "));
        let text = snapshot::shown(command.trim(), ran.code, &ran.stdout, &ran.stderr);
        let tmp = self.dir.path().display().to_string();
        let root = support::workspace().display().to_string();
        snapshot::settings(&[(&tmp, "[TMP]"), (&root, "[WORKSPACE]")]).bind(|| {
            insta::assert_snapshot!(name, text);
        });
        ran
    }
}

/// Every test in order, one at a time, so the lines come in the same order on every run.
const ONE_THREAD: &str = "--test-threads=1";

#[test]
fn harness_summary_of_passing_tests() {
    let scene = Scene::new();
    let ran = scene.snap("harness_green", "green", &[ONE_THREAD], &[], None);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    scene.snap(
        "harness_green_quiet",
        "green",
        &[ONE_THREAD, "-q"],
        &[],
        None,
    );
}

#[test]
fn harness_summary_of_every_outcome() {
    let scene = Scene::new();
    let ran = scene.snap("harness_outcomes", "outcomes", &[ONE_THREAD], &[], None);
    assert_eq!(ran.code, Some(101), "{}", ran.both());
}

#[test]
fn harness_summary_of_steps() {
    let scene = Scene::new();
    scene.snap("harness_steps", "steps", &[ONE_THREAD], &[], None);
}

#[test]
fn harness_list_and_bad_flags() {
    let scene = Scene::new();
    scene.snap("harness_list", "outcomes", &["--list"], &[], None);
    scene.snap(
        "harness_registry",
        "steps",
        &["--testrail-registry"],
        &[],
        None,
    );
    let ran = scene.snap(
        "harness_unknown_flag",
        "green",
        &["--testrail-exprt"],
        &[],
        None,
    );
    assert_ne!(ran.code, Some(0), "{}", ran.both());
}

#[test]
fn export_summary_after_a_real_export() {
    let scene = Scene::green();
    let env = scene.export_env(&[]);
    let ran = scene.snap(
        "export_green",
        "green",
        &[ONE_THREAD, "--testrail-export"],
        &env,
        None,
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    assert_eq!(support::run_ids(&scene.sim).len(), 1, "{}", ran.both());
    // The same session key again: the tests ran again, so their new results go into the
    // session's run.
    scene.snap(
        "export_green_same_session",
        "green",
        &[ONE_THREAD, "--testrail-export"],
        &env,
        None,
    );
    assert_eq!(support::run_ids(&scene.sim).len(), 1, "{}", ran.both());
}

#[test]
fn export_of_cases_that_do_not_exist() {
    let scene = Scene::new();
    let env = scene.export_env(&[("TESTRAIL_SUITES", "Web Shop")]);
    let ran = scene.snap(
        "export_missing_cases",
        "green",
        &[ONE_THREAD, "--testrail-export"],
        &env,
        None,
    );
    assert_eq!(ran.code, Some(1), "{}", ran.both());
}

#[test]
fn export_summary_of_every_outcome() {
    let scene = Scene::new();
    let env = scene.export_env(&[("TESTRAIL_SUITES", "Web Shop,Payments,Mobile App")]);
    let ran = scene.snap(
        "export_outcomes",
        "outcomes",
        &[ONE_THREAD, "--testrail-export"],
        &env,
        None,
    );
    assert_eq!(ran.code, Some(101), "{}", ran.both());
}

#[test]
fn export_that_cannot_start_strict_and_warn() {
    let scene = Scene::new();
    let fork = scene.export_env(&[("TESTRAIL_API_KEY", ""), ("TESTRAIL_EXPORT", "1")]);
    let ran = scene.snap("export_no_key_strict", "green", &[ONE_THREAD], &fork, None);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    let mut warn = fork.clone();
    warn.push(("TESTRAIL_EXPORT_FAILURE".into(), "warn".into()));
    let ran = scene.snap("export_no_key_warn", "green", &[ONE_THREAD], &warn, None);
    assert_eq!(ran.code, Some(0), "{}", ran.both());
    let bad = scene.export_env(&[("TESTRAIL_EXPORT", "1"), ("TESTRAIL_BATCH_SIZE", "lots")]);
    let ran = scene.snap("export_bad_setting", "green", &[ONE_THREAD], &bad, None);
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    assert!(support::run_ids(&scene.sim).is_empty());
}

#[test]
fn export_that_fails_while_sending_strict_and_warn() {
    let scene = Scene::green();
    scene.sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 500,
            html: false,
        })
        .on("add_results_for_cases"),
    );
    let env = scene.export_env(&[]);
    let ran = scene.snap(
        "export_outage_strict",
        "green",
        &[ONE_THREAD, "--testrail-export"],
        &env,
        None,
    );
    assert_eq!(ran.code, Some(1), "{}", ran.both());
    let ran = scene.snap(
        "export_outage_warn",
        "green",
        &[
            ONE_THREAD,
            "--testrail-export",
            "--testrail-export-failure",
            "warn",
        ],
        &env,
        None,
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
}

#[test]
fn outcomes_that_cannot_be_saved() {
    let scene = Scene::green();
    // A path under a regular file cannot be created, even by root.
    let blocker = scene.dir.path().join("not-a-directory");
    std::fs::write(&blocker, "").unwrap();
    let testrail_dir = blocker.join("testrail");
    scene.snap(
        "outcomes_not_saved",
        "green",
        &[ONE_THREAD],
        &[],
        Some(&testrail_dir),
    );
    let env = scene.export_env(&[]);
    let ran = scene.snap(
        "outcomes_not_saved_export",
        "green",
        &[ONE_THREAD, "--testrail-export"],
        &env,
        Some(&testrail_dir),
    );
    assert_eq!(ran.code, Some(0), "{}", ran.both());
}
