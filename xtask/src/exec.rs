//! The one executor: runs a plan step by step with progress lines and timings, or prints
//! it (`--dry-run` as shell, `--json` as JSON) without running anything.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::Context;
use camino::{Utf8Path, Utf8PathBuf};
use serde_json::json;

use crate::error::ToolError;
use crate::plan::{Action, Cmd, EnvValue, ManifestEntry, Plan};
use crate::{binary, sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Run,
    DryRun,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

pub struct Ctx {
    /// The repository root; plans use paths relative to it and run with it as cwd.
    pub root: Utf8PathBuf,
    pub mode: Mode,
    pub verbosity: Verbosity,
}

impl Ctx {
    pub fn abs(&self, path: &Utf8Path) -> Utf8PathBuf {
        self.root.join(path)
    }

    /// Progress and notices go to stderr, so stdout stays clean for `--json` and for tools.
    pub fn say(&self, line: &str) {
        if self.verbosity > Verbosity::Quiet {
            eprintln!("{line}");
        }
    }
}

pub fn execute(plan: &Plan, ctx: &Ctx) -> anyhow::Result<()> {
    match ctx.mode {
        Mode::DryRun => {
            print!("cd {}\n{}", crate::plan::quote(ctx.root.as_str()), plan.to_shell());
            Ok(())
        }
        Mode::Json => {
            let mut v = plan.to_json();
            v["root"] = json!(ctx.root.as_str());
            println!("{}", serde_json::to_string_pretty(&v)?);
            Ok(())
        }
        Mode::Run => run(plan, ctx),
    }
}

fn run(plan: &Plan, ctx: &Ctx) -> anyhow::Result<()> {
    for note in &plan.notes {
        ctx.say(&format!("note: {note}"));
    }
    let total = plan.steps.len();
    let started = Instant::now();
    for (i, step) in plan.steps.iter().enumerate() {
        let n = format!("[{}/{total}]", i + 1);
        ctx.say(&format!("{n} {} …", step.what));
        if ctx.verbosity == Verbosity::Verbose {
            if let Action::Run(cmd) = &step.action {
                ctx.say(&format!("    $ {}", cmd.shell_line()));
            }
        }
        let t = Instant::now();
        let detail = run_action(&step.action, ctx)
            .with_context(|| format!("step {n} '{}' failed", step.what))?;
        let detail = detail.map(|d| format!(": {d}")).unwrap_or_default();
        ctx.say(&format!("{n} done in {:.1}s{detail}", t.elapsed().as_secs_f64()));
    }
    ctx.say(&format!("{} finished: {total} step(s) in {:.1}s", plan.command, started.elapsed().as_secs_f64()));
    Ok(())
}

/// Runs one action; returns a short result worth printing (size, architecture…).
fn run_action(action: &Action, ctx: &Ctx) -> anyhow::Result<Option<String>> {
    match action {
        Action::Run(cmd) => run_cmd(cmd, ctx).map(|()| None),
        Action::MkDir(dir) => {
            std::fs::create_dir_all(ctx.abs(dir)).with_context(|| format!("cannot create {dir}"))?;
            Ok(None)
        }
        Action::Install { from, to } => {
            let (from, to) = (ctx.abs(from), ctx.abs(to));
            let bytes = std::fs::read(&from).with_context(|| format!("cannot read {from}"))?;
            let mode = std::fs::metadata(&from)?.permissions();
            write_atomically(&to, &bytes, Some(mode))?;
            Ok(Some(format!("{to} ({})", human_size(bytes.len() as u64))))
        }
        Action::WriteFile { path, contents } => {
            write_atomically(&ctx.abs(path), contents.as_bytes(), None)?;
            Ok(None)
        }
        Action::RemoveDir(dir) => {
            match std::fs::remove_dir_all(ctx.abs(dir)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e).with_context(|| format!("cannot remove {dir}"))?,
                _ => {}
            }
            Ok(None)
        }
        Action::SwapDir { from, to, require } => swap_dir(&ctx.abs(from), &ctx.abs(to), require.as_deref()).map(|()| None),
        Action::CheckBinary { path, platform } => {
            binary::check(&ctx.abs(path), platform.os, platform.arch)?;
            Ok(Some(format!("{path} is a {platform} executable")))
        }
        Action::WriteManifest { path, entries } => {
            let manifest = manifest_json(entries, ctx)?;
            write_atomically(&ctx.abs(path), serde_json::to_string_pretty(&manifest)?.as_bytes(), None)?;
            Ok(Some(format!("{} binaries", entries.len())))
        }
    }
}

fn run_cmd(cmd: &Cmd, ctx: &Ctx) -> anyhow::Result<()> {
    let mut command = Command::new(&cmd.program);
    command.args(&cmd.args).current_dir(cmd.cwd.as_ref().map_or(ctx.root.clone(), |d| ctx.abs(d)));
    for (key, value) in &cmd.env {
        if let EnvValue::Set(v) = value {
            command.env(key, v);
        }
    }
    let secret = match &cmd.stdin_from_env {
        Some(var) => {
            command.stdin(Stdio::piped());
            Some(std::env::var(var).map_err(|_| {
                crate::error::usage("environment variable", var, "is not set", &format!("export {var}=… first"))
            })?)
        }
        None => None,
    };
    let failed = |status: String| ToolError { command_line: cmd.shell_line(), status };
    let mut child = command.spawn().map_err(|e| failed(format!("could not start: {e}")))?;
    if let (Some(secret), Some(mut stdin)) = (secret, child.stdin.take()) {
        stdin.write_all(secret.as_bytes())?;
    }
    let status = child.wait()?;
    if !status.success() {
        return Err(failed(status.to_string()).into());
    }
    Ok(())
}

fn manifest_json(entries: &[ManifestEntry], ctx: &Ctx) -> anyhow::Result<serde_json::Value> {
    let mut binaries = Vec::new();
    for e in entries {
        let bytes = std::fs::read(ctx.abs(&e.path)).with_context(|| format!("cannot read {}", e.path))?;
        binaries.push(json!({
            "platform": e.platform,
            "triple": e.triple,
            "path": e.path.as_str(),
            "size": bytes.len(),
            "sha256": sha256::hex_digest(&bytes),
        }));
    }
    Ok(json!({ "version": 1, "binaries": binaries }))
}

/// Writes next to `path` under a temporary name, then renames over it: a reader (or a
/// running executable) sees the old file or the new one, never a half-written one, and
/// an interrupted run leaves the old file in place.
pub fn write_atomically(path: &Utf8Path, bytes: &[u8], mode: Option<std::fs::Permissions>) -> anyhow::Result<()> {
    let dir = path.parent().filter(|d| !d.as_str().is_empty()).unwrap_or(Utf8Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {dir}"))?;
    let name = path.file_name().unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        if let Some(mode) = mode {
            file.set_permissions(mode)?;
        }
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {path}"))
}

/// Two renames: `to` → `to.old`, `from` → `to`; the old dir is removed only once the new
/// one is in place, and put back if the second rename fails.
fn swap_dir(from: &Utf8Path, to: &Utf8Path, require: Option<&str>) -> anyhow::Result<()> {
    if let Some(file) = require {
        anyhow::ensure!(from.join(file).exists(), "{from} has no {file}: the build did not produce a complete result");
    }
    let old = Utf8PathBuf::from(format!("{to}.old"));
    let _ = std::fs::remove_dir_all(&old);
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {parent}"))?;
    }
    let had_old = to.exists();
    if had_old {
        std::fs::rename(to, &old).with_context(|| format!("cannot move {to} aside"))?;
    }
    if let Err(e) = std::fs::rename(from, to) {
        if had_old {
            let _ = std::fs::rename(&old, to);
        }
        return Err(e).with_context(|| format!("cannot move {from} to {to}"));
    }
    if had_old {
        std::fs::remove_dir_all(&old).with_context(|| format!("cannot remove {old}"))?;
    }
    Ok(())
}

pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}
