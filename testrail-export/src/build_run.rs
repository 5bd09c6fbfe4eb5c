//! A run or plan made for a build before its tests run (`cargo testrail run create`), so
//! that parallel jobs report into it with `TESTRAIL_RUN_ID` (or `TESTRAIL_PLAN_ID`).
//!
//! It is the export's own target logic ([`target::steps`] and [`target::prepare`]) given
//! every configured suite and no case yet: a run when the target is a new run and one suite
//! is configured, a plan with one entry per suite when the target is a new plan
//! (`plan = true`) or several suites are configured. The cases are added by the sessions
//! that report into it (as for any run given by `TESTRAIL_RUN_ID`); the sessions that report
//! into its plan (`TESTRAIL_PLAN_ID`) use its entry of each suite, which
//! [`target::BUILD_RUN_NOTE`] in the description tells from other entries.
//!
//! The build's key is a session key: its marker ([`results::session_marker`]) is written
//! into the description, and before creating anything the newest runs (or plans) of the
//! project are searched for it, as an export does on a fresh machine. So making the run
//! of the same build twice gives the same run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::catalog::Catalog;
use crate::config::{Config, ConfigError, DEFAULT_RUN_NAME, Target};
use crate::journal::LockedJournal;
use crate::target::{self, Naming};
use crate::{ExportError, results, run_name};
use testrail_api::Client;

/// The name of a build's run when `run_name` is not configured: the export's default
/// names the crate, which a run made before the tests does not know yet.
pub const BUILD_RUN_NAME: &str = "{session} {version} {date} {time}";

/// The run or plan of a build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildRun {
    /// The project.
    pub project_id: u64,
    /// The plan, when the build reports into a plan.
    pub plan_id: Option<u64>,
    /// The run of each configured suite: (suite ID, suite name, run ID).
    pub runs: Vec<(u64, String, u64)>,
    /// The name given to a new run or plan.
    pub name: String,
    /// Whether it was made now; `false` when an earlier `run create` of the same build
    /// made it (found by the build's marker).
    pub created: bool,
    /// Closed runs (or plans) of the same build that were found and left for a new one:
    /// TestRail takes no results into a closed run (API reference: `close_run`), and a CI
    /// job re-run after the run was closed keeps its build key.
    pub closed: Vec<u64>,
}

/// How many closed runs (or plans) of one build are passed over before giving up.
const MAX_CLOSED: usize = 5;

/// Finds the run or plan of build `build` (a session key), or makes it.
///
/// # Errors
/// [`ConfigError::Conflict`] when the configuration names an existing run or plan
/// (`run_id`, `plan_id`): there is nothing to make; an unknown project or suite;
/// TestRail's refusals.
pub async fn find_or_create(
    client: &Client,
    config: &Config,
    build: &str,
) -> Result<BuildRun, ExportError> {
    if matches!(config.target, Target::Run(_) | Target::Plan(_)) {
        return Err(ConfigError::Conflict(
            "run_id or plan_id is set: that run or plan exists already, there is nothing to create; unset it (TESTRAIL_RUN_ID, TESTRAIL_PLAN_ID, testrail.toml) to make the run of a build".to_owned(),
        )
        .into());
    }
    let catalog = Catalog::load(client, config).await?;
    let suite_names: BTreeMap<u64, String> = catalog
        .suites
        .iter()
        .map(|suite| (suite.id.get(), suite.name.clone()))
        .collect();
    let mut naming_config = config.clone();
    if naming_config.run_name == DEFAULT_RUN_NAME {
        naming_config.run_name = BUILD_RUN_NAME.to_owned();
    }
    let naming = Naming {
        name: run_name(&naming_config, &[], build),
        description: Some(match &config.run_description {
            Some(description) => format!("{description}\n\n{}", target::BUILD_RUN_NOTE),
            None => target::BUILD_RUN_NOTE.to_owned(),
        }),
        marker: results::session_marker(build),
        find_earlier: true,
    };
    let needed: BTreeMap<u64, BTreeSet<u64>> = suite_names
        .keys()
        .map(|suite_id| (*suite_id, BTreeSet::new()))
        .collect();
    // A journal kept in memory only: the build has no session directory of its own.
    let mut journal = LockedJournal::unsaved(Path::new(""));
    let mut closed = Vec::new();
    let prepared = loop {
        let steps = target::steps(config, &journal.journal, &needed, &suite_names, &naming);
        let with_steps = steps
            .into_iter()
            .map(|(suite_id, step)| (suite_id, (step, BTreeSet::new())))
            .collect();
        let prepared = target::prepare(
            client,
            config,
            catalog.project.id.get(),
            &mut journal,
            &with_steps,
            &naming,
        )
        .await?;
        let found_closed: Vec<u64> = match journal.journal.plan_id {
            Some(plan_id) if journal.journal.runs.values().any(|run| run.completed) => {
                vec![plan_id]
            }
            Some(_) => Vec::new(),
            None => journal
                .journal
                .runs
                .values()
                .filter(|run| run.completed)
                .map(|run| run.run_id)
                .collect(),
        };
        if found_closed.is_empty() || closed.len() >= MAX_CLOSED {
            break prepared;
        }
        // Passed over by the next look for the build's run: a new one is made.
        journal.journal.abandoned_runs.extend(&found_closed);
        journal.journal.runs.clear();
        journal.journal.plan_id = None;
        closed.extend(found_closed);
    };
    // A run or entry found by the marker is recorded as not verified; one made now is.
    let created = journal.journal.runs.values().all(|run| run.verified);
    // The name it was given then, not the one the build would get now.
    let name = match (
        created,
        journal.journal.plan_id,
        prepared.runs.values().next(),
    ) {
        (true, _, _) => naming.name,
        (false, Some(plan_id), _) => client.get_plan(plan_id).await?.name,
        (false, None, Some(run_id)) => client.get_run(*run_id).await?.name,
        (false, None, None) => naming.name,
    };
    Ok(BuildRun {
        project_id: catalog.project.id.get(),
        plan_id: journal.journal.plan_id,
        runs: prepared
            .runs
            .iter()
            .map(|(suite_id, run_id)| {
                let name = suite_names.get(suite_id).cloned().unwrap_or_default();
                (*suite_id, name, *run_id)
            })
            .collect(),
        name,
        created,
        closed,
    })
}
