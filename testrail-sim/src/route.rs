//! The URL form `/index.php?/api/v2/<method>/<ids>&k=v`.
//!
//! TestRail routes on the query string: everything after `?` up to the first `&` is the
//! route, the rest are `k=v` parameters. The raw query string is parsed here, never by a
//! generic query parser (which would treat the route as a key).

use crate::error::{ApiError, ApiResult};

/// A parsed API request target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRoute {
    /// The API method, e.g. `get_cases`.
    pub method: String,
    /// Path ids after the method, e.g. `["1"]` for `get_cases/1`.
    pub ids: Vec<String>,
    /// The `&k=v` parameters, decoded, in request order.
    pub params: Vec<(String, String)>,
}

/// What a request's path and query string address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An API v2 call.
    Api(ApiRoute),
    /// The front controller without an API route: the web UI's pages ([`crate::pages`]).
    WebUi {
        /// The raw query string (the page route and its parameters), if any.
        query: Option<String>,
    },
    /// Anything else (the web server's 404).
    Other,
}

/// Classifies a request by its path and raw query string.
pub fn classify(path: &str, query: Option<&str>) -> Target {
    let front = path.ends_with("/index.php") || path.ends_with('/');
    if !front {
        return Target::Other;
    }
    let web = || Target::WebUi {
        query: query.map(str::to_string),
    };
    let Some(query) = query else {
        return web();
    };
    let (route, rest) = match query.split_once('&') {
        Some((r, rest)) => (r, Some(rest)),
        None => (query, None),
    };
    let route = route.trim_start_matches('/');
    let Some(route) = route.strip_prefix("api/v2/") else {
        return web();
    };
    let mut segments = route.split('/').filter(|s| !s.is_empty()).map(decode);
    let Some(method) = segments.next() else {
        return web();
    };
    let params = rest.map(parse_params).unwrap_or_default();
    Target::Api(ApiRoute {
        method,
        ids: segments.collect(),
        params,
    })
}

fn parse_params(rest: &str) -> Vec<(String, String)> {
    rest.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// Percent-decodes a query component (`+` is a space).
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Percent-encodes a parameter value for use in a `_links` URL.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl ApiRoute {
    /// The route as TestRail writes it in `_links`: `<method>/<ids...>`.
    pub fn path(&self) -> String {
        let mut s = self.method.clone();
        for id in &self.ids {
            s.push('/');
            s.push_str(id);
        }
        s
    }

    /// The first value of a parameter.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The path id at `index` as a positive integer. Missing: `Field :<field> is a required
    /// field.` [U]; not a number: `Field :<field> is not a valid ID.`
    pub fn id(&self, index: usize, field: &str) -> ApiResult<u64> {
        let raw = self
            .ids
            .get(index)
            .ok_or_else(|| ApiError::required(field))?;
        parse_id(raw).ok_or_else(|| ApiError::invalid_id(field))
    }

    /// The path id at `index` as a string (plan entry GUIDs).
    pub fn str_id(&self, index: usize, field: &str) -> ApiResult<&str> {
        self.ids
            .get(index)
            .map(String::as_str)
            .ok_or_else(|| ApiError::required(field))
    }

    /// An optional integer parameter; malformed: `Field :<key> is not a valid ID.`
    pub fn param_id(&self, key: &str) -> ApiResult<Option<u64>> {
        match self.param(key) {
            None | Some("") => Ok(None),
            Some(v) => parse_id(v)
                .map(Some)
                .ok_or_else(|| ApiError::invalid_id(key)),
        }
    }

    /// An optional CSV list of integers (`status_id=4,5`).
    pub fn param_ids(&self, key: &str) -> ApiResult<Option<Vec<u64>>> {
        match self.param(key) {
            None | Some("") => Ok(None),
            Some(v) => v
                .split(',')
                .map(|p| parse_id(p.trim()).ok_or_else(|| ApiError::invalid_id(key)))
                .collect::<ApiResult<Vec<_>>>()
                .map(Some),
        }
    }

    /// An optional UNIX timestamp parameter. [U] error text modelled on TestRail's pattern.
    pub fn param_time(&self, key: &str) -> ApiResult<Option<i64>> {
        match self.param(key) {
            None | Some("") => Ok(None),
            Some(v) => v
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::bad(format!("Field :{key} is not a valid timestamp."))),
        }
    }

    /// An optional boolean parameter (`1`/`0`, `true`/`false`).
    pub fn param_bool(&self, key: &str) -> ApiResult<Option<bool>> {
        match self.param(key) {
            None | Some("") => Ok(None),
            Some("1") | Some("true") => Ok(Some(true)),
            Some("0") | Some("false") => Ok(Some(false)),
            Some(_) => Err(ApiError::bad(format!(
                "Field :{key} is not a valid boolean."
            ))),
        }
    }
}

/// Parses a positive decimal id.
pub fn parse_id(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|v| *v > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_is_everything_up_to_the_first_ampersand() {
        let Target::Api(r) = classify("/index.php", Some("/api/v2/get_cases/1&suite_id=2&limit=5"))
        else {
            panic!("not api")
        };
        assert_eq!(r.method, "get_cases");
        assert_eq!(r.ids, vec!["1"]);
        assert_eq!(r.param("suite_id"), Some("2"));
        assert_eq!(r.path(), "get_cases/1");
    }

    #[test]
    fn values_are_percent_decoded() {
        let Target::Api(r) = classify(
            "/index.php",
            Some("/api/v2/get_user_by_email&email=a%2Bb%40x.test"),
        ) else {
            panic!("not api")
        };
        assert_eq!(r.param("email"), Some("a+b@x.test"));
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%4"), "%4");
    }

    #[test]
    fn non_api_targets() {
        assert_eq!(classify("/index.php", None), Target::WebUi { query: None });
        assert_eq!(
            classify("/index.php", Some("/runs/view/3")),
            Target::WebUi {
                query: Some("/runs/view/3".into())
            }
        );
        assert_eq!(classify("/", None), Target::WebUi { query: None });
        assert_eq!(classify("/foo.txt", None), Target::Other);
    }
}
