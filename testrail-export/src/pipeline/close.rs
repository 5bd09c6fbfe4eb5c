//! Stage 4: the runs or the plan of the session are closed when asked (`--close-run`), and
//! the journal records that the session is done.

use std::sync::Arc;

use testrail_api::Client;
use tokio::sync::Mutex;

use crate::config::Config;
use crate::journal::{LockedJournal, RunState};
use crate::{ExportError, ExportSummary};

use super::deliver::Delivered;

/// Closes what `--close-run` asks for and completes the summary.
///
/// # Errors
/// [`ExportError::CloseRunInPlan`] for a configured run of a plan (TestRail closes those
/// only with the whole plan), TestRail's refusals, a journal that cannot be saved.
pub async fn close(
    client: &Client,
    config: &Config,
    journal: &Arc<Mutex<LockedJournal>>,
    delivered: Delivered,
) -> Result<ExportSummary, ExportError> {
    let mut summary = delivered.summary;
    let mut locked = journal.lock().await;
    summary.plan_id = locked.journal.plan_id;
    if config.close_run && !locked.journal.closed && !locked.journal.runs.is_empty() {
        match locked.journal.plan_id {
            Some(plan_id) => closed(client.close_plan(plan_id).await.map(drop))?,
            None => {
                let runs: Vec<RunState> = locked.journal.runs.values().cloned().collect();
                for run in runs {
                    if let Some(plan_id) = run.plan_id {
                        return Err(ExportError::CloseRunInPlan {
                            run_id: run.run_id,
                            plan_id,
                        });
                    }
                    closed(client.close_run(run.run_id).await.map(drop))?;
                }
            }
        }
        locked.journal.closed = true;
        locked.save()?;
    }
    Ok(summary)
}

/// The answer to `close_run`/`close_plan`: "already completed" (a retried close that went
/// through the first time) is what was wanted.
fn closed(answer: Result<(), testrail_api::Error>) -> Result<(), ExportError> {
    match answer {
        Err(testrail_api::Error::Forbidden { message, .. })
            if message.contains("already completed") =>
        {
            Ok(())
        }
        other => Ok(other?),
    }
}
