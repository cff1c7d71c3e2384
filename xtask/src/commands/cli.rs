//! `cargo xtask cli`: build `noetl` for every requested platform into
//! `target/dist/<os>/<arch>/noetl` (the `$TARGETPLATFORM` layout Dockerfiles `COPY`
//! from) and record them in `target/dist/manifest.json`.

use camino::Utf8PathBuf;
use xshell::Shell;

use crate::build::Build;
use crate::error::usage;
use crate::exec::Ctx;
use crate::flags::{Cli, Strategy};
use crate::git;
use crate::plan::{Action, Cmd, ManifestEntry, Plan};
use crate::platform::{self, Libc, Os, Platform, Scope};
use crate::preflight::rust;
use crate::tools::{self, Rustc};

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
        plan.step(
            format!("check {dist} is a {platform} executable"),
            Action::CheckBinary { path: dist.clone(), platform },
        );
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

pub fn strategy_name(s: Strategy) -> &'static str {
    match s {
        Strategy::Auto | Strategy::Cargo => "cargo",
        Strategy::Cross => "cross",
        Strategy::Zigbuild => "cargo-zigbuild",
        Strategy::Container => "a builder container",
    }
}

fn choose_strategy(flags: &Cli, build: &Build, rustc: &Rustc, host: Option<Platform>) -> anyhow::Result<Strategy> {
    let platform = build.platform;
    let missing =
        |name: &str, why: &str, fix: &str| usage("--strategy", name, &format!("cannot build {platform}: {why}"), fix);
    match flags.strategy {
        Strategy::Cargo => match rust::cargo_gap(build, rustc, host) {
            None => Ok(Strategy::Cargo),
            Some(gap) => Err(missing("cargo", &gap, &rust::other_fixes(platform))),
        },
        Strategy::Cross if tools::find("cross").is_none() => {
            Err(missing("cross", "cross is not on PATH", rust::INSTALL_CROSS))
        }
        Strategy::Zigbuild if tools::find("cargo-zigbuild").is_none() => {
            Err(missing("zigbuild", "cargo-zigbuild is not on PATH", rust::INSTALL_ZIGBUILD))
        }
        Strategy::Container if flags.builder_image.is_none() => Err(missing(
            "container",
            "no builder image given",
            "pass --builder-image IMAGE or set NOETL_BUILDER_IMAGE (an image with cargo and the target's std)",
        )),
        Strategy::Cross | Strategy::Zigbuild | Strategy::Container => Ok(flags.strategy),
        Strategy::Auto => rust::auto_route(build, rustc, host, flags.builder_image.as_deref())
            .map_err(|check| check.error_for("platform", &platform.to_string())),
    }
}
