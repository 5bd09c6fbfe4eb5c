//! Sending spooled outcomes to TestRail: the same path for the export at the end of a test
//! run, for `cargo testrail upload` and for JUnit imports.
//!
//! [`export_with`] reads the facts, then runs the five stages of [`pipeline`], each one pass
//! over the previous stage's data:
//!
//! 0. facts: [`report`] reads the spool files as a stream into an index of the linked
//!    cases (a few bytes each: which files report a case, with which verdicts);
//!    [`status_map`] resolves the statuses; [`catalog`] reads the project, suites and, when
//!    needed, cases (Missing and Unconfigured cases);
//! 1. [`pipeline::plan`]: the cases to report by suite, and the [`target::Step`] that gives
//!    each suite its run (join, adopt, new run, new plan, new plan entry); no request;
//! 2. [`pipeline::prepare`]: the steps executed ([`target`]: created once per session and
//!    joined after), what TestRail already holds acknowledged;
//! 3. [`pipeline::deliver`]: the spool files are read again as a stream and one report per
//!    case (test and step links, worst wins) becomes a result body, a batch at a time
//!    ([`send`]), acknowledged in the [`journal`], checked after ambiguous failures;
//! 4. [`pipeline::attach`]: the files of `testrail::attach` onto their results, each upload
//!    journalled and checked after an ambiguous failure;
//! 5. [`pipeline::close`]: `--close-run`, and the summary.
//!
//! [`build_run`] makes the run or plan of a build before its tests run, with the same
//! target logic (`cargo testrail run create`). [`dry_run`] prints the plan of stage 1.
//! [`config`] and [`flags`] read what the user asked (`testrail.toml`, `TESTRAIL_*`,
//! `--testrail-*`); [`at_exit`] is what a test binary runs
//! when its tests have ended; [`summary`] renders where the results went. The outcomes,
//! spool files and sessions are [`testrail_formats`]'s; every request goes through the
//! [`testrail_api`] client.

pub mod at_exit;
pub mod build_run;
pub mod catalog;
pub mod config;
pub mod dry_run;
pub mod flags;
pub mod journal;
pub mod pipeline;
pub mod report;
pub mod results;
pub mod send;
pub mod status_map;
pub mod summary;
pub mod target;
pub mod text;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{Config, ConfigError};
use testrail_api::{Client, ClientConfig, RateLimit};
use testrail_formats::spool::{SpoolError, SpoolFile};

use report::{FileMeta, Index, Outcomes};

use catalog::{CaseState, CaseStates, Catalog, StepResults};
use journal::LockedJournal;
use results::ResultContext;
use status_map::StatusMap;

/// Why an export failed. The spool keeps every result that was not acknowledged, so a
/// failed export can be resumed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The configuration is incomplete or wrong.
    #[error(transparent)]
    Config(Box<ConfigError>),
    /// The client could not be set up.
    #[error(transparent)]
    ClientConfig(#[from] testrail_api::BuildError),
    /// TestRail refused or failed.
    #[error(transparent)]
    Client(#[from] testrail_api::Error),
    /// The status mapping names a status TestRail does not have.
    #[error(transparent)]
    Status(#[from] status_map::UnknownStatus),
    /// The spool or journal could not be read or written.
    #[error(transparent)]
    Spool(#[from] SpoolError),
    /// No project with that name.
    #[error("TestRail has no project named {given:?}; projects: {known}")]
    UnknownProject {
        /// What was configured.
        given: String,
        /// What exists.
        known: String,
    },
    /// No suite with that name or ID in the project.
    #[error("the project has no suite {given:?}; suites: {known}")]
    UnknownSuite {
        /// What was configured.
        given: String,
        /// What exists.
        known: String,
    },
    /// Linked cases no longer exist in TestRail.
    #[error("{} linked case(s) no longer exist in TestRail: {}; remove the links (or set skip_missing = true to report the others)", .0.len(), .0.join("; "))]
    Missing(Vec<String>),
    /// TestRail refused the results of some cases (deleted, or no longer in the run after
    /// the run was made); every other result was delivered.
    #[error("TestRail refused the results of {} case(s), every other result was delivered: {}; the case was deleted or taken out of the run: remove the link (or set skip_missing = true to report the others without failing), or add the case to the run again and resume", .0.len(), .0.iter().map(|(case, reason)| format!("C{case}: \"{reason}\"")).collect::<Vec<_>>().join("; "))]
    Refused(Vec<(u64, String)>),
    /// The journal is damaged.
    #[error(transparent)]
    Journal(#[from] journal::JournalError),
    /// TestRail refused files (400, 403) after their results were delivered.
    #[error("TestRail refused {} attachment(s), every result and other file was delivered: {}; check that the user may add attachments (and the file), then resume with `cargo testrail upload`", .0.len(), .0.join("; "))]
    AttachmentsRefused(Vec<String>),
    /// `TESTRAIL_RUN_ID` names a run of another project than the configured one.
    #[error(
        "run R{run_id} (TESTRAIL_RUN_ID / --run-id) belongs to project P{run_project}, not to project P{project_id} that the configuration names: nothing was sent; name a run of P{project_id}, or set the project to P{run_project}"
    )]
    RunOfOtherProject {
        /// The run.
        run_id: u64,
        /// Its project.
        run_project: u64,
        /// The configured project.
        project_id: u64,
    },
    /// Results of cases the run `TESTRAIL_RUN_ID` names cannot hold: a run holds the cases
    /// of one suite (API reference: runs), and these are in another.
    #[error(
        "{} result(s) were not sent: their cases ({}) are not in suite S{suite_id} of run R{run_id} (TESTRAIL_RUN_ID / --run-id), and a run holds the cases of one suite; every other result was delivered; name a run (or plan, TESTRAIL_PLAN_ID) that holds their suite, or unset TESTRAIL_RUN_ID to make one", .cases.len(), .cases.iter().map(|case| format!("C{case}")).collect::<Vec<_>>().join(", ")
    )]
    OutsideRun {
        /// The run.
        run_id: u64,
        /// Its suite.
        suite_id: u64,
        /// The cases it cannot hold.
        cases: Vec<u64>,
    },
    /// The configured run is closed and results of this session are not in it.
    #[error(
        "run R{run_id} (TESTRAIL_RUN_ID / --run-id) is closed: TestRail takes no more results there, and {unsent} result(s) of this session are not in it; report them into another run (unset TESTRAIL_RUN_ID to make a new one)"
    )]
    RunClosed {
        /// The run.
        run_id: u64,
        /// Results of this session it lacks.
        unsent: usize,
    },
    /// The session's run was closed in TestRail while results of the session were not in it.
    #[error(
        "run R{run_id} of this session is closed: TestRail takes no more results there{}; send the rest into a new run by adding --new-run to the upload command (the results already in R{run_id} stay there)",
        .unsent.map(|n| format!(", and {n} result(s) of this session are not in it")).unwrap_or_default()
    )]
    TargetClosed {
        /// The run.
        run_id: u64,
        /// Results of this session it lacks, when known.
        unsent: Option<usize>,
    },
    /// The session's run was deleted in TestRail.
    #[error(
        "run R{run_id} of this session no longer exists in TestRail (it was deleted, with the results sent to it); send every result into a new run by adding --new-run to the upload command"
    )]
    TargetDeleted {
        /// The run.
        run_id: u64,
    },
    /// The session's plan was closed before its entry for a suite was made.
    #[error(
        "plan {plan_id} of this session is closed: TestRail takes no more entries or results there; send the rest into a new plan by adding --new-run to the upload command"
    )]
    PlanClosed {
        /// The plan.
        plan_id: u64,
    },
    /// Cases could not be kept in a run that other sessions change at the same time.
    #[error(
        "run R{run_id} still lacks case(s) {} after adding them again and again: other sessions are changing its cases at the same time; run the upload again (it adds them again and sends only what is missing)",
        .missing.iter().map(|case| format!("C{case}")).collect::<Vec<_>>().join(", ")
    )]
    CasesNotAdded {
        /// The run.
        run_id: u64,
        /// The cases it lacks.
        missing: Vec<u64>,
    },
    /// `--close-run` of a run that belongs to a plan.
    #[error(
        "run R{run_id} belongs to plan {plan_id}: TestRail closes the runs of a plan only with the whole plan, so it stays open; close plan {plan_id} once all its runs are done (the results were sent)"
    )]
    CloseRunInPlan {
        /// The run.
        run_id: u64,
        /// Its plan.
        plan_id: u64,
    },
    /// TestRail answered something the exporter cannot use.
    #[error("unexpected answer from TestRail: {0}")]
    Unexpected(&'static str),
    /// The async runtime failed.
    #[error("export runtime failure: {0}")]
    Runtime(String),
}

impl From<ConfigError> for ExportError {
    fn from(error: ConfigError) -> Self {
        ExportError::Config(Box::new(error))
    }
}

/// What an export did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Runs that received results: (run ID, URL).
    pub runs: Vec<(u64, String)>,
    /// The plan, when reporting into one.
    pub plan_id: Option<u64>,
    /// Results sent and acknowledged now.
    pub sent: usize,
    /// Requests that carried them.
    pub batches: usize,
    /// Results that were already stored (earlier export or ambiguous failure).
    pub already_stored: usize,
    /// Cases skipped because their suite is not configured.
    pub unconfigured: Vec<u64>,
    /// Cases the run `TESTRAIL_RUN_ID` names cannot hold (another suite), with that run
    /// and its suite; the export fails with [`ExportError::OutsideRun`] after sending the
    /// others.
    pub outside: Option<(u64, u64, Vec<u64>)>,
    /// Cases skipped because they no longer exist (with `skip_missing`).
    pub missing: Vec<u64>,
    /// Results sent with the worse status an earlier export of the session stored for
    /// their case (worst wins across the binaries of one `cargo test`).
    pub kept_worse: usize,
    /// Cases whose results TestRail refused, with its reason (with `skip_missing`; else
    /// the export fails with [`ExportError::Refused`] after sending the others).
    pub refused: Vec<(u64, String)>,
    /// Cases not reported and why (run result Error, skipped tests).
    pub not_reported: Vec<(u64, &'static str)>,
    /// Attachments uploaded and acknowledged now.
    pub attachments_sent: usize,
    /// Attachments found already stored (an earlier export, or an upload whose answer was
    /// lost).
    pub attachments_stored: usize,
    /// Attachments not sent, each with a line saying which and why.
    pub attachments_skipped: Vec<String>,
}

/// Which spool files of a session to export.
#[derive(Clone, Debug)]
pub enum Selection {
    /// Every file of the session directory.
    All,
    /// These files (names inside the session directory).
    Files(Vec<String>),
    /// Outcomes that could not be saved, exported from memory: the journal is read when
    /// there is one but never written, so nothing is left to resume.
    Unsaved(Vec<SpoolFile>),
}

/// Exports the outcomes of a session directory, blocking the calling thread.
pub fn export_blocking(
    config: &Config,
    session_dir: &Path,
    session: &str,
    selection: Selection,
) -> Result<ExportSummary, ExportError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| ExportError::Runtime(error.to_string()))?;
    runtime.block_on(export(config, session_dir, session, selection))
}

/// Builds the client from the configuration.
pub fn client(config: &Config) -> Result<Client, ExportError> {
    let url = config.url.clone().ok_or(ConfigError::Missing {
        what: "TESTRAIL_URL",
        hint: "set it (or `url` in testrail.toml) to the address you open TestRail at, e.g. https://acme.testrail.io",
    })?;
    let user = config.user.clone().ok_or(ConfigError::Missing {
        what: "TESTRAIL_USER",
        hint: "set it (or `user` in testrail.toml) to the email address you log in to TestRail with",
    })?;
    let api_key = config.api_key.clone().ok_or(ConfigError::Missing {
        what: "TESTRAIL_API_KEY",
        hint: "set it, or `api_key_file` in testrail.toml; make a key under My Settings > API Keys",
    })?;
    let mut client_config = ClientConfig::new(url, user, api_key);
    client_config.timeout = config.timeout;
    client_config.rate_limit = Some(RateLimit::per_minute(config.rate_limit));
    client_config.max_in_flight = config.max_in_flight;
    client_config.ca_cert = config.ca_cert.clone();
    client_config.accept_invalid_certs = config.insecure;
    client_config.backoff_base = config.backoff;
    client_config.retry_after_default = config.backoff * 5;
    Ok(Client::new(client_config)?)
}

/// The selected outcomes of a session directory: its spool files, to be read as a stream
/// (the outcomes of dry runs are never among them: see
/// [`testrail_formats::spool::is_spool_name`]), or the outcomes held in memory.
///
/// # Errors
/// A session directory that cannot be listed.
pub fn outcomes_of(session_dir: &Path, selection: Selection) -> Result<Outcomes, ExportError> {
    let paths = |names: Vec<String>| {
        names
            .into_iter()
            .filter(|name| testrail_formats::spool::is_spool_name(name))
            .map(|name| session_dir.join(name))
            .collect()
    };
    Ok(match selection {
        Selection::All => {
            let names = testrail_formats::spool::file_names(session_dir).map_err(|source| {
                SpoolError::Io {
                    action: "list",
                    path: session_dir.to_owned(),
                    source,
                }
            })?;
            Outcomes::Files(paths(names))
        }
        Selection::Files(names) => Outcomes::Files(paths(names)),
        Selection::Unsaved(files) => Outcomes::Memory(Arc::new(files)),
    })
}

/// Exports the outcomes of a session directory.
///
/// The common case costs `3 + ⌈N/250⌉` requests for N results into a new run: the project,
/// the suites (when named), `add_run`, and the result batches. The cases of the configured
/// suites are paged through only when they are needed: several suites (to know which case
/// is in which), step results limited to some templates, or TestRail refusing a case. An
/// export into a run that already holds results of the session (a later binary, a run
/// that was joined) first reads them (`get_tests` and `get_results_for_run`), so that the
/// worst result of a case stays the latest.
pub async fn export(
    config: &Config,
    session_dir: &Path,
    session: &str,
    selection: Selection,
) -> Result<ExportSummary, ExportError> {
    export_with(config, session_dir, session, selection, false).await
}

/// [`export`], looking first (when `find_earlier`) for a run or plan the session made
/// earlier that its journal does not know: for uploads of spooled sessions, which may be a
/// CI job run again on a fresh machine. It costs one `get_runs` (or `get_plans`) request.
///
/// The facts (the spool's case reports, TestRail's project, suites, statuses and cases)
/// go through the five stages of [`pipeline`]: plan, prepare, deliver, attach, close.
pub async fn export_with(
    config: &Config,
    session_dir: &Path,
    session: &str,
    selection: Selection,
    find_earlier: bool,
) -> Result<ExportSummary, ExportError> {
    let unsaved = matches!(selection, Selection::Unsaved(_));
    // The outcomes are read once here, keeping a few bytes per linked case, and once
    // more when sending, a batch of results at a time.
    let outcomes = outcomes_of(session_dir, selection)?;
    let index = Index::build(&outcomes)?;
    let naming = target::Naming {
        name: run_name(config, &index.files, session),
        description: config.run_description.clone(),
        marker: results::session_marker(session),
        find_earlier,
    };
    let client = client(config)?;
    let (mut facts, mut catalog) =
        read_facts(&client, config, session, (outcomes, index), naming).await?;
    let journal = match unsaved {
        true => LockedJournal::unsaved(session_dir),
        false => LockedJournal::open(session_dir)?,
    };
    let journal = Arc::new(tokio::sync::Mutex::new(journal));
    // What this finds stored is acknowledged in the journal, so the plan counts it as
    // already stored (counting it here too counted it twice).
    match send::settle_pending(&client, &journal, session, config.settle_window).await {
        Ok(_) => {}
        Err(ExportError::Client(error)) => {
            let run_id = journal
                .lock()
                .await
                .journal
                .pending
                .first()
                .map(|b| b.run_id);
            return Err(match run_id {
                Some(run_id) => target::explain(&client, run_id, error).await,
                None => error.into(),
            });
        }
        Err(error) => return Err(error),
    }
    let prepared = loop {
        let plan = pipeline::plan::plan(config, facts.clone(), &journal.lock().await.journal)?;
        match pipeline::prepare::prepare(&client, config, &journal, session, plan).await? {
            pipeline::prepare::Outcome::Ready(prepared) => break *prepared,
            // A case assumed to be in the only suite is not: read the suite, plan again.
            pipeline::prepare::Outcome::Replan => {
                catalog.scan(&client).await?;
                let (states, cases_assumed) = case_states(&client, &catalog, &facts.index).await?;
                facts.states = Arc::new(states);
                facts.cases_assumed = cases_assumed;
            }
        }
    };
    let mut delivered =
        pipeline::deliver::deliver(&client, config, &journal, session, prepared).await?;
    pipeline::attach::attach(
        &client,
        config,
        &journal,
        session,
        &facts.outcomes,
        &mut delivered.summary,
    )
    .await?;
    pipeline::close::close(&client, config, &journal, delivered).await
}

/// What TestRail holds that the plan needs for the linked cases of `outcomes` (`index`):
/// the project and suites, the statuses, which templates take step results and where
/// each linked case is. Cases are paged through only
/// when needed: several suites, or step results limited to some templates. The catalog is
/// returned too, for the export to read the cases when TestRail refuses one it assumed.
///
/// # Errors
/// An unknown project, suite or status; TestRail's refusals.
pub async fn read_facts(
    client: &Client,
    config: &Config,
    session: &str,
    (outcomes, index): (Outcomes, Index),
    naming: target::Naming,
) -> Result<(pipeline::plan::Facts, Catalog), ExportError> {
    let statuses = resolve_statuses(client, config).await?;
    let mut catalog = Catalog::load(client, config).await?;
    let has_unlinked_steps = index.cases().any(|(_, entry)| entry.unlinked_steps);
    let step_results = match has_unlinked_steps {
        true => StepResults::load(client, catalog.project.id.get()).await?,
        false => StepResults::None,
    };
    if catalog.single_suite().is_none() || matches!(step_results, StepResults::Templates(_)) {
        catalog.scan(client).await?;
    }
    let (states, cases_assumed) = case_states(client, &catalog, &index).await?;
    let facts = pipeline::plan::Facts {
        outcomes,
        index: Arc::new(index),
        states: Arc::new(states),
        cases_assumed,
        statuses,
        step_results,
        context: ResultContext::new(config, session),
        project_id: catalog.project.id.get(),
        suite_names: catalog
            .suites
            .iter()
            .map(|suite| (suite.id.get(), suite.name.clone()))
            .collect(),
        naming,
    };
    Ok((facts, catalog))
}

/// Where each linked case is; with one configured suite whose cases were not read, every
/// case is assumed to be in it (the second value) until TestRail says otherwise.
async fn case_states(
    client: &Client,
    catalog: &Catalog,
    index: &Index,
) -> Result<(CaseStates, bool), ExportError> {
    Ok(match catalog.single_suite() {
        Some(suite_id) if catalog.cases.is_none() => (
            CaseStates::every(CaseState::Known {
                suite_id,
                template_id: None,
            }),
            true,
        ),
        _ => {
            let linked: BTreeSet<u64> = index.case_ids().collect();
            (catalog.classify(client, &linked).await?.into(), false)
        }
    })
}

/// The status mapping, resolved against TestRail's built-in statuses when it names only
/// those (no request), else against `get_statuses`.
async fn resolve_statuses(client: &Client, config: &Config) -> Result<StatusMap, ExportError> {
    match StatusMap::resolve(&config.mapping, &status_map::builtin_statuses()) {
        Ok(map) => Ok(map),
        Err(_) => Ok(StatusMap::resolve(
            &config.mapping,
            &client.get_statuses().await?,
        )?),
    }
}

/// The URL of a run in TestRail's web interface.
pub fn run_url(base: &str, run_id: u64) -> String {
    let base = base
        .split("index.php")
        .next()
        .unwrap_or(base)
        .trim_end_matches('/');
    format!("{base}/index.php?/runs/view/{run_id}")
}

/// The name of a new run or plan, from the template's placeholders and the spool files
/// `files`.
pub fn run_name(config: &Config, files: &[FileMeta], session: &str) -> String {
    let crates: BTreeSet<&str> = files.iter().map(|file| file.package.as_str()).collect();
    let commit = files
        .iter()
        .find_map(|file| file.git_commit.clone())
        .unwrap_or_default();
    let short_commit: String = commit.chars().take(10).collect();
    let version = config
        .version
        .clone()
        .unwrap_or_else(|| short_commit.clone());
    let (date, time) = utc_date_time(testrail_formats::clock::now_ms() / 1000);
    config
        .run_name
        .replace(
            "{crate}",
            &crates.into_iter().collect::<Vec<_>>().join(", "),
        )
        .replace("{version}", &version)
        .replace("{commit}", &short_commit)
        .replace("{date}", &date)
        .replace("{time}", &time)
        .replace("{session}", session)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `YYYY-MM-DD` and `HH:MM` (UTC) of a Unix time in seconds. A time past the calendar's
/// range is shown as its last instant, `9999-12-30 22:00` ([`jiff::Timestamp::MAX`]).
pub fn utc_date_time(secs: u64) -> (String, String) {
    let time = i64::try_from(secs)
        .ok()
        .and_then(|secs| jiff::Timestamp::from_second(secs).ok())
        .unwrap_or(jiff::Timestamp::MAX);
    (
        time.strftime("%Y-%m-%d").to_string(),
        time.strftime("%H:%M").to_string(),
    )
}

/// The command that resumes the upload of a session later.
pub fn resume_command(session_dir: &Path) -> String {
    format!("cargo testrail upload {}", shell_quote(session_dir))
}

fn shell_quote(path: &Path) -> String {
    let text = path.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// The session directory that `path` names: a session directory itself, or a spool file in one.
pub fn session_dir_of(path: &Path) -> PathBuf {
    if path.is_file() {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        path.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(utc_date_time(0), ("1970-01-01".into(), "00:00".into()));
        assert_eq!(
            utc_date_time(1_795_219_200 + 3_600 * 13 + 60 * 7),
            ("2026-11-21".into(), "13:07".into())
        );
        assert_eq!(
            utc_date_time(951_782_400),
            ("2000-02-29".into(), "00:00".into())
        );
        assert_eq!(
            utc_date_time(u64::MAX),
            ("9999-12-30".into(), "22:00".into()),
            "past the calendar's end: its last instant, no panic"
        );
    }

    #[test]
    fn run_urls_point_at_the_web_interface() {
        assert_eq!(
            run_url("https://acme.testrail.io/", 7),
            "https://acme.testrail.io/index.php?/runs/view/7"
        );
        assert_eq!(
            run_url("https://h/testrail/index.php?/api/v2", 7),
            "https://h/testrail/index.php?/runs/view/7"
        );
    }
}
