//! The open test runs of a project with their pass rates: the start of a release dashboard.
//!
//! ```text
//! # Against an in-process simulator with two demo runs (nothing leaves the machine):
//! cargo run -p testrail-api --example release_report
//!
//! # Against a real TestRail (read only), project P1:
//! TESTRAIL_URL=https://acme.testrail.io TESTRAIL_USER=qa@acme.io TESTRAIL_API_KEY=... \
//!     cargo run -p testrail-api --example release_report -- --live P1
//! ```
//!
//! Runs are read page by page (`get_runs` with `is_completed=0`, newest first); each line
//! is built from the counts TestRail keeps on the run (`passed_count`, `failed_count`, ...).

use std::fmt::Write as _;

use futures_util::TryStreamExt;
use testrail_api::{
    ApiKey, CaseFilter, Client, ClientConfig, Error, NewResult, NewRun, ProjectId, ResultForCase,
    Run, RunFilter, StatusId, SuiteId,
};
use testrail_sim::{Fixture, Simulator};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => print!("{}", demo().await?),
        ["--live", project] => {
            let project: ProjectId = project.parse()?;
            print!("{}", release_report(&live_client()?, project).await?);
        }
        _ => return Err("usage: release_report [--live <project ID, e.g. P1>]".into()),
    }
    Ok(())
}

/// One line per open run of `project`: its ID, name, how many of the executed tests passed
/// and the other counts. `no open runs` when there is none.
///
/// # Errors
///
/// The first failed request (see [`testrail_api::Error`]).
pub async fn release_report(client: &Client, project: ProjectId) -> Result<String, Error> {
    let open = RunFilter {
        is_completed: Some(false),
        ..RunFilter::default()
    };
    let runs = client.get_runs_pages(project, &open).into_items();
    let mut runs = std::pin::pin!(runs);
    let mut out = String::new();
    while let Some(run) = runs.try_next().await? {
        let rate = match pass_rate(&run) {
            Some(rate) => format!("{rate:5.1}%"),
            None => "   n/a".to_owned(),
        };
        let _ = writeln!(
            out,
            "{:<6} {rate}  {:<40} {} passed, {} failed, {} blocked, {} retest, {} untested",
            run.id.prefixed(),
            run.name,
            run.passed_count,
            run.failed_count,
            run.blocked_count,
            run.retest_count,
            run.untested_count,
        );
    }
    if out.is_empty() {
        out.push_str("no open runs\n");
    }
    Ok(out)
}

/// Passed tests as a percentage of the executed ones (passed, failed, blocked, retest);
/// `None` while nothing was executed. Tests with custom statuses are left out.
pub fn pass_rate(run: &Run) -> Option<f64> {
    let executed = run.passed_count + run.failed_count + run.blocked_count + run.retest_count;
    (executed > 0).then(|| run.passed_count as f64 * 100.0 / executed as f64)
}

/// The report of a fresh simulator after [`seed`].
pub async fn demo() -> Result<String, Box<dyn std::error::Error>> {
    let sim = Simulator::start(Fixture::demo()).await?;
    let client = Client::new(ClientConfig::new(
        sim.base_url(),
        sim.email(),
        ApiKey::new(sim.api_key()),
    ))?;
    seed(&client).await?;
    Ok(release_report(&client, ProjectId::new(1)).await?)
}

/// Demo data in project P1, suite S1 of the simulator's demo fixture: a run of four cases
/// with 3 passed and 1 failed, and a run of two cases not executed yet.
pub async fn seed(client: &Client) -> Result<(), Error> {
    let (project, suite) = (ProjectId::new(1), SuiteId::new(1));
    let filter = CaseFilter {
        suite_id: Some(suite),
        ..CaseFilter::default()
    };
    let cases: Vec<_> = client.get_cases(project, &filter).await?;
    let ids: Vec<_> = cases.iter().map(|case| case.id).take(4).collect();
    let run = |name: &str, case_ids: &[_]| NewRun {
        name: name.to_owned(),
        suite_id: Some(suite),
        include_all: Some(false),
        case_ids: Some(case_ids.to_vec()),
        ..NewRun::default()
    };
    let nightly = client.add_run(project, &run("Nightly", &ids)).await?;
    client
        .add_run(project, &run("Release 2.0", &ids[..2]))
        .await?;
    let results: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, &case)| {
            let status = if i == 3 {
                StatusId::FAILED
            } else {
                StatusId::PASSED
            };
            ResultForCase::new(
                case,
                NewResult {
                    status_id: Some(status),
                    ..NewResult::default()
                },
            )
        })
        .collect();
    client.add_results_for_cases(nightly.id, &results).await?;
    Ok(())
}

/// A client for the TestRail named by `TESTRAIL_URL`, `TESTRAIL_USER` and
/// `TESTRAIL_API_KEY`.
fn live_client() -> Result<Client, Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("set {name} for --live"));
    let config = ClientConfig::new(
        var("TESTRAIL_URL")?,
        var("TESTRAIL_USER")?,
        ApiKey::new(var("TESTRAIL_API_KEY")?),
    );
    Ok(Client::new(config)?)
}
