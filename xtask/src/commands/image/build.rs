//! The build plan: a pure function of the flags and the facts read from the machine.

use camino::Utf8PathBuf;

use super::builder::{self, BuilderInput};
use super::cache::{self, CacheInput};
use super::{names, require_runnable, verify_steps, Machine, Where};
use crate::ci_tags;
use crate::error::usage;
use crate::flags::{CacheMode, ImageBuild, Which};
use crate::plan::{Action, Cmd, ImageAction, Plan};
use crate::platform::{self, Platform, Scope};
use crate::preflight::docker::BUILDKIT_IN_CLI_BEFORE;
use crate::preflight::Status;

/// One of the project's images.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub name: &'static str,
    pub dockerfile: &'static str,
    /// The dev image serves the web UI, so it copies `UI_DIR`.
    pub needs_ui: bool,
}

pub const DEV: Kind = Kind { name: "noetl-local-dev", dockerfile: "docker/noetl/dev/Dockerfile", needs_ui: true };
pub const CLI: Kind = Kind { name: "noetlctl", dockerfile: "noetlctl/Dockerfile", needs_ui: false };
/// Where `cargo xtask ui` installs the UI; the dev Dockerfile copies it from there.
pub const UI_DIR: &str = "noetl/core/ui";
/// buildx `--metadata-file`s (digests of pushed images, for `image merge`).
pub const METADATA_DIR: &str = "target/image";

/// The images `--image` selects.
pub fn kinds(which: Which) -> Vec<Kind> {
    match which {
        Which::Dev => vec![DEV],
        Which::Cli => vec![CLI],
        Which::All => vec![DEV, CLI],
    }
}

pub fn plan(flags: &ImageBuild, m: &Machine) -> anyhow::Result<Plan> {
    let mut plan = Plan::new("image");
    // Names first: they need no engine, so a typo fails fast anywhere.
    let (registry, note) = names::normalise_registry(flags.registry.as_deref().unwrap_or(""))?;
    plan.notes.extend(note);
    // A push by digest has no tags: `image merge --from-metadata` tags the index.
    let tags = if flags.by_digest { Vec::new() } else { tags(flags, m, &mut plan)? };
    if flags.push && registry.is_empty() {
        return Err(usage(
            "--registry",
            "",
            "--push needs a registry to push to",
            "pass --registry 127.0.0.1:5000/ (or ghcr.io/OWNER/), or set NOETL_REGISTRY",
        ));
    }
    if !flags.push && !flags.load {
        plan.note("neither --push nor --load: loading into the local image store");
    }

    let facts = &m.facts;
    facts.docker_check().require()?;
    facts.daemon_check().require()?;
    let daemon = facts.daemon.as_ref().expect("the daemon check passed");
    let host = host_platform(m)?;
    let platforms = platforms(flags, host)?;
    let list = platform::join(&platforms);
    if !flags.push && platforms.len() > 1 && !daemon.containerd_store {
        return Err(usage(
            "--load",
            &list,
            "the daemon's classic image store holds one platform per image, so it cannot load a multi-platform image",
            "pass --push --registry REGISTRY, or one platform (--platforms linux/amd64), or turn on the containerd image store",
        ));
    }
    if !flags.no_smoke {
        require_runnable(facts, &platforms)?;
    }
    let docker = facts.docker.as_ref().map_or_else(|| "docker".to_string(), |p| p.to_string());
    let kinds = kinds(flags.which);
    let refs = |kind: &Kind| tags.iter().map(|t| format!("{registry}{}:{t}", kind.name)).collect::<Vec<_>>();
    let route = if flags.in_docker { "compiled in the build" } else { "from target/dist" };

    if facts.buildx_check().status != Status::Ok {
        let old_cli = facts.client_version.is_some_and(|v| v < BUILDKIT_IN_CLI_BEFORE);
        if platforms != [host] || !old_cli || flags.by_digest {
            facts.buildx_check().require()?;
        }
        plan.note(format!(
            "buildx is not installed: building {host} with `docker build` and the CLI's built-in BuildKit (no cache export, no attestations, no index to verify)"
        ));
        if flags.cache != CacheMode::Auto && flags.cache != CacheMode::None {
            plan.note("--cache needs buildx: ignored");
        }
        input_steps(&mut plan, &kinds, flags, &platforms);
        for kind in &kinds {
            let refs = refs(kind);
            let mut cmd = Cmd::new(docker.as_str()).env("DOCKER_BUILDKIT", "1");
            cmd = cmd.args(["build", "--file", kind.dockerfile, "--platform", host.to_string().as_str()]);
            cmd = common_args(cmd, kind, flags, m, &refs);
            if flags.no_cache {
                cmd = cmd.arg("--no-cache");
            }
            plan.step(
                format!("build {} for {host} ({route})", kind.name),
                Action::Image(ImageAction::Docker(cmd.arg("."))),
            );
            if flags.push {
                for r in &refs {
                    plan.step(
                        format!("push {r}"),
                        Action::Image(ImageAction::Docker(Cmd::new(docker.as_str()).args(["push", r]))),
                    );
                }
            }
            verify_steps(&mut plan, &docker, Where::Local(&refs[0]), &platforms, &m.short_sha, flags.no_smoke);
        }
        return Ok(plan);
    }

    facts.builder_check().require()?;
    let current = facts.builder.as_ref().expect("the builder check passed");
    let chosen = builder::choose(&BuilderInput {
        docker: &docker,
        requested: flags.builder.as_deref(),
        builder: current,
        noetl: m.noetl_builder.as_ref(),
        multi: platforms.len() > 1,
        by_digest: flags.by_digest,
        containerd_store: daemon.containerd_store,
    })?;
    plan.notes.extend(chosen.note.clone());
    if flags.in_docker && !m.rust_image_present {
        plan.note(format!("{} is not in the local image store: BuildKit will try to pull it", flags.rust_image));
    }
    if flags.in_docker && chosen.driver != "docker" {
        plan.note(format!(
            "builder {} ({} driver) cannot see local images: {} must be pullable",
            chosen.name, chosen.driver, flags.rust_image
        ));
    }
    for (what, cmd) in &chosen.setup {
        plan.step(what.clone(), Action::Image(ImageAction::Docker(cmd.clone())));
    }
    plan.step(format!("create {METADATA_DIR}"), Action::MkDir(METADATA_DIR.into()));
    input_steps(&mut plan, &kinds, flags, &platforms);
    for kind in &kinds {
        let cache = cache::decide(&CacheInput {
            mode: flags.cache,
            name: kind.name,
            registry: &registry,
            platforms: &platforms,
            push: flags.push,
            github_actions: m.github_actions,
            exports: chosen.exports,
            builder: &chosen.name,
        })?;
        if let Some(note) = cache.note {
            if !plan.notes.contains(&note) {
                plan.note(note);
            }
        }
        let refs = refs(kind);
        // A push names one tag and adds the others from the registry afterwards: the daemon's
        // parallel pushes of several tags of one image race in the registry (seen here as
        // `500 … invalid checksum digest format` from docker-registry 2.8).
        let built = if flags.push { &refs[..refs.len().min(1)] } else { &refs[..] };
        let mut cmd = Cmd::new(docker.as_str()).args(["buildx", "build", "--builder", chosen.name.as_str()]);
        cmd = cmd.args(["--file", kind.dockerfile, "--platform", list.as_str(), "--progress", "plain"]);
        cmd = common_args(cmd, kind, flags, m, built);
        if flags.in_docker && chosen.driver != "docker" {
            // Other drivers grant host networking only when asked (buildx create allows it).
            cmd = cmd.args(["--allow", "network.host"]);
        }
        cmd = cmd.args(cache.args);
        if flags.no_cache {
            cmd = cmd.arg("--no-cache");
        }
        if flags.push && chosen.exports {
            cmd = cmd.args(["--provenance", "mode=max"]);
            if !flags.no_sbom {
                cmd = cmd.args(["--sbom", "true"]);
            }
        } else if flags.push {
            let note = format!(
                "builder {} cannot attach attestations (docker driver on the classic image store): pushing without provenance and SBOM",
                chosen.name
            );
            if !plan.notes.contains(&note) {
                plan.note(note);
            }
        }
        let metadata = Utf8PathBuf::from(format!("{METADATA_DIR}/{}.json", kind.name));
        let repo = format!("{registry}{}", kind.name);
        cmd = cmd.args(["--metadata-file", metadata.as_str()]);
        if flags.by_digest {
            // Untagged: the digest (recorded in the metadata file) is the image's only name.
            let output = format!("type=image,name={repo},push-by-digest=true,name-canonical=true,push=true");
            cmd = cmd.args(["--output", output.as_str()]);
        } else {
            cmd = cmd.arg(if flags.push { "--push" } else { "--load" });
        }
        let how = if flags.by_digest { ", pushed by digest" } else { "" };
        plan.step(
            format!("build {} for {list} ({route}){how}", kind.name),
            Action::Image(ImageAction::Docker(cmd.arg("."))),
        );
        if let Some((new, dir)) = cache.rotate {
            plan.step(
                format!("replace the build cache {dir} with the one just written"),
                Action::SwapDir { from: new, to: dir, require: Some("index.json".into()) },
            );
        }
        for extra in &refs[built.len()..] {
            let cmd =
                Cmd::new(docker.as_str()).args(["buildx", "imagetools", "create", "--tag", extra, refs[0].as_str()]);
            plan.step(format!("tag {} as {extra}", refs[0]), Action::Image(ImageAction::Docker(cmd)));
        }
        let image = match (flags.by_digest, flags.push) {
            (true, _) => Where::ByDigest { repo: &repo, metadata: &metadata },
            (false, true) => Where::Registry(&refs[0]),
            (false, false) => Where::Local(&refs[0]),
        };
        verify_steps(&mut plan, &docker, image, &platforms, &m.short_sha, flags.no_smoke);
    }
    if flags.by_digest {
        plan.note(format!(
            "pushing by digest, untagged: each digest is recorded in {METADATA_DIR}/NAME.json for `cargo xtask image merge --from-metadata`"
        ));
    }
    Ok(plan)
}

/// The `--tag`s, then the default tag (the short commit, `-dirty` with uncommitted
/// changes). The first is the one built and verified; a push adds the others afterwards.
fn tags(flags: &ImageBuild, m: &Machine, plan: &mut Plan) -> anyhow::Result<Vec<String>> {
    let mut tags: Vec<String> = Vec::new();
    for raw in &flags.tags {
        let (tag, note) = names::check_tag(raw)?;
        plan.notes.extend(note);
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let commit = ci_tags::commit_tag(&m.short_sha, m.dirty);
    if m.dirty {
        plan.note(format!("the work tree has uncommitted changes: tagging {commit}"));
    }
    if m.short_sha == "unknown" {
        plan.note("not a git checkout (or no commit yet): the default tag is 'unknown'");
    }
    if !tags.contains(&commit) {
        tags.push(commit);
    }
    Ok(tags)
}

/// The daemon's platform: what a local build is for.
pub fn host_platform(m: &Machine) -> anyhow::Result<Platform> {
    let daemon = m.facts.daemon.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
    platform::parse_one(&daemon.platform, Scope::Image).map_err(|_| {
        usage(
            "docker daemon",
            &daemon.platform,
            "runs on a platform noetl images are not built for",
            "use a linux/amd64 or linux/arm64 daemon",
        )
    })
}

/// `--platforms`, else both Linux platforms when pushing, else the daemon's own.
pub fn platforms(flags: &ImageBuild, host: Platform) -> anyhow::Result<Vec<Platform>> {
    match &flags.platforms {
        Some(list) => platform::parse_list(list, Scope::Image),
        None if flags.push => Ok(vec![Platform::LINUX_AMD64, Platform::LINUX_ARM64]),
        None => Ok(vec![host]),
    }
}

/// Checks of what the images copy: a static binary per platform (prebuilt route), the UI.
fn input_steps(plan: &mut Plan, kinds: &[Kind], flags: &ImageBuild, platforms: &[Platform]) {
    if !flags.in_docker {
        for &p in platforms {
            let path = Utf8PathBuf::from(format!("target/dist/{}/noetl", p.dist_dir()));
            plan.step(
                format!("check {path} is a static {p} executable"),
                Action::Image(ImageAction::StaticBinary { path, platform: p }),
            );
        }
    }
    if kinds.iter().any(|k| k.needs_ui) {
        plan.step(format!("check {UI_DIR} holds the built UI"), Action::Image(ImageAction::UiDir(UI_DIR.into())));
    }
}

/// Build arguments, OCI labels and tags, the same for buildx and `docker build`.
fn common_args(mut cmd: Cmd, kind: &Kind, flags: &ImageBuild, m: &Machine, refs: &[String]) -> Cmd {
    let route = if flags.in_docker { "in-docker" } else { "prebuilt" };
    cmd = cmd.args(["--build-arg".to_string(), format!("NOETL_BIN={route}")]);
    cmd = cmd.args(["--build-arg".to_string(), format!("NOETL_GIT_COMMIT={}", m.short_sha)]);
    if flags.in_docker {
        cmd = cmd.args(["--build-arg".to_string(), format!("RUST_IMAGE={}", flags.rust_image)]);
        // The builder stage's cargo fetches crates; host networking works where the daemon
        // has no bridge network (as on the test bed) and everywhere else.
        cmd = cmd.args(["--network", "host"]);
    }
    for label in m.meta.labels(kind.name) {
        cmd = cmd.args(["--label".to_string(), label]);
    }
    for r in refs {
        cmd = cmd.args(["--tag", r.as_str()]);
    }
    cmd
}
