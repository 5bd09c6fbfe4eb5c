//! JUnit XML from any framework (cargo-nextest, pytest, Surefire/Gradle, jest-junit,
//! mocha/Cypress, bats), read with quick-xml as the producers really write it:
//!
//! - every `<testcase>` at any depth: `<testsuite>` in `<testsuite>`, `<testsuites>` in
//!   `<testsuites>`, a `<testcase>` right under the root;
//! - character references to control characters (`&#27;[31m`, `&#x1B;`, `&#7;`) and raw
//!   control bytes, which XML 1.0 forbids but bats and some JavaScript reporters write
//!   (a NUL, by reference or raw, is dropped: it carries nothing and TestRail stores text);
//! - `time` values in the producers' locales (see [`parse_time`]);
//! - reruns: `flakyFailure`/`flakyError` (a pass after failed attempts), `rerunFailure`/
//!   `rerunError` (failed again), and a test listed twice in one suite of a file (a rerun written as a
//!   second `<testcase>`), all become the attempts of one test.
//!
//! What is odd in a file (times, repeated tests, bytes that are not UTF-8) is said once per
//! file in [`JunitFile::notes`].

use std::collections::BTreeMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// What a JUnit file holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JunitFile {
    /// Every test, in the order of the file; a test listed several times is one entry.
    pub cases: Vec<JunitCase>,
    /// What was odd in the file and how it was read, one line each.
    pub notes: Vec<String>,
}

/// One test of a JUnit file.
#[derive(Clone, Debug, PartialEq)]
pub struct JunitCase {
    /// The name of the innermost `<testsuite>` around it (empty when there is none).
    pub suite: String,
    /// `classname`, when set.
    pub classname: Option<String>,
    /// `name`.
    pub name: String,
    /// `file` of the test case, else of its suite.
    pub file: Option<String>,
    /// `line`, when set.
    pub line: Option<u32>,
    /// What happened.
    pub status: Status,
    /// `<property name value>` pairs of the test case.
    pub properties: Vec<(String, String)>,
    /// `<system-out>`.
    pub system_out: Option<String>,
    /// `<system-err>`.
    pub system_err: Option<String>,
    /// How many `<testcase>` elements the file has for this test (more than one for a
    /// rerun written as a second test case).
    pub listed: usize,
}

/// How a test ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// The test ran, once or more: the last attempt decides.
    Ran {
        /// Every attempt, in order (never empty).
        attempts: Vec<Run>,
    },
    /// `<skipped>`.
    Skipped {
        /// The reason: the `message` attribute, else the element's text.
        message: Option<String>,
    },
}

/// One attempt of a test.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// Why it failed; `None` when it passed.
    pub failure: Option<Failure>,
    /// Time of the attempt, in milliseconds (0 when the file does not say).
    pub elapsed_ms: u64,
}

/// A failure or an error.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// Whether it was an `<error>` (else a `<failure>`).
    pub error: bool,
    /// `message`, `type` and the text (or `<stackTrace>`), as one message.
    pub message: String,
}

impl JunitCase {
    /// `classname::name`, or the name alone.
    pub fn path(&self) -> String {
        match &self.classname {
            Some(classname) if !classname.is_empty() => format!("{classname}::{}", self.name),
            _ => self.name.clone(),
        }
    }

    /// The value of a property.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Total time over every attempt, in milliseconds.
    pub fn elapsed_ms(&self) -> u64 {
        match &self.status {
            Status::Ran { attempts } => attempts.iter().map(|run| run.elapsed_ms).sum(),
            Status::Skipped { .. } => 0,
        }
    }
}

/// A file that is not readable JUnit XML, with the place where reading stopped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}, column {column}: {reason}")]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong.
    pub reason: String,
}

/// How a `time` value was read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Time {
    /// A plain number of seconds.
    Plain(f64),
    /// A number with thousands separators (`1,024.5`, `1.024,5`, `1 024.5`).
    Grouped(f64),
    /// A number with a decimal comma (`0,03`, `1,5`).
    DecimalComma(f64),
    /// No value or an empty one.
    Missing,
    /// Not a number of seconds (negative, text, infinite).
    Invalid,
}

/// Reads a `time` value: seconds, as producers in any locale write them.
///
/// The rule: spaces, `'`, `_` are grouping; when both `,` and `.` occur, the one that
/// comes last is the decimal separator and the other is grouping (`1,024.5` and `1.024,5`
/// are 1024.5 s); a single `,` without `.` is a decimal comma (`0,160` is 0.16 s, `1,5` is
/// 1.5 s); several `,` (or several `.`) without the other are grouping (`1,024,000`).
///
/// ```text
/// "1,024.5"  → 1024.5 s     "14,029.3" → 14029.3 s
/// "0,03"     → 0.03 s       "0,160"    → 0.16 s      "1,5" → 1.5 s
/// ""         → Missing      "abc"      → Invalid     "-1"  → Invalid
/// ```
pub fn parse_time(raw: Option<&str>) -> Time {
    let Some(raw) = raw.map(str::trim).filter(|raw| !raw.is_empty()) else {
        return Time::Missing;
    };
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '\'' | '_' | '\u{a0}' | '\u{202f}'))
        .collect();
    let commas = compact.matches(',').count();
    let dots = compact.matches('.').count();
    let (text, kind): (String, fn(f64) -> Time) = match (commas, dots) {
        (0, 0 | 1) => (compact.clone(), Time::Plain),
        (0, _) => (compact.replace('.', ""), Time::Grouped),
        (1, 0) => (compact.replace(',', "."), Time::DecimalComma),
        (_, 0) => (compact.replace(',', ""), Time::Grouped),
        _ => {
            let last_comma = compact.rfind(',').unwrap_or(0);
            let last_dot = compact.rfind('.').unwrap_or(0);
            if last_dot > last_comma && dots == 1 {
                (compact.replace(',', ""), Time::Grouped)
            } else if last_comma > last_dot && commas == 1 {
                (compact.replace('.', "").replace(',', "."), Time::Grouped)
            } else {
                return Time::Invalid;
            }
        }
    };
    let spaced = compact.len() != raw.len();
    match text.parse::<f64>() {
        Ok(secs) if (0.0..1e9).contains(&secs) => match kind(secs) {
            Time::Plain(secs) if spaced => Time::Grouped(secs),
            time => time,
        },
        _ => Time::Invalid,
    }
}

impl Time {
    /// Milliseconds, rounded; 0 when missing or invalid.
    pub fn millis(self) -> u64 {
        match self {
            Time::Plain(secs) | Time::Grouped(secs) | Time::DecimalComma(secs) => {
                (secs * 1000.0).round() as u64
            }
            Time::Missing | Time::Invalid => 0,
        }
    }
}

/// Parses JUnit XML bytes: UTF-8 (with or without a byte order mark), UTF-16 (by its byte
/// order mark, or by `<?xml` written in UTF-16 without one, as Windows PowerShell's `>`
/// and `Out-File` write), or the ASCII-compatible encoding its declaration names
/// (`encoding="ISO-8859-1"`, `windows-1252`) when the bytes are not UTF-8. Bytes that fit
/// none of these are replaced by U+FFFD, and said.
pub fn parse_bytes(bytes: &[u8]) -> Result<JunitFile, ParseError> {
    use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((encoding, bom)) => (encoding, &bytes[bom..]),
        None if bytes.starts_with(b"<\0?\0") => (UTF_16LE, bytes),
        None if bytes.starts_with(b"\0<\0?") => (UTF_16BE, bytes),
        None => (UTF_8, bytes),
    };
    if encoding != UTF_8 {
        let (text, malformed) = encoding.decode_without_bom_handling(body);
        let mut file = parse(&text)?;
        if malformed {
            file.notes.push(format!(
                "the file is not valid {}: bytes that are not were replaced by U+FFFD",
                encoding.name()
            ));
        }
        return Ok(file);
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let mut file = parse(text)?;
        if let Some(declared) = declared_encoding(body).filter(|e| *e != UTF_8 && !text.is_ascii())
        {
            file.notes.push(format!(
                "the file declares encoding {} but its bytes are valid UTF-8: read as UTF-8",
                declared.name()
            ));
        }
        return Ok(file);
    }
    match declared_encoding(body).filter(|e| *e != UTF_8) {
        Some(declared) => {
            let (text, malformed) = declared.decode_without_bom_handling(body);
            let mut file = parse(&text)?;
            if malformed {
                file.notes.push(format!(
                    "the file is not valid {}: bytes that are not were replaced by U+FFFD",
                    declared.name()
                ));
            }
            Ok(file)
        }
        None => {
            let text = String::from_utf8_lossy(body);
            let mut file = parse(&text)?;
            file.notes.push(
                "the file is not UTF-8 and declares no other encoding: bytes that are not UTF-8 were replaced by \u{FFFD}"
                    .to_owned(),
            );
            Ok(file)
        }
    }
}

/// The ASCII-compatible encoding named by the XML declaration (`<?xml ... encoding="..."?>`).
fn declared_encoding(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(256)];
    let head = String::from_utf8_lossy(head);
    let declaration = head.trim_start().strip_prefix("<?xml")?;
    let declaration = &declaration[..declaration.find("?>")?];
    let after = &declaration[declaration.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|q| matches!(q, '"' | '\''))?;
    let label = &after[1..];
    let label = &label[..label.find(quote)?];
    encoding_rs::Encoding::for_label(label.trim().as_bytes()).filter(|e| e.is_ascii_compatible())
}

/// Where the text of the element being read goes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Sink {
    Nowhere,
    Element(usize),
    StackTrace(usize),
    SystemOut,
    SystemErr,
    Property(usize),
    Skipped,
}

/// A child of `<testcase>` that says how it ended.
#[derive(Debug, Default)]
struct Verdict {
    kind: &'static str,
    message: Option<String>,
    ty: Option<String>,
    time: Option<String>,
    text: String,
    stack_trace: String,
}

/// A `<testcase>` being read.
#[derive(Debug, Default)]
struct Open {
    depth: usize,
    suite: String,
    classname: Option<String>,
    name: String,
    file: Option<String>,
    line: Option<u32>,
    time: Option<String>,
    verdicts: Vec<Verdict>,
    skipped: Option<(Option<String>, String)>,
    not_run: Option<String>,
    failed: Option<String>,
    properties: Vec<(String, String)>,
    system_out: String,
    system_err: String,
}

/// Parses JUnit XML text.
pub fn parse(text: &str) -> Result<JunitFile, ParseError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().allow_dangling_amp = true;
    let at = |position: u64, reason: String| {
        let position = (position as usize).min(text.len());
        let position = (0..=position)
            .rev()
            .find(|p| text.is_char_boundary(*p))
            .unwrap_or(0);
        let before = &text[..position];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        ParseError {
            line,
            column,
            reason,
        }
    };
    // Open elements: name and start position.
    let mut stack: Vec<(String, u64)> = Vec::new();
    let mut sinks: Vec<Sink> = Vec::new();
    let mut suites: Vec<Suite> = Vec::new();
    let mut short: Vec<(String, usize, usize)> = Vec::new();
    let mut open: Option<Open> = None;
    let mut finished: Vec<Open> = Vec::new();
    let mut root: Option<String> = None;
    loop {
        let start = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|error| at(reader.error_position(), error.to_string()))?;
        let (event, empty) = match event {
            Event::Empty(element) => (Event::Start(element), true),
            other => (other, false),
        };
        match event {
            Event::Start(element) => {
                let name = local_name(&element);
                let attributes = attributes(&element)
                    .map_err(|reason| at(start, format!("<{name}>: {reason}")))?;
                if root.is_none() {
                    if !matches!(name.as_str(), "testsuites" | "testsuite" | "testcase") {
                        return Err(at(
                            start,
                            format!(
                                "the root element is <{name}>, not <testsuites> or <testsuite>"
                            ),
                        ));
                    }
                    root = Some(name.clone());
                }
                let attr = |key: &str| {
                    attributes
                        .iter()
                        .find(|(k, _)| k == key)
                        .map(|(_, v)| v.clone())
                };
                let parent_sink = sinks.last().copied().unwrap_or(Sink::Nowhere);
                let mut sink = Sink::Nowhere;
                match (name.as_str(), open.as_mut()) {
                    ("testsuite", None) => {
                        if let Some(parent) = suites.last_mut() {
                            parent.has_suites = true;
                        }
                        suites.push(Suite {
                            name: attr("name").unwrap_or_default(),
                            file: attr("file"),
                            declared: attr("tests").and_then(|t| t.trim().parse().ok()),
                            found: 0,
                            has_suites: false,
                        });
                    }
                    ("testcase", None) => {
                        let (suite, suite_file) = suites
                            .last_mut()
                            .map(|suite| {
                                suite.found += 1;
                                (suite.name.clone(), suite.file.clone())
                            })
                            .unwrap_or_default();
                        open = Some(Open {
                            depth: stack.len(),
                            suite,
                            classname: attr("classname").filter(|c| !c.is_empty()),
                            name: attr("name")
                                .filter(|name| !name.trim().is_empty())
                                .unwrap_or_else(|| "(unnamed)".to_owned()),
                            file: attr("file").or(suite_file),
                            line: attr("line").and_then(|l| l.trim().parse().ok()),
                            time: attr("time"),
                            not_run: not_run(attr("status"), attr("result")),
                            failed: failed(attr("status"), attr("result")),
                            ..Open::default()
                        });
                    }
                    ("testcase", Some(_)) => {
                        return Err(at(start, "a <testcase> inside a <testcase>".to_owned()));
                    }
                    (_, Some(case)) if stack.len() == case.depth + 1 => match name.as_str() {
                        "failure" | "error" | "flakyFailure" | "flakyError" | "rerunFailure"
                        | "rerunError" => {
                            case.verdicts.push(Verdict {
                                kind: kind_name(&name),
                                message: attr("message"),
                                ty: attr("type"),
                                time: attr("time"),
                                ..Verdict::default()
                            });
                            sink = Sink::Element(case.verdicts.len() - 1);
                        }
                        "skipped" => {
                            case.skipped = Some((attr("message"), String::new()));
                            sink = Sink::Skipped;
                        }
                        "system-out" => sink = Sink::SystemOut,
                        "system-err" => sink = Sink::SystemErr,
                        "property" => sink = property(case, &attr),
                        _ => {}
                    },
                    ("stackTrace", Some(_)) => {
                        if let Sink::Element(index) = parent_sink {
                            sink = Sink::StackTrace(index);
                        }
                    }
                    ("property", Some(case))
                        if !matches!(parent_sink, Sink::Element(_) | Sink::StackTrace(_)) =>
                    {
                        sink = property(case, &attr);
                    }
                    // The output of one attempt (nextest writes each rerun's) is left out: its
                    // failure text is the attempt's message.
                    ("system-out" | "system-err", Some(_)) => {}
                    // Other markup inside a text (`<br/>`, `<pre>`) keeps its text.
                    (_, Some(_)) => sink = parent_sink,
                    _ => {}
                }
                if empty {
                    close(
                        &name,
                        &stack,
                        &mut suites,
                        &mut open,
                        &mut finished,
                        &mut short,
                    );
                } else {
                    stack.push((name, start));
                    sinks.push(sink);
                }
            }
            Event::End(_) => {
                let (name, _) = stack.pop().unwrap_or_default();
                sinks.pop();
                close(
                    &name,
                    &stack,
                    &mut suites,
                    &mut open,
                    &mut finished,
                    &mut short,
                );
            }
            Event::Text(content) => {
                let raw = String::from_utf8_lossy(content.as_ref());
                append(&mut open, sinks.last().copied(), &unescape(&raw));
            }
            Event::CData(content) => {
                let raw = String::from_utf8_lossy(content.as_ref());
                append(&mut open, sinks.last().copied(), &raw.replace('\0', ""));
            }
            Event::GeneralRef(reference) => {
                let raw = String::from_utf8_lossy(reference.as_ref());
                append(
                    &mut open,
                    sinks.last().copied(),
                    &unescape(&format!("&{raw};")),
                );
            }
            Event::Eof => {
                if let Some((name, opened)) = stack.last() {
                    let opened = at(*opened, String::new());
                    return Err(at(
                        text.len() as u64,
                        format!(
                            "the file ends inside <{name}> (opened at line {}, column {}): it was cut off",
                            opened.line, opened.column
                        ),
                    ));
                }
                if root.is_none() {
                    return Err(at(0, "the file holds no XML element".to_owned()));
                }
                break;
            }
            Event::Empty(_)
            | Event::Comment(_)
            | Event::Decl(_)
            | Event::PI(_)
            | Event::DocType(_) => {}
        }
    }
    let mut file = finish(finished);
    if !short.is_empty() {
        let missing: usize = short
            .iter()
            .map(|(_, declared, found)| declared - found)
            .sum();
        let suites: Vec<String> = short
            .iter()
            .take(5)
            .map(|(name, declared, found)| {
                format!("\"{name}\" says tests=\"{declared}\", holds {found}")
            })
            .collect();
        let more = short.len().saturating_sub(5);
        file.notes.push(format!(
            "{missing} test(s) counted by their <testsuite> are not in the file, so nothing can be sent for them ({}{}); reporters leave out pending tests (mocha-junit-reporter without includePending) and the tests after a failed before-all hook",
            suites.join("; "),
            if more > 0 { format!("; and {more} more suite(s)") } else { String::new() }
        ));
    }
    Ok(file)
}

/// What the `status` and `result` attributes of a `<testcase>` say when the test did not
/// run: Google Test writes `status="notrun" result="suppressed"` for a disabled test and
/// `result="skipped"` for `GTEST_SKIP()`; CTest writes `status="notrun"` and
/// `status="disabled"`. Such a test is skipped, never passed.
fn not_run(status: Option<String>, result: Option<String>) -> Option<String> {
    let said = |value: &Option<String>, words: &[&str]| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| words.iter().any(|w| v.eq_ignore_ascii_case(w)))
            .map(str::to_owned)
    };
    let not_run = [
        "notrun", "disabled", "skipped", "skip", "ignored", "pending",
    ];
    if let Some(status) = said(&status, &not_run) {
        return Some(format!("status=\"{status}\""));
    }
    said(
        &result,
        &["suppressed", "skipped", "skip", "ignored", "notrun"],
    )
    .map(|result| format!("result=\"{result}\""))
}

/// What the `status` and `result` attributes of a `<testcase>` without a `<failure>` or
/// `<error>` say when the test failed (`status="fail"`, CTest and hand-written reports):
/// such a test is failed, never passed.
fn failed(status: Option<String>, result: Option<String>) -> Option<String> {
    let words = ["fail", "failed", "failure", "error", "errored"];
    [("status", status), ("result", result)]
        .into_iter()
        .find_map(|(key, value)| {
            let value = value?;
            let value = value.trim();
            words
                .iter()
                .any(|w| value.eq_ignore_ascii_case(w))
                .then(|| format!("{key}=\"{value}\""))
        })
}

fn kind_name(name: &str) -> &'static str {
    match name {
        "failure" => "failure",
        "error" => "error",
        "flakyFailure" => "flakyFailure",
        "flakyError" => "flakyError",
        "rerunFailure" => "rerunFailure",
        _ => "rerunError",
    }
}

fn property(case: &mut Open, attr: &dyn Fn(&str) -> Option<String>) -> Sink {
    match attr("name") {
        Some(name) => {
            case.properties
                .push((name, attr("value").unwrap_or_default()));
            Sink::Property(case.properties.len() - 1)
        }
        None => Sink::Nowhere,
    }
}

/// A `<testsuite>` being read.
#[derive(Debug)]
struct Suite {
    name: String,
    file: Option<String>,
    /// Its `tests` attribute: how many tests the producer says it holds.
    declared: Option<usize>,
    /// How many `<testcase>` elements it holds, at any depth.
    found: usize,
    /// Whether it holds `<testsuite>` elements (its count is then theirs, said by them).
    has_suites: bool,
}

fn close(
    name: &str,
    stack: &[(String, u64)],
    suites: &mut Vec<Suite>,
    open: &mut Option<Open>,
    finished: &mut Vec<Open>,
    short: &mut Vec<(String, usize, usize)>,
) {
    match name {
        "testsuite" if open.is_none() => {
            let Some(suite) = suites.pop() else { return };
            if let Some(parent) = suites.last_mut() {
                parent.found += suite.found;
            }
            if let Some(declared) = suite.declared.filter(|d| *d > suite.found)
                && !suite.has_suites
            {
                short.push((suite.name, declared, suite.found));
            }
        }
        "testcase" if open.as_ref().is_some_and(|case| case.depth == stack.len()) => {
            finished.extend(open.take());
        }
        _ => {}
    }
}

fn append(open: &mut Option<Open>, sink: Option<Sink>, text: &str) {
    let Some(case) = open.as_mut() else { return };
    let target = match sink.unwrap_or(Sink::Nowhere) {
        Sink::Nowhere => return,
        Sink::Element(index) => &mut case.verdicts[index].text,
        Sink::StackTrace(index) => &mut case.verdicts[index].stack_trace,
        Sink::SystemOut => &mut case.system_out,
        Sink::SystemErr => &mut case.system_err,
        Sink::Property(index) => {
            let value = &mut case.properties[index].1;
            value.push_str(text.trim());
            return;
        }
        Sink::Skipped => match case.skipped.as_mut() {
            Some((_, skipped)) => skipped,
            None => return,
        },
    };
    target.push_str(text);
}

fn local_name(element: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(element.local_name().as_ref()).into_owned()
}

fn attributes(element: &BytesStart<'_>) -> Result<Vec<(String, String)>, String> {
    let mut attributes = Vec::new();
    for attribute in element.attributes().with_checks(false) {
        let attribute = attribute.map_err(|error| error.to_string())?;
        let key = String::from_utf8_lossy(attribute.key.local_name().as_ref()).into_owned();
        let value = unescape(&String::from_utf8_lossy(&attribute.value));
        attributes.push((key, value));
    }
    Ok(attributes)
}

/// Resolves `&...;` references leniently: character references to any character (also the
/// control characters XML 1.0 forbids; NUL is dropped), the five XML entities, and anything
/// else left as written.
pub fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after
            .find(';')
            .filter(|end| *end <= 12 && !after[..*end].contains(['&', ' ', '<']));
        let Some(end) = end else {
            out.push('&');
            rest = after;
            continue;
        };
        let entity = &after[..end];
        let resolved = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "apos" => Some('\''),
            "quot" => Some('"'),
            _ => entity.strip_prefix('#').and_then(|number| {
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => number.parse::<u32>().ok(),
                }?;
                Some(char::from_u32(code).unwrap_or('\u{FFFD}'))
            }),
        };
        match resolved {
            Some('\0') => {}
            Some(c) => out.push(c),
            None => {
                out.push('&');
                out.push_str(entity);
                out.push(';');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out.retain(|c| c != '\0');
    out
}

/// `message`, then `type` when it adds something, then the text.
fn join_message(message: Option<&str>, ty: Option<&str>, text: Option<&str>) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if let Some(message) = message.map(str::trim).filter(|m| !m.is_empty()) {
        parts.push(message);
    }
    if let Some(ty) = ty.map(str::trim).filter(|t| !t.is_empty())
        && !parts.iter().any(|part| part.contains(ty))
    {
        parts.push(ty);
    }
    if let Some(text) = text.map(str::trim).filter(|t| !t.is_empty())
        && !parts.contains(&text)
    {
        parts.push(text);
    }
    if parts.is_empty() {
        "failed".to_owned()
    } else {
        parts.join("\n")
    }
}

/// Counts of the `time` values of a file that were not plain.
#[derive(Default)]
struct TimeNotes {
    grouped: Vec<String>,
    decimal_comma: Vec<String>,
    missing: usize,
    invalid: Vec<String>,
}

impl TimeNotes {
    fn read(&mut self, raw: Option<&str>) -> u64 {
        let time = parse_time(raw);
        let raw = raw.unwrap_or_default().to_owned();
        match time {
            Time::Plain(_) => {}
            Time::Grouped(_) => self.grouped.push(raw),
            Time::DecimalComma(_) => self.decimal_comma.push(raw),
            Time::Missing => self.missing += 1,
            Time::Invalid => self.invalid.push(raw),
        }
        time.millis()
    }

    fn into_notes(self, notes: &mut Vec<String>) {
        let examples = |values: &[String]| {
            values
                .iter()
                .take(3)
                .map(|v| format!("{v:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.grouped.is_empty() {
            notes.push(format!(
                "time: {} value(s) with thousands separators ({}) read as seconds, e.g. \"1,024.5\" = 1024.5 s",
                self.grouped.len(),
                examples(&self.grouped)
            ));
        }
        if !self.decimal_comma.is_empty() {
            notes.push(format!(
                "time: {} value(s) with a decimal comma ({}) read as seconds, e.g. \"0,160\" = 0.16 s",
                self.decimal_comma.len(),
                examples(&self.decimal_comma)
            ));
        }
        // `1,024` is 1.024 s in a decimal-comma locale, or 1024 s from a `#,##0.###` format
        // (Surefire 3.1): the smaller is taken, and said.
        let ambiguous: Vec<String> = self
            .decimal_comma
            .iter()
            .filter(|v| {
                v.trim()
                    .split_once(',')
                    .is_some_and(|(whole, fraction)| !whole.starts_with('0') && fraction.len() == 3)
            })
            .cloned()
            .collect();
        if !ambiguous.is_empty() {
            notes.push(format!(
                "time: {} could also be whole seconds with a thousands separator; read with a decimal comma, the smaller value (a producer that writes thousands without decimals should write plain numbers)",
                examples(&ambiguous)
            ));
        }
        if self.missing > 0 {
            notes.push(format!(
                "time: {} test case(s) without a time: their elapsed time is unknown (sent as the least TestRail takes, 1s)",
                self.missing
            ));
        }
        if !self.invalid.is_empty() {
            notes.push(format!(
                "time: {} value(s) that are not seconds ({}): their elapsed time is unknown (sent as the least TestRail takes, 1s)",
                self.invalid.len(),
                examples(&self.invalid)
            ));
        }
    }
}

/// Turns the read test cases into tests: one per `classname::name`, attempts in order.
fn finish(finished: Vec<Open>) -> JunitFile {
    let mut times = TimeNotes::default();
    let mut cases: Vec<JunitCase> = Vec::new();
    // A rerun is the same test listed again in the same suite; the same test in another suite
    // (another browser of karma, another project or shard) is another test.
    let mut index: BTreeMap<(String, Option<String>, String), usize> = BTreeMap::new();
    let mut both: Vec<String> = Vec::new();
    for open in finished {
        if (open.skipped.is_some() || open.not_run.is_some())
            && open
                .verdicts
                .iter()
                .any(|v| matches!(v.kind, "failure" | "error"))
        {
            both.push(match &open.classname {
                Some(classname) => format!("{classname}::{}", open.name),
                None => open.name.clone(),
            });
        }
        let elapsed_ms = times.read(open.time.as_deref());
        let case = one_case(open, elapsed_ms, &mut times);
        let key = (
            case.suite.clone(),
            case.classname.clone(),
            case.name.clone(),
        );
        match index.get(&key) {
            Some(&existing) => merge(&mut cases[existing], case),
            None => {
                index.insert(key, cases.len());
                cases.push(case);
            }
        }
    }
    let mut notes = Vec::new();
    if cases.is_empty() {
        notes.push("the file holds no <testcase>: nothing to import from it".to_owned());
    }
    times.into_notes(&mut notes);
    if !both.is_empty() {
        notes.push(format!(
            "{} test(s) are marked both skipped and failed, read as failed (a failure is never hidden; old minitest-junit and some SAP reporters write a skip this way): {}",
            both.len(),
            both.join(", ")
        ));
    }
    let repeated: Vec<String> = cases
        .iter()
        .filter(|case| case.listed > 1)
        .map(|case| format!("{} ({} times)", case.path(), case.listed))
        .collect();
    if !repeated.is_empty() {
        notes.push(format!(
            "{} test(s) listed more than once, each read as one test whose attempts are its listings in order (a listing followed by another is a failed attempt, even without a <failure>): {}",
            repeated.len(),
            repeated.join(", ")
        ));
    }
    JunitFile { cases, notes }
}

fn one_case(open: Open, elapsed_ms: u64, times: &mut TimeNotes) -> JunitCase {
    let failure = |verdict: &Verdict| Failure {
        error: verdict.kind.ends_with("rror"),
        message: strip_colour_remnants(&join_message(
            verdict.message.as_deref(),
            verdict.ty.as_deref(),
            Some(if verdict.stack_trace.trim().is_empty() {
                verdict.text.as_str()
            } else {
                verdict.stack_trace.as_str()
            }),
        )),
    };
    // Google Test writes one <failure> per failed assertion: all of them are the failure.
    let mains: Vec<&Verdict> = open
        .verdicts
        .iter()
        .filter(|v| matches!(v.kind, "failure" | "error"))
        .collect();
    let main = mains.first().copied();
    let earlier = open.verdicts.iter().filter(|v| v.kind.starts_with("flaky"));
    let later = open.verdicts.iter().filter(|v| v.kind.starts_with("rerun"));
    let mut retry = |verdict: &Verdict| Run {
        failure: Some(failure(verdict)),
        elapsed_ms: times.read(verdict.time.as_deref().or(Some("0"))),
    };
    let status = match (main, &open.skipped) {
        (Some(main), _) => {
            let mut attempts: Vec<Run> = earlier.map(&mut retry).collect();
            let mut first = failure(main);
            for other in &mains[1..] {
                let other = failure(other);
                first.error |= other.error;
                first.message.push_str("\n\n");
                first.message.push_str(&other.message);
            }
            attempts.push(Run {
                failure: Some(first),
                elapsed_ms,
            });
            attempts.extend(later.map(&mut retry));
            Status::Ran { attempts }
        }
        (None, Some((message, text))) => Status::Skipped {
            message: message
                .as_deref()
                .or(Some(text.as_str()))
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .or_else(|| {
                    open.not_run
                        .as_ref()
                        .map(|attr| format!("not run ({attr})"))
                }),
        },
        (None, None) if open.not_run.is_some() => Status::Skipped {
            message: open
                .not_run
                .as_ref()
                .map(|attr| format!("not run ({attr})")),
        },
        (None, None) => {
            let mut attempts: Vec<Run> = earlier.chain(later).map(&mut retry).collect();
            attempts.push(Run {
                failure: open.failed.as_ref().map(|attr| Failure {
                    error: false,
                    message: format!("failed ({attr}, without a <failure> element saying why)"),
                }),
                elapsed_ms,
            });
            Status::Ran { attempts }
        }
    };
    let text = |s: String| Some(strip_colour_remnants(&s)).filter(|s| !s.trim().is_empty());
    JunitCase {
        suite: open.suite,
        classname: open.classname,
        name: open.name,
        file: open.file,
        line: open.line,
        status,
        properties: open.properties,
        system_out: text(open.system_out),
        system_err: text(open.system_err),
        listed: 1,
    }
}

/// Removes what is left of ANSI colour sequences whose ESC the producer dropped because XML
/// 1.0 forbids it (vitest writes `message="[31mcolored[0m"`): `[<digits;...>m` runs, but
/// only in a text that holds a reset remnant (`[0m`, `[39m`, `[22m`, `[49m`), so that a
/// text like `[10m]` alone is kept.
fn strip_colour_remnants(text: &str) -> String {
    static RESET: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\[(0|39|49|22)m").expect("a valid regular expression")
    });
    static SGR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(\x1b)?\[[0-9]{1,3}(?:;[0-9]{1,3}){0,4}m")
            .expect("a valid regular expression")
    });
    if RESET.is_match(text) {
        // A sequence that still has its ESC is left whole for the colour stripping.
        SGR.replace_all(text, |captures: &regex::Captures<'_>| {
            match captures.get(1) {
                Some(_) => captures[0].to_owned(),
                None => String::new(),
            }
        })
        .into_owned()
    } else {
        text.to_owned()
    }
}

/// Adds a later listing of the same test: its attempts follow the earlier ones.
fn merge(into: &mut JunitCase, later: JunitCase) {
    into.listed += later.listed;
    let joined = |a: &mut Option<String>, b: Option<String>| match (a.as_mut(), b) {
        (Some(a), Some(b)) => {
            a.push_str("\n--- next listing ---\n");
            a.push_str(&b);
        }
        (None, Some(b)) => *a = Some(b),
        (_, None) => {}
    };
    joined(&mut into.system_out, later.system_out);
    joined(&mut into.system_err, later.system_err);
    for property in later.properties {
        if !into.properties.contains(&property) {
            into.properties.push(property);
        }
    }
    into.status = match (
        std::mem::replace(&mut into.status, Status::Skipped { message: None }),
        later.status,
    ) {
        (Status::Ran { mut attempts }, Status::Ran { attempts: more }) => {
            // A test is run again only after it failed: an earlier listing without a
            // failure (pytest-rerunfailures writes its reruns so) is a failed attempt.
            for attempt in attempts.iter_mut().filter(|a| a.failure.is_none()) {
                attempt.failure = Some(Failure {
                    error: false,
                    message: "failed: the test is listed again after this attempt, and the report gives no failure text for it".to_owned(),
                });
            }
            attempts.extend(more);
            Status::Ran { attempts }
        }
        (Status::Ran { attempts }, Status::Skipped { .. })
        | (Status::Skipped { .. }, Status::Ran { attempts }) => Status::Ran { attempts },
        (Status::Skipped { message }, Status::Skipped { message: other }) => Status::Skipped {
            message: message.or(other),
        },
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passed_once(case: &JunitCase) -> bool {
        matches!(&case.status, Status::Ran { attempts } if attempts.len() == 1 && attempts[0].failure.is_none())
    }

    #[test]
    fn surefire_style_root_and_timestamps_are_accepted() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="com.shop.CartTest" time="1,204.5" tests="2" timestamp="2024-05-01T10:00:00">
  <!-- a comment with <testcase> in it -->
  <testcase name="addsItem_C1" classname="com.shop.CartTest" time="0.5"/>
  <testcase name="removesItem" classname="com.shop.CartTest" time="0.1">
    <failure message="expected 0" type="AssertionError"><![CDATA[at Cart.java:10 <x>]]></failure>
    <system-out>removing &quot;1&quot; item</system-out>
  </testcase>
</testsuite>"#;
        let file = parse(xml).unwrap();
        let cases = &file.cases;
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].path(), "com.shop.CartTest::addsItem_C1");
        assert_eq!(cases[0].elapsed_ms(), 500);
        assert!(passed_once(&cases[0]));
        let Status::Ran { attempts } = &cases[1].status else {
            panic!("{:?}", cases[1].status)
        };
        let message = &attempts[0].failure.as_ref().unwrap().message;
        assert!(message.contains("expected 0"), "{message}");
        assert!(message.contains("at Cart.java:10 <x>"), "{message}");
        assert_eq!(cases[1].system_out.as_deref(), Some("removing \"1\" item"));
        assert!(file.notes.is_empty(), "{:?}", file.notes);
    }

    #[test]
    fn the_time_rule() {
        let secs = |raw: &str| parse_time(Some(raw));
        assert_eq!(secs("1,024.5"), Time::Grouped(1024.5));
        assert_eq!(secs("14,029.3"), Time::Grouped(14029.3));
        assert_eq!(secs("1.024,5"), Time::Grouped(1024.5));
        assert_eq!(secs("1 024.5"), Time::Grouped(1024.5));
        assert_eq!(secs("1,024,000"), Time::Grouped(1024000.0));
        assert_eq!(secs("0,03"), Time::DecimalComma(0.03));
        assert_eq!(secs("0,160"), Time::DecimalComma(0.16));
        assert_eq!(secs("1,5"), Time::DecimalComma(1.5));
        assert_eq!(secs("0.160"), Time::Plain(0.16));
        assert_eq!(secs("12"), Time::Plain(12.0));
        assert_eq!(secs(" 2.5 "), Time::Plain(2.5));
        assert_eq!(parse_time(None), Time::Missing);
        assert_eq!(secs(""), Time::Missing);
        assert_eq!(secs("abc"), Time::Invalid);
        assert_eq!(secs("-1"), Time::Invalid);
        assert_eq!(secs("NaN"), Time::Invalid);
        assert_eq!(secs("inf"), Time::Invalid);
        assert_eq!(secs("1,2,3.4,5"), Time::Invalid);
        assert_eq!(secs("0,160").millis(), 160);
        assert_eq!(secs("1,024.5").millis(), 1_024_500);
    }

    #[test]
    fn control_characters_are_accepted() {
        let xml = "<testsuite><testcase name=\"C1 &#27;[1mx&#0;\"><failure>&#27;[31mred&#x1B;[0m&#7;\u{1b}raw\0nul</failure></testcase></testsuite>";
        let file = parse(xml).unwrap();
        assert_eq!(file.cases[0].name, "C1 \u{1b}[1mx");
        let Status::Ran { attempts } = &file.cases[0].status else {
            panic!()
        };
        assert_eq!(
            attempts[0].failure.as_ref().unwrap().message,
            "\u{1b}[31mred\u{1b}[0m\u{7}\u{1b}rawnul"
        );
    }

    #[test]
    fn markup_inside_a_failure_keeps_its_text() {
        let xml = r#"<testsuite><testcase name="a"><failure message="m">line one<br/><pre>line two</pre></failure></testcase></testsuite>"#;
        let file = parse(xml).unwrap();
        let Status::Ran { attempts } = &file.cases[0].status else {
            panic!()
        };
        assert_eq!(
            attempts[0].failure.as_ref().unwrap().message,
            "m\nline oneline two"
        );
    }

    #[test]
    fn unknown_entities_and_dangling_ampersands_are_kept() {
        assert_eq!(unescape("a &nbsp; b & c &amp; &#65;"), "a &nbsp; b & c & A");
    }

    #[test]
    fn garbage_is_an_error_with_a_place_not_a_panic() {
        for text in [
            "not xml at all <<<",
            "",
            "<testsuites><testsuite name='x'><testcase",
            "<testsuites>\n<testsuite name='x'>\n<testcase name='a'>",
            "<html><body/></html>",
            "<testsuites><testsuite></testcase></testsuites>",
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.line >= 1 && error.column >= 1, "{text}: {error}");
        }
        let error = parse("<testsuites>\n<testsuite name='x'>\n<testcase name='a'>").unwrap_err();
        assert!(error.reason.contains("ends inside <testcase>"), "{error}");
        assert!(error.reason.contains("line 3"), "{error}");
    }

    #[test]
    fn every_testcase_at_any_depth() {
        let xml = r#"<testsuites><testsuites><testsuite name="a"><testsuite name="b">
<testcase name="deep"/></testsuite><testcase name="mid"/></testsuite></testsuites>
<testcase name="root"/><testsuite name="c"><testsuite name="d"><testsuite name="e">
<testcase name="deeper"/></testsuite></testsuite></testsuite></testsuites>"#;
        let file = parse(xml).unwrap();
        let found: Vec<(&str, &str)> = file
            .cases
            .iter()
            .map(|c| (c.suite.as_str(), c.name.as_str()))
            .collect();
        assert_eq!(
            found,
            [("b", "deep"), ("a", "mid"), ("", "root"), ("e", "deeper")]
        );
        let root = parse(r#"<testcase name="alone" time="1"/>"#).unwrap();
        assert_eq!(root.cases.len(), 1);
    }

    #[test]
    fn an_ambiguous_comma_is_read_small_and_said() {
        let xml = r#"<testsuite><testcase name="a" time="1,078"/><testcase name="b" time="0,160"/></testsuite>"#;
        let file = parse(xml).unwrap();
        assert_eq!(file.cases[0].elapsed_ms(), 1078);
        assert_eq!(file.cases[1].elapsed_ms(), 160);
        assert_eq!(file.notes.len(), 2, "{:?}", file.notes);
        assert!(file.notes[1].contains("\"1,078\"") && !file.notes[1].contains("0,160"));
    }

    #[test]
    fn a_rerun_listed_twice_is_one_test_with_two_attempts() {
        let xml = r#"<testsuite><testcase classname="k" name="t" time="1"><failure message="first"/></testcase>
<testcase classname="k" name="t" time="1.5"/></testsuite>"#;
        let file = parse(xml).unwrap();
        assert_eq!(file.cases.len(), 1);
        assert_eq!(file.cases[0].listed, 2);
        assert_eq!(file.cases[0].elapsed_ms(), 2500);
        let Status::Ran { attempts } = &file.cases[0].status else {
            panic!()
        };
        assert_eq!(attempts.len(), 2);
        assert!(attempts[0].failure.is_some() && attempts[1].failure.is_none());
        assert!(
            file.notes.iter().any(|n| n.contains("k::t (2 times)")),
            "{:?}",
            file.notes
        );
    }

    #[test]
    fn status_and_result_attributes_that_say_not_run_are_skips() {
        let xml = r#"<testsuite name="s">
<testcase name="a" status="notrun" result="suppressed"/>
<testcase name="b" status="run" result="skipped"/>
<testcase name="c" status="disabled"/>
<testcase name="d" status="run" result="completed"/>
<testcase name="e" status="notrun"><failure message="m"/></testcase>
<testcase name="f" status="fail"/>
<testcase name="g" status="passed"/>
</testsuite>"#;
        let file = parse(xml).unwrap();
        let kinds: Vec<(&str, bool)> = file
            .cases
            .iter()
            .map(|c| (c.name.as_str(), matches!(c.status, Status::Skipped { .. })))
            .collect();
        assert_eq!(
            kinds,
            [
                ("a", true),
                ("b", true),
                ("c", true),
                ("d", false),
                ("e", false),
                ("f", false),
                ("g", false)
            ]
        );
        let failed = |i: usize| match &file.cases[i].status {
            Status::Ran { attempts } => attempts[0].failure.clone(),
            Status::Skipped { .. } => None,
        };
        assert!(failed(3).is_none() && failed(6).is_none());
        assert!(failed(5).is_some_and(|f| f.message.contains("status=\"fail\"")));
        assert_eq!(
            file.cases[0].status,
            Status::Skipped {
                message: Some("not run (status=\"notrun\")".to_owned())
            }
        );
    }

    #[test]
    fn encodings_by_byte_order_mark_sniffing_and_declaration() {
        let xml = "<?xml version=\"1.0\" encoding=\"X\"?><testsuite><testcase name=\"Gr\u{f6}\u{df}e\"/></testsuite>";
        let name = |bytes: &[u8]| parse_bytes(bytes).unwrap().cases[0].name.clone();
        let utf16 = |text: &str, big: bool| -> Vec<u8> {
            text.encode_utf16()
                .flat_map(|u| {
                    if big {
                        u.to_be_bytes()
                    } else {
                        u.to_le_bytes()
                    }
                })
                .collect()
        };
        let with = |label: &str| xml.replace('X', label);
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16(&with("UTF-16"), false));
        assert_eq!(name(&le), "Gr\u{f6}\u{df}e");
        assert_eq!(name(&utf16(&with("UTF-16"), true)), "Gr\u{f6}\u{df}e");
        let latin1: Vec<u8> = with("ISO-8859-1").chars().map(|c| c as u8).collect();
        assert_eq!(name(&latin1), "Gr\u{f6}\u{df}e");
        assert_eq!(name(with("UTF-8").as_bytes()), "Gr\u{f6}\u{df}e");
        let lying = parse_bytes(with("ISO-8859-1").as_bytes()).unwrap();
        assert_eq!(lying.cases[0].name, "Gr\u{f6}\u{df}e");
        assert!(
            lying.notes.iter().any(|n| n.contains("valid UTF-8")),
            "{:?}",
            lying.notes
        );
    }

    #[test]
    fn tests_a_suite_counts_but_does_not_hold_are_said() {
        let xml = r#"<testsuites tests="9"><testsuite name="outer" tests="5">
<testsuite name="a" tests="3"><testcase name="x"/></testsuite>
<testsuite name="b" tests="1"><testcase name="y"/><testcase name="z"/></testsuite>
</testsuite></testsuites>"#;
        let file = parse(xml).unwrap();
        let notes: Vec<&String> = file.notes.iter().filter(|n| n.contains("holds")).collect();
        assert_eq!(notes.len(), 1, "{:?}", file.notes);
        assert!(
            notes[0].starts_with("2 test(s) counted")
                && notes[0].contains("\"a\" says tests=\"3\", holds 1"),
            "{notes:?}"
        );
    }

    #[test]
    fn colour_remnants_without_their_escape_are_removed() {
        assert_eq!(strip_colour_remnants("[31mcolored[0m"), "colored");
        assert_eq!(
            strip_colour_remnants("[1;31mbold red[22m[39m text"),
            "bold red text"
        );
        assert_eq!(
            strip_colour_remnants("distance [10m] to go"),
            "distance [10m] to go"
        );
        assert_eq!(strip_colour_remnants("arr[0] = 1"), "arr[0] = 1");
    }
}
