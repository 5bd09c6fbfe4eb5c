//! `cargo testrail status`: every linked case with its sync state (coloured as in seed
//! 000), the tests that link no case, and the cases linked from more than one place.
//! Exits with 1 when a linked case is Missing, or when plain `#[test]` functions in a
//! `harness = false` target never run (see [`crate::dropped`]).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;
use testrail_export as export;

use crate::cache::{self, Snapshot};
use crate::case_ids::Grammar;
use crate::cli::{BuildArgs, GlobalArgs};
use crate::context::{self, Workspace};
use crate::error::{CliError, EXIT_FINDINGS};
use crate::linked::{self, Link, Links};
use crate::lockfile::{self, LockFile};
use crate::output::{self, BOLD, GRAY};
use crate::sync::{self, Judged, SyncState};

/// Everything `status` and `accept` look at.
pub struct Survey {
    /// The links in the code.
    pub links: Links,
    /// TestRail's data, fetched now.
    pub snapshot: Snapshot,
    /// The lock file's path.
    pub lock_path: PathBuf,
    /// Its content.
    pub lock: LockFile,
    /// Each linked case, judged.
    pub judged: BTreeMap<u64, Judged>,
}

/// Builds the binaries, reads their registries, fetches TestRail's data and judges every
/// linked case.
pub async fn survey(args: &BuildArgs) -> Result<Survey, CliError> {
    let workspace = Workspace::locate();
    let config = context::config(&args.settings)?;
    let client = export::client(&config)?;
    let lock_path = args.lock.clone().unwrap_or_else(|| workspace.lock_file());
    let lock = lockfile::read(&lock_path)?;
    let links = linked::gather(&workspace, args)?;
    let snapshot = cache::fetch(&client, &config).await?;
    cache::save(&workspace, &config, &snapshot);
    let judged = sync::judge(&client, &snapshot, &lock, links.cases.keys().copied()).await?;
    Ok(Survey {
        links,
        snapshot,
        lock_path,
        lock,
        judged,
    })
}

/// Runs `status`.
pub async fn run(global: &GlobalArgs, args: BuildArgs) -> Result<ExitCode, CliError> {
    let config = context::config(&args.settings)?;
    let grammar = Grammar::new(config.case_id_pattern.as_deref())
        .map_err(|error| CliError::Input(error.to_string()))?;
    let survey = survey(&args).await?;
    let missing = survey
        .judged
        .values()
        .any(|judged| judged.state == SyncState::Missing);
    let never_run = crate::dropped::find();
    if global.json {
        output::json(&StatusJson::new(&survey, &never_run));
    } else {
        print(&survey, &grammar);
        if !never_run.is_empty() {
            output::line("");
            super::check::print_never_run(&never_run);
        }
    }
    Ok(if missing || !never_run.is_empty() {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

fn print(survey: &Survey, grammar: &Grammar) {
    let configured: Vec<String> = survey
        .snapshot
        .configured_suites()
        .map(|suite| format!("{} (S{})", suite.name, suite.id))
        .collect();
    output::line(format!(
        "{} · {} · {} linked case(s) in {} test binar{}",
        output::paint(BOLD, &survey.snapshot.project.name),
        configured.join(", "),
        survey.judged.len(),
        survey.links.binaries,
        if survey.links.binaries == 1 {
            "y"
        } else {
            "ies"
        }
    ));
    for (id, judged) in &survey.judged {
        let title = judged
            .case
            .as_ref()
            .map(|case| case.title.clone())
            .or_else(|| judged.accepted.as_ref().map(|a| a.title.clone()))
            .unwrap_or_else(|| output::paint(GRAY, "(no such case in TestRail)"));
        let state = judged.state;
        let mut detail = String::new();
        if state == SyncState::Outdated
            && let (Some(case), Some(accepted)) = (&judged.case, &judged.accepted)
        {
            let when = case.updated_on.map(output::utc).unwrap_or_default();
            detail = if case.title != accepted.title {
                format!(" (changed {when}; was {:?})", accepted.title)
            } else {
                format!(" (changed {when})")
            };
        }
        if state == SyncState::Unconfigured
            && let Some(suite) = judged
                .case
                .as_ref()
                .and_then(|case| case.suite_id)
                .and_then(|suite| survey.snapshot.suite(suite))
        {
            detail = format!(" (suite {})", suite.name);
        }
        output::line(format!(
            "  {:<7} {} {title}{}",
            format!("C{id}"),
            output::paint(state.style(), format!("{:<12}", state.name())),
            output::paint(GRAY, detail)
        ));
        for link in &survey.links.cases[id] {
            output::line(output::paint(
                GRAY,
                format!("          ← {}", link.describe()),
            ));
        }
    }
    if !survey.links.unmapped.is_empty() {
        output::line(format!(
            "\n{} (no case; link one with #[testrail::case(C..)], or create cases with `cargo testrail create`):",
            output::paint(BOLD, "Unmapped tests")
        ));
        for link in &survey.links.unmapped {
            // A name that carries an ID (as the JUnit import reads names) is a link the
            // harness does not see: say which attribute makes it one.
            let named: Vec<String> = grammar
                .in_text(&link.path)
                .iter()
                .map(|id| format!("C{id}"))
                .collect();
            let hint = if named.is_empty() {
                String::new()
            } else {
                output::paint(
                    GRAY,
                    format!(
                        "  its name carries {0}, which only `import junit` reads: add #[testrail::case({0})]",
                        named.join(", ")
                    ),
                )
            };
            output::line(format!(
                "  {} ({}:{}){hint}",
                link.path, link.file, link.line
            ));
        }
    }
    let shared: Vec<_> = survey.links.shared().collect();
    if !shared.is_empty() {
        output::line(format!(
            "\n{} (each reports the case; the worst outcome wins):",
            output::paint(BOLD, "Cases linked from more than one place")
        ));
        for (id, links) in shared {
            output::line(format!("  C{id}"));
            for link in links {
                output::line(format!("    {}", link.describe()));
            }
        }
    }
    let counts = counts(&survey.judged);
    let summary: Vec<String> = SyncState::ALL
        .iter()
        .filter_map(|state| {
            counts
                .get(state)
                .map(|n| output::paint(state.style(), format!("{n} {}", state.name())))
        })
        .collect();
    output::line(format!(
        "\n{}{}",
        if summary.is_empty() {
            "no linked cases".to_owned()
        } else {
            summary.join(", ")
        },
        output::paint(
            GRAY,
            format!(
                " (judged against {})",
                context::display_path(&survey.lock_path)
            )
        )
    ));
    for state in SyncState::ALL {
        if state != SyncState::Synced && counts.contains_key(&state) {
            output::line(format!(
                "  {}: {}",
                output::paint(state.style(), state.name()),
                state.meaning()
            ));
        }
    }
}

fn counts(judged: &BTreeMap<u64, Judged>) -> BTreeMap<SyncState, usize> {
    let mut counts = BTreeMap::new();
    for judged in judged.values() {
        *counts.entry(judged.state).or_insert(0) += 1;
    }
    counts
}

/// `status --json`.
#[derive(Serialize)]
struct StatusJson<'a> {
    project: &'a str,
    suites: Vec<&'a str>,
    lock_file: String,
    cases: Vec<CaseJson<'a>>,
    unmapped: &'a [Link],
    shared: Vec<SharedJson<'a>>,
    counts: BTreeMap<&'static str, usize>,
    /// Plain `#[test]` functions in `harness = false` targets, which never run.
    never_run: &'a [crate::dropped::DroppedTest],
}

#[derive(Serialize)]
struct CaseJson<'a> {
    id: u64,
    state: SyncState,
    title: Option<&'a str>,
    suite_id: Option<u64>,
    updated_on: Option<u64>,
    accepted_updated_on: Option<u64>,
    links: &'a [Link],
}

#[derive(Serialize)]
struct SharedJson<'a> {
    id: u64,
    links: &'a [Link],
}

impl<'a> StatusJson<'a> {
    fn new(survey: &'a Survey, never_run: &'a [crate::dropped::DroppedTest]) -> StatusJson<'a> {
        StatusJson {
            project: &survey.snapshot.project.name,
            suites: survey
                .snapshot
                .configured_suites()
                .map(|s| s.name.as_str())
                .collect(),
            lock_file: context::display_path(&survey.lock_path),
            cases: survey
                .judged
                .iter()
                .map(|(id, judged)| CaseJson {
                    id: *id,
                    state: judged.state,
                    title: judged
                        .case
                        .as_ref()
                        .map(|c| c.title.as_str())
                        .or(judged.accepted.as_ref().map(|a| a.title.as_str())),
                    suite_id: judged.case.as_ref().and_then(|c| c.suite_id),
                    updated_on: judged.case.as_ref().and_then(|c| c.updated_on),
                    accepted_updated_on: judged.accepted.as_ref().and_then(|a| a.updated_on),
                    links: &survey.links.cases[id],
                })
                .collect(),
            unmapped: &survey.links.unmapped,
            shared: survey
                .links
                .shared()
                .map(|(id, links)| SharedJson { id: *id, links })
                .collect(),
            counts: counts(&survey.judged)
                .into_iter()
                .map(|(state, n)| (state.name(), n))
                .collect(),
            never_run,
        }
    }
}
