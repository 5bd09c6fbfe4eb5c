//! Results: the rules of adding them, reading them back, and attachments.

use serde_json::{Value, json};

use crate::common::{Tr, read};

#[tokio::test]
async fn add_results_for_cases_in_request_order() {
    let tr = Tr::demo().await;
    let run = tr.run_with(&[1, 2, 3]).await;
    let r = tr
        .post(
            &format!("add_results_for_cases/{run}"),
            json!({"results": [
                {"case_id": 3, "status_id": 5, "comment": "boom", "elapsed": "1m 5s", "defects": "SHOP-9",
                 "version": "1.2.3", "custom_environment": "ci",
                 "custom_step_results": [{"content": "a", "expected": "b", "actual": "c", "status_id": 5}]},
                {"case_id": 1, "status_id": 1, "elapsed": "0.005s"},
                {"case_id": 1, "status_id": 6},
            ]}),
        )
        .await
        .ok()
        .clone();
    let results = r.as_array().unwrap();
    assert_eq!(results.len(), 3);
    let tests = tr.get(&format!("get_tests/{run}")).await.ok().clone();
    let test_of = |case: u64| {
        tests["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["case_id"] == case)
            .unwrap()["id"]
            .clone()
    };
    assert_eq!(results[0]["test_id"], test_of(3));
    assert_eq!(results[1]["test_id"], test_of(1));
    assert!(
        results[0].get("case_id").is_none(),
        "results carry test_id, not case_id"
    );
    assert_eq!(results[0]["custom_environment"], "ci");
    assert_eq!(results[0]["custom_step_results"][0]["actual"], "c");
    assert_eq!(results[0]["elapsed"], "1m 5s");
    assert_eq!(results[0]["attachment_ids"], json!([]));
    // The newest result sets the test's status; counters follow (Flaky = custom_status1).
    let run_json = tr.get(&format!("get_run/{run}")).await.ok().clone();
    assert_eq!(
        (
            run_json["failed_count"].as_u64(),
            run_json["custom_status1_count"].as_u64(),
            run_json["untested_count"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
}

#[tokio::test]
async fn bulk_rules_and_texts() {
    let tr = Tr::demo().await;
    let run = tr.run_with(&[1, 2]).await;
    let route = format!("add_results_for_cases/{run}");
    let bulk = |results: Value| tr.post(&route, json!({ "results": results }));
    bulk(json!([{"case_id": 1, "status_id": 1}, {"case_id": 40, "status_id": 1}])).await.assert_error(
        400,
        "Field :results contains one or more invalid results (case C40 unknown or not part of the test run)",
    );
    bulk(json!([{"case_id": 1, "status_id": 3}]))
        .await
        .assert_error(
            400,
            "Field :results.status_id uses an invalid status (Untested).",
        );
    bulk(json!([{"case_id": 1, "status_id": 1, "elapsed": "0s"}]))
        .await
        .assert_error(
            400,
            "Field :results.elapsed is not in a valid time span format.",
        );
    bulk(json!([{"case_id": 1, "status_id": 1, "elapsed": "fast"}]))
        .await
        .assert_error(
            400,
            "Field :results.elapsed is not in a valid time span format.",
        );
    bulk(json!([{"case_id": 1, "version": "1"}])).await.assert_error(
        400,
        "Field :results contains one or more invalid results (one of Status ID, Assigned To or Comment is required)",
    );
    bulk(json!([])).await.assert_error(
        400,
        "Field :results cannot be empty (one result is required)",
    );
    bulk(json!([{"status_id": 1}]))
        .await
        .assert_error(400, "Field :results.case_id is a required field.");
    bulk(json!([{"case_id": 1, "status_id": 99}]))
        .await
        .assert_error(400, "Field :results.status_id is not a valid status.");
    tr.post(&format!("add_results_for_cases/{run}"), json!({}))
        .await
        .assert_error(400, "Field :results is a required field.");
    tr.post(
        "add_results_for_cases/999",
        json!({"results": [{"case_id": 1, "status_id": 1}]}),
    )
    .await
    .assert_error(400, "Field :run_id is not a valid test run.");
    // All or nothing: none of the rejected requests stored anything.
    tr.sim.with_state(|s| assert!(s.results.is_empty()));
    // A comment alone is a result that leaves the status as it is.
    bulk(json!([{"case_id": 2, "comment": "looked at it"}]))
        .await
        .ok();
    assert_eq!(
        tr.sim
            .with_state(|s| s.test_for_case(run, 2).unwrap().status_id),
        3
    );
}

#[tokio::test]
async fn single_results_and_add_results_by_test() {
    let tr = Tr::demo().await;
    let run = tr.run_with(&[1, 2]).await;
    let r = tr
        .post(
            &format!("add_result_for_case/{run}/2"),
            json!({"status_id": 2, "assignedto_id": 3}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(r["status_id"], 2);
    let test = r["test_id"].as_u64().unwrap();
    assert_eq!(
        tr.get(&format!("get_test/{test}")).await.ok()["assignedto_id"],
        3
    );
    tr.post(
        &format!("add_result_for_case/{run}/40"),
        json!({"status_id": 1}),
    )
    .await
    .assert_error(400, "No (active) test found for the run/case combination.");
    tr.post(
        &format!("add_result_for_case/{run}/1"),
        json!({"status_id": 3}),
    )
    .await
    .assert_error(400, "Field :status_id uses an invalid status (Untested).");
    tr.post(
        &format!("add_result_for_case/{run}/1"),
        json!({"status_id": 1, "elapsed": "0s"}),
    )
    .await
    .assert_error(400, "Field :elapsed is not in a valid time span format.");
    tr.post(
        &format!("add_result/{test}"),
        json!({"status_id": 5, "comment": "again"}),
    )
    .await
    .ok();
    tr.post("add_result/99999", json!({"status_id": 1}))
        .await
        .assert_error(400, "Field :test_id is not a valid test.");
    let other = tr.run_with(&[5]).await;
    let other_test = tr.get(&format!("get_tests/{other}")).await.ok()["tests"][0]["id"].clone();
    tr.post(&format!("add_results/{run}"), json!({"results": [{"test_id": other_test, "status_id": 1}]}))
        .await
        .assert_error(
            400,
            &format!("Field :results contains one or more invalid results (test T{other_test} unknown or not part of the test run)"),
        );
    let rs = tr
        .post(
            &format!("add_results/{run}"),
            json!({"results": [{"test_id": test, "status_id": 1}]}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(rs[0]["test_id"], test);
}

#[tokio::test]
async fn reading_results_newest_first() {
    let tr = Tr::demo().await;
    let run = tr.run_with(&[1, 2]).await;
    for (case, status) in [(1, 5), (2, 1), (1, 1)] {
        tr.post(
            &format!("add_result_for_case/{run}/{case}"),
            json!({"status_id": status}),
        )
        .await
        .ok();
    }
    let all = tr
        .get(&format!("get_results_for_run/{run}"))
        .await
        .ok()
        .clone();
    let ids: Vec<_> = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [3, 2, 1]);
    let c1 = tr
        .get(&format!("get_results_for_case/{run}/1"))
        .await
        .ok()
        .clone();
    assert_eq!(
        c1["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status_id"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 5]
    );
    assert_eq!(
        tr.get(&format!("get_results_for_run/{run}&status_id=5"))
            .await
            .ok()["size"],
        1
    );
    let test = c1["results"][0]["test_id"].as_u64().unwrap();
    assert_eq!(
        tr.get(&format!("get_results/{test}&limit=1")).await.ok()["size"],
        1
    );
    tr.get(&format!("get_results_for_case/{run}/3"))
        .await
        .assert_error(400, "No (active) test found for the run/case combination.");
}

fn multipart(field: &str, name: &str, data: &[u8]) -> (String, Vec<u8>) {
    let boundary = "XsimBOUNDARY42";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn attachments_to_results() {
    let tr = Tr::demo().await;
    let run = tr.run_with(&[1]).await;
    let result = tr
        .post(
            &format!("add_result_for_case/{run}/1"),
            json!({"status_id": 5}),
        )
        .await
        .ok()["id"]
        .as_u64()
        .unwrap();
    let upload = |field: &'static str, route: String| {
        let (ct, body) = multipart(field, "log.txt", b"hello attachment");
        let rb = tr
            .http
            .post(tr.sim.api_url(&route))
            .basic_auth(&tr.user, Some(&tr.secret))
            .header("content-type", ct)
            .body(body);
        async move { read(rb.send().await.unwrap()).await }
    };
    let a = upload("attachment", format!("add_attachment_to_result/{result}")).await;
    let id = a.ok()["attachment_id"].as_u64().unwrap();
    let results = tr
        .get(&format!("get_results_for_run/{run}"))
        .await
        .ok()
        .clone();
    assert_eq!(results["results"][0]["attachment_ids"], json!([id]));
    tr.sim.with_state(|s| {
        let att = &s.attachments[&id];
        assert_eq!(
            (att.name.as_str(), att.size, att.result_id),
            ("log.txt", 16, Some(result))
        );
    });
    // Listed for the result's test, with the result's id as TestRail names it, and served
    // back byte for byte.
    let test_id = tr.sim.with_state(|s| s.results[&result].test_id);
    let listed = tr
        .get(&format!("get_attachments_for_test/{test_id}"))
        .await
        .ok()
        .clone();
    assert_eq!(listed[0]["id"], json!(id));
    assert_eq!(listed[0]["name"], json!("log.txt"));
    assert_eq!(listed[0]["size"], json!(16));
    assert_eq!(listed[0]["test_change_id"], json!(result));
    assert_eq!(listed[0]["case_id"], json!(1));
    let file = tr
        .http
        .get(tr.sim.api_url(&format!("get_attachment/{id}")))
        .basic_auth(&tr.user, Some(&tr.secret))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(&file.bytes().await.unwrap()[..], b"hello attachment");
    tr.get("get_attachment/999")
        .await
        .assert_error(400, "Field :attachment_id is not a valid attachment.");
    tr.get("get_attachments_for_test/999")
        .await
        .assert_error(400, "Field :test_id is not a valid test.");
    upload("file", format!("add_attachment_to_result/{result}"))
        .await
        .assert_error(400, "Field :attachment is a required field.");
    upload("attachment", "add_attachment_to_result/999".into())
        .await
        .assert_error(400, "Field :result_id is not a valid result.");
    upload("attachment", format!("add_attachment_to_run/{run}"))
        .await
        .ok();
    let viewer = tr
        .http
        .post(
            tr.sim
                .api_url(&format!("add_attachment_to_result/{result}")),
        )
        .basic_auth("viewer@shop.test", Some("viewer-pass"));
    let (ct, body) = multipart("attachment", "x", b"x");
    let r = read(
        viewer
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    r.assert_error(
        403,
        "You are not allowed to add attachments (insufficient permissions).",
    );
}
