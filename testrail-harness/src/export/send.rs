//! Sending results: batches of `add_results_for_cases` sized by case count and body size,
//! sent with bounded concurrency, each recorded in the journal before it is sent and
//! acknowledged after. A batch TestRail may or may not have stored (the connection dropped
//! after sending) is checked against what TestRail holds before anything is sent again.

use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::task::JoinSet;

use crate::client::{Client, Error, ResultFilter, ResultForCase};

use super::ExportError;
use super::journal::{LockedJournal, PendingBatch};
use super::results::is_from_session;

/// A result to send, with the spool files it reports for.
#[derive(Clone, Debug)]
pub struct Item {
    /// The spool files whose outcomes it carries.
    pub files: Vec<String>,
    /// The result.
    pub result: ResultForCase,
}

impl Item {
    fn keys(&self) -> Vec<(String, u64)> {
        self.files
            .iter()
            .map(|file| (file.clone(), self.result.case_id))
            .collect()
    }
}

/// Largest request body the exporter builds, in bytes (a batch that TestRail or its proxy
/// still refuses with 413 is split in two).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// How many times an ambiguous batch is checked and resent before giving up.
const MAX_AMBIGUOUS_ROUNDS: u32 = 3;

/// What sending did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sent {
    /// Results TestRail acknowledged.
    pub results: usize,
    /// Requests that carried them.
    pub batches: usize,
    /// Results found already stored after an ambiguous failure.
    pub found_stored: usize,
}

/// A batch back from TestRail: its items, how many ambiguous rounds it went through, when
/// it was sent, and the answer.
type BatchOutcome = (Vec<Item>, u32, u64, Result<(), Error>);

/// Splits items into batches of at most `batch_size` results and [`MAX_BODY_BYTES`].
pub fn batches(items: Vec<Item>, batch_size: usize) -> Vec<Vec<Item>> {
    let mut batches = Vec::new();
    let mut current: Vec<Item> = Vec::new();
    let mut bytes = 0;
    for item in items {
        let size = serde_json::to_vec(&item.result)
            .map(|json| json.len() + 1)
            .unwrap_or(0);
        if !current.is_empty()
            && (current.len() >= batch_size.max(1) || bytes + size > MAX_BODY_BYTES)
        {
            batches.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += size;
        current.push(item);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

/// Checks the batches a previous export left pending: what TestRail stored is acknowledged,
/// the rest is to be sent again. A batch leaves the journal's pending list only in the save
/// that records what was found, so a failure while checking leaves the unchecked ones
/// pending for the next attempt.
pub async fn settle_pending(
    client: &Client,
    journal: &Arc<Mutex<LockedJournal>>,
    session: &str,
    settle_window: Duration,
) -> Result<usize, ExportError> {
    let pending = journal.lock().await.journal.pending.clone();
    let mut found = 0;
    for batch in pending {
        let lookup = Lookup {
            run_id: batch.run_id,
            sent_at_ms: batch.sent_at_ms,
            session,
        };
        let stored = lookup
            .until_settled(client, &batch.items, settle_window)
            .await?;
        let acknowledged: Vec<(String, u64)> = batch
            .items
            .iter()
            .filter(|(file, case)| stored.contains(&(file.clone(), *case)))
            .cloned()
            .collect();
        found += acknowledged.len();
        let mut locked = journal.lock().await;
        locked.journal.pending.retain(|pending| pending != &batch);
        locked.journal.acknowledge(&acknowledged);
        locked.save()?;
    }
    Ok(found)
}

/// Where to look for what TestRail stored of one batch.
struct Lookup<'a> {
    run_id: u64,
    sent_at_ms: u64,
    session: &'a str,
}

impl Lookup<'_> {
    /// What TestRail holds of `keys`, looked at again and again until all of them are there
    /// or `window` has passed since the batch was sent: a write whose answer was lost may
    /// still be in progress, and resending it before it lands would store it twice.
    async fn until_settled(
        &self,
        client: &Client,
        keys: &[(String, u64)],
        window: Duration,
    ) -> Result<BTreeSet<(String, u64)>, ExportError> {
        let deadline = self
            .sent_at_ms
            .saturating_add(u64::try_from(window.as_millis()).unwrap_or(u64::MAX));
        let mut pause = Duration::from_millis(250);
        loop {
            let stored = stored_cases(client, self.run_id, self.sent_at_ms, self.session).await?;
            let now = super::now_ms();
            if keys.iter().all(|key| stored.contains(key)) || now >= deadline {
                return Ok(stored);
            }
            tokio::time::sleep(pause.min(Duration::from_millis(deadline - now))).await;
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }
}

/// Whether an ambiguous failure came with an answer (TestRail or its proxy finished with
/// the request) rather than with silence (it may still be working on it).
fn answered(error: &Error) -> bool {
    match error {
        Error::Ambiguous { cause, .. } => cause.status().is_some(),
        _ => false,
    }
}

/// How results are sent.
#[derive(Clone, Copy, Debug)]
pub struct SendOptions {
    /// Results per request at most.
    pub batch_size: usize,
    /// Requests in flight at once.
    pub max_in_flight: usize,
    /// How long a write whose answer was lost may take to land at TestRail.
    pub settle_window: Duration,
}

/// Sends `items` to `run_id`.
pub async fn send(
    client: &Client,
    journal: Arc<Mutex<LockedJournal>>,
    session: &str,
    run_id: u64,
    items: Vec<Item>,
    options: SendOptions,
) -> Result<Sent, ExportError> {
    let SendOptions {
        batch_size,
        max_in_flight,
        settle_window,
    } = options;
    let mut queue: VecDeque<(Vec<Item>, u32)> = batches(items, batch_size)
        .into_iter()
        .map(|b| (b, 0))
        .collect();
    let mut sent = Sent::default();
    let mut tasks: JoinSet<BatchOutcome> = JoinSet::new();
    let mut failure: Option<ExportError> = None;
    loop {
        while failure.is_none() && tasks.len() < max_in_flight.max(1) {
            let Some((batch, rounds)) = queue.pop_front() else {
                break;
            };
            let sent_at_ms = super::now_ms();
            {
                let mut locked = journal.lock().await;
                locked.journal.pending.push(PendingBatch {
                    run_id,
                    items: batch.iter().flat_map(Item::keys).collect(),
                    sent_at_ms,
                    answered: false,
                });
                locked.save()?;
            }
            let client = client.clone();
            tasks.spawn(async move {
                let body: Vec<ResultForCase> =
                    batch.iter().map(|item| item.result.clone()).collect();
                let outcome = client.add_results_for_cases(run_id, &body).await.map(drop);
                (batch, rounds, sent_at_ms, outcome)
            });
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        let (mut batch, rounds, sent_at_ms, outcome) =
            joined.map_err(|error| ExportError::Runtime(error.to_string()))?;
        let keys: Vec<(String, u64)> = batch.iter().flat_map(Item::keys).collect();
        let mut locked = journal.lock().await;
        locked
            .journal
            .pending
            .retain(|pending| !(pending.sent_at_ms == sent_at_ms && pending.items == keys));
        match outcome {
            // A success TestRail answered with something unexpected is still a success.
            Ok(())
            | Err(Error::Decode {
                status: 200..=299, ..
            }) => {
                locked.journal.acknowledge(&keys);
                locked.save()?;
                sent.results += batch.len();
                sent.batches += 1;
            }
            // A single result too large: its texts are cut further (the spool keeps them).
            Err(Error::PayloadTooLarge { .. })
                if batch.len() == 1 && super::results::shrink(&mut batch[0].result) =>
            {
                locked.save()?;
                eprintln!(
                    "testrail: the result of C{} was refused as too large (413): its comment \
                     is cut to {} bytes and sent again; the full text stays in the spool",
                    batch[0].result.case_id,
                    batch[0]
                        .result
                        .result
                        .comment
                        .as_ref()
                        .map_or(0, String::len)
                );
                queue.push_front((batch, rounds));
            }
            Err(Error::PayloadTooLarge { .. }) if batch.len() > 1 => {
                locked.save()?;
                let mut first = batch;
                let second = first.split_off(first.len() / 2);
                queue.push_front((second, rounds));
                queue.push_front((first, rounds));
            }
            Err(error @ Error::Ambiguous { .. }) if rounds < MAX_AMBIGUOUS_ROUNDS => {
                // Keep it pending while checking, so a crash now still leads to a check.
                let pending = PendingBatch {
                    run_id,
                    items: keys.clone(),
                    sent_at_ms,
                    answered: answered(&error),
                };
                locked.journal.pending.push(pending.clone());
                locked.save()?;
                drop(locked);
                // An answer (a 5xx) means TestRail is done with the request: one look is
                // enough. Silence means it may still be working on it.
                let window = if answered(&error) {
                    Duration::ZERO
                } else {
                    settle_window
                };
                let lookup = Lookup {
                    run_id,
                    sent_at_ms,
                    session,
                };
                let stored = match lookup.until_settled(client, &keys, window).await {
                    Ok(stored) => stored,
                    Err(check_failed) => {
                        // Still pending in the journal: the next export checks it again.
                        failure.get_or_insert(check_failed);
                        continue;
                    }
                };
                let mut locked = journal.lock().await;
                locked.journal.pending.retain(|other| other != &pending);
                let (done, missing): (Vec<Item>, Vec<Item>) = batch
                    .into_iter()
                    .partition(|item| item.keys().iter().all(|key| stored.contains(key)));
                let done_keys: Vec<(String, u64)> = done.iter().flat_map(Item::keys).collect();
                locked.journal.acknowledge(&done_keys);
                locked.save()?;
                sent.found_stored += done.len();
                if !missing.is_empty() {
                    queue.push_front((missing, rounds + 1));
                }
            }
            Err(error) => {
                // TestRail refused the batch, or it may be stored and the checks ran out:
                // the journal keeps it pending only in the second case.
                if matches!(error, Error::Ambiguous { .. }) {
                    locked.journal.pending.push(PendingBatch {
                        run_id,
                        items: keys,
                        sent_at_ms,
                        answered: answered(&error),
                    });
                }
                locked.save()?;
                failure.get_or_insert(error.into());
            }
        }
    }
    match failure {
        Some(error) => Err(error),
        None => Ok(sent),
    }
}

/// The (spool file, case) pairs of `run_id` that TestRail holds a result for, written by
/// this session since shortly before `since_ms`.
async fn stored_cases(
    client: &Client,
    run_id: u64,
    since_ms: u64,
    session: &str,
) -> Result<BTreeSet<(String, u64)>, ExportError> {
    let tests = client.get_tests(run_id).await?;
    let filter = ResultFilter {
        created_after: Some((since_ms / 1000).saturating_sub(300)),
        ..ResultFilter::default()
    };
    let results = client.get_results_for_run(run_id, &filter).await?;
    let mut stored = BTreeSet::new();
    for result in results {
        if !is_from_session(result.comment.as_deref(), session) {
            continue;
        }
        let Some(case_id) = result
            .test_id
            .and_then(|test_id| tests.iter().find(|test| test.id == test_id))
            .and_then(|test| test.case_id)
        else {
            continue;
        };
        for file in super::results::files_in(result.comment.as_deref()) {
            stored.insert((file, case_id));
        }
    }
    Ok(stored)
}
