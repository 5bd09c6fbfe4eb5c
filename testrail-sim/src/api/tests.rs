//! Tests (cases inside runs).

use super::{Call, Reply};
use crate::error::ApiResult;
use crate::model::Test;
use crate::pagination::envelope;
use crate::state::State;

/// `get_tests/{run_id}` (paginated, key `tests`; filter `status_id` CSV).
pub fn get_tests(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let run = st.run(call.route.id(0, "run_id")?)?;
    let statuses = call.route.param_ids("status_id")?;
    let mut items: Vec<&Test> = run
        .tests
        .values()
        .filter_map(|id| st.tests.get(id))
        .filter(|t| statuses.as_ref().is_none_or(|s| s.contains(&t.status_id)))
        .collect();
    items.sort_by_key(|t| t.id);
    let r = call.render(st);
    Ok(Reply::Json(envelope(call.route, "tests", &items, |t| {
        r.test(t)
    })?))
}

/// `get_test/{test_id}`.
pub fn get_test(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let t = st.test(call.route.id(0, "test_id")?)?;
    Ok(Reply::Json(call.render(st).test(t)))
}
