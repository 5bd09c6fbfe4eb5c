//! `cargo testrail init`: sets a crate up in one command. It writes a commented
//! `testrail.toml` (never the API key), makes the chosen test files `harness = false`
//! targets, adds the `testrail` dev-dependency when missing, writes a cargo-nextest profile
//! with JUnit output when nextest is used, and prints (or writes) a CI workflow.
//!
//! `Cargo.toml` and `.config/nextest.toml` are edited with `toml_edit`, which keeps their
//! formatting and comments. Running it again changes nothing and says so; every file gets a
//! line saying what was done to it, or why not.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;
use toml_edit::{DocumentMut, Item, Table, value};

use crate::cli::{CiKind, GlobalArgs, InitArgs};
use crate::context::Workspace;
use crate::error::{CliError, EXIT_ERROR};
use crate::output::{self, GREEN, ORANGE};

/// Where testrail-rs lives until it is published: the `repository` of its manifests.
pub const REPOSITORY: &str = "https://github.com/testrail-rs/testrail-rs";

/// The nextest profile `init` writes.
pub const NEXTEST_PROFILE: &str = "testrail";

/// What `init` did to one file.
#[derive(Debug, Serialize)]
struct FileLine {
    /// The file, relative to the package.
    file: String,
    /// `created`, `changed`, `unchanged`, `kept`, `printed`, `skipped` or `warning`.
    action: &'static str,
    /// What and why.
    detail: String,
}

/// The settings `testrail.toml` gets.
#[derive(Debug, Default)]
struct Answers {
    url: Option<String>,
    user: Option<String>,
    project: Option<String>,
    suites: Vec<String>,
}

impl Answers {
    fn is_empty(&self) -> bool {
        self.url.is_none()
            && self.user.is_none()
            && self.project.is_none()
            && self.suites.is_empty()
    }
}

/// Runs `init` in the package of the current directory.
pub fn run(global: &GlobalArgs, args: InitArgs) -> Result<ExitCode, CliError> {
    let dir = std::env::current_dir().map_err(|e| CliError::io("read", ".", e))?;
    let manifest_path = dir.join("Cargo.toml");
    if !manifest_path.is_file() {
        return Err(CliError::Input(format!(
            "{} has no Cargo.toml\n  run `cargo testrail init` in the directory of the package whose tests report to TestRail",
            dir.display()
        )));
    }
    // Read before anything is written: a manifest init cannot edit stops it first.
    let text = std::fs::read_to_string(&manifest_path)
        .map_err(|e| CliError::io("read", &manifest_path, e))?;
    let mut manifest: DocumentMut = text.parse().map_err(|error: toml_edit::TomlError| {
        CliError::Input(format!(
            "Cargo.toml is not valid TOML: {}\n  fix it, then run `cargo testrail init` again",
            error.message()
        ))
    })?;
    if manifest.get("package").is_none() {
        return Err(CliError::Input(format!(
            "{} has no [package]: it is a workspace's manifest\n  run `cargo testrail init` in the directory of the package whose tests report to TestRail",
            manifest_path.display()
        )));
    }
    let mut lines = Vec::new();
    let mut refused = false;

    let config_path = dir.join(testrail_formats::config_file::FILE_NAME);
    let mut answers = Answers {
        url: args.url.clone().filter(|v| !v.trim().is_empty()),
        user: args.user.clone().filter(|v| !v.trim().is_empty()),
        project: args.project.clone().filter(|v| !v.trim().is_empty()),
        suites: args.suites.clone(),
    };
    let existing = std::fs::read_to_string(&config_path).ok();
    if std::io::stdin().is_terminal() && (existing.is_none() || args.force) && !global.json {
        ask(&mut answers)?;
    }
    // Checked as the client will read it, before anything is written.
    if let Some(url) = &answers.url {
        testrail_api::BaseUrl::parse(url).map_err(|error| {
            CliError::Input(format!(
                "{error}\n  give the address TestRail is opened at (e.g. https://acme.testrail.io), then run `cargo testrail init` again"
            ))
        })?;
    }
    write_config(
        &config_path,
        existing.as_deref(),
        &answers,
        args.force,
        &mut lines,
        &mut refused,
    )?;

    let mut changes = Vec::new();
    let mut kept = Vec::new();
    if add_dependency(&mut manifest) {
        changes.push(format!(
            "added the testrail dev-dependency (git {REPOSITORY})"
        ));
    } else {
        kept.push("the testrail dependency is there".to_owned());
    }
    let targets = chosen_targets(&dir, &manifest, &args.tests, &mut lines);
    for name in &targets {
        match add_target(&mut manifest, name) {
            TargetChange::Added => changes.push(format!("added [[test]] {name} (harness = false)")),
            TargetChange::HarnessSet => changes.push(format!(
                "set harness = false on [[test]] {name} (testrail::main!() is its main)"
            )),
            TargetChange::Unchanged => kept.push(format!("[[test]] {name} has harness = false")),
        }
    }
    let new_text = manifest.to_string();
    if new_text != text {
        std::fs::write(&manifest_path, &new_text)
            .map_err(|e| CliError::io("write", &manifest_path, e))?;
        lines.push(FileLine {
            file: "Cargo.toml".into(),
            action: "changed",
            detail: changes.join("; "),
        });
    } else {
        lines.push(FileLine {
            file: "Cargo.toml".into(),
            action: "unchanged",
            detail: kept.join("; "),
        });
    }

    let workspace = Workspace::locate();
    let nextest_path = workspace.root.join(".config").join("nextest.toml");
    let nextest = args.nextest || nextest_path.is_file();
    if nextest {
        write_nextest(&nextest_path, &dir, &mut lines)?;
    } else {
        lines.push(FileLine {
            file: ".config/nextest.toml".into(),
            action: "skipped",
            detail: "nextest is not used here (no .config/nextest.toml; --nextest writes one)"
                .into(),
        });
    }

    let in_file = read_answers(&config_path);
    let workflow = github_workflow(&in_file, nextest);
    let workflow_file = PathBuf::from(".github/workflows/testrail.yml");
    let mut printed = None;
    match args.ci {
        Some(CiKind::Github) => {
            let path = workspace.root.join(&workflow_file);
            write_file(
                &path,
                &workflow,
                &relative(&path, &dir),
                &mut lines,
                "the CI workflow",
                false,
            )?;
        }
        None => {
            lines.push(FileLine {
                file: workflow_file.display().to_string(),
                action: "printed",
                detail: "not written (--ci github writes it); the workflow is below".into(),
            });
            printed = Some(workflow);
        }
    }

    if global.json {
        output::json(&serde_json::json!({
            "files": lines,
            "workflow": printed,
            "ok": !refused,
        }));
    } else {
        for line in &lines {
            let action = match line.action {
                "created" | "changed" => output::paint(GREEN, line.action),
                "kept" | "warning" => output::paint(ORANGE, line.action),
                other => other.to_owned(),
            };
            output::line(format!("{}: {action}, {}", line.file, line.detail));
        }
        if let Some(workflow) = printed {
            output::line("");
            output::line(format!("# {}", workflow_file.display()));
            output::line(workflow.trim_end());
        }
        output::line("");
        output::line(
            "next: export TESTRAIL_API_KEY=... (My Settings > API Keys in TestRail), then `cargo testrail check`",
        );
    }
    let warned = lines.iter().any(|line| line.action == "warning");
    Ok(match (refused, warned) {
        (true, _) => ExitCode::from(EXIT_ERROR),
        (false, true) => ExitCode::from(crate::error::EXIT_FINDINGS),
        (false, false) => ExitCode::SUCCESS,
    })
}

/// Asks, on the terminal, for the settings the flags left out (an empty answer leaves the
/// setting commented out).
fn ask(answers: &mut Answers) -> Result<(), CliError> {
    let stdin = std::io::stdin();
    let read = |question: &str| -> Result<Option<String>, CliError> {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{question}: ");
        let _ = err.flush();
        let mut answer = String::new();
        stdin
            .lock()
            .read_line(&mut answer)
            .map_err(|e| CliError::io("read", "standard input", e))?;
        Ok(Some(answer.trim().to_owned()).filter(|a| !a.is_empty()))
    };
    if answers.url.is_none() {
        answers.url = read("TestRail address (e.g. https://acme.testrail.io)")?;
    }
    if answers.user.is_none() {
        answers.user = read("TestRail login (email address)")?;
    }
    if answers.project.is_none() {
        answers.project = read("project (name or ID)")?;
    }
    if answers.suites.is_empty()
        && let Some(suites) = read("suites (names or IDs, comma-separated; empty: every suite)")?
    {
        answers.suites = suites
            .split(',')
            .map(|suite| suite.trim().to_owned())
            .filter(|suite| !suite.is_empty())
            .collect();
    }
    Ok(())
}

/// A TOML string.
fn quoted(text: &str) -> String {
    toml_edit::Value::from(text).to_string().trim().to_owned()
}

/// `key = "value"`, or the commented example when there is no value.
fn setting(key: &str, value: Option<&str>, example: &str) -> String {
    match value {
        Some(value) => format!("{key} = {}\n", quoted(value)),
        None => format!("# {key} = {}\n", quoted(example)),
    }
}

/// The text of `testrail.toml`.
fn config_text(answers: &Answers) -> String {
    let suites = match answers.suites.as_slice() {
        [] => "# suites = [\"Web Shop\"]\n".to_owned(),
        suites => format!(
            "suites = [{}]\n",
            suites
                .iter()
                .map(|s| quoted(s))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!(
        "# testrail-rs settings, written by `cargo testrail init`. Each one can also be given as a
# TESTRAIL_* environment variable (TESTRAIL_URL, TESTRAIL_PROJECT, ...) or as a flag; flags
# win, then the environment, then this file. `cargo testrail check` verifies them.

# The address you open TestRail at.
{url}# The email address you log in to TestRail with.
{user}
# The API key is never written here: set TESTRAIL_API_KEY (make a key under My Settings >
# API Keys in TestRail; in CI, a secret), or name a file that holds it:
# api_key_file = \"/run/secrets/testrail-api-key\"

# The project, by name or ID.
{project}# The suites whose cases are reported (names or IDs); left out: every suite of the project.
{suites}
# Send the results when `cargo test` ends. Off here so that tests run anywhere without
# TestRail; CI turns it on with TESTRAIL_EXPORT=1 (or run `cargo test -- --testrail-export`,
# or `cargo testrail upload` afterwards).
# export = true

# Where the results go: a new run per build (the default). A new plan instead, one entry
# per suite:
# plan = true
# An existing run (in CI, TESTRAIL_RUN_ID printed by `cargo testrail run create`):
# run_id = 12
# The name of a new run or plan:
# run_name = \"{{crate}} {{version}} {{date}} {{time}}\"
",
        url = setting("url", answers.url.as_deref(), "https://acme.testrail.io"),
        user = setting("user", answers.user.as_deref(), "qa@acme.io"),
        project = setting("project", answers.project.as_deref(), "Shop"),
    )
}

/// Writes `testrail.toml`, unless it exists and differs (then `--force` replaces it).
fn write_config(
    path: &Path,
    existing: Option<&str>,
    answers: &Answers,
    force: bool,
    lines: &mut Vec<FileLine>,
    refused: &mut bool,
) -> Result<(), CliError> {
    let file = "testrail.toml".to_owned();
    let text = config_text(answers);
    match existing {
        Some(old) if old == text => lines.push(FileLine {
            file,
            action: "unchanged",
            detail: "it holds these settings already".into(),
        }),
        Some(_) if answers.is_empty() && !force => lines.push(FileLine {
            file,
            action: "kept",
            detail: "it exists and no setting was given (--url, --user, --project, --suite)".into(),
        }),
        Some(_) if !force => {
            *refused = true;
            lines.push(FileLine {
                file,
                action: "kept",
                detail: "NOT replaced: it exists and differs from what these settings give; edit it, or replace it with --force".into(),
            });
        }
        _ => {
            std::fs::write(path, &text).map_err(|e| CliError::io("write", path, e))?;
            lines.push(FileLine {
                file,
                action: if existing.is_some() {
                    "changed"
                } else {
                    "created"
                },
                detail: format!(
                    "{} (the API key is not in it: set TESTRAIL_API_KEY)",
                    if existing.is_some() {
                        "replaced (--force)"
                    } else {
                        "the settings, each explained"
                    }
                ),
            });
        }
    }
    Ok(())
}

/// The settings a workflow needs to know of: those set in `testrail.toml`.
fn read_answers(path: &Path) -> Answers {
    let Some(table) = std::fs::read_to_string(path)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
    else {
        return Answers::default();
    };
    let text = |key: &str| {
        table
            .get(key)
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
    };
    Answers {
        url: text("url"),
        user: text("user"),
        project: text("project"),
        suites: Vec::new(),
    }
}

/// Whether a dependency table names testrail (also renamed: `package = "testrail"`).
fn names_testrail(table: Option<&Item>) -> bool {
    let Some(table) = table.and_then(Item::as_table_like) else {
        return false;
    };
    table.iter().any(|(name, spec)| {
        name == "testrail"
            || spec
                .as_table_like()
                .and_then(|spec| spec.get("package"))
                .and_then(Item::as_str)
                == Some("testrail")
    })
}

/// Adds `testrail = { git = ... }` to `[dev-dependencies]` unless some dependency table
/// has it. Returns whether it did.
fn add_dependency(manifest: &mut DocumentMut) -> bool {
    if ["dependencies", "dev-dependencies"]
        .iter()
        .any(|key| names_testrail(manifest.get(key)))
    {
        return false;
    }
    let deps = manifest
        .entry("dev-dependencies")
        .or_insert_with(|| Item::Table(Table::new()));
    let Some(deps) = deps.as_table_like_mut() else {
        return false;
    };
    let mut spec = toml_edit::InlineTable::new();
    spec.insert("git", REPOSITORY.into());
    deps.insert("testrail", value(spec));
    true
}

/// A test target that may be set up: its name and its root file.
struct TestTarget {
    name: String,
    file: PathBuf,
}

/// The test targets of the package: `tests/*.rs`, `tests/*/main.rs` (named after their
/// directory, as Cargo names them) and the `[[test]]` entries with a `path` of their own.
fn test_targets(dir: &Path, manifest: &DocumentMut) -> Vec<TestTarget> {
    let tests_dir = dir.join("tests");
    let mut targets: Vec<TestTarget> = std::fs::read_dir(&tests_dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter_map(|path| {
            let stem = path.file_stem()?.to_string_lossy().into_owned();
            if path.extension().is_some_and(|ext| ext == "rs") && path.is_file() {
                return Some(TestTarget {
                    name: stem,
                    file: path,
                });
            }
            let main = path.join("main.rs");
            let name = path.file_name()?.to_string_lossy().into_owned();
            main.is_file().then_some(TestTarget { name, file: main })
        })
        .collect();
    let entries = manifest
        .get("test")
        .and_then(Item::as_array_of_tables)
        .into_iter()
        .flatten();
    for entry in entries {
        let (Some(name), Some(path)) = (
            entry.get("name").and_then(Item::as_str),
            entry.get("path").and_then(Item::as_str),
        ) else {
            continue;
        };
        targets.retain(|target| target.name != name);
        targets.push(TestTarget {
            name: name.to_owned(),
            file: dir.join(path),
        });
    }
    targets.sort_by(|a, b| a.name.cmp(&b.name));
    targets
}

/// The test targets to set up: those named with `--test`, else those whose root file
/// calls `testrail::main!()`. A line says why a name is left out, and which plain
/// `#[test]`s a target set up this way will drop.
fn chosen_targets(
    dir: &Path,
    manifest: &DocumentMut,
    named: &[String],
    lines: &mut Vec<FileLine>,
) -> Vec<String> {
    let targets = test_targets(dir, manifest);
    let shown = |file: &Path| relative(file, dir);
    let mut chosen = Vec::new();
    if !named.is_empty() {
        for name in named {
            let name = name.trim_end_matches(".rs").trim_start_matches("tests/");
            let Some(target) = targets.iter().find(|target| target.name == name) else {
                lines.push(FileLine {
                    file: format!("tests/{name}.rs"),
                    action: "skipped",
                    detail: "no such test target: --test names a file of tests/ without .rs (or a [[test]] entry)".into(),
                });
                continue;
            };
            match std::fs::read_to_string(&target.file) {
                Ok(text) if text.contains("testrail::main!") => chosen.push(target),
                _ => lines.push(FileLine {
                    file: shown(&target.file),
                    action: "skipped",
                    detail: "it does not call testrail::main!() (add it at the end of the file, then run init again): a harness = false target without a main does not build".into(),
                }),
            }
        }
    } else {
        for target in &targets {
            if std::fs::read_to_string(&target.file)
                .is_ok_and(|text| text.contains("testrail::main!"))
            {
                chosen.push(target);
            } else {
                lines.push(FileLine {
                    file: shown(&target.file),
                    action: "skipped",
                    detail: "it does not call testrail::main!(): a libtest target, left as it is"
                        .into(),
                });
            }
        }
        if chosen.is_empty() {
            lines.push(FileLine {
                file: "tests/".into(),
                action: "skipped",
                detail: "no test file calls testrail::main!(): no [[test]] target added (write one, or name it with --test NAME)".into(),
            });
        }
    }
    for target in &chosen {
        for dropped in crate::dropped::in_target("", &target.name, &target.file) {
            lines.push(FileLine {
                file: format!("{}:{}", shown(Path::new(&dropped.file)), dropped.line),
                action: "warning",
                detail: format!(
                    "fn {} ({}) never runs once {} has harness = false: {}",
                    dropped.name,
                    dropped.attribute,
                    target.name,
                    crate::dropped::INSTEAD
                ),
            });
        }
    }
    chosen
        .into_iter()
        .map(|target| target.name.clone())
        .collect()
}

/// What [`add_target`] did.
enum TargetChange {
    Added,
    HarnessSet,
    Unchanged,
}

/// Makes `[[test]] name = NAME` a `harness = false` target, keeping its other keys.
fn add_target(manifest: &mut DocumentMut, name: &str) -> TargetChange {
    let tests = manifest
        .entry("test")
        .or_insert_with(|| Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
    let Some(tests) = tests.as_array_of_tables_mut() else {
        return TargetChange::Unchanged;
    };
    if let Some(target) = tests
        .iter_mut()
        .find(|target| target.get("name").and_then(Item::as_str) == Some(name))
    {
        if target.get("harness").and_then(Item::as_bool) == Some(false) {
            return TargetChange::Unchanged;
        }
        target.insert("harness", value(false));
        return TargetChange::HarnessSet;
    }
    let mut target = Table::new();
    target.insert("name", value(name));
    target.insert("harness", value(false));
    tests.push(target);
    TargetChange::Added
}

/// Adds the `testrail` profile (JUnit output) to `.config/nextest.toml`, creating the file
/// when there is none; an existing profile of that name is left as it is.
fn write_nextest(path: &Path, package: &Path, lines: &mut Vec<FileLine>) -> Result<(), CliError> {
    let file = relative(path, package);
    let old = std::fs::read_to_string(path).ok();
    let mut doc: DocumentMut = match old.as_deref().unwrap_or("").parse() {
        Ok(doc) => doc,
        Err(error) => {
            lines.push(FileLine {
                file,
                action: "skipped",
                detail: format!(
                    "not valid TOML ({}): add [profile.{NEXTEST_PROFILE}.junit] path = \"junit.xml\" by hand",
                    error.message().trim()
                ),
            });
            return Ok(());
        }
    };
    let has_profile = doc
        .get("profile")
        .and_then(|profiles| profiles.get(NEXTEST_PROFILE))
        .is_some();
    if has_profile {
        lines.push(FileLine {
            file,
            action: "unchanged",
            detail: format!("it has a [profile.{NEXTEST_PROFILE}] already (left as it is)"),
        });
        return Ok(());
    }
    let profiles = doc.entry("profile").or_insert_with(|| {
        let mut table = Table::new();
        table.set_implicit(true);
        Item::Table(table)
    });
    let Some(profiles) = profiles.as_table_mut() else {
        lines.push(FileLine {
            file,
            action: "skipped",
            detail: "its `profile` is not a table: add the profile by hand".into(),
        });
        return Ok(());
    };
    let mut profile = Table::new();
    let gap = match old.as_deref().is_some_and(|text| !text.trim().is_empty()) {
        true => "\n",
        false => "",
    };
    profile.decor_mut().set_prefix(format!(
        "{gap}# `cargo nextest run --profile {NEXTEST_PROFILE}`: the testrail harness spools every test's outcome\n# (`cargo testrail upload` sends them when the run ends), and target/nextest/{NEXTEST_PROFILE}/junit.xml\n# is written for other tools (or for `cargo testrail import junit`).\n"
    ));
    profile.insert("fail-fast", value(false));
    let mut junit = Table::new();
    junit.insert("path", value("junit.xml"));
    profile.insert("junit", Item::Table(junit));
    profiles.insert(NEXTEST_PROFILE, Item::Table(profile));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| CliError::io("create", parent, e))?;
    }
    std::fs::write(path, doc.to_string()).map_err(|e| CliError::io("write", path, e))?;
    lines.push(FileLine {
        file,
        action: if old.is_some() { "changed" } else { "created" },
        detail: format!(
            "added [profile.{NEXTEST_PROFILE}] with JUnit output (target/nextest/{NEXTEST_PROFILE}/junit.xml){}",
            if old.is_some() { "; the other profiles are as they were" } else { "" }
        ),
    });
    Ok(())
}

/// Writes a whole file that init owns, when it is missing; an existing different one is
/// kept unless `force`.
fn write_file(
    path: &Path,
    text: &str,
    file: &str,
    lines: &mut Vec<FileLine>,
    what: &str,
    force: bool,
) -> Result<(), CliError> {
    match std::fs::read_to_string(path) {
        Ok(old) if old == text => lines.push(FileLine {
            file: file.to_owned(),
            action: "unchanged",
            detail: format!("{what}, as init writes it"),
        }),
        Ok(_) if !force => lines.push(FileLine {
            file: file.to_owned(),
            action: "kept",
            detail: format!("it exists and differs from {what} init writes (not replaced; delete it to get the new one)"),
        }),
        old => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| CliError::io("create", parent, e))?;
            }
            std::fs::write(path, text).map_err(|e| CliError::io("write", path, e))?;
            lines.push(FileLine {
                file: file.to_owned(),
                action: if old.is_ok() { "changed" } else { "created" },
                detail: what.to_owned(),
            });
        }
    }
    Ok(())
}

/// `path` relative to `base` when inside it.
fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A GitHub Actions workflow: one job makes the build's run, the test jobs (two
/// partitions) report into it, the last job closes it.
fn github_workflow(in_file: &Answers, nextest: bool) -> String {
    let mut env = String::new();
    if in_file.url.is_none() {
        env.push_str("  TESTRAIL_URL: ${{ vars.TESTRAIL_URL }}\n");
    }
    if in_file.user.is_none() {
        env.push_str("  TESTRAIL_USER: ${{ vars.TESTRAIL_USER }}\n");
    }
    if in_file.project.is_none() {
        env.push_str("  TESTRAIL_PROJECT: ${{ vars.TESTRAIL_PROJECT }}\n");
    }
    // Under nextest every test is a process of its own and sends nothing: the upload after
    // the run sends the session. After `cargo test` it sends what an export left behind.
    let test = match nextest {
        true => format!(
            "      - uses: taiki-e/install-action@nextest
      - run: cargo nextest run --profile {NEXTEST_PROFILE} --no-fail-fast --partition count:${{{{ matrix.partition }}}}/2"
        ),
        false => "      - run: cargo test --no-fail-fast".to_owned(),
    };
    let matrix = match nextest {
        true => "    strategy:\n      matrix:\n        partition: [1, 2]\n",
        false => "",
    };
    format!(
        "# Written by `cargo testrail init`: one TestRail run per build, every job reports into it.
name: testrail
on: [push, pull_request]

env:
  TESTRAIL_API_KEY: ${{{{ secrets.TESTRAIL_API_KEY }}}}
{env}
jobs:
  run:
    runs-on: ubuntu-latest
    outputs:
      run_id: ${{{{ steps.create.outputs.TESTRAIL_RUN_ID }}}}
      plan_id: ${{{{ steps.create.outputs.TESTRAIL_PLAN_ID }}}}
    steps:
      - uses: actions/checkout@v4
      - run: cargo install --locked --git {REPOSITORY} cargo-testrail
      - id: create
        # The same build (a re-run of failed jobs too) finds the same run. Pull requests
        # from forks get no secrets: their tests run all the same, and report nothing.
        continue-on-error: ${{{{ github.event_name == 'pull_request' }}}}
        run: cargo testrail run create --build gh-${{{{ github.run_id }}}} --format github-output >> \"$GITHUB_OUTPUT\"

  test:
    needs: run
    runs-on: ubuntu-latest
{matrix}    env:
      TESTRAIL_EXPORT: \"1\"
      TESTRAIL_EXPORT_FAILURE: ${{{{ github.event_name == 'pull_request' && 'warn' || 'fail' }}}}
      TESTRAIL_RUN_ID: ${{{{ needs.run.outputs.run_id }}}}
      TESTRAIL_PLAN_ID: ${{{{ needs.run.outputs.plan_id }}}}
    steps:
      - uses: actions/checkout@v4
      - run: cargo install --locked --git {REPOSITORY} cargo-testrail
{test}
      - if: always()
        run: cargo testrail upload

  close:
    needs: [run, test]
    if: always() && (needs.run.outputs.run_id != '' || needs.run.outputs.plan_id != '')
    runs-on: ubuntu-latest
    env:
      TESTRAIL_RUN_ID: ${{{{ needs.run.outputs.run_id }}}}
      TESTRAIL_PLAN_ID: ${{{{ needs.run.outputs.plan_id }}}}
    steps:
      - uses: actions/checkout@v4
      - run: cargo install --locked --git {REPOSITORY} cargo-testrail
      - run: cargo testrail run close
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_keep_their_other_keys_and_comments() {
        let mut doc: DocumentMut =
            "[package]\nname = \"x\" # the name\n\n[[test]]\nname = \"a\"\npath = \"t/a.rs\"\n"
                .parse()
                .unwrap();
        assert!(matches!(
            add_target(&mut doc, "a"),
            TargetChange::HarnessSet
        ));
        assert!(matches!(add_target(&mut doc, "b"), TargetChange::Added));
        assert!(matches!(add_target(&mut doc, "a"), TargetChange::Unchanged));
        assert!(add_dependency(&mut doc));
        assert!(!add_dependency(&mut doc));
        assert_eq!(
            doc.to_string(),
            format!(
                "[package]\nname = \"x\" # the name\n\n[[test]]\nname = \"a\"\npath = \"t/a.rs\"\nharness = false\n\n[[test]]\nname = \"b\"\nharness = false\n\n[dev-dependencies]\ntestrail = {{ git = \"{REPOSITORY}\" }}\n"
            )
        );
    }

    #[test]
    fn an_existing_nextest_config_gets_the_profile_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".config/nextest.toml");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let old = "# ours\n[profile.default]\nretries = 2 # flaky network\n";
        std::fs::write(&path, old).unwrap();
        let mut lines = Vec::new();
        write_nextest(&path, dir.path(), &mut lines).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(old), "{text}");
        let table: toml::Table = text.parse().unwrap();
        assert_eq!(
            table["profile"]["testrail"]["junit"]["path"].as_str(),
            Some("junit.xml")
        );
        assert_eq!(lines[0].action, "changed");
        write_nextest(&path, dir.path(), &mut lines).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        assert_eq!(lines[1].action, "unchanged");
    }

    #[test]
    fn a_renamed_dependency_counts() {
        let doc: DocumentMut =
            "[dev-dependencies]\ntr = { package = \"testrail\", path = \"..\" }\n"
                .parse()
                .unwrap();
        assert!(names_testrail(doc.get("dev-dependencies")));
    }

    #[test]
    fn the_config_text_is_valid_toml_without_a_key() {
        let answers = Answers {
            url: Some("https://acme.testrail.io".into()),
            user: None,
            project: Some("Shop \"main\"".into()),
            suites: vec!["Web Shop".into()],
        };
        let table: toml::Table = config_text(&answers).parse().unwrap();
        assert_eq!(table["project"].as_str(), Some("Shop \"main\""));
        assert_eq!(table["suites"][0].as_str(), Some("Web Shop"));
        assert!(table.get("user").is_none());
        assert!(table.get("api_key").is_none());
    }
}
