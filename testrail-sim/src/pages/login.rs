//! Logging in to the pages: the form, the `tr_session` cookie, and who may skip it.

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use maud::html;

use super::layout;
use super::{PageRequest, PageRoute, Viewer, WebLogin};
use crate::app::Shared;
use crate::reply;
use crate::route::decode;

/// The cookie that carries a login session (TestRail's name for it).
pub const SESSION_COOKIE: &str = "tr_session";

/// Who is looking: the user of a valid session cookie, else a loopback client when the
/// policy lets those in, else nobody (the login form is shown).
pub(super) fn viewer(app: &Shared, req: &PageRequest) -> Option<Viewer> {
    if let Some(user) = session_user(app, req) {
        return Some(Viewer::User(user));
    }
    let loopback = req.client.is_some_and(|a| a.ip().is_loopback());
    (app.web.login == WebLogin::Remote && loopback).then_some(Viewer::Loopback)
}

fn session_token(req: &PageRequest) -> Option<String> {
    req.headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_string())
}

fn session_user(app: &Shared, req: &PageRequest) -> Option<crate::model::User> {
    let token = session_token(req)?;
    let user_id = *app.web.sessions().get(&token)?;
    app.state().user(user_id).filter(|u| u.is_active).cloned()
}

/// Where to go after logging in: a page route from the form or query, else the dashboard.
fn return_route(raw: Option<&str>) -> String {
    let route = PageRoute::parse(raw);
    match route {
        PageRoute::Login | PageRoute::Logout | PageRoute::Unknown(_) => PageRoute::Dashboard.path(),
        _ => route.path(),
    }
}

/// The form's fields, percent-decoded.
fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// `index.php?/auth/login`: GET shows the form; POST checks the email and password and
/// starts a session (cookie, then 303 to the page asked for).
pub(super) fn login(app: &Shared, req: &PageRequest) -> Response {
    let query_return = req
        .query
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("return=")))
        .map(decode);
    if req.method != Method::POST {
        return form_page(&return_route(query_return.as_deref()), None);
    }
    let fields = form_fields(req.body);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let back = return_route(field("return").or(query_return.as_deref()));
    let email = field("name").unwrap_or("");
    let password = field("password").unwrap_or("");
    let user = app
        .state()
        .user_by_email(email)
        .filter(|u| u.is_active && !password.is_empty() && u.password == password)
        .map(|u| u.id);
    let Some(user_id) = user else {
        return form_page(
            &back,
            Some("Email/Login or Password is incorrect. Please try again."),
        );
    };
    let token = format!("{:032x}", rand::random::<u128>());
    app.web.sessions().insert(token.clone(), user_id);
    redirect(
        &back,
        &format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax"),
    )
}

/// `index.php?/auth/logout`: forgets the session and shows the login form.
pub(super) fn logout(app: &Shared, req: &PageRequest) -> Response {
    if let Some(token) = session_token(req) {
        app.web.sessions().remove(&token);
    }
    redirect(
        "/auth/login",
        &format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    )
}

fn redirect(route: &str, cookie: &str) -> Response {
    let mut resp = reply::html(StatusCode::SEE_OTHER, String::new());
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("index.php?{route}")) {
        headers.insert(header::LOCATION, v);
    }
    if let Ok(v) = HeaderValue::from_str(cookie) {
        headers.insert(header::SET_COOKIE, v);
    }
    resp
}

/// The login form (status 200, as TestRail answers it), returning to `back` (a page route)
/// after a successful login.
pub(super) fn form_page(back: &str, error: Option<&str>) -> Response {
    let body = html! {
        @if let Some(e) = error { p.error { (e) } }
        form.login action="index.php?/auth/login/" method="post" id="form" {
            input type="hidden" name="return" value=(back);
            label for="name" { "Email" }
            input type="text" name="name" id="name" autocomplete="username";
            label for="password" { "Password" }
            input type="password" name="password" id="password" autocomplete="current-password";
            button type="submit" id="button_primary" { "Log In" }
        }
        p.hint {
            "Log in with a user of the simulator: it prints its default user's email and password when it starts. "
            "Clients on this machine (loopback) need no login unless the simulator runs with --web-login always."
        }
    };
    reply::html(
        StatusCode::OK,
        layout::page(None, "Login", &[], "Log in", body),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_only_to_pages() {
        assert_eq!(return_route(Some("/runs/view/3")), "/runs/view/3");
        assert_eq!(return_route(Some("/auth/logout")), "/dashboard");
        assert_eq!(return_route(Some("//evil.test/x")), "/dashboard");
        assert_eq!(return_route(None), "/dashboard");
    }

    #[test]
    fn form_fields_are_decoded() {
        assert_eq!(
            form_fields(b"name=a%40b.test&password=p+w&return=%2Fruns%2Fview%2F2"),
            vec![
                ("name".to_string(), "a@b.test".to_string()),
                ("password".to_string(), "p w".to_string()),
                ("return".to_string(), "/runs/view/2".to_string()),
            ]
        );
    }
}
