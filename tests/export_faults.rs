//! Export through every fault the simulator injects: each result ends up stored exactly
//! once, directly or after resuming; credentials are never hammered; the spool keeps what
//! was not acknowledged.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use testrail_export::config::Config;
use testrail_export::flags::HarnessFlags;
use testrail_export::{self as export, Selection};
use testrail_sim::{FaultKind, FaultRule, Fixture, Simulator};

/// The cases the `outcomes` scenario reports into suite Web Shop (C109 is an Error, C110
/// is ignored: neither is reported).
const WEB_SHOP_CASES: [u64; 8] = [101, 102, 103, 104, 105, 106, 107, 108];

struct Export {
    sim: Simulator,
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Export {
    fn new(extra: &[(&str, &str)]) -> Export {
        let sim = Simulator::spawn(Fixture::demo()).unwrap();
        let mut env = support::sim_env(&sim);
        env.push(("TESTRAIL_SUITES".into(), "Web Shop".into()));
        env.push(("TESTRAIL_BATCH_SIZE".into(), "3".into()));
        env.push(("TESTRAIL_SESSION".into(), "faults".into()));
        // Results of a write whose answer was lost are looked for during 3 s (not 120 s)
        // before they are sent again.
        env.push(("TESTRAIL_SETTLE".into(), "3s".into()));
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Export {
            sim,
            dir: tempfile::tempdir().unwrap(),
            env,
        }
    }

    fn run(&self) -> support::Ran {
        support::export_run(
            self.dir.path(),
            "harness-scenarios",
            &["outcomes"],
            &["--testrail-export", "--skip", "timeout"],
            &self.env,
        )
    }

    fn session_dir(&self) -> PathBuf {
        self.dir.path().join("sessions").join("faults")
    }

    /// Resumes the upload the way `cargo testrail upload` does, with the same settings.
    fn resume(&self) -> Result<export::ExportSummary, export::ExportError> {
        let env: Vec<(String, String)> = self.env.clone();
        let config = Config::from_sources(None, &env, &HarnessFlags::default()).unwrap();
        export::export_blocking(&config, &self.session_dir(), "faults", Selection::All)
    }

    fn stored(&self) -> BTreeMap<u64, Vec<u64>> {
        support::results_by_case(&self.sim, 1)
    }

    fn assert_each_stored_once(&self, context: &str) {
        let stored = self.stored();
        let expected: Vec<u64> = WEB_SHOP_CASES
            .iter()
            .copied()
            .filter(|case| *case != 105 && *case != 106)
            .collect();
        assert_eq!(
            stored.keys().copied().collect::<Vec<_>>(),
            expected,
            "{context}"
        );
        for (case, statuses) in &stored {
            assert_eq!(
                statuses.len(),
                1,
                "C{case} stored {} times\n{context}",
                statuses.len()
            );
        }
    }

    fn requests_to(&self, endpoint: &str) -> usize {
        self.sim
            .log()
            .iter()
            .filter(|entry| entry.endpoint == endpoint)
            .count()
    }
}

fn pending_in_journal(session_dir: &Path) -> usize {
    let journal: serde_json::Value =
        serde_json::from_slice(&std::fs::read(session_dir.join("export-journal.json")).unwrap())
            .unwrap();
    journal["pending"].as_array().map_or(0, Vec::len)
}

#[test]
fn rate_limited_with_retry_after_waits_and_stores_everything_once() {
    let export = Export::new(&[]);
    export.sim.add_fault(
        FaultRule::new(FaultKind::TooManyRequests { secs: 1 })
            .on("add_results_for_cases")
            .times(2),
    );
    let ran = export.run();
    export.assert_each_stored_once(&ran.both());
    assert_eq!(export.sim.counters().rate_limited, 2);
}

#[test]
fn rate_limited_without_retry_after_does_not_crash() {
    let export = Export::new(&[]);
    export.sim.add_fault(
        FaultRule::new(FaultKind::TooManyRequestsNoRetryAfter)
            .on("add_results_for_cases")
            .times(2),
    );
    let ran = export.run();
    export.assert_each_stored_once(&ran.both());
}

#[test]
fn server_error_bursts_are_retried() {
    let export = Export::new(&[]);
    export.sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 502,
            html: true,
        })
        .on("add_results_for_cases")
        .times(2),
    );
    export.sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 503,
            html: false,
        })
        .on("get_cases")
        .times(1),
    );
    export.sim.add_fault(
        FaultRule::new(FaultKind::Maintenance)
            .on("add_run")
            .times(1),
    );
    let ran = export.run();
    export.assert_each_stored_once(&ran.both());
}

#[test]
fn a_connection_dropped_after_the_server_stored_a_batch_is_checked_not_resent() {
    let export = Export::new(&[]);
    export.sim.add_fault(
        FaultRule::new(FaultKind::DropAfter)
            .on("add_results_for_cases")
            .times(1),
    );
    let ran = export.run();
    export.assert_each_stored_once(&ran.both());
    assert!(
        export.requests_to("get_results_for_run") >= 1,
        "the exporter looked before resending"
    );
    assert_eq!(pending_in_journal(&export.session_dir()), 0);
}

#[test]
fn a_connection_dropped_before_the_server_stored_a_batch_is_resent() {
    let export = Export::new(&[]);
    export.sim.add_fault(
        FaultRule::new(FaultKind::DropBefore)
            .on("add_results_for_cases")
            .times(1),
    );
    let ran = export.run();
    export.assert_each_stored_once(&ran.both());
}

#[test]
fn a_reply_that_hangs_past_the_timeout_is_checked_not_resent() {
    let export = Export::new(&[("TESTRAIL_TIMEOUT", "1s")]);
    export.sim.add_fault(
        FaultRule::new(FaultKind::Hang { ms: 2_500 })
            .on("add_results_for_cases")
            .times(1),
    );
    let ran = export.run();
    export.assert_each_stored_once(&ran.both());
}

#[test]
fn credentials_revoked_midway_stop_at_once_and_resume_completes_exactly_once() {
    let export = Export::new(&[]);
    // The first batch goes through, then the key stops working.
    export.sim.add_fault(
        FaultRule::new(FaultKind::Unauthorized)
            .on("add_results_for_cases")
            .after(1)
            .times(1),
    );
    let ran = export.run();
    assert!(
        ran.stderr.contains("rejected the credentials"),
        "{}",
        ran.both()
    );
    assert!(
        ran.stderr.contains("cargo testrail upload"),
        "{}",
        ran.both()
    );
    let unauthorized = export
        .sim
        .log()
        .iter()
        .filter(|entry| entry.status == 401)
        .count();
    assert_eq!(unauthorized, 1, "no retries against bad credentials");
    let stored_before = export.stored().len();
    assert!(
        stored_before < 6,
        "the export stopped midway: {stored_before} stored"
    );

    let summary = export.resume().unwrap();
    assert_eq!(summary.sent, 6 - stored_before);
    export.assert_each_stored_once("after resuming");
    let again = export.resume().unwrap();
    assert_eq!(again.sent, 0, "a second resume sends nothing");
    export.assert_each_stored_once("after resuming twice");
}

#[test]
fn an_html_login_page_is_reported_as_a_wrong_base_url() {
    let export = Export::new(&[]);
    export.sim.add_fault(FaultRule::new(FaultKind::LoginPage));
    let ran = export.run();
    assert!(
        ran.stderr.contains("answered with an HTML page"),
        "{}",
        ran.both()
    );
    assert!(export.stored().is_empty());
}

#[test]
fn a_batch_too_large_for_the_server_is_split() {
    let export = Export::new(&[("TESTRAIL_BATCH_SIZE", "250")]);
    export.sim.add_fault(
        FaultRule::new(FaultKind::BodyLimit { bytes: 1_200 }).on("add_results_for_cases"),
    );
    let ran = export.run();
    export.assert_each_stored_once(&ran.both());
    let too_large = export
        .sim
        .log()
        .iter()
        .filter(|entry| entry.status == 413)
        .count();
    assert!(
        too_large >= 1,
        "the server refused the whole batch at least once"
    );
}

#[test]
fn a_run_made_by_a_request_whose_answer_was_lost_is_adopted_not_made_twice() {
    let export = Export::new(&[]);
    export
        .sim
        .add_fault(FaultRule::new(FaultKind::DropAfter).on("add_run").times(1));
    let ran = export.run();
    assert_eq!(support::run_ids(&export.sim), [1], "{}", ran.both());
    export.assert_each_stored_once(&ran.both());
}

#[test]
fn a_plan_made_by_a_request_whose_answer_was_lost_is_adopted_not_made_twice() {
    let export = Export::new(&[("TESTRAIL_SUITES", ""), ("TESTRAIL_PLAN", "1")]);
    export
        .sim
        .add_fault(FaultRule::new(FaultKind::DropAfter).on("add_plan").times(1));
    let ran = export.run();
    export
        .sim
        .with_state(|state| assert_eq!(state.plans.len(), 1, "{}", ran.both()));
    let runs = support::run_ids(&export.sim);
    assert_eq!(
        runs.len(),
        2,
        "one entry per suite: {runs:?}\n{}",
        ran.both()
    );
}
