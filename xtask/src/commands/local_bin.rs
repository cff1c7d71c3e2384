//! `cargo xtask local-bin`: build `noetl` for this machine and install it to `bin/noetl`.

use xshell::Shell;

use crate::build::Build;
use crate::error::usage;
use crate::exec::Ctx;
use crate::flags::{LocalBin, Strategy};
use crate::plan::{Action, Cmd, Plan};
use crate::platform::Platform;
use crate::tools::Rustc;
use crate::{git, platform, preflight};

pub const INSTALL_PATH: &str = "bin/noetl";

pub fn plan(flags: &LocalBin, ctx: &Ctx, sh: &Shell) -> anyhow::Result<Plan> {
    let rustc = Rustc::detect(sh)?;
    let triple = flags.target.clone().unwrap_or_else(|| rustc.host.clone());
    let Some((target_platform, libc)) = Platform::from_triple(&triple) else {
        let known: Vec<String> = platform::ALL.iter().map(|p| p.triple(platform::Libc::Gnu)).collect();
        return Err(usage(
            "--target",
            &triple,
            "not a target noetl is built for",
            &format!("use one of {}, or x86_64/aarch64 -unknown-linux-musl", known.join(", ")),
        ));
    };
    preflight::rust::target_std(&rustc, &triple).require_for("--target", &triple)?;
    let host = Platform::from_triple(&rustc.host).map(|(p, _)| p);
    let build = Build {
        platform: target_platform,
        libc,
        static_crt: false,
        release: !flags.debug,
        explicit_target: flags.target.is_some(),
        commit: git::short_sha(sh),
    };
    let host_arch = rustc.host.split('-').next().unwrap_or_default();

    let mut plan = Plan::new("local-bin");
    plan.run(format!("build noetl for {triple}"), build.command(Strategy::Cargo, host_arch, false, &ctx.root, None));
    plan.step(
        format!("install {INSTALL_PATH}"),
        Action::Install { from: build.output(Strategy::Cargo), to: INSTALL_PATH.into() },
    );
    plan.step(
        format!("check {INSTALL_PATH} is a {target_platform} executable"),
        Action::CheckBinary { path: INSTALL_PATH.into(), platform: target_platform },
    );
    if host == Some(target_platform) {
        plan.run(format!("run {INSTALL_PATH} --version"), Cmd::new(INSTALL_PATH).arg("--version"));
    } else {
        plan.note(format!("{INSTALL_PATH} is for {target_platform}, not this machine: not running it"));
    }
    Ok(plan)
}
