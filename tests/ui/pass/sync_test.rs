//! A plain synchronous test, linked to one case.

#[testrail::case(C1234)]
fn can_add_to_cart() {
    assert_eq!(1 + 1, 2);
}

fn main() {}
