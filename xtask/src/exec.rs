//! The one executor: runs a plan step by step with progress lines and timings, or prints
//! it (`--dry-run` as shell, `--json` as JSON) without running anything.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::Context;
use camino::{Utf8Path, Utf8PathBuf};
use serde_json::json;

use crate::error::ToolError;
use crate::plan::{Action, Cmd, ManifestEntry, Plan};
use crate::{binary, sha256};

mod image;

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
    let mut records = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        let n = format!("[{}/{total}]", i + 1);
        if let Some(why) = &step.skip {
            ctx.say(&format!("{n} {} skipped: {why}", step.what));
            records.push(Record { what: &step.what, outcome: Outcome::Skipped, secs: None });
            continue;
        }
        ctx.say(&format!("{n} {} …", step.what));
        if ctx.verbosity == Verbosity::Verbose {
            if let Action::Run(cmd) = &step.action {
                ctx.say(&format!("    $ {}", cmd.shell_line()));
            }
        }
        let t = Instant::now();
        let result = run_action(&step.action, ctx).with_context(|| format!("step {n} '{}' failed", step.what));
        let secs = t.elapsed().as_secs_f64();
        match result {
            Ok(detail) => {
                let detail = detail.map(|d| format!(": {d}")).unwrap_or_default();
                ctx.say(&format!("{n} done in {secs:.1}s{detail}"));
                records.push(Record { what: &step.what, outcome: Outcome::Ok, secs: Some(secs) });
            }
            Err(err) if plan.keep_going => {
                // Printed now, whatever the verbosity: the summary only names the step.
                eprintln!("{n} FAILED in {secs:.1}s: {}", one_line(&err));
                records.push(Record { what: &step.what, outcome: Outcome::Failed, secs: Some(secs) });
            }
            Err(err) => return Err(err),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    if plan.keep_going {
        ctx.say(&summary(&records));
        let failed: Vec<&str> = records.iter().filter(|r| r.outcome == Outcome::Failed).map(|r| r.what).collect();
        anyhow::ensure!(
            failed.is_empty(),
            "{}: {} of {total} step(s) failed in {elapsed:.1}s: {}",
            plan.command,
            failed.len(),
            failed.join(", ")
        );
    }
    ctx.say(&format!("{} finished: {total} step(s) in {elapsed:.1}s", plan.command));
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    Failed,
    Skipped,
}

struct Record<'a> {
    what: &'a str,
    outcome: Outcome,
    secs: Option<f64>,
}

/// The table a `keep_going` plan ends with: step, result, seconds.
fn summary(records: &[Record]) -> String {
    let width = records.iter().map(|r| r.what.chars().count()).chain([4]).max().unwrap_or(4);
    let mut out = format!("{:<width$}  {:<7}  {:>7}\n", "step", "result", "seconds");
    for r in records {
        let result = match r.outcome {
            Outcome::Ok => "ok",
            Outcome::Failed => "FAILED",
            Outcome::Skipped => "skipped",
        };
        let secs = r.secs.map_or_else(|| "-".to_string(), |s| format!("{s:.1}"));
        out.push_str(&format!("{:<width$}  {result:<7}  {secs:>7}\n", r.what));
    }
    out.pop();
    out
}

/// The outermost context and the root cause, as `main` prints errors.
fn one_line(err: &anyhow::Error) -> String {
    let (top, root) = (err.to_string(), err.root_cause().to_string());
    if top == root {
        root
    } else {
        format!("{top}: {root}")
    }
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
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(e).with_context(|| format!("cannot remove {dir}"))?
                }
                _ => {}
            }
            Ok(None)
        }
        Action::SwapDir { from, to, require } => {
            swap_dir(&ctx.abs(from), &ctx.abs(to), require.as_deref()).map(|()| None)
        }
        Action::CheckBinary { path, platform } => {
            binary::check(&ctx.abs(path), platform.os, platform.arch)?;
            Ok(Some(format!("{path} is a {platform} executable")))
        }
        Action::WriteManifest { path, entries } => {
            let manifest = manifest_json(entries, ctx)?;
            write_atomically(&ctx.abs(path), serde_json::to_string_pretty(&manifest)?.as_bytes(), None)?;
            Ok(Some(format!("{} binaries", entries.len())))
        }
        Action::Image(action) => image::run(action, ctx),
    }
}

/// The process for `cmd`: its argv, env and working dir (the repo root unless it names one).
pub(crate) fn command(cmd: &Cmd, ctx: &Ctx) -> Command {
    let mut command = Command::new(&cmd.program);
    command.args(&cmd.args).current_dir(cmd.cwd.as_ref().map_or(ctx.root.clone(), |d| ctx.abs(d)));
    command.envs(cmd.env.iter().map(|(k, v)| (k, v)));
    command
}

/// A program that could not start: not installed is the user's to fix (exit 2, with the
/// command's install hint); anything else is reported with the command line.
pub(crate) fn spawn_error(cmd: &Cmd, e: std::io::Error) -> anyhow::Error {
    match &cmd.install_hint {
        Some(hint) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::error::usage("tool", &cmd.program, "not found on PATH", hint)
        }
        _ => ToolError { command_line: cmd.shell_line(), status: format!("could not start: {e}") }.into(),
    }
}

fn run_cmd(cmd: &Cmd, ctx: &Ctx) -> anyhow::Result<()> {
    let mut command = command(cmd, ctx);
    let secret = match &cmd.stdin_from_env {
        Some(var) => {
            command.stdin(Stdio::piped());
            Some(std::env::var(var).map_err(|_| {
                crate::error::usage("environment variable", var, "is not set", &format!("export {var}=… first"))
            })?)
        }
        None => None,
    };
    let mut child = command.spawn().map_err(|e| spawn_error(cmd, e))?;
    if let (Some(secret), Some(mut stdin)) = (secret, child.stdin.take()) {
        stdin.write_all(secret.as_bytes())?;
    }
    let status = child.wait()?;
    if !status.success() {
        return Err(ToolError { command_line: cmd.shell_line(), status: status.to_string() }.into());
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
    remove_orphaned_temp_files(dir, name);
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        if let Some(mode) = mode {
            file.set_permissions(mode)?;
        }
        file.sync_all()?;
        // Closed before the rename: an executable still open for writing cannot be
        // started ("text file busy") by whoever runs it right after.
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {path}"))
}

/// Removes `.{name}.tmp-<pid>` files whose writer is gone (a run interrupted mid-write);
/// a writer still alive keeps its file.
fn remove_orphaned_temp_files(dir: &Utf8Path, name: &str) {
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = dir.read_dir_utf8() else { return };
    for entry in entries.flatten() {
        let pid = entry.file_name().strip_prefix(prefix.as_str()).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| !Utf8Path::new(&format!("/proc/{pid}")).exists()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::UsageError;

    fn ctx(root: &Utf8Path) -> Ctx {
        Ctx { root: root.to_owned(), mode: Mode::Run, verbosity: Verbosity::Quiet }
    }

    fn temp_root(name: &str) -> Utf8PathBuf {
        let dir = Utf8PathBuf::from_path_buf(std::env::temp_dir())
            .unwrap()
            .join(format!("exec-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn an_interrupted_writers_temp_file_is_removed_and_a_live_ones_kept() {
        let dir = temp_root("orphans");
        // pid_max on Linux is at most 2^22: this pid cannot be running.
        let orphan = dir.join(".noetl.tmp-4194305");
        // pid 1 always runs: its file may still be being written.
        let live = dir.join(".noetl.tmp-1");
        std::fs::write(&orphan, "half").unwrap();
        std::fs::write(&live, "busy").unwrap();
        write_atomically(&dir.join("noetl"), b"new", None).unwrap();
        assert!(!orphan.exists(), "the orphan should be gone");
        assert_eq!(std::fs::read_to_string(&live).unwrap(), "busy", "a live writer's file must stay");
        assert_eq!(std::fs::read_to_string(dir.join("noetl")).unwrap(), "new");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn keep_going_runs_every_step_and_fails_naming_the_failed_ones() {
        let root = temp_root("keep-going");
        let mut plan = Plan::new("gate");
        plan.keep_going = true;
        plan.run("first", Cmd::new("false"));
        plan.skipped("optional", Action::MkDir("never".into()), "tool not on PATH");
        plan.step("after", Action::MkDir("made".into()));
        plan.run("second", Cmd::new("sh").args(["-c", "exit 3"]));
        let err = execute(&plan, &ctx(&root)).unwrap_err().to_string();
        let (made, never) = (root.join("made").is_dir(), root.join("never").exists());
        std::fs::remove_dir_all(&root).unwrap();
        assert!(err.starts_with("gate: 2 of 4 step(s) failed in ") && err.ends_with("s: first, second"), "{err}");
        assert!(made, "steps after a failure must still run");
        assert!(!never, "a skipped step must not run");
    }

    #[test]
    fn without_keep_going_the_first_failure_stops_the_plan() {
        let root = temp_root("stop");
        let mut plan = Plan::new("build");
        plan.run("fail", Cmd::new("false"));
        plan.step("after", Action::MkDir("made".into()));
        let err = execute(&plan, &ctx(&root)).unwrap_err();
        let made = root.join("made").exists();
        std::fs::remove_dir_all(&root).unwrap();
        assert!(err.to_string().contains("'fail' failed"), "{err}");
        assert!(!made);
    }

    #[test]
    fn a_missing_program_with_an_install_hint_is_a_usage_error() {
        let root = temp_root("hint");
        let mut plan = Plan::new("lint");
        plan.run("lint", Cmd::new("noetl-no-such-linter").install_hint("pip install noetl-no-such-linter"));
        let err = execute(&plan, &ctx(&root)).unwrap_err();
        std::fs::remove_dir_all(&root).unwrap();
        assert!(err.downcast_ref::<UsageError>().is_some(), "{err:?}");
        assert_eq!(
            err.root_cause().to_string(),
            "tool 'noetl-no-such-linter': not found on PATH. fix: pip install noetl-no-such-linter"
        );
    }

    #[test]
    fn summary_lists_every_step_with_its_result_and_time() {
        let records = [
            Record { what: "fmt", outcome: Outcome::Ok, secs: Some(1.25) },
            Record { what: "clippy", outcome: Outcome::Failed, secs: Some(20.0) },
            Record { what: "zizmor", outcome: Outcome::Skipped, secs: None },
        ];
        assert_eq!(
            summary(&records),
            "step    result   seconds\nfmt     ok           1.2\nclippy  FAILED      20.0\nzizmor  skipped        -"
        );
    }
}
