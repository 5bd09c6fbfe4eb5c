//! The typed API methods, one per TestRail endpoint the exporter and the CLI use.
//!
//! Bulk `get_*` methods page through everything (250 per request) and return the whole list.

use std::fmt;
use std::path::PathBuf;

use reqwest::multipart::{Form, Part};
use serde::Deserialize;

use super::bodies::{
    CaseFilter, CaseUpdate, NewCase, NewPlan, NewPlanEntry, NewResult, NewRun, NewSection,
    ResultFilter, ResultForCase, RunFilter, RunUpdate,
};
use super::ids::{CaseId, PlanId, ProjectId, ResultId, RunId, SectionId, SuiteId, TestId};
use super::models::{
    AttachmentId, AttachmentInfo, Case, ConfigurationGroup, FieldDef, Milestone, Plan, PlanEntry,
    Priority, Project, Run, Section, Status, Suite, Template, Test, TestResult, User,
};
use super::{Client, Error, Pages, transport};

const NO_PARAMS: &[(&str, &str)] = &[];

/// The body of a POST that carries no fields (`close_run`, `close_plan`): `{}`.
#[derive(serde::Serialize)]
struct EmptyBody {}

/// A file to upload with [`Client::add_attachment_to_result`]: bytes in memory, or a file on
/// disk that is streamed (opened again for every attempt, never read into memory).
#[derive(Clone)]
pub struct Attachment {
    file_name: String,
    content: Content,
}

#[derive(Clone)]
enum Content {
    Bytes(Vec<u8>),
    File { path: PathBuf, size: u64 },
}

impl Attachment {
    /// A file from its name and content.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            file_name: file_name.into(),
            content: Content::Bytes(bytes.into()),
        }
    }

    /// The file at `path`, shown in TestRail as `file_name`; its size is read now.
    ///
    /// # Errors
    /// The file cannot be read (missing, no permission).
    pub fn from_path(
        path: impl Into<PathBuf>,
        file_name: impl Into<String>,
    ) -> std::io::Result<Self> {
        let path = path.into();
        let size = std::fs::metadata(&path)?.len();
        Ok(Self {
            file_name: file_name.into(),
            content: Content::File { path, size },
        })
    }

    /// The name TestRail shows.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// Its size in bytes (for a file: when [`Attachment::from_path`] looked).
    pub fn size(&self) -> u64 {
        match &self.content {
            Content::Bytes(bytes) => u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            Content::File { size, .. } => *size,
        }
    }

    /// The file's path, or its name for bytes in memory, for messages.
    pub(super) fn describe(&self) -> String {
        match &self.content {
            Content::Bytes(_) => self.file_name.clone(),
            Content::File { path, .. } => path.display().to_string(),
        }
    }

    /// The multipart form TestRail expects: one part named `attachment`, a file streamed
    /// from disk with its length.
    pub(super) async fn form(&self) -> std::io::Result<Form> {
        let part = match &self.content {
            Content::Bytes(bytes) => Part::bytes(bytes.clone()),
            Content::File { path, size } => {
                let file = tokio::fs::File::open(path).await?;
                Part::stream_with_length(reqwest::Body::from(file), *size)
            }
        };
        Ok(Form::new().part("attachment", part.file_name(self.file_name.clone())))
    }
}

impl fmt::Debug for Attachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attachment")
            .field("file_name", &self.file_name)
            .field("source", &self.describe())
            .field("size", &self.size())
            .finish()
    }
}

#[derive(Deserialize)]
struct AddedAttachment {
    attachment_id: AttachmentId,
}

impl Client {
    /// `get_projects`: every project the user can see.
    pub async fn get_projects(&self) -> Result<Vec<Project>, Error> {
        self.get_paged("get_projects", "projects", NO_PARAMS).await
    }

    /// `get_project/{project_id}`.
    pub async fn get_project(&self, project_id: impl Into<ProjectId>) -> Result<Project, Error> {
        let project_id = project_id.into();
        self.get_one(&format!("get_project/{project_id}"), NO_PARAMS)
            .await
    }

    /// `get_suites/{project_id}` (paginated on TestRail 9.3.1+, a bare array before).
    pub async fn get_suites(&self, project_id: impl Into<ProjectId>) -> Result<Vec<Suite>, Error> {
        let project_id = project_id.into();
        self.get_paged(&format!("get_suites/{project_id}"), "suites", NO_PARAMS)
            .await
    }

    /// `get_suite/{suite_id}`.
    pub async fn get_suite(&self, suite_id: impl Into<SuiteId>) -> Result<Suite, Error> {
        let suite_id = suite_id.into();
        self.get_one(&format!("get_suite/{suite_id}"), NO_PARAMS)
            .await
    }

    /// `get_sections/{project_id}`, of one suite (required unless single-suite mode),
    /// through every page.
    pub async fn get_sections(
        &self,
        project_id: impl Into<ProjectId>,
        suite_id: Option<SuiteId>,
    ) -> Result<Vec<Section>, Error> {
        self.get_sections_pages(project_id, suite_id)
            .collect_all()
            .await
    }

    /// `get_sections/{project_id}` page by page (key `sections`; see [`Pages`]).
    pub fn get_sections_pages(
        &self,
        project_id: impl Into<ProjectId>,
        suite_id: Option<SuiteId>,
    ) -> Pages<Section> {
        let project_id = project_id.into();
        let suite = suite_id.map(|id| ("suite_id", id.to_string()));
        let params: Vec<_> = suite.into_iter().collect();
        self.paged(format!("get_sections/{project_id}"), "sections", &params)
    }

    /// `get_section/{section_id}`.
    pub async fn get_section(&self, section_id: impl Into<SectionId>) -> Result<Section, Error> {
        let section_id = section_id.into();
        self.get_one(&format!("get_section/{section_id}"), NO_PARAMS)
            .await
    }

    /// `add_section/{project_id}`. Not idempotent: see [`Error::Ambiguous`].
    pub async fn add_section(
        &self,
        project_id: impl Into<ProjectId>,
        section: &NewSection,
    ) -> Result<Section, Error> {
        let project_id = project_id.into();
        self.post_json(&format!("add_section/{project_id}"), section)
            .await
    }

    /// `get_cases/{project_id}` with filters, through every page.
    pub async fn get_cases(
        &self,
        project_id: impl Into<ProjectId>,
        filter: &CaseFilter,
    ) -> Result<Vec<Case>, Error> {
        self.get_cases_pages(project_id, filter).collect_all().await
    }

    /// `get_cases/{project_id}` with filters, page by page (key `cases`; see [`Pages`]).
    pub fn get_cases_pages(
        &self,
        project_id: impl Into<ProjectId>,
        filter: &CaseFilter,
    ) -> Pages<Case> {
        let project_id = project_id.into();
        self.paged(format!("get_cases/{project_id}"), "cases", &filter.params())
    }

    /// `get_case/{case_id}`.
    pub async fn get_case(&self, case_id: impl Into<CaseId>) -> Result<Case, Error> {
        let case_id = case_id.into();
        self.get_one(&format!("get_case/{case_id}"), NO_PARAMS)
            .await
    }

    /// `add_case/{section_id}`. Not idempotent: see [`Error::Ambiguous`].
    pub async fn add_case(
        &self,
        section_id: impl Into<SectionId>,
        case: &NewCase,
    ) -> Result<Case, Error> {
        let section_id = section_id.into();
        self.post_json(&format!("add_case/{section_id}"), case)
            .await
    }

    /// `update_case/{case_id}`: changes only the fields set.
    pub async fn update_case(
        &self,
        case_id: impl Into<CaseId>,
        update: &CaseUpdate,
    ) -> Result<Case, Error> {
        let case_id = case_id.into();
        self.post_json(&format!("update_case/{case_id}"), update)
            .await
    }

    /// `get_case_fields`: every custom case field.
    pub async fn get_case_fields(&self) -> Result<Vec<FieldDef>, Error> {
        self.get_one("get_case_fields", NO_PARAMS).await
    }

    /// `get_templates/{project_id}`: the case templates the project may use (TestRail 5.2+).
    pub async fn get_templates(
        &self,
        project_id: impl Into<ProjectId>,
    ) -> Result<Vec<Template>, Error> {
        let project_id = project_id.into();
        self.get_one(&format!("get_templates/{project_id}"), NO_PARAMS)
            .await
    }

    /// `get_result_fields`: every custom result field.
    pub async fn get_result_fields(&self) -> Result<Vec<FieldDef>, Error> {
        self.get_one("get_result_fields", NO_PARAMS).await
    }

    /// `get_statuses`: built-in and custom statuses.
    pub async fn get_statuses(&self) -> Result<Vec<Status>, Error> {
        self.get_one("get_statuses", NO_PARAMS).await
    }

    /// `get_priorities`.
    pub async fn get_priorities(&self) -> Result<Vec<Priority>, Error> {
        self.get_one("get_priorities", NO_PARAMS).await
    }

    /// `get_milestones/{project_id}`, through every page.
    pub async fn get_milestones(
        &self,
        project_id: impl Into<ProjectId>,
    ) -> Result<Vec<Milestone>, Error> {
        let project_id = project_id.into();
        self.get_paged(
            &format!("get_milestones/{project_id}"),
            "milestones",
            NO_PARAMS,
        )
        .await
    }

    /// `get_current_user` (TestRail 6.6+): who the credentials belong to.
    pub async fn get_current_user(&self) -> Result<User, Error> {
        self.get_one("get_current_user", NO_PARAMS).await
    }

    /// `get_user_by_email&email=...`.
    pub async fn get_user_by_email(&self, email: &str) -> Result<User, Error> {
        self.get_one("get_user_by_email", &[("email", email)]).await
    }

    /// `get_configs/{project_id}`: configuration groups and their configurations.
    pub async fn get_configs(
        &self,
        project_id: impl Into<ProjectId>,
    ) -> Result<Vec<ConfigurationGroup>, Error> {
        let project_id = project_id.into();
        self.get_one(&format!("get_configs/{project_id}"), NO_PARAMS)
            .await
    }

    /// `add_run/{project_id}`. Not idempotent: see [`Error::Ambiguous`].
    pub async fn add_run(
        &self,
        project_id: impl Into<ProjectId>,
        run: &NewRun,
    ) -> Result<Run, Error> {
        let project_id = project_id.into();
        self.post_json(&format!("add_run/{project_id}"), run).await
    }

    /// `update_run/{run_id}`: changes only the fields set.
    pub async fn update_run(
        &self,
        run_id: impl Into<RunId>,
        update: &RunUpdate,
    ) -> Result<Run, Error> {
        let run_id = run_id.into();
        self.post_json(&format!("update_run/{run_id}"), update)
            .await
    }

    /// `get_run/{run_id}`.
    pub async fn get_run(&self, run_id: impl Into<RunId>) -> Result<Run, Error> {
        let run_id = run_id.into();
        self.get_one(&format!("get_run/{run_id}"), NO_PARAMS).await
    }

    /// `get_runs/{project_id}` with filters, through every page (newest first). Runs
    /// inside plans are not listed (TestRail's default `include_plan_runs=0`).
    pub async fn get_runs(
        &self,
        project_id: impl Into<ProjectId>,
        filter: &RunFilter,
    ) -> Result<Vec<Run>, Error> {
        self.get_runs_pages(project_id, filter).collect_all().await
    }

    /// `get_runs/{project_id}` with filters, page by page (key `runs`; see [`Pages`]).
    pub fn get_runs_pages(
        &self,
        project_id: impl Into<ProjectId>,
        filter: &RunFilter,
    ) -> Pages<Run> {
        let project_id = project_id.into();
        self.paged(format!("get_runs/{project_id}"), "runs", &filter.params())
    }

    /// `get_plans/{project_id}`, through every page (newest first). The plans come without
    /// their `entries`; [`Client::get_plan`] has them.
    pub async fn get_plans(&self, project_id: impl Into<ProjectId>) -> Result<Vec<Plan>, Error> {
        self.get_plans_pages(project_id).collect_all().await
    }

    /// `get_plans/{project_id}` page by page (key `plans`; see [`Pages`]).
    pub fn get_plans_pages(&self, project_id: impl Into<ProjectId>) -> Pages<Plan> {
        let project_id = project_id.into();
        self.paged(format!("get_plans/{project_id}"), "plans", NO_PARAMS)
    }

    /// `close_run/{run_id}`: archives the run (cannot be undone).
    pub async fn close_run(&self, run_id: impl Into<RunId>) -> Result<Run, Error> {
        let run_id = run_id.into();
        self.post_json(&format!("close_run/{run_id}"), &EmptyBody {})
            .await
    }

    /// `add_plan/{project_id}`. Not idempotent: see [`Error::Ambiguous`].
    pub async fn add_plan(
        &self,
        project_id: impl Into<ProjectId>,
        plan: &NewPlan,
    ) -> Result<Plan, Error> {
        let project_id = project_id.into();
        self.post_json(&format!("add_plan/{project_id}"), plan)
            .await
    }

    /// `add_plan_entry/{plan_id}`; the new runs are in [`PlanEntry::runs`]. Not idempotent:
    /// see [`Error::Ambiguous`].
    pub async fn add_plan_entry(
        &self,
        plan_id: impl Into<PlanId>,
        entry: &NewPlanEntry,
    ) -> Result<PlanEntry, Error> {
        let plan_id = plan_id.into();
        self.post_json(&format!("add_plan_entry/{plan_id}"), entry)
            .await
    }

    /// `get_plan/{plan_id}`, with entries and runs.
    pub async fn get_plan(&self, plan_id: impl Into<PlanId>) -> Result<Plan, Error> {
        let plan_id = plan_id.into();
        self.get_one(&format!("get_plan/{plan_id}"), NO_PARAMS)
            .await
    }

    /// `close_plan/{plan_id}`: archives the plan and its runs.
    pub async fn close_plan(&self, plan_id: impl Into<PlanId>) -> Result<Plan, Error> {
        let plan_id = plan_id.into();
        self.post_json(&format!("close_plan/{plan_id}"), &EmptyBody {})
            .await
    }

    /// `get_tests/{run_id}`, through every page.
    pub async fn get_tests(&self, run_id: impl Into<RunId>) -> Result<Vec<Test>, Error> {
        self.get_tests_pages(run_id).collect_all().await
    }

    /// `get_tests/{run_id}` page by page (key `tests`; see [`Pages`]).
    pub fn get_tests_pages(&self, run_id: impl Into<RunId>) -> Pages<Test> {
        let run_id = run_id.into();
        self.paged(format!("get_tests/{run_id}"), "tests", NO_PARAMS)
    }

    /// `add_result_for_case/{run_id}/{case_id}`. Not idempotent: see [`Error::Ambiguous`].
    pub async fn add_result_for_case(
        &self,
        run_id: impl Into<RunId>,
        case_id: impl Into<CaseId>,
        result: &NewResult,
    ) -> Result<TestResult, Error> {
        let case_id = case_id.into();
        let run_id = run_id.into();
        self.post_json(&format!("add_result_for_case/{run_id}/{case_id}"), result)
            .await
    }

    /// `add_results_for_cases/{run_id}`: the results come back in request order, each with
    /// `test_id` (not `case_id`). Not idempotent: see [`Error::Ambiguous`]; a batch too
    /// large gives [`Error::PayloadTooLarge`].
    pub async fn add_results_for_cases(
        &self,
        run_id: impl Into<RunId>,
        results: &[ResultForCase],
    ) -> Result<Vec<TestResult>, Error> {
        let run_id = run_id.into();
        #[derive(serde::Serialize)]
        struct Body<'a> {
            results: &'a [ResultForCase],
        }
        self.post_json(
            &format!("add_results_for_cases/{run_id}"),
            &Body { results },
        )
        .await
    }

    /// `get_results_for_run/{run_id}` with filters, through every page (newest first).
    pub async fn get_results_for_run(
        &self,
        run_id: impl Into<RunId>,
        filter: &ResultFilter,
    ) -> Result<Vec<TestResult>, Error> {
        self.get_results_for_run_pages(run_id, filter)
            .collect_all()
            .await
    }

    /// `get_results_for_run/{run_id}` with filters, page by page (key `results`; see
    /// [`Pages`]).
    pub fn get_results_for_run_pages(
        &self,
        run_id: impl Into<RunId>,
        filter: &ResultFilter,
    ) -> Pages<TestResult> {
        let run_id = run_id.into();
        self.paged(
            format!("get_results_for_run/{run_id}"),
            "results",
            &filter.params(),
        )
    }

    /// `get_results_for_case/{run_id}/{case_id}` with filters, through every page (newest
    /// first).
    pub async fn get_results_for_case(
        &self,
        run_id: impl Into<RunId>,
        case_id: impl Into<CaseId>,
        filter: &ResultFilter,
    ) -> Result<Vec<TestResult>, Error> {
        self.get_results_for_case_pages(run_id, case_id, filter)
            .collect_all()
            .await
    }

    /// `get_results_for_case/{run_id}/{case_id}` with filters, page by page (key
    /// `results`; see [`Pages`]).
    pub fn get_results_for_case_pages(
        &self,
        run_id: impl Into<RunId>,
        case_id: impl Into<CaseId>,
        filter: &ResultFilter,
    ) -> Pages<TestResult> {
        let (run_id, case_id) = (run_id.into(), case_id.into());
        self.paged(
            format!("get_results_for_case/{run_id}/{case_id}"),
            "results",
            &filter.params(),
        )
    }

    /// `add_attachment_to_result/{result_id}` (multipart). Not idempotent: see
    /// [`Error::Ambiguous`]; a file too large gives [`Error::PayloadTooLarge`].
    pub async fn add_attachment_to_result(
        &self,
        result_id: impl Into<ResultId>,
        file: &Attachment,
    ) -> Result<AttachmentId, Error> {
        let result_id = result_id.into();
        let method = format!("add_attachment_to_result/{result_id}");
        let url = self
            .inner
            .base
            .api_url(&method, std::iter::empty::<(&str, &str)>());
        let (status, body) = self
            .execute(transport::Call::post_file(&method, url, file))
            .await?;
        let added: AddedAttachment = super::decode(&method, status, &body)?;
        Ok(added.attachment_id)
    }

    /// `get_attachments_for_test/{test_id}`: the files on the test's results, oldest
    /// first as TestRail lists them (a bare array on older TestRail, else the `attachments`
    /// key, paged).
    pub async fn get_attachments_for_test(
        &self,
        test_id: impl Into<TestId>,
    ) -> Result<Vec<AttachmentInfo>, Error> {
        let test_id = test_id.into();
        self.get_paged(
            &format!("get_attachments_for_test/{test_id}"),
            "attachments",
            NO_PARAMS,
        )
        .await
    }

    /// `get_attachment/{attachment_id}`: the file's bytes (TestRail answers with the raw
    /// file, not JSON).
    pub async fn get_attachment(&self, attachment_id: &AttachmentId) -> Result<Vec<u8>, Error> {
        let method = format!("get_attachment/{attachment_id}");
        let url = self
            .inner
            .base
            .api_url(&method, std::iter::empty::<(&str, &str)>());
        let (_, body) = self.execute(transport::Call::get_raw(&method, url)).await?;
        Ok(body)
    }
}
