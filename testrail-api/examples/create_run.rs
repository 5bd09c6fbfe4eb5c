//! Creates a test run of the cases of a suite whose title contains a text, safely: if the
//! answer to `add_run` is lost ([`Error::Ambiguous`]), it looks for the run before creating
//! it again, so a flaky network never leaves two runs.
//!
//! ```text
//! # Against an in-process simulator (nothing leaves the machine):
//! cargo run -p testrail-api --example create_run
//!
//! # Against a real TestRail: creates a run in project P1 from suite S2's cases titled "*login*":
//! TESTRAIL_URL=https://acme.testrail.io TESTRAIL_USER=qa@acme.io TESTRAIL_API_KEY=... \
//!     cargo run -p testrail-api --example create_run -- --live P1 S2 login
//! ```

use testrail_api::{
    ApiKey, CaseFilter, Client, ClientConfig, Error, NewRun, ProjectId, Run, RunFilter, SuiteId,
};
use testrail_sim::{Fixture, Simulator};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let run = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => {
            let sim = Simulator::start(Fixture::demo()).await?;
            let client = Client::new(ClientConfig::new(
                sim.base_url(),
                sim.email(),
                ApiKey::new(sim.api_key()),
            ))?;
            create_run(&client, ProjectId::new(1), SuiteId::new(1), "cart").await?
        }
        ["--live", project, suite, title] => {
            let client = live_client()?;
            create_run(&client, project.parse()?, suite.parse()?, title).await?
        }
        _ => return Err("usage: create_run [--live <project> <suite> <title text>]".into()),
    };
    println!(
        "created run {} ({}) with {} tests: {}",
        run.id.prefixed(),
        run.name,
        run.untested_count,
        run.url.as_deref().unwrap_or("(no URL)")
    );
    Ok(())
}

/// Creates a run named `Cases titled "<title>"` in `project` holding the cases of `suite`
/// whose title contains `title` (TestRail's `filter` parameter: case-insensitive).
///
/// # Errors
///
/// [`Error::BadRequest`] with TestRail's text when `suite` is not in `project`, and the
/// errors of any request. An [`Error::Ambiguous`] of `add_run` is answered by looking for
/// the run (same name and description among the open runs) and, if it is not there, by
/// creating it once more.
pub async fn create_run(
    client: &Client,
    project: ProjectId,
    suite: SuiteId,
    title: &str,
) -> Result<Run, Error> {
    let filter = CaseFilter {
        suite_id: Some(suite),
        title_contains: Some(title.to_owned()),
        ..CaseFilter::default()
    };
    let cases = client.get_cases(project, &filter).await?;
    // Request bodies are plain structs: set what you need, `Default` for the rest.
    let body = NewRun {
        name: format!("Cases titled \"{title}\""),
        description: Some(format!(
            "Made by testrail-api's create_run example, key {}",
            std::process::id()
        )),
        suite_id: Some(suite),
        include_all: Some(false),
        case_ids: Some(cases.iter().map(|case| case.id).collect()),
        ..NewRun::default()
    };
    match client.add_run(project, &body).await {
        Err(Error::Ambiguous { .. }) => match find(client, project, &body).await? {
            Some(run) => Ok(run),
            None => client.add_run(project, &body).await,
        },
        answer => answer,
    }
}

/// The open run with the name and description of `body`, if TestRail stored it.
async fn find(client: &Client, project: ProjectId, body: &NewRun) -> Result<Option<Run>, Error> {
    let open = RunFilter {
        is_completed: Some(false),
        ..RunFilter::default()
    };
    Ok(client
        .get_runs(project, &open)
        .await?
        .into_iter()
        .find(|run| run.name == body.name && run.description == body.description))
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
