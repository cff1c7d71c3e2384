//! How `noetl` is compiled for one target: the command line for each strategy and
//! where the binary lands. Shared by `local-bin`, `cli` and the image commands.

use camino::{Utf8Path, Utf8PathBuf};

use crate::flags::Strategy;
use crate::plan::Cmd;
use crate::platform::{Libc, Os, Platform};
use crate::tools;

#[derive(Debug, Clone)]
pub struct Build {
    pub platform: Platform,
    pub libc: Libc,
    /// `+crt-static`: a self-contained binary that runs in `FROM scratch` images.
    pub static_crt: bool,
    pub release: bool,
    /// `None` builds for the host without `--target` (output in `target/<profile>/`).
    pub explicit_target: bool,
    pub commit: String,
}

impl Build {
    pub fn triple(&self) -> String {
        self.platform.triple(self.libc)
    }

    fn profile(&self) -> &'static str {
        if self.release {
            "release"
        } else {
            "debug"
        }
    }

    /// Arguments after `cargo` (or `cross`): `build --release -p noetlctl --bin noetl --target …`.
    fn cargo_args(&self, subcommand: &str, locked: bool) -> Vec<String> {
        let mut args = vec![subcommand.to_string()];
        if self.release {
            args.push("--release".into());
        }
        if locked {
            args.push("--locked".into());
        }
        args.extend(["-p", "noetlctl", "--bin", "noetl"].map(String::from));
        if self.explicit_target {
            args.extend(["--target".to_string(), self.triple()]);
        }
        args
    }

    /// Environment every strategy sets: the commit to bake in, and per-target rustflags.
    fn env(&self, host_arch: &str) -> Vec<(String, String)> {
        let triple = self.triple();
        let mut env = vec![("NOETL_GIT_COMMIT".to_string(), self.commit.clone())];
        if self.static_crt && self.platform.os == Os::Linux {
            env.push((tools::cargo_target_env(&triple, "RUSTFLAGS"), "-C target-feature=+crt-static".into()));
        }
        // A foreign-arch Linux target needs that arch's C linker (Debian: gcc-<arch>-linux-gnu).
        if self.platform.os == Os::Linux && self.platform.arch.rust_name() != host_arch {
            env.push((
                tools::cargo_target_env(&triple, "LINKER"),
                tools::gnu_cross_linker(self.platform.arch.rust_name()),
            ));
        }
        env
    }

    pub fn command(
        &self,
        strategy: Strategy,
        host_arch: &str,
        locked: bool,
        ctx_root: &Utf8Path,
        image: Option<&str>,
    ) -> Cmd {
        let env = self.env(host_arch);
        match strategy {
            Strategy::Auto | Strategy::Cargo => with_env(Cmd::new("cargo").args(self.cargo_args("build", locked)), env),
            Strategy::Cross => with_env(Cmd::new("cross").args(self.cargo_args("build", locked)), env),
            Strategy::Zigbuild => with_env(Cmd::new("cargo").args(self.cargo_args("zigbuild", locked)), env),
            Strategy::Container => {
                let image = image.expect("container strategy is chosen only with an image");
                // Files the container writes belong to the repo's owner, and cargo's
                // downloads are cached inside the repo's target dir between runs.
                let mut cmd = Cmd::new("docker").args(["run", "--rm", "--network", "host"]);
                if let Some(owner) = owner_of(ctx_root) {
                    cmd = cmd.args(["--user".to_string(), owner]);
                }
                cmd = cmd.args(["-v".to_string(), format!("{ctx_root}:/src"), "-w".into(), "/src".into()]);
                let container_env = [
                    ("CARGO_HOME".to_string(), "/src/target/container/cargo-home".to_string()),
                    ("CARGO_TARGET_DIR".to_string(), "/src/target/container".to_string()),
                ];
                for (k, v) in container_env.into_iter().chain(env) {
                    cmd = cmd.args(["-e".to_string(), format!("{k}={v}")]);
                }
                cmd.arg(image).arg("cargo").args(self.cargo_args("build", locked))
            }
        }
    }

    /// Where the binary lands, relative to the repo root.
    pub fn output(&self, strategy: Strategy) -> Utf8PathBuf {
        // The container writes inside the mounted repo; cargo on the host honours
        // CARGO_TARGET_DIR like cargo itself does.
        let mut path = if strategy == Strategy::Container {
            Utf8PathBuf::from("target/container")
        } else {
            std::env::var("CARGO_TARGET_DIR").map_or_else(|_| "target".into(), Utf8PathBuf::from)
        };
        if self.explicit_target {
            path.push(self.triple());
        }
        path.push(self.profile());
        path.push("noetl");
        path
    }
}

fn with_env(mut cmd: Cmd, env: Vec<(String, String)>) -> Cmd {
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    cmd
}

fn owner_of(path: &Utf8Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some(format!("{}:{}", meta.uid(), meta.gid()))
}
