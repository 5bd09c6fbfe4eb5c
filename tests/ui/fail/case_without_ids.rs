#[testrail::case]
fn no_parentheses() {}

#[testrail::case(retries = 2)]
fn only_options() {}

fn main() {}
