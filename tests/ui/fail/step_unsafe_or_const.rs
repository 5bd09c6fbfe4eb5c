#[testrail::step]
unsafe fn unsafe_step() {}

#[testrail::step]
const fn const_step() {}

fn main() {}
