//! Attachments (multipart uploads, field `attachment`).

use serde_json::json;

use super::{Call, Reply};
use crate::error::{ApiError, ApiResult, RUN_COMPLETED};
use crate::model::Attachment;
use crate::state::{State, next_id};

fn store(
    st: &mut State,
    call: &Call,
    (result_id, test_id, case_id): (Option<u64>, Option<u64>, Option<u64>),
    run_id: Option<u64>,
) -> ApiResult<u64> {
    let upload = call
        .upload
        .ok_or_else(|| ApiError::required("attachment"))?;
    let id = next_id(&mut st.last_ids.attachment);
    let now = st.now();
    st.attachments.insert(
        id,
        Attachment {
            id,
            result_id,
            test_id,
            case_id,
            bytes: upload.bytes.clone(),
            run_id,
            name: upload.name.clone(),
            size: upload.size,
            content_type: upload.content_type.clone(),
            created_by: call.user.id,
            created_on: now,
        },
    );
    Ok(id)
}

/// `add_attachment_to_result/{result_id}`: answers `{"attachment_id": N}` and lists the
/// id in the result's `attachment_ids`.
pub fn add_attachment_to_result(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let result = st.result(call.route.id(0, "result_id")?)?;
    let ids = (Some(result.id), Some(result.test_id), Some(result.case_id));
    let result_id = result.id;
    let id = store(st, call, ids, None)?;
    if let Some(r) = st.results.get_mut(&result_id) {
        r.attachment_ids.push(id);
    }
    Ok(Reply::Json(json!({ "attachment_id": id })))
}

/// `add_attachment_to_run/{run_id}`.
pub fn add_attachment_to_run(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let run = st.run(call.route.id(0, "run_id")?)?;
    if run.is_completed {
        return Err(ApiError::forbidden(RUN_COMPLETED));
    }
    let run_id = run.id;
    let id = store(st, call, (None, None, None), Some(run_id))?;
    Ok(Reply::Json(json!({ "attachment_id": id })))
}

/// An attachment as TestRail lists it (the documented pre-7.1 shape: `test_change_id` is
/// the result's id).
fn listed(st: &State, a: &Attachment) -> serde_json::Value {
    let project_id = a
        .run_id
        .or_else(|| a.test_id.and_then(|t| st.tests.get(&t)).map(|t| t.run_id))
        .and_then(|run| st.runs.get(&run))
        .map(|run| run.project_id);
    json!({
        "id": a.id,
        "name": a.name,
        "filename": format!("{}.{}", a.id, a.name),
        "size": a.size,
        "created_on": a.created_on,
        "project_id": project_id,
        "case_id": a.case_id,
        "test_change_id": a.result_id,
        "user_id": a.created_by,
    })
}

/// `get_attachments_for_test/{test_id}`: the files on the test's results, oldest first,
/// as a bare array (TestRail lists this method without `limit`/`offset`).
pub fn get_attachments_for_test(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let test_id = st.test(call.route.id(0, "test_id")?)?.id;
    let listed: Vec<_> = st
        .attachments
        .values()
        .filter(|a| a.test_id == Some(test_id))
        .map(|a| listed(st, a))
        .collect();
    Ok(Reply::Json(json!(listed)))
}

/// `get_attachment/{attachment_id}`: the file's bytes.
pub fn get_attachment(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let id = call.route.id(0, "attachment_id")?;
    let a = st
        .attachments
        .get(&id)
        .ok_or_else(|| ApiError::not_valid("attachment_id", "attachment"))?;
    Ok(Reply::File {
        content_type: a
            .content_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".to_owned()),
        bytes: a.bytes.clone(),
    })
}
