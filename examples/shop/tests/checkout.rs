//! Checkout tests: async tests, steps with their own cases, retries and known bugs.

use std::sync::atomic::{AtomicU32, Ordering};

use shop::{Cart, Session, ShopError};
use testrail::{case, step};

#[step(C10)]
async fn sign_in(user: &str) -> Result<Session, ShopError> {
    shop::sign_in(user, "correct horse").await
}

#[step]
fn fill_cart() -> Result<Cart, ShopError> {
    let mut cart = Cart::new();
    cart.add("mug", 1)?;
    cart.add("cap", 2)?;
    Ok(cart)
}

#[step(C11)]
async fn pay(session: &Session, cart: &Cart) -> Result<String, ShopError> {
    shop::charge(session, cart.total_with_vat(20)).await
}

#[case(C12, timeout = "5s")]
async fn customer_can_check_out() -> Result<(), ShopError> {
    let session = sign_in("ann").await?;
    let cart = fill_cart()?;
    let receipt = pay(&session, &cart).await?;
    testrail::comment(format!("receipt {receipt}"));
    testrail::result_field("environment", "headless");
    Ok(())
}

/// The sandbox gateway drops the first request after a deploy: the retry makes it pass,
/// and the bug label says LikelyNoBug (flaky) instead of NoBug.
#[case(C13, retries = 2)]
async fn payment_survives_a_gateway_hiccup() -> Result<(), ShopError> {
    static CALLS: AtomicU32 = AtomicU32::new(0);
    let session = sign_in("bob").await?;
    if CALLS.fetch_add(1, Ordering::SeqCst) == 0 {
        return Err(ShopError::GatewayUnavailable);
    }
    shop::charge(&session, 1_200).await.map(drop)
}

/// A known bug: the failure is labelled LikelyBug and SHOP-42 goes to TestRail's defects.
#[case(C14, known_bug = "SHOP-42")]
fn refunds_add_up_to_the_amount_paid() {
    let parts = shop::split_refund(1_000, 3);
    assert_eq!(parts.iter().sum::<u64>(), 1_000, "refund parts {parts:?}");
}

/// Inline steps, under a step budget.
#[case(C15, max_steps = 10)]
fn bulk_order_prices_every_line() {
    let mut cart = Cart::new();
    for sku in ["mug", "tee", "cap"] {
        testrail::step(&format!("add {sku}"), || cart.add(sku, 3).unwrap());
    }
    let total = testrail::try_step("price the order", || match cart.subtotal() {
        0 => Err("empty order"),
        total => Ok(total),
    })
    .unwrap();
    assert_eq!(total, 16_500);
}

testrail::main!();
