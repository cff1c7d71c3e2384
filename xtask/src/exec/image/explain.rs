//! buildx failures that preflight cannot always foresee, recognised by the exact words
//! buildx 0.13 prints (captured on this project's test bed), and turned into one-line
//! errors that name the cause and the fix (exit 2).

use crate::error::usage;
use crate::plan::Cmd;

/// The value following `flag` in the command's argv (`--builder NAME`), if any.
fn flag_value<'a>(cmd: &'a Cmd, flag: &str) -> Option<&'a str> {
    cmd.args.iter().position(|a| a == flag).and_then(|i| cmd.args.get(i + 1)).map(String::as_str)
}

/// An explained error for the failure whose output is `output`, when buildx's words are known.
pub fn explain(cmd: &Cmd, output: &str) -> Option<anyhow::Error> {
    // `buildx build --builder B`, `buildx create --name B`, `buildx inspect --bootstrap B`.
    let builder = flag_value(cmd, "--builder")
        .or_else(|| flag_value(cmd, "--name"))
        .or_else(|| {
            cmd.args
                .starts_with(&["buildx".into(), "inspect".into()])
                .then(|| cmd.args.last().map(String::as_str))
                .flatten()
        })
        .unwrap_or("default");
    let platforms = flag_value(cmd, "--platform").unwrap_or("several platforms");
    if output.contains("Multi-platform build is not supported for the docker driver") {
        return Some(usage(
            "builder",
            builder,
            "uses the docker driver on a daemon without the containerd image store, which builds one platform at a time (buildx: Multi-platform build is not supported for the docker driver)",
            "turn on the containerd image store (\"features\":{\"containerd-snapshotter\":true} in daemon.json), or omit --builder so noetl-builder (docker-container driver) is used, or pass one platform",
        ));
    }
    if output.contains("docker exporter does not currently support exporting manifest lists") {
        return Some(usage(
            "--load",
            platforms,
            "the daemon's classic image store cannot hold a multi-platform image (buildx: docker exporter does not currently support exporting manifest lists)",
            "pass --push --registry REGISTRY, or one platform with --platforms, or turn on the containerd image store",
        ));
    }
    if output.contains("Cache export is not supported for the docker driver") {
        return Some(usage(
            "--cache",
            flag_value(cmd, "--cache-to").unwrap_or("export"),
            "the docker driver on the classic image store cannot export build cache (buildx: Cache export is not supported for the docker driver)",
            "pass --cache none, or turn on the containerd image store",
        ));
    }
    if output.contains("Attestation is not supported for the docker driver") {
        return Some(usage(
            "builder",
            builder,
            "the docker driver on the classic image store cannot attach attestations (buildx: Attestation is not supported for the docker driver)",
            "turn on the containerd image store, or push without --provenance/--sbom",
        ));
    }
    if output.contains("buildkit-syft-scanner") && output.contains("failed to") {
        return Some(usage(
            "--sbom",
            "docker/buildkit-syft-scanner",
            "the SBOM generator image cannot be pulled from this machine",
            "pass --no-sbom, or make docker.io/docker/buildkit-syft-scanner:stable-1 reachable (a registry mirror)",
        ));
    }
    if output.contains("moby/buildkit")
        && (output.contains("failed to resolve reference") || output.contains("booting buildkit"))
    {
        return Some(usage(
            "builder",
            builder,
            "the docker-container driver could not start BuildKit: its moby/buildkit image cannot be pulled here",
            "make moby/buildkit:buildx-stable-1 pullable (or docker buildx create --driver-opt image=MIRROR/moby/buildkit:buildx-stable-1), or turn on the containerd image store so the default builder builds several platforms",
        ));
    }
    if let Some(reference) = between(output, "failed to resolve source metadata for ", ": ") {
        return Some(usage(
            "base image",
            reference,
            "is neither in the local image store nor pullable",
            "pass --rust-image IMAGE naming a local or mirrored Rust image (`bash .ci/testbed.sh up` builds noetl-rust:1.85-trixie)",
        ));
    }
    if output.contains("401 Unauthorized") || output.contains("no basic auth credentials") {
        let host = flag_value(cmd, "--tag").and_then(|t| t.split('/').next()).unwrap_or("the registry");
        return Some(usage(
            "registry",
            host,
            "refused the push: not logged in (401 Unauthorized)",
            &format!("docker login {host}"),
        ));
    }
    None
}

/// The text after `start` up to (not including) the first `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let rest = &text[from..];
    rest.find(end).map(|to| &rest[..to])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(args: &[&str]) -> Cmd {
        Cmd::new("docker").args(["buildx", "build"]).args(args.iter().copied())
    }

    fn explained(cmd: &Cmd, output: &str) -> String {
        let e = explain(cmd, output).unwrap_or_else(|| panic!("not explained: {output}"));
        assert_eq!(crate::error::exit_code(&e), 2);
        e.to_string()
    }

    // Each output below is what buildx 0.13.1 printed on this project's test bed.
    #[test]
    fn classic_store_failures() {
        let cmd = build(&["--builder", "default", "--platform", "linux/amd64,linux/arm64", "--push"]);
        let e = explained(&cmd, "ERROR: Multi-platform build is not supported for the docker driver.\nSwitch to a different driver, or turn on the containerd image store, and try again.\n");
        assert!(e.starts_with("builder 'default': uses the docker driver") && e.contains("fix:"), "{e}");
        let e = explained(&cmd, "ERROR: docker exporter does not currently support exporting manifest lists\n");
        assert!(e.starts_with("--load 'linux/amd64,linux/arm64': the daemon's classic image store"), "{e}");
        let cmd = build(&["--cache-to", "type=local,dest=x,mode=max"]);
        let e = explained(&cmd, "ERROR: Cache export is not supported for the docker driver.\n");
        assert!(e.starts_with("--cache 'type=local,dest=x,mode=max'"), "{e}");
        let cmd = build(&["--builder", "default", "--provenance", "mode=max", "--push"]);
        let e = explained(&cmd, "ERROR: Attestation is not supported for the docker driver.\nSwitch to a different driver, or turn on the containerd image store, and try again.\n");
        assert!(e.starts_with("builder 'default': the docker driver on the classic image store cannot attach"), "{e}");
    }

    #[test]
    fn unreachable_images() {
        let cmd = build(&["--sbom", "true"]);
        let e = explained(&cmd, "ERROR: failed to solve: failed to resolve source metadata for docker.io/docker/buildkit-syft-scanner:stable-1: failed to do request: Head \"https://registry-1.docker.io/v2/docker/buildkit-syft-scanner/manifests/stable-1\": dial tcp: lookup registry-1.docker.io: no such host");
        assert!(e.contains("--no-sbom"), "{e}");
        let create = Cmd::new("docker").args(["buildx", "create", "--name", "noetl-builder"]);
        let e = explained(&create, "#1 [internal] booting buildkit\n#1 ERROR: Error response from daemon: failed to resolve reference \"docker.io/moby/buildkit:buildx-stable-1\": failed to do request");
        assert!(
            e.starts_with("builder 'noetl-builder': ") && e.contains("moby/buildkit image cannot be pulled"),
            "{e}"
        );
        let start = Cmd::new("docker").args(["buildx", "inspect", "--bootstrap", "noetl-builder"]);
        // The classic daemon words the same failure without the image name on its last line.
        let e = explained(&start, "#1 [internal] booting buildkit\n#1 pulling image moby/buildkit:buildx-stable-1 done\n#1 ERROR: Error response from daemon: Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io: no such host");
        assert!(e.starts_with("builder 'noetl-builder': "), "{e}");
        let e = explained(&build(&[]), "ERROR: failed to solve: noetl-rust:nope: failed to resolve source metadata for docker.io/library/noetl-rust:nope: failed to do request: Head \"https://registry-1.docker.io/v2/library/noetl-rust/manifests/nope\"");
        assert!(e.starts_with("base image 'docker.io/library/noetl-rust:nope': is neither"), "{e}");
    }

    #[test]
    fn unauthorised_push() {
        let cmd = build(&["--tag", "127.0.0.1:5001/noetlctl:abc", "--push"]);
        let e = explained(&cmd, "ERROR: failed to solve: failed to push 127.0.0.1:5001/x:2: unexpected status from HEAD request to http://127.0.0.1:5001/v2/x/blobs/sha256:7bb3: 401 Unauthorized");
        assert_eq!(e, "registry '127.0.0.1:5001': refused the push: not logged in (401 Unauthorized). fix: docker login 127.0.0.1:5001");
    }

    #[test]
    fn unknown_failures_are_left_alone() {
        assert!(explain(
            &build(&[]),
            "ERROR: failed to solve: process \"/bin/sh -c false\" did not complete successfully: exit code: 1"
        )
        .is_none());
    }
}
