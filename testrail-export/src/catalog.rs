//! What TestRail holds that the export needs: the project, the configured suites, the cases
//! of those suites (paged through `get_cases`, not one request per case, and only when
//! needed), and which case templates record step results.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::{Config, ProjectRef};
use testrail_api::{CaseFilter, Client, FieldDef, Project, Suite};

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

/// How each linked case relates to the configuration: one state shared by every case (one
/// configured suite whose cases were not read: nothing per case), or one per case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseStates {
    every: Option<CaseState>,
    each: BTreeMap<u64, CaseState>,
}

impl CaseStates {
    /// `state` for every case.
    pub fn every(state: CaseState) -> CaseStates {
        CaseStates {
            every: Some(state),
            each: BTreeMap::new(),
        }
    }

    /// The state of `case_id`; `None` for a case never classified.
    pub fn get(&self, case_id: u64) -> Option<CaseState> {
        self.each.get(&case_id).copied().or(self.every)
    }
}

impl From<BTreeMap<u64, CaseState>> for CaseStates {
    fn from(each: BTreeMap<u64, CaseState>) -> CaseStates {
        CaseStates { every: None, each }
    }
}

/// The project and the configured suites; their cases once [`Catalog::scan`] ran.
pub struct Catalog {
    /// The project.
    pub project: Project,
    /// The configured suites (every suite of the project when none is configured).
    pub suites: Vec<Suite>,
    /// Cases of the configured suites, by ID: (suite, template); `None` until scanned.
    pub cases: Option<BTreeMap<u64, (u64, Option<u64>)>>,
}

impl Catalog {
    /// Loads the project and the configured suites: one or two requests.
    pub async fn load(client: &Client, config: &Config) -> Result<Catalog, ExportError> {
        let project = find_project(client, config).await?;
        let suites = match suite_ids(&config.suites) {
            // Suites given by ID need no lookup; TestRail checks them when the run is made.
            Some(ids) => ids
                .into_iter()
                .map(|id| {
                    serde_json::from_value(
                        serde_json::json!({ "id": id, "name": format!("S{id}") }),
                    )
                })
                .collect::<Result<_, _>>()
                .map_err(|_| ExportError::Unexpected("a suite ID does not fit a suite"))?,
            None => select_suites(&client.get_suites(project.id).await?, &config.suites)?,
        };
        Ok(Catalog {
            project,
            suites,
            cases: None,
        })
    }

    /// The only configured suite, when there is exactly one: every linked case can then be
    /// assumed to be in it until TestRail says otherwise.
    pub fn single_suite(&self) -> Option<u64> {
        match self.suites.as_slice() {
            [suite] => Some(suite.id.get()),
            _ => None,
        }
    }

    /// Pages through the cases of the configured suites (`get_cases`, 250 per request).
    pub async fn scan(&mut self, client: &Client) -> Result<(), ExportError> {
        let mut cases = BTreeMap::new();
        for suite in &self.suites {
            let filter = CaseFilter {
                suite_id: Some(suite.id),
                ..CaseFilter::default()
            };
            for case in client.get_cases(self.project.id, &filter).await? {
                cases.insert(
                    case.id.get(),
                    (suite.id.get(), case.template_id.map(|t| t.get())),
                );
            }
        }
        self.cases = Some(cases);
        Ok(())
    }

    /// Classifies linked cases after a [`Catalog::scan`]; those outside the configured
    /// suites are looked up one by one (`get_case`), which tells Unconfigured from Missing.
    pub async fn classify(
        &self,
        client: &Client,
        case_ids: &BTreeSet<u64>,
    ) -> Result<BTreeMap<u64, CaseState>, ExportError> {
        let known = self
            .cases
            .as_ref()
            .ok_or(ExportError::Unexpected("cases classified before the scan"))?;
        let mut states = BTreeMap::new();
        for case_id in case_ids {
            let state = match known.get(case_id) {
                Some((suite_id, template_id)) => CaseState::Known {
                    suite_id: *suite_id,
                    template_id: *template_id,
                },
                None => match client.get_case(*case_id).await {
                    Ok(case) => CaseState::Unconfigured {
                        suite_id: case.suite_id.map(|s| s.get()),
                    },
                    Err(testrail_api::Error::BadRequest { .. }) => CaseState::Missing,
                    Err(error) => return Err(error.into()),
                },
            };
            states.insert(*case_id, state);
        }
        Ok(states)
    }
}

/// Which case templates record step results (`custom_step_results`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepResults {
    /// No template of the project does.
    None,
    /// Every template does.
    All,
    /// These templates do.
    Templates(BTreeSet<u64>),
}

impl StepResults {
    /// Reads the project's result fields.
    pub async fn load(client: &Client, project_id: u64) -> Result<StepResults, ExportError> {
        Ok(step_results_field(
            &client.get_result_fields().await?,
            project_id,
        ))
    }

    /// Whether results of cases with this template take `custom_step_results`.
    pub fn for_template(&self, template_id: Option<u64>) -> bool {
        match (self, template_id) {
            (StepResults::None, _) => false,
            (StepResults::All, _) => true,
            (StepResults::Templates(templates), Some(template)) => templates.contains(&template),
            (StepResults::Templates(_), None) => false,
        }
    }
}

fn suite_ids(wanted: &[String]) -> Option<Vec<u64>> {
    if wanted.is_empty() {
        return None;
    }
    wanted
        .iter()
        .map(|suite| suite.trim().parse().ok())
        .collect()
}

/// The configured project (by ID, or by name among `get_projects`); used by `cargo testrail`.
pub async fn find_project(client: &Client, config: &Config) -> Result<Project, ExportError> {
    match &config.project {
        None => Err(crate::config::ConfigError::Missing {
            what: "the TestRail project",
            hint: "set TESTRAIL_PROJECT (ID or name) or `project` in testrail.toml",
        }
        .into()),
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
                    Ok(id) => suite.id.get() == id,
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
/// and to which templates.
fn step_results_field(fields: &[FieldDef], project_id: u64) -> StepResults {
    let applies = |field: &&FieldDef| {
        field.is_active
            && (field.system_name == "custom_step_results" || field.type_id == Some(11))
            && (field.configs.is_empty()
                || field.configs.iter().any(|config| {
                    config.context.is_global
                        || config.context.project_ids.contains(&project_id.into())
                }))
    };
    match fields.iter().find(applies) {
        None => StepResults::None,
        Some(field) if field.include_all || field.template_ids.is_empty() => StepResults::All,
        Some(field) => StepResults::Templates(field.template_ids.iter().map(|t| t.get()).collect()),
    }
}
