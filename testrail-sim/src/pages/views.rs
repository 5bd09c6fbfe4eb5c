//! The pages themselves: dashboard, run, plan, suite and case, read from the state.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use maud::{Markup, html};
use serde_json::Value;

use super::Viewer;
use super::layout::{self, Crumb, badge, bar, link, row_style, time, user_name};
use crate::model::{Case, Run, Test, TestResult};
use crate::state::State;

/// A page's status and HTML.
type Page = (StatusCode, String);

/// A test with its case (`None` for a deleted case).
type TestOfCase<'a> = (&'a Test, Option<&'a Case>);

/// TestRail's Passed status: its tests' results start folded, so what did not pass stands out.
const PASSED: u64 = 1;

fn crumb(route: String, text: impl Into<String>) -> Crumb {
    (route, text.into())
}

fn dashboard_crumb() -> Crumb {
    crumb("/dashboard".into(), "Dashboard")
}

fn project_crumbs(st: &State, project_id: u64) -> Vec<Crumb> {
    let mut crumbs = vec![dashboard_crumb()];
    if let Some(p) = st.projects.get(&project_id) {
        crumbs.push(crumb(
            format!("/dashboard#project-{}", p.id),
            p.name.clone(),
        ));
    }
    crumbs
}

/// 404 for an id the state does not hold.
fn not_found(viewer: &Viewer, what: &str, id: &str) -> Page {
    (
        StatusCode::NOT_FOUND,
        layout::message_page(
            Some(viewer),
            "Not found",
            &format!(
                "There is no {what} {id} in this simulator. The dashboard lists the projects, runs, plans and suites it holds."
            ),
        ),
    )
}

/// The sections of a suite in tree order (parents before children, siblings by display
/// order), each with its path (`Cart › Adding items`) and depth.
fn section_tree(st: &State, suite_id: u64) -> Vec<(u64, String, u64)> {
    let mut children: BTreeMap<Option<u64>, Vec<(u64, u64)>> = BTreeMap::new();
    for s in st.sections.values().filter(|s| s.suite_id == suite_id) {
        children
            .entry(s.parent_id)
            .or_default()
            .push((s.display_order, s.id));
    }
    for list in children.values_mut() {
        list.sort();
    }
    let mut out = Vec::new();
    // Depth-first, keeping sibling order: children are pushed in reverse.
    let mut work: Vec<(u64, String, u64)> = Vec::new();
    if let Some(roots) = children.get(&None) {
        for (_, id) in roots.iter().rev() {
            work.push((*id, String::new(), 0));
        }
    }
    while let Some((id, parent_path, depth)) = work.pop() {
        let name = st
            .sections
            .get(&id)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let path = if parent_path.is_empty() {
            name
        } else {
            format!("{parent_path} › {name}")
        };
        if let Some(kids) = children.get(&Some(id)) {
            for (_, kid) in kids.iter().rev() {
                work.push((*kid, path.clone(), depth + 1));
            }
        }
        out.push((id, path, depth));
    }
    out
}

/// The dashboard: every project with its runs, plans and suites.
pub(super) fn dashboard(st: &State, viewer: &Viewer) -> String {
    let body = html! {
        @if st.projects.is_empty() {
            div.card { p { "The simulator holds no projects." } }
        }
        @for p in st.projects.values() {
            @let runs: Vec<&Run> = st.runs.values().rev().filter(|r| r.project_id == p.id && r.plan_id.is_none()).collect();
            @let plans: Vec<_> = st.plans.values().rev().filter(|pl| pl.project_id == p.id).collect();
            @let suites: Vec<_> = st.suites.values().filter(|s| s.project_id == p.id).collect();
            div.card.project id=(format!("project-{}", p.id)) {
                h2 { (p.name) @if p.is_completed { " " span.tag { "Completed" } } }
                @if let Some(a) = p.announcement.as_deref().filter(|a| !a.is_empty()) { p.muted.desc { (a) } }
                h3 { "Test Runs" }
                @if runs.is_empty() { p.muted { "No test runs." } } @else {
                    table.runs {
                        thead { tr { th { "ID" } th { "Run" } th { "Progress" } th { "Created" } } }
                        tbody {
                            @for r in &runs {
                                @let counts = st.status_counts(r);
                                tr {
                                    td.id { "R" (r.id) }
                                    td { a href=(link(&format!("/runs/view/{}", r.id))) { (r.name) }
                                        @if r.is_completed { " " span.tag { "Completed" } } }
                                    td { (bar(st, &counts, true, false)) span.muted { (counts.values().sum::<u64>()) " tests" } }
                                    td.muted { (time(r.created_on)) }
                                }
                            }
                        }
                    }
                }
                h3 { "Test Plans" }
                @if plans.is_empty() { p.muted { "No test plans." } } @else {
                    table.plans {
                        thead { tr { th { "ID" } th { "Plan" } th { "Entries" } th { "Created" } } }
                        tbody {
                            @for pl in &plans {
                                tr {
                                    td.id { "R" (pl.id) }
                                    td { a href=(link(&format!("/plans/view/{}", pl.id))) { (pl.name) }
                                        @if pl.is_completed { " " span.tag { "Completed" } } }
                                    td { (pl.entries.len()) }
                                    td.muted { (time(pl.created_on)) }
                                }
                            }
                        }
                    }
                }
                h3 { "Test Suites" }
                @if suites.is_empty() { p.muted { "No test suites." } } @else {
                    table.suites {
                        thead { tr { th { "ID" } th { "Suite" } th { "Cases" } } }
                        tbody {
                            @for s in &suites {
                                tr {
                                    td.id { "S" (s.id) }
                                    td { a href=(link(&format!("/suites/view/{}", s.id))) { (s.name) } }
                                    td { (st.suite_cases(s.id).count()) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::page(Some(viewer), "Dashboard", &[], "Dashboard", body)
}

/// One result: who set which status when (the summary line), then, unfolded when `open`,
/// its comment, fields, step results and attachments.
fn result_block(st: &State, r: &TestResult, open: bool) -> Markup {
    let fields: Vec<(String, &Value)> = r
        .custom
        .iter()
        .filter(|(k, _)| k.as_str() != "custom_step_results")
        .map(|(k, v)| {
            let label = st
                .result_fields
                .iter()
                .find(|f| f.system_name() == *k)
                .map_or_else(|| k.clone(), |f| f.label.clone());
            (label, v)
        })
        .collect();
    let steps: Vec<&Value> = r
        .custom
        .get("custom_step_results")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    html! {
        details.result data-result-id=(r.id) open[open] {
            summary.by {
                @match r.status_id {
                    Some(s) => { (badge(st, s)) " " }
                    None => { span.tag { "Comment" } " " }
                }
                "by " (user_name(st, r.created_by)) " on " (time(r.created_on))
                @if let Some(e) = r.elapsed.as_deref() { " · elapsed " (e) }
                @if let Some(v) = r.version.as_deref() { " · version " span title=(v) { (short(v)) } }
                @if let Some(d) = r.defects.as_deref() { " · defects " b { (d) } }
                @if r.comment.as_deref().is_some_and(|c| !c.is_empty()) && !open { span.muted { " · comment" } }
            }
            @if let Some(c) = r.comment.as_deref().filter(|c| !c.is_empty()) { pre.comment { (c) } }
            @for (label, v) in &fields {
                div.by { (label) ": " (plain(v)) }
            }
            @if !steps.is_empty() {
                table.steps {
                    thead { tr { th { "#" } th { "Step" } th { "Expected" } th { "Actual" } th { "Status" } } }
                    tbody {
                        @for (i, step) in steps.iter().enumerate() {
                            tr.step {
                                td { (i + 1) }
                                td { (plain(&step["content"])) }
                                td { (plain(&step["expected"])) }
                                td { @if !step["actual"].is_null() { pre.comment { (plain(&step["actual"])) } } }
                                td { @if let Some(s) = step["status_id"].as_u64() { (badge(st, s)) } }
                            }
                        }
                    }
                }
            }
            @let files: Vec<_> = r.attachment_ids.iter().filter_map(|id| st.attachments.get(id)).collect();
            @if !files.is_empty() {
                ul.files {
                    @for a in &files {
                        li { "📎 " (a.name) span.muted { " (" (layout::size(a.size)) @if let Some(ct) = a.content_type.as_deref() { ", " (ct) } ")" } }
                    }
                }
            }
        }
    }
}

/// A long value (a commit hash as the version) cut to 12 characters and an ellipsis; the
/// page keeps the whole value in the element's title.
fn short(v: &str) -> String {
    if v.chars().count() > 16 {
        format!("{}…", v.chars().take(12).collect::<String>())
    } else {
        v.to_string()
    }
}

/// A JSON value as plain text: strings as they are, null as nothing, others as JSON.
fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A test and its results: one row, then a row with the newest result (unfolded unless the
/// test passed) and the earlier ones folded.
fn test_rows(st: &State, t: &Test, case: Option<&Case>, results: &[&TestResult]) -> Markup {
    let latest = results.first();
    let style = row_style(st, t.status_id);
    let status_name = layout::look(st, t.status_id).name;
    html! {
        tbody.test id=(format!("T{}", t.id)) data-case-id=(t.case_id) data-status=(status_name) {
            tr.test style=(style) {
                td.id { "T" (t.id) }
                td.title {
                    @match case {
                        Some(c) => { a href=(link(&format!("/cases/view/{}", c.id))) { "C" (c.id) } " " (c.title) }
                        None => { "C" (t.case_id) " " span.muted { "(deleted case)" } }
                    }
                }
                td { (badge(st, t.status_id)) }
                td { @if let Some(u) = t.assignedto_id { (user_name(st, u)) } }
                td.num { @if let Some(e) = latest.and_then(|r| r.elapsed.as_deref()) { (e) } }
            }
            @if let Some(first) = latest {
                tr.detail style=(row_style(st, t.status_id)) {
                    td colspan="5" {
                        (result_block(st, first, t.status_id != PASSED))
                        @if results.len() > 1 {
                            details.earlier {
                                summary { (results.len() - 1) " earlier result(s)" }
                                @for r in &results[1..] { (result_block(st, r, false)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `runs/view/N`: the run's tests grouped by section, coloured by status, with results.
pub(super) fn run(st: &State, viewer: &Viewer, id: u64) -> Page {
    let Some(run) = st.runs.get(&id) else {
        return not_found(viewer, "test run", &format!("R{id}"));
    };
    let counts = st.status_counts(run);
    let total: u64 = counts.values().sum();
    let passed = counts.get(&1).copied().unwrap_or(0);
    let sections = section_tree(st, run.suite_id);
    let position: HashMap<u64, usize> = sections
        .iter()
        .enumerate()
        .map(|(i, (id, _, _))| (*id, i))
        .collect();
    let mut tests: Vec<TestOfCase> = run
        .tests
        .values()
        .filter_map(|t| st.tests.get(t))
        .map(|t| (t, st.cases.get(&t.case_id)))
        .collect();
    tests.sort_by_key(|(t, c)| {
        (
            c.and_then(|c| position.get(&c.section_id).copied())
                .unwrap_or(usize::MAX),
            c.map_or(u64::MAX, |c| c.display_order),
            t.id,
        )
    });
    let mut results: HashMap<u64, Vec<&TestResult>> = HashMap::new();
    for r in st.results.values().rev().filter(|r| r.run_id == id) {
        results.entry(r.test_id).or_default().push(r);
    }
    let run_files: Vec<_> = st
        .attachments
        .values()
        .filter(|a| a.run_id == Some(id))
        .collect();
    let mut crumbs = project_crumbs(st, run.project_id);
    if let Some(plan) = run.plan_id.and_then(|p| st.plans.get(&p)) {
        crumbs.push(crumb(format!("/plans/view/{}", plan.id), plan.name.clone()));
    }
    // Consecutive tests of one section form a group under the section's path.
    let mut groups: Vec<(String, Vec<TestOfCase>)> = Vec::new();
    for (t, c) in tests {
        let path = c
            .and_then(|c| position.get(&c.section_id))
            .map_or_else(|| "(no section)".to_string(), |i| sections[*i].1.clone());
        match groups.last_mut() {
            Some((last, members)) if *last == path => members.push((t, c)),
            _ => groups.push((path, vec![(t, c)])),
        }
    }
    let body = html! {
        div.card {
            div.meta {
                @if let Some(s) = st.suites.get(&run.suite_id) {
                    span { "Suite " a href=(link(&format!("/suites/view/{}", s.id))) { (s.name) } }
                }
                @if let Some(c) = run.config.as_deref() { span { "Configuration " b { (c) } } }
                @if let Some(m) = run.milestone_id.and_then(|m| st.milestones.get(&m)) { span { "Milestone " (m.name) } }
                span { "Created " (time(run.created_on)) " by " (user_name(st, run.created_by)) }
                @if let Some(t) = run.completed_on { span { "Closed " (time(t)) } }
                @if let Some(r) = run.refs.as_deref() { span { "References " (r) } }
            }
            div.summary {
                @if total > 0 { span.pct { (passed * 100 / total) "%" } span.muted { "passed" } }
                (bar(st, &counts, false, true))
            }
            @if let Some(d) = run.description.as_deref().filter(|d| !d.is_empty()) { p.desc { (d) } }
        }
        @if !run_files.is_empty() {
            div.card {
                h2 { "Attachments" }
                ul.files { @for a in &run_files { li { "📎 " (a.name) span.muted { " (" (layout::size(a.size)) ")" } } } }
            }
        }
        div.card {
            @if groups.is_empty() { p.muted { "The run holds no tests." } } @else {
                table #tests {
                    thead { tr { th { "ID" } th { "Title" } th { "Status" } th { "Assigned To" } th { "Elapsed" } } }
                    @for (path, members) in &groups {
                        tbody.section { tr.section { td colspan="5" { (path) } } }
                        @for (t, c) in members {
                            (test_rows(st, t, *c, results.get(&t.id).map_or(&[][..], Vec::as_slice)))
                        }
                    }
                }
            }
        }
    };
    let title = format!("R{} · {}", run.id, run.name);
    let heading = if run.is_completed {
        format!("{title} (closed)")
    } else {
        title.clone()
    };
    (
        StatusCode::OK,
        layout::page(Some(viewer), &title, &crumbs, &heading, body),
    )
}

/// `plans/view/N`: the plan's entries and their runs.
pub(super) fn plan(st: &State, viewer: &Viewer, id: u64) -> Page {
    let Some(plan) = st.plans.get(&id) else {
        return not_found(viewer, "test plan", &format!("R{id}"));
    };
    let mut total: BTreeMap<u64, u64> = BTreeMap::new();
    for r in plan
        .entries
        .iter()
        .flat_map(|e| &e.run_ids)
        .filter_map(|r| st.runs.get(r))
    {
        for (k, v) in st.status_counts(r) {
            *total.entry(k).or_default() += v;
        }
    }
    let body = html! {
        div.card {
            div.meta {
                span { "Created " (time(plan.created_on)) " by " (user_name(st, plan.created_by)) }
                @if let Some(m) = plan.milestone_id.and_then(|m| st.milestones.get(&m)) { span { "Milestone " (m.name) } }
                @if let Some(t) = plan.completed_on { span { "Closed " (time(t)) } }
                @if let Some(r) = plan.refs.as_deref() { span { "References " (r) } }
            }
            div.summary { (bar(st, &total, false, true)) }
            @if let Some(d) = plan.description.as_deref().filter(|d| !d.is_empty()) { p.desc { (d) } }
        }
        @if plan.entries.is_empty() { div.card { p.muted { "The plan has no entries." } } }
        @for e in &plan.entries {
            div.card.entry data-entry-id=(e.id) {
                h2 { (e.name) }
                div.meta {
                    @if let Some(s) = st.suites.get(&e.suite_id) {
                        span { "Suite " a href=(link(&format!("/suites/view/{}", s.id))) { (s.name) } }
                    }
                }
                table.runs {
                    thead { tr { th { "ID" } th { "Run" } th { "Configuration" } th { "Progress" } } }
                    tbody {
                        @for r in e.run_ids.iter().filter_map(|r| st.runs.get(r)) {
                            @let counts = st.status_counts(r);
                            tr {
                                td.id { "R" (r.id) }
                                td { a href=(link(&format!("/runs/view/{}", r.id))) { (r.name) } }
                                td { (r.config.clone().unwrap_or_default()) }
                                td { (bar(st, &counts, true, true)) }
                            }
                        }
                    }
                }
            }
        }
    };
    let title = format!("R{} · {}", plan.id, plan.name);
    (
        StatusCode::OK,
        layout::page(
            Some(viewer),
            &title,
            &project_crumbs(st, plan.project_id),
            &title,
            body,
        ),
    )
}

/// `suites/view/N`: the suite's sections and their cases.
pub(super) fn suite(st: &State, viewer: &Viewer, id: u64) -> Page {
    let Some(suite) = st.suites.get(&id) else {
        return not_found(viewer, "test suite", &format!("S{id}"));
    };
    let sections = section_tree(st, id);
    let mut cases: HashMap<u64, Vec<&Case>> = HashMap::new();
    for c in st.suite_cases(id) {
        cases.entry(c.section_id).or_default().push(c);
    }
    for list in cases.values_mut() {
        list.sort_by_key(|c| (c.display_order, c.id));
    }
    let names = |list: &[crate::model::Named], id: u64| {
        list.iter()
            .find(|n| n.id == id)
            .map(|n| n.name.clone())
            .unwrap_or_default()
    };
    let body = html! {
        div.card {
            div.meta { span { (st.suite_cases(id).count()) " cases in " (sections.len()) " sections" } }
            @if let Some(d) = suite.description.as_deref().filter(|d| !d.is_empty()) { p.desc { (d) } }
        }
        div.card {
            table #cases {
                thead { tr { th { "ID" } th { "Title" } th { "Type" } th { "Priority" } th { "References" } } }
                @for (section_id, path, _) in &sections {
                    tbody.section data-section-id=(section_id) {
                        tr.section { td colspan="5" { (path) } }
                        @for c in cases.get(section_id).map_or(&[][..], Vec::as_slice) {
                            tr.case {
                                td.id { "C" (c.id) }
                                td { a href=(link(&format!("/cases/view/{}", c.id))) { (c.title) } }
                                td { (names(&st.case_types, c.type_id)) }
                                td { (st.priorities.iter().find(|p| p.id == c.priority_id).map(|p| p.short_name.clone()).unwrap_or_default()) }
                                td { (c.refs.clone().unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
        }
    };
    let title = format!("S{} · {}", suite.id, suite.name);
    (
        StatusCode::OK,
        layout::page(
            Some(viewer),
            &title,
            &project_crumbs(st, suite.project_id),
            &title,
            body,
        ),
    )
}

/// `cases/view/N`: the case's fields, and its tests in runs.
pub(super) fn case(st: &State, viewer: &Viewer, id: u64) -> Page {
    let Ok(case) = st.case(id) else {
        return not_found(viewer, "test case", &format!("C{id}"));
    };
    let suite = st.suites.get(&case.suite_id);
    let section_path = section_tree(st, case.suite_id)
        .into_iter()
        .find(|(s, _, _)| *s == case.section_id)
        .map(|(_, p, _)| p)
        .unwrap_or_default();
    let named = |list: &[crate::model::Named], id: u64| {
        list.iter()
            .find(|n| n.id == id)
            .map(|n| n.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let tests: Vec<(&Run, &Test)> = st
        .tests
        .values()
        .filter(|t| t.case_id == id)
        .filter_map(|t| st.runs.get(&t.run_id).map(|r| (r, t)))
        .rev()
        .collect();
    let mut crumbs = vec![dashboard_crumb()];
    if let Some(s) = suite {
        crumbs.push(crumb(format!("/suites/view/{}", s.id), s.name.clone()));
    }
    let body = html! {
        div.card {
            dl.fields {
                dt { "Section" } dd { (section_path) }
                dt { "Template" } dd { (named(&st.templates, case.template_id)) }
                dt { "Type" } dd { (named(&st.case_types, case.type_id)) }
                dt { "Priority" } dd { (st.priorities.iter().find(|p| p.id == case.priority_id).map(|p| p.name.clone()).unwrap_or_default()) }
                @if let Some(e) = case.estimate.as_deref() { dt { "Estimate" } dd { (e) } }
                @if let Some(r) = case.refs.as_deref() { dt { "References" } dd { (r) } }
                @if let Some(m) = case.milestone_id.and_then(|m| st.milestones.get(&m)) { dt { "Milestone" } dd { (m.name) } }
                dt { "Updated" } dd { (time(case.updated_on)) " by " (user_name(st, case.updated_by)) }
                @for (key, value) in case.custom.iter().filter(|(_, v)| !v.is_null()) {
                    @let label = st.case_fields.iter().find(|f| f.system_name() == *key).map_or_else(|| key.clone(), |f| f.label.clone());
                    dt { (label) }
                    dd {
                        @if let Some(steps) = value.as_array().filter(|a| a.iter().all(Value::is_object)) {
                            table.steps {
                                thead { tr { th { "#" } th { "Step" } th { "Expected Result" } } }
                                tbody { @for (i, s) in steps.iter().enumerate() { tr { td { (i + 1) } td { (plain(&s["content"])) } td { (plain(&s["expected"])) } } } }
                            }
                        } @else {
                            span.desc { (plain(value)) }
                        }
                    }
                }
            }
        }
        div.card {
            h2 { "Tests in runs" }
            @if tests.is_empty() { p.muted { "The case is in no run." } } @else {
                table.tests {
                    thead { tr { th { "Test" } th { "Run" } th { "Status" } } }
                    tbody {
                        @for (r, t) in &tests {
                            tr style=(row_style(st, t.status_id)) {
                                td.id { "T" (t.id) }
                                td { a href=(link(&format!("/runs/view/{}", r.id))) { "R" (r.id) " " (r.name) } }
                                td { (badge(st, t.status_id)) }
                            }
                        }
                    }
                }
            }
        }
    };
    let title = format!("C{} · {}", case.id, case.title);
    (
        StatusCode::OK,
        layout::page(Some(viewer), &title, &crumbs, &title, body),
    )
}
