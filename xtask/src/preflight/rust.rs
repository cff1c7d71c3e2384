//! The Rust side: rustc, the standard library per target, and how a foreign target can be
//! built here (plain cargo, cross, cargo-zigbuild or a builder container). `local-bin` and
//! `cli` stop on these checks; the doctor lists them.

use xshell::Shell;

use super::Check;
use crate::build::Build;
use crate::flags::Strategy;
use crate::platform::{Libc, Os, Platform};
use crate::tools::{self, Rustc};

pub const INSTALL_RUST: &str = "install Rust with rustup (https://rustup.rs), then open a new shell";
pub const INSTALL_CROSS: &str = "cargo install cross (it also needs docker)";
pub const INSTALL_ZIGBUILD: &str = "cargo install cargo-zigbuild and install zig";

/// `rustc -vV`: the toolchain and the host triple every other Rust check starts from.
pub fn rustc(sh: &Shell) -> (Check, Option<Rustc>) {
    match Rustc::detect(sh) {
        Ok(r) => (Check::ok("rustc", format!("{} (host {})", r.release, r.host)), Some(r)),
        Err(e) => (Check::missing("rustc", format!("{e:#}"), INSTALL_RUST), None),
    }
}

/// Whether the standard library for `triple` is installed (what `rustup target add` adds).
pub fn target_std(rustc: &Rustc, triple: &str) -> Check {
    let name = format!("Rust std {triple}");
    if rustc.has_std(triple) {
        return Check::ok(name, format!("installed (rustc {})", rustc.release));
    }
    let fix = match Platform::from_triple(triple) {
        Some((platform, _)) => format!(
            "rustup target add {triple}, or build it with `cargo xtask cli --platforms {platform} --strategy cross|zigbuild|container`"
        ),
        None => format!("rustup target add {triple}"),
    };
    Check::missing(name, format!("the Rust standard library for it is not installed (rustc {})", rustc.release), fix)
}

/// What plain cargo lacks to build `build` here, or `None` when it can.
pub fn cargo_gap(build: &Build, rustc: &Rustc, host: Option<Platform>) -> Option<String> {
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
        return Some(format!("the C linker {linker} is not on PATH (apt-get install {})", gcc_package(platform)));
    }
    None
}

fn gcc_package(platform: Platform) -> String {
    format!("gcc-{}-linux-gnu", platform.arch.rust_name().replace('_', "-"))
}

/// Every way to build `platform` when plain cargo cannot, for the fix of a failed route.
pub fn other_fixes(platform: Platform) -> String {
    let triple = platform.triple(Libc::Gnu);
    if platform.os == Os::Darwin {
        return "build on macOS, or cargo install cargo-zigbuild (with zig and the macOS SDK)".into();
    }
    format!(
        "rustup target add {triple} and apt-get install {}; or cargo install cross; or cargo install cargo-zigbuild; or pass --builder-image IMAGE (--strategy container)",
        gcc_package(platform)
    )
}

/// The route `--strategy auto` takes for `build`: plain cargo when it can, else cross,
/// cargo-zigbuild, or a builder container when an image is given; else the ✖ that says why.
pub fn auto_route(
    build: &Build,
    rustc: &Rustc,
    host: Option<Platform>,
    builder_image: Option<&str>,
) -> Result<Strategy, Check> {
    let platform = build.platform;
    let linux = platform.os == Os::Linux;
    match cargo_gap(build, rustc, host) {
        None => Ok(Strategy::Cargo),
        Some(_) if linux && tools::find("cross").is_some() => Ok(Strategy::Cross),
        Some(_) if tools::find("cargo-zigbuild").is_some() => Ok(Strategy::Zigbuild),
        Some(_) if linux && builder_image.is_some() => Ok(Strategy::Container),
        Some(gap) => Err(Check::missing(
            format!("build {platform}"),
            format!("no way to build it here: {gap}; cross and cargo-zigbuild are not on PATH and no --builder-image was given"),
            other_fixes(platform),
        )),
    }
}
