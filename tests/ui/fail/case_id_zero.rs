#[testrail::case(C0)]
fn prefixed_zero() {}

#[testrail::case(0)]
fn bare_zero() {}

fn main() {}
