//! Stage 1, no request: the case reports become result items with their statuses, grouped
//! by suite, each suite with the [`Step`] that gives it a run; what cannot be reported is
//! set aside with its reason.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::ExportError;
use crate::catalog::{CaseState, CaseStates, StepResults};
use crate::config::Config;
use crate::journal::Journal;
use crate::report::{self, Index, Outcomes};
use crate::results::{self, ResultContext};
use crate::send::Item;
use crate::status_map::StatusMap;
use crate::target::{self, Naming, Step};

/// What the plan is computed from: the spool's linked cases and what TestRail holds.
#[derive(Clone, Debug)]
pub struct Facts {
    /// The spooled outcomes, read again (a batch of results at a time) when sending.
    pub outcomes: Outcomes,
    /// Every linked case of the outcomes, in a few bytes per case.
    pub index: Arc<Index>,
    /// How each linked case relates to the configured suites.
    pub states: Arc<CaseStates>,
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
    /// The cases whose results are sent (their bodies are built a batch at a time when
    /// sending: see [`Builder`]).
    pub cases: BTreeSet<u64>,
}

/// Builds the result bodies of cases from the spooled outcomes, reading them again as a
/// stream: what the plan decided, turned into [`Item`]s a batch at a time.
#[derive(Clone, Debug)]
pub struct Builder {
    /// The spooled outcomes.
    pub outcomes: Outcomes,
    /// Their linked cases.
    pub index: Arc<Index>,
    /// Where each case is (for its template).
    pub states: Arc<CaseStates>,
    /// The status mapping.
    pub statuses: StatusMap,
    /// Which templates record step results.
    pub step_results: StepResults,
    /// What every result shares.
    pub context: ResultContext,
}

impl Builder {
    /// Hands `each` the item of every case of `cases` (a case whose outcome is not
    /// reported, counted by the plan already, gives none), in the order the outcomes are
    /// read.
    ///
    /// # Errors
    /// A spool file that can no longer be read.
    pub fn items(
        &self,
        cases: &BTreeSet<u64>,
        mut each: impl FnMut(Item),
    ) -> Result<(), ExportError> {
        report::for_each_report(
            &self.outcomes,
            &self.index,
            |case_id| cases.contains(&case_id),
            |report| {
                let template_id = match self.states.get(report.case_id) {
                    Some(CaseState::Known { template_id, .. }) => template_id,
                    _ => None,
                };
                let step_results = self.step_results.for_template(template_id);
                if let Ok(result) =
                    results::result_for(&report, &self.statuses, &self.context, step_results)
                {
                    each(Item {
                        files: results::files_of(&report),
                        result,
                    });
                }
            },
        )?;
        Ok(())
    }
}

/// Cases the export does not send, and why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Skipped {
    /// In a suite that is not configured.
    pub unconfigured: Vec<u64>,
    /// In another suite than the one of the run `TESTRAIL_RUN_ID` names: (run, its suite,
    /// the cases).
    pub outside: Option<(u64, u64, Vec<u64>)>,
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
    /// See [`Facts::cases_assumed`].
    pub cases_assumed: bool,
    /// The results by suite.
    pub suites: BTreeMap<u64, SuitePlan>,
    /// What is not sent.
    pub skipped: Skipped,
    /// What builds the results' bodies.
    pub builder: Builder,
}

/// Plans the export of `facts` into the session whose journal is `journal`: which cases
/// each suite's run gets a result for (no result body is built here).
///
/// # Errors
/// [`ExportError::Missing`] when linked cases no longer exist and `skip_missing` is off; a
/// spool file that can no longer be read (to name what links a missing case).
pub fn plan(config: &Config, facts: Facts, journal: &Journal) -> Result<Plan, ExportError> {
    let index = &facts.index;
    let missing: BTreeSet<u64> = index
        .case_ids()
        .filter(|case_id| facts.states.get(*case_id) == Some(CaseState::Missing))
        .collect();
    if !missing.is_empty() && !config.skip_missing {
        let mut named = Vec::new();
        report::for_each_report(
            &facts.outcomes,
            index,
            |case_id| missing.contains(&case_id),
            |report| {
                named.push((
                    report.case_id,
                    format!(
                        "C{} (linked from {})",
                        report.case_id,
                        report.decisive().description
                    ),
                ));
            },
        )?;
        named.sort();
        return Err(ExportError::Missing(
            named.into_iter().map(|(_, text)| text).collect(),
        ));
    }
    let mut skipped = Skipped::default();
    let mut by_suite: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
    for (case_id, entry) in index.cases() {
        let case_id = &case_id;
        let suite_id = match facts.states.get(*case_id) {
            Some(CaseState::Known { suite_id, .. }) => suite_id,
            Some(CaseState::Unconfigured { .. }) => {
                skipped.unconfigured.push(*case_id);
                continue;
            }
            _ => {
                skipped.missing.push(*case_id);
                continue;
            }
        };
        if index
            .files_of(*case_id)
            .iter()
            .all(|file| journal.is_acknowledged(file, *case_id))
        {
            skipped.already_stored += 1;
            continue;
        }
        match entry.not_reported(&facts.statuses) {
            None => {
                by_suite.entry(suite_id).or_default().insert(*case_id);
            }
            Some(reason) => skipped.not_reported.push((*case_id, reason)),
        }
    }
    let mut steps = target::steps(
        config,
        journal,
        &by_suite,
        &facts.suite_names,
        &facts.naming,
    );
    let suites = by_suite
        .into_iter()
        .filter_map(|(suite_id, cases)| {
            let step = steps.remove(&suite_id)?;
            Some((suite_id, SuitePlan { step, cases }))
        })
        .collect();
    Ok(Plan {
        project_id: facts.project_id,
        naming: facts.naming,
        cases_assumed: facts.cases_assumed,
        suites,
        skipped,
        builder: Builder {
            outcomes: facts.outcomes,
            index: facts.index,
            states: facts.states,
            statuses: facts.statuses,
            step_results: facts.step_results,
            context: facts.context,
        },
    })
}
