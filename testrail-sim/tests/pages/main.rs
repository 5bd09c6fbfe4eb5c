//! The simulator's web pages (`index.php?/runs/view/N`, ...), fetched over real HTTP and
//! looked at in headless Chromium. One test binary, one module per way of looking.

mod browser;
mod http;

use reqwest::StatusCode;
use serde_json::{Value, json};
use testrail_sim::Simulator;

/// The failed test's message, as the export would write it (user text: it must be escaped).
pub const FAILURE: &str = "assertion failed: cart.len() == 2 <script>alert(1)</script>";

/// The step of the failed test that failed, and what it saw.
pub const FAILED_STEP: &str = "add a second mug";
/// What the failed step saw.
pub const FAILED_STEP_ACTUAL: &str = "quantity stayed 1";

/// What [`seed`] created.
pub struct Seeded {
    /// The run: C1 passed, C2 failed (message and steps), C3 untested.
    pub run_id: u64,
    /// A plan with one entry of two runs (Chrome and Firefox).
    pub plan_id: u64,
}

async fn api(sim: &Simulator, http: &reqwest::Client, route: &str, body: Value) -> Value {
    let resp = http
        .post(sim.api_url(route))
        .basic_auth(sim.email(), Some(sim.api_key()))
        .json(&body)
        .send()
        .await
        .expect("the simulator answers");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert_eq!(status, StatusCode::OK, "{route}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Through the API, as a client would: a run of C1, C2 and C3 of the demo's Web Shop suite
/// where C1 passed, C2 failed with a message and step results, and C3 is untested; and a
/// plan with one entry.
pub async fn seed(sim: &Simulator) -> Seeded {
    let http = reqwest::Client::new();
    let run = api(
        sim,
        &http,
        "add_run/1",
        json!({"suite_id": 1, "name": "Nightly <b>build</b>", "include_all": false, "case_ids": [1, 2, 3]}),
    )
    .await;
    let run_id = run["id"].as_u64().expect("a run id");
    api(
        sim,
        &http,
        &format!("add_results_for_cases/{run_id}"),
        json!({"results": [
            {"case_id": 1, "status_id": 1, "elapsed": "2s", "comment": "passed on the first attempt"},
            {"case_id": 2, "status_id": 5, "elapsed": "1m 3s", "comment": FAILURE,
             "defects": "SHOP-42", "custom_environment": "headless",
             "custom_step_results": [
                {"content": "add a mug", "status_id": 1},
                {"content": FAILED_STEP, "expected": "quantity 2", "actual": FAILED_STEP_ACTUAL, "status_id": 5}
             ]}
        ]}),
    )
    .await;
    let plan = api(
        sim,
        &http,
        "add_plan/1",
        json!({"name": "Release 1.1", "entries": [
            {"suite_id": 1, "name": "Browsers", "include_all": false, "case_ids": [1, 2],
             "config_ids": [1, 2], "runs": [{"config_ids": [1]}, {"config_ids": [2]}]}
        ]}),
    )
    .await;
    Seeded {
        run_id,
        plan_id: plan["id"].as_u64().expect("a plan id"),
    }
}
