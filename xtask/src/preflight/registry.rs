//! Whether a registry answers and whether a push to it would be allowed: `GET /v2/` (the
//! Docker registry API's version check), then the login it asks for. Plain HTTP goes over a
//! std `TcpStream`; HTTPS through `curl`. Secrets are sent, never printed: a check says only
//! whether credentials exist or were accepted.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::Check;

pub const USER_ENV: &str = "NOETL_REGISTRY_USER";
pub const PASSWORD_ENV: &str = "NOETL_REGISTRY_PASSWORD";
const TIMEOUT: Duration = Duration::from_secs(4);

/// What `GET /v2/` answered: the status and the `WWW-Authenticate` challenge, if any.
struct Answer {
    scheme: &'static str,
    status: u16,
    challenge: Option<String>,
}

/// Reachability and login for the registry host of `prefix` (`host[:port]/path/`, as
/// `normalise_registry` returns it).
pub fn checks(prefix: &str) -> Vec<Check> {
    let host = prefix.split('/').next().unwrap_or_default();
    let name = format!("registry {host}");
    let answer = match probe(host, None) {
        Ok(a) => a,
        Err(why) => {
            let fix = "start the registry or correct --registry (host and port); a plain-HTTP registry must also be in the daemon's insecure-registries";
            return vec![Check::missing(name, why, fix)];
        }
    };
    let reached = format!("{}://{host}/v2/ answered {}", answer.scheme, answer.status);
    match answer.status {
        200 => vec![Check::ok(name, format!("{reached}: no login needed"))],
        401 => {
            let kind = answer.challenge.as_deref().and_then(|c| c.split_whitespace().next()).unwrap_or("unknown");
            vec![Check::ok(name, format!("{reached}: login required ({kind} auth)")), login(host, &answer)]
        }
        _ => vec![Check::missing(
            name,
            format!("{reached}: not a Docker registry API"),
            "check the --registry host and port",
        )],
    }
}

/// The login a 401 asks for: credentials from the environment are tried (Basic auth only);
/// otherwise `docker login`'s saved credentials are looked up, not read out.
fn login(host: &str, first: &Answer) -> Check {
    let name = format!("registry login {host}");
    let basic = first.challenge.as_deref().is_some_and(|c| c.to_ascii_lowercase().starts_with("basic"));
    if let (Ok(user), Ok(password), true) = (std::env::var(USER_ENV), std::env::var(PASSWORD_ENV), basic) {
        let fix = format!("put the right password in {PASSWORD_ENV} (user in {USER_ENV}), or `docker login {host}`");
        return match probe(host, Some((&user, &password))) {
            Ok(a) if a.status == 200 => {
                Check::ok(name, format!("{host} accepted user '{user}' from {USER_ENV}/{PASSWORD_ENV}"))
            }
            Ok(a) => Check::missing(
                name,
                format!("{host} refused user '{user}' from {USER_ENV}/{PASSWORD_ENV} (HTTP {})", a.status),
                fix,
            ),
            Err(why) => Check::missing(name, why, fix),
        };
    }
    let (config, saved) = saved_credentials(host);
    match saved {
        Some(how) => {
            Check::ok(name, format!("{how} in {config} (not tried: set {USER_ENV} and {PASSWORD_ENV} to test a login)"))
        }
        None => Check::missing(
            name,
            format!("{host} requires a login and {config} has no credentials for it"),
            format!("docker login {host} (or set {USER_ENV} and {PASSWORD_ENV})"),
        ),
    }
}

/// Where `docker login` keeps credentials, and how it has them for `host`: an `auths`
/// entry, a per-registry helper or a store for every registry. Values are never read.
fn saved_credentials(host: &str) -> (String, Option<String>) {
    let dir =
        std::env::var("DOCKER_CONFIG").ok().or_else(|| std::env::var("HOME").ok().map(|h| format!("{h}/.docker")));
    let path = format!("{}/config.json", dir.unwrap_or_else(|| ".docker".into()));
    let config: serde_json::Value =
        std::fs::read_to_string(&path).ok().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default();
    let keys = [host.to_string(), format!("https://{host}"), format!("http://{host}"), format!("https://{host}/v1/")];
    let how = if let Some(helper) = keys.iter().find_map(|k| config["credHelpers"][k].as_str()) {
        Some(format!("credential helper docker-credential-{helper}"))
    } else if keys.iter().any(|k| config["auths"][k].is_object()) {
        Some("saved credentials".to_string())
    } else {
        config["credsStore"]
            .as_str()
            .map(|store| format!("credentials store docker-credential-{store} (may hold {host})"))
    };
    (path, how)
}

/// `GET /v2/`: plain HTTP first for loopback (Docker allows it there), HTTPS otherwise.
fn probe(host: &str, auth: Option<(&str, &str)>) -> Result<Answer, String> {
    let bare = host.rsplit_once(':').map_or(host, |(h, _)| h);
    if bare == "localhost" || bare.starts_with("127.") {
        http(host, auth)
    } else {
        https(host, auth)
    }
}

fn http(host: &str, auth: Option<(&str, &str)>) -> Result<Answer, String> {
    let with_port = if host.contains(':') { host.to_string() } else { format!("{host}:80") };
    let cannot = |e: std::io::Error| format!("http://{host}/v2/: cannot connect ({e})");
    let addr = with_port.to_socket_addrs().map_err(cannot)?.next().ok_or_else(|| format!("{host}: no address"))?;
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(cannot)?;
    stream.set_read_timeout(Some(TIMEOUT)).map_err(cannot)?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(cannot)?;
    let mut request = format!("GET /v2/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some((user, password)) = auth {
        request.push_str(&format!("Authorization: Basic {}\r\n", base64(format!("{user}:{password}").as_bytes())));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).map_err(cannot)?;
    let mut response = Vec::new();
    // The headers are all we need; a registry's /v2/ body is a few bytes of JSON.
    stream.take(64 * 1024).read_to_end(&mut response).map_err(cannot)?;
    parse_headers("http", &String::from_utf8_lossy(&response))
        .ok_or_else(|| format!("http://{host}/v2/ sent no HTTP response"))
}

/// HTTPS through `curl` (argv; credentials go in on stdin as a curl config, never in argv).
fn https(host: &str, auth: Option<(&str, &str)>) -> Result<Answer, String> {
    let url = format!("https://{host}/v2/");
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "-o", "/dev/null", "-D", "-", "--max-time", "5", "--config", "-", &url]);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{url}: cannot run curl to check it ({e}); install curl"))?;
    let config =
        auth.map(|(u, p)| format!("user = \"{}\"\n", format!("{u}:{p}").replace('\\', "\\\\").replace('"', "\\\"")));
    let mut stdin = child.stdin.take().expect("piped");
    stdin.write_all(config.unwrap_or_default().as_bytes()).map_err(|e| e.to_string())?;
    drop(stdin);
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("{url}: {}", err.lines().next().unwrap_or("curl failed").trim()));
    }
    parse_headers("https", &String::from_utf8_lossy(&out.stdout)).ok_or_else(|| format!("{url} sent no HTTP response"))
}

fn parse_headers(scheme: &'static str, text: &str) -> Option<Answer> {
    let mut lines = text.lines();
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let challenge = lines
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("www-authenticate"))
        .map(|(_, v)| v.trim().to_string());
    Some(Answer { scheme, status, challenge })
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            let c = if i <= chunk.len() { ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char } else { '=' };
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases =
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")];
        for (raw, want) in cases {
            assert_eq!(base64(raw.as_bytes()), want, "{raw}");
        }
    }

    #[test]
    fn reads_status_and_challenge() {
        let a = parse_headers(
            "http",
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: x\r\nWww-Authenticate: Basic realm=\"r\"\r\n\r\n{}",
        )
        .unwrap();
        assert_eq!((a.status, a.challenge.as_deref()), (401, Some("Basic realm=\"r\"")));
        let a = parse_headers("https", "HTTP/2 200 \r\n\r\n").unwrap();
        assert_eq!((a.status, a.challenge), (200, None));
        assert!(parse_headers("http", "").is_none());
    }
}
