//! What the build has produced so far: the installed UI assets, `bin/noetl` and the
//! binaries in `target/dist`, each checked the way its consumer will see it (the server
//! reading the UI dir, this machine running `bin/noetl`, a Dockerfile copying `dist`).

use camino::Utf8Path;

use super::Check;
use crate::binary;
use crate::commands::ui::{self, UiState};
use crate::platform::{Arch, Os, Platform};

/// The platform of the machine running this: what `bin/noetl` must be built for.
pub fn this_machine() -> Option<Platform> {
    let os = match std::env::consts::OS {
        "linux" => Os::Linux,
        "macos" => Os::Darwin,
        _ => return None,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => Arch::Amd64,
        "aarch64" => Arch::Arm64,
        _ => return None,
    };
    Some(Platform { os, arch })
}

/// The UI the server would serve from `out` and the dev image copies: built and current
/// with `src`; stale; the placeholder or missing (the server disables its UI, and the dev
/// image cannot be built).
pub fn ui_assets(out: &Utf8Path, src: &Utf8Path, shown: &str) -> Check {
    let name = format!("UI assets {shown}");
    let build = "cargo xtask ui (or `cargo xtask ui --placeholder` to run the server without a UI)";
    match ui::state(out) {
        UiState::Missing => Check::missing(name, "not built: the server disables its UI", build),
        UiState::Placeholder => Check::missing(
            name,
            "placeholder (no index.html): the server disables its UI and the dev image has none to copy",
            "cargo xtask ui --force",
        ),
        UiState::Built { inputs: None } => {
            Check::ok(name, "built, by hand or an older tool: cannot tell whether it is stale")
        }
        UiState::Built { inputs: Some(built) } => {
            let Some(node) = crate::tools::find("node") else {
                return Check::ok(name, "built; node is not on PATH, so staleness is not checked");
            };
            match ui::inputs_hash(src, &node) {
                Ok(now) if now == built => Check::ok(name, "built, up to date with the UI sources"),
                Ok(_) => Check::missing(
                    name,
                    "built, but stale: the UI sources, node or VITE_* env changed since",
                    "cargo xtask ui",
                ),
                Err(e) => Check::ok(name, format!("built; staleness not checked ({e:#})")),
            }
        }
    }
}

/// `bin/noetl` (from `cargo xtask local-bin`): present, and built for this machine. Its
/// `--version` is shown when it can run here.
pub fn installed_binary(path: &Utf8Path, shown: &str) -> Check {
    let rebuild = "cargo xtask local-bin (it builds for this machine)";
    if !path.exists() {
        return Check::missing(shown, "not installed", rebuild);
    }
    let header = match binary::read_header(path) {
        Ok(h) => h,
        Err(e) => return Check::missing(shown, format!("{e:#}"), rebuild),
    };
    let built_for = match header.arch {
        Some(arch) => Platform { os: header.os, arch }.to_string(),
        None => format!("{} ({})", header.os.as_str(), header.machine),
    };
    let here = this_machine();
    if here.map(|p| p.to_string()).as_deref() != Some(built_for.as_str()) {
        let here = here.map_or_else(|| std::env::consts::ARCH.to_string(), |p| p.to_string());
        return Check::missing(
            shown,
            format!("built for {built_for}, but this machine is {here}: running it fails with 'exec format error' (or runs slowly under QEMU)"),
            rebuild,
        );
    }
    match super::tool::version(path.as_str(), &["--version"]) {
        Ok(version) => Check::ok(shown, format!("{version} ({built_for})")),
        Err(why) => Check::missing(shown, why, rebuild),
    }
}

/// Every binary `cargo xtask cli` recorded in `target/dist/manifest.json`, its header
/// checked against the platform directory a Dockerfile will `COPY` it from, and statically
/// linked (the images are `FROM scratch`-style: no dynamic loader).
pub fn dist_binaries(root: &Utf8Path, manifest_rel: &str) -> Check {
    let name = manifest_rel.trim_end_matches("/manifest.json").to_string();
    let build = "cargo xtask cli --static --platforms linux/amd64,linux/arm64 (or build images with --in-docker)";
    let Ok(text) = std::fs::read_to_string(root.join(manifest_rel)) else {
        return Check::missing(
            name,
            "nothing built yet: the prebuilt image route copies its binaries from here",
            build,
        );
    };
    let manifest: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return Check::missing(name, format!("{manifest_rel} is not valid JSON ({e})"), build),
    };
    let mut found = Vec::new();
    for entry in manifest["binaries"].as_array().into_iter().flatten() {
        let (Some(platform), Some(path)) = (entry["platform"].as_str(), entry["path"].as_str()) else { continue };
        let rebuild = format!("cargo xtask cli --static --platforms {platform}");
        let parsed = crate::platform::parse_one(platform, crate::platform::Scope::Cli);
        if let Err(e) = parsed.and_then(|p| binary::check(&root.join(path), p.os, p.arch)) {
            return Check::missing(name, format!("{e:#}"), rebuild);
        }
        let linking =
            match std::fs::read(root.join(path)).map_err(anyhow::Error::from).and_then(|b| binary::elf_interpreter(&b))
            {
                Ok(None) => "static",
                Ok(Some(loader)) if platform.starts_with("linux/") => {
                    let why =
                        format!("{path} is dynamically linked (loader {loader}): the images have no loader to run it");
                    return Check::missing(name, why, rebuild);
                }
                _ => "dynamic",
            };
        found.push(format!("{platform} {linking}"));
    }
    if found.is_empty() {
        return Check::missing(name, format!("{manifest_rel} lists no binaries"), build);
    }
    Check::ok(name, format!("{} (headers match their platforms)", found.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preflight::Status;
    use camino::Utf8PathBuf;

    fn temp(name: &str) -> Utf8PathBuf {
        let dir = Utf8PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../target/tmp/files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A 64-byte ELF header for `machine` (62 = x86_64, 183 = aarch64), little endian.
    fn elf(machine: u16) -> Vec<u8> {
        let mut bytes = vec![0u8; 64];
        bytes[..4].copy_from_slice(b"\x7fELF");
        bytes[4] = 2;
        bytes[5] = 1;
        bytes[18..20].copy_from_slice(&machine.to_le_bytes());
        bytes
    }

    #[test]
    fn ui_assets_missing_placeholder_unstamped_and_stale() {
        let dir = temp("ui");
        let (out, src) = (dir.join("ui"), dir.join("src"));
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("index.html"), "<title>src</title>").unwrap();
        assert_eq!(ui_assets(&out, &src, "ui").status, Status::Missing);
        std::fs::create_dir_all(out.join("assets")).unwrap();
        let placeholder = ui_assets(&out, &src, "ui");
        assert!(
            placeholder.status == Status::Missing && placeholder.detail.starts_with("placeholder"),
            "{placeholder:?}"
        );
        std::fs::write(out.join("index.html"), "<title>built</title>").unwrap();
        assert_eq!(ui_assets(&out, &src, "ui").status, Status::Ok, "built without a stamp: not stale, unknown");
        let Some(node) = crate::tools::find("node") else { return };
        let stamp = dir.join(".ui.build.json");
        std::fs::write(&stamp, r#"{"inputs": "not the hash of these sources"}"#).unwrap();
        let stale = ui_assets(&out, &src, "ui");
        assert!(stale.status == Status::Missing && stale.detail.contains("stale"), "{stale:?}");
        let now = ui::inputs_hash(&src, &node).unwrap();
        std::fs::write(&stamp, format!(r#"{{"inputs": "{now}"}}"#)).unwrap();
        assert_eq!(ui_assets(&out, &src, "ui").detail, "built, up to date with the UI sources");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn installed_binary_for_another_machine_is_named_with_both_platforms() {
        let dir = temp("bin");
        let absent = installed_binary(&dir.join("noetl"), "bin/noetl");
        assert_eq!((absent.status, absent.detail.as_str()), (Status::Missing, "not installed"));
        let foreign = if this_machine().map(|p| p.arch) == Some(Arch::Amd64) { 183 } else { 62 };
        std::fs::write(dir.join("noetl"), elf(foreign)).unwrap();
        let check = installed_binary(&dir.join("noetl"), "bin/noetl");
        assert!(check.status == Status::Missing && check.detail.contains("exec format error"), "{check:?}");
        assert!(check.fix.starts_with("cargo xtask local-bin"), "{check:?}");
        // A real executable for this machine runs and reports its version.
        let native = installed_binary(Utf8Path::new("/bin/true"), "true");
        assert!(native.status == Status::Ok && native.detail.contains("true"), "{native:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn dist_binaries_catch_a_mislabelled_binary_and_a_missing_manifest() {
        let root = temp("dist");
        assert_eq!(dist_binaries(&root, "target/dist/manifest.json").status, Status::Missing);
        std::fs::create_dir_all(root.join("target/dist/linux/arm64")).unwrap();
        std::fs::write(root.join("target/dist/linux/arm64/noetl"), elf(62)).unwrap();
        let manifest = r#"{"binaries": [{"platform": "linux/arm64", "path": "target/dist/linux/arm64/noetl"}]}"#;
        std::fs::write(root.join("target/dist/manifest.json"), manifest).unwrap();
        let check = dist_binaries(&root, "target/dist/manifest.json");
        assert!(
            check.status == Status::Missing && check.detail.contains("built for linux/amd64, not linux/arm64"),
            "{check:?}"
        );
        assert_eq!(check.fix, "cargo xtask cli --static --platforms linux/arm64");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
