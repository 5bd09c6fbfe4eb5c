//! Where the results go: a new run, an existing run, a new plan or an existing plan; one per
//! session, created by the first process that exports and joined by the others (through
//! the journal). Cases the run lacks are added without touching its description, milestone
//! or existing cases.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::client::{
    Client, NewPlan, NewPlanEntry, NewRun, PlanEntry, PlanEntryRun, RunFilter, RunUpdate,
};
use crate::config::{Config, Target};

use super::ExportError;
use super::journal::{Journal, LockedJournal, RunState};

/// The names and descriptions of what this session creates.
pub struct Naming {
    /// Name of a new run or plan (and of plan entries, with the suite's name added).
    pub name: String,
    /// Description of a new run or plan.
    pub description: Option<String>,
    /// The session's marker, written into the description of what it creates: after an
    /// ambiguous failure it tells the run or plan this session made from anyone else's.
    pub marker: String,
}

impl Naming {
    fn description(&self) -> String {
        match &self.description {
            Some(description) => format!("{description}\n\n_{}_", self.marker),
            None => format!("_{}_", self.marker),
        }
    }

    fn made_by_us(&self, description: Option<&str>) -> bool {
        description.is_some_and(|text| text.contains(&self.marker))
    }
}

/// How far back (seconds) to look for what an ambiguous request may have created, wide
/// enough for a clock that differs from TestRail's.
const LOOK_BACK_SECS: u64 = 3600;

/// Makes sure every suite in `needed` has a run holding its cases, and returns the run of
/// each suite. Cases of suites the target cannot hold are returned as the second value.
pub async fn prepare(
    client: &Client,
    config: &Config,
    project_id: u64,
    suite_names: &BTreeMap<u64, String>,
    journal: &mut LockedJournal,
    needed: &BTreeMap<u64, BTreeSet<u64>>,
    naming: &Naming,
) -> Result<(BTreeMap<u64, u64>, Vec<u64>), ExportError> {
    journal.journal.project_id = Some(project_id);
    let mut outside = Vec::new();
    let use_plan = match config.target {
        Target::Run(run_id) => {
            if journal.journal.runs.is_empty() {
                adopt_run(client, run_id, &mut journal.journal).await?;
                journal.save()?;
            }
            false
        }
        Target::Plan(plan_id) => {
            journal.journal.plan_id.get_or_insert(plan_id);
            true
        }
        Target::NewPlan => true,
        // A plan when the first export of the session spans several suites. A later export
        // that brings a new suite to a session with a plain run gets a second run: a run
        // holds one suite, and turning the first run into a plan entry is not possible.
        Target::NewRun => {
            journal.journal.plan_id.is_some()
                || (journal.journal.runs.is_empty() && needed.len() > 1)
        }
    };
    let mut runs = BTreeMap::new();
    for (suite_id, cases) in needed {
        if let Some(state) = journal.journal.runs.get(suite_id).cloned() {
            add_missing_cases(client, &mut journal.journal, *suite_id, &state, cases).await?;
            journal.save()?;
            runs.insert(*suite_id, state.run_id);
            continue;
        }
        if matches!(config.target, Target::Run(_)) {
            outside.extend(cases.iter().copied());
            continue;
        }
        let suite_name = suite_names.get(suite_id).cloned().unwrap_or_default();
        let state = if use_plan {
            create_plan_run(
                client,
                config,
                project_id,
                *suite_id,
                &suite_name,
                cases,
                journal,
                naming,
            )
            .await?
        } else {
            create_run(client, config, project_id, *suite_id, cases, naming).await?
        };
        runs.insert(*suite_id, state.run_id);
        journal.journal.runs.insert(*suite_id, state);
        journal.save()?;
    }
    Ok((runs, outside))
}

async fn adopt_run(client: &Client, run_id: u64, journal: &mut Journal) -> Result<(), ExportError> {
    let run = client.get_run(run_id).await?;
    if run.is_completed {
        return Err(ExportError::RunClosed(run_id));
    }
    if let Some(plan_id) = run.plan_id {
        return Err(ExportError::RunInPlan { run_id, plan_id });
    }
    let tests = client.get_tests(run_id).await?;
    let suite_id = run.suite_id.ok_or(ExportError::Unexpected(
        "get_run answered a run without its suite_id",
    ))?;
    journal.runs.insert(
        suite_id,
        RunState {
            run_id,
            entry_id: None,
            case_ids: tests.iter().filter_map(|test| test.case_id).collect(),
            include_all: run.include_all,
            created: false,
        },
    );
    Ok(())
}

async fn create_run(
    client: &Client,
    config: &Config,
    project_id: u64,
    suite_id: u64,
    cases: &BTreeSet<u64>,
    naming: &Naming,
) -> Result<RunState, ExportError> {
    let body = NewRun {
        name: naming.name.clone(),
        suite_id: Some(suite_id),
        description: Some(naming.description()),
        milestone_id: config.milestone_id,
        include_all: Some(false),
        case_ids: Some(cases.iter().copied().collect()),
        ..NewRun::default()
    };
    let started = super::now_secs();
    let run = match client.add_run(project_id, &body).await {
        Ok(run) => run,
        Err(crate::client::Error::Ambiguous { .. }) => {
            // The run may exist: adopt the one this request made rather than making a second.
            let filter = RunFilter {
                suite_ids: vec![suite_id],
                created_after: Some(started.saturating_sub(LOOK_BACK_SECS)),
                ..RunFilter::default()
            };
            let runs = client.get_runs(project_id, &filter).await?;
            match runs
                .into_iter()
                .find(|run| naming.made_by_us(run.description.as_deref()))
            {
                Some(run) => run,
                None => client.add_run(project_id, &body).await?,
            }
        }
        Err(error) => return Err(error.into()),
    };
    Ok(RunState {
        run_id: run.id,
        entry_id: None,
        case_ids: cases.clone(),
        include_all: false,
        created: true,
    })
}

#[allow(clippy::too_many_arguments)]
async fn create_plan_run(
    client: &Client,
    config: &Config,
    project_id: u64,
    suite_id: u64,
    suite_name: &str,
    cases: &BTreeSet<u64>,
    journal: &mut LockedJournal,
    naming: &Naming,
) -> Result<RunState, ExportError> {
    let case_ids: Vec<u64> = cases.iter().copied().collect();
    let entry = NewPlanEntry {
        suite_id: Some(suite_id),
        name: Some(format!("{} · {suite_name}", naming.name)),
        include_all: Some(false),
        case_ids: Some(case_ids.clone()),
        config_ids: config.config_ids.clone(),
        runs: if config.config_ids.is_empty() {
            Vec::new()
        } else {
            vec![PlanEntryRun {
                config_ids: config.config_ids.clone(),
                include_all: Some(false),
                case_ids: Some(case_ids),
                ..PlanEntryRun::default()
            }]
        },
        ..NewPlanEntry::default()
    };
    let entry: PlanEntry = match journal.journal.plan_id {
        Some(plan_id) => match client.add_plan_entry(plan_id, &entry).await {
            Ok(entry) => entry,
            Err(crate::client::Error::Ambiguous { .. }) => {
                let plan = client.get_plan(plan_id).await?;
                let ours = plan.entries.into_iter().find(|existing| {
                    existing.suite_id == Some(suite_id)
                        && Some(&existing.name) == entry.name.as_ref()
                });
                match ours {
                    Some(existing) => existing,
                    None => client.add_plan_entry(plan_id, &entry).await?,
                }
            }
            Err(error) => return Err(error.into()),
        },
        None => {
            let body = NewPlan {
                name: naming.name.clone(),
                description: Some(naming.description()),
                milestone_id: config.milestone_id,
                entries: vec![entry],
                ..NewPlan::default()
            };
            let started = super::now_secs();
            let plan = match client.add_plan(project_id, &body).await {
                Ok(plan) => plan,
                Err(crate::client::Error::Ambiguous { .. }) => {
                    let since = started.saturating_sub(LOOK_BACK_SECS).to_string();
                    let plans: Vec<crate::client::Plan> = client
                        .get_all(
                            &format!("get_plans/{project_id}"),
                            "plans",
                            &[("created_after", since.as_str())],
                        )
                        .await?;
                    match plans
                        .into_iter()
                        .find(|plan| naming.made_by_us(plan.description.as_deref()))
                    {
                        // `get_plans` leaves the entries out.
                        Some(plan) => client.get_plan(plan.id).await?,
                        None => client.add_plan(project_id, &body).await?,
                    }
                }
                Err(error) => return Err(error.into()),
            };
            journal.journal.plan_id = Some(plan.id);
            journal.journal.plan_created = true;
            journal.save()?;
            plan.entries
                .into_iter()
                .next()
                .ok_or(ExportError::Unexpected(
                    "add_plan returned a plan without entries",
                ))?
        }
    };
    let run = entry
        .runs
        .first()
        .ok_or(ExportError::Unexpected("the new plan entry has no run"))?;
    Ok(RunState {
        run_id: run.id,
        entry_id: Some(entry.id.clone()),
        case_ids: cases.clone(),
        include_all: false,
        created: true,
    })
}

#[derive(Serialize)]
struct EntryUpdate {
    include_all: bool,
    case_ids: Vec<u64>,
}

async fn add_missing_cases(
    client: &Client,
    journal: &mut Journal,
    suite_id: u64,
    state: &RunState,
    cases: &BTreeSet<u64>,
) -> Result<(), ExportError> {
    if state.include_all || cases.is_subset(&state.case_ids) {
        return Ok(());
    }
    // `case_ids` replaces the run's cases: start from what the run holds now, since someone
    // (another CI job, a person in the web interface) may have added cases since.
    let mut known = state.case_ids.clone();
    known.extend(
        client
            .get_tests(state.run_id)
            .await?
            .iter()
            .filter_map(|test| test.case_id),
    );
    let union: BTreeSet<u64> = known.union(cases).copied().collect();
    let case_ids: Vec<u64> = union.iter().copied().collect();
    match (&state.entry_id, journal.plan_id) {
        (Some(entry_id), Some(plan_id)) => {
            let _: serde_json::Value = client
                .post(
                    &format!("update_plan_entry/{plan_id}/{entry_id}"),
                    &EntryUpdate {
                        include_all: false,
                        case_ids,
                    },
                )
                .await?;
        }
        _ => {
            client
                .update_run(
                    state.run_id,
                    &RunUpdate {
                        include_all: Some(false),
                        case_ids: Some(case_ids),
                        ..RunUpdate::default()
                    },
                )
                .await?;
        }
    }
    if let Some(run) = journal.runs.get_mut(&suite_id) {
        run.case_ids = union;
    }
    Ok(())
}
