//! The function an attribute is applied to, and the checks of what tests and steps may be.
//!
//! Only the signature is parsed; the body is kept as an opaque `{ ... }` token tree and
//! re-emitted verbatim, so a mistake inside it is reported by rustc, at its place, as if
//! no macro were involved.

use proc_macro2::{Delimiter, Group, Span, TokenStream};
use quote::quote;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, FnArg, GenericParam, Signature, Visibility};

use crate::errors::Errors;

/// A function item: `#[attrs] vis fn name(args) -> ret { body }`.
pub(crate) struct FnItem {
    /// The attributes written before the function (the testrail one excluded).
    pub(crate) attrs: Vec<Attribute>,
    /// `pub`, `pub(crate)`, or nothing.
    pub(crate) vis: Visibility,
    /// Everything from the qualifiers (`async`, ...) to the `where` clause.
    pub(crate) sig: Signature,
    /// The `{ ... }` body, not parsed.
    pub(crate) body: Group,
}

impl FnItem {
    /// Reads a function item. `attribute` names the macro for error messages, like
    /// `#[testrail::case]`.
    pub(crate) fn parse(tokens: TokenStream, attribute: &str) -> syn::Result<FnItem> {
        let parser = |input: ParseStream| {
            let attrs = input.call(Attribute::parse_outer)?;
            let vis: Visibility = input.parse()?;
            if input.fork().parse::<Signature>().is_err() {
                return Err(syn::Error::new(
                    next_span(input),
                    format!("`{attribute}` only applies to functions"),
                ));
            }
            let sig: Signature = input.parse()?;
            let body = match input.parse::<Group>() {
                Ok(body) if body.delimiter() == Delimiter::Brace => body,
                _ => {
                    return Err(syn::Error::new(
                        next_span(input),
                        format!("`{attribute}` needs a function with a body"),
                    ));
                }
            };
            Ok(FnItem {
                attrs,
                vis,
                sig,
                body,
            })
        };
        parser.parse2(tokens)
    }

    /// Checks that the function can be a test: no arguments, no `self`, no generics, not
    /// `unsafe`.
    pub(crate) fn check_test(&self, errors: &mut Errors) {
        let sig = &self.sig;
        if let Some(unsafety) = &sig.unsafety {
            errors.spanned(unsafety, "test functions cannot be `unsafe`");
        }
        if !sig.generics.params.is_empty() {
            errors.spanned(&sig.generics, "test functions cannot be generic");
        }
        if let Some(receiver) = self.receiver() {
            errors.spanned(receiver, "test functions cannot take `self`");
        }
        let arguments: Vec<&FnArg> = sig
            .inputs
            .iter()
            .filter(|input| matches!(input, FnArg::Typed(_)))
            .collect();
        if !arguments.is_empty() {
            errors.spanned(quote!(#(#arguments),*), "test functions take no arguments");
        }
    }

    /// Checks that the function can be a step: no `self`, no type or const generics, not
    /// `unsafe` or `const`.
    pub(crate) fn check_step(&self, errors: &mut Errors) {
        let sig = &self.sig;
        if let Some(constness) = &sig.constness {
            errors.spanned(constness, "step functions cannot be `const`");
        }
        if let Some(unsafety) = &sig.unsafety {
            errors.spanned(unsafety, "step functions cannot be `unsafe`");
        }
        for param in &sig.generics.params {
            match param {
                GenericParam::Lifetime(_) => {}
                GenericParam::Type(param) => {
                    errors.spanned(param, "step functions cannot have type parameters");
                }
                GenericParam::Const(param) => {
                    errors.spanned(param, "step functions cannot have const parameters");
                }
            }
        }
        if let Some(receiver) = self.receiver() {
            errors.spanned(receiver, "step functions cannot take `self`");
        }
    }

    /// The `self` argument, if any.
    fn receiver(&self) -> Option<&syn::Receiver> {
        self.sig.inputs.iter().find_map(|input| match input {
            FnArg::Receiver(receiver) => Some(receiver),
            FnArg::Typed(_) => None,
        })
    }
}

/// The span of the next token, or of the end of the input.
fn next_span(input: ParseStream) -> Span {
    input
        .cursor()
        .token_tree()
        .map_or_else(|| input.span(), |(token, _)| token.span())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(tokens: TokenStream) -> syn::Result<FnItem> {
        FnItem::parse(tokens, "#[testrail::case]")
    }

    fn test_errors(tokens: TokenStream) -> Vec<String> {
        let mut errors = Errors::default();
        parse(tokens).unwrap().check_test(&mut errors);
        collect(errors)
    }

    fn step_errors(tokens: TokenStream) -> Vec<String> {
        let mut errors = Errors::default();
        parse(tokens).unwrap().check_step(&mut errors);
        collect(errors)
    }

    fn collect(errors: Errors) -> Vec<String> {
        match errors.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|error| error.to_string()).collect(),
        }
    }

    #[test]
    fn keeps_attributes_visibility_signature_and_body() {
        let item = parse(quote!(
            /// Docs.
            #[allow(unused)]
            pub(crate) async fn checkout() -> Result<(), String> { let x = ; }
        ))
        .unwrap();
        assert_eq!(item.attrs.len(), 2);
        let vis = &item.vis;
        assert_eq!(quote!(#vis).to_string(), quote!(pub(crate)).to_string());
        assert_eq!(item.sig.ident, "checkout");
        assert!(item.sig.asyncness.is_some());
        // The body is not parsed, so it may hold anything.
        assert_eq!(item.body.stream().to_string(), "let x = ;");
    }

    #[test]
    fn rejects_other_items() {
        let error = parse(quote!(
            #[derive(Debug)]
            pub struct Cart;
        ))
        .err()
        .unwrap();
        assert_eq!(
            error.to_string(),
            "`#[testrail::case]` only applies to functions"
        );
        let error = parse(quote!(
            const X: u8 = 1;
        ))
        .err()
        .unwrap();
        assert_eq!(
            error.to_string(),
            "`#[testrail::case]` only applies to functions"
        );
        let error = parse(quote!(
            fn declared_only();
        ))
        .err()
        .unwrap();
        assert_eq!(
            error.to_string(),
            "`#[testrail::case]` needs a function with a body"
        );
    }

    #[test]
    fn accepts_plain_tests() {
        assert!(
            test_errors(quote!(
                fn a() {}
            ))
            .is_empty()
        );
        assert!(
            test_errors(quote!(
                async fn a() -> Result<(), String> {
                    Ok(())
                }
            ))
            .is_empty()
        );
    }

    #[test]
    fn rejects_test_signatures() {
        assert_eq!(
            test_errors(quote!(
                fn a(x: u8, y: u8) {}
            )),
            ["test functions take no arguments"]
        );
        assert_eq!(
            test_errors(quote!(
                fn a(&self) {}
            )),
            ["test functions cannot take `self`"]
        );
        assert_eq!(
            test_errors(quote!(
                fn a<T>() {}
            )),
            ["test functions cannot be generic"]
        );
        assert_eq!(
            test_errors(quote!(
                fn a<'a>() {}
            )),
            ["test functions cannot be generic"]
        );
        assert_eq!(
            test_errors(quote!(
                unsafe fn a() {}
            )),
            ["test functions cannot be `unsafe`"]
        );
        assert_eq!(
            test_errors(quote!(
                unsafe fn a<T>(self, x: T) {}
            )),
            [
                "test functions cannot be `unsafe`",
                "test functions cannot be generic",
                "test functions cannot take `self`",
                "test functions take no arguments",
            ]
        );
    }

    #[test]
    fn accepts_step_signatures() {
        assert!(
            step_errors(quote!(
                fn a<'a>(x: &'a str, (a, b): (u8, u8)) -> impl Sized {}
            ))
            .is_empty()
        );
        assert!(
            step_errors(quote!(
                async fn a(x: impl AsRef<str>) {}
            ))
            .is_empty()
        );
    }

    #[test]
    fn rejects_step_signatures() {
        assert_eq!(
            step_errors(quote!(
                const unsafe fn a<'a, T, const N: usize>(&self) {}
            )),
            [
                "step functions cannot be `const`",
                "step functions cannot be `unsafe`",
                "step functions cannot have type parameters",
                "step functions cannot have const parameters",
                "step functions cannot take `self`",
            ]
        );
    }
}
