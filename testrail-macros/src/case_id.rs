//! TestRail case IDs as written in an attribute: `C1234` or `1234`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use syn::Lit;

/// One case ID and where it was written.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CaseId {
    /// The number, at least 1.
    pub(crate) value: u64,
    /// The token the ID was written as.
    pub(crate) span: Span,
}

/// Whether an identifier is meant as a case ID (`C1234`, or a misspelling such as `Cabc`)
/// rather than an option name: option names are lowercase, case IDs start with `C`.
pub(crate) fn is_case_id_ident(ident: &Ident) -> bool {
    let text = ident.to_string();
    text.starts_with('C')
        || (text.len() > 1
            && text.starts_with('c')
            && text[1..].bytes().all(|b| b.is_ascii_digit()))
}

impl CaseId {
    /// Reads an ID written as an identifier, such as `C1234`.
    pub(crate) fn from_ident(ident: &Ident) -> syn::Result<CaseId> {
        let text = ident.to_string();
        let digits = match text.strip_prefix('C') {
            Some(digits) => digits,
            None => {
                return Err(syn::Error::new(
                    ident.span(),
                    format!(
                        "case ids start with an uppercase `C`, like `C{}`",
                        &text[1..]
                    ),
                ));
            }
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(syn::Error::new(
                ident.span(),
                format!("expected a case id like `C1234`, found `{text}`"),
            ));
        }
        Self::from_digits(digits, ident.span())
    }

    /// Reads an ID written as a literal, such as `1234`, and explains why other literals
    /// (strings, floats, ...) are not IDs.
    pub(crate) fn from_literal(literal: &Literal) -> syn::Result<CaseId> {
        let span = literal.span();
        match Lit::new(literal.clone()) {
            Lit::Int(int) if int.suffix().is_empty() => {
                Self::from_digits(int.base10_digits(), span)
            }
            Lit::Int(int) => Err(syn::Error::new(
                span,
                format!(
                    "case ids take no type suffix; write `{}`",
                    int.base10_digits()
                ),
            )),
            Lit::Str(string) => {
                let value = string.value();
                let digits = value.strip_prefix('C').unwrap_or(&value);
                let message = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    format!("case ids are not strings; write `{value}` without quotes")
                } else {
                    "case ids are not strings; write them like `C1234`".to_owned()
                };
                Err(syn::Error::new(span, message))
            }
            Lit::Float(_) => Err(syn::Error::new(span, "case ids are whole numbers")),
            _ => Err(syn::Error::new(
                span,
                format!("expected a case id like `C1234`, found `{literal}`"),
            )),
        }
    }

    /// The error for an ID written with a minus sign, such as `-3`.
    pub(crate) fn negative(tokens: TokenStream) -> syn::Error {
        syn::Error::new_spanned(tokens, "case ids start at 1; they cannot be negative")
    }

    fn from_digits(digits: &str, span: Span) -> syn::Result<CaseId> {
        match digits.parse::<u64>() {
            Ok(0) => Err(syn::Error::new(span, "case ids start at 1")),
            Ok(value) => Ok(CaseId { value, span }),
            Err(_) => Err(syn::Error::new(span, "case id is too large")),
        }
    }
}

/// The case IDs written in one attribute.
#[derive(Debug, Default)]
pub(crate) struct CaseIds {
    /// The valid IDs, in the order written.
    pub(crate) ids: Vec<CaseId>,
    /// Whether an invalid ID was written too (and reported).
    pub(crate) any_invalid: bool,
}

impl CaseIds {
    /// Whether no ID at all, valid or not, was written.
    pub(crate) fn none_written(&self) -> bool {
        self.ids.is_empty() && !self.any_invalid
    }

    /// The IDs as literals for generated code.
    pub(crate) fn literals(&self) -> impl Iterator<Item = Literal> + '_ {
        self.ids.iter().map(|id| Literal::u64_unsuffixed(id.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn ident(text: &str) -> Ident {
        Ident::new(text, Span::call_site())
    }

    fn literal(tokens: TokenStream) -> Literal {
        syn::parse2(tokens).unwrap()
    }

    fn message<T: std::fmt::Debug>(result: syn::Result<T>) -> String {
        result.unwrap_err().to_string()
    }

    #[test]
    fn reads_c_prefixed_ids() {
        assert_eq!(CaseId::from_ident(&ident("C1234")).unwrap().value, 1234);
        assert_eq!(CaseId::from_ident(&ident("C007")).unwrap().value, 7);
    }

    #[test]
    fn reads_bare_ids() {
        assert_eq!(
            CaseId::from_literal(&literal(quote!(1235))).unwrap().value,
            1235
        );
        assert_eq!(
            CaseId::from_literal(&literal(quote!(1_000))).unwrap().value,
            1000
        );
    }

    #[test]
    fn rejects_zero() {
        assert_eq!(
            message(CaseId::from_ident(&ident("C0"))),
            "case ids start at 1"
        );
        assert_eq!(
            message(CaseId::from_literal(&literal(quote!(0)))),
            "case ids start at 1"
        );
    }

    #[test]
    fn rejects_non_numeric_ids() {
        assert_eq!(
            message(CaseId::from_ident(&ident("Cabc"))),
            "expected a case id like `C1234`, found `Cabc`"
        );
        assert_eq!(
            message(CaseId::from_ident(&ident("C"))),
            "expected a case id like `C1234`, found `C`"
        );
        assert_eq!(
            message(CaseId::from_ident(&ident("c12"))),
            "case ids start with an uppercase `C`, like `C12`"
        );
        assert_eq!(
            message(CaseId::from_literal(&literal(quote!("C12")))),
            "case ids are not strings; write `C12` without quotes"
        );
        assert_eq!(
            message(CaseId::from_literal(&literal(quote!("login")))),
            "case ids are not strings; write them like `C1234`"
        );
        assert_eq!(
            message(CaseId::from_literal(&literal(quote!(1.5)))),
            "case ids are whole numbers"
        );
        assert_eq!(
            message(CaseId::from_literal(&literal(quote!(12u64)))),
            "case ids take no type suffix; write `12`"
        );
        assert_eq!(
            message(CaseId::from_literal(&literal(quote!('c')))),
            "expected a case id like `C1234`, found `'c'`"
        );
    }

    #[test]
    fn rejects_overflow() {
        assert_eq!(
            message(CaseId::from_ident(&ident("C99999999999999999999"))),
            "case id is too large"
        );
    }

    #[test]
    fn classifies_identifiers() {
        assert!(is_case_id_ident(&ident("C12")));
        assert!(is_case_id_ident(&ident("Cabc")));
        assert!(is_case_id_ident(&ident("c12")));
        assert!(!is_case_id_ident(&ident("c")));
        assert!(!is_case_id_ident(&ident("retries")));
        assert!(!is_case_id_ident(&ident("ignore")));
    }

    #[test]
    fn writes_ids_as_plain_literals() {
        let id = |value| CaseId {
            value,
            span: Span::call_site(),
        };
        let ids = CaseIds {
            ids: vec![id(1), id(23)],
            any_invalid: false,
        };
        let literals: Vec<String> = ids.literals().map(|id| id.to_string()).collect();
        assert_eq!(literals, ["1", "23"]);
    }

    #[test]
    fn tells_whether_any_id_was_written() {
        assert!(CaseIds::default().none_written());
        let invalid = CaseIds {
            ids: Vec::new(),
            any_invalid: true,
        };
        assert!(!invalid.none_written());
    }
}
