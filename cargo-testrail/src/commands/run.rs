//! `cargo testrail run create` and `run close`: the run (or plan) of a build, made before
//! its tests run so that parallel jobs report into it (`TESTRAIL_RUN_ID`), and closed when
//! they are done.
//!
//! `create` is the export's own target logic ([`testrail_export::build_run`]): the build's
//! key is its session marker, so the same build finds the same run. `close` is idempotent:
//! a run or plan that is already closed is what was wanted.

use std::collections::BTreeMap;
use std::process::ExitCode;

use serde::Serialize;
use testrail_export as export;
use testrail_export::build_run::{self, BuildRun};
use testrail_export::config::{Config, Target};

use crate::cli::{GlobalArgs, IdFormat, RunCloseArgs, RunCommand, RunCreateArgs};
use crate::context;
use crate::error::CliError;
use crate::output::{self, BOLD, GREEN};

/// Runs `run create` or `run close`.
pub async fn run(global: &GlobalArgs, command: RunCommand) -> Result<ExitCode, CliError> {
    match command {
        RunCommand::Create(args) => create(global, args).await,
        RunCommand::Close(args) => close(global, args).await,
    }
}

/// `run create --json`.
#[derive(Debug, Serialize)]
struct CreatedJson {
    build: String,
    /// Whether it was made now (false: an earlier `run create` of the build made it).
    created: bool,
    name: String,
    project_id: u64,
    /// The run to report into (`TESTRAIL_RUN_ID`), when the build has one run.
    run_id: Option<u64>,
    /// The plan, when the build reports into a plan.
    plan_id: Option<u64>,
    runs: Vec<RunJson>,
    /// The variables that make the jobs report into it, by name.
    env: BTreeMap<String, String>,
    /// Closed runs (or plans) of the build passed over for the new one.
    closed: Vec<u64>,
}

#[derive(Debug, Serialize)]
struct RunJson {
    suite_id: u64,
    suite: String,
    run_id: u64,
    url: String,
}

/// The variable the jobs of the build report into it with: `TESTRAIL_RUN_ID` when it has
/// one run (also a plan's only run), else `TESTRAIL_PLAN_ID`.
fn variables(made: &BuildRun) -> Vec<(String, String)> {
    match (made.runs.as_slice(), made.plan_id) {
        ([(_, _, run_id)], _) => vec![("TESTRAIL_RUN_ID".to_owned(), run_id.to_string())],
        (_, Some(plan_id)) => vec![("TESTRAIL_PLAN_ID".to_owned(), plan_id.to_string())],
        _ => Vec::new(),
    }
}

/// The address of a plan in TestRail's web interface.
fn plan_url(base: &str, plan_id: u64) -> String {
    export::run_url(base, plan_id).replace("/runs/view/", "/plans/view/")
}

async fn create(global: &GlobalArgs, args: RunCreateArgs) -> Result<ExitCode, CliError> {
    let config = context::config(&args.settings)?;
    if args.build.trim().is_empty() {
        return Err(CliError::Input(
            "--build is empty: give the key of the build, the same in every job of it (e.g. --build gh-$GITHUB_RUN_ID), so that they report into one run".to_owned(),
        ));
    }
    let build = testrail_formats::session::sanitize(&args.build);
    if config.dry_run {
        output::line(format!(
            "dry run: nothing sent; without --dry-run this looks for the run (or plan) of build {build} among the project's newest runs (or plans) by the marker \"{}\" in their description, and makes it when there is none",
            export::results::session_marker(&build)
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let client = export::client(&config)?;
    // The default name is replaced by the build's own (`build_run::BUILD_RUN_NAME`).
    if config.run_name != export::config::DEFAULT_RUN_NAME && config.run_name.contains("{crate}") {
        output::note(
            "run_name's {crate} is left empty: `run create` runs before any test binary names its crate",
        );
    }
    let made = build_run::find_or_create(&client, &config, &build).await?;
    let base = config.url.clone().unwrap_or_default();
    let env = variables(&made);
    if global.json {
        output::json(&CreatedJson {
            build: build.clone(),
            created: made.created,
            name: made.name.clone(),
            project_id: made.project_id,
            run_id: env
                .iter()
                .find(|(key, _)| key == "TESTRAIL_RUN_ID")
                .and_then(|(_, id)| id.parse().ok()),
            plan_id: made.plan_id,
            runs: made
                .runs
                .iter()
                .map(|(suite_id, suite, run_id)| RunJson {
                    suite_id: *suite_id,
                    suite: suite.clone(),
                    run_id: *run_id,
                    url: export::run_url(&base, *run_id),
                })
                .collect(),
            env: env.iter().cloned().collect(),
            closed: made.closed.clone(),
        });
        return Ok(ExitCode::SUCCESS);
    }
    let what = match made.plan_id {
        Some(plan_id) => format!("plan {plan_id}"),
        None => match made.runs.as_slice() {
            [(_, _, run_id)] => format!("run R{run_id}"),
            _ => "the runs".to_owned(),
        },
    };
    let headline = match made.created {
        true => format!("created {what} \"{}\" for build {build}", made.name),
        false => format!(
            "{what} of build {build} exists already (an earlier `run create` made it): nothing created"
        ),
    };
    let mut lines: Vec<String> = made
        .closed
        .iter()
        .map(|id| {
            let what = match made.plan_id {
                Some(_) => format!("plan {id}"),
                None => format!("run R{id}"),
            };
            format!(
                "{what} of build {build} is closed (TestRail takes no more results there): made a new one"
            )
        })
        .collect();
    lines.push(headline);
    if let Some(plan_id) = made.plan_id {
        lines.push(format!("  {}", plan_url(&base, plan_id)));
    }
    for (_, suite, run_id) in &made.runs {
        lines.push(format!(
            "  run R{run_id} of suite {suite}: {}",
            export::run_url(&base, *run_id)
        ));
    }
    if made.plan_id.is_some() && made.runs.len() > 1 {
        lines.push(
            "  with TESTRAIL_PLAN_ID each job reports into these runs, the run of its suite"
                .to_owned(),
        );
    }
    match args.format {
        IdFormat::Text => {
            lines[0] = output::paint(GREEN.bold(), &lines[0]);
            for line in lines {
                output::line(line);
            }
            for (key, value) in &env {
                output::line(format!(
                    "report into it: {}",
                    output::paint(BOLD, format!("{key}={value}"))
                ));
            }
        }
        IdFormat::GithubOutput => {
            // Standard output is for $GITHUB_OUTPUT; what happened goes to the log.
            for line in lines {
                output::note(line);
            }
            for (key, value) in &env {
                output::line(format!("{key}={value}"));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `run close --json`.
#[derive(Debug, Serialize)]
struct ClosedJson {
    run_id: Option<u64>,
    plan_id: Option<u64>,
    /// Whether this command closed it (false: it was closed already).
    closed_now: bool,
}

/// What `run close` closes.
#[derive(Clone, Copy, Debug)]
enum Closing {
    Run(u64),
    Plan(u64),
}

fn what_to_close(args: &RunCloseArgs, config: &Config) -> Result<Closing, CliError> {
    if let Some(given) = &args.run {
        let digits = given.trim().trim_start_matches(['R', 'r']);
        return match digits.parse::<u64>() {
            Ok(id) if id > 0 => Ok(Closing::Run(id)),
            _ => Err(CliError::Input(format!(
                "{given:?} is not a run ID\n  give it as R12 or 12 (a plan: --plan-id 7)"
            ))),
        };
    }
    match config.target {
        Target::Run(id) => Ok(Closing::Run(id)),
        Target::Plan(id) => Ok(Closing::Plan(id)),
        _ => Err(CliError::Input(
            "which run? name it (cargo testrail run close 12), or set TESTRAIL_RUN_ID (a plan: --plan-id 7 or TESTRAIL_PLAN_ID)"
                .to_owned(),
        )),
    }
}

/// A close that TestRail refuses because it is already done counts as done (another job
/// closed it between the look and the close).
fn already_completed(error: &testrail_api::Error) -> bool {
    matches!(error, testrail_api::Error::Forbidden { message, .. } if message.contains("already completed"))
}

async fn close(global: &GlobalArgs, args: RunCloseArgs) -> Result<ExitCode, CliError> {
    let config = context::config(&args.settings)?;
    let closing = what_to_close(&args, &config)?;
    let client = export::client(&config)?;
    let (closed_now, text) = match closing {
        Closing::Run(id) => {
            let run = client.get_run(id).await?;
            if let Some(plan_id) = run.plan_id {
                return Err(CliError::Input(format!(
                    "run R{id} belongs to plan {plan_id}: TestRail closes the runs of a plan only with the whole plan\n  close the plan once all its runs are done: cargo testrail run close --plan-id {plan_id}"
                )));
            }
            if run.is_completed {
                (
                    false,
                    format!(
                        "run R{id} \"{}\" is already closed: nothing to do",
                        run.name
                    ),
                )
            } else {
                match client.close_run(id).await {
                    Ok(_) => (
                        true,
                        format!(
                            "closed run R{id} \"{}\": TestRail takes no more results there",
                            run.name
                        ),
                    ),
                    Err(error) if already_completed(&error) => (
                        false,
                        format!(
                            "run R{id} \"{}\" is already closed: nothing to do",
                            run.name
                        ),
                    ),
                    Err(error) => return Err(error.into()),
                }
            }
        }
        Closing::Plan(id) => {
            let plan = client.get_plan(id).await?;
            if plan.is_completed {
                (
                    false,
                    format!(
                        "plan {id} \"{}\" is already closed: nothing to do",
                        plan.name
                    ),
                )
            } else {
                match client.close_plan(id).await {
                    Ok(_) => (
                        true,
                        format!(
                            "closed plan {id} \"{}\" and its runs: TestRail takes no more results there",
                            plan.name
                        ),
                    ),
                    Err(error) if already_completed(&error) => (
                        false,
                        format!(
                            "plan {id} \"{}\" is already closed: nothing to do",
                            plan.name
                        ),
                    ),
                    Err(error) => return Err(error.into()),
                }
            }
        }
    };
    if global.json {
        let (run_id, plan_id) = match closing {
            Closing::Run(id) => (Some(id), None),
            Closing::Plan(id) => (None, Some(id)),
        };
        output::json(&ClosedJson {
            run_id,
            plan_id,
            closed_now,
        });
    } else {
        output::line(text);
    }
    Ok(ExitCode::SUCCESS)
}
