//! The harness's own command-line flags (`--testrail-*`), taken out of the arguments before
//! libtest-mimic parses the rest, so `cargo test -- --testrail-export C1234` works.

use crate::config::setting::{self, Kind, SETTINGS};

/// Prints the registry as JSON and runs nothing.
pub const REGISTRY: &str = "--testrail-registry";

/// Whether `name` is a harness flag, and whether it takes a value.
fn lookup(name: &str) -> Option<bool> {
    if name == REGISTRY {
        return Some(false);
    }
    if setting::renamed_by_flag(name).is_some() {
        return Some(true);
    }
    setting::by_flag(name).map(|setting| setting.kind != Kind::Bool)
}

/// `" (did you mean `--testrail-x`?)"` for the current harness flag closest to `name`,
/// compared without the `--testrail-` that they all share.
fn did_you_mean(name: &str) -> String {
    let short = |flag: &'static str| flag.trim_start_matches(PREFIX);
    let known = std::iter::once(REGISTRY)
        .chain(SETTINGS.iter().filter_map(|setting| setting.flag))
        .map(short);
    setting::closest(short_name(name), known)
        .map(|flag| format!(" (did you mean `{PREFIX}{flag}`?)"))
        .unwrap_or_default()
}

/// What every harness flag starts with.
const PREFIX: &str = "--testrail-";

fn short_name(name: &str) -> &str {
    name.trim_start_matches(PREFIX)
}

/// The `--testrail-*` flags given on the command line, in order, with their values.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct HarnessFlags {
    /// `(flag, value)` pairs; the value is `None` for switches.
    pub given: Vec<(String, Option<String>)>,
}

impl HarnessFlags {
    /// Whether switch `name` (e.g. `--testrail-export`) was given.
    pub fn has(&self, name: &str) -> bool {
        self.given.iter().any(|(flag, _)| flag == name)
    }

    /// Splits the process arguments (program name first) into harness flags and the
    /// arguments for libtest-mimic.
    ///
    /// ```
    /// use testrail_export::flags::HarnessFlags;
    ///
    /// let args = ["checkout", "--testrail-export", "C12", "--exact"].map(String::from);
    /// let (flags, rest) = HarnessFlags::split(args).unwrap();
    /// assert!(flags.has("--testrail-export"));
    /// assert_eq!(rest, ["checkout", "C12", "--exact"]);
    /// ```
    pub fn split(
        args: impl IntoIterator<Item = String>,
    ) -> Result<(HarnessFlags, Vec<String>), String> {
        let mut flags = HarnessFlags::default();
        let mut rest = Vec::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if !arg.starts_with(PREFIX) {
                rest.push(arg);
                continue;
            }
            let (name, inline_value) = match arg.split_once('=') {
                Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
                None => (arg.clone(), None),
            };
            let Some(takes_value) = lookup(&name) else {
                return Err(format!(
                    "unknown flag `{name}`{}\n\n{}",
                    did_you_mean(&name),
                    usage()
                ));
            };
            let value = match (takes_value, inline_value) {
                (true, Some(value)) => Some(value),
                (true, None) => match args.next() {
                    Some(value) => Some(value),
                    None => return Err(format!("`{name}` needs a value\n\n{}", usage())),
                },
                (false, value) => value,
            };
            flags.given.push((name, value));
        }
        Ok((flags, rest))
    }
}

/// The help text listing every harness flag.
pub fn usage() -> String {
    let mut text = String::from("testrail harness flags (after `cargo test --`):\n");
    text.push_str(&format!(
        "  {REGISTRY:<38} print every test and step as JSON, run nothing\n"
    ));
    for setting in SETTINGS {
        let Some(flag) = setting.flag else { continue };
        let flag = match setting.kind {
            Kind::Bool => flag.to_owned(),
            Kind::Duration => format!("{flag} <DURATION>"),
            _ => format!("{flag} <VALUE>"),
        };
        text.push_str(&format!("  {flag:<38} {}\n", setting.help));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(args: &[&str]) -> Result<(HarnessFlags, Vec<String>), String> {
        HarnessFlags::split(args.iter().map(|arg| arg.to_string()))
    }

    #[test]
    fn unknown_flags_are_errors_that_list_the_known_ones() {
        let error = split(&["bin", "--testrail-exprot"]).unwrap_err();
        assert!(
            error.contains("unknown flag `--testrail-exprot`"),
            "{error}"
        );
        assert!(error.contains("--testrail-export"), "{error}");
        assert!(
            error.starts_with(
                "unknown flag `--testrail-exprot` (did you mean `--testrail-export`?)"
            ),
            "{error}"
        );
        let error = split(&["bin", "--testrail-colour"]).unwrap_err();
        assert!(
            error.starts_with("unknown flag `--testrail-colour`\n"),
            "{error}"
        );
    }

    #[test]
    fn former_duration_flags_still_take_a_value() {
        let (flags, rest) = split(&["bin", "--testrail-timeout-secs", "5", "x"]).unwrap();
        assert_eq!(
            flags.given,
            [("--testrail-timeout-secs".to_owned(), Some("5".to_owned()))]
        );
        assert_eq!(rest, ["bin", "x"]);
    }

    #[test]
    fn values_are_taken_inline_or_from_the_next_argument() {
        let (flags, rest) =
            split(&["bin", "--testrail-run-id", "7", "--testrail-project=Shop"]).unwrap();
        assert_eq!(
            flags.given,
            [
                ("--testrail-run-id".to_owned(), Some("7".to_owned())),
                ("--testrail-project".to_owned(), Some("Shop".to_owned())),
            ]
        );
        assert_eq!(rest, ["bin"]);
        assert!(
            split(&["bin", "--testrail-run-id"])
                .unwrap_err()
                .contains("needs a value")
        );
    }

    #[test]
    fn other_arguments_keep_their_order() {
        let (flags, rest) = split(&["bin", "--exact", "--testrail-dry-run", "a"]).unwrap();
        assert!(flags.has("--testrail-dry-run"));
        assert_eq!(rest, ["bin", "--exact", "a"]);
    }
}
