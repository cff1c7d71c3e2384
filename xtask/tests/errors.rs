//! The bad-input catalogue, run for real: every row of docs/errors.md is a test here that
//! runs the xtask binary with the row's command and checks the row's exit code and message.
//! The command and the message are read from the doc, so the doc cannot drift from what
//! the binary prints; this file only prepares each case's conditions (a PATH without
//! docker, a broken package.json, a registry that wants a login…) and checks what else
//! must hold afterwards (the old UI intact, the password never printed).

mod common;

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

use common::{broken_ui_sources, path_without, root, temp_dir, testbed, text};

/// Cases that replace or watch `bin/noetl`: one at a time.
static BIN_DIR: Mutex<()> = Mutex::new(());

struct Case {
    id: String,
    args: Vec<String>,
    /// `0`, `1`, `2`, or `SIGINT` (killed by it, no message).
    exit: String,
    /// For a failure: the last line of stderr. For exit 0: a text stdout or stderr contains.
    /// `{tmp}` is the case's temp dir; `…` stands for a part that varies.
    message: String,
}

/// Cases whose expected output names the host platform (the catalogue's is linux/amd64).
const HOST_NAMED: &[&str] = &["platforms-duplicated", "platforms-spaces", "platforms-mixed-case", "bin-busy"];

/// What a case checks after the run, beyond its exit code and message.
type After = Box<dyn FnOnce(&Output)>;

macro_rules! cases {
    ($($id:ident),* $(,)?) => {
        $( #[test] fn $id() { run(&stringify!($id).replace('_', "-")) } )*
        const TESTED: &[&str] = &[$(stringify!($id)),*];
    };
}

cases!(
    platforms_empty,
    platforms_empty_entry,
    platforms_unknown,
    platforms_unknown_os,
    platforms_variant,
    platforms_inner_space,
    platforms_duplicated,
    platforms_spaces,
    platforms_mixed_case,
    target_unknown,
    target_std_missing,
    strategy_cross_missing,
    strategy_zigbuild_missing,
    strategy_container_no_image,
    strategy_cargo_no_std,
    cli_no_route,
    cli_darwin_on_linux,
    bin_busy,
    sigint_during_build,
    ui_src_missing,
    package_json_broken,
    lock_file_missing,
    node_missing,
    npm_missing,
    ui_build_fails,
    placeholder_over_built_ui,
    doctor_for_ui_without_node,
    doctor_registry_unreachable,
    registry_login_missing,
    registry_password_wrong,
    registry_password_accepted,
    image_platform_darwin,
    tag_space,
    tag_leading_dash,
    tag_too_long,
    tag_empty,
    tag_plus,
    registry_scheme_and_case,
    registry_space,
    registry_bad_port,
    doctor_registry_space,
    push_without_registry,
    docker_missing,
    doctor_for_image_without_docker,
    daemon_down,
    buildx_missing,
    load_two_platforms_classic_store,
    builder_cannot_build_platforms,
    image_push_401,
    by_digest_docker_driver,
    merge_metadata_missing,
    verify_without_registry,
    kind_missing,
);

#[test]
fn every_catalogue_row_has_a_test_and_every_test_a_row() {
    let rows: Vec<String> = catalogue().into_iter().map(|c| c.id.replace('-', "_")).collect();
    let untested: Vec<&String> = rows.iter().filter(|id| !TESTED.contains(&id.as_str())).collect();
    let unlisted: Vec<&&str> = TESTED.iter().filter(|id| !rows.contains(&id.to_string())).collect();
    assert!(
        untested.is_empty() && unlisted.is_empty(),
        "rows without a test: {untested:?}; tests without a row: {unlisted:?}"
    );
    assert!(rows.len() >= 30, "the catalogue must list at least 30 cases, it has {}", rows.len());
}

/// The catalogue's rows: ``| `id` | case | `cargo xtask ARGS` | exit | `message` |``.
fn catalogue() -> Vec<Case> {
    let doc = std::fs::read_to_string(root().join("docs/errors.md")).expect("docs/errors.md");
    doc.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|line| {
            let cells = cells(line);
            assert_eq!(cells.len(), 5, "a catalogue row has 5 cells: {line}");
            let command = code(&cells[2]);
            let args =
                command.strip_prefix("cargo xtask ").unwrap_or_else(|| panic!("not a cargo xtask command: {line}"));
            Case { id: code(&cells[0]), args: words(args), exit: cells[3].clone(), message: code(&cells[4]) }
        })
        .collect()
}

/// A table row's cells, trimmed; `\|` is a `|` inside a cell.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => cells.last_mut().unwrap().push(chars.next().unwrap()),
            '|' => cells.push(String::new()),
            c => cells.last_mut().unwrap().push(c),
        }
    }
    cells.into_iter().map(|c| c.trim().to_string()).collect()
}

/// The text of a code span: `` `a` `` or ``` `` a `b` `` ```; as in CommonMark, one space
/// is dropped from each end when both ends have one.
fn code(cell: &str) -> String {
    let ticks = cell.len() - cell.trim_start_matches('`').len();
    let inner = &cell[ticks..cell.len() - ticks];
    inner
        .strip_prefix(' ')
        .and_then(|s| s.strip_suffix(' '))
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(inner)
        .to_string()
}

/// Shell words: blanks separate them, single quotes keep blanks (and make `''` an empty word).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut word, mut started, mut quoted) = (String::new(), false, false);
    for c in line.chars() {
        match c {
            '\'' => (quoted, started) = (!quoted, true),
            ' ' if !quoted => {
                if started {
                    out.push(std::mem::take(&mut word));
                }
                started = false;
            }
            c => (word, started) = (word + &c.to_string(), true),
        }
    }
    if started {
        out.push(word);
    }
    out
}

/// Whether `haystack` matches `pattern`, where `…` stands for any text; `whole` anchors
/// both ends, else the pattern may sit anywhere.
fn matches(haystack: &str, pattern: &str, whole: bool) -> bool {
    let pieces: Vec<&str> = pattern.split('…').collect();
    let mut rest = haystack;
    if whole {
        let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
        if pieces.len() == 1 {
            return haystack == first;
        }
        if haystack.len() < first.len() + last.len() || !haystack.starts_with(first) || !haystack.ends_with(last) {
            return false;
        }
        rest = &haystack[first.len()..haystack.len() - last.len()];
    }
    let inner = if whole { &pieces[1..pieces.len() - 1] } else { &pieces[..] };
    for piece in inner {
        let Some(at) = rest.find(piece) else { return false };
        rest = &rest[at + piece.len()..];
    }
    true
}

fn run(id: &str) {
    let case =
        catalogue().into_iter().find(|c| c.id == id).unwrap_or_else(|| panic!("docs/errors.md has no row `{id}`"));
    let tmp = temp_dir(id);
    let sub = |s: &str| s.replace("{tmp}", tmp.to_str().unwrap());
    let mut cmd = common::xtask_command(case.args.iter().map(|a| sub(a)));
    let _bin = id.starts_with("bin-") || id.starts_with("sigint-");
    let _guard = _bin.then(|| BIN_DIR.lock().unwrap_or_else(|e| e.into_inner()));
    let Some(after) = prepare(id, &tmp, &mut cmd) else { return };
    if id == "buildx-missing" {
        cmd = without_buildx_plugin(&cmd, &tmp);
    }
    let out = if case.exit == "SIGINT" { interrupt(&mut cmd) } else { cmd.output().expect("run xtask") };
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    let shown = format!("exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}", out.status);
    let message = sub(&case.message);
    match case.exit.as_str() {
        "SIGINT" => assert_eq!(out.status.signal(), Some(2), "{id}: should die of SIGINT: {shown}"),
        "0" => {
            assert!(out.status.success(), "{id}: {shown}");
            assert!(matches(&format!("{stdout}{stderr}"), &message, false), "{id}: output lacks `{message}`:\n{shown}");
        }
        code => {
            assert_eq!(out.status.code(), Some(code.parse().unwrap()), "{id}: {shown}");
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
            assert!(matches(last, &message, true), "{id}: last stderr line\n  {last}\nis not\n  {message}\n{shown}");
        }
    }
    after(&out);
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Sets up `id`'s conditions on `cmd` and returns what to check after the run; `None`
/// when the case cannot run on this machine (it then says why).
fn prepare(id: &str, tmp: &Path, cmd: &mut Command) -> Option<After> {
    let nothing: After = Box::new(|_| {});
    if HOST_NAMED.contains(&id) && (std::env::consts::OS, std::env::consts::ARCH) != ("linux", "x86_64") {
        eprintln!("skipped: {id}: its message names the host platform, recorded on linux/amd64");
        return None;
    }
    match id {
        "target-std-missing"
        | "strategy-cargo-no-std"
        | "cli-no-route"
        | "strategy-cross-missing"
        | "strategy-zigbuild-missing" => {
            if arm64_std_installed(id) {
                return None;
            }
            cmd.env("PATH", path_without(tmp, &["cross", "cargo-zigbuild"])).env_remove("NOETL_BUILDER_IMAGE");
        }
        "strategy-container-no-image" | "cli-darwin-on-linux" => {
            cmd.env("PATH", path_without(tmp, &["cross", "cargo-zigbuild"])).env_remove("NOETL_BUILDER_IMAGE");
        }
        "node-missing" | "doctor-for-ui-without-node" => {
            cmd.env("PATH", path_without(tmp, &["node", "npm"]));
        }
        "npm-missing" => {
            cmd.env("PATH", path_without(tmp, &["npm"]));
        }
        "package-json-broken" => write(&tmp.join("src/package.json"), "{ \"name\": "),
        "lock-file-missing" => {
            let package = std::fs::read_to_string(root().join("ui-src/package.json")).unwrap();
            write(&tmp.join("src/package.json"), &package);
        }
        "ui-build-fails" | "placeholder-over-built-ui" => {
            let index = tmp.join("ui/index.html");
            write(&index, "<title>the UI installed before</title>");
            if id == "ui-build-fails" {
                broken_ui_sources(&tmp.join("src"));
            }
            return Some(Box::new(move |out| {
                let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
                assert!(
                    !all.contains("failed: exit") || all.contains("error TS2322"),
                    "npm's own error should be shown:\n{all}"
                );
                let now = std::fs::read_to_string(&index).expect("the installed UI must stay");
                assert_eq!(now, "<title>the UI installed before</title>", "the installed UI changed");
            }));
        }
        "bin-busy" => return Some(running_bin_noetl()),
        "sigint-during-build" => return Some(unchanged_bin_noetl(tmp, cmd)),
        "registry-login-missing" | "registry-password-wrong" | "registry-password-accepted" | "image-push-401" => {
            return registry(id, tmp, cmd)
        }
        "docker-missing" | "doctor-for-image-without-docker" => {
            cmd.env("PATH", path_without(tmp, &["docker"]));
        }
        "verify-without-registry" => {
            cmd.env_remove("NOETL_REGISTRY");
        }
        "image-platform-darwin" | "tag-plus" | "registry-scheme-and-case" | "by-digest-docker-driver" => {
            testbed(id, &["NOETL_TEST_DOCKER"])?;
        }
        "kind-missing" => {
            testbed(id, &["NOETL_TEST_DOCKER"])?;
            cmd.env("PATH", path_without(tmp, &["kind"]));
        }
        "daemon-down" => {
            testbed(id, &["NOETL_TEST_DOCKER"])?;
            cmd.env("DOCKER_HOST", "unix:///nonexistent.sock");
        }
        "buildx-missing" => {
            testbed(id, &["NOETL_TEST_DOCKER"])?;
            if !common::have("unshare", id) {
                return None;
            }
        }
        "load-two-platforms-classic-store" | "builder-cannot-build-platforms" => {
            let bed = testbed(id, &["NOETL_TEST_CLASSIC_DOCKER_HOST"])?;
            cmd.env("DOCKER_HOST", &bed["NOETL_TEST_CLASSIC_DOCKER_HOST"]);
        }
        _ => {}
    }
    Some(nothing)
}

fn write(path: &Path, contents: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

/// Whether aarch64's std is installed: the cases about its absence cannot run then.
fn arm64_std_installed(id: &str) -> bool {
    let sysroot = Command::new("rustc").args(["--print", "sysroot"]).output().unwrap();
    let dir = Path::new(text(&sysroot.stdout).trim()).join("lib/rustlib/aarch64-unknown-linux-gnu/lib");
    let installed = dir.is_dir();
    if installed {
        eprintln!("skipped: {id}: the aarch64-unknown-linux-gnu std is installed here ({})", dir.display());
    }
    installed
}

/// The same command in a private mount namespace where an empty directory hides every
/// docker CLI plugin directory holding buildx: the machine itself is not changed. The
/// script is fixed; the paths and the command reach it as arguments.
fn without_buildx_plugin(cmd: &Command, tmp: &Path) -> Command {
    let empty = tmp.join("no-plugins");
    std::fs::create_dir_all(&empty).unwrap();
    let home = std::env::var("HOME").unwrap_or_default();
    let candidates = [
        "/usr/local/lib/docker/cli-plugins".to_string(),
        "/usr/local/libexec/docker/cli-plugins".to_string(),
        "/usr/lib/docker/cli-plugins".to_string(),
        "/usr/libexec/docker/cli-plugins".to_string(),
        format!("{home}/.docker/cli-plugins"),
    ];
    let dirs: Vec<String> = candidates.into_iter().filter(|d| Path::new(d).join("docker-buildx").exists()).collect();
    assert!(!dirs.is_empty(), "buildx-missing: no docker-buildx plugin found to hide");
    let script = r#"empty=$1; shift; while [ "$1" != -- ]; do mount --bind "$empty" "$1" || exit 97; shift; done; shift; exec "$@""#;
    let mut wrapped = Command::new("unshare");
    wrapped.args(["--mount", "--propagation", "private", "--", "sh", "-c", script, "sh"]).arg(&empty);
    wrapped.args(&dirs).arg("--").arg(cmd.get_program()).args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => wrapped.env(key, v),
            None => wrapped.env_remove(key),
        };
    }
    wrapped.current_dir(root());
    wrapped
}

/// `target/dist/linux/amd64/noetl`, statically linked, which the prebuilt `noetlctl` image
/// copies: built when missing or dynamically linked (it names its loader, `ld-linux…`).
fn ensure_static_amd64_dist() {
    let bin = root().join("target/dist/linux/amd64/noetl");
    let head = std::fs::read(&bin).map(|b| b[..b.len().min(4096)].to_vec()).unwrap_or_default();
    if head.is_empty() || head.windows(8).any(|w| w == b"ld-linux") {
        common::xtask_ok(&["cli", "--static", "--platforms", "linux/amd64"]);
    }
}

/// `bin/noetl` serving while `local-bin` replaces it: the install renames a new file over
/// it, so the running server keeps going and nothing fails with "text file busy".
fn running_bin_noetl() -> After {
    let bin = ensure_bin_noetl();
    let mut server = common::start_server(&bin, &[]);
    assert!(server.child.try_wait().unwrap().is_none(), "bin/noetl server start exited at once");
    Box::new(move |_| {
        let still_running = common::stop_server(server);
        assert!(still_running, "the running bin/noetl should have kept running through the reinstall");
    })
}

/// The interrupted build runs with a cold target dir, so its first step is long enough to
/// interrupt. Afterwards bin/noetl must be the very same file and no temp file be left.
fn unchanged_bin_noetl(tmp: &Path, cmd: &mut Command) -> After {
    let bin = ensure_bin_noetl();
    let before = identity(&bin);
    cmd.env("CARGO_TARGET_DIR", tmp.join("cold-target"));
    Box::new(move |_| {
        assert_eq!(identity(&bin), before, "bin/noetl changed");
        let dir = bin.parent().unwrap();
        let leftovers: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temp files left in bin/: {leftovers:?}");
    })
}

fn identity(path: &Path) -> (u64, u64, std::time::SystemTime) {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).expect("bin/noetl");
    (meta.ino(), meta.len(), meta.modified().unwrap())
}

/// `bin/noetl`, built first when this checkout has none yet.
fn ensure_bin_noetl() -> std::path::PathBuf {
    let bin = root().join("bin/noetl");
    if !bin.exists() {
        common::xtask_ok(&["local-bin", "--debug"]);
    }
    bin
}

/// Runs `cmd` in its own process group and, once its first step has started, sends SIGINT
/// to the group, as Ctrl-C in a terminal does.
fn interrupt(cmd: &mut Command) -> Output {
    use std::io::{BufRead, BufReader};
    let mut child = cmd.process_group(0).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("[1/") {
        if stderr.read_line(&mut seen).unwrap() == 0 {
            break;
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(800));
    let group = format!("-{}", child.id());
    let kill = Command::new("kill").args(["-INT", "--", &group]).status().unwrap();
    assert!(kill.success(), "kill -INT {group} failed");
    let mut out = child.wait_with_output().unwrap();
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut stderr, &mut rest).unwrap();
    out.stderr = [seen.into_bytes(), rest].concat();
    out
}

/// The registry with htpasswd auth from the test bed, a Docker config without credentials,
/// and (for the password cases) credentials in the environment that must never be printed.
fn registry(id: &str, tmp: &Path, cmd: &mut Command) -> Option<After> {
    let bed = testbed(
        id,
        &["NOETL_TEST_AUTH_REGISTRY", "NOETL_TEST_AUTH_REGISTRY_USER", "NOETL_TEST_AUTH_REGISTRY_PASSWORD_FILE"],
    )?;
    let host = &bed["NOETL_TEST_AUTH_REGISTRY"];
    assert_eq!(host, "127.0.0.1:5001", "docs/errors.md names the test bed's auth registry");
    std::fs::create_dir_all(tmp.join("docker")).unwrap();
    cmd.env("DOCKER_CONFIG", tmp.join("docker"))
        .env_remove("NOETL_REGISTRY_USER")
        .env_remove("NOETL_REGISTRY_PASSWORD");
    let real = std::fs::read_to_string(&bed["NOETL_TEST_AUTH_REGISTRY_PASSWORD_FILE"]).unwrap().trim().to_string();
    let password = match id {
        "registry-password-accepted" | "image-push-401" => real,
        "registry-password-wrong" => format!("{real}-but-wrong-{}", std::process::id()),
        _ => return Some(Box::new(|_| {})),
    };
    cmd.env("NOETL_REGISTRY_USER", &bed["NOETL_TEST_AUTH_REGISTRY_USER"]).env("NOETL_REGISTRY_PASSWORD", &password);
    if id == "image-push-401" {
        testbed(id, &["NOETL_TEST_DOCKER"])?;
        ensure_static_amd64_dist();
    }
    Some(Box::new(move |out| {
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!password.is_empty() && !all.contains(&password), "the password was printed");
    }))
}

#[test]
fn the_catalogue_reader_reads_cells_code_and_words() {
    assert_eq!(cells(r"| `a` | b \| c | `x` |"), ["`a`", "b | c", "`x`"]);
    assert_eq!(code("`plain`"), "plain");
    assert_eq!(code("`` has `ticks` ``"), "has `ticks`");
    assert_eq!(words("cli --platforms '' --x 'a b'"), ["cli", "--platforms", "", "--x", "a b"]);
    assert!(matches("error: x '/tmp/1': y", "error: x '…': y", true));
    assert!(!matches("error: x '/tmp/1': y z", "error: x '…': y", true));
    assert!(!matches("oh error: x", "error: x", true));
    assert!(matches("line\n✖ node  not found — fix: y\n", "not found — fix: y", false));
}
