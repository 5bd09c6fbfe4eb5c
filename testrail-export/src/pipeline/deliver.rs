//! Stage 3: the results go to their runs in batches ([`crate::send`]), each recorded in the
//! journal before it is sent and checked after an ambiguous failure. Results TestRail
//! refuses because their cases left the run (another session replaced its cases) are sent
//! again after the cases are added again.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use testrail_api::Client;
use tokio::sync::Mutex;

use crate::config::Config;
use crate::journal::LockedJournal;
use crate::send::{self, SendOptions, Sent};
use crate::target::{self, Naming, Step};
use crate::{ExportError, ExportSummary, run_url};

use super::plan::Builder;
use super::prepare::Prepared;

/// What sending did.
#[derive(Clone, Debug)]
pub struct Delivered {
    /// What the export did so far (every field but the plan).
    pub summary: ExportSummary,
}

/// Sends the results of every prepared run.
///
/// # Errors
/// TestRail's refusals (explained for a run that was closed or deleted), cases that cannot
/// be kept in a run, [`ExportError::Refused`] when TestRail refused results of some cases
/// and `skip_missing` is off (every other result is delivered first).
pub async fn deliver(
    client: &Client,
    config: &Config,
    journal: &Arc<Mutex<LockedJournal>>,
    session: &str,
    prepared: Prepared,
) -> Result<Delivered, ExportError> {
    let skipped = prepared.skipped;
    let mut summary = ExportSummary {
        already_stored: skipped.already_stored,
        unconfigured: skipped.unconfigured,
        outside: skipped.outside,
        missing: skipped.missing,
        not_reported: skipped.not_reported,
        ..ExportSummary::default()
    };
    let base = config.url.clone().unwrap_or_default();
    for delivery in prepared.deliveries {
        let run_id = delivery.run_id;
        if delivery.cases.is_empty() {
            summary.runs.push((run_id, run_url(&base, run_id)));
            continue;
        }
        let sent = send_to_run(
            client,
            config,
            journal,
            session,
            (delivery.suite_id, run_id, delivery.changed),
            delivery.cases,
            (prepared.project_id, &prepared.naming, &prepared.builder),
        )
        .await?;
        summary.refused.extend(
            sent.dropped
                .iter()
                .map(|dropped| (dropped.case_id, dropped.reason.clone())),
        );
        summary.kept_worse += sent.kept_worse;
        summary.sent += sent.results;
        summary.batches += sent.batches;
        summary.already_stored += sent.found_stored;
        summary.runs.push((run_id, run_url(&base, run_id)));
    }
    if !summary.refused.is_empty() && !config.skip_missing {
        return Err(ExportError::Refused(summary.refused));
    }
    if let Some((run_id, suite_id, cases)) = summary.outside {
        return Err(ExportError::OutsideRun {
            run_id,
            suite_id,
            cases,
        });
    }
    Ok(Delivered { summary })
}

/// The step that adds `cases` again to the suite's run.
fn rejoin(
    suite_id: u64,
    run_id: u64,
    cases: &BTreeSet<u64>,
) -> BTreeMap<u64, (Step, BTreeSet<u64>)> {
    BTreeMap::from([(suite_id, (Step::Join { run_id }, cases.clone()))])
}

/// How many times results are sent again after TestRail refused them because their cases
/// left the run (another session replaced the run's cases at the same time).
const MAX_REJOIN_ROUNDS: u32 = 3;

/// Sends the results of one suite into its run. A refusal because a case is no longer in
/// the run adds the cases again and sends what is missing; a refusal because the run was
/// closed or deleted says so.
async fn send_to_run(
    client: &Client,
    config: &Config,
    journal: &Arc<tokio::sync::Mutex<LockedJournal>>,
    session: &str,
    (suite_id, run_id, mut changed): (u64, u64, bool),
    cases: BTreeSet<u64>,
    (project_id, naming, builder): (u64, &Naming, &Builder),
) -> Result<Sent, ExportError> {
    let mut cases = Arc::new(cases);
    let mut total = Sent::default();
    let mut rounds = 0;
    loop {
        let files: BTreeSet<String> = cases
            .iter()
            .flat_map(|case_id| builder.index.files_of(*case_id))
            .collect();
        let batches = send::stream_batches(builder.clone(), Arc::clone(&cases), config.batch_size);
        let outcome = send::send(
            client,
            journal.clone(),
            session,
            run_id,
            (batches, &files),
            SendOptions {
                max_in_flight: config.max_in_flight,
                settle_window: config.settle_window,
                statuses: &builder.statuses,
            },
        )
        .await;
        match outcome {
            Ok(sent) => {
                total.results += sent.results;
                total.batches += sent.batches;
                total.found_stored += sent.found_stored;
                total.kept_worse += sent.kept_worse;
                let refused: BTreeSet<u64> =
                    sent.dropped.iter().map(|dropped| dropped.case_id).collect();
                total.dropped.extend(sent.dropped);
                if !changed {
                    return Ok(total);
                }
                // This export added cases to a run other sessions may change at the same
                // time: a change of theirs based on an older read removes those cases, and
                // their results with them. Look once such a change would have landed.
                // Two looks, the second a while after the first: a slow change of another
                // session lands in between.
                let mut held = BTreeSet::new();
                for (look, wait_ms) in [500, 1500].into_iter().enumerate() {
                    tokio::time::sleep(std::time::Duration::from_millis(wait_ms)).await;
                    held = match client.get_tests(run_id).await {
                        Ok(tests) => tests
                            .iter()
                            .filter_map(|test| Some(test.case_id?.get()))
                            .collect(),
                        Err(error) => return Err(target::explain(client, run_id, error).await),
                    };
                    if look == 0 && cases.iter().any(|case_id| !held.contains(case_id)) {
                        break;
                    }
                }
                let lost: BTreeSet<u64> = cases
                    .iter()
                    .copied()
                    .filter(|case_id| !held.contains(case_id))
                    .collect();
                if lost.is_empty() {
                    return Ok(total);
                }
                if rounds == MAX_REJOIN_ROUNDS {
                    return Err(ExportError::CasesNotAdded {
                        run_id,
                        missing: lost.into_iter().collect(),
                    });
                }
                rounds += 1;
                // A refused result was never counted as sent; it is tried again now.
                let counted = lost
                    .iter()
                    .filter(|case_id| !refused.contains(case_id))
                    .count();
                total.results -= counted.min(total.results);
                total
                    .dropped
                    .retain(|dropped| !lost.contains(&dropped.case_id));
                let mut locked = journal.lock().await;
                if let Some(run) = locked.journal.runs.get_mut(&suite_id) {
                    run.case_ids = held;
                }
                for case_id in &lost {
                    for file in builder.index.files_of(*case_id) {
                        if let Some(acknowledged) = locked.journal.acknowledged.get_mut(&file) {
                            acknowledged.remove(case_id);
                        }
                    }
                }
                locked.save()?;
                cases = Arc::new(lost);
                let needed = rejoin(suite_id, run_id, &cases);
                target::prepare(client, config, project_id, &mut locked, &needed, naming).await?;
            }
            Err(ExportError::Client(testrail_api::Error::BadRequest { message, .. }))
                if message.contains("test") && rounds < MAX_REJOIN_ROUNDS =>
            {
                rounds += 1;
                let mut locked = journal.lock().await;
                Arc::make_mut(&mut cases).retain(|case_id| {
                    !builder
                        .index
                        .files_of(*case_id)
                        .iter()
                        .all(|file| locked.journal.is_acknowledged(file, *case_id))
                });
                if let Some(run) = locked.journal.runs.get_mut(&suite_id) {
                    // Read the run again: its cases changed behind this session's back.
                    run.created = false;
                }
                let needed = rejoin(suite_id, run_id, &cases);
                changed |=
                    target::prepare(client, config, project_id, &mut locked, &needed, naming)
                        .await?
                        .changed
                        .contains(&suite_id);
            }
            Err(ExportError::Client(error)) => {
                return Err(target::explain(client, run_id, error).await);
            }
            Err(error) => return Err(error),
        }
    }
}
