//! Compile-time behaviour of `#[testrail::case]`, `#[testrail::test]` and
//! `#[testrail::step]`: every accepted form compiles (and registers what it should), every
//! misuse fails with the message in the matching `.stderr` file.
//!
//! Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p testrail --test macros`, then read them.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
