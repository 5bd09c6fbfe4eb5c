//! What the client sends: bodies of the `add_*`/`update_*` methods and filters of the bulk
//! `get_*` methods.
//!
//! Bodies leave out every field that is `None` (or an empty list), so TestRail applies its
//! own defaults and partial updates touch only what is set. Custom fields go into `custom`
//! under their system name (`custom_automation_id`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ids::{
    CaseId, CaseTypeId, ConfigId, MilestoneId, PriorityId, SectionId, StatusId, SuiteId,
    TemplateId, UserId,
};

/// Body of `add_section`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewSection {
    /// Name (required).
    pub name: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Suite (required in multi-suite projects, ignored in single-suite ones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suite_id: Option<SuiteId>,
    /// Parent section, for nesting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<SectionId>,
}

/// Body of `add_case`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewCase {
    /// Title (required).
    pub title: String,
    /// Template id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_id: Option<TemplateId>,
    /// Case type id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_id: Option<CaseTypeId>,
    /// Priority id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority_id: Option<PriorityId>,
    /// Estimate, as a timespan (`"1m 5s"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<String>,
    /// Milestone id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone_id: Option<MilestoneId>,
    /// References, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refs: Option<String>,
    /// `custom_*` fields by system name.
    #[serde(flatten)]
    pub custom: BTreeMap<String, Value>,
}

/// Body of `update_case`: only the fields set are changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseUpdate {
    /// New title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Moves the case to this section (TestRail 6.5.2+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_id: Option<SectionId>,
    /// Template id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_id: Option<TemplateId>,
    /// Case type id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_id: Option<CaseTypeId>,
    /// Priority id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority_id: Option<PriorityId>,
    /// Estimate, as a timespan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<String>,
    /// Milestone id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone_id: Option<MilestoneId>,
    /// References, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refs: Option<String>,
    /// `custom_*` fields by system name.
    #[serde(flatten)]
    pub custom: BTreeMap<String, Value>,
}

/// Body of `add_run`.
///
/// ```
/// use testrail_api::{CaseId, NewRun, SuiteId};
///
/// let run = NewRun {
///     name: "cargo test 2024-05-01".into(),
///     suite_id: Some(SuiteId::new(3)),
///     include_all: Some(false),
///     case_ids: Some(vec![CaseId::new(12), 13.into()]),
///     ..NewRun::default()
/// };
/// assert_eq!(
///     serde_json::to_string(&run).unwrap(),
///     r#"{"name":"cargo test 2024-05-01","suite_id":3,"include_all":false,"case_ids":[12,13]}"#,
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewRun {
    /// Name (required).
    pub name: String,
    /// Suite (required in multi-suite projects).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suite_id: Option<SuiteId>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Milestone id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone_id: Option<MilestoneId>,
    /// Assignee's user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignedto_id: Option<UserId>,
    /// Whether to include every case of the suite (TestRail's default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_all: Option<bool>,
    /// The cases, when `include_all` is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_ids: Option<Vec<CaseId>>,
    /// References, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refs: Option<String>,
    /// Planned start (UNIX seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_on: Option<u64>,
    /// Due date (UNIX seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_on: Option<u64>,
}

/// Body of `update_run`: only the fields set are changed. Setting `include_all`/`case_ids`
/// replaces the run's case selection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunUpdate {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Milestone id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone_id: Option<MilestoneId>,
    /// Assignee's user id (TestRail 10.2+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignedto_id: Option<UserId>,
    /// Whether to include every case of the suite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_all: Option<bool>,
    /// The cases, when `include_all` is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_ids: Option<Vec<CaseId>>,
    /// References, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refs: Option<String>,
    /// Planned start (UNIX seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_on: Option<u64>,
    /// Due date (UNIX seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_on: Option<u64>,
}

/// Body of `add_plan`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewPlan {
    /// Name (required).
    pub name: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Milestone id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestone_id: Option<MilestoneId>,
    /// Planned start (UNIX seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_on: Option<u64>,
    /// Due date (UNIX seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_on: Option<u64>,
    /// Entries to create with the plan.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<NewPlanEntry>,
}

/// Body of `add_plan_entry` (and an element of [`NewPlan::entries`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewPlanEntry {
    /// Suite (required in multi-suite projects).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suite_id: Option<SuiteId>,
    /// Name of the entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Assignee's user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignedto_id: Option<UserId>,
    /// Whether to include every case of the suite (TestRail's default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_all: Option<bool>,
    /// The cases, when `include_all` is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_ids: Option<Vec<CaseId>>,
    /// Every configuration used by the runs below.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config_ids: Vec<ConfigId>,
    /// References, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refs: Option<String>,
    /// One run per configuration combination; empty for a single run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<PlanEntryRun>,
}

/// One run of a [`NewPlanEntry`]; unset fields take the entry's values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanEntryRun {
    /// One configuration per group.
    #[serde(default)]
    pub config_ids: Vec<ConfigId>,
    /// Whether to include every case of the suite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_all: Option<bool>,
    /// The cases, when `include_all` is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_ids: Option<Vec<CaseId>>,
    /// Assignee's user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignedto_id: Option<UserId>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// References, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refs: Option<String>,
}

/// Body of `add_result_for_case`. At least one of `status_id`, `comment` and
/// `assignedto_id` must be set; `status_id` 3 (Untested) is refused by TestRail.
///
/// ```
/// use std::time::Duration;
/// use testrail_api::{format_elapsed, ElapsedFormat, NewResult, StatusId};
///
/// let result = NewResult {
///     status_id: Some(StatusId::PASSED),
///     elapsed: Some(format_elapsed(Duration::from_millis(65_200), ElapsedFormat::WholeSeconds)),
///     ..NewResult::default()
/// };
/// assert_eq!(
///     serde_json::to_string(&result).unwrap(),
///     r#"{"status_id":1,"elapsed":"1m 5s"}"#,
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewResult {
    /// Status id (1 passed, 2 blocked, 4 retest, 5 failed, 6+ custom).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_id: Option<StatusId>,
    /// Comment (Markdown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Version tested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Elapsed time as a timespan; see [`format_elapsed`](super::format_elapsed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed: Option<String>,
    /// Defects, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub defects: Option<String>,
    /// Reassigns the test.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignedto_id: Option<UserId>,
    /// Step results (`custom_step_results`), for cases with separated steps.
    #[serde(
        rename = "custom_step_results",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub step_results: Vec<StepResult>,
    /// Other `custom_*` result fields by system name.
    #[serde(flatten)]
    pub custom: BTreeMap<String, Value>,
}

/// One element of `add_results_for_cases`: a result and the case it is for.
///
/// No `Default`: there is no sensible default case; build it with a struct literal or
/// [`ResultForCase::new`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultForCase {
    /// The case (it must be part of the run).
    pub case_id: CaseId,
    /// The result.
    #[serde(flatten)]
    pub result: NewResult,
}

impl ResultForCase {
    /// The result for one case.
    pub fn new(case_id: impl Into<CaseId>, result: NewResult) -> Self {
        Self {
            case_id: case_id.into(),
            result,
        }
    }
}

/// The result of one step of a case (`custom_step_results`).
///
/// No `Default`: a step needs a status; build it with a struct literal or [`StepResult::new`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    /// The step's text.
    pub content: String,
    /// Expected outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// Actual outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// The step's status id (any status, 3 Untested included).
    pub status_id: StatusId,
}

impl StepResult {
    /// A step with its text and status, without expected and actual outcome.
    pub fn new(content: impl Into<String>, status_id: impl Into<StatusId>) -> Self {
        Self {
            content: content.into(),
            expected: None,
            actual: None,
            status_id: status_id.into(),
        }
    }
}

/// Query parameters: pairs of name and already formatted value.
type Params = Vec<(&'static str, String)>;

fn push<T: ToString>(params: &mut Params, name: &'static str, value: Option<&T>) {
    if let Some(value) = value {
        params.push((name, value.to_string()));
    }
}

fn push_csv<T: ToString>(params: &mut Params, name: &'static str, values: &[T]) {
    if !values.is_empty() {
        let csv: Vec<String> = values.iter().map(T::to_string).collect();
        params.push((name, csv.join(",")));
    }
}

/// Filters of `get_cases`.
///
/// ```
/// use testrail_api::{CaseFilter, SuiteId};
///
/// let filter = CaseFilter {
///     suite_id: Some(SuiteId::new(2)),
///     updated_after: Some(1_700_000_000),
///     ..Default::default()
/// };
/// assert_eq!(
///     filter.params(),
///     vec![("suite_id", "2".to_owned()), ("updated_after", "1700000000".to_owned())],
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Suite (required unless the project has a single suite).
    pub suite_id: Option<SuiteId>,
    /// Only cases of this section.
    pub section_id: Option<SectionId>,
    /// Only cases whose title contains this text.
    pub title_contains: Option<String>,
    /// Only cases created after this time (UNIX seconds).
    pub created_after: Option<u64>,
    /// Only cases created before this time (UNIX seconds).
    pub created_before: Option<u64>,
    /// Only cases updated after this time (UNIX seconds).
    pub updated_after: Option<u64>,
    /// Only cases updated before this time (UNIX seconds).
    pub updated_before: Option<u64>,
    /// Only cases with one of these type ids.
    pub type_ids: Vec<CaseTypeId>,
    /// Only cases with one of these priority ids.
    pub priority_ids: Vec<PriorityId>,
    /// Only cases with this reference.
    pub refs: Option<String>,
}

impl CaseFilter {
    /// The filter as query parameters.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = Params::new();
        push(&mut p, "suite_id", self.suite_id.as_ref());
        push(&mut p, "section_id", self.section_id.as_ref());
        push(&mut p, "filter", self.title_contains.as_ref());
        push(&mut p, "created_after", self.created_after.as_ref());
        push(&mut p, "created_before", self.created_before.as_ref());
        push(&mut p, "updated_after", self.updated_after.as_ref());
        push(&mut p, "updated_before", self.updated_before.as_ref());
        push_csv(&mut p, "type_id", &self.type_ids);
        push_csv(&mut p, "priority_id", &self.priority_ids);
        push(&mut p, "refs", self.refs.as_ref());
        p
    }
}

/// Filters of `get_runs`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunFilter {
    /// Only runs of these suites.
    pub suite_ids: Vec<SuiteId>,
    /// Only closed (`Some(true)`) or open (`Some(false)`) runs.
    pub is_completed: Option<bool>,
    /// Only runs created after this time (UNIX seconds).
    pub created_after: Option<u64>,
    /// Only runs created before this time (UNIX seconds).
    pub created_before: Option<u64>,
    /// Only runs with this reference.
    pub refs: Option<String>,
}

impl RunFilter {
    /// The filter as query parameters (booleans as `1`/`0`).
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = Params::new();
        push_csv(&mut p, "suite_id", &self.suite_ids);
        push(
            &mut p,
            "is_completed",
            self.is_completed.map(u8::from).as_ref(),
        );
        push(&mut p, "created_after", self.created_after.as_ref());
        push(&mut p, "created_before", self.created_before.as_ref());
        push(&mut p, "refs", self.refs.as_ref());
        p
    }
}

/// Filters of `get_results_for_run` and `get_results_for_case`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResultFilter {
    /// Only results with one of these status ids.
    pub status_ids: Vec<StatusId>,
    /// Only results created after this time (UNIX seconds).
    pub created_after: Option<u64>,
    /// Only results created before this time (UNIX seconds).
    pub created_before: Option<u64>,
}

impl ResultFilter {
    /// The filter as query parameters.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = Params::new();
        push_csv(&mut p, "status_id", &self.status_ids);
        push(&mut p, "created_after", self.created_after.as_ref());
        push(&mut p, "created_before", self.created_before.as_ref());
        p
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn bodies_leave_out_what_is_unset() {
        assert_eq!(
            serde_json::to_value(NewSection {
                name: "Auto".into(),
                ..Default::default()
            })
            .unwrap(),
            json!({"name": "Auto"})
        );
        assert_eq!(
            serde_json::to_value(RunUpdate::default()).unwrap(),
            json!({})
        );
        let mut custom = BTreeMap::new();
        custom.insert("custom_automation_id".to_owned(), json!("shop::login"));
        assert_eq!(
            serde_json::to_value(NewCase {
                title: "Log in".into(),
                custom,
                ..Default::default()
            })
            .unwrap(),
            json!({"title": "Log in", "custom_automation_id": "shop::login"})
        );
    }

    #[test]
    fn results_for_cases_flatten_the_result() {
        let item = ResultForCase::new(
            12,
            NewResult {
                status_id: Some(StatusId::FAILED),
                comment: Some("boom".into()),
                step_results: vec![StepResult::new("open", StatusId::PASSED)],
                ..Default::default()
            },
        );
        assert_eq!(
            serde_json::to_value(&item).unwrap(),
            json!({"case_id": 12, "status_id": 5, "comment": "boom",
                   "custom_step_results": [{"content": "open", "status_id": 1}]})
        );
        let back: ResultForCase =
            serde_json::from_value(serde_json::to_value(&item).unwrap()).unwrap();
        assert_eq!(back, item);
    }

    #[test]
    fn plans_nest_entries_and_runs() {
        let plan = NewPlan {
            name: "Release".into(),
            entries: vec![NewPlanEntry {
                suite_id: Some(SuiteId::new(1)),
                config_ids: vec![ConfigId::new(1), ConfigId::new(2)],
                runs: vec![PlanEntryRun {
                    config_ids: vec![ConfigId::new(1)],
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(plan).unwrap(),
            json!({"name": "Release", "entries": [
                {"suite_id": 1, "config_ids": [1, 2], "runs": [{"config_ids": [1]}]}]})
        );
    }

    #[test]
    fn filters_become_params() {
        assert!(CaseFilter::default().params().is_empty());
        let runs = RunFilter {
            suite_ids: vec![SuiteId::new(1), SuiteId::new(2)],
            is_completed: Some(false),
            ..Default::default()
        };
        assert_eq!(
            runs.params(),
            vec![("suite_id", "1,2".into()), ("is_completed", "0".into())]
        );
        let results = ResultFilter {
            status_ids: vec![StatusId::RETEST, StatusId::FAILED],
            ..Default::default()
        };
        assert_eq!(results.params(), vec![("status_id", "4,5".into())]);
        let cases = CaseFilter {
            section_id: Some(SectionId::new(3)),
            title_contains: Some("log in".into()),
            type_ids: vec![CaseTypeId::new(1)],
            ..Default::default()
        };
        assert_eq!(
            cases.params(),
            vec![
                ("section_id", "3".into()),
                ("filter", "log in".into()),
                ("type_id", "1".into())
            ]
        );
    }
}
