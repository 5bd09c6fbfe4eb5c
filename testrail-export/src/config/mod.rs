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
    #[error(
        "{origin}: unknown key `{key}`{suggestion}; known keys: {known}, [mapping], [fields], [case_fields]"
    )]
    UnknownKey {
        /// Where it came from.
        origin: Origin,
        /// The key as written.
        key: String,
        /// ` (did you mean `…`?)` for a close known key, else empty.
        suggestion: String,
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
    /// `[case_fields]`: `custom_*` case fields that `cargo testrail push` keeps set on every
    /// linked case; a text value is a template in which `{title}`, `{name}` (the function)
    /// and `{path}` (the test's path) are replaced.
    pub case_fields: BTreeMap<String, serde_json::Value>,
    /// The regular expression that finds case IDs in JUnit names (`cargo testrail`).
    pub case_id_pattern: Option<String>,
    /// Exit non-zero when tests match no case (`cargo testrail`).
    pub fail_on_unmatched: bool,
    /// One line for each former setting name that was read (`timeout_secs`,
    /// `TESTRAIL_SETTLE_SECS`, ...), naming where and what to write instead. Whoever loads
    /// the configuration prints them, so no old name is taken silently.
    pub deprecations: Vec<String>,
}

/// What a duration setting must look like, for error messages.
pub const DURATION_SYNTAX: &str = r#"a duration like "60s", "1m 30s" or "500ms""#;

/// Reads a duration setting's value: [`humantime`]'s syntax, the one of the attribute's
/// `timeout` (`"60s"`, `"1m 30s"`, `"500ms"`).
///
/// # Errors
/// [`humantime`]'s description of what is wrong (a missing unit, an unknown unit, ...).
pub fn parse_duration(text: &str) -> Result<Duration, humantime::DurationError> {
    humantime::parse_duration(text.trim())
}

/// The duration a former setting's whole number stands for.
fn renamed_value(renamed: &setting::Renamed, count: i64) -> Result<RawValue, String> {
    if count < 1 {
        return Err(format!("must be at least 1, not {count}"));
    }
    u32::try_from(count)
        .ok()
        .and_then(|count| renamed.unit.checked_mul(count))
        .map(RawValue::Duration)
        .ok_or_else(|| format!("is too large: {count}"))
}

/// The line that says a former setting name was read, and what to write instead.
fn deprecation(renamed: &setting::Renamed, origin: &Origin, value: &RawValue) -> String {
    let setting = renamed.setting();
    let value = match value {
        RawValue::Duration(duration) => humantime::format_duration(*duration).to_string(),
        _ => String::new(),
    };
    let instead = match origin {
        Origin::File { .. } => format!("write `{} = \"{value}\"`", setting.key),
        Origin::Env(_) => format!("set {}={value}", setting.env),
        Origin::Flag(_) => format!("pass {} {value}", setting.flag.unwrap_or_default()),
    };
    // The origin names an environment variable or a flag itself; in the file, the key.
    let old = match origin {
        Origin::File { .. } => format!("{origin}: `{}`", renamed.key),
        Origin::Env(_) | Origin::Flag(_) => origin.to_string(),
    };
    format!("testrail: warning: {old} is deprecated: {instead} instead")
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
    Duration(Duration),
    List(Vec<String>),
}

impl Config {
    /// Loads the configuration of a test binary: the file named by `TESTRAIL_CONFIG`, or
    /// `testrail.toml` found by walking up from `start_dir`; then the process environment;
    /// then `flags`.
    pub fn load(start_dir: &Path, flags: &HarnessFlags) -> Result<Config, ConfigError> {
        let file = testrail_formats::config_file::locate(start_dir);
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
        let mut case_fields = BTreeMap::new();
        let mut deprecations = Vec::new();
        if let Some(path) = file_path {
            let parsed = file::read(path)?;
            for (renamed, value, line) in parsed.renamed {
                let origin = Origin::File {
                    path: path.to_owned(),
                    line,
                };
                deprecations.push(deprecation(renamed, &origin, &value));
            }
            for (key, (value, line)) in parsed.settings {
                let origin = Origin::File {
                    path: path.to_owned(),
                    line,
                };
                raw.insert(key, Raw { value, origin });
            }
            mapping = parsed.mapping;
            fields = parsed.fields;
            case_fields = parsed.case_fields;
        }
        // Former names first, so that the current name wins when both are set.
        for renamed in setting::RENAMED {
            if let Some((_, value)) = env.iter().find(|(name, _)| name == renamed.env)
                && !value.trim().is_empty()
            {
                let origin = Origin::Env(renamed.env);
                let value = renamed_from_text(renamed, value, &origin)?;
                deprecations.push(deprecation(renamed, &origin, &value));
                raw.insert(renamed.replacement, Raw { value, origin });
            }
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
            if let Some(renamed) = setting::renamed_by_flag(flag) {
                let origin = Origin::Flag(renamed.flag);
                let value = renamed_from_text(renamed, value.as_deref().unwrap_or(""), &origin)?;
                deprecations.push(deprecation(renamed, &origin, &value));
                raw.insert(renamed.replacement, Raw { value, origin });
                continue;
            }
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
        let mut config = Resolver { raw }.build(file_path, api_key_env, mapping, fields)?;
        config.deprecations = deprecations;
        config.case_fields = case_fields;
        Ok(config)
    }
}

/// A former setting's value from the environment or a flag: a whole number of its unit.
fn renamed_from_text(
    renamed: &setting::Renamed,
    value: &str,
    origin: &Origin,
) -> Result<RawValue, ConfigError> {
    let value = value.trim();
    let bad = |reason: String| ConfigError::Value {
        origin: origin.clone(),
        key: renamed.key,
        reason,
    };
    let count = value
        .parse::<i64>()
        .map_err(|_| bad(format!("must be a whole number, not {value:?}")))?;
    renamed_value(renamed, count).map_err(bad)
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
        Kind::Duration => {
            RawValue::Duration(parse_duration(value).map_err(|error| {
                bad(format!("must be {DURATION_SYNTAX}, not {value:?}: {error}"))
            })?)
        }
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

    fn duration(&self, key: &'static str, default: Duration) -> Result<Duration, ConfigError> {
        match self.raw.get(key).map(|raw| &raw.value) {
            None => Ok(default),
            Some(RawValue::Duration(duration)) if !duration.is_zero() => Ok(*duration),
            Some(RawValue::Duration(_)) => Err(self.error(key, "must be longer than zero")),
            Some(_) => Err(self.error(key, format!("must be {DURATION_SYNTAX}"))),
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
        // Checked before `count`, whose "at least 1" would hide the budget's own minimum.
        let too_small = matches!(
            self.raw.get("comment_budget").map(|raw| &raw.value),
            Some(RawValue::Number(n)) if (*n as i128) < crate::text::MIN_COMMENT_BUDGET as i128
        );
        let comment_budget = match too_small {
            true => 0,
            false => count("comment_budget", crate::text::DEFAULT_COMMENT_BUDGET as u64)?,
        };
        if too_small || comment_budget < crate::text::MIN_COMMENT_BUDGET as u64 {
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
                        format!(
                            "must be \"fail\" or \"warn\", not {value:?}{}",
                            setting::did_you_mean(
                                &value.trim().to_ascii_lowercase(),
                                ["fail", "warn"]
                            )
                        ),
                    )
                })?,
            },
            url: self.text("url")?,
            user: self.text("user")?,
            api_key,
            project,
            suites: self.list("suites")?,
            target,
            run_name: match self.text("run_name")? {
                None => DEFAULT_RUN_NAME.to_owned(),
                Some(name) => {
                    if let Some(unknown) = unknown_placeholder(&name) {
                        return Err(self.error(
                            "run_name",
                            format!(
                                "{{{unknown}}} is not a placeholder: use {}{}",
                                RUN_NAME_PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(" "),
                                setting::did_you_mean(unknown, RUN_NAME_PLACEHOLDERS)
                            ),
                        ));
                    }
                    name
                }
            },
            run_description: self.text("run_description")?,
            milestone_id: self.number("milestone_id")?,
            config_ids: self.ids("config_ids")?,
            version: self.text("version")?,
            close_run: self.flag("close_run")?,
            skip_missing: self.flag("skip_missing")?,
            batch_size: batch_size as usize,
            rate_limit: u32::try_from(count("rate_limit", 180)?).unwrap_or(u32::MAX),
            max_in_flight: max_in_flight as usize,
            timeout: self.duration("timeout", Duration::from_secs(60))?,
            backoff: self.duration("backoff", Duration::from_secs(1))?,
            settle_window: self.duration("settle", Duration::from_secs(120))?,
            ca_cert: self.text("ca_cert")?.map(|path| expand_home(&path)),
            insecure: self.flag("insecure")?,
            elapsed_ms: self.flag("elapsed_ms")?,
            comment_budget: usize::try_from(comment_budget).unwrap_or(usize::MAX),
            mapping,
            fields,
            case_id_pattern: self.text("case_id_pattern")?,
            fail_on_unmatched: self.flag("fail_on_unmatched")?,
            case_fields: BTreeMap::new(),
            deprecations: Vec::new(),
        })
    }
}

/// The placeholders of `run_name`, replaced by [`crate::run_name`].
pub const RUN_NAME_PLACEHOLDERS: [&str; 6] =
    ["crate", "version", "date", "time", "commit", "session"];

/// The first `{word}` of `name` that is not a placeholder (a brace not closed around a word
/// is left as text).
fn unknown_placeholder(name: &str) -> Option<&str> {
    name.split('{').skip(1).find_map(|rest| {
        let word = rest.split_once('}')?.0;
        (!word.is_empty()
            && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !RUN_NAME_PLACEHOLDERS.contains(&word))
        .then_some(word)
    })
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
        let (_dir, path) =
            file("[case_fields]\ncustom_automation_id = \"{path}\"\ncustom_effort = 3\n");
        let config = Config::from_sources(Some(&path), &[], &HarnessFlags::default()).unwrap();
        assert_eq!(config.case_fields["custom_automation_id"], "{path}");
        assert_eq!(config.case_fields["custom_effort"], 3);
        let (_dir, path) = file("[case_fields]\nautomation_id = \"{path}\"\n");
        let error = Config::from_sources(Some(&path), &[], &HarnessFlags::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`automation_id` must start with custom_"),
            "{error}"
        );
        let (_dir, path) = file("[mapping]\nmod = \"basic\"\n");
        let error = Config::from_sources(Some(&path), &[], &HarnessFlags::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("testrail.toml:2: `mapping` is invalid: unknown field `mod`"),
            "{error}"
        );
        let (_dir, path) = file(
            "project = \"Shop\"\n\n# statuses\n[mapping]\nmode = \"basic\"\nskiped = \"Retest\"\n",
        );
        let error = Config::from_sources(Some(&path), &[], &HarnessFlags::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("testrail.toml:6: `mapping` is invalid: unknown field `skiped`"),
            "the key's own line: {error}"
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
        let renamed = setting::markdown_renamed();
        assert!(
            readme.contains(&renamed),
            "README.md must hold these lines on the former names:\n{renamed}"
        );
    }

    #[test]
    fn a_comment_budget_below_its_minimum_names_the_minimum_also_for_zero() {
        for value in ["0", "5", "-3"] {
            let error =
                Config::from_sources(None, &[], &flags(&["--testrail-comment-budget", value]))
                    .unwrap_err()
                    .to_string();
            assert!(
                error.contains("must be at least 1024 bytes"),
                "{value}: {error}"
            );
        }
    }

    #[test]
    fn an_unknown_run_name_placeholder_is_refused_with_a_suggestion() {
        let error = Config::from_sources(
            None,
            &env(&[("TESTRAIL_RUN_NAME", "Nightly {crate} {vesion} {date")]),
            &HarnessFlags::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("{vesion} is not a placeholder") && error.contains("`version`"),
            "{error}"
        );
        let config = Config::from_sources(
            None,
            &env(&[("TESTRAIL_RUN_NAME", "Nightly {crate} {date")]),
            &HarnessFlags::default(),
        )
        .unwrap();
        assert_eq!(config.run_name, "Nightly {crate} {date");
    }

    #[test]
    fn durations_take_the_attribute_syntax_in_every_source() {
        let (_dir, path) = file("timeout = \"1m 30s\"\nbackoff = \"250ms\"\n");
        let config = Config::from_sources(
            Some(&path),
            &env(&[("TESTRAIL_SETTLE", "5s")]),
            &flags(&["--testrail-backoff", "20ms"]),
        )
        .unwrap();
        assert_eq!(config.timeout, Duration::from_secs(90));
        assert_eq!(config.settle_window, Duration::from_secs(5));
        assert_eq!(config.backoff, Duration::from_millis(20));
        assert!(config.deprecations.is_empty(), "{:?}", config.deprecations);

        let config = Config::from_sources(None, &[], &HarnessFlags::default()).unwrap();
        assert_eq!(config.timeout, Duration::from_secs(60));
        assert_eq!(config.settle_window, Duration::from_secs(120));
        assert_eq!(config.backoff, Duration::from_secs(1));
    }

    #[test]
    fn malformed_durations_say_what_to_write() {
        let (_dir, path) = file("url = \"https://acme.testrail.io\"\ntimeout = 60\n");
        let error = Config::from_sources(Some(&path), &[], &HarnessFlags::default())
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            format!(
                "{}:2: `timeout` must be a duration like \"60s\", \"1m 30s\" or \"500ms\" in quotes, with its unit: \"60s\" or \"60ms\", not 60",
                path.display()
            )
        );
        let error = Config::from_sources(
            None,
            &env(&[("TESTRAIL_TIMEOUT", "30 parsecs")]),
            &HarnessFlags::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with(
                "environment variable TESTRAIL_TIMEOUT: `timeout` must be a duration like \"60s\""
            ),
            "{error}"
        );
        assert!(error.contains("\"parsecs\""), "{error}");
        let error = Config::from_sources(None, &[], &flags(&["--testrail-settle", "0s"]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "flag --testrail-settle: `settle` must be longer than zero"
        );
    }

    #[test]
    fn former_duration_names_still_work_and_say_what_to_write_instead() {
        let (_dir, path) = file("url = \"https://acme.testrail.io\"\ntimeout_secs = 30\n");
        let config = Config::from_sources(
            Some(&path),
            &env(&[("TESTRAIL_SETTLE_SECS", "3")]),
            &flags(&["--testrail-backoff-ms", "10"]),
        )
        .unwrap();
        assert_eq!(config.timeout, Duration::from_secs(30));
        assert_eq!(config.settle_window, Duration::from_secs(3));
        assert_eq!(config.backoff, Duration::from_millis(10));
        assert_eq!(
            config.deprecations,
            [
                format!(
                    "testrail: warning: {}:2: `timeout_secs` is deprecated: write `timeout = \"30s\"` instead",
                    path.display()
                ),
                "testrail: warning: environment variable TESTRAIL_SETTLE_SECS is deprecated: set TESTRAIL_SETTLE=3s instead".to_owned(),
                "testrail: warning: flag --testrail-backoff-ms is deprecated: pass --testrail-backoff 10ms instead".to_owned(),
            ]
        );
    }

    #[test]
    fn a_current_name_beats_its_former_name_from_the_same_source() {
        let (_dir, path) = file("timeout_secs = 30\ntimeout = \"5s\"\n");
        let config = Config::from_sources(
            Some(&path),
            &env(&[("TESTRAIL_SETTLE", "7s"), ("TESTRAIL_SETTLE_SECS", "3")]),
            &flags(&["--testrail-backoff", "1s", "--testrail-backoff-ms", "10"]),
        )
        .unwrap();
        assert_eq!(config.timeout, Duration::from_secs(5));
        assert_eq!(config.settle_window, Duration::from_secs(7));
        // Flags are read in order: the last one given wins, as for every flag.
        assert_eq!(config.backoff, Duration::from_millis(10));
        assert_eq!(config.deprecations.len(), 3, "{:?}", config.deprecations);
    }

    #[test]
    fn bad_former_values_name_the_former_key() {
        let error = Config::from_sources(
            None,
            &env(&[("TESTRAIL_TIMEOUT_SECS", "0")]),
            &HarnessFlags::default(),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            error,
            "environment variable TESTRAIL_TIMEOUT_SECS: `timeout_secs` must be at least 1, not 0"
        );
        let (_dir, path) = file("settle_secs = \"3s\"\n");
        let error = Config::from_sources(Some(&path), &[], &HarnessFlags::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.ends_with(":1: `settle_secs` must be a whole number"),
            "{error}"
        );
    }

    #[test]
    fn unknown_values_suggest_the_closest_known_value() {
        let error = Config::from_sources(
            None,
            &env(&[("TESTRAIL_EXPORT_FAILURE", "wran")]),
            &HarnessFlags::default(),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            error,
            "environment variable TESTRAIL_EXPORT_FAILURE: `export_failure` must be \"fail\" or \"warn\", not \"wran\" (did you mean `warn`?)"
        );
    }

    #[test]
    fn unknown_keys_suggest_the_closest_known_key() {
        let (_dir, path) = file("tiemout = \"5s\"\n");
        let error = Config::from_sources(Some(&path), &[], &HarnessFlags::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("unknown key `tiemout` (did you mean `timeout`?); known keys: "),
            "{error}"
        );
        let (_dir, path) = file("[mappings]\nmode = \"basic\"\n");
        let error = Config::from_sources(Some(&path), &[], &HarnessFlags::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("(did you mean `mapping`?)"), "{error}");
    }
}
