//! Isolation: every attempt of every test in a child process of the same test binary
//! (`--testrail-isolate`, `TESTRAIL_ISOLATE=1`, `isolate = true` in `testrail.toml`).
//!
//! The parent runs libtest-mimic as usual (filters, `--test-threads`, retries, the spool);
//! each attempt of a selected test starts the test binary again with the hidden arguments
//! `--testrail-child <test path> <attempt> <channel file>`. The child runs that one attempt
//! in-process ([`crate::attempt::run`]) and writes to the channel file, one JSON line each,
//! every step as it is entered and exited, then the attempt and what the body recorded
//! (bug label, comments, defects, result fields). The child's stdout and stderr go, as one
//! stream in the order they were written, to a file the parent reads when the child ends
//! (unless `--nocapture`: then they are the parent's own).
//!
//! A child that ends without the attempt's record crashed: an abort, a segmentation fault,
//! `std::process::exit`. That attempt fails with run result Error, its message names the
//! exit code or the signal, its steps are those the channel file holds (the ones still open
//! closed as Stopped), and the other tests go on. A test with a `timeout` ends its child
//! itself when the timeout passes (the abandoned body ends with the process); a child that
//! outlives its timeout by [`KILL_GRACE`] is killed, and the attempt is Stopped.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use testrail_formats::config_file::{self, TopLevel, asks};

use crate::attempt::{self, AttemptRun, humanize};
use crate::context::{self, Recorder};
use crate::outcome::{Attempt, BugLabel, Location, RunResult, StepOutcome, StepStatus};
use crate::registry::{self, TestDef};

/// The harness flag that asks for isolation.
pub const FLAG: &str = "--testrail-isolate";
/// The environment variable that asks for isolation.
pub const ENV: &str = "TESTRAIL_ISOLATE";
/// The key of `testrail.toml` that asks for isolation.
pub const KEY: &str = "isolate";
/// The hidden first argument of a child process: `--testrail-child <path> <attempt> <channel>`.
pub const CHILD_FLAG: &str = "--testrail-child";

/// How long a child may outlive its test's `timeout` (which it enforces itself) before the
/// parent kills it: room for starting the process and for an async body that blocks its
/// thread.
pub const KILL_GRACE: Duration = Duration::from_secs(2);

/// How much of a test's output goes into its TestRail comment: the last 4 KiB.
pub const COMMENT_OUTPUT_BYTES: usize = 4096;

/// Whether isolation was asked for, and by what: `--testrail-isolate` (taken out of `args`;
/// `--testrail-isolate=false` switches it off), else `TESTRAIL_ISOLATE`, else `isolate` in
/// the configuration file that applies to `manifest_dir`. `None` when it is off.
pub fn asked(args: &mut Vec<String>, manifest_dir: &Path) -> Option<String> {
    let mut flag: Option<(bool, String)> = None;
    args.retain(|arg| {
        let value = match arg.split_once('=') {
            Some((FLAG, value)) => value,
            None if arg == FLAG => "true",
            _ => return true,
        };
        flag = Some((asks(value), arg.clone()));
        false
    });
    if let Some((on, by)) = flag {
        return on.then_some(by);
    }
    if let Some(value) = std::env::var(ENV)
        .ok()
        .filter(|value| !value.trim().is_empty())
    {
        return asks(&value).then(|| format!("{ENV}={value}"));
    }
    let path = config_file::locate(manifest_dir)?;
    let text = std::fs::read_to_string(&path).ok()?;
    TopLevel::new(&text)
        .get(KEY)
        .filter(|value| asks(value))
        .map(|value| format!("{KEY} = {value} in {}", path.display()))
}

/// One line of the channel file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Record {
    /// A step was entered.
    Entered {
        id: u64,
        parent: Option<u64>,
        name: String,
        case_ids: Vec<u64>,
        defined_at: Option<Location>,
        /// Milliseconds since the channel was opened.
        at_ms: u64,
    },
    /// A step was exited (its children were recorded before it).
    Exited {
        id: u64,
        status: StepStatus,
        message: Option<String>,
        location: Option<Location>,
        elapsed_ms: u64,
    },
    /// The attempt ended.
    Ended(End),
}

/// The last record of a child: its attempt, and what the body recorded about itself.
#[derive(Debug, Serialize, Deserialize)]
struct End {
    attempt: Attempt,
    label: Option<BugLabel>,
    comments: Vec<String>,
    defects: Vec<String>,
    fields: BTreeMap<String, serde_json::Value>,
    /// The files the attempt attached (written by `attach_bytes` into the parent's
    /// directory, [`ATTACHMENTS_DIR_ENV`]).
    #[serde(default)]
    attachments: Vec<crate::outcome::Attachment>,
}

/// Tells a child where `attach_bytes` writes: the parent's directory under the session.
const ATTACHMENTS_DIR_ENV: &str = "TESTRAIL_CHILD_ATTACHMENTS_DIR";

/// The channel of a child process: open for the one attempt it runs.
struct Channel {
    file: Mutex<File>,
    opened: Instant,
}

static CHANNEL: OnceLock<Channel> = OnceLock::new();

impl Channel {
    fn write(&self, record: &Record) {
        let Ok(mut line) = serde_json::to_vec(record) else {
            return;
        };
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        // Unbuffered: what is written before a crash is in the file.
        if let Err(error) = file.write_all(&line) {
            eprintln!("testrail: could not write to the isolation channel: {error}");
        }
    }
}

/// In a child process, writes that step `id` (under `parent`) was entered; elsewhere does
/// nothing.
pub(crate) fn step_entered(
    id: u64,
    parent: Option<u64>,
    name: &str,
    case_ids: &[u64],
    defined_at: Option<&Location>,
) {
    if let Some(channel) = CHANNEL.get() {
        channel.write(&Record::Entered {
            id,
            parent,
            name: name.to_owned(),
            case_ids: case_ids.to_vec(),
            defined_at: defined_at.cloned(),
            at_ms: context::millis(channel.opened.elapsed()),
        });
    }
}

/// In a child process, writes how step `id` ended; elsewhere does nothing.
pub(crate) fn step_exited(id: u64, step: &StepOutcome) {
    if let Some(channel) = CHANNEL.get() {
        channel.write(&Record::Exited {
            id,
            status: step.status,
            message: step.message.clone(),
            location: step.location.clone(),
            elapsed_ms: step.elapsed_ms,
        });
    }
}

/// The child's `main`, when `args` (program name first) start with [`CHILD_FLAG`]: runs
/// the one attempt they name and writes it to the channel file. `None` for any other
/// process.
pub fn child_main(args: &[String]) -> Option<ExitCode> {
    let [_, flag, path, number, channel] = args else {
        return (args.get(1).map(String::as_str) == Some(CHILD_FLAG)).then(|| {
            eprintln!(
                "testrail: {CHILD_FLAG} is the harness's own argument for isolated tests: `{CHILD_FLAG} <test path> <attempt> <channel file>`"
            );
            ExitCode::from(2)
        });
    };
    if flag != CHILD_FLAG {
        return None;
    }
    let Some(def) = registry::tests()
        .into_iter()
        .find(|def| def.path() == *path)
    else {
        eprintln!("testrail: no test named {path} in this binary");
        return Some(ExitCode::from(2));
    };
    let Ok(number) = number.parse::<u32>() else {
        eprintln!("testrail: attempt {number:?} is not a number");
        return Some(ExitCode::from(2));
    };
    let file = match File::create(channel) {
        Ok(file) => file,
        Err(error) => {
            eprintln!("testrail: could not create the isolation channel {channel}: {error}");
            return Some(ExitCode::from(2));
        }
    };
    if let Some(dir) = std::env::var_os(ATTACHMENTS_DIR_ENV) {
        crate::attach::set_bytes_dir(PathBuf::from(dir));
    }
    let channel = CHANNEL.get_or_init(|| Channel {
        file: Mutex::new(file),
        opened: Instant::now(),
    });
    let run = crate::runner::on_named_thread(def.path(), || attempt::run(def, number));
    let recorder = context::lock(&run.recorder);
    channel.write(&Record::Ended(End {
        attempt: run.attempt,
        label: recorder.label,
        comments: recorder.comments.clone(),
        defects: recorder.defects.clone(),
        fields: recorder.fields.clone(),
        attachments: recorder.attachments.clone(),
    }));
    let _ = std::io::stdout().flush();
    // A body abandoned at its timeout ends with the process.
    Some(ExitCode::SUCCESS)
}

/// Runs attempts in child processes: the parent's side.
pub struct Isolated {
    exe: PathBuf,
    dir: tempfile::TempDir,
    next: AtomicU64,
    nocapture: bool,
}

/// Why isolation cannot start.
#[derive(Debug, thiserror::Error)]
pub enum IsolateError {
    /// The test binary's own path is not known.
    #[error(
        "cannot find this test binary's own path to start its tests in their own processes ({0}); run without --testrail-isolate / TESTRAIL_ISOLATE / isolate = true"
    )]
    Exe(std::io::Error),
    /// No directory for the children's output.
    #[error(
        "cannot create a temporary directory for the output of isolated tests ({0}); check TMPDIR, or run without isolation"
    )]
    TempDir(std::io::Error),
}

impl Isolated {
    /// Prepares to start children of this test binary; with `nocapture`, their stdout and
    /// stderr are this process's own.
    pub fn new(nocapture: bool) -> Result<Isolated, IsolateError> {
        Ok(Isolated {
            exe: std::env::current_exe().map_err(IsolateError::Exe)?,
            dir: tempfile::Builder::new()
                .prefix("testrail-isolate-")
                .tempdir()
                .map_err(IsolateError::TempDir)?,
            next: AtomicU64::new(0),
            nocapture,
        })
    }

    /// Runs attempt `number` of `def` in a child process.
    pub fn attempt(&self, def: &'static TestDef, number: u32) -> AttemptRun {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let channel = self.dir.path().join(format!("{n}.jsonl"));
        let out = self.dir.path().join(format!("{n}.out"));
        let started = Instant::now();
        let ended = self.run_child(def, number, &channel, &out);
        let elapsed_ms = context::millis(started.elapsed());
        let records = read_records(&channel);
        let output = match self.nocapture {
            true => String::new(),
            false => std::fs::read(&out)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default(),
        };
        let _ = std::fs::remove_file(&channel);
        let _ = std::fs::remove_file(&out);
        let recorder = Recorder::new(&def.path(), None);
        let attempt = match (ended, records) {
            (
                _,
                Records {
                    ended: Some(end), ..
                },
            ) => {
                let mut recorder = context::lock(&recorder);
                recorder.label = end.label;
                recorder.comments = end.comments;
                recorder.defects = end.defects;
                recorder.fields = end.fields;
                recorder.attachments = end.attachments;
                end.attempt
            }
            (ended, Records { steps, .. }) => {
                let (run_result, message) = match ended {
                    Ok(ChildEnd::Exited(status)) => (RunResult::Error, crash_message(status)),
                    Ok(ChildEnd::Killed(timeout)) => (
                        RunResult::Stopped,
                        format!(
                            "timed out after {}; the test's process did not end by itself {} later and was killed",
                            humanize(timeout),
                            humanize(KILL_GRACE)
                        ),
                    ),
                    Err(message) => (RunResult::Error, message),
                };
                let (steps, failed_step) = rebuild_steps(steps, elapsed_ms);
                Attempt {
                    number,
                    run_result,
                    passed: false,
                    message: Some(message),
                    location: None,
                    failed_step,
                    elapsed_ms,
                    steps,
                }
            }
        };
        AttemptRun {
            attempt,
            recorder,
            output,
        }
    }

    /// Starts the child and waits for it to end (killing it past its timeout's grace).
    fn run_child(
        &self,
        def: &TestDef,
        number: u32,
        channel: &Path,
        out: &Path,
    ) -> Result<ChildEnd, String> {
        let mut command = Command::new(&self.exe);
        command
            .arg(CHILD_FLAG)
            .arg(def.path())
            .arg(number.to_string())
            .arg(channel)
            .env(ATTACHMENTS_DIR_ENV, crate::attach::bytes_dir())
            .stdin(Stdio::null());
        if !self.nocapture {
            let file = File::create(out)
                .map_err(|error| format!("could not create {}: {error}", out.display()))?;
            let copy = file
                .try_clone()
                .map_err(|error| format!("could not share {}: {error}", out.display()))?;
            command.stdout(copy).stderr(file);
        }
        let mut child = command.spawn().map_err(|error| {
            format!(
                "could not start the test's own process ({}): {error}",
                self.exe.display()
            )
        })?;
        match def.timeout {
            None => child
                .wait()
                .map(ChildEnd::Exited)
                .map_err(|error| format!("could not wait for the test's process: {error}")),
            Some(timeout) => wait_until(&mut child, timeout),
        }
    }
}

/// How a child ended.
enum ChildEnd {
    /// By itself.
    Exited(ExitStatus),
    /// Killed after outliving its timeout by [`KILL_GRACE`].
    Killed(Duration),
}

/// Waits for `child` until its timeout and the grace have passed, then kills it.
fn wait_until(child: &mut Child, timeout: Duration) -> Result<ChildEnd, String> {
    let deadline = Instant::now() + timeout + KILL_GRACE;
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(ChildEnd::Exited(status)),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Ok(ChildEnd::Killed(timeout));
            }
            Ok(None) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(error) => return Err(format!("could not wait for the test's process: {error}")),
        }
    }
}

/// What a crashed child's exit says.
fn crash_message(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!(
            "the test's process exited with code {code} before the test ended (std::process::exit in the test or in code it called?)"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(signal) = status.signal() {
            return format!(
                "the test's process was killed by signal {signal}{} before the test ended",
                signal_name(signal)
                    .map(|name| format!(" ({name})"))
                    .unwrap_or_default()
            );
        }
    }
    format!("the test's process ended ({status}) before the test ended")
}

#[cfg(unix)]
fn signal_name(signal: i32) -> Option<&'static str> {
    Some(match signal {
        libc::SIGABRT => "SIGABRT, an abort",
        libc::SIGSEGV => "SIGSEGV, a segmentation fault",
        libc::SIGBUS => "SIGBUS, a bus error",
        libc::SIGILL => "SIGILL, an illegal instruction",
        libc::SIGFPE => "SIGFPE, an arithmetic error",
        libc::SIGKILL => "SIGKILL",
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        _ => return None,
    })
}

/// The records of a channel file: the step records, and the end when it was written.
#[derive(Default)]
struct Records {
    steps: Vec<Record>,
    ended: Option<End>,
}

/// Reads a channel file; a line cut short by a crash is left out.
fn read_records(path: &Path) -> Records {
    let mut records = Records::default();
    let Ok(file) = File::open(path) else {
        return records;
    };
    for line in std::io::BufReader::new(file).lines() {
        let Ok(line) = line else { break };
        match serde_json::from_str::<Record>(&line) {
            Ok(Record::Ended(end)) => records.ended = Some(end),
            Ok(step) => records.steps.push(step),
            Err(_) => break,
        }
    }
    records
}

/// The steps of a crashed attempt from its step records, the way the recorder nests them:
/// those still open at the crash (`crash_ms` after the start) are closed as Stopped,
/// innermost first. Also the innermost step that failed, else the innermost one open at the
/// crash.
fn rebuild_steps(records: Vec<Record>, crash_ms: u64) -> (Vec<StepOutcome>, Option<String>) {
    struct Open {
        id: u64,
        parent: Option<u64>,
        at_ms: u64,
        step: StepOutcome,
    }
    fn place(
        open: &mut [Open],
        top: &mut Vec<StepOutcome>,
        parent: Option<u64>,
        step: StepOutcome,
    ) {
        match open.iter_mut().rev().find(|o| Some(o.id) == parent) {
            Some(parent) => parent.step.steps.push(step),
            None => top.push(step),
        }
    }
    let mut open: Vec<Open> = Vec::new();
    let mut top = Vec::new();
    let mut failed_step = None;
    for record in records {
        match record {
            Record::Entered {
                id,
                parent,
                name,
                case_ids,
                defined_at,
                at_ms,
            } => open.push(Open {
                id,
                parent,
                at_ms,
                step: StepOutcome {
                    name: name.into(),
                    case_ids,
                    defined_at,
                    status: StepStatus::Stopped,
                    message: None,
                    location: None,
                    elapsed_ms: 0,
                    steps: Vec::new(),
                },
            }),
            Record::Exited {
                id,
                status,
                message,
                location,
                elapsed_ms,
            } => {
                let Some(position) = open.iter().rposition(|o| o.id == id) else {
                    continue;
                };
                let mut closed = open.remove(position);
                if status == StepStatus::Failed && failed_step.is_none() {
                    failed_step = Some(closed.step.name.to_string());
                }
                closed.step.status = status;
                closed.step.message = message;
                closed.step.location = location;
                closed.step.elapsed_ms = elapsed_ms;
                place(&mut open, &mut top, closed.parent, closed.step);
            }
            Record::Ended(_) => {}
        }
    }
    if failed_step.is_none() {
        failed_step = open.last().map(|o| o.step.name.to_string());
    }
    while let Some(mut closed) = open.pop() {
        closed.step.elapsed_ms = crash_ms.saturating_sub(closed.at_ms);
        place(&mut open, &mut top, closed.parent, closed.step);
    }
    (top, failed_step)
}

/// The comment line holding a test's output: ANSI escapes stripped, the last
/// [`COMMENT_OUTPUT_BYTES`] bytes, with a note saying how much was cut.
pub fn output_comment(output: &str) -> String {
    let stripped = String::from_utf8_lossy(&strip_ansi_escapes::strip(output)).into_owned();
    let stripped = stripped.trim_end();
    let mut start = stripped.len().saturating_sub(COMMENT_OUTPUT_BYTES);
    while !stripped.is_char_boundary(start) {
        start += 1;
    }
    let heading = match start {
        0 => "Output (stdout and stderr):".to_owned(),
        cut => format!(
            "Output (stdout and stderr), its last {} bytes ({cut} of {} cut; the terminal showed all of it):",
            stripped.len() - cut,
            stripped.len()
        ),
    };
    format!("{heading}\n{}", &stripped[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entered(id: u64, parent: Option<u64>, name: &str, at_ms: u64) -> Record {
        Record::Entered {
            id,
            parent,
            name: name.to_owned(),
            case_ids: vec![id],
            defined_at: None,
            at_ms,
        }
    }

    fn exited(id: u64, status: StepStatus) -> Record {
        Record::Exited {
            id,
            status,
            message: None,
            location: None,
            elapsed_ms: 5,
        }
    }

    #[test]
    fn steps_open_at_a_crash_are_stopped_and_nested() {
        let records = vec![
            entered(1, None, "log in", 0),
            exited(1, StepStatus::Passed),
            entered(2, None, "pay", 10),
            entered(3, Some(2), "charge card", 12),
        ];
        let (steps, failed) = rebuild_steps(records, 40);
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].status, StepStatus::Passed);
        assert_eq!(steps[1].name, "pay");
        assert_eq!(steps[1].status, StepStatus::Stopped);
        assert_eq!(steps[1].elapsed_ms, 30);
        assert_eq!(steps[1].steps[0].name, "charge card");
        assert_eq!(steps[1].steps[0].elapsed_ms, 28);
        assert_eq!(failed.as_deref(), Some("charge card"));
    }

    #[cfg(unix)]
    #[test]
    fn a_process_that_outlives_its_timeout_by_the_grace_is_killed() {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let started = Instant::now();
        let ended = wait_until(&mut child, Duration::from_millis(10)).unwrap();
        assert!(matches!(ended, ChildEnd::Killed(_)));
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not waited out"
        );
        assert!(child.try_wait().unwrap().is_some(), "reaped");
    }

    #[test]
    fn long_output_keeps_its_end_without_escapes() {
        let output = format!("\x1b[31m{}\x1b[0m\nlast line é\n", "x".repeat(10_000));
        let comment = output_comment(&output);
        assert!(comment.ends_with("last line é"), "{comment}");
        assert!(!comment.contains('\x1b'));
        let (heading, kept) = comment.split_once('\n').unwrap();
        assert_eq!(kept.len(), COMMENT_OUTPUT_BYTES);
        assert!(heading.contains("(5917 of 10013 cut"), "{heading}");
        assert_eq!(output_comment("hi\n"), "Output (stdout and stderr):\nhi");
    }
}
