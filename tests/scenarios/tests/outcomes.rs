//! One test per row of the run result × bug label table, plus the other ways a test ends.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use testrail::{BugLabel, case};

#[case(C101)]
fn passes_first_time() {}

#[case(C102, retries = 2)]
fn flaky_passes_on_second_attempt() {
    static CALLS: AtomicU32 = AtomicU32::new(0);
    let call = CALLS.fetch_add(1, Ordering::SeqCst);
    assert!(call > 0, "first attempt fails");
}

#[case(C103, retries = 1)]
fn always_fails() {
    assert_eq!(1, 2, "one is not two");
}

#[case(C104, known_bug = "BUG-7")]
fn known_bug_fails() -> Result<(), String> {
    Err("rounding is off by one cent".to_owned())
}

#[case(C105, timeout = "200ms")]
fn sync_timeout() {
    std::thread::sleep(Duration::from_secs(5));
}

#[case(C106, timeout = "200ms")]
async fn async_timeout() {
    tokio::time::sleep(Duration::from_secs(5)).await;
}

#[case(C107, max_steps = 2)]
fn too_many_steps() {
    for n in 0..5 {
        testrail::step(&format!("step {n}"), || ());
    }
}

#[case(C108)]
fn label_set_explicitly() {
    testrail::set_bug_label(BugLabel::LikelyBug);
    testrail::defect("QA-1");
    testrail::comment("looks wrong to me");
    testrail::result_field("browser", "firefox");
}

#[case(C109)]
fn setup_fails() {
    testrail::setup_failed("database is down");
}

#[case(C110, ignore = "not ready")]
fn ignored_with_reason() {}

#[testrail::test]
fn unmapped_passes() {}

#[case(C111, should_panic(expected = "boom"))]
fn panics_as_expected() {
    panic!("boom");
}

#[case(C112)]
fn returns_debug_only_error() -> Result<(), Opaque> {
    Err(Opaque { code: 7 })
}

#[derive(Debug)]
struct Opaque {
    #[allow(dead_code)]
    code: u32,
}

#[case(C113, C114, title = "Two cases at once")]
async fn two_cases_async_pass() -> Result<(), std::io::Error> {
    tokio::task::yield_now().await;
    Ok(())
}

testrail::main!();
