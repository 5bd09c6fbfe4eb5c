//! Texts that need care on their way to TestRail, run by `tests/export_texts.rs`: a panic
//! message of 3 MiB of multi-byte text and emoji, an assertion coloured the way
//! `pretty_assertions` colours it, a flaky test whose first failure is coloured, a test that
//! fails every attempt with a different message, and an ignored test with a reason.

use std::sync::atomic::{AtomicU32, Ordering};

use testrail::case;

/// One unit of the huge message: a family emoji (three people joined by zero-width
/// joiners, one grapheme of 18 bytes), accented letters and CJK.
const UNIT: &str = "👨\u{200d}👩\u{200d}👧 ünïcödé 日本語 | ";

#[case(C61)]
fn huge_multibyte_panic() {
    let units = 3 * 1024 * 1024 / UNIT.len() + 1;
    panic!("{}", UNIT.repeat(units));
}

#[case(C62)]
fn coloured_assertion() {
    // What `pretty_assertions::assert_eq!(1, 2)` prints: bold, red and green, and
    // 256-colour backgrounds.
    panic!(
        "assertion failed: `(left == right)`\n\n\x1b[1mDiff\x1b[0m \x1b[31m< left\x1b[0m / \
         \x1b[32mright >\x1b[0m :\n\x1b[31m<\x1b[0m\x1b[1;48;5;52;31m1\x1b[0m\n\
         \x1b[32m>\x1b[0m\x1b[1;48;5;22;32m2\x1b[0m\n"
    );
}

#[case(C63, retries = 2)]
fn flaky_after_a_coloured_failure() {
    static CALLS: AtomicU32 = AtomicU32::new(0);
    if CALLS.fetch_add(1, Ordering::SeqCst) == 0 {
        panic!(
            "\x1b[31;1mconnection reset\x1b[0m by \x1b]8;;https://shop.test\x1b\\the shop\x1b]8;;\x1b\\"
        );
    }
}

#[case(C64, retries = 2)]
fn fails_every_attempt() {
    static CALLS: AtomicU32 = AtomicU32::new(0);
    let attempt = CALLS.fetch_add(1, Ordering::SeqCst) + 1;
    panic!("stock is {attempt} on attempt {attempt}");
}

#[case(C65, ignore = "waiting for PAY-12")]
fn ignored_with_reason() {}

testrail::main!();
