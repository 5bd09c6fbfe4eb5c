//! Forgiving field decoders: TestRail versions differ in what they send, any field may be
//! `null`, and some ids come as strings (`"role_id": "1"`).
//!
//! Each is used as `#[serde(default, deserialize_with = "lenient::...")]`; values of an
//! unexpected type become the field's "absent" value instead of failing the whole answer.
//! Only entity ids are strict: an object without a usable `id` is an error.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

fn to_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn to_string(value: Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

/// A required id: an integer or a string holding one.
pub(crate) fn id<'de, D: Deserializer<'de>, T: From<u64>>(d: D) -> Result<T, D::Error> {
    let value = Value::deserialize(d)?;
    to_u64(&value)
        .map(T::from)
        .ok_or_else(|| D::Error::custom(format!("`{value}` is not a valid id")))
}

/// An optional id (see [`opt_u64`]): what is not a usable number is `None`.
pub(crate) fn opt_id<'de, D: Deserializer<'de>, T: From<u64>>(d: D) -> Result<Option<T>, D::Error> {
    Ok(opt_u64(d)?.map(T::from))
}

/// An optional number: integers, integral floats and numeric strings; anything else is `None`.
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(to_u64(&Value::deserialize(d)?))
}

/// A count or number that reads as 0 when absent or unusable.
pub(crate) fn u64_or_zero<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(opt_u64(d)?.unwrap_or(0))
}

/// A flag: `true`/`false`, `1`/`0` (as in `is_deleted`), `"1"`/`"true"`; otherwise `false`.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => matches!(s.trim(), "1" | "true" | "True" | "TRUE"),
        _ => false,
    })
}

/// Optional text; numbers and booleans are kept as their JSON text.
pub(crate) fn opt_string<'de, D: Deserializer<'de>, T: From<String>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    Ok(to_string(Value::deserialize(d)?).map(T::from))
}

/// Text that reads as empty when absent or `null`.
pub(crate) fn string<'de, D: Deserializer<'de>, T: From<String> + Default>(
    d: D,
) -> Result<T, D::Error> {
    Ok(opt_string(d)?.unwrap_or_default())
}

/// A list of ids; `null` is empty and unusable elements are skipped.
pub(crate) fn ids<'de, D: Deserializer<'de>, T: From<u64>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items.iter().filter_map(to_u64).map(T::from).collect(),
        _ => Vec::new(),
    })
}

/// A list or object where `null` means empty.
pub(crate) fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Probe {
        #[serde(deserialize_with = "id")]
        id: u64,
        #[serde(default, deserialize_with = "opt_u64")]
        n: Option<u64>,
        #[serde(default, deserialize_with = "flag")]
        b: bool,
        #[serde(default, deserialize_with = "opt_string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "string")]
        t: String,
        #[serde(default, deserialize_with = "ids")]
        v: Vec<u64>,
        #[serde(default, deserialize_with = "u64_or_zero")]
        c: u64,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn accepts_what_testrail_versions_send() {
        assert_eq!(
            probe(r#"{"id":"7","n":"3","b":1,"s":1.5,"t":null,"v":[1,"2",null,"x"],"c":null}"#),
            Probe {
                id: 7,
                n: Some(3),
                b: true,
                s: Some("1.5".into()),
                t: String::new(),
                v: vec![1, 2],
                c: 0,
            }
        );
        let p = probe(r#"{"id":7.0,"n":-1,"b":"0","s":null,"v":null}"#);
        assert_eq!((p.id, p.n, p.b, p.s, p.v), (7, None, false, None, vec![]));
        let p = probe(r#"{"id":1,"n":{"x":1},"b":"true","s":true}"#);
        assert_eq!((p.n, p.b, p.s.as_deref()), (None, true, Some("true")));
    }

    #[test]
    fn ids_are_strict() {
        for bad in [r#"{"id":null}"#, r#"{"id":"abc"}"#, r#"{"id":-4}"#, "{}"] {
            assert!(serde_json::from_str::<Probe>(bad).is_err(), "{bad}");
        }
    }
}
