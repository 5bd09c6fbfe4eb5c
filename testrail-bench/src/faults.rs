//! The fault catalogue: every fault the simulator offers, as rules for an upload of N
//! results, and our export through each one (resuming after a failed export, the way
//! `cargo testrail upload` does: the same export again on the same session directory).
//!
//! `tests/faults.rs` asserts exactly-once through each; the `faults` benchmark prints the
//! same runs next to trcli's.

use std::time::{Duration, Instant};

use testrail_export::config::Config;
use testrail_export::flags::HarnessFlags;
use testrail_export::{self as export, ExportSummary, Selection};
use testrail_sim::{Counters, FaultKind, FaultRule, Simulator};

use crate::sim::{self, Stored};

/// One fault scenario.
#[derive(Clone, Debug)]
pub struct FaultCase {
    /// Short key (used by `--only` and test names).
    pub key: &'static str,
    /// What happens, for the report.
    pub title: &'static str,
    /// The simulator's rules, active from the start.
    pub rules: Vec<FaultRule>,
    /// Extra export settings (environment variables).
    pub env: Vec<(&'static str, &'static str)>,
    /// Extra global trcli options (before the command), e.g. its timeout.
    pub trcli_global: Vec<&'static str>,
}

const RESULTS: &str = "add_results_for_cases";

/// Every fault, as rules for an upload of a few thousand results in batches of 250.
pub fn catalogue() -> Vec<FaultCase> {
    let results = |kind: FaultKind| FaultRule::new(kind).on(RESULTS);
    vec![
        FaultCase {
            key: "429_retry_after",
            title: "429 with Retry-After: 1 (3 times on the results)",
            rules: vec![results(FaultKind::TooManyRequests { secs: 1 }).times(3)],
            env: vec![],
            trcli_global: vec![],
        },
        FaultCase {
            key: "429_no_retry_after",
            title: "429 without Retry-After (3 times on the results)",
            rules: vec![results(FaultKind::TooManyRequestsNoRetryAfter).times(3)],
            env: vec![],
            trcli_global: vec![],
        },
        FaultCase {
            key: "5xx_burst",
            title: "5xx burst: 2 × 503 on reads, 500 on add_run, 4 × HTML 502 on the results",
            rules: vec![
                FaultRule::new(FaultKind::ServerError {
                    status: 503,
                    html: false,
                })
                .on("get_*")
                .times(2),
                FaultRule::new(FaultKind::ServerError {
                    status: 500,
                    html: false,
                })
                .on("add_run")
                .times(1),
                results(FaultKind::ServerError {
                    status: 502,
                    html: true,
                })
                .times(4),
            ],
            env: vec![],
            trcli_global: vec![],
        },
        FaultCase {
            key: "5xx_outage",
            title: "5xx outage longer than the retries: 40 × 503 on the results",
            rules: vec![
                results(FaultKind::ServerError {
                    status: 503,
                    html: false,
                })
                .times(40),
            ],
            env: vec![],
            trcli_global: vec![],
        },
        FaultCase {
            key: "drop_after",
            title: "connection dropped after the server stored the batch (2 batches)",
            rules: vec![results(FaultKind::DropAfter).after(2).times(2)],
            env: vec![],
            trcli_global: vec![],
        },
        FaultCase {
            key: "drop_before",
            title: "connection dropped before the server read the batch (2 batches)",
            rules: vec![results(FaultKind::DropBefore).after(2).times(2)],
            env: vec![],
            trcli_global: vec![],
        },
        FaultCase {
            key: "hang",
            title: "answer hangs 2.5 s past a 1 s timeout (the batch is stored late)",
            rules: vec![results(FaultKind::Hang { ms: 2_500 }).after(1).times(1)],
            env: vec![("TESTRAIL_TIMEOUT", "1s")],
            trcli_global: vec!["-t", "1"],
        },
        FaultCase {
            key: "401_midway",
            title: "401 midway (credentials revoked after 5 batches), then fixed",
            rules: vec![results(FaultKind::Unauthorized).after(5).times(1)],
            env: vec![],
            trcli_global: vec![],
        },
        FaultCase {
            key: "html_answer",
            title: "HTML login page with 200 instead of JSON (after 3 batches), then fixed",
            rules: vec![results(FaultKind::LoginPage).after(3).times(1)],
            env: vec![],
            trcli_global: vec![],
        },
        FaultCase {
            key: "413",
            title: "413 for request bodies over 32 KiB",
            rules: vec![results(FaultKind::BodyLimit { bytes: 32 * 1024 })],
            env: vec![],
            trcli_global: vec![],
        },
    ]
}

/// The fault with this key.
pub fn by_key(key: &str) -> Option<FaultCase> {
    catalogue().into_iter().find(|case| case.key == key)
}

/// What our export did through a fault.
#[derive(Debug)]
pub struct OursRun {
    /// The cases whose results were uploaded.
    pub cases: Vec<u64>,
    /// Every export: the first, then the resumes.
    pub exports: Vec<Result<ExportSummary, String>>,
    /// What the simulator holds at the end.
    pub stored: Stored,
    /// The simulator's counters at the end.
    pub counters: Counters,
    /// Wall time over all exports.
    pub wall: Duration,
}

impl OursRun {
    /// Whether every result is stored exactly once, in one run.
    pub fn exactly_once(&self) -> bool {
        self.stored.runs == 1 && self.stored.exactly_once(&self.cases)
    }

    /// What the exports did, in a few words, for the report.
    pub fn what_we_did(&self) -> String {
        let mut parts = Vec::new();
        for (i, export) in self.exports.iter().enumerate() {
            let which = if i == 0 {
                "export".to_owned()
            } else {
                format!("resume {i}")
            };
            match export {
                Ok(summary) => parts.push(format!(
                    "{which}: ok, {} sent in {} batches{}",
                    summary.sent,
                    summary.batches,
                    if summary.already_stored > 0 {
                        format!(", {} found already stored", summary.already_stored)
                    } else {
                        String::new()
                    }
                )),
                Err(error) => parts.push(format!("{which}: failed ({})", short(error))),
            }
        }
        let statuses: Vec<String> = self
            .counters
            .per_status
            .iter()
            .filter(|(status, _)| status.as_str() != "200")
            .map(|(status, n)| {
                if status == "0" {
                    format!("{n} dropped")
                } else {
                    format!("{n}×{status}")
                }
            })
            .collect();
        format!(
            "{}; {} requests{}",
            parts.join("; "),
            self.counters.requests,
            if statuses.is_empty() {
                String::new()
            } else {
                format!(" ({})", statuses.join(", "))
            }
        )
    }
}

/// The first line of an error, shortened.
pub fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > 110 {
        format!("{}…", line.chars().take(110).collect::<String>())
    } else {
        line.to_owned()
    }
}

/// Exports `n` results (cases 1..=n of a fresh simulator's suite) through `case`,
/// resuming up to `max_resumes` times while the export fails. With `fast_backoff`, retry
/// waits are milliseconds instead of seconds (`TESTRAIL_BACKOFF=20ms`) and lost answers are
/// looked for during 5 s (`TESTRAIL_SETTLE=5s`), for tests.
pub fn export_through(case: &FaultCase, n: u64, fast_backoff: bool, max_resumes: usize) -> OursRun {
    let cases: Vec<u64> = (1..=n).collect();
    let sim = sim::spawn(sim::fixture(n), case.rules.clone());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let session = format!("faults-{}", case.key);
    let session_dir = dir.path().join("sessions").join(&session);
    crate::data::write_spool(&session_dir, &session, &cases);
    let mut env = sim::export_env(&sim, &session);
    if fast_backoff {
        env.push(("TESTRAIL_BACKOFF".into(), "20ms".into()));
        // Look for the results of a write whose answer was lost during 5 s, not 120 s.
        env.push(("TESTRAIL_SETTLE".into(), "5s".into()));
    }
    env.extend(
        case.env
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string())),
    );
    let config = Config::from_sources(None, &env, &HarnessFlags::default())
        .expect("the export configuration is valid");
    let started = Instant::now();
    let mut exports = Vec::new();
    loop {
        let result = export::export_blocking(&config, &session_dir, &session, Selection::All)
            .map_err(|error| error.to_string());
        let failed = result.is_err();
        exports.push(result);
        if !failed || exports.len() > max_resumes {
            break;
        }
    }
    let wall = started.elapsed();
    wait_out_hangs(case);
    settle(&sim);
    OursRun {
        cases,
        exports,
        stored: Stored::of(&sim),
        counters: sim.counters(),
        wall,
    }
}

/// A hung request is handled when its wait ends, whether or not the client still listens
/// (the simulator stops counting it as in flight when the client hangs up): called when
/// the upload has ended, waits as long as the longest hang of `case` (and a margin), so
/// that a late duplicate is counted.
pub fn wait_out_hangs(case: &FaultCase) {
    let hang_ms = case
        .rules
        .iter()
        .filter_map(|rule| match rule.kind {
            FaultKind::Hang { ms } => Some(ms),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    if hang_ms == 0 {
        return;
    }
    std::thread::sleep(Duration::from_millis(hang_ms + 500));
}

/// Waits (up to 10 s) until the simulator has answered every request, so that requests
/// still hanging store their effect before anything is counted.
pub fn settle(sim: &Simulator) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while sim.counters().in_flight > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // A dropped connection's handler may still be finishing its write.
    std::thread::sleep(Duration::from_millis(100));
}
