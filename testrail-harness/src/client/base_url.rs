//! The TestRail base URL: normalising what users type, the HTTPS rule, and building API URLs.

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;

use super::error::ConfigError;

/// A validated TestRail instance address, always ending in `/`.
///
/// Accepts what users paste: the address they open TestRail at, with or without a trailing
/// slash, with or without `index.php?/api/v2`, on its own host or under a sub-path. HTTPS is
/// required; plain HTTP is only allowed for loopback addresses (tests, local simulators).
///
/// ```
/// use testrail_harness::client::BaseUrl;
///
/// let base = BaseUrl::parse("https://acme.testrail.io/index.php?/api/v2/").unwrap();
/// assert_eq!(base.as_str(), "https://acme.testrail.io/");
/// assert_eq!(
///     base.api_url("get_cases/1", [("suite_id", "2"), ("filter", "log in")]),
///     "https://acme.testrail.io/index.php?/api/v2/get_cases/1&suite_id=2&filter=log%20in",
/// );
/// assert!(BaseUrl::parse("http://acme.testrail.io").is_err());
/// assert!(BaseUrl::parse("http://127.0.0.1:8080").is_ok());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrl {
    root: String,
}

impl BaseUrl {
    /// Parses and normalises a base URL (see the type's documentation for what is accepted).
    pub fn parse(input: &str) -> Result<Self, ConfigError> {
        let trimmed = input.trim();
        let invalid = |reason: String| ConfigError::InvalidBaseUrl {
            url: redact_userinfo(trimmed),
            reason,
        };
        if trimmed.is_empty() {
            return Err(invalid("it is empty".to_owned()));
        }
        let url = Url::parse(trimmed).map_err(|e| match e {
            url::ParseError::RelativeUrlWithoutBase => {
                invalid(format!("it has no scheme: write https://{trimmed}"))
            }
            other => invalid(other.to_string()),
        })?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "it holds credentials: give them as TESTRAIL_USER and TESTRAIL_API_KEY instead"
                    .to_owned(),
            ));
        }
        if url.fragment().is_some() {
            return Err(invalid("remove the `#...` part".to_owned()));
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| invalid("it has no host".to_owned()))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(ConfigError::InsecureBaseUrl {
                    url: trimmed.to_owned(),
                });
            }
            other => return Err(invalid(format!("unsupported scheme `{other}`: use https"))),
        }

        let mut path = url.path().to_owned();
        let query = url.query();
        if let Some(stripped) = path.strip_suffix("index.php") {
            path = stripped.to_owned();
            let api_prefix = query.map(|q| q.trim_start_matches('/').trim_end_matches('/'));
            if !matches!(api_prefix, None | Some("") | Some("api/v2")) {
                return Err(invalid(format!(
                    "it should be the address you open TestRail at, without an API method (found `?{}`)",
                    query.unwrap_or_default()
                )));
            }
        } else if query.is_some_and(|q| !q.is_empty()) {
            return Err(invalid(
                "it should be the address you open TestRail at, without a `?...` part".to_owned(),
            ));
        }
        if !path.ends_with('/') {
            path.push('/');
        }
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        Ok(Self {
            root: format!("{}://{host}{port}{path}", url.scheme()),
        })
    }

    /// The instance root, e.g. `https://acme.testrail.io/` or `https://host/testrail/`.
    pub fn as_str(&self) -> &str {
        &self.root
    }

    /// The URL of an API method: `<root>index.php?/api/v2/<route>&k=v...`.
    ///
    /// `route` is the method with its path ids (`get_cases/1`); parameters are appended with
    /// `&` (never a second `?`), keys and values percent-encoded (commas stay, for id lists).
    pub fn api_url<K, V>(&self, route: &str, params: impl IntoIterator<Item = (K, V)>) -> String
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut out = format!("{}index.php?/api/v2/", self.root);
        encode_into(&mut out, route, |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/')
        });
        for (k, v) in params {
            out.push('&');
            encode_into(&mut out, k.as_ref(), is_value_safe);
            out.push('=');
            encode_into(&mut out, v.as_ref(), is_value_safe);
        }
        out
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BaseUrl({:?})", self.root)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.root)
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

fn is_value_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',')
}

fn encode_into(out: &mut String, text: &str, keep: impl Fn(u8) -> bool) {
    for &b in text.as_bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Hides `user:password@` in a URL that is about to be shown in an error.
fn redact_userinfo(input: &str) -> String {
    let Some(scheme_end) = input.find("://").map(|i| i + 3) else {
        return input.to_owned();
    };
    let rest = &input[scheme_end..];
    // Up to the last `@`, whatever it holds: a password may itself contain `/`, `?` or `#`.
    match rest.rfind('@') {
        Some(at) => format!("{}***{}", &input[..scheme_end], &rest[at..]),
        None => input.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_hidden_even_when_the_password_holds_url_characters() {
        for url in [
            "https://qa:se/cret@acme.testrail.io",
            "https://qa:a#b?c@acme.testrail.io/x",
        ] {
            let shown = redact_userinfo(url);
            assert!(shown.starts_with("https://***@acme.testrail.io"), "{shown}");
        }
        assert_eq!(
            redact_userinfo("https://acme.testrail.io/a"),
            "https://acme.testrail.io/a"
        );
    }

    fn root(input: &str) -> String {
        BaseUrl::parse(input)
            .unwrap_or_else(|e| panic!("{input}: {e}"))
            .as_str()
            .to_owned()
    }

    #[test]
    fn normalises_the_accepted_spellings() {
        for input in [
            "https://acme.testrail.io",
            "https://acme.testrail.io/",
            "  https://acme.testrail.io/  ",
            "https://ACME.testrail.io/index.php",
            "https://acme.testrail.io/index.php?",
            "https://acme.testrail.io/index.php?/api/v2",
            "https://acme.testrail.io/index.php?/api/v2/",
            "https://acme.testrail.io/index.php?api/v2/",
        ] {
            assert_eq!(root(input), "https://acme.testrail.io/", "{input}");
        }
        for input in [
            "https://host/testrail",
            "https://host/testrail/",
            "https://host/testrail/index.php?/api/v2/",
        ] {
            assert_eq!(root(input), "https://host/testrail/", "{input}");
        }
        assert_eq!(root("https://host:8443/tr"), "https://host:8443/tr/");
        assert_eq!(root("https://host:443/"), "https://host/");
    }

    #[test]
    fn https_is_required_except_on_loopback() {
        for ok in [
            "http://localhost:3000",
            "http://LOCALHOST/",
            "http://127.0.0.1:8080/",
            "http://127.8.9.10/",
            "http://[::1]:9000/testrail",
        ] {
            assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            root("http://[::1]:9000/testrail"),
            "http://[::1]:9000/testrail/"
        );
        for bad in [
            "http://acme.testrail.io",
            "http://10.0.0.1/",
            "http://128.0.0.1/",
            "http://localhost.example.com/",
        ] {
            let err = BaseUrl::parse(bad).unwrap_err();
            assert!(
                matches!(err, ConfigError::InsecureBaseUrl { .. }),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn rejects_what_cannot_be_a_base_url() {
        for bad in [
            "",
            "acme.testrail.io",
            "ftp://acme.testrail.io",
            "https://acme.testrail.io/index.php?/api/v2/get_cases/1",
            "https://acme.testrail.io/?x=1",
            "https://acme.testrail.io/#top",
            "https://",
        ] {
            let err = BaseUrl::parse(bad).unwrap_err();
            assert!(
                matches!(err, ConfigError::InvalidBaseUrl { .. }),
                "{bad}: {err}"
            );
        }
        let err = BaseUrl::parse("acme.testrail.io").unwrap_err().to_string();
        assert!(err.contains("https://acme.testrail.io"), "{err}");
    }

    #[test]
    fn credentials_in_the_url_are_rejected_and_redacted() {
        let err = BaseUrl::parse("https://me:hunter2@acme.testrail.io/")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
        assert!(err.contains("https://***@acme.testrail.io/"), "{err}");
        assert_eq!(redact_userinfo("no scheme@all"), "no scheme@all");
        // Better to hide too much of a URL than a password holding `/`.
        assert_eq!(
            redact_userinfo("https://a:b@h/x@y"),
            "https://***@y".to_owned()
        );
    }

    #[test]
    fn api_urls_use_ampersands_and_encode_values() {
        let base = BaseUrl::parse("https://host/testrail").unwrap();
        assert_eq!(
            base.api_url("get_statuses", std::iter::empty::<(&str, &str)>()),
            "https://host/testrail/index.php?/api/v2/get_statuses"
        );
        assert_eq!(
            base.api_url(
                "get_user_by_email",
                [("email", "a+b@example.com"), ("x", "é&?=#")]
            ),
            "https://host/testrail/index.php?/api/v2/get_user_by_email\
             &email=a%2Bb%40example.com&x=%C3%A9%26%3F%3D%23"
        );
        assert_eq!(
            base.api_url("get_tests/7", [("status_id", "4,5")]),
            "https://host/testrail/index.php?/api/v2/get_tests/7&status_id=4,5"
        );
        // A route cannot smuggle parameters or a second `?`.
        assert_eq!(
            base.api_url("get_case/1&x=1?y", std::iter::empty::<(&str, &str)>()),
            "https://host/testrail/index.php?/api/v2/get_case/1%26x%3D1%3Fy"
        );
    }
}
