//! Cart tests. Each `#[case]` names the TestRail case it proves.

use shop::{Cart, ShopError};
use testrail::case;

#[case(C1)]
fn adding_an_item_grows_the_cart() {
    let mut cart = Cart::new();
    cart.add("mug", 2).unwrap();
    assert_eq!(cart.len(), 2);
}

#[case(C2, C3)]
fn removing_an_item_empties_its_line() -> Result<(), ShopError> {
    let mut cart = Cart::new();
    cart.add("mug", 1)?;
    cart.add("tee", 1)?;
    cart.remove("mug");
    assert_eq!(cart.len(), 1);
    Ok(())
}

#[case(C4, should_panic(expected = "quantity must be at least 1"))]
fn zero_quantity_is_a_caller_bug() {
    let _ = Cart::new().add("mug", 0);
}

#[case(C5, title = "Cart total includes 20% VAT")]
fn total_includes_vat() {
    let mut cart = Cart::new();
    cart.add("tee", 2).unwrap();
    assert_eq!(cart.total_with_vat(20), 6_000);
}

#[case(C6)]
fn unknown_products_are_refused() {
    let error = Cart::new().add("sofa", 1).unwrap_err();
    assert_eq!(error, ShopError::UnknownProduct("sofa".into()));
}

#[case(C7, ignore = "coupons ship in 2.0")]
fn coupons_reduce_the_total() {
    unimplemented!("coupons")
}

/// Not linked to TestRail yet: listed as unmapped in the summary, never dropped silently.
#[testrail::test]
fn cart_starts_empty() {
    assert!(Cart::new().is_empty());
}

testrail::main!();
