//! The simulator's data model: plain records for every TestRail entity it keeps.
//!
//! These are the *stored* forms (what `--persist` writes and what [`crate::State`] holds).
//! The JSON a client sees is built from them by [`crate::render`], in TestRail's shapes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A user's role. The order matters: each role can do everything the roles before it can.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything, writes nothing.
    ReadOnly,
    /// Reads, and adds results (and their attachments).
    #[default]
    Tester,
    /// Everything in a project: cases, sections, suites, runs, plans, results.
    Lead,
    /// Everything a lead can do (TestRail's administrator).
    Admin,
}

impl Role {
    /// TestRail's `role_id` for this role (the default role ids of a fresh installation).
    pub fn role_id(self) -> u64 {
        match self {
            Role::ReadOnly => 2,
            Role::Tester => 3,
            Role::Lead => 4,
            Role::Admin => 1,
        }
    }

    /// TestRail's display name for this role.
    pub fn label(self) -> &'static str {
        match self {
            Role::ReadOnly => "Read-only",
            Role::Tester => "Tester",
            Role::Lead => "Lead",
            Role::Admin => "Administrator",
        }
    }
}

/// A TestRail user who may call the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// User id.
    pub id: u64,
    /// Full name.
    pub name: String,
    /// Login (email address), matched case-insensitively.
    pub email: String,
    /// Password accepted by Basic auth.
    pub password: String,
    /// API keys accepted by Basic auth in place of the password.
    #[serde(default)]
    pub api_keys: Vec<String>,
    /// The user's role, which decides the endpoints they may call.
    #[serde(default)]
    pub role: Role,
    /// Inactive users cannot authenticate.
    #[serde(default = "yes")]
    pub is_active: bool,
}

fn yes() -> bool {
    true
}

/// A project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// Project id.
    pub id: u64,
    /// Project name.
    pub name: String,
    /// Announcement text.
    pub announcement: Option<String>,
    /// Whether the announcement is shown.
    pub show_announcement: bool,
    /// 1 single suite, 2 single suite with baselines, 3 multiple suites.
    pub suite_mode: u8,
    /// Whether the project is completed (archived).
    pub is_completed: bool,
    /// When it was completed.
    pub completed_on: Option<i64>,
}

/// A test suite (the case repository of a project, or one of several).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suite {
    /// Suite id.
    pub id: u64,
    /// Owning project.
    pub project_id: u64,
    /// Suite name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Whether this is the master suite of a baseline project.
    pub is_master: bool,
    /// Whether this is a baseline.
    pub is_baseline: bool,
    /// Whether the suite is completed.
    pub is_completed: bool,
    /// When it was completed.
    pub completed_on: Option<i64>,
}

/// A section (folder) of a suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Section id.
    pub id: u64,
    /// Owning suite.
    pub suite_id: u64,
    /// Parent section, `None` at the root.
    pub parent_id: Option<u64>,
    /// Section name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Position among its siblings (1-based).
    pub display_order: u64,
    /// Nesting depth, 0 at the root.
    pub depth: u64,
}

/// A test case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// Case id (the `C123` number).
    pub id: u64,
    /// Owning suite.
    pub suite_id: u64,
    /// Owning section.
    pub section_id: u64,
    /// Title.
    pub title: String,
    /// Template id.
    pub template_id: u64,
    /// Case type id.
    pub type_id: u64,
    /// Priority id.
    pub priority_id: u64,
    /// Milestone id.
    pub milestone_id: Option<u64>,
    /// References (CSV string).
    pub refs: Option<String>,
    /// Estimate timespan.
    pub estimate: Option<String>,
    /// Creator.
    pub created_by: u64,
    /// Creation time (UNIX seconds).
    pub created_on: i64,
    /// Last editor.
    pub updated_by: u64,
    /// Last edit time (UNIX seconds); changes on every edit.
    pub updated_on: i64,
    /// Position inside its section.
    pub display_order: u64,
    /// Soft-deleted cases are hidden from the API.
    pub is_deleted: bool,
    /// Labels (7.7+), stored as given.
    #[serde(default)]
    pub labels: Vec<Value>,
    /// `custom_*` fields, keyed by their full system name.
    #[serde(default)]
    pub custom: BTreeMap<String, Value>,
}

/// A milestone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    /// Milestone id.
    pub id: u64,
    /// Owning project.
    pub project_id: u64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Due date.
    pub due_on: Option<i64>,
    /// Whether it is completed.
    pub is_completed: bool,
    /// Whether it is started.
    pub is_started: bool,
    /// Parent milestone.
    pub parent_id: Option<u64>,
}

/// One configuration (e.g. "Chrome") inside a group (e.g. "Browsers").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// Config id.
    pub id: u64,
    /// Name.
    pub name: String,
}

/// A configuration group of a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigGroup {
    /// Group id.
    pub id: u64,
    /// Owning project.
    pub project_id: u64,
    /// Group name.
    pub name: String,
    /// The configs of the group.
    pub configs: Vec<Config>,
}

/// A result status (built-in 1..5 or custom 6..12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// Status id.
    pub id: u64,
    /// System name (`passed`, `custom_status1`, ...).
    pub name: String,
    /// Display label.
    pub label: String,
    /// Dark colour (RGB packed into an int).
    pub color_dark: u64,
    /// Medium colour.
    pub color_medium: u64,
    /// Bright colour.
    pub color_bright: u64,
    /// Built-in status.
    pub is_system: bool,
    /// The Untested status (cannot be set through the API).
    pub is_untested: bool,
    /// Whether a test in this status counts as done.
    pub is_final: bool,
}

/// A custom field definition (`get_case_fields` / `get_result_fields`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    /// Field id.
    pub id: u64,
    /// Name without the `custom_` prefix.
    pub name: String,
    /// Display label.
    pub label: String,
    /// Description.
    pub description: Option<String>,
    /// Field type (1 String ... 12 Multi-select; see the digest).
    pub type_id: u64,
    /// Display order.
    pub display_order: u64,
    /// Whether the field is active.
    pub is_active: bool,
    /// Whether it applies to all templates.
    pub include_all: bool,
    /// Template ids it applies to when not `include_all`.
    pub template_ids: Vec<u64>,
    /// Contexts and options, as TestRail renders them.
    pub configs: Value,
}

impl FieldDef {
    /// The field's key on cases and results: `custom_<name>`.
    pub fn system_name(&self) -> String {
        format!("custom_{}", self.name)
    }

    /// The options of the context that applies to `project_id` (a context listing the
    /// project wins over a global one); `None` when no context applies (the field is not
    /// used in the project).
    fn options_for(&self, project_id: u64) -> Option<&Value> {
        let configs = self.configs.as_array()?;
        let lists = |c: &&Value| {
            c["context"]["project_ids"]
                .as_array()
                .is_some_and(|ids| ids.iter().any(|id| id.as_u64() == Some(project_id)))
        };
        let global = |c: &&Value| c["context"]["is_global"].as_bool() == Some(true);
        configs
            .iter()
            .find(lists)
            .or_else(|| configs.iter().find(global))
            .map(|c| &c["options"])
    }

    /// Whether a case of `project_id` with template `template_id` has the field: it is
    /// active, used in the project, and belongs to the template (`include_all`, or the
    /// template is in `template_ids`).
    pub fn applies_to_case(&self, project_id: u64, template_id: u64) -> bool {
        self.is_active
            && (self.include_all || self.template_ids.contains(&template_id))
            && self.options_for(project_id).is_some()
    }

    /// Whether the field must have a value in `project_id` (`options.is_required`).
    pub fn is_required_in(&self, project_id: u64) -> bool {
        self.options_for(project_id)
            .and_then(|options| options["is_required"].as_bool())
            .unwrap_or(false)
    }
}

/// A priority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priority {
    /// Priority id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Short name.
    pub short_name: String,
    /// Rank (higher is more important).
    pub priority: u64,
    /// Default for new cases.
    pub is_default: bool,
}

/// A case type or a template: `{id, name, is_default}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Named {
    /// Id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Default for new cases.
    pub is_default: bool,
}

/// A test run (standalone, or one run of a plan entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// Run id.
    pub id: u64,
    /// Owning project.
    pub project_id: u64,
    /// Suite the run's cases come from.
    pub suite_id: u64,
    /// Plan, when the run belongs to one.
    pub plan_id: Option<u64>,
    /// Plan entry GUID, when the run belongs to a plan.
    pub entry_id: Option<String>,
    /// 1-based index of the entry inside its plan.
    pub entry_index: Option<u64>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Milestone.
    pub milestone_id: Option<u64>,
    /// Assignee.
    pub assignedto_id: Option<u64>,
    /// Whether every case of the suite is in the run.
    pub include_all: bool,
    /// References (CSV string).
    pub refs: Option<String>,
    /// Config ids (plan runs).
    pub config_ids: Vec<u64>,
    /// Config names, comma-joined (plan runs).
    pub config: Option<String>,
    /// Whether the run is closed.
    pub is_completed: bool,
    /// When it was closed.
    pub completed_on: Option<i64>,
    /// Creation time.
    pub created_on: i64,
    /// Creator.
    pub created_by: u64,
    /// Last update time.
    pub updated_on: i64,
    /// Start date.
    pub start_on: Option<i64>,
    /// Due date.
    pub due_on: Option<i64>,
    /// The run's tests: case id -> test id.
    pub tests: BTreeMap<u64, u64>,
}

/// A test: one case inside one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Test {
    /// Test id (differs from the case id).
    pub id: u64,
    /// Owning run.
    pub run_id: u64,
    /// The case it instantiates.
    pub case_id: u64,
    /// Current status (status of the newest result that set one; 3 Untested at first).
    pub status_id: u64,
    /// Assignee.
    pub assignedto_id: Option<u64>,
}

/// A result posted to a test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// Result id.
    pub id: u64,
    /// The test it belongs to.
    pub test_id: u64,
    /// The test's run (kept for fast lookups; not in TestRail's JSON).
    pub run_id: u64,
    /// The test's case (kept for fast lookups; not in TestRail's JSON).
    pub case_id: u64,
    /// Status set by this result, if any.
    pub status_id: Option<u64>,
    /// Author.
    pub created_by: u64,
    /// Creation time.
    pub created_on: i64,
    /// Assignee set by this result.
    pub assignedto_id: Option<u64>,
    /// Comment.
    pub comment: Option<String>,
    /// Version tested.
    pub version: Option<String>,
    /// Elapsed timespan, as sent.
    pub elapsed: Option<String>,
    /// Defects (CSV).
    pub defects: Option<String>,
    /// `custom_*` fields, including `custom_step_results`.
    pub custom: BTreeMap<String, Value>,
    /// Attachments added to this result.
    pub attachment_ids: Vec<u64>,
}

/// A test plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Plan id.
    pub id: u64,
    /// Owning project.
    pub project_id: u64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Milestone.
    pub milestone_id: Option<u64>,
    /// Assignee.
    pub assignedto_id: Option<u64>,
    /// Whether the plan is closed.
    pub is_completed: bool,
    /// When it was closed.
    pub completed_on: Option<i64>,
    /// Creation time.
    pub created_on: i64,
    /// Creator.
    pub created_by: u64,
    /// References.
    pub refs: Option<String>,
    /// Start date.
    pub start_on: Option<i64>,
    /// Due date.
    pub due_on: Option<i64>,
    /// Entries, in creation order.
    pub entries: Vec<PlanEntry>,
}

/// An entry of a plan: one suite, one run per configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanEntry {
    /// Entry id (a GUID string).
    pub id: String,
    /// Suite of the entry's runs.
    pub suite_id: u64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// References.
    pub refs: Option<String>,
    /// Whether the runs include every case.
    pub include_all: bool,
    /// Assignee.
    pub assignedto_id: Option<u64>,
    /// Union of the config ids of its runs.
    pub config_ids: Vec<u64>,
    /// The entry's runs.
    pub run_ids: Vec<u64>,
}

/// An attachment: its metadata and its bytes (base64 in the persistence file and the
/// control API's state dump).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// Attachment id.
    pub id: u64,
    /// Result it was added to, if any.
    pub result_id: Option<u64>,
    /// The test of that result.
    #[serde(default)]
    pub test_id: Option<u64>,
    /// The case of that test.
    #[serde(default)]
    pub case_id: Option<u64>,
    /// The content.
    #[serde(default, with = "base64_bytes")]
    pub bytes: Vec<u8>,
    /// Run it was added to, if any.
    pub run_id: Option<u64>,
    /// File name from the multipart part.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Content type from the multipart part.
    pub content_type: Option<String>,
    /// Uploader.
    pub created_by: u64,
    /// Upload time.
    pub created_on: i64,
}

/// Bytes as a base64 string in JSON.
mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}
