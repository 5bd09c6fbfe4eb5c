//! Test cases.

use serde_json::json;

use super::fields::Fields;
use super::runs::check_milestone;
use super::{Call, Reply};
use crate::error::{ApiError, ApiResult};
use crate::model::Case;
use crate::pagination::envelope;
use crate::state::{State, next_id};
use crate::timespan;

/// `get_cases/{project_id}` (paginated, key `cases`). Filters: `suite_id` (required in
/// multi-suite projects), `section_id` (that section only, not its sub-sections [U]),
/// `filter` (title substring, case-insensitive), `created_after/before`,
/// `updated_after/before` (UNIX seconds), and CSV lists `created_by`, `updated_by`,
/// `milestone_id`, `priority_id`, `template_id`, `type_id`; `refs` (one reference).
pub fn get_cases(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let q = call.route;
    let project_id = q.id(0, "project_id")?;
    let suite_id = st.resolve_suite(project_id, q.param_id("suite_id")?)?;
    let section_id = q.param_id("section_id")?;
    if let Some(id) = section_id {
        st.section(id)?;
    }
    let filter = q.param("filter").map(str::to_lowercase);
    let (ca, cb) = (
        q.param_time("created_after")?,
        q.param_time("created_before")?,
    );
    let (ua, ub) = (
        q.param_time("updated_after")?,
        q.param_time("updated_before")?,
    );
    let lists = [
        (q.param_ids("created_by")?, 0),
        (q.param_ids("updated_by")?, 1),
        (q.param_ids("milestone_id")?, 2),
        (q.param_ids("priority_id")?, 3),
        (q.param_ids("template_id")?, 4),
        (q.param_ids("type_id")?, 5),
    ];
    let refs = q.param("refs");
    let items: Vec<&Case> = st
        .suite_cases(suite_id)
        .filter(|c| section_id.is_none_or(|s| c.section_id == s))
        .filter(|c| {
            filter
                .as_ref()
                .is_none_or(|f| c.title.to_lowercase().contains(f.as_str()))
        })
        .filter(|c| ca.is_none_or(|t| c.created_on >= t) && cb.is_none_or(|t| c.created_on <= t))
        .filter(|c| ua.is_none_or(|t| c.updated_on >= t) && ub.is_none_or(|t| c.updated_on <= t))
        .filter(|c| {
            lists.iter().all(|(list, which)| {
                let Some(list) = list else { return true };
                let value = match which {
                    0 => Some(c.created_by),
                    1 => Some(c.updated_by),
                    2 => c.milestone_id,
                    3 => Some(c.priority_id),
                    4 => Some(c.template_id),
                    _ => Some(c.type_id),
                };
                value.is_some_and(|v| list.contains(&v))
            })
        })
        .filter(|c| {
            refs.is_none_or(|r| {
                c.refs
                    .as_deref()
                    .is_some_and(|cr| cr.split(',').any(|x| x.trim() == r))
            })
        })
        .collect();
    let r = call.render(st);
    Ok(Reply::Json(envelope(q, "cases", &items, |c| r.case(c))?))
}

/// `get_case/{case_id}`.
pub fn get_case(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let c = st.case(call.route.id(0, "case_id")?)?;
    Ok(Reply::Json(call.render(st).case(c)))
}

/// Applies the writable fields of `add_case`/`update_case` to `case`, validating each.
fn apply_fields(st: &State, case: &mut Case, body: &Fields, project_id: u64) -> ApiResult<()> {
    if body.has("title") {
        case.title = body.required_string("title")?;
    }
    if let Some(id) = body.id("template_id")? {
        st.templates
            .iter()
            .find(|t| t.id == id)
            .ok_or_else(|| ApiError::not_valid("template_id", "template"))?;
        case.template_id = id;
    }
    if let Some(id) = body.id("type_id")? {
        st.case_types
            .iter()
            .find(|t| t.id == id)
            .ok_or_else(|| ApiError::not_valid("type_id", "case type"))?;
        case.type_id = id;
    }
    if let Some(id) = body.id("priority_id")? {
        st.priorities
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| ApiError::not_valid("priority_id", "priority"))?;
        case.priority_id = id;
    }
    if body.has("milestone_id") {
        case.milestone_id = check_milestone(st, project_id, body.id("milestone_id")?)?;
    }
    if body.has("estimate") {
        case.estimate = match body.string("estimate")? {
            Some(e) if !e.trim().is_empty() => {
                if timespan::parse(&e).is_none() {
                    return Err(ApiError::timespan("estimate"));
                }
                Some(e)
            }
            _ => None,
        };
    }
    if body.has("refs") {
        let refs = body.string("refs")?;
        if refs.as_ref().is_some_and(|r| r.chars().count() > 250) {
            // [U] text from the digest (two notes of one project).
            return Err(ApiError::bad(
                "Field :refs does not match the required pattern.",
            ));
        }
        case.refs = refs.filter(|r| !r.is_empty());
    }
    if let Some(labels) = body.get("labels").and_then(|v| v.as_array()) {
        case.labels = labels.clone();
    }
    // Unknown custom fields are ignored, as TestRail does, and so are fields the case's
    // template does not have: TestRail answers 200 and keeps nothing of them (an
    // `update_case` with `custom_steps_separated` on a "Test Case (Text)" case keeps no steps;
    // sker65/testrail-mcp#5). The others are checked and stored as sent.
    for (key, value) in body.custom() {
        let Some(field) = st.case_fields.iter().find(|f| f.system_name() == key) else {
            continue;
        };
        if !field.applies_to_case(project_id, case.template_id) {
            continue;
        }
        if is_empty(&value) {
            if field.is_required_in(project_id) {
                return Err(ApiError::required(&key));
            }
            case.custom.remove(&key);
            continue;
        }
        check_custom_value(field, &key, &value)?;
        case.custom.insert(key, value);
    }
    Ok(())
}

/// Whether a custom field's value counts as none: `null`, `""` or `[]`.
fn is_empty(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Null => true,
        serde_json::Value::String(text) => text.trim().is_empty(),
        serde_json::Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// Checks a custom case field's value by its type (digest §3.5: String at most 250
/// characters; Integer a whole number; Steps a list of `{content, expected}` or
/// `{shared_step_id}`). [U] The texts for a wrong type follow TestRail's `Field :x is not
/// a valid ...` pattern.
fn check_custom_value(
    field: &crate::model::FieldDef,
    key: &str,
    value: &serde_json::Value,
) -> ApiResult<()> {
    use serde_json::Value;
    match field.type_id {
        1 if value.as_str().is_some_and(|s| s.chars().count() > 250) => {
            Err(ApiError::too_long(key))
        }
        2 if !(value.is_i64()
            || value
                .as_str()
                .is_some_and(|s| s.trim().parse::<i64>().is_ok())) =>
        {
            Err(ApiError::wrong_type(key, "integer"))
        }
        10 => {
            let step = |item: &Value| {
                item.as_object().is_some_and(|step| {
                    step.contains_key("shared_step_id")
                        || step
                            .get("content")
                            .is_some_and(|c| c.is_string() || c.is_null())
                })
            };
            match value.as_array() {
                Some(items) if items.iter().all(step) => Ok(()),
                _ => Err(ApiError::wrong_type(key, "list of steps")),
            }
        }
        _ => Ok(()),
    }
}

/// Rejects a new case that lacks a required custom field of its template:
/// `Field :custom_x is a required field.`
fn check_required(st: &State, case: &Case, project_id: u64) -> ApiResult<()> {
    for field in &st.case_fields {
        let key = field.system_name();
        if field.applies_to_case(project_id, case.template_id)
            && field.is_required_in(project_id)
            && case.custom.get(&key).is_none_or(is_empty)
        {
            return Err(ApiError::required(&key));
        }
    }
    Ok(())
}

/// `add_case/{section_id}`: `title` (required), `template_id`, `type_id`, `priority_id`,
/// `estimate`, `milestone_id`, `refs`, `labels`, `custom_*`. The case joins active runs of
/// its suite that include all cases.
pub fn add_case(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let section = st.section(call.route.id(0, "section_id")?)?.clone();
    let project_id = st.suite(section.suite_id)?.project_id;
    call.body.required_string("title")?;
    let now = st.now();
    let (template_id, type_id, priority_id) = st.case_defaults();
    let display_order = st
        .cases
        .values()
        .filter(|c| c.section_id == section.id)
        .count() as u64
        + 1;
    let mut case = Case {
        id: 0,
        suite_id: section.suite_id,
        section_id: section.id,
        title: String::new(),
        template_id,
        type_id,
        priority_id,
        milestone_id: None,
        refs: None,
        estimate: None,
        created_by: call.user.id,
        created_on: now,
        updated_by: call.user.id,
        updated_on: now,
        display_order,
        is_deleted: false,
        labels: Vec::new(),
        custom: Default::default(),
    };
    apply_fields(st, &mut case, &call.body, project_id)?;
    check_required(st, &case, project_id)?;
    let id = next_id(&mut st.last_ids.case);
    case.id = id;
    st.cases.insert(id, case);
    let runs: Vec<u64> = st
        .runs
        .values()
        .filter(|r| r.suite_id == section.suite_id && r.include_all && !r.is_completed)
        .map(|r| r.id)
        .collect();
    for run_id in runs {
        st.ensure_test(run_id, id);
    }
    Ok(Reply::Json(call.render(st).case(&st.cases[&id])))
}

/// `update_case/{case_id}`: a partial update; `section_id` moves the case inside its suite.
/// Custom fields are validated as on `add_case`: unknown ones and ones the case's template
/// lacks are ignored, a required one cannot be emptied. `updated_on` becomes the current
/// (simulated) time and `updated_by` the caller.
pub fn update_case(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let mut case = st.case(call.route.id(0, "case_id")?)?.clone();
    let project_id = st.suite(case.suite_id)?.project_id;
    apply_fields(st, &mut case, &call.body, project_id)?;
    if let Some(section_id) = call.body.id("section_id")? {
        let section = st.section(section_id)?;
        if section.suite_id != case.suite_id {
            return Err(ApiError::not_valid("section_id", "section"));
        }
        case.section_id = section_id;
    }
    case.updated_on = st.now();
    case.updated_by = call.user.id;
    let id = case.id;
    st.cases.insert(id, case);
    Ok(Reply::Json(call.render(st).case(&st.cases[&id])))
}

fn affected(st: &State, case_ids: &[u64]) -> serde_json::Value {
    let tests = st
        .tests
        .values()
        .filter(|t| case_ids.contains(&t.case_id))
        .count();
    let results = st
        .results
        .values()
        .filter(|r| case_ids.contains(&r.case_id))
        .count();
    json!({ "cases": case_ids.len(), "tests": tests, "results": results })
}

/// `delete_case/{case_id}`: a soft delete (the case disappears from the API and from
/// active runs; `sim.state()` still shows it with `is_deleted`). `&soft=1` only reports
/// what would be affected [U shape].
pub fn delete_case(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let id = st.case(call.route.id(0, "case_id")?)?.id;
    if call.route.param_bool("soft")? == Some(true) {
        return Ok(Reply::Json(affected(st, &[id])));
    }
    st.delete_cases(&[id], call.user.id);
    Ok(Reply::Empty)
}

/// `delete_cases/{suite_id}` with `{"case_ids": [...]}` (what trcli uses to roll back).
pub fn delete_cases(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let suite_id = st.suite(call.route.id(0, "suite_id")?)?.id;
    let ids = call
        .body
        .ids("case_ids")?
        .ok_or_else(|| ApiError::required("case_ids"))?;
    for id in &ids {
        if st.case(*id)?.suite_id != suite_id {
            return Err(ApiError::not_valid("case_ids", "test case"));
        }
    }
    if call.route.param_bool("soft")? == Some(true) {
        return Ok(Reply::Json(affected(st, &ids)));
    }
    st.delete_cases(&ids, call.user.id);
    Ok(Reply::Empty)
}
