//! The pagination envelope: `limit` at most 250, `size`, `_links`, following `next`.

use serde_json::Value;
use testrail_sim::{GenOptions, generate};

use crate::common::Tr;

#[tokio::test]
async fn envelope_and_bounds() {
    let tr = Tr::demo().await;
    let b = tr
        .get("get_cases/1&suite_id=1&limit=10&offset=5")
        .await
        .ok()
        .clone();
    assert_eq!(
        (
            b["offset"].as_u64(),
            b["limit"].as_u64(),
            b["size"].as_u64()
        ),
        (Some(5), Some(10), Some(10))
    );
    assert_eq!(b["cases"][0]["id"], 6);
    assert_eq!(
        b["_links"]["next"],
        "/api/v2/get_cases/1&suite_id=1&limit=10&offset=15"
    );
    assert_eq!(
        b["_links"]["prev"],
        "/api/v2/get_cases/1&suite_id=1&limit=10&offset=0"
    );
    tr.get("get_cases/1&suite_id=1&limit=0")
        .await
        .assert_error(400, "Field :limit is too small (minimum 1).");
    tr.get("get_cases/1&suite_id=1&limit=251")
        .await
        .assert_error(400, "Field :limit is too large (maximum 250).");
    tr.get("get_cases/1&suite_id=1&limit=-1")
        .await
        .assert_error(400, "Field :limit is not a valid natural number.");
    tr.get("get_cases/1&suite_id=1&offset=o")
        .await
        .assert_error(400, "Field :offset is not a valid natural number.");
    // Past the end: an empty page, not an error.
    let past = tr.get("get_cases/1&suite_id=1&offset=100000").await;
    assert_eq!(past.ok()["size"], 0);
    assert!(past.body["_links"]["next"].is_null());
}

#[tokio::test]
async fn following_next_links_visits_every_case_once() {
    let tr = Tr::with(generate(&GenOptions {
        cases: 1234,
        suites: 2,
        cases_per_section: 50,
    }))
    .await;
    let mut route = "get_cases/1&suite_id=1".to_string();
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let b = tr.get(&route).await.ok().clone();
        pages += 1;
        assert!(b["size"].as_u64().unwrap() <= 250);
        ids.extend(
            b["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_u64().unwrap()),
        );
        match &b["_links"]["next"] {
            Value::String(next) => route = next.trim_start_matches("/api/v2/").to_string(),
            _ => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(ids, (1..=617).collect::<Vec<_>>());
}

#[tokio::test]
async fn every_bulk_list_is_an_envelope() {
    let tr = Tr::demo().await;
    let run = tr.run_with(&[1]).await;
    for (route, key) in [
        ("get_projects".to_string(), "projects"),
        ("get_suites/1".to_string(), "suites"),
        ("get_sections/1&suite_id=1".to_string(), "sections"),
        ("get_milestones/1".to_string(), "milestones"),
        ("get_runs/1".to_string(), "runs"),
        ("get_plans/1".to_string(), "plans"),
        (format!("get_tests/{run}"), "tests"),
        (format!("get_results_for_run/{run}"), "results"),
        ("get_users".to_string(), "users"),
    ] {
        let b = tr.get(&route).await.ok().clone();
        assert!(b[key].is_array(), "{route}: {b}");
        assert!(b["_links"].is_object(), "{route}");
    }
}
