//! The order of Close on a TLS connection, seen from inside: close_notify leaves before Close
//! records what Information keeps, and nothing is encrypted after it.

use std::sync::Arc;
use std::time::Duration;

use super::{State, StreamSocket, transport::Connection};
use crate::error::hresult;
use crate::net::enums::SocketProtectionLevel;
use crate::net::hostname::HostName;
use crate::net::listener::StreamSocketListener;
use crate::tls::Certificate;

use crate::tls::tests::pki::Pki;

/// Long enough for a loopback peer to see a record that was sent; only a failing test waits it.
const LIMIT: Duration = Duration::from_secs(5);

/// A TLS 1.3 client connected to a netrt TLS listener, and the socket the listener accepted.
async fn tls_pair() -> (StreamSocketListener, StreamSocket, StreamSocket) {
    let pki = Pki::get();
    let listener = StreamSocketListener::new();
    let leaf = Certificate::from_pem(&pki.pem("leaf"), Some(&pki.key("leaf"))).expect("leaf");
    listener.control().set_server_certificate(Some(leaf)).expect("certificate");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    listener
        .add_connection_received(Arc::new(move |_l, args| {
            let _ = tx.send(args.socket());
        }))
        .expect("handler");
    listener.bind_service_name_with_protection_level("", SocketProtectionLevel::Tls13).await.expect("bind");
    let port = listener.information().local_port();
    let client = StreamSocket::new();
    let ca = Certificate::from_pem(&pki.pem("ca"), None).expect("ca");
    client.control().set_trusted_root_certificates(vec![ca]).expect("roots");
    let host = HostName::new("localhost").expect("host");
    client.connect_with_protection_level(&host, &port, SocketProtectionLevel::Tls13).await.expect("connect");
    let accepted = tokio::time::timeout(LIMIT, rx.recv()).await.expect("accepted in time").expect("accepted");
    (listener, client, accepted)
}

fn connection(socket: &StreamSocket) -> Arc<Connection> {
    match &*socket.inner.state.read().unwrap() {
        State::Connected(conn) => conn.clone(),
        _ => panic!("not connected"),
    }
}

/// What one read of `socket` gives within `LIMIT` (None: nothing came).
async fn read_within(socket: &StreamSocket) -> Option<crate::Result<usize>> {
    let mut buf = [0u8; 64];
    tokio::time::timeout(LIMIT, socket.read_some(&mut buf)).await.ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn close_notify_leaves_before_close_records_what_information_keeps() {
    let (_listener, client, server) = tls_pair().await;
    let conn = connection(&client);
    // Held by a thread of its own, the statistics' lock stops Close where it records the last
    // statistics: the peer sees close_notify only if it was sent before that.
    let (locked, release) = (std::sync::mpsc::channel(), std::sync::mpsc::channel::<()>());
    let holder = std::thread::spawn(move || {
        let _statistics = conn.stats.lock().unwrap();
        locked.0.send(()).unwrap();
        let _ = release.1.recv();
    });
    locked.1.recv().unwrap();
    let closing = {
        let client = client.clone();
        std::thread::spawn(move || client.close())
    };
    let seen = read_within(&server).await;
    release.0.send(()).unwrap();
    holder.join().unwrap();
    closing.join().unwrap();
    assert!(matches!(seen, Some(Ok(0))), "the peer saw {seen:?} before Close recorded the statistics");
    // What was recorded after close_notify is still the connection's.
    let info = client.information();
    assert_eq!(info.remote_port(), server.information().local_port());
    assert_eq!(info.local_port(), server.information().remote_port());
    assert_eq!(info.negotiated_tls_version(), crate::tls::TlsVersion::Tls13);
    let rtt = info.round_trip_time_statistics().expect("statistics after close");
    assert!(rtt.max > 0 && rtt.sum >= rtt.max, "{rtt:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_that_meets_closes_close_notify_is_aborted_and_never_sent() {
    let (_listener, client, server) = tls_pair().await;
    // Close's first step, as a Close on another thread would have taken it just before this
    // write encrypts (the write started earlier and has not seen the abort yet).
    assert!(connection(&client).notify_close());
    let err = client.write_all(b"after close_notify").await.expect_err("a write after close_notify");
    assert_eq!(err.hresult(), hresult::E_OPERATION_ABORTED, "{err}");
    // The peer's stream ends cleanly, with nothing after the close.
    assert!(matches!(read_within(&server).await, Some(Ok(0))));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_statistics_take_their_first_sample_when_first_read() {
    let (_listener, client, _server) = tls_pair().await;
    // One sample so far (none at connect): the sum is that sample, as the maximum is.
    let rtt = client.information().round_trip_time_statistics().expect("statistics");
    assert!(rtt.max > 0 && rtt.sum == rtt.max, "{rtt:?}");
}
