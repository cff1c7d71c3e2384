//! `image verify` and `image merge`: plans about an index already in a registry. Without
//! REF, verify looks each image up under the commit's tag; `merge --from-metadata` joins
//! the digests of per-platform pushes (CI's native runners) into one index per image,
//! tagged from git by [`ci_tags`], in one `imagetools create` per image.

use camino::{Utf8Path, Utf8PathBuf};

use super::{build, docker_for_index, index_platforms, meta, names, require_runnable, verify_steps, Where};
use crate::ci_tags::{self, GitRef};
use crate::error::usage;
use crate::flags::{ImageMerge, ImageVerify, MergeFrom};
use crate::plan::{Action, Cmd, ImageAction, Plan};
use crate::preflight::docker::DockerFacts;

/// `--registry` for verify and merge, which look images up by name: required.
fn registry_for(raw: Option<&str>, why: &str) -> anyhow::Result<(String, Option<String>)> {
    let (registry, note) = names::normalise_registry(raw.unwrap_or(""))?;
    if registry.is_empty() {
        return Err(usage(
            "--registry",
            "",
            why,
            "pass --registry 127.0.0.1:5000/ (or ghcr.io/OWNER/), or set NOETL_REGISTRY",
        ));
    }
    Ok((registry, note))
}

pub fn verify_plan(flags: &ImageVerify, facts: &DockerFacts, git: &GitRef) -> anyhow::Result<Plan> {
    let mut plan = Plan::new("image verify");
    // With REF, that image (whose commit is not known); else each image under the commit's tag.
    let targets: Vec<(String, &str)> = match &flags.reference {
        Some(reference) => {
            names::check_reference("REF", reference)?;
            vec![(reference.clone(), "")]
        }
        None => {
            let (registry, note) = registry_for(
                flags.registry.as_deref(),
                "image verify without REF looks the images up in the registry they were published to",
            )?;
            plan.notes.extend(note);
            let tag = ci_tags::commit_tag(&git.short_sha, git.dirty);
            build::kinds(flags.which)
                .iter()
                .map(|kind| (format!("{registry}{}:{tag}", kind.name), git.short_sha.as_str()))
                .collect()
        }
    };
    let platforms = index_platforms(flags.platforms.as_deref())?;
    let docker = docker_for_index(facts, !flags.no_smoke)?;
    if !flags.no_smoke {
        require_runnable(facts, &platforms)?;
    }
    for (reference, commit) in &targets {
        verify_steps(&mut plan, &docker, Where::Registry(reference), &platforms, commit, flags.no_smoke);
    }
    Ok(plan)
}

pub fn merge_plan(flags: &ImageMerge, facts: &DockerFacts, git: &GitRef) -> anyhow::Result<Plan> {
    let mut plan = Plan::new("image merge");
    // (the index's tags, sources, the commit its binaries should report) per index.
    let indexes: Vec<(Vec<String>, Vec<String>, &str)> = match &flags.from {
        MergeFrom::References { target, sources } => vec![(vec![check_target(target)?], checked(sources)?, "")],
        MergeFrom::Metadata { dir, which, registry } => {
            let (registry, note) = registry_for(
                registry.as_deref(),
                "image merge --from-metadata publishes to the registry the images were pushed to",
            )?;
            plan.notes.extend(note);
            let (tags, notes) = ci_tags::tags(git);
            plan.notes.extend(notes);
            let mut indexes = Vec::new();
            for kind in build::kinds(*which) {
                let repo = format!("{registry}{}", kind.name);
                let digests = metadata_digests(dir, kind.name, &repo)?;
                let sources = digests.iter().map(|d| format!("{repo}@{d}")).collect();
                indexes.push((tags.iter().map(|t| format!("{repo}:{t}")).collect(), sources, git.short_sha.as_str()));
            }
            indexes
        }
    };
    let platforms = index_platforms(flags.platforms.as_deref())?;
    let docker = docker_for_index(facts, !flags.no_smoke)?;
    if !flags.no_smoke {
        require_runnable(facts, &platforms)?;
    }
    for (tags, sources, commit) in &indexes {
        // One call names every tag: each is the same index, pushed once per tag.
        let mut create = Cmd::new(docker.as_str()).args(["buildx", "imagetools", "create"]);
        for tag in tags {
            create = create.args(["--tag", tag.as_str()]);
        }
        create = create.args(sources.iter().map(String::as_str));
        let also = if tags.len() > 1 { format!(", also tagged {}", tags[1..].join(", ")) } else { String::new() };
        plan.step(
            format!("create the index {} from {} image(s){also}", tags[0], sources.len()),
            Action::Image(ImageAction::Docker(create)),
        );
        verify_steps(&mut plan, &docker, Where::Registry(&tags[0]), &platforms, commit, flags.no_smoke);
    }
    Ok(plan)
}

fn check_target(target: &str) -> anyhow::Result<String> {
    names::check_reference("TARGET", target)?;
    if target.contains('@') {
        return Err(usage("TARGET", target, "the merged index needs a tag, not a digest", "name it REGISTRY/NAME:TAG"));
    }
    Ok(target.to_string())
}

fn checked(sources: &[String]) -> anyhow::Result<Vec<String>> {
    for source in sources {
        names::check_reference("SOURCE", source)?;
    }
    Ok(sources.to_vec())
}

/// The digests pushed as `repo`, from `DIR/*/<name>.json`: one directory per platform build,
/// as actions/download-artifact lays out several artifacts. Sorted by directory, deduplicated.
fn metadata_digests(dir: &Utf8Path, name: &str, repo: &str) -> anyhow::Result<Vec<String>> {
    let layout = "one directory per platform build, each holding the NAME.json files that `cargo xtask image --push --by-digest` writes to target/image/";
    let entries = std::fs::read_dir(dir).map_err(|e| {
        usage(
            "--from-metadata",
            dir.as_str(),
            &format!("is not a readable directory ({e})"),
            &format!("pass a directory holding {layout}"),
        )
    })?;
    let mut files: Vec<Utf8PathBuf> = entries
        .filter_map(|e| Utf8PathBuf::from_path_buf(e.ok()?.path()).ok())
        .map(|sub| sub.join(format!("{name}.json")))
        .filter(|file| file.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(usage(
            "--from-metadata",
            dir.as_str(),
            &format!("has no */{name}.json"),
            &format!("download there {layout}; or pass --image for the images that were pushed"),
        ));
    }
    let mut digests = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|e| {
            usage("metadata file", file.as_str(), &format!("cannot be read ({e})"), "download the metadata again")
        })?;
        let pushed = meta::pushed(file.as_str(), &text)?;
        if let Some(other) = pushed.repositories.iter().find(|r| *r != repo) {
            return Err(usage(
                "metadata file",
                file.as_str(),
                &format!("records a push to {other}, not to {repo}"),
                "pass the --registry (or NOETL_REGISTRY) the images were pushed to",
            ));
        }
        if !digests.contains(&pushed.digest) {
            digests.push(pushed.digest);
        }
    }
    Ok(digests)
}
