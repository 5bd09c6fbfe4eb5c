// Errors inside bodies point at the user's code, in tests and in steps.

#[testrail::step]
fn add(a: u32, b: u32) -> u32 {
    let one: u32 = "one";
    a + b + one
}

#[testrail::case(C1)]
fn uses_an_unknown_name() {
    let total = add(1, 2);
    assert_eq!(totl, 3);
}

fn main() {}
