#[testrail::case(C1)]
fn one_argument(_user: &str) {}

#[testrail::case(C2)]
async fn two_arguments(_user: &str, _retries: u32) {}

fn main() {}
