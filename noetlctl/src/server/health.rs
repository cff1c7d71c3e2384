//! `GET /health` and `GET /api/health`: what is running, read by the web UI and by probes.

use std::time::Instant;

use hyper::{Method, Response, StatusCode};
use serde_json::{json, Value};

use super::response::{self, Body};
use super::ui::Ui;
use crate::version;

pub fn respond(method: &Method, ui: &Ui, started: Instant) -> Response<Body> {
    if !response::is_read(method) {
        return response::method_not_allowed();
    }
    response::json(StatusCode::OK, &report(ui, started.elapsed().as_secs()))
}

fn report(ui: &Ui, uptime_seconds: u64) -> Value {
    json!({
        "status": "ok",
        "version": version::VERSION,
        "commit": version::COMMIT,
        "target": version::TARGET,
        "arch": version::arch(),
        "os": std::env::consts::OS,
        "uptime_seconds": uptime_seconds,
        "ui": ui.health(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_has_the_fields_the_web_ui_reads() {
        let ui = Ui::Disabled { reason: "NOETL_ENABLE_UI is off".into(), fix: "" };
        let report = report(&ui, 12);
        let fields: Vec<&str> = report.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(fields, ["arch", "commit", "os", "status", "target", "ui", "uptime_seconds", "version"]);
        assert_eq!(report["uptime_seconds"], 12);
        assert_eq!(report["arch"], std::env::consts::ARCH);
        assert_eq!(report["ui"], json!({"enabled": false, "reason": "NOETL_ENABLE_UI is off"}));
    }
}
