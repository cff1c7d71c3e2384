//! `cargo xtask`: NoETL's build tool. See README.md for the commands.

mod binary;
mod build;
mod ci_tags;
mod commands;
mod error;
mod exec;
mod flags;
mod git;
mod plan;
mod platform;
mod preflight;
mod sha256;
mod tools;
mod version;

use camino::Utf8PathBuf;
use xshell::Shell;

use crate::exec::Ctx;
use crate::flags::Subcommand;

fn main() {
    let flags = match flags::parse_from(std::env::args_os()) {
        Ok(flags) => flags,
        Err(e) => e.exit(),
    };
    let ctx = Ctx { root: project_root(), mode: flags.mode, verbosity: flags.verbosity };
    if let Err(err) = run(flags.command, &ctx) {
        if ctx.verbosity == exec::Verbosity::Verbose {
            eprintln!("error: {err:?}");
        } else {
            // One line: the outermost context and the root cause, which names the value and fix.
            let root = err.root_cause().to_string();
            let top = err.to_string();
            if top == root {
                eprintln!("error: {root}");
            } else {
                eprintln!("error: {top}: {root}");
            }
        }
        std::process::exit(error::exit_code(&err));
    }
}

fn run(command: Subcommand, ctx: &Ctx) -> anyhow::Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(&ctx.root);
    let plan = match command {
        Subcommand::LocalBin(f) => commands::local_bin::plan(&f, ctx, &sh)?,
        Subcommand::Cli(f) => commands::cli::plan(&f, ctx, &sh)?,
        Subcommand::Image(f) => commands::image::plan(&f, ctx, &sh)?,
        Subcommand::Ui(f) => commands::ui::plan(&f, ctx, &sh)?,
        // A report, not a plan: it prints its table (or JSON) itself.
        Subcommand::Doctor(f) => return commands::doctor::run(&f, ctx, &sh),
        Subcommand::Ci(f) => commands::ci::plan(&f, ctx, &sh)?,
        Subcommand::KindLoad(f) => commands::kind_load::plan(&f, ctx, &sh)?,
    };
    exec::execute(&plan, ctx)
}

/// The workspace root: where plans' relative paths start.
fn project_root() -> Utf8PathBuf {
    Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_owned()
}
