//! The JSON API: health and unknown API paths.

mod common;

use common::{built_ui, noetl, request, Server, TempDir};

/// `(version, commit, target)` as `noetl --version` prints them.
fn version_parts() -> (String, String, String) {
    let output = noetl(&["--version"]).output().unwrap();
    let line = String::from_utf8(output.stdout).unwrap();
    let rest = line.trim_end().strip_prefix("noetl ").unwrap();
    let (version, rest) = rest.split_once(" (").unwrap();
    let (commit, target) = rest.strip_suffix(')').unwrap().split_once(", ").unwrap();
    (version.into(), commit.into(), target.into())
}

#[test]
fn health_reports_the_same_build_as_version() {
    let tmp = TempDir::new("health");
    let ui = built_ui(tmp.path());
    let server = Server::start(&ui, &[]);
    let (version, commit, target) = version_parts();
    for path in ["/health", "/api/health"] {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        let health = reply.json();
        assert_eq!(health["status"], "ok");
        assert_eq!(health["version"], version.as_str());
        assert_eq!(health["commit"], commit.as_str());
        assert_eq!(health["target"], target.as_str());
        assert_eq!(health["arch"], target.split('-').next().unwrap());
        assert_eq!(health["os"], std::env::consts::OS);
        assert!(health["uptime_seconds"].as_u64().is_some(), "{health}");
        assert_eq!(health["ui"]["enabled"], true);
        let dir = ui.canonicalize().unwrap();
        assert_eq!(health["ui"]["dir"], dir.to_str().unwrap());
        assert_eq!(health.as_object().unwrap().len(), 8, "unexpected fields: {health}");
    }
}

#[test]
fn head_on_health_has_headers_and_no_body() {
    let tmp = TempDir::new("health-head");
    let server = Server::start(&built_ui(tmp.path()), &[]);
    let get = server.get("/api/health");
    let head = request(server.addr, "HEAD", "/api/health");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-type"), Some("application/json"));
    assert_eq!(head.header("content-length"), get.header("content-length"));
}

#[test]
fn health_only_answers_reads() {
    let tmp = TempDir::new("health-post");
    let server = Server::start(&built_ui(tmp.path()), &[]);
    let reply = request(server.addr, "POST", "/api/health");
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("GET, HEAD"));
}

#[test]
fn unknown_api_paths_are_json_404s_not_the_spa() {
    let tmp = TempDir::new("api-404");
    let server = Server::start(&built_ui(tmp.path()), &[]);
    for (method, path) in [("GET", "/api/unknown"), ("GET", "/api"), ("POST", "/api/x/y"), ("GET", "/%61pi/x")] {
        let reply = request(server.addr, method, path);
        assert_eq!(reply.status, 404, "{method} {path}");
        assert_eq!(reply.header("content-type"), Some("application/json"), "{path}");
        assert_eq!(reply.json()["error"], "not found", "{path}");
    }
}

#[test]
fn health_subcommand_probes_a_running_server() {
    let tmp = TempDir::new("health-cmd");
    let server = Server::start(&built_ui(tmp.path()), &[]);
    let port = server.addr.port().to_string();

    let by_flag = noetl(&["health", "--host", "127.0.0.1", "--port", &port]).output().unwrap();
    assert!(by_flag.status.success(), "{by_flag:?}");
    let health: serde_json::Value = serde_json::from_slice(&by_flag.stdout).unwrap();
    assert_eq!(health["status"], "ok");

    // As in the image's HEALTHCHECK: address from the environment, 0.0.0.0 meaning loopback.
    let by_env = noetl(&["health"]).env("NOETL_HOST", "0.0.0.0").env("NOETL_PORT", &port).output().unwrap();
    assert!(by_env.status.success(), "{by_env:?}");
}

#[test]
fn health_subcommand_fails_in_one_line_when_nothing_listens() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port().to_string();
    drop(closed);
    let output = noetl(&["health", "--host", "127.0.0.1", "--port", &port]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")) && stderr.contains("not healthy"), "{stderr}");
}
