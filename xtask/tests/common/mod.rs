//! Shared by the integration tests: run the real xtask binary, and find the test bed.
#![allow(dead_code)] // each test binary uses its own subset of these helpers

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `cargo xtask ARGS` through the binary cargo built for this test run, from the repo root,
/// for a test to add its environment to.
pub fn xtask_command<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(args: I) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.args(args).current_dir(root());
    cmd
}

/// Runs [`xtask_command`] as it is.
pub fn xtask(args: &[&str]) -> Output {
    xtask_command(args).output().expect("run xtask")
}

/// Like [`xtask`], but panics with the output unless it exits 0.
pub fn xtask_ok(args: &[&str]) -> Output {
    let out = xtask(args);
    assert!(
        out.status.success(),
        "cargo xtask {} failed: {}\n{}",
        args.join(" "),
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The test bed's facts (from `.ci/testbed.sh up`), or `None` after printing why this
/// test is skipped. Under `NOETL_REQUIRE_TESTBED=1` (CI) a missing piece fails the test.
pub fn testbed(test: &str, needs: &[&str]) -> Option<std::collections::HashMap<String, String>> {
    let mut env: std::collections::HashMap<String, String> = std::fs::read_to_string("/run/noetl-testbed/env")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix("export ")?.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches(['"', '\'']).to_string()))
        .collect();
    for (k, v) in std::env::vars().filter(|(k, _)| k.starts_with("NOETL_TEST")) {
        env.insert(k, v);
    }
    let missing: Vec<&str> = needs.iter().copied().filter(|n| !env.contains_key(*n)).collect();
    if missing.is_empty() {
        return Some(env);
    }
    let why = format!("{test}: the test bed does not provide {} (run `bash .ci/testbed.sh up`)", missing.join(", "));
    if std::env::var("NOETL_REQUIRE_TESTBED").as_deref() == Ok("1") {
        panic!("{why}; NOETL_REQUIRE_TESTBED=1 forbids skipping");
    }
    eprintln!("skipped: {why}");
    None
}

/// Skips (or, under NOETL_REQUIRE_TESTBED=1, fails) when `program` is not on PATH.
pub fn have(program: &str, test: &str) -> bool {
    if which(program) {
        return true;
    }
    let why = format!("{test}: {program} is not on PATH");
    if std::env::var("NOETL_REQUIRE_TESTBED").as_deref() == Ok("1") {
        panic!("{why}; NOETL_REQUIRE_TESTBED=1 forbids skipping");
    }
    eprintln!("skipped: {why}");
    false
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH").map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file())).unwrap_or(false)
}

/// A fresh empty directory under `target/tmp` (inside the repo, on the same filesystem).
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = root().join("target/tmp").join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Copies `ui-src` without its installed packages, which are linked instead (so the copy
/// needs no `npm ci`).
fn copy_ui_sources(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let target = to.join(&name);
        if name == "node_modules" {
            std::os::unix::fs::symlink(entry.path(), target).unwrap();
        } else if name == "dist" {
            continue;
        } else if entry.file_type().unwrap().is_dir() {
            copy_ui_sources(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of `ui-src` at `to` with a TypeScript type error (TS2322), so `npm run build` fails.
pub fn broken_ui_sources(to: &Path) {
    copy_ui_sources(&root().join("ui-src"), to);
    let main = to.join("src/main.tsx");
    let code = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, format!("{code}\nconst broken: number = \"not a number\";\n")).unwrap();
}

/// A PATH holding every program of the current one but `hidden`: one dir of symlinks, the
/// first of each name, as PATH lookup would find it.
pub fn path_without(tmp: &Path, hidden: &[&str]) -> std::ffi::OsString {
    let bin = tmp.join("path");
    std::fs::create_dir_all(&bin).unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name();
            if !hidden.iter().any(|h| name == *h) && !bin.join(&name).exists() {
                let _ = std::os::unix::fs::symlink(entry.path(), bin.join(&name));
            }
        }
    }
    bin.into_os_string()
}

/// A running `noetl server start` and the URL it said it listens on.
pub struct Server {
    pub child: std::process::Child,
    pub url: String,
}

/// `BIN server start ARGS…` on a free loopback port (from the repo root), returned once
/// it has printed that it listens.
pub fn start_server(bin: &Path, args: &[&str]) -> Server {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(bin)
        .args(["server", "start", "--host", "127.0.0.1", "--port", "0"])
        .args(args)
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.split("listening on ").nth(1).map(|u| format!("{}/", u.trim())))
        .expect("server printed no listening line");
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Server { child, url }
}

/// Stops a server from [`start_server`]; whether it was still running until then.
pub fn stop_server(mut server: Server) -> bool {
    let running = server.child.try_wait().unwrap().is_none();
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    running
}
