//! Export configuration: `testrail.toml`, environment variables and harness flags, merged
//! in that order (flags beat the environment, the environment beats the file).
//!
//! Every setting is listed once, in [`setting::SETTINGS`]. The API key never comes from
//! the file or a flag: only from `TESTRAIL_API_KEY` or the file named by `api_key_file`.

pub mod file;
pub mod intent;
pub mod mapping;
pub mod setting;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::flags::HarnessFlags;
use mapping::MappingConfig;
use setting::{Kind, SETTINGS, Setting};
use testrail_api::ApiKey;

/// Where a setting's value came from, for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `testrail.toml`, at a line.
    File {
        /// The file.
        path: PathBuf,
        /// 1-based line of the key, when found.
        line: Option<usize>,
    },
    /// An environment variable.
    Env(&'static str),
    /// A harness flag.
    Flag(&'static str),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::File {
                path,
                line: Some(line),
            } => write!(f, "{}:{line}", path.display()),
            Origin::File { path, line: None } => write!(f, "{}", path.display()),
            Origin::Env(name) => write!(f, "environment variable {name}"),
            Origin::Flag(name) => write!(f, "flag {name}"),
        }
    }
}

/// A configuration problem, naming where the bad value came from.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `testrail.toml` could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `testrail.toml` is not valid TOML or has an unknown key or a value of the wrong type.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// The parser's message, which names the line and the key.
        message: String,
    },
    /// A value is malformed.
    #[error("{origin}: `{key}` {reason}")]
    Value {
        /// Where it came from.
        origin: Origin,
        /// The setting.
        key: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A key of `testrail.toml` that no setting has.
    #[error("{origin}: unknown key `{key}`; known keys: {known}, [mapping], [fields]")]
    UnknownKey {
        /// Where it came from.
        origin: Origin,
        /// The key as written.
        key: String,
        /// Every key a file may hold, comma-separated.
        known: String,
    },
    /// A setting the export needs is missing.
    #[error("{what} is not set: {hint}")]
    Missing {
        /// The setting.
        what: &'static str,
        /// How to set it.
        hint: &'static str,
    },
    /// Two settings contradict each other.
    #[error("{0}")]
    Conflict(String),
}

/// Which project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProjectRef {
    /// By ID.
    Id(u64),
    /// By name, exactly as TestRail shows it.
    Name(String),
}

/// Where the results go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A new run (the default).
    NewRun,
    /// An existing run.
    Run(u64),
    /// A new plan, one entry per suite.
    NewPlan,
    /// An existing plan: new entries are added to it.
    Plan(u64),
}

/// What a failed export does to the exit code (`export_failure`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExportFailure {
    /// The default: an export that was asked for and did not deliver fails the run.
    #[default]
    Fail,
    /// Best effort: say what was not sent and how to send it later, keep the tests' code.
    Warn,
}

impl ExportFailure {
    /// Reads `fail` or `warn` (any case); `None` for anything else.
    pub fn parse(value: &str) -> Option<ExportFailure> {
        match value.trim().to_ascii_lowercase().as_str() {
            "fail" => Some(ExportFailure::Fail),
            "warn" => Some(ExportFailure::Warn),
            _ => None,
        }
    }
}

/// The merged configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The `testrail.toml` that was read, if any.
    pub file: Option<PathBuf>,
    /// Whether to export at all.
    pub export: bool,
    /// Whether to print instead of sending.
    pub dry_run: bool,
    /// Whether a failed export fails the run or only warns.
    pub export_failure: ExportFailure,
    /// TestRail's address.
    pub url: Option<String>,
    /// The login.
    pub user: Option<String>,
    /// The API key.
    pub api_key: Option<ApiKey>,
    /// The project.
    pub project: Option<ProjectRef>,
    /// The suites to report (IDs or names); empty means all.
    pub suites: Vec<String>,
    /// Where results go.
    pub target: Target,
    /// Name template of a new run or plan.
    pub run_name: String,
    /// Description of a new run or plan.
    pub run_description: Option<String>,
    /// Milestone of a new run or plan.
    pub milestone_id: Option<u64>,
    /// Configuration IDs of plan entries.
    pub config_ids: Vec<u64>,
    /// The `version` of results.
    pub version: Option<String>,
    /// Close the run or plan afterwards.
    pub close_run: bool,
    /// Skip missing cases instead of stopping.
    pub skip_missing: bool,
    /// Results per request.
    pub batch_size: usize,
    /// Requests per minute.
    pub rate_limit: u32,
    /// Requests in flight.
    pub max_in_flight: usize,
    /// Wait for one answer.
    pub timeout: Duration,
    /// First wait before a retry.
    pub backoff: Duration,
    /// How long a write whose answer was lost may take to land at TestRail.
    pub settle_window: Duration,
    /// Extra CA certificate.
    pub ca_cert: Option<PathBuf>,
    /// Skip TLS verification.
    pub insecure: bool,
    /// Elapsed with milliseconds.
    pub elapsed_ms: bool,
    /// Bytes per result comment and per step text (see [`crate::text`]).
    pub comment_budget: usize,
    /// Status mapping.
    pub mapping: MappingConfig,
    /// `custom_*` result fields sent with every result.
    pub fields: BTreeMap<String, serde_json::Value>,
    /// The regular expression that finds case IDs in JUnit names (`cargo testrail`).
    pub case_id_pattern: Option<String>,
    /// Exit non-zero when tests match no case (`cargo testrail`).
    pub fail_on_unmatched: bool,
}

/// The default name template of a new run.
pub const DEFAULT_RUN_NAME: &str = "{crate} {version} {date} {time}";

/// A raw value and where it came from.
#[derive(Clone, Debug)]
struct Raw {
    value: RawValue,
    origin: Origin,
}

#[derive(Clone, Debug)]
enum RawValue {
    Text(String),
    Bool(bool),
    Number(i64),
    List(Vec<String>),
}

impl Config {
    /// Loads the configuration of a test binary: the file named by `TESTRAIL_CONFIG`, or
    /// `testrail.toml` found by walking up from `start_dir`; then the process environment;
    /// then `flags`.
    pub fn load(start_dir: &Path, flags: &HarnessFlags) -> Result<Config, ConfigError> {
        let file = config_file(start_dir);
        let env: Vec<(String, String)> = std::env::vars().collect();
        Config::from_sources(file.as_deref(), &env, flags)
    }

    /// Builds the configuration from explicit sources (what [`Config::load`] does, minus
    /// the discovery), so that tools and tests can pass their own.
    pub fn from_sources(
        file_path: Option<&Path>,
        env: &[(String, String)],
        flags: &HarnessFlags,
    ) -> Result<Config, ConfigError> {
        let mut raw: BTreeMap<&'static str, Raw> = BTreeMap::new();
        let mut mapping = MappingConfig::default();
        let mut fields = BTreeMap::new();
        if let Some(path) = file_path {
            let parsed = file::read(path)?;
            for (key, (value, line)) in parsed.settings {
                let origin = Origin::File {
                    path: path.to_owned(),
                    line,
                };
                raw.insert(key, Raw { value, origin });
            }
            mapping = parsed.mapping;
            fields = parsed.fields;
        }
        for setting in SETTINGS {
            if let Some((_, value)) = env.iter().find(|(name, _)| name == setting.env)
                && !value.trim().is_empty()
            {
                let origin = Origin::Env(setting.env);
                raw.insert(
                    setting.key,
                    Raw {
                        value: env_value(setting, value, &origin)?,
                        origin,
                    },
                );
            }
        }
        for (flag, value) in &flags.given {
            let Some(setting) = setting::by_flag(flag) else {
                continue;
            };
            let origin = Origin::Flag(setting.flag.unwrap_or_default());
            let value = match value {
                None => RawValue::Bool(true),
                Some(value) => env_value(setting, value, &origin)?,
            };
            raw.insert(setting.key, Raw { value, origin });
        }
        let api_key_env = env
            .iter()
            .find(|(name, _)| name == "TESTRAIL_API_KEY")
            .map(|(_, value)| ApiKey::new(value.trim()))
            .filter(|key| !key.is_empty());
        Resolver { raw }.build(file_path, api_key_env, mapping, fields)
    }
}

/// The configuration file a process started in `start_dir` reads: the one named by
/// `TESTRAIL_CONFIG`, else the nearest `testrail.toml` (see [`file::find`]).
pub fn config_file(start_dir: &Path) -> Option<PathBuf> {
    match std::env::var_os("TESTRAIL_CONFIG") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => file::find(start_dir),
    }
}

fn env_value(setting: &Setting, value: &str, origin: &Origin) -> Result<RawValue, ConfigError> {
    let value = value.trim();
    let bad = |reason: String| ConfigError::Value {
        origin: origin.clone(),
        key: setting.key,
        reason,
    };
    Ok(match setting.kind {
        Kind::Text => RawValue::Text(value.to_owned()),
        Kind::List => RawValue::List(
            value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        Kind::Bool => RawValue::Bool(parse_bool(value).ok_or_else(|| {
            bad(format!(
                "must be true or false (1/0, yes/no), not {value:?}"
            ))
        })?),
        Kind::Number => RawValue::Number(
            value
                .parse()
                .map_err(|_| bad(format!("must be a whole number, not {value:?}")))?,
        ),
    })
}

/// A switch's value as the environment and flags spell it: `1`/`0`, `true`/`false`,
/// `yes`/`no`, `on`/`off`, in any case; `None` for anything else.
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

struct Resolver {
    raw: BTreeMap<&'static str, Raw>,
}

impl Resolver {
    fn error(&self, key: &'static str, reason: impl Into<String>) -> ConfigError {
        let origin = self
            .raw
            .get(key)
            .map(|raw| raw.origin.clone())
            .unwrap_or(Origin::Env(""));
        ConfigError::Value {
            origin,
            key,
            reason: reason.into(),
        }
    }

    fn text(&self, key: &'static str) -> Result<Option<String>, ConfigError> {
        match self.raw.get(key).map(|raw| &raw.value) {
            None => Ok(None),
            Some(RawValue::Text(text)) => Ok(Some(text.clone())),
            Some(RawValue::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(self.error(key, "must be text")),
        }
    }

    fn flag(&self, key: &'static str) -> Result<bool, ConfigError> {
        match self.raw.get(key).map(|raw| &raw.value) {
            None => Ok(false),
            Some(RawValue::Bool(value)) => Ok(*value),
            Some(_) => Err(self.error(key, "must be true or false")),
        }
    }

    fn number(&self, key: &'static str) -> Result<Option<u64>, ConfigError> {
        match self.raw.get(key).map(|raw| &raw.value) {
            None => Ok(None),
            Some(RawValue::Number(n)) if *n > 0 => Ok(Some(*n as u64)),
            Some(RawValue::Number(n)) => {
                Err(self.error(key, format!("must be at least 1, not {n}")))
            }
            Some(_) => Err(self.error(key, "must be a whole number")),
        }
    }

    fn list(&self, key: &'static str) -> Result<Vec<String>, ConfigError> {
        match self.raw.get(key).map(|raw| &raw.value) {
            None => Ok(Vec::new()),
            Some(RawValue::List(items)) => Ok(items.clone()),
            Some(RawValue::Text(text)) => Ok(vec![text.clone()]),
            Some(RawValue::Number(n)) => Ok(vec![n.to_string()]),
            Some(_) => Err(self.error(key, "must be a list")),
        }
    }

    fn ids(&self, key: &'static str) -> Result<Vec<u64>, ConfigError> {
        self.list(key)?
            .iter()
            .map(|item| {
                item.parse::<u64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| {
                        self.error(key, format!("must hold IDs (whole numbers), not {item:?}"))
                    })
            })
            .collect()
    }

    fn build(
        self,
        file_path: Option<&Path>,
        api_key_env: Option<ApiKey>,
        mapping: MappingConfig,
        fields: BTreeMap<String, serde_json::Value>,
    ) -> Result<Config, ConfigError> {
        let api_key = match api_key_env {
            Some(key) => Some(key),
            None => match self.text("api_key_file")? {
                None => None,
                Some(path) => {
                    let path = expand_home(&path);
                    let key = std::fs::read_to_string(&path).map_err(|error| {
                        self.error(
                            "api_key_file",
                            format!("names a file that cannot be read: {error}"),
                        )
                    })?;
                    Some(ApiKey::new(key.trim())).filter(|key| !key.is_empty())
                }
            },
        };
        let project = self
            .text("project")?
            .map(|project| match project.trim().parse::<u64>() {
                Ok(id) => ProjectRef::Id(id),
                Err(_) => ProjectRef::Name(project.trim().to_owned()),
            });
        let run_id = self.number("run_id")?;
        let plan_id = self.number("plan_id")?;
        let new_plan = self.flag("plan")?;
        let target = match (run_id, plan_id, new_plan) {
            (Some(_), Some(_), _) => {
                return Err(ConfigError::Conflict(
                    "both run_id and plan_id are set: report into a run or into a plan, not both"
                        .into(),
                ));
            }
            (Some(run), None, _) => Target::Run(run),
            (None, Some(plan), _) => Target::Plan(plan),
            (None, None, true) => Target::NewPlan,
            (None, None, false) => Target::NewRun,
        };
        let count = |key, default: u64| -> Result<u64, ConfigError> {
            Ok(self.number(key)?.unwrap_or(default))
        };
        let max_in_flight = count("max_in_flight", 8)?;
        if max_in_flight > 64 {
            return Err(self.error("max_in_flight", "must be at most 64"));
        }
        let batch_size = count("batch_size", 250)?;
        if batch_size > 250 {
            return Err(self.error(
                "batch_size",
                "must be at most 250 (TestRail's maximum per request)",
            ));
        }
        let comment_budget = count("comment_budget", crate::text::DEFAULT_COMMENT_BUDGET as u64)?;
        if comment_budget < crate::text::MIN_COMMENT_BUDGET as u64 {
            return Err(self.error(
                "comment_budget",
                format!(
                    "must be at least {} bytes (room for the cut note and the session line)",
                    crate::text::MIN_COMMENT_BUDGET
                ),
            ));
        }
        Ok(Config {
            file: file_path.map(Path::to_path_buf),
            export: self.flag("export")?,
            dry_run: self.flag("dry_run")?,
            export_failure: match self.text("export_failure")? {
                None => ExportFailure::Fail,
                Some(value) => ExportFailure::parse(&value).ok_or_else(|| {
                    self.error(
                        "export_failure",
                        format!("must be \"fail\" or \"warn\", not {value:?}"),
                    )
                })?,
            },
            url: self.text("url")?,
            user: self.text("user")?,
            api_key,
            project,
            suites: self.list("suites")?,
            target,
            run_name: self
                .text("run_name")?
                .unwrap_or_else(|| DEFAULT_RUN_NAME.to_owned()),
            run_description: self.text("run_description")?,
            milestone_id: self.number("milestone_id")?,
            config_ids: self.ids("config_ids")?,
            version: self.text("version")?,
            close_run: self.flag("close_run")?,
            skip_missing: self.flag("skip_missing")?,
            batch_size: batch_size as usize,
            rate_limit: u32::try_from(count("rate_limit", 180)?).unwrap_or(u32::MAX),
            max_in_flight: max_in_flight as usize,
            timeout: Duration::from_secs(count("timeout_secs", 60)?),
            backoff: Duration::from_millis(count("backoff_ms", 1000)?),
            settle_window: Duration::from_secs(count("settle_secs", 120)?),
            ca_cert: self.text("ca_cert")?.map(|path| expand_home(&path)),
            insecure: self.flag("insecure")?,
            elapsed_ms: self.flag("elapsed_ms")?,
            comment_budget: usize::try_from(comment_budget).unwrap_or(usize::MAX),
            mapping,
            fields,
            case_id_pattern: self.text("case_id_pattern")?,
            fail_on_unmatched: self.flag("fail_on_unmatched")?,
        })
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("testrail.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    fn flags(args: &[&str]) -> HarnessFlags {
        let args = std::iter::once("bin".to_owned()).chain(args.iter().map(|a| a.to_string()));
        HarnessFlags::split(args).unwrap().0
    }

    #[test]
    fn flags_beat_the_environment_which_beats_the_file() {
        let (_dir, path) = file("project = \"From file\"\nrun_id = 3\nbatch_size = 100\n");
        let config = Config::from_sources(
            Some(&path),
            &env(&[("TESTRAIL_PROJECT", "From env"), ("TESTRAIL_RUN_ID", "4")]),
            &flags(&["--testrail-run-id", "5"]),
        )
        .unwrap();
        assert_eq!(config.project, Some(ProjectRef::Name("From env".into())));
        assert_eq!(config.target, Target::Run(5));
        assert_eq!(config.batch_size, 100);
        assert_eq!(config.file.as_deref(), Some(path.as_path()));
    }

    #[test]
    fn unknown_keys_name_the_file_line_and_key() {
        let (_dir, path) = file("url = \"https://acme.testrail.io\"\n\nprojet = \"Shop\"\n");
        let error = Config::from_sources(Some(&path), &[], &HarnessFlags::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("testrail.toml:3"), "{error}");
        assert!(error.contains("unknown key `projet`"), "{error}");
    }

    #[test]
    fn malformed_values_name_the_file_line_and_key() {
        let (_dir, path) = file("url = \"https://acme.testrail.io\"\nclose_run = \"yes\"\n");
        let error = Config::from_sources(Some(&path), &[], &HarnessFlags::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("testrail.toml:2: `close_run` must be true or false"),
            "{error}"
        );

        let (_dir, path) = file("url = \"https://acme\n");
        let error = Config::from_sources(Some(&path), &[], &HarnessFlags::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("testrail.toml") && error.contains("line 1"),
            "{error}"
        );
    }

    #[test]
    fn syntax_errors_do_not_quote_the_line() {
        let (_dir, path) = file("url = \"https://acme.testrail.io\"\napi_key = \"s3cret\n");
        let error = Config::from_sources(Some(&path), &[], &HarnessFlags::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("testrail.toml: line 2"), "{error}");
        assert!(!error.contains("s3cret"), "{error}");
    }

    #[test]
    fn the_api_key_is_refused_in_the_file() {
        let (_dir, path) = file("api_key = \"abc\"\n");
        let error = Config::from_sources(Some(&path), &[], &HarnessFlags::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("TESTRAIL_API_KEY"), "{error}");
        assert!(!error.contains("abc"), "{error}");
    }

    #[test]
    fn the_api_key_comes_from_the_environment_or_a_key_file() {
        let (dir, _) = file("");
        let key_file = dir.path().join("key");
        std::fs::write(&key_file, "from-file\n").unwrap();
        let key_file = key_file.display().to_string();
        let config = Config::from_sources(
            None,
            &env(&[("TESTRAIL_API_KEY_FILE", &key_file)]),
            &HarnessFlags::default(),
        )
        .unwrap();
        assert!(config.api_key.is_some());
        assert!(
            !format!("{config:?}").contains("from-file"),
            "Debug hides the key"
        );
        let config = Config::from_sources(
            None,
            &env(&[("TESTRAIL_API_KEY", "from-env")]),
            &HarnessFlags::default(),
        )
        .unwrap();
        assert!(!format!("{config:?}").contains("from-env"));
    }

    #[test]
    fn bad_environment_values_name_the_variable() {
        let error = Config::from_sources(
            None,
            &env(&[("TESTRAIL_RUN_ID", "R12")]),
            &HarnessFlags::default(),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            error,
            "environment variable TESTRAIL_RUN_ID: `run_id` must be a whole number, not \"R12\""
        );
        let error = Config::from_sources(
            None,
            &env(&[("TESTRAIL_EXPORT", "maybe")]),
            &HarnessFlags::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("TESTRAIL_EXPORT"), "{error}");
    }

    #[test]
    fn run_and_plan_ids_exclude_each_other() {
        let error = Config::from_sources(
            None,
            &env(&[("TESTRAIL_RUN_ID", "1"), ("TESTRAIL_PLAN_ID", "2")]),
            &HarnessFlags::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("not both"), "{error}");
    }

    #[test]
    fn mapping_and_fields_come_from_the_file() {
        let (_dir, path) = file(
            "[mapping]\nmode = \"advanced\"\n[mapping.labels]\nUndecided = \"Needs review\"\n[fields]\ncustom_environment = \"staging\"\n",
        );
        let config = Config::from_sources(Some(&path), &[], &HarnessFlags::default()).unwrap();
        assert_eq!(config.mapping.mode, mapping::Mode::Advanced);
        assert_eq!(config.fields["custom_environment"], "staging");
        let (_dir, path) = file("[mapping]\nmod = \"basic\"\n");
        let error = Config::from_sources(Some(&path), &[], &HarnessFlags::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("testrail.toml:1: `mapping` is invalid: unknown field `mod`"),
            "{error}"
        );
    }

    #[test]
    fn the_readme_holds_the_settings_table() {
        let readme = include_str!("../../../README.md");
        let table = setting::markdown_table();
        assert!(
            readme.contains(&table),
            "README.md must hold this settings table:\n{table}"
        );
    }
}
