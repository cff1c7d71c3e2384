use clap::{Arg, ArgMatches, Command};

pub struct KindLoad {
    pub cluster: String,
    pub platform: Option<String>,
}

pub const DEFAULT_CLUSTER: &str = "kind";

pub fn command() -> Command {
    Command::new("kind-load")
        .about("Build the noetl-local-dev image for this machine's platform and load it into a kind cluster")
        .arg(
            Arg::new("cluster")
                .long("cluster")
                .value_name("NAME")
                .default_value(DEFAULT_CLUSTER)
                .help("The kind cluster (kind get clusters lists them)"),
        )
        .arg(
            Arg::new("platform")
                .long("platform")
                .value_name("PLATFORM")
                .help("Build for this platform instead of the host's, e.g. for a cluster of another architecture"),
        )
}

pub fn from(m: &ArgMatches) -> KindLoad {
    KindLoad {
        cluster: super::string(m, "cluster").unwrap_or_else(|| DEFAULT_CLUSTER.into()),
        platform: super::string(m, "platform"),
    }
}
