//! Image names as Docker's reference grammar allows them: registries (normalised), tags
//! (validated, build metadata sanitised) and whole references given to `verify`/`merge`.

use crate::error::usage;

pub const MAX_TAG_LEN: usize = 128;

/// `registry` normalised to the prefix of an image reference: scheme stripped, lower-cased,
/// exactly one trailing `/` (so `${REGISTRY}noetl-local-dev:TAG` reads right); `""` for none.
/// Returns the prefix and, when it differs from what was given, a note saying so.
pub fn normalise_registry(raw: &str) -> anyhow::Result<(String, Option<String>)> {
    let trimmed = raw.trim();
    let without_scheme =
        trimmed.strip_prefix("https://").or_else(|| trimmed.strip_prefix("http://")).unwrap_or(trimmed);
    let lower = without_scheme.to_ascii_lowercase();
    let body = lower.trim_end_matches('/');
    if body.is_empty() {
        if trimmed.is_empty() {
            return Ok((String::new(), None));
        }
        return Err(bad_registry(raw, "it names no host"));
    }
    let mut parts = body.split('/');
    let host = parts.next().unwrap_or_default();
    check_host(host).map_err(|why| bad_registry(raw, &why))?;
    for component in parts {
        if !is_path_component(component) {
            return Err(bad_registry(
                raw,
                &format!(
                    "path component '{component}' is not lower-case letters and digits joined by '.', '_', '__' or '-'"
                ),
            ));
        }
    }
    let normalised = format!("{body}/");
    let note = (normalised != trimmed).then(|| {
        let scheme = if trimmed.starts_with("http://") {
            " (a plain-HTTP registry must also be in the daemon's insecure-registries)"
        } else {
            ""
        };
        format!("registry '{trimmed}' normalised to '{normalised}'{scheme}")
    });
    Ok((normalised, note))
}

fn bad_registry(raw: &str, why: &str) -> anyhow::Error {
    usage("--registry", raw, why, "pass a host with an optional port and path, e.g. ghcr.io/noetl/ or 127.0.0.1:5000/")
}

/// `host[:port]`, where host is a DNS name or IPv4 address (letters, digits, '.', '-').
fn check_host(host_port: &str) -> Result<(), String> {
    let (host, port) = match host_port.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (host_port, None),
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if host.is_empty() || !host.split('.').all(label_ok) {
        return Err(format!("host '{host}' is not a DNS name or IPv4 address"));
    }
    if let Some(port) = port {
        if !port.parse::<u16>().is_ok_and(|p| p > 0) {
            return Err(format!("port '{port}' is not a number from 1 to 65535"));
        }
    }
    Ok(())
}

/// Docker's path component: `[a-z0-9]+` runs joined by one separator (`.`, `_`, `__`, `-`+).
fn is_path_component(s: &str) -> bool {
    let bytes = s.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &s[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// Validates a tag against Docker's grammar (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`). Semver
/// build metadata (`1.2.0+build.5`) is sanitised to `1.2.0_build.5`, and a note says so;
/// anything else invalid is refused.
pub fn check_tag(raw: &str) -> anyhow::Result<(String, Option<String>)> {
    let fix = "use letters, digits, '_', '.' and '-', not starting with '.' or '-', at most 128 characters";
    let (tag, note) = match raw.split_once('+') {
        Some((version, meta)) if !version.is_empty() && !meta.is_empty() && !meta.contains('+') => {
            let tag = format!("{version}_{meta}");
            let note = format!("tag '{raw}': build metadata ('+') is not allowed in Docker tags; using '{tag}'");
            (tag, Some(note))
        }
        _ => (raw.to_string(), None),
    };
    if tag.is_empty() {
        return Err(usage("--tag", raw, "a tag cannot be empty", fix));
    }
    if tag.len() > MAX_TAG_LEN {
        return Err(usage(
            "--tag",
            raw,
            &format!("{} characters, over Docker's limit of {MAX_TAG_LEN}", tag.len()),
            fix,
        ));
    }
    if let Some(bad) = tag.chars().find(|c| !(c.is_ascii_alphanumeric() || "_.-".contains(*c))) {
        return Err(usage("--tag", raw, &format!("'{bad}' is not allowed in a Docker tag"), fix));
    }
    if tag.starts_with(['.', '-']) {
        return Err(usage("--tag", raw, "a Docker tag cannot start with '.' or '-'", fix));
    }
    Ok((tag, note))
}

/// Checks a full image reference (`[host[:port]/]path[:tag][@sha256:…]`) as given to
/// `image verify` and `image merge`, so a typo fails here with the value, not inside buildx.
pub fn check_reference(what: &str, raw: &str) -> anyhow::Result<()> {
    let fix = "write it as [REGISTRY/]NAME[:TAG][@sha256:DIGEST], e.g. 127.0.0.1:5000/noetlctl:3f2a1bc";
    let bad = |why: &str| Err(usage(what, raw, why, fix));
    let (rest, digest) = match raw.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (raw, None),
    };
    if let Some(digest) = digest {
        let hex = digest.strip_prefix("sha256:").unwrap_or("");
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return bad("the digest is not sha256: followed by 64 lower-case hex digits");
        }
    }
    // A ':' after the last '/' starts the tag; one before it is a registry port.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(tag) = tag {
        if let Err(e) = check_tag(tag) {
            return bad(&format!("bad tag: {}", e.root_cause()));
        }
        if tag.contains('+') {
            return bad("'+' is not allowed in a Docker tag");
        }
    }
    if tag.is_none() && digest.is_none() {
        return bad("it has neither a tag nor a digest, so it is ambiguous");
    }
    let mut components: Vec<&str> = name.split('/').collect();
    let first = components[0];
    let has_host = components.len() > 1 && (first.contains(['.', ':']) || first == "localhost");
    if has_host {
        if let Err(why) = check_host(first) {
            return bad(&why);
        }
        components.remove(0);
    }
    match components.iter().find(|c| !is_path_component(c)) {
        Some(c) => {
            bad(&format!("name component '{c}' is not lower-case letters and digits joined by '.', '_', '__' or '-'"))
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_are_normalised() {
        let cases = [
            ("", ""),
            ("127.0.0.1:5000", "127.0.0.1:5000/"),
            ("127.0.0.1:5000/", "127.0.0.1:5000/"),
            ("https://GHCR.io/NoETL/", "ghcr.io/noetl/"),
            ("http://localhost:5000//", "localhost:5000/"),
            ("  ghcr.io/noetl/images  ", "ghcr.io/noetl/images/"),
            ("myuser", "myuser/"),
            ("registry.example.com/a__b/c-d/e.f", "registry.example.com/a__b/c-d/e.f/"),
        ];
        for (raw, want) in cases {
            let (got, _) = normalise_registry(raw).unwrap_or_else(|e| panic!("{raw:?}: {e}"));
            assert_eq!(got, want, "{raw:?}");
        }
    }

    #[test]
    fn registry_notes_say_what_changed() {
        assert_eq!(normalise_registry("127.0.0.1:5000/").unwrap().1, None);
        let note = normalise_registry("https://GHCR.io/NoETL").unwrap().1.unwrap();
        assert!(note.contains("'https://GHCR.io/NoETL' normalised to 'ghcr.io/noetl/'"), "{note}");
        let note = normalise_registry("http://host:5000").unwrap().1.unwrap();
        assert!(note.contains("insecure-registries"), "{note}");
    }

    #[test]
    fn bad_registries_are_refused_with_the_value() {
        let cases = [
            ("https://", "no host"),
            ("/", "no host"),
            ("host:port/", "port 'port'"),
            ("host:0", "port '0'"),
            ("host:70000", "port '70000'"),
            ("ho_st/", "host 'ho_st'"),
            ("-host.io", "host '-host.io'"),
            ("ghcr.io/no etl", "'no etl'"),
            ("ghcr.io/a//b", "''"),
            ("ghcr.io/a--b-/", "'a--b-'"),
            ("ghcr.io/a...b", "'a...b'"),
        ];
        for (raw, want) in cases {
            let e = normalise_registry(raw).expect_err(raw).to_string();
            assert!(
                e.starts_with(&format!("--registry '{raw}': ")) && e.contains(want) && e.contains("fix:"),
                "{raw:?}: {e}"
            );
        }
    }

    #[test]
    fn tags_follow_dockers_grammar() {
        let long = "a".repeat(128);
        for ok in ["latest", "3f2a1bc", "v1.2.3", "1.2.3-rc.1", "_x", "A_B-c.d", long.as_str()] {
            assert_eq!(check_tag(ok).unwrap(), (ok.to_string(), None), "{ok}");
        }
        let too_long = "a".repeat(129);
        let cases = [
            ("", "empty"),
            (too_long.as_str(), "129 characters"),
            ("-x", "cannot start"),
            (".x", "cannot start"),
            ("a/b", "'/'"),
            ("a:b", "':'"),
            ("a b", "' '"),
            ("héllo", "'é'"),
            ("1+2+3", "'+'"),
            ("+meta", "'+'"),
            ("v1+", "'+'"),
        ];
        for (raw, want) in cases {
            let e = check_tag(raw).expect_err(raw).to_string();
            assert!(
                e.starts_with(&format!("--tag '{raw}': ")) && e.contains(want) && e.contains("fix:"),
                "{raw:?}: {e}"
            );
        }
    }

    #[test]
    fn build_metadata_is_sanitised_and_said_so() {
        let (tag, note) = check_tag("1.2.0+build.5").unwrap();
        assert_eq!(tag, "1.2.0_build.5");
        assert!(note.unwrap().contains("'1.2.0+build.5'"));
        // Sanitising cannot make an otherwise invalid tag valid.
        assert!(check_tag("-1.2.0+build").is_err());
        assert!(check_tag("1.2.0+bu/ild").is_err());
    }

    #[test]
    fn references_are_checked() {
        let digest = format!("sha256:{}", "ab12".repeat(16));
        let good = [
            "noetlctl:abc".to_string(),
            "127.0.0.1:5000/noetlctl:abc".into(),
            "localhost/x/y:1".into(),
            format!("127.0.0.1:5000/noetl-local-dev@{digest}"),
            format!("ghcr.io/noetl/noetlctl:v1@{digest}"),
        ];
        for r in &good {
            check_reference("REF", r).unwrap_or_else(|e| panic!("{r}: {e}"));
        }
        let bad = [
            ("127.0.0.1:5000/noetlctl", "neither a tag nor a digest"),
            ("Noetlctl:x", "'Noetlctl'"),
            ("127.0.0.1:5000/x:a+b", "'+'"),
            ("x@sha256:abc", "64"),
            ("h:99999/x:1", "port '99999'"),
            ("x:", "empty"),
        ];
        for (r, want) in bad {
            let e = check_reference("REF", r).expect_err(r).to_string();
            assert!(e.starts_with(&format!("REF '{r}': ")) && e.contains(want), "{r}: {e}");
        }
    }
}
