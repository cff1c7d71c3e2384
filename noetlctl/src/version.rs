//! The identity of this build, as printed by `noetl --version` and reported by `/api/health`.

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub const COMMIT: &str = env!("NOETL_GIT_COMMIT");
pub const TARGET: &str = env!("NOETL_TARGET");

/// `noetl 0.1.0 (3f2a1bc, aarch64-unknown-linux-gnu)`
pub fn long() -> String {
    format!("noetl {VERSION} ({COMMIT}, {TARGET})")
}

/// The CPU architecture part of the target triple (`x86_64`, `aarch64`).
pub fn arch() -> &'static str {
    TARGET.split('-').next().unwrap_or("unknown")
}
