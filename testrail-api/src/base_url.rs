//! The TestRail base URL: normalising what users type, the HTTPS rule, and building API URLs.

use std::fmt::{self, Write as _};
use std::net::IpAddr;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;

use super::error::BuildError;

/// A validated TestRail instance address, always ending in `/`.
///
/// Accepts what users paste: the address they open TestRail at, with or without a trailing
/// slash, with or without `index.php?/api/v2`, on its own host or under a sub-path. HTTPS is
/// required; plain HTTP is only allowed for loopback addresses (tests, local simulators).
///
/// ```
/// use testrail_api::BaseUrl;
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
    ///
    /// Errors never show what looks like user information (`user:key@`), however malformed
    /// the input: see [`redact_userinfo`].
    pub fn parse(input: &str) -> Result<Self, BuildError> {
        let trimmed = input.trim();
        let shown = hide_query(&redact_userinfo(trimmed));
        let invalid = |reason: String| BuildError::InvalidBaseUrl {
            url: shown.clone(),
            reason,
        };
        let credentials = || {
            invalid(
                "it holds credentials (`user:key@`): give them as TESTRAIL_USER and TESTRAIL_API_KEY instead"
                    .to_owned(),
            )
        };
        if trimmed.is_empty() {
            return Err(invalid("it is empty".to_owned()));
        }
        let explicit_scheme = scheme_of(trimmed)
            .filter(|scheme| trimmed[scheme.len() + 1..].starts_with("//"))
            .map(str::to_ascii_lowercase);
        let url = match Url::parse(trimmed) {
            Ok(url) if is_web_scheme(url.scheme()) => url,
            Err(error) if explicit_scheme.as_deref().is_some_and(is_web_scheme) => {
                if trimmed.contains('@') {
                    return Err(credentials());
                }
                return Err(invalid(error.to_string()));
            }
            _ => {
                // Not an http(s) address: another scheme, no scheme at all, or a
                // `host:port` that reads as a scheme (`localhost:19300`).
                if trimmed.contains('@') {
                    return Err(credentials());
                }
                if let Some(scheme) = explicit_scheme {
                    return Err(invalid(format!("unsupported scheme `{scheme}`: use https")));
                }
                return Err(invalid(missing_scheme(&hide_query(trimmed))));
            }
        };
        if !url.username().is_empty() || url.password().is_some() || trimmed.contains('@') {
            return Err(credentials());
        }
        if url.fragment().is_some() {
            return Err(invalid("remove the `#...` part".to_owned()));
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| invalid("it has no host".to_owned()))?;
        if url.scheme() == "http" && !is_loopback(&url) {
            return Err(BuildError::InsecureBaseUrl { url: shown });
        }

        let mut path = url.path().to_owned();
        let query = url.query();
        if let Some(stripped) = path.strip_suffix("index.php") {
            path = stripped.to_owned();
            let api_prefix = query.map(|q| q.trim_start_matches('/').trim_end_matches('/'));
            if !matches!(api_prefix, None | Some("") | Some("api/v2")) {
                return Err(invalid(format!(
                    "it should be the address you open TestRail at, without an API method (found `{}`)",
                    hide_query(&format!("?{}", query.unwrap_or_default()))
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
        let mut out = format!(
            "{}index.php?/api/v2/{}",
            self.root,
            utf8_percent_encode(route, ROUTE)
        );
        for (k, v) in params {
            let (k, v) = (k.as_ref(), v.as_ref());
            let _ = write!(
                out,
                "&{}={}",
                utf8_percent_encode(k, VALUE),
                utf8_percent_encode(v, VALUE)
            );
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

/// What stays unencoded in a route (`get_cases/1`): letters, digits, `_ - . /`.
const ROUTE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'-')
    .remove(b'.')
    .remove(b'/');

/// What stays unencoded in a query key or value: RFC 3986's unreserved characters, and `,`
/// so that id lists (`suite_id=1,2`) read as TestRail's documentation writes them.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b',');

/// Whether `scheme` is one TestRail is served over.
fn is_web_scheme(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")
}

/// The scheme-shaped start of `text` (`[A-Za-z][A-Za-z0-9+.-]*` before a `:`), if any.
fn scheme_of(text: &str) -> Option<&str> {
    let end = text.find(':')?;
    let scheme = &text[..end];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// Why an address without `http(s)://` was refused, with the spelling that would work.
fn missing_scheme(text: &str) -> String {
    let candidate = format!("https://{}", text.trim_start_matches(['/', '\\']));
    match Url::parse(&candidate) {
        Ok(url) if url.host_str().is_some_and(|host| !host.is_empty()) => {
            let loopback = if is_loopback(&url) {
                " (http:// also works for a loopback address such as a local simulator)"
            } else {
                ""
            };
            format!("it has no scheme: add https:// in front, as in {candidate}{loopback}")
        }
        _ => "it is not a web address: write it as https://<host>, e.g. https://acme.testrail.io"
            .to_owned(),
    }
}

/// Hides the query and the fragment of a URL about to be shown, where a key pasted as
/// `?key=...`, `&key=...` or `#...` would be: they become `…`. A TestRail API route
/// (`?/api/v2/get_case/1`) is kept up to its first parameter, so the message can still
/// name the method that does not belong in the address.
fn hide_query(text: &str) -> String {
    let Some(start) = text.find(['?', '#']) else {
        return text.to_owned();
    };
    let rest = &text[start + 1..];
    let keep = if text[start..].starts_with('?') && rest.starts_with('/') {
        match rest.find(['&', '=', '#']) {
            Some(end) => start + 1 + end,
            None => return text.to_owned(),
        }
    } else if rest.is_empty() {
        return text.to_owned();
    } else {
        start + 1
    };
    format!("{}…", &text[..keep])
}

/// Hides whatever looks like user information (`user:key@`) in a URL about to be shown.
///
/// It works on text that is not a valid URL too: everything between the scheme (with its
/// slashes, when it is `http`/`https` or followed by a slash) and the last `@` becomes
/// `***`, so a key holding `@`, `:`, `/`, `%` or `#`, a misspelled scheme or missing
/// slashes (`https:/admin:KEY@host`, `admin:KEY@host`, `//admin:KEY@host`) hide it too.
/// Text without `@` is returned unchanged.
///
/// ```
/// use testrail_api::redact_userinfo;
///
/// assert_eq!(redact_userinfo("https://qa:k@y@acme.testrail.io/"), "https://***@acme.testrail.io/");
/// assert_eq!(redact_userinfo("admin:KEY@host"), "***@host");
/// assert_eq!(redact_userinfo("https://acme.testrail.io/"), "https://acme.testrail.io/");
/// ```
pub fn redact_userinfo(input: &str) -> String {
    let Some(at) = input.rfind('@') else {
        return input.to_owned();
    };
    let after_scheme = match scheme_of(input) {
        Some(scheme) => {
            let rest = &input[scheme.len() + 1..];
            if is_web_scheme(scheme) || rest.starts_with(['/', '\\']) {
                scheme.len() + 1
            } else {
                0
            }
        }
        None => 0,
    };
    let slashes =
        input[after_scheme..].len() - input[after_scheme..].trim_start_matches(['/', '\\']).len();
    let keep = (after_scheme + slashes).min(at);
    format!("{}***{}", &input[..keep], &input[at..])
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
    fn a_key_in_the_query_or_fragment_is_never_shown() {
        let key = "Xk3yPlainS3cr3tValue";
        for input in [
            format!("https://acme.testrail.io/?key={key}"),
            format!("https://acme.testrail.io/?{key}"),
            format!("https://acme.testrail.io/#{key}"),
            format!("https://acme.testrail.io/index.php?/api/v2/&key={key}"),
            format!("https://acme.testrail.io/index.php?/api/v2/get_case/1&key={key}"),
            format!("https://acme.testrail.io/index.php?/api/v2/get_case/1#{key}"),
            format!("http://acme.testrail.io/?key={key}"),
            format!("acme.testrail.io/?key={key}"),
            format!("localhost:19300/x?k={key}"),
        ] {
            let error = BaseUrl::parse(&input).unwrap_err().to_string();
            assert!(!error.contains(key), "{input}: {error}");
        }
        let error = BaseUrl::parse("https://h/index.php?/api/v2/get_case/1&key=K")
            .unwrap_err()
            .to_string();
        assert!(error.contains("found `?/api/v2/get_case/1…`"), "{error}");
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
                matches!(err, BuildError::InsecureBaseUrl { .. }),
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
                matches!(err, BuildError::InvalidBaseUrl { .. }),
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
        assert!(err.contains("holds credentials"), "{err}");
        // Better to hide too much of a URL than a password holding `/`.
        assert_eq!(
            redact_userinfo("https://a:b@h/x@y"),
            "https://***@y".to_owned()
        );
    }

    #[test]
    fn malformed_shapes_with_userinfo_are_refused_without_the_key() {
        for (input, shown) in [
            (
                "https:/admin:sekrit@acme.testrail.io",
                "https:/***@acme.testrail.io",
            ),
            (
                "https:admin:sekrit@acme.testrail.io",
                "https:***@acme.testrail.io",
            ),
            ("admin:sekrit@acme.testrail.io", "***@acme.testrail.io"),
            ("//admin:sekrit@acme.testrail.io", "//***@acme.testrail.io"),
            (
                "htps://admin:sekrit@acme.testrail.io",
                "htps://***@acme.testrail.io",
            ),
            ("https://admin:sekrit@", "https://***@"),
            ("https://admin:sek@rit@[::1]:9/x", "https://***@[::1]:9/x"),
            ("https:\\\\admin:sekrit@host", "https:\\\\***@host"),
        ] {
            let err = BaseUrl::parse(input).unwrap_err().to_string();
            assert!(
                !err.contains("sekrit") && !err.contains("sek@rit"),
                "{input}: {err}"
            );
            assert!(err.contains(&format!("`{shown}`")), "{input}: {err}");
            assert!(err.contains("holds credentials"), "{input}: {err}");
        }
    }

    #[test]
    fn a_host_and_port_without_scheme_asks_for_https() {
        for (input, suggestion) in [
            ("localhost:19300", "https://localhost:19300"),
            ("acme.testrail.io:443", "https://acme.testrail.io:443"),
            ("acme.testrail.io", "https://acme.testrail.io"),
            ("127.0.0.1:8080/testrail", "https://127.0.0.1:8080/testrail"),
        ] {
            let err = BaseUrl::parse(input).unwrap_err().to_string();
            assert!(err.contains("add https://"), "{input}: {err}");
            assert!(err.contains(suggestion), "{input}: {err}");
            assert!(!err.contains("no host"), "{input}: {err}");
        }
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
