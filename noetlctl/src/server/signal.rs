//! SIGTERM and SIGINT as one pollable source. The server may run as PID 1 in a container,
//! where the kernel drops signals that have no handler, so both must be handled explicitly.

use std::io;
use std::task::{Context, Poll};

use tokio::signal::unix::{signal, Signal, SignalKind};

pub struct Signals {
    term: Signal,
    int: Signal,
}

impl Signals {
    /// Must run inside the tokio runtime.
    pub fn install() -> io::Result<Self> {
        Ok(Self { term: signal(SignalKind::terminate())?, int: signal(SignalKind::interrupt())? })
    }

    /// Ready with the signal's name once either arrives.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<&'static str> {
        if self.term.poll_recv(cx).is_ready() {
            return Poll::Ready("SIGTERM");
        }
        self.int.poll_recv(cx).map(|_| "SIGINT")
    }
}
