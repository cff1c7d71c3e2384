//! `cargo xtask image` against the real test bed (`bash .ci/testbed.sh up`): Docker 26 with
//! the containerd store, a registry on 127.0.0.1:5000, QEMU for arm64, the local Rust image,
//! and a second daemon on the classic image store. Without the test bed each test prints
//! `skipped: …`; under NOETL_REQUIRE_TESTBED=1 (CI) it fails instead.
//!
//! The tests share the host's engine, so they run one at a time (`HEAVY`), share one build
//! of the dist binaries (`dist_ready`), and use tags unique to this process.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use common::{root, text};

static HEAVY: Mutex<()> = Mutex::new(());
static DIST: OnceLock<Result<(), String>> = OnceLock::new();

/// The SBOM generator image (docker/buildkit-syft-scanner) cannot be pulled on the test bed
/// (no Docker Hub); every push here passes --no-sbom. The explained error for it is pinned
/// by the unit tests of exec/image/explain.rs.
const NO_SBOM: &str = "--no-sbom";

struct Bed {
    env: HashMap<String, String>,
    _guard: MutexGuard<'static, ()>,
}

impl Bed {
    fn registry(&self) -> &str {
        &self.env["NOETL_TEST_REGISTRY"]
    }
    fn rust_image(&self) -> &str {
        &self.env["NOETL_TEST_RUST_IMAGE"]
    }
}

/// The test bed with the static binaries for both platforms built, or `None` (skipped).
fn bed(test: &str, needs: &[&str]) -> Option<Bed> {
    let mut all = vec!["NOETL_TEST_REGISTRY", "NOETL_TEST_RUST_IMAGE"];
    all.extend_from_slice(needs);
    let env = common::testbed(test, &all)?;
    let guard = HEAVY.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    BUILDER_IMAGE.get_or_init(|| env["NOETL_TEST_RUST_IMAGE"].clone());
    let ready = DIST.get_or_init(|| dist_ready(&env["NOETL_TEST_RUST_IMAGE"]));
    if let Err(e) = ready {
        panic!("{test}: could not build the dist binaries: {e}");
    }
    Some(Bed { env, _guard: guard })
}

/// Builds noetl for both platforms once (arm64 through the Rust image: the container
/// strategy), and the UI when it has not been built.
fn dist_ready(rust_image: &str) -> Result<(), String> {
    let out = xtask(&["cli", "--platforms", "linux/amd64,linux/arm64", "--static", "--builder-image", rust_image], &[]);
    if !out.status.success() {
        return Err(format!("cargo xtask cli failed: {}", text(&out.stderr)));
    }
    if !root().join("noetl/core/ui/index.html").is_file() {
        let out = xtask(&["ui"], &[]);
        if !out.status.success() {
            return Err(format!("cargo xtask ui failed: {}", text(&out.stderr)));
        }
    }
    Ok(())
}

/// Every `cargo xtask image` here first runs `cli --static` for its platforms: arm64 is
/// built in the test bed's Rust image, as a user would set it.
static BUILDER_IMAGE: OnceLock<String> = OnceLock::new();

fn xtask(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = common::xtask_command(args);
    if let Some(image) = BUILDER_IMAGE.get() {
        cmd.env("NOETL_BUILDER_IMAGE", image);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run xtask")
}

fn ok(args: &[&str], env: &[(&str, &str)]) -> String {
    let out = xtask(args, env);
    let err = text(&out.stderr);
    assert!(out.status.success(), "cargo xtask {} failed:\n{err}", args.join(" "));
    err
}

/// Runs xtask expecting the exit-2 one-line error; returns that line.
fn usage_error(args: &[&str], env: &[(&str, &str)]) -> String {
    let out = xtask(args, env);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "cargo xtask {}: want exit 2, got {:?}:\n{err}", args.join(" "), out.status);
    let line = err.lines().last().unwrap_or_default().to_string();
    assert!(line.starts_with("error: ") && line.contains("fix: "), "not an explained error: {err}");
    line
}

fn docker(args: &[&str]) -> Output {
    Command::new("docker").args(args).output().expect("run docker")
}

fn docker_ok(args: &[&str]) -> String {
    let out = docker(args);
    assert!(out.status.success(), "docker {} failed: {}", args.join(" "), text(&out.stderr));
    text(&out.stdout)
}

fn tag(name: &str) -> String {
    format!("e2e-{name}-{}", std::process::id())
}

fn short_sha() -> String {
    let out = Command::new("git").args(["rev-parse", "--short=7", "HEAD"]).current_dir(root()).output().unwrap();
    text(&out.stdout).trim().to_string()
}

/// A free loopback port (bound, then released for the container to take).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// GET http://127.0.0.1:PORT/PATH, retried until it answers or `wait` passes (QEMU is slow).
fn get_json(port: u16, path: &str, wait: Duration) -> serde_json::Value {
    let deadline = Instant::now() + wait;
    loop {
        let attempt = (|| -> std::io::Result<String> {
            let mut s = TcpStream::connect(("127.0.0.1", port))?;
            s.set_read_timeout(Some(Duration::from_secs(5)))?;
            write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
            let mut response = String::new();
            s.read_to_string(&mut response)?;
            Ok(response)
        })();
        if let Ok(response) = attempt {
            if let (Some(start), Some(end)) = (response.find('{'), response.rfind('}')) {
                return serde_json::from_str(&response[start..=end]).expect("health is JSON");
            }
        }
        assert!(Instant::now() < deadline, "nothing answered GET {path} on 127.0.0.1:{port} within {wait:?}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Waits until Docker's HEALTHCHECK (`noetl health` in the container) reports `healthy`.
fn wait_healthy(container: &str, wait: Duration) {
    let deadline = Instant::now() + wait;
    loop {
        let status = docker_ok(&["inspect", "--format", "{{.State.Health.Status}}", container]);
        if status.trim() == "healthy" {
            return;
        }
        assert!(Instant::now() < deadline, "{container} is '{}' after {wait:?}, not healthy", status.trim());
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Removes the container when the test ends, pass or fail.
struct Container(String);

impl Drop for Container {
    fn drop(&mut self) {
        let _ = docker(&["rm", "-f", &self.0]);
    }
}

fn image_config(reference: &str) -> serde_json::Value {
    serde_json::from_str(&docker_ok(&["image", "inspect", "--format", "{{json .Config}}", reference])).unwrap()
}

#[test]
fn push_both_images_verify_them_and_serve_on_both_architectures() {
    let Some(bed) = bed("push_both_images", &[]) else {
        return;
    };
    let t = tag("push");
    let registry = bed.registry().to_string();
    let err = ok(&["image", "--push", "--registry", &registry, "--tag", &t, NO_SBOM], &[]);
    // One command made its inputs first: the UI, and a static noetl per platform.
    assert!(err.contains("is up to date") || err.contains("build the UI"), "ui step missing:\n{err}");
    assert!(err.contains("build noetl for linux/arm64 (aarch64-unknown-linux-gnu) with a builder container"), "{err}");
    for name in ["noetl-local-dev", "noetlctl"] {
        let reference = format!("{registry}/{name}:{t}");
        assert!(
            err.contains(&format!("{reference} lists linux/amd64, linux/arm64")),
            "index of {name} not verified:\n{err}"
        );
        assert!(err.contains("linux/arm64: noetl 0.1.0 (") && err.contains("aarch64-unknown-linux-gnu)"), "{err}");
        // The standalone verify agrees.
        let verified = ok(&["image", "verify", &reference], &[]);
        assert!(
            verified.contains("x86_64-unknown-linux-gnu") && verified.contains("aarch64-unknown-linux-gnu"),
            "{verified}"
        );
    }

    let dev = format!("{registry}/noetl-local-dev:{t}");
    let config = image_config(&dev);
    assert_eq!(config["User"], "65532:65532");
    assert_eq!(config["Entrypoint"], serde_json::json!(["/usr/local/bin/noetl"]));
    assert_eq!(config["Cmd"], serde_json::json!(["server", "start"]));
    assert!(config["ExposedPorts"]["8082/tcp"].is_object(), "{config}");
    assert_eq!(config["Healthcheck"]["Test"], serde_json::json!(["CMD", "/usr/local/bin/noetl", "health"]));
    assert!(config["Env"].to_string().contains("NOETL_UI_DIR=/usr/share/noetl/ui"), "{config}");
    let revision = text(&Command::new("git").args(["rev-parse", "HEAD"]).current_dir(root()).output().unwrap().stdout);
    assert_eq!(config["Labels"]["org.opencontainers.image.revision"], revision.trim());
    let cli = image_config(&format!("{registry}/noetlctl:{t}"));
    assert_eq!(cli["User"], "65532:65532");

    // The server in each architecture's image, started by the image's default command on a
    // loopback port of its own (set through the environment, which its HEALTHCHECK reads too).
    for (platform, arch) in [("linux/amd64", "x86_64"), ("linux/arm64", "aarch64")] {
        let port = free_port();
        let name = format!("noetl-e2e-{}-{arch}", std::process::id());
        let _ = docker(&["rm", "-f", &name]);
        let (host_env, port_env) = ("NOETL_HOST=127.0.0.1".to_string(), format!("NOETL_PORT={port}"));
        let id = docker_ok(&[
            "run",
            "-d",
            "--name",
            &name,
            "--network",
            "host",
            "--platform",
            platform,
            "-e",
            &host_env,
            "-e",
            &port_env,
            &dev,
        ]);
        let _container = Container(id.trim().to_string());
        let health = get_json(port, "/api/health", Duration::from_secs(90));
        assert_eq!(health["arch"], arch, "{platform}: {health}");
        assert_eq!(health["ui"]["enabled"], true, "{platform}: {health}");
        assert_eq!(health["status"], "ok");
        wait_healthy(&name, Duration::from_secs(60));
    }
}

#[test]
fn load_of_the_host_platform_then_run_it() {
    let Some(_bed) = bed("load_host", &[]) else {
        return;
    };
    let t = tag("load");
    let err = ok(&["image", "--image", "cli", "--load", "--tag", &t, "--cache", "none"], &[]);
    assert!(err.contains("x86_64-unknown-linux-gnu") || err.contains("aarch64-unknown-linux-gnu"), "{err}");
    let run = docker_ok(&["run", "--rm", &format!("noetlctl:{t}"), "--version"]);
    let host_arch = std::env::consts::ARCH;
    assert!(run.starts_with("noetl 0.1.0 (") && run.contains(&format!("{host_arch}-unknown-linux-gnu")), "{run}");
    let _ = docker(&["image", "rm", &format!("noetlctl:{t}")]);
}

#[test]
fn a_second_build_reports_cached_steps_and_rotates_the_local_cache() {
    let Some(_bed) = bed("cached_rebuild", &[]) else {
        return;
    };
    let t = tag("cache");
    let args = ["image", "--image", "cli", "--load", "--cache", "local", "--tag", &t];
    ok(&args, &[]);
    let again = ok(&args, &[]);
    let line =
        again.lines().find(|l| l.contains("build steps cached")).unwrap_or_else(|| panic!("no cache report:\n{again}"));
    // "[3/5] done in 0.4s: 2 of 2 build steps cached"
    let words: Vec<&str> = line.rsplit(": ").next().unwrap().split(' ').collect();
    let (cached, total): (usize, usize) = (words[0].parse().unwrap(), words[2].parse().unwrap());
    assert!(total > 0 && cached == total, "the rebuild of unchanged inputs should be all cached: {line}");
    let arch = if std::env::consts::ARCH == "aarch64" { "arm64" } else { "amd64" };
    let dir = root().join(format!("target/image-cache/noetlctl-linux-{arch}"));
    assert!(dir.join("index.json").is_file(), "local cache not rotated into {}", dir.display());
    assert!(!PathBuf::from(format!("{}.new", dir.display())).exists());
    let _ = docker(&["image", "rm", &format!("noetlctl:{t}")]);
}

#[test]
fn the_in_docker_route_cross_compiles_with_the_local_rust_image() {
    let Some(bed) = bed("in_docker", &[]) else {
        return;
    };
    let t = tag("indocker");
    let registry = bed.registry().to_string();
    let err = ok(
        &[
            "image",
            "--image",
            "cli",
            "--in-docker",
            "--rust-image",
            bed.rust_image(),
            "--push",
            "--registry",
            &registry,
            "--tag",
            &t,
            NO_SBOM,
        ],
        &[],
    );
    let reference = format!("{registry}/noetlctl:{t}");
    assert!(err.contains(&format!("{reference} lists linux/amd64, linux/arm64")), "{err}");
    // Compiled in the build from this checkout: the binaries carry HEAD's commit.
    let sha = short_sha();
    assert!(err.contains(&format!("linux/arm64: noetl 0.1.0 ({sha}, aarch64-unknown-linux-gnu)")), "{err}");
    assert!(err.contains(&format!("linux/amd64: noetl 0.1.0 ({sha}, x86_64-unknown-linux-gnu)")), "{err}");
    assert!(!err.contains("dist/linux"), "the in-docker route must not read target/dist:\n{err}");
}

/// The digest buildx recorded for the last build of `name` (`--metadata-file`).
fn pushed_digest(name: &str) -> String {
    let path = root().join(format!("target/image/{name}.json"));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    v["containerimage.digest"].as_str().unwrap_or_else(|| panic!("no digest in {}: {v}", path.display())).to_string()
}

#[test]
fn merge_joins_images_pushed_per_platform_by_digest() {
    let Some(bed) = bed("merge", &[]) else { return };
    let registry = bed.registry().to_string();
    let mut sources = Vec::new();
    for platform in ["linux/amd64", "linux/arm64"] {
        let t = tag(&format!("merge-{}", platform.replace('/', "-")));
        ok(
            &[
                "image",
                "--image",
                "cli",
                "--platforms",
                platform,
                "--push",
                "--registry",
                &registry,
                "--tag",
                &t,
                NO_SBOM,
            ],
            &[],
        );
        sources.push(format!("{registry}/noetlctl@{}", pushed_digest("noetlctl")));
    }
    let target = format!("{registry}/noetlctl:{}", tag("merged"));
    let err = ok(&["image", "merge", &target, &sources[0], &sources[1]], &[]);
    assert!(err.contains(&format!("{target} lists linux/amd64, linux/arm64")), "{err}");
    assert!(err.contains("linux/arm64: noetl 0.1.0 (") && err.contains("linux/amd64: noetl 0.1.0 ("), "{err}");
}

/// The index (or manifest) `reference` names: its digest and its platforms, attestations left out.
fn published(reference: &str) -> (String, Vec<String>) {
    let v: serde_json::Value = serde_json::from_str(&docker_ok(&[
        "buildx",
        "imagetools",
        "inspect",
        "--format",
        "{{json .Manifest}}",
        reference,
    ]))
    .unwrap();
    let platforms = v["manifests"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|m| {
                    format!(
                        "{}/{}",
                        m["platform"]["os"].as_str().unwrap(),
                        m["platform"]["architecture"].as_str().unwrap()
                    )
                })
                .filter(|p| p != "unknown/unknown")
                .collect()
        })
        .unwrap_or_default();
    (v["digest"].as_str().unwrap_or_else(|| panic!("{reference}: no digest in {v}")).to_string(), platforms)
}

/// images.yml end to end: each platform pushed on its own, the metadata of each push in a
/// directory of its own (as actions/download-artifact lays out the artifacts), one index
/// per image published with the tags from git, then `verify` with no REF finds it by commit.
#[test]
fn per_platform_pushes_merge_from_metadata_into_one_tagged_index_that_verify_finds() {
    let Some(bed) = bed("merge_from_metadata", &[]) else { return };
    // A registry path of this run's own: the tags from git (commit, branch, latest) are
    // shared names, which other runs against this registry must not see change.
    let registry = format!("{}/e2e-{}/", bed.registry(), std::process::id());
    let digests = common::temp_dir("image-digests");
    // buildx refuses to push by digest with the docker driver, and this test bed has no
    // other (a docker-container builder needs the moby/buildkit image, which cannot be
    // pulled here): NOETL_TEST_DIGEST_BUILDER names one where a test bed has it. Without
    // it, the refusal is checked, and each platform is pushed with a tag instead, for
    // which buildx records the digest in the same metadata file.
    let digest_builder = bed.env.get("NOETL_TEST_DIGEST_BUILDER").cloned();
    if digest_builder.is_none() {
        let line = usage_error(
            &[
                "image",
                "--image",
                "cli",
                "--push",
                "--by-digest",
                "--builder",
                "default",
                "--registry",
                &registry,
                NO_SBOM,
            ],
            &[],
        );
        assert!(line.contains("--builder 'default': uses the docker driver, which cannot push by digest"), "{line}");
        eprintln!("note: no NOETL_TEST_DIGEST_BUILDER: the per-platform images are pushed with tags, not by digest");
    }
    for platform in ["linux/amd64", "linux/arm64"] {
        let slug = platform.replace('/', "-");
        let mut args =
            vec!["image", "--image", "cli", "--platforms", platform, "--push", "--registry", &registry, NO_SBOM];
        let t = tag(&slug);
        match &digest_builder {
            Some(builder) => args.extend(["--by-digest", "--builder", builder.as_str()]),
            None => args.extend(["--tag", t.as_str()]),
        }
        let err = ok(&args, &[]);
        let arch = if platform == "linux/arm64" { "aarch64" } else { "x86_64" };
        assert!(
            err.contains(&format!("{platform}: noetl 0.1.0 (")) && err.contains(&format!("{arch}-unknown-linux-gnu)")),
            "{err}"
        );
        let artifact = digests.join(format!("digests-{slug}"));
        std::fs::create_dir_all(&artifact).unwrap();
        std::fs::copy(root().join("target/image/noetlctl.json"), artifact.join("noetlctl.json")).unwrap();
    }

    // As in a branch push on GitHub Actions, where that branch is the default one.
    let branch = format!("e2e/release-{}", std::process::id());
    let event = digests.join("event.json");
    std::fs::write(&event, serde_json::json!({"repository": {"default_branch": branch}}).to_string()).unwrap();
    let github = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_REF_TYPE", "branch"),
        ("GITHUB_REF_NAME", branch.as_str()),
        ("GITHUB_REF", &format!("refs/heads/{branch}")),
        ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
    ];
    let dir = digests.to_str().unwrap();
    let err = ok(
        &["image", "merge", "--from-metadata", dir, "--image", "cli", "--registry", &registry, "--no-smoke"],
        &github,
    );

    let dirty = !text(
        &Command::new("git")
            .args(["status", "--porcelain", "--untracked-files=no"])
            .current_dir(root())
            .output()
            .unwrap()
            .stdout,
    )
    .trim()
    .is_empty();
    let commit = if dirty { format!("{}-dirty", short_sha()) } else { short_sha() };
    let repo = format!("{registry}noetlctl");
    let tags = [commit.clone(), format!("e2e-release-{}", std::process::id()), "latest".to_string()];
    assert!(err.contains(&format!("{repo}:{commit} lists linux/amd64, linux/arm64")), "{err}");
    let (index, mut platforms) = published(&format!("{repo}:{commit}"));
    platforms.sort();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64"], "{repo}:{commit}");
    for t in &tags {
        assert_eq!(published(&format!("{repo}:{t}")).0, index, "{repo}:{t} is not the merged index");
    }

    // What the verify job runs: the image of this commit, found by name, each platform run.
    let verified = ok(&["image", "verify", "--image", "cli", "--registry", &registry], &[]);
    assert!(verified.contains(&format!("{repo}:{commit} lists linux/amd64, linux/arm64")), "{verified}");
    assert!(
        verified.contains("linux/amd64: noetl 0.1.0 (") && verified.contains("linux/arm64: noetl 0.1.0 ("),
        "{verified}"
    );
    let _ = std::fs::remove_dir_all(digests);
}

#[test]
fn verify_catches_an_image_whose_binary_is_for_another_cpu() {
    let Some(bed) = bed("mislabelled", &[]) else {
        return;
    };
    // A deliberately broken image: the arm64 binary in both platforms' images.
    let dir = common::temp_dir("mislabelled-image");
    std::fs::copy(root().join("target/dist/linux/arm64/noetl"), dir.join("noetl")).unwrap();
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM scratch\nCOPY noetl /usr/local/bin/noetl\nENTRYPOINT [\"/usr/local/bin/noetl\"]\n",
    )
    .unwrap();
    let reference = format!("{}/noetlctl:{}", bed.registry(), tag("mislabelled"));
    let context = dir.to_str().unwrap();
    docker_ok(&["buildx", "build", "--platform", "linux/amd64,linux/arm64", "--push", "--tag", &reference, context]);
    let out = xtask(&["image", "verify", &reference], &[]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the linux/amd64 image") && err.contains("runs a aarch64 binary") && err.contains("mislabelled"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn classic_store_daemon_gets_explained_errors_not_buildx_ones() {
    let Some(bed) = bed("classic_store", &["NOETL_TEST_CLASSIC_DOCKER_HOST"]) else {
        return;
    };
    let classic = bed.env["NOETL_TEST_CLASSIC_DOCKER_HOST"].clone();
    // Its own buildx state: creating noetl-builder (`--use`) must not change the builder
    // every other docker user on this machine gets.
    let config = common::temp_dir("classic-docker-config");
    let config = config.to_str().unwrap();
    let env = [("DOCKER_HOST", classic.as_str()), ("DOCKER_CONFIG", config)];
    let registry = bed.registry().to_string();

    let line = usage_error(&["image", "--image", "cli", "--load", "--platforms", "linux/amd64,linux/arm64"], &env);
    assert!(line.contains("classic image store") && line.contains("--push"), "{line}");
    assert!(!line.contains("docker exporter does not currently support"), "{line}");

    let line = usage_error(
        &["image", "--image", "cli", "--push", "--registry", &registry, "--builder", "default", NO_SBOM],
        &env,
    );
    assert!(line.starts_with("error: --builder 'default': uses the docker driver"), "{line}");

    // Without --builder it creates noetl-builder (docker-container driver), whose BuildKit
    // image cannot be pulled on the test bed (no Docker Hub): the error says that. The
    // binaries are already built (the arm64 one needs the Rust image, which this daemon lacks).
    let line = usage_error(
        &[
            "image",
            "--image",
            "cli",
            "--push",
            "--no-inputs",
            "--registry",
            &registry,
            "--tag",
            &tag("classic"),
            NO_SBOM,
        ],
        &env,
    );
    assert!(line.contains("moby/buildkit image cannot be pulled"), "{line}");
    let _ = Command::new("docker").args(["buildx", "rm", "noetl-builder"]).envs(env).output();

    // One platform builds on the classic store, with the cache flags dropped and said so.
    let t = tag("classic-load");
    let err = ok(&["image", "--image", "cli", "--load", "--cache", "local", "--tag", &t], &env);
    assert!(err.contains("cannot export build cache"), "{err}");
    let run =
        Command::new("docker").args(["run", "--rm", &format!("noetlctl:{t}"), "--version"]).envs(env).output().unwrap();
    assert!(text(&run.stdout).starts_with("noetl 0.1.0 ("), "{}", text(&run.stderr));
    let _ = Command::new("docker").args(["image", "rm", &format!("noetlctl:{t}")]).envs(env).output();

    // A push of one platform goes without attestations, so the registry holds one image
    // manifest, not an index: verify reads its platform from the image config.
    let t = tag("classic-push");
    let err = ok(
        &["image", "--image", "cli", "--push", "--registry", &registry, "--platforms", "linux/amd64", "--tag", &t],
        &env,
    );
    assert!(err.contains("cannot attach attestations"), "{err}");
    assert!(err.contains(&format!("{registry}/noetlctl:{t} lists linux/amd64")), "{err}");
    let _ = std::fs::remove_dir_all(config);
}
