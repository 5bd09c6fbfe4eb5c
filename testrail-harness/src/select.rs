//! Selecting tests by TestRail case ID on libtest's command line: `cargo test -- C1234`.
//!
//! A test's libtest name is its Rust path (`checkout::can_add_to_cart`); its case IDs are
//! the libtest *kind* shown in brackets before it (`[C1234] checkout::can_add_to_cart`).
//! The harness reads the words that name a case ID before libtest does:
//!
//! - a filter `C<digits>` (capital `C`, as TestRail writes it) runs the tests linked to that
//!   case, compared as a number: `C12` selects case 12, not 120 or 1234, with or without
//!   `--exact` (a test linked to several cases is selected by any of them);
//! - `--skip C<digits>` leaves out the tests linked to that case, also with or without
//!   `--exact`;
//! - every other filter and `--skip` pattern is libtest's: a substring of the path or of the
//!   displayed `[C…] path`, or with `--exact` the whole path (or the whole displayed line).
//!
//! Tests left out by a case ID are not part of libtest's "filtered out" count; the harness
//! prints one line saying how many the case IDs selected.

use libtest_mimic::Arguments;

use crate::registry::TestDef;

/// The case IDs named on the command line, taken out of libtest's arguments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseSelection {
    /// The filter, when it names a case ID.
    only: Option<u64>,
    /// The `--skip` patterns that name case IDs.
    skip: Vec<u64>,
}

impl CaseSelection {
    /// Takes the filter and `--skip` patterns that name case IDs out of `args`, leaving the
    /// others to libtest.
    pub fn take(args: &mut Arguments) -> CaseSelection {
        let only = args.filter.as_deref().and_then(case_id);
        if only.is_some() {
            args.filter = None;
        }
        let mut skip = Vec::new();
        args.skip.retain(|pattern| match case_id(pattern) {
            Some(id) => {
                skip.push(id);
                false
            }
            None => true,
        });
        CaseSelection { only, skip }
    }

    /// Whether any case ID was named.
    pub fn is_active(&self) -> bool {
        self.only.is_some() || !self.skip.is_empty()
    }

    /// Whether `def` is selected.
    pub fn selects(&self, def: &TestDef) -> bool {
        let linked = |id: &u64| def.case_ids.contains(id);
        self.only.as_ref().is_none_or(linked) && !self.skip.iter().any(linked)
    }

    /// The line that says what the case IDs selected, e.g.
    /// `testrail: case ID filter C101 selects 1 of 14 tests`; `None` when none was named.
    pub fn line(&self, selected: usize, total: usize) -> Option<String> {
        if !self.is_active() {
            return None;
        }
        let mut words = Vec::new();
        if let Some(id) = self.only {
            words.push(format!("C{id}"));
        }
        words.extend(self.skip.iter().map(|id| format!("--skip C{id}")));
        Some(format!(
            "testrail: case ID filter {} selects {selected} of {total} test{} (the others are not counted as filtered out below)\n",
            words.join(" "),
            if total == 1 { "" } else { "s" }
        ))
    }
}

/// The case ID a command-line word names: `C1234` → 1234. Anything else (`c12`, `C`,
/// `C12a`, `checkout`) is `None`.
pub fn case_id(word: &str) -> Option<u64> {
    let digits = word.strip_prefix('C')?;
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_capital_c_and_digits_name_a_case() {
        assert_eq!(case_id("C1234"), Some(1234));
        assert_eq!(case_id("C007"), Some(7));
        for word in [
            "c12",
            "C",
            "C12a",
            "checkout",
            "C+1",
            "C99999999999999999999999",
        ] {
            assert_eq!(case_id(word), None, "{word}");
        }
    }

    #[test]
    fn case_words_are_taken_and_the_rest_left_to_libtest() {
        let mut args =
            Arguments::from_iter(["t", "C12", "--exact", "--skip", "C7", "--skip", "slow"]);
        let selection = CaseSelection::take(&mut args);
        assert_eq!(
            selection,
            CaseSelection {
                only: Some(12),
                skip: vec![7]
            }
        );
        assert_eq!(args.filter, None);
        assert_eq!(args.skip, ["slow"]);
        assert!(args.exact);

        let mut args = Arguments::from_iter(["t", "checkout"]);
        assert!(!CaseSelection::take(&mut args).is_active());
        assert_eq!(args.filter.as_deref(), Some("checkout"));
    }
}
