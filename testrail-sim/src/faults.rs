//! Faults on demand, expressed as rules:
//! `{endpoint: optional method name, kind, count: optional N (then it clears),
//!   after: optional M (skip the first M matching requests)}`.
//!
//! Rules are evaluated in order for every API request. Delays (`latency`, `hang`) add up;
//! the first rule that decides the request's fate (an error answer, a dropped
//! connection) ends the evaluation. A rule whose `count` is used up is removed.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// What a fault does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Delays the request by `ms` before it is handled.
    Latency {
        /// Delay in milliseconds.
        ms: u64,
    },
    /// Allows `limit` requests per window (a minute by default), then answers 429 with
    /// `Retry-After` (seconds until the window ends, or `retry_after` when given).
    RateLimit {
        /// Requests allowed per window.
        limit: u32,
        /// Window length in milliseconds (default 60000).
        #[serde(default = "minute_ms")]
        window_ms: u64,
        /// Fixed `Retry-After` value in seconds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// 429 with a `Retry-After` header of `secs` seconds (default 1).
    TooManyRequests {
        /// `Retry-After` in seconds.
        #[serde(default = "one")]
        secs: u64,
    },
    /// 429 without a `Retry-After` header.
    TooManyRequestsNoRetryAfter,
    /// A server or proxy error (500, 502, 503, 504): a JSON `error` body, or an nginx-style
    /// HTML page when `html` is set.
    ServerError {
        /// HTTP status.
        status: u16,
        /// HTML body instead of JSON.
        #[serde(default)]
        html: bool,
    },
    /// 409: the instance is in maintenance.
    Maintenance,
    /// Closes the connection without an answer and without handling the request.
    DropBefore,
    /// Handles the request (its effect is stored), then closes the connection without an
    /// answer: the case that makes clients post twice.
    DropAfter,
    /// Waits `ms` (default 30000) before handling the request: past the client's timeout,
    /// the effect is still stored when the wait ends.
    Hang {
        /// Wait in milliseconds.
        #[serde(default = "hang_ms")]
        ms: u64,
    },
    /// TestRail's HTML login page with status 200 (what a wrong base URL gets).
    LoginPage,
    /// 413 (HTML) for request bodies larger than `bytes`.
    BodyLimit {
        /// Largest accepted body.
        bytes: u64,
    },
    /// 401 with TestRail's text (credentials revoked), whatever the credentials.
    Unauthorized,
}

fn minute_ms() -> u64 {
    60_000
}
fn one() -> u64 {
    1
}
fn hang_ms() -> u64 {
    30_000
}

/// A fault rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// Assigned by the simulator when the rule is added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// API method the rule applies to (e.g. `add_results_for_cases`); a trailing `*`
    /// matches a prefix (`get_*`); absent: every API request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// What happens.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Fire this many times, then clear. Absent: forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Let the first M matching requests through untouched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u32>,
}

impl FaultRule {
    /// A rule for every endpoint, firing forever.
    pub fn new(kind: FaultKind) -> Self {
        FaultRule {
            id: None,
            endpoint: None,
            kind,
            count: None,
            after: None,
        }
    }

    /// Restricts the rule to one API method.
    pub fn on(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Fires `n` times, then clears.
    pub fn times(mut self, n: u32) -> Self {
        self.count = Some(n);
        self
    }

    /// Skips the first `m` matching requests.
    pub fn after(mut self, m: u32) -> Self {
        self.after = Some(m);
        self
    }

    /// Whether the rule applies to an endpoint.
    pub fn matches(&self, endpoint: &str) -> bool {
        match self.endpoint.as_deref() {
            None | Some("") | Some("*") => true,
            Some(p) => match p.strip_suffix('*') {
                Some(prefix) => endpoint.starts_with(prefix),
                None => p == endpoint,
            },
        }
    }

    /// Parses the short form used on the command line:
    /// `kind[:arg][@endpoint][*count][+after]`, e.g. `status:502@add_results_for_cases*3`,
    /// `latency:200`, `rate_limit:60`, `drop_after@add_results_for_cases*1`. A text
    /// starting with `{` is read as a JSON rule instead.
    pub fn parse(text: &str) -> Result<FaultRule, String> {
        let text = text.trim();
        if text.starts_with('{') {
            return serde_json::from_str(text).map_err(|e| format!("bad fault rule {text:?}: {e}"));
        }
        let (mut head, mut after) = (text, None);
        if let Some((h, a)) = head.rsplit_once('+') {
            after = Some(
                a.parse::<u32>()
                    .map_err(|_| format!("bad +after in {text:?}"))?,
            );
            head = h;
        }
        let mut count = None;
        if let Some((h, c)) = head.rsplit_once('*')
            && !c.is_empty()
        {
            count = Some(
                c.parse::<u32>()
                    .map_err(|_| format!("bad *count in {text:?}"))?,
            );
            head = h;
        }
        let mut endpoint = None;
        if let Some((h, e)) = head.split_once('@') {
            endpoint = Some(e.to_string());
            head = h;
        }
        let (kind, arg) = match head.split_once(':') {
            Some((k, a)) => (k, Some(a)),
            None => (head, None),
        };
        let num = |what: &str| -> Result<u64, String> {
            arg.ok_or_else(|| format!("{kind} needs :{what} in {text:?}"))?
                .parse::<u64>()
                .map_err(|_| format!("bad {what} in {text:?}"))
        };
        let kind = match kind {
            "latency" => FaultKind::Latency { ms: num("ms")? },
            "rate_limit" => FaultKind::RateLimit {
                limit: num("limit")? as u32,
                window_ms: minute_ms(),
                retry_after: None,
            },
            "too_many_requests" | "429" => FaultKind::TooManyRequests {
                secs: arg.map_or(Ok(1), |_| num("secs"))?,
            },
            "too_many_requests_no_retry_after" | "429_no_retry_after" => {
                FaultKind::TooManyRequestsNoRetryAfter
            }
            "status" | "server_error" => FaultKind::ServerError {
                status: num("status")? as u16,
                html: false,
            },
            "html_status" => FaultKind::ServerError {
                status: num("status")? as u16,
                html: true,
            },
            "maintenance" | "409" => FaultKind::Maintenance,
            "drop_before" => FaultKind::DropBefore,
            "drop_after" => FaultKind::DropAfter,
            "hang" => FaultKind::Hang {
                ms: arg.map_or(Ok(hang_ms()), |_| num("ms"))?,
            },
            "login_page" => FaultKind::LoginPage,
            "body_limit" | "413" => FaultKind::BodyLimit {
                bytes: num("bytes")?,
            },
            "unauthorized" | "401" => FaultKind::Unauthorized,
            other => return Err(format!("unknown fault kind {other:?} in {text:?}")),
        };
        Ok(FaultRule {
            id: None,
            endpoint,
            kind,
            count,
            after,
        })
    }
}

/// What a fault makes of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Answer 429; with a `Retry-After` of that many seconds when set.
    TooManyRequests(Option<u64>),
    /// Answer a 5xx, JSON or HTML.
    ServerError {
        /// Status.
        status: u16,
        /// HTML body.
        html: bool,
    },
    /// Answer 409.
    Maintenance,
    /// Close the connection before handling.
    DropBefore,
    /// Handle, then close the connection without answering.
    DropAfter,
    /// Answer the login page with 200.
    LoginPage,
    /// Answer 413.
    PayloadTooLarge,
    /// Answer 401.
    Unauthorized,
}

/// The outcome of evaluating the rules for one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    /// Total delay before anything else happens.
    pub delay: Duration,
    /// The request's fate, when a fault decides it.
    pub action: Option<Action>,
    /// Kinds of the rules that fired, for the request log.
    pub fired: Vec<String>,
}

/// A rule with its bookkeeping, as the control API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveFault {
    /// The rule (with its id).
    #[serde(flatten)]
    pub rule: FaultRule,
    /// Matching requests seen so far.
    pub seen: u32,
    /// Times it fired.
    pub fired: u32,
    #[serde(skip)]
    window: Option<(Instant, u32)>,
}

/// The live set of rules.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    rules: Vec<ActiveFault>,
    last_id: u64,
}

impl Faults {
    /// Adds a rule at the end; returns its id.
    pub fn add(&mut self, mut rule: FaultRule) -> u64 {
        self.last_id += 1;
        rule.id = Some(self.last_id);
        self.rules.push(ActiveFault {
            rule,
            seen: 0,
            fired: 0,
            window: None,
        });
        self.last_id
    }

    /// Removes one rule; whether it existed.
    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.rule.id != Some(id));
        before != self.rules.len()
    }

    /// Removes every rule.
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The rules with their counters.
    pub fn list(&self) -> Vec<ActiveFault> {
        self.rules.clone()
    }

    /// Evaluates the rules for a request to `endpoint` with a body of `body_len` bytes.
    pub fn evaluate(&mut self, endpoint: &str, body_len: u64, now: Instant) -> Decision {
        let mut d = Decision::default();
        for active in self.rules.iter_mut() {
            if !active.rule.matches(endpoint) {
                continue;
            }
            active.seen += 1;
            if active.seen <= active.rule.after.unwrap_or(0) {
                continue;
            }
            let action = match &active.rule.kind {
                FaultKind::Latency { ms } | FaultKind::Hang { ms } => {
                    d.delay += Duration::from_millis(*ms);
                    None
                }
                FaultKind::RateLimit {
                    limit,
                    window_ms,
                    retry_after,
                } => {
                    let window = Duration::from_millis(*window_ms);
                    let (start, n) = match active.window {
                        Some((start, n)) if now.duration_since(start) < window => (start, n + 1),
                        _ => (now, 1),
                    };
                    active.window = Some((start, n));
                    if n <= *limit {
                        continue;
                    }
                    let left = window.saturating_sub(now.duration_since(start));
                    let secs = retry_after
                        .unwrap_or_else(|| left.as_millis().div_ceil(1000).max(1) as u64);
                    Some(Action::TooManyRequests(Some(secs)))
                }
                FaultKind::TooManyRequests { secs } => Some(Action::TooManyRequests(Some(*secs))),
                FaultKind::TooManyRequestsNoRetryAfter => Some(Action::TooManyRequests(None)),
                FaultKind::ServerError { status, html } => Some(Action::ServerError {
                    status: *status,
                    html: *html,
                }),
                FaultKind::Maintenance => Some(Action::Maintenance),
                FaultKind::DropBefore => Some(Action::DropBefore),
                FaultKind::DropAfter => Some(Action::DropAfter),
                FaultKind::LoginPage => Some(Action::LoginPage),
                FaultKind::BodyLimit { bytes } => {
                    if body_len <= *bytes {
                        continue;
                    }
                    Some(Action::PayloadTooLarge)
                }
                FaultKind::Unauthorized => Some(Action::Unauthorized),
            };
            active.fired += 1;
            d.fired.push(kind_name(&active.rule.kind).to_string());
            if action.is_some() {
                d.action = action;
                break;
            }
        }
        self.rules
            .retain(|r| r.rule.count.is_none_or(|c| r.fired < c));
        d
    }
}

/// The serialized name of a kind (`server_error`, `drop_after`, ...).
pub fn kind_name(kind: &FaultKind) -> &'static str {
    match kind {
        FaultKind::Latency { .. } => "latency",
        FaultKind::RateLimit { .. } => "rate_limit",
        FaultKind::TooManyRequests { .. } => "too_many_requests",
        FaultKind::TooManyRequestsNoRetryAfter => "too_many_requests_no_retry_after",
        FaultKind::ServerError { .. } => "server_error",
        FaultKind::Maintenance => "maintenance",
        FaultKind::DropBefore => "drop_before",
        FaultKind::DropAfter => "drop_after",
        FaultKind::Hang { .. } => "hang",
        FaultKind::LoginPage => "login_page",
        FaultKind::BodyLimit { .. } => "body_limit",
        FaultKind::Unauthorized => "unauthorized",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_form() {
        let r = FaultRule::parse("status:502@add_results_for_cases*3+1").unwrap();
        assert_eq!(
            r.kind,
            FaultKind::ServerError {
                status: 502,
                html: false
            }
        );
        assert_eq!(r.endpoint.as_deref(), Some("add_results_for_cases"));
        assert_eq!((r.count, r.after), (Some(3), Some(1)));
        assert_eq!(
            FaultRule::parse("latency:20").unwrap().kind,
            FaultKind::Latency { ms: 20 }
        );
        assert!(FaultRule::parse("bogus").is_err());
        let j =
            FaultRule::parse(r#"{"kind":"drop_after","endpoint":"add_run","count":1}"#).unwrap();
        assert_eq!(
            j,
            FaultRule::new(FaultKind::DropAfter).on("add_run").times(1)
        );
    }

    #[test]
    fn count_after_and_clearing() {
        let mut f = Faults::default();
        f.add(
            FaultRule::new(FaultKind::Maintenance)
                .on("get_run")
                .times(2)
                .after(1),
        );
        let now = Instant::now();
        let mut fates = Vec::new();
        for _ in 0..5 {
            fates.push(f.evaluate("get_run", 0, now).action);
        }
        assert_eq!(
            fates,
            vec![
                None,
                Some(Action::Maintenance),
                Some(Action::Maintenance),
                None,
                None
            ]
        );
        assert!(f.list().is_empty());
        assert_eq!(f.evaluate("get_case", 0, now).action, None);
    }

    #[test]
    fn rate_limit_window() {
        let mut f = Faults::default();
        f.add(FaultRule::new(FaultKind::RateLimit {
            limit: 2,
            window_ms: 1000,
            retry_after: None,
        }));
        let t0 = Instant::now();
        assert_eq!(f.evaluate("x", 0, t0).action, None);
        assert_eq!(f.evaluate("x", 0, t0).action, None);
        assert_eq!(
            f.evaluate("x", 0, t0).action,
            Some(Action::TooManyRequests(Some(1)))
        );
        assert_eq!(
            f.evaluate("x", 0, t0 + Duration::from_millis(1001)).action,
            None
        );
    }
}
