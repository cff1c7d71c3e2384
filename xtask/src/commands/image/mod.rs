//! `cargo xtask image`: build the `noetl-local-dev` and `noetlctl` images for one or more
//! platforms with buildx, load or push them, then verify the index and run each platform.
//! `image verify` checks a pushed image; `image merge` joins per-platform images.
//!
//! `plan` reads the machine once into [`Machine`]; everything after that is a pure function
//! of the flags and those facts (`build::plan`), which is what the plan tests pin.

mod build;
mod builder;
mod cache;
mod meta;
pub mod names;
#[cfg(test)]
mod tests;

use xshell::Shell;

use crate::error::usage;
use crate::exec::Ctx;
use crate::flags::{Image, ImageBuild, ImageMerge, ImageVerify};
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
            build::plan(flags, &machine)
        }
        Image::Verify(flags) => verify_plan(flags, &docker::facts(sh, None)),
        Image::Merge(flags) => merge_plan(flags, &docker::facts(sh, None)),
    }
}

fn read_machine(flags: &ImageBuild, ctx: &Ctx, sh: &Shell) -> anyhow::Result<Machine> {
    let facts = docker::facts(sh, flags.builder.as_deref());
    // noetl-builder matters only when the current builder cannot build several platforms.
    let noetl_builder = match (&facts.docker, &facts.builder, &facts.daemon) {
        (Some(path), Ok(current), Ok(daemon)) if !current.multi_platform(daemon.containerd_store) => {
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
fn index_platforms(raw: Option<&str>) -> anyhow::Result<Vec<Platform>> {
    match raw {
        Some(list) => platform::parse_list(list, Scope::Image),
        None => Ok(vec![Platform::LINUX_AMD64, Platform::LINUX_ARM64]),
    }
}

/// The docker client, after the checks every image command needs.
fn docker_for_index(facts: &DockerFacts, smoke: bool) -> anyhow::Result<String> {
    facts.docker_check().require()?;
    facts.buildx_check().require()?;
    if smoke {
        facts.daemon_check().require()?;
    }
    Ok(facts.docker.as_ref().map(|p| p.to_string()).unwrap_or_else(|| "docker".into()))
}

/// Steps that, for an image in a registry, read `reference`'s index; then, unless `no_smoke`,
/// run each platform's image (from the registry with `--pull always`: what was pushed, not a
/// local copy; else the local image store).
pub fn verify_steps(
    plan: &mut Plan,
    docker: &str,
    reference: &str,
    platforms: &[Platform],
    commit: &str,
    no_smoke: bool,
    from_registry: bool,
) {
    let inspect = Cmd::new(docker).args(["buildx", "imagetools", "inspect", "--raw", reference]);
    if from_registry {
        plan.step(
            format!("verify the index of {reference} lists {}", platform::join(platforms)),
            crate::plan::Action::Image(ImageAction::VerifyIndex { cmd: inspect, platforms: platforms.to_vec() }),
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
            format!("run {reference} for {p}: --version must report {}", p.arch.rust_name()),
            crate::plan::Action::Image(ImageAction::Smoke { cmd, platform: p, commit: commit.to_string() }),
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

fn verify_plan(flags: &ImageVerify, facts: &DockerFacts) -> anyhow::Result<Plan> {
    names::check_reference("REF", &flags.reference)?;
    let platforms = index_platforms(flags.platforms.as_deref())?;
    let docker = docker_for_index(facts, !flags.no_smoke)?;
    if !flags.no_smoke {
        require_runnable(facts, &platforms)?;
    }
    let mut plan = Plan::new("image verify");
    verify_steps(&mut plan, &docker, &flags.reference, &platforms, "", flags.no_smoke, true);
    Ok(plan)
}

fn merge_plan(flags: &ImageMerge, facts: &DockerFacts) -> anyhow::Result<Plan> {
    names::check_reference("TARGET", &flags.target)?;
    if flags.target.contains('@') {
        return Err(usage(
            "TARGET",
            &flags.target,
            "the merged index needs a tag, not a digest",
            "name it REGISTRY/NAME:TAG",
        ));
    }
    for source in &flags.sources {
        names::check_reference("SOURCE", source)?;
    }
    let platforms = index_platforms(flags.platforms.as_deref())?;
    let docker = docker_for_index(facts, !flags.no_smoke)?;
    if !flags.no_smoke {
        require_runnable(facts, &platforms)?;
    }
    let mut plan = Plan::new("image merge");
    let create = Cmd::new(docker.as_str())
        .args(["buildx", "imagetools", "create", "--tag", flags.target.as_str()])
        .args(flags.sources.iter().map(String::as_str));
    plan.step(
        format!("create the index {} from {} image(s)", flags.target, flags.sources.len()),
        crate::plan::Action::Image(ImageAction::Docker(create)),
    );
    verify_steps(&mut plan, &docker, &flags.target, &platforms, "", flags.no_smoke, true);
    Ok(plan)
}
