//! The export journal of a session: which run or plan the session reports into, which
//! results TestRail acknowledged, and which batches were sent without an answer. It lives
//! in the session directory, guarded by a file lock, so that the binaries of one
//! `cargo test` join one run and a resumed upload sends only what is missing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use testrail_formats::spool::{SpoolError, write_atomically};

/// A run this session reports into.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunState {
    /// The run ID.
    pub run_id: u64,
    /// The plan entry it belongs to, for plans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<String>,
    /// The cases the run holds, as far as this session knows.
    pub case_ids: BTreeSet<u64>,
    /// Whether every case of the suite is in the run (`include_all`).
    #[serde(default)]
    pub include_all: bool,
    /// Whether this session created the run.
    pub created: bool,
    /// Whether the journal knows every result this session stored in the run: true for a
    /// run it created; false for a run it joined or found in TestRail by the session
    /// marker (a re-run on a fresh machine), until the run's results were looked at.
    #[serde(default)]
    pub verified: bool,
    /// Whether the run was found closed: it takes no more results.
    #[serde(default)]
    pub completed: bool,
    /// The plan of a configured run that belongs to a plan entry (`TESTRAIL_RUN_ID` of a
    /// plan's run): its cases are changed through the plan-entry endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<u64>,
    /// Whether that run has configurations (`update_run_in_plan_entry` changes it alone).
    #[serde(default)]
    pub configured: bool,
}

/// A create or case update that may have reached TestRail without its answer being
/// recorded: before sending it again, the exporter looks for what it made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Intent {
    /// `add_run` for a suite.
    Run {
        /// The suite.
        suite_id: u64,
    },
    /// `add_plan`.
    Plan,
    /// `add_plan_entry` for a suite.
    Entry {
        /// The plan.
        plan_id: u64,
        /// The suite.
        suite_id: u64,
    },
    /// A change of a run's cases (`update_run`, `update_plan_entry`,
    /// `update_run_in_plan_entry`).
    Cases {
        /// The run.
        run_id: u64,
    },
}

/// An [`Intent`] and when it was sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    /// What was sent.
    pub intent: Intent,
    /// When, milliseconds since the epoch (this machine's clock, compared only with itself).
    pub sent_at_ms: u64,
}

/// A batch sent without an answer: it may or may not be stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingBatch {
    /// The run it went to.
    pub run_id: u64,
    /// The (spool file, case) pairs it carried.
    pub items: Vec<(String, u64)>,
    /// When it was sent, milliseconds since the epoch, by this machine's clock (how long
    /// it may still take to land is measured with it).
    pub sent_at_ms: u64,
    /// When it was sent by TestRail's clock (UNIX seconds, from the `Date` header of its
    /// answers): where to look for what it stored, whatever this machine's clock says.
    /// `None` when TestRail sent no `Date` (then every result of the run is looked at).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub testrail_sent_at: Option<u64>,
    /// Whether TestRail itself answered (a 500, not a proxy's 502 or 504): it is then done
    /// with the request, and one look at what it stored is final.
    #[serde(default)]
    pub answered: bool,
}

/// An attachment upload: recorded before `add_attachment_to_result` is sent, completed
/// with TestRail's attachment id after its answer. One still without an id may have been
/// stored: before it is sent again, the exporter looks at `get_attachments_for_test`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentUpload {
    /// The result it goes to.
    pub result_id: u64,
    /// That result's test (where TestRail lists the result's attachments).
    pub test_id: u64,
    /// The file name TestRail shows.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was last sent, milliseconds since the epoch (this machine's clock).
    pub sent_at_ms: u64,
    /// Whether TestRail itself answered the last send with an error (a 500: it is done with
    /// the request, one look at what it stored is final).
    #[serde(default)]
    pub answered: bool,
    /// TestRail's attachment id, once acknowledged (or found stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_id: Option<String>,
}

/// The journal's content.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    /// The project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<u64>,
    /// The plan, when reporting into one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<u64>,
    /// Whether this session created the plan.
    #[serde(default)]
    pub plan_created: bool,
    /// Runs by suite ID.
    #[serde(default)]
    pub runs: BTreeMap<u64, RunState>,
    /// Acknowledged cases per spool file.
    #[serde(default)]
    pub acknowledged: BTreeMap<String, BTreeSet<u64>>,
    /// Batches sent without an answer.
    #[serde(default)]
    pub pending: Vec<PendingBatch>,
    /// Whether the run or plan was closed.
    #[serde(default)]
    pub closed: bool,
    /// Runs this session left (closed or deleted in TestRail, `--new-run`): never joined
    /// again.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub abandoned_runs: BTreeSet<u64>,
    /// Plans this session left, likewise.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub abandoned_plans: BTreeSet<u64>,
    /// Creates and case updates sent without a recorded answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub in_flight: Vec<InFlight>,
    /// Attachment uploads by key (`<spool file> <test path> #<n> C<case>`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attachments: BTreeMap<String, AttachmentUpload>,
}

impl Journal {
    /// Whether `case_id` of spool file `file` was acknowledged.
    pub fn is_acknowledged(&self, file: &str, case_id: u64) -> bool {
        self.acknowledged
            .get(file)
            .is_some_and(|cases| cases.contains(&case_id))
    }

    /// When `intent` was last sent without a recorded answer.
    pub fn sent_at(&self, intent: &Intent) -> Option<u64> {
        self.in_flight
            .iter()
            .find(|sent| &sent.intent == intent)
            .map(|sent| sent.sent_at_ms)
    }

    /// Records that `intent` is about to be sent now; returns the time recorded.
    pub fn begin(&mut self, intent: Intent) -> u64 {
        let sent_at_ms = testrail_formats::clock::now_ms();
        self.finish(&intent);
        self.in_flight.push(InFlight { intent, sent_at_ms });
        sent_at_ms
    }

    /// Forgets `intent`: its answer (or what it made) is recorded.
    pub fn finish(&mut self, intent: &Intent) {
        self.in_flight.retain(|sent| &sent.intent != intent);
    }

    /// Records acknowledged items.
    pub fn acknowledge(&mut self, items: &[(String, u64)]) {
        for (file, case_id) in items {
            self.acknowledged
                .entry(file.clone())
                .or_default()
                .insert(*case_id);
        }
    }
}

/// Why the journal could not be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// It could not be read, written or locked.
    #[error(transparent)]
    Io(#[from] SpoolError),
    /// It is not a journal this version can read.
    #[error(
        "the export journal {} is damaged ({reason}); move it aside (for example: mv {} {}.damaged) and run the upload again: the run and the results TestRail already holds from this session are found by the session marker and not sent twice",
        .path.display(), .path.display(), .path.display()
    )]
    Damaged {
        /// The journal.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// The journal of a session directory, locked for as long as this value lives.
pub struct LockedJournal {
    /// Where it is saved; `None` for a journal kept only in memory.
    path: Option<PathBuf>,
    _lock: Option<File>,
    /// The content; call [`LockedJournal::save`] after changing it.
    pub journal: Journal,
}

/// The journal's file name in the session directory.
pub const FILE_NAME: &str = testrail_formats::spool::JOURNAL_FILE_NAME;

impl LockedJournal {
    /// Locks the session's journal (waiting for another process that holds it) and reads it.
    pub fn open(session_dir: &Path) -> Result<LockedJournal, JournalError> {
        let io = |action, path: &Path, source| SpoolError::Io {
            action,
            path: path.to_owned(),
            source,
        };
        std::fs::create_dir_all(session_dir).map_err(|source| io("create", session_dir, source))?;
        let lock_path = session_dir.join(".export.lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| io("open", &lock_path, source))?;
        lock.lock()
            .map_err(|source| io("lock", &lock_path, source))?;
        let path = session_dir.join(FILE_NAME);
        let journal = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|error| JournalError::Damaged {
                path: path.clone(),
                reason: error.to_string(),
            })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Journal::default(),
            Err(source) => return Err(io("read", &path, source).into()),
        };
        Ok(LockedJournal {
            path: Some(path),
            _lock: Some(lock),
            journal,
        })
    }

    /// A journal kept only in memory, for outcomes that could not be saved: it starts from
    /// the session's journal when that can be read (so a run made by another binary of the
    /// session is joined), and [`LockedJournal::save`] writes nothing.
    pub fn unsaved(session_dir: &Path) -> LockedJournal {
        let journal = std::fs::read(session_dir.join(FILE_NAME))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        LockedJournal {
            path: None,
            _lock: None,
            journal,
        }
    }

    /// Writes the journal atomically (nothing for a journal kept only in memory).
    pub fn save(&self) -> Result<(), SpoolError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let json = serde_json::to_vec(&self.journal).map_err(|error| SpoolError::Invalid {
            path: path.clone(),
            reason: error.to_string(),
        })?;
        write_atomically(path, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intents_are_recorded_until_finished() {
        let mut journal = Journal::default();
        let run = Intent::Run { suite_id: 1 };
        assert_eq!(journal.sent_at(&run), None);
        let sent = journal.begin(run.clone());
        journal.begin(Intent::Plan);
        assert_eq!(journal.sent_at(&run), Some(sent));
        // Sent again: one record, the newer time.
        let again = journal.begin(run.clone());
        assert_eq!(journal.in_flight.len(), 2);
        assert_eq!(journal.sent_at(&run), Some(again));
        journal.finish(&run);
        assert_eq!(journal.sent_at(&run), None);
        assert!(journal.sent_at(&Intent::Plan).is_some());
    }

    #[test]
    fn journals_of_earlier_versions_are_read_and_damaged_ones_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let old = r#"{"project_id":1,"runs":{"1":{"run_id":7,"case_ids":[1,2],"created":true}},"acknowledged":{"a-1.json":[1]},"pending":[],"closed":false}"#;
        std::fs::write(dir.path().join(FILE_NAME), old).unwrap();
        let journal = LockedJournal::open(dir.path()).unwrap();
        assert_eq!(journal.journal.runs[&1].run_id, 7);
        assert!(!journal.journal.runs[&1].verified, "looked at once");
        assert!(journal.journal.in_flight.is_empty());
        drop(journal);

        std::fs::write(dir.path().join(FILE_NAME), "{\"runs\": [").unwrap();
        let error = LockedJournal::open(dir.path()).err().expect("damaged");
        let text = error.to_string();
        assert!(text.contains("export journal"), "{text}");
        assert!(text.contains("move it aside"), "{text}");
        assert!(!text.contains("spool file"), "{text}");
    }
}
