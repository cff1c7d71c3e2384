//! The web UI's toolchain: `ui-src/package.json`, and node and npm against its `engines`.
//! `cargo xtask ui` stops on these checks; the doctor lists them.

use camino::Utf8Path;
use serde_json::Value;

use super::{tool, Check};
use crate::version;

pub const INSTALL_NODE: &str = "install Node.js 20.19 or newer with npm (e.g. from your package manager or nodejs.org)";

/// `node` or `npm` missing from PATH.
pub fn not_found(tool: &str) -> Check {
    Check::missing(tool, "not found on PATH; needed to build the web UI", INSTALL_NODE)
}

/// `tool` (node or npm) on PATH and its version against `engines.<tool>` in package.json.
pub fn engine(tool: &str, package: Option<&Value>) -> Check {
    let found = match tool::version(tool, &["--version"]) {
        Ok(v) => v,
        Err(_) if crate::tools::find(tool).is_none() => return not_found(tool),
        Err(why) => return Check::missing(tool, why, INSTALL_NODE),
    };
    let Some(wanted) = package.and_then(|p| p["engines"][tool].as_str()) else {
        return Check::ok(tool, found);
    };
    match version::satisfies(&found, wanted) {
        Some(false) => {
            Check::missing(tool, format!("{found}, but package.json requires {tool} {wanted}"), INSTALL_NODE)
        }
        Some(true) => Check::ok(tool, format!("{found} (engines {wanted})")),
        None => Check::ok(tool, format!("{found} (engines '{wanted}' not understood, not checked)")),
    }
}

/// `<src>/package.json`, read and parsed: the UI sources exist and npm can read them.
pub fn package_json(src: &Utf8Path) -> Result<Value, Check> {
    let path = src.join("package.json");
    let name = path.to_string();
    let text = std::fs::read_to_string(&path).map_err(|_| {
        Check::missing(
            &name,
            "not found",
            "run from a full NoETL checkout, or `cargo xtask ui --placeholder` to run the server without a UI",
        )
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Check::missing(&name, format!("is not valid JSON ({e})"), "repair the file; npm cannot read it either")
    })
}
