//! Generated code adds no warnings, even under strict lints.

#![forbid(unsafe_code)]
#![deny(
    warnings,
    rust_2018_idioms,
    unused,
    unused_qualifications,
    unused_results,
    unused_lifetimes,
    single_use_lifetimes,
    trivial_casts,
    trivial_numeric_casts,
    unreachable_pub,
    missing_docs,
    clippy::all,
    clippy::pedantic
)]

/// A step with a lifetime, called by the tests.
#[testrail::step(C2001, name = "take")]
fn take<'a>(items: &'a [u8], count: usize) -> &'a [u8] {
    &items[..count]
}

/// A step that can fail.
#[testrail::step]
async fn fetch(id: u32) -> Result<u32, String> {
    if id == 0 { Err("no id".to_owned()) } else { Ok(id) }
}

#[testrail::case(C1, timeout = "1s", retries = 1, max_steps = 5, title = "Strict")]
fn strict_sync() -> Result<(), String> {
    assert_eq!(take(&[1, 2, 3], 2), [1, 2]);
    Ok(())
}

#[testrail::test(ignore = "slow", should_panic(expected = "x"), known_bug = "B-1")]
async fn strict_async() {
    let fetched = fetch(1).await;
    assert_eq!(fetched, Ok(1));
    panic!("x");
}

fn main() {}
