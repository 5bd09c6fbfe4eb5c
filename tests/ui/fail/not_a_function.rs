#[testrail::case(C1)]
struct Cart;

#[testrail::test]
pub const TOTAL: u32 = 3;

#[testrail::step]
mod steps {}

fn main() {}
