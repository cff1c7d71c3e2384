//! Shared by the integration tests: run the real xtask binary, and find the test bed.
#![allow(dead_code)] // each test binary uses its own subset of these helpers

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// `cargo xtask ARGS` through the binary cargo built for this test run, from the repo root.
pub fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).current_dir(root()).output().expect("run xtask")
}

/// Like [`xtask`], but panics with the output unless it exits 0.
pub fn xtask_ok(args: &[&str]) -> Output {
    let out = xtask(args);
    assert!(out.status.success(), "cargo xtask {} failed: {}\n{}", args.join(" "), text(&out.stdout), text(&out.stderr));
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
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

/// A fresh empty directory under `target/tmp` (inside the repo, on the same filesystem).
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = root().join("target/tmp").join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
