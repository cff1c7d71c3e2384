//! Stopping on SIGTERM/SIGINT: stop accepting, finish what is in flight (bounded), exit 0.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use common::{built_ui, parse_reply, send_signal, write, Server, TempDir};

/// Bigger than the loopback socket buffers, so the response is still being written
/// when the signal arrives.
const BIG: usize = 32 << 20;

#[test]
fn sigterm_and_sigint_exit_0_with_a_log_line() {
    let tmp = TempDir::new("stop");
    let ui = built_ui(tmp.path());
    for (signal, name) in [("TERM", "SIGTERM"), ("INT", "SIGINT")] {
        let server = Server::start(&ui, &[]);
        assert_eq!(server.get("/api/health").status, 200);
        let stopped = server.stop_with(signal);
        assert_eq!(stopped.status.code(), Some(0), "{name}: {}", stopped.stderr);
        assert!(stopped.stdout.contains(&format!("{name} received")), "{}", stopped.stdout);
        assert!(stopped.stdout.ends_with("noetl server: stopped\n"), "{}", stopped.stdout);
        assert!(stopped.stderr.is_empty(), "{}", stopped.stderr);
    }
}

#[test]
fn idle_connections_do_not_hold_up_the_exit() {
    let tmp = TempDir::new("stop-idle");
    let server = Server::start(&built_ui(tmp.path()), &[]);
    // One connection that never sent anything, one kept alive after a finished request.
    let _silent = TcpStream::connect(server.addr).unwrap();
    let mut kept = TcpStream::connect(server.addr).unwrap();
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut buf = [0u8; 4096];
    let n = kept.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));

    let stopped = server.stop_with("TERM");
    assert_eq!(stopped.status.code(), Some(0));
    assert!(stopped.took < Duration::from_secs(3), "took {:?}", stopped.took);
}

#[test]
fn an_in_flight_response_completes_and_new_connections_are_refused() {
    let tmp = TempDir::new("stop-inflight");
    let ui = built_ui(tmp.path());
    write(&ui.join("assets/big-1.bin"), &vec![b'x'; BIG]);
    let server = Server::start(&ui, &[]);
    let addr = server.addr;

    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(b"GET /assets/big-1.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = vec![0u8; 64 << 10];
    let first = stream.read(&mut raw).unwrap();
    raw.truncate(first);

    send_signal(server.pid(), "TERM");
    let stopper = thread::spawn(move || server.wait());
    thread::sleep(Duration::from_millis(300));
    assert!(TcpStream::connect(addr).is_err(), "still accepting after SIGTERM");

    stream.read_to_end(&mut raw).unwrap();
    let reply = parse_reply(&raw);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.len(), BIG, "response cut short");

    let stopped = stopper.join().unwrap();
    assert_eq!(stopped.status.code(), Some(0));
    assert!(!stopped.stdout.contains("cut off"), "{}", stopped.stdout);
}

#[test]
fn a_stalled_client_is_cut_off_after_the_grace_period() {
    let tmp = TempDir::new("stop-stalled");
    let ui = built_ui(tmp.path());
    write(&ui.join("assets/big-2.bin"), &vec![b'y'; BIG]);
    let server = Server::start(&ui, &[]);
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream.write_all(b"GET /assets/big-2.bin HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut head = [0u8; 1024];
    assert!(stream.read(&mut head).unwrap() > 0);

    // The client never reads the rest: the server must still exit, after about 5 s.
    let stopped = server.stop_with("TERM");
    assert_eq!(stopped.status.code(), Some(0));
    assert!(stopped.stdout.contains("cut off"), "{}", stopped.stdout);
    assert!(stopped.took >= Duration::from_secs(4), "took {:?}", stopped.took);
    assert!(stopped.took < Duration::from_secs(10), "took {:?}", stopped.took);
}
