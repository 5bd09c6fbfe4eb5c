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
    "backoff_ms", "TESTRAIL_BACKOFF_MS", Some("--testrail-backoff-ms"), Number, "first wait before retrying a failed request, doubled each time (default 1000); also the wait after a 429 without Retry-After, times five";
    "settle_secs", "TESTRAIL_SETTLE_SECS", Some("--testrail-settle-secs"), Number, "how long a write whose answer was lost may take to land: its results are looked for until then before they are sent again (default 120)";
    "timeout_secs", "TESTRAIL_TIMEOUT_SECS", Some("--testrail-timeout-secs"), Number, "seconds to wait for one answer (default 60)";
    "ca_cert", "TESTRAIL_CA_CERT", Some("--testrail-ca-cert"), Text, "PEM file of an extra CA certificate to trust";
    "insecure", "TESTRAIL_INSECURE", Some("--testrail-insecure"), Bool, "do not verify TLS certificates (loudly warned; never in production)";
    "comment_budget", "TESTRAIL_COMMENT_BUDGET", Some("--testrail-comment-budget"), Number, "bytes per result comment and per step text (default 65536, at least 1024); a longer text is cut at a character boundary with a note, the full text stays in the spool";
    "elapsed_ms", "TESTRAIL_ELAPSED_MS", Some("--testrail-elapsed-ms"), Bool, "send elapsed times with milliseconds (0.005s) instead of whole seconds";
    "case_id_pattern", "TESTRAIL_CASE_ID_PATTERN", Some("--testrail-case-id-pattern"), Text, "`cargo testrail import junit`: a regular expression with one capture group that finds case IDs in test names and classnames, instead of the built-in `C123` grammar";
    "fail_on_unmatched", "TESTRAIL_FAIL_ON_UNMATCHED", Some("--testrail-fail-on-unmatched"), Bool, "`cargo testrail import junit`, `upload` and the test harness: exit non-zero when tests match no case (the matched ones are still sent)";
    "session", "TESTRAIL_SESSION", None, Text, "session key: processes with the same key report into one run";
    "dir", "TESTRAIL_DIR", None, Text, "where spool files are kept (default target/testrail)";
    "config", "TESTRAIL_CONFIG", None, Text, "the configuration file to read instead of the nearest testrail.toml";
}

/// The setting with file key `key`.
pub fn by_key(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|setting| setting.key == key)
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
