use clap::{Arg, ArgAction, ArgMatches, Command};

pub struct LocalBin {
    pub target: Option<String>,
    pub debug: bool,
}

pub fn command() -> Command {
    Command::new("local-bin")
        .about("Build noetl for this machine (or --target) and install it to bin/noetl")
        .arg(Arg::new("target").long("target").value_name("TRIPLE").help("Rust target triple (default: the host)"))
        .arg(Arg::new("debug").long("debug").action(ArgAction::SetTrue).help("Debug build instead of release"))
}

pub fn from(m: &ArgMatches) -> LocalBin {
    LocalBin { target: super::string(m, "target"), debug: m.get_flag("debug") }
}
