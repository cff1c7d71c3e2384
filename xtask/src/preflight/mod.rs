//! Checks of the machine shared by `cargo xtask doctor` and by each command's preflight,
//! so the same finding reads the same in both places.

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
}
