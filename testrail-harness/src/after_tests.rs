//! What a test binary does once its tests have ended, besides the summary.
//!
//! The runtime sends nothing itself: with the `testrail` crate's default `export` feature,
//! the facade plugs the export in here; without it, [`NoExport`] says where the outcomes
//! are and how to send them, whenever an export was asked for.

use std::path::Path;
use std::process::ExitCode;

use testrail_formats::build::BuildInfo;
use testrail_formats::config_file::{self, TopLevel, asks};
pub use testrail_formats::process::{Exit, Output};
use testrail_formats::session::Session;
use testrail_formats::spool::SpoolFile;

/// A test process whose tests have ended.
pub struct Ended<'a> {
    /// The test binary.
    pub build: BuildInfo,
    /// Its session: one `cargo test`.
    pub session: &'a Session,
    /// The session's spool directory.
    pub session_dir: &'a Path,
    /// The outcomes, sorted by test path. When the spool file was saved and
    /// [`AfterTests::needs_outcomes`] is false, `tests` is empty: the harness does not keep
    /// what it has written.
    pub spool_file: SpoolFile,
    /// The spool file they were written to; `None` when it could not be saved.
    pub spool_path: Option<&'a Path>,
    /// Where the harness's lines go.
    pub out: Output,
    /// libtest's exit code, and whether a test failed.
    pub exit: Exit,
}

/// What happens after the tests: the export, or nothing but a word on how to send.
pub trait AfterTests {
    /// Takes this hook's `--testrail-*` flags out of the process arguments (program name
    /// first) and returns the rest for libtest; an `Err` is the message for a flag it does
    /// not know or that lacks its value.
    fn take_flags(&mut self, build: BuildInfo, args: Vec<String>) -> Result<Vec<String>, String>;

    /// The help text for the `--testrail-*` flags.
    fn usage(&self) -> String;

    /// Whether this is a dry run, whose outcomes are never sent.
    fn dry_run(&self) -> bool;

    /// Whether [`AfterTests::after_tests`] reads the outcomes in [`Ended::spool_file`]. The
    /// harness keeps no outcome in memory once it is in the spool file; when this is true
    /// it reads them back from the file at the end (outcomes that could not be saved are
    /// always given).
    fn needs_outcomes(&self) -> bool {
        true
    }

    /// Runs after the summary; returns the process's exit code.
    fn after_tests(&mut self, ended: Ended<'_>) -> ExitCode;
}

/// The hook of a test binary built without the `export` feature (`testrail` with
/// `default-features = false`): no HTTP stack is linked, nothing is sent.
///
/// An export is never silently not done: `--testrail-*` flags other than
/// `--testrail-registry` are refused with what to do instead, and an export or dry run asked
/// for by `TESTRAIL_EXPORT`, `TESTRAIL_DRY_RUN`, or `export = true` / `dry_run = true` in the
/// configuration file (see [`Asked::read`]) fails the run with a line naming the spool file
/// and the `cargo testrail upload` command that sends it. Under cargo-nextest, where the
/// export never sends per process, the line is printed and the tests' exit code kept.
#[derive(Debug, Default)]
pub struct NoExport;

const WITHOUT: &str = "this test binary is built without the `export` feature of the `testrail` crate (default-features = false)";

impl AfterTests for NoExport {
    fn take_flags(&mut self, _: BuildInfo, args: Vec<String>) -> Result<Vec<String>, String> {
        match args.iter().find(|arg| arg.starts_with("--testrail-")) {
            Some(flag) => Err(format!(
                "`{}`: the --testrail-* flags belong to the export, and {WITHOUT}: run the tests without it, then send the outcomes with `cargo testrail upload`\n\n{}",
                flag.split('=').next().unwrap_or(flag),
                self.usage()
            )),
            None => Ok(args),
        }
    }

    fn usage(&self) -> String {
        format!(
            "testrail harness flags (after `cargo test --`):\n  {:<38} print every test and step as JSON, run nothing\n  {:<38} run each test in its own process (also TESTRAIL_ISOLATE=1, isolate = true)\n  ({WITHOUT}: the other --testrail-* flags need it)\n",
            crate::harness::REGISTRY_FLAG,
            crate::isolate::FLAG
        )
    }

    fn dry_run(&self) -> bool {
        // The outcomes stay uploadable, so `cargo testrail upload --dry-run` can show them.
        false
    }

    fn needs_outcomes(&self) -> bool {
        false
    }

    fn after_tests(&mut self, ended: Ended<'_>) -> ExitCode {
        if let Some(by) = fail_on_unmatched_asked(Path::new(ended.build.manifest_dir)) {
            eprintln!(
                "testrail: fail_on_unmatched (asked for by {by}) is not checked here: {WITHOUT}; `cargo testrail upload --fail-on-unmatched` applies it when the outcomes are sent"
            );
        }
        let Some(asked) = Asked::read(Path::new(ended.build.manifest_dir)) else {
            return ended.exit.tests;
        };
        let kept = match ended.spool_path {
            Some(path) => format!("the outcomes are kept in {}", path.display()),
            None => "the outcomes could not be saved either".to_owned(),
        };
        let (what, undone, command) = match asked.dry_run {
            true => (
                "a dry run",
                "nothing was shown",
                format!(
                    "see what would be sent with:\n    {} --dry-run",
                    upload_command(ended.session_dir)
                ),
            ),
            false => (
                "the export",
                "nothing was sent",
                format!("send them with:\n    {}", upload_command(ended.session_dir)),
            ),
        };
        if std::env::var_os("NEXTEST_RUN_ID").is_some() {
            ended.out.print(&format!(
                "testrail: {what} was asked for by {} and {WITHOUT}: {undone} from here; {kept}; when the run ends, {command}\n",
                asked.by
            ));
            return ended.exit.tests;
        }
        eprintln!(
            "testrail: {what} was asked for by {}, but {WITHOUT}, so {undone} and this run fails\n  {kept}; {command}",
            asked.by
        );
        ended.exit.failed()
    }
}

/// An export or dry run that was asked for, read the way the export reads its switches:
/// the environment first, then the configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asked {
    /// Where, e.g. `environment variable TESTRAIL_EXPORT=1` or
    /// `export = true in /repo/testrail.toml`.
    pub by: String,
    /// Whether a dry run was asked for.
    pub dry_run: bool,
}

impl Asked {
    /// Whether `TESTRAIL_EXPORT` or `TESTRAIL_DRY_RUN`, or when unset `export` or `dry_run`
    /// in the configuration file (the one `TESTRAIL_CONFIG` names, else the first
    /// `testrail.toml` in `manifest_dir` or above it), asks for an export. Anything but a
    /// clear "off" (empty, `0`, `false`, `no`, `off`) asks; a file that is not valid TOML
    /// is read line by line, so a syntax error elsewhere cannot hide `export = true`; and a
    /// file named by `TESTRAIL_CONFIG` that cannot be read counts as asking, since whether
    /// it does cannot be known.
    pub fn read(manifest_dir: &Path) -> Option<Asked> {
        let named = std::env::var_os("TESTRAIL_CONFIG").filter(|path| !path.is_empty());
        let file = config_file::locate(manifest_dir);
        let text = file.map(|path| {
            let text = std::fs::read_to_string(&path);
            (path, text)
        });
        let mut asked: Option<Asked> = None;
        for (key, variable) in [
            ("export", "TESTRAIL_EXPORT"),
            ("dry_run", "TESTRAIL_DRY_RUN"),
        ] {
            let env = std::env::var(variable)
                .ok()
                .filter(|value| !value.trim().is_empty());
            let by = match (env, &text) {
                (Some(value), _) => {
                    asks(&value).then(|| format!("environment variable {variable}={value}"))
                }
                (None, Some((path, Ok(text)))) => TopLevel::new(text)
                    .get(key)
                    .filter(|value| asks(value))
                    .map(|value| format!("{key} = {value} in {}", path.display())),
                (None, _) => None,
            };
            if let Some(by) = by {
                let dry_run = key == "dry_run";
                asked = Some(match asked {
                    Some(first) => Asked { dry_run, ..first },
                    None => Asked { by, dry_run },
                });
            }
        }
        if asked.is_none()
            && named.is_some()
            && let Some((path, Err(error))) = &text
        {
            asked = Some(Asked {
                by: format!(
                    "TESTRAIL_CONFIG, which names {} (it cannot be read: {error}; whether it asks for an export cannot be known)",
                    path.display()
                ),
                dry_run: false,
            });
        }
        asked
    }
}

/// Where `fail_on_unmatched` was switched on, if it was: `TESTRAIL_FAIL_ON_UNMATCHED`, else
/// the configuration file's key.
fn fail_on_unmatched_asked(manifest_dir: &Path) -> Option<String> {
    const VARIABLE: &str = "TESTRAIL_FAIL_ON_UNMATCHED";
    if let Some(value) = std::env::var(VARIABLE)
        .ok()
        .filter(|value| !value.trim().is_empty())
    {
        return asks(&value).then(|| format!("environment variable {VARIABLE}={value}"));
    }
    let path = config_file::locate(manifest_dir)?;
    let text = std::fs::read_to_string(&path).ok()?;
    TopLevel::new(&text)
        .get("fail_on_unmatched")
        .filter(|value| asks(value))
        .map(|value| format!("fail_on_unmatched = {value} in {}", path.display()))
}

/// The command that sends session `dir`, with the path quoted for a POSIX shell when needed.
fn upload_command(dir: &Path) -> String {
    let text = dir.display().to_string();
    match text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    {
        true => format!("cargo testrail upload {text}"),
        false => format!("cargo testrail upload '{}'", text.replace('\'', r"'\''")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_commands_quote_paths_with_spaces() {
        assert_eq!(
            upload_command(Path::new("/t/sessions/cargo-1-2")),
            "cargo testrail upload /t/sessions/cargo-1-2"
        );
        assert_eq!(
            upload_command(Path::new("/my t/it's")),
            r"cargo testrail upload '/my t/it'\''s'"
        );
    }
}
