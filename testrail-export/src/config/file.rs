//! `testrail.toml`: reading it (where it is: [`testrail_formats::config_file::locate`]), with errors that name the file, the line and
//! the key.

use std::collections::BTreeMap;
use std::path::Path;

use super::mapping::MappingConfig;
use super::setting::{self, Kind};
use super::{ConfigError, Origin, RawValue};

/// What a `testrail.toml` holds.
pub(super) struct FileSettings {
    pub settings: BTreeMap<&'static str, (RawValue, Option<usize>)>,
    /// The former keys that were read: `(former key, its value as a duration, line)`.
    pub renamed: Vec<(&'static setting::Renamed, RawValue, Option<usize>)>,
    pub mapping: MappingConfig,
    pub fields: BTreeMap<String, serde_json::Value>,
    pub case_fields: BTreeMap<String, serde_json::Value>,
}

/// Reads and checks a `testrail.toml`.
pub(super) fn read(path: &Path) -> Result<FileSettings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let table: toml::Table = text
        .parse()
        .map_err(|error: toml::de::Error| ConfigError::File {
            path: path.to_owned(),
            // The parser's message and position only: its full text quotes the source line,
            // which may hold a secret someone put there by mistake.
            message: match error.span() {
                Some(span) => {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}: {}", error.message())
                }
                None => error.message().to_owned(),
            },
        })?;
    let mut result = FileSettings {
        settings: BTreeMap::new(),
        renamed: Vec::new(),
        mapping: MappingConfig::default(),
        fields: BTreeMap::new(),
        case_fields: BTreeMap::new(),
    };
    for (key, value) in table {
        let line = line_of(&text, &key);
        let origin = Origin::File {
            path: path.to_owned(),
            line,
        };
        let bad = |key: &'static str, reason: String| ConfigError::Value {
            origin: origin.clone(),
            key,
            reason,
        };
        match key.as_str() {
            "api_key" => {
                return Err(bad(
                    "api_key",
                    "does not belong in a file that is committed: set TESTRAIL_API_KEY, or api_key_file = \"path\"".into(),
                ));
            }
            "mapping" => {
                result.mapping =
                    value
                        .try_into()
                        .map_err(|error: toml::de::Error| ConfigError::Value {
                            origin: Origin::File {
                                path: path.to_owned(),
                                line: mapping_error_line(&text).or(line),
                            },
                            key: "mapping",
                            reason: format!("is invalid: {}", error.message()),
                        })?;
            }
            "fields" | "case_fields" => {
                let (key, what, into) = if key == "fields" {
                    ("fields", "result", &mut result.fields)
                } else {
                    ("case_fields", "case", &mut result.case_fields)
                };
                let toml::Value::Table(fields) = value else {
                    return Err(bad(
                        key,
                        format!("must be a table of custom_* {what} fields"),
                    ));
                };
                for (name, value) in fields {
                    if !name.starts_with("custom_") {
                        return Err(bad(key, format!("`{name}` must start with custom_")));
                    }
                    let json = serde_json::to_value(&value)
                        .map_err(|error| bad(key, format!("`{name}`: {error}")))?;
                    into.insert(name, json);
                }
            }
            other => {
                if let Some(renamed) = setting::renamed_by_key(other) {
                    let toml::Value::Integer(count) = value else {
                        return Err(bad(renamed.key, "must be a whole number".into()));
                    };
                    let raw = super::renamed_value(renamed, count)
                        .map_err(|reason| bad(renamed.key, reason))?;
                    // The current key wins when both are set.
                    result.renamed.push((renamed, raw.clone(), line));
                    result
                        .settings
                        .entry(renamed.replacement)
                        .or_insert((raw, line));
                    continue;
                }
                if let Some(setting) = setting::by_key(other).filter(|s| s.flag.is_none()) {
                    return Err(bad(
                        setting.key,
                        format!(
                            "is not read from a file: set the environment variable {} instead",
                            setting.env
                        ),
                    ));
                }
                let Some(setting) = setting::by_key(other) else {
                    // Only the keys a file may hold: the others are refused above.
                    let known = || {
                        setting::SETTINGS
                            .iter()
                            .filter(|s| s.flag.is_some())
                            .map(|s| s.key)
                    };
                    return Err(ConfigError::UnknownKey {
                        origin,
                        key: other.to_owned(),
                        suggestion: setting::did_you_mean(
                            other,
                            known().chain(["mapping", "fields", "case_fields"]),
                        ),
                        known: known().collect::<Vec<_>>().join(", "),
                    });
                };
                let raw = convert(setting.kind, value)
                    .map_err(|expected| bad(setting.key, format!("must be {expected}")))?;
                result.settings.insert(setting.key, (raw, line));
            }
        }
    }
    Ok(result)
}

/// The line of what is wrong in `[mapping]`, read again from the text so that the parser
/// keeps its position (the table alone has none).
fn mapping_error_line(text: &str) -> Option<usize> {
    #[derive(serde::Deserialize)]
    struct MappingOnly {
        #[allow(dead_code)]
        mapping: MappingConfig,
    }
    let error = toml::from_str::<MappingOnly>(text).err()?;
    let span = error.span()?;
    Some(text[..span.start.min(text.len())].matches('\n').count() + 1)
}

fn convert(kind: Kind, value: toml::Value) -> Result<RawValue, String> {
    match (kind, value) {
        (Kind::Duration, toml::Value::String(text)) => super::parse_duration(&text)
            .map(RawValue::Duration)
            .map_err(|error| format!("{}, not {text:?}: {error}", super::DURATION_SYNTAX)),
        (Kind::Duration, toml::Value::Integer(n)) => Err(format!(
            "{} in quotes, with its unit: \"{n}s\" or \"{n}ms\", not {n}",
            super::DURATION_SYNTAX
        )),
        (Kind::Duration, _) => Err(super::DURATION_SYNTAX.to_owned()),
        (Kind::Text, toml::Value::String(text)) => Ok(RawValue::Text(text)),
        (Kind::Text, toml::Value::Integer(n)) => Ok(RawValue::Text(n.to_string())),
        (Kind::Text, _) => Err("text".into()),
        (Kind::Bool, toml::Value::Boolean(value)) => Ok(RawValue::Bool(value)),
        (Kind::Bool, _) => Err("true or false".into()),
        (Kind::Number, toml::Value::Integer(n)) => Ok(RawValue::Number(n)),
        (Kind::Number, _) => Err("a whole number".into()),
        (Kind::List, toml::Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                toml::Value::String(text) => Ok(text),
                toml::Value::Integer(n) => Ok(n.to_string()),
                _ => Err("a list of names or IDs".to_owned()),
            })
            .collect::<Result<_, _>>()
            .map(RawValue::List),
        (Kind::List, toml::Value::String(text)) => Ok(RawValue::List(vec![text])),
        (Kind::List, toml::Value::Integer(n)) => Ok(RawValue::List(vec![n.to_string()])),
        (Kind::List, _) => Err("a list of names or IDs".into()),
    }
}

/// The 1-based line where top-level `key` is set (`key = ...` or `[key]`).
fn line_of(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
                || line.starts_with(&format!("[{key}]"))
                || line.starts_with(&format!("[{key}."))
        })
        .map(|index| index + 1)
}
