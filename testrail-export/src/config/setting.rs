//! The table of every setting: its key in `testrail.toml`, its environment variable, its
//! harness flag, and what it means. Flags beat the environment, the environment beats the
//! file. The README's settings table is this table.

/// The type of a setting's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `true`/`false` (`1`/`0`, `yes`/`no` in the environment; a flag without value is true).
    Bool,
    /// Text.
    Text,
    /// A positive whole number.
    Number,
    /// A length of time in [`humantime`]'s syntax, the one of the attribute's `timeout`:
    /// `"60s"`, `"1m 30s"`, `"500ms"` (a string in the file).
    Duration,
    /// A comma-separated list (an array in the file).
    List,
}

/// One setting.
#[derive(Debug)]
pub struct Setting {
    /// The key in `testrail.toml`.
    pub key: &'static str,
    /// The environment variable.
    pub env: &'static str,
    /// The harness flag (after `cargo test --`), if the setting has one.
    pub flag: Option<&'static str>,
    /// The value type.
    pub kind: Kind,
    /// What it does (one line).
    pub help: &'static str,
}

macro_rules! settings {
    ($( $key:literal, $env:literal, $flag:expr, $kind:ident, $help:literal; )*) => {
        /// Every setting, in the order the documentation lists them.
        pub const SETTINGS: &[Setting] = &[
            $( Setting { key: $key, env: $env, flag: $flag, kind: Kind::$kind, help: $help }, )*
        ];
    };
}

settings! {
    "export", "TESTRAIL_EXPORT", Some("--testrail-export"), Bool, "send the results to TestRail when the run ends";
    "export_failure", "TESTRAIL_EXPORT_FAILURE", Some("--testrail-export-failure"), Text, "`fail` (default): an export that was asked for and sent nothing, or not everything, fails the run; `warn`: best effort, a line says what was not sent and how to send it later, the tests' exit code stays";
    "dry_run", "TESTRAIL_DRY_RUN", Some("--testrail-dry-run"), Bool, "print the requests the export would send (API key redacted), send nothing";
    "url", "TESTRAIL_URL", Some("--testrail-url"), Text, "TestRail address, e.g. https://acme.testrail.io (HTTPS unless loopback)";
    "user", "TESTRAIL_USER", Some("--testrail-user"), Text, "TestRail login (email address)";
    "api_key_file", "TESTRAIL_API_KEY_FILE", Some("--testrail-api-key-file"), Text, "file holding the API key (the key itself only ever comes from TESTRAIL_API_KEY or this file)";
    "project", "TESTRAIL_PROJECT", Some("--testrail-project"), Text, "project ID or name";
    "suites", "TESTRAIL_SUITES", Some("--testrail-suites"), List, "suite IDs or names whose cases are reported (empty: every suite of the project)";
    "run_id", "TESTRAIL_RUN_ID", Some("--testrail-run-id"), Number, "report into this existing run (adding missing cases to it)";
    "plan_id", "TESTRAIL_PLAN_ID", Some("--testrail-plan-id"), Number, "report into this existing plan (one new entry per suite)";
    "plan", "TESTRAIL_PLAN", Some("--testrail-plan"), Bool, "create a new plan instead of a run (one entry per suite)";
    "run_name", "TESTRAIL_RUN_NAME", Some("--testrail-run-name"), Text, "name of a new run or plan; {crate} {version} {date} {time} {commit} {session} are replaced";
    "run_description", "TESTRAIL_RUN_DESCRIPTION", Some("--testrail-run-description"), Text, "description of a new run or plan";
    "milestone_id", "TESTRAIL_MILESTONE_ID", Some("--testrail-milestone-id"), Number, "milestone of a new run or plan";
    "config_ids", "TESTRAIL_CONFIG_IDS", Some("--testrail-config-ids"), List, "configuration IDs of plan entries: their run is made for this combination (one ID per configuration group)";
    "version", "TESTRAIL_VERSION", Some("--testrail-version"), Text, "the `version` of every result (default: the git commit)";
    "close_run", "TESTRAIL_CLOSE_RUN", Some("--testrail-close-run"), Bool, "close the run or plan after `cargo testrail upload` (the harness leaves it open for the build's other binaries)";
    "skip_missing", "TESTRAIL_SKIP_MISSING", Some("--testrail-skip-missing"), Bool, "skip linked cases that no longer exist instead of stopping the export";
    "batch_size", "TESTRAIL_BATCH_SIZE", Some("--testrail-batch-size"), Number, "results per add_results_for_cases request (default 250)";
    "rate_limit", "TESTRAIL_RATE_LIMIT", Some("--testrail-rate-limit"), Number, "requests per minute the client allows itself (default 180)";
    "max_in_flight", "TESTRAIL_MAX_IN_FLIGHT", Some("--testrail-max-in-flight"), Number, "requests in flight at once (default 8)";
    "backoff", "TESTRAIL_BACKOFF", Some("--testrail-backoff"), Duration, "first wait before retrying a failed request, doubled each time (default `1s`); also the wait after a 429 without Retry-After, times five";
    "settle", "TESTRAIL_SETTLE", Some("--testrail-settle"), Duration, "how long a write whose answer was lost may take to land: its results are looked for until then before they are sent again (default `2m`)";
    "timeout", "TESTRAIL_TIMEOUT", Some("--testrail-timeout"), Duration, "how long to wait for one answer (default `60s`)";
    "ca_cert", "TESTRAIL_CA_CERT", Some("--testrail-ca-cert"), Text, "PEM file of an extra CA certificate to trust";
    "insecure", "TESTRAIL_INSECURE", Some("--testrail-insecure"), Bool, "do not verify TLS certificates (loudly warned; never in production)";
    "comment_budget", "TESTRAIL_COMMENT_BUDGET", Some("--testrail-comment-budget"), Number, "bytes per result comment and per step text (default 65536, at least 1024); a longer text is cut at a character boundary with a note, the full text stays in the spool";
    "elapsed_ms", "TESTRAIL_ELAPSED_MS", Some("--testrail-elapsed-ms"), Bool, "send elapsed times with milliseconds (0.005s) instead of whole seconds";
    "case_id_pattern", "TESTRAIL_CASE_ID_PATTERN", Some("--testrail-case-id-pattern"), Text, "`cargo testrail import junit`: a regular expression with one capture group that finds case IDs in test names and classnames, instead of the built-in `C123` grammar";
    "fail_on_unmatched", "TESTRAIL_FAIL_ON_UNMATCHED", Some("--testrail-fail-on-unmatched"), Bool, "`cargo testrail import junit`, `upload` and the test harness: exit non-zero when tests match no case (the matched ones are still sent)";
    "isolate", "TESTRAIL_ISOLATE", Some("--testrail-isolate"), Bool, "run each test in its own process (a child of the test binary): its stdout and stderr captured, shown under its failure and put in its comment; a crash (abort, segfault, `std::process::exit`) fails only that test, with run result Error";
    "session", "TESTRAIL_SESSION", None, Text, "session key: processes with the same key report into one run";
    "dir", "TESTRAIL_DIR", None, Text, "where spool files are kept (default target/testrail)";
    "config", "TESTRAIL_CONFIG", None, Text, "the configuration file to read instead of the nearest testrail.toml";
}

/// A setting's former name: a whole number of `unit`s, read as the duration setting
/// `replacement` with a line saying so.
#[derive(Debug)]
pub struct Renamed {
    /// The former key in `testrail.toml`.
    pub key: &'static str,
    /// The former environment variable.
    pub env: &'static str,
    /// The former harness flag.
    pub flag: &'static str,
    /// The key of the setting that replaces it.
    pub replacement: &'static str,
    /// What one of its counts is worth.
    pub unit: std::time::Duration,
    /// The unit's name, plural (`seconds`).
    pub unit_name: &'static str,
}

/// The former names of the duration settings, still read (each with a deprecation line).
pub const RENAMED: &[Renamed] = &[
    Renamed {
        key: "backoff_ms",
        env: "TESTRAIL_BACKOFF_MS",
        flag: "--testrail-backoff-ms",
        replacement: "backoff",
        unit: std::time::Duration::from_millis(1),
        unit_name: "milliseconds",
    },
    Renamed {
        key: "settle_secs",
        env: "TESTRAIL_SETTLE_SECS",
        flag: "--testrail-settle-secs",
        replacement: "settle",
        unit: std::time::Duration::from_secs(1),
        unit_name: "seconds",
    },
    Renamed {
        key: "timeout_secs",
        env: "TESTRAIL_TIMEOUT_SECS",
        flag: "--testrail-timeout-secs",
        replacement: "timeout",
        unit: std::time::Duration::from_secs(1),
        unit_name: "seconds",
    },
];

impl Renamed {
    /// The setting that replaces this one.
    pub fn setting(&self) -> &'static Setting {
        by_key(self.replacement).expect("every renamed setting has a replacement in SETTINGS")
    }
}

/// The candidate closest to `typed`, if it is close enough to be a likely typo: at most a
/// third of its characters edited (insertions, deletions, substitutions, swaps of two
/// neighbours, counted by [`strsim::osa_distance`]), at least one.
pub fn closest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let allowed = (typed.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (strsim::osa_distance(typed, candidate), candidate))
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// `" (did you mean `x`?)"` for the candidate closest to `typed`, or nothing.
pub fn did_you_mean<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(typed, candidates)
        .map(|candidate| format!(" (did you mean `{candidate}`?)"))
        .unwrap_or_default()
}

/// The setting with file key `key`.
pub fn by_key(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|setting| setting.key == key)
}

/// The former setting with file key `key`.
pub fn renamed_by_key(key: &str) -> Option<&'static Renamed> {
    RENAMED.iter().find(|renamed| renamed.key == key)
}

/// The former setting with harness flag `flag`.
pub fn renamed_by_flag(flag: &str) -> Option<&'static Renamed> {
    RENAMED.iter().find(|renamed| renamed.flag == flag)
}

/// The setting with harness flag `flag`.
pub fn by_flag(flag: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|setting| setting.flag == Some(flag))
}

/// The settings table in Markdown, as the README shows it.
pub fn markdown_table() -> String {
    let mut table = String::from(
        "| `testrail.toml` | environment | flag (after `cargo test --`) | meaning |\n|---|---|---|---|\n",
    );
    for setting in SETTINGS {
        let flag = setting
            .flag
            .map(|flag| format!("`{flag}`"))
            .unwrap_or_else(|| "".to_owned());
        table.push_str(&format!(
            "| `{}` | `{}` | {} | {} |\n",
            setting.key, setting.env, flag, setting.help
        ));
    }
    table.push_str("| – | `TESTRAIL_API_KEY` | – | the API key (never in the file, never on the command line) |\n");
    table
}

/// The README's lines on the former names, as the README shows them.
pub fn markdown_renamed() -> String {
    let mut text = String::from(
        "Durations (`backoff`, `settle`, `timeout`) are written like the attribute's `timeout`: \
         `\"60s\"`, `\"1m 30s\"`, `\"500ms\"`. Their former names still work and print a line \
         naming the new one:\n\n",
    );
    for renamed in RENAMED {
        let setting = renamed.setting();
        text.push_str(&format!(
            "- `{}` / `{}` / `{}` (a whole number of {}): use `{}` / `{}` / `{}`\n",
            renamed.key,
            renamed.env,
            renamed.flag,
            renamed.unit_name,
            setting.key,
            setting.env,
            setting.flag.unwrap_or_default(),
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_renamed_setting_has_a_duration_replacement() {
        for renamed in RENAMED {
            assert_eq!(renamed.setting().kind, Kind::Duration, "{}", renamed.key);
            assert!(
                by_key(renamed.key).is_none(),
                "{} is not also current",
                renamed.key
            );
        }
    }

    #[test]
    fn close_names_are_suggested_and_distant_ones_not() {
        let keys = || SETTINGS.iter().map(|setting| setting.key);
        assert_eq!(closest("projet", keys()), Some("project"));
        assert_eq!(closest("tiemout", keys()), Some("timeout"));
        assert_eq!(closest("run_idd", keys()), Some("run_id"));
        assert_eq!(closest("colour", keys()), None);
        assert_eq!(did_you_mean("urll", keys()), " (did you mean `url`?)");
        assert_eq!(did_you_mean("zzzzzz", keys()), "");
    }
}
