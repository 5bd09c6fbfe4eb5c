//! Typed IDs: one newtype per kind of TestRail object, so a run id cannot be passed where a
//! case id is expected.
//!
//! Every numeric ID is a `u64` inside (TestRail's IDs are positive integers), serialised as
//! the bare number (`#[serde(transparent)]`), `Copy`, ordered and hashable, shown by
//! [`Display`](std::fmt::Display) as the bare number (what the API's URLs and bodies carry),
//! built with `From<u64>` or `new` and read back with `get`. Client methods take
//! `impl Into<…Id>`, so a literal `1` works as well as a typed ID.
//!
//! [`FromStr`] accepts the number, and for the kinds TestRail shows with a letter in its web
//! interface, also that form (case-insensitive, surrounding blanks ignored):
//!
//! | Type | Prefix | Example |
//! |------|--------|---------|
//! | [`CaseId`] | `C` | `C1234` |
//! | [`RunId`] | `R` | `R45` |
//! | [`PlanId`] | `R` | `R46` (plans share the runs' letter in TestRail's web interface) |
//! | [`TestId`] | `T` | `T5678` |
//! | [`ProjectId`] | `P` | `P2` |
//! | [`SuiteId`] | `S` | `S3` |
//! | [`MilestoneId`] | `M` | `M7` |
//!
//! Sources: the `C` prefix is also what TestRail's API error texts use (`case C11507 unknown
//! or not part of the test run`, see the project's API digest, `TESTRAIL_API.md`); the other
//! letters are those of TestRail's web interface, which the API itself never sends or
//! requires. Accepting `R` for both runs and plans means `R46` parses as either: the
//! method it is passed to decides which it is. The other kinds (sections, statuses, results, users, ...) have no
//! prefix in TestRail and parse from the bare number only. `0` is refused: TestRail's IDs
//! start at 1.
//!
//! ```
//! use testrail_api::{CaseId, RunId};
//!
//! let case: CaseId = "C1234".parse().unwrap();
//! assert_eq!(case, CaseId::from(1234));
//! assert_eq!(case.get(), 1234);
//! assert_eq!(case.to_string(), "1234");
//! assert_eq!(case.prefixed(), "C1234");
//! assert_eq!(" r45 ".parse::<RunId>().unwrap(), RunId::new(45));
//! assert!("C45".parse::<RunId>().is_err());
//! assert_eq!(serde_json::to_string(&case).unwrap(), "1234");
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a text is not an ID of the expected kind (from `FromStr` of the ID types).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a {kind}: {reason}")]
pub struct ParseIdError {
    /// The kind of ID expected, e.g. `case ID`.
    pub kind: &'static str,
    /// The text given (trimmed).
    pub input: String,
    /// What is wrong and which forms are accepted.
    pub reason: String,
}

/// Parses a positive number, with an optional one-letter `prefix` (case-insensitive).
fn parse_id(text: &str, kind: &'static str, prefix: Option<char>) -> Result<u64, ParseIdError> {
    let input = text.trim();
    let fail = |reason: String| ParseIdError {
        kind,
        input: input.to_owned(),
        reason,
    };
    let forms = match prefix {
        Some(p) => format!("expected a number such as `12` or `{p}12`"),
        None => "expected a number such as `12`".to_owned(),
    };
    let digits = match (prefix, input.chars().next()) {
        (Some(p), Some(first)) if first.eq_ignore_ascii_case(&p) => &input[first.len_utf8()..],
        _ => input,
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(fail(forms));
    }
    match digits.parse::<u64>() {
        Ok(0) => Err(fail("TestRail's IDs start at 1".to_owned())),
        Ok(n) => Ok(n),
        Err(_) => Err(fail("the number is too large".to_owned())),
    }
}

macro_rules! numeric_ids {
    ($(
        $(#[$doc:meta])*
        $name:ident, $kind:literal, $prefix:expr;
    )*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(u64);

        impl $name {
            /// The letter TestRail's web interface shows before the number, if any.
            pub const PREFIX: Option<char> = $prefix;

            /// The ID with this number.
            pub const fn new(id: u64) -> Self {
                Self(id)
            }

            /// The number.
            pub const fn get(self) -> u64 {
                self.0
            }

            /// The ID as TestRail's web interface shows it: with its prefix letter if the
            /// kind has one (see the [module docs](crate::ids)), else the bare number.
            pub fn prefixed(self) -> String {
                match Self::PREFIX {
                    Some(p) => format!("{p}{}", self.0),
                    None => self.0.to_string(),
                }
            }
        }

        impl From<u64> for $name {
            fn from(id: u64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for u64 {
            fn from(id: $name) -> u64 {
                id.0
            }
        }

        /// The bare number, as TestRail's URLs and bodies carry it.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        /// The number, or (for kinds with a prefix) the prefixed form; see the
        /// [module docs](crate::ids).
        impl FromStr for $name {
            type Err = ParseIdError;

            fn from_str(text: &str) -> Result<Self, ParseIdError> {
                parse_id(text, $kind, Self::PREFIX).map(Self)
            }
        }
    )*};
}

numeric_ids! {
    /// A project's ID (`get_project/{project_id}`; shown as `P<id>`).
    ProjectId, "project ID", Some('P');
    /// A test suite's ID (`suite_id`; shown as `S<id>`).
    SuiteId, "suite ID", Some('S');
    /// A section's ID (`section_id`, `parent_id` of sections).
    SectionId, "section ID", None;
    /// A test case's ID (`case_id`; shown as `C<id>`).
    CaseId, "case ID", Some('C');
    /// A test run's ID (`run_id`; shown as `R<id>`).
    RunId, "run ID", Some('R');
    /// A test plan's ID (`plan_id`; shown as `R<id>`, like runs).
    PlanId, "plan ID", Some('R');
    /// A test's ID: one case inside one run (`test_id`; shown as `T<id>`).
    TestId, "test ID", Some('T');
    /// A result's ID (`result_id`, `add_attachment_to_result/{result_id}`).
    ResultId, "result ID", None;
    /// A status's ID (`status_id`): 1 to 5 built in (see the constants), 6 and up custom.
    StatusId, "status ID", None;
    /// A milestone's ID (`milestone_id`; shown as `M<id>`).
    MilestoneId, "milestone ID", Some('M');
    /// A user's ID (`assignedto_id`, `created_by`, `updated_by`).
    UserId, "user ID", None;
    /// A user role's ID (`role_id`).
    RoleId, "role ID", None;
    /// A case template's ID (`template_id`).
    TemplateId, "template ID", None;
    /// A case type's ID (`type_id` of cases and tests, e.g. Automated, Functional).
    CaseTypeId, "case type ID", None;
    /// A priority's ID (`priority_id`).
    PriorityId, "priority ID", None;
    /// A configuration's ID, e.g. of `Chrome` (`config_ids` of plan entries).
    ConfigId, "configuration ID", None;
    /// A configuration group's ID, e.g. of `Browsers`.
    ConfigGroupId, "configuration group ID", None;
    /// A custom field definition's ID (`get_case_fields`, `get_result_fields`).
    FieldId, "field ID", None;
}

impl StatusId {
    /// Built-in status 1, Passed.
    pub const PASSED: Self = Self(1);
    /// Built-in status 2, Blocked.
    pub const BLOCKED: Self = Self(2);
    /// Built-in status 3, Untested: TestRail refuses it in results (but accepts it for steps).
    pub const UNTESTED: Self = Self(3);
    /// Built-in status 4, Retest.
    pub const RETEST: Self = Self(4);
    /// Built-in status 5, Failed.
    pub const FAILED: Self = Self(5);
}

/// A plan entry's ID: a GUID string such as `67cef25c-0e7b-4b89-9ad4-f4b8d4a7d3a3`
/// (`add_plan_entry` answers, `update_plan_entry/{plan_id}/{entry_id}`).
///
/// ```
/// use testrail_api::EntryId;
///
/// let id = EntryId::from("67cef25c-0e7b");
/// assert_eq!(id.as_str(), "67cef25c-0e7b");
/// assert_eq!(serde_json::to_string(&id).unwrap(), r#""67cef25c-0e7b""#);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntryId(String);

impl EntryId {
    /// The GUID text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the ID is empty (an entry TestRail sent without an `id`).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for EntryId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

impl From<&str> for EntryId {
    fn from(id: &str) -> Self {
        Self(id.to_owned())
    }
}

impl From<EntryId> for String {
    fn from(id: EntryId) -> String {
        id.0
    }
}

/// The GUID text.
impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_accepted_only_where_testrail_uses_them() {
        assert_eq!("C12".parse(), Ok(CaseId::new(12)));
        assert_eq!("c12".parse(), Ok(CaseId::new(12)));
        assert_eq!("12".parse(), Ok(CaseId::new(12)));
        assert_eq!("R7".parse(), Ok(PlanId::new(7)));
        assert_eq!("T9".parse(), Ok(TestId::new(9)));
        assert_eq!("M3".parse(), Ok(MilestoneId::new(3)));
        assert_eq!("5".parse(), Ok(StatusId::FAILED));
        for bad in [
            "S5", "", "C", "C-1", "C 1", "CC1", "1.0", "+1", "0", "C0", "é1",
        ] {
            assert!(bad.parse::<CaseId>().is_err(), "{bad}");
            assert!(bad.parse::<SectionId>().is_err(), "{bad}");
        }
        let e = "R1".parse::<CaseId>().unwrap_err();
        assert_eq!(e.kind, "case ID");
        assert_eq!(
            e.to_string(),
            "`R1` is not a case ID: expected a number such as `12` or `C12`"
        );
        let e = "99999999999999999999".parse::<RunId>().unwrap_err();
        assert_eq!(e.reason, "the number is too large");
    }

    #[test]
    fn ids_are_bare_numbers_on_the_wire() {
        let ids: Vec<CaseId> = serde_json::from_str("[1, 2]").unwrap();
        assert_eq!(ids, [CaseId::new(1), CaseId::from(2)]);
        assert_eq!(serde_json::to_string(&ids).unwrap(), "[1,2]");
        assert_eq!(u64::from(ids[1]), 2);
        assert_eq!(RunId::new(45).prefixed(), "R45");
        assert_eq!(StatusId::PASSED.prefixed(), "1");
        assert!(CaseId::new(2) > CaseId::new(1));
    }
}
