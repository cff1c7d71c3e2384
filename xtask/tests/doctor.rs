//! `cargo xtask doctor` for real: the table, the same data as JSON, `--for` gating, and
//! the same words as the commands' own preflight errors.

mod common;

use std::process::Output;

use common::{path_without, temp_dir, text, xtask};
use serde_json::Value;

fn doctor_json(args: &[&str], path: Option<&std::ffi::OsStr>) -> (Output, Value) {
    let mut cmd = common::xtask_command(["--json", "doctor"]);
    cmd.args(args);
    if let Some(path) = path {
        cmd.env("PATH", path);
    }
    let out = cmd.output().unwrap();
    let report =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&out.stdout)));
    (out, report)
}

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    let checks = report["checks"].as_array().unwrap();
    checks.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no check named {name}: {report:#}"))
}

#[test]
fn the_table_has_a_line_per_check_and_a_fix_on_every_missing_one() {
    let out = xtask(&["doctor"]);
    assert_eq!(out.status.code(), Some(0), "doctor without --for only reports: {}", text(&out.stderr));
    let table = text(&out.stdout);
    let (_, report) = doctor_json(&[], None);
    let checks = report["checks"].as_array().unwrap();
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with(['✔', '✖', '–'])).collect();
    assert_eq!(rows.len(), checks.len(), "the table and --json list the same checks:\n{table}");
    for (row, c) in rows.iter().zip(checks) {
        let name = c["name"].as_str().unwrap();
        let mark = match c["status"].as_str().unwrap() {
            "ok" => '✔',
            "missing" => '✖',
            _ => '–',
        };
        assert!(row.starts_with(mark) && row[mark.len_utf8()..].trim_start().starts_with(name), "{row} vs {c}");
        assert!(row.contains(c["detail"].as_str().unwrap()), "{row} vs {c}");
        if mark == '✖' {
            let fix = c["fix"].as_str().unwrap();
            assert!(!fix.is_empty() && row.ends_with(&format!(" — fix: {fix}")), "a ✖ line ends with its fix: {row}");
        }
    }
    for name in
        ["rustc", "Rust std x86_64-unknown-linux-gnu", "node", "npm", "docker", "docker daemon", "buildx", "bin/noetl"]
    {
        if name.contains("x86_64") && std::env::consts::ARCH != "x86_64" {
            continue;
        }
        check(&report, name);
    }
    assert_eq!(report["version"], 1);
    assert!(table.lines().last().unwrap().ends_with("skipped"), "a summary line ends the table:\n{table}");
}

#[test]
fn for_a_job_exits_2_only_when_that_job_lacks_something() {
    // cargo is running this test, so what local-bin needs is here.
    let (out, report) = doctor_json(&["--for", "local-bin"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(report["for"], "local-bin");

    let tmp = temp_dir("doctor-for");
    let path = path_without(&tmp, &["node", "npm"]);
    let (out, report) = doctor_json(&["--for", "local-bin"], Some(&path));
    assert_eq!(out.status.code(), Some(0), "node is not needed by local-bin: {}", text(&out.stderr));
    assert_eq!(check(&report, "node")["status"], "missing");
    let (out, _) = doctor_json(&["--for", "ui"], Some(&path));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.starts_with("error: doctor --for 'ui': ") && err.trim_end().lines().count() == 1, "{err}");
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn dry_run_still_reports_since_doctor_changes_nothing() {
    let out = xtask(&["--dry-run", "doctor"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).lines().any(|l| l.starts_with("✔ rustc")), "{}", text(&out.stdout));
}

#[test]
fn a_missing_target_std_reads_the_same_in_doctor_and_in_local_bin() {
    let triple = "aarch64-unknown-linux-gnu";
    let (_, report) = doctor_json(&[], None);
    let name = format!("Rust std {triple}");
    let Some(std) = report["checks"].as_array().unwrap().iter().find(|c| c["name"] == name.as_str()) else {
        eprintln!("skipped: {triple} is this machine's host: doctor lists it as the host std");
        return;
    };
    if std["status"] != "missing" {
        eprintln!("skipped: the {triple} std is installed here");
        return;
    }
    let out = xtask(&["local-bin", "--target", triple]);
    assert_eq!(out.status.code(), Some(2));
    let want = format!(
        "error: --target '{triple}': {}. fix: {}\n",
        std["detail"].as_str().unwrap(),
        std["fix"].as_str().unwrap()
    );
    assert_eq!(text(&out.stderr), want);
}

#[test]
fn a_missing_node_reads_the_same_in_doctor_and_in_ui() {
    let tmp = temp_dir("doctor-node");
    let path = path_without(&tmp, &["node", "npm"]);
    let (_, report) = doctor_json(&[], Some(&path));
    let node = check(&report, "node");
    let out = common::xtask_command(["ui", "--out"]).arg(tmp.join("ui")).env("PATH", &path).output().unwrap();
    let want =
        format!("error: tool 'node': {}. fix: {}\n", node["detail"].as_str().unwrap(), node["fix"].as_str().unwrap());
    assert_eq!(text(&out.stderr), want);
    std::fs::remove_dir_all(&tmp).unwrap();
}
