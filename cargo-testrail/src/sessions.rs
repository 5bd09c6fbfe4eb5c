//! Session directories: the latest one (named in `sessions/LATEST`), or those named on the
//! command line (a spool file stands for its directory), each read and checked.

use std::path::{Path, PathBuf};

use testrail_harness::export::{journal, session_dir_of};
use testrail_harness::spool::SpoolFile;

use crate::context::Workspace;
use crate::error::CliError;

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

/// Reads a session directory; it must hold at least one spool file.
pub fn read(dir: &Path) -> Result<SessionDir, CliError> {
    let not_a_session = |reason: String| CliError::NotASession {
        path: dir.to_owned(),
        reason,
    };
    if !dir.is_dir() {
        return Err(not_a_session("no such directory".into()));
    }
    let names = spool_names(dir).map_err(|error| not_a_session(error.to_string()))?;
    let files = names
        .iter()
        .map(|name| SpoolFile::read(&dir.join(name)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| not_a_session(error.to_string()))?;
    if files.is_empty() {
        return Err(not_a_session("it holds no spool files".into()));
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

/// The spool files of a session directory, by name, sorted: every `.json` file except
/// hidden ones and the export journal (which `SpoolFile::read_session` would take for a
/// spool file).
pub fn spool_names(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| {
            name.ends_with(".json") && !name.starts_with('.') && name != journal::FILE_NAME
        })
        .collect();
    names.sort();
    Ok(names)
}
