//! What a test binary does once its tests have ended, besides the summary.
//!
//! The runtime sends nothing itself: with the `testrail` crate's default `export` feature,
//! the facade plugs the export in here; without it, [`NoExport`] says where the outcomes
//! are and how to send them, whenever an export was asked for.

use std::path::Path;
use std::process::ExitCode;

use testrail_formats::build::BuildInfo;
use testrail_formats::session::Session;
use testrail_formats::spool::SpoolFile;

/// Where the harness's own lines go: stderr when libtest's JSON events own stdout.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    /// Print to stderr instead of stdout.
    pub to_stderr: bool,
}

impl Output {
    /// Prints `text` (which ends in a newline) where the harness's lines go.
    pub fn print(self, text: &str) {
        if self.to_stderr {
            eprint!("{text}");
        } else {
            print!("{text}");
        }
    }
}

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
    /// libtest's exit code.
    pub tests_exit: ExitCode,
    /// Whether a test failed.
    pub tests_failed: bool,
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
/// `default-features = false`): no HTTP stack is linked, nothing is sent; `--testrail-*`
/// flags other than `--testrail-registry` are refused with what to do instead, and an
/// export asked for by `TESTRAIL_EXPORT` or `TESTRAIL_DRY_RUN` fails the run with a line
/// naming the spool file and `cargo testrail upload`.
#[derive(Debug, Default)]
pub struct NoExport;

const WITHOUT: &str = "this test binary is built without the `export` feature of the `testrail` crate (default-features = false)";

impl AfterTests for NoExport {
    fn take_flags(&mut self, _: BuildInfo, args: Vec<String>) -> Result<Vec<String>, String> {
        match args.iter().find(|arg| arg.starts_with("--testrail-")) {
            Some(flag) => Err(format!(
                "`{}` needs the export, and {WITHOUT}: run the tests without it, then send the outcomes with `cargo testrail upload`\n\n{}",
                flag.split('=').next().unwrap_or(flag),
                self.usage()
            )),
            None => Ok(args),
        }
    }

    fn usage(&self) -> String {
        format!(
            "testrail harness flags (after `cargo test --`):\n  {:<38} print every test and step as JSON, run nothing\n  ({WITHOUT}: the other --testrail-* flags need it)\n",
            crate::harness::REGISTRY_FLAG
        )
    }

    fn dry_run(&self) -> bool {
        false
    }

    fn needs_outcomes(&self) -> bool {
        false
    }

    fn after_tests(&mut self, ended: Ended<'_>) -> ExitCode {
        let asked = ["TESTRAIL_EXPORT", "TESTRAIL_DRY_RUN"]
            .into_iter()
            .find(|name| std::env::var(name).is_ok_and(|value| is_on(&value)));
        let Some(variable) = asked else {
            return ended.tests_exit;
        };
        let kept = match ended.spool_path {
            Some(path) => format!("the outcomes are kept in {}", path.display()),
            None => "the outcomes could not be saved either".to_owned(),
        };
        if std::env::var_os("NEXTEST_RUN_ID").is_some() {
            ended.out.print(&format!(
                "testrail: {variable} is set and {WITHOUT}: nothing is sent from here; {kept}; when the run ends, send the session with:\n  cargo testrail upload\n"
            ));
            return ended.tests_exit;
        }
        eprintln!(
            "testrail: the export was asked for by environment variable {variable}, but {WITHOUT}, so nothing was sent and this run fails\n  {kept}; send them with:\n    cargo testrail upload"
        );
        if ended.tests_failed {
            ended.tests_exit
        } else {
            ExitCode::FAILURE
        }
    }
}

/// Whether an environment value switches something on: anything but empty, `0`, `false`,
/// `no` or `off` (as the export's settings read it).
fn is_on(value: &str) -> bool {
    !matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off"
    )
}
