//! `cargo testrail check`: "Save & Connect" of the seeds. Verifies, in order, the settings,
//! the address, the credentials, the project, the user's permissions, the suites, the
//! configured run or plan and the status mapping, and says exactly which step failed and
//! what to do; or prints the user, the project, its suite mode and the configured suites.
//! What cannot be checked without writing to TestRail is said, never claimed to work.
//! Plain `#[test]` functions in `harness = false` targets, which never run, are listed
//! (see [`crate::dropped`]) and make the exit code 1.
//! The API key is never printed.

use std::process::ExitCode;

use serde::Serialize;
use testrail_api::{Client, Error as ClientError, Project, SuiteMode, User};
use testrail_export::config::{Config, Target};
use testrail_export::status_map::StatusMap;
use testrail_export::{self as export, ExportError, catalog};

use crate::cli::{CheckArgs, GlobalArgs};
use crate::context;
use crate::dropped::{self, DroppedTest};
use crate::error::{CliError, EXIT_ERROR, EXIT_FINDINGS};
use crate::output::{self, BOLD, GREEN, ORANGE, RED};

/// The `--json` answer.
#[derive(Debug, Default, Serialize)]
struct CheckJson {
    ok: bool,
    url: Option<String>,
    user: Option<UserJson>,
    project: Option<ProjectJson>,
    suites: Vec<SuiteJson>,
    /// What the user's role allows, as far as TestRail tells.
    permissions: Option<String>,
    /// What could not be checked without writing to TestRail.
    unchecked: Vec<String>,
    failed_step: Option<&'static str>,
    error: Option<String>,
    /// Plain `#[test]` functions in `harness = false` targets, which never run.
    never_run: Vec<DroppedTest>,
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
    answer.never_run = dropped::find();
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
            print_never_run(&answer.never_run);
        }
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    answer.ok = answer.never_run.is_empty();
    if global.json {
        output::json(&answer);
    } else if answer.unchecked.is_empty() {
        output::line(output::paint(
            GREEN.bold(),
            "TestRail is set up: exports will work",
        ));
    } else {
        output::line(output::paint(
            ORANGE.bold(),
            format!(
                "TestRail is set up, except what could not be checked without writing to it: {}",
                answer.unchecked.join("; ")
            ),
        ));
    }
    if !global.json {
        print_never_run(&answer.never_run);
    }
    Ok(match answer.never_run.is_empty() {
        true => ExitCode::SUCCESS,
        false => ExitCode::from(EXIT_FINDINGS),
    })
}

/// The tests that never run, with what to write instead; nothing when there are none.
pub fn print_never_run(never_run: &[DroppedTest]) {
    if never_run.is_empty() {
        return;
    }
    output::line(format!(
        "{} {}",
        output::paint(RED.bold(), "✗"),
        output::paint(
            BOLD,
            format!(
                "{} test(s) never run (plain #[test] in a harness = false target):",
                never_run.len()
            )
        )
    ));
    for test in never_run {
        output::line(format!("  {}", test.describe()));
    }
    output::line(format!("  {}", dropped::INSTEAD));
}

fn unsure(global: &GlobalArgs, what: &str, text: impl std::fmt::Display) {
    if !global.json {
        output::line(format!(
            "{} {}  {text}",
            output::paint(ORANGE, "?"),
            output::paint(BOLD, format!("{what:<8}"))
        ));
    }
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
    // The normalised address: never what was typed, which may hold `user:key@`.
    answer.url = Some(client.base_url().to_string());

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
        id: user.id.get(),
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
        id: project.id.get(),
        name: project.name.clone(),
        suite_mode: project.suite_mode,
        suite_mode_text: mode,
    });

    let access = Access::of(&user, &project);
    let text = access.describe(&user, &config.target);
    answer.permissions = Some(text.clone());
    match access.verdict(&config.target) {
        Verdict::Enough => ok(global, "access", text),
        Verdict::Lacking => {
            return Err(("permissions", CliError::Input(text)));
        }
        Verdict::Unknown => {
            unsure(global, "access", &text);
            answer.unchecked.push(text);
        }
    }

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
            id: suite.id.get(),
            name: suite.name.clone(),
        })
        .collect();

    let suite_ids: Vec<u64> = configured.iter().map(|suite| suite.id.get()).collect();
    if let Some(text) = check_target(&client, &config, project.id.get(), &suite_ids)
        .await
        .map_err(|e| ("target", e))?
    {
        ok(global, "target", text);
    }

    let statuses = client
        .get_statuses()
        .await
        .map_err(|e| ("status mapping", e.into()))?;
    StatusMap::resolve(&config.mapping, &statuses)
        .map_err(|e| ("status mapping", ExportError::from(e).into()))?;
    ok(
        global,
        "statuses",
        "every status the mapping names exists in TestRail",
    );
    Ok(())
}

/// The configured run or plan, when results go into an existing one: it must exist, belong
/// to the project, be open and, for a run, hold one of the configured suites
/// (`suite_ids`: a run holds the cases of one suite). `None` when a new run or plan is made.
async fn check_target(
    client: &Client,
    config: &Config,
    project_id: u64,
    suite_ids: &[u64],
) -> Result<Option<String>, CliError> {
    let (what, id, name, project, closed) = match config.target {
        Target::NewRun | Target::NewPlan => return Ok(None),
        Target::Run(id) => {
            let run = client.get_run(id).await.map_err(|e| gone("run", id, e))?;
            if let Some(suite) = run.suite_id.map(|suite| suite.get())
                && !suite_ids.contains(&suite)
                && run
                    .project_id
                    .is_none_or(|project| project.get() == project_id)
            {
                return Err(CliError::Input(format!(
                    "run {id} ({}) holds suite S{suite}, which is not among the configured suites: results of their cases cannot go there (a run holds one suite); name a run of a configured suite, or add S{suite} to `suites`",
                    run.name
                )));
            }
            ("run", id, run.name, run.project_id, run.is_completed)
        }
        Target::Plan(id) => {
            let plan = client.get_plan(id).await.map_err(|e| gone("plan", id, e))?;
            ("plan", id, plan.name, plan.project_id, plan.is_completed)
        }
    };
    if project.is_some_and(|project| project.get() != project_id) {
        return Err(CliError::Input(format!(
            "{what} {id} ({name}) belongs to another project: name a {what} of project P{project_id}, or the project it is in"
        )));
    }
    if closed {
        return Err(CliError::Input(format!(
            "{what} {id} ({name}) is closed: TestRail refuses results for closed runs and plans; report into a new run (unset TESTRAIL_RUN_ID / TESTRAIL_PLAN_ID) or an open one"
        )));
    }
    Ok(Some(format!("{what} {id} ({name}) is open")))
}

/// A configured run or plan that TestRail does not know.
fn gone(what: &str, id: u64, error: ClientError) -> CliError {
    match error {
        ClientError::BadRequest { message, .. } => CliError::Input(format!(
            "TestRail has no {what} {id} (it said: \"{message}\"): check TESTRAIL_{}_ID, or unset it to report into a new run",
            what.to_ascii_uppercase()
        )),
        other => other.into(),
    }
}

/// What a user may do, as far as TestRail's answer tells: the API names the user's role
/// (`get_current_user`, and per project on TestRail Enterprise), not what a role allows, so
/// only TestRail's default roles can be judged without writing.
#[derive(Debug, PartialEq, Eq)]
enum Access {
    /// Administrator or Lead: runs, plans and results.
    All(String),
    /// The default Tester role: results, but no runs.
    ResultsOnly(String),
    /// The default Read-only (or Guest) role: nothing.
    Nothing(String),
    /// A custom role, or no role in the answer: cannot be judged.
    Unknown(Option<String>),
}

/// Whether the access is enough for the configured export.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Enough,
    Lacking,
    Unknown,
}

impl Access {
    fn of(user: &User, project: &Project) -> Access {
        let is_admin = user
            .extra
            .get("is_admin")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        if is_admin {
            return Access::All("Administrator".to_owned());
        }
        let project_role = project
            .extra
            .get("users")
            .and_then(serde_json::Value::as_array)
            .and_then(|users| {
                users.iter().find(|entry| {
                    entry.get("id").and_then(serde_json::Value::as_u64) == Some(user.id.get())
                })
            })
            .and_then(|entry| entry.get("project_role"))
            .and_then(serde_json::Value::as_str)
            .map(|role| format!("{role} (in this project)"));
        let Some(role) = project_role.or_else(|| user.role.clone()) else {
            return Access::Unknown(None);
        };
        let plain = role
            .trim_end_matches(" (in this project)")
            .trim()
            .to_ascii_lowercase();
        match plain.as_str() {
            "administrator" | "admin" | "lead" => Access::All(role),
            "tester" => Access::ResultsOnly(role),
            "read-only" | "read only" | "readonly" | "guest" => Access::Nothing(role),
            _ => Access::Unknown(Some(role)),
        }
    }

    fn verdict(&self, target: &Target) -> Verdict {
        match self {
            Access::All(_) => Verdict::Enough,
            Access::ResultsOnly(_) if matches!(target, Target::Run(_)) => Verdict::Enough,
            Access::ResultsOnly(_) | Access::Nothing(_) => Verdict::Lacking,
            Access::Unknown(_) => Verdict::Unknown,
        }
    }

    fn describe(&self, user: &User, target: &Target) -> String {
        let who = &user.email;
        let needs = match target {
            Target::NewRun => "add runs and results",
            Target::NewPlan => "add plans and results",
            Target::Plan(_) => "add plan entries and results",
            Target::Run(_) => "add results (and edit the run when cases are missing from it)",
        };
        match self {
            Access::All(role) => format!("role {role}: may {needs}"),
            Access::ResultsOnly(role) => match target {
                Target::Run(id) => format!(
                    "role {role}: may add results to run R{id}, but not add missing cases to it (that needs the Lead role): the run must already hold every linked case"
                ),
                _ => format!(
                    "{who} has role {role}, which (as TestRail's default Tester role) may add results but not runs or plans, and the export must {needs}: ask a TestRail admin for the Lead role, or report into an existing run that holds the cases (TESTRAIL_RUN_ID)"
                ),
            },
            Access::Nothing(role) => format!(
                "{who} has role {role}, which may not add results (the export must {needs}): ask a TestRail admin for the Lead role (or Tester, to report into an existing run)"
            ),
            Access::Unknown(Some(role)) => format!(
                "{who} has role {role}, which is not one of TestRail's default roles: the API does not say what a role allows, so whether it may {needs} is only known when the first export tries"
            ),
            Access::Unknown(None) => format!(
                "TestRail did not say the role of {who} (versions before 7.3 do not): whether it may {needs} is only known when the first export tries"
            ),
        }
    }
}

/// `get_current_user`, or `get_user_by_email` on TestRail before 6.6.
async fn current_user(client: &Client, email: &str) -> Result<User, ClientError> {
    match client.get_current_user().await {
        Ok(user) => Ok(user),
        Err(ClientError::BadRequest { .. }) => client.get_user_by_email(email).await,
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Option<&str>, is_admin: bool) -> User {
        serde_json::from_value(serde_json::json!({
            "id": 7, "email": "ci@acme.io", "role": role, "is_admin": is_admin,
        }))
        .unwrap()
    }

    fn project(users: serde_json::Value) -> Project {
        serde_json::from_value(serde_json::json!({"id": 1, "name": "Shop", "users": users}))
            .unwrap()
    }

    #[test]
    fn default_roles_are_judged_and_others_are_said_to_be_unknown() {
        let none = project(serde_json::Value::Null);
        let cases = [
            (user(Some("Lead"), false), Target::NewRun, Verdict::Enough),
            (user(Some("Custom"), true), Target::NewPlan, Verdict::Enough),
            (
                user(Some("Tester"), false),
                Target::NewRun,
                Verdict::Lacking,
            ),
            (user(Some("Tester"), false), Target::Run(3), Verdict::Enough),
            (
                user(Some("Read-only"), false),
                Target::Run(3),
                Verdict::Lacking,
            ),
            (
                user(Some("QA Bot"), false),
                Target::NewRun,
                Verdict::Unknown,
            ),
            (user(None, false), Target::NewRun, Verdict::Unknown),
        ];
        for (user, target, verdict) in cases {
            let access = Access::of(&user, &none);
            assert_eq!(access.verdict(&target), verdict, "{access:?} {target:?}");
        }
        let text = Access::of(&user(Some("QA Bot"), false), &none)
            .describe(&user(Some("QA Bot"), false), &Target::NewRun);
        assert!(
            text.contains("only known when the first export tries"),
            "{text}"
        );
    }

    #[test]
    fn a_project_role_beats_the_global_role() {
        let lead_here = project(serde_json::json!([
            {"id": 7, "global_role": "Read-only", "project_role": "Lead"},
        ]));
        let access = Access::of(&user(Some("Read-only"), false), &lead_here);
        assert_eq!(
            access.verdict(&Target::NewRun),
            Verdict::Enough,
            "{access:?}"
        );
    }
}
