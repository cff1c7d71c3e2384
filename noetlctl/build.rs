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
    // Rebuild when HEAD moves (a checkout or a commit on the current branch), so the
    // commit never goes stale in incremental builds.
    for file in ["HEAD", "packed-refs"] {
        if let Some(path) = git(&["rev-parse", "--git-path", file]) {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        if let Some(path) = git(&["rev-parse", "--git-path", &branch]) {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    git(&["rev-parse", "--short=7", "HEAD"])
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}
