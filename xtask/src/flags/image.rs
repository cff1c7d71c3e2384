use clap::{Arg, ArgAction, ArgMatches, Command};

/// `cargo xtask image …`: a build (the default) or one of its subcommands.
pub enum Image {
    Build(ImageBuild),
    Verify(ImageVerify),
    Merge(ImageMerge),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Dev,
    Cli,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheMode {
    Auto,
    Gha,
    Registry,
    Local,
    None,
}

#[derive(Debug, Clone)]
pub struct ImageBuild {
    pub which: Which,
    pub platforms: Option<String>,
    pub push: bool,
    pub load: bool,
    pub registry: Option<String>,
    pub tags: Vec<String>,
    pub builder: Option<String>,
    pub cache: CacheMode,
    pub no_cache: bool,
    pub in_docker: bool,
    pub rust_image: String,
    pub no_smoke: bool,
    pub no_sbom: bool,
}

pub struct ImageVerify {
    pub reference: String,
    pub platforms: Option<String>,
    pub no_smoke: bool,
}

pub struct ImageMerge {
    pub target: String,
    pub sources: Vec<String>,
    pub platforms: Option<String>,
    pub no_smoke: bool,
}

/// The Rust image the in-docker route compiles in: the one `.ci/testbed.sh` makes.
pub const DEFAULT_RUST_IMAGE: &str = "noetl-rust:1.85-trixie";
const DEFAULT_PLATFORMS_HELP: &str =
    "Comma-separated (default: linux/amd64,linux/arm64 with --push, else the daemon's platform)";

fn platforms() -> Arg {
    Arg::new("platforms").long("platforms").value_name("LIST")
}

fn no_smoke() -> Arg {
    Arg::new("no-smoke")
        .long("no-smoke")
        .action(ArgAction::SetTrue)
        .help("Skip running each platform's image (--version)")
}

pub fn command() -> Command {
    Command::new("image")
        .about("Build the noetl-local-dev and noetlctl images for one or several platforms; load or push them")
        .args_conflicts_with_subcommands(true)
        .arg(
            Arg::new("image")
                .long("image")
                .value_parser(["dev", "cli", "all"])
                .default_value("all")
                .help("dev = noetl-local-dev (server + UI), cli = noetlctl (the CLI alone)"),
        )
        .arg(platforms().help(DEFAULT_PLATFORMS_HELP))
        .arg(
            Arg::new("push")
                .long("push")
                .action(ArgAction::SetTrue)
                .help("Push to --registry, then verify the index and run each platform"),
        )
        .arg(
            Arg::new("load")
                .long("load")
                .action(ArgAction::SetTrue)
                .conflicts_with("push")
                .help("Load into the local image store (the default without --push)"),
        )
        .arg(
            Arg::new("registry")
                .long("registry")
                .value_name("REGISTRY")
                .env("NOETL_REGISTRY")
                .help("Prefix of the image names, e.g. ghcr.io/noetl/ or 127.0.0.1:5000/"),
        )
        .arg(
            Arg::new("tag")
                .long("tag")
                .value_name("TAG")
                .action(ArgAction::Append)
                .help("Tag to build and verify (repeatable); the git short sha is always added"),
        )
        .arg(
            Arg::new("builder")
                .long("builder")
                .value_name("NAME")
                .help("buildx builder (default: the current one if it can, else noetl-builder)"),
        )
        .arg(
            Arg::new("cache")
                .long("cache")
                .value_parser(["auto", "gha", "registry", "local", "none"])
                .default_value("auto")
                .help(
                    "Build cache: auto = gha in GitHub Actions, registry when pushing, else a local dir under target/",
                ),
        )
        .arg(
            Arg::new("no-cache")
                .long("no-cache")
                .action(ArgAction::SetTrue)
                .help("Use no build cache at all, RUN cache mounts included (a cold build)"),
        )
        .arg(
            Arg::new("in-docker")
                .long("in-docker")
                .action(ArgAction::SetTrue)
                .help("Compile noetl inside the build (cross-compiling) instead of copying target/dist"),
        )
        .arg(
            Arg::new("rust-image")
                .long("rust-image")
                .value_name("IMAGE")
                .env("NOETL_RUST_IMAGE")
                .default_value(DEFAULT_RUST_IMAGE)
                .help("With --in-docker: image with cargo, each target's std and cross linkers"),
        )
        .arg(no_smoke())
        .arg(
            Arg::new("no-sbom")
                .long("no-sbom")
                .action(ArgAction::SetTrue)
                .help("Push without the SBOM attestation (its generator image must be pullable)"),
        )
        .subcommand(
            Command::new("verify")
                .about("Check that a pushed image's index has every platform, then run each one")
                .arg(
                    Arg::new("reference").value_name("REF").required(true).help("e.g. 127.0.0.1:5000/noetlctl:3f2a1bc"),
                )
                .arg(platforms().help("Platforms the index must have (default: linux/amd64,linux/arm64)"))
                .arg(no_smoke()),
        )
        .subcommand(
            Command::new("merge")
                .about("Combine per-platform images (pushed by tag or digest) into one index, then verify it")
                .arg(
                    Arg::new("target")
                        .value_name("TARGET")
                        .required(true)
                        .help("The index to create, e.g. 127.0.0.1:5000/noetlctl:3f2a1bc"),
                )
                .arg(
                    Arg::new("sources")
                        .value_name("SOURCE")
                        .required(true)
                        .num_args(1..)
                        .help("Per-platform images, e.g. 127.0.0.1:5000/noetlctl@sha256:…"),
                )
                .arg(platforms().help("Platforms the index must have (default: linux/amd64,linux/arm64)"))
                .arg(no_smoke()),
        )
}

pub fn from(m: &ArgMatches) -> Image {
    match m.subcommand() {
        Some(("verify", sub)) => Image::Verify(ImageVerify {
            reference: super::string(sub, "reference").unwrap_or_default(),
            platforms: super::string(sub, "platforms"),
            no_smoke: sub.get_flag("no-smoke"),
        }),
        Some(("merge", sub)) => Image::Merge(ImageMerge {
            target: super::string(sub, "target").unwrap_or_default(),
            sources: sub.get_many::<String>("sources").map(|v| v.cloned().collect()).unwrap_or_default(),
            platforms: super::string(sub, "platforms"),
            no_smoke: sub.get_flag("no-smoke"),
        }),
        _ => Image::Build(build_from(m)),
    }
}

fn build_from(m: &ArgMatches) -> ImageBuild {
    let which = match m.get_one::<String>("image").map(String::as_str) {
        Some("dev") => Which::Dev,
        Some("cli") => Which::Cli,
        _ => Which::All,
    };
    let cache = match m.get_one::<String>("cache").map(String::as_str) {
        Some("gha") => CacheMode::Gha,
        Some("registry") => CacheMode::Registry,
        Some("local") => CacheMode::Local,
        Some("none") => CacheMode::None,
        _ => CacheMode::Auto,
    };
    ImageBuild {
        which,
        platforms: super::string(m, "platforms"),
        push: m.get_flag("push"),
        load: m.get_flag("load"),
        registry: super::string(m, "registry"),
        tags: m.get_many::<String>("tag").map(|v| v.cloned().collect()).unwrap_or_default(),
        builder: super::string(m, "builder"),
        cache,
        no_cache: m.get_flag("no-cache"),
        in_docker: m.get_flag("in-docker"),
        rust_image: super::string(m, "rust-image").unwrap_or_else(|| DEFAULT_RUST_IMAGE.into()),
        no_smoke: m.get_flag("no-smoke"),
        no_sbom: m.get_flag("no-sbom"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Image, clap::Error> {
        let m = command().try_get_matches_from(std::iter::once("image").chain(args.iter().copied()))?;
        Ok(from(&m))
    }

    #[test]
    fn build_flags_parse() {
        let Image::Build(b) = parse(&[
            "--image",
            "cli",
            "--push",
            "--registry",
            "r/",
            "--tag",
            "a",
            "--tag",
            "b",
            "--cache",
            "none",
            "--in-docker",
        ])
        .unwrap() else {
            panic!("not a build")
        };
        assert_eq!((b.which, b.push, b.load, b.cache, b.in_docker), (Which::Cli, true, false, CacheMode::None, true));
        assert_eq!(b.tags, ["a", "b"]);
        assert_eq!(b.registry.as_deref(), Some("r/"));
    }

    #[test]
    fn push_and_load_conflict_and_subcommands_take_no_build_flags() {
        assert!(parse(&["--push", "--load"]).is_err());
        assert!(parse(&["--push", "verify", "r/x:1"]).is_err());
        assert!(parse(&["merge", "r/x:1"]).is_err(), "merge needs at least one source");
        let Image::Merge(m) = parse(&["merge", "r/x:1", "r/x@sha256:a", "r/x@sha256:b", "--no-smoke"]).unwrap() else {
            panic!("not a merge")
        };
        assert_eq!((m.target.as_str(), m.sources.len(), m.no_smoke), ("r/x:1", 2, true));
    }
}
