//! StreamSocket and StreamSocketListener over real loopback sockets.

mod util;

use std::io::{Read, Write};
use std::net::TcpListener as StdListener;
use std::time::Duration;

use netrt::error::hresult::*;
use netrt::net::{SocketProtectionLevel, StreamSocket, StreamSocketListener};
use netrt::{EndpointPair, HostName};
use util::*;

fn loopback() -> HostName {
    HostName::new("127.0.0.1").unwrap()
}

/// A port whose connects stay pending: a listener with a full backlog drops further SYNs.
/// Keep the returned sockets alive for as long as the port must stay unanswered.
fn unanswered_port() -> (u16, Vec<socket2::Socket>) {
    let peer = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    peer.bind(&"127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap().into()).unwrap();
    peer.listen(0).unwrap();
    let port = peer.local_addr().unwrap().as_socket().unwrap().port();
    let mut held = vec![peer];
    for _ in 0..4 {
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        s.set_nonblocking(true).unwrap();
        let _ = s.connect(&std::net::SocketAddr::from(([127, 0, 0, 1], port)).into());
        held.push(s);
    }
    (port, held)
}

/// A port with nothing listening: bind, note the port, close.
fn closed_port() -> u16 {
    let l = StdListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread")]
async fn echo_through_listener_and_socket() {
    let (client, server, _l) = connected_pair().await;
    assert!(client.input_stream().readiness_fd().is_some(), "plain sockets expose an fd to poll");
    assert!(StreamSocket::new().input_stream().readiness_fd().is_none(), "not before connect");
    within(client.write_all(b"hello netrt")).await.unwrap();
    assert_eq!(read_exact(&server, 11).await, b"hello netrt");
    within(server.write_all(b"and back")).await.unwrap();
    assert_eq!(read_exact(&client, 8).await, b"and back");
}

#[tokio::test(flavor = "multi_thread")]
async fn information_reports_both_ends_and_real_tcp_statistics() {
    let (client, server, _l) = connected_pair().await;
    let info = client.information();
    assert_eq!(info.remote_address().unwrap().canonical_name(), "127.0.0.1");
    assert_eq!(info.remote_host_name().unwrap().raw_name(), "127.0.0.1");
    assert_eq!(info.local_port(), server.information().remote_port());
    assert_eq!(info.remote_port(), server.information().local_port());
    assert_eq!(info.protection_level(), SocketProtectionLevel::PlainSocket);
    for _ in 0..50 {
        within(client.write_all(&[7u8; 1000])).await.unwrap();
        read_exact(&server, 1000).await;
    }
    let rtt = info.round_trip_time_statistics().unwrap();
    assert!(rtt.min > 0 && rtt.max >= rtt.min && rtt.sum >= rtt.max, "{rtt:?}");
    let bw = info.bandwidth_statistics().unwrap();
    assert!(bw.outbound_bits_per_second > 0, "{bw:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_connection_maps_to_connection_refused() {
    let sock = StreamSocket::new();
    let err = within(sock.connect(&loopback(), &closed_port().to_string())).await.unwrap_err();
    assert_eq!(err.hresult(), hr(0x8007274D), "{err}");
    assert_eq!(err.socket_error_status() as i32, 12, "ConnectionRefused");
    assert_eq!(err.errno(), Some(libc::ECONNREFUSED));
    assert!(err.message().contains("127.0.0.1"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_host_is_host_not_found() {
    let sock = StreamSocket::new();
    let err = within(sock.connect(&HostName::new("nothing-here.invalid").unwrap(), "80")).await.unwrap_err();
    assert_eq!(err.hresult(), hr(0x80072AF9), "{err}");
    assert_eq!(err.socket_error_status() as i32, 6, "HostNotFound");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_service_name_is_type_not_found() {
    let sock = StreamSocket::new();
    let err = within(sock.connect(&loopback(), "no-such-service")).await.unwrap_err();
    assert_eq!(err.hresult(), hr(0x8007277D), "{err}");
    let err = within(sock.connect(&loopback(), "")).await.unwrap_err();
    assert_eq!(err.hresult(), E_INVALIDARG, "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn address_in_use_is_reported() {
    let (_l, port, _rx) = listener().await;
    let second = StreamSocketListener::new();
    let err = within(second.bind_endpoint(Some(&loopback()), &port.to_string())).await.unwrap_err();
    assert_eq!(err.hresult(), hr(0x80072740), "{err}");
    assert_eq!(err.socket_error_status() as i32, 10, "AddressAlreadyInUse");
}

#[tokio::test(flavor = "multi_thread")]
async fn peer_close_reads_zero_bytes() {
    let (client, server, _l) = connected_pair().await;
    server.close();
    let mut buf = [0u8; 16];
    assert_eq!(within(client.read_some(&mut buf)).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn peer_reset_is_connection_reset_by_peer() {
    let peer = StdListener::bind("127.0.0.1:0").unwrap();
    let port = peer.local_addr().unwrap().port();
    let client = StreamSocket::new();
    within(client.connect(&loopback(), &port.to_string())).await.unwrap();
    let (accepted, _) = peer.accept().unwrap();
    // SO_LINGER 0 turns close() into an RST.
    socket2::SockRef::from(&accepted).set_linger(Some(Duration::ZERO)).unwrap();
    drop(accepted);
    let mut buf = [0u8; 16];
    let err = within(client.read_some(&mut buf)).await.unwrap_err();
    assert_eq!(err.hresult(), hr(0x80072746), "{err}");
    assert_eq!(err.socket_error_status() as i32, 18, "ConnectionResetByPeer");
}

#[tokio::test(flavor = "multi_thread")]
async fn close_during_pending_read_aborts_it() {
    let (client, _server, _l) = connected_pair().await;
    let reader = client.clone();
    let pending = tokio::spawn(async move {
        let mut buf = [0u8; 16];
        reader.read_some(&mut buf).await
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    client.close();
    let err = within(pending).await.unwrap().unwrap_err();
    assert_eq!(err.hresult(), hr(0x800703E3), "{err}");
    assert_eq!(err.socket_error_status() as i32, 1, "OperationAborted");
    let mut buf = [0u8; 1];
    assert_eq!(within(client.read_some(&mut buf)).await.unwrap_err().hresult(), RO_E_CLOSED);
    client.close(); // idempotent
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_io_aborts_pending_read_and_socket_stays_usable() {
    let (client, server, _l) = connected_pair().await;
    let reader = client.clone();
    let pending = tokio::spawn(async move {
        let mut buf = [0u8; 16];
        reader.read_some(&mut buf).await
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    within(client.cancel_io()).await.unwrap();
    let err = within(pending).await.unwrap().unwrap_err();
    assert_eq!(err.hresult(), hr(0x800703E3), "{err}");
    within(server.write_all(b"still here")).await.unwrap();
    assert_eq!(read_exact(&client, 10).await, b"still here");
}

#[tokio::test(flavor = "multi_thread")]
async fn second_concurrent_read_is_illegal() {
    let (client, _server, _l) = connected_pair().await;
    let reader = client.clone();
    let pending = tokio::spawn(async move {
        let mut buf = [0u8; 16];
        reader.read_some(&mut buf).await
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut buf = [0u8; 16];
    let err = within(client.read_some(&mut buf)).await.unwrap_err();
    assert_eq!(err.hresult(), E_ILLEGAL_METHOD_CALL);
    client.close();
    let _ = within(pending).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn control_is_applied_and_frozen_after_connect() {
    let peer = StdListener::bind("127.0.0.1:0").unwrap();
    let port = peer.local_addr().unwrap().port();
    let sock = StreamSocket::new();
    let control = sock.control();
    assert!(control.no_delay());
    assert!(!control.keep_alive());
    assert_eq!(control.outbound_unicast_hop_limit(), 128);
    control.set_keep_alive(true).unwrap();
    control.set_outbound_unicast_hop_limit(17).unwrap();
    control.set_outbound_buffer_size_in_bytes(64 * 1024).unwrap();
    within(sock.connect(&loopback(), &port.to_string())).await.unwrap();
    assert_eq!(control.set_no_delay(false).unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
    let (accepted, _) = peer.accept().unwrap();
    drop(accepted);
    assert!(control.keep_alive());
    assert_eq!(control.outbound_unicast_hop_limit(), 17);
}

#[tokio::test(flavor = "multi_thread")]
async fn accepted_sockets_get_listener_control_settings() {
    let listener = StreamSocketListener::new();
    listener.control().set_keep_alive(true).unwrap();
    listener.control().set_no_delay(false).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    listener
        .add_connection_received(std::sync::Arc::new(move |_l, args| {
            let _ = tx.send(args.socket());
        }))
        .expect("the object is open");
    within(listener.bind_service_name("")).await.unwrap();
    let port = listener.information().local_port();
    let mut peer = std::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).unwrap();
    let accepted = within(rx.recv()).await.unwrap();
    assert!(accepted.control().keep_alive());
    assert!(!accepted.control().no_delay());
    peer.write_all(b"x").unwrap();
    assert_eq!(read_exact(&accepted, 1).await, b"x");
}

#[tokio::test(flavor = "multi_thread")]
async fn bind_service_name_is_dual_stack() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let listener = StreamSocketListener::new();
    listener
        .add_connection_received(std::sync::Arc::new(move |_l, args| {
            let _ = tx.send(args.socket());
        }))
        .expect("the object is open");
    within(listener.bind_service_name("")).await.unwrap();
    let port = listener.information().local_port();
    let v4 = StreamSocket::new();
    within(v4.connect(&loopback(), &port)).await.unwrap();
    let accepted = within(rx.recv()).await.unwrap();
    assert_eq!(accepted.information().remote_address().unwrap().canonical_name(), "127.0.0.1");
    if std::net::TcpListener::bind("[::1]:0").is_ok() {
        let v6 = StreamSocket::new();
        within(v6.connect(&HostName::new("::1").unwrap(), &port)).await.unwrap();
        let accepted = within(rx.recv()).await.unwrap();
        assert_eq!(accepted.information().remote_address().unwrap().canonical_name(), "::1");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn connects_by_name_racing_all_addresses() {
    // "localhost" resolves to ::1 and 127.0.0.1; only the IPv4 one listens.
    let peer = StdListener::bind("127.0.0.1:0").unwrap();
    let port = peer.local_addr().unwrap().port();
    let sock = StreamSocket::new();
    within(sock.connect(&HostName::new("localhost").unwrap(), &port.to_string())).await.unwrap();
    assert_eq!(sock.information().remote_address().unwrap().canonical_name(), "127.0.0.1");
    let serial = StreamSocket::new();
    serial.control().set_serialize_connection_attempts(true).unwrap();
    within(serial.connect(&HostName::new("localhost").unwrap(), &port.to_string())).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn endpoint_pair_binds_the_local_side() {
    let peer = StdListener::bind("127.0.0.1:0").unwrap();
    let port = peer.local_addr().unwrap().port();
    let local_port = closed_port();
    let pair =
        EndpointPair::new(Some(loopback()), &local_port.to_string(), Some(loopback()), &port.to_string());
    let sock = StreamSocket::new();
    within(sock.connect_with_endpoint_pair(&pair)).await.unwrap();
    assert_eq!(sock.information().local_port(), local_port.to_string());
    let (mut accepted, from) = peer.accept().unwrap();
    assert_eq!(from.port(), local_port);
    within(sock.write_all(b"ping")).await.unwrap();
    let mut buf = [0u8; 4];
    accepted.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"ping");
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_timeout_bounds_an_unanswered_connect() {
    let (port, _held) = unanswered_port();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let sock = StreamSocket::new();
    sock.control().set_connect_timeout(netrt::foundation::TimeSpan::from_millis(300)).unwrap();
    let started = std::time::Instant::now();
    let err = within(sock.connect(&loopback(), &port.to_string())).await.unwrap_err();
    assert_eq!(err.hresult(), hr(0x8007274C), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_levels_on_plain_listener_are_rejected() {
    let l = StreamSocketListener::new();
    let err = within(l.bind_service_name_with_protection_level("", SocketProtectionLevel::Tls12))
        .await
        .unwrap_err();
    assert_eq!(err.hresult(), E_INVALIDARG);
}

#[test]
fn fork_child_can_still_connect() {
    // Use the runtime in the parent first, so the child inherits a live (but dead there) one.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let peer = StdListener::bind("127.0.0.1:0").unwrap();
    let port = peer.local_addr().unwrap().port();
    rt.block_on(async {
        let s = StreamSocket::new();
        within(s.connect(&loopback(), &port.to_string())).await.unwrap();
    });
    let _ = peer.accept().unwrap();
    let parent_pid = netrt::runtime::runtime_pid();
    // SAFETY: the child only runs Rust code that rebuilds its own runtime, then _exits.
    match unsafe { libc::fork() } {
        0 => {
            let ok = std::panic::catch_unwind(|| {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    let s = StreamSocket::new();
                    tokio::time::timeout(STEP, s.connect(&loopback(), &port.to_string()))
                        .await
                        .unwrap()
                        .unwrap();
                    s.write_all(b"from child").await.unwrap();
                });
                assert_ne!(netrt::runtime::runtime_pid(), parent_pid);
            })
            .is_ok();
            unsafe { libc::_exit(if ok { 0 } else { 1 }) };
        }
        pid => {
            assert!(pid > 0);
            let (mut conn, _) = peer.accept().unwrap();
            let mut buf = [0u8; 10];
            conn.read_exact(&mut buf).unwrap();
            assert_eq!(&buf, b"from child");
            let mut status = 0;
            unsafe { libc::waitpid(pid, &mut status, 0) };
            assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "child failed: {status}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_larger_than_socket_buffers_complete() {
    let (client, server, _l) = connected_pair().await;
    let data: Vec<u8> = (0..4 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let expected = data.clone();
    let writer = tokio::spawn(async move { client.write_all(&data).await });
    let got = read_exact(&server, expected.len()).await;
    within(writer).await.unwrap().unwrap();
    assert!(got == expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_a_connect_future_leaves_the_socket_reusable() {
    let (port, _held) = unanswered_port();
    let sock = StreamSocket::new();
    let dropped =
        tokio::time::timeout(Duration::from_millis(100), sock.connect(&loopback(), &port.to_string())).await;
    assert!(dropped.is_err(), "the connect should still have been pending");
    sock.control().set_no_delay(false).expect("control is writable again");
    let open = StdListener::bind("127.0.0.1:0").unwrap();
    within(sock.connect(&loopback(), &open.local_addr().unwrap().port().to_string())).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn direct_write_attempts_check_like_write_some() {
    use std::task::Poll;
    let (client, server, _l) = connected_pair().await;
    let out = client.output_stream();
    let ticket = out.ticket();
    let write = out.direct_write(ticket).expect("plain TCP").expect("direct writes");
    assert!(matches!(write.try_write(b"abc"), Poll::Ready(Ok(3))));
    assert!(matches!(write.try_write(b""), Poll::Ready(Ok(0))));
    assert_eq!(read_exact(&server, 3).await, b"abc");

    // The peer reads nothing: the kernel's buffers fill and the attempt reports Pending.
    let chunk = vec![7u8; 64 * 1024];
    let mut filled = false;
    for _ in 0..4096 {
        match write.try_write(&chunk) {
            Poll::Ready(Ok(n)) => assert!(n > 0),
            Poll::Pending => {
                filled = true;
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(filled, "256 MiB never filled the socket buffers");

    // The direct write holds the socket's write slot until it is dropped.
    match out.direct_write(out.ticket()) {
        Err(e) => assert_eq!(e.hresult(), E_ILLEGAL_METHOD_CALL, "{e}"),
        other => panic!("unexpected {other:?}"),
    }
    let writer = client.clone();
    match within(writer.write_all(b"x")).await {
        Err(e) => assert_eq!(e.hresult(), E_ILLEGAL_METHOD_CALL, "{e}"),
        other => panic!("unexpected {other:?}"),
    }
    drop(write);

    // A write pending elsewhere holds it too.
    let writer = client.clone();
    let pending = tokio::spawn(async move { writer.write_all(&[1u8; 1 << 20]).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    match out.direct_write(out.ticket()) {
        Err(e) => assert_eq!(e.hresult(), E_ILLEGAL_METHOD_CALL, "{e}"),
        other => panic!("unexpected {other:?}"),
    }
    // CancelIOAsync aborts it and every direct write holding a ticket from before.
    within(client.cancel_io()).await.unwrap();
    assert_eq!(within(pending).await.unwrap().unwrap_err().hresult(), hr(0x800703E3));
    match out.direct_write(ticket) {
        Err(e) => assert_eq!(e.hresult(), hr(0x800703E3), "{e}"),
        other => panic!("unexpected {other:?}"),
    }
    drop(out.direct_write(out.ticket()).expect("the socket stays usable").expect("plain"));

    client.close();
    match out.direct_write(out.ticket()) {
        Err(e) => assert_eq!(e.hresult(), RO_E_CLOSED, "{e}"),
        other => panic!("unexpected {other:?}"),
    }
    let unconnected = StreamSocket::new().output_stream();
    match unconnected.direct_write(unconnected.ticket()) {
        Err(e) => assert_eq!(e.hresult(), E_ILLEGAL_METHOD_CALL, "{e}"),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_direct_write_waiting_for_room_is_woken_by_cancel_io_and_close() {
    use std::sync::Arc;
    use std::sync::atomic::Ordering;
    use std::task::Poll;
    let (client, _server, _l) = connected_pair().await;
    let out = client.output_stream();
    let write = out.direct_write(out.ticket()).expect("plain TCP").expect("direct writes").into_owned();
    let chunk = vec![7u8; 64 * 1024];
    while let Poll::Ready(Ok(_)) = write.try_write(&chunk) {}
    // A poll on the runtime waits for room; CancelIOAsync wakes it and it reports the abort.
    let woken = Arc::new(CountingWaker(Default::default()));
    let waker = std::task::Waker::from(woken.clone());
    let mut cx = std::task::Context::from_waker(&waker);
    assert!(write.poll_write(&mut cx, &chunk, false).is_pending());
    let canceller = client.clone();
    let cancelled = tokio::spawn(async move { canceller.cancel_io().await });
    within(async {
        while woken.0.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    match write.poll_write(&mut cx, &chunk, false) {
        Poll::Ready(Err(e)) => assert_eq!(e.hresult(), hr(0x800703E3), "{e}"),
        other => panic!("unexpected {other:?}"),
    }
    // CancelIOAsync waits until the aborted write gives its slot back.
    assert!(!cancelled.is_finished());
    drop(write);
    within(cancelled).await.unwrap().unwrap();

    // Close wakes a waiting write the same way.
    let write =
        out.direct_write(out.ticket()).expect("usable after CancelIOAsync").expect("plain").into_owned();
    let woken = Arc::new(CountingWaker(Default::default()));
    let waker = std::task::Waker::from(woken.clone());
    let mut cx = std::task::Context::from_waker(&waker);
    assert!(write.poll_write(&mut cx, &chunk, false).is_pending());
    client.close();
    assert!(woken.0.load(Ordering::SeqCst) >= 1, "the close woke the write");
    match write.poll_write(&mut cx, &chunk, false) {
        Poll::Ready(Err(e)) => assert_eq!(e.hresult(), hr(0x800703E3), "{e}"),
        other => panic!("unexpected {other:?}"),
    }
}

/// A waker that counts its wake-ups.
struct CountingWaker(std::sync::atomic::AtomicUsize);

impl std::task::Wake for CountingWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn direct_reads_hold_the_read_slot_and_check_like_read_some() {
    use netrt::io::caller_driven::poll_as_caller;
    use std::sync::Arc;
    use std::sync::atomic::Ordering;
    use std::task::{Context, Poll, Waker};

    let (client, server, _l) = connected_pair().await;
    let input = server.input_stream();
    let mut buf = [0u8; 16];
    let reader = input.direct_read(input.ticket()).unwrap().expect("plain TCP has direct reads");
    assert!(reader.readiness_fd().is_some());
    assert!(matches!(reader.try_read(&mut buf), Poll::Pending));
    // The read slot is held from the start: any second read fails at once.
    assert_eq!(input.direct_read(input.ticket()).unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
    assert_eq!(within(server.read_some(&mut [0u8; 4])).await.unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);

    client.write_all(b"hello").await.unwrap();
    let counter = Arc::new(CountingWaker(0.into()));
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    // Right after an attempt, a caller-driven poll skips the syscall (the caller polls the fd
    // next); a plain poll reads.
    assert!(poll_as_caller(|| reader.poll_read(&mut cx, &mut buf, true)).is_pending());
    let n = within(std::future::poll_fn(|cx| reader.poll_read(cx, &mut buf, false))).await.unwrap();
    assert_eq!(&buf[..n], b"hello");

    // CancelIOAsync wakes the last poll's waker and ends the read with the abort; it finishes
    // once the read has given the slot back.
    assert!(reader.poll_read(&mut cx, &mut buf, false).is_pending());
    let cancelling = tokio::spawn({
        let server = server.clone();
        async move { server.cancel_io().await }
    });
    within(async {
        while counter.0.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await;
    match reader.try_read(&mut buf) {
        Poll::Ready(Err(e)) => assert_eq!(e.hresult(), hr(0x800703E3), "{e}"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(!cancelling.is_finished(), "CancelIOAsync returned while the read held the slot");
    drop(reader);
    within(cancelling).await.unwrap().unwrap();

    // The socket stays usable; the peer's close reads as the end of the stream.
    let reader = input.direct_read(input.ticket()).unwrap().expect("plain TCP");
    client.close();
    let n = within(std::future::poll_fn(|cx| reader.poll_read(cx, &mut buf, false))).await.unwrap();
    assert_eq!(n, 0);
    drop(reader);

    let reader = input.direct_read(input.ticket()).unwrap().expect("plain TCP");
    server.close();
    match reader.try_read(&mut buf) {
        Poll::Ready(Err(e)) => assert_eq!(e.hresult(), hr(0x800703E3), "{e}"),
        other => panic!("unexpected {other:?}"),
    }
    drop(reader);
    assert_eq!(input.direct_read(input.ticket()).unwrap_err().hresult(), RO_E_CLOSED);
    let unconnected = StreamSocket::new().input_stream();
    assert_eq!(unconnected.direct_read(unconnected.ticket()).unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
}
