//! What the machine's Docker can do, read once (never changed): the client, the daemon and
//! its image store, buildx and the builder, and which foreign CPUs QEMU binfmt can run.
//! `facts()` reads; the `*_check` methods turn the facts into [`Check`]s for commands and
//! for `cargo xtask doctor`.

use camino::Utf8PathBuf;
use xshell::{cmd, Shell};

use super::Check;
use crate::platform::{Arch, Platform};
use crate::tools;

/// buildx 0.10 brought `--provenance`/`--sbom` attestations, which pushes use.
pub const MIN_BUILDX: Version = Version(0, 10, 0);
/// From Docker 23 on, `docker build` needs the buildx plugin; before, it had BuildKit built in.
pub const BUILDKIT_IN_CLI_BEFORE: Version = Version(23, 0, 0);

const DOCKER_FIX: &str =
    "install Docker Engine with its CLI and the buildx plugin (Debian: apt-get install docker.io docker-cli docker-buildx)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// The first `X.Y[.Z]` in `text`, a leading `v` allowed: `26.1.5+dfsg1`, `v0.14.0`.
    pub fn find_in(text: &str) -> Option<Version> {
        text.split_whitespace().find_map(|word| {
            let word = word.strip_prefix('v').unwrap_or(word);
            let numeric: String = word.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            let mut parts = numeric.split('.').map(|p| p.parse::<u32>().ok());
            match (parts.next().flatten(), parts.next().flatten(), parts.next()) {
                (Some(major), Some(minor), patch) => Some(Version(major, minor, patch.flatten().unwrap_or(0))),
                _ => None,
            }
        })
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Daemon {
    pub version: String,
    /// The daemon's own platform (`linux/amd64`): what `--load` and `docker run` use by default.
    pub platform: String,
    /// The containerd image store holds multi-platform images and lets the `docker` buildx
    /// driver build several platforms and export cache; the classic store does neither.
    pub containerd_store: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builder {
    pub name: String,
    pub driver: String,
    pub status: String,
    /// What the builder's nodes can run (`linux/amd64`, `linux/arm64`…), variants included.
    pub platforms: Vec<String>,
}

impl Builder {
    /// Whether one build can target several platforms: every driver but `docker` can; the
    /// `docker` driver only on the containerd image store.
    pub fn multi_platform(&self, containerd_store: bool) -> bool {
        self.driver != "docker" || containerd_store
    }
    /// Whether it can export build cache (`--cache-to`) and attach attestations (SBOM,
    /// provenance): same rule as above.
    pub fn exports(&self, containerd_store: bool) -> bool {
        self.multi_platform(containerd_store)
    }
}

#[derive(Debug, Clone)]
pub struct DockerFacts {
    /// The `docker` client on PATH.
    pub docker: Option<Utf8PathBuf>,
    pub client_version: Option<Version>,
    /// The daemon, or why it does not answer.
    pub daemon: Result<Daemon, String>,
    /// `docker buildx version`, or why buildx is unusable.
    pub buildx: Result<Version, String>,
    /// The builder a build would use (`--builder NAME`, else the current one), or why not.
    pub builder: Result<Builder, String>,
    /// Foreign CPUs with an enabled QEMU entry in /proc/sys/fs/binfmt_misc.
    pub binfmt: Vec<Arch>,
}

/// Where the daemon is, for messages: `$DOCKER_HOST` or the default socket.
pub fn daemon_address() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into())
}

/// Reads everything about Docker that a build needs; `builder` names the builder to inspect.
pub fn facts(sh: &Shell, builder: Option<&str>) -> DockerFacts {
    let binfmt = [Arch::Amd64, Arch::Arm64].into_iter().filter(|a| binfmt_enabled(*a)).collect();
    let Some(docker) = tools::find("docker") else {
        let why = "docker is not on PATH".to_string();
        return DockerFacts {
            docker: None,
            client_version: None,
            daemon: Err(why.clone()),
            buildx: Err(why.clone()),
            builder: Err(why),
            binfmt,
        };
    };
    let (client_version, daemon) = read_daemon(sh, &docker);
    let buildx = read(sh, &docker, &["buildx", "version"]).and_then(|out| {
        Version::find_in(&out).ok_or_else(|| format!("`docker buildx version` printed no version: {out}"))
    });
    let builder = match (&daemon, &buildx) {
        (Err(why), _) => Err(why.clone()),
        (_, Err(why)) => Err(why.clone()),
        _ => inspect_builder(sh, &docker, builder),
    };
    DockerFacts { docker: Some(docker), client_version, daemon, buildx, builder, binfmt }
}

/// `docker buildx inspect [NAME]`, parsed; the error is buildx's own words.
pub fn inspect_builder(sh: &Shell, docker: &Utf8PathBuf, name: Option<&str>) -> Result<Builder, String> {
    let mut args = vec!["buildx", "inspect"];
    args.extend(name);
    let text = read(sh, docker, &args)?;
    parse_inspect(&text)
}

/// Whether the image is in the daemon's image store.
pub fn image_present(sh: &Shell, docker: &Utf8PathBuf, image: &str) -> bool {
    read(sh, docker, &["image", "inspect", "--format", "{{.Id}}", image]).is_ok()
}

fn read_daemon(sh: &Shell, docker: &Utf8PathBuf) -> (Option<Version>, Result<Daemon, String>) {
    let format = "{{.Client.Version}}|{{if .Server}}{{.Server.Version}}|{{.Server.Os}}/{{.Server.Arch}}{{end}}";
    let out = cmd!(sh, "{docker} version --format {format}").quiet().ignore_status().output();
    let Ok(out) = out else {
        return (None, Err(format!("{docker} could not be started")));
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut fields = stdout.trim().split('|');
    let client = fields.next().and_then(Version::find_in);
    let (version, platform) = (fields.next().unwrap_or_default(), fields.next().unwrap_or_default());
    if !out.status.success() || version.is_empty() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why = stderr.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("no answer").to_string();
        return (client, Err(format!("{} does not answer: {why}", daemon_address())));
    }
    let store = read(sh, docker, &["info", "--format", "{{json .DriverStatus}}"]);
    let daemon = store.map(|status| Daemon {
        version: version.to_string(),
        platform: platform.to_string(),
        containerd_store: status.contains("io.containerd.snapshotter"),
    });
    (client, daemon)
}

/// Runs `docker ARGS` quietly; stdout on success, else the first line of stderr.
fn read(sh: &Shell, docker: &Utf8PathBuf, args: &[&str]) -> Result<String, String> {
    let out = cmd!(sh, "{docker} {args...}").quiet().ignore_status().output().map_err(|e| e.to_string())?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("failed");
    Err(format!("`docker {}`: {line}", args.join(" ")))
}

/// Parses `docker buildx inspect` text (no JSON output in buildx 0.13): name, driver, the
/// first node's status, and the union of the nodes' platforms.
pub fn parse_inspect(text: &str) -> Result<Builder, String> {
    let mut builder =
        Builder { name: String::new(), driver: String::new(), status: String::new(), platforms: Vec::new() };
    let mut error = None;
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        match key.trim() {
            "Name" if builder.name.is_empty() => builder.name = value.to_string(),
            "Driver" => builder.driver = value.to_string(),
            "Status" if builder.status.is_empty() => builder.status = value.to_string(),
            "Error" => error = Some(value.to_string()),
            "Platforms" => {
                for p in value.split(',').map(|p| p.trim().trim_end_matches('*')).filter(|p| !p.is_empty()) {
                    if !builder.platforms.iter().any(|q| q == p) {
                        builder.platforms.push(p.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    match (error, builder.name.is_empty() || builder.driver.is_empty()) {
        (Some(e), _) => Err(e),
        (None, true) => Err(format!("`docker buildx inspect` printed no builder name or driver: {}", text.trim())),
        (None, false) => Ok(builder),
    }
}

/// `/proc/sys/fs/binfmt_misc/qemu-<arch>` (the name Debian's qemu-user-static and
/// tonistiigi/binfmt both register) says `enabled` on its first line.
fn binfmt_enabled(arch: Arch) -> bool {
    let path = format!("/proc/sys/fs/binfmt_misc/qemu-{}", arch.rust_name());
    std::fs::read_to_string(path).is_ok_and(|s| s.lines().next() == Some("enabled"))
}

impl DockerFacts {
    pub fn docker_check(&self) -> Check {
        match (&self.docker, self.client_version) {
            (Some(path), Some(v)) => Check::ok("docker", format!("{path} (client {v})")),
            (Some(path), None) => Check::ok("docker", path.to_string()),
            (None, _) => Check::missing("docker", "not found on PATH", DOCKER_FIX),
        }
    }

    pub fn daemon_check(&self) -> Check {
        match &self.daemon {
            Ok(d) => {
                Check::ok("docker daemon", format!("{} on {}, Docker {}", d.platform, daemon_address(), d.version))
            }
            Err(why) => Check::missing(
                "docker daemon",
                why.clone(),
                "start dockerd (or Docker Desktop), or point DOCKER_HOST at a running daemon",
            ),
        }
    }

    pub fn buildx_check(&self) -> Check {
        let fix = "install the buildx plugin 0.10 or newer (Debian: apt-get install docker-buildx; docs.docker.com/go/buildx)";
        match &self.buildx {
            Ok(v) if *v >= MIN_BUILDX => Check::ok("buildx", v.to_string()),
            Ok(v) => Check::missing("buildx", format!("{v} is older than {MIN_BUILDX}"), fix),
            Err(why) => Check::missing("buildx", why.clone(), fix),
        }
    }

    pub fn store_check(&self) -> Check {
        match &self.daemon {
            Ok(d) if d.containerd_store => {
                Check::ok("containerd image store", "on: multi-platform --load and cache export work")
            }
            Ok(_) => Check::missing(
                "containerd image store",
                format!(
                    "off on {}: the classic store holds one platform per image and the docker driver exports no cache",
                    daemon_address()
                ),
                "set {\"features\":{\"containerd-snapshotter\":true}} in /etc/docker/daemon.json and restart dockerd",
            ),
            Err(why) => Check::missing("containerd image store", why.clone(), "start the docker daemon first"),
        }
    }

    pub fn builder_check(&self) -> Check {
        match &self.builder {
            Ok(b) => Check::ok(
                "buildx builder",
                format!("{} (driver {}, {}; platforms {})", b.name, b.driver, b.status, b.platforms.join(", ")),
            ),
            Err(why) => Check::missing(
                "buildx builder",
                why.clone(),
                "see `docker buildx ls`; drop --builder to use the current one",
            ),
        }
    }

    pub fn emulation_check(&self, platform: Platform) -> Check {
        let name = format!("run {platform} containers");
        if self.daemon.as_ref().is_ok_and(|d| d.platform == platform.to_string()) {
            return Check::ok(name, "native");
        }
        let qemu = format!("qemu-{}", platform.arch.rust_name());
        if self.binfmt.contains(&platform.arch) {
            return Check::ok(name, format!("QEMU binfmt entry {qemu} enabled"));
        }
        Check::missing(
            name,
            format!("/proc/sys/fs/binfmt_misc/{qemu} is not enabled, so {platform} binaries cannot run here"),
            format!("apt-get install qemu-user-static binfmt-support && update-binfmts --enable {qemu}"),
        )
    }

    /// Every check, in the order a person would fix them (for `cargo xtask doctor`).
    pub fn checks(&self) -> Vec<Check> {
        let mut checks = vec![
            self.docker_check(),
            self.daemon_check(),
            self.buildx_check(),
            self.store_check(),
            self.builder_check(),
        ];
        checks.extend([Platform::LINUX_AMD64, Platform::LINUX_ARM64].map(|p| self.emulation_check(p)));
        checks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preflight::Status;

    // Captured from buildx 0.13.1 on the docker driver with the containerd store.
    const INSPECT_DEFAULT: &str = "Name:   default
Driver: docker

Nodes:
Name:             default
Endpoint:         default
Status:           running
BuildKit version: v0.0.0+unknown
Platforms:        linux/amd64, linux/amd64/v2, linux/amd64/v3, linux/amd64/v4, linux/arm64
Labels:
 org.mobyproject.buildkit.worker.snapshotter:          overlayfs
";

    // A docker-container builder whose bootstrap failed (no moby/buildkit image).
    const INSPECT_INACTIVE: &str = "Name:          noetl-builder
Driver:        docker-container
Last Activity: 2026-12-04 16:03:08 +0000 UTC

Nodes:
Name:                  noetl-builder0
Endpoint:              unix:///var/run/docker.sock
Status:                inactive
BuildKit daemon flags: --allow-insecure-entitlement=network.host
";

    const INSPECT_DAEMON_DOWN: &str = "Name:          default
Driver:        
Last Activity: 2026-12-04 16:08:03 +0000 UTC
Error:         Cannot connect to the Docker daemon at unix:///nonexist.sock. Is the docker daemon running?
";

    #[test]
    fn parses_builders() {
        let b = parse_inspect(INSPECT_DEFAULT).unwrap();
        assert_eq!((b.name.as_str(), b.driver.as_str(), b.status.as_str()), ("default", "docker", "running"));
        assert_eq!(b.platforms, ["linux/amd64", "linux/amd64/v2", "linux/amd64/v3", "linux/amd64/v4", "linux/arm64"]);
        let b = parse_inspect(INSPECT_INACTIVE).unwrap();
        assert_eq!(
            (b.name.as_str(), b.driver.as_str(), b.status.as_str()),
            ("noetl-builder", "docker-container", "inactive")
        );
        assert!(b.platforms.is_empty());
        let e = parse_inspect(INSPECT_DAEMON_DOWN).unwrap_err();
        assert!(e.starts_with("Cannot connect to the Docker daemon"), "{e}");
        assert!(parse_inspect("").is_err());
    }

    #[test]
    fn configured_platforms_lose_their_star_and_nodes_are_merged() {
        let text = "Name: multi\nDriver: docker-container\nNodes:\nName: a\nStatus: running\nPlatforms: linux/amd64*, linux/arm64\nName: b\nStatus: running\nPlatforms: linux/arm64*, linux/riscv64\n";
        let b = parse_inspect(text).unwrap();
        assert_eq!(b.platforms, ["linux/amd64", "linux/arm64", "linux/riscv64"]);
    }

    #[test]
    fn which_drivers_build_several_platforms() {
        let mut b = parse_inspect(INSPECT_DEFAULT).unwrap();
        assert!(b.multi_platform(true) && b.exports(true));
        assert!(!b.multi_platform(false) && !b.exports(false));
        b.driver = "docker-container".into();
        assert!(b.multi_platform(false) && b.exports(false));
    }

    #[test]
    fn versions_are_found_in_docker_and_buildx_output() {
        assert_eq!(Version::find_in("26.1.5+dfsg1"), Some(Version(26, 1, 5)));
        assert_eq!(Version::find_in("github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3"), Some(Version(0, 13, 1)));
        assert_eq!(Version::find_in("github.com/docker/buildx v0.14.0 171fcbe"), Some(Version(0, 14, 0)));
        assert_eq!(Version::find_in("Docker version 20.10"), Some(Version(20, 10, 0)));
        assert_eq!(Version::find_in("no version here"), None);
        assert!(Version(0, 9, 1) < MIN_BUILDX && Version(0, 13, 1) >= MIN_BUILDX);
    }

    fn facts_with(daemon: Result<Daemon, String>, binfmt: Vec<Arch>) -> DockerFacts {
        DockerFacts {
            docker: Some("/usr/bin/docker".into()),
            client_version: Some(Version(26, 1, 5)),
            daemon,
            buildx: Ok(Version(0, 13, 1)),
            builder: parse_inspect(INSPECT_DEFAULT),
            binfmt,
        }
    }

    fn amd64_daemon(containerd_store: bool) -> Result<Daemon, String> {
        Ok(Daemon { version: "26.1.5".into(), platform: "linux/amd64".into(), containerd_store })
    }

    #[test]
    fn emulation_is_needed_only_for_foreign_platforms() {
        let facts = facts_with(amd64_daemon(true), vec![]);
        assert_eq!(facts.emulation_check(Platform::LINUX_AMD64).detail, "native");
        let check = facts.emulation_check(Platform::LINUX_ARM64);
        assert!(
            check.status == Status::Missing && check.fix.contains("update-binfmts --enable qemu-aarch64"),
            "{check:?}"
        );
        let facts = facts_with(amd64_daemon(true), vec![Arch::Arm64]);
        assert_eq!(facts.emulation_check(Platform::LINUX_ARM64).status, Status::Ok);
    }

    #[test]
    fn checks_name_what_is_missing_and_the_fix() {
        let down = facts_with(Err("unix:///x.sock does not answer: Cannot connect".into()), vec![]);
        let e = down.daemon_check().require().unwrap_err().to_string();
        assert!(e.contains("unix:///x.sock does not answer") && e.contains("fix: start dockerd"), "{e}");
        let classic = facts_with(amd64_daemon(false), vec![]);
        let e = classic.store_check().require().unwrap_err().to_string();
        assert!(e.contains("classic store") && e.contains("containerd-snapshotter"), "{e}");
        let mut old = facts_with(amd64_daemon(true), vec![]);
        old.buildx = Ok(Version(0, 9, 1));
        let e = old.buildx_check().require().unwrap_err().to_string();
        assert!(e.contains("0.9.1 is older than 0.10.0"), "{e}");
        let none = DockerFacts { docker: None, ..facts_with(amd64_daemon(true), vec![]) };
        assert!(none.docker_check().require().unwrap_err().to_string().contains("apt-get install docker.io"));
        assert_eq!(facts_with(amd64_daemon(true), vec![]).checks().len(), 7);
    }
}
