//! Plan tests without an engine: the facts a real machine would give (as parsed from real
//! buildx output), and the exact argv each case must produce.

use camino::Utf8PathBuf;

use super::build::plan as build_plan;
use super::index::{merge_plan, verify_plan};
use super::meta::Meta;
use super::Machine;
use crate::ci_tags::{At, GitRef};
use crate::error::exit_code;
use crate::flags::{CacheMode, ImageBuild, ImageMerge, ImageVerify, MergeFrom, Which};
use crate::plan::{Action, Cmd, ImageAction, Plan};
use crate::platform::Arch;
use crate::preflight::docker::{Builder, Daemon, DockerFacts, Version};

const DOCKER: &str = "/usr/bin/docker";
const LABELS: [&str; 10] = [
    "--label",
    "org.opencontainers.image.title=noetl-local-dev",
    "--label",
    "org.opencontainers.image.source=https://github.com/noetl/noetl",
    "--label",
    "org.opencontainers.image.revision=3f2a1bc0000000000000000000000000000000aa",
    "--label",
    "org.opencontainers.image.version=0.1.0",
    "--label",
    "org.opencontainers.image.created=2026-12-04T16:00:00Z",
];

fn builder(name: &str, driver: &str) -> Builder {
    Builder {
        name: name.into(),
        driver: driver.into(),
        status: "running".into(),
        platforms: vec!["linux/amd64".into(), "linux/arm64".into()],
    }
}

/// This test bed: Docker 26 on linux/amd64 with the containerd store, buildx 0.13.1, the
/// default docker-driver builder, QEMU for arm64.
fn machine() -> Machine {
    Machine {
        facts: DockerFacts {
            docker: Some(DOCKER.into()),
            client_version: Some(Version(26, 1, 5)),
            daemon: Ok(Daemon { version: "26.1.5".into(), platform: "linux/amd64".into(), containerd_store: true }),
            buildx: Ok(Version(0, 13, 1)),
            builder: Ok(builder("default", "docker")),
            binfmt: vec![Arch::Arm64],
        },
        noetl_builder: None,
        rust_image_present: true,
        short_sha: "3f2a1bc".into(),
        dirty: false,
        meta: Meta {
            version: "0.1.0".into(),
            source: "https://github.com/noetl/noetl".into(),
            revision: "3f2a1bc0000000000000000000000000000000aa".into(),
            created: "2026-12-04T16:00:00Z".into(),
        },
        github_actions: false,
    }
}

fn classic(m: &mut Machine) {
    if let Ok(d) = m.facts.daemon.as_mut() {
        d.containerd_store = false;
    }
}

fn flags() -> ImageBuild {
    ImageBuild {
        no_inputs: true,
        which: Which::Dev,
        platforms: None,
        push: false,
        load: false,
        registry: None,
        tags: vec![],
        builder: None,
        cache: CacheMode::Auto,
        no_cache: false,
        in_docker: false,
        rust_image: "noetl-rust:1.85-trixie".into(),
        no_smoke: false,
        no_sbom: false,
        by_digest: false,
    }
}

fn push() -> ImageBuild {
    ImageBuild { push: true, registry: Some("127.0.0.1:5000".into()), ..flags() }
}

/// The argv of every docker step (without the program), in order.
fn docker_steps(plan: &Plan) -> Vec<Vec<String>> {
    plan.steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Image(ImageAction::Docker(cmd)) => Some(cmd.args.clone()),
            _ => None,
        })
        .collect()
}

fn builds(plan: &Plan) -> Vec<Vec<String>> {
    docker_steps(plan).into_iter().filter(|a| a.starts_with(&["buildx".into(), "build".into()])).collect()
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|s| s.to_string()).collect()
}

fn usage_error(result: anyhow::Result<Plan>) -> String {
    let e = result.expect_err("expected a usage error");
    assert_eq!(exit_code(&e), 2, "{e}");
    e.to_string()
}

#[test]
fn push_of_two_platforms() {
    let plan = build_plan(&push(), &machine()).unwrap();
    let mut want = strings(&[
        "buildx",
        "build",
        "--builder",
        "default",
        "--file",
        "docker/noetl/dev/Dockerfile",
        "--platform",
        "linux/amd64,linux/arm64",
        "--progress",
        "plain",
        "--build-arg",
        "NOETL_BIN=prebuilt",
        "--build-arg",
        "NOETL_GIT_COMMIT=3f2a1bc",
    ]);
    want.extend(strings(&LABELS));
    want.extend(strings(&[
        "--tag",
        "127.0.0.1:5000/noetl-local-dev:3f2a1bc",
        "--cache-from",
        "type=registry,ref=127.0.0.1:5000/noetl-local-dev:buildcache",
        "--cache-to",
        "type=registry,ref=127.0.0.1:5000/noetl-local-dev:buildcache,mode=max",
        "--provenance",
        "mode=max",
        "--sbom",
        "true",
        "--metadata-file",
        "target/image/noetl-local-dev.json",
        "--push",
        ".",
    ]));
    assert_eq!(builds(&plan), [want]);

    // Inputs are checked before the build; the index and each platform after it.
    let kinds: Vec<&str> = plan.steps.iter().map(|s| kind(&s.action)).collect();
    assert_eq!(kinds, ["mkdir", "static", "static", "ui", "docker", "verify", "smoke", "smoke"]);
    let verify = plan.steps.iter().find_map(|s| match &s.action {
        Action::Image(ImageAction::VerifyIndex { cmd, platforms }) => Some((cmd.args.clone(), platforms.len())),
        _ => None,
    });
    assert_eq!(
        verify,
        Some((strings(&["buildx", "imagetools", "inspect", "--raw", "127.0.0.1:5000/noetl-local-dev:3f2a1bc"]), 2))
    );
    let smokes: Vec<Vec<String>> = plan
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Image(ImageAction::Smoke { cmd, commit, .. }) => {
                assert_eq!(commit, "3f2a1bc");
                Some(cmd.args.clone())
            }
            _ => None,
        })
        .collect();
    let run = |p: &str| {
        strings(&[
            "run",
            "--rm",
            "--network",
            "host",
            "--platform",
            p,
            "--pull",
            "always",
            "127.0.0.1:5000/noetl-local-dev:3f2a1bc",
            "--version",
        ])
    };
    assert_eq!(smokes, [run("linux/amd64"), run("linux/arm64")]);
}

fn kind(action: &Action) -> &'static str {
    match action {
        Action::MkDir(_) => "mkdir",
        Action::SwapDir { .. } => "swap",
        Action::Image(ImageAction::StaticBinary { .. }) => "static",
        Action::Image(ImageAction::UiDir(_)) => "ui",
        Action::Image(ImageAction::Docker(_)) => "docker",
        Action::Image(ImageAction::VerifyIndex { .. }) => "verify",
        Action::Image(ImageAction::Smoke { .. }) => "smoke",
        Action::Image(ImageAction::ByDigest { step, .. }) => match **step {
            ImageAction::VerifyIndex { .. } => "verify by digest",
            ImageAction::Smoke { .. } => "smoke by digest",
            _ => "other by digest",
        },
        _ => "other",
    }
}

#[test]
fn load_of_the_host_platform_with_a_rotated_local_cache() {
    let plan = build_plan(&ImageBuild { which: Which::Cli, load: true, ..flags() }, &machine()).unwrap();
    let build = &builds(&plan)[0];
    let tail: Vec<&str> = build.iter().map(String::as_str).skip_while(|a| *a != "--tag").collect();
    assert_eq!(
        tail,
        [
            "--tag",
            "noetlctl:3f2a1bc",
            "--cache-from",
            "type=local,src=target/image-cache/noetlctl-linux-amd64",
            "--cache-to",
            "type=local,dest=target/image-cache/noetlctl-linux-amd64.new,mode=max",
            "--metadata-file",
            "target/image/noetlctl.json",
            "--load",
            ".",
        ]
    );
    assert!(build.windows(2).any(|w| w == ["--platform", "linux/amd64"]));
    let kinds: Vec<&str> = plan.steps.iter().map(|s| kind(&s.action)).collect();
    assert_eq!(kinds, ["mkdir", "static", "docker", "swap", "smoke"]);
    let smoke = plan.steps.iter().find_map(|s| match &s.action {
        Action::Image(ImageAction::Smoke { cmd, .. }) => Some(cmd.args.clone()),
        _ => None,
    });
    // A loaded image runs from the local store: no --pull.
    assert_eq!(
        smoke,
        Some(strings(&[
            "run",
            "--rm",
            "--network",
            "host",
            "--platform",
            "linux/amd64",
            "noetlctl:3f2a1bc",
            "--version"
        ]))
    );
    assert!(plan.notes.iter().all(|n| !n.contains("neither")), "--load given: {:?}", plan.notes);
}

#[test]
fn in_docker_cross_compiles_with_the_rust_image_and_skips_the_dist_checks() {
    let mut m = machine();
    m.rust_image_present = false;
    let f = ImageBuild { in_docker: true, rust_image: "mirror.example/rust:1.85".into(), ..push() };
    let plan = build_plan(&f, &m).unwrap();
    let build = &builds(&plan)[0];
    let args: Vec<&str> = build.iter().map(String::as_str).collect();
    let head = &args[..args.iter().position(|a| *a == "--label").unwrap()];
    assert_eq!(
        head,
        [
            "buildx",
            "build",
            "--builder",
            "default",
            "--file",
            "docker/noetl/dev/Dockerfile",
            "--platform",
            "linux/amd64,linux/arm64",
            "--progress",
            "plain",
            "--build-arg",
            "NOETL_BIN=in-docker",
            "--build-arg",
            "NOETL_GIT_COMMIT=3f2a1bc",
            "--build-arg",
            "RUST_IMAGE=mirror.example/rust:1.85",
            "--network",
            "host",
        ]
    );
    assert!(!args.contains(&"--allow"), "the docker driver needs no entitlement flag");
    assert!(plan.steps.iter().all(|s| kind(&s.action) != "static"));
    assert!(
        plan.notes.iter().any(|n| n.contains("mirror.example/rust:1.85 is not in the local image store")),
        "{:?}",
        plan.notes
    );
}

#[test]
fn cache_modes() {
    let cache_args = |f: ImageBuild, m: &Machine| -> Vec<String> {
        let build = builds(&build_plan(&f, m).unwrap()).remove(0);
        let mut out = Vec::new();
        for w in build.windows(2) {
            if w[0] == "--cache-from" || w[0] == "--cache-to" {
                out.extend(w.iter().cloned());
            }
        }
        out
    };
    let mut gha = machine();
    gha.github_actions = true;
    assert_eq!(
        cache_args(push(), &gha),
        [
            "--cache-from",
            "type=gha,scope=noetl-local-dev-linux-amd64-linux-arm64",
            "--cache-to",
            "type=gha,scope=noetl-local-dev-linux-amd64-linux-arm64,mode=max"
        ]
    );
    assert_eq!(
        cache_args(ImageBuild { cache: CacheMode::Registry, ..push() }, &machine())[1],
        "type=registry,ref=127.0.0.1:5000/noetl-local-dev:buildcache"
    );
    assert_eq!(
        cache_args(ImageBuild { cache: CacheMode::Local, ..push() }, &machine())[1],
        "type=local,src=target/image-cache/noetl-local-dev-linux-amd64-linux-arm64"
    );
    assert!(cache_args(ImageBuild { cache: CacheMode::None, ..push() }, &machine()).is_empty());
    // --no-cache also skips the builder's own cache; it combines with any --cache.
    let cold =
        builds(&build_plan(&ImageBuild { cache: CacheMode::None, no_cache: true, ..push() }, &machine()).unwrap())
            .remove(0);
    let at = cold.iter().position(|a| a == "--no-cache").expect("--no-cache passed");
    assert_eq!(cold[at + 1], "--provenance");
    let e = usage_error(build_plan(&ImageBuild { cache: CacheMode::Gha, ..push() }, &machine()));
    assert!(e.starts_with("--cache 'gha'"), "{e}");
}

#[test]
fn tags_labels_and_registry_normalisation() {
    let mut m = machine();
    m.dirty = true;
    let f = ImageBuild {
        registry: Some("https://Registry.Example.com:5000/NoETL".into()),
        tags: vec!["latest".into(), "1.2.0+build.5".into(), "latest".into()],
        ..push()
    };
    let plan = build_plan(&f, &m).unwrap();
    let build = &builds(&plan)[0];
    let tags: Vec<&str> = build.windows(2).filter(|w| w[0] == "--tag").map(|w| w[1].as_str()).collect();
    let repo = "registry.example.com:5000/noetl/noetl-local-dev";
    // A push builds the first tag, then adds the others one at a time from the registry.
    assert_eq!(tags, [format!("{repo}:latest")]);
    let extra: Vec<Vec<String>> =
        docker_steps(&plan).into_iter().filter(|a| a[..3] == ["buildx", "imagetools", "create"]).collect();
    assert_eq!(
        extra,
        [
            strings(&[
                "buildx",
                "imagetools",
                "create",
                "--tag",
                &format!("{repo}:1.2.0_build.5"),
                &format!("{repo}:latest")
            ]),
            strings(&[
                "buildx",
                "imagetools",
                "create",
                "--tag",
                &format!("{repo}:3f2a1bc-dirty"),
                &format!("{repo}:latest")
            ]),
        ]
    );
    let kinds: Vec<&str> = plan.steps.iter().map(|s| kind(&s.action)).collect();
    assert_eq!(kinds, ["mkdir", "static", "static", "ui", "docker", "docker", "docker", "verify", "smoke", "smoke"]);
    // A load names them all at once.
    let load = build_plan(&ImageBuild { push: false, load: true, ..f.clone() }, &m).unwrap();
    let tags: Vec<String> = builds(&load)[0].windows(2).filter(|w| w[0] == "--tag").map(|w| w[1].clone()).collect();
    assert_eq!(tags, [format!("{repo}:latest"), format!("{repo}:1.2.0_build.5"), format!("{repo}:3f2a1bc-dirty")]);
    let labels: Vec<&str> = build.windows(2).filter(|w| w[0] == "--label").map(|w| w[1].as_str()).collect();
    assert_eq!(labels, LABELS.iter().skip(1).step_by(2).copied().collect::<Vec<_>>());
    let notes = plan.notes.join("\n");
    assert!(notes.contains("normalised to 'registry.example.com:5000/noetl/'"), "{notes}");
    assert!(notes.contains("'1.2.0+build.5'") && notes.contains("'1.2.0_build.5'"), "{notes}");
    assert!(notes.contains("uncommitted changes: tagging 3f2a1bc-dirty"), "{notes}");
}

#[test]
fn names_are_checked_before_docker_is_needed() {
    let mut m = machine();
    m.facts.docker = None;
    m.facts.daemon = Err("docker is not on PATH".into());
    let e = usage_error(build_plan(&ImageBuild { tags: vec!["bad tag".into()], ..flags() }, &m));
    assert!(e.starts_with("--tag 'bad tag': ' ' is not allowed"), "{e}");
    let e = usage_error(build_plan(&ImageBuild { registry: Some("ghcr.io/No Etl".into()), ..push() }, &m));
    assert!(e.starts_with("--registry 'ghcr.io/No Etl'"), "{e}");
    let e = usage_error(build_plan(&ImageBuild { registry: None, ..push() }, &m));
    assert!(e.contains("--push needs a registry"), "{e}");
    let e = usage_error(build_plan(&flags(), &m));
    assert!(e.starts_with("docker 'not found on PATH'") && e.contains("apt-get install docker.io"), "{e}");
}

#[test]
fn a_daemon_that_does_not_answer_stops_the_plan() {
    let mut m = machine();
    m.facts.daemon = Err("unix:///nope.sock does not answer: Cannot connect to the Docker daemon".into());
    let e = usage_error(build_plan(&flags(), &m));
    assert!(e.contains("unix:///nope.sock does not answer") && e.contains("fix: start dockerd"), "{e}");
}

#[test]
fn classic_store_preflight() {
    let mut m = machine();
    classic(&mut m);
    let multi = Some("linux/amd64,linux/arm64".to_string());
    let e = usage_error(build_plan(&ImageBuild { platforms: multi.clone(), load: true, ..flags() }, &m));
    assert!(
        e.starts_with("--load 'linux/amd64,linux/arm64': the daemon's classic image store") && e.contains("--push"),
        "{e}"
    );
    let e = usage_error(build_plan(&ImageBuild { builder: Some("default".into()), ..push() }, &m));
    assert!(e.starts_with("--builder 'default': uses the docker driver"), "{e}");

    // No --builder: noetl-builder is created, then built with.
    let plan = build_plan(&push(), &m).unwrap();
    let steps = docker_steps(&plan);
    assert_eq!(
        steps[0],
        strings(&[
            "buildx",
            "create",
            "--name",
            "noetl-builder",
            "--driver",
            "docker-container",
            "--use",
            "--bootstrap"
        ])
    );
    assert_eq!(&steps[1][..4], strings(&["buildx", "build", "--builder", "noetl-builder"]));
    // An existing one is reused as it is.
    m.noetl_builder = Some(builder("noetl-builder", "docker-container"));
    let plan = build_plan(&ImageBuild { in_docker: true, ..push() }, &m).unwrap();
    let steps = docker_steps(&plan);
    assert_eq!(steps.len(), 1);
    assert!(steps[0].windows(2).any(|w| w == ["--allow", "network.host"]));

    // One platform on the classic store builds, with the cache flags dropped and said so.
    let plan = build_plan(&ImageBuild { load: true, ..flags() }, &m).unwrap();
    assert!(!builds(&plan)[0].iter().any(|a| a.starts_with("--cache")));
    assert!(plan.notes.iter().any(|n| n.contains("cannot export build cache")), "{:?}", plan.notes);
    // A push of one platform goes without attestations, which that driver cannot attach.
    let plan = build_plan(&ImageBuild { platforms: Some("linux/amd64".into()), ..push() }, &m).unwrap();
    assert!(!builds(&plan)[0].iter().any(|a| a == "--provenance" || a == "--sbom"));
    assert!(plan.notes.iter().any(|n| n.contains("cannot attach attestations")), "{:?}", plan.notes);
}

#[test]
fn no_buildx_falls_back_to_docker_build_only_for_the_host_on_an_old_cli() {
    let mut m = machine();
    m.facts.buildx = Err("`docker buildx version`: docker: 'buildx' is not a docker command.".into());
    m.facts.client_version = Some(Version(20, 10, 24));
    let plan = build_plan(&ImageBuild { which: Which::Cli, ..flags() }, &m).unwrap();
    let cmd: Vec<Cmd> = plan
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Image(ImageAction::Docker(c)) => Some(c.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(cmd.len(), 1);
    assert_eq!(cmd[0].shell_line().split(" --label").next().unwrap(), "DOCKER_BUILDKIT=1 /usr/bin/docker build --file noetlctl/Dockerfile --platform linux/amd64 --build-arg NOETL_BIN=prebuilt --build-arg NOETL_GIT_COMMIT=3f2a1bc");
    assert!(cmd[0].args.ends_with(&strings(&["--tag", "noetlctl:3f2a1bc", "."])));
    assert!(plan.notes.iter().any(|n| n.contains("buildx is not installed")));

    let e = usage_error(build_plan(&ImageBuild { platforms: Some("linux/arm64".into()), ..flags() }, &m));
    assert!(e.starts_with("buildx "), "{e}");
    m.facts.client_version = Some(Version(26, 1, 5));
    let e = usage_error(build_plan(&flags(), &m));
    assert!(e.contains("apt-get install docker-buildx"), "{e}");
}

#[test]
fn smoke_runs_need_emulation_for_foreign_platforms() {
    let mut m = machine();
    m.facts.binfmt.clear();
    let e = usage_error(build_plan(&push(), &m));
    assert!(e.starts_with("run linux/arm64 containers 'linux/arm64'") && e.contains("--no-smoke"), "{e}");
    let plan = build_plan(&ImageBuild { no_smoke: true, ..push() }, &m).unwrap();
    assert!(plan.steps.iter().all(|s| kind(&s.action) != "smoke"));
    assert!(plan.steps.iter().any(|s| kind(&s.action) == "verify"), "the index is still verified");
}

#[test]
fn all_builds_both_images_with_one_check_of_each_input() {
    let plan = build_plan(&ImageBuild { which: Which::All, no_sbom: true, ..push() }, &machine()).unwrap();
    let files: Vec<&str> = builds(&plan)
        .iter()
        .map(|b| b.iter().position(|a| a == "--file").map(|i| b[i + 1].as_str()).unwrap())
        .map(|s| if s.starts_with("docker/") { "dev" } else { "cli" })
        .collect();
    assert_eq!(files, ["dev", "cli"]);
    assert_eq!(plan.steps.iter().filter(|s| kind(&s.action) == "static").count(), 2);
    assert!(builds(&plan).iter().all(|b| !b.contains(&"--sbom".to_string())));
}

/// The checkout at commit 3f2a1bc on the default branch `main`.
fn on_main() -> GitRef {
    GitRef { short_sha: "3f2a1bc".into(), dirty: false, at: At::Branch("main".into()), default_branch: "main".into() }
}

fn verify(reference: Option<&str>) -> ImageVerify {
    ImageVerify {
        reference: reference.map(String::from),
        which: Which::All,
        registry: None,
        platforms: None,
        no_smoke: true,
    }
}

#[test]
fn verify_and_merge() {
    let facts = machine().facts;
    let plan = verify_plan(&verify(Some("127.0.0.1:5000/noetlctl:abc")), &facts, &on_main()).unwrap();
    assert_eq!(plan.steps.len(), 1);
    assert_eq!(
        plan.steps[0].action.clone(),
        Action::Image(ImageAction::VerifyIndex {
            cmd: Cmd::new(DOCKER).args(["buildx", "imagetools", "inspect", "--raw", "127.0.0.1:5000/noetlctl:abc"]),
            platforms: vec![crate::platform::Platform::LINUX_AMD64, crate::platform::Platform::LINUX_ARM64],
        })
    );
    let e = usage_error(verify_plan(&verify(Some("127.0.0.1:5000/noetlctl")), &facts, &on_main()));
    assert!(e.contains("neither a tag nor a digest"), "{e}");

    let digest = format!("sha256:{}", "0".repeat(64));
    let source = format!("127.0.0.1:5000/noetlctl@{digest}");
    let merge = |target: &str| ImageMerge {
        from: MergeFrom::References {
            target: target.into(),
            sources: vec![source.clone(), "127.0.0.1:5000/noetlctl:abc-arm64".into()],
        },
        platforms: None,
        no_smoke: false,
    };
    let plan = merge_plan(&merge("127.0.0.1:5000/noetlctl:abc"), &facts, &on_main()).unwrap();
    assert_eq!(
        docker_steps(&plan)[0],
        strings(&[
            "buildx",
            "imagetools",
            "create",
            "--tag",
            "127.0.0.1:5000/noetlctl:abc",
            &source,
            "127.0.0.1:5000/noetlctl:abc-arm64"
        ])
    );
    let kinds: Vec<&str> = plan.steps.iter().map(|s| kind(&s.action)).collect();
    assert_eq!(kinds, ["docker", "verify", "smoke", "smoke"]);
    let e = usage_error(merge_plan(&merge(&source), &facts, &on_main()));
    assert!(e.contains("needs a tag"), "{e}");
}

/// GitHub Actions' runner after docker/setup-buildx-action: a docker-container builder.
fn ci_runner() -> Machine {
    let mut m = machine();
    m.facts.builder = Ok(builder("builder-1", "docker-container"));
    m.github_actions = true;
    m
}

fn by_digest() -> ImageBuild {
    ImageBuild {
        platforms: Some("linux/amd64".into()),
        registry: Some("ghcr.io/noetl/".into()),
        by_digest: true,
        ..push()
    }
}

#[test]
fn push_by_digest_records_the_digest_and_checks_the_image_it_names() {
    let mut m = ci_runner();
    m.dirty = true; // no tag is pushed, so nothing is tagged -dirty
    let plan = build_plan(&by_digest(), &m).unwrap();
    let mut want = strings(&[
        "buildx",
        "build",
        "--builder",
        "builder-1",
        "--file",
        "docker/noetl/dev/Dockerfile",
        "--platform",
        "linux/amd64",
        "--progress",
        "plain",
        "--build-arg",
        "NOETL_BIN=prebuilt",
        "--build-arg",
        "NOETL_GIT_COMMIT=3f2a1bc",
    ]);
    want.extend(strings(&LABELS));
    want.extend(strings(&[
        "--cache-from",
        "type=gha,scope=noetl-local-dev-linux-amd64",
        "--cache-to",
        "type=gha,scope=noetl-local-dev-linux-amd64,mode=max",
        "--provenance",
        "mode=max",
        "--sbom",
        "true",
        "--metadata-file",
        "target/image/noetl-local-dev.json",
        "--output",
        "type=image,name=ghcr.io/noetl/noetl-local-dev,push-by-digest=true,name-canonical=true,push=true",
        ".",
    ]));
    assert_eq!(builds(&plan), [want]);
    assert_eq!(docker_steps(&plan).len(), 1, "no tagging steps after a push by digest");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| kind(&s.action)).collect();
    assert_eq!(kinds, ["mkdir", "static", "ui", "docker", "verify by digest", "smoke by digest"]);
    assert!(plan.notes.iter().all(|n| !n.contains("dirty")), "{:?}", plan.notes);
    assert!(plan.notes.iter().any(|n| n.contains("image merge --from-metadata")), "{:?}", plan.notes);

    // The checks name the repository; the executor puts the recorded digest after it.
    let digest = format!("sha256:{}", "ab".repeat(32));
    let resolved: Vec<Vec<String>> = plan
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Image(ImageAction::ByDigest { metadata, repo, step }) => {
                assert_eq!(
                    (metadata.as_str(), repo.as_str()),
                    ("target/image/noetl-local-dev.json", "ghcr.io/noetl/noetl-local-dev")
                );
                match step.renamed(repo, &format!("{repo}@{digest}")) {
                    ImageAction::VerifyIndex { cmd, .. } => Some(cmd.args),
                    ImageAction::Smoke { cmd, commit, .. } => {
                        assert_eq!(commit, "3f2a1bc");
                        Some(cmd.args)
                    }
                    other => panic!("{other:?}"),
                }
            }
            _ => None,
        })
        .collect();
    let pushed = format!("ghcr.io/noetl/noetl-local-dev@{digest}");
    assert_eq!(
        resolved,
        [
            strings(&["buildx", "imagetools", "inspect", "--raw", &pushed]),
            strings(&[
                "run",
                "--rm",
                "--network",
                "host",
                "--platform",
                "linux/amd64",
                "--pull",
                "always",
                &pushed,
                "--version"
            ]),
        ]
    );
    // --dry-run shows where the digest comes from.
    let shell = plan.to_shell();
    assert!(
        shell.contains("digest=$(jq -r '.\"containerimage.digest\"' target/image/noetl-local-dev.json)")
            && shell.contains(" ghcr.io/noetl/noetl-local-dev@\"$digest\" --version # must report x86_64"),
        "{shell}"
    );
}

#[test]
fn push_by_digest_on_the_docker_driver_uses_noetl_builder() {
    let plan = build_plan(&ImageBuild { registry: Some("127.0.0.1:5000".into()), ..by_digest() }, &machine()).unwrap();
    let steps = docker_steps(&plan);
    assert_eq!(&steps[0][..4], strings(&["buildx", "create", "--name", "noetl-builder"]));
    assert_eq!(&steps[1][..4], strings(&["buildx", "build", "--builder", "noetl-builder"]));
    assert!(plan.notes.iter().any(|n| n.contains("builder default (docker driver) cannot push by digest")));
    let e = usage_error(build_plan(&ImageBuild { builder: Some("default".into()), ..by_digest() }, &machine()));
    assert!(e.starts_with("--builder 'default': uses the docker driver, which cannot push by digest"), "{e}");
    // Without buildx there is no push by digest at all.
    let mut m = machine();
    m.facts.buildx = Err("`docker buildx version`: docker: 'buildx' is not a docker command.".into());
    m.facts.client_version = Some(Version(20, 10, 24));
    let e = usage_error(build_plan(&by_digest(), &m));
    assert!(e.starts_with("buildx "), "{e}");
}

/// A fresh directory laid out as actions/download-artifact leaves several artifacts: one
/// directory per artifact, here holding what buildx wrote to target/image/.
fn metadata_dir(test: &str, files: &[(&str, &str, &str)]) -> Utf8PathBuf {
    let dir = Utf8PathBuf::from_path_buf(std::env::temp_dir())
        .unwrap()
        .join(format!("xtask-plan-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (artifact, name, contents) in files {
        std::fs::create_dir_all(dir.join(artifact)).unwrap();
        std::fs::write(dir.join(artifact).join(format!("{name}.json")), contents).unwrap();
    }
    dir
}

fn pushed(repo: &str, hex: &str) -> String {
    format!(
        r#"{{"buildx.build.ref": "builder-1/builder-10/abc", "containerimage.descriptor": {{"mediaType": "application/vnd.oci.image.index.v1+json"}}, "containerimage.digest": "sha256:{}", "image.name": "{repo}"}}"#,
        hex.repeat(64 / hex.len())
    )
}

fn from_metadata(dir: &Utf8PathBuf, which: Which, registry: Option<&str>) -> ImageMerge {
    ImageMerge {
        from: MergeFrom::Metadata { dir: dir.clone(), which, registry: registry.map(String::from) },
        platforms: None,
        no_smoke: true,
    }
}

#[test]
fn merge_from_metadata_creates_one_index_per_image_with_every_git_tag() {
    let r = "ghcr.io/noetl/";
    let dir = metadata_dir(
        "merge",
        &[
            ("digests-linux-amd64", "noetlctl", &pushed("ghcr.io/noetl/noetlctl", "a")),
            ("digests-linux-amd64", "noetl-local-dev", &pushed("ghcr.io/noetl/noetl-local-dev", "c")),
            ("digests-linux-arm64", "noetlctl", &pushed("ghcr.io/noetl/noetlctl", "b")),
            ("digests-linux-arm64", "noetl-local-dev", &pushed("ghcr.io/noetl/noetl-local-dev", "d")),
        ],
    );
    let facts = ci_runner().facts;
    let plan = merge_plan(&from_metadata(&dir, Which::All, Some("GHCR.io/NoETL")), &facts, &on_main()).unwrap();
    let digest = |hex: &str| format!("sha256:{}", hex.repeat(64));
    let create = |name: &str, a: &str, b: &str| {
        let mut args = strings(&["buildx", "imagetools", "create"]);
        for tag in ["3f2a1bc", "main", "latest"] {
            args.extend(["--tag".to_string(), format!("{r}{name}:{tag}")]);
        }
        args.extend([format!("{r}{name}@{}", digest(a)), format!("{r}{name}@{}", digest(b))]);
        args
    };
    assert_eq!(docker_steps(&plan), [create("noetl-local-dev", "c", "d"), create("noetlctl", "a", "b")]);
    let verified: Vec<String> = plan
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Image(ImageAction::VerifyIndex { cmd, platforms }) => {
                assert_eq!(platforms.len(), 2);
                cmd.args.last().cloned()
            }
            _ => None,
        })
        .collect();
    assert_eq!(verified, [format!("{r}noetl-local-dev:3f2a1bc"), format!("{r}noetlctl:3f2a1bc")]);
    let kinds: Vec<&str> = plan.steps.iter().map(|s| kind(&s.action)).collect();
    assert_eq!(kinds, ["docker", "verify", "docker", "verify"], "--no-smoke: the index only");

    // A release tag: semver tags, no branch, no latest; the smoke runs expect the commit.
    let release = GitRef { at: At::Tag("v1.4.0".into()), ..on_main() };
    let plan =
        merge_plan(&ImageMerge { no_smoke: false, ..from_metadata(&dir, Which::Cli, Some(r)) }, &facts, &release)
            .unwrap();
    let tags: Vec<String> =
        docker_steps(&plan)[0].windows(2).filter(|w| w[0] == "--tag").map(|w| w[1].clone()).collect();
    assert_eq!(
        tags,
        [
            "ghcr.io/noetl/noetlctl:3f2a1bc",
            "ghcr.io/noetl/noetlctl:1.4.0",
            "ghcr.io/noetl/noetlctl:1.4",
            "ghcr.io/noetl/noetlctl:1"
        ]
    );
    let smokes: Vec<&str> = plan
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Image(ImageAction::Smoke { commit, .. }) => Some(commit.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(smokes, ["3f2a1bc", "3f2a1bc"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn merge_from_metadata_refuses_what_it_cannot_join() {
    let facts = ci_runner().facts;
    let r = Some("ghcr.io/noetl/");
    let empty = metadata_dir(
        "merge-empty",
        &[("digests-linux-amd64", "noetl-local-dev", &pushed("ghcr.io/noetl/noetl-local-dev", "a"))],
    );
    let e = usage_error(merge_plan(&from_metadata(&empty, Which::All, r), &facts, &on_main()));
    assert!(
        e.starts_with(&format!("--from-metadata '{empty}': has no */noetlctl.json")) && e.contains("--image"),
        "{e}"
    );
    let e = usage_error(merge_plan(&from_metadata(&empty.join("nope"), Which::Cli, r), &facts, &on_main()));
    assert!(e.contains("is not a readable directory"), "{e}");
    let e = usage_error(merge_plan(&from_metadata(&empty, Which::Dev, None), &facts, &on_main()));
    assert!(e.starts_with("--registry '': image merge --from-metadata") && e.contains("NOETL_REGISTRY"), "{e}");
    // Pushed to another registry than the one given: the sources would not be found there.
    let e = usage_error(merge_plan(&from_metadata(&empty, Which::Dev, Some("127.0.0.1:5000")), &facts, &on_main()));
    assert!(
        e.contains("records a push to ghcr.io/noetl/noetl-local-dev, not to 127.0.0.1:5000/noetl-local-dev"),
        "{e}"
    );
    let loaded = metadata_dir("merge-loaded", &[("a", "noetlctl", r#"{"image.name": "ghcr.io/noetl/noetlctl:x"}"#)]);
    let e = usage_error(merge_plan(&from_metadata(&loaded, Which::Cli, r), &facts, &on_main()));
    assert!(e.contains("noetlctl.json': records no pushed image"), "{e}");
    let _ = std::fs::remove_dir_all(&empty);
    let _ = std::fs::remove_dir_all(&loaded);
}

#[test]
fn verify_without_ref_checks_each_image_under_the_commit_tag() {
    let facts = machine().facts;
    let flags = ImageVerify {
        registry: Some("https://GHCR.io/NoETL".into()),
        platforms: Some("linux/arm64".into()),
        no_smoke: false,
        ..verify(None)
    };
    let plan = verify_plan(&flags, &facts, &on_main()).unwrap();
    let argv: Vec<Vec<String>> = plan
        .steps
        .iter()
        .map(|s| match &s.action {
            Action::Image(ImageAction::VerifyIndex { cmd, .. }) => cmd.args.clone(),
            Action::Image(ImageAction::Smoke { cmd, commit, .. }) => {
                assert_eq!(commit, "3f2a1bc");
                cmd.args.clone()
            }
            other => panic!("{other:?}"),
        })
        .collect();
    let run = |image: &str| {
        strings(&[
            "run",
            "--rm",
            "--network",
            "host",
            "--platform",
            "linux/arm64",
            "--pull",
            "always",
            image,
            "--version",
        ])
    };
    assert_eq!(
        argv,
        [
            strings(&["buildx", "imagetools", "inspect", "--raw", "ghcr.io/noetl/noetl-local-dev:3f2a1bc"]),
            run("ghcr.io/noetl/noetl-local-dev:3f2a1bc"),
            strings(&["buildx", "imagetools", "inspect", "--raw", "ghcr.io/noetl/noetlctl:3f2a1bc"]),
            run("ghcr.io/noetl/noetlctl:3f2a1bc"),
        ]
    );
    // A dirty tree was published as COMMIT-dirty (see ci_tags): that is what is looked for.
    let dirty = GitRef { dirty: true, ..on_main() };
    let plan = verify_plan(&ImageVerify { which: Which::Cli, no_smoke: true, ..flags }, &facts, &dirty).unwrap();
    let Action::Image(ImageAction::VerifyIndex { cmd, .. }) = &plan.steps[0].action else { panic!() };
    assert_eq!(cmd.args.last().unwrap(), "ghcr.io/noetl/noetlctl:3f2a1bc-dirty");
    assert_eq!(plan.steps.len(), 1);
    let e = usage_error(verify_plan(&verify(None), &facts, &on_main()));
    assert!(e.starts_with("--registry '': image verify without REF") && e.contains("NOETL_REGISTRY"), "{e}");
}
