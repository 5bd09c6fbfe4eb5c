//! The randomized crash test: `cargo testrail upload` of a spooled session, killed at a
//! request boundary chosen from a seed, resumed (possibly killed again, possibly from a
//! fresh `TESTRAIL_DIR` holding a copy of the session directory, as a CI re-run that
//! restores it from an artifact), and finally run to its end. Every seed must end with
//! every result stored exactly once, in one run, and no plan.
//!
//! The kill point is exact and reproducible: the simulator holds request N of an attempt
//! (a `hang` rule firing once, after N-1 requests), the test sees the rule fire and then
//! kills the client while that request is in flight, in one of three ways:
//!
//! - [`Stage::Unsent`]: killed, and the held request is then dropped without being handled
//!   (`hang` + `drop_before`): TestRail never saw it, as when the process dies between
//!   writing the journal and sending;
//! - [`Stage::Late`]: killed, and TestRail handles the request `ms` after it arrived, while
//!   the resume is already running (`hang`): the write whose answer was lost lands late;
//! - [`Stage::Unanswered`]: the client is stopped (SIGSTOP) while the request is held,
//!   TestRail handles it and answers into the stopped process's socket, then the client is
//!   killed (SIGKILL): handled, answer never read.
//!
//! `cargo-testrail/tests/reliability_crash.rs` runs a few seeds in CI; `testrail-bench
//! crash --seeds 200` runs many and prints the figure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use testrail_sim::{FaultKind, FaultRule, Simulator};

use crate::sim;

/// Where the held request ends up after the kill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Killed while the request is held; the request is then dropped, never handled.
    Unsent,
    /// Killed while the request is held; TestRail handles it `ms` after it arrived.
    Late {
        /// Milliseconds between the request's arrival and its handling.
        ms: u64,
    },
    /// Stopped while the request is held, killed once TestRail handled and answered it.
    Unanswered,
}

impl Stage {
    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Unsent => "unsent",
            Stage::Late { .. } => "late",
            Stage::Unanswered => "unanswered",
        }
    }
}

/// How long an `Unsent` or `Unanswered` request is held: far longer than the test needs to
/// see it arrive and kill (or stop) the client.
const HOLD_MS: u64 = 400;

/// One kill: of which request of an attempt, how, and where the next attempt runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kill {
    /// The request of the attempt (1-based, every API request counts) to kill at.
    pub request: u32,
    /// What happens to that request.
    pub stage: Stage,
    /// Whether the next attempt runs from a fresh `TESTRAIL_DIR` holding a copy of the
    /// session directory (journal included), as a CI re-run restoring an artifact.
    pub resume_elsewhere: bool,
}

/// Everything a seed decides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The seed.
    pub seed: u64,
    /// Results in the session (cases 1..=results).
    pub results: u64,
    /// `TESTRAIL_BATCH_SIZE`.
    pub batch_size: usize,
    /// `TESTRAIL_MAX_IN_FLIGHT`.
    pub max_in_flight: usize,
    /// The kills, one per attempt, before the last attempt (which runs to its end).
    pub kills: Vec<Kill>,
}

impl Plan {
    /// The plan of a seed (the same on every machine: ChaCha8 seeded with it).
    pub fn from_seed(seed: u64, settle: Duration) -> Plan {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let results = rng.random_range(200..=400u64);
        let batch_size = [20, 25, 40, 50, 100][rng.random_range(0..5usize)];
        let max_in_flight = rng.random_range(1..=3usize);
        // Requests of a full upload: a few reads, the run, the batches.
        let requests = 3 + results.div_ceil(batch_size as u64) as u32;
        let kill_count = rng.random_range(1..=3usize);
        // A late write lands well inside the settle window (what the window is for).
        let late_max = (settle.as_millis() as u64).saturating_sub(500).max(400);
        let kills = (0..kill_count)
            .map(|_| Kill {
                request: rng.random_range(1..=requests),
                stage: match rng.random_range(0..3u8) {
                    0 => Stage::Unsent,
                    1 => Stage::Late {
                        ms: rng.random_range(300..=late_max),
                    },
                    _ => Stage::Unanswered,
                },
                resume_elsewhere: rng.random_bool(0.3),
            })
            .collect();
        Plan {
            seed,
            results,
            batch_size,
            max_in_flight,
            kills,
        }
    }

    /// The plan in one line.
    pub fn describe(&self) -> String {
        let kills: Vec<String> = self
            .kills
            .iter()
            .map(|kill| {
                format!(
                    "request {} {}{}",
                    kill.request,
                    match kill.stage {
                        Stage::Late { ms } => format!("late {ms} ms"),
                        other => other.name().to_owned(),
                    },
                    if kill.resume_elsewhere {
                        ", resumed from a copy"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        format!(
            "seed {}: {} results, batches of {}, {} in flight; kills: {}",
            self.seed,
            self.results,
            self.batch_size,
            self.max_in_flight,
            kills.join("; ")
        )
    }
}

/// How the crash test runs.
#[derive(Clone, Debug)]
pub struct CrashOptions {
    /// The `cargo-testrail` binary.
    pub cli: PathBuf,
    /// `TESTRAIL_SETTLE` of every upload.
    pub settle: Duration,
}

/// What one attempt did.
#[derive(Clone, Debug)]
pub struct Attempt {
    /// The kill planned for it (none for the last attempt).
    pub kill: Option<Kill>,
    /// Whether it was killed (a planned kill whose request never came lets it finish).
    pub killed: bool,
    /// Whether the held request was still in flight at the kill (or the stop).
    pub in_flight_at_kill: bool,
    /// The API method of the held request, read back from the simulator's log.
    pub endpoint: Option<String>,
    /// Exit code when it ended by itself.
    pub exit: Option<i32>,
    /// The end of its output.
    pub output_tail: String,
}

/// What a seed ended with.
#[derive(Clone, Debug)]
pub struct SeedOutcome {
    /// The plan.
    pub plan: Plan,
    /// Every attempt, the last one run to its end.
    pub attempts: Vec<Attempt>,
    /// Runs in the simulator.
    pub runs: usize,
    /// Plans in the simulator.
    pub plans: usize,
    /// Results stored, over every run.
    pub stored: usize,
    /// Extra copies of results.
    pub duplicates: usize,
    /// Cases without a result.
    pub lost: usize,
    /// Wall time of the seed.
    pub wall: Duration,
}

impl SeedOutcome {
    /// Whether the seed kept the promise: every result once, one run, no plan, and the
    /// last upload succeeded.
    pub fn passed(&self) -> bool {
        self.problems().is_empty()
    }

    /// What went wrong, in words.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.runs != 1 {
            problems.push(format!("{} runs (expected 1)", self.runs));
        }
        if self.plans != 0 {
            problems.push(format!("{} plans (expected 0)", self.plans));
        }
        if self.duplicates > 0 {
            problems.push(format!("{} duplicate results", self.duplicates));
        }
        if self.lost > 0 {
            problems.push(format!("{} results lost", self.lost));
        }
        if let Some(last) = self.attempts.last()
            && last.exit != Some(0)
        {
            problems.push(format!(
                "the last upload exited with {:?}: {}",
                last.exit, last.output_tail
            ));
        }
        problems
    }

    /// The seed, its kills (with the endpoints they hit) and its result, for a report.
    pub fn describe(&self) -> String {
        let kills: Vec<String> = self
            .attempts
            .iter()
            .filter_map(|attempt| {
                let kill = attempt.kill?;
                Some(if attempt.killed {
                    format!(
                        "{} at request {} ({}){}",
                        match kill.stage {
                            Stage::Late { ms } => format!("late {ms} ms"),
                            other => other.name().to_owned(),
                        },
                        kill.request,
                        attempt.endpoint.as_deref().unwrap_or("?"),
                        if attempt.in_flight_at_kill {
                            ""
                        } else {
                            " [not in flight at the kill]"
                        }
                    )
                } else {
                    format!(
                        "request {} never came (exit {:?})",
                        kill.request, attempt.exit
                    )
                })
            })
            .collect();
        format!(
            "seed {}: {} results, batches of {}, {} in flight; {}; {} runs, {} stored, {} duplicates, {} lost{}",
            self.plan.seed,
            self.plan.results,
            self.plan.batch_size,
            self.plan.max_in_flight,
            kills.join(" → "),
            self.runs,
            self.stored,
            self.duplicates,
            self.lost,
            if self.passed() {
                String::new()
            } else {
                format!(": FAILED ({})", self.problems().join("; "))
            }
        )
    }
}

/// Runs one seed against a fresh simulator.
pub fn run_seed(seed: u64, options: &CrashOptions) -> SeedOutcome {
    let started = Instant::now();
    let plan = Plan::from_seed(seed, options.settle);
    let cases: Vec<u64> = (1..=plan.results).collect();
    let sim = sim::spawn(sim::fixture(plan.results), Vec::new());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let session = format!("crash-{seed}");
    let mut testrail_dir = dir.path().join("testrail-0");
    crate::data::write_spool(&session_dir(&testrail_dir, &session), &session, &cases);

    let mut attempts = Vec::new();
    for (i, kill) in plan.kills.iter().enumerate() {
        let attempt = attempt(&sim, &plan, options, &testrail_dir, &session, Some(*kill));
        attempts.push(attempt);
        if kill.resume_elsewhere {
            let fresh = dir.path().join(format!("testrail-{}", i + 1));
            copy_dir(
                &session_dir(&testrail_dir, &session),
                &session_dir(&fresh, &session),
            );
            testrail_dir = fresh;
        }
    }
    attempts.push(attempt(&sim, &plan, options, &testrail_dir, &session, None));

    // Held requests end within their hold; then nothing is in flight any more.
    let longest_hold = plan
        .kills
        .iter()
        .map(|kill| match kill.stage {
            Stage::Late { ms } => ms,
            _ => HOLD_MS,
        })
        .max()
        .unwrap_or(0);
    std::thread::sleep(Duration::from_millis(longest_hold + 100));
    crate::faults::settle(&sim);

    // The held requests, in order: one per kill that fired.
    let held: Vec<String> = sim
        .log()
        .into_iter()
        .filter(|entry| entry.faults.iter().any(|fault| fault == "hang"))
        .map(|entry| entry.endpoint)
        .collect();
    let mut held = held.into_iter();
    for attempt in attempts.iter_mut().filter(|attempt| attempt.killed) {
        attempt.endpoint = held.next();
    }

    let (runs, plans, per_case) = sim.with_state(|state| {
        let mut per_case: BTreeMap<u64, usize> = BTreeMap::new();
        for result in state.results.values() {
            *per_case.entry(result.case_id).or_insert(0) += 1;
        }
        (state.runs.len(), state.plans.len(), per_case)
    });
    SeedOutcome {
        plan,
        attempts,
        runs,
        plans,
        stored: per_case.values().sum(),
        duplicates: per_case.values().map(|n| n.saturating_sub(1)).sum(),
        lost: cases
            .iter()
            .filter(|case| !per_case.contains_key(case))
            .count(),
        wall: started.elapsed(),
    }
}

/// The directory of `session` under a testrail directory.
pub fn session_dir(testrail_dir: &Path, session: &str) -> PathBuf {
    testrail_dir.join("sessions").join(session)
}

/// Copies the files of a session directory (spool files and journal; not the lock file).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("the copy's directory can be created");
    for entry in std::fs::read_dir(from).expect("the session directory can be read") {
        let entry = entry.expect("a directory entry");
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') || !entry.path().is_file() {
            continue;
        }
        std::fs::copy(entry.path(), to.join(&name)).expect("a session file can be copied");
    }
}

/// The rules that hold request `request` (1-based) of the next process, counting only
/// requests to `endpoint` when given, and let it end as `stage` says.
pub fn rules(request: u32, endpoint: Option<&str>, stage: Stage) -> Vec<FaultRule> {
    let after = request.saturating_sub(1);
    let scoped = |rule: FaultRule| match endpoint {
        Some(endpoint) => rule.on(endpoint),
        None => rule,
    };
    let hold = |ms| scoped(FaultRule::new(FaultKind::Hang { ms }).after(after).times(1));
    match stage {
        Stage::Unsent => vec![
            hold(HOLD_MS),
            scoped(FaultRule::new(FaultKind::DropBefore).after(after).times(1)),
        ],
        Stage::Late { ms } => vec![hold(ms)],
        Stage::Unanswered => vec![hold(HOLD_MS)],
    }
}

/// `cargo testrail upload` of a session directory into `sim`, with the test settings
/// (short retry waits, `settle`) and `env` on top; the caller's `TESTRAIL_*` variables
/// are removed.
pub fn upload_command(
    cli: &Path,
    sim: &Simulator,
    testrail_dir: &Path,
    session: &str,
    settle: Duration,
    env: &[(String, String)],
) -> Command {
    let mut command = Command::new(cli);
    for (name, _) in std::env::vars() {
        if name.starts_with("TESTRAIL_") || name == "NEXTEST_RUN_ID" {
            command.env_remove(name);
        }
    }
    command
        .args(["testrail", "upload"])
        .arg(session_dir(testrail_dir, session))
        .envs(sim::export_env(sim, session))
        .env("TESTRAIL_DIR", testrail_dir)
        .env("TESTRAIL_SETTLE", format!("{}ms", settle.as_millis()))
        .env("TESTRAIL_BACKOFF", "10ms")
        .env("NO_COLOR", "1")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(testrail_dir);
    command
}

/// How a process ended.
#[derive(Clone, Debug, Default)]
pub struct Ended {
    /// Exit code when it ended by itself.
    pub exit: Option<i32>,
    /// Whether it was killed at the held request.
    pub killed: bool,
    /// Whether the held request was still in flight at the kill (or the stop).
    pub in_flight_at_kill: bool,
    /// The last lines of its output.
    pub output_tail: String,
}

/// Runs `command` (its output going to `log`), and when `kill` is given and every fault
/// rule of `sim` has fired (the held request arrived), kills it as the stage says.
pub fn drive(sim: &Simulator, command: &mut Command, log: &Path, kill: Option<Stage>) -> Ended {
    if let Some(parent) = log.parent() {
        std::fs::create_dir_all(parent).expect("the log's directory can be created");
    }
    let file = std::fs::File::create(log).expect("the output file can be created");
    command
        .stdin(Stdio::null())
        .stdout(file.try_clone().expect("the output file can be shared"))
        .stderr(file);
    let mut child = command.spawn().expect("the process starts");
    let mut ended = Ended::default();
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        if let Some(status) = child.try_wait().expect("the process can be waited for") {
            ended.exit = status.code();
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            ended.output_tail = "did not end within 300 s".into();
            return ended;
        }
        if let Some(stage) = kill
            && sim.faults().is_empty()
        {
            ended.in_flight_at_kill = sim.counters().in_flight > 0;
            kill_at(&mut child, sim, stage);
            ended.killed = true;
            quiet(sim);
            return ended;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    ended.output_tail = lines[lines.len().saturating_sub(3)..].join(" / ");
    ended
}

/// One `cargo testrail upload`, killed as `kill` says, or run to its end.
fn attempt(
    sim: &Simulator,
    plan: &Plan,
    options: &CrashOptions,
    testrail_dir: &Path,
    session: &str,
    kill: Option<Kill>,
) -> Attempt {
    sim.set_faults(
        kill.map(|kill| rules(kill.request, None, kill.stage))
            .unwrap_or_default(),
    );
    let env = [
        (
            "TESTRAIL_BATCH_SIZE".to_owned(),
            plan.batch_size.to_string(),
        ),
        (
            "TESTRAIL_MAX_IN_FLIGHT".to_owned(),
            plan.max_in_flight.to_string(),
        ),
    ];
    let mut command = upload_command(
        &options.cli,
        sim,
        testrail_dir,
        session,
        options.settle,
        &env,
    );
    let log = testrail_dir.join(format!("upload-{}.log", unique()));
    let ended = drive(sim, &mut command, &log, kill.map(|kill| kill.stage));
    sim.clear_faults();
    Attempt {
        kill,
        killed: ended.killed,
        in_flight_at_kill: ended.in_flight_at_kill,
        endpoint: None,
        exit: ended.exit,
        output_tail: ended.output_tail,
    }
}

/// A name part that differs between calls.
pub fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Waits until no request has arrived for 150 ms (at most 3 s): requests the killed
/// process wrote before it died must reach the simulator before the next process's rules
/// are set, or they would count as that process's requests.
fn quiet(sim: &Simulator) {
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut seen = sim.counters().requests;
    let mut since = Instant::now();
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
        let now = sim.counters().requests;
        if now != seen {
            seen = now;
            since = Instant::now();
        } else if since.elapsed() >= Duration::from_millis(150) {
            return;
        }
    }
}

/// Kills the client while its held request is in flight (see [`Stage`]).
fn kill_at(child: &mut Child, sim: &Simulator, stage: Stage) {
    if stage == Stage::Unanswered {
        signal(child, libc::SIGSTOP);
        // The held request is handled and answered into the stopped process's socket.
        let deadline = Instant::now() + Duration::from_millis(HOLD_MS + 5_000);
        while sim.counters().in_flight > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn signal(child: &Child, signal: libc::c_int) {
    let Ok(pid) = libc::pid_t::try_from(child.id()) else {
        return;
    };
    // SAFETY: `kill` only sends a signal to our own child process, which is still alive
    // (it has not been waited for).
    unsafe {
        libc::kill(pid, signal);
    }
}

/// The figure over many seeds.
#[derive(Clone, Debug, Default)]
pub struct Figure {
    /// Seeds run.
    pub seeds: usize,
    /// Seeds that kept the promise.
    pub passed: usize,
    /// Results expected over every seed.
    pub results: u64,
    /// Results stored over every seed.
    pub stored: usize,
    /// Extra copies over every seed.
    pub duplicates: usize,
    /// Results lost over every seed.
    pub lost: usize,
    /// Extra runs (beyond one per seed) and plans over every seed.
    pub extra_runs: usize,
    /// Kills that fired.
    pub kills: usize,
    /// Kills that came after the held request had ended (the kill point was not exact:
    /// the machine was too slow to act within the hold).
    pub imprecise: usize,
    /// Kills per stage and endpoint.
    pub kills_by: BTreeMap<String, usize>,
    /// Wall time.
    pub wall: Duration,
}

impl Figure {
    /// Adds a seed.
    pub fn add(&mut self, outcome: &SeedOutcome) {
        self.seeds += 1;
        self.passed += usize::from(outcome.passed());
        self.results += outcome.plan.results;
        self.stored += outcome.stored;
        self.duplicates += outcome.duplicates;
        self.lost += outcome.lost;
        self.extra_runs += outcome.runs.saturating_sub(1) + outcome.plans;
        for attempt in outcome.attempts.iter().filter(|a| a.killed) {
            self.kills += 1;
            self.imprecise += usize::from(!attempt.in_flight_at_kill);
            if let Some(kill) = attempt.kill {
                *self
                    .kills_by
                    .entry(format!(
                        "{} at {}",
                        kill.stage.name(),
                        attempt.endpoint.as_deref().unwrap_or("?")
                    ))
                    .or_insert(0) += 1;
            }
        }
        self.wall += outcome.wall;
    }

    /// The figure in one line.
    pub fn line(&self) -> String {
        format!(
            "{}/{} seeds passed; {} results expected, {} stored, {} duplicates, {} lost, {} extra runs/plans; {} kills ({} not in flight at the kill); {:.1} s",
            self.passed,
            self.seeds,
            self.results,
            self.stored,
            self.duplicates,
            self.lost,
            self.extra_runs,
            self.kills,
            self.imprecise,
            self.wall.as_secs_f64()
        )
    }
}
