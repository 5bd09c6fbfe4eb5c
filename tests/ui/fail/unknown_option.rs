#[testrail::case(C1, retires = 2)]
fn misspelled() {}

#[testrail::case(C2, flaky)]
fn unknown() {}

#[testrail::case(C3, name = "Checkout")]
fn step_option_on_a_test() {}

fn main() {}
