#[testrail::step]
fn type_parameter<T: std::fmt::Debug>(value: T) {
    println!("{value:?}");
}

#[testrail::step]
fn lifetime_is_fine_but_const_is_not<'a, const N: usize>(items: &'a [u8; N]) -> usize {
    items.len()
}

fn main() {}
