//! Settings for `noetl server start`: command-line flags first, then `NOETL_*`
//! environment variables, then defaults.

use std::ffi::OsString;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use crate::error::Failure;

pub const DEFAULT_HOST: IpAddr = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
pub const DEFAULT_PORT: u16 = 8082;
pub const DEFAULT_UI_DIR: &str = "noetl/core/ui";

/// What the user passed on the command line (already parsed by clap).
#[derive(Default)]
pub struct Flags {
    pub host: Option<IpAddr>,
    pub port: Option<u16>,
    pub ui_dir: Option<PathBuf>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Config {
    pub addr: SocketAddr,
    pub ui_dir: PathBuf,
    /// False only when `NOETL_ENABLE_UI` says so; a missing or unbuilt UI is found later.
    pub ui_enabled: bool,
}

/// Merges flags with the environment given by `env` (empty values count as unset).
pub fn resolve(flags: Flags, env: impl Fn(&str) -> Option<OsString>) -> Result<Config, Failure> {
    let env = |name: &str| env(name).filter(|v| !v.is_empty());
    let host = match flags.host {
        Some(host) => host,
        None => from_env(env("NOETL_HOST"), "NOETL_HOST", parse_host)?.unwrap_or(DEFAULT_HOST),
    };
    let port = match flags.port {
        Some(port) => port,
        None => from_env(env("NOETL_PORT"), "NOETL_PORT", parse_port)?.unwrap_or(DEFAULT_PORT),
    };
    let ui_dir = flags
        .ui_dir
        .or_else(|| env("NOETL_UI_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_UI_DIR));
    let ui_enabled = from_env(env("NOETL_ENABLE_UI"), "NOETL_ENABLE_UI", parse_switch)?.unwrap_or(true);
    Ok(Config { addr: SocketAddr::new(host, port), ui_dir, ui_enabled })
}

fn from_env<T>(
    value: Option<OsString>,
    name: &str,
    parse: fn(&str) -> Result<T, String>,
) -> Result<Option<T>, Failure> {
    let Some(value) = value else { return Ok(None) };
    let text = value
        .to_str()
        .ok_or_else(|| Failure::usage(format!("invalid {name} {value:?}: not valid UTF-8. fix: unset {name}")))?;
    parse(text).map(Some).map_err(|why| Failure::usage(format!("invalid {name} '{text}': {why}, or unset {name}")))
}

/// Used by clap for `--host` and here for `NOETL_HOST`.
pub fn parse_host(text: &str) -> Result<IpAddr, String> {
    text.parse().map_err(|_| "not an IP address. fix: use one such as 0.0.0.0, 127.0.0.1 or ::".into())
}

/// Used by clap for `--port` and here for `NOETL_PORT`. Port 0 picks a free port.
pub fn parse_port(text: &str) -> Result<u16, String> {
    text.parse().map_err(|_| format!("not a TCP port (0-65535). fix: use a number such as {DEFAULT_PORT}"))
}

fn parse_switch(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err("not a switch. fix: use true/false, 1/0, yes/no or on/off".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let pairs: Vec<(String, OsString)> = pairs.iter().map(|(k, v)| (k.to_string(), OsString::from(v))).collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn defaults_apply_without_flags_or_env() {
        let config = resolve(Flags::default(), env_of(&[])).unwrap();
        assert_eq!(config.addr, "0.0.0.0:8082".parse().unwrap());
        assert_eq!(config.ui_dir, PathBuf::from("noetl/core/ui"));
        assert!(config.ui_enabled);
    }

    #[test]
    fn env_fills_in_and_flags_win() {
        let env = env_of(&[("NOETL_HOST", "127.0.0.1"), ("NOETL_PORT", "9000"), ("NOETL_UI_DIR", "/srv/ui")]);
        let from_env = resolve(Flags::default(), &env).unwrap();
        assert_eq!(from_env.addr, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(from_env.ui_dir, PathBuf::from("/srv/ui"));

        let flags = Flags { host: Some("::1".parse().unwrap()), port: Some(7000), ui_dir: Some("web".into()) };
        let from_flags = resolve(flags, &env).unwrap();
        assert_eq!(from_flags.addr, "[::1]:7000".parse().unwrap());
        assert_eq!(from_flags.ui_dir, PathBuf::from("web"));
    }

    #[test]
    fn empty_env_values_count_as_unset() {
        let config = resolve(Flags::default(), env_of(&[("NOETL_PORT", ""), ("NOETL_ENABLE_UI", "")]));
        assert_eq!(config.unwrap().addr.port(), DEFAULT_PORT);
    }

    #[test]
    fn enable_ui_switch_is_case_insensitive() {
        for off in ["false", "0", "No", "OFF"] {
            let config = resolve(Flags::default(), env_of(&[("NOETL_ENABLE_UI", off)])).unwrap();
            assert!(!config.ui_enabled, "{off}");
        }
        for on in ["true", "1", "YES", "on"] {
            let config = resolve(Flags::default(), env_of(&[("NOETL_ENABLE_UI", on)])).unwrap();
            assert!(config.ui_enabled, "{on}");
        }
    }

    #[test]
    fn bad_env_values_are_usage_errors_naming_the_variable() {
        for (name, value) in [
            ("NOETL_PORT", "abc"),
            ("NOETL_PORT", "70000"),
            ("NOETL_HOST", "localhost:1"),
            ("NOETL_ENABLE_UI", "maybe"),
        ] {
            let err = resolve(Flags::default(), env_of(&[(name, value)])).unwrap_err();
            assert_eq!(err.code, 2);
            assert!(err.message.contains(name) && err.message.contains(value), "{}", err.message);
        }
    }

    #[test]
    fn a_port_flag_hides_a_bad_port_env() {
        let flags = Flags { port: Some(1234), ..Flags::default() };
        let config = resolve(flags, env_of(&[("NOETL_PORT", "abc")])).unwrap();
        assert_eq!(config.addr.port(), 1234);
    }
}
