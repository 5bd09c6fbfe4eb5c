#[testrail::case(C0, C5, C5, retires = 2, timeout = 30, ignore = 3, title = "a", title = "b")]
fn everything_wrong<T>(_user: &str) {}

fn main() {}
