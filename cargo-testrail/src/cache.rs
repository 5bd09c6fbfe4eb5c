//! TestRail data the CLI shows and matches against: the project, its suites, and the
//! sections and cases of the configured suites, fetched once and cached under
//! `target/testrail/cache/` with the time it was fetched (`cases --refresh` fetches anew).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use testrail_api::{Case, CaseFilter, Client};
use testrail_export::config::{Config, ProjectRef};
use testrail_export::{self as export, catalog};

use crate::context::Workspace;
use crate::error::CliError;
use crate::progress;

/// The cache format version; other versions are fetched anew.
const VERSION: u32 = 1;

/// A copy of what TestRail holds for the configured project.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snapshot {
    /// [`VERSION`].
    pub version: u32,
    /// When it was fetched (UNIX seconds).
    pub fetched_at: u64,
    /// The TestRail address it came from.
    pub url: String,
    /// The project.
    pub project: ProjectInfo,
    /// Every suite of the project; `configured` marks those the configuration selects.
    pub suites: Vec<SuiteInfo>,
    /// Sections of the configured suites.
    pub sections: Vec<SectionInfo>,
    /// Cases of the configured suites.
    pub cases: Vec<CaseInfo>,
}

/// A project.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProjectInfo {
    /// ID.
    pub id: u64,
    /// Name.
    pub name: String,
    /// 1 single suite, 2 single suite with baselines, 3 multiple suites.
    pub suite_mode: Option<u64>,
}

/// A suite.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SuiteInfo {
    /// ID.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Whether the configuration selects it.
    pub configured: bool,
}

/// A section.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SectionInfo {
    /// ID.
    pub id: u64,
    /// Its suite.
    pub suite_id: u64,
    /// Name.
    pub name: String,
    /// The parent section.
    pub parent_id: Option<u64>,
    /// Position among its siblings.
    pub display_order: u64,
}

/// A case.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseInfo {
    /// ID.
    pub id: u64,
    /// Title.
    pub title: String,
    /// Its suite.
    pub suite_id: Option<u64>,
    /// Its section.
    pub section_id: Option<u64>,
    /// Last change (UNIX seconds).
    pub updated_on: Option<u64>,
    /// `custom_automation_id`, when the case has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automation_id: Option<String>,
}

impl CaseInfo {
    /// The summary of a case from the API.
    pub fn from_case(case: &Case) -> CaseInfo {
        CaseInfo {
            id: case.id.get(),
            title: case.title.clone(),
            suite_id: case.suite_id.map(|s| s.get()),
            section_id: case.section_id.map(|s| s.get()),
            updated_on: case.updated_on,
            automation_id: case
                .extra
                .get("custom_automation_id")
                .and_then(|value| value.as_str())
                .map(str::to_owned),
        }
    }
}

impl Snapshot {
    /// The configured suites.
    pub fn configured_suites(&self) -> impl Iterator<Item = &SuiteInfo> {
        self.suites.iter().filter(|suite| suite.configured)
    }

    /// A suite by ID.
    pub fn suite(&self, id: u64) -> Option<&SuiteInfo> {
        self.suites.iter().find(|suite| suite.id == id)
    }

    /// Cases by ID.
    pub fn cases_by_id(&self) -> BTreeMap<u64, &CaseInfo> {
        self.cases.iter().map(|case| (case.id, case)).collect()
    }

    /// The names of a section and its ancestors, outermost first.
    pub fn section_path(&self, section_id: u64) -> Vec<String> {
        let by_id: BTreeMap<u64, &SectionInfo> = self.sections.iter().map(|s| (s.id, s)).collect();
        let mut path = Vec::new();
        let mut next = Some(section_id);
        while let Some(id) = next {
            let Some(section) = by_id.get(&id) else { break };
            path.push(section.name.clone());
            next = section.parent_id;
            if path.len() > 64 {
                break;
            }
        }
        path.reverse();
        path
    }
}

/// The snapshot: from the cache when it is there and matches the configuration (and
/// `refresh` is off), else fetched from TestRail and cached. The flag tells whether it came
/// from the cache.
pub async fn load(
    workspace: &Workspace,
    config: &Config,
    refresh: bool,
) -> Result<(Snapshot, bool), CliError> {
    let path = cache_file(workspace, config);
    if !refresh
        && let Ok(bytes) = std::fs::read(&path)
        && let Ok(snapshot) = serde_json::from_slice::<Snapshot>(&bytes)
        && snapshot.version == VERSION
        && matches_config(&snapshot, config)
    {
        return Ok((snapshot, true));
    }
    let client = export::client(config)?;
    let snapshot = fetch(&client, config).await?;
    save(workspace, config, &snapshot);
    Ok((snapshot, false))
}

/// Writes the snapshot to the cache; a cache that cannot be written is only a warning.
pub fn save(workspace: &Workspace, config: &Config, snapshot: &Snapshot) {
    let path = cache_file(workspace, config);
    let written = serde_json::to_vec(snapshot)
        .map_err(|error| error.to_string())
        .and_then(|json| {
            testrail_formats::spool::write_atomically(&path, &json).map_err(|e| e.to_string())
        });
    if let Err(error) = written {
        crate::output::warn(format!("the TestRail data could not be cached: {error}"));
    }
}

fn matches_config(snapshot: &Snapshot, config: &Config) -> bool {
    let configured: Vec<String> = snapshot
        .configured_suites()
        .map(|suite| suite.id.to_string())
        .collect();
    let same_project = match &config.project {
        Some(ProjectRef::Id(id)) => snapshot.project.id == *id,
        Some(ProjectRef::Name(name)) => snapshot.project.name.eq_ignore_ascii_case(name),
        None => false,
    };
    let same_suites = if config.suites.is_empty() {
        snapshot.suites.iter().all(|suite| suite.configured)
    } else {
        config.suites.len() == configured.len()
            && config.suites.iter().all(|wanted| {
                snapshot.configured_suites().any(|suite| {
                    suite.id.to_string() == *wanted || suite.name.eq_ignore_ascii_case(wanted)
                })
            })
    };
    same_project && same_suites && Some(&snapshot.url) == config.url.as_ref()
}

/// The cache file of a TestRail address and project.
fn cache_file(workspace: &Workspace, config: &Config) -> PathBuf {
    let project = match &config.project {
        Some(ProjectRef::Id(id)) => id.to_string(),
        Some(ProjectRef::Name(name)) => name.clone(),
        None => String::new(),
    };
    let key = format!("{}|{project}", config.url.as_deref().unwrap_or_default());
    workspace
        .cache_dir()
        .join(format!("testrail-{:016x}.json", fnv1a(key.as_bytes())))
}

/// FNV-1a, 64 bits: a stable hash for file names.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Fetches the project, its suites, and the sections and cases of the configured suites.
pub async fn fetch(client: &Client, config: &Config) -> Result<Snapshot, CliError> {
    let spinner = progress::spinner("fetching the project from TestRail");
    let project = catalog::find_project(client, config).await?;
    let all_suites = client.get_suites(project.id).await?;
    let configured = catalog::select_suites(&all_suites, &config.suites)?;
    spinner.finish_and_clear();
    let bar = progress::bar(configured.len() as u64, "fetching cases");
    let mut sections = Vec::new();
    let mut cases = Vec::new();
    for suite in &configured {
        bar.set_message(format!("fetching {}", suite.name));
        let suite_param = Some(suite.id);
        for section in client.get_sections(project.id, suite_param).await? {
            sections.push(SectionInfo {
                id: section.id.get(),
                suite_id: section.suite_id.unwrap_or(suite.id).get(),
                name: section.name,
                parent_id: section.parent_id.map(|s| s.get()),
                display_order: section.display_order.unwrap_or(0),
            });
        }
        let filter = CaseFilter {
            suite_id: suite_param,
            ..CaseFilter::default()
        };
        for case in client.get_cases(project.id, &filter).await? {
            if !case.is_deleted {
                let mut info = CaseInfo::from_case(&case);
                info.suite_id = info.suite_id.or(Some(suite.id.get()));
                cases.push(info);
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(Snapshot {
        version: VERSION,
        fetched_at: now_secs(),
        url: config.url.clone().unwrap_or_default(),
        project: ProjectInfo {
            id: project.id.get(),
            name: project.name.clone(),
            suite_mode: project.suite_mode,
        },
        suites: all_suites
            .iter()
            .map(|suite| SuiteInfo {
                id: suite.id.get(),
                name: suite.name.clone(),
                configured: configured.iter().any(|c| c.id == suite.id),
            })
            .collect(),
        sections,
        cases,
    })
}

/// Now, in UNIX seconds.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
