//! Typed, lenient reads of JSON request bodies with TestRail's error texts.
//!
//! TestRail (PHP) accepts numbers sent as strings and `0`/`1` for booleans; so does this.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::route::parse_id;

/// A JSON object read field by field. `prefix` goes before field names in error texts
/// (`"results."` for the items of bulk result requests).
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: &'static str,
}

impl<'a> Fields<'a> {
    /// Reads `map`, naming fields `<prefix><key>` in errors.
    pub fn new(map: &'a Map<String, Value>, prefix: &'static str) -> Self {
        Fields { map, prefix }
    }

    fn label(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    /// The raw value, `None` when absent or `null`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// Whether the key is present at all (even as `null`).
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// An optional positive id.
    pub fn id(&self, key: &str) -> ApiResult<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => value_id(v)
                .map(Some)
                .ok_or_else(|| ApiError::invalid_id(&self.label(key))),
        }
    }

    /// An optional string (numbers and booleans are turned into text).
    pub fn string(&self, key: &str) -> ApiResult<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(if *b { "1".into() } else { "0".into() })),
            Some(_) => Err(ApiError::wrong_type(&self.label(key), "string")),
        }
    }

    /// An optional string of at most 250 characters.
    pub fn short_string(&self, key: &str) -> ApiResult<Option<String>> {
        let s = self.string(key)?;
        if s.as_ref().is_some_and(|s| s.chars().count() > 250) {
            return Err(ApiError::too_long(&self.label(key)));
        }
        Ok(s)
    }

    /// A required, non-empty string of at most 250 characters.
    pub fn required_string(&self, key: &str) -> ApiResult<String> {
        match self.short_string(key)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(ApiError::required(&self.label(key))),
        }
    }

    /// An optional boolean (`true`/`false`, `1`/`0`).
    pub fn bool(&self, key: &str) -> ApiResult<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::Number(n)) if n.as_u64() == Some(1) => Ok(Some(true)),
            Some(Value::Number(n)) if n.as_u64() == Some(0) => Ok(Some(false)),
            Some(Value::String(s)) if s == "1" || s == "true" => Ok(Some(true)),
            Some(Value::String(s)) if s == "0" || s == "false" => Ok(Some(false)),
            Some(_) => Err(ApiError::wrong_type(&self.label(key), "boolean")),
        }
    }

    /// An optional list of ids: a JSON array, or a CSV string.
    pub fn ids(&self, key: &str) -> ApiResult<Option<Vec<u64>>> {
        let bad = || ApiError::invalid_id(&self.label(key));
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| value_id(v).ok_or_else(bad))
                .collect::<ApiResult<_>>()
                .map(Some),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(Some(Vec::new())),
            Some(Value::String(s)) => s
                .split(',')
                .map(|p| parse_id(p.trim()).ok_or_else(bad))
                .collect::<ApiResult<_>>()
                .map(Some),
            Some(_) => Err(bad()),
        }
    }

    /// An optional UNIX timestamp. [U] error text follows TestRail's pattern.
    pub fn time(&self, key: &str) -> ApiResult<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .map(Some)
                .ok_or_else(|| {
                    ApiError::bad(format!(
                        "Field :{} is not a valid timestamp.",
                        self.label(key)
                    ))
                }),
        }
    }

    /// Every `custom_*` field present (nulls included, so a client can clear a field).
    pub fn custom(&self) -> BTreeMap<String, Value> {
        self.map
            .iter()
            .filter(|(k, _)| k.starts_with("custom_"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// A positive id from a JSON number or numeric string.
pub fn value_id(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().filter(|n| *n > 0),
        Value::String(s) => parse_id(s.trim()),
        _ => None,
    }
}
