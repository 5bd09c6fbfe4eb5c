#[testrail::case(C1, , C2)]
fn empty_argument() {}

#[testrail::case(C3, retries =)]
fn missing_value() {}

#[testrail::case(C4, retries 2)]
fn missing_equals() {}

fn main() {}
