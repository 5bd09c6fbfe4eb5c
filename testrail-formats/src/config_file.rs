//! `testrail.toml`: where it is, and its top-level switches read leniently.
//!
//! The export reads the whole file strictly (`testrail-export`'s configuration). Whether an
//! export was asked for must be known even when that strict reading fails, and also by a
//! test binary built without the export: both read the switches with [`TopLevel`], which
//! falls back to reading line by line when the file is not valid TOML, so a syntax error
//! elsewhere cannot hide `export = true`.

use std::path::{Path, PathBuf};

/// The configuration file's name.
pub const FILE_NAME: &str = "testrail.toml";

/// The configuration file that applies to a package in `start_dir`: the file
/// `TESTRAIL_CONFIG` names (whether or not it exists), else the first `testrail.toml` in
/// `start_dir` or one of its ancestors.
pub fn locate(start_dir: &Path) -> Option<PathBuf> {
    match std::env::var_os("TESTRAIL_CONFIG") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => start_dir
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|path| path.is_file()),
    }
}

/// The top-level `key = value` pairs of a configuration file, values as text (a TOML
/// string without its quotes): parsed as TOML when it is valid, else read from the lines
/// before the first table.
///
/// ```
/// use testrail_formats::config_file::TopLevel;
///
/// let broken = "export = true\nurl = \"https://acme.testrail.io\n";
/// assert_eq!(TopLevel::new(broken).get("export").as_deref(), Some("true"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct TopLevel {
    pairs: Vec<(String, String)>,
}

impl TopLevel {
    /// Reads the pairs of `text`.
    pub fn new(text: &str) -> TopLevel {
        let pairs = match text.parse::<toml::Table>() {
            Ok(table) => table
                .into_iter()
                .filter(|(_, value)| !value.is_table())
                .map(|(key, value)| {
                    let shown = match value {
                        toml::Value::String(text) => text,
                        other => other.to_string(),
                    };
                    (key, shown)
                })
                .collect(),
            Err(_) => text
                .lines()
                .map(str::trim)
                .take_while(|line| !line.starts_with('['))
                .filter_map(|line| {
                    let (key, value) = line.split_once('=')?;
                    let value = value.split('#').next().unwrap_or_default().trim();
                    Some((key.trim().trim_matches('"').to_owned(), value.to_owned()))
                })
                .collect(),
        };
        TopLevel { pairs }
    }

    /// The value of `key`, the last one when it is given twice.
    pub fn get(&self, key: &str) -> Option<String> {
        self.pairs
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.clone())
    }
}

/// Whether a switch's value asks for it: anything but a clear "off" (`0`, `false`, `no`,
/// `off`, in any case, with or without quotes). Empty values are for the caller to treat
/// as unset.
pub fn asks(value: &str) -> bool {
    !matches!(
        value
            .trim()
            .trim_matches(['"', '\''])
            .to_ascii_lowercase()
            .as_str(),
        "0" | "false" | "no" | "off"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_are_read_from_toml_or_line_by_line() {
        assert_eq!(
            TopLevel::new("export = true\n[mapping]\nexport = false\n")
                .get("export")
                .as_deref(),
            Some("true")
        );
        assert_eq!(
            TopLevel::new("export = \"yes\" # on\nurl = [\n")
                .get("export")
                .as_deref(),
            Some("\"yes\"")
        );
        assert_eq!(TopLevel::new("url = 'x'\n").get("export"), None);
        // Not valid TOML: the lines before the first table still count.
        let broken = "dry_run = true # keep\nproject = = 3\n[x]\nexport = true\n";
        assert_eq!(
            TopLevel::new(broken).get("dry_run").as_deref(),
            Some("true")
        );
        assert_eq!(TopLevel::new(broken).get("export"), None);
    }

    #[test]
    fn only_a_clear_off_does_not_ask() {
        for off in ["0", "false", "NO", "'off'", " \"False\" "] {
            assert!(!asks(off), "{off}");
        }
        for on in ["1", "true", "yes", "enabled", "\"on\""] {
            assert!(asks(on), "{on}");
        }
    }
}
