//! Splitting an attribute's arguments, `(C1234, 1235, retries = 2, ignore, ...)`, into
//! [`Arg`]s.
//!
//! The tokens are read one comma-separated argument at a time, so that one malformed
//! argument is reported on its own tokens and every other argument is still checked.

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};
use syn::Lit;

use crate::case_id::{self, CaseId};
use crate::errors::Errors;

/// One comma-separated argument.
pub(crate) enum Arg {
    /// A case ID: `C1234` or `1234`.
    CaseId(CaseId),
    /// Something meant as a case ID but invalid (`C0`, `-3`, `"C12"`); already reported.
    InvalidCaseId,
    /// A bare option name: `ignore`.
    Flag(Ident),
    /// An option with a value: `retries = 2`.
    Assign {
        /// The option name.
        key: Ident,
        /// What follows the `=`.
        value: Value,
    },
    /// An option with parenthesized arguments: `should_panic(expected = "text")`.
    List {
        /// The option name.
        key: Ident,
        /// The parentheses and their contents.
        group: Group,
    },
}

/// The tokens after `=` in an option.
pub(crate) struct Value {
    /// Every token of the value, for error spans.
    pub(crate) tokens: TokenStream,
    /// The value when it is one literal, possibly after a minus sign.
    pub(crate) literal: Option<Lit>,
    /// Whether the literal is preceded by a minus sign.
    pub(crate) negative: bool,
}

impl Value {
    /// Reads the tokens after `=`.
    fn new(tokens: &[TokenTree]) -> Value {
        let (literal, negative) = match tokens {
            [TokenTree::Literal(literal)] => (Some(Lit::new(literal.clone())), false),
            [TokenTree::Punct(minus), TokenTree::Literal(literal)] if minus.as_char() == '-' => {
                (Some(Lit::new(literal.clone())), true)
            }
            _ => (None, false),
        };
        Value {
            tokens: tokens.iter().cloned().collect(),
            literal,
            negative,
        }
    }

    /// The string, when the value is a string literal.
    pub(crate) fn as_str(&self) -> Option<&syn::LitStr> {
        match &self.literal {
            Some(Lit::Str(string)) if !self.negative => Some(string),
            _ => None,
        }
    }
}

/// Splits attribute arguments, recording an error for every malformed one and leaving it out.
pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Vec<Arg> {
    let mut args = Vec::new();
    let mut segment = Vec::new();
    for token in tokens {
        match &token {
            TokenTree::Punct(comma) if comma.as_char() == ',' => {
                if segment.is_empty() {
                    errors.at(comma.span(), "expected an argument before this `,`");
                } else {
                    args.extend(classify(std::mem::take(&mut segment), errors));
                }
            }
            _ => segment.push(token),
        }
    }
    if !segment.is_empty() {
        args.extend(classify(segment, errors));
    }
    args
}

/// Reads one argument (the tokens between two commas).
fn classify(segment: Vec<TokenTree>, errors: &mut Errors) -> Option<Arg> {
    let segment = flatten(segment);
    let case_id = match segment.as_slice() {
        [TokenTree::Ident(ident)] if case_id::is_case_id_ident(ident) => {
            Some(CaseId::from_ident(ident))
        }
        [TokenTree::Literal(literal)] => Some(CaseId::from_literal(literal)),
        [TokenTree::Punct(minus), TokenTree::Literal(_)] if minus.as_char() == '-' => {
            Some(Err(CaseId::negative(segment.iter().cloned().collect())))
        }
        _ => None,
    };
    if let Some(case_id) = case_id {
        return Some(errors.take(case_id).map_or(Arg::InvalidCaseId, Arg::CaseId));
    }
    let result = match segment.as_slice() {
        [TokenTree::Ident(ident)] => Ok(Arg::Flag(ident.clone())),
        [TokenTree::Ident(key), TokenTree::Punct(eq), value @ ..] if eq.as_char() == '=' => {
            if value.is_empty() {
                Err(syn::Error::new(eq.span(), "expected a value after `=`"))
            } else {
                Ok(Arg::Assign {
                    key: key.clone(),
                    value: Value::new(value),
                })
            }
        }
        [TokenTree::Ident(key), TokenTree::Group(group)]
            if group.delimiter() == Delimiter::Parenthesis =>
        {
            Ok(Arg::List {
                key: key.clone(),
                group: group.clone(),
            })
        }
        _ => Err(syn::Error::new_spanned(
            segment.iter().cloned().collect::<TokenStream>(),
            "expected a case id like `C1234` or an option like `retries = 2`",
        )),
    };
    errors.take(result)
}

/// Replaces invisible groups (left by `macro_rules!` fragments such as `$id:literal`) with
/// their contents.
fn flatten(tokens: Vec<TokenTree>) -> Vec<TokenTree> {
    let mut flat = Vec::with_capacity(tokens.len());
    for token in tokens {
        match token {
            TokenTree::Group(group) if group.delimiter() == Delimiter::None => {
                flat.extend(flatten(group.stream().into_iter().collect()));
            }
            token => flat.push(token),
        }
    }
    flat
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// Parses arguments into a readable summary, plus the error messages.
    fn summary(tokens: TokenStream) -> (Vec<String>, Vec<String>) {
        let mut errors = Errors::default();
        let args = parse(tokens, &mut errors)
            .into_iter()
            .map(|arg| match arg {
                Arg::CaseId(id) => format!("id {}", id.value),
                Arg::InvalidCaseId => "invalid id".to_owned(),
                Arg::Flag(key) => format!("flag {key}"),
                Arg::Assign { key, value } => format!(
                    "{key} = {}{}",
                    if value.negative { "-" } else { "" },
                    value.tokens
                ),
                Arg::List { key, group } => format!("{key} {group}"),
            })
            .collect();
        let messages = match errors.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|error| error.to_string()).collect(),
        };
        (args, messages)
    }

    #[test]
    fn reads_every_argument_form() {
        let (args, messages) = summary(quote!(
            C1234,
            1235,
            retries = 2,
            ignore,
            should_panic(expected = "x"),
            title = "t",
        ));
        assert_eq!(
            args,
            [
                "id 1234",
                "id 1235",
                "retries = 2",
                "flag ignore",
                "should_panic (expected = \"x\")",
                "title = \"t\"",
            ]
        );
        assert!(messages.is_empty());
    }

    #[test]
    fn empty_input_has_no_arguments() {
        assert_eq!(summary(quote!()), (Vec::new(), Vec::new()));
    }

    #[test]
    fn keeps_going_after_bad_arguments() {
        let (args, messages) = summary(quote!(C0, -3, "C12", 1.5, , retries =, a b, C7));
        assert_eq!(
            args,
            [
                "invalid id",
                "invalid id",
                "invalid id",
                "invalid id",
                "id 7"
            ]
        );
        assert_eq!(
            messages,
            [
                "case ids start at 1",
                "case ids start at 1; they cannot be negative",
                "case ids are not strings; write `C12` without quotes",
                "case ids are whole numbers",
                "expected an argument before this `,`",
                "expected a value after `=`",
                "expected a case id like `C1234` or an option like `retries = 2`",
            ]
        );
    }

    #[test]
    fn reads_values() {
        let mut errors = Errors::default();
        let args = parse(quote!(a = "s", b = -2, c = x::y), &mut errors);
        let values: Vec<&Value> = args
            .iter()
            .map(|arg| match arg {
                Arg::Assign { value, .. } => value,
                _ => panic!("not an assignment"),
            })
            .collect();
        assert_eq!(values[0].as_str().unwrap().value(), "s");
        assert!(values[1].negative && values[1].as_str().is_none());
        assert!(values[2].literal.is_none());
    }

    #[test]
    fn looks_inside_invisible_groups() {
        let id = TokenTree::Group(Group::new(Delimiter::None, quote!(1234)));
        let (args, messages) = summary(quote!(#id));
        assert_eq!(args, ["id 1234"]);
        assert!(messages.is_empty());
    }
}
