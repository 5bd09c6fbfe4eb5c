//! Stage 4: the files of `testrail::attach` (and of JUnit imports) go onto their results
//! with `add_attachment_to_result`, each exactly once.
//!
//! An upload is not idempotent: sent twice, TestRail keeps two files. So every upload is
//! recorded in the journal before it is sent and completed with TestRail's attachment id
//! after its answer. An upload whose answer was lost (a dropped connection, a timeout, a
//! 500) or that an interrupted export left in the journal is looked for first in
//! `get_attachments_for_test` (a file of that name and size on that result, beyond those
//! the journal already knows), for up to the settle window when TestRail did not answer
//! itself, and sent again only when it is not there. An upload the journal does not know
//! at all is checked against the test's attachments too (one `get_attachments_for_test`
//! per test), so that a journal that is not the earlier attempt's (a CI job re-run on a
//! fresh machine) does not send a file twice. A resumed export (`cargo testrail upload`)
//! sends only what is missing.
//!
//! A file is refused before it is sent when it is gone, unreadable or larger than
//! [`MAX_ATTACHMENT_BYTES`]; a result TestRail does not hold (not reported, not delivered)
//! gets none of its files. Each refusal is a line of the summary; the results are not
//! affected.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use testrail_api::{Attachment as Upload, AttachmentInfo, Client, Error, ResultFilter};
use testrail_formats::outcome::Attachment;
use tokio::sync::Mutex;

use crate::config::Config;
use crate::journal::{AttachmentUpload, LockedJournal};
use crate::report::Outcomes;
use crate::results::{files_in, is_from_session};
use crate::{ExportError, ExportSummary};

/// TestRail's limit on one attachment: "The maximum upload size for attachments is 256 MB"
/// (TestRail API reference, `add_attachment_to_result`; the Python binding's docstring says
/// the same). A larger file is refused before it is sent.
pub const MAX_ATTACHMENT_BYTES: u64 = 256 * 1024 * 1024;

/// Overrides [`MAX_ATTACHMENT_BYTES`], in bytes, so that tests can check the refusal
/// without writing 256 MB (not a documented setting).
pub const MAX_ATTACHMENT_BYTES_ENV: &str = "TESTRAIL_MAX_ATTACHMENT_BYTES";

/// How many times an upload whose answer was lost is looked for and sent again.
const MAX_ROUNDS: u32 = 3;

/// Waits longer than this are announced on stderr.
const ANNOUNCE_WAIT: Duration = Duration::from_secs(3);

/// The limit in force: [`MAX_ATTACHMENT_BYTES`], or the override.
fn limit() -> u64 {
    std::env::var(MAX_ATTACHMENT_BYTES_ENV)
        .ok()
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(MAX_ATTACHMENT_BYTES)
}

/// One file for one case's result.
#[derive(Clone, Debug)]
struct Wanted {
    /// The journal's key: `<spool file> <test path> #<n> C<case>`.
    key: String,
    file: String,
    test: String,
    case_id: u64,
    attachment: Attachment,
}

impl Wanted {
    /// `log.txt of checkout::pays (C12)`: the attachment as lines name it.
    fn describe(&self) -> String {
        format!(
            "attachment {} of {} (C{})",
            self.attachment.name, self.test, self.case_id
        )
    }
}

/// How one upload ended.
enum Done {
    Sent,
    Found,
    Skipped(String),
    /// TestRail refused it (400, 403): the export fails once the others are sent.
    Refused(String),
}

/// Uploads the attachments of `outcomes` that the journal does not know as done to the
/// session's results, adding to `summary` what was sent, found and skipped.
///
/// # Errors
/// TestRail's failures other than a refusal of one file (those are lines of the summary);
/// a journal that cannot be saved. What was not uploaded stays to be resumed.
pub async fn attach(
    client: &Client,
    config: &Config,
    journal: &Arc<Mutex<LockedJournal>>,
    session: &str,
    outcomes: &Outcomes,
    summary: &mut ExportSummary,
) -> Result<(), ExportError> {
    let (wanted, mut skipped) = wanted(outcomes)?;
    let mut refused = Vec::new();
    let mut todo = Vec::new();
    {
        let locked = journal.lock().await;
        for item in wanted {
            let done = locked
                .journal
                .attachments
                .get(&item.key)
                .is_some_and(|upload| upload.attachment_id.is_some());
            if done {
                continue;
            }
            if !locked.journal.is_acknowledged(&item.file, item.case_id) {
                skipped.push(format!(
                    "{} not sent: TestRail holds no result of C{} from this test (it was not reported or not delivered)",
                    item.describe(),
                    item.case_id
                ));
                continue;
            }
            todo.push(item);
        }
    }
    if !todo.is_empty() {
        let cases: BTreeSet<u64> = todo.iter().map(|item| item.case_id).collect();
        let results = session_results(client, journal, session, &cases).await?;
        // What each test's results held before this stage, read once per test.
        let mut listings: BTreeMap<u64, Vec<AttachmentInfo>> = BTreeMap::new();
        for item in todo {
            let Some(&(result_id, test_id)) = results.get(&(item.file.clone(), item.case_id))
            else {
                skipped.push(format!(
                    "{} not sent: no result of C{} from {} was found in this session's runs",
                    item.describe(),
                    item.case_id,
                    item.file
                ));
                continue;
            };
            let listed = match listings.get(&test_id) {
                Some(listed) => listed,
                None => {
                    let listed = client.get_attachments_for_test(test_id).await?;
                    listings.entry(test_id).or_insert(listed)
                }
            };
            let target = Target {
                result_id,
                test_id,
                listed,
            };
            match upload_once(client, config, journal, &item, target).await? {
                Done::Sent => summary.attachments_sent += 1,
                Done::Found => summary.attachments_stored += 1,
                Done::Skipped(line) => skipped.push(line),
                Done::Refused(line) => refused.push(line),
            }
        }
    }
    summary.attachments_skipped.extend(skipped);
    match refused.is_empty() {
        true => Ok(()),
        false => Err(ExportError::AttachmentsRefused(refused)),
    }
}

/// Every attachment of `outcomes`, once per case whose result gets it, and a line for each
/// one that has no case to go to.
fn wanted(outcomes: &Outcomes) -> Result<(Vec<Wanted>, Vec<String>), ExportError> {
    let mut wanted = Vec::new();
    let mut skipped = Vec::new();
    outcomes.visit(|_, meta, test| {
        for (index, attachment) in test.attachments.iter().enumerate() {
            let cases = match attachment.case_ids.is_empty() {
                true => &test.case_ids,
                false => &attachment.case_ids,
            };
            if cases.is_empty() {
                skipped.push(format!(
                    "attachment {} of {} not sent: the test has no case ID, so it has no result in TestRail",
                    attachment.name, test.path
                ));
            }
            for case_id in cases {
                wanted.push(Wanted {
                    key: format!("{} {} #{index} C{case_id}", meta.name, test.path),
                    file: meta.name.clone(),
                    test: test.path.clone(),
                    case_id: *case_id,
                    attachment: attachment.clone(),
                });
            }
        }
    })?;
    Ok((wanted, skipped))
}

/// A result and its test.
type Found = (u64, u64);

/// Where one upload goes, and what its test's results held when this stage began.
struct Target<'a> {
    result_id: u64,
    test_id: u64,
    listed: &'a [AttachmentInfo],
}

/// The results of this session's runs for `cases`, by (spool file, case): the newest
/// result whose comment names the file, with its test.
async fn session_results(
    client: &Client,
    journal: &Arc<Mutex<LockedJournal>>,
    session: &str,
    cases: &BTreeSet<u64>,
) -> Result<BTreeMap<(String, u64), Found>, ExportError> {
    let runs: Vec<u64> = {
        let locked = journal.lock().await;
        let journal = &locked.journal;
        journal
            .runs
            .values()
            .filter(|run| !journal.abandoned_runs.contains(&run.run_id))
            .filter(|run| run.include_all || run.case_ids.iter().any(|c| cases.contains(c)))
            .map(|run| run.run_id)
            .collect()
    };
    let mut found: BTreeMap<(String, u64), Found> = BTreeMap::new();
    for run_id in runs {
        let case_of: BTreeMap<u64, u64> = client
            .get_tests(run_id)
            .await?
            .into_iter()
            .filter_map(|test| Some((test.id.get(), test.case_id?.get())))
            .filter(|(_, case_id)| cases.contains(case_id))
            .collect();
        if case_of.is_empty() {
            continue;
        }
        let results = client
            .get_results_for_run(run_id, &ResultFilter::default())
            .await?;
        for result in results {
            if !is_from_session(result.comment.as_deref(), session) {
                continue;
            }
            let Some(test_id) = result.test_id.map(|id| id.get()) else {
                continue;
            };
            let Some(&case_id) = case_of.get(&test_id) else {
                continue;
            };
            let result_id = result.id.get();
            for file in files_in(result.comment.as_deref()) {
                let entry = found.entry((file, case_id)).or_insert((result_id, test_id));
                if result_id > entry.0 {
                    *entry = (result_id, test_id);
                }
            }
        }
    }
    Ok(found)
}

/// Uploads one file to `result_id` exactly once (see the module's documentation).
async fn upload_once(
    client: &Client,
    config: &Config,
    journal: &Arc<Mutex<LockedJournal>>,
    item: &Wanted,
    target: Target<'_>,
) -> Result<Done, ExportError> {
    let Target {
        result_id,
        test_id,
        listed,
    } = target;
    let earlier = journal
        .lock()
        .await
        .journal
        .attachments
        .get(&item.key)
        .cloned();
    match earlier {
        // Sent by an earlier export (or attempt) without a recorded answer.
        Some(earlier) if earlier.result_id == result_id => {
            if look(client, config, journal, item, &earlier).await? {
                return Ok(Done::Found);
            }
        }
        // Unknown to this journal. A journal that is not the one of the earlier attempts
        // (a CI job re-run on a fresh machine, its run found by the session marker) may not
        // know a file that is already on the result: what the test's results held is
        // checked first.
        _ => {
            // The file as it is now: a log attached early and written to afterwards was
            // sent with its size at upload time, not the one recorded when it was attached.
            let size = std::fs::metadata(&item.attachment.path)
                .ok()
                .filter(std::fs::Metadata::is_file)
                .map_or(item.attachment.size, |meta| meta.len());
            let unknown = AttachmentUpload {
                result_id,
                test_id,
                name: item.attachment.name.clone(),
                size,
                sent_at_ms: 0,
                answered: true,
                attachment_id: None,
            };
            if let Some(id) = landed(journal, &unknown, listed).await {
                done(journal, &item.key, &unknown, id).await?;
                return Ok(Done::Found);
            }
        }
    }
    let path = Path::new(&item.attachment.path);
    let size = match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => meta.len(),
        Ok(_) => return skip(journal, item, format!("{} is not a file", path.display())).await,
        Err(error) => {
            return skip(
                journal,
                item,
                format!("{} cannot be read: {error}", path.display()),
            )
            .await;
        }
    };
    let limit = limit();
    if size > limit {
        return skip(
            journal,
            item,
            format!(
                "{} is {size} bytes, more than TestRail takes per file ({})",
                path.display(),
                match limit == MAX_ATTACHMENT_BYTES {
                    true => "256 MB".to_owned(),
                    false => format!("{limit} bytes, set by {MAX_ATTACHMENT_BYTES_ENV}"),
                }
            ),
        )
        .await;
    }
    let mut rounds = 0;
    loop {
        let upload = AttachmentUpload {
            result_id,
            test_id,
            name: item.attachment.name.clone(),
            size,
            sent_at_ms: testrail_formats::clock::now_ms(),
            answered: false,
            attachment_id: None,
        };
        {
            let mut locked = journal.lock().await;
            locked
                .journal
                .attachments
                .insert(item.key.clone(), upload.clone());
            locked.save()?;
        }
        let file = match Upload::from_path(path, item.attachment.name.clone()) {
            Ok(file) => file,
            Err(error) => {
                return skip(
                    journal,
                    item,
                    format!("{} cannot be read: {error}", path.display()),
                )
                .await;
            }
        };
        match client.add_attachment_to_result(result_id, &file).await {
            Ok(id) => {
                record_done(journal, &item.key, id.to_string()).await?;
                return Ok(Done::Sent);
            }
            Err(Error::Ambiguous { method, cause }) => {
                let answered = cause.status() == Some(500);
                let upload = AttachmentUpload { answered, ..upload };
                {
                    let mut locked = journal.lock().await;
                    locked
                        .journal
                        .attachments
                        .insert(item.key.clone(), upload.clone());
                    locked.save()?;
                }
                if look(client, config, journal, item, &upload).await? {
                    return Ok(Done::Found);
                }
                rounds += 1;
                if rounds >= MAX_ROUNDS {
                    return Err(Error::Ambiguous { method, cause }.into());
                }
            }
            Err(error @ (Error::PayloadTooLarge { .. } | Error::File { .. })) => {
                return skip(journal, item, error.to_string()).await;
            }
            Err(error @ (Error::BadRequest { .. } | Error::Forbidden { .. })) => {
                return match skip(journal, item, format!("TestRail refused it: {error}")).await? {
                    Done::Skipped(line) => Ok(Done::Refused(line)),
                    other => Ok(other),
                };
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// Forgets `item`'s upload (nothing of it is stored) and gives the line saying why it is
/// not sent.
async fn skip(
    journal: &Arc<Mutex<LockedJournal>>,
    item: &Wanted,
    why: String,
) -> Result<Done, ExportError> {
    let mut locked = journal.lock().await;
    if locked.journal.attachments.remove(&item.key).is_some() {
        locked.save()?;
    }
    Ok(Done::Skipped(format!(
        "{} not sent: {why}",
        item.describe()
    )))
}

async fn record_done(
    journal: &Arc<Mutex<LockedJournal>>,
    key: &str,
    attachment_id: String,
) -> Result<(), ExportError> {
    let mut locked = journal.lock().await;
    if let Some(upload) = locked.journal.attachments.get_mut(key) {
        upload.attachment_id = Some(attachment_id);
    }
    locked.save()?;
    Ok(())
}

/// Whether an upload sent without a recorded answer is stored: TestRail lists on its result
/// more files of its name and size than the journal knows as done (the extra one is it).
/// Looked at again until it is there or the settle window has passed since it was sent;
/// once when TestRail itself answered (a 500). When found, it is recorded as done.
async fn look(
    client: &Client,
    config: &Config,
    journal: &Arc<Mutex<LockedJournal>>,
    item: &Wanted,
    upload: &AttachmentUpload,
) -> Result<bool, ExportError> {
    let window = match upload.answered {
        true => Duration::ZERO,
        false => config.settle_window,
    };
    let deadline = upload
        .sent_at_ms
        .saturating_add(u64::try_from(window.as_millis()).unwrap_or(u64::MAX));
    let mut pause = Duration::from_millis(250);
    let mut announced = false;
    loop {
        let listed = client.get_attachments_for_test(upload.test_id).await?;
        if let Some(id) = landed(journal, upload, &listed).await {
            done(journal, &item.key, upload, id).await?;
            return Ok(true);
        }
        let now = testrail_formats::clock::now_ms();
        if now >= deadline {
            return Ok(false);
        }
        let left = Duration::from_millis(deadline - now);
        if !announced && left > ANNOUNCE_WAIT {
            announced = true;
            eprintln!(
                "testrail: {} got no answer: looking for it in TestRail for up to {} s more (settle) before sending it again",
                item.describe(),
                left.as_secs().max(1)
            );
        }
        tokio::time::sleep(pause.min(left)).await;
        pause = (pause * 2).min(Duration::from_secs(5));
    }
}

/// The id of a file of `upload`'s name and size that `listed` shows on its result beyond
/// those the journal knows as done: the upload, stored.
async fn landed(
    journal: &Arc<Mutex<LockedJournal>>,
    upload: &AttachmentUpload,
    listed: &[AttachmentInfo],
) -> Option<String> {
    let known: BTreeSet<String> = {
        let locked = journal.lock().await;
        locked
            .journal
            .attachments
            .values()
            .filter(|done| {
                done.result_id == upload.result_id
                    && done.name == upload.name
                    && done.size == upload.size
            })
            .filter_map(|done| done.attachment_id.clone())
            .collect()
    };
    listed
        .iter()
        .filter(|info| same_file(info, upload))
        .map(|info| info.id.to_string())
        .find(|id| !known.contains(id))
}

/// Records `upload` as done with TestRail's attachment id.
async fn done(
    journal: &Arc<Mutex<LockedJournal>>,
    key: &str,
    upload: &AttachmentUpload,
    attachment_id: String,
) -> Result<(), ExportError> {
    let mut locked = journal.lock().await;
    locked.journal.attachments.insert(
        key.to_owned(),
        AttachmentUpload {
            attachment_id: Some(attachment_id),
            ..upload.clone()
        },
    );
    locked.save()?;
    Ok(())
}

/// Whether TestRail's listing shows the file of `upload`: same name and size, on the same
/// result when the listing says which.
fn same_file(info: &AttachmentInfo, upload: &AttachmentUpload) -> bool {
    info.name == upload.name
        && info.size == upload.size
        && info
            .result_id
            .is_none_or(|result_id| result_id.get() == upload.result_id)
}
