//! The API v2 endpoints: the table of methods (HTTP method, permission, handler) and the
//! call context handlers receive. Each resource group lives in its own module.

use serde_json::Value;

use crate::auth::Permission;
use crate::error::ApiResult;
use crate::model::{Role, User};
use crate::route::ApiRoute;
use crate::state::State;

mod attachments;
mod cases;
pub mod fields;
mod meta;
mod plans;
mod projects;
mod results;
mod runs;
mod sections;
mod tests;
mod users;

use fields::Fields;

/// A file received by a multipart endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The part's file name.
    pub name: String,
    /// The part's content type.
    pub content_type: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// The content.
    pub bytes: Vec<u8>,
}

/// Everything a handler gets about the request.
pub struct Call<'a> {
    /// The parsed route and parameters.
    pub route: &'a ApiRoute,
    /// The authenticated user.
    pub user: &'a User,
    /// The JSON body (an empty object for GETs and body-less POSTs).
    pub body: Fields<'a>,
    /// The server root, for `url` fields.
    pub base: &'a str,
    /// The uploaded file, for multipart endpoints.
    pub upload: Option<&'a Upload>,
}

impl Call<'_> {
    /// A renderer for the call's state and base URL.
    pub fn render<'s>(&'s self, st: &'s State) -> crate::render::Renderer<'s> {
        crate::render::Renderer::new(st, self.base)
    }
}

/// What a handler answers on success.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// 200 with a JSON body.
    Json(Value),
    /// 200 with an empty body.
    Empty,
    /// 200 with a file's bytes (`get_attachment`), with its content type.
    File {
        /// The content type to send.
        content_type: String,
        /// The bytes.
        bytes: Vec<u8>,
    },
}

/// An endpoint handler: runs under the state lock, so a request's effect is atomic.
pub type Handler = fn(&mut State, &Call) -> ApiResult<Reply>;

/// One API method.
pub struct Endpoint {
    /// Method name, e.g. `add_results_for_cases`.
    pub name: &'static str,
    /// POST (writes) or GET (reads).
    pub write: bool,
    /// Whether the body is `multipart/form-data` (attachments).
    pub multipart: bool,
    /// Who may call it.
    pub permission: Permission,
    /// The handler.
    pub handler: Handler,
}

const fn get(name: &'static str, handler: Handler) -> Endpoint {
    Endpoint {
        name,
        write: false,
        multipart: false,
        permission: Permission::READ,
        handler,
    }
}

const fn post(name: &'static str, role: Role, action: &'static str, handler: Handler) -> Endpoint {
    Endpoint {
        name,
        write: true,
        multipart: false,
        permission: Permission::needs(role, action),
        handler,
    }
}

const fn upload(name: &'static str, handler: Handler) -> Endpoint {
    Endpoint {
        name,
        write: true,
        multipart: true,
        permission: Permission::needs(Role::Tester, "add attachments"),
        handler,
    }
}

const RESULTS: &str = "add test results";

/// Every method the simulator serves.
pub static ENDPOINTS: &[Endpoint] = &[
    get("get_projects", projects::get_projects),
    get("get_project", projects::get_project),
    get("get_suites", projects::get_suites),
    get("get_suite", projects::get_suite),
    post(
        "add_suite",
        Role::Lead,
        "add test suites",
        projects::add_suite,
    ),
    post(
        "delete_suite",
        Role::Lead,
        "delete test suites",
        projects::delete_suite,
    ),
    get("get_milestones", projects::get_milestones),
    get("get_milestone", projects::get_milestone),
    get("get_configs", projects::get_configs),
    get("get_users", users::get_users),
    get("get_user", users::get_user),
    get("get_user_by_email", users::get_user_by_email),
    get("get_current_user", users::get_current_user),
    get("get_statuses", meta::get_statuses),
    get("get_priorities", meta::get_priorities),
    get("get_case_types", meta::get_case_types),
    get("get_templates", meta::get_templates),
    get("get_case_fields", meta::get_case_fields),
    get("get_result_fields", meta::get_result_fields),
    get("get_sections", sections::get_sections),
    get("get_section", sections::get_section),
    post(
        "add_section",
        Role::Lead,
        "add sections",
        sections::add_section,
    ),
    post(
        "delete_section",
        Role::Lead,
        "delete sections",
        sections::delete_section,
    ),
    get("get_cases", cases::get_cases),
    get("get_case", cases::get_case),
    post("add_case", Role::Lead, "add test cases", cases::add_case),
    post(
        "update_case",
        Role::Lead,
        "edit test cases",
        cases::update_case,
    ),
    post(
        "delete_case",
        Role::Lead,
        "delete test cases",
        cases::delete_case,
    ),
    post(
        "delete_cases",
        Role::Lead,
        "delete test cases",
        cases::delete_cases,
    ),
    get("get_run", runs::get_run),
    get("get_runs", runs::get_runs),
    post("add_run", Role::Lead, "add test runs", runs::add_run),
    post("update_run", Role::Lead, "edit test runs", runs::update_run),
    post("close_run", Role::Lead, "close test runs", runs::close_run),
    post(
        "delete_run",
        Role::Lead,
        "delete test runs",
        runs::delete_run,
    ),
    get("get_plan", plans::get_plan),
    get("get_plans", plans::get_plans),
    post("add_plan", Role::Lead, "add test plans", plans::add_plan),
    post(
        "add_plan_entry",
        Role::Lead,
        "edit test plans",
        plans::add_plan_entry,
    ),
    post(
        "update_plan_entry",
        Role::Lead,
        "edit test plans",
        plans::update_plan_entry,
    ),
    post(
        "update_run_in_plan_entry",
        Role::Lead,
        "edit test plans",
        plans::update_run_in_plan_entry,
    ),
    post(
        "close_plan",
        Role::Lead,
        "close test plans",
        plans::close_plan,
    ),
    get("get_tests", tests::get_tests),
    get("get_test", tests::get_test),
    get("get_results", results::get_results),
    get("get_results_for_case", results::get_results_for_case),
    get("get_results_for_run", results::get_results_for_run),
    post("add_result", Role::Tester, RESULTS, results::add_result),
    post(
        "add_result_for_case",
        Role::Tester,
        RESULTS,
        results::add_result_for_case,
    ),
    post("add_results", Role::Tester, RESULTS, results::add_results),
    post(
        "add_results_for_cases",
        Role::Tester,
        RESULTS,
        results::add_results_for_cases,
    ),
    upload(
        "add_attachment_to_result",
        attachments::add_attachment_to_result,
    ),
    upload("add_attachment_to_run", attachments::add_attachment_to_run),
    get(
        "get_attachments_for_test",
        attachments::get_attachments_for_test,
    ),
    get("get_attachment", attachments::get_attachment),
];

/// The endpoint of a method name.
pub fn find(name: &str) -> Option<&'static Endpoint> {
    ENDPOINTS.iter().find(|e| e.name == name)
}

/// Sorts items by a key, newest (largest) first.
fn newest_first<T>(items: &mut [&T], key: impl Fn(&T) -> u64) {
    items.sort_by_key(|t| std::cmp::Reverse(key(t)));
}
