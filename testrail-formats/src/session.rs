//! Sessions: all processes of one `cargo test` or `cargo nextest run` invocation share one
//! spool directory, so their outcomes can be sent to TestRail as one run.
//!
//! The session key is, in order of preference:
//! 1. `TESTRAIL_SESSION`, when set (CI jobs set it to the build ID, so shards and retries
//!    of one build land in one session);
//! 2. `nextest-<NEXTEST_RUN_ID>` under cargo-nextest, which gives every process of one
//!    `cargo nextest run` the same run ID;
//! 3. `cargo-<pid>-<start time>` of the parent `cargo` process under plain `cargo test`,
//!    which runs every test binary as its direct child (the start time keeps a recycled PID
//!    from joining an old session);
//! 4. `process-<pid>-<start time>` of the test binary itself when it was started directly.

use std::path::{Path, PathBuf};

/// Where the harness keeps its files for one build directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestrailDir(pub PathBuf);

impl TestrailDir {
    /// `TESTRAIL_DIR` when set; else `testrail/` inside the cargo target directory that holds
    /// the running executable (found by its `CACHEDIR.TAG`); else inside the target directory
    /// known at compile time; else `target/testrail` under the current directory.
    pub fn locate(compile_time_target_tmpdir: Option<&str>) -> TestrailDir {
        if let Some(dir) = std::env::var_os("TESTRAIL_DIR") {
            return TestrailDir(PathBuf::from(dir));
        }
        let from_exe = std::env::current_exe().ok().and_then(|exe| {
            exe.ancestors()
                .skip(1)
                .find(|dir| dir.join("CACHEDIR.TAG").is_file())
                .map(Path::to_path_buf)
        });
        let from_compile_time = compile_time_target_tmpdir
            .map(Path::new)
            .and_then(Path::parent)
            .map(Path::to_path_buf);
        let target = from_exe
            .or(from_compile_time)
            .unwrap_or_else(|| PathBuf::from("target"));
        TestrailDir(target.join("testrail"))
    }

    /// The directory of session `key`.
    pub fn session(&self, key: &str) -> PathBuf {
        self.0.join("sessions").join(key)
    }

    /// Where step plans (the steps each test went through when it last passed) are kept.
    pub fn step_plans(&self) -> PathBuf {
        self.0.join("step-plans")
    }

    /// The file that names the most recent session.
    pub fn latest_marker(&self) -> PathBuf {
        self.0.join("sessions").join("LATEST")
    }
}

/// How the session key was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionSource {
    /// `TESTRAIL_SESSION`.
    Environment,
    /// `NEXTEST_RUN_ID`.
    Nextest,
    /// The parent `cargo` process.
    Cargo,
    /// The test process itself.
    Process,
}

/// The session this process belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The key, safe to use as a directory name.
    pub key: String,
    /// How it was chosen.
    pub source: SessionSource,
}

impl Session {
    /// The session of the running process (see the module documentation).
    pub fn current() -> Session {
        if let Some(key) = non_empty_env("TESTRAIL_SESSION") {
            return Session {
                key: sanitize(&key),
                source: SessionSource::Environment,
            };
        }
        if let Some(run_id) = non_empty_env("NEXTEST_RUN_ID") {
            return Session {
                key: format!("nextest-{}", sanitize(&run_id)),
                source: SessionSource::Nextest,
            };
        }
        if let Some((parent, name)) = parent()
            && name == "cargo"
        {
            return Session {
                key: format!("cargo-{parent}-{}", start_time(parent)),
                source: SessionSource::Cargo,
            };
        }
        let own = std::process::id();
        Session {
            key: format!("process-{own}-{}", start_time(own)),
            source: SessionSource::Process,
        }
    }
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// Keeps letters, digits, `-`, `_` and `.`; replaces anything else with `_`.
pub fn sanitize(key: &str) -> String {
    let cleaned: String = key
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match cleaned.trim_matches('.') {
        "" => "session".to_owned(),
        _ => cleaned,
    }
}

/// What this module needs to know about one process, read with [`sysinfo`] (from `/proc` on
/// Linux, `libproc` on macOS, the Toolhelp and process APIs on Windows).
struct ProcessFacts {
    /// The parent process, when known.
    parent: Option<u32>,
    /// The executable's name without a `.exe` suffix, e.g. `cargo`.
    name: String,
    /// Seconds since the Unix epoch; 0 when unknown.
    start_time: u64,
}

/// The facts of process `pid`, or `None` when it does not exist or cannot be read.
fn process_facts(pid: u32) -> Option<ProcessFacts> {
    use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};
    let pid = Pid::from_u32(pid);
    let mut system = System::new();
    system.refresh_processes_specifics(
        ProcessesToUpdate::Some(&[pid]),
        false,
        ProcessRefreshKind::nothing(),
    );
    let process = system.process(pid)?;
    let name = process.name().to_string_lossy();
    Some(ProcessFacts {
        parent: process.parent().map(Pid::as_u32),
        name: name.strip_suffix(".exe").unwrap_or(&name).to_owned(),
        start_time: process.start_time(),
    })
}

/// The parent of the running process and its name, e.g. `(4242, "cargo")`.
fn parent() -> Option<(u32, String)> {
    let parent = process_facts(std::process::id())?.parent?;
    Some((parent, process_facts(parent)?.name))
}

/// Whether process `pid`, started at `start` (see [`start_time`]), is still running. A start
/// time of 0 (unknown) never counts as running, so a file whose writer cannot be checked is
/// taken as finished.
pub fn is_running(pid: u32, start: u64) -> bool {
    start != 0 && start_time(pid) == start
}

/// The start time of a process in seconds since the Unix epoch, or 0 when the process does
/// not exist or cannot be read. With the PID it names one process: a recycled PID has a
/// later start time.
pub fn start_time(pid: u32) -> u64 {
    process_facts(pid).map_or(0, |facts| facts.start_time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_keeps_safe_characters_only() {
        assert_eq!(sanitize("build 42/main"), "build_42_main");
        assert_eq!(sanitize("../.."), ".._..");
        assert_eq!(sanitize(".."), "session");
        assert_eq!(sanitize("gh-123.4_a"), "gh-123.4_a");
    }

    #[test]
    fn own_start_time_is_known() {
        let own = std::process::id();
        assert!(start_time(own) > 0);
        assert!(is_running(own, start_time(own)));
        assert!(!is_running(own, start_time(own) + 1));
        assert!(
            !is_running(own, 0),
            "an unknown start time is never running"
        );
    }

    #[test]
    fn a_process_that_ended_is_not_running() {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .arg("--list")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id();
        let started = start_time(pid);
        child.wait().unwrap();
        assert!(started > 0);
        assert!(!is_running(pid, started));
    }

    #[test]
    fn the_parent_is_found_with_its_name() {
        let (pid, name) = parent().expect("the test process has a parent");
        assert!(
            pid > 0 && !name.is_empty() && !name.ends_with(".exe"),
            "{pid} {name}"
        );
    }
}
