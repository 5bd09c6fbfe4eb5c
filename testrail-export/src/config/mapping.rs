//! How outcomes become TestRail statuses, as configured (seed 001): basic mode maps each
//! bug label to a status; advanced mode has a mapping per run result. Statuses are named
//! by TestRail name or label (resolved with `get_statuses`, so custom statuses work) or by
//! ID. The defaults: NoBug and LikelyNoBug → Passed, Undecided → Retest, LikelyBug and
//! DefinitelyBug → Failed; run result Error and skipped tests are not reported; a step that
//! was not reached → Blocked.

use std::collections::BTreeMap;

use serde::Deserialize;

use testrail_formats::outcome::BugLabel;

/// A status as the user names it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum StatusRef {
    /// By ID (1 Passed, 2 Blocked, 4 Retest, 5 Failed, 6+ custom).
    Id(u64),
    /// By system name (`passed`, `custom_status1`) or label (`Passed`, `Needs review`).
    Name(String),
}

impl StatusRef {
    /// A status by name.
    pub fn name(name: &str) -> StatusRef {
        StatusRef::Name(name.to_owned())
    }
}

/// Basic or advanced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// One mapping for every run result.
    #[default]
    Basic,
    /// A mapping per run result (Success, Stopped, MaxSteps).
    Advanced,
}

/// The run results that advanced mode maps separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub enum MappedRunResult {
    /// Ran to its end.
    Success,
    /// Timed out.
    Stopped,
    /// Exceeded its step budget.
    MaxSteps,
}

/// The `[mapping]` table of `testrail.toml`.
///
/// ```toml
/// [mapping]
/// mode = "advanced"
/// skipped = "Retest"
/// [mapping.labels]            # basic mode, and the fallback of advanced mode
/// Undecided = "Needs review"  # a custom status, by label
/// [mapping.advanced.Stopped]
/// Undecided = "blocked"
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingConfig {
    /// Basic or advanced.
    #[serde(default)]
    pub mode: Mode,
    /// Overrides of the default label → status mapping.
    #[serde(default)]
    pub labels: BTreeMap<BugLabel, StatusRef>,
    /// Advanced mode: per run result, overrides of the label mapping.
    #[serde(default)]
    pub advanced: BTreeMap<MappedRunResult, BTreeMap<BugLabel, StatusRef>>,
    /// Status of skipped (ignored) tests; not reported when absent.
    #[serde(default)]
    pub skipped: Option<StatusRef>,
    /// Status of run result Error; not reported when absent.
    #[serde(default)]
    pub error: Option<StatusRef>,
    /// Status of steps that were not reached (default Blocked).
    #[serde(default)]
    pub not_reached: Option<StatusRef>,
}

/// The default status of a bug label.
pub fn default_status(label: BugLabel) -> StatusRef {
    match label {
        BugLabel::NoBug | BugLabel::LikelyNoBug => StatusRef::name("passed"),
        BugLabel::Undecided => StatusRef::name("retest"),
        BugLabel::LikelyBug | BugLabel::DefinitelyBug => StatusRef::name("failed"),
    }
}
