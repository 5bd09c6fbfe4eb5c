//! `cargo testrail push`: keeps the linked cases in step with the code. For each case that a
//! test (or a step function) links to, it sets in TestRail what the code knows: the title
//! (`title = "..."`, else the function's name, as `create` titles new cases), the steps (the
//! names of the `#[testrail::step]` functions the test went through when it last passed, from
//! its step plan, into `custom_steps_separated` when the case's template has that field),
//! `refs` (the test's `known_bug`, added to those the case has) and the custom case fields of
//! `[case_fields]` / `--case-field`. Only changed fields are sent; a case that already
//! matches is "unchanged". `--dry-run` shows each change as a diff and sends nothing.
//! Afterwards `testrail.lock` records the cases as TestRail now has them, so `status` shows
//! them Synced. Nothing is created: tests without a case are listed.
//!
//! TestRail answers `update_case` with 200 and keeps nothing of a custom field that the
//! case's template lacks (sker65/testrail-mcp#5), so such fields are never sent: the case
//! gets a line saying why; and every answer is compared with what was sent.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use serde::Serialize;
use serde_json::{Value, json};
use similar::{ChangeTag, TextDiff};
use testrail_api::{Case, CaseUpdate, Error as ClientError, FieldDef, Template};
use testrail_export::{self as export, catalog};
use testrail_formats::registry::{Registry, RegistryTest};
use testrail_harness::step_plan::StepPlans;

use crate::cli::{GlobalArgs, PushArgs, PushField};
use crate::context::{self, Workspace};
use crate::error::{CliError, EXIT_FINDINGS};
use crate::linked::{self, Link, Links};
use crate::lockfile::{self, Accepted};
use crate::output::{self, BOLD, GRAY, GREEN, ORANGE, RED};

use super::create::{self, Wanted};

/// The system name of TestRail's separated-steps field ("Test Case (Steps)" template).
const STEPS_FIELD: &str = "custom_steps_separated";

/// What the code says a case should hold.
#[derive(Clone, Debug, Default)]
struct Desired {
    title: Option<String>,
    /// Step names in order; `None` when not known or not asked for.
    steps: Option<Vec<String>>,
    refs: Vec<String>,
    fields: BTreeMap<String, Value>,
}

/// One field's change.
#[derive(Clone, Debug, Serialize)]
struct Change {
    field: String,
    old: Value,
    new: Value,
}

/// What push did (or would do) with one case.
#[derive(Clone, Debug, Serialize)]
struct CaseReport {
    id: u64,
    /// `updated`, `would update`, `unchanged`, `skipped`, `missing`.
    outcome: &'static str,
    title: Option<String>,
    links: Vec<Link>,
    changes: Vec<Change>,
    /// Why something was not pushed.
    notes: Vec<String>,
    /// Whether a note is a finding (exit code 1).
    #[serde(skip)]
    finding: bool,
}

/// `push --json`.
#[derive(Serialize)]
struct PushJson<'a> {
    dry_run: bool,
    cases: &'a [CaseReport],
    unmapped: &'a [Link],
    lock_file: Option<String>,
}

/// Runs `push`.
pub async fn run(global: &GlobalArgs, args: PushArgs) -> Result<ExitCode, CliError> {
    let workspace = Workspace::locate();
    let config = context::config(&args.build.settings)?;
    let dry_run = config.dry_run;
    let only: BTreeSet<PushField> = if args.only.is_empty() {
        PushField::ALL.into_iter().collect()
    } else {
        args.only.iter().copied().collect()
    };
    let mut configured_fields: Vec<(String, Value)> = config
        .case_fields
        .iter()
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    for (name, template) in create::parse_fields(&args.case_fields)? {
        if !name.starts_with("custom_") {
            return Err(CliError::Input(format!(
                "--case-field {name}=...: push keeps custom case fields only; name one that starts with custom_"
            )));
        }
        configured_fields.retain(|(existing, _)| *existing != name);
        configured_fields.push((name, Value::String(template)));
    }
    let client = export::client(&config)?;
    let lock_path = args
        .build
        .lock
        .clone()
        .unwrap_or_else(|| workspace.lock_file());
    let mut lock = lockfile::read(&lock_path)?;
    let registries = linked::registries(&workspace, &args.build)?;
    let links = Links::from_registries(&registries);
    let plans = Plans::new(&workspace);

    let project = catalog::find_project(&client, &config).await?;
    let needs_fields = only.contains(&PushField::Steps)
        || (only.contains(&PushField::Fields) && !configured_fields.is_empty());
    let field_defs = if needs_fields {
        client.get_case_fields().await?
    } else {
        Vec::new()
    };
    let templates = if needs_fields {
        client.get_templates(project.id).await.unwrap_or_default()
    } else {
        Vec::new()
    };

    let mut reports = Vec::new();
    let mut stopped: Option<CliError> = None;
    for (id, case_links) in &links.cases {
        let mut report = CaseReport {
            id: *id,
            outcome: "skipped",
            title: None,
            links: case_links.clone(),
            changes: Vec::new(),
            notes: Vec::new(),
            finding: false,
        };
        if case_links.len() > 1 {
            report.notes.push(format!(
                "linked from {} places ({}): push does not choose between them; link the case from one test",
                case_links.len(),
                case_links
                    .iter()
                    .map(Link::describe)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            report.finding = true;
            reports.push(report);
            continue;
        }
        let link = &case_links[0];
        let case = match client.get_case(*id).await {
            Ok(case) if !case.is_deleted => case,
            Ok(_) | Err(ClientError::BadRequest { .. }) => {
                report.outcome = "missing";
                report.notes.push(
                    "no such case in TestRail (Missing): remove the link from the code, or link an existing case"
                        .to_owned(),
                );
                report.finding = true;
                reports.push(report);
                continue;
            }
            Err(error) => {
                stopped = Some(error.into());
                break;
            }
        };
        report.title = Some(case.title.clone());
        let desired = desired(
            link,
            &registries,
            &plans,
            &only,
            &configured_fields,
            &mut report,
        );
        let update = plan_update(
            &case,
            &desired,
            &field_defs,
            &templates,
            project.id.get(),
            &mut report,
        );
        if report.changes.is_empty() {
            report.outcome = "unchanged";
            if !dry_run {
                lock.insert(*id, accepted(&case));
            }
            reports.push(report);
            continue;
        }
        if dry_run {
            report.outcome = "would update";
            reports.push(report);
            continue;
        }
        match client.update_case(*id, &update).await {
            Ok(updated) => {
                report.outcome = "updated";
                for change in &report.changes {
                    if !kept(&updated, change) {
                        report.notes.push(format!(
                            "TestRail did not keep {}: it answered with {}; check the field's configuration (Administration > Customizations)",
                            change.field,
                            shown(&current(&updated, &change.field))
                        ));
                        report.finding = true;
                    }
                }
                lock.insert(*id, accepted(&updated));
                report.title = Some(updated.title.clone());
                reports.push(report);
            }
            Err(error) => {
                report
                    .notes
                    .push("not updated: see the error below".to_owned());
                report.finding = true;
                reports.push(report);
                stopped = Some(CliError::Push {
                    case: *id,
                    error: Box::new(error.into()),
                });
                break;
            }
        }
    }

    let wrote_lock = !dry_run && reports.iter().any(|r| r.outcome != "missing");
    if wrote_lock {
        lockfile::write(&lock_path, &lock)?;
    }
    for note in plans.notes() {
        output::warn(note);
    }
    let lock_shown = wrote_lock.then(|| context::display_path(&lock_path));
    if global.json {
        output::json(&PushJson {
            dry_run,
            cases: &reports,
            unmapped: &links.unmapped,
            lock_file: lock_shown.clone(),
        });
    } else {
        print(&reports, &links, dry_run, lock_shown.as_deref());
    }
    if let Some(error) = stopped {
        return Err(error);
    }
    Ok(if reports.iter().any(|r| r.finding) {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

/// The step plans of the workspace's test binaries, opened as they are needed.
struct Plans {
    root: std::path::PathBuf,
    opened: std::cell::RefCell<BTreeMap<(String, String), std::rc::Rc<StepPlans>>>,
}

impl Plans {
    fn new(workspace: &Workspace) -> Plans {
        Plans {
            root: workspace.testrail_dir().step_plans(),
            opened: Default::default(),
        }
    }

    /// The names of the steps `test` of `binary` went through when it last passed.
    fn steps(&self, registry: &Registry, test: &str) -> Option<Vec<String>> {
        let key = (registry.package.clone(), registry.binary.clone());
        let plans = self
            .opened
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| {
                std::rc::Rc::new(StepPlans::new(
                    &self.root,
                    &registry.package,
                    &registry.binary,
                ))
            })
            .clone();
        plans
            .load(test)
            .map(|plan| plan.iter().map(|step| step.name.to_string()).collect())
    }

    /// Plans that could not be read.
    fn notes(&self) -> Vec<String> {
        self.opened
            .borrow()
            .values()
            .flat_map(|plans| plans.notes())
            .collect()
    }
}

/// What the code says about the case linked from `link`.
fn desired(
    link: &Link,
    registries: &[Registry],
    plans: &Plans,
    only: &BTreeSet<PushField>,
    configured_fields: &[(String, Value)],
    report: &mut CaseReport,
) -> Desired {
    let mut desired = Desired::default();
    let name = link
        .path
        .rsplit("::")
        .next()
        .unwrap_or(&link.path)
        .to_owned();
    let found: Option<(&Registry, &RegistryTest)> = registries.iter().find_map(|registry| {
        (format!("{}::{}", registry.package, registry.binary) == link.binary)
            .then(|| {
                registry
                    .tests
                    .iter()
                    .find(|test| test.path == link.path)
                    .map(|test| (registry, test))
            })
            .flatten()
    });
    let title = match found {
        Some((_, test)) => test.title.clone().unwrap_or_else(|| name.clone()),
        None => name.clone(),
    };
    if only.contains(&PushField::Title) {
        if link.kind == "test" {
            desired.title = Some(title.clone());
        } else {
            report.notes.push(
                "title not pushed: the case is linked from a step function, which has no title of its own".to_owned(),
            );
        }
    }
    if only.contains(&PushField::Steps) {
        match (link.kind, found) {
            ("test", Some((registry, test))) => match plans.steps(registry, &test.path) {
                Some(steps) => desired.steps = Some(steps),
                None => report.notes.push(
                    "steps not pushed: no step plan for this test (it has no #[testrail::step] calls, or has not passed since it got them: run `cargo test`, which records the steps of passing tests)"
                        .to_owned(),
                ),
            },
            _ => report
                .notes
                .push("steps not pushed: the case is linked from a step function, whose own steps are not recorded".to_owned()),
        }
    }
    if only.contains(&PushField::Refs)
        && let Some((_, test)) = found
        && let Some(bug) = &test.known_bug
    {
        desired.refs.push(bug.clone());
    }
    if only.contains(&PushField::Fields) {
        let wanted = Wanted {
            title,
            name,
            path: link.path.clone(),
            location: None,
            title_given: true,
        };
        for (field, value) in configured_fields {
            let value = match value {
                Value::String(template) => create::field_value(template, &wanted),
                other => other.clone(),
            };
            desired.fields.insert(field.clone(), value);
        }
    }
    desired
}

/// Compares the case with what the code says; records the changes in `report` and returns
/// the update that makes them (only changed fields).
fn plan_update(
    case: &Case,
    desired: &Desired,
    field_defs: &[FieldDef],
    templates: &[Template],
    project_id: u64,
    report: &mut CaseReport,
) -> CaseUpdate {
    let mut update = CaseUpdate::default();
    if let Some(title) = &desired.title
        && *title != case.title
    {
        report.changes.push(Change {
            field: "title".into(),
            old: json!(case.title),
            new: json!(title),
        });
        update.title = Some(title.clone());
    }
    let template_id = case.template_id.map(|t| t.get());
    let template_name = || {
        let name = templates
            .iter()
            .find(|t| Some(t.id.get()) == template_id)
            .map(|t| format!("{:?}", t.name));
        match (name, template_id) {
            (Some(name), _) => name,
            (None, Some(id)) => format!("{id}"),
            (None, None) => "(none)".to_owned(),
        }
    };
    // Whether the case has a custom field: active, used in the project, in its template.
    let has_field = |system_name: &str| -> Result<(), String> {
        let Some(def) = field_defs.iter().find(|f| f.system_name == system_name) else {
            return Err(format!(
                "TestRail has no case field {system_name} (get_case_fields)"
            ));
        };
        if !def.is_active {
            return Err(format!("the case field {system_name} is not active"));
        }
        if !def.applies_to(project_id) {
            return Err(format!(
                "the case field {system_name} is not used in this project"
            ));
        }
        let in_template = def.include_all
            || template_id.is_some_and(|t| def.template_ids.iter().any(|d| d.get() == t));
        if !in_template {
            return Err(format!(
                "the case's template {} has no {system_name} field (TestRail would ignore it)",
                template_name()
            ));
        }
        Ok(())
    };
    if let Some(steps) = &desired.steps {
        match has_field(STEPS_FIELD) {
            Err(why) => report.notes.push(format!(
                "steps not pushed: {why}; switch the case to a template with separated steps, e.g. \"Test Case (Steps)\""
            )),
            Ok(()) => {
                let old: Vec<Value> = case
                    .custom(STEPS_FIELD)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let old_names: Vec<String> = old.iter().map(step_content).collect();
                if old_names != *steps {
                    // A step that stays at its place keeps what TestRail holds for it (the
                    // expected result, shared steps, ...).
                    let new: Vec<Value> = steps
                        .iter()
                        .enumerate()
                        .map(|(index, name)| match old.get(index) {
                            Some(step) if step_content(step) == *name => step.clone(),
                            _ => json!({ "content": name, "expected": "" }),
                        })
                        .collect();
                    report.changes.push(Change {
                        field: STEPS_FIELD.into(),
                        old: Value::Array(old),
                        new: Value::Array(new.clone()),
                    });
                    update.custom.insert(STEPS_FIELD.into(), Value::Array(new));
                }
            }
        }
    }
    if !desired.refs.is_empty() {
        let old = case.refs.clone().unwrap_or_default();
        let have: Vec<&str> = old
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .collect();
        let missing: Vec<&String> = desired
            .refs
            .iter()
            .filter(|r| !have.contains(&r.as_str()))
            .collect();
        if !missing.is_empty() {
            let mut all: Vec<&str> = have.clone();
            all.extend(missing.iter().map(|r| r.as_str()));
            let new = all.join(",");
            report.changes.push(Change {
                field: "refs".into(),
                old: json!(old),
                new: json!(new),
            });
            update.refs = Some(new);
        }
    }
    for (field, value) in &desired.fields {
        if let Err(why) = has_field(field) {
            report.notes.push(format!(
                "{field} not pushed: {why}; fix [case_fields] in testrail.toml (or --case-field)"
            ));
            report.finding = true;
            continue;
        }
        let old = case.custom(field).cloned().unwrap_or(Value::Null);
        if !same_value(&old, value) {
            report.changes.push(Change {
                field: field.clone(),
                old,
                new: value.clone(),
            });
            update.custom.insert(field.clone(), value.clone());
        }
    }
    update
}

/// A step's text (`content`; a shared step shows as `shared step <id>`).
fn step_content(step: &Value) -> String {
    match (step.get("content"), step.get("shared_step_id")) {
        (Some(Value::String(content)), _) => content.clone(),
        (_, Some(id)) if !id.is_null() => format!("shared step {id}"),
        _ => String::new(),
    }
}

/// Whether two field values are the same; TestRail answers numbers as numbers or text.
fn same_value(old: &Value, new: &Value) -> bool {
    let text = |value: &Value| match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_owned()),
        _ => None,
    };
    old == new || (text(old).is_some() && text(old) == text(new))
}

/// The value a case holds for a field of [`Change`].
fn current(case: &Case, field: &str) -> Value {
    match field {
        "title" => json!(case.title),
        "refs" => json!(case.refs.clone().unwrap_or_default()),
        custom => case.custom(custom).cloned().unwrap_or(Value::Null),
    }
}

/// Whether TestRail's answer holds the change.
fn kept(case: &Case, change: &Change) -> bool {
    let now = current(case, &change.field);
    if change.field == STEPS_FIELD {
        let names = |value: &Value| -> Vec<String> {
            value
                .as_array()
                .map(|steps| steps.iter().map(step_content).collect())
                .unwrap_or_default()
        };
        return names(&now) == names(&change.new);
    }
    same_value(&now, &change.new)
}

/// The lock file's entry for a case as TestRail has it.
fn accepted(case: &Case) -> Accepted {
    Accepted {
        suite: case.suite_id.map(|s| s.get()),
        section: case.section_id.map(|s| s.get()),
        updated_on: case.updated_on,
        title: case.title.clone(),
    }
}

/// A value in one line: text quoted, nothing as `(none)`.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => "(none)".to_owned(),
        Value::String(text) if text.is_empty() => "(none)".to_owned(),
        Value::String(text) => format!("{text:?}"),
        other => other.to_string(),
    }
}

fn print(reports: &[CaseReport], links: &Links, dry_run: bool, lock: Option<&str>) {
    for report in reports {
        let (style, outcome) = match report.outcome {
            "updated" => (GREEN, "updated"),
            "would update" => (ORANGE, "would update"),
            "unchanged" => (GRAY, "unchanged"),
            "missing" => (RED, "missing"),
            other => (ORANGE, other),
        };
        let link = report
            .links
            .first()
            .map(|l| l.describe())
            .unwrap_or_default();
        output::line(format!(
            "{} {} {}",
            output::paint(BOLD, format!("C{}", report.id)),
            output::paint(style, outcome),
            output::paint(GRAY, format!("← {link}"))
        ));
        for change in &report.changes {
            if change.field == STEPS_FIELD {
                output::line(format!("  {}:", change.field));
                let lines = |value: &Value| -> String {
                    value
                        .as_array()
                        .map(|steps| {
                            steps
                                .iter()
                                .map(|s| format!("{}\n", step_content(s)))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let (old, new) = (lines(&change.old), lines(&change.new));
                let diff = TextDiff::from_lines(&old, &new);
                for change in diff.iter_all_changes() {
                    let text = change.value().trim_end_matches('\n');
                    output::line(match change.tag() {
                        ChangeTag::Delete => output::paint(RED, format!("    - {text}")),
                        ChangeTag::Insert => output::paint(GREEN, format!("    + {text}")),
                        ChangeTag::Equal => format!("      {text}"),
                    });
                }
            } else {
                output::line(format!(
                    "  {}: {} → {}",
                    change.field,
                    output::paint(RED, shown(&change.old)),
                    output::paint(GREEN, shown(&change.new))
                ));
            }
        }
        for note in &report.notes {
            output::line(format!("  {}", output::paint(GRAY, note)));
        }
    }
    if !links.unmapped.is_empty() {
        output::line(format!(
            "\n{} (push creates no case; `cargo testrail create` does):",
            output::paint(BOLD, "Tests without a case")
        ));
        for link in &links.unmapped {
            output::line(format!("  {} ({}:{})", link.path, link.file, link.line));
        }
    }
    let count = |outcome: &str| reports.iter().filter(|r| r.outcome == outcome).count();
    let skipped = reports.len() - count("updated") - count("would update") - count("unchanged");
    let summary = if dry_run {
        format!(
            "\n{} case(s) would be updated, {} unchanged, {skipped} skipped (dry run: nothing was sent)",
            count("would update"),
            count("unchanged"),
        )
    } else {
        format!(
            "\n{} case(s) updated, {} unchanged, {skipped} skipped",
            count("updated"),
            count("unchanged"),
        )
    };
    output::line(summary);
    if let Some(lock) = lock {
        output::line(output::paint(
            GRAY,
            format!("recorded the pushed and unchanged cases in {lock}"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_their_text_are_the_same_value() {
        assert!(same_value(&json!(3), &json!("3")));
        assert!(same_value(&json!(null), &json!(null)));
        assert!(!same_value(&json!(null), &json!("")));
        assert!(!same_value(&json!("a"), &json!("b")));
    }

    fn empty_report() -> CaseReport {
        CaseReport {
            id: 1,
            outcome: "skipped",
            title: None,
            links: Vec::new(),
            changes: Vec::new(),
            notes: Vec::new(),
            finding: false,
        }
    }

    #[test]
    fn only_changed_fields_are_sent() {
        let case: Case = serde_json::from_value(json!({
            "id": 1, "title": "Pays", "refs": "SHOP-1", "template_id": 2,
            "custom_steps_separated": [{"content": "log_in", "expected": "in"}],
            "custom_owner": "qa"
        }))
        .unwrap();
        let fields: Vec<FieldDef> = serde_json::from_value(json!([
            {"id": 1, "system_name": "custom_steps_separated", "is_active": true, "include_all": false,
             "template_ids": [2], "configs": [{"context": {"is_global": true}}]},
            {"id": 2, "system_name": "custom_owner", "is_active": true, "include_all": true,
             "configs": [{"context": {"is_global": true}}]}
        ]))
        .unwrap();
        let desired = Desired {
            title: Some("Pays".into()),
            steps: Some(vec!["log_in".into(), "pay".into()]),
            refs: vec!["SHOP-1".into()],
            fields: [("custom_owner".to_owned(), json!("qa"))].into(),
        };
        let mut report = empty_report();
        let update = plan_update(&case, &desired, &fields, &[], 1, &mut report);
        assert_eq!(
            serde_json::to_value(&update).unwrap(),
            json!({"custom_steps_separated": [
                {"content": "log_in", "expected": "in"},
                {"content": "pay", "expected": ""}
            ]}),
            "only the steps differ; the step that stays keeps its expected result"
        );
        assert_eq!(report.changes.len(), 1);
        assert!(report.notes.is_empty(), "{:?}", report.notes);

        // A Text case (template 1) gets no steps, and a line saying why.
        let text_case: Case =
            serde_json::from_value(json!({"id": 2, "title": "Pays", "template_id": 1})).unwrap();
        let mut report = empty_report();
        let update = plan_update(&text_case, &desired, &fields, &[], 1, &mut report);
        assert_eq!(
            serde_json::to_value(&update).unwrap()["custom_steps_separated"],
            Value::Null
        );
        assert!(
            report.notes[0].contains("has no custom_steps_separated field"),
            "{:?}",
            report.notes
        );
    }

    #[test]
    fn an_answer_without_the_change_is_not_kept() {
        let case: Case = serde_json::from_value(json!({
            "id": 1, "title": "t", "refs": "A",
            "custom_steps_separated": [{"content": "log_in", "expected": "in"}]
        }))
        .unwrap();
        let change = |field: &str, new: Value| Change {
            field: field.into(),
            old: Value::Null,
            new,
        };
        assert!(kept(&case, &change("title", json!("t"))));
        assert!(!kept(&case, &change("title", json!("u"))));
        assert!(kept(&case, &change("refs", json!("A"))));
        assert!(kept(
            &case,
            &change(STEPS_FIELD, json!([{"content": "log_in", "expected": ""}]))
        ));
        assert!(!kept(
            &case,
            &change(
                STEPS_FIELD,
                json!([{"content": "log_in"}, {"content": "pay"}])
            )
        ));
        assert!(!kept(&case, &change("custom_preconds", json!("x"))));
    }

    #[test]
    fn steps_show_their_content_or_their_shared_step() {
        assert_eq!(step_content(&json!({"content": "log in"})), "log in");
        assert_eq!(step_content(&json!({"shared_step_id": 4})), "shared step 4");
        assert_eq!(step_content(&json!({})), "");
    }
}
