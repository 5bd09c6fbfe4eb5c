//! `cargo testrail upload [SESSION_DIR...]`: sends spooled sessions through the harness's
//! export path, exactly once, resuming whatever a failed export left.
//!
//! Several sessions (CI shards, nextest processes gathered from artifacts) go into one run
//! or plan: the first session exports as usual and records its target in its journal; each
//! following session's journal is given that target before it exports, so it joins the run
//! (adding its cases to it) instead of making a new one. Every session keeps its own journal
//! of acknowledged results, so a resumed upload sends only what is missing, and a closed run
//! is closed once, after the last session.

use std::collections::BTreeMap;
use std::process::ExitCode;

use serde::Serialize;
use testrail_export::config::{Config, ExportFailure};
use testrail_export::journal::{Journal, LockedJournal, RunState};
use testrail_export::{self as export, ExportSummary, Selection};

use crate::cli::{GlobalArgs, UploadArgs};
use crate::context::{self, Workspace};
use crate::error::{CliError, EXIT_FINDINGS};
use crate::output;
use crate::progress;
use crate::sessions::{self, SessionDir};

/// Runs `upload`.
pub async fn run(global: &GlobalArgs, args: UploadArgs) -> Result<ExitCode, CliError> {
    let workspace = Workspace::locate();
    let config = context::config(&args.settings)?;
    let sessions = sessions::resolve(&workspace, &args.dirs)?;
    if config.dry_run {
        return dry_run(global, &config, &sessions);
    }
    let created = if args.create.enabled() {
        super::create::for_sessions(global, &config, &args.create, &sessions).await?
    } else {
        Vec::new()
    };
    if args.new_run {
        leave_gone_targets(&config, &sessions).await?;
    }
    let unmapped = unmapped(&sessions);
    let report = match export_sessions(&config, &sessions).await {
        Ok(report) => report,
        Err(error) if config.export_failure == ExportFailure::Warn => {
            output::warn(format!(
                "the results were NOT sent to TestRail (export_failure = warn keeps the exit code at 0): {error}"
            ));
            return Ok(ExitCode::SUCCESS);
        }
        Err(error) => return Err(error),
    };
    if global.json {
        output::json(&UploadJson::new(&report, created, unmapped.clone()));
    } else {
        print_report(&report);
        if !unmapped.is_empty() {
            output::line(format!(
                "  unmapped (no case ID, not reported): {} ({}); link them to cases, or make the cases with `cargo testrail create`",
                unmapped.len(),
                unmapped.join(", ")
            ));
        }
    }
    Ok(unmatched_exit_code(&config, &unmapped))
}

/// The tests of the sessions that link no case (each path once, in spool order): the
/// export leaves them out.
fn unmapped(sessions: &[SessionDir]) -> Vec<String> {
    let mut unmapped: Vec<String> = Vec::new();
    for test in sessions
        .iter()
        .flat_map(|session| &session.files)
        .flat_map(|file| &file.tests)
    {
        if test.all_case_ids().is_empty() && !unmapped.contains(&test.path) {
            unmapped.push(test.path.clone());
        }
    }
    unmapped
}

/// 1 when `fail_on_unmatched` is set and tests of the sessions link no case, else 0.
fn unmatched_exit_code(config: &Config, unmatched: &[String]) -> ExitCode {
    if config.fail_on_unmatched && !unmatched.is_empty() {
        output::warn(format!(
            "{} test(s) match no case and fail_on_unmatched is set: exit code {EXIT_FINDINGS} ({})",
            unmatched.len(),
            unmatched.join(", ")
        ));
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--new-run`: each session forgets the runs and plan that TestRail closed or deleted, and
/// says so, so the export that follows makes a new one.
async fn leave_gone_targets(config: &Config, sessions: &[SessionDir]) -> Result<(), CliError> {
    let resume = resume_command(sessions, config.close_run, false);
    let failed = |error| CliError::Export {
        error,
        resume: resume.clone(),
    };
    let client = export::client(config)?;
    for session in sessions {
        let mut journal = LockedJournal::open(&session.dir).map_err(|e| failed(e.into()))?;
        let lines = export::target::forget_gone(&client, &mut journal.journal)
            .await
            .map_err(failed)?;
        journal.save().map_err(|e| failed(e.into()))?;
        for line in lines {
            output::line(format!("session {}: {line}", session.key));
        }
    }
    Ok(())
}

/// What an upload of several sessions did.
#[derive(Debug, Default)]
pub struct UploadReport {
    /// Per session: its key, directory and summary.
    pub sessions: Vec<(String, String, ExportSummary)>,
    /// Everything together.
    pub total: ExportSummary,
    /// Whether this upload closed the run or plan.
    pub closed: bool,
}

/// The target part of a journal: where a session reports.
#[derive(Clone, Debug, Default)]
struct SharedTarget {
    project_id: Option<u64>,
    plan_id: Option<u64>,
    runs: BTreeMap<u64, RunState>,
}

impl SharedTarget {
    fn is_empty(&self) -> bool {
        self.plan_id.is_none() && self.runs.is_empty()
    }

    /// Learns the target of a journal (the first run per suite wins; the cases of a run
    /// that several journals name are merged).
    fn absorb(&mut self, journal: &Journal) {
        self.project_id = self.project_id.or(journal.project_id);
        self.plan_id = self.plan_id.or(journal.plan_id);
        for (suite_id, run) in &journal.runs {
            match self.runs.get_mut(suite_id) {
                None => {
                    self.runs.insert(*suite_id, run.clone());
                }
                Some(known) if known.run_id == run.run_id => {
                    known.case_ids.extend(run.case_ids.iter().copied());
                    known.include_all |= run.include_all;
                }
                Some(_) => {}
            }
        }
    }

    /// Gives a journal this target, so its session joins the same run or plan. Runs are
    /// marked as not created by the session, so the exporter reads a run's cases from
    /// TestRail before adding to them. Returns warnings about targets that differ.
    fn inject(&self, journal: &mut Journal, key: &str) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.is_empty() {
            return warnings;
        }
        if let (Some(own), Some(shared)) = (journal.plan_id, self.plan_id)
            && own != shared
        {
            warnings.push(format!(
                "session {key} already reports into plan {own}, not plan {shared}: its results stay there"
            ));
            return warnings;
        }
        journal.project_id = journal.project_id.or(self.project_id);
        journal.plan_id = journal.plan_id.or(self.plan_id);
        for (suite_id, run) in &self.runs {
            match journal.runs.get_mut(suite_id) {
                None => {
                    // This session may have stored results there in an earlier attempt
                    // whose journal is gone (a re-run on a fresh machine): they are looked
                    // for before anything is sent.
                    journal.runs.insert(
                        *suite_id,
                        RunState {
                            created: false,
                            verified: false,
                            ..run.clone()
                        },
                    );
                }
                Some(own) if own.run_id == run.run_id => {
                    own.case_ids.extend(run.case_ids.iter().copied());
                    own.include_all |= run.include_all;
                }
                Some(own) => warnings.push(format!(
                    "session {key} already reports suite {suite_id} into run R{}, not R{}: its results stay there",
                    own.run_id, run.run_id
                )),
            }
        }
        warnings
    }
}

/// Exports sessions into one run or plan (see the module documentation).
pub async fn export_sessions(
    config: &Config,
    sessions: &[SessionDir],
) -> Result<UploadReport, CliError> {
    let failed = |error: export::ExportError| {
        // A closed or deleted run needs --new-run to go on.
        let new_run = matches!(
            error,
            export::ExportError::TargetClosed { .. }
                | export::ExportError::TargetDeleted { .. }
                | export::ExportError::PlanClosed { .. }
        );
        CliError::Export {
            resume: resume_command(sessions, config.close_run, new_run),
            error,
        }
    };
    let mut per_session = config.clone();
    per_session.close_run = false;

    let mut shared = SharedTarget::default();
    for session in sessions {
        let journal = LockedJournal::open(&session.dir).map_err(|e| failed(e.into()))?;
        shared.absorb(&journal.journal);
    }

    let bar = progress::bar(sessions.len() as u64, "uploading sessions");
    let mut report = UploadReport::default();
    for session in sessions {
        bar.set_message(format!("uploading {}", session.key));
        {
            let mut journal = LockedJournal::open(&session.dir).map_err(|e| failed(e.into()))?;
            for warning in shared.inject(&mut journal.journal, &session.key) {
                bar.suspend(|| output::warn(warning));
            }
            journal.save().map_err(|e| failed(e.into()))?;
        }
        // A session's spool files may be uploaded again on another machine (a CI job run
        // again): look for the run it made there before making one.
        let summary = export::export_with(
            &per_session,
            &session.dir,
            &session.key,
            Selection::Files(session.names.clone()),
            true,
        )
        .await
        .map_err(|error| {
            bar.finish_and_clear();
            failed(error)
        })?;
        let journal = LockedJournal::open(&session.dir).map_err(|e| failed(e.into()))?;
        shared.absorb(&journal.journal);
        drop(journal);
        merge(&mut report.total, &summary);
        report.sessions.push((
            session.key.clone(),
            context::display_path(&session.dir),
            summary,
        ));
        bar.inc(1);
    }
    bar.finish_and_clear();
    report.total.plan_id = shared.plan_id;
    if config.close_run {
        report.closed = close(config, sessions, &shared).await.map_err(failed)?;
    }
    Ok(report)
}

/// Closes the plan, or the runs, once: after the last session. Every journal records it.
async fn close(
    config: &Config,
    sessions: &[SessionDir],
    shared: &SharedTarget,
) -> Result<bool, export::ExportError> {
    let mut journals = Vec::new();
    for session in sessions {
        journals.push(LockedJournal::open(&session.dir)?);
    }
    if journals.iter().all(|journal| journal.journal.closed) || shared.is_empty() {
        return Ok(false);
    }
    let client = export::client(config)?;
    match shared.plan_id {
        Some(plan_id) => already_closed(client.close_plan(plan_id).await.map(drop))?,
        None => {
            for run in shared.runs.values() {
                if let Some(plan_id) = run.plan_id {
                    return Err(export::ExportError::CloseRunInPlan {
                        run_id: run.run_id,
                        plan_id,
                    });
                }
                if !run.completed {
                    already_closed(client.close_run(run.run_id).await.map(drop))?;
                }
            }
        }
    }
    for journal in &mut journals {
        journal.journal.closed = true;
        journal.save()?;
    }
    Ok(true)
}

/// The answer to a close: "already completed" (closed by an earlier attempt of this
/// upload, e.g. a CI job run again) is what was wanted.
fn already_closed(answer: Result<(), testrail_api::Error>) -> Result<(), export::ExportError> {
    match answer {
        Err(testrail_api::Error::Forbidden { message, .. })
            if message.contains("already completed") =>
        {
            Ok(())
        }
        other => Ok(other?),
    }
}

/// Adds one session's summary to the total.
fn merge(total: &mut ExportSummary, summary: &ExportSummary) {
    for run in &summary.runs {
        if !total.runs.contains(run) {
            total.runs.push(run.clone());
        }
    }
    total.plan_id = total.plan_id.or(summary.plan_id);
    total.sent += summary.sent;
    total.batches += summary.batches;
    total.already_stored += summary.already_stored;
    total.kept_worse += summary.kept_worse;
    for (into, from) in [
        (&mut total.unconfigured, &summary.unconfigured),
        (&mut total.missing, &summary.missing),
    ] {
        for case_id in from {
            if !into.contains(case_id) {
                into.push(*case_id);
            }
        }
    }
    for item in &summary.not_reported {
        if !total.not_reported.contains(item) {
            total.not_reported.push(*item);
        }
    }
    for item in &summary.refused {
        if !total.refused.contains(item) {
            total.refused.push(item.clone());
        }
    }
    total.attachments_sent += summary.attachments_sent;
    total.attachments_stored += summary.attachments_stored;
    total
        .attachments_skipped
        .extend(summary.attachments_skipped.iter().cloned());
}

/// The command that resumes this upload: with `--close-run` when it was asked for, and
/// with `--new-run` when the session's run is closed or gone.
pub fn resume_command(sessions: &[SessionDir], close_run: bool, new_run: bool) -> String {
    let dirs: Vec<String> = sessions
        .iter()
        .map(|session| {
            export::resume_command(&session.dir)
                .trim_start_matches("cargo testrail upload ")
                .to_owned()
        })
        .collect();
    let mut command = format!("cargo testrail upload {}", dirs.join(" "));
    if close_run {
        command.push_str(" --close-run");
    }
    if new_run {
        command.push_str(" --new-run");
    }
    command
}

/// Prints what an upload did.
pub fn print_report(report: &UploadReport) {
    if report.sessions.len() > 1 {
        for (key, _, summary) in &report.sessions {
            output::line(format!(
                "  session {key}: {} sent, {} already stored",
                summary.sent, summary.already_stored
            ));
        }
    }
    let text = testrail_export::summary::render(&report.total);
    for line in text.lines() {
        let line = line.strip_prefix("testrail: ").unwrap_or(line);
        if line.trim_start().starts_with("warning") {
            output::line(output::paint(output::ORANGE, line));
        } else {
            output::line(line);
        }
    }
    if report.closed {
        output::line(match report.total.plan_id {
            Some(plan_id) => format!("closed plan {plan_id}"),
            None => "closed the run".to_owned(),
        });
    }
}

fn dry_run(
    global: &GlobalArgs,
    config: &Config,
    sessions: &[SessionDir],
) -> Result<ExitCode, CliError> {
    let mut described = Vec::new();
    for session in sessions {
        let journal = export::journal::LockedJournal::unsaved(&session.dir).journal;
        let text = export::dry_run::describe(config, &session.files, &session.key, &journal)?;
        described.push(DryRunJson {
            session: session.key.clone(),
            dir: context::display_path(&session.dir),
            requests: text,
        });
    }
    if global.json {
        output::json(&described);
    } else {
        for session in described {
            output::line(output::paint(
                output::BOLD,
                format!("session {}", session.session),
            ));
            output::line(session.requests);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct DryRunJson {
    session: String,
    dir: String,
    requests: String,
}

/// `upload --json`.
#[derive(Serialize)]
pub struct UploadJson {
    sessions: Vec<SessionJson>,
    runs: Vec<RunJson>,
    plan_id: Option<u64>,
    sent: usize,
    batches: usize,
    already_stored: usize,
    unconfigured: Vec<u64>,
    missing: Vec<u64>,
    not_reported: Vec<NotReportedJson>,
    closed: bool,
    created: Vec<super::create::CreatedJson>,
    /// Tests that link no case, so were not reported.
    unmapped: Vec<String>,
}

#[derive(Serialize)]
struct SessionJson {
    session: String,
    dir: String,
    sent: usize,
    already_stored: usize,
}

#[derive(Serialize)]
struct RunJson {
    id: u64,
    url: String,
}

#[derive(Serialize)]
struct NotReportedJson {
    case_id: u64,
    reason: &'static str,
}

impl UploadJson {
    /// The JSON form of a report; `unmapped` are the tests that link no case.
    pub fn new(
        report: &UploadReport,
        created: Vec<super::create::CreatedJson>,
        unmapped: Vec<String>,
    ) -> UploadJson {
        let total = &report.total;
        UploadJson {
            sessions: report
                .sessions
                .iter()
                .map(|(key, dir, summary)| SessionJson {
                    session: key.clone(),
                    dir: dir.clone(),
                    sent: summary.sent,
                    already_stored: summary.already_stored,
                })
                .collect(),
            runs: total
                .runs
                .iter()
                .map(|(id, url)| RunJson {
                    id: *id,
                    url: url.clone(),
                })
                .collect(),
            plan_id: total.plan_id,
            sent: total.sent,
            batches: total.batches,
            already_stored: total.already_stored,
            unconfigured: total.unconfigured.clone(),
            missing: total.missing.clone(),
            not_reported: total
                .not_reported
                .iter()
                .map(|(case_id, reason)| NotReportedJson {
                    case_id: *case_id,
                    reason,
                })
                .collect(),
            closed: report.closed,
            created,
            unmapped,
        }
    }
}
