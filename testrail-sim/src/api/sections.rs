//! Sections.

use super::{Call, Reply};
use crate::error::{ApiError, ApiResult};
use crate::model::Section;
use crate::pagination::envelope;
use crate::state::{State, next_id};

/// `get_sections/{project_id}&suite_id=` (paginated, key `sections`). `suite_id` is
/// required in multi-suite projects.
pub fn get_sections(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let project_id = call.route.id(0, "project_id")?;
    let suite_id = st.resolve_suite(project_id, call.route.param_id("suite_id")?)?;
    let items: Vec<_> = st
        .sections
        .values()
        .filter(|s| s.suite_id == suite_id)
        .collect();
    let r = call.render(st);
    Ok(Reply::Json(envelope(
        call.route,
        "sections",
        &items,
        |s| r.section(s),
    )?))
}

/// `get_section/{section_id}`.
pub fn get_section(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let s = st.section(call.route.id(0, "section_id")?)?;
    Ok(Reply::Json(call.render(st).section(s)))
}

/// `add_section/{project_id}`: `name` (required), `description`, `suite_id` (required in
/// multi-suite projects, ignored in single-suite ones), `parent_id`.
pub fn add_section(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let project_id = call.route.id(0, "project_id")?;
    let project = st.project(project_id)?;
    let asked_suite = if project.suite_mode == 1 {
        None
    } else {
        call.body.id("suite_id")?
    };
    let mut suite_id = st.resolve_suite(project_id, asked_suite)?;
    let name = call.body.required_string("name")?;
    let description = call.body.string("description")?;
    let parent_id = call.body.id("parent_id")?;
    let depth = match parent_id {
        Some(pid) => {
            let parent = st
                .sections
                .get(&pid)
                .ok_or_else(|| ApiError::not_valid("parent_id", "section"))?;
            if project.suite_mode == 1 {
                suite_id = parent.suite_id;
            }
            if parent.suite_id != suite_id {
                return Err(ApiError::not_valid("parent_id", "section"));
            }
            parent.depth + 1
        }
        None => 0,
    };
    let siblings = st
        .sections
        .values()
        .filter(|s| s.suite_id == suite_id && s.parent_id == parent_id)
        .count();
    let id = next_id(&mut st.last_ids.section);
    st.sections.insert(
        id,
        Section {
            id,
            suite_id,
            parent_id,
            name,
            description,
            display_order: siblings as u64 + 1,
            depth,
        },
    );
    Ok(Reply::Json(call.render(st).section(&st.sections[&id])))
}

/// `delete_section/{section_id}`: removes the section and its sub-sections, and
/// soft-deletes their cases. Empty 200.
pub fn delete_section(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let root = st.section(call.route.id(0, "section_id")?)?.id;
    let mut doomed = vec![root];
    let mut i = 0;
    while i < doomed.len() {
        let parent = doomed[i];
        doomed.extend(
            st.sections
                .values()
                .filter(|s| s.parent_id == Some(parent))
                .map(|s| s.id),
        );
        i += 1;
    }
    let cases: Vec<u64> = st
        .cases
        .values()
        .filter(|c| !c.is_deleted && doomed.contains(&c.section_id))
        .map(|c| c.id)
        .collect();
    st.delete_cases(&cases, call.user.id);
    for id in doomed {
        st.sections.remove(&id);
    }
    Ok(Reply::Empty)
}
