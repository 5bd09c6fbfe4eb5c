//! What can go wrong talking to TestRail, each error saying what to do next.

use std::path::PathBuf;
use std::time::Duration;

/// A problem with the client's configuration, found before any request is sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The base URL cannot be parsed or is not an instance address.
    #[error(
        "TESTRAIL_URL `{url}` is not usable: {reason}; it should be the address you open TestRail at, e.g. https://acme.testrail.io"
    )]
    InvalidBaseUrl {
        /// The URL as given (with any `user:password@` hidden).
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// Plain `http://` to a host that is not loopback.
    #[error(
        "TESTRAIL_URL `{url}` uses plain http: TestRail needs https (plain http is only allowed for 127.0.0.1, ::1 and localhost)"
    )]
    InsecureBaseUrl {
        /// The URL as given.
        url: String,
    },
    /// No user name was given.
    #[error("TESTRAIL_USER is empty: set it to the email address you log in to TestRail with")]
    MissingUser,
    /// No API key was given.
    #[error("TESTRAIL_API_KEY is empty: make an API key under My Settings > API Keys in TestRail")]
    MissingApiKey,
    /// The custom CA certificate could not be read or parsed.
    #[error("cannot use the CA certificate {path}: {reason}")]
    CaCert {
        /// The PEM file given.
        path: PathBuf,
        /// Why it could not be used.
        reason: String,
    },
    /// A numeric setting is out of range.
    #[error("client setting `{name}` {reason}")]
    InvalidSetting {
        /// The `ClientConfig` field.
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The HTTP stack could not be set up (for example the TLS backend).
    #[error("cannot set up the HTTP client: {0}")]
    Http(String),
}

/// A failed TestRail request.
///
/// `method` is always the API route with its ids, e.g. `add_results_for_cases/12`. The API
/// key never appears in an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// HTTP 401. Never retried; after the first one, calls of the client (and its clones)
    /// fail without sending, so a locked account is not hammered.
    #[error(
        "TestRail rejected the credentials for user {user}: check TESTRAIL_USER and TESTRAIL_API_KEY (an API key is made under My Settings > API Keys); TestRail said: {message}"
    )]
    Unauthorized {
        /// The user name that was sent.
        user: String,
        /// TestRail's own `error` text.
        message: String,
    },
    /// HTTP 403: the user lacks a permission, or the API is switched off.
    #[error(
        "TestRail refused {method} for lack of permission: \"{message}\"; ask a TestRail admin for that permission (or to enable the API under Administration > Site Settings > API)"
    )]
    Forbidden {
        /// The API route.
        method: String,
        /// TestRail's own `error` text.
        message: String,
    },
    /// HTTP 400: an unknown project/suite/section/case/run/plan, or an invalid field.
    #[error("TestRail refused {method}: \"{message}\"")]
    BadRequest {
        /// The API route.
        method: String,
        /// TestRail's own `error` text, e.g. `Field :run_id is not a valid test run.`.
        message: String,
    },
    /// HTTP 404 with a JSON body: this TestRail does not know the API method.
    #[error(
        "TestRail does not know the API method {method} (HTTP 404): the TestRail version may be too old for it; TestRail said: \"{message}\""
    )]
    UnknownMethod {
        /// The API route.
        method: String,
        /// TestRail's text, if any.
        message: String,
    },
    /// HTTP 413: the body was too large. Split the batch and send the halves.
    #[error(
        "TestRail (or a proxy before it) refused {method} as too large (HTTP 413, {body_bytes} bytes sent): send fewer items per request"
    )]
    PayloadTooLarge {
        /// The API route.
        method: String,
        /// Size of the request body that was refused.
        body_bytes: usize,
    },
    /// An HTML page instead of JSON: the base URL points at the web UI, a login page or a proxy.
    #[error(
        "TESTRAIL_URL answered with an HTML page (HTTP {status}): is the base URL right? it should be the address you open TestRail at, e.g. https://acme.testrail.io; first bytes: {preview}"
    )]
    Html {
        /// The API route.
        method: String,
        /// The HTTP status.
        status: u16,
        /// The first ~200 characters of the page.
        preview: String,
    },
    /// A 3xx answer. Redirects are not followed: they would turn a POST into a GET.
    #[error(
        "TESTRAIL_URL answered {method} with a redirect (HTTP {status}) to {location}: is the base URL right? set it to the address TestRail redirects to, with https://"
    )]
    Redirected {
        /// The API route.
        method: String,
        /// The HTTP status.
        status: u16,
        /// The `Location` header (or `?`).
        location: String,
    },
    /// HTTP 429 (only seen inside [`Error::RetriesExhausted`]).
    #[error("TestRail's rate limit was reached on {method} (HTTP 429): \"{message}\"")]
    RateLimited {
        /// The API route.
        method: String,
        /// TestRail's text.
        message: String,
    },
    /// HTTP 409 (maintenance) or 5xx (only seen inside [`Error::RetriesExhausted`] unless the
    /// request was a non-idempotent POST answered with 504, see [`Error::Ambiguous`]).
    #[error("TestRail failed on {method} with HTTP {status}: \"{message}\"")]
    Server {
        /// The API route.
        method: String,
        /// The HTTP status.
        status: u16,
        /// TestRail's text, or a preview of the body.
        message: String,
    },
    /// Any other unexpected HTTP status.
    #[error("TestRail answered {method} with unexpected HTTP {status}: \"{message}\"")]
    Status {
        /// The API route.
        method: String,
        /// The HTTP status.
        status: u16,
        /// TestRail's text, or a preview of the body.
        message: String,
    },
    /// No complete answer within the per-request timeout.
    #[error("TestRail did not answer {method} within {timeout:?}")]
    Timeout {
        /// The API route.
        method: String,
        /// The per-request timeout.
        timeout: Duration,
    },
    /// The connection could not be made or broke.
    #[error(
        "connection to TestRail at {base_url} failed during {method}: {detail}; check TESTRAIL_URL and that TestRail is reachable from this machine (proxy, VPN, firewall)"
    )]
    Connection {
        /// The API route.
        method: String,
        /// The instance root.
        base_url: String,
        /// What the network stack said.
        detail: String,
    },
    /// A successful answer whose body is not the JSON expected.
    #[error(
        "TestRail's answer to {method} (HTTP {status}) could not be read: {reason}; first bytes: {preview}"
    )]
    Decode {
        /// The API route.
        method: String,
        /// The HTTP status.
        status: u16,
        /// What did not match.
        reason: String,
        /// The first ~200 characters of the body.
        preview: String,
    },
    /// A request body could not be serialised to JSON.
    #[error("cannot encode the body of {method}: {reason}")]
    Encode {
        /// The API route.
        method: String,
        /// The serde error.
        reason: String,
    },
    /// A file to upload could not be read (nothing was sent).
    #[error(
        "could not read {path} to upload it with {method}: {detail}; check that the file still exists and can be read"
    )]
    File {
        /// The API route.
        method: String,
        /// The file.
        path: String,
        /// What the file system said.
        detail: String,
    },
    /// A retryable failure kept happening.
    #[error("gave up on {method} after {attempts} attempt(s); last error: {last}")]
    RetriesExhausted {
        /// The API route.
        method: String,
        /// How many requests were sent.
        attempts: u32,
        /// The last failure.
        last: Box<Error>,
    },
    /// A non-idempotent POST (`add_*`) failed in a way where TestRail may have stored it (a
    /// timeout or a connection lost after sending, or a 504). It was not resent, to avoid
    /// duplicates: check what TestRail stored before sending it again.
    #[error(
        "{method} may or may not have been stored by TestRail ({cause}); it was not resent to avoid duplicates: check what TestRail holds before sending it again"
    )]
    Ambiguous {
        /// The API route.
        method: String,
        /// What happened.
        cause: Box<Error>,
    },
}

impl Error {
    /// The API route the error is about (`None` only for [`Error::Unauthorized`]).
    pub fn method(&self) -> Option<&str> {
        match self {
            Self::Unauthorized { .. } => None,
            Self::Forbidden { method, .. }
            | Self::BadRequest { method, .. }
            | Self::UnknownMethod { method, .. }
            | Self::PayloadTooLarge { method, .. }
            | Self::Html { method, .. }
            | Self::Redirected { method, .. }
            | Self::RateLimited { method, .. }
            | Self::Server { method, .. }
            | Self::Status { method, .. }
            | Self::Timeout { method, .. }
            | Self::Connection { method, .. }
            | Self::Decode { method, .. }
            | Self::Encode { method, .. }
            | Self::File { method, .. }
            | Self::RetriesExhausted { method, .. }
            | Self::Ambiguous { method, .. } => Some(method),
        }
    }

    /// The HTTP status TestRail answered with, looking through retries and ambiguity.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { .. } => Some(401),
            Self::Forbidden { .. } => Some(403),
            Self::BadRequest { .. } => Some(400),
            Self::UnknownMethod { .. } => Some(404),
            Self::PayloadTooLarge { .. } => Some(413),
            Self::RateLimited { .. } => Some(429),
            Self::Html { status, .. }
            | Self::Redirected { status, .. }
            | Self::Server { status, .. }
            | Self::Status { status, .. }
            | Self::Decode { status, .. } => Some(*status),
            Self::RetriesExhausted { last, .. } => last.status(),
            Self::Ambiguous { cause, .. } => cause.status(),
            Self::Timeout { .. }
            | Self::Connection { .. }
            | Self::Encode { .. }
            | Self::File { .. } => None,
        }
    }
}

/// Up to ~200 characters of a body, on one line, for error messages.
pub(crate) fn preview(body: &[u8]) -> String {
    const MAX_CHARS: usize = 200;
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut last_space = true;
    for (i, c) in text.chars().enumerate() {
        if i == MAX_CHARS {
            out.push('…');
            break;
        }
        if c.is_whitespace() || c.is_control() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    let trimmed = out.trim_end();
    if trimmed.is_empty() {
        "(empty body)".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_are_short_and_single_line() {
        assert_eq!(preview(b""), "(empty body)");
        assert_eq!(
            preview(b"<html>\n  <body>x</body>"),
            "<html> <body>x</body>"
        );
        let long = "a".repeat(1000);
        let p = preview(long.as_bytes());
        assert_eq!(p.chars().count(), 201);
        assert!(p.ends_with('…'));
        assert_eq!(preview(&[0xff, b'a']), "\u{fffd}a");
    }

    #[test]
    fn status_looks_through_wrappers() {
        let inner = Error::Server {
            method: "get_run/1".into(),
            status: 503,
            message: "down".into(),
        };
        let err = Error::RetriesExhausted {
            method: "get_run/1".into(),
            attempts: 6,
            last: Box::new(inner),
        };
        assert_eq!(err.status(), Some(503));
        assert_eq!(err.method(), Some("get_run/1"));
        assert!(err.to_string().contains("after 6 attempt(s)"));
    }

    #[test]
    fn unauthorized_says_what_to_do() {
        let err = Error::Unauthorized {
            user: "qa@acme.io".into(),
            message: "Authentication failed".into(),
        };
        assert!(err.to_string().starts_with(
            "TestRail rejected the credentials for user qa@acme.io: check TESTRAIL_USER and TESTRAIL_API_KEY (an API key is made under My Settings > API Keys)"
        ));
    }
}
