#[testrail::case(C1, retries = -1)]
fn negative_retries() {}

#[testrail::case(C2, max_steps = 0)]
fn zero_max_steps() {}

#[testrail::case(C3, retries = 99999999999)]
fn huge_retries() {}

#[testrail::case(C4, title = "")]
fn empty_title() {}

fn main() {}
