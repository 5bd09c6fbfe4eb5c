//! Where the command runs: the cargo workspace (root and target directory), the testrail
//! directory (`TESTRAIL_DIR`, else `<target>/testrail`), and the merged configuration.

use std::path::{Path, PathBuf};
use std::process::Command;

use testrail_export::config::Config;
use testrail_formats::session::TestrailDir;

use crate::error::CliError;
use crate::settings::ExportSettings;

/// The workspace a command works on.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// The workspace root (where `testrail.lock` lives).
    pub root: PathBuf,
    /// The cargo target directory.
    pub target_dir: PathBuf,
}

/// `cargo metadata --no-deps` of the workspace around the current directory, offline;
/// `None` when it fails (no workspace, a broken manifest).
pub fn cargo_metadata() -> Option<serde_json::Value> {
    let output = cargo()
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| serde_json::from_slice(&output.stdout).ok())
        .flatten()
}

/// The `cargo` to run: the one that ran us, else the one on `PATH`.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

impl Workspace {
    /// Asks `cargo metadata` where the workspace and its target directory are; outside a
    /// workspace the current directory and `./target` stand in.
    pub fn locate() -> Workspace {
        let current = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let metadata = cargo_metadata();
        let path = |key: &str| {
            metadata
                .as_ref()
                .and_then(|value| value.get(key))
                .and_then(|value| value.as_str())
                .map(PathBuf::from)
        };
        match (path("workspace_root"), path("target_directory")) {
            (Some(root), Some(target_dir)) => Workspace { root, target_dir },
            _ => Workspace {
                target_dir: current.join("target"),
                root: current,
            },
        }
    }

    /// The testrail directory: `TESTRAIL_DIR`, else `testrail/` in the target directory.
    pub fn testrail_dir(&self) -> TestrailDir {
        match std::env::var_os("TESTRAIL_DIR").filter(|dir| !dir.is_empty()) {
            Some(dir) => TestrailDir(PathBuf::from(dir)),
            None => TestrailDir(self.target_dir.join("testrail")),
        }
    }

    /// Where TestRail data is cached.
    pub fn cache_dir(&self) -> PathBuf {
        self.testrail_dir().0.join("cache")
    }

    /// `testrail.lock` at the workspace root.
    pub fn lock_file(&self) -> PathBuf {
        self.root.join("testrail.lock")
    }
}

/// The configuration: `testrail.toml` (nearest to the current directory, or
/// `TESTRAIL_CONFIG`), then the environment, then the command's flags. Prints a line on
/// standard error for each former setting name it read ([`Config::deprecations`]).
pub fn config(settings: &ExportSettings) -> Result<Config, CliError> {
    let start = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let config = Config::load(&start, &settings.flags)?;
    for line in &config.deprecations {
        eprintln!("{line}");
    }
    Ok(config)
}

/// A path shown relative to the current directory when it is inside it.
pub fn display_path(path: &Path) -> String {
    let current = std::env::current_dir().unwrap_or_default();
    path.strip_prefix(&current)
        .map(|relative| relative.display().to_string())
        .unwrap_or_else(|_| path.display().to_string())
}
