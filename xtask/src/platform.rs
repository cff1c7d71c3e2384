//! Platforms as Docker users write them (`linux/arm64`) and what they mean for Rust
//! (target triples) and for Dockerfiles (`$TARGETPLATFORM`).

use std::fmt;

use crate::error::usage;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Os {
    Linux,
    Darwin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    Amd64,
    Arm64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Platform {
    pub os: Os,
    pub arch: Arch,
}

/// Which C library a Linux binary links against, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Libc {
    Gnu,
    Musl,
}

/// Where a platform list is used: images are Linux-only, the CLI also builds for macOS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Cli,
    Image,
}

pub const ALL: [Platform; 4] = [
    Platform { os: Os::Linux, arch: Arch::Amd64 },
    Platform { os: Os::Linux, arch: Arch::Arm64 },
    Platform { os: Os::Darwin, arch: Arch::Amd64 },
    Platform { os: Os::Darwin, arch: Arch::Arm64 },
];

impl Os {
    pub fn as_str(self) -> &'static str {
        match self {
            Os::Linux => "linux",
            Os::Darwin => "darwin",
        }
    }
}

impl Arch {
    /// Docker/Go name: `amd64`, `arm64`.
    pub fn as_str(self) -> &'static str {
        match self {
            Arch::Amd64 => "amd64",
            Arch::Arm64 => "arm64",
        }
    }
    /// Rust/uname name: `x86_64`, `aarch64` (what `noetl --version` reports).
    pub fn rust_name(self) -> &'static str {
        match self {
            Arch::Amd64 => "x86_64",
            Arch::Arm64 => "aarch64",
        }
    }
}

impl Platform {
    pub const LINUX_AMD64: Platform = Platform { os: Os::Linux, arch: Arch::Amd64 };
    pub const LINUX_ARM64: Platform = Platform { os: Os::Linux, arch: Arch::Arm64 };

    pub fn supported_in(self, scope: Scope) -> bool {
        scope == Scope::Cli || self.os == Os::Linux
    }

    /// The Rust target triple. `libc` matters only on Linux.
    pub fn triple(self, libc: Libc) -> String {
        let arch = self.arch.rust_name();
        match (self.os, libc) {
            (Os::Linux, Libc::Gnu) => format!("{arch}-unknown-linux-gnu"),
            (Os::Linux, Libc::Musl) => format!("{arch}-unknown-linux-musl"),
            (Os::Darwin, _) => format!("{arch}-apple-darwin"),
        }
    }

    /// The inverse of [`Platform::triple`], for the triples this project builds.
    pub fn from_triple(triple: &str) -> Option<(Platform, Libc)> {
        let mut parts = triple.split('-');
        let arch = match parts.next()? {
            "x86_64" => Arch::Amd64,
            "aarch64" => Arch::Arm64,
            _ => return None,
        };
        let rest: Vec<&str> = parts.collect();
        match rest.as_slice() {
            ["unknown", "linux", "gnu"] => Some((Platform { os: Os::Linux, arch }, Libc::Gnu)),
            ["unknown", "linux", "musl"] => Some((Platform { os: Os::Linux, arch }, Libc::Musl)),
            ["apple", "darwin"] => Some((Platform { os: Os::Darwin, arch }, Libc::Gnu)),
            _ => None,
        }
    }

    /// `$TARGETPLATFORM` as a relative path: where `cargo xtask cli` puts the binary
    /// (`target/dist/linux/arm64/noetl`) so a Dockerfile can `COPY` it.
    pub fn dist_dir(self) -> String {
        format!("{}/{}", self.os.as_str(), self.arch.as_str())
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os.as_str(), self.arch.as_str())
    }
}

fn supported_list(scope: Scope) -> String {
    ALL.iter().filter(|p| p.supported_in(scope)).map(|p| p.to_string()).collect::<Vec<_>>().join(", ")
}

/// Parse one platform, accepting the spellings people use with `docker buildx --platform`:
/// any case, `x86_64`/`x86-64` for amd64, `aarch64`/`arm64/v8` for arm64, `macos` for darwin,
/// and a bare architecture meaning Linux.
pub fn parse_one(raw: &str, scope: Scope) -> anyhow::Result<Platform> {
    let lower = raw.trim().to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    let (os, arch, variant) = match parts.as_slice() {
        [arch] => ("linux", *arch, None),
        [os, arch] => (*os, *arch, None),
        [os, arch, variant] => (*os, *arch, Some(*variant)),
        _ => ("", "", None),
    };
    let os = match os {
        "linux" => Some(Os::Linux),
        "darwin" | "macos" => Some(Os::Darwin),
        _ => None,
    };
    let arch = match (arch, variant) {
        ("amd64" | "x86_64" | "x86-64", None) => Some(Arch::Amd64),
        ("arm64" | "aarch64", None | Some("v8")) | ("arm64v8", None) => Some(Arch::Arm64),
        _ => None,
    };
    let supported = supported_list(scope);
    match (os, arch) {
        (Some(os), Some(arch)) if (Platform { os, arch }).supported_in(scope) => Ok(Platform { os, arch }),
        (Some(os), Some(arch)) => Err(usage(
            "platform",
            raw.trim(),
            &format!("{} images are not built (images are Linux only); supported: {supported}", Platform { os, arch }),
            "build the CLI for it with `cargo xtask cli --platforms ...`, or pick a linux platform",
        )),
        _ => Err(usage(
            "platform",
            raw.trim(),
            &format!("not a supported platform; supported: {supported}"),
            &format!("pass --platforms with values from: {supported}"),
        )),
    }
}

/// Parse a comma-separated list: whitespace trimmed, duplicates dropped (first one kept).
pub fn parse_list(raw: &str, scope: Scope) -> anyhow::Result<Vec<Platform>> {
    let mut out: Vec<Platform> = Vec::new();
    for item in raw.split(',') {
        if item.trim().is_empty() {
            let why = if raw.trim().is_empty() { "the list is empty" } else { "the list has an empty entry" };
            return Err(usage(
                "--platforms",
                raw,
                why,
                &format!("pass a comma-separated list such as {}", supported_list(scope).replace(", ", ",")),
            ));
        }
        let platform = parse_one(item, scope)?;
        if !out.contains(&platform) {
            out.push(platform);
        }
    }
    Ok(out)
}

pub fn join(platforms: &[Platform]) -> String {
    platforms.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::UsageError;

    fn list(s: &str) -> Vec<String> {
        parse_list(s, Scope::Cli).unwrap().iter().map(|p| p.to_string()).collect()
    }

    fn err(s: &str, scope: Scope) -> String {
        let e = parse_list(s, scope).unwrap_err();
        assert!(e.downcast_ref::<UsageError>().is_some(), "not a usage error: {e}");
        e.to_string()
    }

    #[test]
    fn parses_docker_spellings() {
        assert_eq!(list("linux/amd64,linux/arm64"), ["linux/amd64", "linux/arm64"]);
        assert_eq!(list("linux/x86_64"), ["linux/amd64"]);
        assert_eq!(list("linux/aarch64"), ["linux/arm64"]);
        assert_eq!(list("linux/arm64/v8"), ["linux/arm64"]);
        assert_eq!(list("arm64"), ["linux/arm64"]);
        assert_eq!(list("darwin/arm64,macos/x86_64"), ["darwin/arm64", "darwin/amd64"]);
    }

    #[test]
    fn trims_spaces_ignores_case_and_drops_duplicates_keeping_order() {
        assert_eq!(list(" Linux/ARM64 , linux/amd64,linux/aarch64 "), ["linux/arm64", "linux/amd64"]);
        assert_eq!(list("linux/amd64,LINUX/AMD64,linux/x86_64"), ["linux/amd64"]);
    }

    #[test]
    fn rejects_unknown_and_empty_with_the_value_and_the_supported_list() {
        let e = err("linux/amd64,linux/riscv64", Scope::Cli);
        assert!(e.contains("'linux/riscv64'") && e.contains("linux/arm64") && e.contains("fix:"), "{e}");
        assert!(err("", Scope::Cli).contains("empty"));
        assert!(err("  ", Scope::Cli).contains("empty"));
        assert!(err("linux/amd64,,linux/arm64", Scope::Cli).contains("empty entry"));
        assert!(err("linux/arm/v7", Scope::Cli).contains("'linux/arm/v7'"));
        assert!(err("windows/amd64", Scope::Cli).contains("'windows/amd64'"));
    }

    #[test]
    fn darwin_is_for_the_cli_only() {
        let e = err("darwin/arm64", Scope::Image);
        assert!(e.contains("Linux only") && e.contains("cargo xtask cli"), "{e}");
        assert_eq!(parse_list("linux/arm64", Scope::Image).unwrap(), [Platform::LINUX_ARM64]);
    }

    #[test]
    fn maps_to_triples_and_back() {
        let cases = [
            ("linux/amd64", Libc::Gnu, "x86_64-unknown-linux-gnu"),
            ("linux/amd64", Libc::Musl, "x86_64-unknown-linux-musl"),
            ("linux/arm64", Libc::Gnu, "aarch64-unknown-linux-gnu"),
            ("linux/arm64", Libc::Musl, "aarch64-unknown-linux-musl"),
            ("darwin/amd64", Libc::Gnu, "x86_64-apple-darwin"),
            ("darwin/arm64", Libc::Gnu, "aarch64-apple-darwin"),
        ];
        for (platform, libc, triple) in cases {
            let p = parse_one(platform, Scope::Cli).unwrap();
            assert_eq!(p.triple(libc), triple);
            assert_eq!(Platform::from_triple(triple), Some((p, libc)));
        }
        assert_eq!(Platform::from_triple("riscv64gc-unknown-linux-gnu"), None);
        assert_eq!(Platform::from_triple("x86_64-pc-windows-msvc"), None);
    }

    #[test]
    fn dist_dir_is_targetplatform() {
        assert_eq!(Platform::LINUX_ARM64.dist_dir(), "linux/arm64");
    }
}
