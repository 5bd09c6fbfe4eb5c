//! TestRail's JSON shapes (digest section 6), built from the stored model.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::model::*;
use crate::state::State;

/// Renders stored entities as TestRail JSON. `base` is the server root (ending in `/`),
/// used for the `url` fields.
#[derive(Clone, Copy)]
pub struct Renderer<'a> {
    /// The state the entities live in.
    pub st: &'a State,
    /// The server root, e.g. `http://127.0.0.1:8080/`.
    pub base: &'a str,
}

fn counts_into(obj: &mut Map<String, Value>, counts: &BTreeMap<u64, u64>) {
    let c = |id: u64| counts.get(&id).copied().unwrap_or(0);
    obj.insert("passed_count".into(), json!(c(1)));
    obj.insert("blocked_count".into(), json!(c(2)));
    obj.insert("untested_count".into(), json!(c(3)));
    obj.insert("retest_count".into(), json!(c(4)));
    obj.insert("failed_count".into(), json!(c(5)));
    for n in 1..=7u64 {
        obj.insert(format!("custom_status{n}_count"), json!(c(n + 5)));
    }
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

impl<'a> Renderer<'a> {
    /// A renderer over a state.
    pub fn new(st: &'a State, base: &'a str) -> Self {
        Renderer { st, base }
    }

    fn url(&self, what: &str, id: u64) -> String {
        format!("{}index.php?/{what}/{id}", self.base)
    }

    /// A project (§6.1).
    pub fn project(&self, p: &Project) -> Value {
        json!({
            "id": p.id, "name": p.name, "announcement": p.announcement,
            "show_announcement": p.show_announcement, "is_completed": p.is_completed,
            "completed_on": p.completed_on, "suite_mode": p.suite_mode,
            "default_role_id": null, "url": self.url("projects/overview", p.id),
        })
    }

    /// A suite (§6.2).
    pub fn suite(&self, s: &Suite) -> Value {
        json!({
            "id": s.id, "name": s.name, "description": s.description, "project_id": s.project_id,
            "is_master": s.is_master, "is_baseline": s.is_baseline, "is_completed": s.is_completed,
            "completed_on": s.completed_on, "url": self.url("suites/view", s.id),
        })
    }

    /// A section (§6.3).
    pub fn section(&self, s: &Section) -> Value {
        json!({
            "id": s.id, "suite_id": s.suite_id, "name": s.name, "description": s.description,
            "parent_id": s.parent_id, "display_order": s.display_order, "depth": s.depth,
        })
    }

    fn custom_case_fields(&self, custom: &BTreeMap<String, Value>, obj: &mut Map<String, Value>) {
        for f in self.st.case_fields.iter().filter(|f| f.is_active) {
            obj.insert(f.system_name(), Value::Null);
        }
        for (k, v) in custom {
            obj.insert(k.clone(), v.clone());
        }
    }

    /// A case (§6.4). `is_deleted` is an int, as in TestRail.
    pub fn case(&self, c: &Case) -> Value {
        let mut obj = object(json!({
            "id": c.id, "title": c.title, "section_id": c.section_id, "template_id": c.template_id,
            "type_id": c.type_id, "priority_id": c.priority_id, "milestone_id": c.milestone_id,
            "refs": c.refs, "created_by": c.created_by, "created_on": c.created_on,
            "updated_by": c.updated_by, "updated_on": c.updated_on, "estimate": c.estimate,
            "estimate_forecast": null, "suite_id": c.suite_id, "display_order": c.display_order,
            "is_deleted": i32::from(c.is_deleted), "labels": c.labels,
        }));
        self.custom_case_fields(&c.custom, &mut obj);
        Value::Object(obj)
    }

    /// A run (§6.5), with counters from its tests' current statuses.
    pub fn run(&self, r: &Run) -> Value {
        let mut obj = object(json!({
            "id": r.id, "suite_id": r.suite_id, "name": r.name, "description": r.description,
            "milestone_id": r.milestone_id, "assignedto_id": r.assignedto_id,
            "include_all": r.include_all, "is_completed": r.is_completed,
            "completed_on": r.completed_on, "config": r.config, "config_ids": r.config_ids,
        }));
        counts_into(&mut obj, &self.st.status_counts(r));
        let tail = object(json!({
            "project_id": r.project_id, "plan_id": r.plan_id, "created_on": r.created_on,
            "updated_on": r.updated_on, "refs": r.refs, "start_on": r.start_on, "due_on": r.due_on,
            "created_by": r.created_by, "url": self.url("runs/view", r.id),
        }));
        obj.extend(tail);
        if r.plan_id.is_some() {
            obj.insert("entry_id".into(), json!(r.entry_id));
            obj.insert("entry_index".into(), json!(r.entry_index));
        }
        Value::Object(obj)
    }

    /// A test (§6.7): the run's instance of a case, with the case's fields.
    pub fn test(&self, t: &Test) -> Value {
        let case = self.st.cases.get(&t.case_id);
        let mut obj = object(json!({
            "id": t.id, "case_id": t.case_id, "status_id": t.status_id,
            "assignedto_id": t.assignedto_id, "run_id": t.run_id,
            "title": case.map(|c| c.title.clone()),
            "template_id": case.map(|c| c.template_id), "type_id": case.map(|c| c.type_id),
            "priority_id": case.map(|c| c.priority_id), "estimate": case.and_then(|c| c.estimate.clone()),
            "estimate_forecast": null, "refs": case.and_then(|c| c.refs.clone()),
            "milestone_id": case.and_then(|c| c.milestone_id),
            "labels": case.map(|c| c.labels.clone()).unwrap_or_default(),
            "sections_display_order": case.and_then(|c| self.st.sections.get(&c.section_id)).map(|s| s.display_order),
            "cases_display_order": case.map(|c| c.display_order),
        }));
        if let Some(c) = case {
            self.custom_case_fields(&c.custom, &mut obj);
        }
        Value::Object(obj)
    }

    /// A result (§4.3).
    pub fn result(&self, r: &TestResult) -> Value {
        let mut obj = object(json!({
            "id": r.id, "test_id": r.test_id, "status_id": r.status_id,
            "created_on": r.created_on, "created_by": r.created_by,
            "assignedto_id": r.assignedto_id, "comment": r.comment, "version": r.version,
            "elapsed": r.elapsed, "defects": r.defects,
        }));
        for f in self.st.result_fields.iter().filter(|f| f.is_active) {
            obj.insert(f.system_name(), Value::Null);
        }
        for (k, v) in &r.custom {
            obj.insert(k.clone(), v.clone());
        }
        obj.insert("attachment_ids".into(), json!(r.attachment_ids));
        Value::Object(obj)
    }

    /// A result with its `case_id` and `run_id` added (the control API's view).
    pub fn result_with_case(&self, r: &TestResult) -> Value {
        let mut v = self.result(r);
        v["case_id"] = json!(r.case_id);
        v["run_id"] = json!(r.run_id);
        v
    }

    /// A plan entry with its runs.
    pub fn entry(&self, e: &PlanEntry) -> Value {
        let runs: Vec<Value> = e
            .run_ids
            .iter()
            .filter_map(|id| self.st.runs.get(id))
            .map(|r| self.run(r))
            .collect();
        json!({
            "id": e.id, "suite_id": e.suite_id, "name": e.name, "refs": e.refs,
            "description": e.description, "include_all": e.include_all,
            "assignedto_id": e.assignedto_id, "config_ids": e.config_ids, "runs": runs,
        })
    }

    /// A plan (§6.6), with counters summed over its runs; `entries` only when asked.
    pub fn plan(&self, p: &Plan, with_entries: bool) -> Value {
        let mut counts = BTreeMap::new();
        for e in &p.entries {
            for r in e.run_ids.iter().filter_map(|id| self.st.runs.get(id)) {
                for (k, v) in self.st.status_counts(r) {
                    *counts.entry(k).or_insert(0) += v;
                }
            }
        }
        let mut obj = object(json!({
            "id": p.id, "name": p.name, "description": p.description, "milestone_id": p.milestone_id,
            "assignedto_id": p.assignedto_id, "is_completed": p.is_completed,
            "completed_on": p.completed_on,
        }));
        counts_into(&mut obj, &counts);
        obj.extend(object(json!({
            "project_id": p.project_id, "created_on": p.created_on, "created_by": p.created_by,
            "refs": p.refs, "start_on": p.start_on, "due_on": p.due_on,
            "url": self.url("plans/view", p.id),
        })));
        if with_entries {
            let entries: Vec<Value> = p.entries.iter().map(|e| self.entry(e)).collect();
            obj.insert("entries".into(), Value::Array(entries));
        }
        Value::Object(obj)
    }

    /// A user (§3.14).
    pub fn user(&self, u: &User) -> Value {
        json!({
            "id": u.id, "name": u.name, "email": u.email, "is_active": u.is_active,
            "role_id": u.role.role_id(), "role": u.role.label(),
            "is_admin": u.role == Role::Admin, "email_notifications": false, "group_ids": [],
            "mfa_required": false,
        })
    }

    /// A milestone (§6.8).
    pub fn milestone(&self, m: &Milestone) -> Value {
        json!({
            "id": m.id, "name": m.name, "description": m.description, "project_id": m.project_id,
            "due_on": m.due_on, "start_on": null, "started_on": null, "is_started": m.is_started,
            "is_completed": m.is_completed, "completed_on": null, "parent_id": m.parent_id,
            "refs": null, "url": self.url("milestones/view", m.id),
        })
    }

    /// A configuration group (§6.9).
    pub fn config_group(&self, g: &ConfigGroup) -> Value {
        let configs: Vec<Value> = g
            .configs
            .iter()
            .map(|c| json!({ "id": c.id, "name": c.name, "group_id": g.id }))
            .collect();
        json!({ "id": g.id, "name": g.name, "project_id": g.project_id, "configs": configs })
    }

    /// A field definition (§6.10).
    pub fn field(&self, f: &FieldDef) -> Value {
        json!({
            "id": f.id, "is_active": f.is_active, "type_id": f.type_id, "name": f.name,
            "system_name": f.system_name(), "label": f.label, "description": f.description,
            "configs": f.configs, "display_order": f.display_order, "include_all": f.include_all,
            "template_ids": f.template_ids,
        })
    }
}
