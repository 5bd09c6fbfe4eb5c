//! API errors: TestRail's status codes and `{"error": "..."}` texts.
//!
//! Texts follow the digest (section 2.3). Where it marks a text uncertain, the
//! constructor says so in its doc comment.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::reply;

/// The exact 401 text TestRail sends for bad credentials.
pub const AUTH_FAILED: &str =
    "Authentication failed: invalid or missing user/password or session cookie.";

/// The text for writes to a closed run (status 403 is uncertain in the digest; 403 chosen).
pub const RUN_COMPLETED: &str = "This operation is not allowed. The test run is already completed.";

/// The text for writes to a closed plan. [U] modelled on [`RUN_COMPLETED`].
pub const PLAN_COMPLETED: &str =
    "This operation is not allowed. The test plan is already completed.";

/// An error answer of the API: a status code and an `error` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The `error` text.
    pub message: String,
}

/// Result type of every endpoint handler.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with any status.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    /// 400 with the given text.
    pub fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 403 with the given text.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// 401 with TestRail's text.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, AUTH_FAILED)
    }

    /// 400 `Field :<field> is a required field.`
    pub fn required(field: &str) -> Self {
        Self::bad(format!("Field :{field} is a required field."))
    }

    /// 400 `Field :<field> is not a valid ID.`
    pub fn invalid_id(field: &str) -> Self {
        Self::bad(format!("Field :{field} is not a valid ID."))
    }

    /// 400 `Field :<field> is not a valid <what>.` (e.g. `test case`, `test run`).
    pub fn not_valid(field: &str, what: &str) -> Self {
        Self::bad(format!("Field :{field} is not a valid {what}."))
    }

    /// 400 for an unknown or inaccessible project.
    pub fn project() -> Self {
        Self::bad("Field :project_id is not a valid or accessible project.")
    }

    /// 400 `Field :<field> is too long (250 characters at most).`
    pub fn too_long(field: &str) -> Self {
        Self::bad(format!(
            "Field :{field} is too long (250 characters at most)."
        ))
    }

    /// 400 `Field :<field> is not in a valid time span format.`
    pub fn timespan(field: &str) -> Self {
        Self::bad(format!(
            "Field :{field} is not in a valid time span format."
        ))
    }

    /// 400 for a value of the wrong JSON type. [U] TestRail's wording varies by type;
    /// this follows its `Field :x is not a valid <type>.` pattern.
    pub fn wrong_type(field: &str, what: &str) -> Self {
        Self::bad(format!("Field :{field} is not a valid {what}."))
    }

    /// 403 `You are not allowed to <action> (insufficient permissions).`
    pub fn not_allowed(action: &str) -> Self {
        Self::forbidden(format!(
            "You are not allowed to {action} (insufficient permissions)."
        ))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        reply::json_error(self.status, &self.message)
    }
}
