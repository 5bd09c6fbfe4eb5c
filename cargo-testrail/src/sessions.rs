//! Session directories: the latest one (named in `sessions/LATEST`), or those named on the
//! command line (a spool file stands for its directory), each read and checked.

use std::path::{Path, PathBuf};

use testrail_export::session_dir_of;
use testrail_formats::spool::{self, ReadSpool, SpoolFile};

use crate::context::Workspace;
use crate::error::CliError;
use crate::output;

/// A session directory and its spool files.
#[derive(Debug)]
pub struct SessionDir {
    /// The directory.
    pub dir: PathBuf,
    /// The session key (the directory's name).
    pub key: String,
    /// The names of its spool files, sorted.
    pub names: Vec<String>,
    /// Its spool files, in the same order.
    pub files: Vec<SpoolFile>,
}

/// The sessions named by `paths`, or the latest one when there are none. The same
/// directory named twice counts once.
pub fn resolve(workspace: &Workspace, paths: &[PathBuf]) -> Result<Vec<SessionDir>, CliError> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if paths.is_empty() {
        dirs.push(latest(workspace)?);
    }
    for path in paths {
        let dir = session_dir_of(path);
        let canonical = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        if !dirs
            .iter()
            .any(|known| known.canonicalize().ok().as_ref() == Some(&canonical))
        {
            dirs.push(dir);
        }
    }
    dirs.iter().map(|dir| read(dir)).collect()
}

/// The latest session's directory.
pub fn latest(workspace: &Workspace) -> Result<PathBuf, CliError> {
    let testrail_dir = workspace.testrail_dir();
    let marker = testrail_dir.latest_marker();
    let key =
        std::fs::read_to_string(&marker).map_err(|_| CliError::NoLatestSession(marker.clone()))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(CliError::NoLatestSession(marker));
    }
    Ok(testrail_dir.session(key))
}

/// Reads a session directory; it must hold at least one exportable spool file. Says what
/// reading found: dry runs left out, processes that ended during a test, processes still
/// writing.
pub fn read(dir: &Path) -> Result<SessionDir, CliError> {
    let not_a_session = |reason: String| CliError::NotASession {
        path: dir.to_owned(),
        reason,
    };
    if !dir.is_dir() {
        return Err(not_a_session("no such directory".into()));
    }
    let names = spool::file_names(dir).map_err(|error| not_a_session(error.to_string()))?;
    let dry_runs = spool::dry_run_names(dir).map_err(|error| not_a_session(error.to_string()))?;
    if !dry_runs.is_empty() && !names.is_empty() {
        output::note(format!(
            "{}: left out {} spool file(s) of dry runs (--testrail-dry-run), whose outcomes are never sent: {}",
            dir.display(),
            dry_runs.len(),
            dry_runs.join(", ")
        ));
    }
    let mut files = Vec::new();
    for name in &names {
        let path = dir.join(name);
        let read = SpoolFile::read_with_notes(&path).map_err(|error| CliError::DamagedSpool {
            reason: error.to_string(),
            path,
        })?;
        note_how_it_ended(name, &read);
        files.push(read.file);
    }
    if files.is_empty() {
        return Err(not_a_session(match dry_runs.is_empty() {
            true => "it holds no spool files".into(),
            false => format!(
                "it holds only the outcomes of dry runs ({}), which are never sent; run the tests without --testrail-dry-run to report them",
                dry_runs.join(", ")
            ),
        }));
    }
    // The key the spool files carry, not the directory's name: results in TestRail are
    // recognised by it, and a directory gathered from CI artifacts may have been renamed.
    let mut keys: Vec<&str> = files.iter().map(|file| file.session.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    let key = match keys.as_slice() {
        [key] => (*key).to_owned(),
        _ => {
            return Err(not_a_session(format!(
                "its spool files belong to several sessions ({}): keep one session per directory",
                keys.join(", ")
            )));
        }
    };
    Ok(SessionDir {
        dir: dir.to_owned(),
        key,
        names,
        files,
    })
}

/// Says how a spool file's process ended when it did not reach its end.
fn note_how_it_ended(name: &str, read: &ReadSpool) {
    if read.in_progress {
        output::warn(format!(
            "{name}: process {} is still running its tests; only the tests it has finished are sent (upload again when it is done for the rest)",
            read.file.pid
        ));
    } else if read.ended_early {
        let during = match read.interrupted.as_slice() {
            [] => "between tests".to_owned(),
            tests => format!(
                "during {} (reported with run result Error: the process ended during this test)",
                tests.join(", ")
            ),
        };
        output::warn(format!(
            "{name}: process {} of {} ended before its harness finished, {during}; tests it had not started are not reported",
            read.file.pid, read.file.binary
        ));
    }
}
