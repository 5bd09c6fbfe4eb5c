//! Building HTTP responses the way TestRail (and the web server in front of it) sends them.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::Value;

/// TestRail's JSON content type.
pub const JSON_TYPE: &str = "application/json; charset=utf-8";

/// A JSON response with TestRail's content type.
pub fn json(status: StatusCode, value: &Value) -> Response {
    raw(status, JSON_TYPE, value.to_string())
}

/// `{"error": message}` with the given status.
pub fn json_error(status: StatusCode, message: &str) -> Response {
    json(status, &serde_json::json!({ "error": message }))
}

/// A 200 with an empty body (what deletes answer).
pub fn empty() -> Response {
    raw(StatusCode::OK, JSON_TYPE, String::new())
}

/// An HTML response.
pub fn html(status: StatusCode, body: String) -> Response {
    raw(status, "text/html; charset=UTF-8", body)
}

/// Any response with a body and content type.
pub fn raw(status: StatusCode, content_type: &str, body: String) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp
}

/// A response carrying bytes (a file) with its content type.
pub fn bytes(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp
}

/// The page a web server in front of TestRail sends for an error status
/// (nginx's style), e.g. `502 Bad Gateway`.
pub fn proxy_page(status: StatusCode) -> String {
    let line = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    format!(
        "<html>\r\n<head><title>{line}</title></head>\r\n<body>\r\n<center><h1>{line}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
}

/// TestRail's login page, which a client gets (with status 200) when its base URL
/// points at the web UI instead of the API: what the `login_page` fault sends. (The
/// simulator's own web pages have their own login form, [`crate::pages`].)
pub fn login_page() -> String {
    concat!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<title>Login - TestRail</title>\n</head>\n<body class=\"login\">\n",
        "<div id=\"content\">\n<h1>TestRail</h1>\n",
        "<form action=\"index.php?/auth/login/\" method=\"post\" id=\"form\">\n",
        "<label for=\"name\">Email</label><input type=\"text\" name=\"name\" id=\"name\">\n",
        "<label for=\"password\">Password</label><input type=\"password\" name=\"password\" id=\"password\">\n",
        "<button type=\"submit\" id=\"button_primary\">Log In</button>\n",
        "</form>\n</div>\n</body>\n</html>\n"
    )
    .to_string()
}
