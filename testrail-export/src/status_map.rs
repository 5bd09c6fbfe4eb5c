//! The configured status mapping, resolved against TestRail's statuses (`get_statuses`), so
//! that statuses can be named by system name, label or ID, custom ones included.

use std::collections::BTreeMap;

use crate::config::mapping::{MappedRunResult, MappingConfig, Mode, StatusRef, default_status};
use testrail_api::Status;
use testrail_formats::outcome::{BugLabel, RunResult};

use super::report::Verdict;

/// A status name that TestRail does not have.
#[derive(Debug, thiserror::Error)]
#[error("the status mapping names {given}, which TestRail does not have; valid statuses: {valid}")]
pub struct UnknownStatus {
    /// What the configuration said.
    pub given: String,
    /// The statuses TestRail has, as `label (name, id)`.
    pub valid: String,
}

/// Bug label → status ID, per run result in advanced mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusMap {
    basic: BTreeMap<BugLabel, u64>,
    advanced: BTreeMap<MappedRunResult, BTreeMap<BugLabel, u64>>,
    skipped: Option<u64>,
    error: Option<u64>,
    not_reached: u64,
    labels: BTreeMap<u64, String>,
}

/// TestRail's built-in statuses, for dry runs that do not ask the server.
pub fn builtin_statuses() -> Vec<Status> {
    [
        (1, "passed", "Passed"),
        (2, "blocked", "Blocked"),
        (3, "untested", "Untested"),
        (4, "retest", "Retest"),
        (5, "failed", "Failed"),
    ]
    .into_iter()
    .map(|(id, name, label)| {
        serde_json::from_value(
            serde_json::json!({"id": id, "name": name, "label": label, "is_untested": id == 3}),
        )
        .expect("a built-in status decodes")
    })
    .collect()
}

impl StatusMap {
    /// Resolves `config` against `statuses`.
    pub fn resolve(
        config: &MappingConfig,
        statuses: &[Status],
    ) -> Result<StatusMap, UnknownStatus> {
        let find = |wanted: &StatusRef| -> Result<u64, UnknownStatus> {
            let found = statuses.iter().find(|status| match wanted {
                StatusRef::Id(id) => status.id.get() == *id,
                StatusRef::Name(name) => {
                    status.name.eq_ignore_ascii_case(name.trim())
                        || status.label.eq_ignore_ascii_case(name.trim())
                }
            });
            match found {
                Some(status) if status.id.get() != 3 => Ok(status.id.get()),
                _ => Err(UnknownStatus {
                    given: match wanted {
                        StatusRef::Id(id) => format!("status ID {id}"),
                        StatusRef::Name(name) => format!("{name:?}"),
                    },
                    valid: statuses
                        .iter()
                        .filter(|status| status.id.get() != 3)
                        .map(|status| format!("{} ({}, {})", status.label, status.name, status.id))
                        .collect::<Vec<_>>()
                        .join(", "),
                }),
            }
        };
        let mut basic = BTreeMap::new();
        for label in BugLabel::ALL {
            let wanted = config
                .labels
                .get(&label)
                .cloned()
                .unwrap_or_else(|| default_status(label));
            basic.insert(label, find(&wanted)?);
        }
        let mut advanced = BTreeMap::new();
        if config.mode == Mode::Advanced {
            for (run_result, labels) in &config.advanced {
                let mut map = basic.clone();
                for (label, wanted) in labels {
                    map.insert(*label, find(wanted)?);
                }
                advanced.insert(*run_result, map);
            }
        }
        Ok(StatusMap {
            basic,
            advanced,
            skipped: config.skipped.as_ref().map(&find).transpose()?,
            error: config.error.as_ref().map(&find).transpose()?,
            not_reached: find(
                config
                    .not_reached
                    .as_ref()
                    .unwrap_or(&StatusRef::name("blocked")),
            )?,
            labels: statuses
                .iter()
                .map(|status| (status.id.get(), status.label.clone()))
                .collect(),
        })
    }

    /// The status of a verdict; `None` when it is not reported (run result Error, skipped
    /// tests, unless mapped).
    pub fn status_of(&self, verdict: Verdict) -> Option<u64> {
        match verdict {
            Verdict::Skipped => self.skipped,
            Verdict::NotReached => Some(self.not_reached),
            Verdict::Ran {
                run_result: RunResult::Error,
                ..
            } => self.error,
            Verdict::Ran { run_result, label } => {
                let mapped = match run_result {
                    RunResult::Success => MappedRunResult::Success,
                    RunResult::Stopped => MappedRunResult::Stopped,
                    RunResult::MaxSteps => MappedRunResult::MaxSteps,
                    RunResult::Error => unreachable!("handled above"),
                };
                self.advanced
                    .get(&mapped)
                    .unwrap_or(&self.basic)
                    .get(&label)
                    .copied()
            }
        }
    }

    /// The label of a status ID, e.g. `Passed`.
    pub fn label(&self, status_id: u64) -> String {
        self.labels
            .get(&status_id)
            .cloned()
            .unwrap_or_else(|| format!("status {status_id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_custom() -> Vec<Status> {
        let mut statuses = builtin_statuses();
        statuses.push(
            serde_json::from_value(
                serde_json::json!({"id": 6, "name": "custom_status1", "label": "Needs review"}),
            )
            .unwrap(),
        );
        statuses
    }

    fn ran(run_result: RunResult, label: BugLabel) -> Verdict {
        Verdict::Ran { run_result, label }
    }

    #[test]
    fn defaults_follow_seed_001() {
        let map = StatusMap::resolve(&MappingConfig::default(), &builtin_statuses()).unwrap();
        assert_eq!(
            map.status_of(ran(RunResult::Success, BugLabel::NoBug)),
            Some(1)
        );
        assert_eq!(
            map.status_of(ran(RunResult::Success, BugLabel::LikelyNoBug)),
            Some(1)
        );
        assert_eq!(
            map.status_of(ran(RunResult::Stopped, BugLabel::Undecided)),
            Some(4)
        );
        assert_eq!(
            map.status_of(ran(RunResult::Success, BugLabel::LikelyBug)),
            Some(5)
        );
        assert_eq!(
            map.status_of(ran(RunResult::Success, BugLabel::DefinitelyBug)),
            Some(5)
        );
        assert_eq!(
            map.status_of(ran(RunResult::Error, BugLabel::Undecided)),
            None
        );
        assert_eq!(map.status_of(Verdict::Skipped), None);
        assert_eq!(map.status_of(Verdict::NotReached), Some(2));
    }

    #[test]
    fn advanced_mode_maps_per_run_result_and_custom_statuses_by_label() {
        let config: MappingConfig = toml::from_str(
            r#"
            mode = "advanced"
            skipped = "retest"
            [labels]
            Undecided = "Needs review"
            [advanced.Stopped]
            Undecided = 2
            "#,
        )
        .unwrap();
        let map = StatusMap::resolve(&config, &with_custom()).unwrap();
        assert_eq!(
            map.status_of(ran(RunResult::Success, BugLabel::Undecided)),
            Some(6)
        );
        assert_eq!(
            map.status_of(ran(RunResult::Stopped, BugLabel::Undecided)),
            Some(2)
        );
        assert_eq!(
            map.status_of(ran(RunResult::MaxSteps, BugLabel::Undecided)),
            Some(6)
        );
        assert_eq!(map.status_of(Verdict::Skipped), Some(4));
    }

    #[test]
    fn unknown_names_list_the_valid_statuses() {
        let config: MappingConfig = toml::from_str("[labels]\nNoBug = \"Greenish\"").unwrap();
        let error = StatusMap::resolve(&config, &with_custom())
            .unwrap_err()
            .to_string();
        assert!(error.contains("\"Greenish\""), "{error}");
        assert!(
            error.contains("Needs review (custom_status1, 6)"),
            "{error}"
        );
        assert!(
            !error.contains("Untested"),
            "Untested cannot be set: {error}"
        );
    }
}
