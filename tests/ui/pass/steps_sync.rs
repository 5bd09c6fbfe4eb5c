//! Synchronous steps: arguments, patterns, lifetimes, `impl Trait`, `?` and early `return`.

use std::fmt::Display;

#[testrail::step]
fn no_arguments() {}

#[testrail::step(C2001)]
fn with_case_id(user: &str, mut attempts: u32) -> u32 {
    attempts += user.len() as u32;
    attempts
}

#[testrail::step(C2002, 2003, name = "add to cart")]
fn patterns((a, b): (u8, u8), _: bool, ref name: String, [first, ..]: [u8; 3]) -> u8 {
    let _ = name.len();
    a + b + first
}

#[testrail::step]
fn lifetimes<'a, 'b: 'a>(cart: &'a mut Vec<&'b str>, item: &'b str) -> &'a [&'b str]
where
    'b: 'a,
{
    cart.push(item);
    cart
}

#[testrail::step]
fn elided(text: &str) -> &str {
    text.trim()
}

#[testrail::step]
fn impl_trait_return(n: u8) -> impl Iterator<Item = u8> + Clone {
    (0..n).map(|x| x * 2)
}

#[testrail::step]
fn impl_trait_argument(label: impl Display) -> String {
    label.to_string()
}

#[testrail::step]
fn question_mark(text: &str) -> Result<u8, std::num::ParseIntError> {
    let parsed: u8 = text.parse()?;
    Ok(parsed)
}

#[testrail::step]
fn early_return(flag: bool) -> Result<(), String> {
    if flag {
        return Err("flag set".to_owned());
    }
    Ok(())
}

#[testrail::step]
pub(crate) fn visible() -> Option<u8> {
    Some(1)
}

#[testrail::case(C1)]
fn uses_the_steps() -> Result<(), Box<dyn std::error::Error>> {
    no_arguments();
    assert_eq!(with_case_id("ann", 1), 4);
    assert_eq!(patterns((1, 2), true, "x".to_owned(), [3, 4, 5]), 6);
    let mut cart = Vec::new();
    assert_eq!(lifetimes(&mut cart, "apple"), ["apple"]);
    assert_eq!(elided(" a "), "a");
    assert_eq!(impl_trait_return(3).collect::<Vec<_>>(), [0, 2, 4]);
    assert_eq!(impl_trait_argument(5), "5");
    assert_eq!(question_mark("7")?, 7);
    assert!(question_mark("x").is_err());
    assert!(early_return(true).is_err());
    assert_eq!(visible(), Some(1));
    Ok(())
}

fn main() {
    // Steps work outside a running test too: they are recorded nowhere.
    uses_the_steps().unwrap();
}
