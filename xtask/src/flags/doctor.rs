use clap::{Arg, ArgMatches, Command};

pub struct Doctor {
    /// Exit 2 when something this job needs is missing (`--for`).
    pub job: Option<Job>,
    pub registry: Option<String>,
}

/// The jobs `--for` can gate on: each names the `cargo xtask` command it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    LocalBin,
    Ui,
    Image,
    Ci,
}

pub const JOBS: [Job; 4] = [Job::LocalBin, Job::Ui, Job::Image, Job::Ci];

impl Job {
    pub fn as_str(self) -> &'static str {
        match self {
            Job::LocalBin => "local-bin",
            Job::Ui => "ui",
            Job::Image => "image",
            Job::Ci => "ci",
        }
    }
}

pub fn command() -> Command {
    Command::new("doctor")
        .about("Check this machine for everything the other commands need; one line per check with the fix")
        .after_help(
            "Exits 0 (a report) unless --for names a job and something it needs is missing: then 2.\n\
             The global --json prints the same checks as JSON. Nothing is changed on the machine.",
        )
        .arg(
            Arg::new("for")
                .long("for")
                .value_name("JOB")
                .value_parser(JOBS.map(Job::as_str))
                .help("Exit 2 when something this job needs is missing"),
        )
        .arg(
            Arg::new("registry")
                .long("registry")
                .value_name("REGISTRY")
                .help("Also check that this registry answers and whether a login for it is set up"),
        )
}

pub fn from(m: &ArgMatches) -> Doctor {
    let job = m.get_one::<String>("for").and_then(|name| JOBS.into_iter().find(|j| j.as_str() == name));
    Doctor { job, registry: super::string(m, "registry") }
}
