//! Checks of the machine shared by `cargo xtask doctor` and by each command's preflight,
//! so the same finding reads the same in both places.

pub mod docker;
pub mod files;
pub mod node;
pub mod registry;
pub mod rust;
pub mod tool;

use crate::error::usage;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Present and usable; the detail says what was found (a version, a driver…).
    Ok,
    /// Missing or unusable: `fix` says what to do.
    Missing,
    /// Not applicable or not checked here; the detail says why.
    Skipped,
}

#[derive(Debug, Clone)]
pub struct Check {
    /// Short stable name: `docker daemon`, `buildx`, `node`.
    pub name: String,
    pub status: Status,
    /// What was found (`26.1.5`, `driver docker, containerd store`) or why it is missing.
    pub detail: String,
    /// The exact fix for a missing item (a command or an action); empty when fine.
    pub fix: String,
}

impl Check {
    pub fn ok(name: impl Into<String>, detail: impl Into<String>) -> Check {
        Check { name: name.into(), status: Status::Ok, detail: detail.into(), fix: String::new() }
    }
    pub fn missing(name: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check { name: name.into(), status: Status::Missing, detail: detail.into(), fix: fix.into() }
    }
    pub fn skipped(name: impl Into<String>, why: impl Into<String>) -> Check {
        Check { name: name.into(), status: Status::Skipped, detail: why.into(), fix: String::new() }
    }

    /// A command's preflight: a missing item stops it with the doctor's own words (exit 2).
    pub fn require(self) -> anyhow::Result<Check> {
        match self.status {
            Status::Missing => Err(usage(&self.name, &self.detail, "is missing or unusable", &self.fix)),
            _ => Ok(self),
        }
    }

    /// Like [`Check::require`], but naming the user's input the check was about:
    /// `error: <what> '<value>': <detail>. fix: <fix>`, with the detail and fix the doctor shows.
    pub fn require_for(self, what: &str, value: &str) -> anyhow::Result<Check> {
        match self.status {
            Status::Missing => Err(self.error_for(what, value)),
            _ => Ok(self),
        }
    }

    /// The exit-2 error [`Check::require_for`] returns, for callers holding a missing check.
    pub fn error_for(&self, what: &str, value: &str) -> anyhow::Error {
        usage(what, value, &self.detail, &self.fix)
    }
}
