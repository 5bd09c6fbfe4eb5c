//! Snapshot tests of what users see, with `insta`: a process's exit code and both streams as
//! one text, and the filters that make it the same on every machine and every run (ports,
//! temporary paths, durations, dates, PIDs, session keys, UUIDs). Shared by the root tests
//! and by `cargo-testrail`'s (through `#[path]`).
//!
//! A mismatch fails the test. Outside CI a new or changed snapshot is written next to the
//! old one as `.snap.new` for `cargo insta review`; with `CI` set (or `INSTA_UPDATE=no`)
//! nothing is written and a missing snapshot fails too.

/// The text pinned for one process: the command line, its exit code and both streams.
pub fn shown(command: &str, code: Option<i32>, stdout: &str, stderr: &str) -> String {
    let code = code.map_or_else(|| "killed by a signal".to_owned(), |code| code.to_string());
    let command = command.trim_end();
    format!("$ {command}\nexit code: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}")
}

/// `text` with every character that has a meaning in a regular expression escaped, so a
/// literal (a path, a key) can be an insta filter.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Settings that replace each literal of `literals` by its placeholder (longest first, so a
/// path inside another is replaced as the outer one), then what varies between runs.
pub fn settings(literals: &[(&str, &str)]) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let mut literals: Vec<(&str, &str)> = literals
        .iter()
        .copied()
        .filter(|(literal, _)| !literal.is_empty())
        .collect();
    literals.sort_by_key(|(literal, _)| std::cmp::Reverse(literal.len()));
    for (literal, placeholder) in literals {
        settings.add_filter(&escape(literal), placeholder);
    }
    for (pattern, placeholder) in FILTERS {
        settings.add_filter(pattern, *placeholder);
    }
    settings
}

/// What differs between runs and machines, in the order the filters apply.
const FILTERS: &[(&str, &str)] = &[
    // Temporary directories (`tempfile`'s `.tmpXXXXXX`), wherever they live.
    (r"(/[^\s`'\x22]*)?/\.tmp[A-Za-z0-9]{6}", "[TMP]"),
    // Ports of the simulator and of any local address.
    (r"(127\.0\.0\.1|localhost):\d{2,5}", "$1:[PORT]"),
    // UUIDs.
    (
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[UUID]",
    ),
    // Dates and times of day.
    (
        r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?",
        "[DATE]",
    ),
    // Moments as UNIX times in JSON (`"fetched_at": 1796021589`).
    (r#""(\w+_at)": \d{9,}"#, "\"$1\": [UNIX_TIME]"),
    // How long a test run took (libtest's last line); fixed durations (a timeout, a time
    // read from a file) stay.
    (r"finished in \d+(\.\d+)?s", "finished in [DURATION]"),
    // The thread ID Rust prints with a panic: `thread 'main' (4242) panicked`.
    (r"thread '([^']*)' \(\d+\)", "thread '$1' ([TID])"),
    // Spool files are named by the binary and its process ID.
    (r"-\d+\.jsonl\b", "-[PID].jsonl"),
    // Sessions of `import junit` are named by a hash of the files' paths.
    (r"\bjunit-[0-9a-f]{16}\b", "junit-[HASH]"),
    // Session keys made from a process ID and its start time.
    (r"\b(cargo|process)-\d+-\d+\b", "$1-[PID]-[START]"),
    // Process IDs.
    (r"\b(pid|process|PID) \d+", "$1 [PID]"),
];
