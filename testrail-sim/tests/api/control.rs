//! The control API and the library handle: log, counters, state, reset, clock,
//! persistence, the blocking `spawn`, and the binary.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use testrail_sim::{FaultKind, FaultRule, Fixture, SimConfig, Simulator};

use crate::common::Tr;

#[tokio::test]
async fn request_log() {
    let tr = Tr::demo().await;
    tr.get("get_project/1").await.ok();
    tr.post("add_run/1", json!({"suite_id": 1, "name": "logged"}))
        .await
        .ok();
    tr.as_user("x@y", "z").get("get_projects").await;
    let log = tr.control(Method::GET, "log", None).await.ok().clone();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(
        (log[0]["method"].as_str(), log[0]["endpoint"].as_str()),
        (Some("GET"), Some("get_project"))
    );
    assert_eq!(log[0]["route"], "get_project/1");
    assert_eq!(log[1]["status"], 200);
    assert_eq!(
        log[1]["body_size"],
        json!({"suite_id": 1, "name": "logged"}).to_string().len()
    );
    assert!(log[1]["response_size"].as_u64().unwrap() > 100);
    assert_eq!(log[1]["user"], "admin@shop.test");
    assert_eq!(log[2]["status"], 401);
    assert_eq!(log[0]["in_flight"], 1);
    assert!(log[0]["time"].as_f64().unwrap() > 1.0e9);
    let since = tr
        .control(Method::GET, "log?since=2", None)
        .await
        .ok()
        .clone();
    assert_eq!(since.as_array().unwrap().len(), 1);
    // Control requests are not logged.
    assert_eq!(tr.sim.log().len(), 3);
    assert_eq!(
        tr.control(Method::DELETE, "log", None)
            .await
            .status
            .as_u16(),
        204
    );
    assert!(tr.sim.log().is_empty());
    assert_eq!(tr.sim.counters().requests, 0);
}

#[tokio::test]
async fn counters_track_peaks() {
    let tr = Tr::demo().await;
    tr.sim
        .add_fault(FaultRule::new(FaultKind::Latency { ms: 200 }).on("get_case"));
    let calls = (1..=5).map(|i| {
        let tr = &tr;
        async move { tr.get(&format!("get_case/{i}")).await }
    });
    for r in futures_join(calls).await {
        r.ok();
    }
    tr.get("get_project/1").await.ok();
    let c = tr.control(Method::GET, "counters", None).await.ok().clone();
    assert_eq!(c["requests"], 6);
    assert_eq!(c["per_endpoint"]["get_case"], 5);
    assert_eq!(c["per_status"]["200"], 6);
    assert_eq!(c["peak_in_flight"], 5);
    assert_eq!(c["peak_per_minute"], 6);
    assert_eq!(c["in_flight"], 0);
    assert_eq!(c["rate_limited"], 0);
}

/// Runs futures concurrently on the current task.
async fn futures_join<F: std::future::Future>(fs: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = fs.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = handles.iter().map(|_| None).collect();
    let mut handles: Vec<_> = handles.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (h, out) in handles.iter_mut().zip(outputs.iter_mut()) {
            if let Some(f) = h {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        *out = Some(v);
                        *h = None;
                    }
                    std::task::Poll::Pending => done = false,
                }
            }
        }
        if done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("finished")).collect()
}

#[tokio::test]
async fn full_state_and_collections() {
    let tr = Tr::demo().await;
    let run = tr.run_with(&[1, 2]).await;
    tr.post(
        &format!("add_results_for_cases/{run}"),
        json!({"results": [{"case_id": 2, "status_id": 5}]}),
    )
    .await
    .ok();
    let st = tr
        .control(Method::GET, "state?only=runs,tests,results", None)
        .await
        .ok()
        .clone();
    assert_eq!(st["runs"][0]["failed_count"], 1);
    assert_eq!(st["tests"].as_array().unwrap().len(), 2);
    assert_eq!(
        (
            st["results"][0]["case_id"].as_u64(),
            st["results"][0]["run_id"].as_u64()
        ),
        (Some(2), Some(run))
    );
    assert!(st.get("cases").is_none());
    let full = tr.control(Method::GET, "state", None).await.ok().clone();
    assert_eq!(full["cases"].as_array().unwrap().len(), 260);
    assert_eq!(
        tr.control(Method::GET, "state/plans", None)
            .await
            .ok()
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        tr.control(Method::GET, "state?only=nope", None)
            .await
            .status
            .as_u16(),
        400
    );
    // The typed view.
    let state = tr.sim.state();
    assert_eq!(state.results_for_case(run, 2)[0].status_id, Some(5));
    assert_eq!(state.latest_run().unwrap().id, run);
    let cfg = tr.control(Method::GET, "config", None).await.ok().clone();
    assert_eq!(
        (cfg["user"].as_str(), cfg["api_key"].as_str()),
        (Some("admin@shop.test"), Some("admin-api-key"))
    );
}

#[tokio::test]
async fn reset_goes_back_to_the_seed() {
    let mut fixture = Fixture::demo();
    fixture
        .faults
        .push(FaultRule::new(FaultKind::Latency { ms: 1 }));
    let tr = Tr::with(fixture).await;
    assert_eq!(tr.sim.faults().len(), 1);
    tr.sim
        .add_fault(FaultRule::new(FaultKind::Maintenance).on("get_case"));
    tr.run_with(&[1]).await;
    tr.post("update_case/1", json!({"title": "changed"}))
        .await
        .ok();
    let r = tr.control(Method::POST, "reset", None).await;
    r.ok();
    assert!(tr.sim.with_state(|s| s.runs.is_empty()));
    assert_eq!(
        tr.get("get_case/1").await.ok()["title"],
        "Adding an item grows the cart"
    );
    assert_eq!(tr.sim.faults().len(), 1);
    assert_eq!(tr.sim.log().len(), 1);
    // Ids start again from the seed's.
    assert_eq!(tr.run_with(&[1]).await, 1);
}

#[tokio::test]
async fn clock_control() {
    let tr = Tr::demo().await;
    let c = tr
        .control(
            Method::POST,
            "clock",
            Some(json!({"freeze": true, "set": 2_000_000_000})),
        )
        .await
        .ok()
        .clone();
    assert_eq!(
        (c["now"].as_i64(), c["frozen"].as_bool()),
        (Some(2_000_000_000), Some(true))
    );
    let c = tr
        .control(Method::POST, "clock", Some(json!({"advance": 60})))
        .await
        .ok()
        .clone();
    assert_eq!(c["now"], 2_000_000_060);
    let run = tr
        .post("add_run/1", json!({"suite_id": 1}))
        .await
        .ok()
        .clone();
    assert_eq!(run["created_on"], 2_000_000_060);
    // Like TestRail's web server, answers carry the server's time: the simulated clock.
    let answer = tr.get("get_run/1").await;
    assert_eq!(
        answer.headers["date"].to_str().unwrap(),
        "Wed, 18 May 2033 03:34:20 GMT",
        "Date follows the simulated clock"
    );
    assert_eq!(
        tr.get("get_runs/1&created_after=2000000061").await.ok()["size"],
        0
    );
    assert_eq!(
        tr.control(Method::GET, "clock", None).await.ok()["now"],
        2_000_000_060
    );
    assert_eq!(
        tr.control(Method::POST, "clock", Some(json!({"sett": 1})))
            .await
            .status
            .as_u16(),
        400
    );
}

#[tokio::test]
async fn persisted_state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let config = || SimConfig {
        persist: Some(path.clone()),
        ..SimConfig::new(Fixture::demo())
    };
    let sim = Simulator::start_with(config()).await.unwrap();
    let http = reqwest::Client::new();
    let r = http
        .post(sim.api_url("add_run/1"))
        .basic_auth(sim.email(), Some(sim.api_key()))
        .json(&json!({"suite_id": 1, "name": "kept"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert!(sim.persist().unwrap());
    drop(sim);
    let again = Simulator::start_with(config()).await.unwrap();
    assert_eq!(again.with_state(|s| s.runs[&1].name.clone()), "kept");
    // Reset still goes back to the seed, not to the file.
    again.reset();
    assert!(again.with_state(|s| s.runs.is_empty()));
}

fn raw_get(addr: std::net::SocketAddr, path: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n"
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

#[test]
fn spawn_serves_plain_tests_and_stops_on_drop() {
    let sim = Simulator::spawn(Fixture::demo()).unwrap();
    assert!(sim.base_url().starts_with("http://127.0.0.1:"));
    assert_eq!(sim.base_url(), format!("http://{}/", sim.addr()));
    let resp = raw_get(sim.addr(), "/__sim/health").unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    let addr = sim.addr();
    drop(sim);
    assert!(
        raw_get(addr, "/__sim/health").is_err(),
        "the port is closed after drop"
    );
}

#[test]
fn the_binary_prints_what_scripts_need_and_takes_fault_flags() {
    let bin = env!("CARGO_BIN_EXE_testrail-sim");
    let mut child = Command::new(bin)
        .args(["--port", "0", "--fault", "status:502@get_projects*1"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut env = std::collections::HashMap::new();
    while !env.contains_key("TESTRAIL_SIM_CONTROL") {
        let line = lines.next().expect("a line").unwrap();
        if let Some((k, v)) = line.split_once('=') {
            env.insert(k.to_string(), v.to_string());
        }
    }
    let url = &env["TESTRAIL_URL"];
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with('/'));
    assert_eq!(env["TESTRAIL_USER"], "admin@shop.test");
    assert_eq!(env["TESTRAIL_API_KEY"], "admin-api-key");
    let addr: std::net::SocketAddr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let faults = raw_get(addr, "/__sim/faults").unwrap();
    assert!(faults.contains("\"server_error\""), "{faults}");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn the_binary_generates_large_fixtures() {
    let out = Command::new(env!("CARGO_BIN_EXE_testrail-sim"))
        .args(["generate", "--cases", "3000", "--suites", "2"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let fixture = Fixture::from_json(std::str::from_utf8(&out.stdout).unwrap()).unwrap();
    let st = fixture.build().unwrap();
    assert_eq!(st.cases.len(), 3000);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["projects"][0]["suites"][1]["name"], "Web Shop 2");
}
