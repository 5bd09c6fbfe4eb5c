//! Every option, in every accepted form and in any order.

#[testrail::case(C1, timeout = "30s")]
fn seconds() {}

#[testrail::case(C2, timeout = "500ms")]
fn milliseconds() {}

#[testrail::case(C3, timeout = "2m")]
fn minutes() {}

#[testrail::case(C4, timeout = "1m 30s")]
fn minutes_and_seconds() {}

#[testrail::case(C5, timeout = "1h")]
fn hours() {}

#[testrail::case(C6, retries = 2)]
fn retries() {}

#[testrail::case(C7, max_steps = 50)]
fn max_steps() {}

#[testrail::case(C8, ignore)]
fn ignored() {}

#[testrail::case(C9, ignore = "needs a printer")]
fn ignored_with_reason() {}

#[testrail::case(C10, should_panic)]
fn panics() {
    panic!("boom");
}

#[testrail::case(C11, should_panic(expected = "boom"))]
fn panics_with_expected_message() {
    panic!("boom");
}

#[testrail::case(C12, should_panic = "boom")]
fn panics_with_message() {
    panic!("boom");
}

#[testrail::case(C13, known_bug = "JIRA-123")]
fn known_bug() {}

#[testrail::case(C14, title = "Checkout flow")]
fn titled() {}

#[testrail::case(
    title = "All of them",
    C15,
    known_bug = "JIRA-124",
    should_panic(expected = "boom",),
    ignore = "slow",
    max_steps = 3,
    retries = 1,
    timeout = "1h 2m 3s 4ms",
    16,
)]
async fn everything_at_once() {
    panic!("boom");
}

fn main() {}
