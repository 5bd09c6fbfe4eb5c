//! A typed client for the TestRail API v2:
//! projects, suites, sections, cases, runs, plans, tests, results and attachments, with
//! typed IDs, pagination, retries, a client-side rate limit and an API key that never
//! prints itself.
//!
//! It depends on nothing of the testrail-rs test harness: a release script, a dashboard, a
//! chat bot or an MCP server can use it as it is. [`testrail-sim`](https://docs.rs/testrail-sim),
//! an in-process TestRail simulator, is the natural partner for its tests (every example
//! below runs against it).
//!
//! # Start here
//!
//! The client is async, on tokio; the page streams are `futures` streams:
//!
//! ```toml
//! [dependencies]
//! testrail-api = "0.1"
//! tokio = { version = "1", features = ["rt", "macros"] }   # #[tokio::main]
//! futures-util = "0.3"                                      # TryStreamExt, for the page streams
//! ```
//!
//! Errors print what to do next with `Display` (`{error}`); a `main` that returns
//! `Result<(), Box<dyn Error>>` shows their `Debug` form instead, so print them yourself.
//!
//! One [`Client`] per TestRail instance; clones share the connection pool, the rate limit
//! and the counters. The typed methods are named after TestRail's API methods
//! (`get_cases`, `add_run`, `add_results_for_cases`, ...).
//!
//! ```
//! use testrail_api::{ApiKey, CaseFilter, Client, ClientConfig, NewResult, NewRun, ResultForCase, StatusId, SuiteId};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sim = testrail_sim::Simulator::start(testrail_sim::Fixture::demo()).await?;
//! # let (url, user, key) = (sim.base_url().to_owned(), sim.email().to_owned(), sim.api_key().to_owned());
//! // url = "https://acme.testrail.io", user = "qa@acme.io", key = std::env::var("TESTRAIL_API_KEY")?
//! let client = Client::new(ClientConfig::new(url, user, ApiKey::new(key)))?;
//!
//! // The cases of suite S1 in project P1.
//! let filter = CaseFilter { suite_id: Some(SuiteId::new(1)), ..CaseFilter::default() };
//! let cases = client.get_cases(1, &filter).await?;
//!
//! // A run of the first three, and a result for each.
//! let run = client
//!     .add_run(1, &NewRun {
//!         name: "Release 2.0 smoke test".into(),
//!         suite_id: Some(SuiteId::new(1)),
//!         include_all: Some(false),
//!         case_ids: Some(cases.iter().take(3).map(|case| case.id).collect()),
//!         ..NewRun::default()
//!     })
//!     .await?;
//! let results: Vec<ResultForCase> = cases
//!     .iter()
//!     .take(3)
//!     .map(|case| {
//!         let passed = NewResult { status_id: Some(StatusId::PASSED), ..NewResult::default() };
//!         ResultForCase::new(case.id, passed)
//!     })
//!     .collect();
//! client.add_results_for_cases(run.id, &results).await?;
//!
//! let run = client.get_run(run.id).await?;
//! assert_eq!(run.passed_count, 3);
//! println!("{}: {} passed, {} requests", run.id.prefixed(), run.passed_count, client.stats().requests_sent);
//! # Ok(())
//! # }
//! ```
//!
//! Two complete programs are in the crate's `examples/` directory:
//! `release_report` (the open runs of a project with their pass rates) and `create_run`
//! (a run of the cases whose title matches, safe when the answer is lost). Both run against
//! an in-process simulator by default (`cargo run -p testrail-api --example release_report`)
//! and against a real instance with `--live`.
//!
//! # Typed IDs
//!
//! Every ID is its own type ([`CaseId`], [`RunId`], [`PlanId`], [`ProjectId`], [`SuiteId`],
//! [`SectionId`], [`TestId`], [`ResultId`], [`StatusId`], [`MilestoneId`], [`UserId`], ...;
//! plan entries have string IDs, [`EntryId`]), so a run ID cannot be passed where a case ID
//! is expected. They are `Copy`, ordered and hashable, serialise as the bare number, and
//! convert with `From<u64>`/`.get()`. Client methods take `impl Into<…Id>`, so literals work
//! (`client.get_case(12)`). [`FromStr`](std::str::FromStr) accepts what users copy from
//! TestRail's web interface, `C1234` for a case, `R45` for a run or plan, `T9` for a test,
//! `P1`, `S2`, `M3`; the [`ids`] module lists the forms.
//!
//! ```
//! use testrail_api::{CaseId, RunId, StatusId};
//!
//! let case: CaseId = "C1234".parse()?;
//! assert_eq!((case.get(), case.to_string(), case.prefixed()), (1234, "1234".into(), "C1234".into()));
//! assert!("C1234".parse::<RunId>().is_err());
//! assert_eq!(StatusId::FAILED, StatusId::new(5));
//! # Ok::<(), testrail_api::ParseIdError>(())
//! ```
//!
//! # Pagination
//!
//! TestRail 6.7+ returns bulk lists 250 items per page, in an envelope with `_links.next`.
//! The `get_*` methods returning a `Vec` follow every page. The `*_pages` methods
//! ([`Client::get_cases_pages`], [`Client::get_runs_pages`], [`Client::get_plans_pages`],
//! [`Client::get_tests_pages`], [`Client::get_results_for_run_pages`],
//! [`Client::get_results_for_case_pages`], [`Client::get_sections_pages`], and
//! [`Client::pages`] for any other method) return [`Pages`]: one request per
//! [`Pages::next_page`], or a `futures` [`Stream`](futures_util::Stream) of pages
//! ([`Pages::into_stream`]) or of items ([`Pages::into_items`]), so a program can stop
//! early or show progress.
//!
//! ```
//! # use testrail_api::{ApiKey, Client, ClientConfig, RunFilter};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sim = testrail_sim::Simulator::start(testrail_sim::Fixture::demo()).await?;
//! # let client = Client::new(ClientConfig::new(sim.base_url(), sim.email(), ApiKey::new(sim.api_key())))?;
//! let open = RunFilter { is_completed: Some(false), ..RunFilter::default() };
//! let mut pages = client.get_runs_pages(1, &open).page_size(50);
//! while let Some(page) = pages.next_page().await? {
//!     for run in &page.items {
//!         println!("{} {}", run.id.prefixed(), run.name);
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Requests and answers
//!
//! Answers ([`Case`], [`Run`], [`Plan`], [`TestResult`], ...) are `#[non_exhaustive]`:
//! TestRail adding a field never breaks a program. They decode leniently, as TestRail
//! versions differ: any field may be `null` or missing, IDs may come as strings, flags as
//! `0`/`1`; fields not modelled (custom fields `custom_*` first) are kept in `extra`
//! ([`Case::custom`] reads them).
//!
//! Request bodies ([`NewRun`], [`NewCase`], [`NewResult`], [`RunUpdate`], ...) and filters
//! ([`CaseFilter`], [`RunFilter`], [`ResultFilter`]) are plain structs with public fields and
//! `Default`, built with `..Default::default()` as above. They are deliberately *not*
//! `#[non_exhaustive]`: that would forbid struct literals, and `..Default::default()` with
//! them, outside this crate. A field TestRail adds to a request can be sent through the
//! `custom` map of [`NewCase`]/[`NewResult`], or with [`Client::post`]. Fields left `None`
//! are not sent, so TestRail applies its own defaults and updates touch only what is set.
//! The two bodies without a sensible default, [`ResultForCase`] and [`StepResult`], have
//! `new` constructors.
//!
//! # Errors
//!
//! Every failure is an [`Error`] whose message says what to do next; [`Error::status`] and
//! [`Error::method`] look through retries. What each means:
//!
//! | Error | Meaning | What to do |
//! |-------|---------|------------|
//! | [`Error::Unauthorized`] | 401: wrong user or key | fix the credentials; the client sends nothing more (see below) |
//! | [`Error::Forbidden`] | 403: a missing permission, or the API is off | ask an admin |
//! | [`Error::BadRequest`] | 400: an unknown ID or an invalid field, TestRail's text inside | fix the request; not retried |
//! | [`Error::UnknownMethod`] | 404: this TestRail lacks the API method | upgrade TestRail or avoid the method |
//! | [`Error::PayloadTooLarge`] | 413: the body is too large | send fewer results per call |
//! | [`Error::Html`], [`Error::Redirected`] | a web page or redirect instead of the API | fix the base URL |
//! | [`Error::Timeout`], [`Error::Connection`], [`Error::Server`], [`Error::RateLimited`] | transient; seen inside [`Error::RetriesExhausted`] once the attempts are used up | try again later |
//! | [`Error::Ambiguous`] | an `add_*` POST may have been stored | look at what TestRail holds before sending again |
//! | [`Error::Decode`] | an answer that is not the JSON expected | report it with the preview inside |
//! | [`Error::Encode`] | a request body that cannot be JSON | fix the body given to [`Client::post`] (e.g. a map with non-string keys) |
//!
//! [`Client::new`] fails with a [`BuildError`] (an unusable URL, plain `http://` to a host
//! that is not loopback, an empty user or key, an unreadable CA file, a setting out of
//! range) before any request is sent. Parsing an ID fails with a [`ParseIdError`].
//!
//! # Retries and idempotency
//!
//! Defaults (all in [`ClientConfig`]): 60 s per request, at most 6 attempts per call,
//! 8 requests in flight, 180 requests per minute (TestRail Cloud's limit).
//!
//! - 429 waits `Retry-After` (capped at 60 s, 5 s when absent); 409 (maintenance), 500,
//!   502, 503 and 504 back off exponentially with jitter (1 s doubling to 30 s); a
//!   connection that cannot be made is retried.
//! - 401 stops at once, and every later call of the client and its clones fails without
//!   sending, so calls queued behind the first do not lock the account.
//! - `get_*`, `update_*`, `close_*` and `delete_*` are resent after timeouts and lost
//!   connections. **`add_*` POSTs are never resent once they may have reached TestRail**
//!   (a timeout, a connection lost after sending, a 504): the call returns
//!   [`Error::Ambiguous`], because resending could store the run or the results twice.
//!   Look first (`get_runs`, `get_results_for_run`), then send again if it is not there;
//!   the `create_run` example does this.
//!
//! # The API key
//!
//! [`ApiKey`] has no `Display` and no `Serialize`, its `Debug` prints `ApiKey(***)`, and
//! the client puts it only into the `Authorization` header: no error, log line, `Debug`
//! output or [`RequestPreview`] holds it. A `user:key@` in the base URL is refused and
//! redacted from the error. Keep the key in an environment variable or a secret store,
//! and make it under *My Settings > API Keys* in TestRail.
//!
//! # TestRail behaviour
//!
//! Where TestRail's documentation is silent, this crate follows what TestRail does, as
//! collected in testrail-rs's API digest (`TESTRAIL_API.md`) and reproduced by
//! `testrail-sim`: the `index.php?/api/v2/<method>&k=v` URL form, the envelope and its
//! 250-item limit, `0`/`1` flags, `add_results_for_cases` answering with `test_id` rather
//! than `case_id`, and the error texts.

#![warn(missing_docs)]

mod base_url;
mod bodies;
mod elapsed;
mod endpoints;
mod error;
pub mod ids;
mod lenient;
mod models;
mod pages;
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

pub use base_url::{BaseUrl, redact_userinfo};
pub use bodies::{
    CaseFilter, CaseUpdate, NewCase, NewPlan, NewPlanEntry, NewResult, NewRun, NewSection,
    PlanEntryRun, ResultFilter, ResultForCase, RunFilter, RunUpdate, StepResult,
};
pub use elapsed::{ElapsedFormat, format_elapsed};
pub use endpoints::Attachment;
pub use error::{BuildError, Error};
pub use ids::{
    CaseId, CaseTypeId, ConfigGroupId, ConfigId, EntryId, FieldId, MilestoneId, ParseIdError,
    PlanId, PriorityId, ProjectId, ResultId, RoleId, RunId, SectionId, StatusId, SuiteId,
    TemplateId, TestId, UserId,
};
pub use models::{
    AttachmentId, AttachmentInfo, Case, CaseField, Configuration, ConfigurationGroup, Extra,
    FieldConfig, FieldContext, FieldDef, Milestone, Plan, PlanEntry, Priority, Project,
    ResultField, Run, Section, Status, Suite, SuiteMode, Template, Test, TestResult, User,
};
pub use pages::{MAX_PAGE_SIZE, Page, Pages};
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
    /// Requests in flight at once. Default 8.
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
    pub const DEFAULT_MAX_IN_FLIGHT: usize = 8;
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

    fn check(&self) -> Result<(), BuildError> {
        let invalid = |name, reason| Err(BuildError::InvalidSetting { name, reason });
        if self.user.trim().is_empty() {
            return Err(BuildError::MissingUser);
        }
        if self.api_key.is_empty() {
            return Err(BuildError::MissingApiKey);
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
/// The typed methods (`get_cases`, `add_run`, `add_results_for_cases`, ...) are listed below,
/// each named after, and documented with, the TestRail API v2 method it calls (TestRail's
/// API reference describes them under the same names); IDs in the route are typed, bodies
/// and answers are this crate's structs. [`Client::get`], [`Client::get_all`],
/// [`Client::pages`] and [`Client::post`] reach any other API method.
///
/// # Errors
///
/// Every method fails with an [`Error`]: the crate documentation has a table of what each
/// variant means and what to do. The `add_*` methods can also fail with
/// [`Error::Ambiguous`], when TestRail may have stored what they sent.
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
    /// use testrail_api::{ApiKey, Client, ClientConfig, BuildError};
    ///
    /// let config = ClientConfig::new("http://acme.testrail.io", "qa@acme.io", ApiKey::new("k"));
    /// assert!(matches!(Client::new(config), Err(BuildError::InsecureBaseUrl { .. })));
    /// ```
    pub fn new(config: ClientConfig) -> Result<Self, BuildError> {
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
            let ca_error = |reason: String| BuildError::CaCert {
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
            .map_err(|e| BuildError::Http(e.to_string()))?;
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

    /// `GET <method>` page by page (see [`Pages`]): `key` names the list in the pagination
    /// envelope (`cases`, `runs`, ...); a bare array answer is one, last page. The escape
    /// hatch for paginated API methods without a typed `*_pages` method.
    pub fn pages<T: DeserializeOwned>(
        &self,
        method: &str,
        key: &str,
        params: &[(&str, &str)],
    ) -> Pages<T> {
        self.paged(method.to_owned(), key, params)
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
        self.paged(method.to_owned(), key, params)
            .collect_all()
            .await
    }

    fn paged<T, K, V>(&self, method: String, key: &str, params: &[(K, V)]) -> Pages<T>
    where
        T: DeserializeOwned,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let params = params_iter(params)
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Pages::new(self.clone(), method, key, params)
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

#[cfg(test)]
mod tests {
    use serde_json::Value;

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
            BuildError::MissingUser
        ));
        assert!(matches!(
            err(|c| c.api_key = ApiKey::new("")),
            BuildError::MissingApiKey
        ));
        assert!(matches!(
            err(|c| c.base_url = "http://acme.testrail.io".into()),
            BuildError::InsecureBaseUrl { .. }
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
                BuildError::InvalidSetting { name, .. } => assert_eq!(name, setting),
                other => panic!("{setting}: {other:?}"),
            }
        }
        let missing = err(|c| c.ca_cert = Some("/nonexistent/ca.pem".into()));
        assert!(matches!(missing, BuildError::CaCert { .. }), "{missing}");
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, "not a certificate").unwrap();
        let mut c = config();
        c.ca_cert = Some(path);
        let e = Client::new(c).unwrap_err();
        assert!(matches!(e, BuildError::CaCert { .. }), "{e}");
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
