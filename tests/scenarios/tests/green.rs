//! Only passing tests: the exit code is 0.

use testrail::case;

#[case(C301)]
fn one() {}

#[case(C302)]
async fn two() {}

testrail::main!();
