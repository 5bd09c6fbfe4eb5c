//! What the user asked of the export, read leniently: whether an export (or a dry run) was
//! asked for, where, and what a failure should do.
//!
//! The full configuration ([`super::Config`]) refuses a malformed value, and rightly so; but
//! when it does, the harness must still know whether the user asked for an export, or a
//! broken configuration would silently turn an asked-for export into none at all. So this
//! reads only the switches, with the same precedence (flags, then the environment, then the
//! file), and counts anything that is not clearly "off" as a request: `TESTRAIL_EXPORT=enabled`,
//! `export = "yes"`, or `export = true` in a file that is not valid TOML.

use std::path::Path;

use testrail_formats::config_file::{TopLevel, asks};

use super::ExportFailure;
use crate::flags::HarnessFlags;

/// The switches that ask for an export, with their environment variables and flags.
const SWITCHES: [(&str, &str, &str); 2] = [
    ("export", "TESTRAIL_EXPORT", "--testrail-export"),
    ("dry_run", "TESTRAIL_DRY_RUN", "--testrail-dry-run"),
];

/// What was asked of the export.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportIntent {
    /// Where the export (or dry run) was asked for, e.g. `environment variable
    /// TESTRAIL_EXPORT`; `None` when it was not.
    pub requested_by: Option<String>,
    /// Whether a dry run was asked for (its outcomes must never be sent later).
    pub dry_run: bool,
    /// What a failed export does, as far as it can be read.
    pub on_failure: ExportFailure,
}

impl ExportIntent {
    /// Whether an export or a dry run was asked for.
    pub fn requested(&self) -> bool {
        self.requested_by.is_some()
    }

    /// Reads the intent from the configuration file (if any), the environment and the flags.
    /// A file named by `TESTRAIL_CONFIG` that cannot be read counts as asking for an export:
    /// whether it does cannot be known, and the user named it on purpose.
    pub fn read(file: Option<&Path>, env: &[(String, String)], flags: &HarnessFlags) -> Self {
        let file_text = file.map(|path| (path, std::fs::read_to_string(path)));
        let table = file_text
            .as_ref()
            .and_then(|(_, text)| text.as_ref().ok())
            .map(|text| TopLevel::new(text));
        let env_value = |name: &str| {
            env.iter()
                .rev()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        let flag_value = |name: &str| {
            flags
                .given
                .iter()
                .rev()
                .find(|(flag, _)| flag == name)
                .map(|(_, value)| value.clone().unwrap_or_else(|| "true".to_owned()))
        };

        let mut requested_by = None;
        let mut dry_run = false;
        for (key, env_name, flag) in SWITCHES {
            let decided = if let Some(value) = flag_value(flag) {
                asks(&value).then(|| format!("flag {flag}"))
            } else if let Some(value) = env_value(env_name) {
                asks(&value).then(|| format!("environment variable {env_name}={value}"))
            } else {
                match (&file_text, &table) {
                    (Some((path, _)), Some(view)) => view
                        .get(key)
                        .filter(|value| asks(value))
                        .map(|value| format!("{key} = {value} in {}", path.display())),
                    _ => None,
                }
            };
            if decided.is_some() {
                dry_run |= key == "dry_run";
                requested_by = requested_by.or(decided);
            }
        }
        if requested_by.is_none()
            && let Some((path, Err(error))) = &file_text
            && env_value("TESTRAIL_CONFIG").is_some()
        {
            requested_by = Some(format!(
                "TESTRAIL_CONFIG, which names {} (it cannot be read: {error}; whether it asks for an export cannot be known)",
                path.display()
            ));
        }

        let on_failure = flag_value("--testrail-export-failure")
            .or_else(|| env_value("TESTRAIL_EXPORT_FAILURE"))
            .or_else(|| table.as_ref().and_then(|view| view.get("export_failure")))
            .and_then(|value| ExportFailure::parse(value.trim_matches(['"', '\''])))
            .unwrap_or_default();
        ExportIntent {
            requested_by,
            dry_run,
            on_failure,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn flags(args: &[&str]) -> HarnessFlags {
        let args = std::iter::once("bin".to_owned()).chain(args.iter().map(|a| a.to_string()));
        HarnessFlags::split(args).unwrap().0
    }

    fn file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ci.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn anything_but_off_asks_for_the_export() {
        for value in ["1", "true", "enabled", "YES", "please"] {
            let intent = ExportIntent::read(
                None,
                &env(&[("TESTRAIL_EXPORT", value)]),
                &HarnessFlags::default(),
            );
            assert!(intent.requested(), "{value}");
        }
        for value in ["0", "false", "off", ""] {
            let intent = ExportIntent::read(
                None,
                &env(&[("TESTRAIL_EXPORT", value)]),
                &HarnessFlags::default(),
            );
            assert!(!intent.requested(), "{value:?}");
        }
        assert!(ExportIntent::read(None, &[], &flags(&["--testrail-dry-run"])).requested());
    }

    #[test]
    fn a_broken_file_still_asks() {
        let (_dir, path) = file("export = true\nurl = \"https://acme\nbatch_size = 0\n");
        let intent = ExportIntent::read(Some(&path), &[], &HarnessFlags::default());
        assert!(
            intent
                .requested_by
                .as_deref()
                .is_some_and(|by| by.starts_with("export = true in")),
            "{intent:?}"
        );
        let (_dir, path) = file("export = \"yes\"\n");
        assert!(ExportIntent::read(Some(&path), &[], &HarnessFlags::default()).requested());
        let (_dir, path) = file("export = false\n[mapping]\nexport = true\n");
        assert!(!ExportIntent::read(Some(&path), &[], &HarnessFlags::default()).requested());
    }

    #[test]
    fn flags_beat_the_environment_which_beats_the_file() {
        let (_dir, path) = file("export = true\nexport_failure = \"warn\"\n");
        let intent = ExportIntent::read(
            Some(&path),
            &env(&[("TESTRAIL_EXPORT", "0")]),
            &HarnessFlags::default(),
        );
        assert!(!intent.requested());
        assert_eq!(intent.on_failure, ExportFailure::Warn);
        let intent = ExportIntent::read(
            Some(&path),
            &env(&[("TESTRAIL_EXPORT_FAILURE", "fail")]),
            &flags(&["--testrail-export=false"]),
        );
        assert!(!intent.requested());
        assert_eq!(intent.on_failure, ExportFailure::Fail);
    }

    #[test]
    fn an_unreadable_named_file_counts_as_a_request() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nowhere.toml");
        let named = env(&[("TESTRAIL_CONFIG", &missing.display().to_string())]);
        let intent = ExportIntent::read(Some(&missing), &named, &HarnessFlags::default());
        assert!(intent.requested(), "{intent:?}");
        let intent = ExportIntent::read(Some(&missing), &[], &HarnessFlags::default());
        assert!(!intent.requested(), "{intent:?}");
    }
}
