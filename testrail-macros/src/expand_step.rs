//! Code generation of `#[testrail::step]`: the function's body moves, unchanged, into an
//! inner function, and the outer function records the step around a call to it.
//!
//! Keeping the body in a function of its own makes `return`, `?`, `impl Trait` and
//! lifetimes behave exactly as written.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::{FnArg, Pat, PatIdent, Signature};

use crate::args;
use crate::case_id::CaseIds;
use crate::errors::{self, Errors};
use crate::facade;
use crate::item::FnItem;
use crate::options::StepOptions;

/// The name of the inner function that holds the user's body.
const INNER: &str = "__testrail_step";

/// Expands `#[testrail::step]`; on error, the errors and the function unchanged.
pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    errors::or_original(try_expand(attr, item.clone()), item)
}

fn try_expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let args = args::parse(attr, &mut errors);
    let (case_ids, options) = StepOptions::parse(args, &mut errors);
    let item = errors.take(FnItem::parse(item, "#[testrail::step]"));
    if let Some(item) = &item {
        item.check_step(&mut errors);
    }
    errors.finish()?;
    // `finish` succeeded, so `take` kept the item.
    Ok(item
        .map(|item| generate(&item, &case_ids, &options))
        .unwrap_or_default())
}

/// The outer function: the step's record, a guard, and the call to the inner function.
fn generate(item: &FnItem, case_ids: &CaseIds, options: &StepOptions) -> TokenStream {
    let tr = facade::path();
    let FnItem {
        attrs,
        vis,
        sig,
        body,
    } = item;
    let ident = &sig.ident;
    let name = options
        .name
        .clone()
        .unwrap_or_else(|| ident.unraw().to_string());
    let line = quote_spanned!(ident.span()=> ::core::line!());
    let ids = case_ids.literals();

    let inner = Ident::new(INNER, Span::call_site());
    let inner_sig = Signature {
        ident: inner.clone(),
        ..sig.clone()
    };
    let (outer_sig, forwarded) = outer_signature(sig);
    let wait = sig.asyncness.map(|_| quote!(.await));

    quote! {
        #(#attrs)*
        #vis #outer_sig {
            #[inline(always)]
            #inner_sig #body

            // An element of the `TESTRAIL_STEPS` distributed slice (see testrail-harness's registry).
            #tr::__private::TESTRAIL_STEPS! {
                #![linkme_macro = #tr::__private::TESTRAIL_STEPS]
                static __TESTRAIL_STEP: #tr::__private::StepDef = #tr::__private::StepDef {
                    name: #name,
                    module_path: ::core::module_path!(),
                    file: ::core::file!(),
                    line: #line,
                    case_ids: &[#(#ids),*],
                };
            }

            let __testrail_guard = #tr::__private::StepGuard::enter(&__TESTRAIL_STEP);
            let __ret = #inner(#(#forwarded),*) #wait;
            {
                #[allow(unused_imports)]
                use #tr::__private::{ViaAny as _, ViaDebug as _, ViaDisplay as _};
                __testrail_guard.finish((&&&#tr::__private::Verdict(&__ret)).testrail_verdict());
            }
            __ret
        }
    }
}

/// The outer function's signature, whose arguments are plain names, and those names in
/// order. A name pattern keeps its name (without `mut` or `ref`); any other pattern, such as
/// `(a, b)` or `_`, becomes `__argN`. The inner function keeps the patterns as written.
fn outer_signature(sig: &Signature) -> (Signature, Vec<Ident>) {
    let mut outer = sig.clone();
    let mut names = Vec::new();
    for (index, input) in outer.inputs.iter_mut().enumerate() {
        // `check_step` rejected `self`, so every argument is typed.
        let FnArg::Typed(arg) = input else { continue };
        let name = match &*arg.pat {
            Pat::Ident(PatIdent {
                ident,
                subpat: None,
                ..
            }) => ident.clone(),
            _ => format_ident!("__arg{index}"),
        };
        arg.attrs.clear();
        *arg.pat = Pat::Ident(PatIdent {
            attrs: Vec::new(),
            by_ref: None,
            mutability: None,
            ident: name.clone(),
            subpat: None,
        });
        names.push(name);
    }
    (outer, names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_ok(attr: TokenStream, item: TokenStream) -> String {
        try_expand(attr, item).unwrap().to_string()
    }

    fn errors(attr: TokenStream, item: TokenStream) -> Vec<String> {
        match try_expand(attr, item) {
            Ok(_) => Vec::new(),
            Err(error) => error.into_iter().map(|error| error.to_string()).collect(),
        }
    }

    #[test]
    fn moves_the_body_into_an_inner_function() {
        let out = expand_ok(
            quote!(C2001),
            quote!(
                /// Logs in.
                pub async fn login<'a>(
                    user: &'a str,
                    mut n: u32,
                    (a, b): (u8, u8),
                    ref r: u8,
                ) -> Result<(), Error>
                where
                    'a: 'a,
                {
                    body();
                }
            ),
        );
        let outer = quote!(
            #[doc = r" Logs in."]
            pub async fn login<'a>(user: &'a str, n: u32, __arg2: (u8, u8), r: u8,)
                -> Result<(), Error> where 'a: 'a,
        );
        assert!(out.starts_with(&outer.to_string()), "{out}");
        let inner = quote!(
            #[inline(always)]
            async fn __testrail_step<'a>(
                user: &'a str,
                mut n: u32,
                (a, b): (u8, u8),
                ref r: u8,
            ) -> Result<(), Error>
            where
                'a: 'a,
            {
                body();
            }
        );
        assert!(out.contains(&inner.to_string()), "{out}");
        let call = quote!(let __ret = __testrail_step(user, n, __arg2, r).await;);
        assert!(out.contains(&call.to_string()), "{out}");
        assert!(out.contains(&quote!(name: "login").to_string()), "{out}");
        assert!(
            out.contains(&quote!(case_ids: &[2001]).to_string()),
            "{out}"
        );
    }

    #[test]
    fn calls_sync_steps_without_await() {
        let out = expand_ok(
            quote!(),
            quote!(
                fn open(_: u8, #[allow(unused)] x: u8) {}
            ),
        );
        assert!(
            out.starts_with(&quote!(fn open(__arg0: u8, x: u8)).to_string()),
            "{out}"
        );
        let call = quote!(let __ret = __testrail_step(__arg0, x););
        assert!(out.contains(&call.to_string()), "{out}");
        assert!(out.contains(&quote!(case_ids: &[]).to_string()), "{out}");
    }

    #[test]
    fn uses_the_name_option() {
        let out = expand_ok(
            quote!(C1, C2, name = "log in"),
            quote!(
                fn login() {}
            ),
        );
        assert!(out.contains(&quote!(name: "log in").to_string()), "{out}");
        assert!(
            out.contains(&quote!(case_ids: &[1, 2]).to_string()),
            "{out}"
        );
    }

    #[test]
    fn reports_every_error() {
        assert_eq!(
            errors(
                quote!(C1, C1, retries = 1),
                quote!(
                    fn s<T>(x: T) {}
                )
            ),
            [
                "case id C1 is given twice",
                "unknown step option `retries`; expected `name`",
                "step functions cannot have type parameters",
            ]
        );
        assert_eq!(
            errors(
                quote!(),
                quote!(
                    enum E {}
                )
            ),
            ["`#[testrail::step]` only applies to functions"]
        );
    }
}
