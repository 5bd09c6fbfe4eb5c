//! Users.

use super::{Call, Reply};
use crate::error::{ApiError, ApiResult};
use crate::pagination::envelope;
use crate::state::State;

/// `get_users` or `get_users/{project_id}`. Whether this is paginated is uncertain [U]:
/// newer clients read an envelope with key `users`, which is what is sent here.
pub fn get_users(st: &mut State, call: &Call) -> ApiResult<Reply> {
    if !call.route.ids.is_empty() {
        st.project(call.route.id(0, "project_id")?)?;
    }
    let items: Vec<_> = st
        .users
        .iter()
        .filter(|u| u.is_active || call.route.ids.is_empty())
        .collect();
    let r = call.render(st);
    Ok(Reply::Json(envelope(call.route, "users", &items, |u| {
        r.user(u)
    })?))
}

/// `get_user/{user_id}`.
pub fn get_user(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let id = call.route.id(0, "user_id")?;
    let u = st
        .user(id)
        .ok_or_else(|| ApiError::not_valid("user_id", "user"))?;
    Ok(Reply::Json(call.render(st).user(u)))
}

/// `get_user_by_email&email=...`. An unknown address answers 400
/// `Field :email is not a valid email address.` (what trcli maps to "user not found").
pub fn get_user_by_email(st: &mut State, call: &Call) -> ApiResult<Reply> {
    let email = call
        .route
        .param("email")
        .filter(|e| !e.is_empty())
        .ok_or_else(|| ApiError::required("email"))?;
    let u = st
        .user_by_email(email)
        .ok_or_else(|| ApiError::bad("Field :email is not a valid email address."))?;
    Ok(Reply::Json(call.render(st).user(u)))
}

/// `get_current_user`: the authenticated user.
pub fn get_current_user(st: &mut State, call: &Call) -> ApiResult<Reply> {
    Ok(Reply::Json(call.render(st).user(call.user)))
}
