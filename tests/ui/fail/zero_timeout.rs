#[testrail::case(C1, timeout = "0s")]
fn zero() {}

#[testrail::test(timeout = "0m 0ms")]
fn zero_parts() {}

fn main() {}
