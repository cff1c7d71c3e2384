//! `noetl`: the NoETL command-line tool. Each subcommand lives in its own module that
//! exposes `command()` (its clap definition) and `run()`.

mod error;
mod health;
mod server;
mod version;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Arg, ArgAction, Command};

fn cli() -> Command {
    Command::new("noetl")
        .about("NoETL command-line tool and server")
        // Our own -V/--version, so the text comes from version::long() with commit and target.
        .disable_version_flag(true)
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::SetTrue)
                .help("Print version, git commit and target"),
        )
        .arg_required_else_help(true)
        .subcommand(server::command())
        .subcommand(health::command())
}

fn main() -> ExitCode {
    let matches = match cli().try_get_matches() {
        Ok(matches) => matches,
        Err(e) => return clap_exit(e),
    };
    if matches.get_flag("version") {
        println!("{}", version::long());
        return ExitCode::SUCCESS;
    }
    let result = match matches.subcommand() {
        Some(("server", matches)) => server::run(matches),
        Some(("health", matches)) => health::run(matches),
        _ => {
            eprintln!("error: a subcommand is required. fix: see `noetl --help`");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::from(failure.code)
        }
    }
}

/// Help goes out whole; usage errors become one line (clap spreads them over several).
fn clap_exit(e: clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::from(2)
        }
        _ => {
            let rendered = e.render().to_string();
            let parts: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty() && !line.starts_with("Usage:"))
                .collect();
            eprintln!("{}", parts.join("; "));
            ExitCode::from(2)
        }
    }
}
