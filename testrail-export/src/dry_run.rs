//! `--testrail-dry-run`: the [`Plan`] the export would execute (method, URL, body), computed
//! by the same planning stage ([`pipeline::plan`]) without sending anything, not even
//! reads. IDs that only TestRail can tell (the project of a name, the suite of a case, the
//! new run) are shown as placeholders; the API key appears nowhere.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use crate::catalog::{CaseState, CaseStates, StepResults};
use crate::config::mapping::StatusRef;
use crate::config::{Config, ProjectRef};
use crate::journal::Journal;
use crate::pipeline::{self, plan::Facts, plan::Plan};
use crate::target::{Naming, Step};
use testrail_api::{ApiKey, Client, ClientConfig, ResultForCase, Status};
use testrail_formats::spool::SpoolFile;

use super::ExportError;
use super::report::{Index, Outcomes};
use super::results::{self, ResultContext};
use super::send::batches;
use super::status_map::{StatusMap, builtin_statuses};

/// Stands for an ID that only TestRail can tell (the project of a name, the suite of the
/// cases); JSON bodies show it as the placeholder's name.
const UNKNOWN: u64 = 0;

/// Statuses named by the mapping that are not built in stand for themselves from this ID
/// on (shown as `STATUS_1`, `STATUS_2`, ...): only TestRail can tell their IDs.
const CUSTOM_STATUS_BASE: u64 = 1 << 40;

/// TestRail's built-in statuses, and a stand-in for each other status the mapping names,
/// with the placeholder each stand-in's ID is shown as.
fn dry_run_statuses(config: &Config) -> (Vec<Status>, BTreeMap<u64, (String, String)>) {
    let mapping = &config.mapping;
    let named = mapping
        .labels
        .values()
        .chain(mapping.advanced.values().flat_map(BTreeMap::values))
        .chain(&mapping.skipped)
        .chain(&mapping.error)
        .chain(&mapping.not_reached);
    let mut statuses = builtin_statuses();
    let mut placeholders = BTreeMap::new();
    for wanted in named {
        let known = statuses.iter().any(|status| match wanted {
            StatusRef::Id(id) => status.id.get() == *id,
            StatusRef::Name(name) => {
                status.name.eq_ignore_ascii_case(name.trim())
                    || status.label.eq_ignore_ascii_case(name.trim())
            }
        });
        if known {
            continue;
        }
        let (id, name) = match wanted {
            StatusRef::Id(id) => (*id, format!("status {id}")),
            StatusRef::Name(name) => {
                let id = CUSTOM_STATUS_BASE + placeholders.len() as u64;
                let placeholder = format!("STATUS_{}", placeholders.len() + 1);
                placeholders.insert(id, (placeholder, name.trim().to_owned()));
                (id, name.trim().to_owned())
            }
        };
        let status = serde_json::json!({ "id": id, "name": name, "label": name });
        if let Ok(status) = serde_json::from_value(status) {
            statuses.push(status);
        }
    }
    (statuses, placeholders)
}

/// The plan an export of `files` would execute, from the configuration and the session's
/// `journal` (empty for a new session) alone: every case is taken to be in the configured
/// suite (else in the suite of the session's only run; `SUITE` when neither tells), and
/// statuses the mapping names that are not built in as stand-ins.
///
/// # Errors
/// A status mapping that names the built-in Untested status.
pub fn plan(
    config: &Config,
    files: &[SpoolFile],
    session: &str,
    journal: &Journal,
) -> Result<Plan, ExportError> {
    let (statuses, _) = dry_run_statuses(config);
    let statuses = StatusMap::resolve(&config.mapping, &statuses)?;
    let configured = match config.suites.as_slice() {
        [suite] => suite.trim().parse().ok(),
        _ => None,
    };
    let of_journal = match journal.runs.keys().collect::<Vec<_>>().as_slice() {
        [suite] => Some(**suite),
        _ => None,
    };
    let suite_id = configured.or(of_journal).unwrap_or(UNKNOWN);
    let suite_name = match config.suites.as_slice() {
        [suite] if configured.is_none() => suite.trim().to_owned(),
        _ if suite_id == UNKNOWN => "SUITE".to_owned(),
        _ => format!("S{suite_id}"),
    };
    let outcomes = Outcomes::Memory(Arc::new(files.to_vec()));
    let index = Index::build(&outcomes)?;
    let known = CaseState::Known {
        suite_id,
        template_id: None,
    };
    let metas = index.files.clone();
    let facts = Facts {
        states: Arc::new(CaseStates::every(known)),
        outcomes,
        index: Arc::new(index),
        cases_assumed: true,
        statuses,
        step_results: StepResults::None,
        context: ResultContext::new(config, session),
        project_id: match config.project {
            Some(ProjectRef::Id(id)) => id,
            _ => UNKNOWN,
        },
        suite_names: BTreeMap::from([(suite_id, suite_name)]),
        naming: Naming {
            name: super::run_name(config, &metas, session),
            description: config.run_description.clone(),
            marker: results::session_marker(session),
            find_earlier: false,
        },
    };
    pipeline::plan::plan(config, facts, journal)
}

/// Describes the requests an export of `files` into the session whose journal is `journal`
/// would send: the [`plan`], rendered.
///
/// # Errors
/// See [`plan`]; a URL the client cannot be built with.
pub fn describe(
    config: &Config,
    files: &[SpoolFile],
    session: &str,
    journal: &Journal,
) -> Result<String, ExportError> {
    let plan = plan(config, files, session, journal)?;
    let client = Client::new(ClientConfig::new(
        config
            .url
            .clone()
            .unwrap_or_else(|| "https://testrail.example".to_owned()),
        config.user.clone().unwrap_or_else(|| "dry-run".to_owned()),
        ApiKey::new("not-used-by-a-dry-run"),
    ))?;
    let mut text = String::from("testrail dry run: nothing is sent. The export would send:\n");
    for file in files {
        for test in &file.tests {
            if test.all_case_ids().is_empty() {
                let _ = writeln!(
                    text,
                    "  (test {} is not reported: it has no case ID; link it with #[testrail::case(C...)])",
                    test.path
                );
            }
        }
    }
    if plan.skipped.already_stored > 0 {
        let _ = writeln!(
            text,
            "  ({} result(s) of this session are already stored in TestRail: not sent again)",
            plan.skipped.already_stored
        );
    }
    if plan.suites.is_empty() {
        let _ = writeln!(text, "  (nothing to send)");
    }
    for (case_id, reason) in &plan.skipped.not_reported {
        let _ = writeln!(text, "  (C{case_id} is not reported: {reason})");
    }
    let project = match &config.project {
        Some(ProjectRef::Id(id)) => id.to_string(),
        Some(ProjectRef::Name(name)) => {
            let _ = writeln!(text, "  (PROJECT stands for the ID of project {name:?})");
            "PROJECT".to_owned()
        }
        None => {
            let _ = writeln!(
                text,
                "  (PROJECT stands for the project: TESTRAIL_PROJECT is not set)"
            );
            "PROJECT".to_owned()
        }
    };
    let creates = |step: &Step| {
        matches!(
            step,
            Step::NewRun(_) | Step::NewPlan(_) | Step::NewEntry { .. }
        )
    };
    if plan
        .suites
        .get(&UNKNOWN)
        .is_some_and(|suite| creates(&suite.step))
    {
        let _ = writeln!(
            text,
            "  (SUITE stands for the suite of the cases, which only TestRail knows, so they are shown as one suite; if they are in several suites, the export makes one run or plan entry per suite (a plan where one run is shown) and sends each suite's results to it; with TESTRAIL_SUITES set to one suite ID the requests below are exact)"
        );
    }
    let (_, statuses) = dry_run_statuses(config);
    for (placeholder, name) in statuses.values() {
        let _ = writeln!(
            text,
            "  ({placeholder} stands for the ID of status {name:?}, which TestRail tells)"
        );
    }
    let post = |text: &mut String, method: String, body: serde_json::Value| {
        push(text, &client, &method, &placeholders(body, &statuses))
    };
    for suite in plan.suites.values() {
        let run = match &suite.step {
            Step::Join { run_id } => {
                let _ = writeln!(
                    text,
                    "  (the results go into run R{run_id}, which this session made or joined; the cases it lacks are added to it first)"
                );
                run_id.to_string()
            }
            Step::Adopt { run_id } => {
                let _ = writeln!(
                    text,
                    "  (the results go into run R{run_id}; the cases it lacks are added to it first)"
                );
                run_id.to_string()
            }
            Step::Outside => {
                let cases: Vec<String> =
                    suite.cases.iter().map(|case| format!("C{case}")).collect();
                let _ = writeln!(
                    text,
                    "  ({} not reported: their suite is not the configured run's)",
                    cases.join(", ")
                );
                continue;
            }
            Step::NewRun(body) => {
                post(&mut text, format!("add_run/{project}"), json(body))?;
                let _ = writeln!(
                    text,
                    "  (NEW_RUN stands for the ID of the run add_run creates)"
                );
                "NEW_RUN".to_owned()
            }
            Step::NewPlan(body) => {
                post(&mut text, format!("add_plan/{project}"), json(body))?;
                let _ = writeln!(
                    text,
                    "  (NEW_RUN stands for the ID of the run of the entry add_plan creates)"
                );
                "NEW_RUN".to_owned()
            }
            Step::NewEntry { plan_id, entry } => {
                let plan = plan_id.map_or("NEW_PLAN".to_owned(), |id| id.to_string());
                post(&mut text, format!("add_plan_entry/{plan}"), json(entry))?;
                let _ = writeln!(
                    text,
                    "  (NEW_RUN stands for the ID of the run of the entry add_plan_entry creates)"
                );
                "NEW_RUN".to_owned()
            }
        };
        let mut items = Vec::new();
        plan.builder.items(&suite.cases, |item| items.push(item))?;
        items.sort_by_key(|item| item.result.case_id.get());
        for batch in batches(items, config.batch_size) {
            let results: Vec<ResultForCase> = batch.into_iter().map(|item| item.result).collect();
            post(
                &mut text,
                format!("add_results_for_cases/{run}"),
                serde_json::json!({ "results": results }),
            )?;
        }
    }
    Ok(text)
}

fn json<B: serde::Serialize>(body: &B) -> serde_json::Value {
    serde_json::to_value(body).unwrap_or_default()
}

/// Shows the IDs only TestRail can tell by their placeholders' names: the suite and the
/// custom statuses.
fn placeholders(
    mut body: serde_json::Value,
    statuses: &BTreeMap<u64, (String, String)>,
) -> serde_json::Value {
    match &mut body {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                let id = value.as_u64();
                *value = match (key.as_str(), id) {
                    ("suite_id", Some(UNKNOWN)) => serde_json::Value::from("SUITE"),
                    ("status_id", Some(id)) if statuses.contains_key(&id) => {
                        serde_json::Value::from(statuses[&id].0.clone())
                    }
                    _ => placeholders(value.take(), statuses),
                };
            }
        }
        serde_json::Value::Array(values) => {
            for value in values {
                *value = placeholders(value.take(), statuses);
            }
        }
        _ => {}
    }
    body
}

fn push<B: serde::Serialize>(
    text: &mut String,
    client: &Client,
    method: &str,
    body: &B,
) -> Result<(), ExportError> {
    let preview = client.describe_post(method, body)?;
    let body = preview
        .body
        .map(|body| serde_json::to_string_pretty(&body).unwrap_or_default())
        .unwrap_or_default();
    let _ = writeln!(text, "\n{} {}\n{body}", preview.http_method, preview.url);
    Ok(())
}
