//! Exactly-once through every fault the simulator offers: N = 5,000 results per fault,
//! exported into a fresh simulator, resumed (the same export again on the same session
//! directory) while the export fails; at the end every result is stored exactly once, in
//! one run. No timing assertions: the figures are in BENCHMARKS.md.
//!
//! `cargo test -p testrail-bench --release --test faults`

use testrail_bench::faults::{self, OursRun};

const N: u64 = 5_000;

fn through(key: &str) -> OursRun {
    let case = faults::by_key(key).expect("a fault of the catalogue");
    let run = faults::export_through(&case, N, true, 4);
    assert!(
        run.exactly_once(),
        "{}: {} runs, {} of {} cases stored, {} missing, {} duplicates\n{}",
        case.title,
        run.stored.runs,
        run.stored.cases(),
        N,
        run.stored.missing(&run.cases),
        run.stored.duplicates(),
        run.what_we_did()
    );
    assert!(
        run.exports.last().is_some_and(Result::is_ok),
        "the last export succeeded: {}",
        run.what_we_did()
    );
    run
}

fn first_export_ok(run: &OursRun) -> bool {
    run.exports.first().is_some_and(Result::is_ok)
}

#[test]
fn rate_limited_with_retry_after() {
    let run = through("429_retry_after");
    assert!(first_export_ok(&run), "{}", run.what_we_did());
    assert_eq!(run.counters.rate_limited, 3);
}

#[test]
fn rate_limited_without_retry_after() {
    let run = through("429_no_retry_after");
    assert!(first_export_ok(&run), "{}", run.what_we_did());
}

#[test]
fn server_error_burst() {
    let run = through("5xx_burst");
    assert!(first_export_ok(&run), "{}", run.what_we_did());
}

#[test]
fn server_outage_longer_than_the_retries_is_resumed() {
    through("5xx_outage");
}

#[test]
fn connection_dropped_after_the_batch_was_stored() {
    let run = through("drop_after");
    assert!(first_export_ok(&run), "{}", run.what_we_did());
}

#[test]
fn connection_dropped_before_the_batch_was_read() {
    let run = through("drop_before");
    assert!(first_export_ok(&run), "{}", run.what_we_did());
}

#[test]
fn answer_hanging_past_the_timeout() {
    through("hang");
}

#[test]
fn credentials_revoked_midway_then_fixed() {
    let run = through("401_midway");
    assert!(
        !first_export_ok(&run),
        "the first export stops at the 401: {}",
        run.what_we_did()
    );
    assert_eq!(
        run.counters.per_status.get("401").copied(),
        Some(1),
        "no retries against bad credentials"
    );
}

#[test]
fn html_answer_then_fixed() {
    through("html_answer");
}

#[test]
fn payload_too_large() {
    let run = through("413");
    assert!(first_export_ok(&run), "{}", run.what_we_did());
    assert!(run.counters.per_status.contains_key("413"));
}
