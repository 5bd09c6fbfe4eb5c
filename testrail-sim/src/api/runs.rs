//! Test runs.

use std::collections::BTreeMap;

use serde_json::json;

use super::fields::Fields;
use super::{Call, Reply, newest_first};
use crate::clock;
use crate::error::{ApiError, ApiResult, RUN_COMPLETED};
use crate::model::Run;
use crate::pagination::envelope;
use crate::state::{State, next_id};

/// The text for editing a plan's run through the run endpoints (LANG, wording as in
/// TestRail's source; 400 chosen [U]).
pub const PLAN_RUN: &str =
    "Field :run_id is part of a test run. Please use API endpoints for test plan entries.";

/// A milestone of the project, or `Field :milestone_id is not a valid milestone.`
pub(super) fn check_milestone(
    st: &State,
    project_id: u64,
    id: Option<u64>,
) -> ApiResult<Option<u64>> {
    if let Some(id) = id {
        st.milestones
            .get(&id)
            .filter(|m| m.project_id == project_id)
            .ok_or_else(|| ApiError::not_valid("milestone_id", "milestone"))?;
    }
    Ok(id)
}

/// A known user, or `Field :assignedto_id is not a valid user.` [U]
pub(super) fn check_user(st: &State, id: Option<u64>) -> ApiResult<Option<u64>> {
    if let Some(id) = id {
        st.user(id)
            .ok_or_else(|| ApiError::not_valid("assignedto_id", "user"))?;
    }
    Ok(id)
}

/// Checks that every case id is a live case of the suite:
/// `Field :case_ids contains unrecognized case IDs.` [U] otherwise.
pub(super) fn check_case_ids(st: &State, suite_id: u64, ids: &[u64]) -> ApiResult<()> {
    let ok = ids.iter().all(|id| {
        st.cases
            .get(id)
            .is_some_and(|c| !c.is_deleted && c.suite_id == suite_id)
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad(
            "Field :case_ids contains unrecognized case IDs.",
        ))
    }
}

/// The run fields common to `add_run` and plan entries' runs, read from a body.
pub(super) struct RunSpec {
    pub name: Option<String>,
    pub description: Option<String>,
    pub milestone_id: Option<u64>,
    pub assignedto_id: Option<u64>,
    pub include_all: bool,
    pub case_ids: Vec<u64>,
    pub refs: Option<String>,
    pub start_on: Option<i64>,
    pub due_on: Option<i64>,
}

impl RunSpec {
    /// Reads and validates a run body against a project and suite. `inherit` supplies
    /// defaults (a plan entry's values for its runs).
    pub(super) fn read(
        st: &State,
        body: &Fields,
        project_id: u64,
        suite_id: u64,
        inherit: Option<&RunSpec>,
    ) -> ApiResult<RunSpec> {
        let include_all = body
            .bool("include_all")?
            .or(inherit.map(|i| i.include_all))
            .unwrap_or(true);
        let case_ids = match body.ids("case_ids")? {
            Some(ids) => ids,
            None => inherit.map(|i| i.case_ids.clone()).unwrap_or_default(),
        };
        if !include_all {
            check_case_ids(st, suite_id, &case_ids)?;
        }
        let pick = |own: Option<String>, f: fn(&RunSpec) -> Option<String>| {
            own.or_else(|| inherit.and_then(f))
        };
        Ok(RunSpec {
            name: pick(body.short_string("name")?, |i| i.name.clone()),
            description: pick(body.string("description")?, |i| i.description.clone()),
            milestone_id: check_milestone(st, project_id, body.id("milestone_id")?)?
                .or(inherit.and_then(|i| i.milestone_id)),
            assignedto_id: check_user(st, body.id("assignedto_id")?)?
                .or(inherit.and_then(|i| i.assignedto_id)),
            include_all,
            case_ids,
            refs: pick(body.short_string("refs")?, |i| i.refs.clone()),
            start_on: body.time("start_on")?.or(inherit.and_then(|i| i.start_on)),
            due_on: body.time("due_on")?.or(inherit.and_then(|i| i.due_on)),
        })
    }

    /// Creates the run and its tests; returns the run id.
    pub(super) fn create(&self, st: &mut State, project_id: u64, suite_id: u64, user: u64) -> u64 {
        let now = st.now();
        let id = next_id(&mut st.last_ids.run);
        let run = Run {
            id,
            project_id,
            suite_id,
            plan_id: None,
            entry_id: None,
            entry_index: None,
            name: self
                .name
                .clone()
                .unwrap_or_else(|| format!("Test Run {}", clock::date(now))),
            description: self.description.clone(),
            milestone_id: self.milestone_id,
            assignedto_id: self.assignedto_id,
            include_all: self.include_all,
            refs: self.refs.clone(),
            config_ids: Vec::new(),
            config: None,
            is_completed: false,
            completed_on: None,
            created_on: now,
            created_by: user,
            updated_on: now,
            start_on: self.start_on,
            due_on: self.due_on,
            tests: BTreeMap::new(),
        };
        st.runs.insert(id, run);
        st.select_run_cases(id, self.include_all, &self.case_ids);
        id
    }
}

/// `add_run/{project_id}`: `suite_id` (required in multi-suite projects), `name`,
/// `description`, `milestone_id`, `assignedto_id`, `include_all` (default true),
/// `case_ids` (used when `include_all` is false; must be cases of the suite), `refs`,
/// `start_on`, `due_on`. Without a name the run is called `Test Run <date>` [U].
pub fn add_run(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let project_id = st.project(call.route.id(0, "project_id")?)?.id;
    let suite_id = st.resolve_suite(project_id, call.body.id("suite_id")?)?;
    let spec = RunSpec::read(st, &call.body, project_id, suite_id, None)?;
    let id = spec.create(st, project_id, suite_id, call.user.id);
    Ok(Reply::Json(call.render(st).run(&st.runs[&id])))
}

/// The run a write addresses: it must exist, be standalone and still open.
fn open_standalone_run(st: &State, call: &Call) -> ApiResult<Run> {
    let run = st.run(call.route.id(0, "run_id")?)?;
    if run.plan_id.is_some() {
        return Err(ApiError::bad(PLAN_RUN));
    }
    if run.is_completed {
        return Err(ApiError::forbidden(RUN_COMPLETED));
    }
    Ok(run.clone())
}

/// `update_run/{run_id}`: a partial update of the `add_run` fields except `suite_id`.
/// Changing `include_all`/`case_ids` replaces the run's case selection (tests of cases
/// that stay keep their results).
pub fn update_run(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let mut run = open_standalone_run(st, call)?;
    let b = &call.body;
    if b.has("name") {
        run.name = b.required_string("name")?;
    }
    if b.has("description") {
        run.description = b.string("description")?;
    }
    if b.has("milestone_id") {
        run.milestone_id = check_milestone(st, run.project_id, b.id("milestone_id")?)?;
    }
    if b.has("assignedto_id") {
        run.assignedto_id = check_user(st, b.id("assignedto_id")?)?;
    }
    if b.has("refs") {
        run.refs = b.short_string("refs")?;
    }
    if b.has("start_on") {
        run.start_on = b.time("start_on")?;
    }
    if b.has("due_on") {
        run.due_on = b.time("due_on")?;
    }
    let include_all = b.bool("include_all")?;
    let case_ids = b.ids("case_ids")?;
    let reselect = include_all.is_some() || case_ids.is_some();
    let include_all = include_all.unwrap_or(run.include_all);
    let case_ids = case_ids.unwrap_or_else(|| run.tests.keys().copied().collect());
    if reselect && !include_all {
        check_case_ids(st, run.suite_id, &case_ids)?;
    }
    run.updated_on = st.now();
    let id = run.id;
    st.runs.insert(id, run);
    if reselect {
        st.select_run_cases(id, include_all, &case_ids);
    }
    Ok(Reply::Json(call.render(st).run(&st.runs[&id])))
}

/// `get_run/{run_id}`.
pub fn get_run(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let run = st.run(call.route.id(0, "run_id")?)?;
    Ok(Reply::Json(call.render(st).run(run)))
}

/// `get_runs/{project_id}` (paginated, key `runs`, newest first; runs of plans are not
/// listed). Filters: `created_after`, `created_before`, `created_by`, `is_completed`,
/// `milestone_id`, `suite_id`, `refs`.
pub fn get_runs(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let q = call.route;
    let project_id = st.project(q.id(0, "project_id")?)?.id;
    let (ca, cb) = (
        q.param_time("created_after")?,
        q.param_time("created_before")?,
    );
    let created_by = q.param_ids("created_by")?;
    let done = q.param_bool("is_completed")?;
    let milestones = q.param_ids("milestone_id")?;
    let suites = q.param_ids("suite_id")?;
    let refs = q.param("refs");
    let mut items: Vec<&Run> = st
        .runs
        .values()
        .filter(|r| r.project_id == project_id && r.plan_id.is_none())
        .filter(|r| ca.is_none_or(|t| r.created_on >= t) && cb.is_none_or(|t| r.created_on <= t))
        .filter(|r| {
            created_by
                .as_ref()
                .is_none_or(|l| l.contains(&r.created_by))
        })
        .filter(|r| done.is_none_or(|d| r.is_completed == d))
        .filter(|r| {
            milestones
                .as_ref()
                .is_none_or(|l| r.milestone_id.is_some_and(|m| l.contains(&m)))
        })
        .filter(|r| suites.as_ref().is_none_or(|l| l.contains(&r.suite_id)))
        .filter(|r| {
            refs.is_none_or(|x| {
                r.refs
                    .as_deref()
                    .is_some_and(|rr| rr.split(',').any(|p| p.trim() == x))
            })
        })
        .collect();
    newest_first(&mut items, |r| r.id);
    let r = call.render(st);
    Ok(Reply::Json(envelope(q, "runs", &items, |run| r.run(run))?))
}

/// `close_run/{run_id}`: closes (archives) the run; it then refuses results.
pub fn close_run(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let run = st.run(call.route.id(0, "run_id")?)?;
    if run.plan_id.is_some() {
        return Err(ApiError::forbidden(
            "This operation is not allowed. The test run belongs to a test plan and cannot be closed independently.",
        ));
    }
    if run.is_completed {
        return Err(ApiError::forbidden(RUN_COMPLETED));
    }
    let id = run.id;
    let now = st.now();
    if let Some(run) = st.runs.get_mut(&id) {
        run.is_completed = true;
        run.completed_on = Some(now);
        run.updated_on = now;
    }
    Ok(Reply::Json(call.render(st).run(&st.runs[&id])))
}

/// `delete_run/{run_id}`: deletes the run with its tests and results (empty 200).
/// Closed runs cannot be deleted. `&soft=1` only reports what would go [U shape].
pub fn delete_run(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let run = st.run(call.route.id(0, "run_id")?)?;
    if run.plan_id.is_some() {
        return Err(ApiError::bad(PLAN_RUN));
    }
    if run.is_completed {
        return Err(ApiError::not_allowed("delete completed test runs"));
    }
    let id = run.id;
    if call.route.param_bool("soft")? == Some(true) {
        let results = st.results.values().filter(|r| r.run_id == id).count();
        return Ok(Reply::Json(
            json!({ "runs": 1, "tests": run.tests.len(), "results": results }),
        ));
    }
    st.remove_run(id);
    Ok(Reply::Empty)
}
