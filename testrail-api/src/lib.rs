//! The TestRail API v2 HTTP client.
//!
//! One [`Client`] per TestRail instance (cheap to clone: an `Arc` inside). It builds
//! `<base>/index.php?/api/v2/<method>&k=v` URLs, authenticates with HTTP Basic (user and
//! [`ApiKey`]), stays under a client-side rate limit with a bounded number of requests in
//! flight, follows the pagination envelope, retries what is safe to retry, and turns every
//! failure into an [`Error`] that says what to do next.
//!
//! Retries: 429 waits `Retry-After`; 409, 5xx and connection failures back off exponentially
//! with jitter (a connection that cannot be made is tried three times within seconds); 401 stops at once (and stops every later call of the client, without
//! sending it). A non-idempotent POST (every `add_*` method) that fails
//! after it may have reached TestRail (a timeout, a connection lost after sending, a 504) is
//! never resent: it returns [`Error::Ambiguous`] so the caller can look at what TestRail
//! stored first.
//!
//! ```no_run
//! use testrail_api::{ApiKey, CaseFilter, Client, ClientConfig};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let config = ClientConfig::new(
//!     "https://acme.testrail.io",
//!     "qa@acme.io",
//!     ApiKey::new(std::env::var("TESTRAIL_API_KEY")?),
//! );
//! let client = Client::new(config)?;
//! let cases = client
//!     .get_cases(1, &CaseFilter { suite_id: Some(2.into()), ..Default::default() })
//!     .await?;
//! println!("{} cases, {} requests", cases.len(), client.stats().requests_sent);
//! # Ok(())
//! # }
//! ```

mod base_url;
mod bodies;
mod elapsed;
mod endpoints;
mod error;
pub mod ids;
mod lenient;
mod models;
mod rate_limit;
mod retry;
mod secret;
mod stats;
mod transport;

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use base_url::{BaseUrl, redact_userinfo};
pub use bodies::{
    CaseFilter, CaseUpdate, NewCase, NewPlan, NewPlanEntry, NewResult, NewRun, NewSection,
    PlanEntryRun, ResultFilter, ResultForCase, RunFilter, RunUpdate, StepResult,
};
pub use elapsed::{ElapsedFormat, format_elapsed};
pub use endpoints::Attachment;
pub use error::{ConfigError, Error};
pub use ids::{
    CaseId, CaseTypeId, ConfigGroupId, ConfigId, EntryId, FieldId, MilestoneId, ParseIdError,
    PlanId, PriorityId, ProjectId, ResultId, RoleId, RunId, SectionId, StatusId, SuiteId,
    TemplateId, TestId, UserId,
};
pub use models::{
    AttachmentId, Case, CaseField, Config, ConfigGroup, Extra, FieldConfig, FieldContext, FieldDef,
    Milestone, Plan, PlanEntry, Priority, Project, ResultField, Run, Section, Status, Suite,
    SuiteMode, Test, TestResult, User,
};
pub use rate_limit::RateLimit;
pub use secret::ApiKey;
pub use stats::ClientStats;
pub use transport::RequestPreview;

use rate_limit::Limiter;
use stats::Counters;

/// Everything needed to build a [`Client`]. Start from [`ClientConfig::new`], which fills in
/// the defaults, and change fields as needed.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The address TestRail is opened at, e.g. `https://acme.testrail.io` (see [`BaseUrl`]).
    pub base_url: String,
    /// The TestRail login (an email address).
    pub user: String,
    /// The API key (or password).
    pub api_key: ApiKey,
    /// Per-request timeout, from connecting to the last byte of the answer. Default 60 s.
    pub timeout: Duration,
    /// Client-side rate limit; `None` for none (TestRail Server has no built-in limit).
    /// Default 180 requests per minute (TestRail Cloud Professional).
    pub rate_limit: Option<RateLimit>,
    /// Requests in flight at once. Default 4.
    pub max_in_flight: usize,
    /// Requests sent at most for one call, the first included. Default 6.
    pub max_attempts: u32,
    /// First backoff wait after a 409/5xx/connection failure; doubles each retry. Default 1 s.
    pub backoff_base: Duration,
    /// Longest backoff wait. Default 30 s.
    pub backoff_cap: Duration,
    /// Wait after a 429 without a usable `Retry-After`. Default 5 s.
    pub retry_after_default: Duration,
    /// Longest wait a `Retry-After` can ask for. Default 60 s.
    pub retry_after_cap: Duration,
    /// Extra CA certificates (a PEM file, possibly several certificates) to trust, for
    /// self-hosted instances with a private CA.
    pub ca_cert: Option<PathBuf>,
    /// Skips TLS certificate verification. Dangerous; a warning is printed.
    pub accept_invalid_certs: bool,
}

impl ClientConfig {
    /// Default per-request timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
    /// Default rate limit: TestRail Cloud Professional's 180 requests per minute.
    pub const DEFAULT_RATE_LIMIT: RateLimit = RateLimit::per_minute(180);
    /// Default bound on requests in flight.
    pub const DEFAULT_MAX_IN_FLIGHT: usize = 4;
    /// Default number of attempts per call.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 6;

    /// A configuration with the defaults.
    ///
    /// ```
    /// use testrail_api::{ApiKey, ClientConfig};
    ///
    /// let config = ClientConfig::new("https://acme.testrail.io", "qa@acme.io", ApiKey::new("k"));
    /// assert_eq!(config.max_attempts, 6);
    /// assert!(!format!("{config:?}").contains("\"k\""));
    /// ```
    pub fn new(base_url: impl Into<String>, user: impl Into<String>, api_key: ApiKey) -> Self {
        Self {
            base_url: base_url.into(),
            user: user.into(),
            api_key,
            timeout: Self::DEFAULT_TIMEOUT,
            rate_limit: Some(Self::DEFAULT_RATE_LIMIT),
            max_in_flight: Self::DEFAULT_MAX_IN_FLIGHT,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(30),
            retry_after_default: Duration::from_secs(5),
            retry_after_cap: Duration::from_secs(60),
            ca_cert: None,
            accept_invalid_certs: false,
        }
    }

    fn check(&self) -> Result<(), ConfigError> {
        let invalid = |name, reason| Err(ConfigError::InvalidSetting { name, reason });
        if self.user.trim().is_empty() {
            return Err(ConfigError::MissingUser);
        }
        if self.api_key.is_empty() {
            return Err(ConfigError::MissingApiKey);
        }
        if self.timeout.is_zero() {
            return invalid("timeout", "must be longer than zero");
        }
        if self.max_in_flight == 0 {
            return invalid("max_in_flight", "must be at least 1");
        }
        if self.max_attempts == 0 {
            return invalid("max_attempts", "must be at least 1");
        }
        if let Some(limit) = self.rate_limit {
            if limit.max_requests == 0 {
                return invalid("rate_limit", "must allow at least 1 request");
            }
            if limit.window.is_zero() {
                return invalid("rate_limit", "must have a window longer than zero");
            }
        }
        Ok(())
    }
}

/// An async TestRail API v2 client. Clones share the connection pool, the rate limit, the
/// in-flight bound and the counters.
///
/// The typed methods (`get_cases`, `add_run`, `add_results_for_cases`, ...) are listed below;
/// [`Client::get`], [`Client::get_all`] and [`Client::post`] reach any other API method.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: BaseUrl,
    user: String,
    api_key: ApiKey,
    timeout: Duration,
    max_attempts: u32,
    backoff_base: Duration,
    backoff_cap: Duration,
    retry_after_default: Duration,
    retry_after_cap: Duration,
    limiter: Limiter,
    counters: Counters,
    /// TestRail's 401 text, once it rejected the credentials: later calls fail without
    /// sending, so a locked account is not hammered by calls queued behind the first.
    rejected: OnceLock<String>,
    /// TestRail's clock, from the `Date` headers of its answers.
    testrail_clock: transport::TestRailClock,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base)
            .field("user", &inner.user)
            .field("api_key", &inner.api_key)
            .field("timeout", &inner.timeout)
            .field("max_attempts", &inner.max_attempts)
            .field("limiter", &inner.limiter)
            .finish_non_exhaustive()
    }
}

static INSECURE_WARNED: AtomicBool = AtomicBool::new(false);

impl Client {
    /// Validates the configuration and builds the client. No request is sent.
    ///
    /// ```
    /// use testrail_api::{ApiKey, Client, ClientConfig, ConfigError};
    ///
    /// let config = ClientConfig::new("http://acme.testrail.io", "qa@acme.io", ApiKey::new("k"));
    /// assert!(matches!(Client::new(config), Err(ConfigError::InsecureBaseUrl { .. })));
    /// ```
    pub fn new(config: ClientConfig) -> Result<Self, ConfigError> {
        let base = BaseUrl::parse(&config.base_url)?;
        config.check()?;
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(concat!("testrail-rs/", env!("CARGO_PKG_VERSION")))
            // A redirect would turn a POST into a GET; report it instead.
            .redirect(reqwest::redirect::Policy::none())
            // Shorter than the request timeout, so that a slow connect is a (safely
            // retryable) connect error rather than an ambiguous timeout.
            .connect_timeout((config.timeout / 2).min(Duration::from_secs(10)));
        if let Some(path) = &config.ca_cert {
            let ca_error = |reason: String| ConfigError::CaCert {
                path: path.clone(),
                reason,
            };
            let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ca_error(e.to_string()))?;
            if certs.is_empty() {
                return Err(ca_error("it holds no PEM certificate".to_owned()));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if config.accept_invalid_certs {
            if !INSECURE_WARNED.swap(true, Ordering::Relaxed) {
                eprintln!(
                    "WARNING: TLS certificate verification is OFF for {base}: anyone on the \
                     network path can read the API key and change what is sent. Use a CA \
                     certificate (ca_cert) instead."
                );
            }
            builder = builder.danger_accept_invalid_certs(true);
        }
        let http = builder
            .build()
            .map_err(|e| ConfigError::Http(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                user: config.user.trim().to_owned(),
                api_key: config.api_key,
                timeout: config.timeout,
                max_attempts: config.max_attempts,
                backoff_base: config.backoff_base,
                backoff_cap: config.backoff_cap,
                retry_after_default: config.retry_after_default,
                retry_after_cap: config.retry_after_cap,
                limiter: Limiter::new(config.max_in_flight, config.rate_limit),
                counters: Counters::default(),
                rejected: OnceLock::new(),
                testrail_clock: transport::TestRailClock::default(),
            }),
        })
    }

    /// The normalised instance address.
    pub fn base_url(&self) -> &BaseUrl {
        &self.inner.base
    }

    /// The user the client authenticates as.
    pub fn user(&self) -> &str {
        &self.inner.user
    }

    /// What the client (and its clones) did so far.
    pub fn stats(&self) -> ClientStats {
        self.inner.counters.snapshot()
    }

    /// `GET <method>` with query parameters, decoded into `T` (use [`serde_json::Value`] for
    /// anything). The escape hatch for API methods without a typed wrapper.
    ///
    /// `method` is the route with its ids, e.g. `get_case/12`.
    pub async fn get<T: DeserializeOwned>(
        &self,
        method: &str,
        params: &[(&str, &str)],
    ) -> Result<T, Error> {
        self.get_one(method, params).await
    }

    /// `GET <method>` through every page: `key` names the list in the pagination envelope
    /// (`cases`, `runs`, ...); a bare array answer is taken as the whole list.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        method: &str,
        key: &str,
        params: &[(&str, &str)],
    ) -> Result<Vec<T>, Error> {
        self.get_paged(method, key, params).await
    }

    /// `POST <method>` with a JSON body, decoded into `T` (an empty answer decodes as JSON
    /// `null`, so `Option<_>`, `()` or [`serde_json::Value`] fit deletes).
    ///
    /// Methods named `add_*` are treated as non-idempotent (never resent once they may have
    /// reached TestRail, see [`Error::Ambiguous`]); others (`update_*`, `close_*`,
    /// `delete_*`) are resent after timeouts.
    pub async fn post<B, T>(&self, method: &str, body: &B) -> Result<T, Error>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        self.post_json(method, body).await
    }

    /// Describes `GET <method>` without sending it (for dry runs).
    pub fn describe_get(&self, method: &str, params: &[(&str, &str)]) -> RequestPreview {
        RequestPreview::get(&self.inner.base, method, params)
    }

    /// Describes `POST <method>` with its JSON body without sending it (for dry runs). The
    /// description holds no credentials.
    ///
    /// ```
    /// use testrail_api::{ApiKey, Client, ClientConfig, NewRun};
    ///
    /// let client = Client::new(ClientConfig::new(
    ///     "https://acme.testrail.io", "qa@acme.io", ApiKey::new("secret"),
    /// )).unwrap();
    /// let run = NewRun { name: "nightly".into(), ..Default::default() };
    /// let preview = client.describe_post("add_run/1", &run).unwrap();
    /// assert_eq!(
    ///     preview.to_string(),
    ///     "POST https://acme.testrail.io/index.php?/api/v2/add_run/1\n{\"name\":\"nightly\"}",
    /// );
    /// ```
    pub fn describe_post<B: Serialize + ?Sized>(
        &self,
        method: &str,
        body: &B,
    ) -> Result<RequestPreview, Error> {
        RequestPreview::post(&self.inner.base, method, body)
    }
}

/// Decodes an answer body; empty bodies (deletes) read as `null`.
fn decode<T: DeserializeOwned>(method: &str, status: u16, body: &[u8]) -> Result<T, Error> {
    let json: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    serde_json::from_slice(json).map_err(|e| decode_error(method, status, e.to_string(), body))
}

fn decode_error(method: &str, status: u16, reason: String, body: &[u8]) -> Error {
    Error::Decode {
        method: method.to_owned(),
        status,
        reason,
        preview: error::preview(body),
    }
}

impl Client {
    async fn get_one<T, K, V>(&self, method: &str, params: &[(K, V)]) -> Result<T, Error>
    where
        T: DeserializeOwned,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let url = self.inner.base.api_url(method, params_iter(params));
        let (status, body) = self.execute(transport::Call::get(method, url)).await?;
        decode(method, status, &body)
    }

    async fn get_paged<T, K, V>(
        &self,
        method: &str,
        key: &str,
        params: &[(K, V)],
    ) -> Result<Vec<T>, Error>
    where
        T: DeserializeOwned,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        const PAGE: usize = 250;
        let limit = PAGE.to_string();
        let mut all = Vec::new();
        let mut offset = 0usize;
        loop {
            let offset_text = offset.to_string();
            let paging = [("limit", limit.as_str()), ("offset", offset_text.as_str())];
            let url = self
                .inner
                .base
                .api_url(method, params_iter(params).chain(paging));
            let (status, body) = self.execute(transport::Call::get(method, url)).await?;
            let fail = |reason: String| decode_error(method, status, reason, &body);
            let mut envelope = match decode::<Value>(method, status, &body)? {
                // Unpaginated (a bare array): the whole list.
                Value::Array(items) => {
                    all.extend(decode_items::<T>(items).map_err(fail)?);
                    return Ok(all);
                }
                Value::Object(envelope) => envelope,
                _ => return Err(fail("expected a list or a pagination envelope".to_owned())),
            };
            let Some(Value::Array(items)) = envelope.remove(key) else {
                return Err(fail(format!("no `{key}` list in the answer")));
            };
            let echoed = envelope.get("offset").and_then(Value::as_u64);
            if let Some(echoed) = echoed.filter(|o| *o != offset as u64) {
                return Err(fail(format!(
                    "asked for offset {offset}, got offset {echoed}"
                )));
            }
            let more = match envelope.get("_links") {
                Some(links) => links
                    .get("next")
                    .is_some_and(|n| !n.is_null() && n.as_str() != Some("")),
                None => items.len() >= PAGE,
            };
            let count = items.len();
            all.extend(decode_items::<T>(items).map_err(fail)?);
            if !more || count == 0 {
                return Ok(all);
            }
            offset += count;
        }
    }

    async fn post_json<B, T>(&self, method: &str, body: &B) -> Result<T, Error>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let json = serde_json::to_vec(body).map_err(|e| Error::Encode {
            method: method.to_owned(),
            reason: e.to_string(),
        })?;
        let url = self
            .inner
            .base
            .api_url(method, std::iter::empty::<(&str, &str)>());
        let (status, answer) = self
            .execute(transport::Call::post_json(method, url, json))
            .await?;
        decode(method, status, &answer)
    }
}

fn params_iter<K: AsRef<str>, V: AsRef<str>>(
    params: &[(K, V)],
) -> impl Iterator<Item = (&str, &str)> {
    params.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))
}

fn decode_items<T: DeserializeOwned>(items: Vec<Value>) -> Result<Vec<T>, String> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| serde_json::from_value(item).map_err(|e| format!("item {i}: {e}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "do-not-print-me";

    fn config() -> ClientConfig {
        ClientConfig::new("https://acme.testrail.io/", "qa@acme.io", ApiKey::new(KEY))
    }

    #[test]
    fn debug_output_never_holds_the_key() {
        let config = config();
        let client = Client::new(config.clone()).unwrap();
        for text in [
            format!("{config:?}"),
            format!("{config:#?}"),
            format!("{client:?}"),
            format!("{client:#?}"),
        ] {
            assert!(!text.contains(KEY), "{text}");
            assert!(text.contains("ApiKey(***)"), "{text}");
        }
        let preview = client
            .describe_post("add_run/1", &serde_json::json!({"name": "x"}))
            .unwrap();
        assert!(!format!("{preview} {preview:?}").contains(KEY));
        assert!(!format!("{preview:?}").contains("qa@acme.io"));
    }

    #[test]
    fn config_errors_are_typed() {
        let err = |f: fn(&mut ClientConfig)| {
            let mut c = config();
            f(&mut c);
            let e = Client::new(c).unwrap_err();
            assert!(!format!("{e} {e:?}").contains(KEY));
            e
        };
        assert!(matches!(
            err(|c| c.user = " ".into()),
            ConfigError::MissingUser
        ));
        assert!(matches!(
            err(|c| c.api_key = ApiKey::new("")),
            ConfigError::MissingApiKey
        ));
        assert!(matches!(
            err(|c| c.base_url = "http://acme.testrail.io".into()),
            ConfigError::InsecureBaseUrl { .. }
        ));
        for (setting, f) in [
            (
                "max_in_flight",
                (|c| c.max_in_flight = 0) as fn(&mut ClientConfig),
            ),
            ("max_attempts", |c| c.max_attempts = 0),
            ("timeout", |c| c.timeout = Duration::ZERO),
            ("rate_limit", |c| {
                c.rate_limit = Some(RateLimit::per_minute(0))
            }),
            ("rate_limit", |c| {
                c.rate_limit = Some(RateLimit {
                    max_requests: 1,
                    window: Duration::ZERO,
                })
            }),
        ] {
            match err(f) {
                ConfigError::InvalidSetting { name, .. } => assert_eq!(name, setting),
                other => panic!("{setting}: {other:?}"),
            }
        }
        let missing = err(|c| c.ca_cert = Some("/nonexistent/ca.pem".into()));
        assert!(matches!(missing, ConfigError::CaCert { .. }), "{missing}");
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate").unwrap();
        let mut c = config();
        c.ca_cert = Some(path);
        let e = Client::new(c).unwrap_err();
        assert!(matches!(e, ConfigError::CaCert { .. }), "{e}");
    }

    #[test]
    fn insecure_mode_still_builds() {
        let mut c = config();
        c.accept_invalid_certs = true;
        c.rate_limit = None;
        let client = Client::new(c).unwrap();
        assert_eq!(client.base_url().as_str(), "https://acme.testrail.io/");
        assert_eq!(client.user(), "qa@acme.io");
        assert_eq!(client.stats(), ClientStats::default());
    }

    #[test]
    fn empty_bodies_decode_as_null() {
        assert_eq!(
            decode::<Value>("delete_run/1", 200, b"").unwrap(),
            Value::Null
        );
        assert_eq!(decode::<Option<u8>>("x", 200, b" \n").unwrap(), None);
        let e = decode::<Vec<u8>>("get_x", 200, b"{oops").unwrap_err();
        assert!(matches!(e, Error::Decode { status: 200, .. }), "{e}");
    }
}
