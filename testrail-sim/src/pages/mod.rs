//! Read-only web pages at the addresses TestRail's web UI uses, so a person can look at
//! what a test run reported:
//!
//! | address                          | page                                              |
//! |----------------------------------|---------------------------------------------------|
//! | `/`, `index.php?/dashboard`      | projects with their runs, plans and suites        |
//! | `index.php?/runs/view/N`         | a run's tests: status colours, results, steps     |
//! | `index.php?/plans/view/N`        | a plan's entries and their runs                   |
//! | `index.php?/suites/view/N`       | a suite's sections and cases                      |
//! | `index.php?/cases/view/N`        | a case's fields, and its tests in runs            |
//! | `index.php?/auth/login`          | the login form (`POST` logs in)                   |
//! | `index.php?/auth/logout`         | ends the login session                            |
//!
//! As in TestRail, the route is the query string up to the first `&`
//! (`index.php?/runs/view/3&group_by=…`), parsed from the raw query.
//!
//! Access ([`WebLogin`]): by default a client on the loopback interface (the simulator
//! binds 127.0.0.1 unless told otherwise) sees the pages without logging in; any other
//! client logs in first with a user's email and password (the simulator prints its default
//! user's at start) and then carries a `tr_session` cookie. [`WebLogin::Always`] asks every
//! client to log in.
//!
//! Everything user-written (titles, comments, step texts, names) is escaped by `maud`.

mod layout;
mod login;
mod views;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Mutex;

use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;

use crate::app::Shared;
use crate::model::User;
use crate::reply;

pub use login::SESSION_COOKIE;

/// Who must log in before seeing the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WebLogin {
    /// Clients on the loopback interface see the pages without logging in; others log in
    /// (`--web-login remote`, the default).
    #[default]
    Remote,
    /// Every client logs in first (`--web-login always`).
    Always,
}

/// An unknown `--web-login` value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown web login policy {0:?}: use `remote` (loopback clients need no login) or `always`"
)]
pub struct UnknownWebLogin(pub String);

impl FromStr for WebLogin {
    type Err = UnknownWebLogin;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "remote" => Ok(WebLogin::Remote),
            "always" => Ok(WebLogin::Always),
            _ => Err(UnknownWebLogin(s.to_string())),
        }
    }
}

/// The web UI's settings and its login sessions (session token → user id), shared by all
/// connections.
#[derive(Debug, Default)]
pub struct Web {
    /// Who must log in.
    pub login: WebLogin,
    sessions: Mutex<HashMap<String, u64>>,
}

impl Web {
    /// Settings with no sessions yet.
    pub fn new(login: WebLogin) -> Self {
        Web {
            login,
            sessions: Mutex::default(),
        }
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        self.sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The address of the client on the other end of a connection, put into each request's
/// extensions by the server (the pages let loopback clients in without a login).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub SocketAddr);

/// A request for a page: everything the web UI reads of it.
pub struct PageRequest<'a> {
    /// GET or POST.
    pub method: &'a Method,
    /// Headers (`Cookie`).
    pub headers: &'a HeaderMap,
    /// The raw query string (`/runs/view/3&k=v`), if any.
    pub query: Option<&'a str>,
    /// The body (the login form).
    pub body: &'a [u8],
    /// The client's address; `None` (unknown) counts as not loopback.
    pub client: Option<SocketAddr>,
}

/// What a page address names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageRoute {
    /// `/`, `index.php`, `index.php?/dashboard`.
    Dashboard,
    /// `index.php?/runs/view/N`.
    Run(u64),
    /// `index.php?/plans/view/N`.
    Plan(u64),
    /// `index.php?/suites/view/N`.
    Suite(u64),
    /// `index.php?/cases/view/N`.
    Case(u64),
    /// `index.php?/auth/login` (GET shows the form, POST logs in).
    Login,
    /// `index.php?/auth/logout`.
    Logout,
    /// Anything else (404), with the route as given.
    Unknown(String),
}

impl PageRoute {
    /// Parses the raw query string: the route is everything up to the first `&`.
    pub fn parse(query: Option<&str>) -> PageRoute {
        let route = query.unwrap_or("").split('&').next().unwrap_or("");
        let route = crate::route::decode(route);
        let segments: Vec<&str> = route.split('/').filter(|s| !s.is_empty()).collect();
        let unknown = || PageRoute::Unknown(route.clone());
        match segments.as_slice() {
            [] | ["dashboard"] => PageRoute::Dashboard,
            ["auth", "login", ..] => PageRoute::Login,
            ["auth", "logout", ..] => PageRoute::Logout,
            [kind, "view", n] => match (*kind, crate::route::parse_id(n)) {
                ("runs", Some(id)) => PageRoute::Run(id),
                ("plans", Some(id)) => PageRoute::Plan(id),
                ("suites", Some(id)) => PageRoute::Suite(id),
                ("cases", Some(id)) => PageRoute::Case(id),
                _ => unknown(),
            },
            _ => unknown(),
        }
    }

    /// The route as it goes after `index.php?` in a link.
    pub fn path(&self) -> String {
        match self {
            PageRoute::Dashboard => "/dashboard".into(),
            PageRoute::Run(n) => format!("/runs/view/{n}"),
            PageRoute::Plan(n) => format!("/plans/view/{n}"),
            PageRoute::Suite(n) => format!("/suites/view/{n}"),
            PageRoute::Case(n) => format!("/cases/view/{n}"),
            PageRoute::Login => "/auth/login".into(),
            PageRoute::Logout => "/auth/logout".into(),
            PageRoute::Unknown(r) => r.clone(),
        }
    }
}

/// Who is looking: a logged-in user, or a loopback client let in without a login.
#[derive(Debug, Clone)]
pub enum Viewer {
    /// Logged in with the `tr_session` cookie.
    User(User),
    /// A loopback client under [`WebLogin::Remote`].
    Loopback,
}

/// Serves a page; also returns the logged-in user's email, for the request log.
pub fn serve(app: &Shared, req: &PageRequest) -> (Response, Option<String>) {
    let route = PageRoute::parse(req.query);
    match route {
        PageRoute::Login => return (login::login(app, req), None),
        PageRoute::Logout => return (login::logout(app, req), None),
        _ => {}
    }
    if req.method != Method::GET && req.method != Method::HEAD {
        let page = layout::message_page(
            None,
            "Read-only",
            "The simulator's pages are read-only: change its state through the API or the control API (/__sim/).",
        );
        return (reply::html(StatusCode::METHOD_NOT_ALLOWED, page), None);
    }
    let viewer = match login::viewer(app, req) {
        Some(v) => v,
        None => return (login::form_page(&route.path(), None), None),
    };
    let email = match &viewer {
        Viewer::User(u) => Some(u.email.clone()),
        Viewer::Loopback => None,
    };
    let st = app.state();
    let (status, body) = match route {
        PageRoute::Dashboard => (StatusCode::OK, views::dashboard(&st, &viewer)),
        PageRoute::Run(id) => views::run(&st, &viewer, id),
        PageRoute::Plan(id) => views::plan(&st, &viewer, id),
        PageRoute::Suite(id) => views::suite(&st, &viewer, id),
        PageRoute::Case(id) => views::case(&st, &viewer, id),
        PageRoute::Login | PageRoute::Logout | PageRoute::Unknown(_) => (
            StatusCode::NOT_FOUND,
            layout::message_page(
                Some(&viewer),
                "Page not found",
                &format!(
                    "The simulator has no page at index.php?{}. It serves the dashboard, runs/view/N, plans/view/N, suites/view/N and cases/view/N.",
                    route.path()
                ),
            ),
        ),
    };
    (reply::html(status, body), email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_come_from_the_raw_query() {
        assert_eq!(PageRoute::parse(None), PageRoute::Dashboard);
        assert_eq!(PageRoute::parse(Some("/dashboard")), PageRoute::Dashboard);
        assert_eq!(PageRoute::parse(Some("/runs/view/3")), PageRoute::Run(3));
        assert_eq!(
            PageRoute::parse(Some("/runs/view/3&group_by=cases:section_id")),
            PageRoute::Run(3)
        );
        assert_eq!(PageRoute::parse(Some("/plans/view/7")), PageRoute::Plan(7));
        assert_eq!(
            PageRoute::parse(Some("/suites/view/1")),
            PageRoute::Suite(1)
        );
        assert_eq!(
            PageRoute::parse(Some("/cases/view/12")),
            PageRoute::Case(12)
        );
        assert_eq!(PageRoute::parse(Some("/auth/login/")), PageRoute::Login);
        assert_eq!(
            PageRoute::parse(Some("/runs/view/x")),
            PageRoute::Unknown("/runs/view/x".into())
        );
        assert_eq!(
            PageRoute::parse(Some("/runs/view/0")),
            PageRoute::Unknown("/runs/view/0".into())
        );
    }

    #[test]
    fn web_login_values() {
        assert_eq!("remote".parse(), Ok(WebLogin::Remote));
        assert_eq!("Always".parse(), Ok(WebLogin::Always));
        assert!("never".parse::<WebLogin>().is_err());
    }
}
