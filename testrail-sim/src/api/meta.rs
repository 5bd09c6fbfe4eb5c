//! Instance-wide lists: statuses, priorities, case types, templates, field definitions.
//! All are bare arrays (not paginated).

use serde_json::{Value, json};

use super::{Call, Reply};
use crate::error::ApiResult;
use crate::state::State;

/// `get_statuses`: built-in 1..5 and the custom statuses.
pub fn get_statuses(st: &mut State, _call: &Call) -> ApiResult<Reply> {
    Ok(Reply::Json(json!(st.statuses)))
}

/// `get_priorities`.
pub fn get_priorities(st: &mut State, _call: &Call) -> ApiResult<Reply> {
    Ok(Reply::Json(json!(st.priorities)))
}

/// `get_case_types`.
pub fn get_case_types(st: &mut State, _call: &Call) -> ApiResult<Reply> {
    Ok(Reply::Json(json!(st.case_types)))
}

/// `get_templates/{project_id}`.
pub fn get_templates(st: &mut State, call: &Call) -> ApiResult<Reply> {
    if !call.route.ids.is_empty() {
        st.project(call.route.id(0, "project_id")?)?;
    }
    Ok(Reply::Json(json!(st.templates)))
}

/// `get_case_fields`.
pub fn get_case_fields(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let r = call.render(st);
    Ok(Reply::Json(Value::Array(
        st.case_fields.iter().map(|f| r.field(f)).collect(),
    )))
}

/// `get_result_fields`.
pub fn get_result_fields(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let r = call.render(st);
    Ok(Reply::Json(Value::Array(
        st.result_fields.iter().map(|f| r.field(f)).collect(),
    )))
}
