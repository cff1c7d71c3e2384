use clap::{Arg, ArgAction, ArgMatches, Command};

pub struct Ci {
    pub testbed: bool,
    pub skip: Vec<String>,
    pub only: Vec<String>,
}

pub fn command() -> Command {
    let steps = crate::commands::ci::STEPS.join(", ");
    Command::new("ci")
        .about("Run what CI runs, each step timed, with a summary: fmt, clippy, ui, tests, workflow/Dockerfile lints, tidy")
        .after_help(format!("Steps, in order: {steps}"))
        .arg(
            Arg::new("testbed")
                .long("testbed")
                .action(ArgAction::SetTrue)
                .help("Set up the real test bed first (.ci/testbed.sh up) and fail, not skip, the tests that need it"),
        )
        .arg(step_list("skip", "Leave out these steps (repeat or comma-separate)"))
        .arg(step_list("only", "Run only these steps (repeat or comma-separate)").conflicts_with("skip"))
}

fn step_list(name: &'static str, help: &'static str) -> Arg {
    Arg::new(name).long(name).value_name("STEP").action(ArgAction::Append).value_delimiter(',').help(help)
}

pub fn from(m: &ArgMatches) -> Ci {
    let list = |name: &str| m.get_many::<String>(name).map(|v| v.cloned().collect()).unwrap_or_default();
    Ci { testbed: m.get_flag("testbed"), skip: list("skip"), only: list("only") }
}
