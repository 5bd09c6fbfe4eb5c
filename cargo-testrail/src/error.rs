//! What can go wrong, each with what to do next. No command panics on bad input: every
//! failure ends up here and is printed by `main`.

use std::path::PathBuf;

use testrail_export::ExportError;
use testrail_export::config::ConfigError;

/// Exit code when a command found problems it reports (e.g. `status` with Missing cases).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code when a command could not do its job.
pub const EXIT_ERROR: u8 = 2;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The configuration is incomplete or wrong.
    #[error(
        "{0}\n  (settings come from testrail.toml, TESTRAIL_* variables and flags; see `cargo testrail <command> --help`)"
    )]
    Config(Box<ConfigError>),
    /// The export failed; the spool keeps what was not sent.
    #[error(
        "{error}\n  the results are kept; resume the upload (it sends only what is missing) with:\n    {resume}"
    )]
    Export {
        /// The cause.
        error: ExportError,
        /// The command that resumes it.
        resume: String,
    },
    /// Talking to TestRail failed (outside an export).
    #[error("{0}")]
    TestRail(ExportError),
    /// There is no session to upload.
    #[error(
        "no session to upload: {0} does not exist\n  run the tests first (`cargo test`), or name a session directory: cargo testrail upload target/testrail/sessions/<session>"
    )]
    NoLatestSession(PathBuf),
    /// A path given as a session directory is not one.
    #[error(
        "{path} is not a session directory: {reason}\n  a session directory holds the spool files (<binary>-<pid>.jsonl) of one test run, under target/testrail/sessions/"
    )]
    NotASession {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A spool file of a session cannot be read (damaged in the middle, or not a spool).
    #[error(
        "{path} cannot be read, so its session cannot be uploaded: {reason}\n  to send the rest of the session, move the file aside (mv {path} {path}.damaged) and run the upload again; its outcomes are then not sent"
    )]
    DamagedSpool {
        /// The spool file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("could not {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A JUnit file could not be understood.
    #[error(
        "{path} is not a JUnit XML report this tool can read: {reason}\n  expected <testsuites> or <testsuite> with <testcase> elements (cargo-nextest, pytest --junitxml, Surefire, jest-junit)"
    )]
    Junit {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// `testrail.lock` could not be understood.
    #[error(
        "{path} is not a valid testrail.lock: {reason}\n  fix it or delete it, then run `cargo testrail accept` to write it anew"
    )]
    LockFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Building or running the workspace's tests failed.
    #[error("{0}")]
    Cargo(String),
    /// An argument names something that does not exist.
    #[error("{0}")]
    Input(String),
    /// Case creation cannot proceed.
    #[error("{0}")]
    Create(String),
    /// `push` could not update a case; the ones before it were updated.
    #[error(
        "C{case} could not be updated: {error}\n  the cases before it were updated and recorded in testrail.lock; fix the cause (editing cases needs a TestRail role that may edit them, such as Lead), then run `cargo testrail push` again: updated cases are found unchanged"
    )]
    Push {
        /// The case.
        case: u64,
        /// Why.
        error: Box<CliError>,
    },
    /// The async runtime could not start.
    #[error("could not start the async runtime: {0}")]
    Runtime(String),
}

impl From<ExportError> for CliError {
    fn from(error: ExportError) -> Self {
        match error {
            ExportError::Config(error) => CliError::Config(error),
            other => CliError::TestRail(other),
        }
    }
}

impl From<testrail_api::Error> for CliError {
    fn from(error: testrail_api::Error) -> Self {
        CliError::TestRail(ExportError::Client(error))
    }
}

impl From<testrail_formats::spool::SpoolError> for CliError {
    fn from(error: testrail_formats::spool::SpoolError) -> Self {
        CliError::TestRail(ExportError::Spool(error))
    }
}

impl CliError {
    /// An I/O error with its path.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CliError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

impl From<ConfigError> for CliError {
    fn from(error: ConfigError) -> Self {
        CliError::Config(Box::new(error))
    }
}
