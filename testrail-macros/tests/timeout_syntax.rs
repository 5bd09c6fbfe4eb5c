//! The attribute's `timeout = "..."` as a user writes it: a bad duration is a compile error
//! pointing at the string, in the syntax of the `timeout` setting of `testrail.toml`.

#[test]
fn bad_timeouts_are_errors_on_their_string() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/bad_timeout.rs");
}
