//! Every attribute used through the facade renamed to `tr`; no crate is named `testrail`.

use tr::__private::{TESTRAIL_STEPS, TESTRAIL_TESTS};

#[tr::case(C1, timeout = "1s")]
fn mapped() {}

#[tr::test]
async fn unmapped() -> Result<(), String> {
    Ok(())
}

#[tr::step(C2)]
fn renamed_step(x: u8) -> u8 {
    x
}

fn main() {
    assert_eq!(renamed_step(3), 3);
    let names: Vec<&str> = TESTRAIL_TESTS.iter().map(|test| test.name).collect();
    assert!(names.contains(&"mapped") && names.contains(&"unmapped"), "{names:?}");
    assert_eq!(TESTRAIL_STEPS.len(), 1);
}
