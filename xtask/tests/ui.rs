//! `cargo xtask ui` for real: npm ci + Vite build, up-to-date no-op, a failing build that
//! leaves the installed UI intact, and the placeholder layout.

mod common;

use common::{broken_ui_sources, have, temp_dir, text, xtask, xtask_ok};
use std::fs;

#[test]
fn ui_builds_installs_then_is_a_no_op_and_a_broken_build_keeps_the_old_ui() {
    if !have("npm", "ui build") {
        return;
    }
    let work = temp_dir("ui");
    let out = work.join("installed");
    let out_arg = out.to_str().unwrap();

    let first = xtask_ok(&["ui", "--out", out_arg]);
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("<title>NoETL</title>"), "{index}");
    let assets: Vec<String> =
        fs::read_dir(out.join("assets")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(
        assets.iter().any(|a| a.starts_with("index-") && a.ends_with(".js")),
        "content-hashed assets expected: {assets:?}"
    );
    assert!(text(&first.stderr).contains("build the UI"), "{}", text(&first.stderr));

    let second = xtask_ok(&["ui", "--out", out_arg]);
    let said = text(&second.stderr);
    assert!(said.contains("up to date") && said.contains("0 step(s)"), "second run should be a no-op: {said}");

    // A copy of the sources with a type error: tsc fails, npm's error is shown, and the
    // previously installed UI is untouched.
    let src = work.join("ui-src");
    broken_ui_sources(&src);
    let broken = xtask(&["ui", "--src", src.to_str().unwrap(), "--out", out_arg]);
    let err = text(&broken.stderr);
    let all = format!("{}{err}", text(&broken.stdout));
    assert_eq!(broken.status.code(), Some(1), "{all}");
    assert!(all.contains("TS2322"), "tsc's error should be shown: {all}");
    assert!(err.contains("npm run build") && err.contains("exit status"), "failing command line and status: {err}");
    assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), index, "old UI must stay intact");
    fs::remove_dir_all(&work).unwrap();
}

#[test]
fn placeholder_layout_and_refusal_to_replace_a_built_ui() {
    let work = temp_dir("ui-placeholder");
    let out = work.join("ui");
    xtask_ok(&["ui", "--placeholder", "--out", out.to_str().unwrap()]);
    assert!(out.join("assets").is_dir());
    assert!(!out.join("index.html").exists());

    fs::write(out.join("index.html"), "<title>built</title>").unwrap();
    let refused = xtask(&["ui", "--placeholder", "--out", out.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("--force"), "{}", text(&refused.stderr));
    xtask_ok(&["ui", "--placeholder", "--force", "--out", out.to_str().unwrap()]);
    assert!(out.join("assets").is_dir() && !out.join("index.html").exists());
    fs::remove_dir_all(&work).unwrap();
}

#[test]
fn missing_sources_and_broken_package_json_are_usage_errors() {
    let work = temp_dir("ui-bad");
    let missing = xtask(&["ui", "--src", work.join("nope").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("--placeholder"), "{}", text(&missing.stderr));

    fs::write(work.join("package.json"), "{ \"name\": ").unwrap();
    let broken = xtask(&["ui", "--src", work.to_str().unwrap()]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(text(&broken.stderr).contains("not valid JSON"), "{}", text(&broken.stderr));
    fs::remove_dir_all(&work).unwrap();
}
