//! Shared helpers for the socket tests: every peer binds 127.0.0.1 on an ephemeral port.
#![allow(dead_code)]

pub mod peers;
pub mod web_peers;

use std::sync::Arc;
use std::time::Duration;

use netrt::net::{StreamSocket, StreamSocketListener};
use tokio::sync::mpsc;

/// Every await in a test is bounded: a hang is a failure, not a stuck CI run.
pub const STEP: Duration = Duration::from_secs(10);

/// A netrt client connected to `listener` (a std listener on 127.0.0.1) without a runtime of
/// the caller's own — the connect runs as an operation and is waited for, as the C and Python
/// projections do — and the peer's end of it.
pub fn connect_blocking(listener: &std::net::TcpListener) -> (StreamSocket, std::net::TcpStream) {
    let port = listener.local_addr().unwrap().port().to_string();
    let sock = StreamSocket::new();
    let connecting = sock.clone();
    let op = netrt::foundation::AsyncOperation::start(async move {
        connecting.connect(&netrt::HostName::new("127.0.0.1").unwrap(), &port).await
    })
    .unwrap();
    assert!(op.wait(Some(std::time::Instant::now() + STEP)), "connect timed out");
    op.results().unwrap();
    let (peer, _) = listener.accept().unwrap();
    (sock, peer)
}

/// What a Completed handler reports in the completion-queue tests: its status and how it was
/// delivered.
pub type Handled =
    std::sync::mpsc::Receiver<(netrt::foundation::AsyncStatus, netrt::foundation::CompletedDelivery)>;

/// Dispatches `q` whenever its fd is readable until `rx` reports the handler ran — inside
/// dispatch, on this thread — and returns its status; panics after [`STEP`] (a lost wake-up).
pub fn dispatch_until(
    q: &netrt::foundation::CompletionQueue,
    rx: &Handled,
) -> netrt::foundation::AsyncStatus {
    let deadline = std::time::Instant::now() + STEP;
    loop {
        if let Ok((status, delivery)) = rx.try_recv() {
            assert_eq!(delivery, netrt::foundation::CompletedDelivery::CompletionQueue);
            return status;
        }
        assert!(std::time::Instant::now() < deadline, "the handler did not run within {STEP:?}: a lost edge");
        let mut pfd = libc::pollfd { fd: q.fd(), events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd.
        if unsafe { libc::poll(&mut pfd, 1, 100) } == 1 {
            q.dispatch(64).unwrap();
        }
    }
}

/// Awaits `fut` or panics after [`STEP`].
pub async fn within<F: std::future::Future>(fut: F) -> F::Output {
    tokio::time::timeout(STEP, fut).await.expect("step timed out")
}

/// A netrt listener on 127.0.0.1:0 whose accepted sockets arrive on a channel.
pub async fn listener() -> (StreamSocketListener, u16, mpsc::UnboundedReceiver<StreamSocket>) {
    let listener = StreamSocketListener::new();
    let (tx, rx) = mpsc::unbounded_channel();
    listener
        .add_connection_received(Arc::new(move |_sender, args| {
            let _ = tx.send(args.socket());
        }))
        .expect("the object is open");
    let host = netrt::HostName::new("127.0.0.1").unwrap();
    within(listener.bind_endpoint(Some(&host), "")).await.unwrap();
    let port: u16 = listener.information().local_port().parse().unwrap();
    (listener, port, rx)
}

/// A connected pair: (client, server side).
pub async fn connected_pair() -> (StreamSocket, StreamSocket, StreamSocketListener) {
    let (listener, port, mut rx) = listener().await;
    let client = StreamSocket::new();
    within(client.connect(&netrt::HostName::new("127.0.0.1").unwrap(), &port.to_string())).await.unwrap();
    let server = within(rx.recv()).await.unwrap();
    (client, server, listener)
}

/// Reads exactly `n` bytes.
pub async fn read_exact(sock: &StreamSocket, n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    let mut got = 0;
    while got < n {
        let k = within(sock.read_some(&mut out[got..])).await.unwrap();
        assert!(k > 0, "unexpected end of stream after {got} of {n} bytes");
        got += k;
    }
    out
}
