//! Tests that print, fail, crash and hang, for the isolation mode (`--testrail-isolate`):
//! run in child processes, a crash or a hang ends only its own test.
//!
//! The crashes and the hang happen only with `SCENARIO_CRASH=1` (else those tests pass), so
//! that running this binary without isolation cannot end it. `SCENARIO_PID_FILE` names the
//! file where the hung test writes the ID of its process; `SCENARIO_DIR` is where the flaky
//! test remembers that it failed once (each isolated attempt is a new process).

use std::time::Duration;

use testrail::{case, step};

fn crashing() -> bool {
    std::env::var_os("SCENARIO_CRASH").is_some()
}

#[case(C401)]
fn a_passes_and_prints() {
    println!("printed by a passing test");
    eprintln!("and on its stderr");
}

#[case(C402)]
fn b_fails_and_prints() {
    println!("printed before failing, \x1b[31min red\x1b[0m");
    checks_the_total();
}

#[step]
fn checks_the_total() {
    assert_eq!(2 + 2, 5, "the total is wrong");
}

#[case(C403)]
fn c_aborts() {
    opens_the_door();
    calls_into_c();
}

#[step]
fn opens_the_door() {
    println!("the door is open");
}

#[step(C408)]
fn calls_into_c() {
    if crashing() {
        eprintln!("about to abort");
        std::process::abort();
    }
}

#[case(C404)]
fn d_exits() {
    if crashing() {
        println!("exiting with 3");
        std::process::exit(3);
    }
}

#[case(C405, timeout = "500ms")]
fn e_hangs() {
    if !crashing() {
        return;
    }
    if let Some(file) = std::env::var_os("SCENARIO_PID_FILE") {
        std::fs::write(file, std::process::id().to_string()).unwrap();
    }
    loop {
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[case(C406, should_panic(expected = "as expected"))]
fn f_panics_as_expected() {
    panic!("panicking as expected");
}

#[case(C407, retries = 1)]
fn g_flaky() {
    let Some(dir) = std::env::var_os("SCENARIO_DIR") else {
        return;
    };
    let marker = std::path::Path::new(&dir).join("g_flaky-failed-once");
    if !marker.exists() {
        std::fs::write(&marker, "").unwrap();
        panic!("first attempt fails");
    }
}

testrail::main!();
