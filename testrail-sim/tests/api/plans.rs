//! Plans and plan entries: one run per configuration.

use serde_json::json;

use crate::common::Tr;

#[tokio::test]
async fn add_plan_with_entries_and_configurations() {
    let tr = Tr::demo().await;
    tr.post("add_plan/1", json!({}))
        .await
        .assert_error(400, "Field :name is a required field.");
    let p = tr
        .post(
            "add_plan/1",
            json!({"name": "Release 1.1", "milestone_id": 2, "entries": [
                {"suite_id": 1, "name": "Web", "include_all": false, "case_ids": [1, 2, 3],
                 "config_ids": [1, 2, 4],
                 "runs": [{"config_ids": [1, 4]}, {"config_ids": [2, 4], "case_ids": [1]}]},
                {"suite_id": 2}
            ]}),
        )
        .await
        .ok()
        .clone();
    let entries = p["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let web = &entries[0];
    assert!(
        web["id"].as_str().unwrap().len() == 36,
        "entry ids are GUID strings"
    );
    let runs = web["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["config"], "Chrome, Linux");
    assert_eq!(runs[0]["config_ids"], json!([1, 4]));
    assert_eq!(runs[0]["untested_count"], 3);
    assert_eq!(
        runs[1]["untested_count"], 1,
        "a run overrides the entry's case_ids"
    );
    assert_eq!(runs[0]["plan_id"], p["id"]);
    assert_eq!(runs[0]["entry_id"], web["id"]);
    assert_eq!(runs[0]["entry_index"], 1);
    assert_eq!(entries[1]["name"], "Payments");
    assert_eq!(entries[1]["runs"][0]["untested_count"], 60);
    assert_eq!(p["untested_count"], 64);
    assert_eq!(p["milestone_id"], 2);
}

#[tokio::test]
async fn entry_rules() {
    let tr = Tr::demo().await;
    let plan = tr.post("add_plan/1", json!({"name": "p"})).await.ok()["id"]
        .as_u64()
        .unwrap();
    let route = format!("add_plan_entry/{plan}");
    let add = |body| tr.post(&route, body);
    add(json!({"name": "x"}))
        .await
        .assert_error(400, "Field :suite_id is a required field.");
    add(json!({"suite_id": 1, "runs": [{"config_ids": [1, 2]}]}))
        .await
        .assert_error(
            400,
            "Field :runs.config_ids contains more than one configuration of the same group.",
        );
    add(json!({"suite_id": 1, "runs": [{"config_ids": [1]}, {"config_ids": [1]}]}))
        .await
        .assert_error(
            400,
            "Field :runs contains more than one run with the same configurations.",
        );
    add(json!({"suite_id": 1, "config_ids": [7]}))
        .await
        .assert_error(400, "Field :config_ids contains an invalid configuration.");
    add(json!({"suite_id": 1, "include_all": false, "case_ids": [111]}))
        .await
        .assert_error(400, "Field :case_ids contains unrecognized case IDs.");
    // config_ids alone: one run per combination (3 browsers x 1 OS).
    let e = add(
        json!({"suite_id": 1, "config_ids": [1, 2, 3, 5], "include_all": false, "case_ids": [1]}),
    )
    .await
    .ok()
    .clone();
    let configs: Vec<_> = e["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["config"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        configs,
        ["Chrome, Windows", "Firefox, Windows", "Safari, Windows"]
    );
    // No configs: one run; trcli reads runs[0].id.
    let e = add(json!({"suite_id": 2, "name": "pay", "include_all": false, "case_ids": [111]}))
        .await
        .ok()
        .clone();
    assert_eq!(e["runs"].as_array().unwrap().len(), 1);
    let run = e["runs"][0]["id"].as_u64().unwrap();
    // Plan runs are edited through the plan, not the run endpoints.
    let plan_run =
        "Field :run_id is part of a test run. Please use API endpoints for test plan entries.";
    tr.post(&format!("update_run/{run}"), json!({"name": "x"}))
        .await
        .assert_error(400, plan_run);
    tr.post_empty(&format!("delete_run/{run}"))
        .await
        .assert_error(400, plan_run);
    tr.post_empty(&format!("close_run/{run}")).await.assert_error(
        403,
        "This operation is not allowed. The test run belongs to a test plan and cannot be closed independently.",
    );
    tr.post("add_plan_entry/999", json!({"suite_id": 1}))
        .await
        .assert_error(400, "Field :plan_id is not a valid test plan.");
}

#[tokio::test]
async fn update_plan_entry_applies_to_its_runs() {
    let tr = Tr::demo().await;
    let p = tr
        .post("add_plan/1", json!({"name": "p", "entries": [{"suite_id": 1, "config_ids": [1, 2], "include_all": false, "case_ids": [1]}]}))
        .await
        .ok()
        .clone();
    let plan = p["id"].as_u64().unwrap();
    let entry = p["entries"][0]["id"].as_str().unwrap().to_string();
    let e = tr
        .post(
            &format!("update_plan_entry/{plan}/{entry}"),
            json!({"name": "renamed", "case_ids": [1, 2, 3]}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(e["name"], "renamed");
    for run in e["runs"].as_array().unwrap() {
        assert_eq!(
            (run["name"].as_str(), run["untested_count"].as_u64()),
            (Some("renamed"), Some(3))
        );
    }
    tr.post(&format!("update_plan_entry/{plan}/nope"), json!({}))
        .await
        .assert_error(400, "Field :entry_id is not a valid test plan entry.");
}

#[tokio::test]
async fn get_plan_get_plans_close_plan() {
    let tr = Tr::demo().await;
    for name in ["first", "second"] {
        tr.post("add_plan/1", json!({"name": name, "entries": [{"suite_id": 1, "include_all": false, "case_ids": [1, 2]}]})).await.ok();
    }
    let list = tr.get("get_plans/1").await.ok().clone();
    assert_eq!(list["plans"][0]["name"], "second", "newest first");
    assert!(list["plans"][0].get("entries").is_none());
    let plan = tr.get("get_plan/1").await.ok().clone();
    let run = plan["entries"][0]["runs"][0]["id"].as_u64().unwrap();
    tr.post(
        &format!("add_result_for_case/{run}/1"),
        json!({"status_id": 1}),
    )
    .await
    .ok();
    assert_eq!(tr.get("get_plan/1").await.ok()["passed_count"], 1);
    let closed = tr.post_empty("close_plan/1").await.ok().clone();
    assert_eq!(closed["is_completed"], true);
    assert_eq!(closed["entries"][0]["runs"][0]["is_completed"], true);
    tr.post_empty("close_plan/1").await.assert_error(
        403,
        "This operation is not allowed. The test plan is already completed.",
    );
    tr.post(
        &format!("add_result_for_case/{run}/2"),
        json!({"status_id": 1}),
    )
    .await
    .assert_error(
        403,
        "This operation is not allowed. The test run is already completed.",
    );
    tr.get("get_plan/99")
        .await
        .assert_error(400, "Field :plan_id is not a valid test plan.");
    assert_eq!(tr.get("get_plans/1&is_completed=0").await.ok()["size"], 1);
}

#[tokio::test]
async fn update_run_in_plan_entry_changes_one_run_of_the_entry() {
    let tr = Tr::demo().await;
    let p = tr
        .post(
            "add_plan/1",
            json!({"name": "Browsers", "entries": [
                {"suite_id": 1, "include_all": false, "case_ids": [1, 2], "config_ids": [1, 2]}
            ]}),
        )
        .await
        .ok()
        .clone();
    let runs = p["entries"][0]["runs"].as_array().unwrap().clone();
    let (chrome, firefox) = (
        runs[0]["id"].as_u64().unwrap(),
        runs[1]["id"].as_u64().unwrap(),
    );
    let run = tr
        .post(
            &format!("update_run_in_plan_entry/{chrome}"),
            json!({"include_all": false, "case_ids": [1, 2, 3]}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(run["untested_count"], 3, "C3 joins the Chrome run");
    let other = tr.get(&format!("get_run/{firefox}")).await.ok().clone();
    assert_eq!(
        other["untested_count"], 2,
        "the Firefox run keeps its cases"
    );
    tr.post(
        &format!("update_run_in_plan_entry/{chrome}"),
        json!({"include_all": false, "case_ids": [111]}),
    )
    .await
    .assert_error(400, "Field :case_ids contains unrecognized case IDs.");
    let standalone = tr.post("add_run/1", json!({"suite_id": 1})).await.ok()["id"]
        .as_u64()
        .unwrap();
    tr.post(&format!("update_run_in_plan_entry/{standalone}"), json!({}))
        .await
        .assert_error(400, "Field :run_id is not a test run of a test plan entry.");
    let plan = p["id"].as_u64().unwrap();
    tr.post(&format!("close_plan/{plan}"), json!({})).await.ok();
    tr.post(
        &format!("update_run_in_plan_entry/{chrome}"),
        json!({"case_ids": [1]}),
    )
    .await
    .assert_error(403, testrail_sim::error::PLAN_COMPLETED);
}
