//! What TestRail answers with: projects, suites, sections, cases, runs, plans, tests,
//! results and the metadata around them.
//!
//! Decoding is lenient (see the `lenient` module): any field may be `null` or missing, ids may
//! come as strings, flags as `0`/`1`. Keys not modelled here (custom fields `custom_*`, and
//! fields of newer TestRail versions) are kept in each object's `extra` map.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ids::{
    CaseId, CaseTypeId, ConfigGroupId, ConfigId, EntryId, FieldId, MilestoneId, PlanId, PriorityId,
    ProjectId, ResultId, RoleId, RunId, SectionId, StatusId, SuiteId, TemplateId, TestId, UserId,
};
use super::lenient;

/// Keys of an object that this crate does not model, `custom_*` fields first among them.
pub type Extra = BTreeMap<String, Value>;

/// Looks up a custom field by system name, with or without its `custom_` prefix.
fn custom<'a>(extra: &'a Extra, name: &str) -> Option<&'a Value> {
    let key = if name.starts_with("custom_") {
        name.to_owned()
    } else {
        format!("custom_{name}")
    };
    extra.get(&key).filter(|v| !v.is_null())
}

/// A project (`get_project`, `get_projects`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Project {
    /// Project id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: ProjectId,
    /// Name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Announcement text.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub announcement: Option<String>,
    /// Whether the announcement is shown.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub show_announcement: bool,
    /// Whether the project is archived.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_completed: bool,
    /// When it was archived (UNIX seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub completed_on: Option<u64>,
    /// 1 single suite, 2 single suite with baselines, 3 multiple suites; see [`Project::mode`].
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub suite_mode: Option<u64>,
    /// Web address of the project.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub url: Option<String>,
    /// Keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

/// How a project organises its cases, which decides whether `suite_id` is required.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuiteMode {
    /// One suite; `suite_id` is optional.
    SingleSuite,
    /// One suite plus baselines; `suite_id` is required once baselines exist.
    SingleSuiteWithBaselines,
    /// Several suites; `suite_id` is required.
    MultipleSuites,
}

impl Project {
    /// The project's suite mode, if TestRail sent a known one.
    ///
    /// ```
    /// use testrail_api::{Project, SuiteMode};
    ///
    /// let p: Project = serde_json::from_str(r#"{"id": 1, "suite_mode": 3}"#).unwrap();
    /// assert_eq!(p.mode(), Some(SuiteMode::MultipleSuites));
    /// ```
    pub fn mode(&self) -> Option<SuiteMode> {
        match self.suite_mode? {
            1 => Some(SuiteMode::SingleSuite),
            2 => Some(SuiteMode::SingleSuiteWithBaselines),
            3 => Some(SuiteMode::MultipleSuites),
            _ => None,
        }
    }
}

/// A test suite (`get_suite`, `get_suites`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Suite {
    /// Suite id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: SuiteId,
    /// Name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Description.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    /// The project it belongs to.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub project_id: Option<ProjectId>,
    /// Whether this is the master suite of a baseline project.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_master: bool,
    /// Whether this is a baseline.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_baseline: bool,
    /// Whether it is archived.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_completed: bool,
    /// When it was archived (UNIX seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub completed_on: Option<u64>,
    /// Web address.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub url: Option<String>,
    /// Keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A section of a suite (`get_section`, `get_sections`, `add_section`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Section {
    /// Section id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: SectionId,
    /// The suite it belongs to.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub suite_id: Option<SuiteId>,
    /// Name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Description.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    /// The parent section; `None` at the root.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub parent_id: Option<SectionId>,
    /// Nesting depth, 0 at the root.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub depth: Option<u64>,
    /// Position among its siblings.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub display_order: Option<u64>,
    /// Keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A test case (`get_case`, `get_cases`, `add_case`, `update_case`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Case {
    /// Case id (shown as `C<id>` in TestRail).
    #[serde(deserialize_with = "lenient::id")]
    pub id: CaseId,
    /// Title.
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: String,
    /// The section it is in.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub section_id: Option<SectionId>,
    /// The suite it is in.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub suite_id: Option<SuiteId>,
    /// Template id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub template_id: Option<TemplateId>,
    /// Case type id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub type_id: Option<CaseTypeId>,
    /// Priority id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub priority_id: Option<PriorityId>,
    /// Milestone id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub milestone_id: Option<MilestoneId>,
    /// References, comma-separated.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub refs: Option<String>,
    /// Creator's user id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub created_by: Option<UserId>,
    /// Creation time (UNIX seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub created_on: Option<u64>,
    /// Last editor's user id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub updated_by: Option<UserId>,
    /// Last change (UNIX seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub updated_on: Option<u64>,
    /// Estimate, as a timespan (`"1m 5s"`).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub estimate: Option<String>,
    /// Forecast from past results, as a timespan.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub estimate_forecast: Option<String>,
    /// Position in its section.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub display_order: Option<u64>,
    /// Whether the case is deleted (TestRail sends `0`/`1`).
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_deleted: bool,
    /// `custom_*` fields and keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Case {
    /// A custom field's value by system name, with or without the `custom_` prefix
    /// (`null` reads as absent).
    ///
    /// ```
    /// use testrail_api::Case;
    ///
    /// let case: Case = serde_json::from_str(
    ///     r#"{"id": 12, "title": "Log in", "custom_automation_id": "shop::login"}"#,
    /// ).unwrap();
    /// assert_eq!(case.custom("automation_id").and_then(|v| v.as_str()), Some("shop::login"));
    /// ```
    pub fn custom(&self, name: &str) -> Option<&Value> {
        custom(&self.extra, name)
    }
}

/// A test status (`get_statuses`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Status {
    /// Status id: 1 passed, 2 blocked, 3 untested, 4 retest, 5 failed, 6+ custom.
    #[serde(deserialize_with = "lenient::id")]
    pub id: StatusId,
    /// System name (`passed`, `custom_status1`, ...).
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Label shown in the UI.
    #[serde(default, deserialize_with = "lenient::string")]
    pub label: String,
    /// Dark colour, RGB packed in an int.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub color_dark: Option<u64>,
    /// Medium colour.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub color_medium: Option<u64>,
    /// Bright colour.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub color_bright: Option<u64>,
    /// Built in (ids 1-5).
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_system: bool,
    /// The "untested" status, which cannot be set through the API.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_untested: bool,
    /// Whether a test with this status counts as done.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_final: bool,
    /// Keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A case priority (`get_priorities`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Priority {
    /// Priority id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: PriorityId,
    /// Name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Abbreviation.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub short_name: Option<String>,
    /// Rank (higher is more important).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub priority: Option<u64>,
    /// Whether new cases get it.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_default: bool,
    /// Keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A case template (`get_templates/{project_id}`): which custom case fields a case has
/// depends on its template (a field definition's `include_all` and `template_ids`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Template {
    /// Template id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: TemplateId,
    /// Name, e.g. `Test Case (Steps)`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Whether new cases get it.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_default: bool,
    /// Keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A milestone (`get_milestones`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Milestone {
    /// Milestone id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: MilestoneId,
    /// Name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Description.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    /// The project it belongs to.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub project_id: Option<ProjectId>,
    /// Parent milestone.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub parent_id: Option<MilestoneId>,
    /// Due date (UNIX seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub due_on: Option<u64>,
    /// Planned start (UNIX seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub start_on: Option<u64>,
    /// Actual start (UNIX seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub started_on: Option<u64>,
    /// Whether it has started.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_started: bool,
    /// Whether it is completed.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_completed: bool,
    /// When it was completed (UNIX seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub completed_on: Option<u64>,
    /// References, comma-separated.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub refs: Option<String>,
    /// Web address.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub url: Option<String>,
    /// Keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A user (`get_current_user`, `get_user_by_email`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// User id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: UserId,
    /// Full name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Email address (the login).
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: String,
    /// Whether the account is active.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_active: bool,
    /// Role id (old versions send it as a string).
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub role_id: Option<RoleId>,
    /// Role name.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub role: Option<String>,
    /// Keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A configuration group with its configurations (`get_configs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConfigurationGroup {
    /// Group id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: ConfigGroupId,
    /// Name, e.g. `Browsers`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// The project it belongs to.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub project_id: Option<ProjectId>,
    /// The configurations of the group.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub configs: Vec<Configuration>,
}

/// One configuration, e.g. `Chrome` (its id goes into a plan entry's `config_ids`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Configuration {
    /// Configuration id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: ConfigId,
    /// Name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Its group.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub group_id: Option<ConfigGroupId>,
}

/// A custom field definition (`get_case_fields`, `get_result_fields`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FieldDef {
    /// Field id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: FieldId,
    /// Name without prefix.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Key in case/result objects: `custom_<name>`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub system_name: String,
    /// Label shown in the UI.
    #[serde(default, deserialize_with = "lenient::string")]
    pub label: String,
    /// Description.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    /// Field type: 1 String, 2 Integer, 3 Text, 4 URL, 5 Checkbox, 6 Dropdown, 7 User,
    /// 8 Date, 9 Milestone, 10 Steps, 11 Step Results, 12 Multi-select, 13/14 BDD.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub type_id: Option<u64>,
    /// Position in forms.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub display_order: Option<u64>,
    /// Whether the field is active.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_active: bool,
    /// Whether it applies to all templates.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub include_all: bool,
    /// Templates it applies to when not `include_all`.
    #[serde(default, deserialize_with = "lenient::ids")]
    pub template_ids: Vec<TemplateId>,
    /// Per-context settings.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub configs: Vec<FieldConfig>,
    /// Keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A case field definition.
pub type CaseField = FieldDef;
/// A result field definition.
pub type ResultField = FieldDef;

impl FieldDef {
    /// Whether the field applies to a project: some context is global or lists the project.
    ///
    /// ```
    /// use testrail_api::FieldDef;
    ///
    /// let f: FieldDef = serde_json::from_str(
    ///     r#"{"id": 1, "configs": [{"context": {"is_global": false, "project_ids": [2]}}]}"#,
    /// ).unwrap();
    /// assert!(f.applies_to(2));
    /// assert!(!f.applies_to(3));
    /// ```
    pub fn applies_to(&self, project_id: impl Into<ProjectId>) -> bool {
        let project_id = project_id.into();
        self.configs
            .iter()
            .any(|c| c.context.is_global || c.context.project_ids.contains(&project_id))
    }
}

/// One context of a field definition.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FieldConfig {
    /// Configuration id (a string in TestRail's answers).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub id: Option<String>,
    /// Where it applies.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub context: FieldContext,
    /// Type-dependent options (`is_required`, `default_value`, `items`, ...).
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub options: Extra,
}

/// Where a field configuration applies.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FieldContext {
    /// In every project.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_global: bool,
    /// In these projects (when not global).
    #[serde(default, deserialize_with = "lenient::ids")]
    pub project_ids: Vec<ProjectId>,
}

/// A test run (`get_run`, `get_runs`, `add_run`, `update_run`, `close_run`; also inside plan
/// entries).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Run {
    /// Run id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: RunId,
    /// Name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Description.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    /// The suite its cases come from.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub suite_id: Option<SuiteId>,
    /// The project.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub project_id: Option<ProjectId>,
    /// The plan it belongs to, if any.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub plan_id: Option<PlanId>,
    /// The plan entry it belongs to (a GUID string), if any.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub entry_id: Option<EntryId>,
    /// Its index inside the plan entry.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub entry_index: Option<u64>,
    /// Milestone id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub milestone_id: Option<MilestoneId>,
    /// Assignee's user id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub assignedto_id: Option<UserId>,
    /// Whether the run holds every case of the suite.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub include_all: bool,
    /// References, comma-separated.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub refs: Option<String>,
    /// Whether the run is closed.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_completed: bool,
    /// When it was closed (UNIX seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub completed_on: Option<u64>,
    /// Configuration names, comma-separated (plan runs).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub config: Option<String>,
    /// Configuration ids (plan runs).
    #[serde(default, deserialize_with = "lenient::ids")]
    pub config_ids: Vec<ConfigId>,
    /// Creation time (UNIX seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub created_on: Option<u64>,
    /// Creator's user id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub created_by: Option<UserId>,
    /// Last change (UNIX seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub updated_on: Option<u64>,
    /// Tests currently passed.
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub passed_count: u64,
    /// Tests currently blocked.
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub blocked_count: u64,
    /// Tests currently untested.
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub untested_count: u64,
    /// Tests currently to retest.
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub retest_count: u64,
    /// Tests currently failed.
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub failed_count: u64,
    /// Web address.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub url: Option<String>,
    /// `custom_statusN_count` and keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A test plan (`get_plan`, `add_plan`, `close_plan`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Plan {
    /// Plan id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: PlanId,
    /// Name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Description.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    /// The project.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub project_id: Option<ProjectId>,
    /// Milestone id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub milestone_id: Option<MilestoneId>,
    /// Assignee's user id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub assignedto_id: Option<UserId>,
    /// Whether the plan is closed.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_completed: bool,
    /// When it was closed (UNIX seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub completed_on: Option<u64>,
    /// Creation time (UNIX seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub created_on: Option<u64>,
    /// Creator's user id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub created_by: Option<UserId>,
    /// References, comma-separated.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub refs: Option<String>,
    /// Tests currently passed, over all runs.
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub passed_count: u64,
    /// Tests currently blocked.
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub blocked_count: u64,
    /// Tests currently untested.
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub untested_count: u64,
    /// Tests currently to retest.
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub retest_count: u64,
    /// Tests currently failed.
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub failed_count: u64,
    /// Web address.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub url: Option<String>,
    /// The entries with their runs (empty in `get_plans` answers).
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub entries: Vec<PlanEntry>,
    /// Keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An entry of a plan: one suite, one or more runs (one per configuration combination).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlanEntry {
    /// Entry id, a GUID string.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: EntryId,
    /// The suite.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub suite_id: Option<SuiteId>,
    /// Name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Description.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    /// References, comma-separated.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub refs: Option<String>,
    /// Whether the runs hold every case of the suite.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub include_all: bool,
    /// The runs (their order may differ from the request's).
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub runs: Vec<Run>,
    /// Keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A test: a case inside a run (`get_tests`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Test {
    /// Test id (not the case id).
    #[serde(deserialize_with = "lenient::id")]
    pub id: TestId,
    /// The case.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub case_id: Option<CaseId>,
    /// The run.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub run_id: Option<RunId>,
    /// Current status id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub status_id: Option<StatusId>,
    /// Assignee's user id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub assignedto_id: Option<UserId>,
    /// The case's title.
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: String,
    /// Case type id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub type_id: Option<CaseTypeId>,
    /// Priority id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub priority_id: Option<PriorityId>,
    /// Template id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub template_id: Option<TemplateId>,
    /// Milestone id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub milestone_id: Option<MilestoneId>,
    /// References, comma-separated.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub refs: Option<String>,
    /// Estimate, as a timespan.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub estimate: Option<String>,
    /// Forecast, as a timespan.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub estimate_forecast: Option<String>,
    /// The case's `custom_*` fields and keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A result of a test (`add_result_for_case`, `add_results_for_cases`, `get_results_*`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TestResult {
    /// Result id.
    #[serde(deserialize_with = "lenient::id")]
    pub id: ResultId,
    /// The test it belongs to (results carry `test_id`, not `case_id`).
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub test_id: Option<TestId>,
    /// Status id, if the result set one.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub status_id: Option<StatusId>,
    /// Author's user id.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub created_by: Option<UserId>,
    /// Creation time (UNIX seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub created_on: Option<u64>,
    /// Assignee set by the result.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub assignedto_id: Option<UserId>,
    /// Comment (Markdown).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub comment: Option<String>,
    /// Version tested.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub version: Option<String>,
    /// Elapsed time, as a timespan.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub elapsed: Option<String>,
    /// Defects, comma-separated.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub defects: Option<String>,
    /// Attached files.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub attachment_ids: Vec<AttachmentId>,
    /// `custom_*` fields (e.g. `custom_step_results`) and keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

impl TestResult {
    /// A custom field's value by system name, with or without the `custom_` prefix.
    pub fn custom(&self, name: &str) -> Option<&Value> {
        custom(&self.extra, name)
    }
}

/// An attachment id: an int on older TestRail, a UUID string on newer Cloud instances.
///
/// ```
/// use testrail_api::AttachmentId;
///
/// let ids: Vec<AttachmentId> = serde_json::from_str(r#"[443, "2a5f-b1"]"#).unwrap();
/// assert_eq!(ids[0].to_string(), "443");
/// assert_eq!(ids[1], AttachmentId::Text("2a5f-b1".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AttachmentId {
    /// A numeric id.
    Number(u64),
    /// A string id (UUID).
    Text(String),
}

impl fmt::Display for AttachmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Text(s) => f.write_str(s),
        }
    }
}

/// A file on a result, as `get_attachments_for_test` lists it. TestRail's documentation
/// shows `{"id": 444, "name": "What-Testers-Should-Be-Doing.jpg", "filename":
/// "444.What-Testers-Should-Be-Doing.jpg", "size": 166994, "created_on": 1554737184,
/// "project_id": 14, "case_id": 3414, "test_change_id": 17899, "user_id": 10}`, where
/// `test_change_id` is the result's id; TestRail 7.1+ Cloud gives string ids and more keys
/// (kept in `extra`).
///
/// ```
/// use testrail_api::{AttachmentId, AttachmentInfo, ResultId};
///
/// let info: AttachmentInfo = serde_json::from_str(
///     r#"{"id":444,"name":"log.txt","size":"12","created_on":1554737184,"test_change_id":17899}"#,
/// ).unwrap();
/// assert_eq!(info.id, AttachmentId::Number(444));
/// assert_eq!((info.name.as_str(), info.size), ("log.txt", 12));
/// assert_eq!(info.result_id, Some(ResultId::new(17899)));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AttachmentInfo {
    /// Attachment id (int, or a UUID string on TestRail 7.1+ Cloud).
    pub id: AttachmentId,
    /// The file name shown.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// The name TestRail stores it under, when given.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub filename: Option<String>,
    /// Size in bytes.
    #[serde(default, deserialize_with = "lenient::u64_or_zero")]
    pub size: u64,
    /// When it was added, UNIX seconds.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub created_on: Option<u64>,
    /// The case of the test it belongs to.
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub case_id: Option<CaseId>,
    /// The result it is on (`test_change_id`: a result is a "test change" in TestRail's own
    /// tables).
    #[serde(
        default,
        rename = "test_change_id",
        deserialize_with = "lenient::opt_id"
    )]
    pub result_id: Option<ResultId>,
    /// Keys not modelled.
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_keeps_custom_fields() {
        let case: Case = serde_json::from_str(
            r#"{"id":"12","title":null,"section_id":3,"is_deleted":0,"estimate":null,
                "custom_automation_id":"a::b","custom_steps_separated":[{"content":"x"}],
                "custom_empty":null,"labels":[]}"#,
        )
        .unwrap();
        assert_eq!(case.id, CaseId::new(12));
        assert_eq!(case.section_id, Some(SectionId::new(3)));
        assert_eq!(case.title, "");
        assert!(!case.is_deleted);
        assert_eq!(
            case.custom("custom_automation_id"),
            Some(&Value::from("a::b"))
        );
        assert!(case.custom("steps_separated").unwrap().is_array());
        assert_eq!(case.custom("empty"), None);
        assert!(case.extra.contains_key("labels"));
    }

    #[test]
    fn a_plan_with_entries_and_runs() {
        let plan: Plan = serde_json::from_str(
            r#"{"id":9,"name":"P","entries":[{"id":"67cef25c-0e7b","suite_id":1,
                "runs":[{"id":30,"entry_id":"67cef25c-0e7b","entry_index":1,
                "config":"Chrome, Linux","config_ids":[1,"2"],"passed_count":null,
                "custom_status1_count":0}]}]}"#,
        )
        .unwrap();
        let run = &plan.entries[0].runs[0];
        assert_eq!(plan.entries[0].id.as_str(), "67cef25c-0e7b");
        assert_eq!(run.entry_id, Some(EntryId::from("67cef25c-0e7b")));
        assert_eq!(run.id, RunId::new(30));
        assert_eq!(run.config_ids, [ConfigId::new(1), ConfigId::new(2)]);
        assert_eq!(run.passed_count, 0);
        assert!(run.extra.contains_key("custom_status1_count"));
        let bare: Plan = serde_json::from_str(r#"{"id":9,"entries":null}"#).unwrap();
        assert!(bare.entries.is_empty());
    }

    #[test]
    fn results_users_and_fields_decode_leniently() {
        let result: TestResult = serde_json::from_str(
            r#"{"id":1,"test_id":2,"status_id":null,"comment":null,"elapsed":"5m",
                "attachment_ids":[1,"u-2"],"custom_step_results":[]}"#,
        )
        .unwrap();
        assert_eq!(result.status_id, None);
        assert_eq!(result.attachment_ids.len(), 2);
        assert!(result.custom("step_results").is_some());
        let user: User = serde_json::from_str(r#"{"id":1,"role_id":"1","email":"a@b.c"}"#).unwrap();
        assert_eq!(user.role_id, Some(RoleId::new(1)));
        let field: FieldDef = serde_json::from_str(
            r#"{"id":1,"system_name":"custom_x","configs":[{"id":"1",
                "context":{"is_global":true,"project_ids":null},
                "options":{"is_required":false}}]}"#,
        )
        .unwrap();
        assert!(field.applies_to(42));
        let project: Project = serde_json::from_str(r#"{"id":1,"suite_mode":9}"#).unwrap();
        assert_eq!(project.mode(), None);
    }
}
