//! The harness's `main`: runs the registered tests like libtest, writes each outcome to the
//! spool as its test ends, prints the summary, exports when asked, and returns libtest's
//! exit code.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use libtest_mimic::Arguments;

pub use testrail_formats::build::BuildInfo;
use testrail_formats::outcome::TestOutcome;
use testrail_formats::session::{self, Session, TestrailDir};
use testrail_formats::spool::{self, Header, SpoolFile, SpoolWriter};

use crate::after_tests::{AfterTests, Ended, Exit, Output};
use crate::exit_guard;
use crate::isolate::{self, Isolated};
use crate::listing;
use crate::panic_capture;
use crate::registry;
use crate::runner::{self, Collected, Mode};
use crate::select::CaseSelection;
use crate::step_plan::StepPlans;

/// Prints the registry as JSON and runs nothing.
pub const REGISTRY_FLAG: &str = "--testrail-registry";

/// Runs the test binary: what `testrail::main!()` calls. `after` is what happens once the
/// tests have ended, besides the summary: the export, or [`crate::after_tests::NoExport`].
pub fn run_main(build: BuildInfo, after: &mut dyn AfterTests) -> ExitCode {
    panic_capture::install_hook();
    let mut args: Vec<String> = std::env::args().collect();
    if let Some(code) = isolate::child_main(&args) {
        return code;
    }
    let isolation = isolate::asked(&mut args, Path::new(build.manifest_dir));
    if args.iter().any(|arg| arg == REGISTRY_FLAG) {
        return print_registry(build, &*after);
    }
    if let Some(long) = help_asked(&args) {
        return print_help(long, &*after);
    }
    let libtest_args = match after.take_flags(build, args) {
        Ok(rest) => rest,
        Err(message) => {
            // libtest exits with 101 on arguments it does not understand.
            eprintln!("error: {message}");
            return ExitCode::from(101);
        }
    };
    let mut args = Arguments::from_iter(libtest_args);
    let cases = CaseSelection::take(&mut args);
    // With `--format json`, stdout belongs to libtest's events, and with `--list` to the
    // list that cargo-nextest parses: our lines go to stderr.
    let out = Output {
        to_stderr: args.list || matches!(args.format, Some(libtest_mimic::FormatSetting::Json)),
        quiet: args.quiet,
    };
    let testrail_dir = TestrailDir::locate(build.target_tmpdir);
    let plans: &'static StepPlans = Box::leak(Box::new(StepPlans::new(
        &testrail_dir.step_plans(),
        build.package,
        build.binary,
    )));
    let session = Session::current();
    let session_dir = testrail_dir.session(&session.key);
    crate::attach::set_bytes_dir(session_dir.join("attachments").join(format!(
        "{}-{}",
        build.binary,
        std::process::id()
    )));
    let dry_run = after.dry_run();
    let git_commit = match args.list {
        true => None,
        false => git_commit_of_session(&session_dir, build.manifest_dir),
    };
    let header = spool_header(&build, &session, git_commit, (dry_run, false));
    let writer =
        SpoolWriter::new(&session_dir, header).with_latest_marker(testrail_dir.latest_marker());
    let collected: &'static Collected = Box::leak(Box::new(Collected::new(writer)));

    let all = registry::tests();
    let total = all.len();
    let defs: Vec<_> = all.into_iter().filter(|def| cases.selects(def)).collect();
    if let Some(line) = cases.line(defs.len(), total) {
        out.note(&line);
    }
    // `--list --format terse` is what cargo-nextest parses: there every line is
    // `<path>: test`, so nextest's test names are the Rust paths.
    let kinds = !(args.list && matches!(args.format, Some(libtest_mimic::FormatSetting::Terse)));
    let under_nextest = std::env::var_os("NEXTEST_RUN_ID").is_some();
    if let (Some(by), true, false) = (&isolation, under_nextest, args.list) {
        out.note(&format!(
            "testrail: isolation (asked for by {by}) is left to cargo-nextest, which runs each test in its own process already\n"
        ));
    }
    let isolated = match &isolation {
        Some(by) if !args.list && !under_nextest => match Isolated::new(args.nocapture) {
            Ok(isolated) => {
                out.note(&format!(
                    "testrail: each test runs in its own process (isolation asked for by {by})\n"
                ));
                Some(isolated)
            }
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(101);
            }
        },
        _ => None,
    };
    // Without isolation, a panic inside a test is kept for its failure, as libtest does,
    // unless `--nocapture` asks to see everything as it happens.
    panic_capture::capture(isolated.is_none() && !args.nocapture);
    let mode: &'static Mode = Box::leak(Box::new(Mode::new(isolated, args.show_output)));
    let trials: Vec<_> = defs
        .iter()
        .map(|def| runner::trial(def, plans, collected, kinds, mode))
        .collect();
    if !args.list {
        for (def, trial) in defs.iter().zip(&trials) {
            if args.is_ignored(trial) && !args.is_filtered_out(trial) {
                collected.skipped(runner::skipped(def));
            }
        }
    }
    if !args.list {
        plans.migrate_legacy(|| registry::tests().into_iter().map(|def| def.path()));
        exit_guard::watch(collected);
    }
    let conclusion = libtest_mimic::run(&args, trials);
    exit_guard::tests_done();
    panic_capture::capture(false);
    out.print(&mode.successes());
    plans.finish();
    for line in plans.notes() {
        eprintln!("{line}");
    }
    if args.list {
        return conclusion.exit_code();
    }

    let (tally, unsaved) = collected.take();
    if tally.is_empty() {
        return conclusion.exit_code();
    }
    let writer = collected.spool();
    writer.end(testrail_formats::clock::now_ms());
    let (spool_path, mut outcomes) = match writer.is_complete() {
        true if after.needs_outcomes() => (Some(writer.path().to_owned()), read_back(writer)),
        true => (Some(writer.path().to_owned()), Vec::new()),
        false => {
            let outcomes = recover(writer, unsaved);
            writer.discard();
            (None, outcomes)
        }
    };
    outcomes.sort_by(|a, b| a.path.cmp(&b.path));
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
        finished_at_ms: testrail_formats::clock::now_ms(),
        git_commit: header.git_commit.clone(),
        manifest_dir: header.manifest_dir.clone(),
        tests: outcomes,
    };
    if let Some(line) = unsaved_line(writer.failure(), plans.unsaved()) {
        eprintln!("{line}");
    }
    out.note(&tally.render(spool_path.as_deref()));
    after.after_tests(Ended {
        build,
        session: &session,
        session_dir: &session_dir,
        spool_file,
        spool_path: spool_path.as_deref(),
        out,
        exit: Exit {
            tests: conclusion.exit_code(),
            tests_failed: conclusion.has_failed(),
        },
    })
}

/// The outcomes of this process, read back from its complete spool file (they are not kept
/// in memory while the tests run); on a failure to read, a line says so and none are given.
fn read_back(writer: &SpoolWriter) -> Vec<TestOutcome> {
    match SpoolFile::read(writer.path()) {
        Ok(file) => file.tests,
        Err(error) => {
            eprintln!(
                "testrail: could not read back the outcomes just written ({error}); the export sees none of them now: send them with `cargo testrail upload`"
            );
            Vec::new()
        }
    }
}

/// The outcomes of a run whose spool file could not be completed: those written before the
/// failure, read back from the partial file, and those kept in memory since.
fn recover(writer: &SpoolWriter, unsaved: Vec<TestOutcome>) -> Vec<TestOutcome> {
    let mut outcomes = match SpoolFile::read_with_notes(writer.path()) {
        Ok(read) => read.file.tests,
        // Nothing readable was written (the file or its header could not be created):
        // every outcome is among the unsaved ones.
        Err(_) => Vec::new(),
    };
    let kept: BTreeSet<&str> = unsaved.iter().map(|test| test.path.as_str()).collect();
    outcomes.retain(|test| !kept.contains(test.path.as_str()));
    outcomes.extend(unsaved);
    outcomes
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

/// `Some(true)` for `--help`, `Some(false)` for `-h`, `None` when neither is given (before
/// a `--`, after which words are test names).
fn help_asked(args: &[String]) -> Option<bool> {
    args.iter()
        .skip(1)
        .take_while(|arg| *arg != "--")
        .find_map(|arg| match arg.as_str() {
            "--help" => Some(true),
            "-h" => Some(false),
            _ => None,
        })
}

/// Prints libtest-mimic's help followed by the `--testrail-*` flags of `after`.
fn print_help(long: bool, after: &dyn AfterTests) -> ExitCode {
    use clap::CommandFactory as _;
    let mut command = Arguments::command().after_help(after.usage());
    let printed = match long {
        true => command.print_long_help(),
        false => command.print_help(),
    };
    match printed {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: could not print the help: {error}");
            ExitCode::FAILURE
        }
    }
}

fn print_registry(build: BuildInfo, after: &dyn AfterTests) -> ExitCode {
    let listing = listing::current(build.package, build.binary);
    match serde_json::to_string_pretty(&listing) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!(
                "error: could not print the registry: {error}\n\n{}",
                after.usage()
            );
            ExitCode::FAILURE
        }
    }
}

/// The header of this process's spool file in `session`: `git_commit` as found, and
/// `(dry_run, libtest)` (a libtest binary's file has no end line).
pub(crate) fn spool_header(
    build: &BuildInfo,
    session: &Session,
    git_commit: Option<String>,
    (dry_run, libtest): (bool, bool),
) -> Header {
    let pid = std::process::id();
    Header {
        format: spool::FORMAT.to_owned(),
        version: spool::VERSION,
        session: session.key.clone(),
        session_source: session.source,
        package: build.package.to_owned(),
        binary: build.binary.to_owned(),
        pid,
        process_start: session::start_time(pid),
        started_at_ms: testrail_formats::clock::now_ms(),
        git_commit,
        manifest_dir: build.manifest_dir.to_owned(),
        dry_run,
        libtest,
    }
}

/// [`git_commit`], asked once per session and package: every process of a
/// `cargo nextest run` (one per test) would otherwise start `git` again. The answer is kept
/// in the session directory (`.git-commit-<hash of the package directory>`, empty when there
/// is none); a file that cannot be read or written only means asking `git` again.
pub(crate) fn git_commit_of_session(
    session_dir: &std::path::Path,
    manifest_dir: &str,
) -> Option<String> {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::hash::DefaultHasher::new();
    manifest_dir.hash(&mut hasher);
    let kept = session_dir.join(format!(".git-commit-{:016x}", hasher.finish()));
    if let Some(sha) = ci_commit() {
        return Some(sha);
    }
    if let Ok(sha) = std::fs::read_to_string(&kept) {
        let sha = sha.trim();
        return (!sha.is_empty()).then(|| sha.to_owned());
    }
    let sha = git_commit(manifest_dir);
    let _ = spool::write_atomically(&kept, sha.as_deref().unwrap_or_default().as_bytes());
    sha
}

/// The commit a CI names in its variables, if any.
fn ci_commit() -> Option<String> {
    [
        "GITHUB_SHA",
        "CI_COMMIT_SHA",
        "BUILDKITE_COMMIT",
        "GIT_COMMIT",
    ]
    .into_iter()
    .filter_map(|variable| std::env::var(variable).ok())
    .map(|sha| sha.trim().to_owned())
    .find(|sha| !sha.is_empty())
}

/// The commit under test: from the CI's variables when present, else `git rev-parse HEAD`
/// in the package directory.
pub fn git_commit(manifest_dir: &str) -> Option<String> {
    if let Some(sha) = ci_commit() {
        return Some(sha);
    }
    let output = std::process::Command::new("git")
        .args(["-C", manifest_dir, "rev-parse", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let sha = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !sha.trim().is_empty()).then(|| sha.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;
    use crate::runner::tests::{header, start};

    #[test]
    fn a_spool_that_failed_midway_gives_what_it_holds_and_what_was_kept() {
        let dir = tempfile::tempdir().unwrap();
        let writer = SpoolWriter::new(dir.path(), header());
        writer.started(&start("a", &[1]));
        assert!(writer.finished(&start("a", &[1]).interrupted(2)));
        writer.started(&start("b", &[2]));
        // The line of `b`'s outcome was cut short: `b` is among the kept ones.
        std::fs::OpenOptions::new()
            .append(true)
            .open(writer.path())
            .unwrap()
            .write_all(b"{\"finished\":{\"path\":\"b\",")
            .unwrap();
        let mut b = start("b", &[2]).interrupted(3);
        b.comments.push("kept in memory".to_owned());
        let recovered = recover(&writer, vec![b.clone()]);
        let paths: Vec<&str> = recovered.iter().map(|test| test.path.as_str()).collect();
        assert_eq!(paths, ["a", "b"], "each test once");
        assert_eq!(recovered[1], b, "the kept outcome, not the interrupted one");
    }

    #[test]
    fn a_spool_never_created_gives_the_kept_outcomes() {
        let dir = tempfile::tempdir().unwrap();
        let writer = SpoolWriter::new(&dir.path().join("missing"), header());
        let a = start("a", &[1]).interrupted(2);
        assert_eq!(recover(&writer, vec![a.clone()]), [a]);
    }
}
