//! The path of every non-control request: log it, apply faults, then serve the API
//! (authentication, method checks, permission, body, handler) or the web UI's pages.

use std::io::Cursor;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Bytes, HttpBody, to_bytes};
use axum::extract::{Request, State as AxState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::api::{self, Call, Reply, Upload, fields::Fields};
use crate::app::Shared;
use crate::auth;
use crate::error::ApiError;
use crate::faults::Action;
use crate::monitor::Pending;
use crate::pages::{self, ClientAddr, PageRequest};
use crate::reply;
use crate::route::{ApiRoute, Target, classify};

/// Lets a request handler close its own connection without answering.
#[derive(Clone, Debug, Default)]
pub struct ConnCtl(pub Arc<tokio::sync::Notify>);

impl ConnCtl {
    /// Closes the connection (the handler's future is dropped with it).
    pub fn kill(&self) {
        self.0.notify_one();
    }
}

/// Finishes a request's log entry, also when its future is dropped (a dropped
/// connection is logged with status 0).
struct LogGuard {
    app: Arc<Shared>,
    pending: Option<Pending>,
}

impl LogGuard {
    fn finish(&mut self, resp: &Response) {
        if let Some(mut p) = self.pending.take() {
            p.entry.status = resp.status().as_u16();
            p.entry.response_size = resp.body().size_hint().exact().unwrap_or(0);
            self.app.monitor().end(p);
        }
    }

    fn set_user(&mut self, email: &str) {
        if let Some(p) = &mut self.pending {
            p.entry.user = Some(email.to_string());
        }
    }
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        if let Some(p) = self.pending.take() {
            self.app.monitor().end(p);
        }
    }
}

/// Closes the connection and never answers.
async fn drop_connection(conn: Option<ConnCtl>) -> Response {
    if let Some(c) = conn {
        c.kill();
    }
    std::future::pending::<Response>().await
}

/// The axum fallback: everything that is not the control API.
///
/// The delay and the handling run in a task of their own, so a request's effect does not
/// depend on the client staying connected (a client that times out during a `hang` still
/// finds the effect stored, as with a real server).
pub async fn entry(AxState(app): AxState<Arc<Shared>>, req: Request) -> Response {
    let conn = req.extensions().get::<ConnCtl>().cloned();
    let client = req.extensions().get::<ClientAddr>().map(|c| c.0);
    let (parts, body) = req.into_parts();
    let target = classify(parts.uri.path(), parts.uri.query());
    let (endpoint, route) = match &target {
        Target::Api(r) => (
            r.method.clone(),
            parts
                .uri
                .query()
                .unwrap_or("")
                .trim_start_matches("/api/v2/")
                .to_string(),
        ),
        _ => (parts.uri.path().to_string(), parts.uri.to_string()),
    };
    let bytes = match to_bytes(body, app.max_body).await {
        Ok(b) => b,
        Err(_) => {
            return reply::html(
                StatusCode::PAYLOAD_TOO_LARGE,
                reply::proxy_page(StatusCode::PAYLOAD_TOO_LARGE),
            );
        }
    };
    let mut pending =
        app.monitor()
            .begin(parts.method.as_str(), &endpoint, &route, bytes.len() as u64);
    let decision = app
        .faults()
        .evaluate(&endpoint, bytes.len() as u64, Instant::now());
    pending.entry.faults = decision.fired.clone();
    let mut guard = LogGuard {
        app: app.clone(),
        pending: Some(pending),
    };
    let action = decision.action.clone();
    let clock_app = app.clone();
    let work = tokio::spawn(async move {
        if !decision.delay.is_zero() {
            tokio::time::sleep(decision.delay).await;
        }
        match &action {
            Some(Action::DropBefore) => None,
            Some(Action::DropAfter) | None => {
                Some(serve(&app, &parts.method, &parts.headers, target, bytes, client).await)
            }
            Some(fault) => Some((fault_response(fault), None)),
        }
    });
    let (mut resp, user) = match work.await {
        Ok(Some(done)) => done,
        Ok(None) => return drop_connection(conn).await,
        Err(_) => (
            reply::json_error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
            None,
        ),
    };
    if let Some(email) = user {
        guard.set_user(&email);
    }
    if decision.action == Some(Action::DropAfter) {
        return drop_connection(conn).await;
    }
    // Like TestRail's web server, every answer carries the server's own time (here the
    // simulated clock), which clients use instead of trusting the two clocks to agree.
    let now = clock_app.state().now();
    if let Ok(value) = HeaderValue::from_str(&crate::clock::http_date(now)) {
        resp.headers_mut().insert(header::DATE, value);
    }
    guard.finish(&resp);
    resp
}

/// The answer a fault sends instead of the API's.
fn fault_response(action: &Action) -> Response {
    match action {
        Action::TooManyRequests(retry) => {
            // [U] the exact body is not known; the status and header are the contract.
            let text = match retry {
                Some(s) => format!("API Rate Limit Exceeded - Retry after {s} seconds."),
                None => "API Rate Limit Exceeded".to_string(),
            };
            let mut r = reply::json_error(StatusCode::TOO_MANY_REQUESTS, &text);
            if let Some(s) = retry
                && let Ok(v) = HeaderValue::from_str(&s.to_string())
            {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Action::ServerError { status, html } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if *html {
                reply::html(status, reply::proxy_page(status))
            } else {
                let reason = status.canonical_reason().unwrap_or("Server Error");
                reply::json_error(status, &format!("{} {reason}", status.as_u16()))
            }
        }
        Action::Maintenance => reply::json_error(
            StatusCode::CONFLICT,
            "TestRail is currently in maintenance mode. Please try again in a few minutes.",
        ),
        Action::LoginPage => reply::html(StatusCode::OK, reply::login_page()),
        Action::PayloadTooLarge => reply::html(
            StatusCode::PAYLOAD_TOO_LARGE,
            reply::proxy_page(StatusCode::PAYLOAD_TOO_LARGE),
        ),
        Action::Unauthorized => ApiError::unauthorized().into_response(),
        Action::DropBefore | Action::DropAfter => reply::empty(),
    }
}

/// Serves a request; also returns the authenticated user's email, for the log.
async fn serve(
    app: &Shared,
    method: &Method,
    headers: &HeaderMap,
    target: Target,
    body: Bytes,
    client: Option<std::net::SocketAddr>,
) -> (Response, Option<String>) {
    match target {
        Target::Other => (
            reply::html(
                StatusCode::NOT_FOUND,
                reply::proxy_page(StatusCode::NOT_FOUND),
            ),
            None,
        ),
        Target::WebUi { query } => pages::serve(
            app,
            &PageRequest {
                method,
                headers,
                query: query.as_deref(),
                body: &body,
                client,
            },
        ),
        Target::Api(route) => {
            let mut user = None;
            let resp = match api_call(app, &mut user, method, headers, &route, body).await {
                Ok(Reply::Json(v)) => reply::json(StatusCode::OK, &v),
                Ok(Reply::Empty) => reply::empty(),
                Ok(Reply::File {
                    content_type,
                    bytes,
                }) => reply::bytes(StatusCode::OK, &content_type, bytes),
                Err(e) => e.into_response(),
            };
            (resp, user)
        }
    }
}

async fn api_call(
    app: &Shared,
    user_email: &mut Option<String>,
    method: &Method,
    headers: &HeaderMap,
    route: &ApiRoute,
    body: Bytes,
) -> Result<Reply, ApiError> {
    if let Some((k, _)) = route.params.iter().find(|(_, v)| v.contains('"')) {
        return Err(ApiError::bad(format!(
            "Invalid characters in GET: [{k}] [\"]"
        )));
    }
    let user = auth::authenticate(&app.state(), headers)?;
    *user_email = Some(user.email.clone());
    // [U] TestRail's text for an unknown method is not known.
    let endpoint = api::find(&route.method).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("Unknown method '{}'", route.method),
        )
    })?;
    let wanted = if endpoint.write {
        Method::POST
    } else {
        Method::GET
    };
    if *method != wanted {
        // [U] the status and text for a wrong HTTP method are not known; 400 chosen.
        return Err(ApiError::bad(format!("This API method requires {wanted}.")));
    }
    endpoint.permission.check(&user)?;
    let upload = if endpoint.multipart {
        Some(read_upload(headers, body.clone()).await?)
    } else {
        None
    };
    let map = if endpoint.write && !endpoint.multipart {
        json_body(headers, &body)?
    } else {
        Map::new()
    };
    let call = Call {
        route,
        user: &user,
        body: Fields::new(&map, ""),
        base: &app.base_url,
        upload: upload.as_ref().and_then(|u| u.as_ref()),
    };
    let result = (endpoint.handler)(&mut app.state(), &call);
    if endpoint.write && result.is_ok() {
        app.touch();
    }
    result
}

/// Parses a POST body: empty means `{}`; otherwise it must be JSON (with a JSON
/// content type, [U] 400 chosen for the status) and an object.
fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        None => {
            return Err(ApiError::bad(
                "Content-Type header missing (use Content-Type: application/json)",
            ));
        }
        Some(ct) if !ct.to_ascii_lowercase().contains("json") => {
            return Err(ApiError::bad(
                "Content-Type header invalid (use Content-Type: application/json)",
            ));
        }
        Some(_) => {}
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(Value::Null) => Ok(Map::new()),
        // [U] TestRail's texts for malformed bodies are not known.
        Ok(_) => Err(ApiError::bad(
            "Bad request: the request body must be a JSON object.",
        )),
        Err(e) => Err(ApiError::bad(format!(
            "Bad request: the request body is not valid JSON ({e})."
        ))),
    }
}

/// Reads the `attachment` part of a multipart body. `None` when there is no such part
/// (the handler then answers `Field :attachment is a required field.`).
async fn read_upload(headers: &HeaderMap, body: Bytes) -> Result<Option<Upload>, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = multer::parse_boundary(ct).map_err(|_| {
        ApiError::bad("Content-Type header invalid (use Content-Type: multipart/form-data)")
    })?;
    let mut parts = multer::Multipart::with_reader(Cursor::new(body), boundary);
    let bad =
        |e: multer::Error| ApiError::bad(format!("Bad request: invalid multipart body ({e})."));
    while let Some(field) = parts.next_field().await.map_err(bad)? {
        if field.name() != Some("attachment") {
            continue;
        }
        let name = field.file_name().unwrap_or("attachment").to_string();
        let content_type = field.content_type().map(|m| m.to_string());
        let data = field.bytes().await.map_err(bad)?;
        return Ok(Some(Upload {
            name,
            content_type,
            size: data.len() as u64,
            bytes: data.to_vec(),
        }));
    }
    Ok(None)
}
