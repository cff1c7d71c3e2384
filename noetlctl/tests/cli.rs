//! The command line: version, bad input and a port that is already taken.

mod common;

use std::net::TcpListener;
use std::process::Output;
use std::time::Duration;

use common::{noetl, wait_with_deadline};

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = noetl(args);
    command.envs(env.iter().copied());
    let output = command.output().expect("run noetl");
    assert!(output.status.code().is_some(), "noetl died from a signal: {output:?}");
    output
}

fn stderr_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr).lines().map(str::to_string).collect()
}

#[test]
fn version_names_version_commit_and_target() {
    for flag in ["--version", "-V"] {
        let output = run(&[flag], &[]);
        assert!(output.status.success());
        let text = String::from_utf8(output.stdout).unwrap();
        let line = text.strip_suffix('\n').expect("one line");
        let inner = line
            .strip_prefix(&format!("noetl {} (", env!("CARGO_PKG_VERSION")))
            .and_then(|rest| rest.strip_suffix(')'))
            .unwrap_or_else(|| panic!("unexpected version line {line:?}"));
        let (commit, target) = inner.split_once(", ").expect("commit, target");
        assert!(!commit.is_empty() && !commit.contains(' '), "{commit:?}");
        assert!(target.starts_with(std::env::consts::ARCH), "{target:?}");
        assert!(target.contains(std::env::consts::OS), "{target:?}");
    }
}

#[test]
fn no_arguments_prints_help_and_exits_2() {
    let output = run(&[], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("server"));
}

fn assert_one_line_usage_error(output: &Output, named: &str) {
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let lines = stderr_lines(output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("error: ") && lines[0].contains(named), "{lines:?}");
    assert!(output.stdout.is_empty(), "{output:?}");
}

#[test]
fn bad_flags_are_one_line_errors_with_exit_2() {
    for (flag, value) in [("--port", "abc"), ("--port", "65536"), ("--host", "example.com"), ("--prot", "1")] {
        let output = run(&["server", "start", flag, value], &[]);
        assert_one_line_usage_error(&output, if flag == "--prot" { flag } else { value });
    }
}

#[test]
fn bad_env_values_are_one_line_errors_with_exit_2() {
    for (name, value) in [("NOETL_PORT", "eighty"), ("NOETL_HOST", "::1::1"), ("NOETL_ENABLE_UI", "perhaps")] {
        let output = run(&["server", "start"], &[(name, value)]);
        assert_one_line_usage_error(&output, &format!("{name} '{value}'"));
    }
}

#[test]
fn port_in_use_is_a_one_line_error_with_exit_2() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let mut child = noetl(&["server", "start", "--host", "127.0.0.1", "--port", &port])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_with_deadline(&mut child, Duration::from_secs(10)).expect("noetl kept running on a taken port");
    let output = child.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(2));
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert!(line.contains(&format!("127.0.0.1:{port}")), "{line}");
    assert!(line.contains("already in use") && line.contains("--port"), "{line}");
    assert!(line.contains("NOETL_PORT"), "{line}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("listening"));
}
