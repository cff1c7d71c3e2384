//! What an image says about itself: OCI labels from the workspace manifest and git.

use camino::Utf8Path;

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
