//! `cargo xtask kind-load`: build the `noetl-local-dev` image for the kind nodes' platform
//! (the host's by default) with the same plans as `ui`, `cli --static` and `image --load`,
//! then `kind load docker-image` it into the cluster.
//!
//! Preflight reads each node's architecture: an image of another architecture would load
//! fine and then fail in the pod with "exec format error", so that is refused up front.

use xshell::{cmd, Shell};

use super::image;
use crate::error::usage;
use crate::exec::{Ctx, Mode};
use crate::flags::KindLoad;
use crate::plan::{Cmd, Plan};
use crate::platform::{self, Arch, Platform, Scope};
use crate::preflight::docker;
use crate::{ci_tags, git, tools};

const INSTALL_KIND: &str = "install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation, \
     e.g. `go install sigs.k8s.io/kind@latest`) and create a cluster with `kind create cluster`";

pub fn plan(flags: &KindLoad, ctx: &Ctx, sh: &Shell) -> anyhow::Result<Plan> {
    let facts = docker::facts(sh, None);
    facts.docker_check().require()?;
    facts.daemon_check().require()?;
    let platform = match &flags.platform {
        Some(raw) => platform::parse_one(raw, Scope::Image)?,
        // kind's nodes are containers of this daemon: its platform is the host's for them.
        None => {
            let daemon = facts.daemon.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
            platform::parse_one(&daemon.platform, Scope::Image)?
        }
    };

    let mut plan = Plan::new("kind-load");
    let kind = match tools::find("kind") {
        Some(kind) => {
            let docker = facts.docker.as_ref().expect("docker_check passed");
            let nodes = nodes(sh, kind.as_str(), &flags.cluster)?;
            for node in &nodes {
                let machine = cmd!(sh, "{docker} exec {node} uname -m").quiet().read().map_err(|e| {
                    usage(
                        "kind node",
                        node,
                        &format!("cannot read its architecture ({e})"),
                        "check the cluster with `kind get nodes`",
                    )
                })?;
                check_node_arch(&flags.cluster, node, machine.trim(), platform)?;
            }
            plan.note(format!(
                "kind cluster '{}': {} node(s), all {}",
                flags.cluster,
                nodes.len(),
                platform.arch.rust_name()
            ));
            kind.to_string()
        }
        // A dry run still shows the whole plan; running it needs kind.
        None if ctx.mode != Mode::Run => {
            plan.note(format!(
                "kind is not on PATH, so the node architecture was not checked; a real run stops here: {INSTALL_KIND}"
            ));
            "kind".to_string()
        }
        None => {
            return Err(usage(
                "tool",
                "kind",
                "not found on PATH; needed to load images into a kind cluster",
                INSTALL_KIND,
            ))
        }
    };

    // Exactly what these commands would do when typed, defaults and environment included.
    let p = platform.to_string();
    let image_plan = super::plan_of(&["image", "--image", "dev", "--platforms", &p, "--load"], ctx, sh)?;
    // The tag `image` always gives a build: the commit's.
    let reference = format!("{}:{}", image::DEV.name, ci_tags::commit_tag(&git::short_sha(sh), git::is_dirty(sh)));
    plan.extend(image_plan);
    plan.run(
        format!("load {reference} into kind cluster '{}'", flags.cluster),
        Cmd::new(kind).args(["load", "docker-image", reference.as_str(), "--name", flags.cluster.as_str()]),
    );
    plan.note(format!(
        "then: kubectl apply -f deploy/k8s/noetl-server.yaml && kubectl set image deployment/noetl-server server={reference}"
    ));
    Ok(plan)
}

/// The node containers of `cluster`; none means there is no such cluster.
fn nodes(sh: &Shell, kind: &str, cluster: &str) -> anyhow::Result<Vec<String>> {
    let out = cmd!(sh, "{kind} get nodes --name {cluster}").quiet().ignore_stderr().read().unwrap_or_default();
    let nodes: Vec<String> = out.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
    if nodes.is_empty() {
        return Err(usage(
            "--cluster",
            cluster,
            "no kind cluster of that name has nodes",
            &format!("create it with `kind create cluster --name {cluster}`, or pick one from `kind get clusters`"),
        ));
    }
    Ok(nodes)
}

/// Refuses a node whose `uname -m` is not the image's architecture (the "kind cluster
/// architecture mismatch" case), naming both.
fn check_node_arch(cluster: &str, node: &str, machine: &str, image: Platform) -> anyhow::Result<()> {
    let node_arch = match machine {
        "x86_64" | "amd64" => Some(Arch::Amd64),
        "aarch64" | "arm64" => Some(Arch::Arm64),
        _ => None,
    };
    match node_arch {
        Some(arch) if arch == image.arch => Ok(()),
        Some(arch) => Err(usage(
            "kind cluster",
            cluster,
            &format!("node {node} is linux/{} ({machine}) but the image would be {image}", arch.as_str()),
            &format!(
                "pass --platform linux/{} to build for the node, or create the cluster from a {image} node image",
                arch.as_str()
            ),
        )),
        None => Err(usage(
            "kind cluster",
            cluster,
            &format!("node {node} is {machine}, an architecture noetl images are not built for"),
            "use a linux/amd64 or linux/arm64 kind node image",
        )),
    }
}

/// The first `--tag` of the image build: the reference `--load` puts in the image store.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::UsageError;

    #[test]
    fn a_node_of_another_architecture_is_refused_naming_it() {
        assert!(check_node_arch("kind", "kind-control-plane", "x86_64", Platform::LINUX_AMD64).is_ok());
        assert!(check_node_arch("kind", "kind-control-plane", "aarch64", Platform::LINUX_ARM64).is_ok());
        let err = check_node_arch("dev", "dev-worker", "aarch64", Platform::LINUX_AMD64).unwrap_err();
        assert!(err.downcast_ref::<UsageError>().is_some());
        assert_eq!(
            err.to_string(),
            "kind cluster 'dev': node dev-worker is linux/arm64 (aarch64) but the image would be linux/amd64. \
             fix: pass --platform linux/arm64 to build for the node, or create the cluster from a linux/amd64 node image"
        );
        let err = check_node_arch("dev", "dev-worker", "riscv64", Platform::LINUX_AMD64).unwrap_err().to_string();
        assert!(err.contains("riscv64, an architecture noetl images are not built for"), "{err}");
    }
}
