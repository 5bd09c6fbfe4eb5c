//! Sync states of linked cases (seed 000), judged against TestRail and `testrail.lock`:
//! Synced, Outdated (changed in TestRail since it was accepted), Missing (deleted in
//! TestRail), New (linked in code, not yet accepted), Unconfigured (its suite is not
//! configured).

use std::collections::BTreeMap;

use anstyle::Style;
use serde::Serialize;
use testrail_api::{Client, Error as ClientError};

use crate::cache::{CaseInfo, Snapshot};
use crate::error::CliError;
use crate::lockfile::{Accepted, LockFile};
use crate::output;
use crate::progress;

/// The sync state of a linked case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum SyncState {
    /// Accepted, and unchanged in TestRail since.
    Synced,
    /// Changed in TestRail since it was accepted.
    Outdated,
    /// Deleted in TestRail (or never existed).
    Missing,
    /// Linked in code, not yet accepted.
    New,
    /// In a suite that is not configured: skipped by exports.
    Unconfigured,
}

impl SyncState {
    /// Every state, in the order the summary lists them.
    pub const ALL: [SyncState; 5] = [
        SyncState::Synced,
        SyncState::Outdated,
        SyncState::Missing,
        SyncState::New,
        SyncState::Unconfigured,
    ];

    /// The colour of seed 000.
    pub fn style(self) -> Style {
        match self {
            SyncState::Synced => output::GREEN,
            SyncState::Outdated => output::ORANGE,
            SyncState::Missing => output::RED,
            SyncState::New => output::BLUE,
            SyncState::Unconfigured => output::GRAY,
        }
    }

    /// The state's name.
    pub fn name(self) -> &'static str {
        match self {
            SyncState::Synced => "Synced",
            SyncState::Outdated => "Outdated",
            SyncState::Missing => "Missing",
            SyncState::New => "New",
            SyncState::Unconfigured => "Unconfigured",
        }
    }

    /// What it means, and what to do.
    pub fn meaning(self) -> &'static str {
        match self {
            SyncState::Synced => "up to date with TestRail",
            SyncState::Outdated => {
                "changed in TestRail since it was accepted: review it, then `cargo testrail accept`"
            }
            SyncState::Missing => "no longer in TestRail: remove the link from the code",
            SyncState::New => "linked in code, not yet accepted: `cargo testrail accept`",
            SyncState::Unconfigured => {
                "its suite is not configured: add the suite to `suites`, or leave it (exports skip it)"
            }
        }
    }
}

/// A linked case as TestRail and the lock file know it.
#[derive(Clone, Debug)]
pub struct Judged {
    /// The state.
    pub state: SyncState,
    /// TestRail's case, unless Missing.
    pub case: Option<CaseInfo>,
    /// The accepted version, when there is one.
    pub accepted: Option<Accepted>,
}

/// Judges linked cases: those of the configured suites come from the snapshot, the others
/// are asked for one by one (`get_case`), which tells Unconfigured from Missing.
pub async fn judge(
    client: &Client,
    snapshot: &Snapshot,
    lock: &LockFile,
    case_ids: impl IntoIterator<Item = u64>,
) -> Result<BTreeMap<u64, Judged>, CliError> {
    let known = snapshot.cases_by_id();
    let case_ids: Vec<u64> = case_ids.into_iter().collect();
    let outside = case_ids.iter().filter(|id| !known.contains_key(id)).count();
    let bar = progress::bar(
        outside as u64,
        "looking up cases outside the configured suites",
    );
    let mut judged = BTreeMap::new();
    for id in case_ids {
        let accepted = lock.get(&id).cloned();
        let (state, case) = match known.get(&id) {
            Some(case) => {
                let state = match &accepted {
                    None => SyncState::New,
                    Some(accepted) if changed(accepted, case) => SyncState::Outdated,
                    Some(_) => SyncState::Synced,
                };
                (state, Some((*case).clone()))
            }
            None => {
                bar.inc(1);
                match client.get_case(id).await {
                    Ok(case) if !case.is_deleted => {
                        (SyncState::Unconfigured, Some(CaseInfo::from_case(&case)))
                    }
                    Ok(_) | Err(ClientError::BadRequest { .. }) => (SyncState::Missing, None),
                    Err(error) => {
                        bar.finish_and_clear();
                        return Err(error.into());
                    }
                }
            }
        };
        judged.insert(
            id,
            Judged {
                state,
                case,
                accepted,
            },
        );
    }
    bar.finish_and_clear();
    Ok(judged)
}

/// Whether TestRail changed a case since it was accepted: edited (`updated_on`), or moved
/// to another suite or section.
fn changed(accepted: &Accepted, case: &CaseInfo) -> bool {
    accepted.updated_on != case.updated_on
        || (accepted.suite.is_some() && accepted.suite != case.suite_id)
        || (accepted.section.is_some() && accepted.section != case.section_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_and_moves_are_changes() {
        let accepted = Accepted {
            suite: Some(1),
            section: Some(2),
            updated_on: Some(100),
            title: "t".into(),
        };
        let case = CaseInfo {
            id: 1,
            title: "t".into(),
            suite_id: Some(1),
            section_id: Some(2),
            updated_on: Some(100),
            automation_id: None,
        };
        assert!(!changed(&accepted, &case));
        assert!(changed(
            &accepted,
            &CaseInfo {
                updated_on: Some(101),
                ..case.clone()
            }
        ));
        assert!(changed(
            &accepted,
            &CaseInfo {
                section_id: Some(3),
                ..case.clone()
            }
        ));
    }
}
