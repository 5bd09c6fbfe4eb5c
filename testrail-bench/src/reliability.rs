//! The reliability table of `RELIABILITY.md`: the same scenarios (lost answers, 5xx,
//! clock skew, a re-run of the same job, a kill mid-upload) for `cargo testrail upload`
//! and for trcli, each into a fresh simulator with the same faults, read back from the
//! simulator's state.
//!
//! Ours runs as a user runs it: the `cargo-testrail` binary, resumed with the same command
//! when it fails (as it prints). trcli runs `parse_junit` of the same results, and once
//! more when it failed (what a user or a CI retry does).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use testrail_sim::{FaultKind, FaultRule, Simulator};

use crate::crash::{self, Ended, Stage};
use crate::sim;

/// Results per scenario.
pub const N: u64 = 300;
/// Results per request, both sides (trcli's default).
pub const BATCH: usize = 50;
/// Settle window of our uploads (seconds).
pub const SETTLE_SECS: u64 = 3;

/// What a scenario does besides its fault rules.
#[derive(Clone, Debug)]
pub enum Kind {
    /// The upload runs through the faults; it is run again while it fails (up to 2 more).
    Faults,
    /// The upload is killed while request `request` to `endpoint` is held, then run again.
    Killed {
        /// The API method.
        endpoint: &'static str,
        /// Which request to it (1-based).
        request: u32,
        /// What happens to the held request.
        stage: Stage,
    },
    /// The upload succeeds; the same job runs again on a new machine (no local state of
    /// the first run; the same session, the same results).
    Rerun,
}

/// One row of the table.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Short key (`--only`).
    pub key: &'static str,
    /// The scenario, for the table.
    pub title: &'static str,
    /// The issue-10 scenario it belongs to.
    pub issue: &'static str,
    /// Fault rules active from the start.
    pub rules: Vec<FaultRule>,
    /// Seconds TestRail's clock is moved (negative: behind the client's).
    pub clock_shift: i64,
    /// Extra settings of our upload.
    pub ours_env: Vec<(&'static str, &'static str)>,
    /// Extra global trcli options.
    pub trcli_global: Vec<&'static str>,
    /// What else happens.
    pub kind: Kind,
}

fn fault(kind: FaultKind, endpoint: &str) -> FaultRule {
    FaultRule::new(kind).on(endpoint)
}

const RESULTS: &str = "add_results_for_cases";

/// The scenarios.
pub fn scenarios() -> Vec<Scenario> {
    let base = |key, title, issue, rules: Vec<FaultRule>| Scenario {
        key,
        title,
        issue,
        rules,
        clock_shift: 0,
        ours_env: Vec::new(),
        trcli_global: Vec::new(),
        kind: Kind::Faults,
    };
    let dropped_batch = || vec![fault(FaultKind::DropAfter, RESULTS).after(1).times(1)];
    vec![
        base(
            "add_run_dropped",
            "answer to `add_run` lost (connection dropped after the run was made)",
            "1",
            vec![fault(FaultKind::DropAfter, "add_run").times(1)],
        ),
        Scenario {
            // The settle window bounds how late a lost write may land (default 120 s); the
            // hang must fall inside it, as it does with the default.
            ours_env: vec![("TESTRAIL_TIMEOUT", "1s"), ("TESTRAIL_SETTLE", "10s")],
            trcli_global: vec!["-t", "1"],
            ..base(
                "add_run_hung",
                "answer to `add_run` hangs 3 s past a 1 s timeout (the run is made late; our settle window 10 s, default 120 s)",
                "1",
                vec![fault(FaultKind::Hang { ms: 3_000 }, "add_run").times(1)],
            )
        },
        Scenario {
            kind: Kind::Killed {
                endpoint: "add_run",
                request: 1,
                stage: Stage::Unanswered,
            },
            ..base(
                "add_run_killed",
                "process killed while `add_run` is in flight (TestRail makes the run), then run again",
                "1",
                Vec::new(),
            )
        },
        base(
            "results_dropped",
            "answer to the 2nd `add_results_for_cases` lost (dropped after storing)",
            "1",
            dropped_batch(),
        ),
        base(
            "results_5xx",
            "500 on `add_results_for_cases` 5 times in a row (from the 2nd batch)",
            "11",
            vec![
                fault(
                    FaultKind::ServerError {
                        status: 500,
                        html: false,
                    },
                    RESULTS,
                )
                .after(1)
                .times(5),
            ],
        ),
        Scenario {
            clock_shift: -600,
            ..base(
                "skew_behind",
                "TestRail's clock 10 min behind, answer to a results batch lost",
                "2",
                dropped_batch(),
            )
        },
        Scenario {
            clock_shift: -3600,
            ..base(
                "skew_behind_1h",
                "TestRail's clock 1 h behind, answer to a results batch lost",
                "2",
                dropped_batch(),
            )
        },
        Scenario {
            clock_shift: 3600,
            ..base(
                "skew_ahead_1h",
                "TestRail's clock 1 h ahead, answer to a results batch lost",
                "2",
                dropped_batch(),
            )
        },
        Scenario {
            kind: Kind::Rerun,
            ..base(
                "rerun",
                "the same job run again on a fresh machine (CI re-run: no local state)",
                "3",
                Vec::new(),
            )
        },
        Scenario {
            kind: Kind::Killed {
                endpoint: RESULTS,
                request: 3,
                stage: Stage::Unanswered,
            },
            ..base(
                "killed_mid_upload",
                "process killed mid-upload (3rd results batch stored, answer never read), then run again",
                "1, 14",
                Vec::new(),
            )
        },
    ]
}

/// What one side did in one scenario.
#[derive(Clone, Debug, Default)]
pub struct Side {
    /// Each process: how it ended.
    pub steps: Vec<String>,
    /// Runs made.
    pub runs: usize,
    /// Plans made.
    pub plans: usize,
    /// Cases with a result.
    pub stored: usize,
    /// Extra results.
    pub duplicates: usize,
}

impl Side {
    fn read(&mut self, sim: &Simulator) {
        let (runs, plans, per_case) = sim.with_state(|state| {
            let mut per_case: BTreeMap<u64, usize> = BTreeMap::new();
            for result in state.results.values() {
                *per_case.entry(result.case_id).or_insert(0) += 1;
            }
            (state.runs.len(), state.plans.len(), per_case)
        });
        self.runs = runs;
        self.plans = plans;
        self.stored = per_case.len();
        self.duplicates = per_case.values().map(|n| n.saturating_sub(1)).sum();
    }

    /// Whether every result is stored once in one run.
    pub fn exactly_once(&self) -> bool {
        self.runs == 1 && self.plans == 0 && self.stored == N as usize && self.duplicates == 0
    }

    /// "300/300 (1 run)".
    pub fn stored_text(&self) -> String {
        format!(
            "{}/{N} ({} run{})",
            self.stored,
            self.runs,
            if self.runs == 1 { "" } else { "s" }
        )
    }
}

fn describe(ended: &Ended, what: &str) -> String {
    if ended.killed {
        format!("{what}: killed")
    } else {
        match ended.exit {
            Some(0) => format!("{what}: exit 0"),
            code => format!(
                "{what}: exit {} ({})",
                code.map_or("?".to_owned(), |c| c.to_string()),
                crate::faults::short(last_line(&ended.output_tail))
            ),
        }
    }
}

fn last_line(tail: &str) -> &str {
    tail.rsplit(" / ").next().unwrap_or(tail)
}

/// Waits until every held request of `sim` is handled.
fn finish(sim: &Simulator, scenario: &Scenario) {
    let hang = scenario
        .rules
        .iter()
        .filter_map(|rule| match rule.kind {
            FaultKind::Hang { ms } => Some(ms),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    std::thread::sleep(Duration::from_millis(hang + 600));
    crate::faults::settle(sim);
}

fn fresh_sim(scenario: &Scenario) -> Simulator {
    let sim = sim::spawn(sim::fixture(N), scenario.rules.clone());
    if scenario.clock_shift != 0 {
        sim.advance_clock(scenario.clock_shift);
    }
    sim
}

/// Our side of a scenario, with the `cargo-testrail` binary `cli`.
pub fn ours(scenario: &Scenario, cli: &Path) -> Side {
    let sim = fresh_sim(scenario);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let session = format!("reliability-{}", scenario.key);
    let cases: Vec<u64> = (1..=N).collect();
    let first_dir = dir.path().join("machine-1");
    crate::data::write_spool(&crash::session_dir(&first_dir, &session), &session, &cases);
    let mut env: Vec<(String, String)> = vec![("TESTRAIL_BATCH_SIZE".into(), BATCH.to_string())];
    env.extend(
        scenario
            .ours_env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let settle = Duration::from_secs(SETTLE_SECS);
    let run = |testrail_dir: &Path, kill: Option<Stage>| {
        let mut command = crash::upload_command(cli, &sim, testrail_dir, &session, settle, &env);
        let log = testrail_dir.join(format!("upload-{}.log", crash::unique()));
        crash::drive(&sim, &mut command, &log, kill)
    };
    let mut side = Side::default();
    match &scenario.kind {
        Kind::Faults => {
            for i in 0..3 {
                let ended = run(&first_dir, None);
                side.steps
                    .push(describe(&ended, if i == 0 { "upload" } else { "resume" }));
                if ended.exit == Some(0) {
                    break;
                }
            }
        }
        Kind::Killed {
            endpoint,
            request,
            stage,
        } => {
            sim.set_faults(crash::rules(*request, Some(endpoint), *stage));
            let ended = run(&first_dir, Some(*stage));
            sim.clear_faults();
            side.steps.push(describe(&ended, "upload"));
            let ended = run(&first_dir, None);
            side.steps.push(describe(&ended, "resume"));
        }
        Kind::Rerun => {
            let ended = run(&first_dir, None);
            side.steps.push(describe(&ended, "upload"));
            let second_dir = dir.path().join("machine-2");
            crate::data::write_spool(&crash::session_dir(&second_dir, &session), &session, &cases);
            let ended = run(&second_dir, None);
            side.steps.push(describe(&ended, "re-run"));
        }
    }
    finish(&sim, scenario);
    side.read(&sim);
    side
}

/// trcli's side of a scenario.
pub fn trcli(scenario: &Scenario, trcli: &Path, work: &Path) -> Side {
    let sim = fresh_sim(scenario);
    let home = crate::trcli::home(work);
    let junit = work.join(format!("reliability-{N}.xml"));
    if !junit.exists() {
        let cases: Vec<u64> = (1..=N).collect();
        crate::data::write_junit(&junit, &cases);
    }
    let run = |kill: Option<Stage>| {
        let mut command = trcli_command(trcli, &home, &sim, &junit, &scenario.trcli_global, work);
        let log = work.join(format!("trcli-{}.log", crash::unique()));
        crash::drive(&sim, &mut command, &log, kill)
    };
    let mut side = Side::default();
    match &scenario.kind {
        Kind::Faults => {
            let ended = run(None);
            side.steps.push(describe(&ended, "trcli"));
            if ended.exit != Some(0) {
                let ended = run(None);
                side.steps.push(describe(&ended, "again"));
            }
        }
        Kind::Killed {
            endpoint,
            request,
            stage,
        } => {
            sim.set_faults(crash::rules(*request, Some(endpoint), *stage));
            let ended = run(Some(*stage));
            sim.clear_faults();
            side.steps.push(describe(&ended, "trcli"));
            let ended = run(None);
            side.steps.push(describe(&ended, "again"));
        }
        Kind::Rerun => {
            let ended = run(None);
            side.steps.push(describe(&ended, "trcli"));
            let ended = run(None);
            side.steps.push(describe(&ended, "re-run"));
        }
    }
    finish(&sim, scenario);
    side.read(&sim);
    side
}

/// `trcli parse_junit` of `junit` into a new run of suite 1 of project "Shop".
fn trcli_command(
    trcli: &Path,
    home: &Path,
    sim: &Simulator,
    junit: &Path,
    global: &[&str],
    work: &Path,
) -> Command {
    let mut command = Command::new(trcli);
    command
        .args(["-y", "-h", sim.base_url(), "--project", "Shop"])
        .args(["-u", sim.email(), "-k", sim.api_key()])
        .args(global)
        .args(["parse_junit", "-f"])
        .arg(junit)
        .args([
            "--case-matcher",
            "name",
            "--suite-id",
            "1",
            "--title",
            "reliability",
        ])
        .env("HOME", home)
        .current_dir(work);
    command
}

/// The `cargo-testrail` binary next to this one (same profile), built first with
/// `cargo build -p cargo-testrail -p testrail-bench` so it is current;
/// `TESTRAIL_BENCH_CLI` names another one (then nothing is built).
pub fn cli_binary() -> Result<PathBuf, String> {
    if let Some(cli) = std::env::var_os("TESTRAIL_BENCH_CLI") {
        return Ok(PathBuf::from(cli));
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let profile_dir = exe
        .parent()
        .ok_or("the bench binary has no directory")?
        .to_path_buf();
    let release = profile_dir
        .file_name()
        .is_some_and(|name| name == "release");
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        // With this package, so the features of shared dependencies are the ones this
        // binary was built with and nothing is compiled a second time.
        .args([
            "build",
            "--quiet",
            "-p",
            "cargo-testrail",
            "-p",
            "testrail-bench",
        ])
        .current_dir(crate::workspace_root());
    if release {
        command.arg("--release");
    }
    let status = command
        .status()
        .map_err(|e| format!("cargo build -p cargo-testrail: {e}"))?;
    if !status.success() {
        return Err("cargo build -p cargo-testrail failed".into());
    }
    Ok(profile_dir.join("cargo-testrail"))
}
