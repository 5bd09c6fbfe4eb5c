//! Results: adding them (one, or in bulk by test or by case) and reading them back.

use std::collections::BTreeMap;

use serde_json::Value;

use super::fields::Fields;
use super::{Call, Reply};
use crate::error::{ApiError, ApiResult, RUN_COMPLETED};
use crate::model::{Run, TestResult};
use crate::pagination::envelope;
use crate::state::State;
use crate::timespan;

/// The validated writable fields of one result.
struct ResultSpec {
    status_id: Option<u64>,
    comment: Option<String>,
    version: Option<String>,
    elapsed: Option<String>,
    defects: Option<String>,
    assignedto_id: Option<u64>,
    custom: BTreeMap<String, Value>,
}

/// Reads one result body. `bulk` selects the `:results.` texts of bulk requests.
fn read_result(st: &State, f: &Fields, bulk: bool) -> ApiResult<ResultSpec> {
    let label = |k: &str| {
        if bulk {
            format!("results.{k}")
        } else {
            k.to_string()
        }
    };
    let status_id = f.id("status_id")?;
    if let Some(id) = status_id {
        match st.status(id) {
            Some(s) if s.is_untested => {
                return Err(ApiError::bad(format!(
                    "Field :{} uses an invalid status (Untested).",
                    label("status_id")
                )));
            }
            Some(_) => {}
            None => return Err(ApiError::not_valid(&label("status_id"), "status")),
        }
    }
    let comment = f.string("comment")?.filter(|c| !c.is_empty());
    let assignedto_id = f.id("assignedto_id")?;
    if let Some(id) = assignedto_id {
        st.user(id)
            .ok_or_else(|| ApiError::not_valid(&label("assignedto_id"), "user"))?;
    }
    if status_id.is_none() && comment.is_none() && assignedto_id.is_none() {
        return Err(ApiError::bad(if bulk {
            "Field :results contains one or more invalid results (one of Status ID, Assigned To or Comment is required)"
        } else {
            // [U] the single-result wording is not known; this mirrors the bulk text.
            "One of Status ID, Assigned To or Comment is required."
        }));
    }
    let elapsed = f.string("elapsed")?.filter(|e| !e.trim().is_empty());
    if let Some(e) = &elapsed
        && !timespan::is_valid_elapsed(e)
    {
        return Err(ApiError::timespan(&label("elapsed")));
    }
    // Known result fields and step results are kept; other custom keys are ignored.
    let custom = f
        .custom()
        .into_iter()
        .filter(|(k, v)| {
            !v.is_null()
                && (k == "custom_step_results"
                    || st.result_fields.iter().any(|r| r.system_name() == *k))
        })
        .collect();
    Ok(ResultSpec {
        status_id,
        comment,
        version: f.string("version")?,
        elapsed,
        defects: f.string("defects")?,
        assignedto_id,
        custom,
    })
}

/// The test of a case in a run, or `No (active) test found for the run/case combination.`
fn test_of_case(run: &Run, case_id: u64) -> ApiResult<u64> {
    run.tests
        .get(&case_id)
        .copied()
        .ok_or_else(|| ApiError::bad("No (active) test found for the run/case combination."))
}

fn open_run(st: &State, run_id: u64) -> ApiResult<&Run> {
    let run = st.run(run_id)?;
    if run.is_completed {
        return Err(ApiError::forbidden(RUN_COMPLETED));
    }
    Ok(run)
}

fn store(st: &mut State, spec: ResultSpec, test_id: u64, user: u64) -> u64 {
    let (run_id, case_id) = st
        .tests
        .get(&test_id)
        .map(|t| (t.run_id, t.case_id))
        .unwrap_or((0, 0));
    let now = st.now();
    st.insert_result(TestResult {
        id: 0,
        test_id,
        run_id,
        case_id,
        status_id: spec.status_id,
        created_by: user,
        created_on: now,
        assignedto_id: spec.assignedto_id,
        comment: spec.comment,
        version: spec.version,
        elapsed: spec.elapsed,
        defects: spec.defects,
        custom: spec.custom,
        attachment_ids: Vec::new(),
    })
}

/// `add_result/{test_id}`.
pub fn add_result(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let test = st.test(call.route.id(0, "test_id")?)?;
    let test_id = test.id;
    open_run(st, test.run_id)?;
    let spec = read_result(st, &call.body, false)?;
    let id = store(st, spec, test_id, call.user.id);
    Ok(Reply::Json(call.render(st).result(&st.results[&id])))
}

/// `add_result_for_case/{run_id}/{case_id}`: the case must be in the run
/// (`No (active) test found for the run/case combination.`).
pub fn add_result_for_case(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let run = open_run(st, call.route.id(0, "run_id")?)?;
    let case_id = call.route.id(1, "case_id")?;
    let test_id = test_of_case(run, case_id)?;
    let spec = read_result(st, &call.body, false)?;
    let id = store(st, spec, test_id, call.user.id);
    Ok(Reply::Json(call.render(st).result(&st.results[&id])))
}

/// The `results` array of a bulk body, each item an object.
fn bulk_items<'a>(call: &'a Call) -> ApiResult<Vec<Fields<'a>>> {
    let items = match call.body.get("results") {
        None => return Err(ApiError::required("results")),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(ApiError::bad("Field :results is not a valid array.")),
    };
    if items.is_empty() {
        return Err(ApiError::bad(
            "Field :results cannot be empty (one result is required)",
        ));
    }
    items
        .iter()
        .map(|v| {
            v.as_object()
                .map(|m| Fields::new(m, "results."))
                .ok_or_else(|| ApiError::bad("Field :results contains one or more invalid results"))
        })
        .collect()
}

/// Validates every item (test lookup and fields) before storing any: a bulk request is
/// all-or-nothing [U], and answers the results in request order.
fn add_bulk(
    st: &mut State,
    call: &Call,
    find_test: impl Fn(&Run, &Fields) -> ApiResult<u64>,
) -> ApiResult<Reply> {
    let run = open_run(st, call.route.id(0, "run_id")?)?;
    let mut specs = Vec::new();
    for item in bulk_items(call)? {
        let test_id = find_test(run, &item)?;
        specs.push((test_id, read_result(st, &item, true)?));
    }
    let ids: Vec<u64> = specs
        .into_iter()
        .map(|(test_id, spec)| store(st, spec, test_id, call.user.id))
        .collect();
    let r = call.render(st);
    Ok(Reply::Json(Value::Array(
        ids.iter().map(|id| r.result(&st.results[id])).collect(),
    )))
}

/// `add_results/{run_id}` with `{"results": [{"test_id": ..}, ..]}`.
pub fn add_results(st: &mut State, call: &Call) -> ApiResult<Reply> {
    add_bulk(st, call, |run, item| {
        let test_id = item
            .id("test_id")?
            .ok_or_else(|| ApiError::required("results.test_id"))?;
        if run.tests.values().any(|t| *t == test_id) {
            Ok(test_id)
        } else {
            // [U] the `T` prefix mirrors the `C` prefix of the case variant.
            Err(ApiError::bad(format!(
                "Field :results contains one or more invalid results (test T{test_id} unknown or not part of the test run)"
            )))
        }
    })
}

/// `add_results_for_cases/{run_id}` with `{"results": [{"case_id": ..}, ..]}`. Any case
/// not in the run fails the whole request.
pub fn add_results_for_cases(st: &mut State, call: &Call) -> ApiResult<Reply> {
    add_bulk(st, call, |run, item| {
        let case_id = item
            .id("case_id")?
            .ok_or_else(|| ApiError::required("results.case_id"))?;
        run.tests.get(&case_id).copied().ok_or_else(|| {
            ApiError::bad(format!(
                "Field :results contains one or more invalid results (case C{case_id} unknown or not part of the test run)"
            ))
        })
    })
}

/// Lists results matching `keep` and the request's filters (`status_id`, `created_by`,
/// `created_after`, `created_before`, `defects_filter`), newest first, paginated.
fn list(st: &State, call: &Call, keep: impl Fn(&TestResult) -> bool) -> ApiResult<Reply> {
    let q = call.route;
    let statuses = q.param_ids("status_id")?;
    let created_by = q.param_ids("created_by")?;
    let (ca, cb) = (
        q.param_time("created_after")?,
        q.param_time("created_before")?,
    );
    let defects = q.param("defects_filter");
    let items = st.results_where(|r| {
        keep(r)
            && statuses
                .as_ref()
                .is_none_or(|s| r.status_id.is_some_and(|id| s.contains(&id)))
            && created_by
                .as_ref()
                .is_none_or(|l| l.contains(&r.created_by))
            && ca.is_none_or(|t| r.created_on >= t)
            && cb.is_none_or(|t| r.created_on <= t)
            && defects.is_none_or(|d| r.defects.as_deref().is_some_and(|x| x.contains(d)))
    });
    let r = call.render(st);
    Ok(Reply::Json(envelope(q, "results", &items, |x| {
        r.result(x)
    })?))
}

/// `get_results/{test_id}`.
pub fn get_results(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let test_id = st.test(call.route.id(0, "test_id")?)?.id;
    list(st, call, |r| r.test_id == test_id)
}

/// `get_results_for_case/{run_id}/{case_id}`.
pub fn get_results_for_case(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let run = st.run(call.route.id(0, "run_id")?)?;
    let case_id = call.route.id(1, "case_id")?;
    let test_id = test_of_case(run, case_id)?;
    list(st, call, |r| r.test_id == test_id)
}

/// `get_results_for_run/{run_id}`.
pub fn get_results_for_run(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let run_id = st.run(call.route.id(0, "run_id")?)?.id;
    list(st, call, |r| r.run_id == run_id)
}
