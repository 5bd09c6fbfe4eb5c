//! The export stopped after each stage, against the simulator: the plan sends nothing,
//! preparing makes the plan and its entry and sends no result, delivering sends the results.

use std::sync::Arc;

use testrail_export::config::Config;
use testrail_export::flags::HarnessFlags;
use testrail_export::journal::LockedJournal;
use testrail_export::pipeline::{close, deliver, plan, prepare};
use testrail_export::report::{Index, Outcomes};
use testrail_export::target::{Naming, Step};
use testrail_export::{read_facts, results};
use testrail_formats::spool::SpoolFile;
use testrail_sim::{Fixture, Simulator};

const SESSION: &str = "cargo-77-1764480000000";

fn spool() -> SpoolFile {
    let test = |path: &str, case: u64, label: &str| {
        serde_json::json!({
            "path": path,
            "defined_at": { "file": "tests/pay.rs", "line": 3 },
            "case_ids": [case],
            "execution": { "kind": "ran" },
            "run_result": "Success",
            "bug_label": label,
            "passed": label == "NoBug",
            "elapsed_ms": 10,
            "attempts": [{ "number": 1, "run_result": "Success", "passed": label == "NoBug", "elapsed_ms": 10 }],
        })
    };
    serde_json::from_value(serde_json::json!({
        "format": testrail_formats::spool::FORMAT,
        "version": testrail_formats::spool::VERSION,
        "session": SESSION,
        "session_source": "cargo",
        "package": "shop",
        "binary": "pay",
        "pid": 77,
        "started_at_ms": 1_764_480_000_000u64,
        "finished_at_ms": 1_764_480_000_100u64,
        "manifest_dir": "/home/dev/shop",
        "tests": [test("pay::card", 111, "NoBug"), test("pay::refund", 112, "DefinitelyBug")],
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_stage_does_its_part_and_no_more() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    let env: Vec<(String, String)> = [
        ("TESTRAIL_URL", sim.base_url()),
        ("TESTRAIL_USER", sim.email()),
        ("TESTRAIL_API_KEY", sim.api_key()),
        ("TESTRAIL_PROJECT", "Shop"),
        ("TESTRAIL_SUITES", "Payments"),
        ("TESTRAIL_PLAN", "true"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let config = Config::from_sources(None, &env, &HarnessFlags::default()).unwrap();
    let client = testrail_export::client(&config).unwrap();
    let naming = Naming {
        name: "stages".into(),
        description: None,
        marker: results::session_marker(SESSION),
        find_earlier: false,
    };
    let outcomes = Outcomes::Memory(Arc::new(vec![spool()]));
    let index = Index::build(&outcomes).unwrap();
    let (facts, _) = read_facts(&client, &config, SESSION, (outcomes, index), naming)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let journal = Arc::new(tokio::sync::Mutex::new(
        LockedJournal::open(dir.path()).unwrap(),
    ));

    // 1. The plan: a new plan with the Payments entry, two results; nothing is written.
    let writes = || {
        sim.log()
            .iter()
            .filter(|entry| entry.route.contains("add_") || entry.route.contains("update_"))
            .count()
    };
    let planned = plan::plan(&config, facts, &journal.lock().await.journal).unwrap();
    let payments = planned.suites.values().next().unwrap();
    assert!(matches!(&payments.step, Step::NewPlan(body) if body.entries.len() == 1));
    assert_eq!(
        payments.cases.iter().copied().collect::<Vec<_>>(),
        [111, 112]
    );
    assert_eq!(writes(), 0, "planning writes nothing");

    // 2. Prepared: the plan and its entry exist, holding the cases; no result yet.
    let prepare::Outcome::Ready(prepared) =
        prepare::prepare(&client, &config, &journal, SESSION, planned)
            .await
            .unwrap()
    else {
        panic!("no case was refused");
    };
    let run_id = prepared.deliveries[0].run_id;
    sim.with_state(|state| {
        assert_eq!(state.plans.len(), 1);
        assert_eq!(
            state.runs[&run_id].plan_id,
            state.plans.keys().next().copied()
        );
        let cases: Vec<u64> = state
            .tests
            .values()
            .filter(|test| test.run_id == run_id)
            .map(|test| test.case_id)
            .collect();
        assert_eq!(cases, [111, 112]);
        assert!(state.results.is_empty());
    });
    assert_eq!(prepared.deliveries[0].cases.len(), 2);
    assert_eq!(writes(), 1, "one add_plan, holding the entry");

    // 3. Delivered: both results are stored, in one request.
    let delivered = deliver::deliver(&client, &config, &journal, SESSION, *prepared)
        .await
        .unwrap();
    assert_eq!((delivered.summary.sent, delivered.summary.batches), (2, 1));
    sim.with_state(|state| {
        let mut stored: Vec<(u64, Option<u64>)> = state
            .results
            .values()
            .map(|result| (result.case_id, result.status_id))
            .collect();
        stored.sort();
        assert_eq!(stored, [(111, Some(1)), (112, Some(5))]);
    });

    // 4. Closed (not asked to close): the summary names the plan.
    let summary = close::close(&client, &config, &journal, delivered)
        .await
        .unwrap();
    assert_eq!(
        summary.plan_id,
        sim.with_state(|state| state.plans.keys().next().copied())
    );
    assert!(
        journal
            .lock()
            .await
            .journal
            .runs
            .values()
            .all(|run| run.run_id == run_id)
    );
}
