//! Projects, suites, milestones and configurations.

use serde_json::Value;

use super::{Call, Reply};
use crate::error::{ApiError, ApiResult};
use crate::model::Suite;
use crate::pagination::envelope;
use crate::state::{State, next_id};

/// `get_projects` (paginated, key `projects`; filter `is_completed`).
pub fn get_projects(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let done = call.route.param_bool("is_completed")?;
    let items: Vec<_> = st
        .projects
        .values()
        .filter(|p| done.is_none_or(|d| p.is_completed == d))
        .collect();
    let r = call.render(st);
    Ok(Reply::Json(envelope(
        call.route,
        "projects",
        &items,
        |p| r.project(p),
    )?))
}

/// `get_project/{project_id}`.
pub fn get_project(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let p = st.project(call.route.id(0, "project_id")?)?;
    Ok(Reply::Json(call.render(st).project(p)))
}

/// `get_suites/{project_id}` (paginated since 9.3.1, key `suites`).
pub fn get_suites(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let project_id = st.project(call.route.id(0, "project_id")?)?.id;
    let items: Vec<_> = st
        .suites
        .values()
        .filter(|s| s.project_id == project_id)
        .collect();
    let r = call.render(st);
    Ok(Reply::Json(envelope(call.route, "suites", &items, |s| {
        r.suite(s)
    })?))
}

/// `get_suite/{suite_id}`.
pub fn get_suite(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let s = st.suite(call.route.id(0, "suite_id")?)?;
    Ok(Reply::Json(call.render(st).suite(s)))
}

/// `add_suite/{project_id}`: `name` (required), `description`. Only multi-suite projects
/// take more suites; the text for the refusal is uncertain [U].
pub fn add_suite(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let project = st.project(call.route.id(0, "project_id")?)?;
    let project_id = project.id;
    let has_suite = st.suites.values().any(|s| s.project_id == project_id);
    if project.suite_mode != 3 && has_suite {
        return Err(ApiError::bad(
            "Field :project_id does not support multiple test suites.",
        ));
    }
    let name = call.body.required_string("name")?;
    let description = call.body.string("description")?;
    let id = next_id(&mut st.last_ids.suite);
    let suite = Suite {
        id,
        project_id,
        name,
        description,
        is_master: false,
        is_baseline: false,
        is_completed: false,
        completed_on: None,
    };
    st.suites.insert(id, suite);
    Ok(Reply::Json(call.render(st).suite(&st.suites[&id])))
}

/// `delete_suite/{suite_id}`: removes the suite with its sections and cases.
pub fn delete_suite(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let suite_id = st.suite(call.route.id(0, "suite_id")?)?.id;
    st.suites.remove(&suite_id);
    st.sections.retain(|_, s| s.suite_id != suite_id);
    let cases: Vec<u64> = st.suite_cases(suite_id).map(|c| c.id).collect();
    st.delete_cases(&cases, call.user.id);
    Ok(Reply::Empty)
}

/// `get_milestones/{project_id}` (paginated, key `milestones`; filters `is_completed`, `is_started`).
pub fn get_milestones(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let project_id = st.project(call.route.id(0, "project_id")?)?.id;
    let done = call.route.param_bool("is_completed")?;
    let started = call.route.param_bool("is_started")?;
    let items: Vec<_> = st
        .milestones
        .values()
        .filter(|m| m.project_id == project_id)
        .filter(|m| done.is_none_or(|d| m.is_completed == d))
        .filter(|m| started.is_none_or(|s| m.is_started == s))
        .collect();
    let r = call.render(st);
    Ok(Reply::Json(envelope(
        call.route,
        "milestones",
        &items,
        |m| r.milestone(m),
    )?))
}

/// `get_milestone/{milestone_id}`.
pub fn get_milestone(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let id = call.route.id(0, "milestone_id")?;
    let m = st
        .milestones
        .get(&id)
        .ok_or_else(|| ApiError::not_valid("milestone_id", "milestone"))?;
    Ok(Reply::Json(call.render(st).milestone(m)))
}

/// `get_configs/{project_id}`: a bare array of groups.
pub fn get_configs(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let project_id = st.project(call.route.id(0, "project_id")?)?.id;
    let r = call.render(st);
    let groups: Vec<Value> = st
        .config_groups
        .values()
        .filter(|g| g.project_id == project_id)
        .map(|g| r.config_group(g))
        .collect();
    Ok(Reply::Json(Value::Array(groups)))
}
