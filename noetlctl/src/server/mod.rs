//! `noetl server …`: the HTTP server for the API and the web UI.

pub mod config;
mod files;
mod health;
mod mime;
mod path;
mod response;
mod routes;
mod serve;
mod signal;
mod ui;

use std::io::{ErrorKind, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{value_parser, Arg, ArgMatches, Command};
use tokio::net::TcpListener;

use crate::error::Failure;
use config::{Config, Flags};

pub fn command() -> Command {
    Command::new("server")
        .about("Run the NoETL server")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("start")
                .about("Serve the API and the web UI until SIGTERM or SIGINT")
                .arg(
                    Arg::new("host")
                        .long("host")
                        .value_name("IP")
                        .value_parser(config::parse_host)
                        .help("Address to listen on [env: NOETL_HOST] [default: 0.0.0.0]"),
                )
                .arg(
                    Arg::new("port")
                        .long("port")
                        .value_name("PORT")
                        .value_parser(config::parse_port)
                        .help("Port to listen on, 0 for any free one [env: NOETL_PORT] [default: 8082]"),
                )
                .arg(Arg::new("ui-dir").long("ui-dir").value_name("DIR").value_parser(value_parser!(PathBuf)).help(
                    "Built web UI to serve [env: NOETL_UI_DIR] [default: noetl/core/ui]; \
                             NOETL_ENABLE_UI=false turns the UI off",
                )),
        )
}

pub fn run(matches: &ArgMatches) -> Result<(), Failure> {
    match matches.subcommand() {
        Some(("start", matches)) => start(matches),
        _ => unreachable!("clap requires one of the subcommands declared in command()"),
    }
}

fn start(matches: &ArgMatches) -> Result<(), Failure> {
    let flags = Flags {
        host: matches.get_one::<IpAddr>("host").copied(),
        port: matches.get_one::<u16>("port").copied(),
        ui_dir: matches.get_one::<PathBuf>("ui-dir").cloned(),
    };
    let config = config::resolve(flags, |name| std::env::var_os(name))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        // File reads run on blocking threads; more of them than this only adds contention
        // (tokio's default allows 512).
        .max_blocking_threads(16)
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start the async runtime: {e}")))?;
    let result = runtime.block_on(run_server(config));
    // Blocking file reads cut off by the grace period must not hold the exit.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

async fn run_server(config: Config) -> Result<(), Failure> {
    let signals = signal::Signals::install()
        .map_err(|e| Failure::runtime(format!("cannot install SIGTERM/SIGINT handlers: {e}")))?;
    let listener = bind(config.addr).await?;
    let addr = listener.local_addr().map_err(|e| Failure::runtime(format!("cannot read the bound address: {e}")))?;

    let ui = ui::Ui::detect(&config.ui_dir, config.ui_enabled);
    if let ui::Ui::Disabled { reason, fix } = &ui {
        eprintln!("warning: web UI disabled: {reason}. fix: {fix}");
    }
    say(format_args!("{}", ui.summary()));
    // Printed last: tests and scripts wait for this line before sending requests.
    say(format_args!("noetl server listening on http://{addr}"));

    let app = Arc::new(routes::App { ui, started: Instant::now() });
    serve::serve(listener, app, signals).await;
    Ok(())
}

/// A lifecycle line on stdout. Unlike `println!`, a closed stdout (`noetl … | head -1`)
/// must not panic, which with `panic = "abort"` would turn a clean stop into a crash.
fn say(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, Failure> {
    TcpListener::bind(addr).await.map_err(|e| {
        let fix = "pick another port with --port or NOETL_PORT";
        Failure::usage(match e.kind() {
            ErrorKind::AddrInUse => {
                format!("cannot listen on {addr}: address already in use. fix: stop the other server or {fix}")
            }
            _ => format!("cannot listen on {addr}: {e}. fix: {fix}, or another --host / NOETL_HOST"),
        })
    })
}
