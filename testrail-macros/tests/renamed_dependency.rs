//! The macros through a renamed dependency: `tr = { package = "testrail", ... }`.
//!
//! The trybuild project built here depends on the facade only as `tr`, so generated code
//! that named `::testrail` would not compile.

#[test]
fn renamed_dependency() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/renamed_dependency.rs");
}
