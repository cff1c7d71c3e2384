//! Command-line flags: clap definitions and their conversion into typed values, nothing else.
//!
//! clap's builder API rather than its derive: the derive pulls syn/quote/proc-macro2 into
//! the xtask's cold build for no behaviour we need (see README, "Build times").

mod ci;
mod cli;
mod doctor;
mod image;
mod kind_load;
mod local_bin;
mod ui;

use clap::{Arg, ArgAction, ArgMatches, Command};

pub use ci::Ci;
pub use cli::{Cli, Strategy};
pub use doctor::{Doctor, Job};
pub use image::{CacheMode, Image, ImageBuild, ImageMerge, ImageVerify, MergeFrom, Which};
pub use kind_load::KindLoad;
pub use local_bin::LocalBin;
pub use ui::{Ui, DEFAULT_OUT as DEFAULT_UI_OUT};

use crate::exec::{Mode, Verbosity};

pub struct Flags {
    pub mode: Mode,
    pub verbosity: Verbosity,
    pub command: Subcommand,
}

pub enum Subcommand {
    LocalBin(LocalBin),
    Ci(Ci),
    Cli(Cli),
    Image(Image),
    KindLoad(KindLoad),
    Ui(Ui),
    Doctor(Doctor),
}

pub fn command() -> Command {
    Command::new("xtask")
        .bin_name("cargo xtask")
        .about("Builds, packages and checks NoETL: the noetl CLI, the web UI and the container images.")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(flag("dry-run", "Print the plan as shell commands; run nothing"))
        .arg(
            flag("json", "Print the plan as JSON (see README); run nothing. doctor: its report as JSON")
                .conflicts_with("dry-run"),
        )
        .arg(flag("verbose", "Also print each command line as it runs").short('v'))
        .arg(flag("quiet", "Print only errors").short('q').conflicts_with("verbose"))
        .subcommand(local_bin::command())
        .subcommand(cli::command())
        .subcommand(image::command())
        .subcommand(ui::command())
        .subcommand(doctor::command())
        .subcommand(ci::command())
        .subcommand(kind_load::command())
}

pub fn parse_from<I, T>(args: I) -> Result<Flags, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let m = command().try_get_matches_from(args)?;
    let mode = match (m.get_flag("dry-run"), m.get_flag("json")) {
        (true, _) => Mode::DryRun,
        (_, true) => Mode::Json,
        _ => Mode::Run,
    };
    let verbosity = match (m.get_flag("quiet"), m.get_flag("verbose")) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    let command = match m.subcommand() {
        Some(("local-bin", sub)) => Subcommand::LocalBin(local_bin::from(sub)),
        Some(("cli", sub)) => Subcommand::Cli(cli::from(sub)),
        Some(("image", sub)) => Subcommand::Image(image::from(sub)),
        Some(("ui", sub)) => Subcommand::Ui(ui::from(sub)),
        Some(("doctor", sub)) => Subcommand::Doctor(doctor::from(sub)),
        Some(("ci", sub)) => Subcommand::Ci(ci::from(sub)),
        Some(("kind-load", sub)) => Subcommand::KindLoad(kind_load::from(sub)),
        _ => unreachable!("clap requires a known subcommand"),
    };
    Ok(Flags { mode, verbosity, command })
}

/// A global on/off switch.
fn flag(name: &'static str, help: &'static str) -> Arg {
    Arg::new(name).long(name).help(help).action(ArgAction::SetTrue).global(true)
}

fn string(m: &ArgMatches, name: &str) -> Option<String> {
    m.get_one::<String>(name).cloned()
}
