//! The attributes imported by name; the imported `test` shadows the built-in `#[test]`.

use testrail::{case, step, test};

#[step]
fn open_shop() {}

#[case(C1)]
fn imported_case() {
    open_shop();
}

#[test]
fn imported_test() {}

fn main() {}
