//! Stage 1, no request: the case reports become result items with their statuses, grouped
//! by suite, each suite with the [`Step`] that gives it a run; what cannot be reported is
//! set aside with its reason.

use std::collections::{BTreeMap, BTreeSet};

use crate::ExportError;
use crate::catalog::{CaseState, StepResults};
use crate::config::Config;
use crate::journal::Journal;
use crate::report::CaseReport;
use crate::results::{self, ResultContext, files_of};
use crate::send::Item;
use crate::status_map::StatusMap;
use crate::target::{self, Naming, Step};

/// What the plan is computed from: the spool's case reports and what TestRail holds.
#[derive(Clone, Debug)]
pub struct Facts {
    /// One report per linked case, from the spool files.
    pub reports: Vec<CaseReport>,
    /// How each linked case relates to the configured suites.
    pub states: BTreeMap<u64, CaseState>,
    /// Whether [`Facts::states`] assumes every case is in the only configured suite
    /// (its cases were not read): a case TestRail refuses then makes the export read the
    /// suite and plan again.
    pub cases_assumed: bool,
    /// The status mapping.
    pub statuses: StatusMap,
    /// Which templates record step results.
    pub step_results: StepResults,
    /// What every result shares.
    pub context: ResultContext,
    /// The project.
    pub project_id: u64,
    /// Names of the configured suites, for plan entries.
    pub suite_names: BTreeMap<u64, String>,
    /// Names and marker of what the session creates.
    pub naming: Naming,
}

/// The results of one suite and how they get a run.
#[derive(Clone, Debug)]
pub struct SuitePlan {
    /// How the suite gets its run.
    pub step: Step,
    /// The results to send, one per case.
    pub items: Vec<Item>,
}

impl SuitePlan {
    /// The cases its run must hold.
    pub fn cases(&self) -> BTreeSet<u64> {
        self.items
            .iter()
            .map(|item| item.result.case_id.get())
            .collect()
    }
}

/// Cases the export does not send, and why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Skipped {
    /// In a suite that is not configured.
    pub unconfigured: Vec<u64>,
    /// No longer in TestRail (with `skip_missing`).
    pub missing: Vec<u64>,
    /// Acknowledged in the journal: every spool file it reports for is stored.
    pub already_stored: usize,
    /// Not reported (run result Error, skipped tests), with the reason.
    pub not_reported: Vec<(u64, &'static str)>,
}

/// What the export will do.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The project.
    pub project_id: u64,
    /// Names and marker of what the session creates.
    pub naming: Naming,
    /// The status mapping, which later stages need to tell worse results.
    pub statuses: StatusMap,
    /// See [`Facts::cases_assumed`].
    pub cases_assumed: bool,
    /// The results by suite.
    pub suites: BTreeMap<u64, SuitePlan>,
    /// What is not sent.
    pub skipped: Skipped,
}

/// Plans the export of `facts` into the session whose journal is `journal`.
///
/// # Errors
/// [`ExportError::Missing`] when linked cases no longer exist and `skip_missing` is off.
pub fn plan(config: &Config, facts: Facts, journal: &Journal) -> Result<Plan, ExportError> {
    let missing: Vec<String> = facts
        .reports
        .iter()
        .filter(|report| facts.states.get(&report.case_id) == Some(&CaseState::Missing))
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
    let mut skipped = Skipped::default();
    let mut by_suite: BTreeMap<u64, Vec<Item>> = BTreeMap::new();
    for report in &facts.reports {
        let (suite_id, template_id) = match facts.states.get(&report.case_id) {
            Some(CaseState::Known {
                suite_id,
                template_id,
            }) => (*suite_id, *template_id),
            Some(CaseState::Unconfigured { .. }) => {
                skipped.unconfigured.push(report.case_id);
                continue;
            }
            _ => {
                skipped.missing.push(report.case_id);
                continue;
            }
        };
        let files = files_of(report);
        if files
            .iter()
            .all(|file| journal.is_acknowledged(file, report.case_id))
        {
            skipped.already_stored += 1;
            continue;
        }
        match results::result_for(
            report,
            &facts.statuses,
            &facts.context,
            facts.step_results.for_template(template_id),
        ) {
            Ok(result) => by_suite
                .entry(suite_id)
                .or_default()
                .push(Item { files, result }),
            Err(reason) => skipped.not_reported.push((report.case_id, reason)),
        }
    }
    let needed: BTreeMap<u64, BTreeSet<u64>> = by_suite
        .iter()
        .map(|(suite, items)| {
            (
                *suite,
                items.iter().map(|item| item.result.case_id.get()).collect(),
            )
        })
        .collect();
    let mut steps = target::steps(config, journal, &needed, &facts.suite_names, &facts.naming);
    let suites = by_suite
        .into_iter()
        .filter_map(|(suite_id, items)| {
            let step = steps.remove(&suite_id)?;
            Some((suite_id, SuitePlan { step, items }))
        })
        .collect();
    Ok(Plan {
        project_id: facts.project_id,
        naming: facts.naming,
        statuses: facts.statuses,
        cases_assumed: facts.cases_assumed,
        suites,
        skipped,
    })
}
