//! `cargo testrail accept`: records every linked case, as TestRail has it now (`updated_on`,
//! title, suite, section), in `testrail.lock`. Cases no longer linked leave the file;
//! Missing cases cannot be accepted (exit code 1 until their links are removed).

use std::process::ExitCode;

use serde::Serialize;

use crate::cli::{BuildArgs, GlobalArgs};
use crate::context;
use crate::error::{CliError, EXIT_FINDINGS};
use crate::lockfile::{self, Accepted, LockFile};
use crate::output::{self, GREEN, RED};
use crate::sync::SyncState;

use super::status;

/// Runs `accept`.
pub async fn run(global: &GlobalArgs, args: BuildArgs) -> Result<ExitCode, CliError> {
    let survey = status::survey(&args).await?;
    let mut lock = LockFile::new();
    let mut missing = Vec::new();
    for (id, judged) in &survey.judged {
        match &judged.case {
            Some(case) => {
                lock.insert(
                    *id,
                    Accepted {
                        suite: case.suite_id,
                        section: case.section_id,
                        updated_on: case.updated_on,
                        title: case.title.clone(),
                    },
                );
            }
            None => missing.push(*id),
        }
    }
    let added: Vec<u64> = lock
        .keys()
        .filter(|id| !survey.lock.contains_key(id))
        .copied()
        .collect();
    let updated: Vec<u64> = lock
        .iter()
        .filter(|(id, case)| survey.lock.get(id).is_some_and(|old| old != *case))
        .map(|(id, _)| *id)
        .collect();
    let dropped: Vec<u64> = survey
        .lock
        .keys()
        .filter(|id| !lock.contains_key(id))
        .copied()
        .collect();
    lockfile::write(&survey.lock_path, &lock)?;
    let path = context::display_path(&survey.lock_path);
    if global.json {
        output::json(&AcceptJson {
            lock_file: path,
            accepted: lock.len(),
            added,
            updated,
            dropped,
            missing: missing.clone(),
        });
    } else {
        output::line(format!(
            "{} {} case(s) in {path} ({} new, {} updated, {} no longer linked)",
            output::paint(GREEN, "accepted"),
            lock.len(),
            added.len(),
            updated.len(),
            dropped.len()
        ));
        for id in &missing {
            let links: Vec<String> = survey.links.cases[id]
                .iter()
                .map(|link| link.describe())
                .collect();
            output::line(format!(
                "{} C{id} is {}: {}; linked from {}",
                output::paint(RED, "not accepted:"),
                SyncState::Missing.name(),
                SyncState::Missing.meaning(),
                links.join(", ")
            ));
        }
    }
    Ok(if missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FINDINGS)
    })
}

#[derive(Serialize)]
struct AcceptJson {
    lock_file: String,
    accepted: usize,
    added: Vec<u64>,
    updated: Vec<u64>,
    dropped: Vec<u64>,
    missing: Vec<u64>,
}
