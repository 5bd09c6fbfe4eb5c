#[testrail::case(C12, C13, 12)]
fn same_id_twice() {}

fn main() {}
