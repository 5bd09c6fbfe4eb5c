//! The options of `#[testrail::case]`, `#[testrail::test]` and `#[testrail::step]`, read
//! from parsed [`Arg`]s with an error for each misuse.

use proc_macro2::{Group, Ident};
use syn::parse::{ParseStream, Parser};
use syn::{Lit, LitStr, Token};

use crate::args::Arg;
use crate::case_id::CaseIds;
use crate::errors::Errors;
use crate::{suggest, timeout};

/// Option names a test accepts.
const TEST_OPTIONS: [&str; 7] = [
    "title",
    "timeout",
    "retries",
    "max_steps",
    "ignore",
    "should_panic",
    "known_bug",
];

/// Option names a step accepts.
const STEP_OPTIONS: [&str; 1] = ["name"];

/// Whether and how a test is expected to panic.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PanicExpectation {
    /// Must not panic.
    No,
    /// Must panic.
    Yes,
    /// Must panic with a message containing this text.
    WithMessage(String),
}

/// The options of a test, with their defaults when not given.
#[derive(Debug)]
pub(crate) struct TestOptions {
    /// `title = "..."`.
    pub(crate) title: Option<String>,
    /// `timeout = "..."`, in milliseconds.
    pub(crate) timeout_millis: Option<u64>,
    /// `retries = N`, 0 by default.
    pub(crate) retries: u32,
    /// `max_steps = N`.
    pub(crate) max_steps: Option<u32>,
    /// `ignore` (`Some(None)`) or `ignore = "reason"`.
    pub(crate) ignore: Option<Option<String>>,
    /// `should_panic`, `should_panic = "text"` or `should_panic(expected = "text")`.
    pub(crate) should_panic: PanicExpectation,
    /// `known_bug = "KEY-1"`.
    pub(crate) known_bug: Option<String>,
}

/// The options of a step.
#[derive(Debug, Default)]
pub(crate) struct StepOptions {
    /// `name = "..."`: the name shown instead of the function's.
    pub(crate) name: Option<String>,
}

impl TestOptions {
    /// Reads the case IDs and options of a test attribute.
    pub(crate) fn parse(args: Vec<Arg>, errors: &mut Errors) -> (CaseIds, TestOptions) {
        let mut options = TestOptions {
            title: None,
            timeout_millis: None,
            retries: 0,
            max_steps: None,
            ignore: None,
            should_panic: PanicExpectation::No,
            known_bug: None,
        };
        let case_ids = for_each_option(args, errors, |key, arg, errors| {
            match key.to_string().as_str() {
                "title" => {
                    options.title = string_option(key, arg, r#"title = "Checkout flow""#, errors);
                }
                "timeout" => options.timeout_millis = timeout_option(key, arg, errors),
                "retries" => {
                    options.retries =
                        count_option(key, arg, "retries = 2", 0, errors).unwrap_or_default();
                }
                "max_steps" => {
                    options.max_steps = count_option(key, arg, "max_steps = 50", 1, errors);
                }
                "ignore" => options.ignore = ignore_option(arg, errors),
                "should_panic" => {
                    options.should_panic =
                        should_panic_option(arg, errors).unwrap_or(PanicExpectation::No);
                }
                "known_bug" => {
                    options.known_bug =
                        string_option(key, arg, r#"known_bug = "JIRA-123""#, errors);
                }
                _ => unknown_option(key, "option", &TEST_OPTIONS, ("name", "title"), errors),
            }
        });
        (case_ids, options)
    }
}

impl StepOptions {
    /// Reads the case IDs and options of a step attribute.
    pub(crate) fn parse(args: Vec<Arg>, errors: &mut Errors) -> (CaseIds, StepOptions) {
        let mut options = StepOptions::default();
        let case_ids = for_each_option(args, errors, |key, arg, errors| {
            if key == "name" {
                options.name = string_option(key, arg, r#"name = "log in""#, errors);
            } else {
                unknown_option(key, "step option", &STEP_OPTIONS, ("title", "name"), errors);
            }
        });
        (case_ids, options)
    }
}

/// Calls `read` for every option given once, reports options and case IDs given twice, and
/// returns the case IDs. The values `read` stores when it reports an error do not matter:
/// no code is generated then.
fn for_each_option(
    args: Vec<Arg>,
    errors: &mut Errors,
    mut read: impl FnMut(&Ident, &Arg, &mut Errors),
) -> CaseIds {
    let mut case_ids = CaseIds::default();
    let mut seen: Vec<String> = Vec::new();
    for arg in args {
        let key = match &arg {
            Arg::CaseId(id) => {
                if case_ids.ids.iter().any(|earlier| earlier.value == id.value) {
                    errors.at(id.span, format!("case id C{} is given twice", id.value));
                } else {
                    case_ids.ids.push(*id);
                }
                continue;
            }
            Arg::InvalidCaseId => {
                case_ids.any_invalid = true;
                continue;
            }
            Arg::Flag(key) | Arg::Assign { key, .. } | Arg::List { key, .. } => key.clone(),
        };
        let name = key.to_string();
        if seen.contains(&name) {
            errors.at(key.span(), format!("`{name}` is given twice"));
            continue;
        }
        seen.push(name);
        read(&key, &arg, errors);
    }
    case_ids
}

/// Reports an unknown option, suggesting a close name. `alias` maps a name that belongs to
/// the other kind of attribute to the right one (`name` on a test means `title`).
fn unknown_option(
    key: &Ident,
    what: &str,
    known: &[&str],
    alias: (&str, &str),
    errors: &mut Errors,
) {
    let name = key.to_string();
    let suggestion = if name == alias.0 {
        Some(alias.1)
    } else {
        suggest::closest(&name, known)
    };
    let message = match suggestion {
        Some(suggestion) => format!("unknown {what} `{name}`; did you mean `{suggestion}`?"),
        None => format!("unknown {what} `{name}`; expected {}", list(known)),
    };
    errors.at(key.span(), message);
}

/// "`a`", "`a` or `b`", "`a`, `b` or `c`".
fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The value of `key = "text"`: a non-empty string.
fn string_option(key: &Ident, arg: &Arg, example: &str, errors: &mut Errors) -> Option<String> {
    let string = string_literal(key, arg, example, errors)?;
    let value = string.value();
    if value.is_empty() {
        errors.at(string.span(), format!("`{key}` cannot be empty"));
        return None;
    }
    Some(value)
}

/// The string literal of `key = "text"`, reporting any other form.
fn string_literal<'a>(
    key: &Ident,
    arg: &'a Arg,
    example: &str,
    errors: &mut Errors,
) -> Option<&'a LitStr> {
    match arg {
        Arg::Assign { value, .. } => {
            let string = value.as_str();
            if string.is_none() {
                errors.spanned(
                    &value.tokens,
                    format!("`{key}` takes a string, like `{example}`"),
                );
            }
            string
        }
        _ => {
            errors.at(
                key.span(),
                format!("`{key}` needs a value, like `{example}`"),
            );
            None
        }
    }
}

/// `timeout = "1m 30s"` in milliseconds.
fn timeout_option(key: &Ident, arg: &Arg, errors: &mut Errors) -> Option<u64> {
    let string = string_literal(key, arg, r#"timeout = "30s""#, errors)?;
    timeout::parse_millis(&string.value())
        .map_err(|message| errors.at(string.span(), message))
        .ok()
}

/// `key = N`: a whole number of at least `min`.
fn count_option(
    key: &Ident,
    arg: &Arg,
    example: &str,
    min: u32,
    errors: &mut Errors,
) -> Option<u32> {
    let Arg::Assign { value, .. } = arg else {
        errors.at(
            key.span(),
            format!("`{key}` needs a value, like `{example}`"),
        );
        return None;
    };
    let result = match (&value.literal, value.negative) {
        (Some(Lit::Int(_)), true) => Err(format!("`{key}` cannot be negative")),
        (Some(Lit::Int(int)), false) => match int.base10_parse::<u32>() {
            Ok(count) if count >= min => Ok(count),
            Ok(_) => Err(format!("`{key}` must be at least {min}")),
            Err(_) => Err(format!("`{key}` is too large")),
        },
        _ => Err(format!("`{key}` takes a whole number, like `{example}`")),
    };
    result
        .map_err(|message| errors.spanned(&value.tokens, message))
        .ok()
}

/// `ignore` or `ignore = "reason"`.
fn ignore_option(arg: &Arg, errors: &mut Errors) -> Option<Option<String>> {
    const EXAMPLE: &str = r#"`ignore` takes a reason string, like `ignore = "flaky"`"#;
    match arg {
        Arg::Flag(_) => Some(None),
        Arg::Assign { value, .. } => match value.as_str() {
            Some(reason) if reason.value().is_empty() => {
                errors.at(reason.span(), "`ignore` reason cannot be empty");
                None
            }
            Some(reason) => Some(Some(reason.value())),
            None => {
                errors.spanned(&value.tokens, EXAMPLE);
                None
            }
        },
        Arg::List { group, .. } => {
            errors.at(group.span(), EXAMPLE);
            None
        }
        Arg::CaseId(_) | Arg::InvalidCaseId => None,
    }
}

/// `should_panic`, `should_panic = "text"` or `should_panic(expected = "text")`.
fn should_panic_option(arg: &Arg, errors: &mut Errors) -> Option<PanicExpectation> {
    match arg {
        Arg::Flag(_) => Some(PanicExpectation::Yes),
        Arg::Assign { value, .. } => match value.as_str() {
            Some(text) => Some(PanicExpectation::WithMessage(text.value())),
            None => {
                errors.spanned(
                    &value.tokens,
                    r#"`should_panic` takes the expected message as a string, like `should_panic = "overflow"`"#,
                );
                None
            }
        },
        Arg::List { group, .. } => errors
            .take(expected_message(group))
            .map(|text| PanicExpectation::WithMessage(text.value())),
        Arg::CaseId(_) | Arg::InvalidCaseId => None,
    }
}

/// The `expected = "text"` inside `should_panic(...)`.
fn expected_message(group: &Group) -> syn::Result<LitStr> {
    const EXAMPLE: &str = r#"expected `expected = "message"`"#;
    if group.stream().is_empty() {
        return Err(syn::Error::new(group.span(), EXAMPLE));
    }
    let parser = |input: ParseStream| {
        let key: Ident = input.parse()?;
        if key != "expected" {
            return Err(syn::Error::new(key.span(), EXAMPLE));
        }
        input.parse::<Token![=]>()?;
        let text: LitStr = input.parse()?;
        input.parse::<Option<Token![,]>>()?;
        Ok(text)
    };
    parser
        .parse2(group.stream())
        .map_err(|error| syn::Error::new(error.span(), EXAMPLE))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::TokenStream;
    use quote::quote;

    fn messages(errors: Errors) -> Vec<String> {
        match errors.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|error| error.to_string()).collect(),
        }
    }

    fn test_options(tokens: TokenStream) -> (Vec<u64>, TestOptions, Vec<String>) {
        let mut errors = Errors::default();
        let args = crate::args::parse(tokens, &mut errors);
        let (ids, options) = TestOptions::parse(args, &mut errors);
        let ids = ids.ids.iter().map(|id| id.value).collect();
        (ids, options, messages(errors))
    }

    fn test_errors(tokens: TokenStream) -> Vec<String> {
        test_options(tokens).2
    }

    fn step_options(tokens: TokenStream) -> (Vec<u64>, StepOptions, Vec<String>) {
        let mut errors = Errors::default();
        let args = crate::args::parse(tokens, &mut errors);
        let (ids, options) = StepOptions::parse(args, &mut errors);
        let ids = ids.ids.iter().map(|id| id.value).collect();
        (ids, options, messages(errors))
    }

    #[test]
    fn defaults() {
        let (ids, options, errors) = test_options(quote!(C1));
        assert_eq!(ids, [1]);
        assert!(errors.is_empty());
        assert_eq!(options.title, None);
        assert_eq!(options.timeout_millis, None);
        assert_eq!(options.retries, 0);
        assert_eq!(options.max_steps, None);
        assert_eq!(options.ignore, None);
        assert_eq!(options.should_panic, PanicExpectation::No);
        assert_eq!(options.known_bug, None);
    }

    #[test]
    fn reads_every_option() {
        let (ids, options, errors) = test_options(quote!(
            C1234,
            1235,
            timeout = "1m 30s",
            retries = 2,
            max_steps = 50,
            ignore = "flaky",
            should_panic(expected = "boom"),
            known_bug = "JIRA-123",
            title = "Checkout flow"
        ));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(ids, [1234, 1235]);
        assert_eq!(options.title.as_deref(), Some("Checkout flow"));
        assert_eq!(options.timeout_millis, Some(90_000));
        assert_eq!(options.retries, 2);
        assert_eq!(options.max_steps, Some(50));
        assert_eq!(options.ignore, Some(Some("flaky".to_owned())));
        assert_eq!(
            options.should_panic,
            PanicExpectation::WithMessage("boom".to_owned())
        );
        assert_eq!(options.known_bug.as_deref(), Some("JIRA-123"));
    }

    #[test]
    fn reads_flag_forms() {
        let (_, options, errors) = test_options(quote!(ignore, should_panic));
        assert!(errors.is_empty());
        assert_eq!(options.ignore, Some(None));
        assert_eq!(options.should_panic, PanicExpectation::Yes);

        let (_, options, _) = test_options(quote!(should_panic = "text"));
        assert_eq!(
            options.should_panic,
            PanicExpectation::WithMessage("text".to_owned())
        );
    }

    #[test]
    fn suggests_misspelled_options() {
        assert_eq!(
            test_errors(quote!(retires = 2)),
            ["unknown option `retires`; did you mean `retries`?"]
        );
        assert_eq!(
            test_errors(quote!(name = "x")),
            ["unknown option `name`; did you mean `title`?"]
        );
        assert_eq!(
            test_errors(quote!(flaky)),
            [
                "unknown option `flaky`; expected `title`, `timeout`, `retries`, `max_steps`, \
              `ignore`, `should_panic` or `known_bug`"
            ]
        );
    }

    #[test]
    fn rejects_wrong_value_types() {
        assert_eq!(
            test_errors(quote!(retries = "2")),
            ["`retries` takes a whole number, like `retries = 2`"]
        );
        assert_eq!(
            test_errors(quote!(timeout = 30)),
            [r#"`timeout` takes a string, like `timeout = "30s"`"#]
        );
        assert_eq!(
            test_errors(quote!(ignore = 3)),
            [r#"`ignore` takes a reason string, like `ignore = "flaky"`"#]
        );
        assert_eq!(
            test_errors(quote!(ignore(x))),
            [r#"`ignore` takes a reason string, like `ignore = "flaky"`"#]
        );
        assert_eq!(
            test_errors(quote!(should_panic = 1)),
            [
                r#"`should_panic` takes the expected message as a string, like `should_panic = "overflow"`"#
            ]
        );
        assert_eq!(
            test_errors(quote!(title = Foo)),
            [r#"`title` takes a string, like `title = "Checkout flow"`"#]
        );
    }

    #[test]
    fn rejects_missing_values() {
        assert_eq!(
            test_errors(quote!(retries)),
            ["`retries` needs a value, like `retries = 2`"]
        );
        assert_eq!(
            test_errors(quote!(timeout("1s"))),
            [r#"`timeout` needs a value, like `timeout = "30s"`"#]
        );
    }

    #[test]
    fn rejects_out_of_range_numbers() {
        assert_eq!(
            test_errors(quote!(retries = -1)),
            ["`retries` cannot be negative"]
        );
        assert_eq!(
            test_errors(quote!(retries = 5000000000)),
            ["`retries` is too large"]
        );
        assert_eq!(
            test_errors(quote!(max_steps = 0)),
            ["`max_steps` must be at least 1"]
        );
        assert_eq!(
            test_errors(quote!(max_steps = 1.5)),
            ["`max_steps` takes a whole number, like `max_steps = 50`"]
        );
    }

    #[test]
    fn rejects_empty_strings() {
        assert_eq!(test_errors(quote!(title = "")), ["`title` cannot be empty"]);
        assert_eq!(
            test_errors(quote!(known_bug = "")),
            ["`known_bug` cannot be empty"]
        );
        assert_eq!(
            test_errors(quote!(ignore = "")),
            ["`ignore` reason cannot be empty"]
        );
    }

    #[test]
    fn reports_timeout_problems() {
        assert_eq!(
            test_errors(quote!(timeout = "30")),
            [
                r#"invalid timeout `30`: time unit needed, for example 30sec or 30ms; write it like "30s", "1m 30s" or "500ms""#
            ]
        );
        assert_eq!(
            test_errors(quote!(timeout = "0s")),
            ["timeout must be longer than zero"]
        );
    }

    #[test]
    fn rejects_malformed_should_panic_lists() {
        let expected = [r#"expected `expected = "message"`"#];
        assert_eq!(test_errors(quote!(should_panic())), expected);
        assert_eq!(test_errors(quote!(should_panic(message = "x"))), expected);
        assert_eq!(test_errors(quote!(should_panic(expected = 3))), expected);
        assert_eq!(
            test_errors(quote!(should_panic(expected = "x", y))),
            expected
        );
        let (_, options, errors) = test_options(quote!(should_panic(expected = "x",)));
        assert!(errors.is_empty());
        assert_eq!(
            options.should_panic,
            PanicExpectation::WithMessage("x".to_owned())
        );
    }

    #[test]
    fn reports_every_repeated_case_id() {
        let (ids, _, errors) = test_options(quote!(C1, 2, 1, C2, C1, 3));
        assert_eq!(ids, [1, 2, 3]);
        assert_eq!(
            errors,
            [
                "case id C1 is given twice",
                "case id C2 is given twice",
                "case id C1 is given twice",
            ]
        );
    }

    #[test]
    fn reports_every_repeated_option() {
        assert_eq!(
            test_errors(quote!(
                retries = 1,
                ignore,
                retries = 2,
                ignore = "x",
                retries = 3
            )),
            [
                "`retries` is given twice",
                "`ignore` is given twice",
                "`retries` is given twice",
            ]
        );
    }

    #[test]
    fn reads_step_options() {
        let (ids, options, errors) = step_options(quote!(C2001, C2002, name = "log in"));
        assert!(errors.is_empty());
        assert_eq!(ids, [2001, 2002]);
        assert_eq!(options.name.as_deref(), Some("log in"));

        let (ids, options, errors) = step_options(quote!());
        assert!(errors.is_empty() && ids.is_empty() && options.name.is_none());
    }

    #[test]
    fn rejects_test_options_on_steps() {
        assert_eq!(
            step_options(quote!(retries = 2)).2,
            ["unknown step option `retries`; expected `name`"]
        );
        assert_eq!(
            step_options(quote!(title = "x")).2,
            ["unknown step option `title`; did you mean `name`?"]
        );
        assert_eq!(
            step_options(quote!(nmae = "x")).2,
            ["unknown step option `nmae`; did you mean `name`?"]
        );
    }

    #[test]
    fn lists_names() {
        assert_eq!(list(&["a"]), "`a`");
        assert_eq!(list(&["a", "b"]), "`a` or `b`");
        assert_eq!(list(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
