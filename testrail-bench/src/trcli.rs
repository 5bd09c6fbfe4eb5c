//! TestRail's CLI, trcli 1.15.3 from PyPI, in the virtual environment the conformance
//! script uses (`target/trcli-venv`, installed the same way when missing), run unchanged
//! against a simulator.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::measure::{self, Measured};

/// The pinned version (as in `.ci/trcli-conformance.sh`).
pub const VERSION: &str = "1.15.3";

/// The virtual environment.
pub fn venv() -> PathBuf {
    crate::workspace_root().join("target").join("trcli-venv")
}

/// The trcli executable, installing it into [`venv`] when missing or another version.
pub fn ensure() -> Result<PathBuf, String> {
    let venv = venv();
    let pip = venv.join("bin").join("pip");
    let installed = Command::new(&pip)
        .args(["show", "trcli"])
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("Version: ").map(str::to_owned))
        });
    if installed.as_deref() != Some(VERSION) {
        eprintln!("installing trcli {VERSION} into {}", venv.display());
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .map_err(|e| format!("python3 -m venv: {e}"))?;
        if !status.success() {
            return Err("python3 -m venv failed".into());
        }
        let status = Command::new(&pip)
            .args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("trcli=={VERSION}"),
            ])
            .status()
            .map_err(|e| format!("pip install: {e}"))?;
        if !status.success() {
            return Err(format!("pip install trcli=={VERSION} failed"));
        }
    }
    Ok(venv.join("bin").join("trcli"))
}

/// A HOME whose version cache says trcli is current, so it never asks PyPI at start.
pub fn home(dir: &Path) -> PathBuf {
    let home = dir.join("trcli-home");
    std::fs::create_dir_all(home.join(".trcli")).expect("trcli's HOME can be created");
    let now = std::process::Command::new("python3")
        .args([
            "-c",
            "import datetime; print(datetime.datetime.now().isoformat())",
        ])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default();
    std::fs::write(
        home.join(".trcli").join("version_cache.json"),
        serde_json::json!({"last_check": now, "latest_version": VERSION}).to_string(),
    )
    .expect("trcli's version cache can be written");
    home
}

/// What one trcli run did.
#[derive(Debug)]
pub struct Ran {
    /// Its cost.
    pub measured: Measured,
    /// stdout and stderr.
    pub output: String,
}

impl Ran {
    /// The last meaningful line of its output (its error, for a failed run).
    pub fn last_line(&self) -> String {
        self.output
            .lines()
            .rev()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .unwrap_or_default()
            .to_owned()
    }
}

/// Runs `trcli parse_junit` for `junit` into a new run of suite 1 of project "Shop" on
/// `sim`, with extra global options (before the command).
pub fn parse_junit(
    trcli: &Path,
    home: &Path,
    sim: &testrail_sim::Simulator,
    junit: &Path,
    global: &[&str],
    work: &Path,
) -> Ran {
    let out_path = work.join(format!(
        "trcli-{}.out",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    let out = std::fs::File::create(&out_path).expect("the output file can be created");
    let err = out.try_clone().expect("the output file can be shared");
    let mut command = Command::new(trcli);
    command
        .args(["-y", "-h", sim.base_url(), "--project", "Shop"])
        .args(["-u", sim.email(), "-k", sim.api_key()])
        .args(global)
        .args(["parse_junit", "-f"])
        .arg(junit)
        .args([
            "--case-matcher",
            "name",
            "--suite-id",
            "1",
            "--title",
            "bench",
        ])
        .env("HOME", home)
        .current_dir(work);
    let measured = measure::run(
        &command,
        Stdio::from(out),
        Stdio::from(err),
        Some(Duration::from_secs(1800)),
    )
    .expect("trcli can be started");
    let output = std::fs::read_to_string(&out_path).unwrap_or_default();
    let _ = std::fs::remove_file(&out_path);
    Ran { measured, output }
}
