//! Sending spooled outcomes to TestRail: the same path for the export at the end of a test
//! run, for `cargo testrail upload` and for JUnit imports.
//!
//! 1. [`report`]: outcomes → one report per case (test and step links, worst wins);
//! 2. [`status_map`]: bug labels → TestRail statuses, resolved with `get_statuses`;
//! 3. [`catalog`]: project, suites and cases (Missing and Unconfigured cases);
//! 4. [`target`]: the run or plan of the session, created once and joined after;
//! 5. [`send`]: batches, acknowledged in the [`journal`], checked after ambiguous failures.

pub mod catalog;
pub mod dry_run;
pub mod journal;
pub mod report;
pub mod results;
pub mod send;
pub mod status_map;
pub mod target;
pub mod text;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::client::{Client, ClientConfig, RateLimit};
use crate::config::{Config, ConfigError};
use crate::spool::{SpoolError, SpoolFile};

use catalog::{CaseState, Catalog, StepResults};
use journal::LockedJournal;
use results::{ResultContext, files_of};
use status_map::StatusMap;

/// Why an export failed. The spool keeps every result that was not acknowledged, so a
/// failed export can be resumed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The configuration is incomplete or wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The client could not be set up.
    #[error(transparent)]
    ClientConfig(#[from] crate::client::ConfigError),
    /// TestRail refused or failed.
    #[error(transparent)]
    Client(#[from] crate::client::Error),
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
    /// The configured run is closed.
    #[error(
        "run R{0} is closed: TestRail refuses results for closed runs; report into a new run instead"
    )]
    RunClosed(u64),
    /// The configured run belongs to a plan.
    #[error(
        "run R{run_id} belongs to plan {plan_id}: set TESTRAIL_PLAN_ID={plan_id} instead of TESTRAIL_RUN_ID"
    )]
    RunInPlan {
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
    /// Cases skipped because they no longer exist (with `skip_missing`).
    pub missing: Vec<u64>,
    /// Cases not reported and why (run result Error, skipped tests).
    pub not_reported: Vec<(u64, &'static str)>,
}

/// Which spool files of a session to export.
#[derive(Clone, Debug)]
pub enum Selection {
    /// Every file of the session directory.
    All,
    /// These files (names inside the session directory).
    Files(Vec<String>),
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

/// Reads the selected spool files of a session directory.
pub fn read_selection(
    session_dir: &Path,
    selection: &Selection,
) -> Result<Vec<SpoolFile>, ExportError> {
    Ok(match selection {
        Selection::All => SpoolFile::read_session(session_dir)?,
        Selection::Files(names) => names
            .iter()
            .map(|name| SpoolFile::read(&session_dir.join(name)))
            .collect::<Result<_, _>>()?,
    })
}

/// Exports the outcomes of a session directory.
///
/// The common case costs `3 + ⌈N/250⌉` requests for N results into a new run: the project,
/// the suites (when named), `add_run`, and the result batches. The cases of the configured
/// suites are paged through only when they are needed: several suites (to know which case
/// is in which), step results limited to some templates, or TestRail refusing a case.
pub async fn export(
    config: &Config,
    session_dir: &Path,
    session: &str,
    selection: Selection,
) -> Result<ExportSummary, ExportError> {
    let files = read_selection(session_dir, &selection)?;
    let reports = report::build(&files);
    let naming = target::Naming {
        name: run_name(config, &files, session),
        description: config.run_description.clone(),
        marker: results::session_marker(session),
    };
    // The reports hold what the export needs: the outcomes can go.
    drop(files);
    let client = client(config)?;

    let statuses = resolve_statuses(&client, config).await?;
    let mut catalog = Catalog::load(&client, config).await?;
    let has_unlinked_steps = reports.iter().any(|report| {
        report
            .sources
            .iter()
            .any(|source| !source.unlinked_steps.is_empty())
    });
    let step_results = match has_unlinked_steps {
        true => StepResults::load(&client, catalog.project.id).await?,
        false => StepResults::None,
    };
    if catalog.single_suite().is_none() || matches!(step_results, StepResults::Templates(_)) {
        catalog.scan(&client).await?;
    }
    let context = ResultContext::new(config, session);
    let journal = LockedJournal::open(session_dir)?;
    let journal = Arc::new(tokio::sync::Mutex::new(journal));
    let settled = send::settle_pending(&client, &journal, session, config.settle_window).await?;

    let (mut summary, by_suite, runs) = loop {
        let states = match catalog.single_suite() {
            Some(suite_id) if catalog.cases.is_none() => reports
                .iter()
                .map(|report| {
                    (
                        report.case_id,
                        CaseState::Known {
                            suite_id,
                            template_id: None,
                        },
                    )
                })
                .collect(),
            _ => {
                let linked: BTreeSet<u64> = reports.iter().map(|report| report.case_id).collect();
                catalog.classify(&client, &linked).await?
            }
        };
        let missing: Vec<String> = reports
            .iter()
            .filter(|report| states.get(&report.case_id) == Some(&CaseState::Missing))
            .map(|report| {
                format!(
                    "C{} (linked from {})",
                    report.case_id,
                    report.decisive().description
                )
            })
            .collect();
        if !missing.is_empty() && !config.skip_missing {
            return Err(ExportError::Missing(missing));
        }
        let (mut summary, by_suite) = {
            let locked = journal.lock().await;
            plan_items(
                &reports,
                &states,
                &statuses,
                &context,
                &step_results,
                &locked.journal,
            )
        };
        summary.already_stored += settled;
        if by_suite.is_empty() {
            break (summary, by_suite, BTreeMap::new());
        }
        let needed: BTreeMap<u64, BTreeSet<u64>> = by_suite
            .iter()
            .map(|(suite, items)| {
                (
                    *suite,
                    items.iter().map(|item| item.result.case_id).collect(),
                )
            })
            .collect();
        let suite_names: BTreeMap<u64, String> = catalog
            .suites
            .iter()
            .map(|suite| (suite.id, suite.name.clone()))
            .collect();
        let prepared = {
            let mut locked = journal.lock().await;
            target::prepare(
                &client,
                config,
                catalog.project.id,
                &suite_names,
                &mut locked,
                &needed,
                &naming,
            )
            .await
        };
        match prepared {
            Ok((runs, outside)) => {
                summary.unconfigured.extend(outside);
                break (summary, by_suite, runs);
            }
            // TestRail refused a case that was assumed to be in the suite: look at the
            // suite's cases, then plan again with what it really holds.
            Err(ExportError::Client(crate::client::Error::BadRequest { message, .. }))
                if catalog.cases.is_none() && message.contains("case") =>
            {
                catalog.scan(&client).await?;
            }
            Err(error) => return Err(error),
        }
    };

    // The results to send hold everything that is sent.
    drop(reports);
    let base = config.url.clone().unwrap_or_default();
    for (suite_id, items) in by_suite {
        let Some(run_id) = runs.get(&suite_id).copied() else {
            continue;
        };
        let sent = send::send(
            &client,
            journal.clone(),
            session,
            run_id,
            items,
            send::SendOptions {
                batch_size: config.batch_size,
                max_in_flight: config.max_in_flight,
                settle_window: config.settle_window,
            },
        )
        .await?;
        summary.sent += sent.results;
        summary.batches += sent.batches;
        summary.already_stored += sent.found_stored;
        summary.runs.push((run_id, run_url(&base, run_id)));
    }
    let mut locked = journal.lock().await;
    summary.plan_id = locked.journal.plan_id;
    if config.close_run && !locked.journal.closed && !locked.journal.runs.is_empty() {
        match locked.journal.plan_id {
            Some(plan_id) => close(client.close_plan(plan_id).await.map(drop))?,
            None => {
                let run_ids: Vec<u64> =
                    locked.journal.runs.values().map(|run| run.run_id).collect();
                for run_id in run_ids {
                    close(client.close_run(run_id).await.map(drop))?;
                }
            }
        }
        locked.journal.closed = true;
        locked.save()?;
    }
    Ok(summary)
}

/// The answer to `close_run`/`close_plan`: "already completed" (a retried close that went
/// through the first time) is what was wanted.
fn close(answer: Result<(), crate::client::Error>) -> Result<(), ExportError> {
    match answer {
        Err(crate::client::Error::Forbidden { message, .. })
            if message.contains("already completed") =>
        {
            Ok(())
        }
        other => Ok(other?),
    }
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

/// The results to send, by suite, and what is skipped and why.
fn plan_items(
    reports: &[report::CaseReport],
    states: &BTreeMap<u64, CaseState>,
    statuses: &StatusMap,
    context: &ResultContext,
    step_results: &StepResults,
    journal: &journal::Journal,
) -> (ExportSummary, BTreeMap<u64, Vec<send::Item>>) {
    let mut summary = ExportSummary::default();
    let mut by_suite: BTreeMap<u64, Vec<send::Item>> = BTreeMap::new();
    for report in reports {
        let (suite_id, template_id) = match states.get(&report.case_id) {
            Some(CaseState::Known {
                suite_id,
                template_id,
            }) => (*suite_id, *template_id),
            Some(CaseState::Unconfigured { .. }) => {
                summary.unconfigured.push(report.case_id);
                continue;
            }
            _ => {
                summary.missing.push(report.case_id);
                continue;
            }
        };
        let files = files_of(report);
        if files
            .iter()
            .all(|file| journal.is_acknowledged(file, report.case_id))
        {
            summary.already_stored += 1;
            continue;
        }
        match results::result_for(
            report,
            statuses,
            context,
            step_results.for_template(template_id),
        ) {
            Ok(result) => by_suite
                .entry(suite_id)
                .or_default()
                .push(send::Item { files, result }),
            Err(reason) => summary.not_reported.push((report.case_id, reason)),
        }
    }
    (summary, by_suite)
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

/// The name of a new run or plan, from the template's placeholders.
pub fn run_name(config: &Config, files: &[SpoolFile], session: &str) -> String {
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
    let (date, time) = utc_date_time(now_secs());
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

/// `YYYY-MM-DD` and `HH:MM` (UTC) of a UNIX time.
pub fn utc_date_time(secs: u64) -> (String, String) {
    let days = (secs / 86_400) as i64;
    let (hour, minute) = (secs % 86_400 / 3600, secs % 3600 / 60);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        format!("{year:04}-{month:02}-{day:02}"),
        format!("{hour:02}:{minute:02}"),
    )
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

pub(crate) fn now_secs() -> u64 {
    now_ms() / 1000
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
