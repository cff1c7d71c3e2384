//! Tidy tests: rules about the repository's own files (in the spirit of rust-analyzer's
//! `tidy.rs`), so CI configuration, docs and Dockerfiles cannot drift from the xtask.
//! Run alone with `cargo xtask ci --only tidy`.

mod common;
mod yaml;

// The xtask's own platform parser, compiled into this test (a binary crate has no library
// to link against), so documented values are checked by exactly the code that parses them.
#[allow(dead_code)]
#[path = "../src/error.rs"]
mod error;
#[allow(dead_code)]
#[path = "../src/platform.rs"]
mod platform;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{root, text};
use yaml::Yaml;

const WORKFLOWS: &str = ".github/workflows";

/// Files of the checkout that git would track: committed or new, minus what .gitignore
/// excludes (build output, node_modules, the built UI).
fn repo_files() -> Vec<PathBuf> {
    let out = Command::new("git")
        .args(["ls-files", "--cached", "--others", "--exclude-standard", "-z"])
        .current_dir(root())
        .output()
        .expect("run git ls-files");
    assert!(out.status.success(), "git ls-files: {}", text(&out.stderr));
    let mut files: Vec<PathBuf> = text(&out.stdout)
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .filter(|p| root().join(p).is_file())
        .collect();
    files.sort();
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn workflows() -> Vec<(PathBuf, String, Yaml)> {
    let files: Vec<PathBuf> = repo_files()
        .into_iter()
        .filter(|p| p.starts_with(WORKFLOWS) && p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    for expected in ["ci.yml", "images.yml"] {
        assert!(files.contains(&Path::new(WORKFLOWS).join(expected)), "{WORKFLOWS}/{expected} is missing");
    }
    files
        .into_iter()
        .map(|path| {
            let raw = read(&path);
            let mut docs = yaml::parse(&raw).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(docs.len(), 1, "{}: one document", path.display());
            (path, raw, docs.remove(0))
        })
        .collect()
}

fn jobs(workflow: &Yaml) -> &[(String, Yaml)] {
    workflow.get("jobs").map(Yaml::entries).unwrap_or_default()
}

fn steps(job: &Yaml) -> &[Yaml] {
    job.get("steps").map(Yaml::seq).unwrap_or_default()
}

/// The commands of a `run:` script: one per line (with `\` continuations joined), split
/// at `&&`, `||`, `;` and `|`, comments dropped.
fn commands(script: &str) -> Vec<String> {
    let joined = script.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        for part in line.split("&&").flat_map(|p| p.split("||")).flat_map(|p| p.split(';')).flat_map(|p| p.split('|')) {
            let part = part.trim();
            if !part.is_empty() {
                out.push(part.to_string());
            }
        }
    }
    out
}

/// Programs that build or package; in a workflow they run only behind `cargo xtask`.
const BUILDERS: [&str; 12] =
    ["docker", "docker-compose", "podman", "buildah", "npm", "npx", "yarn", "pnpm", "node", "vite", "rustc", "make"];
/// Actions that build images themselves, bypassing the xtask.
const BUILD_ACTIONS: [&str; 2] = ["docker/build-push-action", "docker/bake-action"];

/// Why `command` builds outside the xtask, if it does.
fn raw_build(command: &str) -> Option<String> {
    let mut words = command.split_whitespace().skip_while(|w| w.contains('=') && !w.starts_with('-'));
    let mut program = words.next()?;
    if ["sudo", "env", "exec", "time"].contains(&program) {
        program = words.next()?;
    }
    let program = program.rsplit('/').next().unwrap_or(program);
    // The one docker command a workflow runs itself: logging in, with the secret on stdin.
    if program == "docker" && words.next() == Some("login") {
        return (!command.contains("--password-stdin")).then(|| "logs in without --password-stdin".into());
    }
    if BUILDERS.contains(&program) {
        return Some(format!("runs {program}"));
    }
    if program == "cargo" && words.next() != Some("xtask") {
        return Some("runs cargo other than `cargo xtask`".into());
    }
    None
}

#[test]
fn workflow_steps_build_only_through_cargo_xtask() {
    let mut problems = Vec::new();
    let mut xtask_calls = 0;
    for (path, _, workflow) in workflows() {
        for (job_name, job) in jobs(&workflow) {
            for step in steps(job) {
                if let Some(uses) = step.get("uses").and_then(Yaml::str) {
                    if BUILD_ACTIONS.iter().any(|a| uses.starts_with(a)) {
                        problems.push(format!("{}: job {job_name} uses {uses}", path.display()));
                    }
                }
                let Some(script) = step.get("run").and_then(Yaml::str) else { continue };
                if script.contains("${{") {
                    problems.push(format!(
                        "{}: job {job_name}: `${{{{ … }}}}` inside run: (pass it through env: instead)",
                        path.display()
                    ));
                }
                for command in commands(script) {
                    xtask_calls += usize::from(command.contains("cargo xtask"));
                    if let Some(why) = raw_build(&command) {
                        problems.push(format!(
                            "{}: job {job_name}: `{command}` {why}; call `cargo xtask` instead",
                            path.display()
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(xtask_calls >= 3, "the workflows should run cargo xtask ci, image and image merge ({xtask_calls} calls)");
}

#[test]
fn the_build_check_catches_raw_builds() {
    let script = "rustup show\ncargo xtask ci && docker buildx build .\nFOO=1 npm ci\nsudo cargo build --release \\\n  -p x\n# docker build (a comment)\nprintf '%s' \"$T\" | docker login ghcr.io --password-stdin\ndocker login -p \"$T\" ghcr.io";
    let found: Vec<String> = commands(script).iter().filter_map(|c| raw_build(c)).collect();
    assert_eq!(
        found,
        ["runs docker", "runs npm", "runs cargo other than `cargo xtask`", "logs in without --password-stdin"]
    );
}

#[test]
fn workflows_grant_least_privilege() {
    for (path, _, workflow) in workflows() {
        let path = path.display();
        assert_eq!(workflow.get("permissions"), Some(&Yaml::Map(vec![])), "{path}: top-level `permissions: {{}}`");
        for (name, job) in jobs(&workflow) {
            let permissions =
                job.get("permissions").unwrap_or_else(|| panic!("{path}: job {name} has no permissions:"));
            let scripts: String = steps(job).iter().filter_map(|s| s.get("run").and_then(Yaml::str)).collect();
            let pushes = scripts.contains("--push") || scripts.contains("image merge");
            let packages = permissions.get("packages").and_then(Yaml::str);
            assert!(packages != Some("write") || pushes, "{path}: job {name} has packages: write but pushes nothing");
            assert!(!pushes || packages == Some("write"), "{path}: job {name} pushes without packages: write");
            assert_ne!(permissions.str(), Some("write-all"), "{path}: job {name}");
        }
    }
}

/// The `with:` of the first step in `workflow` that uses `action`.
fn step_with<'a>(workflow: &'a Yaml, action: &str) -> Option<&'a Yaml> {
    jobs(workflow)
        .iter()
        .flat_map(|(_, job)| steps(job))
        .find_map(|step| step.get("uses").and_then(Yaml::str).filter(|u| u.starts_with(action)).and(step.get("with")))
}

#[test]
fn the_digests_reach_image_merge_in_the_layout_it_reads() {
    let (_, _, workflow) =
        workflows().into_iter().find(|(path, _, _)| path.ends_with("images.yml")).expect("images.yml");
    let scripts: String = jobs(&workflow)
        .iter()
        .flat_map(|(_, job)| steps(job))
        .filter_map(|s| s.get("run").and_then(Yaml::str))
        .collect::<Vec<_>>()
        .join("\n");
    // Each build job uploads the metadata files `image --push --by-digest` writes…
    assert!(scripts.contains("cargo xtask image --platforms \"$PLATFORM\" --push --by-digest"), "{scripts}");
    let upload = step_with(&workflow, "actions/upload-artifact").expect("an upload-artifact step");
    assert_eq!(upload.get("path").and_then(Yaml::str), Some("target/image/*.json"));
    // …and the merge job downloads them one directory per artifact (a pattern, not merged),
    // which is the DIR/*/NAME.json that `image merge --from-metadata DIR` reads.
    let download = step_with(&workflow, "actions/download-artifact").expect("a download-artifact step");
    assert!(download.get("pattern").and_then(Yaml::str).is_some(), "download by pattern: one directory per artifact");
    assert_ne!(
        download.get("merge-multiple").and_then(Yaml::bool),
        Some(true),
        "merged artifacts would overwrite each other"
    );
    let dir = download.get("path").and_then(Yaml::str).expect("download-artifact path");
    assert!(
        scripts.contains(&format!("cargo xtask image merge --from-metadata {dir}")),
        "merge must read {dir}:\n{scripts}"
    );
}

#[test]
fn workflow_actions_are_pinned_to_a_commit_with_the_version_in_a_comment() {
    let mut problems = Vec::new();
    let mut pinned = 0;
    for (path, raw, _) in workflows() {
        for (i, line) in raw.lines().enumerate() {
            let body = line.trim_start().trim_start_matches("- ");
            let Some(rest) = body.strip_prefix("uses:") else { continue };
            let (reference, comment) = rest.split_once('#').unwrap_or((rest, ""));
            let reference = reference.trim().trim_matches(['"', '\'']);
            let at = format!("{}:{}", path.display(), i + 1);
            if reference.starts_with("./") {
                continue;
            }
            if let Some(image) = reference.strip_prefix("docker://") {
                if !image.contains("@sha256:") {
                    problems.push(format!("{at}: {reference} is not pinned by digest"));
                }
                continue;
            }
            let sha = reference.rsplit_once('@').map(|(_, r)| r).unwrap_or("");
            if sha.len() != 40 || !sha.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                problems.push(format!("{at}: {reference} is not pinned to a full commit sha"));
            } else if !comment.trim().starts_with('v') {
                problems.push(format!("{at}: {reference} needs its version in a comment (`# v1.2.3`)"));
            } else {
                pinned += 1;
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(pinned > 0, "no actions found: is the `uses:` reader broken?");
}

/// A `--platforms` value found in a file.
#[derive(Debug)]
struct PlatformsValue {
    value: String,
    /// `cli` also accepts darwin; images and everything else are Linux only.
    scope: platform::Scope,
    /// The whole line, for documented errors (which must show the parser's real message).
    line: String,
}

/// Values given to `--platforms` in `text`. Placeholders (`LIST`, `<…>`, `...`) and shell
/// variables stand for values checked where they are defined (workflow `platform:` keys).
fn platform_values(text: &str) -> Vec<PlatformsValue> {
    let mut out = Vec::new();
    for line in text.lines() {
        for (i, _) in line.match_indices("--platforms") {
            let rest = &line[i + "--platforms".len()..];
            let Some(rest) = rest.strip_prefix('=').or_else(|| rest.strip_prefix(' ')) else { continue };
            let rest = rest.trim_start();
            let (value, quoted) = match rest.chars().next() {
                Some(q @ ('\'' | '"')) => (rest[1..].split(q).next().unwrap_or("").to_string(), true),
                _ => (rest.chars().take_while(|c| !c.is_whitespace() && !"`|)".contains(*c)).collect(), false),
            };
            // Sentence punctuation after a value is not part of it.
            let value = if quoted { value } else { value.trim_end_matches([',', '.', ';', ':']).to_string() };
            let placeholder = value.trim().is_empty()
                || value.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                || value.contains(['<', '$', '…'])
                || value.contains("...");
            // Prose such as "--platforms with values from" is not a value.
            let looks_like_one = quoted || value.contains(['/', ',']) || value.chars().any(|c| c.is_ascii_digit());
            if placeholder || !looks_like_one {
                continue;
            }
            let scope = match subcommand_before(&line[..i]) {
                Some("cli") => platform::Scope::Cli,
                _ => platform::Scope::Image,
            };
            out.push(PlatformsValue { value, scope, line: line.to_string() });
        }
    }
    out
}

/// The subcommand of the last `xtask …` before a flag: `cli` in `cargo xtask --dry-run cli`.
fn subcommand_before(text: &str) -> Option<&str> {
    let at = text.rfind("xtask ")?;
    text[at + "xtask ".len()..].split_whitespace().find(|w| !w.starts_with('-'))
}

/// Every `platform:`/`platforms:` value in a workflow (matrix entries, env).
fn platform_keys(node: &Yaml, out: &mut Vec<String>) {
    match node {
        Yaml::Map(entries) => {
            for (key, value) in entries {
                if ["platform", "platforms", "PLATFORM", "PLATFORMS"].contains(&key.as_str()) {
                    match value {
                        Yaml::Scalar { text, .. } if !text.contains("${{") => out.push(text.clone()),
                        Yaml::Seq(items) => out.extend(items.iter().filter_map(Yaml::str).map(String::from)),
                        _ => {}
                    }
                }
                platform_keys(value, out);
            }
        }
        Yaml::Seq(items) => items.iter().for_each(|i| platform_keys(i, out)),
        _ => {}
    }
}

/// Why `v` is wrong, if it is: a value must parse, unless its line documents the error,
/// in which case the parser must reject it with the very message the line shows.
fn platforms_problem(file: &str, v: &PlatformsValue) -> Option<String> {
    match platform::parse_list(&v.value, v.scope) {
        Ok(_) => None,
        Err(e) if v.line.contains("error: ") && v.line.contains(&e.to_string()) => None,
        Err(e) if v.line.contains("error: ") => {
            Some(format!("{file}: documents an error for {:?}, but the parser says: {e}", v.value))
        }
        Err(e) => Some(format!("{file}: {e}")),
    }
}

#[test]
fn every_documented_platforms_value_parses_with_the_xtask_parser() {
    let mut values: Vec<(String, PlatformsValue)> = Vec::new();
    for (path, raw, workflow) in workflows() {
        let file = path.display().to_string();
        let mut keys = Vec::new();
        platform_keys(&workflow, &mut keys);
        assert!(
            !keys.is_empty() || !raw.contains("--platforms \"$"),
            "{file}: --platforms from a variable with no platform: key"
        );
        for value in keys {
            let line = format!("platform: {value}");
            values.push((file.clone(), PlatformsValue { value, scope: platform::Scope::Image, line }));
        }
        values.extend(platform_values(&raw).into_iter().map(|v| (file.clone(), v)));
    }
    let docs = repo_files().into_iter().filter(|p| {
        p == Path::new("README.md")
            || (p.starts_with("docs") && p.extension().is_some_and(|e| e == "md"))
            || p.starts_with(".ci")
    });
    for path in docs {
        let file = path.display().to_string();
        values.extend(platform_values(&read(&path)).into_iter().map(|v| (file.clone(), v)));
    }
    assert!(!values.is_empty(), "no --platforms values found in workflows or docs");
    let bad: Vec<String> = values.iter().filter_map(|(file, v)| platforms_problem(file, v)).collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn platform_values_are_found_in_prose_commands_and_documented_errors() {
    let real_error = platform::parse_list("linux / arm64", platform::Scope::Cli).unwrap_err();
    let text = format!(
        "Run `cargo xtask cli --platforms darwin/arm64`.\n\
        | `cargo xtask --dry-run image --platforms=linux/amd64,linux/arm64` |\n\
        --platforms LIST, --platforms \"$PLATFORM\", --platforms with values from\n\
        | `cargo xtask cli --platforms 'linux / arm64'` | `error: {real_error}` |\n\
        | `cargo xtask image --platforms darwin/arm64` | `error: nothing like the parser's message` |\n"
    );
    let found = platform_values(&text);
    let values: Vec<(&str, platform::Scope)> = found.iter().map(|v| (v.value.as_str(), v.scope)).collect();
    assert_eq!(
        values,
        [
            ("darwin/arm64", platform::Scope::Cli),
            ("linux/amd64,linux/arm64", platform::Scope::Image),
            ("linux / arm64", platform::Scope::Cli),
            ("darwin/arm64", platform::Scope::Image),
        ]
    );
    let problems: Vec<Option<String>> = found.iter().map(|v| platforms_problem("doc", v)).collect();
    assert!(problems[..3].iter().all(Option::is_none), "{problems:?}");
    assert!(problems[3].as_deref().is_some_and(|p| p.contains("images are not built")), "{problems:?}");
}

/// Subcommand names from `cargo xtask --help` (clap's "Commands:" section).
fn help_commands() -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask")).arg("--help").output().expect("run xtask --help");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let help = text(&out.stdout);
    let section = help.split_once("Commands:\n").expect("--help lists commands").1;
    let mut names: Vec<String> = section
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(String::from)
        .collect();
    names.sort();
    names
}

/// Names in README.md's `## Commands` table rows: ``| `cargo xtask NAME …` | … |``.
fn readme_commands(readme: &str) -> Vec<String> {
    let section = readme.split("\n## Commands\n").nth(1).expect("README.md has a `## Commands` section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut names: Vec<String> = section
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("| `cargo xtask "))
        .filter_map(|rest| rest.split(|c: char| c.is_whitespace() || c == '`').next())
        .map(String::from)
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn readme_command_table_matches_cargo_xtask_help() {
    let help = help_commands();
    assert!(help.contains(&"ci".to_string()), "{help:?}");
    let readme = readme_commands(&read(Path::new("README.md")));
    let missing: Vec<&String> = help.iter().filter(|c| !readme.contains(c)).collect();
    let extra: Vec<&String> = readme.iter().filter(|c| !help.contains(c)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "README.md ## Commands: missing {missing:?}, not commands {extra:?}"
    );
}

#[test]
fn readme_table_reader_takes_the_first_word_after_cargo_xtask() {
    let readme = "# x\n## Commands\n| Command | What |\n|---|---|\n| `cargo xtask ui` | a |\n| `cargo xtask image merge` | b |\n| `cargo xtask image` | c |\n\n## Other\n| `cargo xtask nope` | d |\n";
    assert_eq!(readme_commands(readme), ["image", "ui"]);
}

#[test]
fn no_unfinished_work_markers() {
    // Spelled in pieces so this file does not match itself.
    let markers = [concat!("TO", "DO"), concat!("FIX", "ME")];
    let mut found = Vec::new();
    for path in repo_files() {
        let Ok(text) = std::fs::read_to_string(root().join(&path)) else { continue }; // binary files
        for (i, line) in text.lines().enumerate() {
            let words = line.split(|c: char| !c.is_ascii_alphanumeric());
            if words.clone().any(|w| markers.contains(&w)) {
                found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The user of an image: the last `USER` after the last `FROM`, if any.
fn final_user(dockerfile: &str) -> Option<String> {
    let mut user = None;
    for line in dockerfile.lines() {
        let mut words = line.split_whitespace();
        match words.next().map(str::to_ascii_uppercase).as_deref() {
            Some("FROM") => user = None,
            Some("USER") => user = words.next().map(String::from),
            _ => {}
        }
    }
    user
}

#[test]
fn every_dockerfile_ends_as_a_non_root_user() {
    let dockerfiles: Vec<PathBuf> = repo_files()
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name == "Dockerfile" || name.starts_with("Dockerfile.") || name.ends_with(".Dockerfile")
        })
        .collect();
    assert!(!dockerfiles.is_empty(), "no Dockerfile found");
    for path in dockerfiles {
        let user = final_user(&read(&path));
        let user = user.unwrap_or_else(|| panic!("{}: the final stage has no USER line", path.display()));
        let name = user.split(':').next().unwrap();
        assert!(name != "root" && name != "0", "{}: runs as {user}", path.display());
    }
}

#[test]
fn final_user_reads_the_last_stage_only() {
    assert_eq!(final_user("FROM a AS b\nUSER 1000\nFROM scratch\nCOPY x y\n"), None);
    assert_eq!(final_user("FROM a\nUSER root\nRUN x\nuser 65532:65532\n").as_deref(), Some("65532:65532"));
}
