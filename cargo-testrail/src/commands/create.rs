//! Case creation (seeds 002 and 004): cases for tests that match none, in one configured
//! suite and section (missing sections are created), with fields from `--case-field`.
//! Idempotent: a case with the same title in the section is reused, never made twice, so
//! running it again creates nothing new. `--no-create` switches it off.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use serde::Serialize;
use testrail_api::{
    CaseFilter, CaseId, Client, Error as ClientError, NewCase, NewSection, ProjectId, SectionId,
    SuiteId,
};
use testrail_export::config::Config;
use testrail_export::{self as export, catalog};

use crate::cli::{CreateArgs, CreateCommandArgs, GlobalArgs};
use crate::context::{self, Workspace};
use crate::error::{CliError, EXIT_FINDINGS};
use crate::output::{self, BOLD, GRAY, GREEN};
use crate::sessions::{self, SessionDir};
use crate::write_back;
use testrail_formats::outcome::StepOutcome;

impl CreateArgs {
    /// Whether creation is on: `--create-missing` (or `TESTRAIL_CREATE_MISSING`) without
    /// `--no-create`.
    pub fn enabled(&self) -> bool {
        self.create_missing && !self.no_create
    }
}

/// A test that needs a case.
#[derive(Clone, Debug)]
pub struct Wanted {
    /// The title of the new case.
    pub title: String,
    /// The test's name (last part of its path).
    pub name: String,
    /// The test's full path.
    pub path: String,
    /// Where it is defined, when known.
    pub location: Option<String>,
    /// Whether the title was given (`title = "..."`) rather than derived from the name:
    /// a derived title shared by two tests is told apart by [`Wanted::qualifier`].
    pub title_given: bool,
}

impl Wanted {
    /// What tells this test from another of the same name: its module path (`basic` of
    /// `basic::pays`), else its file (`tests/basic.rs` of `tests/basic.rs:9`).
    fn qualifier(&self) -> String {
        if let Some((module, _)) = self.path.rsplit_once("::") {
            return module.to_owned();
        }
        if let Some(location) = &self.location {
            let file = location.split(':').next().unwrap_or(location);
            return std::path::Path::new(file).file_stem().map_or_else(
                || file.to_owned(),
                |stem| stem.to_string_lossy().into_owned(),
            );
        }
        self.path.clone()
    }

    /// The title with its qualifier: `pays (basic)`.
    fn qualified_title(&self) -> String {
        format!("{} ({})", self.title, self.qualifier())
    }

    /// Which test (or step definition) this is.
    fn identity(&self) -> (&str, Option<&str>) {
        (&self.path, self.location.as_deref())
    }
}

/// A case that was created, or found with the same title.
#[derive(Clone, Debug, Serialize)]
pub struct CreatedJson {
    /// The case ID.
    pub case_id: u64,
    /// Its title.
    pub title: String,
    /// The test it is for.
    pub test: String,
    /// Where the test is defined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Whether it was created now (else it existed).
    pub created: bool,
}

/// Runs `create`: cases for the unmapped tests (and with `--steps`, step functions) of
/// spooled sessions; with `--write`, their IDs written into the code.
pub async fn run(global: &GlobalArgs, args: CreateCommandArgs) -> Result<ExitCode, CliError> {
    if args.write && global.json {
        return Err(CliError::Input(
            "--write shows a diff and cannot be combined with --json: leave one out".to_owned(),
        ));
    }
    let workspace = Workspace::locate();
    let config = context::config(&args.settings)?;
    let sessions = sessions::resolve(&workspace, &args.dirs)?;
    let create = CreateArgs {
        create_missing: true,
        no_create: false,
        create_section: args.create_section,
        case_fields: args.case_fields,
    };
    let mut created = for_sessions(global, &config, &create, &sessions).await?;
    let steps = if args.steps {
        let wanted: Vec<Wanted> = unlinked_steps(&sessions)
            .into_iter()
            .map(|step| step.wanted)
            .collect();
        let mut linked = linked_cases(&sessions);
        linked.extend(created.iter().map(|case| case.case_id));
        let steps = self::create(&config, &create, &wanted, &linked).await?;
        if !global.json {
            print_with_attribute(&steps, "step");
        }
        steps
    } else {
        Vec::new()
    };
    let step_count = steps.len();
    created.extend(steps);
    if global.json {
        output::json(&created);
    } else if created.is_empty() {
        output::line("every test is linked to a case: nothing to create");
    }
    if !args.write {
        if !created.is_empty() && !global.json {
            output::note(
                "`cargo testrail create --write` writes these IDs into the code (showing the diff first)",
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let targets = write_targets(
        &sessions,
        &created[..created.len() - step_count],
        &created[created.len() - step_count..],
    );
    let summary = write_back::write(
        &targets,
        write_back::Options {
            allow_dirty: args.allow_dirty,
        },
    );
    Ok(if summary.failed > 0 {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

/// A step function without a case, as a spool recorded it.
struct UnlinkedStep {
    wanted: Wanted,
    file: String,
    line: u32,
    manifest_dir: String,
}

/// The step functions without a case in the sessions' attempts, once per definition.
fn unlinked_steps(sessions: &[SessionDir]) -> Vec<UnlinkedStep> {
    fn walk(steps: &[StepOutcome], manifest_dir: &str, found: &mut Vec<UnlinkedStep>) {
        for step in steps {
            if let Some(at) = &step.defined_at
                && step.case_ids.is_empty()
                && !found.iter().any(|f| f.file == at.file && f.line == at.line)
            {
                found.push(UnlinkedStep {
                    wanted: Wanted {
                        title: step.name.to_string(),
                        name: step.name.to_string(),
                        path: step.name.to_string(),
                        location: Some(at.to_string()),
                        title_given: false,
                    },
                    file: at.file.to_string(),
                    line: at.line,
                    manifest_dir: manifest_dir.to_owned(),
                });
            }
            walk(&step.steps, manifest_dir, found);
        }
    }
    let mut found = Vec::new();
    for file in sessions.iter().flat_map(|s| &s.files) {
        for test in &file.tests {
            for attempt in &test.attempts {
                walk(&attempt.steps, &file.manifest_dir, &mut found);
            }
        }
    }
    found
}

/// What `--write` edits: each created (or found) case at its test's or step's recorded
/// place.
fn write_targets(
    sessions: &[SessionDir],
    tests: &[CreatedJson],
    steps: &[CreatedJson],
) -> Vec<write_back::Target> {
    let mut targets = Vec::new();
    for case in tests {
        let recorded = sessions.iter().flat_map(|s| &s.files).find_map(|file| {
            file.tests
                .iter()
                .find(|t| t.path == case.test)
                .map(|t| (t, &file.manifest_dir))
        });
        if let Some((test, manifest_dir)) = recorded {
            targets.push(write_back::Target {
                kind: write_back::Kind::Test,
                case_id: case.case_id,
                what: case.test.clone(),
                file: test.defined_at.file.to_string(),
                line: test.defined_at.line,
                manifest_dir: manifest_dir.into(),
            });
        }
    }
    let unlinked = unlinked_steps(sessions);
    for (case, step) in steps.iter().zip(unlinked) {
        targets.push(write_back::Target {
            kind: write_back::Kind::Step,
            case_id: case.case_id,
            what: step.wanted.name,
            file: step.file,
            line: step.line,
            manifest_dir: step.manifest_dir.into(),
        });
    }
    targets
}

/// Creates cases for the unmapped tests of spooled sessions and prints them.
pub async fn for_sessions(
    global: &GlobalArgs,
    config: &Config,
    args: &CreateArgs,
    sessions: &[SessionDir],
) -> Result<Vec<CreatedJson>, CliError> {
    let mut wanted: Vec<Wanted> = Vec::new();
    for session in sessions {
        for file in &session.files {
            for test in &file.tests {
                if !test.all_case_ids().is_empty() || wanted.iter().any(|w| w.path == test.path) {
                    continue;
                }
                let name = test
                    .path
                    .rsplit("::")
                    .next()
                    .unwrap_or(&test.path)
                    .to_owned();
                wanted.push(Wanted {
                    title: test.title.clone().unwrap_or_else(|| name.clone()),
                    name,
                    path: test.path.clone(),
                    location: Some(test.defined_at.to_string()),
                    title_given: test.title.is_some(),
                });
            }
        }
    }
    let created = create(config, args, &wanted, &linked_cases(sessions)).await?;
    if !global.json {
        print_created(&created);
    }
    Ok(created)
}

/// The cases the tests and steps of the sessions are linked to already.
fn linked_cases(sessions: &[SessionDir]) -> BTreeSet<u64> {
    sessions
        .iter()
        .flat_map(|session| &session.files)
        .flat_map(|file| &file.tests)
        .flat_map(|test| test.all_case_ids())
        .collect()
}

/// Prints created and found cases, with the attribute to write into the code.
pub fn print_created(created: &[CreatedJson]) {
    print_with_attribute(created, "case");
}

/// Prints created and found cases, with `#[testrail::<attribute>(C..)]` to write into the
/// code (`case` for tests, `step` for step functions).
fn print_with_attribute(created: &[CreatedJson], attribute: &str) {
    for case in created {
        let what = if case.created {
            output::paint(GREEN, "created")
        } else {
            output::paint(GRAY, "exists ")
        };
        let location = case
            .location
            .as_deref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        output::line(format!(
            "{what} {} {:?} for {}{}{location}: #[testrail::{attribute}(C{})]",
            output::paint(BOLD, format!("C{}", case.case_id)),
            case.title,
            if attribute == "step" { "step " } else { "" },
            case.test,
            case.case_id
        ));
    }
}

/// Finds or creates a case per wanted test in the configured section; the result is in
/// the same order.
///
/// A case of the same title is reused only when no other test is linked to it (`linked`,
/// or another of `wanted`): two tests named alike in different modules get a case each,
/// titled with their module (`pays (basic)`, `pays (other)`) when their titles are derived
/// from their names.
pub async fn create(
    config: &Config,
    args: &CreateArgs,
    wanted: &[Wanted],
    linked: &BTreeSet<u64>,
) -> Result<Vec<CreatedJson>, CliError> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let fields = parse_fields(&args.case_fields)?;
    let path = args.create_section.as_deref().ok_or_else(|| {
        CliError::Create(format!(
            "{} test(s) need a case, but no section is named: pass --create-section \"Suite/Section\" (or set TESTRAIL_CREATE_SECTION), or --no-create",
            wanted.len()
        ))
    })?;
    let client = export::client(config)?;
    let project = catalog::find_project(&client, config).await?;
    let all_suites = client.get_suites(project.id).await?;
    let configured = catalog::select_suites(&all_suites, &config.suites)?;
    let parts: Vec<&str> = path
        .split('/')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect();
    let names_suite = |part: &str, suite: &testrail_api::Suite| {
        suite.name.eq_ignore_ascii_case(part)
            || part.trim_start_matches(['S', 's']).parse() == Ok(suite.id)
    };
    let (suite, sections) = match parts.split_first() {
        Some((first, rest)) if configured.iter().any(|s| names_suite(first, s)) => (
            configured.iter().find(|s| names_suite(first, s)).cloned(),
            rest.to_vec(),
        ),
        Some((first, _)) if all_suites.iter().any(|s| names_suite(first, s)) => {
            return Err(CliError::Create(format!(
                "suite {first:?} is not configured: add it to `suites` (TESTRAIL_SUITES) to create cases in it"
            )));
        }
        _ if configured.len() == 1 => (configured.first().cloned(), parts.clone()),
        _ => (None, parts.clone()),
    };
    let Some(suite) = suite else {
        return Err(CliError::Create(format!(
            "name the suite of new cases: --create-section \"<suite>/{path}\"; configured suites: {}",
            configured
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    if sections.is_empty() {
        return Err(CliError::Create(format!(
            "--create-section {path:?} names no section: new cases need one, e.g. \"{}/Automated\"",
            suite.name
        )));
    }
    let section_id = ensure_sections(&client, project.id, suite.id, &sections).await?;
    let mut existing = cases_in(&client, project.id, suite.id, section_id).await?;
    let mut created = Vec::new();
    // Which of `wanted` each case went to in this call.
    let mut claimed: BTreeMap<CaseId, (&str, Option<&str>)> = BTreeMap::new();
    let shared = shared_titles(wanted);
    for test in wanted {
        let free = |existing: &BTreeMap<String, Vec<CaseId>>,
                    claimed: &BTreeMap<CaseId, (&str, Option<&str>)>,
                    title: &str| {
            existing.get(&title_key(title)).and_then(|ids| {
                ids.iter()
                    .find(|id| {
                        !linked.contains(&id.get())
                            && claimed
                                .get(id)
                                .is_none_or(|owner| *owner == test.identity())
                    })
                    .copied()
            })
        };
        // A derived title shared with another test, or whose case another test holds,
        // gets the test's module.
        let taken = existing.contains_key(&title_key(&test.title))
            && free(&existing, &claimed, &test.title).is_none();
        let title = match !test.title_given && (shared.contains(&title_key(&test.title)) || taken) {
            true => test.qualified_title(),
            false => test.title.clone(),
        };
        let key = title_key(&title);
        let (case_id, new) = match free(&existing, &claimed, &title) {
            Some(id) => (id, false),
            None => {
                let body = NewCase {
                    title: title.clone(),
                    custom: fields
                        .iter()
                        .map(|(key, template)| (key.clone(), field_value(template, test)))
                        .collect(),
                    ..NewCase::default()
                };
                let id = match client.add_case(section_id, &body).await {
                    Ok(case) => case.id,
                    Err(ClientError::Ambiguous { .. }) => {
                        // It may exist now: look before adding it again.
                        existing = cases_in(&client, project.id, suite.id, section_id).await?;
                        match free(&existing, &claimed, &title) {
                            Some(id) => id,
                            None => client.add_case(section_id, &body).await?.id,
                        }
                    }
                    Err(error) => return Err(error.into()),
                };
                let ids = existing.entry(key).or_default();
                if !ids.contains(&id) {
                    ids.push(id);
                }
                (id, true)
            }
        };
        claimed.insert(case_id, test.identity());
        created.push(CreatedJson {
            case_id: case_id.get(),
            title,
            test: test.path.clone(),
            location: test.location.clone(),
            created: new,
        });
    }
    Ok(created)
}

/// How titles are compared: trimmed, case-insensitive.
fn title_key(title: &str) -> String {
    title.trim().to_lowercase()
}

/// The derived titles that more than one of `wanted` has (compared as [`title_key`]).
fn shared_titles(wanted: &[Wanted]) -> BTreeSet<String> {
    let mut owners: BTreeMap<String, BTreeSet<(&str, Option<&str>)>> = BTreeMap::new();
    for test in wanted.iter().filter(|test| !test.title_given) {
        owners
            .entry(title_key(&test.title))
            .or_default()
            .insert(test.identity());
    }
    owners
        .into_iter()
        .filter(|(_, owners)| owners.len() > 1)
        .map(|(title, _)| title)
        .collect()
}

/// Title → IDs of the cases in a section (oldest first).
async fn cases_in(
    client: &Client,
    project_id: ProjectId,
    suite_id: SuiteId,
    section_id: SectionId,
) -> Result<BTreeMap<String, Vec<CaseId>>, CliError> {
    let filter = CaseFilter {
        suite_id: Some(suite_id),
        section_id: Some(section_id),
        ..CaseFilter::default()
    };
    Ok(client
        .get_cases(project_id, &filter)
        .await?
        .into_iter()
        .filter(|case| !case.is_deleted && case.section_id == Some(section_id))
        .fold(BTreeMap::new(), |mut by_title, case| {
            by_title
                .entry(title_key(&case.title))
                .or_insert_with(Vec::new)
                .push(case.id);
            by_title
        }))
}

/// The section at `path` in the suite, creating what is missing; returns its ID.
async fn ensure_sections(
    client: &Client,
    project_id: ProjectId,
    suite_id: SuiteId,
    path: &[&str],
) -> Result<SectionId, CliError> {
    let mut sections = client.get_sections(project_id, Some(suite_id)).await?;
    let mut parent: Option<SectionId> = None;
    for name in path {
        let find = |sections: &[testrail_api::Section]| {
            sections
                .iter()
                .find(|s| s.parent_id == parent && s.name.trim().eq_ignore_ascii_case(name))
                .map(|s| s.id)
        };
        let id = match find(&sections) {
            Some(id) => id,
            None => {
                let body = NewSection {
                    name: (*name).to_owned(),
                    description: None,
                    suite_id: Some(suite_id),
                    parent_id: parent,
                };
                match client.add_section(project_id, &body).await {
                    Ok(section) => {
                        let id = section.id;
                        sections.push(section);
                        id
                    }
                    Err(ClientError::Ambiguous { .. }) => {
                        sections = client.get_sections(project_id, Some(suite_id)).await?;
                        match find(&sections) {
                            Some(id) => id,
                            None => client.add_section(project_id, &body).await?.id,
                        }
                    }
                    Err(error) => return Err(error.into()),
                }
            }
        };
        parent = Some(id);
    }
    parent.ok_or_else(|| CliError::Create("no section named".into()))
}

/// Parses `--case-field key=template`.
pub(crate) fn parse_fields(fields: &[String]) -> Result<Vec<(String, String)>, CliError> {
    fields
        .iter()
        .map(|field| {
            let (key, template) = field.split_once('=').ok_or_else(|| {
                CliError::Create(format!(
                    "--case-field {field:?} must be name=template, e.g. custom_automation_id={{path}}"
                ))
            })?;
            let key = key.trim();
            if key.is_empty() || key == "title" {
                return Err(CliError::Create(format!(
                    "--case-field {field:?}: name a field other than the title (custom_*, priority_id, refs, ...)"
                )));
            }
            Ok((key.to_owned(), template.to_owned()))
        })
        .collect()
}

/// A field's value for a test: placeholders replaced; whole numbers sent as numbers.
pub(crate) fn field_value(template: &str, test: &Wanted) -> serde_json::Value {
    let text = template
        .replace("{title}", &test.title)
        .replace("{name}", &test.name)
        .replace("{path}", &test.path);
    match text.parse::<u64>() {
        Ok(number) => serde_json::Value::from(number),
        Err(_) => serde_json::Value::String(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_templates() {
        let test = Wanted {
            title: "Pays".into(),
            name: "pays".into(),
            path: "checkout::pays".into(),
            location: None,
            title_given: true,
        };
        assert_eq!(field_value("{path}", &test), "checkout::pays");
        assert_eq!(field_value("3", &test), 3);
        assert!(parse_fields(&["nonsense".into()]).is_err());
        assert!(parse_fields(&["title=x".into()]).is_err());
    }
}
