//! `cargo xtask kind-load` where kind is not installed: the plan still prints (built from
//! the real ui, cli and image plans against the real Docker daemon), and a real run stops
//! before building anything, with the install hint.

mod common;

use common::text;
use std::process::{Command, Output};

/// PATH without any directory that holds a `kind` program.
fn path_without_kind() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<_> = std::env::split_paths(&path).filter(|d| !d.join("kind").exists()).collect();
    std::env::join_paths(dirs).unwrap().into_string().unwrap()
}

fn kind_load(args: &[&str]) -> Output {
    common::xtask_command(args).env("PATH", path_without_kind()).output().expect("run xtask")
}

/// The plan reads the daemon (its platform is the nodes' default) and plans an image build.
fn have_docker_daemon(test: &str) -> bool {
    if !common::have("docker", test) || !common::have("node", test) {
        return false;
    }
    let info = Command::new("docker").args(["info", "--format", "{{.OSType}}"]).output();
    if info.is_ok_and(|o| o.status.success()) {
        return true;
    }
    let why = format!("{test}: no Docker daemon answers `docker info`");
    assert!(
        std::env::var("NOETL_REQUIRE_TESTBED").as_deref() != Ok("1"),
        "{why}; NOETL_REQUIRE_TESTBED=1 forbids skipping"
    );
    eprintln!("skipped: {why}");
    false
}

#[test]
fn plan_builds_the_dev_image_and_loads_it_when_kind_is_absent() {
    if !have_docker_daemon("kind-load plan") {
        return;
    }
    let out = kind_load(&["--json", "kind-load", "--cluster", "dev"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["command"], "kind-load");
    let notes = plan["notes"].to_string();
    assert!(notes.contains("kind is not on PATH") && notes.contains("kubectl set image"), "{notes}");

    let steps = plan["steps"].as_array().unwrap();
    let last = steps.last().unwrap();
    assert_eq!(last["program"], "kind");
    let args: Vec<&str> = last["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    let [load, docker_image, reference, name, cluster] = args[..] else { panic!("{args:?}") };
    assert_eq!((load, docker_image, name, cluster), ("load", "docker-image", "--name", "dev"));
    assert!(reference.contains("noetl-local-dev:"), "{reference}");

    // The image loaded is the one the image step builds and tags, with --load, for one platform.
    let build = steps
        .iter()
        .find(|s| {
            s["args"].as_array().is_some_and(|a| a.iter().any(|x| x == "--tag") && a.iter().any(|x| x == reference))
        })
        .unwrap_or_else(|| panic!("no step builds {reference}: {steps:#?}"));
    let build_args = build["args"].to_string();
    assert!(build_args.contains("\"--load\"") && build_args.contains("docker/noetl/dev/Dockerfile"), "{build_args}");
    let platform = build["args"].as_array().unwrap().iter().skip_while(|a| *a != "--platform").nth(1).unwrap();
    let platform = platform.as_str().unwrap();
    assert!(!platform.contains(','), "one platform: {platform}");
    // …from a static noetl built for that platform by the cli plan.
    let cli_build = format!("build noetl for {platform} ");
    assert!(
        steps.iter().any(|s| s["what"].as_str().is_some_and(|w| w.starts_with(&cli_build))
            && s["env"].to_string().contains("+crt-static")),
        "no static `{cli_build}` step: {steps:#?}"
    );
}

#[test]
fn a_real_run_without_kind_stops_with_the_install_hint() {
    if !have_docker_daemon("kind-load run") {
        return;
    }
    let out = kind_load(&["kind-load"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.starts_with("error: tool 'kind': not found on PATH") && err.contains("fix: install kind"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(!err.contains("[1/"), "nothing may run before the preflight: {err}");
}

#[test]
fn an_image_platform_that_is_not_built_is_a_usage_error() {
    if !have_docker_daemon("kind-load platform") {
        return;
    }
    let out = kind_load(&["--dry-run", "kind-load", "--platform", "darwin/arm64"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("'darwin/arm64'") && err.contains("Linux only"), "{err}");
}
