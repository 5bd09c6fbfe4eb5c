//! Attachments (multipart uploads, field `attachment`).

use serde_json::json;

use super::{Call, Reply};
use crate::error::{ApiError, ApiResult, RUN_COMPLETED};
use crate::model::Attachment;
use crate::state::{State, next_id};

fn store(
    st: &mut State,
    call: &Call,
    result_id: Option<u64>,
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
    let result_id = st.result(call.route.id(0, "result_id")?)?.id;
    let id = store(st, call, Some(result_id), None)?;
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
    let id = store(st, call, None, Some(run_id))?;
    Ok(Reply::Json(json!({ "attachment_id": id })))
}
