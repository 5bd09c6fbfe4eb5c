// Each bad `timeout` is an error on its string literal, with what is wrong and how to write it.

#[tr::case(C1, timeout = "30 parsecs")]
fn unknown_unit() {}

#[tr::case(C2, timeout = "30")]
fn missing_unit() {}

#[tr::test(timeout = "1500us")]
fn part_of_a_millisecond() {}

#[tr::test(retries = 2, timeout = "-5s", title = "Negative")]
fn negative() {}

#[tr::case(C3, timeout = "")]
fn empty() {}

#[tr::test(timeout = "0s")]
fn zero() {}

fn main() {}
