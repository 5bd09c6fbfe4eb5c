//! Shared helpers of the CLI tests: the `cargo-testrail` binary run as a real process
//! against a `testrail-sim` over HTTP, with a private testrail directory, and spool files
//! written the way the harness writes them.
#![allow(dead_code)] // each test target uses its own part of this module

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use testrail_formats::outcome::{
    Attempt, BugLabel, Execution, LabelSource, Location, RunResult, TestOutcome,
};
use testrail_formats::session::SessionSource;
use testrail_formats::spool::{self, SpoolFile};
use testrail_sim::{Fixture, Simulator};

/// What a process did.
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Both streams, for assertion messages.
    pub fn both(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

/// A simulator with the demo fixture, and a scratch directory the CLI runs in.
pub struct World {
    pub sim: Simulator,
    pub dir: tempfile::TempDir,
}

impl World {
    pub fn new() -> World {
        World {
            sim: Simulator::spawn(Fixture::demo()).expect("the simulator starts"),
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// A simulator whose project "Shop" (one suite, section "Imported") has exactly the
    /// cases `ids`, each titled `Case <id>`, as the JUnit fixtures expect.
    pub fn with_cases(ids: impl IntoIterator<Item = u64>) -> World {
        let cases: Vec<serde_json::Value> = ids
            .into_iter()
            .map(|id| serde_json::json!({ "id": id, "title": format!("Case {id}") }))
            .collect();
        let fixture = serde_json::json!({
            "projects": [{
                "id": 1,
                "name": "Shop",
                "suite_mode": 1,
                "sections": [{ "name": "Imported", "cases": cases }]
            }]
        });
        let fixture = Fixture::from_json(&fixture.to_string()).expect("a valid fixture");
        World {
            sim: Simulator::spawn(fixture).expect("the simulator starts"),
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// The testrail directory (`TESTRAIL_DIR`) of the CLI.
    pub fn testrail_dir(&self) -> PathBuf {
        self.dir.path().join("testrail")
    }

    /// A session directory.
    pub fn session_dir(&self, key: &str) -> PathBuf {
        self.testrail_dir().join("sessions").join(key)
    }

    /// `cargo-testrail <args>` in the scratch directory, pointed at the simulator.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = cli(self.dir.path(), &self.testrail_dir());
        command
            .args(args)
            .env("TESTRAIL_URL", self.sim.base_url())
            .env("TESTRAIL_USER", self.sim.email())
            .env("TESTRAIL_API_KEY", self.sim.api_key())
            .env("TESTRAIL_PROJECT", "Shop");
        command
    }

    /// Runs `cargo-testrail <args>`.
    pub fn run(&self, args: &[&str]) -> Ran {
        run(&mut self.command(args))
    }

    /// Every run of the simulator.
    pub fn run_ids(&self) -> Vec<u64> {
        self.sim
            .with_state(|state| state.runs.keys().copied().collect())
    }

    /// Case ID → number of results, in one run.
    pub fn results_per_case(&self, run_id: u64) -> BTreeMap<u64, usize> {
        self.sim.with_state(|state| {
            let mut counts = BTreeMap::new();
            for result in state.results.values().filter(|r| r.run_id == run_id) {
                *counts.entry(result.case_id).or_insert(0) += 1;
            }
            counts
        })
    }

    /// Case ID → status IDs of its results, in one run.
    pub fn statuses(&self, run_id: u64) -> BTreeMap<u64, Vec<u64>> {
        self.sim.with_state(|state| {
            let mut statuses: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
            for result in state.results.values().filter(|r| r.run_id == run_id) {
                statuses
                    .entry(result.case_id)
                    .or_default()
                    .push(result.status_id.unwrap_or(0));
            }
            statuses
        })
    }
}

/// The CLI binary with a clean environment: no `TESTRAIL_*` variable of the caller, no
/// colours, short retry waits.
pub fn cli(current_dir: &Path, testrail_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-testrail"));
    for (name, _) in std::env::vars() {
        if name.starts_with("TESTRAIL_") || name == "NEXTEST_RUN_ID" {
            command.env_remove(name);
        }
    }
    command
        .current_dir(current_dir)
        .env("TESTRAIL_DIR", testrail_dir)
        .env("TESTRAIL_BACKOFF", "10ms")
        .env("TESTRAIL_SETTLE", "3s")
        .env("NO_COLOR", "1");
    command
}

/// Runs a command to completion.
pub fn run(command: &mut Command) -> Ran {
    let output = command.output().expect("the command runs");
    Ran {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A test that passed on its first attempt, linked to `case_ids`.
pub fn passed(path: &str, case_ids: &[u64]) -> TestOutcome {
    outcome(path, case_ids, true)
}

/// A test that failed on its only attempt, linked to `case_ids`.
pub fn failed(path: &str, case_ids: &[u64]) -> TestOutcome {
    outcome(path, case_ids, false)
}

fn outcome(path: &str, case_ids: &[u64], passed: bool) -> TestOutcome {
    TestOutcome {
        path: path.to_owned(),
        title: None,
        defined_at: Location {
            file: "tests/generated.rs".into(),
            line: 1,
            column: None,
        },
        case_ids: case_ids.to_vec(),
        execution: Execution::Ran,
        run_result: Some(RunResult::Success),
        bug_label: Some(if passed {
            BugLabel::NoBug
        } else {
            BugLabel::DefinitelyBug
        }),
        label_source: Some(LabelSource::Derived),
        passed,
        elapsed_ms: 12,
        attempts: vec![Attempt {
            number: 1,
            run_result: RunResult::Success,
            passed,
            message: (!passed).then(|| "assertion failed".to_owned()),
            location: None,
            failed_step: None,
            elapsed_ms: 12,
            steps: Vec::new(),
        }],
        known_bug: None,
        defects: Vec::new(),
        comments: Vec::new(),
        fields: BTreeMap::new(),
        attachments: Vec::new(),
    }
}

/// Writes a spool file into session `key` (as binary `binary`, process `pid`), and names
/// the session as the latest one.
pub fn spool(world: &World, key: &str, binary: &str, pid: u32, tests: Vec<TestOutcome>) -> PathBuf {
    let file = SpoolFile {
        format: spool::FORMAT.to_owned(),
        version: spool::VERSION,
        session: key.to_owned(),
        session_source: SessionSource::Environment,
        package: "shop".to_owned(),
        binary: binary.to_owned(),
        pid,
        started_at_ms: 1_700_000_000_000,
        finished_at_ms: 1_700_000_001_000,
        git_commit: None,
        manifest_dir: "/tmp/shop".to_owned(),
        tests,
    };
    let dir = world.session_dir(key);
    let path = file.write_to(&dir).expect("the spool file is written");
    spool::write_atomically(
        &world.testrail_dir().join("sessions").join("LATEST"),
        key.as_bytes(),
    )
    .expect("LATEST is written");
    path
}

/// The IDs of the live (not deleted) cases titled `title` in the simulator.
pub fn cases_titled(world: &World, title: &str) -> Vec<u64> {
    world.sim.with_state(|state| {
        state
            .cases
            .values()
            .filter(|case| case.title == title && !case.is_deleted)
            .map(|case| case.id)
            .collect()
    })
}

/// `cargo test --offline --test checkout` of a user's crate in `dir`, built in the
/// workspace's target directory (its dependencies are built there already), reporting to
/// `world`'s simulator. What cargo set for this test process (`CARGO_PRIMARY_PACKAGE`,
/// `CARGO_TARGET_TMPDIR`, ...) and its `TESTRAIL_*` settings are not the crate's: left in,
/// they would change what the build reads and rebuild its dependencies every time.
pub fn crate_cargo_test(world: &World, dir: &Path) -> Command {
    crate_cargo(world, dir, &["test", "--offline", "--test", "checkout"])
}

/// `cargo <args>` in a user's crate in `dir`, as [`crate_cargo_test`] runs it.
pub fn crate_cargo(world: &World, dir: &Path, args: &[&str]) -> Command {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or("cargo".into()));
    for (name, _) in std::env::vars() {
        let cargo_set = name.starts_with("CARGO_") && name != "CARGO_HOME";
        if cargo_set || name.starts_with("TESTRAIL_") || name == "NEXTEST_RUN_ID" {
            cargo.env_remove(name);
        }
    }
    cargo
        .current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", workspace_root().join("target"))
        .env("TESTRAIL_DIR", world.testrail_dir())
        .env("TESTRAIL_URL", world.sim.base_url())
        .env("TESTRAIL_USER", world.sim.email())
        .env("TESTRAIL_API_KEY", world.sim.api_key());
    cargo
}

/// A user's crate `shopfront` in the world's directory, depending on this workspace's
/// `testrail` by path: its manifest (with `extra_manifest` appended: more dev-dependencies,
/// or `[[test]]` tables), `files` (path → text) and the workspace's lock file, so that it
/// builds offline with the versions the workspace's target directory holds.
pub fn user_crate(world: &World, extra_manifest: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = world.dir.path().join("shopfront");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let manifest = format!(
        "[package]\nname = \"shopfront\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [workspace]\n\n[dev-dependencies]\ntestrail = {{ path = {:?} }}\n{extra_manifest}",
        workspace_root().display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::copy(workspace_root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    dir
}

/// `cargo-testrail <args>` in a user's crate in `dir`, pointed at the simulator, building
/// (for the registry listings) offline in the workspace's target directory, with none of
/// the variables cargo set for this test process.
pub fn cli_in_crate(world: &World, dir: &Path, args: &[&str]) -> Ran {
    let mut command = world.command(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("CARGO_") && name != "CARGO_HOME" {
            command.env_remove(name);
        }
    }
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", workspace_root().join("target"))
        .env("CARGO_NET_OFFLINE", "true");
    run(&mut command)
}

/// The workspace this crate belongs to.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_owned()
}

impl World {
    /// `cargo-testrail <args>` run in `dir`, pointed at the simulator.
    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Ran {
        let mut command = self.command(args);
        command.current_dir(dir);
        run(&mut command)
    }
}

/// One stored result.
#[derive(Debug, Clone)]
pub struct Stored {
    pub status: u64,
    pub elapsed: String,
    pub comment: String,
}

/// `import junit FILES ARGS` and the results of the run it made (case → results).
pub fn import(
    world: &World,
    files: &[PathBuf],
    args: &[&str],
) -> (Ran, BTreeMap<u64, Vec<Stored>>) {
    let before = world.run_ids();
    let mut all: Vec<&str> = vec!["import", "junit"];
    all.extend(files.iter().map(|f| f.to_str().unwrap()));
    all.extend(args);
    let ran = world.run(&all);
    let runs: Vec<u64> = world
        .run_ids()
        .into_iter()
        .filter(|id| !before.contains(id))
        .collect();
    let results = match runs.as_slice() {
        [] => BTreeMap::new(),
        [run_id] => world.sim.with_state(|state| {
            let mut results: BTreeMap<u64, Vec<Stored>> = BTreeMap::new();
            for result in state.results.values().filter(|r| r.run_id == *run_id) {
                results.entry(result.case_id).or_default().push(Stored {
                    status: result.status_id.unwrap_or(0),
                    elapsed: result.elapsed.clone().unwrap_or_default(),
                    comment: result.comment.clone().unwrap_or_default(),
                });
            }
            results
        }),
        more => panic!("one run per import, not {more:?}\n{}", ran.both()),
    };
    (ran, results)
}
