//! The simulator's whole state, in memory, and the invariants that tie it together
//! (id allocation, tests of a run, test status from results).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::error::{ApiError, ApiResult};
use crate::model::*;

/// The last id handed out for each kind of entity (new ids are one more).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastIds {
    /// Suites.
    pub suite: u64,
    /// Sections.
    pub section: u64,
    /// Cases.
    pub case: u64,
    /// Runs.
    pub run: u64,
    /// Tests.
    pub test: u64,
    /// Results.
    pub result: u64,
    /// Plans.
    pub plan: u64,
    /// Plan entries (their GUIDs are made from this counter).
    pub entry: u64,
    /// Attachments.
    pub attachment: u64,
}

/// Everything the simulator knows. Cloneable, serialisable (that is what `--persist`
/// writes), and inspectable from tests through [`crate::Simulator::state`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// The simulated clock.
    pub clock: Clock,
    /// Users who may call the API.
    pub users: Vec<User>,
    /// Statuses: built-in 1..5 and custom ones.
    pub statuses: Vec<Status>,
    /// Priorities.
    pub priorities: Vec<Priority>,
    /// Case types.
    pub case_types: Vec<Named>,
    /// Templates.
    pub templates: Vec<Named>,
    /// Custom case fields.
    pub case_fields: Vec<FieldDef>,
    /// Custom result fields.
    pub result_fields: Vec<FieldDef>,
    /// Projects by id.
    pub projects: BTreeMap<u64, Project>,
    /// Suites by id.
    pub suites: BTreeMap<u64, Suite>,
    /// Sections by id.
    pub sections: BTreeMap<u64, Section>,
    /// Cases by id (soft-deleted ones included, flagged).
    pub cases: BTreeMap<u64, Case>,
    /// Milestones by id.
    pub milestones: BTreeMap<u64, Milestone>,
    /// Configuration groups by id.
    pub config_groups: BTreeMap<u64, ConfigGroup>,
    /// Runs by id (plan runs included).
    pub runs: BTreeMap<u64, Run>,
    /// Tests by id.
    pub tests: BTreeMap<u64, Test>,
    /// Results by id.
    pub results: BTreeMap<u64, TestResult>,
    /// Plans by id.
    pub plans: BTreeMap<u64, Plan>,
    /// Attachments by id.
    pub attachments: BTreeMap<u64, Attachment>,
    /// Id counters.
    pub last_ids: LastIds,
}

/// Hands out the next id of a counter.
pub fn next_id(counter: &mut u64) -> u64 {
    *counter += 1;
    *counter
}

impl State {
    /// The current simulated time (UNIX seconds).
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Sets every id counter to the largest id in use, so new ids never collide.
    pub fn sync_last_ids(&mut self) {
        fn max<V>(m: &BTreeMap<u64, V>) -> u64 {
            m.keys().next_back().copied().unwrap_or(0)
        }
        let l = &mut self.last_ids;
        l.suite = l.suite.max(max(&self.suites));
        l.section = l.section.max(max(&self.sections));
        l.case = l.case.max(max(&self.cases));
        l.run = l.run.max(max(&self.runs));
        l.test = l.test.max(max(&self.tests));
        l.result = l.result.max(max(&self.results));
        l.plan = l.plan.max(max(&self.plans));
        l.attachment = l.attachment.max(max(&self.attachments));
        let entries = self
            .plans
            .values()
            .map(|p| p.entries.len() as u64)
            .sum::<u64>();
        l.entry = l.entry.max(entries);
    }

    /// A user by id.
    pub fn user(&self, id: u64) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// A user by email (case-insensitive).
    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    /// A project, or TestRail's 400.
    pub fn project(&self, id: u64) -> ApiResult<&Project> {
        self.projects.get(&id).ok_or_else(ApiError::project)
    }

    /// A suite, or `Field :suite_id is not a valid test suite.`
    pub fn suite(&self, id: u64) -> ApiResult<&Suite> {
        self.suites
            .get(&id)
            .ok_or_else(|| ApiError::not_valid("suite_id", "test suite"))
    }

    /// A section, or `Field :section_id is not a valid section.`
    pub fn section(&self, id: u64) -> ApiResult<&Section> {
        self.sections
            .get(&id)
            .ok_or_else(|| ApiError::not_valid("section_id", "section"))
    }

    /// A case that is not deleted, or `Field :case_id is not a valid test case.`
    pub fn case(&self, id: u64) -> ApiResult<&Case> {
        self.cases
            .get(&id)
            .filter(|c| !c.is_deleted)
            .ok_or_else(|| ApiError::not_valid("case_id", "test case"))
    }

    /// A run, or `Field :run_id is not a valid test run.`
    pub fn run(&self, id: u64) -> ApiResult<&Run> {
        self.runs
            .get(&id)
            .ok_or_else(|| ApiError::not_valid("run_id", "test run"))
    }

    /// A test, or `Field :test_id is not a valid test.`
    pub fn test(&self, id: u64) -> ApiResult<&Test> {
        self.tests
            .get(&id)
            .ok_or_else(|| ApiError::not_valid("test_id", "test"))
    }

    /// A plan, or `Field :plan_id is not a valid test plan.`
    pub fn plan(&self, id: u64) -> ApiResult<&Plan> {
        self.plans
            .get(&id)
            .ok_or_else(|| ApiError::not_valid("plan_id", "test plan"))
    }

    /// A result, or `Field :result_id is not a valid result.` [U]
    pub fn result(&self, id: u64) -> ApiResult<&TestResult> {
        self.results
            .get(&id)
            .ok_or_else(|| ApiError::not_valid("result_id", "result"))
    }

    /// A status by id.
    pub fn status(&self, id: u64) -> Option<&Status> {
        self.statuses.iter().find(|s| s.id == id)
    }

    /// The template, case type and priority a new case gets when none is given: those
    /// marked default (else 1, 1 and 2).
    pub fn case_defaults(&self) -> (u64, u64, u64) {
        fn pick(items: impl Iterator<Item = (u64, bool)>, fallback: u64) -> u64 {
            items
                .filter(|(_, d)| *d)
                .map(|(id, _)| id)
                .next()
                .unwrap_or(fallback)
        }
        (
            pick(self.templates.iter().map(|t| (t.id, t.is_default)), 1),
            pick(self.case_types.iter().map(|t| (t.id, t.is_default)), 1),
            pick(self.priorities.iter().map(|p| (p.id, p.is_default)), 2),
        )
    }

    /// The suite a request addresses inside a project, following the suite mode:
    /// multi-suite projects (mode 3) need `suite_id`; single-suite ones use their only suite.
    pub fn resolve_suite(&self, project_id: u64, suite_id: Option<u64>) -> ApiResult<u64> {
        let project = self.project(project_id)?;
        match suite_id {
            Some(id) => {
                let suite = self.suite(id)?;
                if suite.project_id != project_id {
                    return Err(ApiError::not_valid("suite_id", "test suite"));
                }
                Ok(id)
            }
            None if project.suite_mode == 3 => Err(ApiError::required("suite_id")),
            None => self
                .suites
                .values()
                .find(|s| s.project_id == project_id)
                .map(|s| s.id)
                .ok_or_else(|| ApiError::required("suite_id")),
        }
    }

    /// The live (not deleted) cases of a suite, by id.
    pub fn suite_cases(&self, suite_id: u64) -> impl Iterator<Item = &Case> {
        self.cases
            .values()
            .filter(move |c| c.suite_id == suite_id && !c.is_deleted)
    }

    /// Sets which cases a run holds: every live case of its suite (`include_all`), or
    /// exactly `case_ids`. Tests of cases that stay keep their status and results; tests of
    /// cases that leave are removed with their results; new cases get Untested tests.
    pub fn select_run_cases(&mut self, run_id: u64, include_all: bool, case_ids: &[u64]) {
        let Some(run) = self.runs.get(&run_id) else {
            return;
        };
        let wanted: BTreeSet<u64> = if include_all {
            self.suite_cases(run.suite_id).map(|c| c.id).collect()
        } else {
            case_ids.iter().copied().collect()
        };
        let leaving: Vec<(u64, u64, u64)> = run
            .tests
            .iter()
            .filter(|(c, _)| !wanted.contains(c))
            .map(|(c, t)| (run_id, *c, *t))
            .collect();
        self.remove_tests(&leaving);
        for case_id in wanted {
            self.ensure_test(run_id, case_id);
        }
        if let Some(run) = self.runs.get_mut(&run_id) {
            run.include_all = include_all;
        }
    }

    /// Adds an Untested test for a case to a run, unless it is there already.
    pub fn ensure_test(&mut self, run_id: u64, case_id: u64) {
        let Some(run) = self.runs.get(&run_id) else {
            return;
        };
        if run.tests.contains_key(&case_id) {
            return;
        }
        let assignee = run.assignedto_id;
        let test_id = next_id(&mut self.last_ids.test);
        self.tests.insert(
            test_id,
            Test {
                id: test_id,
                run_id,
                case_id,
                status_id: 3,
                assignedto_id: assignee,
            },
        );
        if let Some(run) = self.runs.get_mut(&run_id) {
            run.tests.insert(case_id, test_id);
        }
    }

    /// Removes tests, given as `(run_id, case_id, test_id)`, with their results.
    fn remove_tests(&mut self, doomed: &[(u64, u64, u64)]) {
        if doomed.is_empty() {
            return;
        }
        let ids: HashSet<u64> = doomed.iter().map(|(_, _, t)| *t).collect();
        for (run_id, case_id, test_id) in doomed {
            self.tests.remove(test_id);
            if let Some(run) = self.runs.get_mut(run_id) {
                run.tests.remove(case_id);
            }
        }
        self.results.retain(|_, r| !ids.contains(&r.test_id));
    }

    /// Removes a run with its tests and results.
    pub fn remove_run(&mut self, run_id: u64) {
        if let Some(run) = self.runs.remove(&run_id) {
            for test_id in run.tests.values() {
                self.tests.remove(test_id);
            }
            self.results.retain(|_, r| r.run_id != run_id);
        }
    }

    /// Soft-deletes one case (see [`State::delete_cases`]).
    pub fn delete_case(&mut self, case_id: u64, by: u64) {
        self.delete_cases(&[case_id], by);
    }

    /// Soft-deletes cases: they disappear from the API and from active runs (with their
    /// tests' results there); closed runs keep them.
    pub fn delete_cases(&mut self, case_ids: &[u64], by: u64) {
        let now = self.now();
        let mut gone = HashSet::new();
        for id in case_ids {
            if let Some(case) = self.cases.get_mut(id) {
                case.is_deleted = true;
                case.updated_on = now;
                case.updated_by = by;
                gone.insert(*id);
            }
        }
        let doomed: Vec<(u64, u64, u64)> = self
            .runs
            .values()
            .filter(|r| !r.is_completed)
            .flat_map(|r| {
                r.tests
                    .iter()
                    .filter(|(c, _)| gone.contains(c))
                    .map(move |(c, t)| (r.id, *c, *t))
            })
            .collect();
        self.remove_tests(&doomed);
    }

    /// Stores a result and applies it to its test: a status moves the test's status, an
    /// assignee reassigns the test. Returns the new result id.
    pub fn insert_result(&mut self, mut result: TestResult) -> u64 {
        let id = next_id(&mut self.last_ids.result);
        result.id = id;
        if let Some(test) = self.tests.get_mut(&result.test_id) {
            if let Some(status) = result.status_id {
                test.status_id = status;
            }
            if result.assignedto_id.is_some() {
                test.assignedto_id = result.assignedto_id;
            }
        }
        self.results.insert(id, result);
        id
    }

    /// Counts a run's tests by current status id.
    pub fn status_counts(&self, run: &Run) -> BTreeMap<u64, u64> {
        let mut counts = BTreeMap::new();
        for test_id in run.tests.values() {
            if let Some(t) = self.tests.get(test_id) {
                *counts.entry(t.status_id).or_insert(0) += 1;
            }
        }
        counts
    }

    /// The results of a set of tests, newest first.
    pub fn results_where(&self, keep: impl Fn(&TestResult) -> bool) -> Vec<&TestResult> {
        let mut v: Vec<&TestResult> = self.results.values().filter(|r| keep(r)).collect();
        v.reverse();
        v
    }

    /// Convenience for tests: the results posted for a case in a run, oldest first.
    pub fn results_for_case(&self, run_id: u64, case_id: u64) -> Vec<&TestResult> {
        self.results
            .values()
            .filter(|r| r.run_id == run_id && r.case_id == case_id)
            .collect()
    }

    /// Convenience for tests: the test of a case in a run.
    pub fn test_for_case(&self, run_id: u64, case_id: u64) -> Option<&Test> {
        self.runs
            .get(&run_id)?
            .tests
            .get(&case_id)
            .and_then(|t| self.tests.get(t))
    }

    /// Convenience for tests: the run created last, if any.
    pub fn latest_run(&self) -> Option<&Run> {
        self.runs.values().next_back()
    }
}
