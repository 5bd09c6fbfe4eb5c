//! The path generated code uses to reach the `testrail` crate, even when the user renamed
//! it (`tr = { package = "testrail", ... }`).

use proc_macro_crate::FoundCrate;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// The package name of the facade crate.
const PACKAGE: &str = "testrail";

/// The path of the facade crate as seen from the crate being compiled: `::testrail`,
/// `::renamed`, or `crate` inside the facade's own library.
pub(crate) fn path() -> TokenStream {
    let compiling = std::env::var("CARGO_CRATE_NAME").ok();
    // rustdoc compiles each doctest as its own crate, with the documented crate's
    // environment plus this variable.
    let doctest = std::env::var_os("UNSTABLE_RUSTDOC_TEST_PATH").is_some();
    resolve(
        proc_macro_crate::crate_name(PACKAGE).ok(),
        compiling.as_deref(),
        doctest,
    )
}

/// [`path`] with every token at `span`, so that errors about generated code that uses it
/// point at `span` alone.
pub(crate) fn path_at(span: Span) -> TokenStream {
    path()
        .into_iter()
        .map(|mut token| {
            token.set_span(span);
            token
        })
        .collect()
}

/// Chooses the path from what Cargo's manifest says (`found`), the name of the crate being
/// compiled and whether it is a doctest.
fn resolve(found: Option<FoundCrate>, compiling: Option<&str>, doctest: bool) -> TokenStream {
    match found {
        // The facade's own library (and its unit tests) reach themselves through `crate`.
        // Its examples, integration tests and doctests are separate crates that see the
        // facade under its package name.
        Some(FoundCrate::Itself) if compiling == Some(PACKAGE) && !doctest => quote!(crate),
        Some(FoundCrate::Name(name)) => {
            let name = Ident::new(&name, Span::call_site());
            quote!(::#name)
        }
        Some(FoundCrate::Itself) | None => quote!(::testrail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(found: Option<FoundCrate>, compiling: Option<&str>, doctest: bool) -> String {
        resolve(found, compiling, doctest).to_string()
    }

    #[test]
    fn uses_the_dependency_name() {
        let renamed = || Some(FoundCrate::Name("tr".to_owned()));
        assert_eq!(resolved(renamed(), Some("shop"), false), ":: tr");
        let plain = Some(FoundCrate::Name("testrail".to_owned()));
        assert_eq!(resolved(plain, Some("shop"), false), ":: testrail");
    }

    #[test]
    fn uses_crate_inside_the_facade_library() {
        assert_eq!(
            resolved(Some(FoundCrate::Itself), Some("testrail"), false),
            "crate"
        );
    }

    #[test]
    fn uses_the_package_name_in_other_targets_of_the_facade() {
        assert_eq!(
            resolved(Some(FoundCrate::Itself), Some("testrail"), true),
            ":: testrail"
        );
        assert_eq!(
            resolved(Some(FoundCrate::Itself), Some("basic"), false),
            ":: testrail"
        );
        assert_eq!(
            resolved(Some(FoundCrate::Itself), None, false),
            ":: testrail"
        );
    }

    #[test]
    fn falls_back_to_the_package_name() {
        assert_eq!(resolved(None, Some("shop"), false), ":: testrail");
    }
}
