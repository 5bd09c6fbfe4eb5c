//! Case creation (seeds 002 and 004): cases for tests that match none, in one configured
//! suite and section, with fields from `--case-field`. Idempotent: a case with the same
//! title in the section is reused, never made twice.

use serde::Serialize;
use testrail_harness::config::Config;

use crate::cli::{CreateArgs, GlobalArgs};
use crate::error::CliError;
use crate::sessions::SessionDir;

impl CreateArgs {
    /// Whether creation is on: `--create-missing` (or `TESTRAIL_CREATE_MISSING`) without
    /// `--no-create`.
    pub fn enabled(&self) -> bool {
        self.create_missing && !self.no_create
    }
}

/// A case that was created or found, for `--json`.
#[derive(Clone, Debug, Serialize)]
pub struct CreatedJson {
    /// The case ID.
    pub case_id: u64,
    /// Its title.
    pub title: String,
    /// The test it is for.
    pub test: String,
    /// Whether it was created now (else it existed).
    pub created: bool,
}

/// Creates cases for the unmapped tests of spooled sessions.
pub async fn for_sessions(
    _global: &GlobalArgs,
    _config: &Config,
    _args: &CreateArgs,
    _sessions: &[SessionDir],
) -> Result<Vec<CreatedJson>, CliError> {
    Err(CliError::Create("case creation is not available yet".into()))
}
