//! `testrail.lock`: the TestRail cases the workspace's tests link to, as they were when
//! someone accepted them (`cargo testrail accept`). One line per case, sorted by ID, so a
//! change reads well in a diff; meant to be committed, like a snapshot of cargo-insta.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::error::CliError;

/// The lock file format version.
const VERSION: i64 = 1;

/// A case as accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// Its suite.
    pub suite: Option<u64>,
    /// Its section.
    pub section: Option<u64>,
    /// TestRail's `updated_on` (UNIX seconds).
    pub updated_on: Option<u64>,
    /// Its title.
    pub title: String,
}

/// The accepted cases by ID.
pub type LockFile = BTreeMap<u64, Accepted>;

/// Reads a lock file; a missing file is an empty one.
pub fn read(path: &Path) -> Result<LockFile, CliError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(LockFile::new()),
        Err(source) => return Err(CliError::io("read", path, source)),
    };
    parse(&text).map_err(|reason| CliError::LockFile {
        path: path.to_owned(),
        reason,
    })
}

/// Parses the text of a lock file.
pub fn parse(text: &str) -> Result<LockFile, String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    match table.get("version").and_then(toml::Value::as_integer) {
        Some(VERSION) => {}
        Some(other) => {
            return Err(format!(
                "version {other} is not supported (this cargo-testrail writes version {VERSION})"
            ));
        }
        None => return Err("`version = 1` is missing".into()),
    }
    let mut cases = LockFile::new();
    let Some(entries) = table.get("cases") else {
        return Ok(cases);
    };
    let entries = entries
        .as_table()
        .ok_or("`cases` must be a table of C<id> = { ... }")?;
    for (key, value) in entries {
        let id = key
            .strip_prefix('C')
            .and_then(|id| id.parse::<u64>().ok())
            .ok_or_else(|| format!("`{key}` is not a case ID like C123"))?;
        let entry = value
            .as_table()
            .ok_or_else(|| format!("`{key}` must be {{ updated_on = ..., title = ... }}"))?;
        let number = |name: &str| -> Result<Option<u64>, String> {
            match entry.get(name) {
                None => Ok(None),
                Some(value) => value
                    .as_integer()
                    .and_then(|n| u64::try_from(n).ok())
                    .map(Some)
                    .ok_or_else(|| format!("`{key}.{name}` must be a whole number")),
            }
        };
        cases.insert(
            id,
            Accepted {
                suite: number("suite")?,
                section: number("section")?,
                updated_on: number("updated_on")?,
                title: entry
                    .get("title")
                    .and_then(toml::Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            },
        );
    }
    Ok(cases)
}

/// The text of a lock file.
pub fn render(cases: &LockFile) -> String {
    let mut text = String::from(
        "# testrail.lock: the TestRail cases this workspace's tests link to, as they were when\n\
         # accepted with `cargo testrail accept`. Commit it: `cargo testrail status` shows a case as\n\
         # Outdated when TestRail changed it since, and as New when it is not listed here.\n",
    );
    let _ = writeln!(text, "version = {VERSION}\n\n[cases]");
    for (id, case) in cases {
        let mut fields = Vec::new();
        if let Some(suite) = case.suite {
            fields.push(format!("suite = {suite}"));
        }
        if let Some(section) = case.section {
            fields.push(format!("section = {section}"));
        }
        if let Some(updated_on) = case.updated_on {
            fields.push(format!("updated_on = {updated_on}"));
        }
        fields.push(format!(
            "title = {}",
            toml::Value::String(case.title.clone())
        ));
        let _ = writeln!(text, "C{id} = {{ {} }}", fields.join(", "));
    }
    text
}

/// Writes a lock file atomically.
pub fn write(path: &Path, cases: &LockFile) -> Result<(), CliError> {
    testrail_formats::spool::write_atomically(path, render(cases).as_bytes())
        .map_err(CliError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_sorted_by_id() {
        let mut cases = LockFile::new();
        for id in [10, 2, 1] {
            cases.insert(
                id,
                Accepted {
                    suite: Some(1),
                    section: Some(3),
                    updated_on: Some(1_700_000_000 + id),
                    title: format!("Case \"{id}\" = ok"),
                },
            );
        }
        let text = render(&cases);
        let lines: Vec<&str> = text.lines().filter(|l| l.starts_with('C')).collect();
        assert!(
            lines[0].starts_with("C1 ")
                && lines[1].starts_with("C2 ")
                && lines[2].starts_with("C10 ")
        );
        assert_eq!(parse(&text).unwrap(), cases);
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        assert!(parse("version = 2").unwrap_err().contains("version 2"));
        assert!(parse("[cases]").unwrap_err().contains("version"));
        assert!(
            parse("version = 1\n[cases]\nX1 = {}")
                .unwrap_err()
                .contains("X1")
        );
        assert!(parse("not toml [").is_err());
        assert!(parse("version = 1").unwrap().is_empty());
    }
}
