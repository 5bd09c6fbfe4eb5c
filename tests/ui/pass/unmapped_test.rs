//! `#[testrail::test]`: tests without case IDs, with or without options.

#[testrail::test]
fn unmapped() {}

#[testrail::test()]
fn empty_parentheses() {}

#[testrail::test(timeout = "1s")]
async fn unmapped_async() {}

#[testrail::test(retries = 3, ignore, title = "Unmapped")]
fn unmapped_with_options() -> Result<(), String> {
    Ok(())
}

fn main() {}
