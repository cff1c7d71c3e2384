//! Helpers shared by the integration tests: run the real `noetl` binary on 127.0.0.1 with
//! port 0, talk raw HTTP/1.1 to it (no client library, so request paths reach the server
//! exactly as written), and make throw-away UI directories.
#![allow(dead_code)] // each test binary uses a different subset

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_noetl");
const NOETL_ENV: [&str; 4] = ["NOETL_HOST", "NOETL_PORT", "NOETL_UI_DIR", "NOETL_ENABLE_UI"];

/// `noetl` with none of the caller's `NOETL_*` variables leaking in.
pub fn noetl(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args);
    for name in NOETL_ENV {
        command.env_remove(name);
    }
    command
}

/// A running `noetl server start`; killed on drop if the test did not stop it.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// Stdout lines printed before the "listening" line (the UI state).
    pub banner: Vec<String>,
    stdout: mpsc::Receiver<String>,
    stderr: Option<thread::JoinHandle<String>>,
}

/// What a stopped server left behind.
pub struct Stopped {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

impl Server {
    /// Starts on 127.0.0.1:0 serving `ui_dir`, with extra environment `env`.
    pub fn start(ui_dir: &Path, env: &[(&str, &str)]) -> Server {
        let ui_dir = ui_dir.to_str().expect("temp paths are UTF-8");
        let mut command = noetl(&["server", "start", "--host", "127.0.0.1", "--port", "0", "--ui-dir", ui_dir]);
        command.envs(env.iter().copied());
        Server::spawn_command(command)
    }

    pub fn spawn_command(mut command: Command) -> Server {
        let mut child =
            command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn noetl");
        let (tx, stdout) = mpsc::channel();
        let out = BufReader::new(child.stdout.take().unwrap());
        thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut err = child.stderr.take().unwrap();
        let stderr = Some(thread::spawn(move || {
            let mut text = String::new();
            let _ = err.read_to_string(&mut text);
            text
        }));
        let mut banner = Vec::new();
        let addr = loop {
            match stdout.recv_timeout(Duration::from_secs(10)) {
                Ok(line) => match line.strip_prefix("noetl server listening on http://") {
                    Some(addr) => break addr.parse().expect("listening line has an address"),
                    None => banner.push(line),
                },
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let stderr = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
                    panic!("server never said it was listening; stdout {banner:?}, stderr {stderr:?}");
                }
            }
        };
        Server { child, addr, banner, stdout, stderr }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn get(&self, target: &str) -> Reply {
        request(self.addr, "GET", target)
    }

    /// Sends `signal` (`TERM`, `INT`) with kill(1), then waits for the exit.
    pub fn stop_with(self, signal: &str) -> Stopped {
        send_signal(self.pid(), signal);
        self.wait()
    }

    /// Waits up to 15 s for the server to exit on its own (after a signal sent elsewhere).
    pub fn wait(mut self) -> Stopped {
        let started = Instant::now();
        let status = wait_with_deadline(&mut self.child, Duration::from_secs(15))
            .expect("server still running 15 s after being told to stop");
        let took = started.elapsed();
        let mut stdout = String::new();
        for line in self.stdout.iter() {
            stdout.push_str(&line);
            stdout.push('\n');
        }
        let stderr = self.stderr.take().and_then(|h| h.join().ok()).unwrap_or_default();
        Stopped { status, stdout, stderr, took }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn send_signal(pid: u32, signal: &str) {
    let status = Command::new("kill").args([format!("-{signal}"), pid.to_string()]).status().expect("run kill");
    assert!(status.success(), "kill -{signal} {pid} failed");
}

pub fn wait_with_deadline(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("wait for noetl") {
            return Some(status);
        }
        thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }
}

/// One request on a fresh connection; `target` goes on the wire byte for byte.
pub fn request(addr: SocketAddr, method: &str, target: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect to noetl");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let head = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).expect("send request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    parse_reply(&raw)
}

pub fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {:?}", String::from_utf8_lossy(raw)));
    let head = std::str::from_utf8(&raw[..split]).expect("ASCII headers");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').expect("header has a colon");
            (name.trim().to_string(), value.trim().to_string())
        })
        .collect();
    Reply { status, headers, body: raw[split + 4..].to_vec() }
}

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("noetl-test-{tag}-{}-{}", std::process::id(), COUNT.fetch_add(1, Ordering::Relaxed));
        let path = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub const INDEX_HTML: &str = "<!doctype html><title>NoETL test UI</title><div id=root></div>\n";

/// A UI as Vite builds it: index.html at the top, hashed files under assets/.
pub fn built_ui(under: &Path) -> PathBuf {
    let ui = under.join("ui");
    write(&ui.join("index.html"), INDEX_HTML.as_bytes());
    write(&ui.join("assets/index-3f2a1bc9.js"), b"console.log('noetl');\n");
    write(&ui.join("assets/index-9c1d77e0.css"), b"body{margin:0}\n");
    write(&ui.join("assets/logo-aa11.svg"), b"<svg xmlns='http://www.w3.org/2000/svg'/>\n");
    write(&ui.join("favicon.ico"), &[0, 0, 1, 0]);
    write(&ui.join("robots.txt"), b"User-agent: *\n");
    ui
}

pub fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}
