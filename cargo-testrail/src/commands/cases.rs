//! `cargo testrail cases [QUERY]`: the case picker of seed 000 for a terminal. The
//! configured suites as a tree of sections (sub-sections indented) with their cases;
//! QUERY is a case ID (`C123`) or words of a title; `--suite` and `--section` narrow it.
//! The data comes from the cache under `target/testrail/cache/` unless `--refresh`.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use serde::Serialize;

use crate::cache::{self, CaseInfo, SectionInfo, Snapshot, SuiteInfo};
use crate::cli::{CasesArgs, GlobalArgs};
use crate::context::{self, Workspace};
use crate::error::CliError;
use crate::output::{self, BOLD, GRAY};

/// What the query asks for.
#[derive(Debug, PartialEq, Eq)]
enum Query {
    /// Everything.
    All,
    /// One case by ID.
    Id(u64),
    /// Cases whose title holds every word.
    Words(Vec<String>),
}

impl Query {
    fn parse(words: &[String]) -> Query {
        let text = words.join(" ");
        let text = text.trim();
        if text.is_empty() {
            return Query::All;
        }
        let digits = text.strip_prefix(['C', 'c']).unwrap_or(text);
        if let Ok(id) = digits.parse::<u64>() {
            return Query::Id(id);
        }
        Query::Words(text.split_whitespace().map(str::to_lowercase).collect())
    }

    fn matches(&self, case: &CaseInfo) -> bool {
        match self {
            Query::All => true,
            Query::Id(id) => case.id == *id,
            Query::Words(words) => {
                let title = case.title.to_lowercase();
                words.iter().all(|word| title.contains(word.as_str()))
            }
        }
    }
}

/// Runs `cases`.
pub async fn run(global: &GlobalArgs, args: CasesArgs) -> Result<ExitCode, CliError> {
    let workspace = Workspace::locate();
    let config = context::config(&args.settings)?;
    let (snapshot, cached) = cache::load(&workspace, &config, args.refresh).await?;
    let suites = pick_suites(&snapshot, args.suite.as_deref())?;
    let within = match &args.section {
        None => None,
        Some(section) => Some(pick_sections(&snapshot, &suites, section)?),
    };
    let query = Query::parse(&args.query);
    let found: Vec<&CaseInfo> = snapshot
        .cases
        .iter()
        .filter(|case| {
            case.suite_id
                .is_some_and(|s| suites.iter().any(|x| x.id == s))
        })
        .filter(|case| {
            within
                .as_ref()
                .is_none_or(|within| case.section_id.is_some_and(|s| within.contains(&s)))
        })
        .filter(|case| query.matches(case))
        .collect();
    if global.json {
        output::json(&CasesJson {
            project: &snapshot.project.name,
            fetched_at: snapshot.fetched_at,
            cached,
            cases: found
                .iter()
                .map(|case| CaseJson {
                    id: case.id,
                    title: &case.title,
                    suite_id: case.suite_id,
                    section_id: case.section_id,
                    section_path: case
                        .section_id
                        .map(|s| snapshot.section_path(s))
                        .unwrap_or_default(),
                    updated_on: case.updated_on,
                })
                .collect(),
        });
        return Ok(ExitCode::SUCCESS);
    }
    output::line(output::paint(
        GRAY,
        format!(
            "{} · {} · {}",
            snapshot.project.name,
            if cached {
                format!(
                    "cached, fetched {} (--refresh to fetch anew)",
                    output::utc(snapshot.fetched_at)
                )
            } else {
                format!("fetched {}", output::utc(snapshot.fetched_at))
            },
            match found.len() {
                1 => "1 case".to_owned(),
                n => format!("{n} cases"),
            }
        ),
    ));
    if found.is_empty() {
        output::line(match &query {
            Query::Id(id) => format!(
                "no case C{id} in the configured suites (deleted, in another suite, or new since the cache: try --refresh)"
            ),
            _ => "no case matches (try fewer words, or --refresh)".to_owned(),
        });
        return Ok(ExitCode::SUCCESS);
    }
    print_tree(&snapshot, &suites, &found);
    Ok(ExitCode::SUCCESS)
}

/// The suites to show: the configured ones, or the one `--suite` names.
fn pick_suites<'a>(
    snapshot: &'a Snapshot,
    wanted: Option<&str>,
) -> Result<Vec<&'a SuiteInfo>, CliError> {
    let configured: Vec<&SuiteInfo> = snapshot.configured_suites().collect();
    let Some(wanted) = wanted else {
        return Ok(configured);
    };
    let wanted = wanted.trim();
    let id = wanted.trim_start_matches(['S', 's']).parse::<u64>().ok();
    let found: Vec<&SuiteInfo> = configured
        .iter()
        .copied()
        .filter(|suite| Some(suite.id) == id || suite.name.eq_ignore_ascii_case(wanted))
        .collect();
    if found.is_empty() {
        let known: Vec<String> = configured
            .iter()
            .map(|s| format!("{} (S{})", s.name, s.id))
            .collect();
        return Err(CliError::Input(format!(
            "no configured suite {wanted:?}; configured suites: {}",
            known.join(", ")
        )));
    }
    Ok(found)
}

/// The sections `--section` names (by name or ID) in the shown suites, with every
/// sub-section.
fn pick_sections(
    snapshot: &Snapshot,
    suites: &[&SuiteInfo],
    wanted: &str,
) -> Result<BTreeSet<u64>, CliError> {
    let wanted = wanted.trim();
    let in_suites = |section: &&SectionInfo| suites.iter().any(|s| s.id == section.suite_id);
    let roots: Vec<u64> = snapshot
        .sections
        .iter()
        .filter(in_suites)
        .filter(|section| {
            section.id.to_string() == wanted || section.name.eq_ignore_ascii_case(wanted)
        })
        .map(|section| section.id)
        .collect();
    if roots.is_empty() {
        return Err(CliError::Input(format!(
            "no section {wanted:?} in {}; see the sections with `cargo testrail cases`",
            suites
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let mut chosen: BTreeSet<u64> = roots.into_iter().collect();
    loop {
        let before = chosen.len();
        for section in &snapshot.sections {
            if section
                .parent_id
                .is_some_and(|parent| chosen.contains(&parent))
            {
                chosen.insert(section.id);
            }
        }
        if chosen.len() == before {
            return Ok(chosen);
        }
    }
}

/// Prints suites, sections (indented by depth) and the found cases; sections without a
/// found case in them or below them are left out.
fn print_tree(snapshot: &Snapshot, suites: &[&SuiteInfo], found: &[&CaseInfo]) {
    let mut children: BTreeMap<(u64, Option<u64>), Vec<&SectionInfo>> = BTreeMap::new();
    for section in &snapshot.sections {
        children
            .entry((section.suite_id, section.parent_id))
            .or_default()
            .push(section);
    }
    for list in children.values_mut() {
        list.sort_by_key(|section| (section.display_order, section.id));
    }
    let mut cases_in: BTreeMap<Option<u64>, Vec<&CaseInfo>> = BTreeMap::new();
    for case in found {
        cases_in.entry(case.section_id).or_default().push(case);
    }
    // Sections that hold a found case, with their ancestors.
    let parents: BTreeMap<u64, Option<u64>> = snapshot
        .sections
        .iter()
        .map(|section| (section.id, section.parent_id))
        .collect();
    let mut shown: BTreeSet<u64> = BTreeSet::new();
    for section_id in cases_in.keys().flatten() {
        let mut next = Some(*section_id);
        while let Some(id) = next {
            if !shown.insert(id) {
                break;
            }
            next = parents.get(&id).copied().flatten();
        }
    }
    for suite in suites {
        let has_cases = found.iter().any(|case| case.suite_id == Some(suite.id));
        if !has_cases {
            continue;
        }
        output::line(output::paint(
            BOLD,
            format!("{} (S{})", suite.name, suite.id),
        ));
        let mut stack: Vec<(&SectionInfo, usize)> = children
            .get(&(suite.id, None))
            .map(|roots| roots.iter().rev().map(|s| (*s, 1)).collect())
            .unwrap_or_default();
        while let Some((section, depth)) = stack.pop() {
            if !shown.contains(&section.id) {
                continue;
            }
            let indent = "  ".repeat(depth);
            output::line(format!("{indent}{}", output::paint(BOLD, &section.name)));
            for case in cases_in.get(&Some(section.id)).into_iter().flatten() {
                output::line(format!(
                    "{indent}  {} {}",
                    output::paint(GRAY, format!("C{:<5}", case.id)),
                    case.title
                ));
            }
            if let Some(subs) = children.get(&(suite.id, Some(section.id))) {
                stack.extend(subs.iter().rev().map(|s| (*s, depth + 1)));
            }
        }
    }
}

#[derive(Serialize)]
struct CasesJson<'a> {
    project: &'a str,
    fetched_at: u64,
    cached: bool,
    cases: Vec<CaseJson<'a>>,
}

#[derive(Serialize)]
struct CaseJson<'a> {
    id: u64,
    title: &'a str,
    suite_id: Option<u64>,
    section_id: Option<u64>,
    section_path: Vec<String>,
    updated_on: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries() {
        assert_eq!(Query::parse(&[]), Query::All);
        assert_eq!(Query::parse(&["C12".into()]), Query::Id(12));
        assert_eq!(Query::parse(&["12".into()]), Query::Id(12));
        assert_eq!(
            Query::parse(&["Empty".into(), "cart".into()]),
            Query::Words(vec!["empty".into(), "cart".into()])
        );
    }
}
