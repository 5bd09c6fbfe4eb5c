//! Runs and tests: include_all, case selection, suite rules, closing, deleting.

use serde_json::json;

use crate::common::Tr;

#[tokio::test]
async fn include_all_defaults_to_true() {
    let tr = Tr::demo().await;
    let r = tr
        .post("add_run/1", json!({"suite_id": 2, "name": "payments"}))
        .await
        .ok()
        .clone();
    assert_eq!(r["include_all"], true);
    assert_eq!(r["untested_count"], 60);
    assert_eq!(r["passed_count"], 0);
    assert_eq!(r["is_completed"], false);
    assert!(
        r["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("index.php?/runs/view/{}", r["id"]))
    );
    for n in 1..=7 {
        assert_eq!(r[format!("custom_status{n}_count")], 0);
    }
    // A case added later to the suite joins the include_all run.
    let section = tr.get("get_case/111").await.ok()["section_id"]
        .as_u64()
        .unwrap();
    tr.post(&format!("add_case/{section}"), json!({"title": "new"}))
        .await
        .ok();
    assert_eq!(
        tr.get(&format!("get_run/{}", r["id"])).await.ok()["untested_count"],
        61
    );
}

#[tokio::test]
async fn suite_and_case_id_rules() {
    let tr = Tr::demo().await;
    tr.post("add_run/1", json!({"name": "x"}))
        .await
        .assert_error(400, "Field :suite_id is a required field.");
    tr.post("add_run/1", json!({"suite_id": 4}))
        .await
        .assert_error(400, "Field :suite_id is not a valid test suite.");
    tr.post("add_run/9", json!({"suite_id": 1}))
        .await
        .assert_error(
            400,
            "Field :project_id is not a valid or accessible project.",
        );
    // Single-suite project: suite_id optional.
    let r = tr
        .post("add_run/2", json!({"name": "bo"}))
        .await
        .ok()
        .clone();
    assert_eq!(r["suite_id"], 4);
    // case_ids must be cases of the run's suite (C111 is in Payments).
    tr.post(
        "add_run/1",
        json!({"suite_id": 1, "include_all": false, "case_ids": [1, 111]}),
    )
    .await
    .assert_error(400, "Field :case_ids contains unrecognized case IDs.");
    tr.post(
        "add_run/1",
        json!({"suite_id": 1, "include_all": false, "case_ids": [1, 99999]}),
    )
    .await
    .assert_error(400, "Field :case_ids contains unrecognized case IDs.");
    tr.post(
        "add_run/1",
        json!({"suite_id": 1, "include_all": false, "case_ids": ["x"]}),
    )
    .await
    .assert_error(400, "Field :case_ids is not a valid ID.");
    // include_all:false without case_ids is an empty run; with include_all:true case_ids are ignored.
    let empty = tr
        .post("add_run/1", json!({"suite_id": 1, "include_all": false}))
        .await
        .ok()
        .clone();
    assert_eq!(empty["untested_count"], 0);
    let all = tr
        .post("add_run/1", json!({"suite_id": 1, "case_ids": [1]}))
        .await
        .ok()
        .clone();
    assert_eq!(all["untested_count"], 110);
    // No name: TestRail's default.
    assert!(empty["name"].as_str().unwrap().starts_with("Test Run "));
}

#[tokio::test]
async fn tests_of_a_run() {
    let tr = Tr::demo().await;
    let run = tr.run_with(&[1, 2, 3]).await;
    let b = tr.get(&format!("get_tests/{run}")).await.ok().clone();
    let tests = b["tests"].as_array().unwrap();
    assert_eq!(
        tests
            .iter()
            .map(|t| t["case_id"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(
        tests
            .iter()
            .all(|t| t["status_id"] == 3 && t["run_id"] == run)
    );
    assert_eq!(tests[0]["title"], "Adding an item grows the cart");
    assert_eq!(
        tests[0]["custom_automation_id"],
        "shop.cart.add_one_item_to_an_empty_cart"
    );
    let t = tests[1]["id"].as_u64().unwrap();
    tr.post(&format!("add_result/{t}"), json!({"status_id": 5}))
        .await
        .ok();
    assert_eq!(tr.get(&format!("get_test/{t}")).await.ok()["status_id"], 5);
    assert_eq!(
        tr.get(&format!("get_tests/{run}&status_id=5")).await.ok()["size"],
        1
    );
    tr.get("get_test/99999")
        .await
        .assert_error(400, "Field :test_id is not a valid test.");
    tr.get("get_tests/99999")
        .await
        .assert_error(400, "Field :run_id is not a valid test run.");
}

#[tokio::test]
async fn update_run_replaces_the_selection_and_keeps_results() {
    let tr = Tr::demo().await;
    let run = tr.run_with(&[1, 2]).await;
    tr.post(
        &format!("add_result_for_case/{run}/1"),
        json!({"status_id": 1}),
    )
    .await
    .ok();
    let r = tr
        .post(
            &format!("update_run/{run}"),
            json!({"name": "renamed", "description": "d", "case_ids": [1, 3, 4]}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(
        (
            r["name"].as_str(),
            r["passed_count"].as_u64(),
            r["untested_count"].as_u64()
        ),
        (Some("renamed"), Some(1), Some(2))
    );
    let r = tr
        .post(&format!("update_run/{run}"), json!({"include_all": true}))
        .await
        .ok()
        .clone();
    assert_eq!(r["untested_count"], 109);
    tr.post(
        &format!("update_run/{run}"),
        json!({"include_all": false, "case_ids": [200]}),
    )
    .await
    .assert_error(400, "Field :case_ids contains unrecognized case IDs.");
    tr.post("update_run/999", json!({}))
        .await
        .assert_error(400, "Field :run_id is not a valid test run.");
}

#[tokio::test]
async fn get_runs_newest_first_with_filters() {
    let tr = Tr::demo().await;
    for i in 0..5 {
        tr.post(
            "add_run/1",
            json!({"suite_id": 1 + i % 2, "name": format!("Run {i}")}),
        )
        .await
        .ok();
    }
    let b = tr.get("get_runs/1&offset=2").await.ok().clone();
    assert_eq!(b["runs"][0]["name"], "Run 2");
    assert_eq!(tr.get("get_runs/1&suite_id=2").await.ok()["size"], 2);
    tr.post_empty("close_run/1").await.ok();
    assert_eq!(tr.get("get_runs/1&is_completed=1").await.ok()["size"], 1);
    // Runs of plans are not listed.
    tr.post(
        "add_plan/1",
        json!({"name": "p", "entries": [{"suite_id": 1}]}),
    )
    .await
    .ok();
    assert_eq!(tr.get("get_runs/1").await.ok()["size"], 5);
}

#[tokio::test]
async fn closed_runs_refuse_changes_and_deletion() {
    let tr = Tr::demo().await;
    let run = tr.run_with(&[1]).await;
    let closed = tr
        .post_empty(&format!("close_run/{run}"))
        .await
        .ok()
        .clone();
    assert_eq!(closed["is_completed"], true);
    assert!(closed["completed_on"].as_i64().unwrap() > 0);
    let done = "This operation is not allowed. The test run is already completed.";
    tr.post_empty(&format!("close_run/{run}"))
        .await
        .assert_error(403, done);
    tr.post(&format!("update_run/{run}"), json!({"name": "x"}))
        .await
        .assert_error(403, done);
    tr.post(
        &format!("add_result_for_case/{run}/1"),
        json!({"status_id": 1}),
    )
    .await
    .assert_error(403, done);
    tr.post(
        &format!("add_results_for_cases/{run}"),
        json!({"results": [{"case_id": 1, "status_id": 1}]}),
    )
    .await
    .assert_error(403, done);
    tr.post_empty(&format!("delete_run/{run}"))
        .await
        .assert_error(
            403,
            "You are not allowed to delete completed test runs (insufficient permissions).",
        );
}

#[tokio::test]
async fn delete_run_takes_tests_and_results() {
    let tr = Tr::demo().await;
    let run = tr.run_with(&[1, 2]).await;
    tr.post(
        &format!("add_result_for_case/{run}/1"),
        json!({"status_id": 1}),
    )
    .await
    .ok();
    let dry = tr.post_empty(&format!("delete_run/{run}&soft=1")).await;
    assert_eq!(
        (dry.ok()["tests"].as_u64(), dry.body["results"].as_u64()),
        (Some(2), Some(1))
    );
    let gone = tr.post_empty(&format!("delete_run/{run}")).await;
    assert_eq!((gone.status.as_u16(), gone.text.as_str()), (200, ""));
    tr.get(&format!("get_run/{run}"))
        .await
        .assert_error(400, "Field :run_id is not a valid test run.");
    tr.sim
        .with_state(|s| assert!(s.tests.is_empty() && s.results.is_empty()));
}
