//! A test that calls `std::process::exit` ends the whole test binary, and with `exit(0)` the
//! run would pass although tests never finished. While tests run, an `atexit` handler says
//! which tests were running and where their finished neighbours are kept, and makes the
//! exit code 101 (libtest's failure code), so that the run fails as it should.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::runner::Collected;

static WATCHED: OnceLock<&'static Collected> = OnceLock::new();
static DONE: AtomicBool = AtomicBool::new(false);

/// Watches for an exit while the tests of `collected` run (until [`tests_done`]).
pub fn watch(collected: &'static Collected) {
    if WATCHED.set(collected).is_ok() {
        register();
    }
}

/// The tests are done: an exit from now on is the harness's own.
pub fn tests_done() {
    DONE.store(true, Ordering::SeqCst);
}

#[cfg(unix)]
fn register() {
    // SAFETY: `atexit` only stores the function pointer; `on_exit` is a plain `extern "C"`
    // function that does not unwind.
    let registered = unsafe { libc::atexit(on_exit) };
    if registered != 0 {
        eprintln!(
            "testrail: could not watch for std::process::exit during tests; a test that exits with code 0 would end the run as passed"
        );
    }
}

/// Elsewhere there is no watch: the spool still keeps every finished test.
#[cfg(not(unix))]
fn register() {}

#[cfg(unix)]
extern "C" fn on_exit() {
    if DONE.load(Ordering::SeqCst) {
        return;
    }
    let Some(collected) = WATCHED.get() else {
        return;
    };
    let running = collected.running();
    let during = match running.as_slice() {
        [] => "between tests".to_owned(),
        tests => format!("during {}", tests.join(", ")),
    };
    let spool = collected.spool();
    let kept = match spool.failure() {
        None => format!(
            "the tests that finished are kept in {}; `cargo testrail upload` sends them, and the running ones as run result Error",
            spool.path().display()
        ),
        Some(reason) => format!("the outcomes could not be saved ({reason})"),
    };
    eprintln!(
        "testrail: the process is exiting (std::process::exit) {during}, before the tests finished: {kept}; the exit code is 101 so that this run does not pass"
    );
    // SAFETY: `_exit` ends the process at once; it is the one way to set the exit code
    // from an `atexit` handler (`exit` there is undefined behaviour).
    unsafe { libc::_exit(101) }
}
