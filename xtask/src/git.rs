//! What git says about the checkout: the commit a build comes from.

use xshell::{cmd, Shell};

/// Short commit of HEAD, `unknown` outside a git checkout or before the first commit.
pub fn short_sha(sh: &Shell) -> String {
    rev_parse(sh, &["--short=7", "HEAD"])
}

/// Full commit of HEAD (for the `org.opencontainers.image.revision` label), `unknown` outside a checkout.
pub fn full_sha(sh: &Shell) -> String {
    rev_parse(sh, &["HEAD"])
}

/// Whether tracked files differ from HEAD (tags of a dirty tree get a `-dirty` suffix).
pub fn is_dirty(sh: &Shell) -> bool {
    cmd!(sh, "git status --porcelain --untracked-files=no")
        .quiet()
        .ignore_stderr()
        .read()
        .map(|s| !s.trim().is_empty())
        .unwrap_or(false)
}

fn rev_parse(sh: &Shell, args: &[&str]) -> String {
    cmd!(sh, "git rev-parse {args...}")
        .quiet()
        .ignore_stderr()
        .read()
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}
