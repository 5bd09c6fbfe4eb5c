//! Collecting every error of one macro call, so a user sees them all at once.

use std::fmt::Display;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};

/// The expansion, or on error the errors followed by the original item unchanged, so that
/// the item still exists and its uses do not cause more errors.
pub(crate) fn or_original(expansion: syn::Result<TokenStream>, item: TokenStream) -> TokenStream {
    expansion.unwrap_or_else(|error| {
        let error = error.to_compile_error();
        quote!(#error #item)
    })
}

/// The errors found so far, combined into one [`syn::Error`].
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds an error.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Adds an error pointing at `span`.
    pub(crate) fn at(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Adds an error pointing at every token of `tokens`, from the first to the last.
    pub(crate) fn spanned(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// The value of `result`, or `None` after adding its error.
    pub(crate) fn take<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|error| self.push(error)).ok()
    }

    /// `Ok` when nothing was added, else every error added.
    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_item_after_errors() {
        let item = quote!(
            fn kept() {}
        );
        assert_eq!(or_original(Ok(quote!(x)), item.clone()).to_string(), "x");
        let failed = or_original(Err(syn::Error::new(Span::call_site(), "bad")), item);
        assert_eq!(
            failed.to_string(),
            quote!(::core::compile_error! { "bad" } fn kept() {}).to_string()
        );
    }

    #[test]
    fn empty_is_ok() {
        assert!(Errors::default().finish().is_ok());
    }

    #[test]
    fn keeps_every_error_in_order() {
        let mut errors = Errors::default();
        errors.at(Span::call_site(), "first");
        errors.at(Span::call_site(), "second");
        let messages: Vec<String> = errors
            .finish()
            .unwrap_err()
            .into_iter()
            .map(|error| error.to_string())
            .collect();
        assert_eq!(messages, ["first", "second"]);
    }

    #[test]
    fn take_keeps_values_and_records_errors() {
        let mut errors = Errors::default();
        assert_eq!(errors.take(Ok(3)), Some(3));
        assert!(errors.finish().is_ok());

        let mut errors = Errors::default();
        let failed: syn::Result<u8> = Err(syn::Error::new(Span::call_site(), "bad"));
        assert_eq!(errors.take(failed), None);
        assert_eq!(errors.finish().unwrap_err().to_string(), "bad");
    }
}
