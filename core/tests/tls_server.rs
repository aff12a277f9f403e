//! The TLS server side (netrt extension): listeners bound with a TLS level, client
//! certificates, and server STARTTLS (`UpgradeToSslAsServerAsync`), driven by `openssl
//! s_client` and by netrt's own client.

mod common;
mod util;

use std::io::Write;
use std::sync::Arc;

use common::pki::Pki;
use netrt::error::hresult::*;
use netrt::io::InputStreamOptions;
use netrt::net::{SocketProtectionLevel as Level, StreamSocket, StreamSocketListener};
use netrt::tls::{Certificate, ClientCertificateMode};
use netrt::{DataReader, HostName};
use tokio::sync::mpsc;
use util::peers::openssl_s_client;
use util::*;

fn cert(name: &str) -> Certificate {
    let pki = Pki::get();
    Certificate::from_pem(&pki.pem(name), Some(&pki.key(name))).unwrap()
}

fn ca() -> Certificate {
    Certificate::from_pem(&Pki::get().pem("ca"), None).unwrap()
}

/// A listener on 127.0.0.1 bound with `level`; accepted sockets arrive on the channel.
async fn tls_listener(
    level: Level,
    configure: impl FnOnce(&StreamSocketListener),
) -> (StreamSocketListener, u16, mpsc::UnboundedReceiver<StreamSocket>) {
    let listener = StreamSocketListener::new();
    configure(&listener);
    let (tx, rx) = mpsc::unbounded_channel();
    listener
        .add_connection_received(Arc::new(move |_l, args| {
            let _ = tx.send(args.socket());
        }))
        .expect("the object is open");
    within(listener.bind_service_name_with_protection_level("", level)).await.unwrap();
    let port = listener.information().local_port().parse().unwrap();
    (listener, port, rx)
}

/// Reads one line (through "\n") with a DataReader, leaving anything after it loaded.
async fn read_line(reader: &DataReader) -> String {
    let mut line = Vec::new();
    loop {
        while reader.unconsumed_buffer_length().unwrap() > 0 {
            let b = reader.read_byte().unwrap();
            line.push(b);
            if b == b'\n' {
                return String::from_utf8(line).unwrap();
            }
        }
        assert!(within(reader.load(512)).await.unwrap() > 0, "peer closed; got {line:?}");
    }
}

async fn send(sock: &StreamSocket, text: &str) {
    within(sock.write_all(text.as_bytes())).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_level_without_server_certificate_is_rejected() {
    let l = StreamSocketListener::new();
    let err = within(l.bind_service_name_with_protection_level("", Level::Tls12)).await.unwrap_err();
    assert_eq!(err.hresult(), E_INVALIDARG);
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_listener_serves_openssl_s_client() {
    let (_l, port, mut rx) = tls_listener(Level::Tls12, |l| {
        l.control().set_server_certificate(Some(cert("leaf"))).unwrap();
    })
    .await;
    let ca_file = Pki::get().path("ca.pem");
    let client = openssl_s_client(
        port,
        &["-CAfile", ca_file.to_str().unwrap(), "-verify_return_error", "-servername", "localhost"],
    );
    let accepted = within(rx.recv()).await.unwrap();
    assert_eq!(accepted.information().protection_level(), Level::Tls12);
    assert_ne!(accepted.information().negotiated_tls_version(), netrt::tls::TlsVersion::None);
    assert_eq!(accepted.information().server_name().as_deref(), Some("localhost"), "SNI received");
    client.send("from s_client\n");
    assert_eq!(read_exact(&accepted, 14).await, b"from s_client\n");
    send(&accepted, "from netrt server\n").await;
    let out = client.wait_for_output("from netrt server");
    assert!(out.contains("Verify return code: 0 (ok)"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn required_client_certificate_is_exposed_on_the_accepted_socket() {
    let (_l, port, mut rx) = tls_listener(Level::Tls12, |l| {
        let c = l.control();
        c.set_server_certificate(Some(cert("leaf"))).unwrap();
        c.set_client_certificate_mode(ClientCertificateMode::Required).unwrap();
        c.set_trusted_root_certificates(vec![ca()]).unwrap();
    })
    .await;
    let client = StreamSocket::new();
    client.control().set_trusted_root_certificates(vec![ca()]).unwrap();
    client.control().set_client_certificate(Some(cert("clientonly"))).unwrap();
    within(client.connect_with_protection_level(
        &HostName::new("localhost").unwrap(),
        &port.to_string(),
        Level::Tls13,
    ))
    .await
    .unwrap();
    let accepted = within(rx.recv()).await.unwrap();
    let presented = accepted.information().client_certificate().expect("client certificate");
    assert_eq!(presented.subject(), "client one");
    assert!(accepted.information().server_certificate().is_none());
    send(&client, "ping").await;
    assert_eq!(read_exact(&accepted, 4).await, b"ping");

    // Without a certificate the server refuses the client: the handshake (TLS 1.2) or the
    // first read (TLS 1.3, where the client finishes first) fails.
    let anonymous = StreamSocket::new();
    anonymous.control().set_trusted_root_certificates(vec![ca()]).unwrap();
    let refused = match within(anonymous.connect_with_protection_level(
        &HostName::new("localhost").unwrap(),
        &port.to_string(),
        Level::Tls12,
    ))
    .await
    {
        Err(_) => true,
        Ok(()) => {
            let mut buf = [0u8; 1];
            within(anonymous.read_some(&mut buf)).await.is_err()
        }
    };
    assert!(refused);
}

/// A minimal SMTP-like server side of STARTTLS on an accepted plain socket.
async fn serve_starttls(sock: StreamSocket, leaf: Certificate) -> netrt::Result<StreamSocket> {
    let reader = DataReader::new(sock.input_stream());
    reader.set_input_stream_options(InputStreamOptions::Partial).unwrap();
    send(&sock, "220 netrt ESMTP test\r\n").await;
    let ehlo = read_line(&reader).await;
    assert!(ehlo.to_uppercase().starts_with("EHLO"), "{ehlo:?}");
    send(&sock, "250-netrt greets you\r\n250 STARTTLS\r\n").await;
    let starttls = read_line(&reader).await;
    assert_eq!(starttls.trim_end(), "STARTTLS");
    send(&sock, "220 Go ahead\r\n").await;
    let upgraded = sock.upgrade_to_ssl_as_server(Level::Tls12, &leaf).await;
    reader.detach_stream().unwrap();
    upgraded.map(|_| sock)
}

#[tokio::test(flavor = "multi_thread")]
async fn server_starttls_with_openssl_s_client() {
    let (_l, port, mut rx) = listener().await;
    let ca_file = Pki::get().path("ca.pem");
    let client = openssl_s_client(
        port,
        &["-starttls", "smtp", "-CAfile", ca_file.to_str().unwrap(), "-verify_return_error"],
    );
    let accepted = within(rx.recv()).await.unwrap();
    let tls = within(serve_starttls(accepted, cert("leaf"))).await.unwrap();
    assert_ne!(tls.information().negotiated_tls_version(), netrt::tls::TlsVersion::None);
    send(&tls, "250 secret reply\r\n").await;
    let out = client.wait_for_output("secret reply");
    assert!(out.contains("Verify return code: 0 (ok)"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn server_starttls_with_netrt_client() {
    let (_l, port, mut rx) = listener().await;
    let server = tokio::spawn(async move {
        let accepted = within(rx.recv()).await.unwrap();
        serve_starttls(accepted, cert("leaf")).await
    });
    let client = StreamSocket::new();
    client.control().set_trusted_root_certificates(vec![ca()]).unwrap();
    let host = HostName::new("localhost").unwrap();
    within(client.connect(&host, &port.to_string())).await.unwrap();
    let reader = DataReader::new(client.input_stream());
    reader.set_input_stream_options(InputStreamOptions::Partial).unwrap();
    assert!(read_line(&reader).await.starts_with("220 "));
    send(&client, "EHLO me\r\n").await;
    assert!(read_line(&reader).await.starts_with("250-"));
    assert_eq!(read_line(&reader).await, "250 STARTTLS\r\n");
    send(&client, "STARTTLS\r\n").await;
    assert_eq!(read_line(&reader).await, "220 Go ahead\r\n");
    reader.detach_stream().unwrap();
    within(client.upgrade_to_ssl(Level::Tls12, &host)).await.unwrap();
    let tls_server = within(server).await.unwrap().unwrap();
    send(&client, "over tls\n").await;
    assert_eq!(read_exact(&tls_server, 9).await, b"over tls\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn server_starttls_injection_is_refused() {
    let (_l, port, mut rx) = listener().await;
    let mut attacker = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let accepted = within(rx.recv()).await.unwrap();
    let reader = DataReader::new(accepted.input_stream());
    reader.set_input_stream_options(InputStreamOptions::Partial).unwrap();
    // STARTTLS and an injected command in one segment, as in CVE-2011-0411.
    attacker.write_all(b"STARTTLS\r\nRCPT TO:<victim@example.com>\r\n").unwrap();
    assert_eq!(read_line(&reader).await, "STARTTLS\r\n");
    let err = within(accepted.upgrade_to_ssl_as_server(Level::Tls12, &cert("leaf"))).await.unwrap_err();
    assert_eq!(err.hresult(), NETRT_E_STARTTLS_PLAINTEXT_PENDING, "{err}");
    let mut buf = [0u8; 1];
    assert_eq!(within(accepted.read_some(&mut buf)).await.unwrap_err().hresult(), RO_E_CLOSED);
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_listener_bound_to_loopback_endpoint_serves_openssl_s_client() {
    let listener = StreamSocketListener::new();
    listener.control().set_server_certificate(Some(cert("leaf"))).unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    listener
        .add_connection_received(Arc::new(move |_l, args| {
            let _ = tx.send(args.socket());
        }))
        .unwrap();
    let loopback = HostName::new("127.0.0.1").unwrap();
    within(listener.bind_endpoint_with_protection_level(Some(&loopback), "", Level::Tls12)).await.unwrap();
    let local = listener.local_address().unwrap();
    assert_eq!(local.ip(), std::net::IpAddr::from([127, 0, 0, 1]), "bound to loopback only");
    let ca_file = Pki::get().path("ca.pem");
    let client = openssl_s_client(
        local.port(),
        &["-CAfile", ca_file.to_str().unwrap(), "-verify_return_error", "-servername", "localhost"],
    );
    let accepted = within(rx.recv()).await.unwrap();
    assert_eq!(accepted.information().protection_level(), Level::Tls12);
    client.send("over loopback\n");
    assert_eq!(read_exact(&accepted, 14).await, b"over loopback\n");
    send(&accepted, "from netrt server\n").await;
    let out = client.wait_for_output("from netrt server");
    assert!(out.contains("Verify return code: 0 (ok)"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_endpoint_bind_without_server_certificate_is_rejected() {
    let listener = StreamSocketListener::new();
    let loopback = HostName::new("127.0.0.1").unwrap();
    let err = within(listener.bind_endpoint_with_protection_level(Some(&loopback), "", Level::Tls12))
        .await
        .unwrap_err();
    assert_eq!(err.hresult(), E_INVALIDARG);
    assert!(listener.local_address().is_none(), "nothing was bound");
}

#[tokio::test(flavor = "multi_thread")]
async fn listener_tls_handshake_timeout_defaults_to_30_s_and_is_fixed_at_bind() {
    use netrt::foundation::TimeSpan;
    let listener = StreamSocketListener::new();
    let control = listener.control();
    assert_eq!(control.tls_handshake_timeout(), TimeSpan::from_secs(30));
    assert_eq!(
        control.set_tls_handshake_timeout(TimeSpan { duration: -1 }).unwrap_err().hresult(),
        E_INVALIDARG
    );
    control.set_tls_handshake_timeout(TimeSpan::ZERO).unwrap();
    assert_eq!(control.tls_handshake_timeout(), TimeSpan::ZERO);
    within(listener.bind_endpoint(Some(&HostName::new("127.0.0.1").unwrap()), "")).await.unwrap();
    let err = control.set_tls_handshake_timeout(TimeSpan::from_secs(1)).unwrap_err();
    assert_eq!(err.hresult(), E_ILLEGAL_METHOD_CALL);
}

#[tokio::test(flavor = "multi_thread")]
async fn client_that_never_sends_a_client_hello_is_dropped_after_the_handshake_timeout() {
    use netrt::foundation::TimeSpan;
    use tokio::io::AsyncReadExt;
    let (_l, port, mut rx) = tls_listener(Level::Tls12, |l| {
        l.control().set_server_certificate(Some(cert("leaf"))).unwrap();
        l.control()
            .set_tls_handshake_timeout(TimeSpan::from_duration(std::time::Duration::from_millis(300)))
            .unwrap();
    })
    .await;
    let mut silent = within(tokio::net::TcpStream::connect(("127.0.0.1", port))).await.unwrap();
    // The server closes the connection: end of stream (or a reset), never data, never a hang.
    let mut byte = [0u8; 1];
    match within(silent.read(&mut byte)).await {
        Ok(n) => assert_eq!(n, 0, "the server sent data to a client that never said hello"),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
    assert!(rx.try_recv().is_err(), "a connection without a handshake was delivered");
}

/// A connected netrt TLS client and the listener's accepted end.
async fn tls_pair() -> (StreamSocketListener, StreamSocket, StreamSocket) {
    let (l, port, mut rx) = tls_listener(Level::Tls12, |l| {
        l.control().set_server_certificate(Some(cert("leaf"))).unwrap();
    })
    .await;
    let client = StreamSocket::new();
    client.control().set_trusted_root_certificates(vec![ca()]).unwrap();
    within(client.connect_with_protection_level(
        &HostName::new("localhost").unwrap(),
        &port.to_string(),
        Level::Tls12,
    ))
    .await
    .unwrap();
    let accepted = within(rx.recv()).await.unwrap();
    (l, client, accepted)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_read_takes_every_record_received_and_the_stream_ends_cleanly() {
    let (_l, client, server) = tls_pair().await;
    // Not a multiple of the 16 KiB record size, written in pieces that cut records apart.
    let sent: Vec<u8> =
        (0..(1 << 20) + 123).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let writer = {
        let sent = sent.clone();
        tokio::spawn(async move {
            for piece in sent.chunks(100_000) {
                within(server.write_all(piece)).await.unwrap();
            }
            server.close(); // close_notify, then the TCP end
        })
    };
    let (mut got, mut reads) = (Vec::new(), 0);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = within(client.read_some(&mut buf)).await.unwrap();
        if n == 0 {
            break;
        }
        reads += 1;
        got.extend_from_slice(&buf[..n]);
    }
    within(writer).await.unwrap();
    assert!(got == sent, "{} bytes received of {}, or out of order", got.len(), sent.len());
    // One read per record would be over 64 reads (a 16 KiB record at most, and each write
    // ends with a short one): the 100,000-byte writes arrive several records at a time, and a
    // read takes all of them.
    assert!(reads < sent.len() / (32 * 1024), "{reads} reads");
}

#[tokio::test(flavor = "multi_thread")]
async fn close_during_a_write_pending_on_another_task_aborts_it_and_the_peer_reads_a_clean_prefix() {
    let (_l, client, server) = tls_pair().await;
    // The client reads what came before a greeting (TLS 1.3 session tickets): a socket closed
    // with bytes unread in its kernel ends with a reset, which would cut the peer's reading.
    within(server.write_all(b"!")).await.unwrap();
    assert_eq!(within(client.read_some(&mut [0u8; 1])).await.unwrap(), 1);
    // Far more than the two sockets' buffers hold while the server reads nothing: it waits.
    let sent: Vec<u8> = (0..32 << 20).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let writer = {
        let (client, sent) = (client.clone(), sent.clone());
        tokio::spawn(async move { client.write_all(&sent).await })
    };
    // Started once its first records reach the server's kernel.
    let server_fd = server.input_stream().readiness_fd().unwrap();
    within(async {
        while unread_in_kernel(server_fd) == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await;
    let (local, remote) = (client.information().local_port(), client.information().remote_port());
    client.close();
    let err = within(writer).await.unwrap().expect_err("the pending write");
    assert_eq!(err.hresult(), E_OPERATION_ABORTED, "{err}");
    // Whole records of what was written, in order, then close_notify: a clean end.
    let mut got = Vec::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match within(server.read_some(&mut buf)).await {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => panic!("after {} bytes: {e}", got.len()),
        }
    }
    assert!(!got.is_empty() && got.len() < sent.len() && got[..] == sent[..got.len()], "{} bytes", got.len());
    // Information after Close keeps the connection's values.
    let info = client.information();
    assert_eq!((info.local_port(), info.remote_port()), (local, remote));
    assert_ne!(info.negotiated_tls_version(), netrt::tls::TlsVersion::None);
    assert!(info.round_trip_time_statistics().unwrap().max > 0);
}

/// Bytes in `fd`'s receive queue (FIONREAD).
fn unread_in_kernel(fd: std::os::fd::RawFd) -> usize {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD writes one c_int.
    let rc = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut n) };
    assert_eq!(rc, 0, "FIONREAD");
    n as usize
}

#[tokio::test(flavor = "multi_thread")]
async fn data_received_before_a_truncation_is_read_first_then_the_truncation_is_reported() {
    let (_l, client, server) = tls_pair().await;
    let sent = vec![7u8; 200_000];
    let writer = tokio::spawn(async move {
        within(server.write_all(&[7u8; 200_000])).await.unwrap();
        // The TCP end without close_notify: the kernel sends FIN after the records.
        let fd = server.output_stream().readiness_fd().unwrap();
        // SAFETY: a shutdown of the server's own open socket; it stays owned by `server`.
        assert_eq!(unsafe { libc::shutdown(fd, libc::SHUT_WR) }, 0);
        server
    });
    let (got, err) = read_until_failure(&client, 7).await;
    assert_eq!(got, sent.len());
    assert_eq!(err.hresult(), NETRT_E_TLS_TRUNCATED, "{err}");
    drop(within(writer).await.unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn data_before_an_altered_record_is_read_first_then_the_alteration_is_reported() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let (_l, port, mut rx) = tls_listener(Level::Tls12, |l| {
        l.control().set_server_certificate(Some(cert("leaf"))).unwrap();
    })
    .await;
    // A relay between client and server that, once armed, flips the last byte of the next
    // piece of the server's bytes it forwards: a record further on fails to decrypt.
    let relay = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let relay_port = relay.local_addr().unwrap().port();
    let armed = Arc::new(AtomicBool::new(false));
    let arm = armed.clone();
    tokio::spawn(async move {
        let (client_side, _) = relay.accept().await.unwrap();
        let server_side = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let (mut cr, mut cw) = client_side.into_split();
        let (mut sr, mut sw) = server_side.into_split();
        tokio::spawn(async move { tokio::io::copy(&mut cr, &mut sw).await });
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match sr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if arm.swap(false, Ordering::SeqCst) {
                buf[n - 1] ^= 0x55;
            }
            if cw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    });
    let client = StreamSocket::new();
    client.control().set_trusted_root_certificates(vec![ca()]).unwrap();
    let host = HostName::new("localhost").unwrap();
    within(client.connect_with_protection_level(&host, &relay_port.to_string(), Level::Tls12)).await.unwrap();
    let server = within(rx.recv()).await.unwrap();
    // The handshake is through (the server's session ticket too, once this arrives).
    send(&server, "ready").await;
    assert_eq!(read_exact(&client, 5).await, b"ready");
    armed.store(true, Ordering::SeqCst);
    let writer = tokio::spawn(async move {
        let _ = server.write_all(&[9u8; 100_000]).await;
        server
    });
    let (got, err) = read_until_failure(&client, 9).await;
    let mut buf = [0u8; 16];
    assert!(got < 100_000, "an altered record was accepted");
    assert_eq!(err.hresult(), SEC_E_MESSAGE_ALTERED, "{err}");
    // The error stays: the connection is not read past it.
    let again = within(client.read_some(&mut buf)).await.unwrap_err();
    assert_ne!(again.hresult(), netrt::error::hresult::S_OK);
    drop(within(writer).await.unwrap());
}

/// Reads `client` until a read fails, checking every byte is `byte`: how many arrived, and the
/// failure. A clean end of the stream fails the test.
async fn read_until_failure(client: &StreamSocket, byte: u8) -> (usize, netrt::Error) {
    let mut got = 0;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        match within(client.read_some(&mut buf)).await {
            Ok(n) => {
                assert!(n > 0, "a clean end after {got} bytes");
                assert!(buf[..n].iter().all(|&b| b == byte));
                got += n;
            }
            Err(e) => return (got, e),
        }
    }
}
