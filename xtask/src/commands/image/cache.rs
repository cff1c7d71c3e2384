//! `--cache`: which buildx cache backend an image build imports from and exports to.

use camino::Utf8PathBuf;

use crate::error::usage;
use crate::flags::CacheMode;
use crate::platform::Platform;

/// Where local caches live; each build writes `<dir>.new`, which then replaces `<dir>`, so a
/// cache never grows with stale layers (buildx's local exporter only ever adds).
pub const LOCAL_CACHE_DIR: &str = "target/image-cache";

/// What the cache decision needs to know about the build.
pub struct CacheInput<'a> {
    pub mode: CacheMode,
    /// Image name without registry or tag: `noetl-local-dev`.
    pub name: &'a str,
    /// `${REGISTRY}${name}`; empty registry means none was given.
    pub registry: &'a str,
    pub platforms: &'a [Platform],
    pub push: bool,
    /// Running inside GitHub Actions (`GITHUB_ACTIONS=true`).
    pub github_actions: bool,
    /// The builder can export cache (see `Builder::exports`).
    pub exports: bool,
    /// Describes the builder for the notice when cache flags are dropped.
    pub builder: &'a str,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Cache {
    pub args: Vec<String>,
    /// A local cache to rotate after the build: (`<dir>.new`, `<dir>`).
    pub rotate: Option<(Utf8PathBuf, Utf8PathBuf)>,
    pub note: Option<String>,
}

/// Decides the cache flags; explicit choices that cannot work here are usage errors.
pub fn decide(input: &CacheInput) -> anyhow::Result<Cache> {
    let slug = input.platforms.iter().map(|p| p.to_string().replace('/', "-")).collect::<Vec<_>>().join("-");
    let mode = match input.mode {
        CacheMode::Auto if input.github_actions => CacheMode::Gha,
        CacheMode::Auto if input.push && !input.registry.is_empty() => CacheMode::Registry,
        CacheMode::Auto => CacheMode::Local,
        explicit => explicit,
    };
    if mode == CacheMode::Gha && !input.github_actions {
        return Err(usage(
            "--cache",
            "gha",
            "the GitHub Actions cache is reachable only inside a GitHub Actions job (GITHUB_ACTIONS is not true)",
            "use --cache local or --cache registry outside GitHub Actions",
        ));
    }
    if mode == CacheMode::Registry && input.registry.is_empty() {
        return Err(usage(
            "--cache",
            "registry",
            "needs a registry to keep the cache in",
            "pass --registry REGISTRY, or --cache local",
        ));
    }
    if mode == CacheMode::None {
        return Ok(Cache::default());
    }
    if !input.exports {
        return Ok(Cache {
            note: Some(format!(
                "builder {} cannot export build cache (docker driver on the classic image store): cache flags dropped",
                input.builder
            )),
            ..Cache::default()
        });
    }
    Ok(match mode {
        CacheMode::Gha => {
            // One scope per image and platform set, so parallel jobs do not evict each other.
            let scope = format!("{}-{slug}", input.name);
            Cache {
                args: vec![
                    "--cache-from".into(),
                    format!("type=gha,scope={scope}"),
                    "--cache-to".into(),
                    format!("type=gha,scope={scope},mode=max"),
                ],
                ..Cache::default()
            }
        }
        CacheMode::Registry => {
            let reference = format!("{}{}:buildcache", input.registry, input.name);
            Cache {
                args: vec![
                    "--cache-from".into(),
                    format!("type=registry,ref={reference}"),
                    "--cache-to".into(),
                    format!("type=registry,ref={reference},mode=max"),
                ],
                ..Cache::default()
            }
        }
        _ => {
            let dir = Utf8PathBuf::from(format!("{LOCAL_CACHE_DIR}/{}-{slug}", input.name));
            let new = Utf8PathBuf::from(format!("{dir}.new"));
            Cache {
                args: vec![
                    "--cache-from".into(),
                    format!("type=local,src={dir}"),
                    "--cache-to".into(),
                    format!("type=local,dest={new},mode=max"),
                ],
                rotate: Some((new, dir)),
                note: None,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: [Platform; 2] = [Platform::LINUX_AMD64, Platform::LINUX_ARM64];

    fn input(mode: CacheMode) -> CacheInput<'static> {
        CacheInput {
            mode,
            name: "noetl-local-dev",
            registry: "127.0.0.1:5000/",
            platforms: &BOTH,
            push: true,
            github_actions: false,
            exports: true,
            builder: "default",
        }
    }

    #[test]
    fn auto_picks_gha_in_actions_registry_when_pushing_else_local() {
        let gha = decide(&CacheInput { github_actions: true, ..input(CacheMode::Auto) }).unwrap();
        assert_eq!(
            gha.args,
            [
                "--cache-from",
                "type=gha,scope=noetl-local-dev-linux-amd64-linux-arm64",
                "--cache-to",
                "type=gha,scope=noetl-local-dev-linux-amd64-linux-arm64,mode=max"
            ]
        );
        let registry = decide(&input(CacheMode::Auto)).unwrap();
        assert_eq!(
            registry.args,
            [
                "--cache-from",
                "type=registry,ref=127.0.0.1:5000/noetl-local-dev:buildcache",
                "--cache-to",
                "type=registry,ref=127.0.0.1:5000/noetl-local-dev:buildcache,mode=max"
            ]
        );
        let local = decide(&CacheInput { push: false, ..input(CacheMode::Auto) }).unwrap();
        let dir = "target/image-cache/noetl-local-dev-linux-amd64-linux-arm64";
        assert_eq!(
            local.args,
            [
                "--cache-from".to_string(),
                format!("type=local,src={dir}"),
                "--cache-to".into(),
                format!("type=local,dest={dir}.new,mode=max")
            ]
        );
        assert_eq!(local.rotate, Some((format!("{dir}.new").into(), dir.into())));
    }

    #[test]
    fn none_adds_nothing_and_a_driver_without_export_drops_with_a_notice() {
        assert_eq!(decide(&input(CacheMode::None)).unwrap(), Cache::default());
        let dropped = decide(&CacheInput { exports: false, ..input(CacheMode::Local) }).unwrap();
        assert!(dropped.args.is_empty() && dropped.rotate.is_none());
        assert!(dropped.note.unwrap().contains("builder default cannot export build cache"));
    }

    #[test]
    fn impossible_explicit_choices_are_usage_errors() {
        let e = decide(&input(CacheMode::Gha)).unwrap_err().to_string();
        assert!(e.starts_with("--cache 'gha': ") && e.contains("GITHUB_ACTIONS"), "{e}");
        let e = decide(&CacheInput { registry: "", ..input(CacheMode::Registry) }).unwrap_err().to_string();
        assert!(e.starts_with("--cache 'registry': ") && e.contains("--registry"), "{e}");
    }
}
