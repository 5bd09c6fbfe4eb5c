#[testrail::test(C1)]
fn mapped_with_the_wrong_attribute() {}

#[testrail::test(timeout = "1s", 1234)]
fn bare_id() {}

fn main() {}
