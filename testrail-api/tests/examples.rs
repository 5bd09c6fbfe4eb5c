//! The crate's examples, run against `testrail-sim` and checked against what the simulator
//! stored. The example files are compiled in here as modules, so the code tested is the code
//! `cargo run --example` runs.

use testrail_api::{ApiKey, Client, ClientConfig, Error, ProjectId, RunId, SuiteId};
use testrail_sim::{FaultKind, FaultRule, Fixture, Simulator};

#[path = "../examples/release_report.rs"]
#[allow(dead_code)]
mod release_report;

#[path = "../examples/create_run.rs"]
#[allow(dead_code)]
mod create_run;

async fn sim_and_client() -> (Simulator, Client) {
    let sim = Simulator::start(Fixture::demo()).await.expect("simulator");
    let config = ClientConfig::new(sim.base_url(), sim.email(), ApiKey::new(sim.api_key()));
    let client = Client::new(config).expect("client");
    (sim, client)
}

/// How many tests of a run the simulator holds with each status: passed, failed, untested.
fn stored_counts(sim: &Simulator, run: RunId) -> (usize, usize, usize) {
    sim.with_state(|state| {
        let statuses: Vec<u64> = state
            .tests
            .values()
            .filter(|test| test.run_id == run.get())
            .map(|test| test.status_id)
            .collect();
        let count = |status| statuses.iter().filter(|s| **s == status).count();
        (count(1), count(5), count(3))
    })
}

#[tokio::test]
async fn release_report_lists_the_open_runs_with_their_pass_rates() {
    let (sim, client) = sim_and_client().await;
    assert_eq!(
        release_report::release_report(&client, ProjectId::new(1))
            .await
            .unwrap(),
        "no open runs\n"
    );
    release_report::seed(&client).await.unwrap();
    let closed = create_run::create_run(&client, ProjectId::new(1), SuiteId::new(1), "cart")
        .await
        .unwrap();
    client.close_run(closed.id).await.unwrap();

    let report = release_report::release_report(&client, ProjectId::new(1))
        .await
        .unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 2, "the closed run is left out:\n{report}");
    // Newest first: the release run, then the nightly run.
    assert!(lines[0].starts_with("R2 "), "{report}");
    assert!(lines[0].contains("n/a  Release 2.0"), "{report}");
    assert!(lines[1].starts_with("R1 "), "{report}");
    assert!(lines[1].contains(" 75.0%  Nightly"), "{report}");
    let (passed, failed, untested) = stored_counts(&sim, RunId::new(1));
    assert_eq!((passed, failed, untested), (3, 1, 0));
    assert!(
        lines[1].contains(&format!("{passed} passed, {failed} failed")),
        "{report}"
    );
    assert_eq!(stored_counts(&sim, RunId::new(2)), (0, 0, 2));
    assert!(lines[0].contains("2 untested"), "{report}");
}

#[tokio::test]
async fn the_release_report_demo_runs_on_its_own_simulator() {
    let report = release_report::demo().await.unwrap();
    assert_eq!(report.lines().count(), 2, "{report}");
    assert!(report.contains("75.0%"), "{report}");
}

#[tokio::test]
async fn create_run_holds_the_matching_cases() {
    let (sim, client) = sim_and_client().await;
    let run = create_run::create_run(&client, ProjectId::new(1), SuiteId::new(1), "CART")
        .await
        .unwrap();
    let (stored, expected) = sim.with_state(|state| {
        let mut stored: Vec<u64> = state
            .tests
            .values()
            .filter(|test| test.run_id == run.id.get())
            .map(|test| test.case_id)
            .collect();
        stored.sort_unstable();
        let expected: Vec<u64> = state
            .cases
            .values()
            .filter(|case| case.suite_id == 1 && case.title.to_lowercase().contains("cart"))
            .map(|case| case.id)
            .collect();
        (stored, expected)
    });
    assert!(!expected.is_empty());
    assert_eq!(stored, expected);
    assert_eq!(run.untested_count, expected.len() as u64);
}

#[tokio::test]
async fn create_run_makes_one_run_when_the_answer_is_lost() {
    let (sim, client) = sim_and_client().await;
    // TestRail stores the run, then the connection drops before the answer.
    sim.add_fault(FaultRule::new(FaultKind::DropAfter).on("add_run").times(1));
    let run = create_run::create_run(&client, ProjectId::new(1), SuiteId::new(1), "cart")
        .await
        .unwrap();
    let runs = sim.with_state(|state| {
        state
            .runs
            .values()
            .map(|stored| stored.id)
            .collect::<Vec<_>>()
    });
    assert_eq!(runs, [run.id.get()], "one run, found after the lost answer");
    assert_eq!(sim.counters().per_endpoint.get("add_run"), Some(&1));
}

#[tokio::test]
async fn create_run_reports_testrails_refusal() {
    let (_sim, client) = sim_and_client().await;
    let error = create_run::create_run(&client, ProjectId::new(1), SuiteId::new(999), "cart")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::BadRequest { .. }), "{error}");
}
