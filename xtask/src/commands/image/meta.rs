//! What an image says about itself: OCI labels from the workspace manifest and git; and
//! what buildx recorded about a push (`--metadata-file`).

use camino::Utf8Path;

use crate::error::usage;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// The workspace version (`[workspace.package] version`).
    pub version: String,
    /// The repository URL (`[workspace.package] repository`).
    pub source: String,
    /// The full git commit.
    pub revision: String,
    /// RFC 3339, UTC.
    pub created: String,
}

impl Meta {
    /// `--label` values for an image titled `title`, in a fixed order.
    pub fn labels(&self, title: &str) -> Vec<String> {
        [
            ("title", title),
            ("source", &self.source),
            ("revision", &self.revision),
            ("version", &self.version),
            ("created", &self.created),
        ]
        .iter()
        .map(|(k, v)| format!("org.opencontainers.image.{k}={v}"))
        .collect()
    }
}

/// What buildx's `--metadata-file` records of a push.
#[derive(Debug, PartialEq, Eq)]
pub struct Pushed {
    /// `containerimage.digest`: the image manifest or index that was pushed.
    pub digest: String,
    /// The repositories named in `image.name` (comma-separated; tags and digests dropped).
    pub repositories: Vec<String>,
}

/// Reads the metadata buildx wrote to `file` (named in errors) for a pushed image.
pub fn pushed(file: &str, text: &str) -> anyhow::Result<Pushed> {
    let fix = "use the NAME.json that `cargo xtask image --push --by-digest` writes to target/image/";
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| usage("metadata file", file, &format!("is not JSON ({e})"), fix))?;
    let digest = v["containerimage.digest"].as_str().unwrap_or_default();
    let hex = digest.strip_prefix("sha256:").unwrap_or_default();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(usage("metadata file", file, "records no pushed image (no sha256 containerimage.digest)", fix));
    }
    let mut repositories: Vec<String> = Vec::new();
    for name in v["image.name"].as_str().unwrap_or_default().split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let repo = repository(name).to_string();
        if !repositories.contains(&repo) {
            repositories.push(repo);
        }
    }
    Ok(Pushed { digest: digest.to_string(), repositories })
}

/// `host:port/path/name:tag@sha256:…` → `host:port/path/name` (a `:` before the last `/`
/// is a port).
fn repository(name: &str) -> &str {
    let name = name.split('@').next().unwrap_or(name);
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    match name[last_slash..].rfind(':') {
        Some(i) => &name[..last_slash + i],
        None => name,
    }
}

/// `version` and `repository` from the root manifest's `[workspace.package]` table.
pub fn workspace_package(root: &Utf8Path) -> anyhow::Result<(String, String)> {
    let path = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("cannot read {path}: {e}"))?;
    let (mut version, mut repository, mut in_table) = (None, None, false);
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_table = line == "[workspace.package]";
            continue;
        }
        let Some((key, value)) = line.split_once('=').filter(|_| in_table) else { continue };
        let value = value.trim().trim_matches('"').to_string();
        match key.trim() {
            "version" => version = Some(value),
            "repository" => repository = Some(value),
            _ => {}
        }
    }
    match (version, repository) {
        (Some(v), Some(r)) => Ok((v, r)),
        _ => anyhow::bail!("{path} has no version and repository under [workspace.package]"),
    }
}

/// The build time: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
pub fn created_now() -> String {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<u64>().ok());
    let secs = epoch.unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
    });
    rfc3339(secs)
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian, UTC).
pub fn rfc3339(secs: u64) -> String {
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant's algorithm), with days counted from 1970-01-01.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_timestamps() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_709_164_799), "2024-02-28T23:59:59Z");
        assert_eq!(rfc3339(4_102_444_800), "2100-01-01T00:00:00Z");
        // Cross-checked with `date -u -d @1796400000 +%FT%TZ`.
        assert_eq!(rfc3339(1_796_400_000), "2026-12-04T16:00:00Z");
    }

    #[test]
    fn reads_the_workspace_package_of_this_repository() {
        let root = Utf8Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let (version, repository) = workspace_package(root).unwrap();
        assert_eq!(version, env!("CARGO_PKG_VERSION"));
        assert!(repository.starts_with("https://"), "{repository}");
    }

    #[test]
    fn reads_the_digest_and_repositories_buildx_recorded() {
        let digest = format!("sha256:{}", "0a".repeat(32));
        // As buildx 0.13 writes it for a push (keys trimmed to those read here).
        let text = format!(
            r#"{{"buildx.build.ref": "default/default/x", "containerimage.digest": "{digest}",
               "image.name": "127.0.0.1:5000/e2e/noetlctl:t1,127.0.0.1:5000/e2e/noetlctl@{digest}"}}"#
        );
        let read = pushed("m.json", &text).unwrap();
        assert_eq!(read, Pushed { digest: digest.clone(), repositories: vec!["127.0.0.1:5000/e2e/noetlctl".into()] });
        assert_eq!(repository("noetlctl"), "noetlctl");
        assert_eq!(repository("localhost:5000/noetlctl"), "localhost:5000/noetlctl");

        for (text, why) in [
            ("{", "is not JSON"),
            (r#"{"image.name": "r/x"}"#, "records no pushed image"),
            (r#"{"containerimage.digest": "sha256:ABC"}"#, "records no pushed image"),
        ] {
            let e = pushed("d/m.json", text).unwrap_err().to_string();
            assert!(e.starts_with("metadata file 'd/m.json': ") && e.contains(why) && e.contains("fix:"), "{e}");
        }
    }

    #[test]
    fn labels_are_the_oci_keys() {
        let meta =
            Meta { version: "0.1.0".into(), source: "https://x".into(), revision: "abc".into(), created: "T".into() };
        assert_eq!(
            meta.labels("noetlctl"),
            [
                "org.opencontainers.image.title=noetlctl",
                "org.opencontainers.image.source=https://x",
                "org.opencontainers.image.revision=abc",
                "org.opencontainers.image.version=0.1.0",
                "org.opencontainers.image.created=T",
            ]
        );
    }
}
