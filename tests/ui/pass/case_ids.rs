//! Case IDs written with and without the `C` prefix, one or several.

#[testrail::case(C1234)]
fn prefixed() {}

#[testrail::case(1235)]
fn bare() {}

#[testrail::case(C1236, 1237, C1238)]
fn several() {}

#[testrail::case(C1239,)]
fn trailing_comma() {}

#[testrail::case(1_240)]
fn underscores() {}

fn main() {}
