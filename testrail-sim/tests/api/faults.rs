//! Every fault kind, over real HTTP, and the rule semantics (endpoint, count, after).

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use testrail_sim::{FaultKind, FaultRule};

use crate::common::{Tr, read};

#[tokio::test]
async fn latency_on_one_endpoint() {
    let tr = Tr::demo().await;
    tr.sim
        .add_fault(FaultRule::new(FaultKind::Latency { ms: 150 }).on("get_case"));
    let t = Instant::now();
    tr.get("get_case/1").await.ok();
    assert!(t.elapsed() >= Duration::from_millis(150));
    let t = Instant::now();
    tr.get("get_project/1").await.ok();
    assert!(t.elapsed() < Duration::from_millis(150));
    assert_eq!(tr.sim.log()[0].faults, ["latency"]);
}

#[tokio::test]
async fn rate_limit_then_429_with_retry_after() {
    let tr = Tr::demo().await;
    tr.sim.add_fault(FaultRule::new(FaultKind::RateLimit {
        limit: 3,
        window_ms: 60_000,
        retry_after: None,
    }));
    for _ in 0..3 {
        tr.get("get_project/1").await.ok();
    }
    let r = tr.get("get_project/1").await;
    assert_eq!(r.status.as_u16(), 429);
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((59..=60).contains(&retry), "{retry}");
    assert!(r.error().starts_with("API Rate Limit Exceeded"));
    assert_eq!(tr.sim.counters().rate_limited, 1);
    // A short window lets requests through again.
    tr.sim.set_faults([FaultRule::new(FaultKind::RateLimit {
        limit: 1,
        window_ms: 100,
        retry_after: Some(7),
    })]);
    tr.get("get_project/1").await.ok();
    assert_eq!(tr.get("get_project/1").await.headers["retry-after"], "7");
    tokio::time::sleep(Duration::from_millis(120)).await;
    tr.get("get_project/1").await.ok();
}

#[tokio::test]
async fn too_many_requests_with_and_without_retry_after() {
    let tr = Tr::demo().await;
    tr.sim
        .add_fault(FaultRule::new(FaultKind::TooManyRequests { secs: 2 }).times(1));
    tr.sim
        .add_fault(FaultRule::new(FaultKind::TooManyRequestsNoRetryAfter).times(1));
    let a = tr.get("get_projects").await;
    assert_eq!(
        (
            a.status.as_u16(),
            a.headers["retry-after"].to_str().unwrap()
        ),
        (429, "2")
    );
    let b = tr.get("get_projects").await;
    assert_eq!(b.status.as_u16(), 429);
    assert!(b.headers.get("retry-after").is_none());
    tr.get("get_projects").await.ok();
    assert_eq!(tr.sim.counters().rate_limited, 2);
}

#[tokio::test]
async fn next_k_requests_to_an_endpoint_fail_json_or_html() {
    let tr = Tr::demo().await;
    tr.sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 502,
            html: false,
        })
        .on("get_case")
        .times(2),
    );
    tr.sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 503,
            html: true,
        })
        .on("get_suite")
        .times(1),
    );
    tr.sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 500,
            html: false,
        })
        .on("get_section")
        .times(1),
    );
    tr.get("get_project/1").await.ok();
    let a = tr.get("get_case/1").await;
    a.assert_error(502, "502 Bad Gateway");
    assert_eq!(a.headers["content-type"], "application/json; charset=utf-8");
    assert_eq!(tr.get("get_case/1").await.status.as_u16(), 502);
    tr.get("get_case/1").await.ok();
    let h = tr.get("get_suite/1").await;
    assert_eq!(h.status.as_u16(), 503);
    assert!(
        h.text
            .contains("<h1>503 Service Temporarily Unavailable</h1>")
            || h.text.contains("<h1>503 Service Unavailable</h1>")
    );
    assert!(
        h.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    tr.get("get_section/1")
        .await
        .assert_error(500, "500 Internal Server Error");
    assert!(
        tr.sim.faults().is_empty(),
        "rules with a count clear themselves"
    );
}

#[tokio::test]
async fn after_skips_the_first_matching_requests() {
    let tr = Tr::demo().await;
    tr.sim.add_fault(
        FaultRule::new(FaultKind::Maintenance)
            .on("get_*")
            .after(2)
            .times(1),
    );
    tr.get("get_project/1").await.ok();
    tr.post("add_run/1", json!({"suite_id": 1})).await.ok();
    tr.get("get_project/1").await.ok();
    let r = tr.get("get_case/1").await;
    assert_eq!(r.status.as_u16(), 409);
    assert!(r.error().contains("maintenance"));
    tr.get("get_case/1").await.ok();
}

#[tokio::test]
async fn drop_before_stores_nothing_and_drop_after_stores_the_effect() {
    let tr = Tr::demo().await;
    let run = tr.run_with(&[1]).await;
    let body = json!({"results": [{"case_id": 1, "status_id": 1}]});
    let route = format!("add_results_for_cases/{run}");
    tr.sim.add_fault(
        FaultRule::new(FaultKind::DropBefore)
            .on("add_results_for_cases")
            .times(1),
    );
    let err = tr
        .http
        .post(tr.sim.api_url(&route))
        .basic_auth(&tr.user, Some(&tr.secret))
        .json(&body)
        .send()
        .await;
    assert!(err.is_err(), "the connection is closed without an answer");
    tr.sim.with_state(|s| assert!(s.results.is_empty()));
    tr.sim.add_fault(
        FaultRule::new(FaultKind::DropAfter)
            .on("add_results_for_cases")
            .times(1),
    );
    let err = tr
        .http
        .post(tr.sim.api_url(&route))
        .basic_auth(&tr.user, Some(&tr.secret))
        .json(&body)
        .send()
        .await;
    assert!(err.is_err());
    tr.sim.with_state(|s| {
        assert_eq!(
            s.results_for_case(run, 1).len(),
            1,
            "stored although never answered"
        )
    });
    let log = tr.sim.log();
    let drops: Vec<_> = log
        .iter()
        .filter(|e| e.endpoint == "add_results_for_cases")
        .map(|e| e.status)
        .collect();
    assert_eq!(drops, [0, 0]);
    assert_eq!(tr.sim.counters().dropped, 2);
    // A client that posts again now has the result twice: what the fault is for.
    tr.post(&route, body).await.ok();
    tr.sim
        .with_state(|s| assert_eq!(s.results_for_case(run, 1).len(), 2));
}

#[tokio::test]
async fn hang_past_the_client_timeout_then_store() {
    let tr = Tr::demo().await;
    tr.sim.add_fault(
        FaultRule::new(FaultKind::Hang { ms: 400 })
            .on("add_run")
            .times(1),
    );
    let t = Instant::now();
    let r = tr
        .http
        .post(tr.sim.api_url("add_run/1"))
        .basic_auth(&tr.user, Some(&tr.secret))
        .json(&json!({"suite_id": 1}))
        .timeout(Duration::from_millis(100))
        .send()
        .await;
    assert!(r.unwrap_err().is_timeout());
    assert!(t.elapsed() < Duration::from_millis(400));
    tr.sim.with_state(|s| assert!(s.runs.is_empty()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    tr.sim.with_state(|s| {
        assert_eq!(
            s.runs.len(),
            1,
            "the server finished the request after the client left"
        )
    });
}

#[tokio::test]
async fn login_page_with_status_200() {
    let tr = Tr::demo().await;
    tr.sim.add_fault(FaultRule::new(FaultKind::LoginPage));
    let r = tr.get("get_projects").await;
    assert_eq!(r.status.as_u16(), 200);
    assert!(r.text.starts_with("<!DOCTYPE html>"));
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn body_limit_413() {
    let tr = Tr::demo().await;
    tr.sim
        .add_fault(FaultRule::new(FaultKind::BodyLimit { bytes: 64 }));
    tr.post("add_run/1", json!({"suite_id": 1})).await.ok();
    let big = json!({"suite_id": 1, "description": "x".repeat(100)});
    let r = tr.post("add_run/1", big).await;
    assert_eq!(r.status.as_u16(), 413);
    assert!(r.text.contains("413 Payload Too Large"));
    assert_eq!(tr.sim.with_state(|s| s.runs.len()), 1);
}

#[tokio::test]
async fn credentials_revoked_for_k_requests() {
    let tr = Tr::demo().await;
    tr.sim
        .add_fault(FaultRule::new(FaultKind::Unauthorized).times(2));
    let auth = "Authentication failed: invalid or missing user/password or session cookie.";
    tr.get("get_projects").await.assert_error(401, auth);
    tr.get("get_projects").await.assert_error(401, auth);
    tr.get("get_projects").await.ok();
}

#[tokio::test]
async fn faults_through_the_control_api() {
    let tr = Tr::demo().await;
    let added = tr
        .control(Method::POST, "faults", Some(json!("status:502@get_case*1")))
        .await;
    let id = added.ok()[0]["id"].as_u64().unwrap();
    let both = tr
        .control(
            Method::POST,
            "faults",
            Some(json!([{"kind": "latency", "ms": 1}, "maintenance@add_run+5"])),
        )
        .await;
    assert_eq!(both.ok().as_array().unwrap().len(), 2);
    let list = tr.control(Method::GET, "faults", None).await.ok().clone();
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert_eq!(list[0]["kind"], "server_error");
    assert_eq!(
        (list[0]["endpoint"].as_str(), list[0]["count"].as_u64()),
        (Some("get_case"), Some(1))
    );
    assert_eq!(list[2]["after"], 5);
    tr.get("get_project/1").await.ok();
    let list = tr.control(Method::GET, "faults", None).await.ok().clone();
    assert_eq!(
        (list[1]["seen"].as_u64(), list[1]["fired"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        tr.control(Method::DELETE, &format!("faults/{id}"), None)
            .await
            .status
            .as_u16(),
        204
    );
    assert_eq!(
        tr.control(Method::DELETE, &format!("faults/{id}"), None)
            .await
            .status
            .as_u16(),
        404
    );
    tr.get("get_case/1").await.ok();
    let replaced = tr
        .control(Method::PUT, "faults", Some(json!(["unauthorized*1"])))
        .await;
    assert_eq!(replaced.ok().as_array().unwrap().len(), 1);
    assert_eq!(
        tr.control(Method::DELETE, "faults", None)
            .await
            .status
            .as_u16(),
        204
    );
    assert!(tr.sim.faults().is_empty());
    let bad = tr
        .control(Method::POST, "faults", Some(json!({"kind": "explode"})))
        .await;
    assert_eq!(bad.status.as_u16(), 400);
    // Plain text lines in the short form work too.
    let r = read(
        tr.http
            .post(format!("{}faults", tr.sim.control_url()))
            .body("latency:5\nlogin_page@get_x")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.ok().as_array().unwrap().len(), 2);
}
