//! The one error type `main` turns into a message and an exit code.

use std::fmt;

/// A failure that ends the program: printed as one `error: …` line, then `exit(code)`.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// Bad input from the user (flags, environment, a port already taken): exit 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Self { code: 2, message: message.into() }
    }

    /// The environment let us down (no runtime, no signal handlers): exit 1.
    pub fn runtime(message: impl Into<String>) -> Self {
        Self { code: 1, message: message.into() }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)
    }
}
