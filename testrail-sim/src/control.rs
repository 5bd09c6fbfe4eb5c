//! The control API under `/__sim/` (no authentication): request log, counters, full
//! state, fault rules, reset, clock. Tests, benchmarks and scripts assert against it.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::app::Shared;
use crate::faults::FaultRule;
use crate::render::Renderer;
use crate::reply;
use crate::state::State;

type App = AxState<Arc<Shared>>;

/// The control routes, to be merged into the server's router.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/__sim", get(index))
        .route("/__sim/", get(index))
        .route(
            "/__sim/health",
            get(|| async { Json(json!({ "ok": true })) }),
        )
        .route("/__sim/config", get(config))
        .route("/__sim/log", get(log).delete(clear_log))
        .route("/__sim/counters", get(counters))
        .route("/__sim/state", get(state))
        .route("/__sim/state/{collection}", get(state_collection))
        .route(
            "/__sim/faults",
            get(faults)
                .post(add_faults)
                .put(replace_faults)
                .delete(clear_faults),
        )
        .route("/__sim/faults/{id}", axum::routing::delete(remove_fault))
        .route("/__sim/reset", post(reset))
        .route("/__sim/clock", get(clock).post(set_clock))
        .route("/__sim/cases/{id}/touch", post(touch_case))
        .route("/__sim/persist", post(persist))
}

fn bad(text: impl Into<String>) -> Response {
    reply::json_error(StatusCode::BAD_REQUEST, &text.into())
}

async fn index() -> Json<Value> {
    Json(json!({
        "routes": {
            "GET /__sim/health": "liveness",
            "GET /__sim/config": "base URL, default credentials, users",
            "GET /__sim/log[?since=SEQ]": "request log (oldest first)",
            "DELETE /__sim/log": "clear log and counters",
            "GET /__sim/counters": "requests per endpoint, per status, peaks, 429s, drops",
            "GET /__sim/state[?only=runs,tests,results]": "full state in TestRail shapes",
            "GET /__sim/state/{collection}": "one collection",
            "GET /__sim/faults": "active fault rules with counters",
            "POST /__sim/faults": "add rule(s): JSON rule, array of rules, or short-form string(s)",
            "PUT /__sim/faults": "replace all rules",
            "DELETE /__sim/faults[/{id}]": "remove all rules, or one",
            "POST /__sim/reset": "back to the seed (state, faults, log)",
            "GET|POST /__sim/clock": "{now, frozen} / {set: UNIX, advance: secs, freeze: bool}",
            "POST /__sim/cases/{id}/touch": "bump updated_on ({updated_on: UNIX} optional)",
            "POST /__sim/persist": "write the persistence file now",
        }
    }))
}

async fn config(AxState(app): App) -> Json<Value> {
    let user = app.default_user();
    let st = app.state();
    let users: Vec<Value> = st
        .users
        .iter()
        .map(|u| json!({ "id": u.id, "email": u.email, "password": u.password, "api_keys": u.api_keys, "role": u.role }))
        .collect();
    Json(json!({
        "base_url": app.base_url,
        "user": user.email, "password": user.password, "api_key": user.api_key,
        "users": users,
        "persist": app.persist_path().map(|p| p.display().to_string()),
    }))
}

#[derive(Deserialize)]
struct Since {
    since: Option<u64>,
}

async fn log(AxState(app): App, Query(q): Query<Since>) -> Json<Value> {
    let entries: Vec<_> = app
        .monitor()
        .log()
        .into_iter()
        .filter(|e| q.since.is_none_or(|s| e.seq > s))
        .collect();
    Json(json!(entries))
}

async fn clear_log(AxState(app): App) -> StatusCode {
    app.monitor().clear();
    StatusCode::NO_CONTENT
}

async fn counters(AxState(app): App) -> Json<Value> {
    Json(json!(app.monitor().counters()))
}

/// The names `GET /__sim/state` knows.
pub const COLLECTIONS: &[&str] = &[
    "users",
    "statuses",
    "projects",
    "suites",
    "sections",
    "cases",
    "milestones",
    "configs",
    "runs",
    "tests",
    "results",
    "plans",
    "attachments",
];

/// One collection of the state in TestRail's shapes (cases include deleted ones;
/// results carry `case_id` and `run_id`).
pub fn collection(st: &State, base: &str, name: &str) -> Option<Value> {
    let r = Renderer::new(st, base);
    let v = match name {
        "users" => st.users.iter().map(|u| r.user(u)).collect(),
        "statuses" => st.statuses.iter().map(|s| json!(s)).collect(),
        "projects" => st.projects.values().map(|p| r.project(p)).collect(),
        "suites" => st.suites.values().map(|s| r.suite(s)).collect(),
        "sections" => st.sections.values().map(|s| r.section(s)).collect(),
        "cases" => st.cases.values().map(|c| r.case(c)).collect(),
        "milestones" => st.milestones.values().map(|m| r.milestone(m)).collect(),
        "configs" => st
            .config_groups
            .values()
            .map(|g| r.config_group(g))
            .collect(),
        "runs" => st.runs.values().map(|x| r.run(x)).collect(),
        "tests" => st.tests.values().map(|t| r.test(t)).collect(),
        "results" => st.results.values().map(|x| r.result_with_case(x)).collect(),
        "plans" => st.plans.values().map(|p| r.plan(p, true)).collect(),
        "attachments" => st.attachments.values().map(|a| json!(a)).collect(),
        _ => return None,
    };
    Some(Value::Array(v))
}

#[derive(Deserialize)]
struct Only {
    only: Option<String>,
}

async fn state(AxState(app): App, Query(q): Query<Only>) -> Response {
    let st = app.state();
    let wanted: Vec<&str> = match &q.only {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect(),
        None => COLLECTIONS.to_vec(),
    };
    let mut out = Map::new();
    out.insert("now".into(), json!(st.now()));
    for name in wanted {
        match collection(&st, &app.base_url, name) {
            Some(v) => {
                out.insert(name.to_string(), v);
            }
            None => {
                return bad(format!(
                    "unknown collection {name:?}; known: {}",
                    COLLECTIONS.join(", ")
                ));
            }
        }
    }
    Json(Value::Object(out)).into_response()
}

async fn state_collection(AxState(app): App, Path(name): Path<String>) -> Response {
    let st = app.state();
    match collection(&st, &app.base_url, &name) {
        Some(v) => Json(v).into_response(),
        None => reply::json_error(
            StatusCode::NOT_FOUND,
            &format!("unknown collection {name:?}"),
        ),
    }
}

async fn faults(AxState(app): App) -> Json<Value> {
    Json(json!(app.faults().list()))
}

/// Reads rules from a body: a JSON rule, an array of rules, a short-form string or an
/// array of those, or plain text lines in the short form.
fn parse_rules(body: &Bytes) -> Result<Vec<FaultRule>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "body is not UTF-8".to_string())?;
    let one = |v: &Value| match v {
        Value::String(s) => FaultRule::parse(s),
        other => serde_json::from_value::<FaultRule>(other.clone())
            .map_err(|e| format!("bad fault rule: {e}")),
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items.iter().map(one).collect(),
        Ok(v) => one(&v).map(|r| vec![r]),
        Err(_) => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(FaultRule::parse)
            .collect(),
    }
}

async fn add_faults(AxState(app): App, body: Bytes) -> Response {
    match parse_rules(&body) {
        Ok(rules) => {
            let mut f = app.faults();
            let ids: Vec<u64> = rules.into_iter().map(|r| f.add(r)).collect();
            let added: Vec<_> = f
                .list()
                .into_iter()
                .filter(|a| a.rule.id.is_some_and(|id| ids.contains(&id)))
                .collect();
            Json(json!(added)).into_response()
        }
        Err(e) => bad(e),
    }
}

async fn replace_faults(AxState(app): App, body: Bytes) -> Response {
    match parse_rules(&body) {
        Ok(rules) => {
            let mut f = app.faults();
            f.clear();
            for r in rules {
                f.add(r);
            }
            Json(json!(f.list())).into_response()
        }
        Err(e) => bad(e),
    }
}

async fn clear_faults(AxState(app): App) -> StatusCode {
    app.faults().clear();
    StatusCode::NO_CONTENT
}

async fn remove_fault(AxState(app): App, Path(id): Path<u64>) -> StatusCode {
    if app.faults().remove(id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn reset(AxState(app): App) -> Json<Value> {
    app.reset();
    Json(json!({ "ok": true }))
}

async fn clock(AxState(app): App) -> Json<Value> {
    let st = app.state();
    Json(json!({ "now": st.now(), "frozen": st.clock.frozen.is_some() }))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    set: Option<i64>,
    advance: Option<i64>,
    freeze: Option<bool>,
}

async fn set_clock(AxState(app): App, body: Bytes) -> Response {
    let change: ClockChange = if body.is_empty() {
        ClockChange::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(c) => c,
            Err(e) => return bad(format!("expected {{set, advance, freeze}}: {e}")),
        }
    };
    let mut st = app.state();
    if let Some(f) = change.freeze {
        st.clock.freeze(f);
    }
    if let Some(t) = change.set {
        st.clock.set(t);
    }
    if let Some(s) = change.advance {
        st.clock.advance(s);
    }
    let out = json!({ "now": st.now(), "frozen": st.clock.frozen.is_some() });
    drop(st);
    app.touch();
    Json(out).into_response()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Touch {
    updated_on: Option<i64>,
}

/// Moves a case's `updated_on` forward: to the given time, else to one second past the
/// later of now and its current value (so "changed since" checks see it at once).
pub fn touch(st: &mut State, case_id: u64, to: Option<i64>) -> Option<i64> {
    let now = st.now();
    let case = st.cases.get_mut(&case_id)?;
    case.updated_on = to.unwrap_or_else(|| now.max(case.updated_on) + 1);
    Some(case.updated_on)
}

async fn touch_case(AxState(app): App, Path(id): Path<u64>, body: Bytes) -> Response {
    let t: Touch = if body.is_empty() {
        Touch::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(t) => t,
            Err(e) => return bad(format!("expected {{updated_on}}: {e}")),
        }
    };
    let mut st = app.state();
    if touch(&mut st, id, t.updated_on).is_none() {
        return reply::json_error(StatusCode::NOT_FOUND, &format!("no case {id}"));
    }
    let v = Renderer::new(&st, &app.base_url).case(&st.cases[&id]);
    drop(st);
    app.touch();
    Json(v).into_response()
}

async fn persist(AxState(app): App) -> Response {
    match app.save(true) {
        Ok(true) => Json(json!({ "saved": app.persist_path().map(|p| p.display().to_string()) }))
            .into_response(),
        Ok(false) => bad("no --persist file configured"),
        Err(e) => reply::json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
