//! Where the results go: a new run, an existing run, a new plan or an existing plan; one per
//! session, created by the first process that exports and joined by the others (through
//! the journal). Cases the run lacks are added without touching its description, milestone
//! or existing cases.
//!
//! Nothing is created twice. Every create (`add_run`, `add_plan`, `add_plan_entry`) and
//! every change of a run's cases is recorded in the journal before it is sent. When its
//! answer is lost (a dropped connection, a timeout, a killed process), the exporter looks in
//! TestRail for what it made, by the session marker written into the description, until the
//! settle window has passed since it was sent, and only then sends it again. A session with
//! no run in its journal (a CI job re-run on a fresh machine, a journal moved aside) first
//! looks for the run or plan it made earlier, among the newest page of runs or plans: no
//! time window, so TestRail's clock and this machine's need not agree.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::{Config, Target};
use testrail_api::{
    CaseId, Client, Error, NewPlan, NewPlanEntry, NewRun, Plan, PlanEntry, PlanEntryRun, Run,
    RunUpdate, SuiteId,
};

use super::ExportError;
use super::journal::{Intent, Journal, LockedJournal, RunState};

/// Written into the description of the run or plan (and of the plan's entries) that
/// `cargo testrail run create` makes for a build: the sessions that report into such a plan
/// (`TESTRAIL_PLAN_ID`) use its entry of each suite instead of adding entries of their own.
pub const BUILD_RUN_NOTE: &str =
    "Made by `cargo testrail run create`: the build's sessions report into it.";

/// The names and descriptions of what this session creates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Naming {
    /// Name of a new run or plan (and of plan entries, with the suite's name added).
    pub name: String,
    /// Description of a new run or plan.
    pub description: Option<String>,
    /// The session's marker, written into the description of what it creates: it tells the
    /// run, plan or entry this session made from anyone else's.
    pub marker: String,
    /// Whether to look for a run or plan this session made earlier before creating one,
    /// when the journal knows of none: uploads of spooled sessions, which may be a CI job
    /// run again on a fresh machine. (A create whose answer was lost is always looked for.)
    pub find_earlier: bool,
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

/// How many times a create whose answer was lost is sent again (after looking for what
/// it made) before the export gives up (the journal keeps it for the next attempt).
const MAX_CREATE_ROUNDS: u32 = 3;

/// How many times the cases of a run are changed before the export gives up: other
/// sessions changing the same run at once can undo a change (`case_ids` replaces the
/// run's cases, the last writer wins), so each change is checked by reading the run again.
const MAX_CASE_ROUNDS: u32 = 12;

/// What the export does to give one suite's results a run: decided by [`steps`] from the
/// configuration and the journal alone (no request), executed by [`prepare`], printed by
/// the dry run.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// The journal knows the suite's run: the cases it lacks are added.
    Join {
        /// The run.
        run_id: u64,
    },
    /// The run `TESTRAIL_RUN_ID` names, which the journal does not know yet: `get_run`
    /// tells its suite; the results of any other suite are outside it.
    Adopt {
        /// The run.
        run_id: u64,
    },
    /// The target cannot hold this suite: `TESTRAIL_RUN_ID` names a run of another suite.
    Outside,
    /// A new run (`add_run`), or the one this session made earlier (found by the marker).
    NewRun(NewRun),
    /// A new plan holding this suite's entry (`add_plan`), or the one this session made
    /// earlier (found by the marker).
    NewPlan(NewPlan),
    /// A new entry in a plan (`add_plan_entry`), or the one this session made earlier.
    NewEntry {
        /// The plan; `None` for the plan an earlier step of the same export makes.
        plan_id: Option<u64>,
        /// The entry.
        entry: NewPlanEntry,
    },
}

/// Decides, for each suite and the cases it needs, how it gets its run (see [`Step`]):
/// the configured run, the session's run or plan from the journal, or new ones. A plan is
/// made when configured, and when the first export of a session spans several suites.
pub fn steps(
    config: &Config,
    journal: &Journal,
    needed: &BTreeMap<u64, BTreeSet<u64>>,
    suite_names: &BTreeMap<u64, String>,
    naming: &Naming,
) -> BTreeMap<u64, Step> {
    let plan_id = match config.target {
        Target::Plan(plan_id) => Some(journal.plan_id.unwrap_or(plan_id)),
        _ => journal.plan_id,
    };
    let use_plan = match config.target {
        Target::Run(_) => false,
        Target::Plan(_) | Target::NewPlan => true,
        // A later export that brings a new suite to a session with a plain run gets a
        // second run: a run holds one suite, and turning the first run into a plan entry
        // is not possible.
        Target::NewRun => {
            journal.plan_id.is_some() || (journal.runs.is_empty() && needed.len() > 1)
        }
    };
    let mut plan_made = false;
    let mut steps = BTreeMap::new();
    for (suite_id, cases) in needed {
        let step = if let Some(run) = journal.runs.get(suite_id) {
            Step::Join { run_id: run.run_id }
        } else if let Target::Run(run_id) = config.target {
            match journal.runs.values().any(|run| run.run_id == run_id) {
                true => Step::Outside,
                false => Step::Adopt { run_id },
            }
        } else if use_plan {
            let suite_name = suite_names.get(suite_id).map(String::as_str).unwrap_or("");
            let entry = entry_body(config, (*suite_id, suite_name), cases, naming);
            match (plan_id, plan_made) {
                (None, false) => {
                    plan_made = true;
                    Step::NewPlan(plan_body(config, entry, naming))
                }
                (plan, _) => Step::NewEntry {
                    plan_id: plan,
                    entry,
                },
            }
        } else {
            Step::NewRun(run_body(config, *suite_id, cases, naming))
        };
        steps.insert(*suite_id, step);
    }
    steps
}

/// The body of a new run of a suite holding `cases`.
fn run_body(config: &Config, suite_id: u64, cases: &BTreeSet<u64>, naming: &Naming) -> NewRun {
    NewRun {
        name: naming.name.clone(),
        suite_id: Some(suite_id.into()),
        description: Some(naming.description()),
        milestone_id: config.milestone_id.map(Into::into),
        include_all: Some(false),
        case_ids: Some(cases.iter().map(|&case| case.into()).collect()),
        ..NewRun::default()
    }
}

/// The body of a new plan holding its first entry.
fn plan_body(config: &Config, entry: NewPlanEntry, naming: &Naming) -> NewPlan {
    NewPlan {
        name: naming.name.clone(),
        description: Some(naming.description()),
        milestone_id: config.milestone_id.map(Into::into),
        entries: vec![entry],
        ..NewPlan::default()
    }
}

/// Where the results of an export go.
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    /// The run of each suite.
    pub runs: BTreeMap<u64, u64>,
    /// Cases of suites the target cannot hold.
    pub outside: Vec<u64>,
    /// Suites whose run's cases this export changed: another session changing them at the
    /// same time may undo the change after the results are sent, so the run is read again.
    pub changed: BTreeSet<u64>,
}

/// Executes the [`steps`] of the suites in `needed` (suite → the cases its run must hold),
/// so that every suite has a run holding its cases (see [`Prepared`]).
pub async fn prepare(
    client: &Client,
    config: &Config,
    project_id: u64,
    journal: &mut LockedJournal,
    needed: &BTreeMap<u64, (Step, BTreeSet<u64>)>,
    naming: &Naming,
) -> Result<Prepared, ExportError> {
    journal.journal.project_id = Some(project_id);
    if let Target::Plan(plan_id) = config.target {
        journal.journal.plan_id.get_or_insert(plan_id);
    }
    let mut outside = Vec::new();
    let mut changed = BTreeSet::new();
    let mut runs = BTreeMap::new();
    for (suite_id, (step, cases)) in needed {
        if let Step::Adopt { run_id } = step
            && !journal
                .journal
                .runs
                .values()
                .any(|run| run.run_id == *run_id)
        {
            adopt_run(client, *run_id, project_id, &mut journal.journal).await?;
            journal.save()?;
        }
        if let Some(state) = journal.journal.runs.get(suite_id).cloned() {
            if add_missing_cases(client, config, journal, *suite_id, cases).await? {
                changed.insert(*suite_id);
            }
            runs.insert(*suite_id, state.run_id);
            continue;
        }
        let state = match step {
            Step::Join { .. } | Step::Adopt { .. } | Step::Outside => {
                outside.extend(cases.iter().copied());
                continue;
            }
            Step::NewRun(body) => {
                find_or_create_run(client, config, project_id, body, journal, naming).await?
            }
            Step::NewPlan(plan) => {
                plan_run(client, config, project_id, plan, None, journal, naming).await?
            }
            Step::NewEntry { plan_id, entry } => {
                let plan = plan_body(config, entry.clone(), naming);
                plan_run(client, config, project_id, &plan, *plan_id, journal, naming).await?
            }
        };
        runs.insert(*suite_id, state.run_id);
        let found = !state.created || state.case_ids.is_empty();
        journal.journal.runs.insert(*suite_id, state);
        journal.save()?;
        if found && add_missing_cases(client, config, journal, *suite_id, cases).await? {
            changed.insert(*suite_id);
        }
    }
    Ok(Prepared {
        runs,
        outside,
        changed,
    })
}

/// Records the run `TESTRAIL_RUN_ID` names; a closed run is recorded as such (the export
/// then sends nothing there and says so, or finds everything already stored).
///
/// # Errors
/// [`ExportError::RunOfOtherProject`] for a run of another project than `project_id`.
async fn adopt_run(
    client: &Client,
    run_id: u64,
    project_id: u64,
    journal: &mut Journal,
) -> Result<(), ExportError> {
    let run = client.get_run(run_id).await?;
    if let Some(run_project) = run.project_id.map(|project| project.get())
        && run_project != project_id
    {
        return Err(ExportError::RunOfOtherProject {
            run_id,
            run_project,
            project_id,
        });
    }
    let suite_id = run.suite_id.ok_or(ExportError::Unexpected(
        "get_run answered a run without its suite_id",
    ))?;
    let mut state = state_of(&run, false, false);
    state.plan_id = run.plan_id.map(|p| p.get());
    state.configured = !run.config_ids.is_empty();
    journal.runs.insert(suite_id.get(), state);
    Ok(())
}

/// The journal's record of a run found in TestRail: its cases are read when needed.
fn state_of(run: &Run, created: bool, verified: bool) -> RunState {
    RunState {
        run_id: run.id.get(),
        entry_id: run.entry_id.clone().map(Into::into),
        case_ids: BTreeSet::new(),
        include_all: run.include_all,
        created,
        verified,
        completed: run.is_completed,
        plan_id: None,
        configured: false,
    }
}

/// When a look for what an unanswered request made may stop: the settle window after it
/// was sent; `None` (one look) when nothing is known to have been sent.
fn deadline(config: &Config, sent_at_ms: Option<u64>) -> Option<u64> {
    sent_at_ms.map(|sent| {
        sent.saturating_add(u64::try_from(config.settle_window.as_millis()).unwrap_or(u64::MAX))
    })
}

/// Looks with `look` until it finds something or `until_ms` passes (once without it).
async fn look_until<T, F, Fut>(until_ms: Option<u64>, mut look: F) -> Result<Option<T>, ExportError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, ExportError>>,
{
    let mut pause = Duration::from_millis(250);
    loop {
        if let Some(found) = look().await? {
            return Ok(Some(found));
        }
        let now = testrail_formats::clock::now_ms();
        match until_ms {
            Some(until) if now < until => {
                tokio::time::sleep(pause.min(Duration::from_millis(until - now))).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
            _ => return Ok(None),
        }
    }
}

/// The first page of a listing (newest first), as a list.
async fn newest<T: DeserializeOwned>(
    client: &Client,
    method: &str,
    key: &str,
    params: &[(&str, &str)],
) -> Result<Vec<T>, ExportError> {
    let value: serde_json::Value = client.get(method, params).await?;
    let list = match value {
        serde_json::Value::Object(mut page) => page.remove(key).unwrap_or_default(),
        other => other,
    };
    if list.is_null() {
        return Ok(Vec::new());
    }
    serde_json::from_value(list)
        .map_err(|_| ExportError::Unexpected("a listing of unreadable items"))
}

/// This session's run of a suite among the newest runs (open ones first).
async fn find_run(
    client: &Client,
    project_id: u64,
    suite_id: u64,
    naming: &Naming,
    abandoned: &BTreeSet<u64>,
) -> Result<Option<Run>, ExportError> {
    let suite = suite_id.to_string();
    let runs: Vec<Run> = newest(
        client,
        &format!("get_runs/{project_id}"),
        "runs",
        &[("suite_id", suite.as_str())],
    )
    .await?;
    let mut ours: Vec<Run> = runs
        .into_iter()
        .filter(|run| naming.made_by_us(run.description.as_deref()))
        .filter(|run| !abandoned.contains(&run.id.get()))
        .collect();
    ours.sort_by_key(|run| run.is_completed);
    Ok(ours.into_iter().next())
}

/// This session's plan among the newest plans (open ones first), with its entries.
async fn find_plan(
    client: &Client,
    project_id: u64,
    naming: &Naming,
    abandoned: &BTreeSet<u64>,
) -> Result<Option<Plan>, ExportError> {
    let plans: Vec<Plan> = newest(client, &format!("get_plans/{project_id}"), "plans", &[]).await?;
    let mut ours: Vec<Plan> = plans
        .into_iter()
        .filter(|plan| naming.made_by_us(plan.description.as_deref()))
        .filter(|plan| !abandoned.contains(&plan.id.get()))
        .collect();
    ours.sort_by_key(|plan| plan.is_completed);
    match ours.into_iter().next() {
        // `get_plans` leaves the entries out.
        Some(plan) => Ok(Some(client.get_plan(plan.id).await?)),
        None => Ok(None),
    }
}

/// This session's entry of a suite in a plan.
fn our_entry(plan: &Plan, suite_id: u64, naming: &Naming, name: &str) -> Option<PlanEntry> {
    plan.entries
        .iter()
        .find(|entry| {
            entry.suite_id == Some(suite_id.into())
                && (naming.made_by_us(entry.description.as_deref())
                    || entry
                        .runs
                        .iter()
                        .any(|run| naming.made_by_us(run.description.as_deref()))
                    || (entry.description.is_none() && entry.name == name))
        })
        .cloned()
}

/// The entry of a suite that `cargo testrail run create` made in a build's plan
/// ([`BUILD_RUN_NOTE`] in its description).
fn build_entry(plan: &Plan, suite_id: u64) -> Option<PlanEntry> {
    plan.entries
        .iter()
        .find(|entry| {
            entry.suite_id == Some(suite_id.into())
                && entry
                    .description
                    .as_deref()
                    .is_some_and(|text| text.contains(BUILD_RUN_NOTE))
        })
        .cloned()
}

/// The run of a suite: the one this session made (found by the session marker, waiting for
/// an `add_run` whose answer was lost), else a new one.
async fn find_or_create_run(
    client: &Client,
    config: &Config,
    project_id: u64,
    body: &NewRun,
    journal: &mut LockedJournal,
    naming: &Naming,
) -> Result<RunState, ExportError> {
    let suite_id = body.suite_id.map_or(0, SuiteId::get);
    let cases: BTreeSet<u64> = body
        .case_ids
        .iter()
        .flatten()
        .map(|case| case.get())
        .collect();
    let intent = Intent::Run { suite_id };
    let abandoned = journal.journal.abandoned_runs.clone();
    let mut sent_at = journal.journal.sent_at(&intent);
    let mut rounds = 0;
    loop {
        let found = if sent_at.is_some() || naming.find_earlier {
            look_until(deadline(config, sent_at), || {
                find_run(client, project_id, suite_id, naming, &abandoned)
            })
            .await?
        } else {
            None
        };
        if let Some(run) = found {
            journal.journal.finish(&intent);
            // Found after this journal's own unanswered `add_run`: no result went there yet.
            return Ok(state_of(&run, true, sent_at.is_some()));
        }
        if rounds == MAX_CREATE_ROUNDS {
            return Err(ExportError::Unexpected(
                "add_run kept failing without an answer; run the upload again later",
            ));
        }
        rounds += 1;
        sent_at = Some(journal.journal.begin(intent.clone()));
        journal.save()?;
        match client.add_run(project_id, body).await {
            Ok(run) => {
                journal.journal.finish(&intent);
                return Ok(RunState {
                    case_ids: cases,
                    ..state_of(&run, true, true)
                });
            }
            Err(Error::Ambiguous { .. }) => continue,
            Err(error) => {
                journal.journal.finish(&intent);
                journal.save()?;
                return Err(error.into());
            }
        }
    }
}

/// The new plan entry of a suite.
fn entry_body(
    config: &Config,
    suite: (u64, &str),
    cases: &BTreeSet<u64>,
    naming: &Naming,
) -> NewPlanEntry {
    let case_ids: Vec<CaseId> = cases.iter().map(|&c| c.into()).collect();
    NewPlanEntry {
        suite_id: Some(suite.0.into()),
        name: Some(format!("{} · {}", naming.name, suite.1)),
        description: Some(naming.description()),
        include_all: Some(false),
        case_ids: Some(case_ids.clone()),
        config_ids: config.config_ids.iter().map(|&c| c.into()).collect(),
        runs: if config.config_ids.is_empty() {
            Vec::new()
        } else {
            vec![PlanEntryRun {
                config_ids: config.config_ids.iter().map(|&c| c.into()).collect(),
                include_all: Some(false),
                case_ids: Some(case_ids),
                ..PlanEntryRun::default()
            }]
        },
        ..NewPlanEntry::default()
    }
}

/// The run of an entry.
fn entry_state(entry: &PlanEntry, created: bool, verified: bool) -> Result<RunState, ExportError> {
    let run = entry
        .runs
        .first()
        .ok_or(ExportError::Unexpected("a plan entry without a run"))?;
    Ok(RunState {
        entry_id: Some(entry.id.to_string()),
        ..state_of(run, created, verified)
    })
}

/// The run of a suite in the session's plan: the plan and entry this session made (found
/// by the session marker, waiting for a create whose answer was lost), else new ones.
async fn plan_run(
    client: &Client,
    config: &Config,
    project_id: u64,
    plan_body: &NewPlan,
    plan_id: Option<u64>,
    journal: &mut LockedJournal,
    naming: &Naming,
) -> Result<RunState, ExportError> {
    let entry = plan_body
        .entries
        .first()
        .ok_or(ExportError::Unexpected("a plan step without its entry"))?;
    let suite_id = entry.suite_id.map_or(0, SuiteId::get);
    let cases: BTreeSet<u64> = entry
        .case_ids
        .iter()
        .flatten()
        .map(|case| case.get())
        .collect();
    let entry_name = entry.name.clone().unwrap_or_default();
    let abandoned = journal.journal.abandoned_plans.clone();
    let plan_id = match plan_id.or(journal.journal.plan_id) {
        Some(plan_id) => plan_id,
        None => {
            let intent = Intent::Plan;
            let mut sent_at = journal.journal.sent_at(&intent);
            let mut rounds = 0;
            loop {
                let found = if sent_at.is_some() || naming.find_earlier {
                    look_until(deadline(config, sent_at), || {
                        find_plan(client, project_id, naming, &abandoned)
                    })
                    .await?
                } else {
                    None
                };
                if let Some(plan) = found {
                    journal.journal.finish(&intent);
                    journal.journal.plan_id = Some(plan.id.get());
                    journal.journal.plan_created = true;
                    journal.save()?;
                    if let Some(entry) = our_entry(&plan, suite_id, naming, &entry_name) {
                        return entry_state(&entry, true, sent_at.is_some());
                    }
                    if plan.is_completed {
                        return Err(ExportError::PlanClosed {
                            plan_id: plan.id.get(),
                        });
                    }
                    break plan.id.get();
                }
                if rounds == MAX_CREATE_ROUNDS {
                    return Err(ExportError::Unexpected(
                        "add_plan kept failing without an answer; run the upload again later",
                    ));
                }
                rounds += 1;
                sent_at = Some(journal.journal.begin(intent.clone()));
                journal.save()?;
                match client.add_plan(project_id, plan_body).await {
                    Ok(plan) => {
                        journal.journal.finish(&intent);
                        journal.journal.plan_id = Some(plan.id.get());
                        journal.journal.plan_created = true;
                        journal.save()?;
                        let entry = plan.entries.first().ok_or(ExportError::Unexpected(
                            "add_plan returned a plan without entries",
                        ))?;
                        return Ok(RunState {
                            case_ids: cases.clone(),
                            ..entry_state(entry, true, true)?
                        });
                    }
                    Err(Error::Ambiguous { .. }) => continue,
                    Err(error) => {
                        journal.journal.finish(&intent);
                        journal.save()?;
                        return Err(error.into());
                    }
                }
            }
        }
    };
    let intent = Intent::Entry { plan_id, suite_id };
    let mut sent_at = journal.journal.sent_at(&intent);
    // The plan of a build, given by TESTRAIL_PLAN_ID: its entry of the suite is shared.
    if matches!(config.target, Target::Plan(_)) && sent_at.is_none() {
        let plan = client.get_plan(plan_id).await?;
        if let Some(entry) = build_entry(&plan, suite_id) {
            return entry_state(&entry, false, true);
        }
    }
    let mut rounds = 0;
    loop {
        let found = if sent_at.is_some() || naming.find_earlier {
            look_until(deadline(config, sent_at), || async {
                let plan = client.get_plan(plan_id).await?;
                Ok(our_entry(&plan, suite_id, naming, &entry_name))
            })
            .await?
        } else {
            None
        };
        if let Some(existing) = found {
            journal.journal.finish(&intent);
            return entry_state(&existing, true, sent_at.is_some());
        }
        if rounds == MAX_CREATE_ROUNDS {
            return Err(ExportError::Unexpected(
                "add_plan_entry kept failing without an answer; run the upload again later",
            ));
        }
        rounds += 1;
        sent_at = Some(journal.journal.begin(intent.clone()));
        journal.save()?;
        match client.add_plan_entry(plan_id, entry).await {
            Ok(created) => {
                journal.journal.finish(&intent);
                return Ok(RunState {
                    case_ids: cases.clone(),
                    ..entry_state(&created, true, true)?
                });
            }
            Err(Error::Ambiguous { .. }) => continue,
            Err(error) => {
                journal.journal.finish(&intent);
                journal.save()?;
                return Err(error.into());
            }
        }
    }
}

#[derive(Serialize)]
struct CasesUpdate {
    include_all: bool,
    case_ids: Vec<u64>,
}

/// The cases a run holds now.
async fn cases_of(client: &Client, run_id: u64) -> Result<BTreeSet<u64>, Error> {
    Ok(client
        .get_tests(run_id)
        .await?
        .iter()
        .filter_map(|test| Some(test.case_id?.get()))
        .collect())
}

/// Makes sure the run of `suite_id` holds `cases`: read, add what is missing, read again,
/// until the cases are there (another session may replace the run's cases at the same
/// time). A change whose answer was lost is waited for (the settle window) before it is
/// sent again. A run this session created and that holds the cases is not read. Returns
/// whether this changed the run's cases.
async fn add_missing_cases(
    client: &Client,
    config: &Config,
    journal: &mut LockedJournal,
    suite_id: u64,
    cases: &BTreeSet<u64>,
) -> Result<bool, ExportError> {
    let Some(state) = journal.journal.runs.get(&suite_id).cloned() else {
        return Ok(false);
    };
    let intent = Intent::Cases {
        run_id: state.run_id,
    };
    let mut sent_at = journal.journal.sent_at(&intent);
    if state.include_all
        || state.completed
        || (state.created && sent_at.is_none() && cases.is_subset(&state.case_ids))
    {
        return Ok(false);
    }
    let mut rounds = 0;
    let mut pause = Duration::from_millis(250);
    loop {
        let held = match cases_of(client, state.run_id).await {
            Ok(held) => held,
            Err(error) => return Err(explain(client, state.run_id, error).await),
        };
        if cases.is_subset(&held) {
            if let Some(run) = journal.journal.runs.get_mut(&suite_id) {
                run.case_ids = held;
            }
            journal.journal.finish(&intent);
            journal.save()?;
            return Ok(rounds > 0);
        }
        // An earlier change may still land: wait for it rather than race it.
        if let Some(until) = deadline(config, sent_at)
            && testrail_formats::clock::now_ms() < until
        {
            tokio::time::sleep(pause.min(Duration::from_millis(
                until.saturating_sub(testrail_formats::clock::now_ms()),
            )))
            .await;
            pause = (pause * 2).min(Duration::from_secs(2));
            continue;
        }
        if rounds == MAX_CASE_ROUNDS {
            return Err(ExportError::CasesNotAdded {
                run_id: state.run_id,
                missing: cases.difference(&held).copied().collect(),
            });
        }
        rounds += 1;
        // `case_ids` replaces the run's cases: send what it holds now and what is missing.
        let case_ids: Vec<u64> = held.union(cases).copied().collect();
        sent_at = Some(journal.journal.begin(intent.clone()));
        journal.save()?;
        match update_cases(client, &journal.journal, &state, case_ids).await {
            Ok(()) => sent_at = None,
            Err(Error::Ambiguous { .. }) => {}
            Err(error) => {
                journal.journal.finish(&intent);
                journal.save()?;
                return Err(explain(client, state.run_id, error).await);
            }
        }
        // Another session may have read the run before this change and write after it:
        // read again once such a write would have landed.
        let jitter = rand::random_range(100..400u64) * u64::from(rounds.min(4));
        tokio::time::sleep(Duration::from_millis(jitter)).await;
    }
}

/// Sends a run's new cases through the endpoint its kind of run takes.
async fn update_cases(
    client: &Client,
    journal: &Journal,
    state: &RunState,
    case_ids: Vec<u64>,
) -> Result<(), Error> {
    let body = CasesUpdate {
        include_all: false,
        case_ids,
    };
    let plan_id = state.plan_id.or(journal.plan_id);
    match (&state.entry_id, plan_id) {
        (_, Some(_)) if state.plan_id.is_some() && state.configured => {
            let _: serde_json::Value = client
                .post(&format!("update_run_in_plan_entry/{}", state.run_id), &body)
                .await?;
        }
        (Some(entry_id), Some(plan_id)) => {
            let _: serde_json::Value = client
                .post(&format!("update_plan_entry/{plan_id}/{entry_id}"), &body)
                .await?;
        }
        _ => {
            client
                .update_run(
                    state.run_id,
                    &RunUpdate {
                        include_all: Some(false),
                        case_ids: Some(body.case_ids.into_iter().map(Into::into).collect()),
                        ..RunUpdate::default()
                    },
                )
                .await?;
        }
    }
    Ok(())
}

/// Turns a refusal about a run into what happened to it: closed or deleted since this
/// session began reporting into it. Any other error is returned as it is.
pub async fn explain(client: &Client, run_id: u64, error: Error) -> ExportError {
    if !matches!(error, Error::Forbidden { .. } | Error::BadRequest { .. }) {
        return error.into();
    }
    match client.get_run(run_id).await {
        Ok(run) if run.is_completed => ExportError::TargetClosed {
            run_id,
            unsent: None,
        },
        Err(Error::BadRequest { message, .. }) if message.contains("run") => {
            ExportError::TargetDeleted { run_id }
        }
        _ => error.into(),
    }
}

/// What `--new-run` did to a session's journal.
pub type Forgotten = Vec<String>;

/// Forgets the runs and plan of a session that TestRail closed or deleted, so the next
/// export makes a new one: results stored in a closed run stay acknowledged (they are
/// there), those of a deleted run are sent again. Returns a line per forgotten target.
pub async fn forget_gone(client: &Client, journal: &mut Journal) -> Result<Forgotten, ExportError> {
    let mut lines = Vec::new();
    let mut deleted_cases = BTreeSet::new();
    if let Some(plan_id) = journal.plan_id {
        let gone = match client.get_plan(plan_id).await {
            Ok(plan) if plan.is_completed => Some("is closed"),
            Ok(_) => None,
            Err(Error::BadRequest { .. }) => Some("no longer exists"),
            Err(error) => return Err(error.into()),
        };
        if let Some(how) = gone {
            lines.push(format!(
                "plan {plan_id} {how}: the results go into a new plan"
            ));
            journal.abandoned_plans.insert(plan_id);
            journal.plan_id = None;
            journal.plan_created = false;
            journal.closed = false;
        }
    }
    let mut keep = BTreeMap::new();
    for (suite_id, run) in std::mem::take(&mut journal.runs) {
        let gone = match client.get_run(run.run_id).await {
            Ok(found) if found.is_completed => Some(false),
            Ok(_) => None,
            Err(Error::BadRequest { .. }) => Some(true),
            Err(error) => return Err(error.into()),
        };
        match gone {
            None => {
                keep.insert(suite_id, run);
            }
            Some(deleted) => {
                journal.abandoned_runs.insert(run.run_id);
                journal.closed = false;
                if deleted {
                    lines.push(format!(
                        "run R{} no longer exists: its results are sent again, into a new run",
                        run.run_id
                    ));
                    deleted_cases.extend(run.case_ids.iter().copied());
                    journal.pending.retain(|batch| batch.run_id != run.run_id);
                    if run.case_ids.is_empty() {
                        journal.acknowledged.clear();
                    }
                } else {
                    lines.push(format!(
                        "run R{} is closed: the results it holds stay there, the others go into a new run",
                        run.run_id
                    ));
                }
            }
        }
    }
    journal.runs = keep;
    for cases in journal.acknowledged.values_mut() {
        cases.retain(|case| !deleted_cases.contains(case));
    }
    let kept: BTreeSet<u64> = journal.runs.values().map(|run| run.run_id).collect();
    journal
        .in_flight
        .retain(|sent| matches!(sent.intent, Intent::Cases { run_id } if kept.contains(&run_id)));
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::HarnessFlags;

    fn config(env: &[(&str, &str)]) -> Config {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        Config::from_sources(None, &env, &HarnessFlags::default()).unwrap()
    }

    fn naming() -> Naming {
        Naming {
            name: "nightly".into(),
            description: None,
            marker: "testrail-rs session `s1`".into(),
            find_earlier: false,
        }
    }

    fn needed(suites: &[u64]) -> BTreeMap<u64, BTreeSet<u64>> {
        suites
            .iter()
            .map(|suite| (*suite, BTreeSet::from([suite * 10])))
            .collect()
    }

    fn kinds(steps: &BTreeMap<u64, Step>) -> Vec<String> {
        steps
            .values()
            .map(|step| match step {
                Step::Join { run_id } => format!("join R{run_id}"),
                Step::Adopt { run_id } => format!("adopt R{run_id}"),
                Step::Outside => "outside".into(),
                Step::NewRun(body) => format!("add_run {:?}", body.case_ids),
                Step::NewPlan(body) => format!("add_plan {}", body.entries.len()),
                Step::NewEntry { plan_id, .. } => format!("add_plan_entry {plan_id:?}"),
            })
            .collect()
    }

    #[test]
    fn one_suite_gets_a_run_and_several_a_plan_with_an_entry_each() {
        let steps = |suites: &[u64]| {
            kinds(&super::steps(
                &config(&[]),
                &Journal::default(),
                &needed(suites),
                &BTreeMap::new(),
                &naming(),
            ))
        };
        assert_eq!(steps(&[1]), ["add_run Some([CaseId(10)])"]);
        assert_eq!(steps(&[1, 2]), ["add_plan 1", "add_plan_entry None"]);
    }

    #[test]
    fn the_journal_decides_what_is_joined() {
        let mut journal = Journal::default();
        journal.runs.insert(
            1,
            RunState {
                run_id: 40,
                ..RunState::default()
            },
        );
        let steps = |config: &Config, journal: &Journal| {
            kinds(&super::steps(
                config,
                journal,
                &needed(&[1, 2]),
                &BTreeMap::new(),
                &naming(),
            ))
        };
        // A session with a plain run that meets a second suite gets a second run.
        assert_eq!(
            steps(&config(&[]), &journal),
            ["join R40", "add_run Some([CaseId(20)])"]
        );
        // The configured run holds suite 1 only.
        journal.runs.get_mut(&1).unwrap().run_id = 42;
        assert_eq!(
            steps(&config(&[("TESTRAIL_RUN_ID", "42")]), &journal),
            ["join R42", "outside"]
        );
        assert_eq!(
            steps(&config(&[("TESTRAIL_RUN_ID", "42")]), &Journal::default()),
            ["adopt R42", "adopt R42"]
        );
        // A session's plan gets the entries of new suites.
        journal.plan_id = Some(7);
        assert_eq!(
            steps(&config(&[]), &journal),
            ["join R42", "add_plan_entry Some(7)"]
        );
    }
}
