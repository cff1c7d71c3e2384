//! The tags a published image gets from git, computed here once for local runs and CI
//! alike (never by shell in a workflow): the short commit always (`-dirty` with uncommitted
//! changes); the branch name on a branch; `X.Y.Z`, `X.Y` and `X` for a `vX.Y.Z` tag (the
//! full version alone for a pre-release); `latest` only on the default branch.
//!
//! A build tags the commit alone ([`commit_tag`]); `image merge --from-metadata` publishes
//! the index with all of [`tags`]; `image verify` without REF looks for the commit tag.

use xshell::{cmd, Shell};

use crate::commands::image::names;
use crate::git;

/// Where the checkout is, as far as tags are concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitRef {
    pub short_sha: String,
    /// Tracked files differ from the commit.
    pub dirty: bool,
    pub at: At,
    pub default_branch: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    Branch(String),
    Tag(String),
    /// A detached HEAD, a pull request's merge ref: only the commit names it.
    Commit,
}

/// Reads the ref from GitHub Actions' environment when there (a tag push checks out a
/// detached HEAD, so git alone cannot tell), else from git.
pub fn read(sh: &Shell) -> GitRef {
    let default_branch = github_default_branch().or_else(|| origin_head(sh)).unwrap_or_else(|| "main".into());
    let at = github_ref().unwrap_or_else(|| git_ref(sh));
    GitRef { short_sha: git::short_sha(sh), dirty: git::is_dirty(sh), at, default_branch }
}

/// The tag naming the commit: the short sha, `-dirty` when the tree has uncommitted changes
/// (an image built from them is not that commit).
pub fn commit_tag(short_sha: &str, dirty: bool) -> String {
    if dirty {
        format!("{short_sha}-dirty")
    } else {
        short_sha.to_string()
    }
}

fn github_ref() -> Option<At> {
    if std::env::var("GITHUB_ACTIONS").ok()? != "true" {
        return None;
    }
    let name = std::env::var("GITHUB_REF_NAME").ok().filter(|n| !n.is_empty());
    Some(match (std::env::var("GITHUB_REF_TYPE").ok().as_deref(), name) {
        (Some("branch"), Some(name)) if !std::env::var("GITHUB_REF").unwrap_or_default().starts_with("refs/pull/") => {
            At::Branch(name)
        }
        (Some("tag"), Some(name)) => At::Tag(name),
        _ => At::Commit,
    })
}

/// `repository.default_branch` of the event that started the workflow.
fn github_default_branch() -> Option<String> {
    let path = std::env::var("GITHUB_EVENT_PATH").ok()?;
    let event: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    event["repository"]["default_branch"].as_str().map(String::from)
}

fn origin_head(sh: &Shell) -> Option<String> {
    let head = cmd!(sh, "git symbolic-ref --short refs/remotes/origin/HEAD").quiet().ignore_stderr().read().ok()?;
    head.strip_prefix("origin/").map(String::from)
}

fn git_ref(sh: &Shell) -> At {
    let read = |c: xshell::Cmd| c.quiet().ignore_stderr().read().ok().filter(|s| !s.is_empty());
    if let Some(tag) = read(cmd!(sh, "git describe --tags --exact-match HEAD")) {
        return At::Tag(tag);
    }
    read(cmd!(sh, "git symbolic-ref --short -q HEAD")).map_or(At::Commit, At::Branch)
}

/// The tags, in order, each valid for Docker, and notes on any that were rewritten.
pub fn tags(r: &GitRef) -> (Vec<String>, Vec<String>) {
    let mut tags = vec![commit_tag(&r.short_sha, r.dirty)];
    let mut notes = Vec::new();
    if r.dirty {
        notes.push(format!("the work tree has uncommitted changes: tagging {}", tags[0]));
    }
    match &r.at {
        At::Branch(branch) => {
            let tag = sanitise(branch);
            if tag != *branch {
                notes.push(format!("branch '{branch}' is tagged '{tag}' (Docker tags allow only [A-Za-z0-9_.-])"));
            }
            tags.push(tag);
            if *branch == r.default_branch {
                tags.push("latest".into());
            }
        }
        At::Tag(tag) => match semver(tag) {
            Some(v) => {
                let (full, note) = names::check_tag(&v.full).unwrap_or_else(|_| (sanitise(&v.full), None));
                notes.extend(note);
                tags.push(full);
                if !v.prerelease {
                    tags.push(format!("{}.{}", v.major, v.minor));
                    // `0` would name every pre-1.0 release at once: not a useful tag.
                    if v.major > 0 {
                        tags.push(v.major.to_string());
                    }
                }
            }
            None => tags.push(sanitise(tag)),
        },
        At::Commit => {}
    }
    let mut unique = Vec::new();
    for tag in tags {
        if !unique.contains(&tag) {
            unique.push(tag);
        }
    }
    (unique, notes)
}

struct Semver {
    major: u64,
    minor: u64,
    /// `X.Y.Z[-pre][+build]` without the leading `v`.
    full: String,
    prerelease: bool,
}

/// `vX.Y.Z`, `X.Y.Z`, with optional `-pre` and `+build`; anything else is not a release.
fn semver(tag: &str) -> Option<Semver> {
    let full = tag.strip_prefix('v').unwrap_or(tag);
    let core_end = full.find(['-', '+']).unwrap_or(full.len());
    let numbers: Vec<u64> = full[..core_end].split('.').map(|n| n.parse().ok()).collect::<Option<_>>()?;
    let [major, minor, _patch] = numbers[..] else { return None };
    Some(Semver { major, minor, full: full.to_string(), prerelease: full[core_end..].starts_with('-') })
}

/// A git name as a Docker tag: other characters become `-`, no leading `.`/`-`, ≤128 chars.
fn sanitise(name: &str) -> String {
    let replaced: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "_.-".contains(c) { c } else { '-' }).collect();
    let trimmed = replaced.trim_start_matches(['.', '-']);
    let tag = if trimmed.is_empty() { "ref" } else { trimmed };
    tag.chars().take(names::MAX_TAG_LEN).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(at: At) -> Vec<String> {
        tags(&GitRef { short_sha: "3f2a1bc".into(), dirty: false, at, default_branch: "main".into() }).0
    }

    #[test]
    fn a_dirty_tree_tags_the_commit_dirty_and_says_so() {
        let r = GitRef { short_sha: "3f2a1bc".into(), dirty: true, at: At::Commit, default_branch: "main".into() };
        let (tags, notes) = tags(&r);
        assert_eq!(tags, ["3f2a1bc-dirty"]);
        assert!(notes[0].contains("uncommitted changes: tagging 3f2a1bc-dirty"), "{notes:?}");
        assert_eq!(commit_tag("3f2a1bc", false), "3f2a1bc");
    }

    #[test]
    fn latest_only_on_the_default_branch() {
        assert_eq!(at(At::Branch("main".into())), ["3f2a1bc", "main", "latest"]);
        assert_eq!(at(At::Branch("dev".into())), ["3f2a1bc", "dev"]);
        assert_eq!(at(At::Commit), ["3f2a1bc"]);
    }

    #[test]
    fn release_tags_give_semver_tags() {
        assert_eq!(at(At::Tag("v1.2.3".into())), ["3f2a1bc", "1.2.3", "1.2", "1"]);
        assert_eq!(at(At::Tag("0.4.0".into())), ["3f2a1bc", "0.4.0", "0.4"]);
        assert_eq!(at(At::Tag("v2.0.0-rc.1".into())), ["3f2a1bc", "2.0.0-rc.1"]);
        assert_eq!(at(At::Tag("v1.2.3+build.7".into())), ["3f2a1bc", "1.2.3_build.7", "1.2", "1"]);
        assert_eq!(at(At::Tag("nightly".into())), ["3f2a1bc", "nightly"]);
        assert_eq!(at(At::Tag("v1.2".into())), ["3f2a1bc", "v1.2"], "not semver: the tag name as is");
    }

    #[test]
    fn branch_names_become_valid_tags_and_say_so() {
        let r = GitRef {
            short_sha: "abc1234".into(),
            dirty: false,
            at: At::Branch("feature/Login+x".into()),
            default_branch: "main".into(),
        };
        let (tags, notes) = tags(&r);
        assert_eq!(tags, ["abc1234", "feature-Login-x"]);
        assert!(notes[0].contains("'feature/Login+x' is tagged 'feature-Login-x'"), "{notes:?}");
        assert_eq!(sanitise("--x"), "x");
        assert_eq!(sanitise("///"), "ref");
        assert_eq!(sanitise(&"a".repeat(300)).len(), 128);
        for name in ["feature/Login+x", ".hidden", "ü-ber", "release/1.0"] {
            names::check_tag(&sanitise(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
