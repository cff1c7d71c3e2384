//! Whether the web UI is served, and why not when it isn't.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use hyper::{Method, Response, StatusCode};

use super::files;
use super::response::{self, Body};

const BUILD_FIX: &str = "build it with `cargo xtask ui`, or point --ui-dir / NOETL_UI_DIR at a built UI";
const SWITCH_FIX: &str = "unset NOETL_ENABLE_UI or set it to true (and build the UI with `cargo xtask ui` if needed)";

pub enum Ui {
    /// Files are served from `root`, which is canonical (no symlinks, absolute).
    Enabled {
        root: PathBuf,
    },
    Disabled {
        reason: String,
        fix: &'static str,
    },
}

impl Ui {
    /// Decides once, at start-up, from the switch and what is in `dir`.
    pub fn detect(dir: &Path, enabled: bool) -> Ui {
        if !enabled {
            return Ui::Disabled { reason: "NOETL_ENABLE_UI is off".into(), fix: SWITCH_FIX };
        }
        let shown = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let shown = shown.display();
        let disabled = |reason: String| Ui::Disabled { reason, fix: BUILD_FIX };
        match dir.canonicalize() {
            Err(e) if e.kind() == ErrorKind::NotFound => disabled(format!("UI directory {shown} does not exist")),
            Err(e) => disabled(format!("cannot open UI directory {shown}: {e}")),
            Ok(root) if !root.is_dir() => disabled(format!("UI path {shown} is not a directory")),
            // The source tree keeps `noetl/core/ui/assets/` as a placeholder until a build fills it.
            Ok(root) if !root.join("index.html").is_file() => {
                disabled(format!("no index.html in {} (the UI has not been built)", root.display()))
            }
            Ok(root) => Ui::Enabled { root },
        }
    }

    /// The stdout line about the UI that follows start-up.
    pub fn summary(&self) -> String {
        match self {
            Ui::Enabled { root } => format!("noetl ui: serving {}", root.display()),
            Ui::Disabled { reason, .. } => format!("noetl ui: disabled ({reason})"),
        }
    }

    pub fn health(&self) -> serde_json::Value {
        match self {
            Ui::Enabled { root } => {
                serde_json::json!({ "enabled": true, "dir": root.to_string_lossy() })
            }
            Ui::Disabled { reason, .. } => {
                serde_json::json!({ "enabled": false, "reason": reason })
            }
        }
    }

    /// Answers a request for a UI path (anything but the API), given as decoded segments.
    pub async fn respond(&self, method: &Method, segments: Vec<String>) -> Response<Body> {
        if !response::is_read(method) {
            return response::method_not_allowed();
        }
        match self {
            Ui::Enabled { root } => files::serve(root.clone(), segments).await,
            Ui::Disabled { reason, fix } if segments.is_empty() => disabled_page(reason, fix),
            Ui::Disabled { reason, .. } => {
                response::text(StatusCode::NOT_FOUND, format!("not found: the web UI is disabled ({reason})"))
            }
        }
    }
}

fn disabled_page(reason: &str, fix: &str) -> Response<Body> {
    let page = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>NoETL</title></head><body>\n\
         <h1>NoETL server is running; its web UI is disabled</h1>\n\
         <p>Why: {}.</p>\n<p>To enable it: {}, then restart the server.</p>\n\
         <p>The API keeps working: <a href=\"/api/health\">/api/health</a></p>\n</body></html>\n",
        escape_html(reason),
        escape_html(fix),
    );
    response::build(StatusCode::OK, "text/html; charset=utf-8", response::NO_STORE, page)
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}
