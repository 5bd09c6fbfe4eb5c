//! Matching a test to a case by name (seed 004): the test's name against case titles of the
//! configured suites (ignoring case, punctuation and a `test` prefix), or `classname.name`
//! against a case's `custom_automation_id` (trcli's `--case-matcher auto`). Only a single,
//! unambiguous match counts. Only tests in whose name and classname the case-ID grammar
//! ([`crate::case_ids::Grammar`]) finds no ID are matched by title.

use std::collections::BTreeMap;

use crate::cache::Snapshot;

/// How a test was matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// A `test_id` or `testrail_case_id` property.
    Property,
    /// A case ID in the test's name.
    Name,
    /// The test's name matches a case title.
    Title,
    /// `classname.name` matches a case's automation ID.
    AutomationId,
    /// A case created for it.
    Created,
}

/// Case lookups by normalised title and automation ID.
pub struct TitleIndex {
    titles: BTreeMap<String, Vec<u64>>,
    automation_ids: BTreeMap<String, Vec<u64>>,
}

/// Lower case, words only, camelCase split: `test_Add_one-item` and `testAddOneItem` →
/// `add one item`.
pub fn normalise(text: &str) -> String {
    let mut spaced = String::with_capacity(text.len() + 8);
    let mut previous_lower = false;
    for c in text.chars() {
        if c.is_uppercase() && previous_lower {
            spaced.push(' ');
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        spaced.push(c);
    }
    let words: Vec<String> = spaced
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    let words = match words.first().map(String::as_str) {
        Some("test") if words.len() > 1 => &words[1..],
        _ => &words[..],
    };
    words.join(" ")
}

impl TitleIndex {
    /// Indexes the cases of a snapshot.
    pub fn new(snapshot: &Snapshot) -> TitleIndex {
        let mut titles: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        let mut automation_ids: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for case in &snapshot.cases {
            titles
                .entry(normalise(&case.title))
                .or_default()
                .push(case.id);
            if let Some(id) = &case.automation_id {
                automation_ids
                    .entry(id.trim().to_owned())
                    .or_default()
                    .push(case.id);
            }
        }
        TitleIndex {
            titles,
            automation_ids,
        }
    }

    /// The one case a test matches: by automation ID (`classname.name`), else by title.
    pub fn find(&self, classname: Option<&str>, name: &str) -> Option<(u64, How)> {
        let unique = |ids: Option<&Vec<u64>>| match ids.map(Vec::as_slice) {
            Some([id]) => Some(*id),
            _ => None,
        };
        let full = match classname {
            Some(classname) if !classname.is_empty() => format!("{classname}.{name}"),
            _ => name.to_owned(),
        };
        unique(self.automation_ids.get(&full))
            .map(|id| (id, How::AutomationId))
            .or_else(|| {
                let key = normalise(name);
                (!key.is_empty())
                    .then(|| unique(self.titles.get(&key)))
                    .flatten()
                    .map(|id| (id, How::Title))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_titles_in_any_spelling() {
        assert_eq!(
            normalise("test_add_one_item_to_an_empty_cart"),
            normalise("Add one item to an empty cart")
        );
        assert_eq!(normalise("Add out-of-stock item"), "add out of stock item");
        assert_eq!(normalise("test"), "test");
        assert_eq!(normalise("testRefundTwice"), "refund twice");
        assert_eq!(normalise("Refund twice"), "refund twice");
    }
}
