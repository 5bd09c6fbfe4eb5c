//! `cargo testrail import junit FILES...`: JUnit XML from any framework, turned into a
//! spool file per JUnit file in a session directory `target/testrail/sessions/junit-<hash>/`
//! (the hash of the files' contents and of the target, so importing the same files again is
//! the same session and sends nothing new), then sent through the same export path as `upload`.
//!
//! Outcomes: passed → NoBug; passed after failed attempts (`flakyFailure`, `rerunFailure`,
//! nextest retries, or a test listed again after a failure) → LikelyNoBug with every
//! attempt; `failure` → DefinitelyBug; `error` → DefinitelyBug too (a JUnit error is usually
//! a test that crashed, which is a failure worth reporting, whereas run result Error is never
//! reported); skipped → an ignored test with its reason (reported only when
//! `mapping.skipped` is set).
//!
//! A file that cannot be read is named with its line and column and left out; the other
//! files are imported, and the command exits with 2.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;
use testrail_formats::outcome::{
    Attachment, Attempt, BugLabel, Execution, LabelSource, Location, RunResult, TestOutcome,
    default_label,
};
use testrail_formats::session::SessionSource;
use testrail_formats::spool::{self, SpoolFile};

use crate::cache;
use crate::case_ids::{self, Grammar};
use crate::cli::{GlobalArgs, ImportCommand, JunitArgs};
use crate::context::{self, Workspace};
use crate::error::{CliError, EXIT_ERROR, EXIT_FINDINGS};
use crate::junit::{self, JunitCase, Status};
use crate::matching::{How, TitleIndex};
use crate::output::{self, ORANGE};
use crate::sessions;

use super::create::{self, CreatedJson, Wanted};
use super::upload::{self, UploadJson};

/// Longest `system-out` / `system-err` kept in a comment.
const MAX_OUTPUT: usize = 4000;

/// Runs `import`.
pub async fn run(global: &GlobalArgs, command: ImportCommand) -> Result<ExitCode, CliError> {
    match command {
        ImportCommand::Junit(args) => junit(global, args).await,
    }
}

/// A test of the JUnit files and the cases it reports.
#[derive(Debug, Serialize)]
struct Mapped {
    test: String,
    file: String,
    case_ids: Vec<u64>,
    how: Option<How>,
}

/// The files to read: a directory stands for the `*.xml` files right in it (as Surefire's
/// `target/surefire-reports` and Gradle's `build/test-results/test` hold them), each said;
/// a file given more than once (overlapping globs) is read once, and said. A directory
/// without `*.xml` files is left out as unreadable.
fn expand_files(
    given: &[PathBuf],
    unreadable: &mut Vec<CliError>,
    warnings: &mut Vec<String>,
) -> Vec<PathBuf> {
    let mut warn = |warning: String| {
        output::warn(&warning);
        warnings.push(warning);
    };
    let mut files: Vec<PathBuf> = Vec::new();
    let mut seen: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
    for path in given {
        let candidates = if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|entry| entry.path())
                        .filter(|p| {
                            p.is_file()
                                && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml"))
                        })
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            if found.is_empty() {
                unreadable.push(CliError::Junit {
                    path: path.clone(),
                    reason: "a directory without *.xml files: nothing to read in it".to_owned(),
                });
                continue;
            }
            warn(format!(
                "{}: a directory: its {} *.xml file(s) are read",
                context::display_path(path),
                found.len()
            ));
            found
        } else {
            vec![path.clone()]
        };
        for file in candidates {
            let key = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if seen.insert(key) {
                files.push(file);
            } else {
                warn(format!(
                    "{}: given more than once: read once",
                    context::display_path(&file)
                ));
            }
        }
    }
    files
}

async fn junit(global: &GlobalArgs, args: JunitArgs) -> Result<ExitCode, CliError> {
    let workspace = Workspace::locate();
    let config = context::config(&args.settings)?;
    let grammar = Grammar::new(config.case_id_pattern.as_deref())
        .map_err(|error| CliError::Input(error.to_string()))?;
    // Every file that can be read; the others are named and left out.
    let mut inputs: Vec<(PathBuf, Vec<JunitCase>, Vec<u8>)> = Vec::new();
    let mut unreadable: Vec<CliError> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let files = expand_files(&args.files, &mut unreadable, &mut warnings);
    let given = files.len() + unreadable.len();
    for path in &files {
        let read = std::fs::read(path)
            .map_err(|source| CliError::io("read", path, source))
            .and_then(|bytes| {
                junit::parse_bytes(&bytes)
                    .map(|file| (file, bytes))
                    .map_err(|error| CliError::Junit {
                        path: path.clone(),
                        reason: error.to_string(),
                    })
            });
        match read {
            Ok((file, bytes)) => {
                for note in &file.notes {
                    let warning = format!("{}: {note}", context::display_path(path));
                    output::warn(&warning);
                    warnings.push(warning);
                }
                inputs.push((path.clone(), file.cases, bytes));
            }
            Err(error) => unreadable.push(error),
        }
    }
    if inputs.is_empty() && unreadable.len() == 1 {
        return Err(unreadable.remove(0));
    }
    let left_out: Vec<String> = unreadable.iter().map(ToString::to_string).collect();
    for error in &unreadable {
        output::print_error(error);
    }
    if inputs.is_empty() {
        output::warn("no file could be read: nothing imported");
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    if !unreadable.is_empty() {
        output::warn(format!(
            "{} of {} file(s) left out (see above); the other files are imported",
            unreadable.len(),
            given
        ));
    }
    let exit_code = |unmapped: usize| {
        let fail_unmatched = unmapped > 0 && config.fail_on_unmatched;
        if fail_unmatched {
            output::warn(format!(
                "{unmapped} test(s) match no case and fail_on_unmatched is set: exit code {EXIT_FINDINGS}"
            ));
        }
        if !unreadable.is_empty() {
            output::warn(format!(
                "exit code {EXIT_ERROR}: {} file(s) could not be read",
                unreadable.len()
            ));
            ExitCode::from(EXIT_ERROR)
        } else if fail_unmatched {
            ExitCode::from(EXIT_FINDINGS)
        } else {
            ExitCode::SUCCESS
        }
    };

    // Case IDs from properties and names first.
    let mut mapped: Vec<Vec<Mapped>> = Vec::new();
    for (path, cases, _) in &inputs {
        mapped.push(
            cases
                .iter()
                .map(|case| {
                    let (case_ids, how) = ids_of(&grammar, case);
                    Mapped {
                        test: case.path(),
                        file: context::display_path(path),
                        case_ids,
                        how,
                    }
                })
                .collect(),
        );
    }
    let unmatched = |mapped: &[Vec<Mapped>]| {
        mapped
            .iter()
            .flatten()
            .filter(|m| m.case_ids.is_empty())
            .count()
    };

    // Then by title (seed 004), against fresh TestRail data.
    if unmatched(&mapped) > 0 && !args.no_title_match && !config.dry_run {
        let (snapshot, _) = cache::load(&workspace, &config, true).await?;
        let index = TitleIndex::new(&snapshot);
        for ((_, cases, _), mapped) in inputs.iter().zip(&mut mapped) {
            for (case, m) in cases.iter().zip(mapped.iter_mut()) {
                if m.case_ids.is_empty()
                    && let Some((id, how)) = index.find(case.classname.as_deref(), &case.name)
                {
                    m.case_ids = vec![id];
                    m.how = Some(how);
                }
            }
        }
    }

    // Then, when asked, cases for the rest.
    let mut created: Vec<CreatedJson> = Vec::new();
    if unmatched(&mapped) > 0 && args.create.enabled() && !config.dry_run {
        let mut wanted: Vec<Wanted> = Vec::new();
        let mut owners: Vec<(usize, usize)> = Vec::new();
        for (file_index, ((_, cases, _), mapped)) in inputs.iter().zip(&mapped).enumerate() {
            for (case_index, (case, m)) in cases.iter().zip(mapped).enumerate() {
                if m.case_ids.is_empty() && !matches!(case.status, Status::Skipped { .. }) {
                    wanted.push(Wanted {
                        title: case.name.clone(),
                        name: case.name.clone(),
                        path: case.path(),
                        location: case.file.clone(),
                        title_given: false,
                    });
                    owners.push((file_index, case_index));
                }
            }
        }
        let linked: BTreeSet<u64> = mapped
            .iter()
            .flatten()
            .flat_map(|m| m.case_ids.iter().copied())
            .collect();
        created = create::create(&config, &args.create, &wanted, &linked).await?;
        for (case, (file_index, case_index)) in created.iter().zip(owners) {
            let m = &mut mapped[file_index][case_index];
            m.case_ids = vec![case.case_id];
            m.how = Some(How::Created);
        }
        if !global.json {
            create::print_created(&created);
        }
    }

    // The spool: one file per JUnit file, in a session named after the contents and the
    // target (the same files sent elsewhere are another session).
    let mut hash_input =
        format!("{:?}|{:?}|{:?}|", config.url, config.project, config.target).into_bytes();
    for (_, _, bytes) in &inputs {
        hash_input.extend_from_slice(&cache::fnv1a(bytes).to_le_bytes());
    }
    let key = format!("junit-{:016x}", cache::fnv1a(&hash_input));
    let session_dir = workspace.testrail_dir().session(&key);
    let now_ms = testrail_formats::clock::now_ms();
    for (index, ((path, cases, _), mapped)) in inputs.iter().zip(&mapped).enumerate() {
        let file = SpoolFile {
            format: spool::FORMAT.to_owned(),
            version: spool::VERSION,
            session: key.clone(),
            session_source: SessionSource::Environment,
            package: "junit".to_owned(),
            binary: binary_name(path),
            pid: index as u32 + 1,
            started_at_ms: now_ms,
            finished_at_ms: now_ms,
            git_commit: None,
            manifest_dir: context::display_path(path),
            tests: cases
                .iter()
                .zip(mapped)
                .map(|(case, m)| {
                    let mut outcome = outcome(case, &m.case_ids);
                    outcome.attachments = attachments_of(case, path);
                    outcome
                })
                .collect(),
        };
        file.write_to(&session_dir)?;
    }
    let session = sessions::read(&session_dir)?;
    let all: Vec<Mapped> = mapped.into_iter().flatten().collect();
    let unmapped: Vec<&Mapped> = all.iter().filter(|m| m.case_ids.is_empty()).collect();

    if config.dry_run {
        let journal = testrail_export::journal::LockedJournal::unsaved(&session_dir).journal;
        let text = testrail_export::dry_run::describe(&config, &session.files, &key, &journal)?;
        if global.json {
            output::json(&serde_json::json!({
                "session": key,
                "tests": all,
                "warnings": warnings,
                "left_out": left_out,
                "requests": text,
            }));
        } else {
            print_mapping(&all, &unmapped);
            output::line(text);
        }
        return Ok(exit_code(unmapped.len()));
    }

    if all.len() == unmapped.len() {
        // Nothing to send: say so, rather than what an export of nothing would say.
        if global.json {
            output::json(&serde_json::json!({
                "session": key,
                "tests": all,
                "unmapped": unmapped.iter().map(|m| m.test.as_str()).collect::<Vec<_>>(),
                "warnings": warnings,
                "left_out": left_out,
                "upload": null,
            }));
        } else {
            print_mapping(&all, &unmapped);
            output::line(if all.is_empty() {
                "nothing sent: the file(s) hold no test case, so no run was made or changed"
                    .to_owned()
            } else {
                format!(
                    "nothing sent: none of the {} test(s) matches a case, so no run was made or changed",
                    all.len()
                )
            });
        }
        return Ok(exit_code(unmapped.len()));
    }

    let report = upload::export_sessions(&config, std::slice::from_ref(&session)).await?;
    if global.json {
        output::json(&ImportJson {
            session: key,
            dir: context::display_path(&session_dir),
            tests: &all,
            unmapped: unmapped.iter().map(|m| m.test.as_str()).collect(),
            warnings: &warnings,
            left_out: &left_out,
            upload: UploadJson::new(
                &report,
                created,
                unmapped.iter().map(|m| m.test.clone()).collect(),
            ),
        });
    } else {
        print_mapping(&all, &unmapped);
        output::line(format!(
            "session {key} ({})",
            context::display_path(&session_dir)
        ));
        upload::print_report(&report);
    }
    Ok(exit_code(unmapped.len()))
}

#[derive(Serialize)]
struct ImportJson<'a> {
    session: String,
    dir: String,
    tests: &'a [Mapped],
    unmapped: Vec<&'a str>,
    /// What was odd in the files and how it was read (`file: note`).
    warnings: &'a [String],
    /// The files that could not be read, with where and why.
    left_out: &'a [String],
    upload: UploadJson,
}

fn print_mapping(all: &[Mapped], unmapped: &[&Mapped]) {
    let mut by_how: BTreeMap<&'static str, usize> = BTreeMap::new();
    for m in all {
        let how = match m.how {
            Some(How::Property) => "by property",
            Some(How::Name) => "by ID in the name",
            Some(How::Title) => "by title",
            Some(How::AutomationId) => "by automation ID",
            Some(How::Created) => "to new cases",
            None => continue,
        };
        *by_how.entry(how).or_default() += 1;
    }
    let matched: Vec<String> = by_how
        .iter()
        .map(|(how, count)| format!("{count} {how}"))
        .collect();
    output::line(format!(
        "{} test(s): {} matched{}",
        all.len(),
        all.len() - unmapped.len(),
        if matched.is_empty() {
            String::new()
        } else {
            format!(" ({})", matched.join(", "))
        }
    ));
    if !unmapped.is_empty() {
        output::line(output::paint(
            ORANGE,
            format!(
                "{} test(s) match no case (add a C-number to the name, a test_id property, or use --create-missing; testrail-rs tests run by cargo-nextest are named by their Rust path: send their session with `cargo testrail upload`, which knows their case IDs):",
                unmapped.len()
            ),
        ));
        for m in unmapped {
            output::line(format!("  {}  ({})", m.test, m.file));
        }
    }
}

/// The case IDs of a test case from its properties, else from its name and classname.
fn ids_of(grammar: &Grammar, case: &JunitCase) -> (Vec<u64>, Option<How>) {
    for property in ["test_id", "testrail_case_id"] {
        if let Some(value) = case.property(property) {
            let ids = case_ids::in_property(value);
            if !ids.is_empty() {
                return (ids, Some(How::Property));
            }
        }
    }
    let ids = grammar.in_test(case.classname.as_deref(), &case.name);
    if ids.is_empty() {
        (ids, None)
    } else {
        (ids, Some(How::Name))
    }
}

/// A spool-file "binary" name from a JUnit file's name.
fn binary_name(path: &std::path::Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "junit".to_owned());
    testrail_formats::session::sanitize(&stem)
}

/// The outcome of a JUnit test case.
fn outcome(case: &JunitCase, case_ids: &[u64]) -> TestOutcome {
    let (execution, label, attempts) = match &case.status {
        Status::Ran { attempts } => {
            let attempts: Vec<Attempt> = attempts
                .iter()
                .enumerate()
                .map(|(index, run)| Attempt {
                    number: index as u32 + 1,
                    run_result: RunResult::Success,
                    passed: run.failure.is_none(),
                    message: run.failure.as_ref().map(|f| {
                        if f.error {
                            format!("error: {}", f.message)
                        } else {
                            f.message.clone()
                        }
                    }),
                    location: None,
                    failed_step: None,
                    elapsed_ms: run.elapsed_ms,
                    steps: Vec::new(),
                })
                .collect();
            let last_passed = attempts.last().is_some_and(|a| a.passed);
            let label = default_label(
                RunResult::Success,
                last_passed,
                attempts.len() as u32,
                false,
            );
            (Execution::Ran, Some(label), attempts)
        }
        Status::Skipped { message } => (
            Execution::Skipped {
                reason: message.clone(),
            },
            None,
            Vec::new(),
        ),
    };
    let mut comments = Vec::new();
    for (name, text) in [
        ("system-out", &case.system_out),
        ("system-err", &case.system_err),
    ] {
        if let Some(text) = text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            comments.push(format!("{name}:\n{}", truncate(text, MAX_OUTPUT)));
        }
    }
    let ran = matches!(execution, Execution::Ran);
    TestOutcome {
        path: case.path(),
        title: None,
        defined_at: Location {
            file: case
                .file
                .clone()
                .or_else(|| case.classname.clone())
                .unwrap_or_else(|| case.suite.clone())
                .into(),
            line: case.line.unwrap_or(0),
            column: None,
        },
        case_ids: case_ids.to_vec(),
        execution,
        run_result: ran.then_some(RunResult::Success),
        bug_label: label,
        label_source: ran.then_some(LabelSource::Derived),
        passed: label.is_some_and(BugLabel::is_pass),
        elapsed_ms: case.elapsed_ms(),
        attempts,
        known_bug: None,
        defects: Vec::new(),
        comments,
        fields: BTreeMap::new(),
        attachments: Vec::new(),
    }
}

/// The files a JUnit test case names, in the two conventions: `[[ATTACHMENT|path]]` lines
/// in `system-out` or `system-err` (the Jenkins JUnit Attachments plugin's, which GitLab
/// reads too) and trcli's `<property name="testrail_attachment" value="path"/>`. A relative
/// path is looked for next to the JUnit file, then in the current directory (where trcli
/// looks). A file that is not found is left out with a warning naming the test and the file.
fn attachments_of(case: &JunitCase, junit: &std::path::Path) -> Vec<Attachment> {
    let mut named: Vec<String> = Vec::new();
    for text in [&case.system_out, &case.system_err].into_iter().flatten() {
        named.extend(attachment_lines(text));
    }
    named.extend(
        case.properties
            .iter()
            .filter(|(name, _)| name == "testrail_attachment")
            .map(|(_, value)| value.trim().to_owned())
            .filter(|value| !value.is_empty()),
    );
    let base = junit.parent().unwrap_or(std::path::Path::new(""));
    let mut attachments = Vec::new();
    for name in named {
        let given = std::path::Path::new(&name);
        let candidates = match given.is_absolute() {
            true => vec![given.to_owned()],
            false => vec![base.join(given), given.to_owned()],
        };
        let found = candidates.iter().find_map(|path| {
            let meta = std::fs::metadata(path).ok().filter(|meta| meta.is_file())?;
            Some((path, meta.len()))
        });
        let Some((path, size)) = found else {
            output::warn(format!(
                "{}: {}: attachment {name} not found (looked at {}); it is left out, the result is imported without it",
                context::display_path(junit),
                case.path(),
                candidates
                    .iter()
                    .map(|path| context::display_path(path))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ));
            continue;
        };
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        attachments.push(Attachment {
            name: path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_else(|| name.clone()),
            path: absolute.to_string_lossy().into_owned(),
            size,
            case_ids: Vec::new(),
        });
    }
    attachments
}

/// The paths of the `[[ATTACHMENT|path]]` lines of a text, in order.
///
/// ```text
/// [[ATTACHMENT|/builds/shop/screenshots/cart.png]]  → /builds/shop/screenshots/cart.png
/// ```
fn attachment_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let start = line.find("[[ATTACHMENT|")? + "[[ATTACHMENT|".len();
            let end = line[start..].find("]]")? + start;
            Some(line[start..end].trim().to_owned())
        })
        .filter(|path| !path.is_empty())
        .collect()
}

/// At most `max` bytes of `text` (on a character boundary), marked when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… ({} more bytes)", &text[..end], text.len() - end)
}
