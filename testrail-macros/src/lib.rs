//! Attribute macros of the [`testrail`](https://docs.rs/testrail) crate: `#[testrail::case]`,
//! `#[testrail::test]` and `#[testrail::step]`.
//!
//! Use them through the `testrail` crate, which re-exports them; this crate only parses
//! attributes and generates code. The generated code reaches the runtime through
//! `testrail::__private`, under whatever name the `testrail` dependency has.
//!
//! Every mistake in an attribute or in the function's signature is reported at once, each
//! on the token at fault. Function bodies are never parsed here: they are passed to rustc
//! unchanged.

mod args;
mod case_id;
mod errors;
mod expand_step;
mod expand_test;
mod facade;
mod item;
mod options;
mod suggest;
mod target;
mod timeout;

use proc_macro::TokenStream;

use expand_test::TestKind;

/// Registers a test linked to one or more TestRail cases.
///
/// ```
/// # extern crate tr as testrail;
/// #[testrail::case(C1234)]
/// fn can_add_to_cart() {
///     assert_eq!(1 + 1, 2);
/// }
///
/// #[testrail::case(C1235, 1236, timeout = "1m 30s", retries = 2, title = "Checkout flow")]
/// async fn checkout_flow() -> Result<(), String> {
///     Ok(())
/// }
/// # fn main() {}
/// ```
///
/// Case IDs come first, written `C1234` or `1234`; at least one is required. Options
/// follow, in any order:
///
/// | option | meaning |
/// |---|---|
/// | `title = "..."` | name shown in output and in TestRail instead of the function path |
/// | `timeout = "30s"` | wall-clock budget of one attempt, in the syntax of the `timeout` setting ([humantime](https://docs.rs/humantime)): `"500ms"`, `"30s"`, `"2m"`, `"1m 30s"`, `"1h"` |
/// | `retries = N` | how many times a failed attempt runs again |
/// | `max_steps = N` | how many steps one attempt may enter |
/// | `ignore`, `ignore = "reason"` | skip the test unless ignored tests are requested |
/// | `should_panic`, `should_panic = "text"`, `should_panic(expected = "text")` | the test must panic (with a message containing the text) |
/// | `known_bug = "KEY-1"` | a failure is a known bug, filed under this issue key |
///
/// The function may be `async`, takes no arguments, is not generic, and returns `()` or a
/// `Result` whose `Err` fails the test with the error's `Display` (or `Debug`) text.
#[proc_macro_attribute]
pub fn case(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand_test::expand(TestKind::Case, attr.into(), item.into()).into()
}

/// Registers a test that is not linked to any TestRail case.
///
/// ```
/// # extern crate tr as testrail;
/// #[testrail::test]
/// fn parses_prices() {}
///
/// #[testrail::test(timeout = "1s", ignore = "needs a network")]
/// async fn fetches_prices() {}
/// # fn main() {}
/// ```
///
/// It takes the same options as [`macro@case`] but no case IDs, and applies to the same
/// functions.
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand_test::expand(TestKind::Test, attr.into(), item.into()).into()
}

/// Records each call of a function as a step of the running test, optionally linked to
/// TestRail cases.
///
/// ```
/// # extern crate tr as testrail;
/// #[testrail::step(C2001, name = "log in")]
/// async fn login(user: &str) -> Result<(), String> {
///     if user.is_empty() {
///         return Err("no user".to_owned());
///     }
///     Ok(())
/// }
///
/// #[testrail::step]
/// fn add_to_cart<'a>(cart: &'a mut Vec<String>, item: &str) -> &'a [String] {
///     cart.push(item.to_owned());
///     cart
/// }
/// # fn main() {}
/// ```
///
/// A step passes unless it panics or returns an `Err`. Case IDs (`C2001` or `2001`) and
/// `name = "..."` (shown instead of the function name) are optional. The function may be
/// `async` and take arguments and lifetime parameters, but no `self` and no type or const
/// parameters; it returns whatever it returned before.
#[proc_macro_attribute]
pub fn step(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand_step::expand(attr.into(), item.into()).into()
}

/// The `main` of `testrail::main!()` (which passes it as input): kept as it is in a
/// `harness = false` target; elsewhere kept without `cfg(test)` only, and under `cfg(test)`
/// (where Cargo builds the target with libtest's harness, which would replace this `main`
/// and run none of the tests) replaced by a compile error naming the missing `[[test]]`
/// entry.
#[doc(hidden)]
#[proc_macro]
pub fn harness_main(item: TokenStream) -> TokenStream {
    target::harness_main(item.into()).into()
}
