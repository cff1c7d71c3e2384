//! Maps a request to the API or to the UI.

use std::time::Instant;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};

use super::path::{self, BadPath};
use super::response::{self, Body};
use super::{health, ui::Ui};

/// What every request handler can see; shared by all connections.
pub struct App {
    pub ui: Ui,
    pub started: Instant,
}

pub async fn handle(app: &App, request: Request<Incoming>) -> Response<Body> {
    let method = request.method();
    // Routing works on decoded segments, so `/%61pi/x` cannot slip past the API rules.
    let segments = match path::segments(request.uri().path()) {
        Ok(segments) => segments,
        Err(BadPath(why)) => return response::text(StatusCode::BAD_REQUEST, format!("bad request path: {why}")),
    };
    let names: Vec<&str> = segments.iter().map(String::as_str).collect();
    match names.as_slice() {
        ["health"] | ["api", "health"] => health::respond(method, &app.ui, app.started),
        ["api", ..] => response::json(
            StatusCode::NOT_FOUND,
            &serde_json::json!({ "error": "not found", "path": request.uri().path() }),
        ),
        _ => app.ui.respond(method, segments).await,
    }
}
