//! The one grammar of TestRail case IDs in test names, used by `import junit`, by title
//! matching, by `status` and by the README.
//!
//! A case ID is a `C<digits>` token (`c` in either case) anywhere in a test's name or
//! classname (so in any segment of a path such as `cart::tests::c106_merges_lines`), bounded
//! on both sides by the start or end of the text or by a character that is not a letter or
//! digit (`_`, space, `[`, `(`, `:`, `,`, `-`, `.`, ...). `C0`, `c3po`, `abc123`, `sha256`
//! and `Create` are not IDs.
//!
//! A team with its own convention replaces the grammar with `case_id_pattern`: a regular
//! expression (the `regex` crate's syntax) with one capture group around the digits, e.g.
//! `TR-(\d+)`.

use regex::Regex;

/// `case_id_pattern` is not a usable regular expression.
#[derive(Debug, thiserror::Error)]
#[error(
    "case_id_pattern {pattern:?} cannot be used: {reason}\n  give a regular expression with exactly one capture group around the digits, e.g. case_id_pattern = 'TR-(\\d+)'"
)]
pub struct PatternError {
    /// The pattern as given.
    pub pattern: String,
    /// What is wrong with it.
    pub reason: String,
}

/// How case IDs are found in names: the built-in grammar, or a team's own pattern.
#[derive(Clone, Debug, Default)]
pub struct Grammar {
    custom: Option<Regex>,
}

impl Grammar {
    /// The built-in grammar when `pattern` is `None`, else the pattern, checked to have
    /// exactly one capture group.
    pub fn new(pattern: Option<&str>) -> Result<Grammar, PatternError> {
        let Some(pattern) = pattern.map(str::trim).filter(|p| !p.is_empty()) else {
            return Ok(Grammar::default());
        };
        let bad = |reason: String| PatternError {
            pattern: pattern.to_owned(),
            reason,
        };
        let regex = Regex::new(pattern).map_err(|error| bad(error.to_string()))?;
        match regex.captures_len() - 1 {
            1 => Ok(Grammar {
                custom: Some(regex),
            }),
            groups => Err(bad(format!("it has {groups} capture groups, not 1"))),
        }
    }

    /// The case IDs in one text, in order of appearance, without repeats.
    ///
    /// ```text
    /// "test_C101_adds_item"            → [101]
    /// "Cart C108 C109 - keeps lines"   → [108, 109]
    /// "test_c3po_talks"                → []
    /// ```
    pub fn in_text(&self, text: &str) -> Vec<u64> {
        let mut ids = Vec::new();
        match &self.custom {
            Some(regex) => {
                for captures in regex.captures_iter(text) {
                    if let Some(id) = captures
                        .get(1)
                        .and_then(|m| m.as_str().trim().parse::<u64>().ok())
                        .filter(|id| *id > 0)
                    {
                        push_unique(&mut ids, id);
                    }
                }
            }
            None => {
                for id in tokens(text) {
                    push_unique(&mut ids, id);
                }
            }
        }
        ids
    }

    /// The case IDs of a test: those in its name, then those in its classname.
    pub fn in_test(&self, classname: Option<&str>, name: &str) -> Vec<u64> {
        let mut ids = self.in_text(name);
        for id in classname.map(|c| self.in_text(c)).unwrap_or_default() {
            push_unique(&mut ids, id);
        }
        ids
    }
}

fn push_unique(ids: &mut Vec<u64>, id: u64) {
    if !ids.contains(&id) {
        ids.push(id);
    }
}

/// The IDs of every built-in-grammar token in `text`, in order.
fn tokens(text: &str) -> Vec<u64> {
    let mut ids = Vec::new();
    let mut previous: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let bounded_before = previous.is_none_or(|p| !p.is_alphanumeric());
        previous = Some(c);
        if !(bounded_before && (c == 'C' || c == 'c')) {
            continue;
        }
        let digits_start = start + 1;
        let mut end = digits_start;
        while let Some(&(index, d)) = chars.peek() {
            if !d.is_ascii_digit() {
                break;
            }
            end = index + 1;
            previous = Some(d);
            chars.next();
        }
        if end == digits_start {
            continue;
        }
        let bounded_after = chars
            .peek()
            .is_none_or(|&(_, next)| !next.is_alphanumeric());
        if !bounded_after {
            continue;
        }
        if let Some(id) = text[digits_start..end]
            .parse::<u64>()
            .ok()
            .filter(|id| *id > 0)
        {
            ids.push(id);
        }
    }
    ids
}

/// The case IDs in a `test_id` / `testrail_case_id` property value: `C123`, `123`, `C1, C2`.
pub fn in_property(value: &str) -> Vec<u64> {
    let mut ids = Vec::new();
    for part in value.split([',', ' ', ';']).filter(|part| !part.is_empty()) {
        let digits = part.strip_prefix(['C', 'c']).unwrap_or(part);
        if let Some(id) = digits.parse::<u64>().ok().filter(|id| *id > 0) {
            push_unique(&mut ids, id);
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every accepted form, with an example: the README's JUnit section lists each.
    const FORMS: &[(&str, &str, &[u64])] = &[
        ("ID first", "C123 checkout works", &[123]),
        (
            "ID first, with a colon",
            "C111: declines an expired card",
            &[111],
        ),
        ("ID in brackets", "[C123] checkout works", &[123]),
        (
            "several IDs in brackets",
            "refund [C112, C113] splits",
            &[112, 113],
        ),
        (
            "several IDs in a title",
            "Cart C108 C109 - keeps lines",
            &[108, 109],
        ),
        ("ID at the end", "Cart removes the last line C110", &[110]),
        (
            "pytest, ID in the middle",
            "test_C1234_can_add_to_cart",
            &[1234],
        ),
        ("pytest, ID last", "test_cart_C102", &[102]),
        ("pytest, parameters", "test_param_C105[fast-1]", &[105]),
        ("several IDs joined", "C1_C2_checkout_works", &[1, 2]),
        ("JUnit 5, parameters", "refund_C114(String, int)[2]", &[114]),
        (
            "Java, after a number",
            "module_2_C115_partial_refund",
            &[115],
        ),
        (
            "Rust path, lower case",
            "cart::tests::c106_merges_lines",
            &[106],
        ),
    ];

    /// Every name of `tests/junit/realworld/ids.xml`, and more, with the IDs it carries.
    const TABLE: &[(&str, &[u64])] = &[
        // ids.xml, in order
        ("test_C101_adds_item", &[101]),
        ("test_cart_C102", &[102]),
        ("test_login_C103_C104_twice", &[103, 104]),
        ("test_param_C105[fast-1]", &[105]),
        ("test_c3po_talks", &[]),
        ("test_sha256_of_C0", &[]),
        ("c106_merges_lines", &[106]),
        ("cart::tests::checkout_c107", &[107]),
        ("cart::abc123_is_not_an_id", &[]),
        ("Cart C108 C109 - keeps lines after reload", &[108, 109]),
        ("Cart removes the last line C110", &[110]),
        ("C111: declines an expired card", &[111]),
        ("Create order (#3) without C-number", &[]),
        ("refund [C112, C113] splits", &[112, 113]),
        ("refund_C114(String, int)[2]", &[114]),
        ("module_2_C115_partial_refund", &[115]),
        // trcli's forms
        ("C123 checkout works", &[123]),
        ("[C123] checkout works", &[123]),
        ("[C1, C2] checkout works", &[1, 2]),
        ("C1_C2_checkout_works", &[1, 2]),
        ("test_checkout_C123()", &[123]),
        ("test_checkout_c7", &[7]),
        ("cart::adds_one [C4]", &[4]),
        ("[C4] cart::adds_one", &[4]),
        // more bounds
        ("C42", &[42]),
        ("c42", &[42]),
        ("(C9)", &[9]),
        ("checkout.C77.works", &[77]),
        ("a-C5-b", &[5]),
        ("x,C6,y", &[6]),
        ("shop::C8::works", &[8]),
        ("C1 C1 twice", &[1]),
        ("C007 leading zeros", &[7]),
        ("émile C12 é", &[12]),
        // look-alikes
        ("C", &[]),
        ("", &[]),
        ("C0", &[]),
        ("c3po", &[]),
        ("abc123", &[]),
        ("sha256", &[]),
        ("Create", &[]),
        ("Checkout works", &[]),
        ("test_C0", &[]),
        ("[not an id] test", &[]),
        ("C12b", &[]),
        ("xC12", &[]),
        ("éC12", &[]),
        ("C12é", &[]),
        ("C-12", &[]),
        ("CC12", &[]),
        ("testC961AddsItem", &[]),
        ("C99999999999999999999999 too big", &[]),
    ];

    #[test]
    fn the_grammar_reads_every_name_of_the_table() {
        let grammar = Grammar::default();
        assert!(TABLE.len() >= 40);
        for (name, ids) in TABLE {
            assert_eq!(grammar.in_text(name), *ids, "{name:?}");
        }
    }

    #[test]
    fn every_form_is_read_and_in_the_readme() {
        let grammar = Grammar::default();
        let readme = include_str!("../../README.md");
        for (form, example, ids) in FORMS {
            assert_eq!(grammar.in_text(example), *ids, "{form}: {example:?}");
            assert!(
                readme.contains(&format!("`{example}`")),
                "the README's JUnit section shows {form}: `{example}`"
            );
        }
    }

    #[test]
    fn the_classname_counts_too() {
        let grammar = Grammar::default();
        assert_eq!(
            grammar.in_test(Some("tests.C50_checkout"), "test_a_C51"),
            [51, 50]
        );
        assert!(grammar.in_test(Some("com.acme.PayIT"), "pays").is_empty());
    }

    #[test]
    fn a_team_pattern_replaces_the_grammar() {
        let grammar = Grammar::new(Some(r"TR-(\d+)")).unwrap();
        assert_eq!(
            grammar.in_text("checkout TR-12 and TR-13, not C14"),
            [12, 13]
        );
        let error = Grammar::new(Some(r"TR-\d+")).unwrap_err().to_string();
        assert!(error.contains("0 capture groups"), "{error}");
        let error = Grammar::new(Some(r"(TR)-(\d+)")).unwrap_err().to_string();
        assert!(error.contains("2 capture groups"), "{error}");
        assert!(Grammar::new(Some("TR-((")).is_err());
        assert!(Grammar::new(Some("  ")).unwrap().custom.is_none());
    }

    #[test]
    fn property_values() {
        assert_eq!(in_property("C123"), [123]);
        assert_eq!(in_property("123"), [123]);
        assert_eq!(in_property("C1, C2"), [1, 2]);
        assert!(in_property("none").is_empty());
        assert!(in_property("C0").is_empty());
    }
}
