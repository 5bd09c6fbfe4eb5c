//! The pagination envelope of bulk GET endpoints (TestRail 6.7+):
//! `{offset, limit, size, _links: {next, prev}, <key>: [...]}`.
//!
//! `limit` defaults to and is at most 250. `_links.next` repeats the request's other
//! filters (e.g. `suite_id`): whether TestRail does is uncertain [U], but trcli follows the
//! link as given, and a next link without `suite_id` would fail in multi-suite projects.

use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::route::{ApiRoute, encode};

/// The largest (and default) page size.
pub const MAX_LIMIT: usize = 250;

/// Requested page bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Items to skip.
    pub offset: usize,
    /// Items per page (1..=250).
    pub limit: usize,
}

/// Reads and validates `limit` and `offset` with TestRail's error texts.
pub fn page(route: &ApiRoute) -> ApiResult<Page> {
    let limit = match route.param("limit") {
        None => MAX_LIMIT,
        Some(v) => {
            let n = natural(v)
                .ok_or_else(|| ApiError::bad("Field :limit is not a valid natural number."))?;
            if n < 1 {
                return Err(ApiError::bad("Field :limit is too small (minimum 1)."));
            }
            if n > MAX_LIMIT as u64 {
                return Err(ApiError::bad("Field :limit is too large (maximum 250)."));
            }
            n as usize
        }
    };
    let offset = match route.param("offset") {
        None => 0,
        Some(v) => natural(v)
            .ok_or_else(|| ApiError::bad("Field :offset is not a valid natural number."))?
            as usize,
    };
    Ok(Page { offset, limit })
}

fn natural(v: &str) -> Option<u64> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

/// Builds the envelope for one page of `items` (all matches, in order), rendering only
/// the items on the page.
pub fn envelope<T>(
    route: &ApiRoute,
    key: &str,
    items: &[T],
    render: impl Fn(&T) -> Value,
) -> ApiResult<Value> {
    let p = page(route)?;
    let start = p.offset.min(items.len());
    let end = (p.offset.saturating_add(p.limit)).min(items.len());
    let shown: Vec<Value> = items[start..end].iter().map(render).collect();
    let next = (end < items.len()).then(|| link(route, p.limit, end));
    let prev = (p.offset > 0).then(|| link(route, p.limit, p.offset.saturating_sub(p.limit)));
    let mut obj = serde_json::Map::new();
    obj.insert("offset".into(), json!(p.offset));
    obj.insert("limit".into(), json!(p.limit));
    obj.insert("size".into(), json!(shown.len()));
    obj.insert("_links".into(), json!({ "next": next, "prev": prev }));
    obj.insert(key.into(), Value::Array(shown));
    Ok(Value::Object(obj))
}

fn link(route: &ApiRoute, limit: usize, offset: usize) -> String {
    let mut s = format!("/api/v2/{}", route.path());
    for (k, v) in &route.params {
        if k != "limit" && k != "offset" {
            s.push('&');
            s.push_str(&encode(k));
            s.push('=');
            s.push_str(&encode(v));
        }
    }
    s.push_str(&format!("&limit={limit}&offset={offset}"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::{Target, classify};

    fn route(q: &str) -> ApiRoute {
        match classify("/index.php", Some(q)) {
            Target::Api(r) => r,
            _ => panic!(),
        }
    }

    #[test]
    fn pages_and_links() {
        let items: Vec<u32> = (0..600).collect();
        let r = route("/api/v2/get_cases/1&suite_id=2&offset=250");
        let v = envelope(&r, "cases", &items, |i| json!(i)).unwrap();
        assert_eq!(v["size"], 250);
        assert_eq!(v["cases"][0], 250);
        assert_eq!(
            v["_links"]["next"],
            "/api/v2/get_cases/1&suite_id=2&limit=250&offset=500"
        );
        assert_eq!(
            v["_links"]["prev"],
            "/api/v2/get_cases/1&suite_id=2&limit=250&offset=0"
        );
        let v = envelope(
            &route("/api/v2/get_cases/1&offset=900"),
            "cases",
            &items,
            |i| json!(i),
        )
        .unwrap();
        assert_eq!(v["size"], 0);
        assert!(v["_links"]["next"].is_null());
    }

    #[test]
    fn bounds() {
        let err = |q: &str| page(&route(q)).unwrap_err().message;
        assert_eq!(
            err("/api/v2/x&limit=0"),
            "Field :limit is too small (minimum 1)."
        );
        assert_eq!(
            err("/api/v2/x&limit=251"),
            "Field :limit is too large (maximum 250)."
        );
        assert_eq!(
            err("/api/v2/x&limit=-1"),
            "Field :limit is not a valid natural number."
        );
        assert_eq!(
            err("/api/v2/x&offset=o"),
            "Field :offset is not a valid natural number."
        );
    }
}
