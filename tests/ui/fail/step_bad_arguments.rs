#[testrail::step(retries = 2)]
fn test_option_on_a_step() {}

#[testrail::step(C1, title = "log in")]
fn title_instead_of_name() {}

#[testrail::step(C2, C2)]
fn same_id_twice() {}

#[testrail::step(C0, name = 3)]
fn bad_id_and_name() {}

fn main() {}
