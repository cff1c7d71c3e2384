//! One module per `cargo xtask` subcommand, each with a `plan` function that decides
//! (reading the machine, changing nothing) and returns the steps for the executor.

pub mod ci;
pub mod cli;
pub mod doctor;
pub mod image;
pub mod kind_load;
pub mod local_bin;
pub mod ui;

use xshell::Shell;

use crate::exec::Ctx;
use crate::flags::{self, Subcommand};
use crate::plan::Plan;

/// The plan `cargo xtask ARGS…` would run, defaults and environment included: how one
/// command composes another exactly as the user would type it.
pub fn plan_of(args: &[&str], ctx: &Ctx, sh: &Shell) -> anyhow::Result<Plan> {
    let parsed = flags::parse_from(std::iter::once("xtask").chain(args.iter().copied()))
        .map_err(|e| anyhow::anyhow!("cargo xtask {}: {e}", args.join(" ")))?;
    match parsed.command {
        Subcommand::Ui(f) => ui::plan(&f, ctx, sh),
        Subcommand::Cli(f) => cli::plan(&f, ctx, sh),
        Subcommand::Image(f) => image::plan(&f, ctx, sh),
        _ => unreachable!("only ui, cli and image plans are composed"),
    }
}
