//! `cargo xtask ui`: build `ui-src/` with npm and install it into `noetl/core/ui`,
//! or lay out the placeholder that makes the server disable its UI.
//!
//! The build runs only when its inputs changed (a hash of the sources, lock file, build
//! config, Node version and `VITE_*` env, stored beside the installed UI). Vite builds
//! into a staging dir next to the target, which is swapped in only when complete, so a
//! failed or interrupted build leaves the previous UI untouched.

use camino::{Utf8Path, Utf8PathBuf};
use serde_json::{json, Value};
use xshell::Shell;

use crate::error::usage;
use crate::exec::Ctx;
use crate::flags::Ui;
use crate::plan::{Action, Cmd, Plan};
use crate::preflight::node;
use crate::{sha256, tools};

/// Stamp in `node_modules`: the hash of the lock file `npm ci` last installed.
const LOCK_STAMP: &str = "node_modules/.noetl-lock.sha256";

/// What is installed at a UI dir, as the server will see it.
#[derive(Debug, PartialEq, Eq)]
pub enum UiState {
    /// Built, from inputs with this hash (`None` when no stamp records them).
    Built {
        inputs: Option<String>,
    },
    /// The dir exists without `index.html`: the server disables its UI.
    Placeholder,
    Missing,
}

pub fn state(out: &Utf8Path) -> UiState {
    if out.join("index.html").is_file() {
        let stamp = std::fs::read_to_string(stamp_path(out)).ok();
        let inputs = stamp
            .and_then(|s| serde_json::from_str::<Value>(&s).ok())
            .and_then(|v| v["inputs"].as_str().map(String::from));
        UiState::Built { inputs }
    } else if out.is_dir() {
        UiState::Placeholder
    } else {
        UiState::Missing
    }
}

fn sibling(out: &Utf8Path, suffix: &str) -> Utf8PathBuf {
    let name = out.file_name().unwrap_or("ui");
    out.parent().unwrap_or(Utf8Path::new(".")).join(format!(".{name}.{suffix}"))
}

/// Beside the UI dir, not in it, so the server never serves it.
fn stamp_path(out: &Utf8Path) -> Utf8PathBuf {
    sibling(out, "build.json")
}

pub fn plan(flags: &Ui, ctx: &Ctx, _sh: &Shell) -> anyhow::Result<Plan> {
    let out = Utf8PathBuf::from(&flags.out);
    let abs_out = ctx.abs(&out);
    let mut plan = Plan::new("ui");
    if flags.placeholder {
        return placeholder(&mut plan, &out, &abs_out, flags.force).map(|()| plan);
    }
    let src_rel = Utf8Path::new(&flags.src);
    let src = ctx.abs(src_rel);
    let package = node::package_json(&src).map_err(|check| check.error_for("UI sources", &check.name))?;
    // The up-to-date check runs no program: starting node and npm would cost more
    // than the whole no-op is allowed to take.
    let node = tools::find("node").ok_or_else(|| node::not_found("node").error_for("tool", "node"))?;
    let inputs = inputs_hash(&src, &node)?;
    if !flags.force && state(&abs_out) == (UiState::Built { inputs: Some(inputs.clone()) }) {
        plan.note(format!("{out} is up to date (inputs {})", &inputs[..12]));
        return Ok(plan);
    }
    let node_version = node::engine("node", Some(&package)).require_for("tool", "node")?.detail;
    node::engine("npm", Some(&package)).require_for("tool", "npm")?;

    let lock = std::fs::read(src.join("package-lock.json")).map_err(|_| {
        usage(
            "lock file",
            src.join("package-lock.json").as_str(),
            "is missing",
            "run `npm install` there and commit package-lock.json",
        )
    })?;
    let lock_hash = sha256::hex_digest(&lock);
    let installed = std::fs::read_to_string(src.join(LOCK_STAMP)).unwrap_or_default();
    if installed.trim() != lock_hash {
        plan.run(
            "install UI dependencies (npm ci)",
            Cmd::new("npm").args(["ci", "--no-audit", "--no-fund"]).cwd(src_rel),
        );
        plan.step(
            "record the installed lock file",
            Action::WriteFile { path: src_rel.join(LOCK_STAMP), contents: lock_hash },
        );
    }
    let staging = sibling(&out, "staging");
    let abs_staging = ctx.abs(&staging);
    plan.run(
        "build the UI (npm run build)",
        Cmd::new("npm").args(["run", "build", "--", "--outDir", abs_staging.as_str(), "--emptyOutDir"]).cwd(src_rel),
    );
    plan.step(
        format!("install the UI into {out}"),
        Action::SwapDir { from: staging, to: out.clone(), require: Some("index.html".into()) },
    );
    let stamp = json!({ "inputs": inputs, "node": node_version });
    plan.step(
        "record the UI's inputs",
        Action::WriteFile { path: stamp_path(&out), contents: serde_json::to_string_pretty(&stamp)? },
    );
    Ok(plan)
}

fn placeholder(plan: &mut Plan, out: &Utf8Path, abs_out: &Utf8Path, force: bool) -> anyhow::Result<()> {
    match state(abs_out) {
        UiState::Built { .. } if !force => Err(usage(
            "--placeholder",
            out.as_str(),
            "holds a built UI that the placeholder would replace",
            "add --force to replace it, or pass another --out",
        )),
        UiState::Built { .. } => {
            let staging = sibling(out, "staging");
            plan.step("clear the staging dir", Action::RemoveDir(staging.clone()));
            plan.step("lay out the placeholder", Action::MkDir(staging.join("assets")));
            plan.step(
                format!("replace {out} with the placeholder"),
                Action::SwapDir { from: staging, to: out.to_owned(), require: None },
            );
            Ok(())
        }
        UiState::Placeholder | UiState::Missing => {
            plan.step(
                format!("create {out}/assets (no index.html: the server disables its UI)"),
                Action::MkDir(out.join("assets")),
            );
            Ok(())
        }
    }
}

/// A hash of everything the build reads: files under `ui-src` (except installed packages,
/// build output and the browser tests), which `node` binary runs it (path, size, mtime:
/// an upgrade changes them) and the `VITE_*` environment.
pub fn inputs_hash(src: &Utf8Path, node: &Utf8Path) -> anyhow::Result<String> {
    let mut files = Vec::new();
    collect_files(src, src, &mut files)?;
    files.sort();
    let real = node.canonicalize_utf8().unwrap_or_else(|_| node.to_owned());
    let meta = std::fs::metadata(&real)?;
    let mtime = meta.modified()?.duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs();
    let mut data = format!("node {real} {} {mtime}\n", meta.len()).into_bytes();
    let mut env: Vec<(String, String)> = std::env::vars().filter(|(k, _)| k.starts_with("VITE_")).collect();
    env.sort();
    for (k, v) in env {
        data.extend(format!("env {k}={v}\n").bytes());
    }
    for rel in files {
        let bytes = std::fs::read(src.join(&rel))?;
        data.extend(format!("file {rel} {}\n", sha256::hex_digest(&bytes)).bytes());
    }
    Ok(sha256::hex_digest(&data))
}

fn collect_files(src: &Utf8Path, dir: &Utf8Path, out: &mut Vec<String>) -> anyhow::Result<()> {
    for entry in dir.read_dir_utf8()? {
        let entry = entry?;
        let name = entry.file_name();
        if ["node_modules", "dist", "e2e"].contains(&name) || name.starts_with('.') && entry.file_type()?.is_dir() {
            continue;
        }
        if entry.file_type()?.is_dir() {
            collect_files(src, entry.path(), out)?;
        } else {
            out.push(entry.path().strip_prefix(src)?.to_string());
        }
    }
    Ok(())
}
