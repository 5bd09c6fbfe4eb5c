#[testrail::case(C1)]
fn type_parameter<T: Default>() {}

#[testrail::case(C2)]
fn lifetime_parameter<'a>() {}

#[testrail::test]
fn const_parameter<const N: usize>() {}

fn main() {}
