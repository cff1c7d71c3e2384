//! The UI served by `noetl server start`, opened in headless Chromium (playwright-core):
//! the health data must render, and the error state must show when the API is unreachable.

mod common;

use common::{have, root, start_server, stop_server, text, xtask_ok};
use std::process::Command;
use std::sync::Mutex;

/// Two Vite builds of one `ui-src` at once trip over each other's caches: one at a time.
static UI_SRC: Mutex<()> = Mutex::new(());

#[test]
fn ui_renders_server_health_in_a_real_browser() {
    if !have("node", "browser test") || !have("chromium", "browser test") {
        return;
    }
    let guard = UI_SRC.lock().unwrap_or_else(|e| e.into_inner());
    xtask_ok(&["ui", "--out", "target/browser-ui/ok"]);
    drop(guard);
    xtask_ok(&["local-bin", "--debug"]);
    let server = start_server(&root().join("bin/noetl"), &["--ui-dir", "target/browser-ui/ok"]);
    let arch = std::env::consts::ARCH;
    let screenshot = root().join("target/ui-screenshot.png");
    let run = browser(&["--url", &server.url, "--screenshot", screenshot.to_str().unwrap(), "--expect-arch", arch]);
    stop_server(server);
    let said = text(&run.stdout);
    assert!(run.status.success(), "browser test failed: {said}{}", text(&run.stderr));
    let report: serde_json::Value = serde_json::from_str(said.lines().last().unwrap()).unwrap();
    assert_eq!(report["status"], "ok");
    assert_eq!(report["arch"], arch);
    assert!(std::fs::metadata(&screenshot).unwrap().len() > 1000, "screenshot missing");
}

#[test]
fn ui_shows_its_error_state_when_the_api_is_unreachable() {
    if !have("node", "browser test") || !have("chromium", "browser test") {
        return;
    }
    // A UI whose API base points at a port nothing listens on.
    let guard = UI_SRC.lock().unwrap_or_else(|e| e.into_inner());
    let built = common::xtask_command(["ui", "--out", "target/browser-ui/dead-api"])
        .env("VITE_API_BASE_URL", "http://127.0.0.1:9/api")
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", text(&built.stderr));
    drop(guard);
    xtask_ok(&["local-bin", "--debug"]);
    let server = start_server(&root().join("bin/noetl"), &["--ui-dir", "target/browser-ui/dead-api"]);
    let screenshot = root().join("target/ui-screenshot-error.png");
    let run = browser(&["--url", &server.url, "--screenshot", screenshot.to_str().unwrap(), "--expect-error"]);
    stop_server(server);
    assert!(run.status.success(), "error state not shown: {}{}", text(&run.stdout), text(&run.stderr));
}

fn browser(args: &[&str]) -> std::process::Output {
    Command::new("node").arg("e2e/browser.mjs").args(args).current_dir(root().join("ui-src")).output().unwrap()
}
