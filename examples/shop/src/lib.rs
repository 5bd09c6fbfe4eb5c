//! Shop.
