//! Static files from the UI directory, with the SPA fallback to `index.html`.

use std::fs;
use std::path::{Path, PathBuf};

use hyper::{Response, StatusCode};

use super::mime;
use super::response::{self, Body};

/// Vite puts content-hashed files under `assets/`: a given name never changes content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else (index.html first) must be revalidated so a new build shows up at once.
const REVALIDATE: &str = "no-cache";

enum Lookup {
    Found {
        bytes: Vec<u8>,
        content_type: &'static str,
    },
    /// Nothing there: a client-side route, so the SPA fallback applies.
    Missing,
    /// Something there that must not be served (a symlink leading outside `root`,
    /// a FIFO or device, an unreadable file): a plain 404, no fallback.
    Refused,
}

/// `root` is canonical; `segments` are plain names (see `path::segments`).
pub async fn serve(root: PathBuf, segments: Vec<String>) -> Response<Body> {
    // File-system calls block; keep them off the threads that drive connections.
    let task = tokio::task::spawn_blocking(move || {
        let mut candidate = root.clone();
        candidate.extend(&segments);
        let under_assets = segments.first().is_some_and(|s| s == "assets");
        match lookup(&root, &candidate) {
            // A missing hashed asset is a stale or wrong link, never a page: answering it with
            // index.html would only turn a clear 404 into a MIME-type error in the browser.
            Lookup::Missing if !under_assets => (lookup(&root, &root.join("index.html")), false),
            found => (found, under_assets),
        }
    });
    match task.await {
        Ok((Lookup::Found { bytes, content_type }, immutable)) => {
            let cache = if immutable { IMMUTABLE } else { REVALIDATE };
            response::build(StatusCode::OK, content_type, cache, bytes)
        }
        Ok(_) => response::text(StatusCode::NOT_FOUND, "not found"),
        Err(e) => response::text(StatusCode::INTERNAL_SERVER_ERROR, format!("file task failed: {e}")),
    }
}

fn lookup(root: &Path, candidate: &Path) -> Lookup {
    // Canonicalizing resolves every symlink, so the prefix check sees where the path really leads.
    let real = match candidate.canonicalize() {
        Ok(real) => real,
        Err(_) => return Lookup::Missing,
    };
    if !real.starts_with(root) {
        return Lookup::Refused;
    }
    if real.is_dir() {
        let index = real.join("index.html");
        return if index.is_file() { lookup(root, &index) } else { Lookup::Missing };
    }
    if !real.is_file() {
        return Lookup::Refused;
    }
    let name = real.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    match fs::read(&real) {
        Ok(bytes) => Lookup::Found { bytes, content_type: mime::content_type(&name) },
        Err(_) => Lookup::Refused,
    }
}
