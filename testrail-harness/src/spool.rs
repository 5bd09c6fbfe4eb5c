//! The spool: every harness run's outcomes on disk, one versioned JSON file per process,
//! written atomically (a temporary file in the same directory, then a rename), so that
//! readers never see half a file and concurrent processes never share one.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::outcome::TestOutcome;
use crate::session::SessionSource;

/// The `format` field of every spool file.
pub const FORMAT: &str = "testrail-rs/spool";
/// The version of the spool format this crate writes and reads.
pub const VERSION: u32 = 1;

/// The outcomes of one harness process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpoolFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`] for files this crate writes.
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
    /// End of the run, milliseconds since the Unix epoch.
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

impl SpoolFile {
    /// The file name of this process's spool file: `<binary>-<pid>.json`.
    pub fn file_name(&self) -> String {
        format!("{}-{}.json", self.binary, self.pid)
    }

    /// Writes the file into `session_dir` atomically and returns its path.
    pub fn write_to(&self, session_dir: &Path) -> Result<PathBuf, SpoolError> {
        let path = session_dir.join(self.file_name());
        let json = serde_json::to_vec_pretty(self).map_err(|error| SpoolError::Invalid {
            path: path.clone(),
            reason: error.to_string(),
        })?;
        write_atomically(&path, &json)?;
        Ok(path)
    }

    /// Reads and checks a spool file.
    pub fn read(path: &Path) -> Result<SpoolFile, SpoolError> {
        let open = || {
            std::fs::File::open(path)
                .map(std::io::BufReader::new)
                .map_err(|source| SpoolError::Io {
                    action: "read",
                    path: path.to_owned(),
                    source,
                })
        };
        let invalid = |reason: String| SpoolError::Invalid {
            path: path.to_owned(),
            reason,
        };
        // Streamed, so a large file is never in memory twice; the header is only looked at
        // to explain a file that does not parse.
        let parsed: Result<SpoolFile, _> = serde_json::from_reader(open()?);
        let header: Header = match &parsed {
            Ok(file) => Header {
                format: file.format.clone(),
                version: file.version,
            },
            Err(error) => {
                serde_json::from_reader(open()?).map_err(|_| invalid(error.to_string()))?
            }
        };
        if header.format != FORMAT {
            return Err(invalid(format!(
                "format is {:?}, not {FORMAT:?}",
                header.format
            )));
        }
        if header.version != VERSION {
            return Err(invalid(format!(
                "version {} is not supported (this build reads version {VERSION})",
                header.version
            )));
        }
        parsed.map_err(|error| invalid(error.to_string()))
    }

    /// Reads every spool file of a session directory, in file-name order.
    pub fn read_session(session_dir: &Path) -> Result<Vec<SpoolFile>, SpoolError> {
        let entries = std::fs::read_dir(session_dir).map_err(|source| SpoolError::Io {
            action: "list",
            path: session_dir.to_owned(),
            source,
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                path.extension().is_some_and(|ext| ext == "json")
                    && !name.starts_with('.')
                    && name != crate::export::journal::FILE_NAME
            })
            .collect();
        paths.sort();
        paths.iter().map(|path| SpoolFile::read(path)).collect()
    }
}

#[derive(Deserialize)]
struct Header {
    format: String,
    version: u32,
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), SpoolError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let io = |action, source| SpoolError::Io {
        action,
        path: path.to_owned(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|source| io("create the directory of", source))?;
    let temporary = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let mut file = std::fs::File::create(&temporary).map_err(|source| io("create", source))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|source| io("write", source))?;
    std::fs::rename(&temporary, path).map_err(|source| io("rename into", source))
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn round_trips_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample().write_to(dir.path()).unwrap();
        assert_eq!(path.file_name().unwrap(), "checkout-7.json");
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
    }
}
