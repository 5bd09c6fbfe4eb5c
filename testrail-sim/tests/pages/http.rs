//! Every page over plain HTTP: status, what it lists, escaping, 404s, login.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use testrail_sim::{Fixture, SimConfig, Simulator, WebLogin};

use crate::{FAILED_STEP, FAILED_STEP_ACTUAL, seed};

async fn get(url: &str) -> (StatusCode, String) {
    let resp = reqwest::get(url).await.expect("the simulator answers");
    let status = resp.status();
    let html = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let text = resp.text().await.unwrap_or_default();
    assert!(html, "{url} answers HTML");
    (status, text)
}

#[tokio::test]
async fn run_page_shows_each_test_with_its_status_colour_result_and_steps() {
    let sim = Simulator::start(Fixture::demo()).await.unwrap();
    let seeded = seed(&sim).await;
    let (status, page) = get(&sim.page_url(&format!("runs/view/{}", seeded.run_id))).await;
    assert_eq!(status, StatusCode::OK);
    // The failed test's row is in Failed's bright colour and says why it failed.
    let bright = |status: u64| {
        let rgb = sim.with_state(|s| s.status(status).unwrap().color_bright);
        format!("background-color:#{rgb:06x}")
    };
    let failed = section_of(&page, "data-case-id=\"2\"");
    assert!(failed.contains("data-status=\"failed\""), "{failed}");
    assert!(failed.contains(&bright(5)), "{failed}");
    assert!(
        failed.contains("assertion failed: cart.len() == 2"),
        "{failed}"
    );
    assert!(failed.contains(FAILED_STEP) && failed.contains(FAILED_STEP_ACTUAL));
    assert!(failed.contains("1m 3s") && failed.contains("SHOP-42"));
    assert!(failed.contains("Environment: headless"), "{failed}");
    // The passed one is green, the untested one grey.
    let passed = section_of(&page, "data-case-id=\"1\"");
    assert!(passed.contains(&bright(1)), "{passed}");
    assert!(passed.contains("passed on the first attempt"));
    let untested = section_of(&page, "data-case-id=\"3\"");
    assert!(untested.contains("data-status=\"untested\""), "{untested}");
    // Titles, the section path and the summary.
    let title = sim.with_state(|s| s.cases[&1].title.clone());
    assert!(passed.contains(&title), "{passed}");
    assert!(page.contains("Cart › Adding items"));
    assert!(page.contains("1 Passed") && page.contains("1 Failed") && page.contains("1 Untested"));
}

/// The HTML of one test: from the `<tbody` holding `marker` to its `</tbody>`.
fn section_of<'a>(page: &'a str, marker: &str) -> &'a str {
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {page}"));
    let start = page[..at].rfind("<tbody").unwrap_or(at);
    let end = page[at..].find("</tbody>").map_or(page.len(), |e| at + e);
    &page[start..end]
}

#[tokio::test]
async fn user_text_is_shown_as_text_not_markup() {
    let sim = Simulator::start(Fixture::demo()).await.unwrap();
    let seeded = seed(&sim).await;
    let (_, page) = get(&sim.page_url(&format!("runs/view/{}", seeded.run_id))).await;
    assert!(
        !page.contains("<script>"),
        "a comment's markup reached the page"
    );
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<b>build</b>"));
    assert!(page.contains("Nightly &lt;b&gt;build&lt;/b&gt;"));
}

#[tokio::test]
async fn unknown_ids_and_pages_get_a_readable_404() {
    let sim = Simulator::start(Fixture::demo()).await.unwrap();
    for (route, says) in [
        ("runs/view/999", "There is no test run R999"),
        ("plans/view/999", "There is no test plan R999"),
        ("suites/view/999", "There is no test suite S999"),
        ("cases/view/999", "There is no test case C999"),
        ("runs/view/abc", "no page at index.php?/runs/view/abc"),
        (
            "milestones/view/1",
            "no page at index.php?/milestones/view/1",
        ),
    ] {
        let (status, page) = get(&sim.page_url(route)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{route}");
        assert!(page.contains(says), "{route}: {page}");
        assert!(page.contains("href=\"index.php?/dashboard\""), "{route}");
    }
}

#[tokio::test]
async fn plan_page_lists_its_entries_and_their_runs() {
    let sim = Simulator::start(Fixture::demo()).await.unwrap();
    let seeded = seed(&sim).await;
    let (status, page) = get(&sim.page_url(&format!("plans/view/{}", seeded.plan_id))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Release 1.1") && page.contains("Browsers"));
    let runs = sim.with_state(|s| {
        s.runs
            .values()
            .filter(|r| r.plan_id == Some(seeded.plan_id))
            .map(|r| (r.id, r.config.clone().unwrap_or_default()))
            .collect::<Vec<_>>()
    });
    assert_eq!(runs.len(), 2);
    for (id, config) in runs {
        assert!(page.contains(&format!("href=\"index.php?/runs/view/{id}\"")));
        assert!(page.contains(&config), "{config}");
    }
}

#[tokio::test]
async fn suite_page_lists_sections_and_cases_in_order() {
    let sim = Simulator::start(Fixture::demo()).await.unwrap();
    let (status, page) = get(&sim.page_url("suites/view/1")).await;
    assert_eq!(status, StatusCode::OK);
    let (first_case, last_case) = sim.with_state(|s| {
        let mut cases: Vec<_> = s.suite_cases(1).map(|c| c.id).collect();
        cases.sort();
        (cases[0], *cases.last().unwrap())
    });
    let cart = page.find("Cart › Adding items").expect("the first section");
    let first = page
        .find(&format!("href=\"index.php?/cases/view/{first_case}\""))
        .expect("the first case");
    let last = page
        .find(&format!("href=\"index.php?/cases/view/{last_case}\""))
        .expect("the last case");
    assert!(cart < first && first < last);
}

#[tokio::test]
async fn case_page_shows_its_fields_and_its_tests() {
    let sim = Simulator::start(Fixture::demo()).await.unwrap();
    let seeded = seed(&sim).await;
    let title = sim.with_state(|s| s.cases[&2].title.clone());
    let (status, page) = get(&sim.page_url("cases/view/2")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("C2 · {title}")), "{page}");
    assert!(page.contains("Automation ID"));
    assert!(page.contains(&format!("href=\"index.php?/runs/view/{}\"", seeded.run_id)));
    assert!(page.contains("data-status=\"failed\""));
}

#[tokio::test]
async fn dashboard_lists_projects_runs_plans_and_suites() {
    let sim = Simulator::start(Fixture::demo()).await.unwrap();
    let seeded = seed(&sim).await;
    for url in [sim.base_url().to_string(), sim.page_url("dashboard")] {
        let (status, page) = get(&url).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        assert!(page.contains("Shop"));
        assert!(page.contains(&format!("href=\"index.php?/runs/view/{}\"", seeded.run_id)));
        assert!(page.contains(&format!(
            "href=\"index.php?/plans/view/{}\"",
            seeded.plan_id
        )));
        assert!(page.contains("href=\"index.php?/suites/view/1\"") && page.contains("Web Shop"));
        assert!(page.contains("local access (loopback, no login)"));
    }
}

#[tokio::test]
async fn pages_are_read_only() {
    let sim = Simulator::start(Fixture::demo()).await.unwrap();
    let resp = reqwest::Client::new()
        .post(sim.page_url("runs/view/1"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(resp.text().await.unwrap().contains("read-only"));
}

#[tokio::test]
async fn with_login_always_a_session_cookie_opens_the_pages() {
    let config = SimConfig {
        web_login: WebLogin::Always,
        ..SimConfig::new(Fixture::demo())
    };
    let sim = Simulator::start_with(config).await.unwrap();
    let seeded = seed(&sim).await;
    let run_url = sim.page_url(&format!("runs/view/{}", seeded.run_id));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // No cookie: the login form, returning to the run.
    let (status, page) = get(&run_url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<title>Login - TestRail</title>"));
    assert!(page.contains(&format!("value=\"/runs/view/{}\"", seeded.run_id)));
    assert!(
        !page.contains("Nightly"),
        "the run is not shown before logging in"
    );

    let login = |password: &str| {
        http.post(sim.page_url("auth/login/"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(format!(
                "name={}&password={password}&return=%2Fruns%2Fview%2F{}",
                sim.email().replace('@', "%40"),
                seeded.run_id
            ))
            .send()
    };
    // A wrong password: the form again, saying so; an API key is not a password.
    for wrong in ["nope", sim.api_key()] {
        let resp = login(wrong).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(resp.headers().get(SET_COOKIE).is_none());
        assert!(resp.text().await.unwrap().contains("Password is incorrect"));
    }
    // The printed user and password: a session cookie and back to the run.
    let resp = login(sim.password()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        resp.headers()[LOCATION],
        format!("index.php?/runs/view/{}", seeded.run_id).as_str()
    );
    let cookie = resp.headers()[SET_COOKIE].to_str().unwrap().to_string();
    let cookie = cookie.split(';').next().unwrap().to_string();
    assert!(cookie.starts_with("tr_session="), "{cookie}");
    let page = http
        .get(&run_url)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Nightly &lt;b&gt;build&lt;/b&gt;"));
    assert!(page.contains("Ada Admin") && page.contains("Log out"));

    // Logging out ends the session.
    let resp = http
        .get(sim.page_url("auth/logout"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let page = http
        .get(&run_url)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<title>Login - TestRail</title>"));
}

#[tokio::test]
async fn the_api_and_the_pages_share_the_front_controller() {
    let sim = Simulator::start(Fixture::demo()).await.unwrap();
    let resp = reqwest::Client::new()
        .get(sim.api_url("get_run/1"))
        .basic_auth(sim.email(), Some(sim.api_key()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Field :run_id is not a valid test run.")
    );
    let (status, page) = get(&sim.page_url("runs/view/1")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("There is no test run R1"));
}

/// An address of this machine on an interface other than loopback (the one the default
/// route leaves by), if there is one. A UDP "connection" sends nothing.
fn non_loopback_ip() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn by_default_only_a_client_off_the_loopback_interface_logs_in() {
    let Some(ip) = non_loopback_ip() else {
        eprintln!(
            "skipped: the pages' login for clients off the loopback interface, because this machine has no other interface"
        );
        return;
    };
    let config = SimConfig {
        host: "0.0.0.0".parse().unwrap(),
        ..SimConfig::new(Fixture::demo())
    };
    let sim = Simulator::start_with(config).await.unwrap();
    let remote = format!("http://{ip}:{}/index.php?/dashboard", sim.addr().port());
    let (status, page) = get(&remote).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<title>Login - TestRail</title>"),
        "{remote} asks for a login: {page}"
    );
    assert!(!page.contains("Test Runs"));
    let (_, page) = get(&sim.page_url("dashboard")).await;
    assert!(page.contains("Test Runs"), "loopback needs no login");
}
