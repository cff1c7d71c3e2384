//! Bakes the build's identity into the binary: the target triple cargo compiles for,
//! and the git commit (from `NOETL_GIT_COMMIT`, set by the xtask and by Docker builds
//! where no `.git` exists, else from `git`, else `unknown`).
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=NOETL_GIT_COMMIT");
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=NOETL_TARGET={target}");

    let commit = std::env::var("NOETL_GIT_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=NOETL_GIT_COMMIT={}", commit.trim());
}

fn git_commit() -> Option<String> {
    let top = Command::new("git").args(["rev-parse", "--show-toplevel"]).output().ok()?;
    if !top.status.success() {
        return None;
    }
    let top = String::from_utf8(top.stdout).ok()?;
    // Rebuild when HEAD moves, so the commit never goes stale in incremental builds.
    println!("cargo:rerun-if-changed={}/.git/HEAD", top.trim());
    let out = Command::new("git").args(["rev-parse", "--short=7", "HEAD"]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}
