//! Every export setting of the harness ([`SETTINGS`]) as a flag of the commands that talk to
//! TestRail: `--run-id`, `--plan-id`, `--project`, `--batch-size`, ... The flags are made
//! from the table, so a setting added to the harness is a flag here too, with the same
//! meaning and the same precedence (flags beat the environment, which beats the file).

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use testrail_export::config::setting::{Kind, RENAMED, Renamed, SETTINGS, Setting};
use testrail_export::flags::HarnessFlags;

/// Settings that make no sense on this command line: the upload is what `export` would do,
/// and `isolate` is how the test binary runs its tests.
const NOT_FLAGS: &[&str] = &["export", "isolate"];

/// The export settings given on the command line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ExportSettings {
    /// `(harness flag, value)`, ready for [`testrail_export::config::Config::from_sources`].
    pub flags: HarnessFlags,
}

/// The long flag of a setting: its key with dashes (`run_id` → `--run-id`); `version` is
/// `--result-version`, so it cannot be mistaken for the program's version.
fn long_name(setting: &Setting) -> String {
    match setting.key {
        "version" => "result-version".to_owned(),
        key => key.replace('_', "-"),
    }
}

fn flag_settings() -> impl Iterator<Item = &'static Setting> {
    SETTINGS
        .iter()
        .filter(|setting| setting.flag.is_some() && !NOT_FLAGS.contains(&setting.key))
}

fn arg_id(setting: &Setting) -> String {
    format!("setting-{}", setting.key)
}

fn renamed_id(renamed: &Renamed) -> String {
    format!("renamed-{}", renamed.key)
}

impl Args for ExportSettings {
    fn augment_args(mut command: Command) -> Command {
        for setting in flag_settings() {
            let arg = Arg::new(arg_id(setting))
                .long(long_name(setting))
                .help(setting.help)
                .help_heading("Export settings (also TESTRAIL_* variables and testrail.toml)");
            let arg = match setting.kind {
                Kind::Bool => arg.action(ArgAction::SetTrue),
                Kind::Number => arg.action(ArgAction::Set).value_name("N"),
                Kind::Duration => arg.action(ArgAction::Set).value_name("DURATION"),
                Kind::List => arg.action(ArgAction::Set).value_name("A,B"),
                Kind::Text => arg.action(ArgAction::Set).value_name("VALUE"),
            };
            command = command.arg(arg);
        }
        // The former names (`--timeout-secs`, ...): still taken, hidden from the help; the
        // configuration prints a line naming the new flag.
        for renamed in RENAMED {
            command = command.arg(
                Arg::new(renamed_id(renamed))
                    .long(renamed.key.replace('_', "-"))
                    .action(ArgAction::Set)
                    .value_name("N")
                    .hide(true),
            );
        }
        command
    }

    fn augment_args_for_update(command: Command) -> Command {
        Self::augment_args(command)
    }
}

impl FromArgMatches for ExportSettings {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut settings = ExportSettings::default();
        settings.update_from_arg_matches(matches)?;
        Ok(settings)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for setting in flag_settings() {
            let id = arg_id(setting);
            let flag = setting.flag.unwrap_or_default().to_owned();
            let value = match setting.kind {
                Kind::Bool => matches.get_flag(&id).then_some(None),
                _ => matches.get_one::<String>(&id).map(|v| Some(v.clone())),
            };
            if let Some(value) = value {
                self.flags.given.retain(|(given, _)| *given != flag);
                self.flags.given.push((flag, value));
            }
        }
        for renamed in RENAMED {
            if let Some(value) = matches.get_one::<String>(&renamed_id(renamed)) {
                let flag = renamed.flag.to_owned();
                self.flags.given.retain(|(given, _)| *given != flag);
                self.flags.given.push((flag, Some(value.clone())));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        settings: ExportSettings,
    }

    #[test]
    fn flags_become_harness_flags() {
        let probe = Probe::parse_from(["x", "--run-id", "42", "--close-run", "--suites", "1,2"]);
        let given = probe.settings.flags.given;
        assert!(given.contains(&("--testrail-run-id".into(), Some("42".into()))));
        assert!(given.contains(&("--testrail-close-run".into(), None)));
        assert!(given.contains(&("--testrail-suites".into(), Some("1,2".into()))));
        assert_eq!(given.len(), 3);
    }

    #[test]
    fn durations_and_their_former_names_become_harness_flags() {
        let probe = Probe::parse_from(["x", "--timeout", "90s", "--settle-secs", "3"]);
        let given = probe.settings.flags.given;
        assert!(given.contains(&("--testrail-timeout".into(), Some("90s".into()))));
        assert!(given.contains(&("--testrail-settle-secs".into(), Some("3".into()))));
        assert_eq!(given.len(), 2);
    }

    #[test]
    fn the_version_setting_does_not_shadow_the_program_version() {
        let probe = Probe::parse_from(["x", "--result-version", "1.2.3"]);
        assert_eq!(
            probe.settings.flags.given,
            [("--testrail-version".to_owned(), Some("1.2.3".to_owned()))]
        );
    }
}
