//! A program on PATH and the version it reports: the shape of most of the doctor's lines.

use std::process::{Command, Stdio};

use super::Check;

/// The first non-empty line `program ARGS` prints (stdout, else stderr), or why it could not run.
pub fn version(program: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program).args(args).stdin(Stdio::null()).output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "not found on PATH".to_string(),
        _ => format!("cannot run it ({e})"),
    })?;
    let first =
        |bytes: &[u8]| String::from_utf8_lossy(bytes).lines().map(str::trim).find(|l| !l.is_empty()).map(String::from);
    let line = first(&out.stdout).or_else(|| first(&out.stderr)).unwrap_or_default();
    if out.status.success() {
        Ok(line)
    } else {
        Err(format!("`{program} {}` failed ({}): {line}", args.join(" "), out.status))
    }
}

/// A tool some job needs: ✔ with its version, or ✖ with `fix`.
pub fn required(name: &str, program: &str, args: &[&str], fix: &str) -> Check {
    match version(program, args) {
        Ok(v) => Check::ok(name, v),
        Err(why) => Check::missing(name, why, fix),
    }
}

/// A tool nothing strictly needs here (another route exists, or the step is skipped
/// without it): – with `fix` when absent, so the way to get it is still shown.
pub fn optional(name: &str, program: &str, args: &[&str], why_optional: &str, fix: &str) -> Check {
    match version(program, args) {
        Ok(v) => Check::ok(name, v),
        Err(why) => Check { fix: fix.to_string(), ..Check::skipped(name, format!("{why} ({why_optional})")) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preflight::Status;

    #[test]
    fn versions_of_present_absent_and_failing_programs() {
        assert!(version("cargo", &["--version"]).unwrap().starts_with("cargo "));
        assert_eq!(version("noetl-no-such-program", &["--version"]), Err("not found on PATH".to_string()));
        let failed = version("cargo", &["no-such-subcommand-here"]).unwrap_err();
        assert!(failed.starts_with("`cargo no-such-subcommand-here` failed (exit status: "), "{failed}");
        let optional = optional("x", "noetl-no-such-program", &[], "optional here", "install x");
        assert_eq!((optional.status, optional.fix.as_str()), (Status::Skipped, "install x"));
        assert_eq!(required("x", "noetl-no-such-program", &[], "install x").status, Status::Missing);
    }
}
