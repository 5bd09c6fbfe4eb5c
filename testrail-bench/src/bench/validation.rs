//! Validation: checking that N = 5,000 linked cases exist in a suite of 50,000 (every 10th
//! case of the suite): `Catalog::load` (project, suites), `Catalog::scan` (every case of the
//! configured suites through `get_cases` pages) and `Catalog::classify` (a `get_case` only
//! for linked cases outside those pages). In the bench process, at 0 ms and 50 ms of
//! latency; with and without one linked case missing. Then what the export itself does:
//! with one configured suite it checks nothing up front (`add_run` with the case IDs is the
//! check) and scans only when TestRail refuses a case. trcli's check of the same links
//! (with one missing, which is when it checks) for comparison.

use std::time::{Duration, Instant};

use testrail_export::catalog::{CaseState, Catalog};
use testrail_export::client;
use testrail_sim::{FaultKind, FaultRule, Fixture};

use super::{Options, Report, secs};
use crate::sim;

/// Cases in the suite.
pub const SUITE: u64 = 50_000;
/// Linked cases.
pub const LINKED: u64 = 5_000;
/// A case ID that does not exist.
pub const MISSING: u64 = 60_001;

/// One validation.
pub struct Check {
    /// Server latency.
    pub latency_ms: u64,
    /// Whether a linked case was missing.
    pub with_missing: bool,
    /// Whether the client-side rate limit was lifted.
    pub unlimited: bool,
    /// Wall time.
    pub wall: Duration,
    /// Requests.
    pub requests: u64,
    /// Requests per endpoint.
    pub endpoints: String,
    /// Cases found missing.
    pub missing: usize,
}

fn check(fixture: &Fixture, latency_ms: u64, with_missing: bool, unlimited: bool) -> Check {
    let rules = if latency_ms > 0 {
        vec![FaultRule::new(FaultKind::Latency { ms: latency_ms })]
    } else {
        Vec::new()
    };
    let sim = sim::spawn(fixture.clone(), rules);
    let mut env = sim::export_env(&sim, "validation");
    if unlimited {
        env.push(("TESTRAIL_RATE_LIMIT".into(), "1000000".into()));
    }
    let config = testrail_export::config::Config::from_sources(
        None,
        &env,
        &testrail_export::flags::HarnessFlags::default(),
    )
    .expect("a valid configuration");
    let mut linked: std::collections::BTreeSet<u64> =
        (1..=LINKED).map(|i| i * (SUITE / LINKED)).collect();
    if with_missing {
        linked.pop_last();
        linked.insert(MISSING);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let started = Instant::now();
    let states = runtime.block_on(async {
        let client = client(&config).expect("a client");
        let mut catalog = Catalog::load(&client, &config).await.expect("the catalog");
        catalog.scan(&client).await.expect("the scan");
        catalog
            .classify(&client, &linked)
            .await
            .expect("the classification")
    });
    let wall = started.elapsed();
    let counters = sim.counters();
    Check {
        latency_ms,
        with_missing,
        unlimited,
        wall,
        requests: counters.requests,
        endpoints: counters
            .per_endpoint
            .iter()
            .map(|(endpoint, n)| format!("{endpoint} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        missing: states
            .values()
            .filter(|state| **state == CaseState::Missing)
            .count(),
    }
}

/// The export's own path: the linked cases' results exported into a new run (with
/// `skip_missing` when one is missing), as a row of the report.
fn export_path(fixture: &Fixture, latency_ms: u64, with_missing: bool) -> Vec<String> {
    let rules = if latency_ms > 0 {
        vec![FaultRule::new(FaultKind::Latency { ms: latency_ms })]
    } else {
        Vec::new()
    };
    let sim = sim::spawn(fixture.clone(), rules);
    let mut env = sim::export_env(&sim, "validation");
    env.push(("TESTRAIL_SKIP_MISSING".into(), "1".into()));
    let config = testrail_export::config::Config::from_sources(
        None,
        &env,
        &testrail_export::flags::HarnessFlags::default(),
    )
    .expect("a valid configuration");
    let mut linked: Vec<u64> = (1..=LINKED).map(|i| i * (SUITE / LINKED)).collect();
    if with_missing {
        linked.pop();
        linked.push(MISSING);
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let session_dir = dir.path().join("validation");
    crate::data::write_spool(&session_dir, "validation", &linked);
    let started = Instant::now();
    let outcome = testrail_export::export_blocking(
        &config,
        &session_dir,
        "validation",
        testrail_export::Selection::All,
    );
    let wall = started.elapsed();
    let counters = sim.counters();
    let results = counters
        .per_endpoint
        .get("add_results_for_cases")
        .copied()
        .unwrap_or(0);
    vec![
        "ours: the export itself".into(),
        format!("{latency_ms} ms"),
        if with_missing {
            "one missing".into()
        } else {
            "all exist".into()
        },
        format!(
            "{} ({} before the results)",
            counters.requests,
            counters.requests - results
        ),
        secs(wall),
        match outcome {
            Ok(summary) => format!(
                "{} (skipped, results sent: {})",
                summary.missing.len(),
                summary.sent
            ),
            Err(error) => crate::faults::short(&error.to_string()),
        },
        counters
            .per_endpoint
            .iter()
            .map(|(endpoint, n)| format!("{endpoint} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
    ]
}

/// Runs the benchmark and adds its section to the report.
pub fn run(report: &mut Report, opts: &Options) -> Vec<Check> {
    let fixture = sim::fixture(SUITE);
    let mut checks = Vec::new();
    for (latency, with_missing, unlimited) in [
        (0, false, false),
        (0, true, false),
        (50, false, false),
        (50, true, false),
        (0, false, true),
        (50, false, true),
    ] {
        eprintln!(
            "  validation latency {latency} ms, missing: {with_missing}, client limit off: {unlimited}"
        );
        checks.push(check(&fixture, latency, with_missing, unlimited));
    }
    report.add(&format!(
        "## 4. Validation\n\n{LINKED} linked cases (every 10th) in a suite of {SUITE}: `Catalog::load` (project, suites) + `Catalog::scan` (every case of the suite, `get_cases`, 250 per page) + `Catalog::classify` (`get_case` for linked cases not found) in the bench process against a fresh simulator; then the export itself with the same links (`TESTRAIL_SKIP_MISSING=1`), which checks nothing up front and scans only when `add_run` refuses a case; client defaults (limit 180/min, 4 in flight) unless \"client limit off\" (`TESTRAIL_RATE_LIMIT=1000000`). \"one missing\": C{MISSING} linked instead of C{SUITE}.\n"
    ));
    let mut rows: Vec<Vec<String>> = checks
        .iter()
        .map(|c| {
            vec![
                if c.unlimited {
                    "ours: load + scan + classify, client limit off".into()
                } else {
                    "ours: load + scan + classify".into()
                },
                format!("{} ms", c.latency_ms),
                if c.with_missing {
                    "one missing".into()
                } else {
                    "all exist".into()
                },
                c.requests.to_string(),
                secs(c.wall),
                c.missing.to_string(),
                c.endpoints.clone(),
            ]
        })
        .collect();
    for latency in [0, 50] {
        for with_missing in [false, true] {
            eprintln!("  export path latency {latency} ms, missing: {with_missing}");
            rows.push(export_path(&fixture, latency, with_missing));
        }
    }
    if !opts.no_trcli
        && let Ok(trcli) = crate::trcli::ensure()
    {
        for latency in [0u64, 50] {
            eprintln!("  validation latency {latency} ms: trcli");
            let rules = if latency > 0 {
                vec![FaultRule::new(FaultKind::Latency { ms: latency })]
            } else {
                Vec::new()
            };
            let sim = sim::spawn(fixture.clone(), rules);
            let work = crate::work_dir().join("validation");
            std::fs::create_dir_all(&work).expect("a work directory");
            let home = crate::trcli::home(&work);
            let mut linked: Vec<u64> = (1..=LINKED).map(|i| i * (SUITE / LINKED)).collect();
            linked.pop();
            linked.push(MISSING);
            let junit = work.join("linked.xml");
            crate::data::write_junit(&junit, &linked);
            let ran = crate::trcli::parse_junit(&trcli, &home, &sim, &junit, &[], &work);
            crate::faults::settle(&sim);
            let counters = sim.counters();
            let checking: u64 = counters
                .per_endpoint
                .iter()
                .filter(|(endpoint, _)| endpoint.starts_with("get_case"))
                .map(|(_, n)| n)
                .sum();
            rows.push(vec![
                "trcli".into(),
                format!("{latency} ms"),
                "one missing".into(),
                format!("{} ({} checking cases)", counters.requests, checking),
                secs(ran.measured.wall),
                format!(
                    "exit {}: {}",
                    ran.measured.code,
                    crate::faults::short(&ran.last_line())
                ),
                counters
                    .per_endpoint
                    .iter()
                    .map(|(endpoint, n)| format!("{endpoint} {n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]);
        }
    }
    report.table(
        &[
            "who",
            "latency",
            "links",
            "requests",
            "wall",
            "missing found",
            "requests per endpoint",
        ],
        &rows,
    );
    checks
}
