//! The executor's part for image plans: docker commands whose output is read while it
//! streams, and the checks of inputs (static binaries, UI) and results (index, smoke run).

mod explain;

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use anyhow::{bail, Context};
use camino::Utf8Path;
use serde_json::Value;

use super::{Ctx, Verbosity};
use crate::binary;
use crate::commands::image::meta;
use crate::error::{usage, ToolError};
use crate::plan::{Cmd, ImageAction};
use crate::platform::Platform;

pub fn run(action: &ImageAction, ctx: &Ctx) -> anyhow::Result<Option<String>> {
    match action {
        ImageAction::Docker(cmd) => docker(cmd, ctx),
        ImageAction::StaticBinary { path, platform } => static_binary(path, *platform, ctx),
        ImageAction::UiDir(dir) => ui_dir(dir, ctx),
        ImageAction::VerifyIndex { cmd, platforms } => verify_index(cmd, platforms, ctx),
        ImageAction::Smoke { cmd, platform, commit } => smoke(cmd, *platform, commit, ctx),
        ImageAction::ByDigest { metadata, repo, step } => {
            let text = std::fs::read_to_string(ctx.abs(metadata))
                .with_context(|| format!("cannot read {metadata}, where the push records the digest"))?;
            let pushed = meta::pushed(metadata.as_str(), &text)?;
            run(&step.renamed(repo, &format!("{repo}@{}", pushed.digest)), ctx)
        }
    }
}

struct Captured {
    success: bool,
    status: String,
    stdout: String,
    stderr: String,
}

/// Runs `cmd`, echoing its output line by line when `echo` (so long builds show progress)
/// while keeping it to read afterwards.
fn capture(cmd: &Cmd, ctx: &Ctx, echo: bool) -> anyhow::Result<Captured> {
    if ctx.verbosity == Verbosity::Verbose {
        ctx.say(&format!("    $ {}", cmd.shell_line()));
    }
    let mut command = super::command(cmd, ctx);
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|e| super::spawn_error(cmd, e))?;
    let (out, err) = (child.stdout.take().expect("piped"), child.stderr.take().expect("piped"));
    let echo_out = echo;
    let stdout = std::thread::spawn(move || tee(out, echo_out));
    let stderr = tee(err, echo);
    let stdout = stdout.join().expect("stdout reader panicked");
    let status = child.wait()?;
    Ok(Captured { success: status.success(), status: status.to_string(), stdout, stderr })
}

/// Collects a stream, copying each line to our stderr when `echo`: progress belongs on
/// stderr, which keeps stdout clean for `--json` callers.
fn tee(stream: impl Read, echo: bool) -> String {
    let mut all = String::new();
    for line in BufReader::new(stream).lines().map_while(Result::ok) {
        if echo {
            eprintln!("{line}");
        }
        all.push_str(&line);
        all.push('\n');
    }
    all
}

fn failed(cmd: &Cmd, out: &Captured) -> anyhow::Error {
    if let Some(explained) = explain::explain(cmd, &format!("{}\n{}", out.stderr, out.stdout)) {
        return explained;
    }
    // buildx ends with an `ERROR: …` line; carry it so the one-line error says why.
    let why = out
        .stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("ERROR"))
        .or_else(|| out.stderr.lines().rev().find(|l| !l.trim().is_empty()));
    let status = match why {
        Some(line) => format!("{} ({})", out.status, line.trim()),
        None => out.status.clone(),
    };
    ToolError { command_line: cmd.shell_line(), status }.into()
}

fn docker(cmd: &Cmd, ctx: &Ctx) -> anyhow::Result<Option<String>> {
    let out = capture(cmd, ctx, ctx.verbosity > Verbosity::Quiet)?;
    if !out.success {
        return Err(failed(cmd, &out));
    }
    let (cached, steps) = cached_steps(&out.stderr);
    Ok((steps > 0).then(|| format!("{cached} of {steps} build steps cached")))
}

/// Counts the build steps in buildx `--progress plain` output (`#5 [linux/amd64 stage 1/1] COPY …`,
/// not `[internal]` ones) and how many of them it reported as `#5 CACHED`.
pub fn cached_steps(progress: &str) -> (usize, usize) {
    let mut steps = std::collections::BTreeSet::new();
    let mut cached = std::collections::BTreeSet::new();
    for line in progress.lines() {
        let Some(rest) = line.strip_prefix('#') else { continue };
        let Some((id, what)) = rest.split_once(' ') else { continue };
        if !id.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if what.starts_with('[') && !what.starts_with("[internal]") && !what.starts_with("[auth]") {
            steps.insert(id.to_string());
        } else if what.trim_end() == "CACHED" {
            cached.insert(id.to_string());
        }
    }
    (cached.intersection(&steps).count(), steps.len())
}

fn static_binary(path: &Utf8Path, platform: Platform, ctx: &Ctx) -> anyhow::Result<Option<String>> {
    let abs = ctx.abs(path);
    if !abs.is_file() {
        return Err(usage(
            "binary",
            path.as_str(),
            &format!("not found; the prebuilt route copies it into the {platform} image"),
            &format!("cargo xtask cli --platforms {platform} --static (or pass --in-docker)"),
        ));
    }
    binary::check(&abs, platform.os, platform.arch)?;
    let bytes = std::fs::read(&abs).with_context(|| format!("cannot read {path}"))?;
    if let Some(loader) = binary::elf_interpreter(&bytes)? {
        return Err(usage(
            "binary",
            path.as_str(),
            &format!("is dynamically linked (it needs {loader}), which a FROM scratch image does not have"),
            &format!("cargo xtask cli --platforms {platform} --static"),
        ));
    }
    Ok(Some(format!("{path} is a static {platform} executable")))
}

fn ui_dir(dir: &Utf8Path, ctx: &Ctx) -> anyhow::Result<Option<String>> {
    if ctx.abs(dir).join("index.html").is_file() {
        return Ok(Some(format!("{dir}/index.html present")));
    }
    Err(usage(
        "UI directory",
        dir.as_str(),
        "has no index.html; the dev image serves the built web UI",
        "cargo xtask ui",
    ))
}

fn verify_index(cmd: &Cmd, platforms: &[Platform], ctx: &Ctx) -> anyhow::Result<Option<String>> {
    let out = capture(cmd, ctx, ctx.verbosity == Verbosity::Verbose)?;
    if !out.success {
        return Err(failed(cmd, &out));
    }
    let reference = cmd.args.last().map(String::as_str).unwrap_or_default();
    let listed = index_platforms(&out.stdout).with_context(|| format!("reading the index of {reference}"))?;
    let found = match listed {
        Some(platforms) => platforms,
        // A single-platform push without attestations is one manifest: its config says which.
        None => {
            let config = Cmd::new(cmd.program.as_str()).args([
                "buildx",
                "imagetools",
                "inspect",
                "--format",
                "{{json .Image}}",
                reference,
            ]);
            let out = capture(&config, ctx, ctx.verbosity == Verbosity::Verbose)?;
            if !out.success {
                return Err(failed(&config, &out));
            }
            let v: Value =
                serde_json::from_str(&out.stdout).with_context(|| format!("reading the config of {reference}"))?;
            vec![platform_of(&v)]
        }
    };
    let missing: Vec<String> = platforms
        .iter()
        .map(|p| p.to_string())
        .filter(|p| !found.iter().any(|f| f == p || f == &format!("{p}/v8")))
        .collect();
    if !missing.is_empty() {
        bail!(
            "{reference} lists {} but not {}: that platform was not built or not pushed",
            if found.is_empty() { "no platform".to_string() } else { found.join(", ") },
            missing.join(", ")
        );
    }
    Ok(Some(format!("{reference} lists {}", found.join(", "))))
}

/// The `os/arch[/variant]` of each image in an OCI index or Docker manifest list, without
/// attestation manifests (`unknown/unknown`); `None` for a single image's manifest.
pub fn index_platforms(raw: &str) -> anyhow::Result<Option<Vec<String>>> {
    let v: Value = serde_json::from_str(raw).context("not JSON")?;
    if v["config"].is_object() && v["layers"].is_array() {
        return Ok(None);
    }
    let Some(manifests) = v["manifests"].as_array() else {
        bail!("neither an index nor an image manifest: {}", raw.chars().take(200).collect::<String>());
    };
    let platforms = manifests.iter().map(|m| platform_of(&m["platform"]));
    Ok(Some(platforms.filter(|p| !p.starts_with("unknown/")).collect()))
}

/// `os/architecture[/variant]` of an index entry's `platform` or an image config.
fn platform_of(v: &Value) -> String {
    let field = |k: &str| v[k].as_str().unwrap_or("unknown");
    match v["variant"].as_str() {
        Some(variant) => format!("{}/{}/{variant}", field("os"), field("architecture")),
        None => format!("{}/{}", field("os"), field("architecture")),
    }
}

fn smoke(cmd: &Cmd, platform: Platform, commit: &str, ctx: &Ctx) -> anyhow::Result<Option<String>> {
    let out = capture(cmd, ctx, ctx.verbosity == Verbosity::Verbose)?;
    let reference = cmd.args.iter().rev().nth(1).map(String::as_str).unwrap_or_default();
    if !out.success {
        if out.stderr.contains("exec format error") {
            bail!(
                "the {platform} image {reference} cannot start noetl (exec format error): its binary is for another CPU, or QEMU binfmt for {} is missing",
                platform.arch.rust_name()
            );
        }
        return Err(failed(cmd, &out));
    }
    let (version_commit, triple) = parse_version(&out.stdout)
        .with_context(|| format!("`noetl --version` in {reference} printed {:?}", out.stdout.trim()))?;
    let arch = triple.split('-').next().unwrap_or_default();
    if arch != platform.arch.rust_name() {
        bail!(
            "the {platform} image {reference} runs a {arch} binary ({}): the image is mislabelled; rebuild it from target/dist/{}/noetl",
            out.stdout.trim(),
            platform.dist_dir()
        );
    }
    // An empty `commit` (verify, merge) means the expected commit is not known.
    if !commit.is_empty() && version_commit != commit {
        ctx.say(&format!(
            "warning: {reference} ({platform}) was built from commit {version_commit}, not {commit}: rebuild the binaries (cargo xtask cli --static) to ship this checkout"
        ));
    }
    Ok(Some(format!("{platform}: {}", out.stdout.trim())))
}

/// `noetl 0.1.0 (3f2a1bc, aarch64-unknown-linux-gnu)` → (`3f2a1bc`, `aarch64-unknown-linux-gnu`).
pub fn parse_version(stdout: &str) -> Option<(String, String)> {
    let line = stdout.lines().find(|l| l.starts_with("noetl "))?;
    let inner = line.split_once('(')?.1.strip_suffix(')')?;
    let (commit, triple) = inner.split_once(", ")?;
    Some((commit.to_string(), triple.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cached_build_steps_in_plain_progress() {
        // A second multi-platform build of noetlctl/Dockerfile, as buildx 0.13 printed it.
        let progress = "#1 [internal] load build definition from Dockerfile
#1 DONE 0.0s
#4 [internal] load build context
#5 [linux/amd64 bin-prebuilt 1/1] COPY target/dist/linux/amd64/noetl /noetl
#5 CACHED
#6 [linux/arm64 bin-prebuilt 1/1] COPY target/dist/linux/arm64/noetl /noetl
#6 CACHED
#7 [linux/arm64 stage-3 1/1] COPY --from=bin /noetl /usr/local/bin/noetl
#7 DONE 0.1s
#8 exporting to image
";
        assert_eq!(cached_steps(progress), (2, 3));
        assert_eq!(cached_steps("ERROR: boom"), (0, 0));
    }

    #[test]
    fn reads_platforms_from_an_index_and_skips_attestations() {
        let raw = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
            {"digest":"sha256:a","platform":{"architecture":"amd64","os":"linux"}},
            {"digest":"sha256:b","platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
            {"digest":"sha256:c","platform":{"architecture":"unknown","os":"unknown"}}]}"#;
        assert_eq!(index_platforms(raw).unwrap().unwrap(), ["linux/amd64", "linux/arm64/v8"]);
        let single = r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"size":958},"layers":[]}"#;
        assert_eq!(index_platforms(single).unwrap(), None);
        assert!(index_platforms(r#"{"errors":[]}"#).is_err());
        assert!(index_platforms("not json").is_err());
        let config = serde_json::json!({"architecture": "amd64", "os": "linux", "config": {}});
        assert_eq!(platform_of(&config), "linux/amd64");
    }

    #[test]
    fn parses_noetl_version_lines() {
        assert_eq!(
            parse_version("noetl 0.1.0 (3f2a1bc, aarch64-unknown-linux-gnu)\n"),
            Some(("3f2a1bc".into(), "aarch64-unknown-linux-gnu".into()))
        );
        assert_eq!(parse_version("exec /usr/local/bin/noetl: exec format error"), None);
    }
}
