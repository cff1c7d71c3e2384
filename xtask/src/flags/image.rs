use camino::Utf8PathBuf;
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
    /// With `push`: push untagged; buildx records each digest in `--metadata-file`.
    pub by_digest: bool,
    /// Use `target/dist` and the UI as they are instead of running `cli` and `ui` first.
    pub no_inputs: bool,
}

pub struct ImageVerify {
    /// `None`: each image of `which` at `<registry><name>:<commit tag>`.
    pub reference: Option<String>,
    pub which: Which,
    pub registry: Option<String>,
    pub platforms: Option<String>,
    pub no_smoke: bool,
}

pub struct ImageMerge {
    pub from: MergeFrom,
    pub platforms: Option<String>,
    pub no_smoke: bool,
}

/// What `image merge` joins.
pub enum MergeFrom {
    /// `merge TARGET SOURCE…`: the given images into TARGET.
    References { target: String, sources: Vec<String> },
    /// `merge --from-metadata DIR`: for each image, the digests in `DIR/*/<name>.json`
    /// (one directory per platform build) into `<registry><name>`, tagged from git.
    Metadata { dir: Utf8PathBuf, which: Which, registry: Option<String> },
}

/// The Rust image the in-docker route compiles in: the one `.ci/testbed.sh` makes.
pub const DEFAULT_RUST_IMAGE: &str = "noetl-rust:1.85-trixie";
const DEFAULT_PLATFORMS_HELP: &str =
    "Comma-separated (default: linux/amd64,linux/arm64 with --push, else the daemon's platform)";

fn platforms() -> Arg {
    Arg::new("platforms").long("platforms").value_name("LIST")
}

fn which() -> Arg {
    Arg::new("image")
        .long("image")
        .value_parser(["dev", "cli", "all"])
        .default_value("all")
        .help("dev = noetl-local-dev (server + UI), cli = noetlctl (the CLI alone)")
}

fn registry() -> Arg {
    Arg::new("registry")
        .long("registry")
        .value_name("REGISTRY")
        .env("NOETL_REGISTRY")
        .help("Prefix of the image names, e.g. ghcr.io/noetl/ or 127.0.0.1:5000/")
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
        .arg(which())
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
            Arg::new("by-digest")
                .long("by-digest")
                .action(ArgAction::SetTrue)
                .requires("push")
                .conflicts_with("tag")
                .help("With --push: push untagged and record each digest in target/image/NAME.json for `image merge --from-metadata`"),
        )
        .arg(
            Arg::new("no-inputs")
                .long("no-inputs")
                .action(ArgAction::SetTrue)
                .help("Use target/dist and noetl/core/ui as they are: skip `cargo xtask ui` and `cargo xtask cli --static` first"),
        )
        .arg(registry())
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
                .arg(Arg::new("reference").value_name("REF").help(
                    "e.g. 127.0.0.1:5000/noetlctl:3f2a1bc (default: each --image in --registry, tagged with the git commit)",
                ))
                .arg(which().conflicts_with("reference"))
                .arg(registry())
                .arg(platforms().help("Platforms the index must have (default: linux/amd64,linux/arm64)"))
                .arg(no_smoke()),
        )
        .subcommand(
            Command::new("merge")
                .about("Combine per-platform images (pushed by tag or digest) into one index, then verify it")
                .arg(
                    Arg::new("target")
                        .value_name("TARGET")
                        .required_unless_present("from-metadata")
                        .conflicts_with("from-metadata")
                        .help("The index to create, e.g. 127.0.0.1:5000/noetlctl:3f2a1bc"),
                )
                .arg(
                    Arg::new("sources")
                        .value_name("SOURCE")
                        .required_unless_present("from-metadata")
                        .num_args(1..)
                        .help("Per-platform images, e.g. 127.0.0.1:5000/noetlctl@sha256:…"),
                )
                .arg(
                    Arg::new("from-metadata")
                        .long("from-metadata")
                        .value_name("DIR")
                        .help("Instead of TARGET SOURCE…: the digests in DIR/*/NAME.json (one directory per platform, from `image --push --by-digest`), published to --registry with the tags from git"),
                )
                .arg(which().conflicts_with("target"))
                .arg(registry())
                .arg(platforms().help("Platforms the index must have (default: linux/amd64,linux/arm64)"))
                .arg(no_smoke()),
        )
}

fn which_from(m: &ArgMatches) -> Which {
    match m.get_one::<String>("image").map(String::as_str) {
        Some("dev") => Which::Dev,
        Some("cli") => Which::Cli,
        _ => Which::All,
    }
}

pub fn from(m: &ArgMatches) -> Image {
    match m.subcommand() {
        Some(("verify", sub)) => Image::Verify(ImageVerify {
            reference: super::string(sub, "reference"),
            which: which_from(sub),
            registry: super::string(sub, "registry"),
            platforms: super::string(sub, "platforms"),
            no_smoke: sub.get_flag("no-smoke"),
        }),
        Some(("merge", sub)) => Image::Merge(ImageMerge {
            from: match super::string(sub, "from-metadata") {
                Some(dir) => MergeFrom::Metadata {
                    dir: dir.into(),
                    which: which_from(sub),
                    registry: super::string(sub, "registry"),
                },
                None => MergeFrom::References {
                    target: super::string(sub, "target").unwrap_or_default(),
                    sources: sub.get_many::<String>("sources").map(|v| v.cloned().collect()).unwrap_or_default(),
                },
            },
            platforms: super::string(sub, "platforms"),
            no_smoke: sub.get_flag("no-smoke"),
        }),
        _ => Image::Build(build_from(m)),
    }
}

fn build_from(m: &ArgMatches) -> ImageBuild {
    let cache = match m.get_one::<String>("cache").map(String::as_str) {
        Some("gha") => CacheMode::Gha,
        Some("registry") => CacheMode::Registry,
        Some("local") => CacheMode::Local,
        Some("none") => CacheMode::None,
        _ => CacheMode::Auto,
    };
    ImageBuild {
        which: which_from(m),
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
        by_digest: m.get_flag("by-digest"),
        no_inputs: m.get_flag("no-inputs"),
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
        let MergeFrom::References { target, sources } = m.from else { panic!("not TARGET SOURCE…") };
        assert_eq!((target.as_str(), sources.len(), m.no_smoke), ("r/x:1", 2, true));
    }

    #[test]
    fn by_digest_is_a_push_without_tags() {
        let Image::Build(b) = parse(&["--push", "--by-digest"]).unwrap() else { panic!("not a build") };
        assert!(b.push && b.by_digest);
        assert!(parse(&["--by-digest"]).is_err(), "--by-digest needs --push");
        assert!(parse(&["--push", "--by-digest", "--tag", "x"]).is_err(), "a push by digest has no tags");
    }

    #[test]
    fn merge_from_metadata_takes_no_target_and_verify_no_ref() {
        let Image::Merge(m) = parse(&["merge", "--from-metadata", "d", "--image", "cli", "--registry", "r/"]).unwrap()
        else {
            panic!("not a merge")
        };
        let MergeFrom::Metadata { dir, which, registry } = m.from else { panic!("not --from-metadata") };
        assert_eq!((dir.as_str(), which, registry.as_deref()), ("d", Which::Cli, Some("r/")));
        assert!(parse(&["merge", "--from-metadata", "d", "r/x:1", "r/x@sha256:a"]).is_err());
        assert!(
            parse(&["merge", "r/x:1", "r/x@sha256:a", "--image", "cli"]).is_err(),
            "--image goes with --from-metadata"
        );
        assert!(parse(&["merge"]).is_err());

        let Image::Verify(v) = parse(&["verify", "--image", "dev", "--registry", "r/"]).unwrap() else {
            panic!("not a verify")
        };
        assert_eq!((v.reference, v.which, v.registry.as_deref()), (None, Which::Dev, Some("r/")));
        let Image::Verify(v) = parse(&["verify", "r/x:1"]).unwrap() else { panic!("not a verify") };
        assert_eq!((v.reference.as_deref(), v.which), (Some("r/x:1"), Which::All));
        assert!(parse(&["verify", "r/x:1", "--image", "cli"]).is_err(), "REF names the image");
    }
}
