#[testrail::case(-3)]
fn negative() {}

fn main() {}
