#[testrail::case(C1, retries = "2")]
fn retries_as_string() {}

#[testrail::case(C2, timeout = 30)]
fn timeout_as_number() {}

#[testrail::case(C3, ignore = 3)]
fn ignore_as_number() {}

#[testrail::case(C4, title)]
fn title_without_value() {}

#[testrail::case(C5, should_panic = true)]
fn should_panic_as_bool() {}

fn main() {}
