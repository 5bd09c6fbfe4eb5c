//! The harness's own command-line flags (`--testrail-*`), taken out of the arguments before
//! libtest-mimic parses the rest, so `cargo test -- --testrail-export C1234` works.

/// A flag the harness understands.
struct FlagSpec {
    name: &'static str,
    takes_value: bool,
    help: &'static str,
}

const FLAGS: &[FlagSpec] = &[
    FlagSpec {
        name: "--testrail-registry",
        takes_value: false,
        help: "print every test and step with its case IDs as JSON, run nothing",
    },
    FlagSpec {
        name: "--testrail-export",
        takes_value: false,
        help: "send the results to TestRail when the run ends (also TESTRAIL_EXPORT=1)",
    },
    FlagSpec {
        name: "--testrail-dry-run",
        takes_value: false,
        help: "print what the export would send, send nothing (also TESTRAIL_DRY_RUN=1)",
    },
];

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
    /// use testrail_harness::flags::HarnessFlags;
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
            if !arg.starts_with("--testrail-") {
                rest.push(arg);
                continue;
            }
            let (name, inline_value) = match arg.split_once('=') {
                Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
                None => (arg.clone(), None),
            };
            let Some(spec) = FLAGS.iter().find(|spec| spec.name == name) else {
                return Err(format!("unknown flag `{name}`\n\n{}", usage()));
            };
            let value = match (spec.takes_value, inline_value) {
                (true, Some(value)) => Some(value),
                (true, None) => match args.next() {
                    Some(value) => Some(value),
                    None => return Err(format!("`{name}` needs a value\n\n{}", usage())),
                },
                (false, None) => None,
                (false, Some(_)) => return Err(format!("`{name}` takes no value\n\n{}", usage())),
            };
            flags.given.push((name, value));
        }
        Ok((flags, rest))
    }
}

/// The help text listing every harness flag.
pub fn usage() -> String {
    let mut text = String::from("testrail harness flags (after `cargo test --`):\n");
    for spec in FLAGS {
        let value = if spec.takes_value { " <VALUE>" } else { "" };
        text.push_str(&format!("  {}{value:<8}  {}\n", spec.name, spec.help));
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
        assert!(error.contains("unknown flag `--testrail-exprot`"), "{error}");
        assert!(error.contains("--testrail-export"), "{error}");
    }

    #[test]
    fn switches_refuse_values() {
        assert!(split(&["bin", "--testrail-export=yes"]).is_err());
    }

    #[test]
    fn other_arguments_keep_their_order() {
        let (flags, rest) = split(&["bin", "--exact", "--testrail-dry-run", "a"]).unwrap();
        assert!(flags.has("--testrail-dry-run"));
        assert_eq!(rest, ["bin", "--exact", "a"]);
    }
}
