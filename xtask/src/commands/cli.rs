//! `cargo xtask cli`: build `noetl` for every requested platform into
//! `target/dist/<os>/<arch>/noetl` (the `$TARGETPLATFORM` layout Dockerfiles `COPY`
//! from) and record them in `target/dist/manifest.json`.

use camino::Utf8PathBuf;
use xshell::Shell;

use crate::build::Build;
use crate::error::usage;
use crate::exec::Ctx;
use crate::flags::{Cli, Strategy};
use crate::plan::{Action, Cmd, ManifestEntry, Plan};
use crate::platform::{self, Libc, Os, Platform, Scope};
use crate::tools::{self, Rustc};
use crate::git;

pub const DIST_DIR: &str = "target/dist";

pub fn plan(flags: &Cli, ctx: &Ctx, sh: &Shell) -> anyhow::Result<Plan> {
    let rustc = Rustc::detect(sh)?;
    let host = Platform::from_triple(&rustc.host).map(|(p, _)| p);
    let platforms = match &flags.platforms {
        Some(list) => platform::parse_list(list, Scope::Cli)?,
        None => vec![host.ok_or_else(|| {
            usage("host", &rustc.host, "is not a platform noetl is built for", "pass --platforms explicitly")
        })?],
    };
    let commit = git::short_sha(sh);
    let host_arch = rustc.host.split('-').next().unwrap_or_default().to_string();

    let mut plan = Plan::new("cli");
    let mut manifest = Vec::new();
    for platform in platforms {
        let build = Build {
            platform,
            libc: if flags.musl { Libc::Musl } else { Libc::Gnu },
            static_crt: flags.static_crt,
            release: !flags.debug,
            explicit_target: true,
            commit: commit.clone(),
        };
        if flags.static_crt && platform.os == Os::Darwin {
            plan.note(format!("{platform}: macOS has no static libc; building it dynamically linked"));
        }
        let strategy = choose_strategy(flags, &build, &rustc, host)?;
        let triple = build.triple();
        let dist = Utf8PathBuf::from(format!("{DIST_DIR}/{}/noetl", platform.dist_dir()));
        plan.run(
            format!("build noetl for {platform} ({triple}) with {}", strategy_name(strategy)),
            build.command(strategy, &host_arch, true, &ctx.root, flags.builder_image.as_deref()),
        );
        plan.step(format!("install {dist}"), Action::Install { from: build.output(strategy), to: dist.clone() });
        plan.step(format!("check {dist} is a {platform} executable"), Action::CheckBinary { path: dist.clone(), platform });
        if host == Some(platform) {
            plan.run(format!("run {dist} --version"), Cmd::new(dist.as_str()).arg("--version"));
        }
        manifest.push(ManifestEntry { platform: platform.to_string(), triple, path: dist });
    }
    plan.step(
        format!("write {DIST_DIR}/manifest.json"),
        Action::WriteManifest { path: format!("{DIST_DIR}/manifest.json").into(), entries: manifest },
    );
    Ok(plan)
}

fn strategy_name(s: Strategy) -> &'static str {
    match s {
        Strategy::Auto | Strategy::Cargo => "cargo",
        Strategy::Cross => "cross",
        Strategy::Zigbuild => "cargo-zigbuild",
        Strategy::Container => "a builder container",
    }
}

/// What plain cargo lacks to build `build` here, or `None` when it can.
fn cargo_gap(build: &Build, rustc: &Rustc, host: Option<Platform>) -> Option<String> {
    let triple = build.triple();
    let platform = build.platform;
    if platform.os == Os::Darwin && host.map(|h| h.os) != Some(Os::Darwin) {
        return Some(format!("{triple} needs Apple's linker and SDK, which only macOS has"));
    }
    if !rustc.has_std(&triple) {
        return Some(format!("the Rust standard library for {triple} is not installed (rustup target add {triple})"));
    }
    let linker = tools::gnu_cross_linker(platform.arch.rust_name());
    let foreign = host.map(|h| h.arch) != Some(platform.arch);
    if platform.os == Os::Linux && foreign && tools::find(&linker).is_none() {
        return Some(format!("the C linker {linker} is not on PATH (apt-get install gcc-{}-linux-gnu)", platform.arch.rust_name().replace('_', "-")));
    }
    None
}

fn choose_strategy(flags: &Cli, build: &Build, rustc: &Rustc, host: Option<Platform>) -> anyhow::Result<Strategy> {
    let platform = build.platform;
    let gap = cargo_gap(build, rustc, host);
    let has_cross = tools::find("cross").is_some();
    let has_zig = tools::find("cargo-zigbuild").is_some();
    let image = flags.builder_image.is_some();
    let missing = |name: &str, fix: &str| usage("--strategy", name, &format!("cannot build {platform}: {fix}"), fix);
    match flags.strategy {
        Strategy::Cargo => match gap {
            None => Ok(Strategy::Cargo),
            Some(gap) => Err(usage("--strategy", "cargo", &format!("cannot build {platform}: {gap}"), &other_fixes(platform))),
        },
        Strategy::Cross if !has_cross => Err(missing("cross", "cargo install cross (it also needs docker)")),
        Strategy::Zigbuild if !has_zig => Err(missing("zigbuild", "cargo install cargo-zigbuild and install zig")),
        Strategy::Container if !image => Err(missing("container", "pass --builder-image IMAGE (an image with cargo and the target's std)")),
        Strategy::Cross | Strategy::Zigbuild | Strategy::Container => Ok(flags.strategy),
        Strategy::Auto => match (gap, has_cross, has_zig, image) {
            (None, ..) => Ok(Strategy::Cargo),
            (Some(_), true, _, _) if platform.os == Os::Linux => Ok(Strategy::Cross),
            (Some(_), _, true, _) => Ok(Strategy::Zigbuild),
            (Some(_), _, _, true) if platform.os == Os::Linux => Ok(Strategy::Container),
            (Some(gap), ..) => Err(usage(
                "platform",
                &platform.to_string(),
                &format!("no way to build it here: {gap}; cross and cargo-zigbuild are not on PATH and no --builder-image was given"),
                &other_fixes(platform),
            )),
        },
    }
}

fn other_fixes(platform: Platform) -> String {
    let triple = platform.triple(Libc::Gnu);
    if platform.os == Os::Darwin {
        return "build on macOS, or cargo install cargo-zigbuild (with zig and the macOS SDK)".into();
    }
    format!(
        "rustup target add {triple} and apt-get install gcc-{}-linux-gnu; or cargo install cross; or cargo install cargo-zigbuild; or pass --builder-image IMAGE (--strategy container)",
        platform.arch.rust_name().replace('_', "-")
    )
}
