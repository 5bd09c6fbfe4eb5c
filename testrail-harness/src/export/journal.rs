//! The export journal of a session: which run or plan the session reports into, which
//! results TestRail acknowledged, and which batches were sent without an answer. It lives
//! in the session directory, guarded by a file lock, so that the binaries of one
//! `cargo test` join one run and a resumed upload sends only what is missing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::spool::{SpoolError, write_atomically};

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
}

/// A batch sent without an answer: it may or may not be stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingBatch {
    /// The run it went to.
    pub run_id: u64,
    /// The (spool file, case) pairs it carried.
    pub items: Vec<(String, u64)>,
    /// When it was sent, milliseconds since the epoch.
    pub sent_at_ms: u64,
    /// Whether TestRail answered (a 5xx): it is then done with the request, and one look
    /// at what it stored is final.
    #[serde(default)]
    pub answered: bool,
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
}

impl Journal {
    /// Whether `case_id` of spool file `file` was acknowledged.
    pub fn is_acknowledged(&self, file: &str, case_id: u64) -> bool {
        self.acknowledged
            .get(file)
            .is_some_and(|cases| cases.contains(&case_id))
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

/// The journal of a session directory, locked for as long as this value lives.
pub struct LockedJournal {
    /// Where it is saved; `None` for a journal kept only in memory.
    path: Option<PathBuf>,
    _lock: Option<File>,
    /// The content; call [`LockedJournal::save`] after changing it.
    pub journal: Journal,
}

/// The journal's file name in the session directory.
pub const FILE_NAME: &str = "export-journal.json";

impl LockedJournal {
    /// Locks the session's journal (waiting for another process that holds it) and reads it.
    pub fn open(session_dir: &Path) -> Result<LockedJournal, SpoolError> {
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
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|error| SpoolError::Invalid {
                path: path.clone(),
                reason: error.to_string(),
            })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Journal::default(),
            Err(source) => return Err(io("read", &path, source)),
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
