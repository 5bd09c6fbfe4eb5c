//! The same N outcomes two ways: a spool file (what a test binary writes) for our export,
//! and a JUnit report (what cargo-nextest writes) for trcli. Every 10th test fails.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use testrail_formats::outcome::{
    Attempt, BugLabel, Execution, LabelSource, Location, RunResult, TestOutcome,
};
use testrail_formats::session::SessionSource;
use testrail_formats::spool::{self, SpoolFile};

/// Whether test `case` of a generated set fails (every 10th).
pub fn fails(case: u64) -> bool {
    case.is_multiple_of(10)
}

/// The failure message of a failing test.
pub fn failure_message(case: u64) -> String {
    format!("assertion `left == right` failed\n  left: {case}\n right: 0")
}

/// One outcome per case: test `bench::case_<id>` linked to C<id>, passed or failed.
pub fn outcomes(cases: impl IntoIterator<Item = u64>) -> Vec<TestOutcome> {
    cases
        .into_iter()
        .map(|case| {
            let passed = !fails(case);
            let location = Location {
                file: "tests/bench.rs".into(),
                line: u32::try_from(case % 1_000_000).unwrap_or(1) + 1,
                column: Some(5),
            };
            let message = (!passed).then(|| failure_message(case));
            TestOutcome {
                path: format!("bench::case_{case}"),
                title: None,
                defined_at: location.clone(),
                case_ids: vec![case],
                execution: Execution::Ran,
                run_result: Some(RunResult::Success),
                bug_label: Some(if passed {
                    BugLabel::NoBug
                } else {
                    BugLabel::DefinitelyBug
                }),
                label_source: Some(LabelSource::Derived),
                passed,
                elapsed_ms: 3,
                attempts: vec![Attempt {
                    number: 1,
                    run_result: RunResult::Success,
                    passed,
                    message,
                    location: (!passed).then_some(location),
                    failed_step: None,
                    elapsed_ms: 3,
                    steps: Vec::new(),
                }],
                known_bug: None,
                defects: Vec::new(),
                comments: Vec::new(),
                fields: Default::default(),
                attachments: Vec::new(),
            }
        })
        .collect()
}

/// Writes a spool file with one outcome per case into `session_dir` (as a test binary
/// `bench` of package `bench` with pid 1 would) and returns its path.
pub fn write_spool(session_dir: &Path, session: &str, cases: &[u64]) -> PathBuf {
    let now = testrail_formats::clock::now_ms();
    let file = SpoolFile {
        format: spool::FORMAT.to_owned(),
        version: spool::VERSION,
        session: session.to_owned(),
        session_source: SessionSource::Environment,
        package: "bench".to_owned(),
        binary: "bench".to_owned(),
        pid: 1,
        started_at_ms: now.saturating_sub(60_000),
        finished_at_ms: now,
        git_commit: None,
        manifest_dir: "/bench".to_owned(),
        tests: outcomes(cases.iter().copied()),
    };
    std::fs::create_dir_all(session_dir).expect("the session directory can be created");
    file.write_to(session_dir)
        .expect("the spool file can be written")
}

/// Writes the JUnit report trcli reads for the same cases: `C<id>_case_<id>` names (what
/// `--case-matcher name` matches), failures for the same tests.
pub fn write_junit(path: &Path, cases: &[u64]) {
    let failures = cases.iter().filter(|case| fails(**case)).count();
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path).expect("the JUnit report can be written"),
    );
    let mut write = || -> std::io::Result<()> {
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="bench" tests="{}" failures="{failures}">"#,
            cases.len()
        )?;
        writeln!(
            out,
            r#"  <testsuite name="bench" tests="{}" failures="{failures}" errors="0" skipped="0" time="{:.3}">"#,
            cases.len(),
            cases.len() as f64 * 0.003
        )?;
        for case in cases {
            if fails(*case) {
                writeln!(
                    out,
                    r#"    <testcase classname="bench" name="C{case}_case_{case}" time="0.003"><failure message="assertion failed" type="panic">{}</failure></testcase>"#,
                    failure_message(*case).replace('`', "'")
                )?;
            } else {
                writeln!(
                    out,
                    r#"    <testcase classname="bench" name="C{case}_case_{case}" time="0.003"/>"#
                )?;
            }
        }
        writeln!(out, "  </testsuite>")?;
        writeln!(out, "</testsuites>")?;
        out.flush()
    };
    write().expect("the JUnit report can be written");
}
