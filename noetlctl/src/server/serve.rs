//! The accept loop and the graceful stop.

use std::convert::Infallible;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use super::routes::{self, App};
use super::say;
use super::signal::Signals;

/// How long in-flight requests may run on after a stop signal.
const GRACE: Duration = Duration::from_secs(5);

/// Serves until SIGTERM or SIGINT, then finishes open requests (bounded by `GRACE`).
pub async fn serve(listener: TcpListener, app: Arc<App>, mut signals: Signals) {
    let mut http = http1::Builder::new();
    // The timer enables hyper's header-read timeout, so idle half-open clients cannot pile up.
    http.timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();

    let signal_name = loop {
        let event = poll_fn(|cx| match signals.poll_recv(cx) {
            Poll::Ready(name) => Poll::Ready(Err(name)),
            Poll::Pending => listener.poll_accept(cx).map(Ok),
        })
        .await;
        match event {
            Err(name) => break name,
            Ok(Ok((stream, _peer))) => {
                // Responses are written whole; don't let Nagle hold back their last segment.
                let _ = stream.set_nodelay(true);
                let app = Arc::clone(&app);
                let service = service_fn(move |request| {
                    let app = Arc::clone(&app);
                    async move { Ok::<_, Infallible>(routes::handle(&app, request).await) }
                });
                let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                // Client-side errors (resets, malformed requests) concern only that connection.
                tokio::spawn(async move { drop(connection.await) });
            }
            Ok(Err(e)) => {
                // Usually out of file descriptors: back off instead of spinning on the error.
                eprintln!("warning: accepting a connection failed: {e}; retrying in 100 ms");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };

    drop(listener);
    say(format_args!(
        "noetl server: {signal_name} received, finishing in-flight requests (up to {} s)",
        GRACE.as_secs()
    ));
    if tokio::time::timeout(GRACE, graceful.shutdown()).await.is_err() {
        say(format_args!("noetl server: requests still running after {} s were cut off", GRACE.as_secs()));
    }
    say(format_args!("noetl server: stopped"));
}
