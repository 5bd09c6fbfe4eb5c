#[testrail::case(C1, timeout = "30 parsecs")]
fn unknown_unit() {}

#[testrail::case(C2, timeout = "30")]
fn missing_unit() {}

#[testrail::case(C3, timeout = "30s 1m")]
fn units_out_of_order() {}

#[testrail::case(C4, timeout = "1.5s")]
fn fraction() {}

fn main() {}
