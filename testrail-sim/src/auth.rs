//! HTTP Basic authentication against the configured users (password or API key),
//! and the role each endpoint needs.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::error::{ApiError, ApiResult};
use crate::model::{Role, User};
use crate::state::State;

/// Decodes an `Authorization: Basic ...` header into `(user, secret)`.
pub fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, secret) = text.split_once(':')?;
    Some((user.to_string(), secret.to_string()))
}

/// Finds the active user whose email matches and whose password or one of whose API keys
/// equals the secret. Anything else is TestRail's 401.
pub fn authenticate(state: &State, headers: &HeaderMap) -> ApiResult<User> {
    let (login, secret) = basic_credentials(headers).ok_or_else(ApiError::unauthorized)?;
    state
        .user_by_email(&login)
        .filter(|u| u.is_active)
        .filter(|u| u.password == secret || u.api_keys.contains(&secret))
        .cloned()
        .ok_or_else(ApiError::unauthorized)
}

/// What an endpoint needs: a minimum role and the words of its 403 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    /// The least role that may call the endpoint.
    pub role: Role,
    /// Completes `You are not allowed to <action> (insufficient permissions).`
    pub action: &'static str,
}

impl Permission {
    /// Anyone who is logged in.
    pub const READ: Permission = Permission {
        role: Role::ReadOnly,
        action: "view this",
    };

    /// A permission that needs at least `role`.
    pub const fn needs(role: Role, action: &'static str) -> Self {
        Permission { role, action }
    }

    /// Checks a user against the permission: 403 with TestRail's text when the role is
    /// too low.
    pub fn check(&self, user: &User) -> ApiResult<()> {
        if user.role >= self.role {
            Ok(())
        } else {
            Err(ApiError::not_allowed(self.action))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn decodes_basic() {
        let mut h = HeaderMap::new();
        let v = format!("Basic {}", STANDARD.encode("a@b.c:pa:ss"));
        h.insert(AUTHORIZATION, HeaderValue::from_str(&v).unwrap());
        assert_eq!(
            basic_credentials(&h),
            Some(("a@b.c".into(), "pa:ss".into()))
        );
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer x"));
        assert_eq!(basic_credentials(&h), None);
    }
}
