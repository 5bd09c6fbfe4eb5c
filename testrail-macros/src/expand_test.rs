//! Code generation of `#[testrail::case(...)]` and `#[testrail::test]`: the function is
//! kept as written and a `TestDef` describing it is submitted to the registry.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ReturnType;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use crate::args;
use crate::case_id::CaseIds;
use crate::errors::{self, Errors};
use crate::facade;
use crate::item::FnItem;
use crate::options::{PanicExpectation, TestOptions};
use crate::target;

/// Which of the two test attributes is expanded.
#[derive(Clone, Copy)]
pub(crate) enum TestKind {
    /// `#[testrail::case(C1, ...)]`: at least one case ID.
    Case,
    /// `#[testrail::test(...)]`: no case IDs.
    Test,
}

impl TestKind {
    /// The attribute as users write it, for error messages.
    fn attribute(self) -> &'static str {
        match self {
            TestKind::Case => "#[testrail::case]",
            TestKind::Test => "#[testrail::test]",
        }
    }
}

/// Expands a test attribute; on error, the errors and the function unchanged.
pub(crate) fn expand(kind: TestKind, attr: TokenStream, item: TokenStream) -> TokenStream {
    errors::or_original(try_expand(kind, attr, item.clone()), item)
}

fn try_expand(kind: TestKind, attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let args = args::parse(attr, &mut errors);
    let (case_ids, options) = TestOptions::parse(args, &mut errors);
    match kind {
        TestKind::Case if case_ids.none_written() => errors.at(
            Span::call_site(),
            "expected at least one case id, like `#[testrail::case(C1234)]`",
        ),
        TestKind::Case => {}
        TestKind::Test => {
            for id in &case_ids.ids {
                errors.at(
                    id.span,
                    format!(
                        "`#[testrail::test]` takes no case IDs; use `#[testrail::case(C{})]`",
                        id.value
                    ),
                );
            }
        }
    }
    let item = errors.take(FnItem::parse(item, kind.attribute()));
    if let Some(item) = &item {
        item.check_test(&mut errors);
    }
    errors.finish()?;
    // `finish` succeeded, so `take` kept the item.
    Ok(item
        .map(|item| generate(&item, &case_ids, &options))
        .unwrap_or_default())
}

/// The function followed by its registration.
fn generate(item: &FnItem, case_ids: &CaseIds, options: &TestOptions) -> TokenStream {
    let tr = facade::path();
    let FnItem {
        attrs,
        vis,
        sig,
        body,
    } = item;
    let ident = &sig.ident;
    let name = ident.unraw().to_string();
    let line = quote_spanned!(ident.span()=> ::core::line!());
    let ids = case_ids.literals();
    let (body_fn, body_kind) = body_fn(item, &tr);
    // Registration disappears together with the function when a `#[cfg]` removes it.
    let cfgs: Vec<_> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg"))
        .collect();

    let title = option_str(options.title.as_deref());
    let timeout = match options.timeout_millis {
        Some(millis) => quote!(::core::option::Option::Some(
            #tr::__private::Duration::from_millis(#millis)
        )),
        None => quote!(::core::option::Option::None),
    };
    let retries = options.retries;
    let max_steps = match options.max_steps {
        Some(max) => quote!(::core::option::Option::Some(#max)),
        None => quote!(::core::option::Option::None),
    };
    let ignore = match &options.ignore {
        Some(reason) => {
            let reason = option_str(reason.as_deref());
            quote!(::core::option::Option::Some(#reason))
        }
        None => quote!(::core::option::Option::None),
    };
    let should_panic = match &options.should_panic {
        PanicExpectation::No => quote!(#tr::__private::ShouldPanic::No),
        PanicExpectation::Yes => quote!(#tr::__private::ShouldPanic::Yes),
        PanicExpectation::WithMessage(text) => {
            quote!(#tr::__private::ShouldPanic::WithMessage(#text))
        }
    };
    let known_bug = option_str(options.known_bug.as_deref());

    let def = quote! {
        #tr::__private::TestDef {
            name: #name,
            module_path: ::core::module_path!(),
            file: ::core::file!(),
            line: #line,
            case_ids: &[#(#ids),*],
            title: #title,
            timeout: #timeout,
            retries: #retries,
            max_steps: #max_steps,
            ignore: #ignore,
            should_panic: #should_panic,
            known_bug: #known_bug,
            body: #tr::__private::TestBody::#body_kind,
        }
    };
    let registered = quote! {
        #(#attrs)* #vis #sig #body

        #(#cfgs)*
        const _: () = {
            #body_fn

            // An element of the `TESTRAIL_TESTS` distributed slice (see testrail-harness's registry).
            #tr::__private::TESTRAIL_TESTS! {
                #![linkme_macro = #tr::__private::TESTRAIL_TESTS]
                static __TESTRAIL_TEST: #tr::__private::TestDef = #def;
            }
        };
    };
    // In a `harness = false` target `testrail::main!()` runs the registry, whatever
    // `cfg(test)` says (Cargo sets it there too, without `--test`).
    if target::is_harness_false() {
        return registered;
    }
    let libtest = libtest_fn(item, options, &body_fn, &def, &tr);

    // Elsewhere two expansions, of which `cfg(test)` keeps one. With `cfg(test)` (and, since
    // the target is not `harness = false`, Cargo's `--test`) libtest's harness runs the
    // crate: a crate's unit tests in `src/`, or a `tests/*.rs` file without
    // `harness = false`. There libtest runs `#[test]` functions and nobody reads the
    // registry, so the test becomes a `#[test]`. Without `cfg(test)` (a library, also as
    // linked into a `harness = false` target, an example) the test is registered for
    // `testrail::main!()`. No test is ever in both, so none can be run twice, or found in a
    // registry but never run.
    quote! {
        #[cfg(not(test))]
        #(#attrs)* #vis #sig #body

        #[cfg(not(test))]
        #(#cfgs)*
        const _: () = {
            #body_fn

            // An element of the `TESTRAIL_TESTS` distributed slice (see testrail-harness's registry).
            #tr::__private::TESTRAIL_TESTS! {
                #![linkme_macro = #tr::__private::TESTRAIL_TESTS]
                static __TESTRAIL_TEST: #tr::__private::TestDef = #def;
            }
        };

        #libtest
    }
}

/// The `#[test]` function libtest runs in place of the test under `cfg(test)`: named like
/// the test, it holds the function as written and calls the runtime, which runs it with
/// its retries, timeout and steps like the harness does, records the outcome in the
/// session's spool, and panics with the failure report when the test failed.
///
/// `ignore` becomes libtest's `#[ignore]`; `should_panic` is judged by the runtime (so that
/// retries and the outcome see it), not by libtest.
fn libtest_fn(
    item: &FnItem,
    options: &TestOptions,
    body_fn: &TokenStream,
    def: &TokenStream,
    tr: &TokenStream,
) -> TokenStream {
    let FnItem {
        attrs,
        vis,
        sig,
        body,
    } = item;
    let ident = &sig.ident;
    let (docs, inner_attrs): (Vec<_>, Vec<_>) =
        attrs.iter().partition(|attr| attr.path().is_ident("doc"));
    let cfgs = attrs.iter().filter(|attr| attr.path().is_ident("cfg"));
    let ignore = match &options.ignore {
        Some(Some(reason)) => quote!(#[ignore = #reason]),
        Some(None) => quote!(#[ignore]),
        None => TokenStream::new(),
    };
    // At the test's name, so that the failure's location is the test's.
    let tr_at_name = facade::path_at(ident.span());
    let run = quote_spanned! {ident.span()=>
        #tr_at_name::__private::run_libtest(&__TESTRAIL_TEST, #tr::__private::BuildInfo {
            package: ::core::env!("CARGO_PKG_NAME"),
            binary: ::core::env!("CARGO_CRATE_NAME"),
            manifest_dir: ::core::env!("CARGO_MANIFEST_DIR"),
            target_tmpdir: ::core::option_env!("CARGO_TARGET_TMPDIR"),
        })
    };
    quote! {
        #[cfg(test)]
        #(#cfgs)*
        #(#docs)*
        #ignore
        #[test]
        #vis fn #ident() {
            #(#inner_attrs)* #sig #body

            #body_fn

            static __TESTRAIL_TEST: #tr::__private::TestDef = #def;
            #run
        }
    }
}

/// `fn __testrail_body()`, which calls the test and judges what it returned, and the
/// `TestBody` variant (`Sync` or `Async`) that holds it.
fn body_fn(item: &FnItem, tr: &TokenStream) -> (TokenStream, TokenStream) {
    let ident = &item.sig.ident;
    let returns_unit = matches!(item.sig.output, ReturnType::Default);
    if returns_unit && item.sig.asyncness.is_none() && item.sig.abi.is_none() {
        // The common case needs no wrapper at all: the harness calls the function itself.
        return (TokenStream::new(), quote!(Plain(#ident)));
    }
    if returns_unit && item.sig.asyncness.is_some() {
        let body_fn = quote! {
            fn __testrail_body() -> #tr::__private::BoxedBodyFuture {
                ::std::boxed::Box::pin(async {
                    #ident().await;
                    ::core::result::Result::Ok(())
                })
            }
        };
        return (body_fn, quote!(Async(__testrail_body)));
    }
    // A return type that is neither `()` nor a `Result` is reported on the type.
    let return_span = match &item.sig.output {
        ReturnType::Default => ident.span(),
        ReturnType::Type(_, ty) => ty.span(),
    };
    let tr_at_return = facade::path_at(return_span);
    let check = quote_spanned! {return_span=>
        #tr_at_return::__private::check_test_return(&__ret);
    };
    let judge = quote! {
        #check
        #[allow(unused_imports)]
        use #tr::__private::{ViaAny as _, ViaDebug as _, ViaDisplay as _};
        (&&&#tr::__private::Verdict(&__ret)).testrail_verdict()
    };
    if item.sig.asyncness.is_some() {
        let body_fn = quote! {
            fn __testrail_body() -> #tr::__private::BoxedBodyFuture {
                ::std::boxed::Box::pin(async {
                    let __ret = #ident().await;
                    #judge
                })
            }
        };
        (body_fn, quote!(Async(__testrail_body)))
    } else {
        let body_fn = quote! {
            fn __testrail_body() -> #tr::__private::BodyResult {
                let __ret = #ident();
                #judge
            }
        };
        (body_fn, quote!(Sync(__testrail_body)))
    }
}

/// `Some("text")` or `None`.
fn option_str(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => quote!(::core::option::Option::Some(#text)),
        None => quote!(::core::option::Option::None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_ok(kind: TestKind, attr: TokenStream, item: TokenStream) -> String {
        try_expand(kind, attr, item).unwrap().to_string()
    }

    fn errors(kind: TestKind, attr: TokenStream, item: TokenStream) -> Vec<String> {
        match try_expand(kind, attr, item) {
            Ok(_) => Vec::new(),
            Err(error) => error.into_iter().map(|error| error.to_string()).collect(),
        }
    }

    #[test]
    fn keeps_the_function_and_registers_it() {
        let out = expand_ok(
            TestKind::Case,
            quote!(C1234, retries = 2),
            quote!(
                #[allow(unused)]
                pub fn can_add_to_cart() {
                    let x = 1;
                }
            ),
        );
        let function = quote!(
            #[cfg(not(test))]
            #[allow(unused)]
            pub fn can_add_to_cart() {
                let x = 1;
            }
        );
        assert!(out.starts_with(&function.to_string()), "{out}");
        for expected in [
            quote!(name: "can_add_to_cart"),
            quote!(case_ids: &[1234]),
            quote!(retries: 2u32),
            quote!(TestBody::Plain(can_add_to_cart)),
        ] {
            assert!(
                out.contains(&expected.to_string()),
                "{expected} not in {out}"
            );
        }
    }

    #[test]
    fn wraps_async_tests_in_a_boxed_future() {
        let out = expand_ok(
            TestKind::Test,
            quote!(),
            quote!(
                async fn checkout_flow() {}
            ),
        );
        assert!(out.contains(&quote!(checkout_flow().await;).to_string()));
        assert!(out.contains(&quote!(TestBody::Async(__testrail_body)).to_string()));
        assert!(out.contains(&quote!(case_ids: &[]).to_string()));
    }

    #[test]
    fn writes_every_option() {
        let out = expand_ok(
            TestKind::Case,
            quote!(
                C1,
                2,
                timeout = "1m 30s",
                max_steps = 5,
                ignore = "why",
                should_panic = "boom",
                known_bug = "BUG-1",
                title = "Nice"
            ),
            quote!(
                fn t() {}
            ),
        );
        for expected in [
            quote!(case_ids: &[1, 2]),
            quote!(Duration::from_millis(90000u64)),
            quote!(max_steps: ::core::option::Option::Some(5u32)),
            quote!(ignore: ::core::option::Option::Some(::core::option::Option::Some("why"))),
            quote!(ShouldPanic::WithMessage("boom")),
            quote!(known_bug: ::core::option::Option::Some("BUG-1")),
            quote!(title: ::core::option::Option::Some("Nice")),
        ] {
            assert!(
                out.contains(&expected.to_string()),
                "{expected} not in {out}"
            );
        }
    }

    #[test]
    fn registers_raw_identifiers_by_their_name() {
        let out = expand_ok(
            TestKind::Case,
            quote!(C1),
            quote!(
                fn r#match() {}
            ),
        );
        assert!(out.contains(&quote!(name: "match").to_string()), "{out}");
    }

    #[test]
    fn copies_cfg_attributes_to_the_registration() {
        let out = expand_ok(
            TestKind::Case,
            quote!(C1),
            quote!(
                #[cfg(unix)]
                #[inline]
                fn t() {}
            ),
        );
        let libtest = out.find(&quote!(#[cfg(test)]).to_string()).unwrap();
        let registration = &out[out.find("const _").unwrap() - 20..libtest];
        assert!(
            registration.contains(&quote!(#[cfg(unix)]).to_string()),
            "{out}"
        );
        assert!(!registration.contains("inline"), "{out}");
        let test_fn = quote!(
            #[cfg(test)]
            #[cfg(unix)]
            #[test]
            fn t() {
                #[cfg(unix)]
                #[inline]
                fn t() {}
            }
        );
        let test_fn = test_fn.to_string();
        assert!(
            out[libtest..].starts_with(test_fn.trim_end_matches(" }")),
            "{out}"
        );
    }

    #[test]
    fn under_cfg_test_becomes_a_libtest_test_that_runs_the_function() {
        let out = expand_ok(
            TestKind::Case,
            quote!(C1, ignore = "slow", should_panic = "boom"),
            quote!(
                /// Documented.
                #[allow(unused)]
                pub async fn checkout() -> Result<(), String> {
                    Ok(())
                }
            ),
        );
        // The function as written, only where there is no libtest.
        let function = quote!(
            #[cfg(not(test))]
            /// Documented.
            #[allow(unused)]
            pub async fn checkout() -> Result<(), String> {
                Ok(())
            }
        );
        assert!(out.starts_with(&function.to_string()), "{out}");
        assert!(
            out.contains(&quote!(#[cfg(not(test))] const _).to_string()),
            "registered only without libtest: {out}"
        );
        let libtest = &out[out.find(&quote!(#[cfg(test)]).to_string()).unwrap()..];
        // The documentation stays on the test libtest sees; `ignore` becomes libtest's,
        // `should_panic` stays the runtime's (it judges retries too).
        let header = quote!(
            #[cfg(test)]
            /// Documented.
            #[ignore = "slow"]
            #[test]
            pub fn checkout() {
                #[allow(unused)]
                async fn checkout() -> Result<(), String> {
                    Ok(())
                }
            }
        )
        .to_string();
        assert!(
            libtest.starts_with(header.trim_end_matches(" } }")),
            "{libtest}"
        );
        assert!(!libtest.contains("should_panic ]"), "{libtest}");
        for expected in [
            quote!(ShouldPanic::WithMessage("boom")),
            quote!(TestBody::Async(__testrail_body)),
            quote!(run_libtest(&__TESTRAIL_TEST,)),
        ] {
            let expected = expected.to_string();
            let expected = expected.trim_end_matches(" ,)");
            assert!(libtest.contains(expected), "{expected} not in {libtest}");
        }
    }

    #[test]
    fn requires_case_ids_on_case() {
        assert_eq!(
            errors(
                TestKind::Case,
                quote!(retries = 1),
                quote!(
                    fn t() {}
                )
            ),
            ["expected at least one case id, like `#[testrail::case(C1234)]`"]
        );
        // An invalid ID is reported for itself only.
        assert_eq!(
            errors(
                TestKind::Case,
                quote!(C0),
                quote!(
                    fn t() {}
                )
            ),
            ["case ids start at 1"]
        );
        assert_eq!(
            errors(
                TestKind::Case,
                quote!(C1, 1),
                quote!(
                    fn t() {}
                )
            ),
            ["case id C1 is given twice"]
        );
    }

    #[test]
    fn rejects_case_ids_on_test() {
        assert_eq!(
            errors(
                TestKind::Test,
                quote!(C7, timeout = "1s"),
                quote!(
                    fn t() {}
                )
            ),
            ["`#[testrail::test]` takes no case IDs; use `#[testrail::case(C7)]`"]
        );
    }

    #[test]
    fn reports_attribute_and_item_errors_together() {
        assert_eq!(
            errors(
                TestKind::Case,
                quote!(C1, retires = 2),
                quote!(
                    fn t(x: u8) {}
                )
            ),
            [
                "unknown option `retires`; did you mean `retries`?",
                "test functions take no arguments",
            ]
        );
        assert_eq!(
            errors(
                TestKind::Test,
                quote!(),
                quote!(
                    struct S;
                )
            ),
            ["`#[testrail::test]` only applies to functions"]
        );
    }
}
