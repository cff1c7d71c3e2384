//! Facts about the machine's tools, read (never changed) while planning.

use anyhow::{bail, Context};
use camino::{Utf8Path, Utf8PathBuf};
use xshell::{cmd, Shell};

/// Path of `program` on PATH, if any. Found with `which`, never assumed.
pub fn find(program: &str) -> Option<Utf8PathBuf> {
    which::which(program).ok().and_then(|p| Utf8PathBuf::from_path_buf(p).ok())
}

pub struct Rustc {
    pub host: String,
    pub release: String,
    pub sysroot: Utf8PathBuf,
}

impl Rustc {
    pub fn detect(sh: &Shell) -> anyhow::Result<Rustc> {
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let vv = cmd!(sh, "{rustc} -vV").read().context("cannot run `rustc -vV`")?;
        let field = |name: &str| vv.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_string());
        let (Some(host), Some(release)) = (field("host:"), field("release:")) else {
            bail!("`rustc -vV` printed no host/release line:\n{vv}");
        };
        let sysroot = cmd!(sh, "{rustc} --print sysroot").read().context("cannot run `rustc --print sysroot`")?;
        Ok(Rustc { host, release, sysroot: sysroot.trim().into() })
    }

    /// Whether the standard library for `triple` is installed (what `rustup target add` adds).
    pub fn has_std(&self, triple: &str) -> bool {
        has_std_in(&self.sysroot, triple)
    }
}

fn has_std_in(sysroot: &Utf8Path, triple: &str) -> bool {
    let dir = sysroot.join("lib/rustlib").join(triple).join("lib");
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("libstd-")))
        .unwrap_or(false)
}

/// The C cross linker Debian/Ubuntu name for a Linux gnu target, e.g. `aarch64-linux-gnu-gcc`.
pub fn gnu_cross_linker(rust_arch: &str) -> String {
    format!("{rust_arch}-linux-gnu-gcc")
}

/// `CARGO_TARGET_<TRIPLE>_<KEY>`: how cargo takes per-target linker and rustflags from the env.
pub fn cargo_target_env(triple: &str, key: &str) -> String {
    format!("CARGO_TARGET_{}_{key}", triple.to_ascii_uppercase().replace(['-', '.'], "_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_target_env_names() {
        assert_eq!(
            cargo_target_env("aarch64-unknown-linux-gnu", "LINKER"),
            "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER"
        );
    }

    #[test]
    fn host_std_is_installed_and_a_made_up_one_is_not() {
        let sh = Shell::new().unwrap();
        let rustc = Rustc::detect(&sh).unwrap();
        assert!(rustc.has_std(&rustc.host), "no std for the host {}", rustc.host);
        assert!(!rustc.has_std("aarch64-unknown-nonexistent"));
    }
}
