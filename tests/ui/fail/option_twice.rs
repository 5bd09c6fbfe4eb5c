#[testrail::case(C1, retries = 1, retries = 2)]
fn retries_twice() {}

#[testrail::case(C2, ignore, ignore = "slow")]
fn ignore_twice_in_two_forms() {}

fn main() {}
