use clap::{Arg, ArgAction, ArgMatches, Command};

pub struct Ui {
    pub src: String,
    pub out: String,
    pub force: bool,
    pub placeholder: bool,
}

pub const DEFAULT_OUT: &str = "noetl/core/ui";

pub fn command() -> Command {
    Command::new("ui")
        .about("Build the web UI with npm (only when its inputs changed) and install it into noetl/core/ui")
        .arg(
            Arg::new("src").long("src").value_name("DIR").default_value("ui-src").help("The UI sources (package.json)"),
        )
        .arg(Arg::new("out").long("out").value_name("DIR").default_value(DEFAULT_OUT).help("Where to install the UI"))
        .arg(Arg::new("force").long("force").action(ArgAction::SetTrue).help("Rebuild even when up to date"))
        .arg(
            Arg::new("placeholder")
                .long("placeholder")
                .action(ArgAction::SetTrue)
                .help("Install the placeholder layout (assets/, no index.html): the server then disables its UI"),
        )
}

pub fn from(m: &ArgMatches) -> Ui {
    Ui {
        src: super::string(m, "src").unwrap_or_else(|| "ui-src".into()),
        out: super::string(m, "out").unwrap_or_else(|| DEFAULT_OUT.into()),
        force: m.get_flag("force"),
        placeholder: m.get_flag("placeholder"),
    }
}
