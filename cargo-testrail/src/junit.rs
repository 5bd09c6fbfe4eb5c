//! JUnit XML from any framework (cargo-nextest, pytest, Surefire, jest-junit) read with
//! quick-junit, after a tolerant clean-up of what other tools write differently: a
//! `<testsuite>` root (Surefire, old pytest), timestamps without a time zone, times with
//! thousands separators.

use std::path::Path;

use quick_junit::{NonSuccessKind, Report, TestCaseStatus, TestRerun};

use crate::error::CliError;

/// One `<testcase>`.
#[derive(Clone, Debug, PartialEq)]
pub struct JunitCase {
    /// The `<testsuite>` name.
    pub suite: String,
    /// `classname`, when set.
    pub classname: Option<String>,
    /// `name`.
    pub name: String,
    /// `file`, when set.
    pub file: Option<String>,
    /// `line`, when set.
    pub line: Option<u32>,
    /// Time spent, in milliseconds.
    pub elapsed_ms: u64,
    /// What happened.
    pub status: Status,
    /// `<property name value>` pairs of the test case.
    pub properties: Vec<(String, String)>,
    /// `<system-out>`.
    pub system_out: Option<String>,
    /// `<system-err>`.
    pub system_err: Option<String>,
}

/// How a test case ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// Passed; `failed_attempts` are earlier attempts that failed (`<flakyFailure>`).
    Passed {
        /// Failed attempts before the pass.
        failed_attempts: Vec<Failure>,
    },
    /// `<failure>` or `<error>`, after `earlier` failed attempts (`<rerunFailure>`).
    Failed {
        /// The final failure.
        failure: Failure,
        /// Earlier failed attempts.
        earlier: Vec<Failure>,
    },
    /// `<skipped>`.
    Skipped {
        /// The reason.
        message: Option<String>,
    },
}

/// A failure or error.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// Whether it was an `<error>` (else a `<failure>`).
    pub error: bool,
    /// `message`, `type` and the text, as one message.
    pub message: String,
    /// Time of the attempt, in milliseconds.
    pub elapsed_ms: u64,
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
}

/// Reads the test cases of a JUnit file.
pub fn read(path: &Path) -> Result<Vec<JunitCase>, CliError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| CliError::io("read", path, source))?;
    parse(&text).map_err(|reason| CliError::Junit {
        path: path.to_owned(),
        reason,
    })
}

/// Parses JUnit XML text.
pub fn parse(text: &str) -> Result<Vec<JunitCase>, String> {
    let cleaned = clean(text);
    let report = Report::deserialize_from_str(&cleaned).map_err(|error| error.to_string())?;
    let mut cases = Vec::new();
    for suite in &report.test_suites {
        for case in &suite.test_cases {
            let extra = |key: &str| {
                case.extra
                    .iter()
                    .find(|(k, _)| k.as_str() == key)
                    .map(|(_, v)| v.as_str().to_owned())
            };
            let elapsed_ms = ms(case.time);
            let status = match &case.status {
                TestCaseStatus::Success { flaky_runs } => Status::Passed {
                    failed_attempts: flaky_runs.iter().map(rerun).collect(),
                },
                TestCaseStatus::NonSuccess {
                    kind,
                    message,
                    ty,
                    description,
                    reruns,
                } => Status::Failed {
                    failure: Failure {
                        error: *kind == NonSuccessKind::Error,
                        message: join_message(
                            message.as_ref().map(|m| m.as_str()),
                            ty.as_ref().map(|t| t.as_str()),
                            description.as_ref().map(|d| d.as_str()),
                        ),
                        elapsed_ms,
                    },
                    earlier: reruns.runs.iter().map(rerun).collect(),
                },
                TestCaseStatus::Skipped { message, .. } => Status::Skipped {
                    message: message.as_ref().map(|m| m.as_str().to_owned()),
                },
            };
            cases.push(JunitCase {
                suite: suite.name.as_str().to_owned(),
                classname: case.classname.as_ref().map(|c| c.as_str().to_owned()),
                name: case.name.as_str().to_owned(),
                file: extra("file"),
                line: extra("line").and_then(|line| line.parse().ok()),
                elapsed_ms,
                status,
                properties: case
                    .properties
                    .iter()
                    .map(|p| (p.name.as_str().to_owned(), p.value.as_str().to_owned()))
                    .collect(),
                system_out: case.system_out.as_ref().map(|s| s.as_str().to_owned()),
                system_err: case.system_err.as_ref().map(|s| s.as_str().to_owned()),
            });
        }
    }
    Ok(cases)
}

fn ms(time: Option<std::time::Duration>) -> u64 {
    time.map(|t| t.as_millis() as u64).unwrap_or(0)
}

fn rerun(run: &TestRerun) -> Failure {
    let text = run
        .stack_trace
        .as_ref()
        .or(run.description.as_ref())
        .map(|t| t.as_str());
    Failure {
        error: run.kind == NonSuccessKind::Error,
        message: join_message(
            run.message.as_ref().map(|m| m.as_str()),
            run.ty.as_ref().map(|t| t.as_str()),
            text,
        ),
        elapsed_ms: ms(run.time),
    }
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

/// Makes other tools' JUnit readable by quick-junit: wraps a `<testsuite>` root in
/// `<testsuites>`, drops `timestamp` attributes that are not RFC 3339 (nothing here uses
/// them), removes thousands separators from `time`, and names unnamed suites and cases.
pub fn clean(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() + 32);
    let mut first_element: Option<String> = None;
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        let skip_to = |end: &str| tail.find(end).map(|i| i + end.len()).unwrap_or(tail.len());
        let consumed = if tail.starts_with("<!--") {
            skip_to("-->")
        } else if tail.starts_with("<![CDATA[") {
            skip_to("]]>")
        } else if tail.starts_with("<?") {
            skip_to("?>")
        } else if tail.starts_with("<!") || tail.starts_with("</") {
            skip_to(">")
        } else {
            let Some(end) = tag_end(tail) else {
                // An unterminated tag: leave it for the parser to report.
                out.push_str(tail);
                rest = "";
                break;
            };
            let inner = &tail[1..end - 1];
            let cleaned = clean_tag(inner);
            if first_element.is_none() {
                let name: String = cleaned
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '/' && *c != '>')
                    .collect();
                if name == "testsuite" {
                    out.push_str("<testsuites>");
                }
                first_element = Some(name);
            }
            out.push('<');
            out.push_str(&cleaned);
            out.push('>');
            rest = &tail[end..];
            continue;
        };
        out.push_str(&tail[..consumed]);
        rest = &tail[consumed..];
    }
    out.push_str(rest);
    if first_element.as_deref() == Some("testsuite") {
        out.push_str("</testsuites>");
    }
    out
}

/// The index just past the `>` that ends the tag starting at `tail[0]`, respecting quotes.
fn tag_end(tail: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (index, c) in tail.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(index + 1),
            _ => {}
        }
    }
    None
}

/// Cleans the attributes of one start tag (the text between `<` and `>`).
fn clean_tag(inner: &str) -> String {
    let self_closing = inner.trim_end().ends_with('/');
    let body = if self_closing {
        inner.trim_end().trim_end_matches('/')
    } else {
        inner
    };
    let name_end = body.find(|c: char| c.is_whitespace()).unwrap_or(body.len());
    let name = &body[..name_end];
    let mut attributes: Vec<(String, char, String)> = Vec::new();
    let mut rest = &body[name_end..];
    loop {
        rest = rest.trim_start();
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_owned();
        let after = rest[eq + 1..].trim_start();
        let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            break;
        };
        let Some(close) = after[1..].find(quote) else {
            break;
        };
        let value = after[1..1 + close].to_owned();
        attributes.push((key, quote, value));
        rest = &after[close + 2..];
    }
    let mut out = name.to_owned();
    let has_name = attributes.iter().any(|(key, _, _)| key == "name");
    for (key, quote, value) in &attributes {
        let value = match key.as_str() {
            "timestamp" if !is_rfc3339(value) => continue,
            "time" => value.replace(',', ""),
            _ => value.clone(),
        };
        out.push_str(&format!(" {key}={quote}{value}{quote}"));
    }
    if !has_name && matches!(name, "testsuite" | "testcase") {
        out.push_str(" name=\"unnamed\"");
    }
    if self_closing {
        out.push('/');
    }
    out
}

/// Whether a timestamp has the date, time and zone RFC 3339 requires.
fn is_rfc3339(value: &str) -> bool {
    let Some((_, time)) = value.split_once('T') else {
        return false;
    };
    time.ends_with('Z') || time.ends_with('z') || time.contains('+') || time.contains('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surefire_style_root_and_timestamps_are_accepted() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="com.shop.CartTest" time="1,204.5" tests="2" timestamp="2024-05-01T10:00:00">
  <!-- a comment with <testcase> in it -->
  <testcase name="addsItem_C1" classname="com.shop.CartTest" time="0.5"/>
  <testcase name="removesItem" classname="com.shop.CartTest" time="0.1">
    <failure message="expected 0" type="AssertionError"><![CDATA[at Cart.java:10 <x>]]></failure>
    <system-out>removing "1" item</system-out>
  </testcase>
</testsuite>"#;
        let cases = parse(xml).unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].path(), "com.shop.CartTest::addsItem_C1");
        assert_eq!(cases[0].elapsed_ms, 500);
        let Status::Failed { failure, .. } = &cases[1].status else {
            panic!("{:?}", cases[1].status)
        };
        assert!(failure.message.contains("expected 0"));
        assert!(failure.message.contains("at Cart.java:10 <x>"));
        assert_eq!(cases[1].system_out.as_deref(), Some("removing \"1\" item"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse("not xml at all <<<").is_err());
        assert!(parse("").is_err());
        assert!(parse("<testsuites><testsuite name='x'><testcase").is_err());
    }
}
