//! A plan is what a command decided to do, as data: an ordered list of steps.
//! One executor (`exec.rs`) runs it; the same value prints as shell (`--dry-run`)
//! or JSON (`--json`), so what is shown is exactly what would run.

use camino::Utf8PathBuf;
use serde_json::{json, Value};

use crate::platform::Platform;

mod image;
pub use image::ImageAction;

/// Bumped whenever the JSON shape changes incompatibly.
pub const JSON_VERSION: u32 = 1;

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub command: String,
    /// Decisions worth telling the user about (fallbacks, dropped flags), printed before running.
    pub notes: Vec<String>,
    pub steps: Vec<Step>,
    /// Run every step even after one fails, then print a summary table and fail if any did:
    /// for gates like `ci`, where one run should report every broken check, not the first.
    pub keep_going: bool,
}

#[derive(Debug, Clone)]
pub struct Step {
    /// What the step does, for progress lines: "build noetl for linux/arm64".
    pub what: String,
    pub action: Action,
    /// Decided while planning: this step will not run, and why (e.g. an optional lint tool
    /// is not installed). Shown by `--dry-run`/`--json` and in the run's summary.
    pub skip: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Run(Cmd),
    MkDir(Utf8PathBuf),
    /// Copy a file next to `to` under a temporary name, then rename it over `to`, so readers
    /// (and a running executable) never see a half-written file.
    Install {
        from: Utf8PathBuf,
        to: Utf8PathBuf,
    },
    /// Write `contents` to `path` atomically (temp file + rename).
    WriteFile {
        path: Utf8PathBuf,
        contents: String,
    },
    /// Fail unless the executable's header says it was built for `platform`.
    CheckBinary {
        path: Utf8PathBuf,
        platform: Platform,
    },
    RemoveDir(Utf8PathBuf),
    /// Replace directory `to` with the complete directory `from` (two renames on one
    /// filesystem), after checking `from` holds `require`; the old `to` stays until then.
    SwapDir {
        from: Utf8PathBuf,
        to: Utf8PathBuf,
        require: Option<String>,
    },
    /// Write a JSON manifest (platform, triple, path, size, sha256) of built binaries.
    WriteManifest {
        path: Utf8PathBuf,
        entries: Vec<ManifestEntry>,
    },
    /// Steps of image plans (`plan/image.rs`).
    Image(ImageAction),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ManifestEntry {
    pub platform: String,
    pub triple: String,
    pub path: Utf8PathBuf,
}

/// An external program with its arguments: never a shell string.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cmd {
    pub program: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: Option<Utf8PathBuf>,
    /// Feed this environment variable's value to the program's stdin (e.g. a registry
    /// password for `--password-stdin`), so the secret never appears in argv or plans.
    pub stdin_from_env: Option<String>,
    /// How to install `program` when it is not on PATH at the moment the step runs: the
    /// failure is then the user's to fix (exit 2) with this hint, not a bare spawn error.
    pub install_hint: Option<String>,
}

impl Cmd {
    pub fn new(program: impl Into<String>) -> Cmd {
        Cmd { program: program.into(), ..Cmd::default() }
    }
    pub fn arg(mut self, arg: impl Into<String>) -> Cmd {
        self.args.push(arg.into());
        self
    }
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Cmd {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Cmd {
        self.env.push((key.into(), value.into()));
        self
    }
    pub fn cwd(mut self, dir: impl Into<Utf8PathBuf>) -> Cmd {
        self.cwd = Some(dir.into());
        self
    }
    pub fn install_hint(mut self, hint: impl Into<String>) -> Cmd {
        self.install_hint = Some(hint.into());
        self
    }

    /// `program arg…` quoted for a POSIX shell, without env or cwd.
    pub fn command_line(&self) -> String {
        std::iter::once(&self.program).chain(&self.args).map(|s| quote(s)).collect::<Vec<_>>().join(" ")
    }

    /// The full copy-pastable line: `(cd DIR && K=V program args)`.
    pub fn shell_line(&self) -> String {
        let mut line = String::new();
        if let Some(var) = &self.stdin_from_env {
            line.push_str(&format!("printf '%s' \"${{{var}}}\" | "));
        }
        for (key, value) in &self.env {
            line.push_str(&format!("{key}={} ", quote(value)));
        }
        line.push_str(&self.command_line());
        match &self.cwd {
            Some(dir) => format!("(cd {} && {line})", quote(dir.as_str())),
            None => line,
        }
    }
}

impl Plan {
    pub fn new(command: &str) -> Plan {
        Plan { command: command.to_string(), ..Plan::default() }
    }
    pub fn step(&mut self, what: impl Into<String>, action: Action) {
        self.steps.push(Step { what: what.into(), action, skip: None });
    }
    /// A step shown in the plan and the summary but not run, with the reason.
    pub fn skipped(&mut self, what: impl Into<String>, action: Action, why: impl Into<String>) {
        self.steps.push(Step { what: what.into(), action, skip: Some(why.into()) });
    }
    pub fn run(&mut self, what: impl Into<String>, cmd: Cmd) {
        self.step(what, Action::Run(cmd));
    }
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }
    pub fn extend(&mut self, other: Plan) {
        self.notes.extend(other.notes);
        self.steps.extend(other.steps);
    }

    /// The plan as a bash script a person can paste.
    pub fn to_shell(&self) -> String {
        let mut out = format!("# cargo xtask {}: {} step(s)\nset -euo pipefail\n", self.command, self.steps.len());
        for note in &self.notes {
            out.push_str(&format!("# note: {note}\n"));
        }
        if self.keep_going {
            out.push_str("# note: a real run goes on after a failed step and ends with a summary table\n");
        }
        for (i, step) in self.steps.iter().enumerate() {
            out.push_str(&format!("# [{}/{}] {}\n", i + 1, self.steps.len(), step.what));
            match &step.skip {
                // Commented out, so pasting the script does what the run would do.
                Some(why) => {
                    out.push_str(&format!("# skipped: {why}\n# {}\n", step.action.shell().replace('\n', "\n# ")))
                }
                None => {
                    out.push_str(&step.action.shell());
                    out.push('\n');
                }
            }
        }
        out
    }

    pub fn to_json(&self) -> Value {
        json!({
            "version": JSON_VERSION,
            "command": self.command,
            "notes": self.notes,
            "keep_going": self.keep_going,
            "steps": self.steps.iter().map(Step::to_json).collect::<Vec<_>>(),
        })
    }
}

impl Step {
    fn to_json(&self) -> Value {
        let mut v = self.action.to_json();
        v["what"] = json!(self.what);
        v["skip"] = json!(self.skip);
        v
    }
}

impl Action {
    fn shell(&self) -> String {
        match self {
            Action::Run(cmd) => cmd.shell_line(),
            Action::MkDir(dir) => format!("mkdir -p {}", quote(dir.as_str())),
            Action::Install { from, to } => {
                let tmp = quote(&format!("{to}.tmp"));
                format!("cp {} {tmp} && mv -f {tmp} {}", quote(from.as_str()), quote(to.as_str()))
            }
            Action::WriteFile { path, contents } => {
                format!("cat > {} <<'NOETL_EOF'\n{}\nNOETL_EOF", quote(path.as_str()), contents.trim_end())
            }
            Action::RemoveDir(dir) => format!("rm -rf {}", quote(dir.as_str())),
            Action::SwapDir { from, to, require } => {
                let (from, to) = (quote(from.as_str()), quote(to.as_str()));
                let check = require.as_ref().map(|f| format!("test -e {from}/{} && ", quote(f))).unwrap_or_default();
                format!("{check}rm -rf {to}.old && {{ ! test -e {to} || mv {to} {to}.old; }} && mv {from} {to} && rm -rf {to}.old")
            }
            Action::CheckBinary { path, platform } => {
                format!("# check: {path} is an executable for {platform} (read from its header)")
            }
            Action::WriteManifest { path, entries } => {
                let paths: Vec<_> = entries.iter().map(|e| quote(e.path.as_str())).collect();
                format!("sha256sum {} # recorded with sizes in {path}", paths.join(" "))
            }
            Action::Image(action) => action.shell(),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Action::Run(cmd) => json!({
                "kind": "run",
                "program": cmd.program,
                "args": cmd.args,
                "env": cmd.env.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(),
                "cwd": cmd.cwd.as_ref().map(|d| d.as_str()),
                "stdin_from_env": cmd.stdin_from_env,
                "install_hint": cmd.install_hint,
            }),
            Action::MkDir(dir) => json!({"kind": "mkdir", "path": dir.as_str()}),
            Action::Install { from, to } => json!({"kind": "install", "from": from.as_str(), "to": to.as_str()}),
            Action::WriteFile { path, contents } => {
                json!({"kind": "write_file", "path": path.as_str(), "contents": contents})
            }
            Action::RemoveDir(dir) => json!({"kind": "remove_dir", "path": dir.as_str()}),
            Action::SwapDir { from, to, require } => {
                json!({"kind": "swap_dir", "from": from.as_str(), "to": to.as_str(), "require": require})
            }
            Action::CheckBinary { path, platform } => {
                json!({"kind": "check_binary", "path": path.as_str(), "platform": platform.to_string()})
            }
            Action::WriteManifest { path, entries } => json!({
                "kind": "write_manifest",
                "path": path.as_str(),
                "entries": entries.iter().map(|e| json!({
                    "platform": e.platform, "triple": e.triple, "path": e.path.as_str(),
                })).collect::<Vec<_>>(),
            }),
            Action::Image(action) => action.to_json(),
        }
    }
}

/// Quote `s` for a POSIX shell: bare when it is made only of characters no shell treats
/// specially, else in single quotes (a `'` inside becomes `'\''`).
pub fn quote(s: &str) -> String {
    let bare = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c);
    if !s.is_empty() && s.chars().all(bare) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_leaves_plain_words_bare() {
        assert_eq!(quote("linux/amd64,linux/arm64"), "linux/amd64,linux/arm64");
        assert_eq!(quote("--tag=v1.2.3"), "--tag=v1.2.3");
    }

    #[test]
    fn quoting_protects_spaces_quotes_and_dollars() {
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("$HOME"), "'$HOME'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("a\"b`c`"), "'a\"b`c`'");
        assert_eq!(quote("*"), "'*'");
    }

    #[test]
    fn quoted_words_survive_a_real_shell() {
        let words = ["plain", "with space", "it's", "$HOME", "`id`", "a\"b", "tab\there", "new\nline", ""];
        let cmd = Cmd::new("printf").arg("%s\\0").args(words);
        let out = std::process::Command::new("bash").arg("-c").arg(cmd.shell_line()).output().unwrap();
        let printed: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().split('\0').collect();
        assert_eq!(printed[..words.len()], words);
    }

    #[test]
    fn shell_line_has_env_and_cwd() {
        let cmd = Cmd::new("cargo").arg("build").env("NOETL_GIT_COMMIT", "abc 1").cwd("/my repo");
        assert_eq!(cmd.shell_line(), "(cd '/my repo' && NOETL_GIT_COMMIT='abc 1' cargo build)");
    }

    #[test]
    fn stdin_secret_is_read_from_the_environment_not_printed() {
        let cmd = Cmd { stdin_from_env: Some("REGISTRY_PASSWORD".into()), ..Cmd::new("docker") }
            .args(["login", "--password-stdin"]);
        assert_eq!(cmd.shell_line(), "printf '%s' \"${REGISTRY_PASSWORD}\" | docker login --password-stdin");
    }

    #[test]
    fn json_shape_is_versioned_and_complete() {
        let mut plan = Plan::new("cli");
        plan.note("a note");
        plan.run("build", Cmd::new("cargo").arg("build").env("A", "1").cwd("/r"));
        plan.step("install", Action::Install { from: "a".into(), to: "b".into() });
        let v = plan.to_json();
        assert_eq!(v["version"], JSON_VERSION);
        assert_eq!(v["command"], "cli");
        assert_eq!(v["notes"][0], "a note");
        assert_eq!(v["steps"][0]["kind"], "run");
        assert_eq!(v["steps"][0]["what"], "build");
        assert_eq!(v["steps"][0]["program"], "cargo");
        assert_eq!(v["steps"][0]["args"][0], "build");
        assert_eq!(v["steps"][0]["env"][0]["name"], "A");
        assert_eq!(v["steps"][0]["env"][0]["value"], "1");
        assert_eq!(v["steps"][0]["cwd"], "/r");
        assert_eq!(v["steps"][1]["kind"], "install");
        assert_eq!(v["steps"][1]["to"], "b");
    }

    #[test]
    fn shell_rendering_numbers_steps() {
        let mut plan = Plan::new("x");
        plan.step("make dir", Action::MkDir("out dir".into()));
        plan.step("copy", Action::Install { from: "a".into(), to: "b c".into() });
        let sh = plan.to_shell();
        assert!(sh.contains("# [1/2] make dir\nmkdir -p 'out dir'\n"), "{sh}");
        assert!(sh.contains("cp a 'b c.tmp' && mv -f 'b c.tmp' 'b c'"), "{sh}");
    }
}
