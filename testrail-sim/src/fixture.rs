//! Seed fixtures: the human-written JSON or TOML file the simulator's state starts from.
//!
//! Projects nest suites, suites nest sections, sections nest sections and cases. Ids are
//! optional everywhere: missing ones are handed out after the largest explicit id of their
//! kind. Single-suite projects may list `sections` directly (a suite called "Master" is
//! made for them). See `testrail-sim/README.md` for the format with examples.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::clock::real_now;
use crate::faults::FaultRule;
use crate::model::*;
use crate::state::State;

/// The demo fixture shipped with the crate (project "Shop" and "Back Office").
pub const DEMO_JSON: &str = include_str!("../fixtures/demo.json");

/// A seed fixture.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// Timestamp given to seeded cases (`created_on`/`updated_on`); default: start time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<i64>,
    /// Users. Without any, one admin `admin@example.com` / `admin` / key `admin-key` exists.
    #[serde(default)]
    pub users: Vec<FixtureUser>,
    /// Custom statuses (ids 6..12; built-in 1..5 always exist).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<FixtureStatus>,
    /// Custom case fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub case_fields: Vec<FixtureField>,
    /// Custom result fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub result_fields: Vec<FixtureField>,
    /// Priorities (default: Low, Medium, High, Critical).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priorities: Option<Vec<Priority>>,
    /// Case types (default: TestRail's list, "Other" the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_types: Option<Vec<Named>>,
    /// Templates (default: Text, Steps, Exploratory, BDD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates: Option<Vec<Named>>,
    /// Projects.
    #[serde(default)]
    pub projects: Vec<FixtureProject>,
    /// Fault rules active from the start.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultRule>,
}

/// A user in a fixture.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureUser {
    /// Id (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Full name.
    pub name: String,
    /// Login email.
    pub email: String,
    /// Password.
    pub password: String,
    /// API keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_keys: Vec<String>,
    /// Role: `read_only`, `tester`, `lead`, `admin`.
    #[serde(default)]
    pub role: Role,
    /// Active (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
}

/// A custom status in a fixture.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureStatus {
    /// Id 6..12 (optional: next free).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Display label, e.g. "Flaky".
    pub label: String,
    /// Whether it counts as final (default false).
    #[serde(default)]
    pub is_final: bool,
    /// Colour (RGB int) used for dark/medium/bright.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<u64>,
}

/// A custom field in a fixture.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureField {
    /// Id (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Name, with or without the `custom_` prefix.
    pub name: String,
    /// Label (default: the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Type id (1 String, 2 Integer, 3 Text, 4 URL, 5 Checkbox, 6 Dropdown, 7 User,
    /// 8 Date, 9 Milestone, 10 Steps, 11 Step Results, 12 Multi-select).
    pub type_id: u64,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Projects it applies to; absent means global.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_ids: Option<Vec<u64>>,
    /// Required field.
    #[serde(default)]
    pub is_required: bool,
    /// Dropdown/multi-select items, `"1, Label"` lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<String>,
    /// Active (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
    /// Templates whose cases have the field; absent means every template (`include_all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_ids: Option<Vec<u64>>,
}

/// A project in a fixture.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureProject {
    /// Id (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Name.
    pub name: String,
    /// 1 single suite (default), 2 single suite with baselines, 3 multiple suites.
    #[serde(default = "one")]
    pub suite_mode: u8,
    /// Announcement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announcement: Option<String>,
    /// Completed.
    #[serde(default)]
    pub is_completed: bool,
    /// Milestones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<FixtureMilestone>,
    /// Configuration groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub configs: Vec<FixtureConfigGroup>,
    /// Suites.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suites: Vec<FixtureSuite>,
    /// Sections of the only suite of a single-suite project (shorthand).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<FixtureSection>,
}

fn one() -> u8 {
    1
}

/// A milestone in a fixture.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureMilestone {
    /// Id (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Name.
    pub name: String,
    /// Completed.
    #[serde(default)]
    pub is_completed: bool,
    /// Due date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<i64>,
}

/// A configuration group in a fixture: `{"name": "Browsers", "configs": ["Chrome", ...]}`
/// or with explicit ids `{"configs": [{"id": 1, "name": "Chrome"}]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureConfigGroup {
    /// Id (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Group name.
    pub name: String,
    /// Configs: names, or `{id, name}` objects.
    pub configs: Vec<FixtureConfig>,
}

/// A config: a name, or an object with an id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FixtureConfig {
    /// Just the name.
    Name(String),
    /// Id and name.
    Full {
        /// Id.
        id: u64,
        /// Name.
        name: String,
    },
}

/// A suite in a fixture.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureSuite {
    /// Id (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Root sections.
    #[serde(default)]
    pub sections: Vec<FixtureSection>,
}

/// A section in a fixture.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureSection {
    /// Id (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Cases directly in this section.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<FixtureCase>,
    /// Sub-sections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<FixtureSection>,
}

/// A case in a fixture. Keys other than the named ones must be `custom_*` fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FixtureCase {
    /// Id (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Title.
    pub title: String,
    /// Type id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_id: Option<u64>,
    /// Priority id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_id: Option<u64>,
    /// Template id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<u64>,
    /// Milestone id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestone_id: Option<u64>,
    /// References.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refs: Option<String>,
    /// Estimate timespan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<String>,
    /// `custom_*` fields.
    #[serde(flatten)]
    pub custom: BTreeMap<String, Value>,
}

/// Why a fixture could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The text is not a valid fixture.
    #[error("invalid fixture: {0}")]
    Invalid(String),
}

impl Fixture {
    /// Parses JSON.
    pub fn from_json(text: &str) -> Result<Fixture, FixtureError> {
        serde_json::from_str(text).map_err(|e| FixtureError::Invalid(e.to_string()))
    }

    /// Parses TOML.
    pub fn from_toml(text: &str) -> Result<Fixture, FixtureError> {
        toml::from_str(text).map_err(|e| FixtureError::Invalid(e.to_string()))
    }

    /// Reads a `.json` or `.toml` file (by extension; anything else is tried as JSON).
    pub fn from_path(path: &Path) -> Result<Fixture, FixtureError> {
        let text = std::fs::read_to_string(path).map_err(|source| FixtureError::Io {
            path: path.display().to_string(),
            source,
        })?;
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
        {
            Fixture::from_toml(&text)
        } else {
            Fixture::from_json(&text)
        }
    }

    /// The shipped demo fixture.
    pub fn demo() -> Fixture {
        Fixture::from_json(DEMO_JSON).expect("the shipped demo fixture is valid")
    }

    /// Builds the initial state.
    pub fn build(&self) -> Result<State, FixtureError> {
        Builder::new(self).build()
    }
}

/// Hands out ids: explicit ones are reserved up front, missing ones fill in after the
/// largest explicit id.
#[derive(Default)]
struct Ids {
    used: HashSet<u64>,
    last: u64,
}

impl Ids {
    fn reserve(&mut self, id: Option<u64>, what: &str) -> Result<(), FixtureError> {
        if let Some(id) = id {
            if id == 0 || !self.used.insert(id) {
                return Err(FixtureError::Invalid(format!(
                    "{what} id {id} is zero or used twice"
                )));
            }
            self.last = self.last.max(id);
        }
        Ok(())
    }

    fn take(&mut self, id: Option<u64>) -> u64 {
        id.unwrap_or_else(|| {
            self.last += 1;
            self.last
        })
    }
}

struct Builder<'a> {
    f: &'a Fixture,
    st: State,
    now: i64,
    users: Ids,
    projects: Ids,
    suites: Ids,
    sections: Ids,
    cases: Ids,
    milestones: Ids,
    groups: Ids,
    configs: Ids,
}

impl<'a> Builder<'a> {
    fn new(f: &'a Fixture) -> Self {
        Builder {
            f,
            st: State::default(),
            now: f.now.unwrap_or_else(real_now),
            users: Ids::default(),
            projects: Ids::default(),
            suites: Ids::default(),
            sections: Ids::default(),
            cases: Ids::default(),
            milestones: Ids::default(),
            groups: Ids::default(),
            configs: Ids::default(),
        }
    }

    fn build(mut self) -> Result<State, FixtureError> {
        self.reserve_all()?;
        self.meta()?;
        for p in &self.f.projects {
            self.project(p)?;
        }
        if self.st.users.is_empty() {
            self.st.users.push(User {
                id: 1,
                name: "Administrator".into(),
                email: "admin@example.com".into(),
                password: "admin".into(),
                api_keys: vec!["admin-key".into()],
                role: Role::Admin,
                is_active: true,
            });
        }
        self.st.sync_last_ids();
        Ok(self.st)
    }

    fn reserve_all(&mut self) -> Result<(), FixtureError> {
        for u in &self.f.users {
            self.users.reserve(u.id, "user")?;
        }
        for p in &self.f.projects {
            self.projects.reserve(p.id, "project")?;
            for m in &p.milestones {
                self.milestones.reserve(m.id, "milestone")?;
            }
            for g in &p.configs {
                self.groups.reserve(g.id, "config group")?;
                for c in &g.configs {
                    if let FixtureConfig::Full { id, .. } = c {
                        self.configs.reserve(Some(*id), "config")?;
                    }
                }
            }
            for s in &p.suites {
                self.suites.reserve(s.id, "suite")?;
            }
            let mut stack: Vec<&FixtureSection> = p
                .suites
                .iter()
                .flat_map(|s| s.sections.iter())
                .chain(p.sections.iter())
                .collect();
            while let Some(sec) = stack.pop() {
                self.sections.reserve(sec.id, "section")?;
                for c in &sec.cases {
                    self.cases.reserve(c.id, "case")?;
                }
                stack.extend(sec.sections.iter());
            }
        }
        Ok(())
    }

    fn meta(&mut self) -> Result<(), FixtureError> {
        let f = self.f;
        for u in &f.users {
            let id = self.users.take(u.id);
            self.st.users.push(User {
                id,
                name: u.name.clone(),
                email: u.email.clone(),
                password: u.password.clone(),
                api_keys: u.api_keys.clone(),
                role: u.role,
                is_active: u.is_active.unwrap_or(true),
            });
        }
        self.st.statuses = builtin_statuses();
        for (i, s) in f.statuses.iter().enumerate() {
            let id = s.id.unwrap_or(6 + i as u64);
            if !(6..=12).contains(&id) || self.st.status(id).is_some() {
                return Err(FixtureError::Invalid(format!(
                    "custom status id {id} must be unique in 6..=12"
                )));
            }
            let color = s.color.unwrap_or(0x7f7f7f);
            self.st.statuses.push(Status {
                id,
                name: format!("custom_status{}", id - 5),
                label: s.label.clone(),
                color_dark: color,
                color_medium: color,
                color_bright: color,
                is_system: false,
                is_untested: false,
                is_final: s.is_final,
            });
        }
        self.st.priorities = f.priorities.clone().unwrap_or_else(default_priorities);
        self.st.case_types = f.case_types.clone().unwrap_or_else(default_case_types);
        self.st.templates = f.templates.clone().unwrap_or_else(default_templates);
        self.st.case_fields = fields(&f.case_fields)?;
        self.st.result_fields = fields(&f.result_fields)?;
        Ok(())
    }

    fn project(&mut self, p: &FixtureProject) -> Result<(), FixtureError> {
        if !matches!(p.suite_mode, 1..=3) {
            return Err(FixtureError::Invalid(format!(
                "project {:?}: suite_mode must be 1, 2 or 3",
                p.name
            )));
        }
        let id = self.projects.take(p.id);
        self.st.projects.insert(
            id,
            Project {
                id,
                name: p.name.clone(),
                announcement: p.announcement.clone(),
                show_announcement: p.announcement.is_some(),
                suite_mode: p.suite_mode,
                is_completed: p.is_completed,
                completed_on: p.is_completed.then_some(self.now),
            },
        );
        for m in &p.milestones {
            let mid = self.milestones.take(m.id);
            self.st.milestones.insert(
                mid,
                Milestone {
                    id: mid,
                    project_id: id,
                    name: m.name.clone(),
                    description: None,
                    due_on: m.due_on,
                    is_completed: m.is_completed,
                    is_started: false,
                    parent_id: None,
                },
            );
        }
        for g in &p.configs {
            let gid = self.groups.take(g.id);
            let configs = g
                .configs
                .iter()
                .map(|c| match c {
                    FixtureConfig::Name(name) => Config {
                        id: self.configs.take(None),
                        name: name.clone(),
                    },
                    FixtureConfig::Full { id, name } => Config {
                        id: *id,
                        name: name.clone(),
                    },
                })
                .collect();
            self.st.config_groups.insert(
                gid,
                ConfigGroup {
                    id: gid,
                    project_id: id,
                    name: g.name.clone(),
                    configs,
                },
            );
        }
        if p.suite_mode != 3 && p.suites.len() + usize::from(!p.sections.is_empty()) > 1 {
            return Err(FixtureError::Invalid(format!(
                "project {:?} is single-suite but has several suites",
                p.name
            )));
        }
        let implicit =
            (!p.sections.is_empty() || p.suites.is_empty() && p.suite_mode != 3).then(|| {
                FixtureSuite {
                    id: None,
                    name: "Master".into(),
                    description: None,
                    sections: p.sections.clone(),
                }
            });
        for s in p.suites.iter().chain(implicit.iter()) {
            let sid = self.suites.take(s.id);
            self.st.suites.insert(
                sid,
                Suite {
                    id: sid,
                    project_id: id,
                    name: s.name.clone(),
                    description: s.description.clone(),
                    is_master: p.suite_mode == 2,
                    is_baseline: false,
                    is_completed: false,
                    completed_on: None,
                },
            );
            for (i, sec) in s.sections.iter().enumerate() {
                self.section(sec, sid, None, 0, i as u64 + 1)?;
            }
        }
        Ok(())
    }

    fn section(
        &mut self,
        s: &FixtureSection,
        suite_id: u64,
        parent_id: Option<u64>,
        depth: u64,
        order: u64,
    ) -> Result<(), FixtureError> {
        let id = self.sections.take(s.id);
        self.st.sections.insert(
            id,
            Section {
                id,
                suite_id,
                parent_id,
                name: s.name.clone(),
                description: s.description.clone(),
                display_order: order,
                depth,
            },
        );
        for (i, c) in s.cases.iter().enumerate() {
            self.case(c, suite_id, id, i as u64 + 1)?;
        }
        for (i, sub) in s.sections.iter().enumerate() {
            self.section(sub, suite_id, Some(id), depth + 1, i as u64 + 1)?;
        }
        Ok(())
    }

    fn case(
        &mut self,
        c: &FixtureCase,
        suite_id: u64,
        section_id: u64,
        order: u64,
    ) -> Result<(), FixtureError> {
        if let Some(bad) = c.custom.keys().find(|k| !k.starts_with("custom_")) {
            return Err(FixtureError::Invalid(format!(
                "case {:?}: unknown key {bad:?}",
                c.title
            )));
        }
        let id = self.cases.take(c.id);
        let user = self.st.users.first().map(|u| u.id).unwrap_or(1);
        let (template, kind, priority) = self.st.case_defaults();
        self.st.cases.insert(
            id,
            Case {
                id,
                suite_id,
                section_id,
                title: c.title.clone(),
                template_id: c.template_id.unwrap_or(template),
                type_id: c.type_id.unwrap_or(kind),
                priority_id: c.priority_id.unwrap_or(priority),
                milestone_id: c.milestone_id,
                refs: c.refs.clone(),
                estimate: c.estimate.clone(),
                created_by: user,
                created_on: self.now,
                updated_by: user,
                updated_on: self.now,
                display_order: order,
                is_deleted: false,
                labels: Vec::new(),
                custom: c.custom.clone(),
            },
        );
        Ok(())
    }
}

fn fields(defs: &[FixtureField]) -> Result<Vec<FieldDef>, FixtureError> {
    let mut ids = Ids::default();
    for d in defs {
        ids.reserve(d.id, "field")?;
    }
    Ok(defs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let name = d
                .name
                .strip_prefix("custom_")
                .unwrap_or(&d.name)
                .to_string();
            let context = match &d.project_ids {
                None => json!({ "is_global": true, "project_ids": null }),
                Some(p) => json!({ "is_global": false, "project_ids": p }),
            };
            let mut options = json!({ "is_required": d.is_required, "default_value": "" });
            if let Some(items) = &d.items {
                options["items"] = json!(items);
            }
            let id = ids.take(d.id);
            FieldDef {
                id,
                label: d.label.clone().unwrap_or_else(|| name.clone()),
                name,
                description: d.description.clone(),
                type_id: d.type_id,
                display_order: i as u64 + 1,
                is_active: d.is_active.unwrap_or(true),
                include_all: d.template_ids.is_none(),
                template_ids: d.template_ids.clone().unwrap_or_default(),
                configs: json!([{ "id": id.to_string(), "context": context, "options": options }]),
            }
        })
        .collect())
}

/// Statuses 1..5 with the flags and colours TestRail ships.
pub fn builtin_statuses() -> Vec<Status> {
    let s = |id, name: &str, label: &str, colors: [u64; 3], untested, fin| Status {
        id,
        name: name.into(),
        label: label.into(),
        color_dark: colors[0],
        color_medium: colors[1],
        color_bright: colors[2],
        is_system: true,
        is_untested: untested,
        is_final: fin,
    };
    vec![
        s(
            1,
            "passed",
            "Passed",
            [6667107, 9820525, 12709313],
            false,
            true,
        ),
        s(
            2,
            "blocked",
            "Blocked",
            [9474192, 13684944, 14737632],
            false,
            true,
        ),
        s(
            3,
            "untested",
            "Untested",
            [11579568, 15395562, 15790320],
            true,
            false,
        ),
        s(
            4,
            "retest",
            "Retest",
            [13026868, 15593088, 16448182],
            false,
            false,
        ),
        s(
            5,
            "failed",
            "Failed",
            [14250867, 15829135, 16631751],
            false,
            true,
        ),
    ]
}

fn default_priorities() -> Vec<Priority> {
    [
        (1, "Low", "Low"),
        (2, "Medium", "Medium"),
        (3, "High", "High"),
        (4, "Critical", "Critical"),
    ]
    .into_iter()
    .map(|(id, name, short)| Priority {
        id,
        name: format!("{id} - {name}"),
        short_name: short.into(),
        priority: id,
        is_default: id == 2,
    })
    .collect()
}

fn default_case_types() -> Vec<Named> {
    [
        "Acceptance",
        "Accessibility",
        "Automated",
        "Compatibility",
        "Destructive",
        "Functional",
        "Other",
        "Performance",
        "Regression",
        "Security",
        "Smoke & Sanity",
        "Usability",
    ]
    .into_iter()
    .enumerate()
    .map(|(i, name)| Named {
        id: i as u64 + 1,
        name: name.into(),
        is_default: name == "Other",
    })
    .collect()
}

fn default_templates() -> Vec<Named> {
    [
        "Test Case (Text)",
        "Test Case (Steps)",
        "Exploratory Session",
        "Behaviour Driven Development",
    ]
    .into_iter()
    .enumerate()
    .map(|(i, name)| Named {
        id: i as u64 + 1,
        name: name.into(),
        is_default: i == 0,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_fill_in_after_explicit_ones() {
        let f = Fixture::from_json(
            r#"{"projects":[{"name":"P","sections":[{"name":"S","cases":[{"id":5,"title":"a"},{"title":"b"}]}]}]}"#,
        )
        .unwrap();
        let st = f.build().unwrap();
        assert_eq!(st.cases.keys().copied().collect::<Vec<_>>(), vec![5, 6]);
        assert_eq!(st.suites.values().next().unwrap().name, "Master");
        assert_eq!(st.users[0].email, "admin@example.com");
    }

    #[test]
    fn toml_works_and_bad_keys_fail() {
        let f = Fixture::from_toml(
            "[[projects]]\nname = \"P\"\n[[projects.sections]]\nname = \"S\"\n[[projects.sections.cases]]\ntitle = \"t\"\ncustom_automation_id = \"a.b\"\n",
        )
        .unwrap();
        assert_eq!(
            f.build().unwrap().cases[&1].custom["custom_automation_id"],
            "a.b"
        );
        let bad = Fixture::from_json(r#"{"projects":[{"name":"P","sections":[{"name":"S","cases":[{"title":"t","x":1}]}]}]}"#)
            .unwrap();
        assert!(bad.build().is_err());
        assert!(Fixture::from_json(r#"{"projectz":[]}"#).is_err());
    }

    #[test]
    fn demo_fixture_has_what_the_examples_need() {
        let st = Fixture::demo().build().unwrap();
        assert_eq!(st.projects[&1].name, "Shop");
        assert_eq!(st.projects[&1].suite_mode, 3);
        assert_eq!(st.suites[&1].name, "Web Shop");
        assert_eq!(st.suites[&2].name, "Payments");
        for id in 1..=40 {
            assert_eq!(st.cases[&id].suite_id, 1, "C{id}");
        }
        assert!(st.projects.values().any(|p| p.suite_mode == 1));
        assert!(st.cases.len() >= 200);
        for role in [Role::ReadOnly, Role::Tester, Role::Lead, Role::Admin] {
            assert!(st.users.iter().any(|u| u.role == role));
        }
        assert!(st.statuses.iter().any(|s| !s.is_system));
        assert!(!st.result_fields.is_empty() && !st.config_groups.is_empty());
    }
}
