//! Small builders for the few kinds of response the server sends.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use hyper::{Response, StatusCode};

/// Every body is built in memory: UI files are small and API answers tiny.
pub type Body = Full<Bytes>;

pub const NO_STORE: &str = "no-store";

pub fn build(
    status: StatusCode,
    content_type: &'static str,
    cache_control: &'static str,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
    // Browsers must trust our Content-Type, never guess one from the bytes.
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

pub fn text(status: StatusCode, message: impl Into<String>) -> Response<Body> {
    let mut body = message.into();
    body.push('\n');
    build(status, "text/plain; charset=utf-8", NO_STORE, body)
}

pub fn json(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    build(status, "application/json", NO_STORE, value.to_string())
}

pub fn method_not_allowed() -> Response<Body> {
    let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed: use GET or HEAD");
    response.headers_mut().insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

pub fn is_read(method: &hyper::Method) -> bool {
    matches!(*method, hyper::Method::GET | hyper::Method::HEAD)
}
