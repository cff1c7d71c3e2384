//! `noetl health`: asks a running server for `/health`, for container HEALTHCHECKs and
//! scripts (a `FROM scratch` image has no curl). Plain std networking: one request, no client
//! library.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::time::Duration;

use clap::{Arg, ArgMatches, Command};

use crate::error::Failure;
use crate::server::config::{self, Flags};

const TIMEOUT: Duration = Duration::from_secs(3);

pub fn command() -> Command {
    Command::new("health")
        .about("Check a running server's /health; exit 0 when it answers 200")
        .arg(
            Arg::new("host")
                .long("host")
                .value_name("IP")
                .value_parser(config::parse_host)
                .help("Server address [env: NOETL_HOST]; 0.0.0.0 and :: mean this machine"),
        )
        .arg(
            Arg::new("port")
                .long("port")
                .value_name("PORT")
                .value_parser(config::parse_port)
                .help("Server port [env: NOETL_PORT] [default: 8082]"),
        )
}

pub fn run(matches: &ArgMatches) -> Result<(), Failure> {
    let flags = Flags {
        host: matches.get_one::<IpAddr>("host").copied(),
        port: matches.get_one::<u16>("port").copied(),
        ui_dir: None,
    };
    // The same flags and environment as `server start`, so the probe finds the server.
    let listen = config::resolve(flags, |name| std::env::var_os(name))?.addr;
    let addr = SocketAddr::new(reachable(listen.ip()), listen.port());
    let body = probe(addr).map_err(|why| {
        Failure::runtime(format!(
            "server at {addr} is not healthy: {why}. fix: start it with `noetl server start`, \
             or pass the address it listens on with --host/--port (NOETL_HOST/NOETL_PORT)"
        ))
    })?;
    let _ = writeln!(std::io::stdout().lock(), "{body}");
    Ok(())
}

/// A server listening on every address is reached through loopback.
fn reachable(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        other => other,
    }
}

/// The body of a 200 answer to `GET /health`, or why there was none.
fn probe(addr: SocketAddr) -> Result<String, String> {
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    let request = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    // The health answer is a few hundred bytes; never read more than this from anything.
    let mut raw = Vec::new();
    stream.take(64 << 10).read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no complete HTTP answer")?;
    let status = head.lines().next().unwrap_or_default();
    if status.split(' ').nth(1) != Some("200") {
        return Err(format!("answered {status:?}"));
    }
    Ok(body.trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_listen_addresses_are_probed_on_loopback() {
        assert_eq!(reachable("0.0.0.0".parse().unwrap()), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(reachable("::".parse().unwrap()), IpAddr::V6(Ipv6Addr::LOCALHOST));
        let specific: IpAddr = "127.0.0.2".parse().unwrap();
        assert_eq!(reachable(specific), specific);
    }
}
