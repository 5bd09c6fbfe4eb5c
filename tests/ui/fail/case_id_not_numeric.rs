#[testrail::case(Cabc)]
fn letters() {}

#[testrail::case("C12")]
fn string() {}

#[testrail::case(1.5)]
fn float() {}

#[testrail::case(c12)]
fn lowercase() {}

fn main() {}
