//! Shared helpers: a simulator on the test's runtime and a small TestRail client.

use reqwest::StatusCode;
use serde_json::Value;
use testrail_sim::{Fixture, Simulator};

/// A simulator with the demo fixture and a client logged in as its default user.
pub struct Tr {
    pub sim: Simulator,
    pub http: reqwest::Client,
    pub user: String,
    pub secret: String,
}

/// A response: status, JSON body (`Null` when empty, a string when not JSON), headers.
pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Resp {
    /// The `error` text of an error answer.
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }

    /// Asserts a status and error text.
    #[track_caller]
    pub fn assert_error(&self, status: u16, text: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert_eq!(self.error(), text);
    }

    /// Asserts 200 and returns the body.
    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.text);
        &self.body
    }
}

pub async fn read(resp: reqwest::Response) -> Resp {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text.clone()))
    };
    Resp {
        status,
        body,
        text,
        headers,
    }
}

impl Tr {
    /// Starts a simulator with the demo fixture.
    pub async fn demo() -> Tr {
        Tr::with(Fixture::demo()).await
    }

    /// Starts a simulator with a fixture.
    pub async fn with(f: Fixture) -> Tr {
        let sim = Simulator::start(f).await.expect("simulator starts");
        let user = sim.email().to_string();
        let secret = sim.api_key().to_string();
        Tr {
            sim,
            http: reqwest::Client::new(),
            user,
            secret,
        }
    }

    /// The same server, another user.
    pub fn as_user(&self, email: &str, secret: &str) -> Tr2<'_> {
        Tr2 {
            tr: self,
            user: email.to_string(),
            secret: secret.to_string(),
        }
    }

    pub async fn get(&self, route: &str) -> Resp {
        self.as_user(&self.user, &self.secret).get(route).await
    }

    pub async fn post(&self, route: &str, body: Value) -> Resp {
        self.as_user(&self.user, &self.secret)
            .post(route, body)
            .await
    }

    /// A POST with no body at all (`Content-Length: 0`).
    pub async fn post_empty(&self, route: &str) -> Resp {
        let r = self
            .http
            .post(self.sim.api_url(route))
            .basic_auth(&self.user, Some(&self.secret))
            .send()
            .await;
        read(r.expect("request")).await
    }

    /// A control API call.
    pub async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Resp {
        let mut rb = self
            .http
            .request(method, format!("{}{path}", self.sim.control_url()));
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        read(rb.send().await.expect("control request")).await
    }

    /// Adds a run of suite 1 holding the given cases; returns its id.
    pub async fn run_with(&self, case_ids: &[u64]) -> u64 {
        let r = self
            .post("add_run/1", serde_json::json!({"suite_id": 1, "name": "r", "include_all": false, "case_ids": case_ids}))
            .await;
        r.ok()["id"].as_u64().unwrap()
    }
}

/// Requests as a specific user.
pub struct Tr2<'a> {
    tr: &'a Tr,
    user: String,
    secret: String,
}

impl Tr2<'_> {
    pub async fn get(&self, route: &str) -> Resp {
        let r = self
            .tr
            .http
            .get(self.tr.sim.api_url(route))
            .basic_auth(&self.user, Some(&self.secret))
            .send()
            .await;
        read(r.expect("request")).await
    }

    pub async fn post(&self, route: &str, body: Value) -> Resp {
        let r = self
            .tr
            .http
            .post(self.tr.sim.api_url(route))
            .basic_auth(&self.user, Some(&self.secret))
            .json(&body)
            .send()
            .await;
        read(r.expect("request")).await
    }
}
