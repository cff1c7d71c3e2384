//! `cargo xtask image`: build the `noetl-local-dev` and `noetlctl` images for one or more
//! platforms with buildx, load or push them, then verify the index and run each platform.
//! `image verify` checks a pushed image; `image merge` joins per-platform images, given as
//! references or as the metadata of pushes by digest (`--from-metadata`, for CI).
//!
//! `plan` reads the machine once into [`Machine`]; everything after that is a pure function
//! of the flags and those facts (`build::plan`), which is what the plan tests pin.

mod build;
mod builder;
mod cache;
mod index;
pub mod meta;
pub mod names;
#[cfg(test)]
mod tests;

pub use build::DEV;

use camino::Utf8Path;
use xshell::Shell;

use crate::ci_tags;
use crate::error::usage;
use crate::exec::Ctx;
use crate::flags::{Image, ImageBuild, Which};
use crate::git;
use crate::plan::{Cmd, ImageAction, Plan};
use crate::platform::{self, Platform, Scope};
use crate::preflight::docker::{self, Builder, DockerFacts};
use crate::preflight::Status;

/// Everything a build plan depends on besides its flags, read from the machine.
#[derive(Debug, Clone)]
pub struct Machine {
    pub facts: DockerFacts,
    /// `noetl-builder`, if it exists.
    pub noetl_builder: Option<Builder>,
    /// With `--in-docker`: whether RUST_IMAGE is in the local image store.
    pub rust_image_present: bool,
    pub short_sha: String,
    pub dirty: bool,
    pub meta: meta::Meta,
    pub github_actions: bool,
}

pub fn plan(flags: &Image, ctx: &Ctx, sh: &Shell) -> anyhow::Result<Plan> {
    match flags {
        Image::Build(flags) => {
            let machine = read_machine(flags, ctx, sh)?;
            let build = build::plan(flags, &machine)?;
            if flags.no_inputs {
                return Ok(build);
            }
            let mut plan = inputs(flags, &machine, ctx, sh)?;
            plan.extend(build);
            Ok(plan)
        }
        Image::Verify(flags) => index::verify_plan(flags, &docker::facts(sh, None), &ci_tags::read(sh)),
        Image::Merge(flags) => index::merge_plan(flags, &docker::facts(sh, None), &ci_tags::read(sh)),
    }
}

/// What the images copy, made first by the commands a person would run: `cargo xtask ui`
/// (a no-op when the UI is up to date) and `cargo xtask cli --static` for the platforms
/// (cargo's own incremental build), unless the binary is compiled in the build.
fn inputs(flags: &ImageBuild, m: &Machine, ctx: &Ctx, sh: &Shell) -> anyhow::Result<Plan> {
    let mut plan = Plan::new("image");
    if flags.which != Which::Cli {
        plan.extend(super::plan_of(&["ui"], ctx, sh)?);
    }
    if !flags.in_docker {
        let list = platform::join(&build::platforms(flags, build::host_platform(m)?)?);
        plan.extend(super::plan_of(&["cli", "--platforms", &list, "--static"], ctx, sh)?);
    }
    Ok(plan)
}

fn read_machine(flags: &ImageBuild, ctx: &Ctx, sh: &Shell) -> anyhow::Result<Machine> {
    let facts = docker::facts(sh, flags.builder.as_deref());
    // noetl-builder matters only when the current builder cannot build several platforms
    // or push by digest.
    let noetl_builder = match (&facts.docker, &facts.builder, &facts.daemon) {
        (Some(path), Ok(current), Ok(daemon))
            if !current.multi_platform(daemon.containerd_store)
                || (flags.by_digest && !builder::pushes_by_digest(current)) =>
        {
            docker::inspect_builder(sh, path, Some(builder::NOETL_BUILDER)).ok()
        }
        _ => None,
    };
    let rust_image_present = match &facts.docker {
        Some(path) if flags.in_docker && facts.daemon.is_ok() => docker::image_present(sh, path, &flags.rust_image),
        _ => false,
    };
    let (version, source) = meta::workspace_package(&ctx.root)?;
    let meta = meta::Meta { version, source, revision: git::full_sha(sh), created: meta::created_now() };
    Ok(Machine {
        facts,
        noetl_builder,
        rust_image_present,
        short_sha: git::short_sha(sh),
        dirty: git::is_dirty(sh),
        meta,
        github_actions: std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true"),
    })
}

/// `--platforms` for verify/merge: both Linux platforms unless given.
pub(super) fn index_platforms(raw: Option<&str>) -> anyhow::Result<Vec<Platform>> {
    match raw {
        Some(list) => platform::parse_list(list, Scope::Image),
        None => Ok(vec![Platform::LINUX_AMD64, Platform::LINUX_ARM64]),
    }
}

/// The docker client, after the checks every image command needs.
pub(super) fn docker_for_index(facts: &DockerFacts, smoke: bool) -> anyhow::Result<String> {
    facts.docker_check().require()?;
    facts.buildx_check().require()?;
    if smoke {
        facts.daemon_check().require()?;
    }
    Ok(facts.docker.as_ref().map(|p| p.to_string()).unwrap_or_else(|| "docker".into()))
}

/// Where an image the checks look at is.
#[derive(Debug, Clone, Copy)]
pub enum Where<'a> {
    /// In the local image store (loaded, or built by `docker build`): no index to read.
    Local(&'a str),
    /// In a registry, under this tag or digest.
    Registry(&'a str),
    /// In the registry repository `repo`, untagged, by the digest buildx records in
    /// `metadata` when the push runs.
    ByDigest { repo: &'a str, metadata: &'a Utf8Path },
}

/// Steps that, for an image in a registry, read its index; then, unless `no_smoke`, run
/// each platform's image (from the registry with `--pull always`: what was pushed, not a
/// local copy; else the local image store).
pub fn verify_steps(plan: &mut Plan, docker: &str, image: Where, platforms: &[Platform], commit: &str, no_smoke: bool) {
    let (reference, from_registry, shown) = match image {
        Where::Local(r) => (r, false, r.to_string()),
        Where::Registry(r) => (r, true, r.to_string()),
        Where::ByDigest { repo, metadata } => (repo, true, format!("{repo}@<the digest in {metadata}>")),
    };
    let action = |action: ImageAction| match image {
        Where::ByDigest { repo, metadata } => crate::plan::Action::Image(ImageAction::ByDigest {
            metadata: metadata.to_owned(),
            repo: repo.to_string(),
            step: Box::new(action),
        }),
        _ => crate::plan::Action::Image(action),
    };
    let inspect = Cmd::new(docker).args(["buildx", "imagetools", "inspect", "--raw", reference]);
    if from_registry {
        plan.step(
            format!("verify the index of {shown} lists {}", platform::join(platforms)),
            action(ImageAction::VerifyIndex { cmd: inspect, platforms: platforms.to_vec() }),
        );
    }
    if no_smoke {
        return;
    }
    for &p in platforms {
        let mut cmd = Cmd::new(docker).args(["run", "--rm", "--network", "host", "--platform"]).arg(p.to_string());
        if from_registry {
            cmd = cmd.args(["--pull", "always"]);
        }
        cmd = cmd.args([reference, "--version"]);
        plan.step(
            format!("run {shown} for {p}: --version must report {}", p.arch.rust_name()),
            action(ImageAction::Smoke { cmd, platform: p, commit: commit.to_string() }),
        );
    }
}

/// Requires that containers of every platform can run here (natively or via QEMU).
pub fn require_runnable(facts: &DockerFacts, platforms: &[Platform]) -> anyhow::Result<()> {
    for &p in platforms {
        let check = facts.emulation_check(p);
        if check.status != Status::Ok {
            return Err(usage(
                &check.name,
                &p.to_string(),
                &check.detail,
                &format!("{}; or pass --no-smoke", check.fix),
            ));
        }
    }
    Ok(())
}
