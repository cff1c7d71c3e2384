use clap::{Arg, ArgAction, ArgMatches, Command};

pub struct Cli {
    pub platforms: Option<String>,
    pub static_crt: bool,
    pub musl: bool,
    pub strategy: Strategy,
    pub builder_image: Option<String>,
    pub debug: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    Auto,
    Cargo,
    Cross,
    Zigbuild,
    Container,
}

pub const STRATEGIES: [&str; 5] = ["auto", "cargo", "cross", "zigbuild", "container"];

pub fn command() -> Command {
    Command::new("cli")
        .about("Build noetl for each platform into target/dist/<os>/<arch>/noetl with a manifest")
        .arg(
            Arg::new("platforms")
                .long("platforms")
                .value_name("LIST")
                .help("Comma-separated, e.g. linux/amd64,linux/arm64 (default: the host platform)"),
        )
        .arg(
            Arg::new("static")
                .long("static")
                .action(ArgAction::SetTrue)
                .help("Link statically (+crt-static), for FROM scratch images"),
        )
        .arg(Arg::new("musl").long("musl").action(ArgAction::SetTrue).help("Use the musl targets instead of gnu"))
        .arg(
            Arg::new("strategy")
                .long("strategy")
                .value_parser(STRATEGIES)
                .default_value("auto")
                .help("How to cross-compile: auto picks cargo, cross, zigbuild or container per platform"),
        )
        .arg(
            Arg::new("builder-image")
                .long("builder-image")
                .value_name("IMAGE")
                .env("NOETL_BUILDER_IMAGE")
                .help("Image with cargo and the target std, for --strategy container"),
        )
        .arg(Arg::new("debug").long("debug").action(ArgAction::SetTrue).help("Debug build instead of release"))
}

pub fn from(m: &ArgMatches) -> Cli {
    let strategy = match m.get_one::<String>("strategy").map(String::as_str) {
        Some("cargo") => Strategy::Cargo,
        Some("cross") => Strategy::Cross,
        Some("zigbuild") => Strategy::Zigbuild,
        Some("container") => Strategy::Container,
        _ => Strategy::Auto,
    };
    Cli {
        platforms: super::string(m, "platforms"),
        static_crt: m.get_flag("static"),
        musl: m.get_flag("musl"),
        strategy,
        builder_image: super::string(m, "builder-image"),
        debug: m.get_flag("debug"),
    }
}
