//! Step plans: the steps a test went through the last time it passed, so that when a later
//! attempt fails early, the steps it never reached are still reported (as not reached)
//! instead of silently missing from TestRail.
//!
//! A plan is learned from a passing attempt and kept in `target/testrail/step-plans/`,
//! one small JSON file per test.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::outcome::{Location, StepOutcome, StepStatus};

/// A step as a plan remembers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedStep {
    /// The step's name (borrowed when learned from a step known at compile time).
    pub name: Cow<'static, str>,
    /// Its linked case IDs.
    pub case_ids: Vec<u64>,
    /// Where it is defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defined_at: Option<Location>,
    /// The steps it calls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<PlannedStep>,
}

impl PlannedStep {
    /// The plan of a completed step tree.
    pub fn learn(steps: &[StepOutcome]) -> Vec<PlannedStep> {
        steps
            .iter()
            .map(|step| PlannedStep {
                name: step.name.clone(),
                case_ids: step.case_ids.clone(),
                defined_at: step.defined_at.clone(),
                steps: PlannedStep::learn(&step.steps),
            })
            .collect()
    }

    fn not_reached(&self) -> StepOutcome {
        StepOutcome {
            name: self.name.clone(),
            case_ids: self.case_ids.clone(),
            defined_at: self.defined_at.clone(),
            status: StepStatus::NotReached,
            message: None,
            location: None,
            elapsed_ms: 0,
            steps: self.steps.iter().map(PlannedStep::not_reached).collect(),
        }
    }
}

/// Appends, as not reached, the planned steps that an attempt which ended early did not
/// enter. Nothing is added when the recorded steps do not follow the plan (the test has
/// changed since the plan was learned).
///
/// ```
/// use testrail_harness::outcome::{StepOutcome, StepStatus};
/// use testrail_harness::step_plan::{fill_not_reached, PlannedStep};
///
/// let step = |name: &'static str, status| StepOutcome {
///     name: name.into(), case_ids: vec![], defined_at: None, status,
///     message: None, location: None, elapsed_ms: 1, steps: vec![],
/// };
/// let plan = PlannedStep::learn(&[step("login", StepStatus::Passed), step("pay", StepStatus::Passed)]);
/// let mut recorded = vec![step("login", StepStatus::Failed)];
/// fill_not_reached(&mut recorded, &plan);
/// assert_eq!(recorded[1].name, "pay");
/// assert_eq!(recorded[1].status, StepStatus::NotReached);
/// ```
pub fn fill_not_reached(recorded: &mut Vec<StepOutcome>, plan: &[PlannedStep]) {
    let reached = recorded.len();
    let follows_plan = reached <= plan.len()
        && recorded
            .iter()
            .zip(plan)
            .all(|(step, planned)| step.name == planned.name);
    if !follows_plan {
        return;
    }
    if let Some(last) = recorded.last_mut()
        && last.status != StepStatus::Passed
    {
        fill_not_reached(&mut last.steps, &plan[reached - 1].steps);
    }
    recorded.extend(plan[reached..].iter().map(PlannedStep::not_reached));
}

/// The plans of one test binary on disk.
pub struct StepPlans {
    dir: PathBuf,
    unsaved: Mutex<Unsaved>,
}

/// Plans that could not be written: how many, and the first reason.
#[derive(Default)]
struct Unsaved {
    count: usize,
    first: Option<String>,
}

impl StepPlans {
    /// Plans of `binary` kept under `root`.
    pub fn new(root: &Path, binary: &str) -> StepPlans {
        StepPlans {
            dir: root.join(binary),
            unsaved: Mutex::new(Unsaved::default()),
        }
    }

    /// The plans that could not be written, as `(how many, the first reason)`: the harness
    /// reports them once, at its end, instead of once per test.
    pub fn unsaved(&self) -> Option<(usize, String)> {
        let unsaved = self.unsaved.lock().unwrap_or_else(|p| p.into_inner());
        unsaved.first.clone().map(|first| (unsaved.count, first))
    }

    fn path(&self, test_path: &str) -> PathBuf {
        self.dir
            .join(format!("{}.json", crate::session::sanitize(test_path)))
    }

    /// The plan of a test, if one was learned (an unreadable plan counts as none).
    pub fn load(&self, test_path: &str) -> Option<Vec<PlannedStep>> {
        let bytes = std::fs::read(self.path(test_path)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Remembers the plan of a test that passed. Nothing is written for a test without
    /// steps or whose plan did not change, so a run of many tests costs no file writes.
    /// Failures to write are counted for [`StepPlans::unsaved`] and otherwise ignored, since a
    /// missing plan only means fewer not-reached steps.
    pub fn store(&self, test_path: &str, plan: &[PlannedStep]) {
        let path = self.path(test_path);
        if plan.is_empty() && !path.exists() {
            return;
        }
        let Ok(json) = serde_json::to_vec(plan) else {
            return;
        };
        if std::fs::read(&path).is_ok_and(|current| current == json) {
            return;
        }
        if let Err(error) = testrail_formats::spool::write_atomically(&path, &json) {
            let mut unsaved = self.unsaved.lock().unwrap_or_else(|p| p.into_inner());
            unsaved.count += 1;
            unsaved.first.get_or_insert_with(|| error.to_string());
        }
    }
}
