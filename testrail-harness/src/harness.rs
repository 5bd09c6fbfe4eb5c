//! The harness's `main`: runs the registered tests like libtest, writes each outcome to the
//! spool as its test ends, prints the summary, exports when asked, and returns libtest's
//! exit code.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use libtest_mimic::Arguments;

use std::path::Path;

use crate::config::intent::ExportIntent;
use crate::config::{self, Config, ExportFailure};
use crate::exit_guard;
use crate::export::{self, Selection};
use crate::export_summary;
use crate::flags::{self, HarnessFlags};
use crate::listing::Listing;
use crate::panic_capture;
use crate::registry;
use crate::runner::{self, Collected};
use crate::session::{self, Session, TestrailDir};
use crate::spool::{self, Header, SpoolFile, SpoolWriter};
use crate::step_plan::StepPlans;
use crate::summary;

/// Facts about the test binary known at compile time, captured by `testrail::main!()`.
#[derive(Clone, Copy, Debug)]
pub struct BuildInfo {
    /// `CARGO_PKG_NAME`.
    pub package: &'static str,
    /// `CARGO_CRATE_NAME`: the test target.
    pub binary: &'static str,
    /// `CARGO_MANIFEST_DIR`.
    pub manifest_dir: &'static str,
    /// `CARGO_TARGET_TMPDIR` (set for integration tests), to find the target directory.
    pub target_tmpdir: Option<&'static str>,
}

/// Runs the test binary: what `testrail::main!()` calls.
pub fn run_main(build: BuildInfo) -> ExitCode {
    panic_capture::install_hook();
    let (flags, libtest_args) = match HarnessFlags::split(std::env::args()) {
        Ok(split) => split,
        Err(message) => {
            // libtest exits with 101 on arguments it does not understand.
            eprintln!("error: {message}");
            return ExitCode::from(101);
        }
    };
    if flags.has(flags::REGISTRY) {
        return print_registry(build);
    }
    let args = Arguments::from_iter(libtest_args);
    let testrail_dir = TestrailDir::locate(build.target_tmpdir);
    let plans: &'static StepPlans = Box::leak(Box::new(StepPlans::new(
        &testrail_dir.step_plans(),
        build.binary,
    )));
    let session = Session::current();
    let session_dir = testrail_dir.session(&session.key);
    let config = Config::load(Path::new(build.manifest_dir), &flags);
    let dry_run = match &config {
        Ok(config) => config.dry_run,
        Err(_) => intent(build, &flags).dry_run,
    };
    let header = Header {
        format: spool::FORMAT.to_owned(),
        version: spool::VERSION,
        session: session.key.clone(),
        session_source: session.source,
        package: build.package.to_owned(),
        binary: build.binary.to_owned(),
        pid: std::process::id(),
        process_start: session::start_time(std::process::id()),
        started_at_ms: now_ms(),
        git_commit: if args.list {
            None
        } else {
            git_commit(build.manifest_dir)
        },
        manifest_dir: build.manifest_dir.to_owned(),
        dry_run,
    };
    let writer =
        SpoolWriter::new(&session_dir, header).with_latest_marker(testrail_dir.latest_marker());
    let collected: &'static Collected = Box::leak(Box::new(Collected::new(writer)));

    let defs = registry::tests();
    let trials: Vec<_> = defs
        .iter()
        .map(|def| runner::trial(def, plans, collected))
        .collect();
    if !args.list {
        for (def, trial) in defs.iter().zip(&trials) {
            if args.is_ignored(trial) && !args.is_filtered_out(trial) {
                collected.skipped(runner::skipped(def));
            }
        }
    }
    if !args.list {
        exit_guard::watch(collected);
    }
    let conclusion = libtest_mimic::run(&args, trials);
    exit_guard::tests_done();
    if args.list {
        return conclusion.exit_code();
    }

    let mut outcomes = collected.take();
    outcomes.sort_by(|a, b| a.path.cmp(&b.path));
    if outcomes.is_empty() {
        return conclusion.exit_code();
    }
    let writer = collected.spool();
    writer.end(now_ms());
    let spool_path = match writer.is_complete() {
        true => Some(writer.path().to_owned()),
        false => {
            writer.discard();
            None
        }
    };
    let header = writer.header();
    let spool_file = SpoolFile {
        format: header.format.clone(),
        version: header.version,
        session: header.session.clone(),
        session_source: header.session_source,
        package: header.package.clone(),
        binary: header.binary.clone(),
        pid: header.pid,
        started_at_ms: header.started_at_ms,
        finished_at_ms: now_ms(),
        git_commit: header.git_commit.clone(),
        manifest_dir: header.manifest_dir.clone(),
        tests: outcomes,
    };
    if let Some(line) = unsaved_line(writer.failure(), plans.unsaved()) {
        eprintln!("{line}");
    }
    // With `--format json`, stdout belongs to libtest's events: our lines go to stderr.
    let out = Output {
        to_stderr: matches!(args.format, Some(libtest_mimic::FormatSetting::Json)),
    };
    if !args.quiet {
        out.print(&summary::render(&spool_file.tests, spool_path.as_deref()));
    }
    let exit = Exit {
        tests: conclusion.exit_code(),
        tests_failed: conclusion.has_failed(),
    };
    let run = ExportRun {
        build,
        flags: &flags,
        session: &session,
        session_dir: &session_dir,
        out,
    };
    export_at_exit(&run, config, spool_file, spool_path.as_deref(), exit)
}

/// The one line that says what could not be saved, if anything.
fn unsaved_line(spool: Option<String>, plans: Option<(usize, String)>) -> Option<String> {
    let plans = plans.map(|(count, first)| {
        format!(
            "the step plans of {count} test{} ({first})",
            if count == 1 { "" } else { "s" }
        )
    });
    match (spool, plans) {
        (None, None) => None,
        (Some(spool), plans) => Some(format!(
            "testrail: the outcomes could not be saved ({spool}){}: an export, if asked for, sends them from memory now; `cargo testrail upload` cannot send or resume them later",
            plans
                .map(|plans| format!(", nor {plans}"))
                .unwrap_or_default()
        )),
        (None, Some(plans)) => Some(format!(
            "testrail: could not save {plans}: steps that a later failing attempt does not reach will not be reported as not reached"
        )),
    }
}

/// Where the harness's own lines go.
#[derive(Clone, Copy)]
struct Output {
    to_stderr: bool,
}

impl Output {
    fn print(self, text: &str) {
        if self.to_stderr {
            eprint!("{text}");
        } else {
            print!("{text}");
        }
    }
}

/// The process's exit code: libtest's, unless an export that was asked for failed.
#[derive(Clone, Copy)]
struct Exit {
    tests: ExitCode,
    tests_failed: bool,
}

impl Exit {
    /// An export failed: non-zero, keeping libtest's code when tests failed too.
    fn failed(self) -> ExitCode {
        if self.tests_failed {
            self.tests
        } else {
            ExitCode::FAILURE
        }
    }
}

/// What the export at exit works with.
struct ExportRun<'a> {
    build: BuildInfo,
    flags: &'a HarnessFlags,
    session: &'a Session,
    session_dir: &'a Path,
    out: Output,
}

/// What the flags, the environment and the configuration file ask of the export, read
/// without the rest of the configuration, which may be what is broken.
fn export_intent(run: &ExportRun<'_>) -> ExportIntent {
    intent(run.build, run.flags)
}

/// [`export_intent`] before the run.
fn intent(build: BuildInfo, flags: &HarnessFlags) -> ExportIntent {
    let file = config::config_file(Path::new(build.manifest_dir));
    let env: Vec<(String, String)> = std::env::vars().collect();
    ExportIntent::read(file.as_deref(), &env, flags)
}

/// Exports this process's outcomes when asked (`--testrail-export`, `TESTRAIL_EXPORT=1` or
/// `export = true` in `testrail.toml`), or prints them for a dry run. Outcomes that could
/// not be saved (`spool_path` is `None`) are exported from memory. Errors are printed with
/// the command that resumes the upload, when there is one.
fn export_at_exit(
    run: &ExportRun<'_>,
    config: Result<Config, config::ConfigError>,
    spool_file: SpoolFile,
    spool_path: Option<&Path>,
    exit: Exit,
) -> ExitCode {
    let config = match config {
        Ok(config) => config,
        Err(error) if let Some(by) = export_intent(run).requested_by => {
            eprintln!(
                "testrail: cannot export: {error}\n  the export was asked for by {by}, so this run fails; nothing was sent\n  fix the setting, then send the results with:\n    {}",
                export::resume_command(run.session_dir)
            );
            return exit.failed();
        }
        Err(error) => {
            eprintln!("testrail: warning: {error} (the export is off, so nothing else happens)");
            return exit.tests;
        }
    };
    let links_missing = check_links(&config, &spool_file);
    let code = export_with(run, config, spool_file, spool_path, exit);
    if links_missing { exit.failed() } else { code }
}

/// The settings the harness reads for `cargo testrail` only, said instead of ignored:
/// `case_id_pattern` gets a line saying it does not apply here; `fail_on_unmatched` makes
/// the process fail (after the export) when a test of this process has no case ID, with a
/// line naming them. Returns whether it must fail.
fn check_links(config: &Config, spool_file: &SpoolFile) -> bool {
    if let Some(pattern) = &config.case_id_pattern {
        eprintln!(
            "testrail: case_id_pattern ({pattern:?}) applies to `cargo testrail import junit` and `status` only; the harness takes case IDs from #[testrail(...)] and is not changed by it"
        );
    }
    if !config.fail_on_unmatched {
        return false;
    }
    let unmapped: Vec<&str> = spool_file
        .tests
        .iter()
        .filter(|test| test.all_case_ids().is_empty())
        .map(|test| test.path.as_str())
        .collect();
    if unmapped.is_empty() {
        return false;
    }
    eprintln!(
        "testrail: {} test(s) have no case ID and fail_on_unmatched is set: the process fails ({}); link them with #[testrail(C...)]",
        unmapped.len(),
        unmapped.join(", ")
    );
    true
}

/// Exports with a loaded configuration (see [`export_at_exit`]).
fn export_with(
    run: &ExportRun<'_>,
    mut config: Config,
    spool_file: SpoolFile,
    spool_path: Option<&Path>,
    exit: Exit,
) -> ExitCode {
    if config.dry_run {
        return match export::dry_run::describe(
            &config,
            std::slice::from_ref(&spool_file),
            &run.session.key,
        ) {
            Ok(text) => {
                run.out.print(&text);
                exit.tests
            }
            Err(error) => {
                eprintln!("testrail: dry run failed: {error}");
                exit.failed()
            }
        };
    }
    if !config.export {
        return exit.tests;
    }
    let resume = export::resume_command(run.session_dir);
    if std::env::var_os("NEXTEST_RUN_ID").is_some() && spool_path.is_some() {
        run.out.print(&format!(
            "testrail: under cargo-nextest every test runs in its own process, so nothing is sent per process; when the run ends, send the whole session with:\n  {resume}\n"
        ));
        return exit.tests;
    }
    if config.close_run {
        // Another test binary of this `cargo test` may still report into the run.
        config.close_run = false;
        run.out.print(&format!(
            "testrail: the run stays open for the other test binaries of this build; close it when they are done with:\n  {resume} --close-run\n"
        ));
    }
    let selection = match spool_path {
        Some(_) => Selection::Files(vec![spool_file.file_name()]),
        None => Selection::Unsaved(vec![spool_file]),
    };
    match export::export_blocking(&config, run.session_dir, &run.session.key, selection) {
        Ok(summary) => {
            run.out.print(&export_summary::render(&summary));
            exit.tests
        }
        Err(error) => {
            let warn = config.export_failure == ExportFailure::Warn;
            let (headline, later) = match warn {
                true => (
                    "warning: the results were NOT sent to TestRail (export_failure = warn keeps the tests' exit code)",
                    "send them later",
                ),
                false => ("export failed", "resume the upload"),
            };
            let kept = match spool_path {
                Some(spool_path) => format!(
                    "the results are kept in {}\n  {later} (it sends only what is missing) with:\n    {resume}",
                    spool_path.display(),
                ),
                None => "the results could not be saved either, so they are lost: make the testrail directory writable (or set TESTRAIL_DIR) and run the tests again".to_owned(),
            };
            eprintln!("testrail: {headline}: {error}\n  {kept}");
            match warn {
                true => exit.tests,
                false => exit.failed(),
            }
        }
    }
}

fn print_registry(build: BuildInfo) -> ExitCode {
    let listing = Listing::current(build.package, build.binary);
    match serde_json::to_string_pretty(&listing) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!(
                "error: could not print the registry: {error}\n\n{}",
                flags::usage()
            );
            ExitCode::FAILURE
        }
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The commit under test: from the CI's variables when present, else `git rev-parse HEAD`
/// in the package directory.
pub fn git_commit(manifest_dir: &str) -> Option<String> {
    for variable in [
        "GITHUB_SHA",
        "CI_COMMIT_SHA",
        "BUILDKITE_COMMIT",
        "GIT_COMMIT",
    ] {
        if let Ok(sha) = std::env::var(variable)
            && !sha.trim().is_empty()
        {
            return Some(sha.trim().to_owned());
        }
    }
    let output = std::process::Command::new("git")
        .args(["-C", manifest_dir, "rev-parse", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let sha = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !sha.trim().is_empty()).then(|| sha.trim().to_owned())
}
