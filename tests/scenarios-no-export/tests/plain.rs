//! Tests of a crate that depends on `testrail` with `default-features = false`: they run and
//! spool like any other, and `cargo testrail upload` sends them.

use testrail::{case, step};

#[case(C101)]
fn passes() {
    add_to_cart(2);
}

#[case(C102)]
fn passes_too() -> Result<(), String> {
    Ok(())
}

#[testrail::test]
fn unmapped() {}

#[step(C103)]
fn add_to_cart(items: u32) {
    assert!(items > 0);
}

testrail::main!();
