//! Export: N results into a new run of a fresh simulator (cases 1..N of suite 1, a
//! generated fixture of N cases), with 0 ms and 50 ms of added latency per request and with
//! the simulator limiting to 180 requests per minute; ours (the export in a child process:
//! `testrail-bench export-child`) next to `trcli parse_junit` uploading an equivalent JUnit
//! report. Figures from the simulator's counters and the child's `ru_maxrss`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use testrail_sim::{Counters, FaultKind, FaultRule, Fixture};

use super::{Options, Report, met, mib, ratio, secs};
use crate::faults::settle;
use crate::measure::{self, Measured};
use crate::sim::{self, Stored};
use crate::trcli;

/// A server condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// No added latency.
    Latency0,
    /// 50 ms added to every request.
    Latency50,
    /// 180 requests per minute, then 429 with Retry-After.
    RateLimit180,
}

impl Scenario {
    /// All of them.
    pub const ALL: [Scenario; 3] = [
        Scenario::Latency0,
        Scenario::Latency50,
        Scenario::RateLimit180,
    ];

    /// Short key.
    pub fn key(self) -> &'static str {
        match self {
            Scenario::Latency0 => "0ms",
            Scenario::Latency50 => "50ms",
            Scenario::RateLimit180 => "180/min",
        }
    }

    fn rules(self) -> Vec<FaultRule> {
        match self {
            Scenario::Latency0 => Vec::new(),
            Scenario::Latency50 => vec![FaultRule::new(FaultKind::Latency { ms: 50 })],
            Scenario::RateLimit180 => vec![FaultRule::new(FaultKind::RateLimit {
                limit: 180,
                window_ms: 60_000,
                retry_after: None,
            })],
        }
    }
}

/// Who uploads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// Our export with its defaults (client-side limit of 180 requests per minute, 8 in
    /// flight, batches of 250).
    Ours,
    /// Our export with the client-side rate limit lifted (`TESTRAIL_RATE_LIMIT=1000000`).
    OursUnlimited,
    /// trcli 1.15.3 with its defaults (batches of 50, 20 in flight).
    Trcli,
}

impl Tool {
    fn label(self) -> &'static str {
        match self {
            Tool::Ours => "ours",
            Tool::OursUnlimited => "ours, client limit off",
            Tool::Trcli => "trcli",
        }
    }
}

/// One upload.
#[derive(Clone, Debug)]
pub struct Upload {
    /// Results.
    pub n: u64,
    /// Server condition.
    pub scenario: Scenario,
    /// Uploader.
    pub tool: Tool,
    /// Process cost.
    pub measured: Measured,
    /// The simulator's counters.
    pub counters: Counters,
    /// What it stored.
    pub stored: Stored,
    /// How the uploader ended (its last line of output when it failed).
    pub outcome: String,
}

impl Upload {
    fn once(&self) -> bool {
        let cases: Vec<u64> = (1..=self.n).collect();
        self.stored.runs == 1 && self.stored.exactly_once(&cases)
    }
}

/// The request target for a new run: 3 + ⌈N/250⌉.
pub fn request_target(n: u64) -> u64 {
    3 + n.div_ceil(250)
}

/// trcli's count: 3 + ⌈N/50⌉.
pub fn trcli_requests(n: u64) -> u64 {
    3 + n.div_ceil(50)
}

fn ours(fixture: &Fixture, n: u64, scenario: Scenario, unlimited: bool, work: &Path) -> Upload {
    let sim = sim::spawn(fixture.clone(), scenario.rules());
    let session = format!("bench-{n}");
    let session_dir = work.join("sessions").join(&session);
    let _ = std::fs::remove_dir_all(&session_dir);
    let cases: Vec<u64> = (1..=n).collect();
    crate::data::write_spool(&session_dir, &session, &cases);
    let out_path = work.join("export-child.out");
    let mut command = Command::new(std::env::current_exe().expect("the bench binary"));
    command.arg("export-child").arg(&session_dir).arg(&session);
    for (key, _) in std::env::vars().filter(|(key, _)| key.starts_with("TESTRAIL_")) {
        command.env_remove(key);
    }
    command.envs(sim::export_env(&sim, &session));
    if unlimited {
        command.env("TESTRAIL_RATE_LIMIT", "1000000");
    }
    let measured = measure::run(
        &command,
        Stdio::from(std::fs::File::create(&out_path).expect("the child's output file")),
        Stdio::inherit(),
        Some(Duration::from_secs(1800)),
    )
    .expect("the child runs");
    settle(&sim);
    let output = std::fs::read_to_string(&out_path).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&session_dir);
    Upload {
        n,
        scenario,
        tool: if unlimited {
            Tool::OursUnlimited
        } else {
            Tool::Ours
        },
        measured,
        counters: sim.counters(),
        stored: Stored::of(&sim),
        outcome: if measured.code == 0 {
            "ok".into()
        } else {
            crate::faults::short(output.trim())
        },
    }
}

fn trcli_upload(
    trcli: &Path,
    home: &Path,
    fixture: &Fixture,
    n: u64,
    scenario: Scenario,
    work: &Path,
) -> Upload {
    let sim = sim::spawn(fixture.clone(), scenario.rules());
    let junit = work.join(format!("bench-{n}.xml"));
    if !junit.exists() {
        let cases: Vec<u64> = (1..=n).collect();
        crate::data::write_junit(&junit, &cases);
    }
    let ran = trcli::parse_junit(trcli, home, &sim, &junit, &[], work);
    settle(&sim);
    Upload {
        n,
        scenario,
        tool: Tool::Trcli,
        measured: ran.measured,
        counters: sim.counters(),
        stored: Stored::of(&sim),
        outcome: if ran.measured.code == 0 {
            "ok".into()
        } else {
            format!(
                "exit {}: {}",
                ran.measured.code,
                crate::faults::short(&ran.last_line())
            )
        },
    }
}

/// The child side: exports a session directory with the configuration from the
/// environment, prints a one-line JSON summary, exits 1 on failure.
pub fn child(session_dir: &Path, session: &str) -> std::process::ExitCode {
    let env: Vec<(String, String)> = std::env::vars().collect();
    let config = match testrail_export::config::Config::from_sources(
        None,
        &env,
        &testrail_export::flags::HarnessFlags::default(),
    ) {
        Ok(config) => config,
        Err(error) => {
            println!("configuration: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match testrail_export::export_blocking(
        &config,
        session_dir,
        session,
        testrail_export::Selection::All,
    ) {
        Ok(summary) => {
            println!(
                "{}",
                serde_json::json!({"sent": summary.sent, "batches": summary.batches, "already_stored": summary.already_stored})
            );
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            println!("{error}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn endpoints(counters: &Counters) -> String {
    counters
        .per_endpoint
        .iter()
        .map(|(endpoint, n)| format!("{endpoint} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs the benchmark and adds its section to the report.
pub fn run(report: &mut Report, opts: &Options) -> Vec<Upload> {
    let work = crate::work_dir().join("export");
    std::fs::create_dir_all(&work).expect("the export work directory");
    let trcli = if opts.no_trcli {
        None
    } else {
        match trcli::ensure() {
            Ok(path) => Some(path),
            Err(error) => {
                eprintln!("trcli unavailable ({error}); its side is skipped");
                None
            }
        }
    };
    let home = trcli::home(&work);
    let mut uploads = Vec::new();
    for &n in &opts.sizes {
        let fixture = sim::fixture(n);
        for scenario in Scenario::ALL {
            if !opts.selected(scenario.key()) {
                continue;
            }
            eprintln!("  export N={n} {}: ours", scenario.key());
            uploads.push(ours(&fixture, n, scenario, false, &work));
            if scenario != Scenario::RateLimit180 {
                eprintln!("  export N={n} {}: ours, client limit off", scenario.key());
                uploads.push(ours(&fixture, n, scenario, true, &work));
            }
            if let Some(trcli) = &trcli {
                eprintln!("  export N={n} {}: trcli", scenario.key());
                uploads.push(trcli_upload(trcli, &home, &fixture, n, scenario, &work));
            }
        }
    }
    report.add(
        "## 3. Export\n\nN results (every 10th failed) into a new run of a fresh simulator per upload (release build, in the bench process); the fixture is one suite of exactly N cases, C1..CN. Ours: the export (`export_blocking`) in a child process of the bench binary reading a spool file of N outcomes; trcli 1.15.3: `trcli -y parse_junit --case-matcher name --suite-id 1` with an equivalent JUnit file (`C<id>_case_<id>` names). Requests, peaks and 429s are the simulator's counters; peak memory is the uploading process's `ru_maxrss`. \"ours\" uses the defaults (client-side limit 180 requests/min, 8 in flight, batches of 250); \"client limit off\" sets `TESTRAIL_RATE_LIMIT=1000000`.\n",
    );
    let rows: Vec<Vec<String>> = uploads
        .iter()
        .map(|u| {
            vec![
                u.n.to_string(),
                u.scenario.key().into(),
                u.tool.label().into(),
                u.counters.requests.to_string(),
                secs(u.measured.wall),
                mib(u.measured.max_rss_kib),
                u.counters.peak_in_flight.to_string(),
                u.counters.peak_per_minute.to_string(),
                u.counters.rate_limited.to_string(),
                format!(
                    "{}{}",
                    if u.once() {
                        "each once".to_owned()
                    } else {
                        format!(
                            "{} cases, {} duplicates, {} runs",
                            u.stored.cases(),
                            u.stored.duplicates(),
                            u.stored.runs
                        )
                    },
                    if u.outcome == "ok" {
                        String::new()
                    } else {
                        format!(" ({})", u.outcome)
                    }
                ),
            ]
        })
        .collect();
    report.table(
        &[
            "N",
            "server",
            "uploader",
            "requests",
            "wall",
            "peak RSS",
            "peak in flight",
            "peak req/min",
            "429s",
            "stored",
        ],
        &rows,
    );

    // Targets.
    let find = |n: u64, scenario: Scenario, tool: Tool| {
        uploads
            .iter()
            .find(|u| u.n == n && u.scenario == scenario && u.tool == tool)
    };
    let mut targets = Vec::new();
    for &n in &opts.sizes {
        for scenario in Scenario::ALL {
            if let Some(u) = find(n, scenario, Tool::Ours) {
                targets.push(vec![
                    format!("requests, N = {n}, {}", scenario.key()),
                    u.counters.requests.to_string(),
                    format!(
                        "trcli: {}",
                        find(n, scenario, Tool::Trcli)
                            .map(|t| t.counters.requests.to_string())
                            .unwrap_or_else(|| format!("{} (formula)", trcli_requests(n)))
                    ),
                    ratio(u.counters.requests as f64, request_target(n) as f64) + " of target",
                    format!("≤ 3 + ⌈N/250⌉ = {}", request_target(n)),
                    met(u.counters.requests <= request_target(n)),
                ]);
            }
        }
        if let (Some(o), Some(u), Some(t)) = (
            find(n, Scenario::Latency50, Tool::Ours),
            find(n, Scenario::Latency50, Tool::OursUnlimited),
            find(n, Scenario::Latency50, Tool::Trcli),
        ) {
            for (label, ours) in [("defaults", o), ("client limit off", u)] {
                let r = ours.measured.wall.as_secs_f64() / t.measured.wall.as_secs_f64();
                targets.push(vec![
                    format!("wall, N = {n}, 50 ms ({label})"),
                    secs(ours.measured.wall),
                    format!("trcli: {}", secs(t.measured.wall)),
                    format!("{r:.2}×"),
                    "≤ 0.5× trcli".into(),
                    met(r <= 0.5),
                ]);
            }
        }
        if n >= 50_000
            && let (Some(o), Some(t)) = (
                find(n, Scenario::Latency0, Tool::Ours),
                find(n, Scenario::Latency0, Tool::Trcli),
            )
        {
            let r = o.measured.max_rss_kib as f64 / t.measured.max_rss_kib as f64;
            targets.push(vec![
                format!("peak memory, N = {n}"),
                mib(o.measured.max_rss_kib),
                format!("trcli: {}", mib(t.measured.max_rss_kib)),
                format!("{r:.2}×"),
                "≤ 0.5× trcli".into(),
                met(r <= 0.5),
            ]);
        }
        // Flat in N: the peak at N against ours at the smallest size measured.
        if let (Some(o), Some(small)) = (
            find(n, Scenario::Latency0, Tool::Ours),
            opts.sizes
                .iter()
                .min()
                .filter(|small| **small < n)
                .and_then(|small| find(*small, Scenario::Latency0, Tool::Ours)),
        ) {
            let r = o.measured.max_rss_kib as f64 / small.measured.max_rss_kib.max(1) as f64;
            targets.push(vec![
                format!("peak memory, N = {n} against N = {}", small.n),
                mib(o.measured.max_rss_kib),
                format!("ours: {}", mib(small.measured.max_rss_kib)),
                format!("{r:.2}×"),
                "≤ 1.5×".into(),
                met(r <= 1.5),
            ]);
        }
        if let Some(o) = find(n, Scenario::RateLimit180, Tool::Ours) {
            targets.push(vec![
                format!("429s under 180/min, N = {n}"),
                o.counters.rate_limited.to_string(),
                format!(
                    "trcli: {}",
                    find(n, Scenario::RateLimit180, Tool::Trcli)
                        .map(|t| t.counters.rate_limited.to_string())
                        .unwrap_or_else(|| "–".into())
                ),
                "".into(),
                "0".into(),
                met(o.counters.rate_limited == 0),
            ]);
        }
    }
    report.add("### Export targets\n");
    report.table(
        &["figure", "ours", "reference", "ratio", "target", ""],
        &targets,
    );
    let breakdown: Vec<Vec<String>> = uploads
        .iter()
        .filter(|u| u.scenario == Scenario::Latency0)
        .map(|u| {
            vec![
                u.n.to_string(),
                u.tool.label().into(),
                endpoints(&u.counters),
            ]
        })
        .collect();
    report.add("### Where the requests go (0 ms runs)\n");
    report.table(&["N", "uploader", "requests per endpoint"], &breakdown);
    uploads
}
