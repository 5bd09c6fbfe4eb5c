//! What TestRail holds that the export needs: the project, the configured suites, the cases
//! of those suites (paged through `get_cases`, not one request per case), and which case
//! templates record step results.

use std::collections::{BTreeMap, BTreeSet};

use crate::client::{CaseFilter, Client, FieldDef, Project, Suite};
use crate::config::{Config, ProjectRef};

use super::ExportError;

/// How a linked case relates to the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseState {
    /// In a configured suite.
    Known {
        /// Its suite.
        suite_id: u64,
        /// Its template.
        template_id: Option<u64>,
    },
    /// It exists, in a suite that is not configured: skipped with a warning.
    Unconfigured {
        /// Its suite.
        suite_id: Option<u64>,
    },
    /// It does not exist (any more).
    Missing,
}

/// The project, suites and cases.
pub struct Catalog {
    /// The project.
    pub project: Project,
    /// Whether the project has several suites (suite mode 3).
    pub multi_suite: bool,
    /// The configured suites (every suite of the project when none is configured).
    pub suites: Vec<Suite>,
    /// Cases of the configured suites, by ID: (suite, template).
    pub cases: BTreeMap<u64, (u64, Option<u64>)>,
    /// Templates whose results have a step-results field; `None` when every template does.
    pub step_templates: Option<BTreeSet<u64>>,
    /// Whether any step-results field applies to the project.
    pub step_results: bool,
}

impl Catalog {
    /// Loads the project, the configured suites and their cases.
    pub async fn load(client: &Client, config: &Config) -> Result<Catalog, ExportError> {
        let project = find_project(client, config).await?;
        let all_suites = client.get_suites(project.id).await?;
        let suites = select_suites(&all_suites, &config.suites)?;
        let mut cases = BTreeMap::new();
        for suite in &suites {
            let filter = CaseFilter {
                suite_id: Some(suite.id),
                ..CaseFilter::default()
            };
            for case in client.get_cases(project.id, &filter).await? {
                cases.insert(case.id, (suite.id, case.template_id));
            }
        }
        let fields = client.get_result_fields().await?;
        let (step_results, step_templates) = step_results_field(&fields, project.id);
        Ok(Catalog {
            multi_suite: project.suite_mode == Some(3),
            project,
            suites,
            cases,
            step_templates,
            step_results,
        })
    }

    /// Classifies linked cases; those outside the configured suites are looked up one by one
    /// (`get_case`), which tells Unconfigured from Missing.
    pub async fn classify(
        &self,
        client: &Client,
        case_ids: &BTreeSet<u64>,
    ) -> Result<BTreeMap<u64, CaseState>, ExportError> {
        let mut states = BTreeMap::new();
        for case_id in case_ids {
            let state = match self.cases.get(case_id) {
                Some((suite_id, template_id)) => CaseState::Known {
                    suite_id: *suite_id,
                    template_id: *template_id,
                },
                None => match client.get_case(*case_id).await {
                    Ok(case) => CaseState::Unconfigured {
                        suite_id: case.suite_id,
                    },
                    Err(crate::client::Error::BadRequest { .. }) => CaseState::Missing,
                    Err(error) => return Err(error.into()),
                },
            };
            states.insert(*case_id, state);
        }
        Ok(states)
    }

    /// Whether results of cases with this template take `custom_step_results`.
    pub fn takes_step_results(&self, template_id: Option<u64>) -> bool {
        self.step_results
            && match (&self.step_templates, template_id) {
                (None, _) => true,
                (Some(templates), Some(template)) => templates.contains(&template),
                (Some(_), None) => false,
            }
    }
}

/// The configured project (by ID, or by name among `get_projects`).
pub async fn find_project(client: &Client, config: &Config) -> Result<Project, ExportError> {
    match &config.project {
        None => Err(ExportError::Config(crate::config::ConfigError::Missing {
            what: "the TestRail project",
            hint: "set TESTRAIL_PROJECT (ID or name) or `project` in testrail.toml",
        })),
        Some(ProjectRef::Id(id)) => Ok(client.get_project(*id).await?),
        Some(ProjectRef::Name(name)) => {
            let projects = client.get_projects().await?;
            projects
                .iter()
                .find(|project| project.name.eq_ignore_ascii_case(name))
                .cloned()
                .ok_or_else(|| ExportError::UnknownProject {
                    given: name.clone(),
                    known: projects
                        .iter()
                        .map(|p| format!("{} ({})", p.name, p.id))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        }
    }
}

/// The configured suites among `all` (every suite when none is configured).
pub fn select_suites(all: &[Suite], wanted: &[String]) -> Result<Vec<Suite>, ExportError> {
    if wanted.is_empty() {
        return Ok(all.to_vec());
    }
    wanted
        .iter()
        .map(|wanted| {
            all.iter()
                .find(|suite| match wanted.parse::<u64>() {
                    Ok(id) => suite.id == id,
                    Err(_) => suite.name.eq_ignore_ascii_case(wanted.trim()),
                })
                .cloned()
                .ok_or_else(|| ExportError::UnknownSuite {
                    given: wanted.clone(),
                    known: all
                        .iter()
                        .map(|s| format!("{} ({})", s.name, s.id))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        })
        .collect()
}

/// Whether a step-results field (`custom_step_results`, type 11) applies to the project,
/// and to which templates (`None`: all).
fn step_results_field(fields: &[FieldDef], project_id: u64) -> (bool, Option<BTreeSet<u64>>) {
    let applies = |field: &&FieldDef| {
        field.is_active
            && (field.system_name == "custom_step_results" || field.type_id == Some(11))
            && (field.configs.is_empty()
                || field.configs.iter().any(|config| {
                    config.context.is_global || config.context.project_ids.contains(&project_id)
                }))
    };
    match fields.iter().find(applies) {
        None => (false, None),
        Some(field) if field.include_all || field.template_ids.is_empty() => (true, None),
        Some(field) => (true, Some(field.template_ids.iter().copied().collect())),
    }
}
