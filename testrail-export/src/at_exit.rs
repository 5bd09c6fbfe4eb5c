//! The export when a test binary's tests have ended: what `testrail::main!()` calls after
//! the summary when the `testrail` crate's `export` feature is on. It reads the
//! configuration, exports (or prints the dry run), prints where the results went or how to
//! send them later, and decides the exit code.

use std::path::Path;
use std::process::ExitCode;

use testrail_formats::build::BuildInfo;
use testrail_formats::process::{Exit, Output};
use testrail_formats::session::Session;
use testrail_formats::spool::SpoolFile;

use crate::config::intent::ExportIntent;
use crate::config::{self, Config, ExportFailure};
use crate::flags::HarnessFlags;
use crate::journal::LockedJournal;
use crate::{Selection, summary};

/// The configuration of a test binary's export (`testrail.toml`, `TESTRAIL_*`, `--testrail-*`),
/// read before its tests run. Prints a line on standard error for each former setting name
/// it read ([`Config::deprecations`]).
pub fn load(build: BuildInfo, flags: &HarnessFlags) -> Result<Config, config::ConfigError> {
    let config = Config::load(Path::new(build.manifest_dir), flags)?;
    for line in &config.deprecations {
        eprintln!("{line}");
    }
    Ok(config)
}

/// Whether a dry run was asked for, also when the configuration is broken: the spool file
/// is marked as one, and a dry run's outcomes are never sent later.
pub fn dry_run(
    build: BuildInfo,
    flags: &HarnessFlags,
    config: &Result<Config, config::ConfigError>,
) -> bool {
    match config {
        Ok(config) => config.dry_run,
        Err(_) => intent(build, flags).dry_run,
    }
}

/// Exports this process's outcomes when asked (`--testrail-export`, `TESTRAIL_EXPORT=1` or
/// `export = true` in `testrail.toml`), or prints them for a dry run. Outcomes that could
/// not be saved (`spool_path` is `None`) are exported from memory. Errors are printed with
/// the command that resumes the upload, when there is one.
pub fn finish(
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
                crate::resume_command(run.session_dir)
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

/// What the export at exit works with.
pub struct ExportRun<'a> {
    /// The test binary.
    pub build: BuildInfo,
    /// Its `--testrail-*` flags.
    pub flags: &'a HarnessFlags,
    /// Its session.
    pub session: &'a Session,
    /// The session's spool directory.
    pub session_dir: &'a Path,
    /// Where the lines go.
    pub out: Output,
}

/// What the flags, the environment and the configuration file ask of the export, read
/// without the rest of the configuration, which may be what is broken.
fn export_intent(run: &ExportRun<'_>) -> ExportIntent {
    intent(run.build, run.flags)
}

/// [`export_intent`] before the run.
fn intent(build: BuildInfo, flags: &HarnessFlags) -> ExportIntent {
    let file = testrail_formats::config_file::locate(Path::new(build.manifest_dir));
    let env: Vec<(String, String)> = std::env::vars().collect();
    ExportIntent::read(file.as_deref(), &env, flags)
}

/// The settings the harness reads for `cargo testrail` only, said instead of ignored:
/// `case_id_pattern` gets a line saying it does not apply here; `fail_on_unmatched` makes
/// the process fail (after the export) when a test of this process has no case ID, with a
/// line naming them. Returns whether it must fail.
fn check_links(config: &Config, spool_file: &SpoolFile) -> bool {
    if let Some(pattern) = &config.case_id_pattern {
        eprintln!(
            "testrail: case_id_pattern ({pattern:?}) applies to `cargo testrail import junit` and `status` only; the harness takes case IDs from #[testrail::case(...)] and #[testrail::step(...)] and is not changed by it"
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
        "testrail: {} test(s) have no case ID and fail_on_unmatched is set: the process fails ({}); link them with #[testrail::case(C...)]",
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
        return match crate::dry_run::describe(
            &config,
            std::slice::from_ref(&spool_file),
            &run.session.key,
            &LockedJournal::unsaved(run.session_dir).journal,
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
    let resume = crate::resume_command(run.session_dir);
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
    match crate::export_blocking(&config, run.session_dir, &run.session.key, selection) {
        Ok(summary) => {
            run.out.note(&summary::render(&summary));
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
