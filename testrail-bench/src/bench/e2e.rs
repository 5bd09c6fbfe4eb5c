//! End to end, against what Rust teams do today: from `cargo` start to results stored in a
//! simulator that adds 50 ms to every request, for one generated crate of 1,000 tests of five
//! steps each, every 20th failing and ten flaky (see [`crate::e2e_crate`]):
//!
//! - (a) `cargo nextest run --profile ci --retries 1 --no-fail-fast` writing JUnit, then
//!   `trcli parse_junit --case-matcher name --suite-id 1` (the case ID in the test name,
//!   `c123_checkout`, as trcli's name matcher reads it; the cases exist in the simulator);
//! - (b) `TESTRAIL_EXPORT=1 cargo test`: our harness (`retries = 1` on every test) and its
//!   export at the end of the test binary;
//! - (c) `cargo nextest run --no-fail-fast` on the same `testrail` crate (retries in the
//!   code, not nextest's), then `cargo testrail upload` of the spooled session.
//!
//! The crate is built before anything is timed: each timing starts with an up-to-date build
//! (cargo's freshness check is in the figure, compiling is not; the compile benchmark has
//! that cost). Every run has a fresh simulator, a fresh `TESTRAIL_DIR` and a fresh directory
//! of flaky markers. Rounds rotate the order of the ways. What arrived is read from the
//! simulator's state; requests from its counters; where the time goes from the commands'
//! own wall times and the simulator's request log (first request, last answer).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use testrail_sim::{FaultKind, FaultRule, Simulator};

use super::{Options, Report, met, secs};
use crate::e2e_crate::{self, FLAKY_DIR_VAR, PLAIN, TESTRAIL};
use crate::faults::settle;
use crate::measure::{self, Measured};
use crate::sim;
use crate::trcli;

/// Tests (and cases) in the generated crate.
pub const TESTS: u32 = 1_000;

/// Latency the simulator adds to every request, in milliseconds (as the export benchmark).
pub const LATENCY_MS: u64 = 50;

/// Target: (b) and (c) each at most this many times (a)'s wall time.
pub const TARGET: f64 = 0.8;

/// TestRail's status ID "Failed".
const FAILED: u64 = 5;

/// The bug labels of our outcomes, as a comment may name them.
const LABELS: [&str; 5] = [
    "NoBug",
    "LikelyNoBug",
    "LikelyBug",
    "DefinitelyBug",
    "Undecided",
];

/// One way of getting results from `cargo` into TestRail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Way {
    /// (a) `cargo nextest run --profile ci` (JUnit), then `trcli parse_junit`.
    NextestTrcli,
    /// (b) `cargo test` with our export.
    CargoTestExport,
    /// (c) `cargo nextest run`, then `cargo testrail upload`.
    NextestUpload,
}

impl Way {
    /// All three, in the order of the first round.
    pub const ALL: [Way; 3] = [Way::NextestTrcli, Way::CargoTestExport, Way::NextestUpload];

    /// Short key (`--only`).
    pub fn key(self) -> &'static str {
        match self {
            Way::NextestTrcli => "a",
            Way::CargoTestExport => "b",
            Way::NextestUpload => "c",
        }
    }

    /// The commands, for the report.
    pub fn label(self) -> &'static str {
        match self {
            Way::NextestTrcli => "(a) `cargo nextest run --profile ci` + `trcli parse_junit`",
            Way::CargoTestExport => "(b) `TESTRAIL_EXPORT=1 cargo test`",
            Way::NextestUpload => "(c) `cargo nextest run` + `cargo testrail upload`",
        }
    }

    /// The exit codes the commands should end with: the tests' (failures: nextest 100,
    /// `cargo test` 101), then the uploader's.
    fn expected_codes(self) -> &'static [i32] {
        match self {
            Way::NextestTrcli | Way::NextestUpload => &[100, 0],
            Way::CargoTestExport => &[101],
        }
    }
}

/// What arrived in the simulator, read from its state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Arrived {
    /// Runs created.
    pub runs: usize,
    /// Results stored.
    pub results: usize,
    /// Cases with at least one result.
    pub cases: usize,
    /// Results with status Failed.
    pub failed: usize,
    /// Step results (`custom_step_results` entries) over all results.
    pub step_results: usize,
    /// Results whose comment names a bug label (NoBug, LikelyNoBug, ...).
    pub labels: usize,
    /// Flaky cases whose result says that an attempt failed (their comment mentions an
    /// attempt), out of [`Arrived::flaky_expected`].
    pub flaky_visible: usize,
    /// The flaky cases.
    pub flaky_expected: usize,
    /// Failing cases whose result carries the failure message.
    pub messages: usize,
}

impl Arrived {
    /// Reads `sim`'s state, for a crate of `tests` tests.
    pub fn of(sim: &Simulator, tests: u32) -> Arrived {
        let flaky = e2e_crate::flaky_cases(tests);
        let failing = e2e_crate::failing_cases(tests);
        sim.with_state(|state| {
            let mut arrived = Arrived {
                runs: state.runs.len(),
                results: state.results.len(),
                flaky_expected: flaky.len(),
                ..Arrived::default()
            };
            let mut cases = std::collections::BTreeSet::new();
            for result in state.results.values() {
                cases.insert(result.case_id);
                let comment = result.comment.as_deref().unwrap_or_default();
                if result.status_id == Some(FAILED) {
                    arrived.failed += 1;
                }
                arrived.step_results += result
                    .custom
                    .get("custom_step_results")
                    .and_then(|steps| steps.as_array())
                    .map_or(0, Vec::len);
                if LABELS.iter().any(|label| comment.contains(label)) {
                    arrived.labels += 1;
                }
                if flaky.contains(&result.case_id)
                    && comment.to_ascii_lowercase().contains("attempt")
                {
                    arrived.flaky_visible += 1;
                }
                if failing.contains(&result.case_id) && comment.contains("payment declined") {
                    arrived.messages += 1;
                }
            }
            arrived.cases = cases.len();
            arrived
        })
    }

    /// Whether every figure is at least `other`'s and one is more: strictly more information.
    pub fn strictly_more_than(&self, other: &Arrived) -> bool {
        let mine = self.figures();
        let theirs = other.figures();
        mine.iter().zip(&theirs).all(|(a, b)| a >= b)
            && mine.iter().zip(&theirs).any(|(a, b)| a > b)
    }

    /// The comparable figures: cases, failed, step results, labels, flaky visible, messages.
    fn figures(&self) -> [usize; 6] {
        [
            self.cases,
            self.failed,
            self.step_results,
            self.labels,
            self.flaky_visible,
            self.messages,
        ]
    }
}

/// One process of a way.
#[derive(Clone, Debug)]
pub struct Step {
    /// What it was (`cargo nextest run`, `trcli`, ...).
    pub what: &'static str,
    /// Its cost.
    pub measured: Measured,
}

/// One timed run of a way.
#[derive(Clone, Debug)]
pub struct Run {
    /// Which way.
    pub way: Way,
    /// Round (1-based).
    pub round: usize,
    /// From `cargo` start to the uploader's end.
    pub wall: Duration,
    /// Its processes, in order.
    pub steps: Vec<Step>,
    /// From `cargo` start to the simulator's first request.
    pub first_request: Option<Duration>,
    /// From the first request's arrival to the last answer.
    pub upload_window: Option<Duration>,
    /// Requests the simulator received.
    pub requests: u64,
    /// Requests per endpoint.
    pub per_endpoint: BTreeMap<String, u64>,
    /// What arrived.
    pub arrived: Arrived,
    /// Exit codes other than expected, and the last line of that process's output.
    pub problem: Option<String>,
}

/// What every run needs.
struct Tools {
    trcli: Option<(PathBuf, PathBuf)>,
    cli: Option<PathBuf>,
    work: PathBuf,
    tests: u32,
}

fn latency() -> Vec<FaultRule> {
    vec![FaultRule::new(FaultKind::Latency { ms: LATENCY_MS })]
}

fn fresh_dir(path: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(path);
    std::fs::create_dir_all(path).expect("a directory of the e2e benchmark");
    path.to_path_buf()
}

fn log_file(path: &Path) -> (Stdio, Stdio) {
    let out = std::fs::File::create(path).expect("a log file of the e2e benchmark");
    let err = out.try_clone().expect("a log file can be shared");
    (Stdio::from(out), Stdio::from(err))
}

fn last_line(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    crate::faults::short(
        text.lines()
            .rev()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .unwrap_or_default(),
    )
}

fn timed(command: &Command, what: &'static str, log: &Path) -> Step {
    let (out, err) = log_file(log);
    let measured = measure::run(command, out, err, Some(Duration::from_secs(1800)))
        .expect("a command of the e2e benchmark runs");
    Step { what, measured }
}

/// The simulator's environment for our side, without a session key (nextest's and
/// `cargo test`'s own apply, as in CI without `TESTRAIL_SESSION`).
fn sim_env(sim: &Simulator) -> Vec<(String, String)> {
    sim::export_env(sim, "")
        .into_iter()
        .filter(|(key, _)| key != "TESTRAIL_SESSION")
        .collect()
}

fn run_way(way: Way, round: usize, tools: &Tools) -> Option<Run> {
    let dir = fresh_dir(&tools.work.join("runs").join(way.key()));
    let flaky = fresh_dir(&dir.join("flaky"));
    let testrail_dir = dir.join("testrail");
    let sim = sim::spawn(sim::fixture(u64::from(tools.tests)), latency());
    let started_at = SystemTime::now();
    let started = Instant::now();
    let mut steps = Vec::new();
    let mut logs = Vec::new();
    match way {
        Way::NextestTrcli => {
            let (trcli, home) = tools.trcli.as_ref()?;
            let _ = std::fs::remove_file(e2e_crate::junit_path());
            let mut nextest = e2e_crate::cargo();
            nextest
                .args(["nextest", "run", "--profile", "ci", "--retries", "1"])
                .args(["--no-fail-fast", "-p", PLAIN])
                .env(FLAKY_DIR_VAR, &flaky);
            let log = dir.join("nextest.log");
            steps.push(timed(&nextest, "cargo nextest run", &log));
            logs.push(log);
            let ran = trcli::parse_junit(trcli, home, &sim, &e2e_crate::junit_path(), &[], &dir);
            let log = dir.join("trcli.log");
            let _ = std::fs::write(&log, &ran.output);
            steps.push(Step {
                what: "trcli parse_junit",
                measured: ran.measured,
            });
            logs.push(log);
        }
        Way::CargoTestExport => {
            let mut test = e2e_crate::cargo();
            test.args(["test", "-p", TESTRAIL])
                .env(FLAKY_DIR_VAR, &flaky)
                .env("TESTRAIL_DIR", &testrail_dir)
                .env("TESTRAIL_EXPORT", "1")
                .envs(sim_env(&sim));
            let log = dir.join("cargo-test.log");
            steps.push(timed(&test, "cargo test (tests and export)", &log));
            logs.push(log);
        }
        Way::NextestUpload => {
            let cli = tools.cli.as_ref()?;
            let mut nextest = e2e_crate::cargo();
            nextest
                .args(["nextest", "run", "--no-fail-fast", "-p", TESTRAIL])
                .env(FLAKY_DIR_VAR, &flaky)
                .env("TESTRAIL_DIR", &testrail_dir);
            let log = dir.join("nextest.log");
            steps.push(timed(&nextest, "cargo nextest run", &log));
            logs.push(log);
            let path = std::env::var_os("PATH").unwrap_or_default();
            let mut paths = vec![cli.parent().map(Path::to_path_buf).unwrap_or_default()];
            paths.extend(std::env::split_paths(&path));
            let mut upload = e2e_crate::cargo();
            upload
                .args(["testrail", "upload"])
                .env(
                    "PATH",
                    std::env::join_paths(paths).expect("PATH can be joined"),
                )
                .env("TESTRAIL_DIR", &testrail_dir)
                .env("NO_COLOR", "1")
                .envs(sim_env(&sim));
            let log = dir.join("upload.log");
            steps.push(timed(&upload, "cargo testrail upload", &log));
            logs.push(log);
        }
    }
    let wall = started.elapsed();
    settle(&sim);
    let problem = steps
        .iter()
        .zip(way.expected_codes())
        .zip(&logs)
        .find(|((step, expected), _)| step.measured.code != **expected)
        .map(|((step, expected), log)| {
            format!(
                "{} exited {} (expected {expected}): {}",
                step.what,
                step.measured.code,
                last_line(log)
            )
        });
    let start = started_at
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    let log = sim.log();
    let first = log.iter().map(|entry| entry.time).reduce(f64::min);
    let last = log
        .iter()
        .map(|entry| entry.time + entry.duration_ms / 1000.0)
        .reduce(f64::max);
    let since = |t: f64| Duration::from_secs_f64((t - start).max(0.0));
    let counters = sim.counters();
    Some(Run {
        way,
        round,
        wall,
        steps,
        first_request: first.map(since),
        upload_window: first
            .zip(last)
            .map(|(first, last)| Duration::from_secs_f64((last - first).max(0.0))),
        requests: counters.requests,
        per_endpoint: counters.per_endpoint,
        arrived: Arrived::of(&sim, tools.tests),
        problem,
    })
}

/// The `cargo-testrail` binary next to this one (same profile), built first with
/// `cargo build -p cargo-testrail` so it is current; `TESTRAIL_BENCH_CLI` names another one
/// (then nothing is built). Unlike [`crate::reliability::cli_binary`] it does not build this
/// package along: with the features of both packages unified, cargo would link this
/// benchmark's binary anew under the running process, which could then start no wrapper
/// (`/proc/self/exe` deleted).
fn cli_binary() -> Result<PathBuf, String> {
    if let Some(cli) = std::env::var_os("TESTRAIL_BENCH_CLI") {
        return Ok(PathBuf::from(cli));
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let profile_dir = exe
        .parent()
        .ok_or("the bench binary has no directory")?
        .to_path_buf();
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .args(["build", "--quiet", "-p", "cargo-testrail"])
        .current_dir(crate::workspace_root());
    if profile_dir
        .file_name()
        .is_some_and(|name| name == "release")
    {
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

/// `cargo test --no-run` on the built crate: cargo's freshness check alone.
fn freshness(work: &Path) -> Duration {
    let mut command = e2e_crate::cargo();
    command.args(["test", "--no-run", "-p", TESTRAIL, "-p", PLAIN]);
    timed(&command, "cargo test --no-run", &work.join("freshness.log"))
        .measured
        .wall
}

/// Builds both sides (dev profile, as `cargo test` and `cargo nextest run` build them).
fn build(work: &Path) -> Result<(), String> {
    let mut command = e2e_crate::cargo();
    command.args(["test", "--no-run", "-p", TESTRAIL, "-p", PLAIN]);
    let log = work.join("build.log");
    let step = timed(&command, "cargo test --no-run", &log);
    if step.measured.code != 0 {
        return Err(format!(
            "building the generated crates failed ({}); see {}",
            last_line(&log),
            log.display()
        ));
    }
    eprintln!(
        "  e2e: built the generated crates in {}",
        secs(step.measured.wall)
    );
    Ok(())
}

fn median(values: impl IntoIterator<Item = Duration>) -> Duration {
    measure::median(&values.into_iter().collect::<Vec<_>>())
}

fn spread(values: &[Duration]) -> String {
    let min = values.iter().min().copied().unwrap_or_default();
    let max = values.iter().max().copied().unwrap_or_default();
    format!("{}–{}", secs(min), secs(max))
}

fn opt_secs(d: Option<Duration>) -> String {
    d.map(secs).unwrap_or_else(|| "–".into())
}

fn arrived_cell(arrived: &Arrived, tests: u32) -> Vec<String> {
    vec![
        format!("{} of {tests}", arrived.cases),
        arrived.failed.to_string(),
        arrived.step_results.to_string(),
        arrived.labels.to_string(),
        format!("{} of {}", arrived.flaky_visible, arrived.flaky_expected),
        arrived.messages.to_string(),
    ]
}

/// Runs the benchmark and adds its section to the report; returns every timed run.
pub fn run(report: &mut Report, opts: &Options) -> Vec<Run> {
    let tests = TESTS;
    let work = crate::work_dir().join("e2e");
    std::fs::create_dir_all(&work).expect("the e2e work directory");
    if let Err(error) = e2e_crate::generate_into(&e2e_crate::ws_dir(), tests) {
        report.add(&format!(
            "## 6. End to end\n\nNot measured: the generated crate could not be written ({error}).\n"
        ));
        return Vec::new();
    }
    if let Err(error) = build(&work) {
        report.add(&format!("## 6. End to end\n\nNot measured: {error}.\n"));
        return Vec::new();
    }
    let trcli = if opts.no_trcli {
        None
    } else {
        match trcli::ensure() {
            Ok(path) => Some((path, trcli::home(&work))),
            Err(error) => {
                eprintln!("  e2e: trcli unavailable ({error}); way (a) is skipped");
                None
            }
        }
    };
    let cli = match cli_binary() {
        Ok(cli) => Some(cli),
        Err(error) => {
            eprintln!("  e2e: cargo-testrail unavailable ({error}); way (c) is skipped");
            None
        }
    };
    let tools = Tools {
        trcli,
        cli,
        work: work.clone(),
        tests,
    };
    let ways: Vec<Way> = Way::ALL
        .into_iter()
        .filter(|way| opts.selected(way.key()))
        .collect();
    // One untimed round first: page cache, the simulator's and trcli's first start.
    for &way in &ways {
        eprintln!("  e2e warm-up: {}", way.key());
        let _ = run_way(way, 0, &tools);
    }
    let mut runs = Vec::new();
    let mut fresh = Vec::new();
    for round in 1..=opts.runs {
        fresh.push(freshness(&work));
        for offset in 0..ways.len() {
            let way = ways[(round - 1 + offset) % ways.len()];
            eprintln!("  e2e round {round}: {}", way.key());
            if let Some(run) = run_way(way, round, &tools) {
                runs.push(run);
            }
        }
    }
    add_report(report, &runs, &fresh, tests, opts.runs);
    runs
}

fn add_report(report: &mut Report, runs: &[Run], fresh: &[Duration], tests: u32, rounds: usize) {
    report.add(&format!(
        "## 6. End to end\n\nFrom `cargo` start to results stored in a fresh simulator ({LATENCY_MS} ms added to every request), one generated crate of {tests} tests (cases C1..C{tests} of one suite), 5 steps each, every 20th failing (step 4, `pay`), every 100th from the 7th flaky (step 3 fails the first attempt, passes the retry). (a) plain `#[test]` functions `c<id>_checkout` (the same five steps as plain calls): `cargo nextest run --profile ci --retries 1 --no-fail-fast` writing JUnit, then trcli {} `parse_junit --case-matcher name --suite-id 1` (trcli's reading of `C<id>` in the test name; the cases exist). (b) the same tests as `#[testrail::case(C<id>, retries = 1)]` with `#[testrail::step]` functions: `TESTRAIL_EXPORT=1 cargo test`. (c) the same `testrail` crate under `cargo nextest run --no-fail-fast` (the retries are the harness's, declared in the code), then `cargo testrail upload` (through `cargo`). The crate is built before timing: each figure starts with an up-to-date build, so it holds cargo's freshness check but no compilation (that cost is the compile benchmark's). Dev profile, as `cargo test` builds; 2 test threads (both runners' default here). {rounds} rounds after one untimed warm-up round, the order of the ways rotating; medians. What arrived is read from the simulator's state: results with a `custom_step_results` entry counted per step, a bug label when the comment names one, a flaky test's attempts when its comment mentions an attempt, a failure message when a failing case's comment holds `payment declined`.\n",
        trcli::VERSION
    ));
    let by_way = |way: Way| runs.iter().filter(move |run| run.way == way);
    let reference = median(by_way(Way::NextestTrcli).map(|run| run.wall));
    let mut rows = Vec::new();
    for way in Way::ALL {
        let walls: Vec<Duration> = by_way(way).map(|run| run.wall).collect();
        let Some(last) = by_way(way).next_back() else {
            continue;
        };
        let wall = median(walls.iter().copied());
        let mut row = vec![
            way.label().to_owned(),
            secs(wall),
            spread(&walls),
            if way == Way::NextestTrcli || reference.is_zero() {
                "–".into()
            } else {
                super::ratio(wall.as_secs_f64(), reference.as_secs_f64())
            },
            measure::median_u64(&by_way(way).map(|run| run.requests).collect::<Vec<_>>())
                .to_string(),
        ];
        row.extend(arrived_cell(&last.arrived, tests));
        row.push(
            walls
                .iter()
                .map(|w| format!("{:.2}", w.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(" "),
        );
        rows.push(row);
    }
    report.table(
        &[
            "way",
            "wall (median)",
            "min–max",
            "ratio to (a)",
            "requests",
            "cases with a result",
            "failed results",
            "step results",
            "bug labels",
            "flaky attempts visible",
            "failure messages",
            "every run (s)",
        ],
        &rows,
    );
    let unequal: Vec<String> = Way::ALL
        .iter()
        .filter_map(|&way| {
            let first = by_way(way).next()?;
            by_way(way)
                .find(|run| run.arrived != first.arrived)
                .map(|run| {
                    format!(
                        "{} round {}: {:?} (round {}: {:?})",
                        way.key(),
                        run.round,
                        run.arrived,
                        first.round,
                        first.arrived
                    )
                })
        })
        .collect();
    if !unequal.is_empty() {
        report.add(&format!(
            "**What arrived differed between rounds** (the table shows the last round): {}\n",
            unequal.join("; ")
        ));
    }
    let problems: Vec<String> = runs
        .iter()
        .filter_map(|run| {
            run.problem
                .as_ref()
                .map(|p| format!("- {} round {}: {p}", run.way.key(), run.round))
        })
        .collect();
    if !problems.is_empty() {
        report.add(&format!(
            "**Unexpected exit codes:**\n\n{}\n",
            problems.join("\n")
        ));
    }

    let mut targets = Vec::new();
    let a = by_way(Way::NextestTrcli)
        .next_back()
        .map(|run| &run.arrived);
    for way in [Way::CargoTestExport, Way::NextestUpload] {
        let walls: Vec<Duration> = by_way(way).map(|run| run.wall).collect();
        let (Some(last), Some(a)) = (by_way(way).next_back(), a) else {
            continue;
        };
        let wall = median(walls.iter().copied());
        let r = wall.as_secs_f64() / reference.as_secs_f64().max(f64::MIN_POSITIVE);
        let ratios: Vec<String> = by_way(way)
            .filter_map(|run| {
                let theirs = by_way(Way::NextestTrcli).find(|a| a.round == run.round)?;
                Some(format!(
                    "{:.2}",
                    run.wall.as_secs_f64() / theirs.wall.as_secs_f64()
                ))
            })
            .collect();
        let more = by_way(way).all(|run| run.arrived.strictly_more_than(a))
            && by_way(way).all(|run| run.problem.is_none());
        targets.push(vec![
            format!("{}, wall", way.label()),
            secs(wall),
            format!("(a) {}", secs(reference)),
            format!("{r:.2}× (per round: {})", ratios.join(" ")),
            format!("≤ {TARGET}× (a)"),
            met(r <= TARGET),
        ]);
        targets.push(vec![
            format!("{}, what arrived", way.label()),
            format!(
                "{} steps, {} labels, {} flaky visible",
                last.arrived.step_results, last.arrived.labels, last.arrived.flaky_visible
            ),
            format!(
                "(a) {} steps, {} labels, {} flaky visible",
                a.step_results, a.labels, a.flaky_visible
            ),
            String::new(),
            "strictly more than (a), every round".into(),
            met(more),
        ]);
    }
    report.add("### End to end targets\n");
    report.table(
        &["figure", "ours", "reference", "ratio", "target", ""],
        &targets,
    );

    report.add(&format!(
        "### Where the time goes (medians)\n\ncargo's freshness check alone (`cargo test --no-run` on the built crates): {} (every round: {}). \"first request\" is from `cargo` start to the simulator's first request; \"upload window\" from that request to the last answer (both from the simulator's request log).\n",
        secs(median(fresh.iter().copied())),
        fresh
            .iter()
            .map(|d| format!("{:.2}", d.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(" ")
    ));
    let mut phases = Vec::new();
    for way in Way::ALL {
        let Some(first) = by_way(way).next() else {
            continue;
        };
        let per_step: Vec<String> = (0..first.steps.len())
            .map(|i| {
                format!(
                    "{} {}",
                    first.steps[i].what,
                    secs(median(by_way(way).filter_map(|run| {
                        run.steps.get(i).map(|step| step.measured.wall)
                    })))
                )
            })
            .collect();
        phases.push(vec![
            way.label().to_owned(),
            per_step.join(" · "),
            secs(median(by_way(way).filter_map(|run| run.first_request))),
            secs(median(by_way(way).filter_map(|run| run.upload_window))),
            secs(median(by_way(way).map(|run| run.wall))),
            by_way(way)
                .next_back()
                .map(|run| {
                    run.per_endpoint
                        .iter()
                        .map(|(endpoint, n)| format!("{endpoint} {n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
        ]);
    }
    report.table(
        &[
            "way",
            "processes (wall)",
            "first request",
            "upload window",
            "total",
            "requests per endpoint (last round)",
        ],
        &phases,
    );
    let every: Vec<Vec<String>> = runs
        .iter()
        .map(|run| {
            vec![
                run.round.to_string(),
                run.way.key().into(),
                secs(run.wall),
                run.steps
                    .iter()
                    .map(|step| format!("{} {}", step.what, secs(step.measured.wall)))
                    .collect::<Vec<_>>()
                    .join(" · "),
                opt_secs(run.first_request),
                opt_secs(run.upload_window),
                run.requests.to_string(),
            ]
        })
        .collect();
    report.add("### Every run\n");
    report.table(
        &[
            "round",
            "way",
            "wall",
            "processes",
            "first request",
            "upload window",
            "requests",
        ],
        &every,
    );
}
