//! The xtask's error kinds. Everything is an `anyhow::Error`; `main` looks for these
//! two types in the chain to pick the exit code and the one-line message.

use std::fmt;

/// Bad input from the user or a missing prerequisite they must fix: exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// `error: <what> '<value>': <why>. fix: <fix>` — the one shape every user-facing error takes.
pub fn usage(what: &str, value: &str, why: &str, fix: &str) -> anyhow::Error {
    anyhow::Error::new(UsageError(format!("{what} '{value}': {why}. fix: {fix}")))
}

/// An external program that ran and failed: exit code 1, with its command line and status.
#[derive(Debug)]
pub struct ToolError {
    pub command_line: String,
    pub status: String,
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` failed: {}", self.command_line, self.status)
    }
}

impl std::error::Error for ToolError {}

pub fn exit_code(err: &anyhow::Error) -> i32 {
    if err.downcast_ref::<UsageError>().is_some() {
        2
    } else {
        1
    }
}
