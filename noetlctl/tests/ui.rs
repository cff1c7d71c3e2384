//! Serving the built web UI: content types, cache headers, SPA fallback, and refusing
//! every way out of the UI directory.

mod common;

use common::{built_ui, noetl, request, write, Server, TempDir, INDEX_HTML};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

#[test]
fn files_have_their_content_type_and_cache_policy() {
    let tmp = TempDir::new("ui-types");
    let ui = built_ui(tmp.path());
    write(&ui.join("assets/chunk-77.mjs"), b"export {}\n");
    write(&ui.join("assets/index-3f2a1bc9.js.map"), b"{}\n");
    write(&ui.join("assets/font-1.woff2"), b"wOF2");
    write(&ui.join("assets/img-2.png"), b"\x89PNG");
    write(&ui.join("assets/img-3.webp"), b"RIFF");
    write(&ui.join("assets/mod-4.wasm"), b"\0asm");
    write(&ui.join("manifest.json"), b"{}\n");
    let server = Server::start(&ui, &[]);
    assert_eq!(server.banner, [format!("noetl ui: serving {}", ui.canonicalize().unwrap().display())]);

    let cases = [
        ("/", "text/html; charset=utf-8", "no-cache"),
        ("/index.html", "text/html; charset=utf-8", "no-cache"),
        ("/assets/index-3f2a1bc9.js", "text/javascript; charset=utf-8", IMMUTABLE),
        ("/assets/chunk-77.mjs", "text/javascript; charset=utf-8", IMMUTABLE),
        ("/assets/index-9c1d77e0.css", "text/css; charset=utf-8", IMMUTABLE),
        ("/assets/index-3f2a1bc9.js.map", "application/json", IMMUTABLE),
        ("/assets/logo-aa11.svg", "image/svg+xml", IMMUTABLE),
        ("/assets/font-1.woff2", "font/woff2", IMMUTABLE),
        ("/assets/img-2.png", "image/png", IMMUTABLE),
        ("/assets/img-3.webp", "image/webp", IMMUTABLE),
        ("/assets/mod-4.wasm", "application/wasm", IMMUTABLE),
        ("/favicon.ico", "image/x-icon", "no-cache"),
        ("/robots.txt", "text/plain; charset=utf-8", "no-cache"),
        ("/manifest.json", "application/json", "no-cache"),
    ];
    for (path, content_type, cache) in cases {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(content_type), "{path}");
        assert_eq!(reply.header("cache-control"), Some(cache), "{path}");
        let file = if path == "/" { "index.html" } else { &path[1..] };
        assert_eq!(reply.body, std::fs::read(ui.join(file)).unwrap(), "{path}");
    }
}

#[test]
fn head_gives_the_headers_of_get_without_a_body() {
    let tmp = TempDir::new("ui-head");
    let server = Server::start(&built_ui(tmp.path()), &[]);
    let reply = request(server.addr, "HEAD", "/assets/index-3f2a1bc9.js");
    assert_eq!(reply.status, 200);
    assert!(reply.body.is_empty());
    assert_eq!(reply.header("cache-control"), Some(IMMUTABLE));
    assert_eq!(reply.header("content-length"), Some("22"));
}

#[test]
fn unknown_routes_fall_back_to_index_html() {
    let tmp = TempDir::new("ui-spa");
    let server = Server::start(&built_ui(tmp.path()), &[]);
    for path in ["/flows", "/flows/42/edit", "/catalog/?tab=runs", "/missing.png", "/api-docs"] {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.text(), INDEX_HTML, "{path}");
        assert_eq!(reply.header("content-type"), Some("text/html; charset=utf-8"), "{path}");
        assert_eq!(reply.header("cache-control"), Some("no-cache"), "{path}");
    }
}

#[test]
fn a_missing_hashed_asset_is_404_not_index_html() {
    let tmp = TempDir::new("ui-stale-asset");
    let server = Server::start(&built_ui(tmp.path()), &[]);
    let reply = server.get("/assets/index-00000000.js");
    assert_eq!(reply.status, 404);
    assert!(!reply.text().contains("<title>"));
}

#[test]
fn only_get_and_head_reach_files() {
    let tmp = TempDir::new("ui-methods");
    let server = Server::start(&built_ui(tmp.path()), &[]);
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let reply = request(server.addr, method, "/index.html");
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.header("allow"), Some("GET, HEAD"));
    }
}

#[test]
fn no_request_path_reaches_a_file_outside_the_ui_dir() {
    let tmp = TempDir::new("ui-escape");
    let ui = built_ui(tmp.path());
    const SECRET: &str = "noetl-secret-8d41f0";
    let secret = tmp.path().join("secret.txt");
    write(&secret, SECRET.as_bytes());
    std::os::unix::fs::symlink(&secret, ui.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(tmp.path(), ui.join("assets/up")).unwrap();
    let server = Server::start(&ui, &[]);

    let absolute = secret.to_str().unwrap();
    let attempts = [
        "/../secret.txt".to_string(),
        "/assets/../../secret.txt".into(),
        "/assets/..".into(),
        "/%2e%2e/secret.txt".into(),
        "/%2E%2E/secret.txt".into(),
        "/.%2e/secret.txt".into(),
        "/%2e%2e%2fsecret.txt".into(),
        "/assets%2F..%2F..%2Fsecret.txt".into(),
        "/..%5csecret.txt".into(),
        "/..\\secret.txt".into(),
        "/%00".into(),
        "/index.html%00.js".into(),
        format!("/{absolute}"),
        format!("/%2F{}", &absolute[1..]),
        format!("http://{}/../secret.txt", server.addr),
        "/leak.txt".into(),
        "/assets/up/secret.txt".into(),
    ];
    for target in &attempts {
        let reply = server.get(target);
        assert!(
            reply.status == 400 || reply.status == 404,
            "{target}: status {} body {:?}",
            reply.status,
            reply.text()
        );
        assert!(!reply.text().contains(SECRET), "{target} leaked the file");
    }
    // The server is still fine after all that.
    assert_eq!(server.get("/").text(), INDEX_HTML);
}

#[test]
fn symlinks_that_stay_inside_are_served() {
    let tmp = TempDir::new("ui-inner-link");
    let ui = built_ui(tmp.path());
    std::os::unix::fs::symlink(ui.join("robots.txt"), ui.join("robots-copy.txt")).unwrap();
    let server = Server::start(&ui, &[]);
    let reply = server.get("/robots-copy.txt");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "User-agent: *\n");
}

#[test]
fn env_dir_is_used_and_a_flag_overrides_it() {
    let tmp = TempDir::new("ui-env-dir");
    let built = built_ui(tmp.path());
    let mut command = noetl(&["server", "start", "--host", "127.0.0.1", "--port", "0"]);
    command.env("NOETL_UI_DIR", &built);
    let output_dir = built.canonicalize().unwrap();
    let server = Server::spawn_command(command);
    assert_eq!(server.banner, [format!("noetl ui: serving {}", output_dir.display())]);
    drop(server);

    let elsewhere = tmp.path().join("elsewhere");
    let mut command = noetl(&["server", "start", "--host", "127.0.0.1", "--port", "0"]);
    command.env("NOETL_UI_DIR", &built).arg("--ui-dir").arg(&elsewhere);
    let server = Server::spawn_command(command);
    assert!(server.banner[0].contains("does not exist"), "{:?}", server.banner);
}
