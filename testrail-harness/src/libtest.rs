//! The runtime of a `#[testrail::case]` or `#[testrail::test]` test that libtest's own
//! harness runs: a unit test in `src/` (or a `tests/*.rs` file without `harness = false`).
//!
//! Built with `cfg(test)`, the attribute turns the test into a `#[test]` function that
//! calls [`run`]. [`run`] runs the test as the harness does (attempts and retries, timeout,
//! `should_panic`, steps, comments, labels), writes its start and its outcome to this
//! process's spool file in the session directory, and panics with the failure report when
//! the test failed, which is how libtest learns that it failed.
//!
//! The spool file is the harness's (`<binary>-<pid>.jsonl`, one per process, one line per
//! event appended under a lock, so libtest's test threads write it safely) with
//! [`Header::libtest`] set: libtest has no hook at its end, so the file has no `end` line
//! and nothing is exported by the test binary. `cargo test` then `cargo testrail upload`
//! sends it. Nothing is printed into libtest's output, except one line on stderr when the
//! spool file cannot be written (then `upload` cannot send this process's outcomes), and
//! one when the step plans cannot be.
//!
//! A test that libtest ignores is never called, so it is not in the spool file: libtest's
//! own line (`test … ignored`) is all that says it was skipped.

use std::io::Write as _;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use testrail_formats::build::BuildInfo;
use testrail_formats::session::{Session, TestrailDir};
use testrail_formats::spool::SpoolWriter;

use crate::attempt;
use crate::panic_capture;
use crate::registry::TestDef;
use crate::runner;
use crate::step_plan::StepPlans;

/// What the tests of this process share: the spool file and the step plans.
struct Process {
    spool: SpoolWriter,
    plans: StepPlans,
}

static PROCESS: OnceLock<Process> = OnceLock::new();
/// Whether the line about a spool file that cannot be written was printed.
static SAID_UNSAVED: AtomicBool = AtomicBool::new(false);
/// Whether the line about step plans that cannot be written was printed.
static SAID_PLANS: AtomicBool = AtomicBool::new(false);

impl Process {
    /// The spool file of this process in its session, as the harness makes it (created at
    /// its first line).
    fn start(build: BuildInfo) -> Process {
        panic_capture::install_hook();
        let testrail_dir = TestrailDir::locate(build.target_tmpdir);
        let session = Session::current();
        let session_dir = testrail_dir.session(&session.key);
        let git_commit = crate::harness::git_commit_of_session(&session_dir, build.manifest_dir);
        let header = crate::harness::spool_header(&build, &session, git_commit, (false, true));
        Process {
            spool: SpoolWriter::new(&session_dir, header)
                .with_latest_marker(testrail_dir.latest_marker()),
            plans: StepPlans::new(&testrail_dir.step_plans(), build.package, build.binary),
        }
    }
}

/// Runs `def` on libtest's test thread: records its start and outcome in the spool, and
/// panics with the failure report (its message, location, failing step, attempts, run
/// result and bug label) when it failed. `build` is the test crate's, captured where the
/// attribute expanded.
///
/// # Panics
/// When the test failed: that is how libtest is told. The panic's location is the
/// caller's, the test's name.
#[track_caller]
pub fn run(def: &'static TestDef, build: BuildInfo) {
    let process = PROCESS.get_or_init(|| Process::start(build));
    process.spool.started(&runner::start_of(def));
    // On libtest's thread for the test, which is named after it; libtest captures what
    // the test prints, and the harness's capture (the attempts' panics) goes into the report.
    let (outcome, output) =
        runner::run_test(def, &process.plans, |number| attempt::run(def, number));
    let report = runner::failure_report(&outcome).map(|mut report| {
        if !output.trim().is_empty() {
            report.push_str(&format!("\n\n{}", output.trim_end()));
        }
        report
    });
    let saved = process.spool.finished(&outcome);
    process.plans.write_waiting();
    if !saved {
        say_unsaved(&process.spool);
    }
    if let Some((count, first)) = process.plans.unsaved()
        && !SAID_PLANS.swap(true, Ordering::SeqCst)
    {
        let _ = writeln!(
            std::io::stderr(),
            "testrail: could not save the step plans of {count} test(s) ({first}): steps that a later failing attempt does not reach will not be reported as not reached"
        );
    }
    if let Some(report) = report {
        panic!("{report}");
    }
}

/// Says once per process, on stderr past libtest's capture (which only takes `print!` and
/// `eprint!`), that outcomes are not being saved.
fn say_unsaved(spool: &SpoolWriter) {
    if SAID_UNSAVED.swap(true, Ordering::SeqCst) {
        return;
    }
    let reason = spool
        .failure()
        .unwrap_or_else(|| "the spool file could not be written".to_owned());
    let _ = writeln!(
        std::io::stderr(),
        "testrail: the outcomes of this test binary's testrail tests are not saved ({reason}): `cargo testrail upload` cannot send them; fix the cause (or set TESTRAIL_DIR to a writable directory) and run the tests again"
    );
}
