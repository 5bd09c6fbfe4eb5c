//! The spool: every harness run's outcomes on disk, one file per process, so that
//! `cargo testrail upload` can send them later, even when the process never reached its end.
//!
//! A spool file (`<binary>-<pid>.jsonl`, format version 2) is written as the tests run: a
//! header line, then one JSON line per event, appended as it happens (no `fsync` per line,
//! so a test costs one `write`):
//!
//! - `{"skipped": outcome}`: an ignored test, written before any test runs;
//! - `{"started": test}`: a test began;
//! - `{"finished": outcome}`: a test ended, with everything it recorded;
//! - `{"end": {"finished_at_ms": …}}`: the harness reached its end.
//!
//! A process that ends during a test (`std::process::exit`, an abort, a crash, a signal)
//! leaves a file without `end`: reading it gives every finished test as it was, and every
//! test that had started but not finished with run result Error ("the process ended during
//! this test"). A last line cut short (the process died while writing it) is ignored, so its
//! test counts as interrupted. While the writing process is still alive, its unfinished tests
//! are left out instead, for a later upload.
//!
//! The outcomes of a dry run go into `<binary>-<pid>.dry-run.jsonl`, which is never exported.
//! Version 1 files (`<binary>-<pid>.json`, one JSON document written at the end) are still
//! read.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::outcome::default_label;
use crate::outcome::{Attempt, Execution, LabelSource, Location, RunResult, TestOutcome};
use crate::session::SessionSource;

/// The `format` field of every spool file.
pub const FORMAT: &str = "testrail-rs/spool";
/// The version of the spool format this crate writes.
pub const VERSION: u32 = 2;
/// The version of the older, single-document format this crate still reads.
pub const LEGACY_VERSION: u32 = 1;
/// The suffix of spool files.
pub const SUFFIX: &str = ".jsonl";
/// The suffix of the spool files of dry runs, which are never exported.
pub const DRY_RUN_SUFFIX: &str = ".dry-run.jsonl";
/// The export journal's file name in a session directory: never read as a spool file.
pub const JOURNAL_FILE_NAME: &str = "export-journal.json";
/// The message of a test that was running when its process ended.
pub const INTERRUPTED: &str = "the process ended during this test (std::process::exit, an abort, a crash or a signal); what the test did is unknown";

/// The outcomes of one harness process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpoolFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// The format version the file was written in.
    pub version: u32,
    /// The session key.
    pub session: String,
    /// How the session key was chosen.
    pub session_source: SessionSource,
    /// The cargo package of the test binary.
    pub package: String,
    /// The test target (binary) name, e.g. `checkout`.
    pub binary: String,
    /// The process ID.
    pub pid: u32,
    /// Start of the run, milliseconds since the Unix epoch.
    pub started_at_ms: u64,
    /// End of the run, milliseconds since the Unix epoch (for a process that ended during
    /// a test: when its file was last written).
    pub finished_at_ms: u64,
    /// The git commit of the package's work tree, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit: Option<String>,
    /// The package's manifest directory.
    pub manifest_dir: String,
    /// Every test that was selected: run or skipped.
    pub tests: Vec<TestOutcome>,
}

/// Why a spool file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// The file system refused.
    #[error("could not {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a spool file this version understands.
    #[error("{path} is not a readable testrail spool file: {reason}")]
    Invalid {
        /// The path.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// The first line of a spool file: what is known when the process starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// The session key.
    pub session: String,
    /// How the session key was chosen.
    pub session_source: SessionSource,
    /// The cargo package of the test binary.
    pub package: String,
    /// The test target (binary) name.
    pub binary: String,
    /// The process ID.
    pub pid: u32,
    /// The process's start time in seconds since the Unix epoch (0 when unknown): with the
    /// PID, it tells whether the writer is still running.
    #[serde(default)]
    pub process_start: u64,
    /// Start of the run, milliseconds since the Unix epoch.
    pub started_at_ms: u64,
    /// The git commit of the package's work tree, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit: Option<String>,
    /// The package's manifest directory.
    pub manifest_dir: String,
    /// Whether these are the outcomes of a dry run, which are never exported.
    #[serde(default)]
    pub dry_run: bool,
    /// Whether the tests were run by libtest's own harness (`#[testrail::case]` unit tests
    /// in `src/`, see the `testrail` crate's `libtest` runtime): libtest has no end to hook,
    /// so such a file has no `end` line, and a process that left no test running ended
    /// normally.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub libtest: bool,
}

impl Header {
    /// The file name of this process's spool file.
    pub fn file_name(&self) -> String {
        let suffix = if self.dry_run { DRY_RUN_SUFFIX } else { SUFFIX };
        format!("{}-{}{suffix}", self.binary, self.pid)
    }
}

/// What is written when a test starts: enough to report it if the process ends during it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestStart {
    /// The test's path.
    pub path: String,
    /// Its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where it is defined.
    pub defined_at: Location,
    /// Its case IDs.
    pub case_ids: Vec<u64>,
    /// Its `known_bug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_bug: Option<String>,
    /// When it started, milliseconds since the Unix epoch.
    pub started_at_ms: u64,
}

impl TestStart {
    /// The outcome of this test when its process ended before it did: run result Error.
    pub fn interrupted(&self, ended_at_ms: u64) -> TestOutcome {
        let elapsed_ms = ended_at_ms.saturating_sub(self.started_at_ms);
        TestOutcome {
            path: self.path.clone(),
            title: self.title.clone(),
            defined_at: self.defined_at.clone(),
            case_ids: self.case_ids.clone(),
            execution: Execution::Ran,
            run_result: Some(RunResult::Error),
            bug_label: Some(default_label(
                RunResult::Error,
                false,
                1,
                self.known_bug.is_some(),
            )),
            label_source: Some(LabelSource::Derived),
            passed: false,
            elapsed_ms,
            attempts: vec![Attempt {
                number: 1,
                run_result: RunResult::Error,
                passed: false,
                message: Some(INTERRUPTED.to_owned()),
                location: None,
                failed_step: None,
                elapsed_ms,
                steps: Vec::new(),
            }],
            known_bug: self.known_bug.clone(),
            defects: self.known_bug.iter().cloned().collect(),
            comments: Vec::new(),
            fields: BTreeMap::new(),
            attachments: Vec::new(),
        }
    }
}

/// One line after the header, as written.
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum RecordRef<'a> {
    Skipped(&'a TestOutcome),
    Started(&'a TestStart),
    Finished(&'a TestOutcome),
    End { finished_at_ms: u64 },
}

/// One line after the header, as read.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Record {
    Skipped(TestOutcome),
    Started(TestStart),
    Finished(TestOutcome),
    End { finished_at_ms: u64 },
}

/// A spool file as read, with what reading it found out.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadSpool {
    /// The outcomes.
    pub file: SpoolFile,
    /// Whether it holds a dry run's outcomes (never exported).
    pub dry_run: bool,
    /// The tests that were running when the process ended (reported as run result Error).
    pub interrupted: Vec<String>,
    /// Whether the writing process is still running (its unfinished tests are left out).
    pub in_progress: bool,
    /// Whether the process ended before the harness reached its end.
    pub ended_early: bool,
}

impl SpoolFile {
    /// The file name of this process's spool file: `<binary>-<pid>.jsonl`.
    pub fn file_name(&self) -> String {
        format!("{}-{}{SUFFIX}", self.binary, self.pid)
    }

    fn header(&self) -> Header {
        Header {
            format: FORMAT.to_owned(),
            version: VERSION,
            session: self.session.clone(),
            session_source: self.session_source,
            package: self.package.clone(),
            binary: self.binary.clone(),
            pid: self.pid,
            process_start: 0,
            started_at_ms: self.started_at_ms,
            git_commit: self.git_commit.clone(),
            manifest_dir: self.manifest_dir.clone(),
            dry_run: false,
            libtest: false,
        }
    }

    /// Writes the whole file into `session_dir` atomically (for outcomes known all at once,
    /// e.g. JUnit imports) and returns its path.
    pub fn write_to(&self, session_dir: &Path) -> Result<PathBuf, SpoolError> {
        let path = session_dir.join(self.file_name());
        let invalid = |error: serde_json::Error| SpoolError::Invalid {
            path: path.clone(),
            reason: error.to_string(),
        };
        let mut bytes = line(&self.header()).map_err(invalid)?;
        for test in &self.tests {
            let record = match test.execution {
                Execution::Skipped { .. } => RecordRef::Skipped(test),
                Execution::Ran => RecordRef::Finished(test),
            };
            bytes.extend(line(&record).map_err(invalid)?);
        }
        bytes.extend(
            line(&RecordRef::End {
                finished_at_ms: self.finished_at_ms,
            })
            .map_err(invalid)?,
        );
        write_atomically(&path, &bytes)?;
        Ok(path)
    }

    /// Reads and checks a spool file.
    pub fn read(path: &Path) -> Result<SpoolFile, SpoolError> {
        SpoolFile::read_with_notes(path).map(|read| read.file)
    }

    /// Reads and checks a spool file of either version, and says what reading it found.
    pub fn read_with_notes(path: &Path) -> Result<ReadSpool, SpoolError> {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.ends_with(SUFFIX) {
            read_lines(path)
        } else {
            read_legacy(path).map(|file| ReadSpool {
                file,
                dry_run: false,
                interrupted: Vec::new(),
                in_progress: false,
                ended_early: false,
            })
        }
    }

    /// Reads a spool file of either version as a stream, without holding its outcomes:
    /// `each` gets the file's header and every test as it is read (ignored and finished
    /// tests in the order of the file, then the tests the process ended during, as
    /// [`SpoolFile::read`] reports them). The returned [`ReadSpool`] has no tests.
    ///
    /// # Errors
    /// As [`SpoolFile::read`].
    pub fn stream(
        path: &Path,
        mut each: impl FnMut(&Header, TestOutcome),
    ) -> Result<ReadSpool, SpoolError> {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.ends_with(SUFFIX) {
            stream_lines(path, &mut each)
        } else {
            let mut file = read_legacy(path)?;
            let header = file.header();
            for test in std::mem::take(&mut file.tests) {
                each(&header, test);
            }
            Ok(ReadSpool {
                file,
                dry_run: false,
                interrupted: Vec::new(),
                in_progress: false,
                ended_early: false,
            })
        }
    }

    /// Reads every exportable spool file of a session directory, in file-name order.
    pub fn read_session(session_dir: &Path) -> Result<Vec<SpoolFile>, SpoolError> {
        let names = file_names(session_dir).map_err(|source| SpoolError::Io {
            action: "list",
            path: session_dir.to_owned(),
            source,
        })?;
        names
            .iter()
            .map(|name| SpoolFile::read(&session_dir.join(name)))
            .collect()
    }
}

/// Whether `name` is an exportable spool file's name: `*.jsonl` (not a dry run's), or a
/// version 1 `*.json` other than the export journal; hidden files never.
pub fn is_spool_name(name: &str) -> bool {
    if name.starts_with('.') || name.ends_with(DRY_RUN_SUFFIX) {
        return false;
    }
    name.ends_with(SUFFIX) || (name.ends_with(".json") && name != JOURNAL_FILE_NAME)
}

/// The exportable spool files of a session directory, by name, sorted.
pub fn file_names(session_dir: &Path) -> std::io::Result<Vec<String>> {
    names_where(session_dir, is_spool_name)
}

/// The dry-run spool files of a session directory, by name, sorted.
pub fn dry_run_names(session_dir: &Path) -> std::io::Result<Vec<String>> {
    names_where(session_dir, |name| {
        !name.starts_with('.') && name.ends_with(DRY_RUN_SUFFIX)
    })
}

fn names_where(dir: &Path, keep: impl Fn(&str) -> bool) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| keep(name))
        .collect();
    names.sort();
    Ok(names)
}

fn line<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut bytes = serde_json::to_vec(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[derive(Deserialize)]
struct FormatAndVersion {
    format: String,
    version: u32,
}

fn check_format(path: &Path, found: &FormatAndVersion, wanted: u32) -> Result<(), SpoolError> {
    let invalid = |reason: String| SpoolError::Invalid {
        path: path.to_owned(),
        reason,
    };
    if found.format != FORMAT {
        return Err(invalid(format!(
            "format is {:?}, not {FORMAT:?}",
            found.format
        )));
    }
    if found.version != wanted {
        return Err(invalid(format!(
            "version {} is not supported in a {} file (this build reads version {LEGACY_VERSION} in *.json and version {VERSION} in *{SUFFIX} files)",
            found.version,
            if wanted == VERSION { SUFFIX } else { ".json" }
        )));
    }
    Ok(())
}

fn open(path: &Path) -> Result<std::io::BufReader<std::fs::File>, SpoolError> {
    std::fs::File::open(path)
        .map(std::io::BufReader::new)
        .map_err(|source| SpoolError::Io {
            action: "read",
            path: path.to_owned(),
            source,
        })
}

/// A version 1 file: one JSON document.
fn read_legacy(path: &Path) -> Result<SpoolFile, SpoolError> {
    let invalid = |reason: String| SpoolError::Invalid {
        path: path.to_owned(),
        reason,
    };
    // Streamed, so a large file is never in memory twice; the header is only looked at
    // to explain a file that does not parse.
    let parsed: Result<SpoolFile, _> = serde_json::from_reader(open(path)?);
    let header = match &parsed {
        Ok(file) => FormatAndVersion {
            format: file.format.clone(),
            version: file.version,
        },
        Err(error) => {
            serde_json::from_reader(open(path)?).map_err(|_| invalid(error.to_string()))?
        }
    };
    check_format(path, &header, LEGACY_VERSION)?;
    parsed.map_err(|error| invalid(error.to_string()))
}

/// A version 2 file: a header line and one line per event, its tests sorted by path.
fn read_lines(path: &Path) -> Result<ReadSpool, SpoolError> {
    let mut tests = Vec::new();
    let mut read = stream_lines(path, &mut |_, test| tests.push(test))?;
    tests.sort_by(|a, b| a.path.cmp(&b.path));
    read.file.tests = tests;
    Ok(read)
}

/// A version 2 file, each test handed to `each` as it is read (the tests that were running
/// when the process ended last).
fn stream_lines(
    path: &Path,
    each: &mut dyn FnMut(&Header, TestOutcome),
) -> Result<ReadSpool, SpoolError> {
    let invalid = |reason: String| SpoolError::Invalid {
        path: path.to_owned(),
        reason,
    };
    let io = |source| SpoolError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    };
    let mut reader = open(path)?;
    let mut buffer = Vec::new();
    reader.read_until(b'\n', &mut buffer).map_err(io)?;
    let found: FormatAndVersion = serde_json::from_slice(&buffer)
        .map_err(|error| invalid(format!("its first line is not a spool header: {error}")))?;
    check_format(path, &found, VERSION)?;
    let header: Header =
        serde_json::from_slice(&buffer).map_err(|error| invalid(format!("its header: {error}")))?;

    let mut started: BTreeMap<String, TestStart> = BTreeMap::new();
    let mut finished_at_ms = None;
    let mut number = 1;
    loop {
        buffer.clear();
        if reader.read_until(b'\n', &mut buffer).map_err(io)? == 0 {
            break;
        }
        number += 1;
        let complete = buffer.last() == Some(&b'\n');
        match serde_json::from_slice::<Record>(&buffer) {
            Ok(Record::Skipped(outcome)) => each(&header, outcome),
            Ok(Record::Started(start)) => {
                started.insert(start.path.clone(), start);
            }
            Ok(Record::Finished(outcome)) => {
                started.remove(&outcome.path);
                each(&header, outcome);
            }
            Ok(Record::End {
                finished_at_ms: end,
            }) => finished_at_ms = Some(end),
            // The process died while writing its last line: that test counts as
            // interrupted.
            Err(_) if !complete => break,
            Err(error) => return Err(invalid(format!("line {number}: {error}"))),
        }
    }
    let in_progress = finished_at_ms.is_none()
        && header.pid != std::process::id()
        && crate::session::is_running(header.pid, header.process_start);
    // A libtest file never has an `end`: its process ended early only during a test.
    let ended_early =
        finished_at_ms.is_none() && (!header.libtest || in_progress || !started.is_empty());
    let last_written = || {
        std::fs::metadata(path)
            .and_then(|meta| meta.modified())
            .ok()
            .and_then(crate::clock::ms_of)
            .unwrap_or(header.started_at_ms)
    };
    let finished_at_ms = finished_at_ms.unwrap_or_else(last_written);
    let mut interrupted = Vec::new();
    if !in_progress {
        for start in started.into_values() {
            interrupted.push(start.path.clone());
            each(&header, start.interrupted(finished_at_ms));
        }
    }
    Ok(ReadSpool {
        dry_run: header.dry_run,
        interrupted,
        in_progress,
        ended_early,
        file: SpoolFile {
            format: header.format,
            version: header.version,
            session: header.session,
            session_source: header.session_source,
            package: header.package,
            binary: header.binary,
            pid: header.pid,
            started_at_ms: header.started_at_ms,
            finished_at_ms,
            git_commit: header.git_commit,
            manifest_dir: header.manifest_dir,
            tests: Vec::new(),
        },
    })
}

/// Appends this process's outcomes to its spool file as the tests run. The file is created
/// at the first line; after the first failure to write, nothing more is tried and the
/// failure is kept for [`SpoolWriter::failure`].
pub struct SpoolWriter {
    path: PathBuf,
    header: Header,
    latest_marker: Option<PathBuf>,
    state: Mutex<WriterState>,
}

thread_local! {
    /// The line being encoded on this thread, kept between lines so that a test's line
    /// (kilobytes for a test with many steps) is not built in a freshly grown `Vec` every
    /// time, and encoded before the file's lock is taken (other threads write meanwhile).
    static LINE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

enum WriterState {
    NotCreated,
    Open(std::fs::File),
    Failed(String),
}

impl SpoolWriter {
    /// A writer of the spool file described by `header` in `session_dir` (nothing is
    /// written yet).
    pub fn new(session_dir: &Path, header: Header) -> SpoolWriter {
        SpoolWriter {
            path: session_dir.join(header.file_name()),
            header,
            latest_marker: None,
            state: Mutex::new(WriterState::NotCreated),
        }
    }

    /// Also names the session in `marker` (`sessions/LATEST`) when the file is created, so
    /// that `cargo testrail upload` finds it even if the process ends during a test.
    pub fn with_latest_marker(mut self, marker: PathBuf) -> SpoolWriter {
        self.latest_marker = Some(marker);
        self
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The header the file starts with.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Records an ignored test; returns whether it is in the file.
    pub fn skipped(&self, outcome: &TestOutcome) -> bool {
        self.append(&RecordRef::Skipped(outcome))
    }

    /// Records that a test started.
    pub fn started(&self, start: &TestStart) {
        self.append(&RecordRef::Started(start));
    }

    /// Records how a test ended; returns whether it is in the file (`false` once writing
    /// has failed: the caller keeps the outcome instead).
    pub fn finished(&self, outcome: &TestOutcome) -> bool {
        self.append(&RecordRef::Finished(outcome))
    }

    /// Records that the harness reached its end.
    pub fn end(&self, finished_at_ms: u64) {
        self.append(&RecordRef::End { finished_at_ms });
    }

    /// Whether the file was created and every line was written.
    pub fn is_complete(&self) -> bool {
        matches!(*self.lock(), WriterState::Open(_))
    }

    /// The first failure to write, if any: what could not be saved and why.
    pub fn failure(&self) -> Option<String> {
        match &*self.lock() {
            WriterState::Failed(reason) => Some(reason.clone()),
            _ => None,
        }
    }

    /// Removes what was written after a failure (a partial file is of no use to anyone,
    /// and would be sent again by a later upload of the outcomes exported from memory).
    pub fn discard(&self) {
        if matches!(*self.lock(), WriterState::Failed(_)) {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WriterState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes one line; returns whether it was written.
    fn append(&self, record: &RecordRef<'_>) -> bool {
        LINE.with(|line| match line.try_borrow_mut() {
            Ok(mut line) => self.append_with(record, &mut line),
            // Only when a line is written while this thread encodes one (a `Serialize` that
            // writes to the spool): a buffer of its own.
            Err(_) => self.append_with(record, &mut Vec::new()),
        })
    }

    fn append_with(&self, record: &RecordRef<'_>, bytes: &mut Vec<u8>) -> bool {
        bytes.clear();
        let encoded = serde_json::to_writer(&mut *bytes, record)
            .map_err(|error| format!("could not encode an outcome: {error}"));
        bytes.push(b'\n');
        let mut state = self.lock();
        if matches!(*state, WriterState::Failed(_)) {
            return false;
        }
        let written = encoded.and_then(|()| {
            if matches!(*state, WriterState::NotCreated) {
                *state = WriterState::Open(self.create()?);
            }
            let WriterState::Open(file) = &mut *state else {
                return Ok(());
            };
            file.write_all(bytes)
                .map_err(|error| format!("could not write {}: {error}", self.path.display()))
        });
        match written {
            Ok(()) => true,
            Err(reason) => {
                *state = WriterState::Failed(reason);
                false
            }
        }
    }

    fn create(&self) -> Result<std::fs::File, String> {
        let failed = |action: &str, path: &Path, error: std::io::Error| {
            format!("could not {action} {}: {error}", path.display())
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|error| failed("create", dir, error))?;
        let mut file = std::fs::File::create(&self.path)
            .map_err(|error| failed("create", &self.path, error))?;
        let header = line(&self.header).map_err(|error| error.to_string())?;
        file.write_all(&header)
            .map_err(|error| failed("write", &self.path, error))?;
        if let Some(marker) = &self.latest_marker {
            // Every process of a `cargo nextest run` (one per test) creates a spool file of
            // the same session: only the first one writes (and syncs) the marker.
            let named = std::fs::read(marker)
                .is_ok_and(|current| current == self.header.session.as_bytes());
            if !named {
                write_atomically(marker, self.header.session.as_bytes())
                    .map_err(|error| error.to_string())?;
            }
        }
        Ok(file)
    }
}

/// Writes `bytes` to `path` all at once: into a temporary file in the same directory
/// (created with the directory if missing), flushed to disk, then renamed over `path`
/// ([`tempfile::NamedTempFile::persist`]). A reader sees the old file or the new one, never
/// a part; on any failure the temporary file is removed and `path` is left as it was.
///
/// # Errors
/// [`SpoolError::Io`] naming the step that failed (creating the directory or the temporary
/// file, writing, or the rename) and the path.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), SpoolError> {
    write_atomically_with(path, |file| file.write_all(bytes))
}

/// Like [`write_atomically`], for content that `write` streams (through a buffer) instead of
/// content held in memory at once.
///
/// # Errors
/// As [`write_atomically`]; an error that `write` returns counts as a failure to write.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), SpoolError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let io = |action, source| SpoolError::Io {
        action,
        path: path.to_owned(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|source| io("create the directory of", source))?;
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(path.file_name().unwrap_or_default());
    prefix.push(".");
    let file = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|source| io("create a temporary file beside", source))?;
    let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, file);
    write(&mut buffered)
        .and_then(|()| buffered.flush())
        .map_err(|source| io("write", source))?;
    let file = buffered
        .into_inner()
        .map_err(|error| io("write", error.into_error()))?;
    file.as_file()
        .sync_all()
        .map_err(|source| io("write", source))?;
    file.persist(path)
        .map(drop)
        .map_err(|error| io("rename into", error.error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::BugLabel;

    fn sample() -> SpoolFile {
        SpoolFile {
            format: FORMAT.to_owned(),
            version: VERSION,
            session: "s".to_owned(),
            session_source: SessionSource::Environment,
            package: "shop".to_owned(),
            binary: "checkout".to_owned(),
            pid: 7,
            started_at_ms: 1,
            finished_at_ms: 2,
            git_commit: None,
            manifest_dir: "/x".to_owned(),
            tests: Vec::new(),
        }
    }

    fn start(path: &str) -> TestStart {
        TestStart {
            path: path.to_owned(),
            title: None,
            defined_at: Location {
                file: "t.rs".into(),
                line: 1,
                column: None,
            },
            case_ids: vec![9],
            known_bug: None,
            started_at_ms: 1,
        }
    }

    fn header(dry_run: bool) -> Header {
        Header {
            pid: 1,
            dry_run,
            ..sample().header()
        }
    }

    #[test]
    fn round_trips_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample().write_to(dir.path()).unwrap();
        assert_eq!(path.file_name().unwrap(), "checkout-7.jsonl");
        assert_eq!(SpoolFile::read(&path).unwrap(), sample());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn rejects_other_versions_with_a_clear_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        std::fs::write(&path, r#"{"format":"testrail-rs/spool","version":99}"#).unwrap();
        let error = SpoolFile::read(&path).unwrap_err().to_string();
        assert!(error.contains("version 99 is not supported"), "{error}");
        let path = dir.path().join("x.jsonl");
        std::fs::write(&path, "{\"format\":\"testrail-rs/spool\",\"version\":3}\n").unwrap();
        let error = SpoolFile::read(&path).unwrap_err().to_string();
        assert!(error.contains("version 3 is not supported"), "{error}");
    }

    #[test]
    fn version_1_files_are_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkout-7.json");
        let legacy = SpoolFile {
            version: LEGACY_VERSION,
            ..sample()
        };
        std::fs::write(&path, serde_json::to_vec_pretty(&legacy).unwrap()).unwrap();
        assert_eq!(SpoolFile::read(&path).unwrap(), legacy);
        assert_eq!(file_names(dir.path()).unwrap(), ["checkout-7.json"]);
    }

    #[test]
    fn a_test_running_when_the_process_ended_is_an_error_and_a_torn_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let writer = SpoolWriter::new(dir.path(), header(false));
        writer.started(&start("a"));
        writer.finished(&start("a").interrupted(5));
        writer.started(&start("b"));
        drop(writer);
        let path = dir.path().join("checkout-1.jsonl");
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        file.write_all(b"{\"finished\":{\"path\":\"b\",").unwrap();
        let read = SpoolFile::read_with_notes(&path).unwrap();
        assert_eq!(read.interrupted, ["b"]);
        assert!(read.ended_early && !read.in_progress);
        assert_eq!(read.file.tests.len(), 2);
        let b = &read.file.tests[1];
        assert_eq!(b.run_result, Some(RunResult::Error));
        assert_eq!(b.bug_label, Some(BugLabel::Undecided));
        assert_eq!(b.attempts[0].message.as_deref(), Some(INTERRUPTED));
    }

    #[test]
    #[cfg(unix)] // runs `sleep`
    fn the_unfinished_tests_of_a_process_still_running_are_left_for_later() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let writer = SpoolWriter::new(
            dir.path(),
            Header {
                pid: child.id(),
                process_start: crate::session::start_time(child.id()),
                ..header(false)
            },
        );
        writer.started(&start("a"));
        let read = SpoolFile::read_with_notes(writer.path()).unwrap();
        let _ = child.kill();
        let _ = child.wait();
        assert!(read.in_progress && read.ended_early);
        assert!(read.interrupted.is_empty() && read.file.tests.is_empty());
        let read = SpoolFile::read_with_notes(writer.path()).unwrap();
        assert!(
            !read.in_progress,
            "once it has ended, its running test is an Error"
        );
        assert_eq!(read.interrupted, ["a"]);
    }

    #[test]
    fn a_libtest_file_has_no_end_and_ended_early_only_during_a_test() {
        let dir = tempfile::tempdir().unwrap();
        let libtest = || Header {
            pid: 1,
            libtest: true,
            ..header(false)
        };
        let writer = SpoolWriter::new(dir.path(), libtest());
        writer.started(&start("a"));
        assert!(writer.finished(&start("a").interrupted(2)));
        let read = SpoolFile::read_with_notes(writer.path()).unwrap();
        assert!(!read.ended_early && !read.in_progress, "{read:?}");
        assert_eq!(read.file.tests.len(), 1);

        // A test left running: the process ended during it.
        writer.started(&start("b"));
        let read = SpoolFile::read_with_notes(writer.path()).unwrap();
        assert!(read.ended_early, "{read:?}");
        assert_eq!(read.interrupted, ["b"]);
        // Older readers and harness files know no such field.
        let head = String::from_utf8(line(&header(false)).unwrap()).unwrap();
        assert!(!head.contains("libtest"), "{head}");
    }

    #[test]
    fn a_broken_line_in_the_middle_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        let head = String::from_utf8(line(&header(false)).unwrap()).unwrap();
        std::fs::write(
            &path,
            format!("{head}garbage\n{{\"end\":{{\"finished_at_ms\":1}}}}\n"),
        )
        .unwrap();
        let error = SpoolFile::read(&path).unwrap_err().to_string();
        assert!(error.contains("line 2"), "{error}");
    }

    #[test]
    fn dry_runs_are_written_under_a_name_that_is_never_exported() {
        let dir = tempfile::tempdir().unwrap();
        let writer = SpoolWriter::new(dir.path(), header(true));
        writer.started(&start("a"));
        writer.end(3);
        assert!(writer.is_complete());
        assert_eq!(file_names(dir.path()).unwrap(), Vec::<String>::new());
        assert_eq!(
            dry_run_names(dir.path()).unwrap(),
            ["checkout-1.dry-run.jsonl"]
        );
        let read = SpoolFile::read_with_notes(writer.path()).unwrap();
        assert!(read.dry_run);
    }

    #[test]
    fn a_writer_that_cannot_create_its_file_keeps_the_first_reason() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").unwrap();
        let writer = SpoolWriter::new(&blocker.join("session"), header(false));
        writer.started(&start("a"));
        writer.started(&start("b"));
        let failure = writer.failure().unwrap();
        assert!(failure.contains("could not create"), "{failure}");
        assert!(!writer.is_complete());
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_atomic_write_creates_or_replaces_the_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new").join("journal.json");
        write_atomically(&path, b"first").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        write_atomically(&path, b"second, longer").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second, longer");
        assert_eq!(names_in(path.parent().unwrap()), ["journal.json"]);
    }

    #[test]
    fn a_failed_atomic_write_keeps_the_old_file_and_says_which_step_failed() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be: the rename over it fails.
        let path = dir.path().join("taken");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("inside"), "old").unwrap();
        let error = write_atomically(&path, b"new").unwrap_err().to_string();
        assert!(error.starts_with("could not rename into"), "{error}");
        assert!(error.contains("taken"), "{error}");
        assert_eq!(std::fs::read(path.join("inside")).unwrap(), b"old");
        assert_eq!(names_in(dir.path()), ["taken"], "no temporary file is left");

        // A file where the directory should be: nothing can be created.
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "kept").unwrap();
        let error = write_atomically(&blocker.join("x.json"), b"new")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("could not create"), "{error}");
        assert_eq!(std::fs::read(&blocker).unwrap(), b"kept");
    }
}
