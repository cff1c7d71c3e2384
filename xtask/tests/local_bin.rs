//! `cargo xtask local-bin` for real: builds, installs to bin/noetl, replaces a running binary.

mod common;

use common::{root, start_server, stop_server, text, xtask, xtask_ok};
use std::process::Command;
use std::sync::Mutex;

/// Tests here write or watch `bin/`: one at a time.
static BIN_DIR: Mutex<()> = Mutex::new(());

#[test]
fn local_bin_installs_a_working_noetl_and_can_replace_it_while_it_runs() {
    let _bin = BIN_DIR.lock().unwrap_or_else(|e| e.into_inner());
    let out = xtask_ok(&["local-bin", "--debug"]);
    let bin = root().join("bin/noetl");
    let version = Command::new(&bin).arg("--version").output().unwrap();
    let version = text(&version.stdout);
    let host = text(&Command::new("rustc").arg("-vV").output().unwrap().stdout);
    let host = host.lines().find_map(|l| l.strip_prefix("host: ")).unwrap().to_string();
    assert!(version.starts_with("noetl 0.1.0 (") && version.contains(&host), "{version}");
    assert!(text(&out.stderr).contains("is a linux/"), "header check not reported: {}", text(&out.stderr));

    // Keep bin/noetl running (a server) while it is rebuilt and reinstalled: a plain copy
    // over it would fail with "text file busy"; temp file + rename does not.
    let server = start_server(&bin, &[]);
    let again = xtask(&["local-bin", "--debug"]);
    let still_running = stop_server(server);
    assert!(still_running, "the server should have kept running during the reinstall");
    assert!(again.status.success(), "reinstall over a running binary failed: {}", text(&again.stderr));
}

#[test]
fn unknown_and_uninstalled_targets_are_usage_errors() {
    let out = xtask(&["local-bin", "--target", "sparc-sun-solaris"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.starts_with("error: --target 'sparc-sun-solaris': ") && err.contains("fix:"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
}

#[test]
fn dry_run_and_json_change_nothing_on_disk() {
    let _bin = BIN_DIR.lock().unwrap_or_else(|e| e.into_inner());
    let watched = ["bin", "target/dist", "noetl/core"];
    let before: Vec<_> = watched.iter().map(|p| listing(&root().join(p))).collect();
    for args in [
        &["--dry-run", "local-bin"][..],
        &["--json", "local-bin", "--debug"],
        &["--dry-run", "cli", "--platforms", "linux/amd64"],
        &["--json", "ui", "--force"],
        &["--dry-run", "ui", "--placeholder", "--out", "target/never-created"],
    ] {
        let out = xtask_ok(args);
        assert!(!out.stdout.is_empty(), "{args:?} printed no plan");
    }
    let after: Vec<_> = watched.iter().map(|p| listing(&root().join(p))).collect();
    assert_eq!(before, after);
    assert!(!root().join("target/never-created").exists());
}

#[test]
fn json_plan_is_versioned_and_lists_the_steps() {
    let out = xtask_ok(&["--json", "local-bin", "--debug"]);
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["version"], 1);
    assert_eq!(plan["command"], "local-bin");
    let kinds: Vec<&str> = plan["steps"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["run", "install", "check_binary", "run"]);
    assert_eq!(plan["steps"][0]["program"], "cargo");
    assert_eq!(plan["steps"][1]["to"], "bin/noetl");
}

/// Names, sizes and modification times of everything below `dir`.
fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let meta = e.metadata().unwrap();
            out.push(format!("{} {} {:?}", e.path().display(), meta.len(), meta.modified().ok()));
            if meta.is_dir() {
                out.extend(listing(&e.path()));
            }
        }
    }
    out.sort();
    out
}
