//! Stage 2: every suite of the [`Plan`] gets its run (the [`Step`](crate::target::Step)s
//! are executed by [`crate::target::prepare`], each create recorded in the journal before
//! it is sent), and what a run found in TestRail already holds from this session is
//! acknowledged and not sent again.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use tokio::sync::Mutex;

use crate::config::{Config, Target};
use crate::journal::LockedJournal;
use crate::target::{self, Naming};
use crate::{ExportError, results};

use super::plan::{Builder, Plan, Skipped};

/// The results of one suite and the run they go to.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The suite.
    pub suite_id: u64,
    /// Its run.
    pub run_id: u64,
    /// Whether this export changed the run's cases (another session changing them at the
    /// same time may undo that, so the run is read again after sending).
    pub changed: bool,
    /// The cases whose results it still lacks (empty: it holds them all).
    pub cases: BTreeSet<u64>,
}

/// The runs, ready for the results.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The project.
    pub project_id: u64,
    /// Names and marker of what the session creates.
    pub naming: Naming,
    /// What builds the results' bodies.
    pub builder: Builder,
    /// One per suite that has a run.
    pub deliveries: Vec<Delivery>,
    /// What is not sent; cases outside the configured run count as unconfigured.
    pub skipped: Skipped,
}

/// What preparing gave.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The runs are ready.
    Ready(Box<Prepared>),
    /// TestRail refused a case the plan assumed to be in the only configured suite: read
    /// the suite's cases and plan again.
    Replan,
}

/// Prepares the runs of `plan`.
///
/// # Errors
/// TestRail's refusals (explained for a run that was closed or deleted), a closed run that
/// lacks results of the session ([`ExportError::RunClosed`], [`ExportError::TargetClosed`]),
/// or a journal that cannot be saved.
pub async fn prepare(
    client: &testrail_api::Client,
    config: &Config,
    journal: &Arc<Mutex<LockedJournal>>,
    session: &str,
    plan: Plan,
) -> Result<Outcome, ExportError> {
    let Plan {
        project_id,
        naming,
        cases_assumed,
        suites,
        mut skipped,
        builder,
    } = plan;
    let ready = |deliveries, skipped| {
        Outcome::Ready(Box::new(Prepared {
            project_id,
            naming: naming.clone(),
            builder: builder.clone(),
            deliveries,
            skipped,
        }))
    };
    if suites.is_empty() {
        return Ok(ready(Vec::new(), skipped));
    }
    let needed = suites
        .iter()
        .map(|(suite_id, suite)| (*suite_id, (suite.step.clone(), suite.cases.clone())))
        .collect();
    let prepared = {
        let mut locked = journal.lock().await;
        target::prepare(client, config, project_id, &mut locked, &needed, &naming).await
    };
    let prepared = match prepared {
        Ok(prepared) => prepared,
        Err(ExportError::Client(testrail_api::Error::BadRequest { message, .. }))
            if cases_assumed && message.contains("case") =>
        {
            return Ok(Outcome::Replan);
        }
        Err(error) => return Err(error),
    };
    if !prepared.outside.is_empty() {
        let run_id = match config.target {
            crate::config::Target::Run(run_id) => run_id,
            _ => 0,
        };
        let suite_id = journal
            .lock()
            .await
            .journal
            .runs
            .iter()
            .find(|(_, run)| run.run_id == run_id)
            .map_or(0, |(suite_id, _)| *suite_id);
        skipped.outside = Some((run_id, suite_id, prepared.outside.clone()));
    }

    // A run this session found in TestRail or joined may hold results of an earlier attempt
    // (on another machine, or recorded in a journal that was lost): they are not sent again.
    for (suite_id, run_id) in &prepared.runs {
        let unverified = journal
            .lock()
            .await
            .journal
            .runs
            .get(suite_id)
            .is_some_and(|run| !run.verified);
        if unverified {
            acknowledge_stored(client, journal, *suite_id, *run_id, session).await?;
        }
    }
    let mut locked = journal.lock().await;
    let mut deliveries = Vec::new();
    for (suite_id, suite) in suites {
        let mut cases = suite.cases;
        let before = cases.len();
        cases.retain(|case_id| {
            !builder
                .index
                .files_of(*case_id)
                .iter()
                .all(|file| locked.journal.is_acknowledged(file, *case_id))
        });
        skipped.already_stored += before - cases.len();
        if let Some(run) = locked.journal.runs.get(&suite_id)
            && run.completed
            && !cases.is_empty()
        {
            return Err(match config.target {
                Target::Run(id) if id == run.run_id => ExportError::RunClosed {
                    run_id: id,
                    unsent: cases.len(),
                },
                _ => ExportError::TargetClosed {
                    run_id: run.run_id,
                    unsent: Some(cases.len()),
                },
            });
        }
        if let Some(run_id) = prepared.runs.get(&suite_id) {
            deliveries.push(Delivery {
                suite_id,
                run_id: *run_id,
                changed: prepared.changed.contains(&suite_id),
                cases,
            });
        }
    }
    // A closed run holding every result of the session: the work is done.
    if !locked.journal.runs.is_empty() && locked.journal.runs.values().all(|run| run.completed) {
        locked.journal.closed = true;
        locked.save()?;
    }
    Ok(ready(deliveries, skipped))
}

/// Acknowledges, in the journal, the results TestRail holds from this session in a run
/// the session found or joined, and marks the run as verified.
async fn acknowledge_stored(
    client: &testrail_api::Client,
    journal: &Arc<Mutex<LockedJournal>>,
    suite_id: u64,
    run_id: u64,
    session: &str,
) -> Result<(), ExportError> {
    let read = async {
        let tests = client.get_tests(run_id).await?;
        let results = client
            .get_results_for_run(run_id, &testrail_api::ResultFilter::default())
            .await?;
        Ok::<_, testrail_api::Error>((tests, results))
    };
    let (tests, results) = match read.await {
        Ok(read) => read,
        Err(error) => return Err(target::explain(client, run_id, error).await),
    };
    let case_of: BTreeMap<u64, u64> = tests
        .iter()
        .filter_map(|test| Some((test.id.get(), test.case_id?.get())))
        .collect();
    let mut stored = Vec::new();
    for result in results {
        if !results::is_from_session(result.comment.as_deref(), session) {
            continue;
        }
        let Some(case_id) = result
            .test_id
            .and_then(|test| case_of.get(&test.get()).copied())
        else {
            continue;
        };
        for file in results::files_in(result.comment.as_deref()) {
            stored.push((file, case_id));
        }
    }
    let mut locked = journal.lock().await;
    locked.journal.acknowledge(&stored);
    if let Some(run) = locked.journal.runs.get_mut(&suite_id) {
        run.verified = true;
    }
    locked.save()?;
    Ok(())
}
