//! Which buildx builder a build uses: the current one when it can build every requested
//! platform (and, for `--by-digest`, push by digest), else `noetl-builder`
//! (docker-container driver), created or reused.

use crate::error::usage;
use crate::plan::Cmd;
use crate::preflight::docker::Builder;

pub const NOETL_BUILDER: &str = "noetl-builder";

#[derive(Debug, PartialEq)]
pub struct Chosen {
    pub name: String,
    pub driver: String,
    pub exports: bool,
    /// Steps to run first: create or start the builder.
    pub setup: Vec<(String, Cmd)>,
    pub note: Option<String>,
}

pub struct BuilderInput<'a> {
    pub docker: &'a str,
    /// `--builder NAME` as given.
    pub requested: Option<&'a str>,
    /// The requested builder, else the current one.
    pub builder: &'a Builder,
    /// `noetl-builder`, when it exists.
    pub noetl: Option<&'a Builder>,
    pub multi: bool,
    /// `--by-digest`: the builder must push untagged images.
    pub by_digest: bool,
    pub containerd_store: bool,
}

/// Whether the builder can push an image untagged: buildx refuses to on the docker driver
/// ("push-by-digest is currently not implemented for docker driver", buildx 0.13 to this day).
pub fn pushes_by_digest(b: &Builder) -> bool {
    b.driver != "docker"
}

pub fn choose(input: &BuilderInput) -> anyhow::Result<Chosen> {
    let b = input.builder;
    let store = input.containerd_store;
    let use_it = |b: &Builder, note: Option<String>| {
        let mut setup = Vec::new();
        // An inactive docker-container builder (e.g. after a reboot) is started first, so its
        // failure to start is reported apart from the build.
        if b.driver != "docker" && b.status != "running" {
            setup.push((
                format!("start builder {}", b.name),
                Cmd::new(input.docker).args(["buildx", "inspect", "--bootstrap", b.name.as_str()]),
            ));
        }
        Chosen { name: b.name.clone(), driver: b.driver.clone(), exports: b.exports(store), setup, note }
    };
    let multi_ok = !input.multi || b.multi_platform(store);
    let digest_ok = !input.by_digest || pushes_by_digest(b);
    if multi_ok && digest_ok {
        return Ok(use_it(b, None));
    }
    if let Some(name) = input.requested {
        return Err(if multi_ok {
            usage(
                "--builder",
                name,
                &format!("uses the {} driver, which cannot push by digest", b.driver),
                "omit --builder so noetl-builder (docker-container driver) is used, or pass a builder of another driver, or push with tags (no --by-digest)",
            )
        } else {
            usage(
                "--builder",
                name,
                &format!(
                    "uses the {} driver on a daemon without the containerd image store, which cannot build several platforms in one build",
                    b.driver
                ),
                "turn on the containerd image store, or omit --builder so noetl-builder (docker-container driver) is used, or pass one platform",
            )
        });
    }
    let why = if multi_ok {
        format!("builder {} (docker driver) cannot push by digest", b.name)
    } else {
        format!("builder {} (docker driver, classic image store) cannot build several platforms", b.name)
    };
    match input.noetl {
        Some(noetl) => Ok(use_it(noetl, Some(format!("{why}: using the existing {NOETL_BUILDER}")))),
        None => Ok(Chosen {
            name: NOETL_BUILDER.into(),
            driver: "docker-container".into(),
            exports: true,
            setup: vec![(
                format!("create builder {NOETL_BUILDER} (docker-container driver)"),
                Cmd::new(input.docker).args([
                    "buildx",
                    "create",
                    "--name",
                    NOETL_BUILDER,
                    "--driver",
                    "docker-container",
                    "--use",
                    "--bootstrap",
                ]),
            )],
            note: Some(format!("{why}: creating {NOETL_BUILDER}")),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder(name: &str, driver: &str, status: &str) -> Builder {
        Builder {
            name: name.into(),
            driver: driver.into(),
            status: status.into(),
            platforms: vec!["linux/amd64".into()],
        }
    }

    fn input<'a>(b: &'a Builder, noetl: Option<&'a Builder>, multi: bool, store: bool) -> BuilderInput<'a> {
        BuilderInput {
            docker: "docker",
            requested: None,
            builder: b,
            noetl,
            multi,
            by_digest: false,
            containerd_store: store,
        }
    }

    #[test]
    fn the_current_builder_is_used_when_it_can() {
        let default = builder("default", "docker", "running");
        let chosen = choose(&input(&default, None, true, true)).unwrap();
        assert_eq!((chosen.name.as_str(), chosen.exports, chosen.setup.len()), ("default", true, 0));
        // One platform: even the classic store's docker driver builds it, without cache export.
        let chosen = choose(&input(&default, None, false, false)).unwrap();
        assert_eq!((chosen.name.as_str(), chosen.exports), ("default", false));
    }

    #[test]
    fn noetl_builder_is_created_or_reused_when_the_current_one_cannot() {
        let default = builder("default", "docker", "running");
        let chosen = choose(&input(&default, None, true, false)).unwrap();
        assert_eq!(chosen.name, NOETL_BUILDER);
        assert_eq!(
            chosen.setup[0].1.args,
            ["buildx", "create", "--name", "noetl-builder", "--driver", "docker-container", "--use", "--bootstrap"]
        );
        assert!(chosen.note.unwrap().contains("creating noetl-builder"));

        let running = builder(NOETL_BUILDER, "docker-container", "running");
        let chosen = choose(&input(&default, Some(&running), true, false)).unwrap();
        assert_eq!((chosen.name.as_str(), chosen.setup.len()), (NOETL_BUILDER, 0));

        let inactive = builder(NOETL_BUILDER, "docker-container", "inactive");
        let chosen = choose(&input(&default, Some(&inactive), true, false)).unwrap();
        assert_eq!(chosen.setup[0].1.args, ["buildx", "inspect", "--bootstrap", "noetl-builder"]);
    }

    #[test]
    fn a_requested_builder_that_cannot_is_an_error() {
        let default = builder("default", "docker", "running");
        let e = choose(&BuilderInput { requested: Some("default"), ..input(&default, None, true, false) })
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("--builder 'default': uses the docker driver") && e.contains("fix:"), "{e}");
        let e =
            choose(&BuilderInput { requested: Some("default"), by_digest: true, ..input(&default, None, true, true) })
                .unwrap_err()
                .to_string();
        assert!(e.starts_with("--builder 'default': uses the docker driver, which cannot push by digest"), "{e}");
    }

    #[test]
    fn a_push_by_digest_needs_a_builder_other_than_the_docker_driver() {
        let default = builder("default", "docker", "running");
        let by_digest = |b, noetl| choose(&BuilderInput { by_digest: true, ..input(b, noetl, false, true) }).unwrap();
        let chosen = by_digest(&default, None);
        assert_eq!((chosen.name.as_str(), chosen.setup.len()), (NOETL_BUILDER, 1));
        assert!(chosen.note.unwrap().contains("builder default (docker driver) cannot push by digest"));
        // A docker-container builder (as setup-buildx-action makes in CI) is used as it is.
        let container = builder("builder-1", "docker-container", "running");
        let chosen = by_digest(&container, None);
        assert_eq!((chosen.name.as_str(), chosen.setup.len(), chosen.note), ("builder-1", 0, None));
    }
}
