//! Sending one call: limits, attempts, and turning HTTP answers into results or errors.

use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::header::{ACCEPT, CONTENT_TYPE, DATE, HeaderMap, LOCATION, RETRY_AFTER};
use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;

use super::Client;
use super::base_url::BaseUrl;
use super::endpoints::Attachment;
use super::error::{self, Error};
use super::retry;

/// One API call, ready to be sent (possibly several times).
pub(super) struct Call<'a> {
    method: &'a str,
    url: String,
    payload: Payload<'a>,
    /// Whether sending it twice is harmless.
    idempotent: bool,
    /// Whether a 2xx answer is a file's bytes (`get_attachment`), not JSON: an HTML file is
    /// then what was asked for, not a sign of a wrong base URL.
    raw: bool,
}

enum Payload<'a> {
    None,
    Json(Vec<u8>),
    File(&'a Attachment),
}

impl<'a> Call<'a> {
    pub(super) fn get(method: &'a str, url: String) -> Self {
        Self {
            method,
            url,
            payload: Payload::None,
            idempotent: true,
            raw: false,
        }
    }

    /// A GET whose answer is a file's bytes (`get_attachment`).
    pub(super) fn get_raw(method: &'a str, url: String) -> Self {
        Self {
            raw: true,
            ..Self::get(method, url)
        }
    }

    /// A JSON POST; `add_*` methods create something and are not idempotent.
    pub(super) fn post_json(method: &'a str, url: String, json: Vec<u8>) -> Self {
        Self {
            method,
            url,
            payload: Payload::Json(json),
            idempotent: !method.starts_with("add_"),
            raw: false,
        }
    }

    /// A multipart upload (never idempotent).
    pub(super) fn post_file(method: &'a str, url: String, file: &'a Attachment) -> Self {
        Self {
            method,
            url,
            payload: Payload::File(file),
            idempotent: false,
            raw: false,
        }
    }

    fn body_len(&self) -> usize {
        match &self.payload {
            Payload::None => 0,
            Payload::Json(json) => json.len(),
            Payload::File(file) => usize::try_from(file.size()).unwrap_or(usize::MAX),
        }
    }
}

/// Attempts at most for a call whose connection cannot be made (refused, no route, DNS):
/// TestRail is not there, and saying so within seconds helps more than a long wait.
const CONNECT_ATTEMPTS: u32 = 3;

/// Waits longer than this are announced on stderr, saying what they wait for.
const ANNOUNCE_WAIT: Duration = Duration::from_secs(3);

/// Longest wait between attempts to connect.
const CONNECT_WAIT_CAP: Duration = Duration::from_secs(1);

/// TestRail's clock, as its answers' `Date` headers tell it: how far it is ahead of this
/// machine's clock (negative when behind), so that time windows sent to TestRail use its
/// own time and never depend on the two clocks agreeing.
#[derive(Debug, Default)]
pub(super) struct TestRailClock {
    /// Seconds TestRail's clock is ahead of the local one; `None` before the first `Date`.
    offset: std::sync::Mutex<Option<i64>>,
}

impl TestRailClock {
    /// Notes the `Date` header of an answer received now.
    fn observe(&self, date: &str) {
        let Ok(at) = httpdate::parse_http_date(date) else {
            return;
        };
        let offset = unix_secs(at) - unix_secs(SystemTime::now());
        if let Ok(mut guard) = self.offset.lock() {
            *guard = Some(offset);
        }
    }

    /// TestRail's current time in UNIX seconds, when it has sent a `Date` header.
    fn now(&self) -> Option<u64> {
        let offset = (*self.offset.lock().ok()?)?;
        u64::try_from(unix_secs(SystemTime::now()).saturating_add(offset)).ok()
    }
}

/// UNIX seconds of a time (negative before 1970).
fn unix_secs(at: SystemTime) -> i64 {
    match at.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Why one attempt did not give an answer to return.
enum Failure {
    /// Final: return it.
    Fatal(Error),
    /// The connection could not be made: nothing was sent, so it is safe to send again,
    /// but only [`CONNECT_ATTEMPTS`] times in all.
    Unreachable(Error),
    /// Safe to send again, after `wait` (or the backoff when `None`).
    Retry {
        cause: Error,
        wait: Option<Duration>,
    },
    /// The request may have reached TestRail: send again only if idempotent.
    MaybeSent(Error),
}

impl Client {
    /// TestRail's current time (UNIX seconds) as its last answer's `Date` header tells it,
    /// whatever this machine's clock says; `None` before an answer with a `Date` header.
    pub fn testrail_now(&self) -> Option<u64> {
        self.inner.testrail_clock.now()
    }

    /// The waits between attempts to send a write again after TestRail failed on it (5xx):
    /// exponential from the configured backoff, with jitter.
    pub fn backoff_schedule(&self) -> impl Iterator<Item = Duration> + Send + use<> {
        retry::schedule(self.inner.backoff_base, self.inner.backoff_cap)
    }

    /// Sends a call, retrying as allowed, and returns the status and body of a 2xx answer.
    pub(super) async fn execute(&self, call: Call<'_>) -> Result<(u16, Vec<u8>), Error> {
        let inner = &self.inner;
        let mut attempt = 1;
        let mut waits = retry::schedule(inner.backoff_base, inner.backoff_cap);
        loop {
            let (cause, wait) = match self.attempt(&call).await {
                Ok(answer) => return Ok(answer),
                Err(Failure::Fatal(error)) => return Err(error),
                Err(Failure::Retry { cause, wait }) => (cause, wait),
                Err(Failure::Unreachable(cause)) => {
                    if attempt >= inner.max_attempts.min(CONNECT_ATTEMPTS) {
                        return Err(Error::RetriesExhausted {
                            method: call.method.to_owned(),
                            attempts: attempt,
                            last: Box::new(cause),
                        });
                    }
                    let wait = waits.next().unwrap_or(CONNECT_WAIT_CAP);
                    (cause, Some(wait.min(CONNECT_WAIT_CAP)))
                }
                Err(Failure::MaybeSent(cause)) if call.idempotent => (cause, None),
                Err(Failure::MaybeSent(cause)) => {
                    return Err(Error::Ambiguous {
                        method: call.method.to_owned(),
                        cause: Box::new(cause),
                    });
                }
            };
            if attempt >= inner.max_attempts {
                return Err(Error::RetriesExhausted {
                    method: call.method.to_owned(),
                    attempts: attempt,
                    last: Box::new(cause),
                });
            }
            let wait = match wait {
                Some(wait) => wait,
                None => waits.next().unwrap_or(inner.backoff_cap),
            };
            if wait > ANNOUNCE_WAIT {
                eprintln!(
                    "testrail: {cause}; sending {} again in {} s (attempt {} of {})",
                    call.method,
                    wait.as_secs(),
                    attempt + 1,
                    inner.max_attempts
                );
            }
            tokio::time::sleep(wait).await;
            inner.counters.retried(wait);
            attempt += 1;
        }
    }

    async fn attempt(&self, call: &Call<'_>) -> Result<(u16, Vec<u8>), Failure> {
        let inner = &self.inner;
        let queued = Instant::now();
        let _slot = inner.limiter.acquire().await;
        inner.counters.limiter_waited(queued.elapsed());
        if let Some(message) = inner.rejected.get() {
            return Err(Failure::Fatal(Error::Unauthorized {
                user: inner.user.clone(),
                message: format!("{message} (not sent again after the first rejection)"),
            }));
        }
        let _in_flight = inner.counters.sending();

        let mut request = match &call.payload {
            Payload::None => inner.http.get(&call.url),
            Payload::Json(json) => inner
                .http
                .post(&call.url)
                .header(CONTENT_TYPE, "application/json")
                .body(json.clone()),
            Payload::File(file) => {
                // Opened for every attempt: a file is streamed, never held in memory.
                let form = file.form().await.map_err(|error| {
                    Failure::Fatal(Error::File {
                        method: call.method.to_owned(),
                        path: file.describe(),
                        detail: error.to_string(),
                    })
                })?;
                inner.http.post(&call.url).multipart(form)
            }
        };
        request = request
            .header(ACCEPT, "application/json")
            .basic_auth(&inner.user, Some(inner.api_key.expose()))
            .timeout(inner.timeout);

        let response = request
            .send()
            .await
            .map_err(|e| self.transport_failure(call, &e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if let Some(date) = headers.get(DATE).and_then(|v| v.to_str().ok()) {
            inner.testrail_clock.observe(date);
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_failure(call, &e))?;
        self.classify(call, status, &headers, body.to_vec())
    }

    fn transport_failure(&self, call: &Call<'_>, error: &reqwest::Error) -> Failure {
        let method = call.method.to_owned();
        if error.is_connect() {
            // Nothing reached TestRail: safe to retry, a few times.
            return Failure::Unreachable(Error::Connection {
                method,
                base_url: self.inner.base.to_string(),
                detail: describe(error),
            });
        }
        if error.is_timeout() {
            return Failure::MaybeSent(Error::Timeout {
                method,
                timeout: self.inner.timeout,
            });
        }
        Failure::MaybeSent(Error::Connection {
            method,
            base_url: self.inner.base.to_string(),
            detail: describe(error),
        })
    }

    fn classify(
        &self,
        call: &Call<'_>,
        status: u16,
        headers: &HeaderMap,
        body: Vec<u8>,
    ) -> Result<(u16, Vec<u8>), Failure> {
        let inner = &self.inner;
        let method = call.method.to_owned();
        let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
        if (200..300).contains(&status) {
            if !call.raw && looks_like_html(&body) {
                return Err(Failure::Fatal(Error::Html {
                    method,
                    status,
                    preview: error::preview(&body),
                }));
            }
            return Ok((status, body));
        }
        let message = error_text(&body);
        if retry::is_retryable_status(status) {
            if status == 429 {
                inner.counters.rate_limited();
                let wait = retry::retry_after_wait(
                    header(RETRY_AFTER),
                    inner.retry_after_default,
                    inner.retry_after_cap,
                );
                let cause = Error::RateLimited { method, message };
                // `Retry-After: 0` would mean hammering: back off instead.
                let wait = (!wait.is_zero()).then_some(wait);
                return Err(Failure::Retry { cause, wait });
            }
            let cause = Error::Server {
                method,
                status,
                message,
            };
            // An internal error of TestRail, or a proxy's bad gateway or gateway timeout, may
            // come after the request was processed (or while it still is): such a write
            // may be stored. 503 and 409 (maintenance) come before any processing.
            if matches!(status, 500 | 502 | 504) {
                return Err(Failure::MaybeSent(cause));
            }
            let wait = header(RETRY_AFTER)
                .and_then(|v| retry::parse_retry_after(v, SystemTime::now()))
                .map(|wait| wait.min(inner.retry_after_cap));
            return Err(Failure::Retry { cause, wait });
        }
        let error = match status {
            401 => {
                let _ = inner.rejected.set(message.clone());
                Error::Unauthorized {
                    user: inner.user.clone(),
                    message,
                }
            }
            413 => Error::PayloadTooLarge {
                method,
                body_bytes: call.body_len(),
            },
            300..=399 => Error::Redirected {
                method,
                status,
                location: header(LOCATION).unwrap_or("?").to_owned(),
            },
            _ if looks_like_html(&body) => Error::Html {
                method,
                status,
                preview: error::preview(&body),
            },
            400 => Error::BadRequest { method, message },
            403 => Error::Forbidden { method, message },
            404 => Error::UnknownMethod { method, message },
            _ => Error::Status {
                method,
                status,
                message,
            },
        };
        Err(Failure::Fatal(error))
    }
}

/// An HTML page rather than JSON: a body starting with `<`. (The content type is not
/// trusted: some servers label JSON as `text/html`.)
fn looks_like_html(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// TestRail's `{"error": "..."}` text, or a preview of whatever else was sent.
fn error_text(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => match map.get("error") {
            Some(Value::String(text)) => text.clone(),
            _ => error::preview(body),
        },
        _ => error::preview(body),
    }
}

/// A network error and its causes on one line, without the URL.
fn describe(error: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(err) = source {
        let text = match err.downcast_ref::<reqwest::Error>() {
            Some(e) => e
                .to_string()
                .split(" for url (")
                .next()
                .unwrap_or("")
                .to_owned(),
            None => err.to_string(),
        };
        if !text.is_empty() && !parts.iter().any(|p: &String| p.contains(&text)) {
            parts.push(text);
        }
        source = err.source();
    }
    parts.join(": ")
}

/// A request described rather than sent, for dry runs. Holds no credentials.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestPreview {
    /// `GET` or `POST`.
    pub http_method: &'static str,
    /// The full URL.
    pub url: String,
    /// The JSON body of a POST.
    pub body: Option<Value>,
}

impl RequestPreview {
    /// Describes `GET <method>` on an instance.
    pub fn get(base: &BaseUrl, method: &str, params: &[(&str, &str)]) -> Self {
        Self {
            http_method: "GET",
            url: base.api_url(method, params.iter().copied()),
            body: None,
        }
    }

    /// Describes `POST <method>` with a JSON body on an instance.
    pub fn post<B: Serialize + ?Sized>(
        base: &BaseUrl,
        method: &str,
        body: &B,
    ) -> Result<Self, Error> {
        let body = serde_json::to_value(body).map_err(|e| Error::Encode {
            method: method.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            http_method: "POST",
            url: base.api_url(method, std::iter::empty::<(&str, &str)>()),
            body: Some(body),
        })
    }
}

impl fmt::Display for RequestPreview {
    /// `POST <url>` and, on the next line, the compact JSON body.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.http_method, self.url)?;
        if let Some(body) = &self.body {
            write!(f, "\n{body}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn testrail_clock_follows_the_date_header() {
        let clock = TestRailClock::default();
        assert_eq!(clock.now(), None);
        let behind = SystemTime::now() - Duration::from_secs(600);
        clock.observe(&httpdate::fmt_http_date(behind));
        let local = unix_secs(SystemTime::now());
        let testrail = i64::try_from(clock.now().unwrap()).unwrap();
        assert!((local - 600 - testrail).abs() <= 2, "{local} {testrail}");
        clock.observe("not a date");
        assert!(clock.now().is_some(), "a bad header keeps the last offset");
    }

    #[test]
    fn html_is_recognised() {
        assert!(looks_like_html(b"\n  <!DOCTYPE html>"));
        assert!(looks_like_html(b"<html>"));
        assert!(!looks_like_html(b"{\"a\":1}"));
        assert!(!looks_like_html(b""));
    }

    #[test]
    fn error_texts_come_from_the_error_key() {
        assert_eq!(
            error_text(br#"{"error":"Field :run_id is not a valid test run."}"#),
            "Field :run_id is not a valid test run."
        );
        assert_eq!(error_text(b"<h1>Bad Gateway</h1>"), "<h1>Bad Gateway</h1>");
        assert_eq!(error_text(br#"{"error":3}"#), r#"{"error":3}"#);
        assert_eq!(error_text(b""), "(empty body)");
    }

    #[test]
    fn previews_hold_url_and_body() {
        let base = BaseUrl::parse("https://acme.testrail.io").unwrap();
        let get = RequestPreview::get(&base, "get_cases/1", &[("suite_id", "2")]);
        assert_eq!(
            get.to_string(),
            "GET https://acme.testrail.io/index.php?/api/v2/get_cases/1&suite_id=2"
        );
        let post = RequestPreview::post(&base, "close_run/3", &serde_json::json!({})).unwrap();
        assert_eq!(
            post.to_string(),
            "POST https://acme.testrail.io/index.php?/api/v2/close_run/3\n{}"
        );
    }
}
