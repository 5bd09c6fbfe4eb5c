//! Test plans and plan entries: one suite per entry, one run per configuration.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::fields::Fields;
use super::runs::{RunSpec, check_milestone, check_user};
use super::{Call, Reply, newest_first};
use crate::error::{ApiError, ApiResult, PLAN_COMPLETED};
use crate::model::{Plan, PlanEntry};
use crate::pagination::envelope;
use crate::state::{State, next_id};

/// A validated plan entry, ready to be created.
struct EntrySpec {
    suite_id: u64,
    entry: RunSpec,
    config_ids: Vec<u64>,
    runs: Vec<(RunSpec, Vec<u64>)>,
}

/// The group of each config id of a project; unknown ids are an error [U text].
fn config_groups(st: &State, project_id: u64, ids: &[u64]) -> ApiResult<Vec<(u64, u64)>> {
    ids.iter()
        .map(|id| {
            st.config_groups
                .values()
                .filter(|g| g.project_id == project_id)
                .find(|g| g.configs.iter().any(|c| c.id == *id))
                .map(|g| (g.id, *id))
                .ok_or_else(|| {
                    ApiError::bad("Field :config_ids contains an invalid configuration.")
                })
        })
        .collect()
}

/// Every combination of one config per group (the runs an entry gets from `config_ids`
/// alone).
fn combinations(groups: &[(u64, u64)]) -> Vec<Vec<u64>> {
    let mut by_group: Vec<(u64, Vec<u64>)> = Vec::new();
    for (g, c) in groups {
        match by_group.iter_mut().find(|(id, _)| id == g) {
            Some((_, v)) => v.push(*c),
            None => by_group.push((*g, vec![*c])),
        }
    }
    let mut combos = vec![Vec::new()];
    for (_, configs) in by_group {
        combos = combos
            .into_iter()
            .flat_map(|prefix| {
                configs.iter().map(move |c| {
                    let mut v = prefix.clone();
                    v.push(*c);
                    v
                })
            })
            .collect();
    }
    combos
}

fn read_entry(st: &State, body: &Fields, project_id: u64) -> ApiResult<EntrySpec> {
    let suite_id = st.resolve_suite(project_id, body.id("suite_id")?)?;
    let mut entry = RunSpec::read(st, body, project_id, suite_id, None)?;
    if entry.name.is_none() {
        entry.name = Some(st.suite(suite_id)?.name.clone());
    }
    let mut config_ids = body.ids("config_ids")?.unwrap_or_default();
    let mut runs = Vec::new();
    match body.get("runs") {
        Some(Value::Array(items)) => {
            for item in items {
                let map = item
                    .as_object()
                    .ok_or_else(|| ApiError::bad("Field :runs is not a valid array."))?;
                let run_body = Fields::new(map, "runs.");
                let spec = RunSpec::read(st, &run_body, project_id, suite_id, Some(&entry))?;
                let ids = run_body.ids("config_ids")?.unwrap_or_default();
                let groups = config_groups(st, project_id, &ids)?;
                let distinct: BTreeSet<u64> = groups.iter().map(|(g, _)| *g).collect();
                if distinct.len() != groups.len() {
                    return Err(ApiError::bad(
                        "Field :runs.config_ids contains more than one configuration of the same group.",
                    ));
                }
                runs.push((spec, ids));
            }
        }
        Some(_) => return Err(ApiError::bad("Field :runs is not a valid array.")),
        None => {
            let groups = config_groups(st, project_id, &config_ids)?;
            for combo in combinations(&groups) {
                runs.push((
                    RunSpec::read(
                        st,
                        &Fields::new(&Map::new(), ""),
                        project_id,
                        suite_id,
                        Some(&entry),
                    )?,
                    combo,
                ));
            }
        }
    }
    let mut seen = BTreeSet::new();
    for (_, ids) in &runs {
        let mut key = ids.clone();
        key.sort_unstable();
        if !seen.insert(key) {
            return Err(ApiError::bad(
                "Field :runs contains more than one run with the same configurations.",
            ));
        }
        for id in ids {
            if !config_ids.contains(id) {
                config_ids.push(*id);
            }
        }
    }
    Ok(EntrySpec {
        suite_id,
        entry,
        config_ids,
        runs,
    })
}

/// Creates a validated entry inside a plan: its runs carry `plan_id`, `entry_id`,
/// `entry_index` and their configurations.
fn create_entry(st: &mut State, plan_id: u64, spec: EntrySpec, user: u64) -> ApiResult<PlanEntry> {
    let plan = st.plan(plan_id)?;
    let project_id = plan.project_id;
    let entry_index = plan.entries.len() as u64 + 1;
    let n = next_id(&mut st.last_ids.entry);
    let entry_id = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        plan_id, entry_index, 0, 0, n
    );
    let mut run_ids = Vec::new();
    for (run, configs) in &spec.runs {
        let run_id = run.create(st, project_id, spec.suite_id, user);
        let names: Vec<String> = configs
            .iter()
            .filter_map(|id| {
                st.config_groups
                    .values()
                    .flat_map(|g| g.configs.iter())
                    .find(|c| c.id == *id)
            })
            .map(|c| c.name.clone())
            .collect();
        if let Some(r) = st.runs.get_mut(&run_id) {
            r.plan_id = Some(plan_id);
            r.entry_id = Some(entry_id.clone());
            r.entry_index = Some(entry_index);
            r.config_ids = configs.clone();
            r.config = (!names.is_empty()).then(|| names.join(", "));
        }
        run_ids.push(run_id);
    }
    let entry = PlanEntry {
        id: entry_id,
        suite_id: spec.suite_id,
        name: spec.entry.name.clone().unwrap_or_default(),
        description: spec.entry.description.clone(),
        refs: spec.entry.refs.clone(),
        include_all: spec.entry.include_all,
        assignedto_id: spec.entry.assignedto_id,
        config_ids: spec.config_ids,
        run_ids,
    };
    if let Some(p) = st.plans.get_mut(&plan_id) {
        p.entries.push(entry.clone());
    }
    Ok(entry)
}

/// `add_plan/{project_id}`: `name` (required), `description`, `milestone_id`,
/// `assignedto_id`, `refs`, `start_on`, `due_on`, `entries[]` (each as for
/// `add_plan_entry`). Everything is validated before anything is created.
pub fn add_plan(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let project_id = st.project(call.route.id(0, "project_id")?)?.id;
    let b = &call.body;
    let name = b.required_string("name")?;
    let mut specs = Vec::new();
    match b.get("entries") {
        None => {}
        Some(Value::Array(items)) => {
            for item in items {
                let map = item
                    .as_object()
                    .ok_or_else(|| ApiError::bad("Field :entries is not a valid array."))?;
                specs.push(read_entry(st, &Fields::new(map, "entries."), project_id)?);
            }
        }
        Some(_) => return Err(ApiError::bad("Field :entries is not a valid array.")),
    }
    let plan = Plan {
        id: 0,
        project_id,
        name,
        description: b.string("description")?,
        milestone_id: check_milestone(st, project_id, b.id("milestone_id")?)?,
        assignedto_id: check_user(st, b.id("assignedto_id")?)?,
        is_completed: false,
        completed_on: None,
        created_on: st.now(),
        created_by: call.user.id,
        refs: b.short_string("refs")?,
        start_on: b.time("start_on")?,
        due_on: b.time("due_on")?,
        entries: Vec::new(),
    };
    let id = next_id(&mut st.last_ids.plan);
    st.plans.insert(id, Plan { id, ..plan });
    for spec in specs {
        create_entry(st, id, spec, call.user.id)?;
    }
    Ok(Reply::Json(call.render(st).plan(&st.plans[&id], true)))
}

fn open_plan(st: &State, call: &Call) -> ApiResult<u64> {
    let plan = st.plan(call.route.id(0, "plan_id")?)?;
    if plan.is_completed {
        return Err(ApiError::forbidden(PLAN_COMPLETED));
    }
    Ok(plan.id)
}

/// `add_plan_entry/{plan_id}`: `suite_id` (required in multi-suite projects), `name`,
/// `description`, `assignedto_id`, `include_all`, `case_ids`, `config_ids`, `refs`,
/// `runs[]` (each with `config_ids`, one config per group, and optional overrides).
/// Without `runs`, one run per combination of `config_ids` (or one run without configs).
pub fn add_plan_entry(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let plan_id = open_plan(st, call)?;
    let spec = read_entry(st, &call.body, st.plans[&plan_id].project_id)?;
    let entry = create_entry(st, plan_id, spec, call.user.id)?;
    Ok(Reply::Json(call.render(st).entry(&entry)))
}

/// `update_plan_entry/{plan_id}/{entry_id}`: `name`, `description`, `assignedto_id`,
/// `include_all`, `case_ids`, `refs`, `start_on`, `due_on`, applied to the entry and all its
/// runs. `config_ids` and `runs` are not accepted here (as the docs say) and are ignored.
pub fn update_plan_entry(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let plan_id = open_plan(st, call)?;
    let entry_id = call.route.str_id(1, "entry_id")?;
    let invalid_entry = || ApiError::not_valid("entry_id", "test plan entry");
    let entry = st.plans[&plan_id]
        .entries
        .iter()
        .find(|e| e.id == entry_id)
        .cloned()
        .ok_or_else(invalid_entry)?;
    let b = &call.body;
    let mut updated = entry.clone();
    if b.has("name") {
        updated.name = b.required_string("name")?;
    }
    if b.has("description") {
        updated.description = b.string("description")?;
    }
    if b.has("refs") {
        updated.refs = b.short_string("refs")?;
    }
    if b.has("assignedto_id") {
        updated.assignedto_id = check_user(st, b.id("assignedto_id")?)?;
    }
    let include_all = b.bool("include_all")?;
    let case_ids = b.ids("case_ids")?;
    let reselect = include_all.is_some() || case_ids.is_some();
    updated.include_all = include_all.unwrap_or(entry.include_all);
    if reselect && !updated.include_all {
        super::runs::check_case_ids(st, entry.suite_id, case_ids.as_deref().unwrap_or(&[]))?;
    }
    let (start_on, due_on) = (b.time("start_on")?, b.time("due_on")?);
    let now = st.now();
    for run_id in &entry.run_ids {
        let current: Vec<u64> = st
            .runs
            .get(run_id)
            .map(|r| r.tests.keys().copied().collect())
            .unwrap_or_default();
        if let Some(r) = st.runs.get_mut(run_id) {
            r.name = updated.name.clone();
            r.description = updated.description.clone();
            r.refs = updated.refs.clone();
            if b.has("assignedto_id") {
                r.assignedto_id = updated.assignedto_id;
            }
            if start_on.is_some() {
                r.start_on = start_on;
            }
            if due_on.is_some() {
                r.due_on = due_on;
            }
            r.updated_on = now;
        }
        if reselect {
            let ids = case_ids.clone().unwrap_or(current);
            st.select_run_cases(*run_id, updated.include_all, &ids);
        }
    }
    if let Some(p) = st.plans.get_mut(&plan_id)
        && let Some(e) = p.entries.iter_mut().find(|e| e.id == entry_id)
    {
        *e = updated.clone();
    }
    Ok(Reply::Json(call.render(st).entry(&updated)))
}

/// `update_run_in_plan_entry/{run_id}`: `description`, `assignedto_id`, `include_all`,
/// `case_ids`, `refs`, `start_on`, `due_on` of one run of a plan entry (the other runs of
/// the entry keep theirs). TestRail offers it for entries with configurations; a run
/// outside a plan gets 400 [U text].
pub fn update_run_in_plan_entry(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let run = st.run(call.route.id(0, "run_id")?)?.clone();
    let plan_id = run
        .plan_id
        .ok_or_else(|| ApiError::bad("Field :run_id is not a test run of a test plan entry."))?;
    let plan = st.plan(plan_id)?;
    if plan.is_completed || run.is_completed {
        return Err(ApiError::forbidden(PLAN_COMPLETED));
    }
    let b = &call.body;
    let include_all = b.bool("include_all")?;
    let case_ids = b.ids("case_ids")?;
    let reselect = include_all.is_some() || case_ids.is_some();
    let include_all = include_all.unwrap_or(run.include_all);
    let case_ids = case_ids.unwrap_or_else(|| run.tests.keys().copied().collect());
    if reselect && !include_all {
        super::runs::check_case_ids(st, run.suite_id, &case_ids)?;
    }
    let assignedto_id = check_user(st, b.id("assignedto_id")?)?;
    let (start_on, due_on) = (b.time("start_on")?, b.time("due_on")?);
    let (description, refs) = (b.string("description")?, b.short_string("refs")?);
    let now = st.now();
    if let Some(r) = st.runs.get_mut(&run.id) {
        if b.has("description") {
            r.description = description;
        }
        if b.has("refs") {
            r.refs = refs;
        }
        if b.has("assignedto_id") {
            r.assignedto_id = assignedto_id;
        }
        if start_on.is_some() {
            r.start_on = start_on;
        }
        if due_on.is_some() {
            r.due_on = due_on;
        }
        r.updated_on = now;
    }
    if reselect {
        st.select_run_cases(run.id, include_all, &case_ids);
    }
    Ok(Reply::Json(call.render(st).run(&st.runs[&run.id])))
}

/// `get_plan/{plan_id}`: the plan with `entries[].runs[]`.
pub fn get_plan(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let plan = st.plan(call.route.id(0, "plan_id")?)?;
    Ok(Reply::Json(call.render(st).plan(plan, true)))
}

/// `get_plans/{project_id}` (paginated, key `plans`, newest first, without `entries`).
/// Filters: `created_after`, `created_before`, `created_by`, `is_completed`, `milestone_id`.
pub fn get_plans(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let q = call.route;
    let project_id = st.project(q.id(0, "project_id")?)?.id;
    let (ca, cb) = (
        q.param_time("created_after")?,
        q.param_time("created_before")?,
    );
    let created_by = q.param_ids("created_by")?;
    let done = q.param_bool("is_completed")?;
    let milestones = q.param_ids("milestone_id")?;
    let mut items: Vec<&Plan> = st
        .plans
        .values()
        .filter(|p| p.project_id == project_id)
        .filter(|p| ca.is_none_or(|t| p.created_on >= t) && cb.is_none_or(|t| p.created_on <= t))
        .filter(|p| {
            created_by
                .as_ref()
                .is_none_or(|l| l.contains(&p.created_by))
        })
        .filter(|p| done.is_none_or(|d| p.is_completed == d))
        .filter(|p| {
            milestones
                .as_ref()
                .is_none_or(|l| p.milestone_id.is_some_and(|m| l.contains(&m)))
        })
        .collect();
    newest_first(&mut items, |p| p.id);
    let r = call.render(st);
    Ok(Reply::Json(envelope(q, "plans", &items, |p| {
        r.plan(p, false)
    })?))
}

/// `close_plan/{plan_id}`: closes the plan and all its runs.
pub fn close_plan(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let plan_id = open_plan(st, call)?;
    let now = st.now();
    let run_ids: Vec<u64> = st.plans[&plan_id]
        .entries
        .iter()
        .flat_map(|e| e.run_ids.clone())
        .collect();
    for id in run_ids {
        if let Some(r) = st.runs.get_mut(&id)
            && !r.is_completed
        {
            r.is_completed = true;
            r.completed_on = Some(now);
        }
    }
    if let Some(p) = st.plans.get_mut(&plan_id) {
        p.is_completed = true;
        p.completed_on = Some(now);
    }
    Ok(Reply::Json(call.render(st).plan(&st.plans[&plan_id], true)))
}
