//! Turns a request path into file-name segments that are safe to join under the UI directory.
//!
//! Everything that could step outside the directory or mean something special to the file
//! system is refused here, before any file is touched: `.` and `..` (raw or percent-encoded),
//! encoded `/`, backslashes, NUL, empty segments (`//etc/passwd` would make `Path::join`
//! start over from the root) and anything the platform parses as more than one plain name.
//! The UI module still canonicalizes the result, which catches symlinks that point outside.

use std::path::{Component, Path};

/// Why a request path was refused; shown to the client in a 400 response.
#[derive(Debug, PartialEq, Eq)]
pub struct BadPath(pub &'static str);

/// Decodes `/a/b%20c/` into `["a", "b c"]`. A trailing slash is allowed and ignored.
pub fn segments(path: &str) -> Result<Vec<String>, BadPath> {
    let rest = path.strip_prefix('/').ok_or(BadPath("the path must start with '/'"))?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return Ok(Vec::new());
    }
    rest.split('/').map(segment).collect()
}

fn segment(raw: &str) -> Result<String, BadPath> {
    if raw.is_empty() {
        return Err(BadPath("empty path segment ('//')"));
    }
    let decoded = percent_decode(raw)?;
    if decoded == "." || decoded == ".." {
        return Err(BadPath("'.' and '..' segments are not allowed"));
    }
    if decoded.contains(['/', '\\', '\0']) {
        return Err(BadPath("'/', '\\' and NUL are not allowed inside a segment"));
    }
    // Covers platform-specific forms (a `C:` prefix on Windows) that the checks above miss.
    let mut parts = Path::new(&decoded).components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(_)), None) => Ok(decoded),
        _ => Err(BadPath("segment is not a plain file name")),
    }
}

fn percent_decode(raw: &str) -> Result<String, BadPath> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or(BadPath("malformed percent-encoding"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| BadPath("path is not valid UTF-8 after decoding"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(path: &str) -> Vec<String> {
        segments(path).unwrap_or_else(|e| panic!("{path}: {e:?}"))
    }

    #[test]
    fn plain_paths_split_into_names() {
        assert!(ok("/").is_empty());
        assert_eq!(ok("/index.html"), ["index.html"]);
        assert_eq!(ok("/assets/app-1a2b.js"), ["assets", "app-1a2b.js"]);
        assert_eq!(ok("/docs/"), ["docs"]);
        assert_eq!(ok("/a%20b/%C3%A9.txt"), ["a b", "é.txt"]);
        assert_eq!(ok("/.well-known/x"), [".well-known", "x"]);
    }

    #[test]
    fn traversal_and_special_names_are_refused() {
        for bad in [
            "/..",
            "/../etc/passwd",
            "/assets/../../x",
            "/.",
            "/%2e%2e/x",
            "/%2E%2e/x",
            "/a%2f..%2f..%2fx",
            "/a%2Fb",
            "/..%5cx",
            "/a\\b",
            "//etc/passwd",
            "/a//b",
            "/a%00b",
            "/%zz",
            "/%2",
            "/%ff",
            "relative",
            "*",
        ] {
            assert!(segments(bad).is_err(), "{bad} was accepted");
        }
    }
}
