//! `cargo testrail check`: "Save & Connect" of the seeds. Verifies, in order, the settings,
//! the address, the credentials, the project and the suites, and says exactly which step
//! failed and what to do; or prints the user, the project, its suite mode and the
//! configured suites. The API key is never printed.

use std::process::ExitCode;

use serde::Serialize;
use testrail_harness::client::{Client, Error as ClientError, SuiteMode, User};
use testrail_harness::export::{self, catalog};

use crate::cli::{CheckArgs, GlobalArgs};
use crate::context;
use crate::error::{CliError, EXIT_ERROR};
use crate::output::{self, BOLD, GREEN, RED};

/// The `--json` answer.
#[derive(Debug, Default, Serialize)]
struct CheckJson {
    ok: bool,
    url: Option<String>,
    user: Option<UserJson>,
    project: Option<ProjectJson>,
    suites: Vec<SuiteJson>,
    failed_step: Option<&'static str>,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct UserJson {
    id: u64,
    name: String,
    email: String,
}

#[derive(Debug, Serialize)]
struct ProjectJson {
    id: u64,
    name: String,
    suite_mode: Option<u64>,
    suite_mode_text: &'static str,
}

#[derive(Debug, Serialize)]
struct SuiteJson {
    id: u64,
    name: String,
}

/// Runs `check`.
pub async fn run(global: &GlobalArgs, args: CheckArgs) -> Result<ExitCode, CliError> {
    let mut answer = CheckJson::default();
    let result = check(global, &args, &mut answer).await;
    if let Err((step, error)) = result {
        answer.failed_step = Some(step);
        answer.error = Some(error.to_string());
        if global.json {
            output::json(&answer);
        } else {
            output::line(format!(
                "{} {step}: {error}",
                output::paint(RED.bold(), "✗")
            ));
        }
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    answer.ok = true;
    if global.json {
        output::json(&answer);
    } else {
        output::line(output::paint(
            GREEN.bold(),
            "TestRail is set up: exports will work",
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn ok(global: &GlobalArgs, what: &str, text: impl std::fmt::Display) {
    if !global.json {
        output::line(format!(
            "{} {}  {text}",
            output::paint(GREEN, "✓"),
            output::paint(BOLD, format!("{what:<8}"))
        ));
    }
}

async fn check(
    global: &GlobalArgs,
    args: &CheckArgs,
    answer: &mut CheckJson,
) -> Result<(), (&'static str, CliError)> {
    let config = context::config(&args.settings).map_err(|e| ("settings", e))?;
    let client = export::client(&config).map_err(|e| ("settings", e.into()))?;
    answer.url = config.url.clone();

    let user = current_user(&client, config.user.as_deref().unwrap_or_default())
        .await
        .map_err(|error| {
            let step = match &error {
                ClientError::Unauthorized { .. } | ClientError::Forbidden { .. } => "credentials",
                _ => "address",
            };
            (step, CliError::from(error))
        })?;
    ok(global, "TestRail", client.base_url().to_string());
    ok(global, "user", format!("{} <{}>", user.name, user.email));
    answer.user = Some(UserJson {
        id: user.id,
        name: user.name.clone(),
        email: user.email.clone(),
    });

    let project = catalog::find_project(&client, &config)
        .await
        .map_err(|e| ("project", e.into()))?;
    let mode = match project.mode() {
        Some(SuiteMode::SingleSuite) => "single suite",
        Some(SuiteMode::SingleSuiteWithBaselines) => "single suite with baselines",
        Some(SuiteMode::MultipleSuites) => "multiple suites",
        None => "unknown suite mode",
    };
    ok(
        global,
        "project",
        format!("{} (P{}), {mode}", project.name, project.id),
    );
    answer.project = Some(ProjectJson {
        id: project.id,
        name: project.name.clone(),
        suite_mode: project.suite_mode,
        suite_mode_text: mode,
    });

    let all = client
        .get_suites(project.id)
        .await
        .map_err(|e| ("suites", e.into()))?;
    let configured =
        catalog::select_suites(&all, &config.suites).map_err(|e| ("suites", e.into()))?;
    let names: Vec<String> = configured
        .iter()
        .map(|suite| format!("{} (S{})", suite.name, suite.id))
        .collect();
    ok(
        global,
        "suites",
        if config.suites.is_empty() {
            format!("every suite of the project: {}", names.join(", "))
        } else {
            names.join(", ")
        },
    );
    answer.suites = configured
        .iter()
        .map(|suite| SuiteJson {
            id: suite.id,
            name: suite.name.clone(),
        })
        .collect();
    Ok(())
}

/// `get_current_user`, or `get_user_by_email` on TestRail before 6.6.
async fn current_user(client: &Client, email: &str) -> Result<User, ClientError> {
    match client.get_current_user().await {
        Ok(user) => Ok(user),
        Err(ClientError::BadRequest { .. }) => client.get_user_by_email(email).await,
        Err(error) => Err(error),
    }
}
