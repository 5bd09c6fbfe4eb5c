//! Sending results: batches of `add_results_for_cases` sized by case count and body size,
//! sent with bounded concurrency, each recorded in the journal before it is sent and
//! acknowledged after. A batch TestRail may or may not have stored (the connection dropped
//! after sending) is checked against what TestRail holds before anything is sent again,
//! looking back from the batch's send time by TestRail's own clock. A case that an earlier
//! export of the session reported worse keeps its worse status (worst wins across the
//! binaries of one `cargo test`). A batch refused for naming cases TestRail no longer has
//! in the run is sent again without them.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinSet;

use testrail_api::{Client, Error, ResultFilter, ResultForCase};

use super::ExportError;
use super::journal::{LockedJournal, PendingBatch};
use super::pipeline::plan::Builder;
use super::report::Verdict;
use super::results::{files_in, is_from_session};
use super::status_map::StatusMap;

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
            .map(|file| (file.clone(), self.result.case_id.get()))
            .collect()
    }
}

/// Largest request body the exporter builds, in bytes (a batch that TestRail or its proxy
/// still refuses with 413 is split in two).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// How many times an ambiguous batch is checked and resent before giving up.
const MAX_AMBIGUOUS_ROUNDS: u32 = 3;

/// Waits longer than this are announced on stderr, saying what they wait for.
const ANNOUNCE_WAIT: Duration = Duration::from_secs(3);

/// How far before a batch's send time (by TestRail's clock) its results are looked for:
/// the `Date` header counts whole seconds and is read from an earlier answer.
const LOOK_BACK_SECS: u64 = 300;

/// What sending did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sent {
    /// Results TestRail acknowledged.
    pub results: usize,
    /// Requests that carried them.
    pub batches: usize,
    /// Results found already stored after an ambiguous failure.
    pub found_stored: usize,
    /// Results sent with the worse status an earlier export of the session stored for
    /// their case (worst wins across binaries).
    pub kept_worse: usize,
    /// Results TestRail refused because of their case, the others of their batch sent.
    pub dropped: Vec<Dropped>,
}

/// A result TestRail refused because of its case (deleted, or no longer in the run).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    /// The case.
    pub case_id: u64,
    /// TestRail's answer.
    pub reason: String,
}

/// A batch back from TestRail: its items, how many ambiguous rounds it went through, when
/// it was sent (by this machine's clock, in ms, and by TestRail's, in s), and the answer.
type BatchOutcome = (Vec<Item>, u32, (u64, Option<u64>), Result<(), Error>);

/// Splits items into batches of at most `batch_size` results and [`MAX_BODY_BYTES`].
pub fn batches(items: Vec<Item>, batch_size: usize) -> Vec<Vec<Item>> {
    let mut batcher = Batcher::new(batch_size);
    let mut batches: Vec<Vec<Item>> = items
        .into_iter()
        .filter_map(|item| batcher.push(item))
        .collect();
    batches.extend(batcher.finish());
    batches
}

/// Groups items into batches as they come, of at most `batch_size` results and
/// [`MAX_BODY_BYTES`] of body.
struct Batcher {
    batch_size: usize,
    current: Vec<Item>,
    bytes: usize,
}

impl Batcher {
    fn new(batch_size: usize) -> Batcher {
        Batcher {
            batch_size: batch_size.max(1),
            current: Vec::new(),
            bytes: 0,
        }
    }

    /// Adds `item`; returns the batch it completed, if any.
    fn push(&mut self, item: Item) -> Option<Vec<Item>> {
        let mut counter = ByteCount(0);
        let size = serde_json::to_writer(&mut counter, &item.result).map_or(0, |()| counter.0 + 1);
        let full = (!self.current.is_empty()
            && (self.current.len() >= self.batch_size || self.bytes + size > MAX_BODY_BYTES))
            .then(|| {
                self.bytes = 0;
                std::mem::take(&mut self.current)
            });
        self.bytes += size;
        self.current.push(item);
        full
    }

    /// The last batch, if any.
    fn finish(self) -> Option<Vec<Item>> {
        (!self.current.is_empty()).then_some(self.current)
    }
}

/// Counts the bytes written to it (the size of a body without building it).
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Batches of results as they are built: the bodies of `cases` are built from the spooled
/// outcomes on a blocking thread, a batch at a time, at most two batches ahead of the
/// sender (which ends the building early by dropping the receiver).
pub fn stream_batches(
    builder: Builder,
    cases: Arc<BTreeSet<u64>>,
    batch_size: usize,
) -> mpsc::Receiver<Result<Vec<Item>, ExportError>> {
    let (sender, receiver) = mpsc::channel(2);
    tokio::task::spawn_blocking(move || {
        let mut batcher = Batcher::new(batch_size);
        let mut open = true;
        let built = builder.items(&cases, |item| {
            if open && let Some(batch) = batcher.push(item) {
                open = sender.blocking_send(Ok(batch)).is_ok();
            }
        });
        let last = match built {
            Ok(()) => batcher.finish().map(Ok),
            Err(error) => Some(Err(error)),
        };
        if let (true, Some(last)) = (open, last) {
            let _ = sender.blocking_send(last);
        }
    });
    receiver
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
            testrail_sent_at: batch.testrail_sent_at,
            session,
        };
        // TestRail itself answered (a 500): it is done with the request, one look is final.
        let window = if batch.answered {
            Duration::ZERO
        } else {
            settle_window
        };
        let stored = lookup.until_settled(client, &batch.items, window).await?;
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
    /// When it was sent, by this machine's clock (for the settle window).
    sent_at_ms: u64,
    /// When it was sent, by TestRail's clock (for the look-back).
    testrail_sent_at: Option<u64>,
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
        let mut announced = false;
        loop {
            let stored =
                stored_cases(client, self.run_id, self.testrail_sent_at, self.session).await?;
            let now = testrail_formats::clock::now_ms();
            if keys.iter().all(|key| stored.contains(key)) || now >= deadline {
                return Ok(stored);
            }
            let left = Duration::from_millis(deadline - now);
            if !announced && left > ANNOUNCE_WAIT {
                announced = true;
                let missing = keys.iter().filter(|key| !stored.contains(key)).count();
                eprintln!(
                    "testrail: {missing} result(s) sent to run R{} got no answer: looking for them in TestRail for up to {} s more (settle) before sending them again",
                    self.run_id,
                    left.as_secs().max(1)
                );
            }
            tokio::time::sleep(pause.min(left)).await;
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }
}

/// Whether an ambiguous failure came with TestRail's own answer (a 500: it is done with the
/// request, one look at what it stored is final) rather than with silence or a proxy that
/// gave up waiting (502, 504: TestRail may still be working on it).
fn answered(error: &Error) -> bool {
    match error {
        Error::Ambiguous { cause, .. } => cause.status() == Some(500),
        _ => false,
    }
}

/// How results are sent.
#[derive(Clone, Copy, Debug)]
pub struct SendOptions<'a> {
    /// Requests in flight at once.
    pub max_in_flight: usize,
    /// How long a write whose answer was lost may take to land at TestRail.
    pub settle_window: Duration,
    /// The statuses, to tell which of two results of a case is worse.
    pub statuses: &'a StatusMap,
}

/// Sends the batches `incoming` gives (results of the spool files `files`) to `run_id`,
/// up to `max_in_flight` at once, taking the next batch as soon as a request ends.
pub async fn send(
    client: &Client,
    journal: Arc<Mutex<LockedJournal>>,
    session: &str,
    run_id: u64,
    (mut incoming, files): (
        mpsc::Receiver<Result<Vec<Item>, ExportError>>,
        &BTreeSet<String>,
    ),
    options: SendOptions<'_>,
) -> Result<Sent, ExportError> {
    let SendOptions {
        max_in_flight,
        settle_window,
        statuses,
    } = options;
    let max_in_flight = max_in_flight.max(1);
    let mut sent = Sent::default();
    let earlier = match may_hold_session_results(&journal, run_id, files).await {
        true => Some(by_case(
            session_results(client, run_id, None, session).await?,
        )),
        false => None,
    };
    let ranks = StatusRanks::new(statuses);
    let mut queue: VecDeque<(Vec<Item>, u32)> = VecDeque::new();
    let mut more = true;
    let mut tasks: JoinSet<BatchOutcome> = JoinSet::new();
    // Batches whose answer was lost, each looked for in TestRail while the others go on.
    let mut checks: JoinSet<Check> = JoinSet::new();
    let mut failure: Option<ExportError> = None;
    // Acknowledgements not saved yet: they are saved with the next batch's pending record
    // (one journal write per batch). Until then the journal on disk holds their batch as
    // pending, which a crash turns into a look at what TestRail stored, never a resend.
    let mut unsaved = false;
    loop {
        let mut starting = Vec::new();
        while failure.is_none() && tasks.len() + starting.len() < max_in_flight {
            let (batch, rounds) = match queue.pop_front() {
                Some(queued) => queued,
                None if more => match incoming.try_recv() {
                    Ok(Ok(mut batch)) => {
                        if let Some(earlier) = &earlier {
                            sent.kept_worse += keep_worse(&mut batch, earlier, &ranks);
                        }
                        (batch, 0)
                    }
                    Ok(Err(error)) => {
                        failure = Some(error);
                        break;
                    }
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => {
                        more = false;
                        break;
                    }
                },
                None => break,
            };
            starting.push((batch, rounds));
        }
        if !starting.is_empty() || (unsaved && tasks.is_empty()) {
            // Every batch is recorded as pending before it is sent.
            let sent_at_ms = testrail_formats::clock::now_ms();
            let testrail_sent_at = client.testrail_now();
            let mut locked = journal.lock().await;
            for (batch, _) in &starting {
                locked.journal.pending.push(PendingBatch {
                    run_id,
                    items: batch.iter().flat_map(Item::keys).collect(),
                    sent_at_ms,
                    testrail_sent_at,
                    answered: false,
                });
            }
            locked.save()?;
            unsaved = false;
            drop(locked);
            for (batch, rounds) in starting {
                spawn(
                    &mut tasks,
                    client,
                    run_id,
                    batch,
                    rounds,
                    (sent_at_ms, testrail_sent_at),
                );
            }
        }
        let waiting = failure.is_none() && more && queue.is_empty() && tasks.len() < max_in_flight;
        if tasks.is_empty() && checks.is_empty() && !waiting {
            break;
        }
        let joined = tokio::select! {
            joined = tasks.join_next(), if !tasks.is_empty() => joined,
            checked = checks.join_next(), if !checks.is_empty() => {
                let Some(checked) = checked else { continue };
                let checked = checked.map_err(|error| ExportError::Runtime(error.to_string()))?;
                match settle_check(&journal, checked, &mut sent).await? {
                    Checked::Resend(missing, rounds) => queue.push_front((missing, rounds)),
                    Checked::Done => {}
                    Checked::Failed(check_failed) => {
                        failure.get_or_insert(check_failed);
                    }
                }
                continue;
            }
            next = incoming.recv(), if waiting => {
                match next {
                    Some(Ok(mut batch)) => {
                        if let Some(earlier) = &earlier {
                            sent.kept_worse += keep_worse(&mut batch, earlier, &ranks);
                        }
                        queue.push_back((batch, 0));
                    }
                    Some(Err(error)) => {
                        failure.get_or_insert(error);
                    }
                    None => more = false,
                }
                continue;
            }
        };
        let Some(joined) = joined else {
            break;
        };
        let (mut batch, rounds, (sent_at_ms, testrail_sent_at), outcome) =
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
                unsaved = true;
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
            // TestRail refuses the whole batch for a case it no longer has in the run (deleted,
            // or taken out): send the others without it, and say which and why.
            Err(Error::BadRequest { message, .. })
                if batch
                    .iter()
                    .any(|item| named_cases(&message).contains(&item.result.case_id.get())) =>
            {
                locked.save()?;
                let named = named_cases(&message);
                let (refused, rest): (Vec<Item>, Vec<Item>) = batch
                    .into_iter()
                    .partition(|item| named.contains(&item.result.case_id.get()));
                sent.dropped.extend(refused.into_iter().map(|item| Dropped {
                    case_id: item.result.case_id.get(),
                    reason: message.clone(),
                }));
                if !rest.is_empty() {
                    queue.push_front((rest, rounds));
                }
            }
            Err(error @ Error::Ambiguous { .. }) if rounds < MAX_AMBIGUOUS_ROUNDS => {
                // Keep it pending while checking, so a crash now still leads to a check.
                let pending = PendingBatch {
                    run_id,
                    items: keys.clone(),
                    sent_at_ms,
                    testrail_sent_at,
                    answered: answered(&error),
                };
                locked.journal.pending.push(pending.clone());
                locked.save()?;
                drop(locked);
                let client = client.clone();
                let session = session.to_owned();
                checks.spawn(async move {
                    let stored =
                        look_for(&client, &pending, &session, &error, rounds, settle_window).await;
                    Check {
                        batch,
                        rounds,
                        pending,
                        stored,
                    }
                });
            }
            Err(error) => {
                // TestRail refused the batch, or it may be stored and the checks ran out:
                // the journal keeps it pending only in the second case.
                let error = if matches!(error, Error::Ambiguous { .. }) {
                    let was_answered = answered(&error);
                    locked.journal.pending.push(PendingBatch {
                        run_id,
                        items: keys,
                        sent_at_ms,
                        testrail_sent_at,
                        answered: was_answered,
                    });
                    // Each round was looked for first, so it was sent again knowingly: what
                    // is left to say is TestRail's last failure.
                    match error {
                        Error::Ambiguous { method, cause } if was_answered && rounds > 0 => {
                            Error::RetriesExhausted {
                                method,
                                attempts: rounds + 1,
                                last: cause,
                            }
                        }
                        error => error,
                    }
                } else {
                    error
                };
                locked.save()?;
                failure.get_or_insert(error.into());
            }
        }
    }
    if unsaved {
        journal.lock().await.save()?;
    }
    match failure {
        Some(error) => Err(error),
        None => Ok(sent),
    }
}

/// A batch whose answer was lost, and what TestRail was found to hold of it.
struct Check {
    batch: Vec<Item>,
    rounds: u32,
    /// Its record in the journal's pending list, kept there until the check is saved.
    pending: PendingBatch,
    stored: Result<BTreeSet<(String, u64)>, ExportError>,
}

/// What is left to do for a checked batch.
enum Checked {
    /// Everything was stored.
    Done,
    /// These were not stored: to be sent again, in this round.
    Resend(Vec<Item>, u32),
    /// The check itself failed; the batch stays pending for the next export.
    Failed(ExportError),
}

/// Looks for the results of a batch whose answer was lost: again and again until the
/// settle window has passed when TestRail gave no answer (it may still be working on it),
/// once when it answered with a 5xx (it is done with the request), then waiting out the
/// retry back-off before the missing ones are sent again.
async fn look_for(
    client: &Client,
    pending: &PendingBatch,
    session: &str,
    error: &Error,
    rounds: u32,
    settle_window: Duration,
) -> Result<BTreeSet<(String, u64)>, ExportError> {
    let window = if pending.answered {
        Duration::ZERO
    } else {
        settle_window
    };
    let lookup = Lookup {
        run_id: pending.run_id,
        sent_at_ms: pending.sent_at_ms,
        testrail_sent_at: pending.testrail_sent_at,
        session,
    };
    let stored = lookup.until_settled(client, &pending.items, window).await?;
    let missing = pending
        .items
        .iter()
        .filter(|key| !stored.contains(*key))
        .count();
    if missing > 0 && pending.answered {
        let wait = client
            .backoff_schedule()
            .nth(rounds as usize)
            .unwrap_or_default();
        if wait > ANNOUNCE_WAIT {
            eprintln!(
                "testrail: TestRail failed on {missing} result(s) for run R{} ({error}); sending them again in {} s",
                pending.run_id,
                wait.as_secs()
            );
        }
        tokio::time::sleep(wait).await;
    }
    Ok(stored)
}

/// Records what a check found: the stored results acknowledged and the batch no longer
/// pending, in one journal save; the missing ones to be sent again.
async fn settle_check(
    journal: &Arc<Mutex<LockedJournal>>,
    check: Check,
    sent: &mut Sent,
) -> Result<Checked, ExportError> {
    let Check {
        batch,
        rounds,
        pending,
        stored,
    } = check;
    let stored = match stored {
        Ok(stored) => stored,
        // Still pending in the journal: the next export checks it again.
        Err(check_failed) => return Ok(Checked::Failed(check_failed)),
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
    Ok(match missing.is_empty() {
        true => Checked::Done,
        false => Checked::Resend(missing, rounds + 1),
    })
}

/// Sends `batch` to `run_id` as a task of `tasks`.
fn spawn(
    tasks: &mut JoinSet<BatchOutcome>,
    client: &Client,
    run_id: u64,
    batch: Vec<Item>,
    rounds: u32,
    sent_at: (u64, Option<u64>),
) {
    let client = client.clone();
    tasks.spawn(async move {
        let body: Vec<ResultForCase> = batch.iter().map(|item| item.result.clone()).collect();
        let outcome = client.add_results_for_cases(run_id, &body).await.map(drop);
        (batch, rounds, sent_at, outcome)
    });
}

/// The (spool file, case) pairs of `run_id` that TestRail holds a result for, written by
/// this session since shortly before `since` (TestRail's clock; `None` looks at every
/// result of the run).
async fn stored_cases(
    client: &Client,
    run_id: u64,
    since: Option<u64>,
    session: &str,
) -> Result<BTreeSet<(String, u64)>, ExportError> {
    let mut stored = BTreeSet::new();
    for result in session_results(client, run_id, since, session).await? {
        for file in result.files {
            stored.insert((file, result.case_id));
        }
    }
    Ok(stored)
}

/// A result the session stored earlier.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Earlier {
    case_id: u64,
    status_id: Option<u64>,
    /// The spool files it reports for.
    files: Vec<String>,
}

/// The results of `run_id` written by this session, since shortly before `since`
/// (TestRail's clock), or all of them.
async fn session_results(
    client: &Client,
    run_id: u64,
    since: Option<u64>,
    session: &str,
) -> Result<Vec<Earlier>, ExportError> {
    let case_of: BTreeMap<u64, u64> = client
        .get_tests(run_id)
        .await?
        .into_iter()
        .filter_map(|test| Some((test.id.get(), test.case_id?.get())))
        .collect();
    let filter = ResultFilter {
        created_after: since.map(|since| since.saturating_sub(LOOK_BACK_SECS)),
        ..ResultFilter::default()
    };
    let results = client.get_results_for_run(run_id, &filter).await?;
    Ok(results
        .into_iter()
        .filter(|result| is_from_session(result.comment.as_deref(), session))
        .filter_map(|result| {
            let case_id = *case_of.get(&result.test_id?.get())?;
            Some(Earlier {
                case_id,
                status_id: result.status_id.map(|s| s.get()),
                files: files_in(result.comment.as_deref()),
            })
        })
        .collect())
}

/// Whether `run_id` may hold results of this session from other spool files than `mine`
/// (those of the results to send): a run the session did not create in this export, or
/// one an earlier export (of another binary) sent to.
async fn may_hold_session_results(
    journal: &Arc<Mutex<LockedJournal>>,
    run_id: u64,
    mine: &BTreeSet<String>,
) -> bool {
    let locked = journal.lock().await;
    let journal = &locked.journal;
    let created_here = journal
        .runs
        .values()
        .any(|run| run.run_id == run_id && run.created);
    !created_here
        || !journal.pending.is_empty()
        || journal
            .acknowledged
            .iter()
            .any(|(file, cases)| !cases.is_empty() && !mine.contains(file))
}

/// The results the session stored earlier, by case.
fn by_case(earlier: Vec<Earlier>) -> BTreeMap<u64, Vec<Earlier>> {
    let mut by_case: BTreeMap<u64, Vec<Earlier>> = BTreeMap::new();
    for result in earlier {
        by_case.entry(result.case_id).or_default().push(result);
    }
    by_case
}

/// How bad each status is, from the verdicts the mapping gives it (the worst of them).
struct StatusRanks<'a> {
    ranks: BTreeMap<u64, u8>,
    statuses: &'a StatusMap,
}

impl<'a> StatusRanks<'a> {
    fn new(statuses: &'a StatusMap) -> Self {
        let mut ranks: BTreeMap<u64, u8> = BTreeMap::new();
        for verdict in Verdict::all() {
            if let Some(status) = statuses.status_of(verdict) {
                let rank = ranks.entry(status).or_default();
                *rank = (*rank).max(verdict.severity());
            }
        }
        StatusRanks { ranks, statuses }
    }

    fn rank(&self, status_id: Option<u64>) -> u8 {
        status_id
            .and_then(|id| self.ranks.get(&id).copied())
            .unwrap_or(0)
    }

    fn label(&self, status_id: Option<u64>) -> String {
        status_id.map_or_else(|| "no status".to_owned(), |id| self.statuses.label(id))
    }
}

/// Worst wins across exports of one session: an item whose case the session already
/// reported from other spool files keeps the worst status of them all, and its comment
/// names the earlier reports. Returns how many items took an earlier, worse status.
fn keep_worse(
    items: &mut [Item],
    earlier: &BTreeMap<u64, Vec<Earlier>>,
    ranks: &StatusRanks<'_>,
) -> usize {
    let mut kept = 0;
    for item in items {
        let mut others: Vec<&Earlier> = earlier
            .get(&item.result.case_id.get())
            .into_iter()
            .flatten()
            .filter(|other| {
                !other.files.is_empty() && other.files.iter().all(|file| !item.files.contains(file))
            })
            .collect();
        others.dedup();
        let Some(worst) = others
            .iter()
            .max_by_key(|other| ranks.rank(other.status_id))
        else {
            continue;
        };
        let own = item.result.result.status_id.map(|s| s.get());
        let mut note = String::from("\nAlso reported earlier in this session:\n");
        for other in &others {
            let _ = writeln!(
                note,
                "- from {} → {}",
                other.files.join(", "),
                ranks.label(other.status_id)
            );
        }
        if ranks.rank(worst.status_id) > ranks.rank(own) {
            kept += 1;
            let _ = writeln!(
                note,
                "The worst one decides: {} (this report alone: {}).",
                ranks.label(worst.status_id),
                ranks.label(own)
            );
            item.result.result.status_id = worst.status_id.map(Into::into);
        }
        let comment = item.result.result.comment.get_or_insert_with(String::new);
        let at = comment
            .rfind("\n_testrail-rs session `")
            .unwrap_or(comment.len());
        comment.insert_str(at, note.trim_end_matches('\n'));
    }
    kept
}

/// The case IDs a TestRail error names (`... (case C12 unknown or not part of the test
/// run)`).
fn named_cases(message: &str) -> BTreeSet<u64> {
    message
        .match_indices("case C")
        .filter_map(|(at, found)| {
            let digits: String = message[at + found.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_named_by_testrail() {
        let message = "Field :results contains one or more invalid results (case C1507 unknown or not part of the test run)";
        assert_eq!(named_cases(message), BTreeSet::from([1507]));
        assert!(named_cases("Field :run_id is not a valid test run.").is_empty());
        assert!(named_cases("case C").is_empty());
        assert_eq!(named_cases("case C1, case C2x"), BTreeSet::from([1, 2]));
    }
}
