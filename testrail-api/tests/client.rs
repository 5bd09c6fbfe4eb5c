//! The TestRail client over real HTTP against `testrail-sim`: the endpoints and their
//! shapes, pagination, and every fault the client must survive or report.

use std::time::{Duration, Instant};

use serde_json::Value;
use testrail_api::{
    ApiKey, Attachment, CaseFilter, CaseId, Client, ClientConfig, Error, NewCase, NewPlan,
    NewPlanEntry, NewResult, NewRun, NewSection, ProjectId, RateLimit, ResultFilter, ResultForCase,
    RunFilter, RunId, RunUpdate, StatusId, SuiteId,
};
use testrail_sim::{FaultKind, FaultRule, Fixture, GenOptions, Simulator, generate};

/// Shop project (multiple suites) and its first suite in the demo fixture.
const SHOP: ProjectId = ProjectId::new(1);
const WEB_SHOP: SuiteId = SuiteId::new(1);

async fn sim() -> Simulator {
    Simulator::start(Fixture::demo()).await.expect("simulator")
}

/// A client for the sim's admin with fast retries and no rate limit.
fn config(sim: &Simulator) -> ClientConfig {
    let mut c = ClientConfig::new(sim.base_url(), sim.email(), ApiKey::new(sim.api_key()));
    c.timeout = Duration::from_secs(5);
    c.rate_limit = None;
    c.backoff_base = Duration::from_millis(5);
    c.backoff_cap = Duration::from_millis(40);
    c.retry_after_default = Duration::from_millis(30);
    c.retry_after_cap = Duration::from_secs(2);
    c
}

fn client(sim: &Simulator) -> Client {
    Client::new(config(sim)).expect("client")
}

/// Requests the sim received for one API method.
fn hits(sim: &Simulator, endpoint: &str) -> u64 {
    sim.counters()
        .per_endpoint
        .get(endpoint)
        .copied()
        .unwrap_or(0)
}

/// No error text or `Debug` output may hold the API key.
fn assert_no_key(sim: &Simulator, error: &Error) {
    let text = format!("{error} {error:?}");
    assert!(!text.contains(sim.api_key()), "{text}");
}

async fn web_shop_case_ids(client: &Client) -> Vec<CaseId> {
    let filter = CaseFilter {
        suite_id: Some(WEB_SHOP),
        ..Default::default()
    };
    let cases = client.get_cases(SHOP, &filter).await.unwrap();
    cases.iter().map(|c| c.id).collect()
}

async fn new_run(client: &Client, case_ids: &[CaseId]) -> RunId {
    let run = NewRun {
        name: "cargo test".into(),
        suite_id: Some(WEB_SHOP),
        include_all: Some(false),
        case_ids: Some(case_ids.to_vec()),
        ..Default::default()
    };
    client.add_run(SHOP, &run).await.unwrap().id
}

fn passed(case_id: CaseId) -> ResultForCase {
    ResultForCase {
        case_id,
        result: NewResult {
            status_id: Some(StatusId::PASSED),
            elapsed: Some("1s".into()),
            ..Default::default()
        },
    }
}

#[tokio::test]
async fn reads_the_metadata_an_export_needs() {
    let sim = sim().await;
    let client = client(&sim);
    let projects = client.get_projects().await.unwrap();
    assert!(projects.iter().any(|p| p.id == SHOP && p.name == "Shop"));
    let shop = client.get_project(SHOP).await.unwrap();
    assert_eq!(shop.suite_mode, Some(3));
    let suites = client.get_suites(SHOP).await.unwrap();
    assert_eq!(suites.len(), 3);
    assert_eq!(
        client.get_suite(WEB_SHOP).await.unwrap().name,
        suites[0].name
    );
    let sections = client.get_sections(SHOP, Some(WEB_SHOP)).await.unwrap();
    assert!(!sections.is_empty());
    let section = client.get_section(sections[0].id).await.unwrap();
    assert_eq!(section.name, sections[0].name);
    let statuses = client.get_statuses().await.unwrap();
    assert!(
        statuses
            .iter()
            .any(|s| s.id == StatusId::UNTESTED && s.is_untested)
    );
    assert!(!client.get_priorities().await.unwrap().is_empty());
    let fields = client.get_case_fields().await.unwrap();
    assert!(fields.iter().any(|f| f.system_name.starts_with("custom_")));
    client.get_result_fields().await.unwrap();
    client.get_milestones(SHOP).await.unwrap();
    client.get_configs(SHOP).await.unwrap();
    let me = client.get_current_user().await.unwrap();
    assert_eq!(me.email, sim.email());
    let same = client.get_user_by_email(sim.email()).await.unwrap();
    assert_eq!(same.id, me.id);
    let case_id = web_shop_case_ids(&client).await[0];
    assert_eq!(client.get_case(case_id).await.unwrap().id, case_id);
    // The generic escape hatch.
    let raw: Value = client
        .get(&format!("get_case/{case_id}"), &[])
        .await
        .unwrap();
    assert_eq!(raw["id"], case_id.get());
}

#[tokio::test]
async fn writes_runs_results_plans_cases_and_attachments() {
    let sim = sim().await;
    let client = client(&sim);
    let ids = web_shop_case_ids(&client).await;
    let run_id = new_run(&client, &ids[..3]).await;

    let results = client
        .add_results_for_cases(run_id, &[passed(ids[0]), passed(ids[1])])
        .await
        .unwrap();
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r.test_id.is_some()));
    let single = client
        .add_result_for_case(
            run_id,
            ids[2],
            &NewResult {
                status_id: Some(StatusId::FAILED),
                comment: Some("boom".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let tests = client.get_tests(run_id).await.unwrap();
    assert_eq!(tests.len(), 3);
    let run = client.get_run(run_id).await.unwrap();
    assert_eq!((run.passed_count, run.failed_count), (2, 1));
    let all = client
        .get_results_for_run(run_id, &ResultFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    let for_case = client
        .get_results_for_case(run_id, ids[2], &ResultFilter::default())
        .await
        .unwrap();
    assert_eq!(for_case[0].id, single.id);

    let attachment = client
        .add_attachment_to_result(single.id, &Attachment::new("log.txt", b"hello".to_vec()))
        .await
        .unwrap();
    assert!(!attachment.to_string().is_empty());
    // A file on disk, streamed; listed for the result's test and served back byte for byte.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.html");
    std::fs::write(&path, "<html>checkout</html>").unwrap();
    let file = Attachment::from_path(&path, "page.html").unwrap();
    assert_eq!(file.size(), 21);
    let from_disk = client
        .add_attachment_to_result(single.id, &file)
        .await
        .unwrap();
    let listed = client
        .get_attachments_for_test(single.test_id.unwrap())
        .await
        .unwrap();
    let names: Vec<(&str, u64)> = listed.iter().map(|a| (a.name.as_str(), a.size)).collect();
    assert_eq!(names, [("log.txt", 5), ("page.html", 21)]);
    assert!(listed.iter().all(|a| a.result_id == Some(single.id)));
    // An HTML file is what was asked for, not a sign of a wrong base URL.
    let bytes = client.get_attachment(&from_disk).await.unwrap();
    assert_eq!(bytes, b"<html>checkout</html>");
    // A file gone before it is sent: a typed error naming it, nothing sent.
    std::fs::remove_file(&path).unwrap();
    let error = client
        .add_attachment_to_result(single.id, &file)
        .await
        .unwrap_err();
    assert!(matches!(error, testrail_api::Error::File { .. }), "{error}");
    assert!(error.to_string().contains("page.html"), "{error}");

    let renamed = client
        .update_run(
            run_id,
            &RunUpdate {
                description: Some("from cargo test".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.description.as_deref(), Some("from cargo test"));
    let runs = client.get_runs(SHOP, &RunFilter::default()).await.unwrap();
    assert!(runs.iter().any(|r| r.id == run_id));
    assert!(client.close_run(run_id).await.unwrap().is_completed);

    let plan = client
        .add_plan(
            SHOP,
            &NewPlan {
                name: "Release".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let entry = client
        .add_plan_entry(
            plan.id,
            &NewPlanEntry {
                suite_id: Some(WEB_SHOP),
                include_all: Some(false),
                case_ids: Some(ids[..2].to_vec()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(!entry.id.is_empty());
    assert_eq!(entry.runs.len(), 1);
    let fetched = client.get_plan(plan.id).await.unwrap();
    assert_eq!(fetched.entries.len(), 1);
    assert!(client.close_plan(plan.id).await.unwrap().is_completed);

    let section = client
        .add_section(
            SHOP,
            &NewSection {
                name: "Automated".into(),
                suite_id: Some(WEB_SHOP),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let case = client
        .add_case(
            section.id,
            &NewCase {
                title: "Log in".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let updated = client
        .update_case(
            case.id,
            &testrail_api::CaseUpdate {
                title: Some("Log in twice".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.title, "Log in twice");
}

#[tokio::test]
async fn pages_through_more_than_250_cases() {
    let fixture = generate(&GenOptions {
        cases: 620,
        suites: 1,
        cases_per_section: 100,
    });
    let sim = Simulator::start(fixture).await.unwrap();
    let client = client(&sim);
    let filter = CaseFilter {
        suite_id: Some(WEB_SHOP),
        ..Default::default()
    };
    let cases = client.get_cases(1, &filter).await.unwrap();
    let mut ids: Vec<CaseId> = cases.iter().map(|c| c.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 620);
    assert!(cases[0].custom("automation_id").is_some());
    let routes: Vec<String> = sim
        .log()
        .into_iter()
        .filter(|e| e.endpoint == "get_cases")
        .map(|e| e.route)
        .collect();
    assert_eq!(routes.len(), 3, "{routes:?}");
    assert!(routes[2].contains("offset=500"), "{routes:?}");
    assert!(
        routes.iter().all(|r| r.contains("suite_id=1")),
        "{routes:?}"
    );
}

#[tokio::test]
async fn waits_out_429_with_and_without_retry_after() {
    let sim = sim().await;
    let client = client(&sim);
    sim.add_fault(
        FaultRule::new(FaultKind::TooManyRequests { secs: 1 })
            .on("get_project")
            .times(1),
    );
    let started = Instant::now();
    client.get_project(SHOP).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950));
    sim.add_fault(
        FaultRule::new(FaultKind::TooManyRequestsNoRetryAfter)
            .on("get_project")
            .times(2),
    );
    client.get_project(SHOP).await.unwrap();
    let stats = client.stats();
    assert_eq!(stats.rate_limited, 3);
    assert_eq!(stats.retries, 3);
    assert!(stats.retry_wait >= Duration::from_millis(1000 + 2 * 30));
    assert_eq!(hits(&sim, "get_project"), 5);
}

#[tokio::test]
async fn retry_after_is_capped() {
    let sim = sim().await;
    let mut config = config(&sim);
    config.retry_after_cap = Duration::from_millis(50);
    let client = Client::new(config).unwrap();
    sim.add_fault(
        FaultRule::new(FaultKind::TooManyRequests { secs: 3600 })
            .on("get_statuses")
            .times(1),
    );
    let started = Instant::now();
    client.get_statuses().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));

    // `Retry-After: 0` falls back to the backoff instead of hammering.
    sim.add_fault(
        FaultRule::new(FaultKind::TooManyRequests { secs: 0 })
            .on("get_statuses")
            .times(2),
    );
    client.get_statuses().await.unwrap();
    assert_eq!(client.stats().rate_limited, 3);
    assert!(client.stats().retry_wait > Duration::from_millis(50));
}

#[tokio::test]
async fn server_errors_and_maintenance_are_retried() {
    let sim = sim().await;
    let client = client(&sim);
    sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 502,
            html: true,
        })
        .on("get_cases")
        .times(2),
    );
    sim.add_fault(
        FaultRule::new(FaultKind::Maintenance)
            .on("get_cases")
            .times(1),
    );
    assert!(!web_shop_case_ids(&client).await.is_empty());
    assert_eq!(hits(&sim, "get_cases"), 4);

    // 500/503 on a POST that creates something are safe to resend.
    let ids = web_shop_case_ids(&client).await;
    let run_id = new_run(&client, &ids[..2]).await;
    sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 503,
            html: false,
        })
        .on("add_results_for_cases")
        .times(2),
    );
    let results = client
        .add_results_for_cases(run_id, &[passed(ids[0])])
        .await
        .unwrap();
    assert_eq!(results.len(), 1);
    let stored = client
        .get_results_for_run(run_id, &ResultFilter::default())
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
}

#[tokio::test]
async fn retries_run_out_with_the_last_cause() {
    let sim = sim().await;
    let mut config = config(&sim);
    config.max_attempts = 3;
    let client = Client::new(config).unwrap();
    sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 500,
            html: false,
        })
        .on("get_run"),
    );
    let error = client.get_run(1).await.unwrap_err();
    match &error {
        Error::RetriesExhausted {
            attempts: 3, last, ..
        } => assert!(
            matches!(**last, Error::Server { status: 500, .. }),
            "{last}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(error.status(), Some(500));
    assert_eq!(hits(&sim, "get_run"), 3);
}

#[tokio::test]
async fn bad_credentials_stop_after_one_request() {
    let sim = sim().await;
    let mut config = config(&sim);
    config.api_key = ApiKey::new("wrong-key-123");
    let client = Client::new(config).unwrap();
    let error = client.get_projects().await.unwrap_err();
    assert!(matches!(error, Error::Unauthorized { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "TestRail rejected the credentials for user {}: check TESTRAIL_USER and TESTRAIL_API_KEY",
            sim.email()
        )),
        "{text}"
    );
    assert!(!format!("{error:?}").contains("wrong-key-123"));
    assert_eq!(sim.counters().requests, 1);
    assert_eq!(client.stats().requests_sent, 1);

    // Calls after (or queued behind) the rejection are not sent at all.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let client = client.clone();
        tasks.spawn(async move { client.get_project(SHOP).await });
    }
    while let Some(done) = tasks.join_next().await {
        let error = done.unwrap().unwrap_err();
        assert!(matches!(error, Error::Unauthorized { .. }), "{error:?}");
    }
    assert_eq!(sim.counters().requests, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_with_bad_credentials_send_one_request() {
    let sim = sim().await;
    sim.add_fault(FaultRule::new(FaultKind::Latency { ms: 50 }));
    let mut config = config(&sim);
    config.api_key = ApiKey::new("revoked");
    config.max_in_flight = 1;
    let client = Client::new(config).unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let client = client.clone();
        tasks.spawn(async move { client.get_statuses().await.map(drop) });
    }
    while let Some(done) = tasks.join_next().await {
        let error = done.unwrap().unwrap_err();
        assert!(matches!(error, Error::Unauthorized { .. }), "{error:?}");
    }
    assert_eq!(sim.counters().requests, 1);
}

#[tokio::test]
async fn testrail_refusals_keep_testrails_words() {
    let sim = sim().await;
    let client = client(&sim);
    let error = client.get_case(999_999).await.unwrap_err();
    match &error {
        Error::BadRequest { method, message } => {
            assert_eq!(method, "get_case/999999");
            assert_eq!(message, "Field :case_id is not a valid test case.");
        }
        other => panic!("{other:?}"),
    }
    assert_no_key(&sim, &error);
    let error = client.get_run(999_999).await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Field :run_id is not a valid test run.")
    );

    let error = client
        .get::<Value>("get_no_such_method", &[])
        .await
        .unwrap_err();
    assert!(matches!(error, Error::UnknownMethod { .. }), "{error:?}");

    let viewer = sim
        .users()
        .into_iter()
        .find(|u| u.email == "viewer@shop.test")
        .unwrap();
    let mut config = config(&sim);
    config.user = viewer.email.clone();
    config.api_key = ApiKey::new(viewer.api_key.clone());
    let read_only = Client::new(config).unwrap();
    let error = read_only
        .add_run(
            SHOP,
            &NewRun {
                name: "x".into(),
                suite_id: Some(WEB_SHOP),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    match &error {
        Error::Forbidden { method, message } => {
            assert_eq!(method, "add_run/1");
            assert!(message.contains("insufficient permissions"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(hits(&sim, "add_run"), 1);
}

#[tokio::test]
async fn an_html_page_is_a_typed_error_with_a_preview() {
    let sim = sim().await;
    let client = client(&sim);
    sim.add_fault(FaultRule::new(FaultKind::LoginPage).on("get_projects"));
    let error = client.get_projects().await.unwrap_err();
    match &error {
        Error::Html {
            status, preview, ..
        } => {
            assert_eq!(*status, 200);
            assert!(preview.starts_with("<!DOCTYPE html>"), "{preview}");
            assert!(preview.chars().count() <= 201);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        error.to_string().starts_with(
            "TESTRAIL_URL answered with an HTML page (HTTP 200): is the base URL right?"
        )
    );
    assert_eq!(hits(&sim, "get_projects"), 1);
}

#[tokio::test]
async fn a_payload_too_large_is_its_own_error() {
    let sim = sim().await;
    let client = client(&sim);
    let ids = web_shop_case_ids(&client).await;
    let run_id = new_run(&client, &ids[..3]).await;
    sim.add_fault(FaultRule::new(FaultKind::BodyLimit { bytes: 100 }).on("add_results_for_cases"));
    let batch: Vec<_> = ids[..3].iter().map(|id| passed(*id)).collect();
    let error = client
        .add_results_for_cases(run_id, &batch)
        .await
        .unwrap_err();
    match &error {
        Error::PayloadTooLarge { body_bytes, .. } => assert!(*body_bytes > 100),
        other => panic!("{other:?}"),
    }
    assert_eq!(hits(&sim, "add_results_for_cases"), 1);
    // Halves that fit go through.
    client
        .add_results_for_cases(run_id, &batch[..1])
        .await
        .unwrap();
}

#[tokio::test]
async fn a_post_lost_after_sending_is_ambiguous_and_not_resent() {
    let sim = sim().await;
    let client = client(&sim);
    let ids = web_shop_case_ids(&client).await;
    let run_id = new_run(&client, &ids[..2]).await;
    sim.add_fault(
        FaultRule::new(FaultKind::DropAfter)
            .on("add_results_for_cases")
            .times(1),
    );
    let error = client
        .add_results_for_cases(run_id, &[passed(ids[0]), passed(ids[1])])
        .await
        .unwrap_err();
    match &error {
        Error::Ambiguous { method, cause } => {
            assert_eq!(method, &format!("add_results_for_cases/{run_id}"));
            assert!(matches!(**cause, Error::Connection { .. }), "{cause:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_no_key(&sim, &error);
    assert_eq!(hits(&sim, "add_results_for_cases"), 1);
    // TestRail did store them: the caller can see that before resending.
    let stored = client
        .get_results_for_run(run_id, &ResultFilter::default())
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
}

#[tokio::test]
async fn dropped_gets_are_retried() {
    let sim = sim().await;
    let client = client(&sim);
    sim.add_fault(
        FaultRule::new(FaultKind::DropBefore)
            .on("get_project")
            .times(2),
    );
    client.get_project(SHOP).await.unwrap();
    assert_eq!(hits(&sim, "get_project"), 3);
    assert_eq!(client.stats().retries, 2);
}

#[tokio::test]
async fn a_hang_past_the_timeout() {
    let sim = sim().await;
    let mut config = config(&sim);
    config.timeout = Duration::from_millis(300);
    config.max_attempts = 2;
    let client = Client::new(config).unwrap();

    // A GET is retried, then reported with the timeout as the last cause.
    sim.add_fault(FaultRule::new(FaultKind::Hang { ms: 3000 }).on("get_project"));
    let started = Instant::now();
    let error = client.get_project(SHOP).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    match &error {
        Error::RetriesExhausted {
            attempts: 2, last, ..
        } => assert!(matches!(**last, Error::Timeout { .. }), "{last:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(hits(&sim, "get_project"), 2);

    // A POST that creates something is not resent.
    sim.add_fault(FaultRule::new(FaultKind::Hang { ms: 3000 }).on("add_run"));
    let error = client
        .add_run(
            SHOP,
            &NewRun {
                name: "slow".into(),
                suite_id: Some(WEB_SHOP),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    match &error {
        Error::Ambiguous { cause, .. } => {
            assert!(matches!(**cause, Error::Timeout { .. }), "{cause:?}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(hits(&sim, "add_run"), 1);
}

#[tokio::test]
async fn a_gateway_timeout_on_a_create_is_ambiguous() {
    let sim = sim().await;
    let client = client(&sim);
    sim.add_fault(
        FaultRule::new(FaultKind::ServerError {
            status: 504,
            html: true,
        })
        .on("add_plan")
        .times(1),
    );
    let error = client
        .add_plan(
            SHOP,
            &NewPlan {
                name: "p".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Ambiguous { .. }), "{error:?}");
    assert_eq!(error.status(), Some(504));
    assert_eq!(hits(&sim, "add_plan"), 1);
}

#[tokio::test]
async fn connection_refused_is_retried_even_for_creates() {
    // A port that was just free: nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut config = ClientConfig::new(
        format!("http://127.0.0.1:{port}"),
        "qa@acme.io",
        ApiKey::new("k"),
    );
    config.max_attempts = 3;
    config.backoff_base = Duration::from_millis(1);
    config.backoff_cap = Duration::from_millis(5);
    let client = Client::new(config).unwrap();
    let error = client
        .add_run(
            1,
            &NewRun {
                name: "x".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    match &error {
        Error::RetriesExhausted {
            attempts: 3, last, ..
        } => assert!(matches!(**last, Error::Connection { .. }), "{last:?}"),
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains(&format!("127.0.0.1:{port}")));
    assert_eq!(client.stats().requests_sent, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_keeps_the_client_under_testrails() {
    let limit = RateLimit {
        max_requests: 4,
        window: Duration::from_millis(300),
    };
    let sim = sim().await;
    sim.add_fault(FaultRule::new(FaultKind::RateLimit {
        limit: limit.max_requests,
        window_ms: 300,
        retry_after: None,
    }));
    let mut config = config(&sim);
    config.rate_limit = Some(limit);
    config.max_in_flight = 8;
    let client = Client::new(config).unwrap();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..14 {
        let client = client.clone();
        tasks.spawn(async move { client.get_statuses().await.map(|_| ()) });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    // 14 requests at 4 per 300 ms: three full windows must pass.
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(sim.counters().rate_limited, 0);
    let stats = client.stats();
    assert_eq!((stats.requests_sent, stats.rate_limited), (14, 0));
    assert!(stats.limiter_wait > Duration::ZERO);

    // Without the client-side limit the same burst does get 429s (and still succeeds).
    sim.clear_log();
    let mut config = self::config(&sim);
    config.retry_after_cap = Duration::from_millis(100);
    config.max_attempts = 30;
    config.max_in_flight = 8;
    let unlimited = Client::new(config).unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..14 {
        let client = unlimited.clone();
        tasks.spawn(async move { client.get_statuses().await.map(|_| ()) });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    assert!(sim.counters().rate_limited > 0);
    assert_eq!(unlimited.stats().rate_limited, sim.counters().rate_limited);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_in_flight_are_bounded() {
    let sim = sim().await;
    sim.add_fault(FaultRule::new(FaultKind::Latency { ms: 80 }));
    let mut config = config(&sim);
    config.max_in_flight = 3;
    let client = Client::new(config).unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let client = client.clone();
        tasks.spawn(async move { client.get_project(SHOP).await.map(|_| ()) });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    assert_eq!(sim.counters().peak_in_flight, 3);
    assert_eq!(client.stats().peak_in_flight, 3);
}

#[tokio::test]
async fn dry_run_descriptions_hold_no_secret() {
    let sim = sim().await;
    let client = client(&sim);
    let preview = client
        .describe_post(
            "add_results_for_cases/7",
            &serde_json::json!({"results": []}),
        )
        .unwrap();
    let text = format!("{preview} {preview:?}");
    assert!(text.starts_with(&format!(
        "POST {}index.php?/api/v2/add_results_for_cases/7",
        sim.base_url()
    )));
    assert!(!text.contains(sim.api_key()));
    assert!(!format!("{client:?}").contains(sim.api_key()));
    assert_eq!(sim.counters().requests, 0);
}

#[tokio::test]
async fn pasted_api_urls_and_sub_paths_reach_the_api() {
    let sim = sim().await;
    for base in [
        format!("{}index.php?/api/v2/", sim.base_url()),
        sim.base_url().trim_end_matches('/').to_owned(),
        format!("{}testrail", sim.base_url()),
    ] {
        let mut config = config(&sim);
        config.base_url = base.clone();
        let client = Client::new(config).unwrap();
        assert_eq!(client.get_project(SHOP).await.unwrap().id, SHOP, "{base}");
    }
    let routes: Vec<String> = sim.log().into_iter().map(|e| e.route).collect();
    assert!(routes.iter().all(|r| r == "get_project/1"), "{routes:?}");
}

/// A project of `n` generated cases in one suite, 10 per section.
async fn sim_with_cases(n: u64) -> Simulator {
    let fixture = generate(&GenOptions {
        cases: n,
        suites: 1,
        cases_per_section: 10,
    });
    Simulator::start(fixture).await.unwrap()
}

/// The `limit`/`offset` pairs of the requests the sim received for one API method.
fn paging_of(sim: &Simulator, endpoint: &str) -> Vec<(String, String)> {
    let param = |route: &str, name: &str| {
        route
            .split('&')
            .find_map(|p| p.strip_prefix(&format!("{name}=")))
            .unwrap_or("-")
            .to_owned()
    };
    sim.log()
        .into_iter()
        .filter(|e| e.endpoint == endpoint)
        .map(|e| (param(&e.route, "limit"), param(&e.route, "offset")))
        .collect()
}

#[tokio::test]
async fn cases_come_page_by_page_with_offsets() {
    let sim = sim_with_cases(25).await;
    let client = client(&sim);
    let filter = CaseFilter {
        suite_id: Some(WEB_SHOP),
        ..Default::default()
    };
    let mut pages = client.get_cases_pages(SHOP, &filter).page_size(10);
    let mut seen = Vec::new();
    let mut shape = Vec::new();
    while let Some(page) = pages.next_page().await.unwrap() {
        shape.push((page.offset, page.items.len(), page.is_last));
        seen.extend(page.items.iter().map(|c| c.id));
    }
    assert_eq!(shape, [(0, 10, false), (10, 10, false), (20, 5, true)]);
    let all: Vec<CaseId> = client
        .get_cases(SHOP, &filter)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(
        seen, all,
        "the pages hold the same cases, in the same order"
    );
    assert_eq!(seen.len(), 25);
    // Exhausted: no further request.
    assert!(pages.next_page().await.unwrap().is_none());
    let paging = paging_of(&sim, "get_cases");
    assert_eq!(
        paging,
        [
            ("10".into(), "0".into()),
            ("10".into(), "10".into()),
            ("10".into(), "20".into()),
            ("250".into(), "0".into()),
        ],
        "three pages of 10, then get_cases in one request of 250"
    );
}

#[tokio::test]
async fn pages_and_items_stream() {
    use futures_util::{StreamExt, TryStreamExt};

    let sim = sim_with_cases(23).await;
    let client = client(&sim);
    let filter = CaseFilter {
        suite_id: Some(WEB_SHOP),
        ..Default::default()
    };
    let pages: Vec<_> = client
        .get_cases_pages(SHOP, &filter)
        .page_size(5)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [5, 5, 5, 5, 3]);
    assert!(pages.last().unwrap().is_last);

    // Items: only the pages needed are fetched.
    let before = hits(&sim, "get_cases");
    let first_seven: Vec<_> = client
        .get_cases_pages(SHOP, &filter)
        .page_size(5)
        .into_items()
        .take(7)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first_seven.len(), 7);
    assert_eq!(first_seven[5].id, pages[1].items[0].id);
    assert_eq!(hits(&sim, "get_cases") - before, 2, "two pages for 7 items");

    // Page sizes outside 1..=250 are clamped, never sent to TestRail.
    let all = client
        .get_cases_pages(SHOP, &filter)
        .page_size(10_000)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 23);
    assert_eq!(paging_of(&sim, "get_cases").last().unwrap().0, "250");
}

#[tokio::test]
async fn a_failed_page_is_asked_for_again() {
    let sim = sim_with_cases(15).await;
    let client = client(&sim);
    let filter = CaseFilter {
        suite_id: Some(WEB_SHOP),
        ..Default::default()
    };
    // The second request answers with a login page (not retried).
    sim.add_fault(
        FaultRule::new(FaultKind::LoginPage)
            .on("get_cases")
            .after(1)
            .times(1),
    );
    let mut pages = client.get_cases_pages(SHOP, &filter).page_size(10);
    let first = pages.next_page().await.unwrap().unwrap();
    assert_eq!((first.offset, first.items.len()), (0, 10));
    let error = pages.next_page().await.unwrap_err();
    assert!(matches!(error, Error::Html { .. }), "{error}");
    assert_no_key(&sim, &error);
    let second = pages.next_page().await.unwrap().unwrap();
    assert_eq!(
        (second.offset, second.items.len(), second.is_last),
        (10, 5, true)
    );
    assert!(pages.next_page().await.unwrap().is_none());
}

#[tokio::test]
async fn runs_plans_tests_results_and_sections_page_too() {
    use futures_util::TryStreamExt;

    let sim = sim().await;
    let client = client(&sim);
    let ids = web_shop_case_ids(&client).await;
    assert!(ids.len() >= 3);
    let mut runs = Vec::new();
    for _ in 0..3 {
        runs.push(new_run(&client, &ids[..3]).await);
    }
    for name in ["A", "B", "C"] {
        let plan = NewPlan {
            name: name.into(),
            ..Default::default()
        };
        client.add_plan(SHOP, &plan).await.unwrap();
    }
    let run = runs[0];
    for &case in &ids[..3] {
        client
            .add_results_for_cases(run, &[passed(case)])
            .await
            .unwrap();
    }

    let run_pages: Vec<_> = client
        .get_runs_pages(SHOP, &RunFilter::default())
        .page_size(2)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let paged: Vec<RunId> = run_pages
        .iter()
        .flat_map(|p| &p.items)
        .map(|r| r.id)
        .collect();
    let all: Vec<RunId> = client
        .get_runs(SHOP, &RunFilter::default())
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(paged, all);
    assert!(runs.iter().all(|r| paged.contains(r)));
    assert!(run_pages.len() >= 2, "{} pages", run_pages.len());

    let plans = client.get_plans_pages(SHOP).page_size(2);
    let plans: Vec<_> = plans.collect_all().await.unwrap();
    let names: Vec<&str> = plans.iter().map(|p| p.name.as_str()).collect();
    assert!(
        ["A", "B", "C"].iter().all(|n| names.contains(n)),
        "{names:?}"
    );
    assert_eq!(plans.len(), client.get_plans(SHOP).await.unwrap().len());
    assert!(
        paging_of(&sim, "get_plans")
            .iter()
            .any(|(l, o)| l == "2" && o == "2")
    );

    let tests = client
        .get_tests_pages(run)
        .page_size(1)
        .collect_all()
        .await
        .unwrap();
    let mut cases: Vec<CaseId> = tests.iter().filter_map(|t| t.case_id).collect();
    cases.sort();
    assert_eq!(cases, ids[..3]);
    assert_eq!(
        paging_of(&sim, "get_tests").len(),
        3,
        "3 pages of 1, the last without a next link"
    );

    let results = client
        .get_results_for_run_pages(run, &ResultFilter::default())
        .page_size(2)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(results.len(), 3);
    assert!(
        results
            .iter()
            .all(|r| r.status_id == Some(StatusId::PASSED))
    );
    let for_case = client
        .get_results_for_case_pages(run, ids[0], &ResultFilter::default())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(for_case.len(), 1);

    let sections = client
        .get_sections_pages(SHOP, Some(WEB_SHOP))
        .page_size(1)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(
        sections,
        client.get_sections(SHOP, Some(WEB_SHOP)).await.unwrap()
    );
}

#[tokio::test]
async fn ids_typed_by_users_reach_the_right_objects() {
    let sim = sim().await;
    let client = client(&sim);
    let case_id = web_shop_case_ids(&client).await[0];
    // What a user copies from TestRail's web interface.
    let typed: CaseId = case_id.prefixed().parse().unwrap();
    assert_eq!(typed, case_id);
    assert_eq!(client.get_case(typed).await.unwrap().id, case_id);
    let run_id = new_run(&client, &[case_id]).await;
    let typed: RunId = format!(" r{run_id} ").parse().unwrap();
    assert_eq!(client.get_run(typed).await.unwrap().id, run_id);
    // A case ID where a run ID is expected is refused before any request.
    let before = sim.counters().requests;
    let error = format!("C{case_id}").parse::<RunId>().unwrap_err();
    assert_eq!(error.kind, "run ID");
    assert!(error.to_string().contains("`R12`"), "{error}");
    assert_eq!(sim.counters().requests, before);
    // The IDs of a stored object decode typed, also from TestRail's string forms.
    let raw: Value = client
        .get(&format!("get_case/{case_id}"), &[])
        .await
        .unwrap();
    let mut stringly = raw.clone();
    stringly["id"] = Value::from(case_id.to_string());
    let case: testrail_api::Case = serde_json::from_value(stringly).unwrap();
    assert_eq!(case.id, case_id);
    assert_eq!(case.suite_id, Some(WEB_SHOP));
}
