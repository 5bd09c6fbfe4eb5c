//! `--testrail-dry-run`: what the export would send (method, URL, body), without sending
//! anything, not even reads. IDs that only TestRail can tell (the project of a name, the new
//! run) are shown as placeholders; the API key appears nowhere.

use std::fmt::Write as _;

use crate::config::{Config, ProjectRef, Target};
use testrail_api::{ApiKey, Client, ClientConfig, NewRun, ResultForCase};
use testrail_formats::spool::SpoolFile;

use super::ExportError;
use super::report;
use super::results::{self, ResultContext};
use super::send::{Item, batches};
use super::status_map::{StatusMap, builtin_statuses};

/// Describes the requests an export of `files` would send.
pub fn describe(
    config: &Config,
    files: &[SpoolFile],
    session: &str,
) -> Result<String, ExportError> {
    let client = Client::new(ClientConfig::new(
        config
            .url
            .clone()
            .unwrap_or_else(|| "https://testrail.example".to_owned()),
        config.user.clone().unwrap_or_else(|| "dry-run".to_owned()),
        ApiKey::new("not-used-by-a-dry-run"),
    ))?;
    let statuses = StatusMap::resolve(&config.mapping, &builtin_statuses())?;
    let context = ResultContext::new(config, session);
    let mut items = Vec::new();
    let mut text = String::from("testrail dry run: nothing is sent. The export would send:\n");
    for report in report::build(files) {
        match results::result_for(&report, &statuses, &context, false) {
            Ok(result) => items.push(Item {
                files: results::files_of(&report),
                result,
            }),
            Err(reason) => {
                let _ = writeln!(text, "  (C{} is not reported: {reason})", report.case_id);
            }
        }
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
    let run = match config.target {
        Target::Run(run_id) => run_id.to_string(),
        _ => {
            let body = NewRun {
                name: super::run_name(config, files, session),
                description: config.run_description.clone(),
                milestone_id: config.milestone_id.map(Into::into),
                include_all: Some(false),
                case_ids: Some(items.iter().map(|item| item.result.case_id).collect()),
                ..NewRun::default()
            };
            push(&mut text, &client, &format!("add_run/{project}"), &body)?;
            let _ = writeln!(
                text,
                "  (NEW_RUN stands for the ID of the run add_run creates)"
            );
            "NEW_RUN".to_owned()
        }
    };
    for batch in batches(items, config.batch_size) {
        let results: Vec<ResultForCase> = batch.into_iter().map(|item| item.result).collect();
        push(
            &mut text,
            &client,
            &format!("add_results_for_cases/{run}"),
            &serde_json::json!({ "results": results }),
        )?;
    }
    Ok(text)
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
