//! A small shop: a catalog, a cart, and a checkout that talks to a payment gateway.
//!
//! It exists to show testrail-rs on realistic tests: see `tests/`.

use std::collections::BTreeMap;
use std::fmt;

/// Prices are in cents.
pub type Cents = u64;

/// A product in the catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Product {
    /// Stock keeping unit.
    pub sku: &'static str,
    /// Price per unit, VAT excluded.
    pub price: Cents,
}

/// The products the shop sells.
pub fn catalog() -> Vec<Product> {
    vec![
        Product {
            sku: "mug",
            price: 1_200,
        },
        Product {
            sku: "tee",
            price: 2_500,
        },
        Product {
            sku: "cap",
            price: 1_800,
        },
    ]
}

/// What can go wrong while shopping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShopError {
    /// The SKU is not in the catalog.
    UnknownProduct(String),
    /// The customer is not signed in.
    NotSignedIn,
    /// The payment gateway refused the card.
    PaymentDeclined(String),
    /// The gateway did not answer.
    GatewayUnavailable,
}

impl fmt::Display for ShopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShopError::UnknownProduct(sku) => write!(f, "no product with SKU {sku:?}"),
            ShopError::NotSignedIn => write!(f, "sign in first"),
            ShopError::PaymentDeclined(reason) => write!(f, "payment declined: {reason}"),
            ShopError::GatewayUnavailable => write!(f, "the payment gateway is unavailable"),
        }
    }
}

impl std::error::Error for ShopError {}

/// A shopping cart: quantities per SKU.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cart {
    lines: BTreeMap<&'static str, u32>,
}

impl Cart {
    /// An empty cart.
    pub fn new() -> Cart {
        Cart::default()
    }

    /// Adds `quantity` units of `sku`.
    ///
    /// # Panics
    /// When `quantity` is zero: that is a bug in the caller.
    pub fn add(&mut self, sku: &str, quantity: u32) -> Result<(), ShopError> {
        assert!(quantity > 0, "quantity must be at least 1");
        let product = catalog()
            .into_iter()
            .find(|product| product.sku == sku)
            .ok_or_else(|| ShopError::UnknownProduct(sku.to_owned()))?;
        *self.lines.entry(product.sku).or_default() += quantity;
        Ok(())
    }

    /// Removes every unit of `sku`.
    pub fn remove(&mut self, sku: &str) {
        self.lines.remove(sku);
    }

    /// Number of units in the cart.
    pub fn len(&self) -> u32 {
        self.lines.values().sum()
    }

    /// Whether the cart is empty.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Total before VAT.
    pub fn subtotal(&self) -> Cents {
        self.lines
            .iter()
            .map(|(sku, quantity)| {
                let price = catalog()
                    .into_iter()
                    .find(|p| p.sku == *sku)
                    .map_or(0, |p| p.price);
                price * u64::from(*quantity)
            })
            .sum()
    }

    /// Total with VAT at `vat_percent`, rounded to the cent.
    pub fn total_with_vat(&self, vat_percent: u64) -> Cents {
        let subtotal = self.subtotal();
        subtotal + (subtotal * vat_percent + 50) / 100
    }
}

/// Splits a refund of `amount` across `parts` payments. Known bug SHOP-42: the remainder
/// is dropped instead of going to the last part.
pub fn split_refund(amount: Cents, parts: u64) -> Vec<Cents> {
    vec![amount / parts; parts as usize]
}

/// A signed-in customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The customer's login.
    pub user: String,
}

/// Signs `user` in.
pub async fn sign_in(user: &str, password: &str) -> Result<Session, ShopError> {
    tokio_yield().await;
    if password.len() < 8 {
        return Err(ShopError::NotSignedIn);
    }
    Ok(Session {
        user: user.to_owned(),
    })
}

/// Charges `amount` to the session's stored card.
pub async fn charge(session: &Session, amount: Cents) -> Result<String, ShopError> {
    tokio_yield().await;
    if amount == 0 {
        return Err(ShopError::PaymentDeclined("amount is zero".into()));
    }
    Ok(format!("receipt-{}-{amount}", session.user))
}

async fn tokio_yield() {
    std::future::ready(()).await;
}
