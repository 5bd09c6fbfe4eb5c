#[testrail::case(C1, should_panic(message = "boom"))]
fn wrong_key() {}

#[testrail::case(C2, should_panic())]
fn empty() {}

#[testrail::case(C3, should_panic(expected = 3))]
fn not_a_string() {}

fn main() {}
