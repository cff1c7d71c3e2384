//! Steps only image plans have: docker commands whose output the executor reads (cached
//! steps, known failures), and checks of inputs and results (static binaries, the UI,
//! the pushed index, a smoke run per platform).

use camino::Utf8PathBuf;
use serde_json::{json, Value};

use super::{quote, Action, Cmd};
use crate::platform::Platform;

#[derive(Debug, Clone, PartialEq)]
pub enum ImageAction {
    /// Run a docker command with its output streamed, counting build steps reported as
    /// `CACHED`, and turning failures buildx explains badly into one-line errors with a fix.
    Docker(Cmd),
    /// Fail unless `path` is a statically linked executable for `platform` (a `FROM
    /// scratch` image has no dynamic loader).
    StaticBinary { path: Utf8PathBuf, platform: Platform },
    /// Fail unless `dir/index.html` exists: the built web UI an image copies.
    UiDir(Utf8PathBuf),
    /// Run `cmd` (`docker buildx imagetools inspect --raw REF`) and fail unless the index it
    /// prints has a manifest for every platform.
    VerifyIndex { cmd: Cmd, platforms: Vec<Platform> },
    /// Run `cmd` (`docker run … --platform P REF --version`) and fail unless the binary
    /// reports `platform`'s architecture; warn when its commit is not `commit`.
    Smoke { cmd: Cmd, platform: Platform, commit: String },
    /// Run `step`, whose command names the untagged `repo`, on `repo@DIGEST`, DIGEST being
    /// what buildx recorded in `metadata` when an earlier step pushed the image by digest:
    /// such an image has no tag, and its digest exists only once that push has run.
    ByDigest { metadata: Utf8PathBuf, repo: String, step: Box<ImageAction> },
}

impl ImageAction {
    /// This step with every argument equal to `from` in its command replaced by `to`.
    pub fn renamed(&self, from: &str, to: &str) -> ImageAction {
        let cmd = |c: &Cmd| Cmd {
            args: c.args.iter().map(|a| if a == from { to.to_string() } else { a.clone() }).collect(),
            ..c.clone()
        };
        match self {
            ImageAction::Docker(c) => ImageAction::Docker(cmd(c)),
            ImageAction::VerifyIndex { cmd: c, platforms } => {
                ImageAction::VerifyIndex { cmd: cmd(c), platforms: platforms.clone() }
            }
            ImageAction::Smoke { cmd: c, platform, commit } => {
                ImageAction::Smoke { cmd: cmd(c), platform: *platform, commit: commit.clone() }
            }
            ImageAction::StaticBinary { .. } | ImageAction::UiDir(_) | ImageAction::ByDigest { .. } => self.clone(),
        }
    }
}

impl ImageAction {
    pub(super) fn shell(&self) -> String {
        match self {
            ImageAction::Docker(cmd) => cmd.shell_line(),
            ImageAction::StaticBinary { path, platform } => {
                format!("# check: {path} is a static executable for {platform} (read from its ELF header)")
            }
            ImageAction::UiDir(dir) => format!("test -f {}", quote(&format!("{dir}/index.html"))),
            ImageAction::VerifyIndex { cmd, platforms } => {
                let list: Vec<String> = platforms.iter().map(|p| p.to_string()).collect();
                format!("{} # must list {}", cmd.shell_line(), list.join(", "))
            }
            ImageAction::Smoke { cmd, platform, .. } => {
                format!("{} # must report {}", cmd.shell_line(), platform.arch.rust_name())
            }
            ImageAction::ByDigest { metadata, repo, step } => {
                let repo = quote(repo);
                format!(
                    "digest=$(jq -r '.\"containerimage.digest\"' {}) # recorded by the push above\n{}",
                    quote(metadata.as_str()),
                    step.shell().replacen(&format!(" {repo} "), &format!(" {repo}@\"$digest\" "), 1)
                )
            }
        }
    }

    pub(super) fn to_json(&self) -> Value {
        let run = |kind: &str, cmd: &Cmd| {
            let mut v = Action::Run(cmd.clone()).to_json();
            v["kind"] = json!(kind);
            v
        };
        match self {
            ImageAction::Docker(cmd) => run("docker", cmd),
            ImageAction::StaticBinary { path, platform } => {
                json!({"kind": "check_static_binary", "path": path.as_str(), "platform": platform.to_string()})
            }
            ImageAction::UiDir(dir) => json!({"kind": "check_ui_dir", "path": dir.as_str()}),
            ImageAction::VerifyIndex { cmd, platforms } => {
                let mut v = run("verify_index", cmd);
                v["platforms"] = json!(platforms.iter().map(|p| p.to_string()).collect::<Vec<_>>());
                v
            }
            ImageAction::Smoke { cmd, platform, commit } => {
                let mut v = run("smoke", cmd);
                v["platform"] = json!(platform.to_string());
                v["expect_arch"] = json!(platform.arch.rust_name());
                v["expect_commit"] = json!(commit);
                v
            }
            ImageAction::ByDigest { metadata, repo, step } => {
                json!({"kind": "by_digest", "metadata": metadata.as_str(), "repo": repo, "step": step.to_json()})
            }
        }
    }
}
