//! Tests whose process may end in the middle: with `SCENARIO_END=exit|exit0|abort|segfault|kill`,
//! `m_ends_the_process` ends the whole process (by `std::process::exit(3)` or `exit(0)`, an abort, a
//! segmentation fault or a SIGKILL) inside a step, while `n_slow` is still running. Without
//! it, every test ends normally. Run with `--test-threads=5`, so that every test starts at
//! once; the process ends after the quick tests have.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use testrail::{case, step};

/// How many of the three quick tests have ended.
static QUICK_DONE: AtomicUsize = AtomicUsize::new(0);

/// Counts a quick test as done when its body ends, even by a panic.
struct Done;

impl Drop for Done {
    fn drop(&mut self) {
        QUICK_DONE.fetch_add(1, Ordering::SeqCst);
    }
}

#[case(C111)]
fn a_passes() {
    let _done = Done;
}

#[case(C112)]
fn b_fails() {
    let _done = Done;
    assert_eq!(1 + 1, 3, "arithmetic is broken");
}

#[case(C113)]
fn c_passes_with_a_linked_step() {
    let _done = Done;
    checks_the_cart();
}

#[step(C114)]
fn checks_the_cart() {}

#[case(C115)]
fn m_ends_the_process() {
    ends_the_process();
}

#[step]
fn ends_the_process() {
    let Ok(how) = std::env::var("SCENARIO_END") else {
        return;
    };
    // Let the quick tests finish first (and the harness record them).
    while QUICK_DONE.load(Ordering::SeqCst) < 3 {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    match how.as_str() {
        "exit" => std::process::exit(3),
        // A "successful" exit in the middle of the tests must not make the run pass.
        "exit0" => std::process::exit(0),
        "abort" => std::process::abort(),
        // SAFETY: none; this is the point. A write through a null pointer is what a
        // segfaulting FFI call or unsafe bug does.
        "segfault" => unsafe { std::ptr::null_mut::<u64>().write_volatile(7) },
        "kill" => {
            let _ = std::process::Command::new("kill")
                .args(["-9", &std::process::id().to_string()])
                .status();
            std::thread::sleep(Duration::from_secs(10));
        }
        other => panic!("unknown SCENARIO_END {other:?}"),
    }
}

#[case(C116)]
fn n_slow() {
    if std::env::var_os("SCENARIO_END").is_some() {
        std::thread::sleep(Duration::from_secs(5));
    }
}

#[case(C117, ignore = "not yet")]
fn o_ignored() {}

testrail::main!();
