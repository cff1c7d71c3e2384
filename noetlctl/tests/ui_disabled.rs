//! The three ways the UI ends up disabled; each logs one line and keeps the API up.

mod common;

use std::path::Path;

use common::{built_ui, write, Server, TempDir};

/// Checks a server that was started with the UI off for `because`.
fn assert_disabled(ui_dir: &Path, env: &[(&str, &str)], because: &str, fix: &str) {
    let server = Server::start(ui_dir, env);
    assert_eq!(server.banner.len(), 1, "{:?}", server.banner);
    assert!(server.banner[0].starts_with("noetl ui: disabled ("), "{:?}", server.banner);

    let health = server.get("/api/health");
    assert_eq!(health.status, 200);
    let health = health.json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["ui"]["enabled"], false);
    assert!(health["ui"]["reason"].as_str().unwrap().contains(because), "{health}");
    assert!(health["ui"].get("dir").is_none(), "{health}");

    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(page.text().contains(because), "{}", page.text());
    assert!(page.text().contains("cargo xtask ui"), "{}", page.text());

    for path in ["/index.html", "/assets/app-1.js", "/some/route"] {
        assert_eq!(server.get(path).status, 404, "{path}");
    }
    assert_eq!(server.get("/api/nothing").status, 404);

    let stopped = server.stop_with("TERM");
    assert!(stopped.status.success());
    let lines: Vec<&str> = stopped.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "want exactly one log line: {lines:?}");
    assert!(lines[0].contains("web UI disabled") && lines[0].contains(because), "{lines:?}");
    assert!(lines[0].contains(fix), "{lines:?}");
}

#[test]
fn switched_off_by_env() {
    let tmp = TempDir::new("ui-off");
    let ui = built_ui(tmp.path());
    for value in ["false", "0", "No", "OFF"] {
        assert_disabled(&ui, &[("NOETL_ENABLE_UI", value)], "NOETL_ENABLE_UI is off", "set it to true");
    }
}

#[test]
fn ui_dir_missing() {
    let tmp = TempDir::new("ui-missing");
    let missing = tmp.path().join("not-built");
    assert_disabled(&missing, &[], "does not exist", "cargo xtask ui");
}

#[test]
fn placeholder_dir_without_index_html() {
    // The source tree's layout before a UI build: noetl/core/ui/assets/ and nothing else.
    let tmp = TempDir::new("ui-placeholder");
    let ui = tmp.path().join("noetl/core/ui");
    write(&ui.join("assets/app-1.js"), b"stale\n");
    assert_disabled(&ui, &[], "no index.html", "cargo xtask ui");
}
