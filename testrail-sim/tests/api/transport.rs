//! URL form, authentication, permissions, methods and bodies.

use reqwest::Method;
use serde_json::json;

use crate::common::{Tr, read};

const AUTH: &str = "Authentication failed: invalid or missing user/password or session cookie.";

#[tokio::test]
async fn route_is_the_query_up_to_the_first_ampersand() {
    let tr = Tr::demo().await;
    let r = tr.get("get_cases/1&suite_id=2&limit=3").await;
    let b = r.ok();
    assert_eq!(b["limit"], 3);
    assert!(
        b["cases"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["suite_id"] == 2)
    );
    // The server root also routes (index.php is its directory index), as TestRail does.
    let url = format!("{}?/api/v2/get_project/1", tr.sim.base_url());
    let r = read(
        tr.http
            .get(url)
            .basic_auth(&tr.user, Some(&tr.secret))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.ok()["name"], "Shop");
    assert_eq!(r.headers["content-type"], "application/json; charset=utf-8");
}

#[tokio::test]
async fn password_or_api_key_authenticates() {
    let tr = Tr::demo().await;
    tr.as_user("lead@shop.test", "lead-pass")
        .get("get_current_user")
        .await
        .ok();
    let me = tr
        .as_user("LEAD@shop.test", "lead-api-key")
        .get("get_current_user")
        .await;
    assert_eq!(me.ok()["email"], "lead@shop.test");
    assert_eq!(me.body["role"], "Lead");
}

#[tokio::test]
async fn bad_credentials_get_401_with_testrails_text() {
    let tr = Tr::demo().await;
    tr.as_user("lead@shop.test", "nope")
        .get("get_projects")
        .await
        .assert_error(401, AUTH);
    tr.as_user("nobody@shop.test", "lead-pass")
        .get("get_projects")
        .await
        .assert_error(401, AUTH);
    // An inactive user cannot log in.
    tr.as_user("former@shop.test", "former-pass")
        .get("get_projects")
        .await
        .assert_error(401, AUTH);
    // No Authorization header at all.
    let r = read(
        tr.http
            .get(tr.sim.api_url("get_projects"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    r.assert_error(401, AUTH);
}

#[tokio::test]
async fn roles_limit_what_users_may_do() {
    let tr = Tr::demo().await;
    let viewer = tr.as_user("viewer@shop.test", "viewer-api-key");
    let tester = tr.as_user("tester@shop.test", "tester-api-key");
    viewer.get("get_cases/1&suite_id=1").await.ok();
    viewer
        .post("add_run/1", json!({"suite_id": 1}))
        .await
        .assert_error(
            403,
            "You are not allowed to add test runs (insufficient permissions).",
        );
    tester
        .post("add_case/1", json!({"title": "x"}))
        .await
        .assert_error(
            403,
            "You are not allowed to add test cases (insufficient permissions).",
        );
    let run = tr.run_with(&[1]).await;
    viewer
        .post(
            &format!("add_result_for_case/{run}/1"),
            json!({"status_id": 1}),
        )
        .await
        .assert_error(
            403,
            "You are not allowed to add test results (insufficient permissions).",
        );
    tester
        .post(
            &format!("add_result_for_case/{run}/1"),
            json!({"status_id": 1}),
        )
        .await
        .ok();
    tester
        .post(&format!("close_run/{run}"), json!({}))
        .await
        .assert_error(
            403,
            "You are not allowed to close test runs (insufficient permissions).",
        );
    tr.as_user("lead@shop.test", "lead-api-key")
        .post(&format!("close_run/{run}"), json!({}))
        .await
        .ok();
}

#[tokio::test]
async fn unknown_methods_are_404_and_wrong_http_methods_400() {
    let tr = Tr::demo().await;
    let r = tr.get("get_everything/1").await;
    assert_eq!(r.status.as_u16(), 404);
    assert!(r.error().contains("get_everything"));
    let r = tr.post("get_project/1", json!({})).await;
    assert_eq!(r.status.as_u16(), 400);
    let r = tr.get("add_run/1").await;
    assert_eq!(r.status.as_u16(), 400);
    assert_eq!(r.error(), "This API method requires POST.");
}

#[tokio::test]
async fn non_api_paths_get_the_web_ui() {
    let tr = Tr::demo().await;
    let login = read(
        tr.http
            .get(format!("{}index.php?/auth/login", tr.sim.base_url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(login.status.as_u16(), 200);
    assert!(login.text.contains("<title>Login - TestRail</title>"));
    let other = read(
        tr.http
            .get(format!("{}testrail/style.css", tr.sim.base_url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(other.status.as_u16(), 404);
    assert!(other.text.starts_with("<html>"));
}

#[tokio::test]
async fn bodies_empty_malformed_and_wrong_type() {
    let tr = Tr::demo().await;
    let run = tr.run_with(&[1]).await;
    // A POST without any body is `{}`.
    tr.post_empty(&format!("close_run/{run}")).await.ok();
    let url = tr.sim.api_url("add_run/1");
    let send = |body: &'static str, ct: Option<&'static str>| {
        let mut rb = tr
            .http
            .post(&url)
            .basic_auth(&tr.user, Some(&tr.secret))
            .body(body);
        if let Some(ct) = ct {
            rb = rb.header("content-type", ct);
        }
        async move { read(rb.send().await.unwrap()).await }
    };
    let r = send("{\"suite_id\": 1,", Some("application/json")).await;
    assert_eq!(r.status.as_u16(), 400);
    assert!(r.error().contains("not valid JSON"), "{}", r.text);
    let r = send("[1,2]", Some("application/json")).await;
    assert_eq!(
        r.error(),
        "Bad request: the request body must be a JSON object."
    );
    let r = send("{\"suite_id\": 1}", None).await;
    r.assert_error(
        400,
        "Content-Type header missing (use Content-Type: application/json)",
    );
    let r = send("{\"suite_id\": 1}", Some("text/plain")).await;
    r.assert_error(
        400,
        "Content-Type header invalid (use Content-Type: application/json)",
    );
    // Wrong JSON types are 400s with an error text, never a crash.
    let r = tr.post("add_run/1", json!({"suite_id": {"x": 1}})).await;
    r.assert_error(400, "Field :suite_id is not a valid ID.");
    let r = tr
        .post("add_run/1", json!({"suite_id": 1, "include_all": "maybe"}))
        .await;
    r.assert_error(400, "Field :include_all is not a valid boolean.");
    let r = tr.post("add_case/1", json!({"title": ["a"]})).await;
    r.assert_error(400, "Field :title is not a valid string.");
}

#[tokio::test]
async fn path_ids_and_parameters_are_validated() {
    let tr = Tr::demo().await;
    tr.get("get_case/abc")
        .await
        .assert_error(400, "Field :case_id is not a valid ID.");
    tr.get("get_case")
        .await
        .assert_error(400, "Field :case_id is a required field.");
    tr.get("get_cases/1&suite_id=x")
        .await
        .assert_error(400, "Field :suite_id is not a valid ID.");
    tr.get("get_cases/1&suite_id=1&limit=%22")
        .await
        .assert_error(400, "Invalid characters in GET: [limit] [\"]");
    // Numbers sent as strings are accepted, as TestRail (PHP) does.
    tr.post(
        "add_run/1",
        json!({"suite_id": "1", "include_all": "0", "case_ids": "1,2"}),
    )
    .await
    .ok();
}

#[tokio::test]
async fn control_api_needs_no_auth() {
    let tr = Tr::demo().await;
    let r = tr.control(Method::GET, "health", None).await;
    assert_eq!(r.ok()["ok"], true);
}

#[tokio::test]
async fn bad_input_never_breaks_any_endpoint() {
    let tr = Tr::demo().await;
    let run = tr.run_with(&[1]).await;
    let bodies = [
        json!({}),
        json!({"results": "x", "case_ids": {"a": 1}, "entries": 5, "runs": "r", "name": 7, "title": null}),
        json!({"results": [1, null, {"case_id": -1, "status_id": "x", "elapsed": 5}]}),
        json!({"suite_id": 18446744073709551615u64, "include_all": 2, "config_ids": [0], "parent_id": "x"}),
        json!([1, 2]),
    ];
    let ids = [
        "",
        "/abc",
        "/0",
        "/99999999999999999999999",
        &format!("/{run}"),
        &format!("/{run}/1"),
        "/1/x",
    ];
    for endpoint in testrail_sim::api::ENDPOINTS {
        for id in ids {
            let route = format!("{}{id}&limit=x&suite_id=%zz", endpoint.name);
            let resp = if endpoint.write {
                let mut last = None;
                for body in &bodies {
                    last = Some(tr.post(&route, body.clone()).await);
                    let r = last.as_ref().unwrap();
                    assert!(r.status.as_u16() < 500, "{route} {body}: {}", r.text);
                }
                last.unwrap()
            } else {
                tr.get(&route).await
            };
            assert!(resp.status.as_u16() < 500, "{route}: {}", resp.text);
            assert!(
                resp.status.as_u16() == 200 || !resp.error().is_empty(),
                "{route}: {}",
                resp.text
            );
        }
    }
    tr.get("get_project/1").await.ok();
}
