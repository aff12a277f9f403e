//! TLS on StreamSocket against real peers: `openssl s_server` and a Python `ssl` STARTTLS
//! peer, with certificates made by the `openssl` command line (tests/common/pki.rs).

mod common;
mod util;

use std::time::Duration;

use common::pki::Pki;
use netrt::error::hresult::*;
use netrt::foundation::TimeSpan;
use netrt::net::{SocketProtectionLevel as Level, StreamSocket};
use netrt::tls::{Certificate, ChainValidationResult as Cvr, SocketSslErrorSeverity};
use netrt::{DataReader, DataWriter, HostName};
use util::peers::{openssl_s_server, python_starttls_server};
use util::*;

fn localhost() -> HostName {
    HostName::new("localhost").unwrap()
}

fn ca() -> Certificate {
    Certificate::from_pem(&Pki::get().pem("ca"), None).unwrap()
}

/// A socket that trusts the test CA.
fn trusting_socket() -> StreamSocket {
    let s = StreamSocket::new();
    s.control().set_trusted_root_certificates(vec![ca()]).unwrap();
    s
}

fn server(name: &str, extra: &[&str]) -> util::peers::Peer {
    let pki = Pki::get();
    openssl_s_server(&pki.path(&format!("{name}.pem")), &pki.path(&format!("{name}.key")), extra)
}

#[tokio::test(flavor = "multi_thread")]
async fn tls12_and_tls13_servers_report_their_version() {
    for (flag, version) in [("-tls1_2", 0x0303u16), ("-tls1_3", 0x0304)] {
        let peer = server("leaf", &[flag]);
        let sock = trusting_socket();
        within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::Tls12))
            .await
            .unwrap();
        let info = sock.information();
        assert_eq!(info.negotiated_tls_version(), version, "{flag}");
        // A blocking C caller waits for TLS reads and writes on the socket itself (a
        // readable socket may hold only part of a record: the read then waits again).
        assert!(sock.input_stream().readiness_fd().is_some(), "TLS reads can be waited for on the socket");
        assert!(sock.output_stream().readiness_fd().is_some(), "TLS writes can be waited for on the socket");
        assert!(!info.cipher_suite().is_empty());
        assert_eq!(info.protection_level(), Level::Tls12, "requested level, as WinRT");
        assert_eq!(info.server_name().as_deref(), Some("localhost"));
        let leaf = Certificate::from_pem(&Pki::get().pem("leaf"), None).unwrap();
        assert_eq!(info.server_certificate().unwrap().thumbprint_sha256(), leaf.thumbprint_sha256());
        assert!(info.server_certificate_errors().is_empty());
        assert_eq!(info.server_certificate_error_severity(), SocketSslErrorSeverity::None);
        within(sock.write_all(b"hello over tls\n")).await.unwrap();
        let log = peer.wait_for_output("hello over tls");
        if version == 0x0304 {
            // The IANA name, as OpenSSL spells TLS 1.3 suites too (its TLS 1.2 names differ).
            assert!(
                log.contains(&format!("CIPHER is {}\n", info.cipher_suite())),
                "{:?} vs {log}",
                info.cipher_suite()
            );
        }
        sock.close();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tls13_only_client_against_tls12_only_server_fails_with_algorithm_mismatch() {
    let peer = server("leaf", &["-tls1_2"]);
    let sock = trusting_socket();
    let err = within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::Tls13))
        .await
        .unwrap_err();
    assert_eq!(err.hresult(), SEC_E_ALGORITHM_MISMATCH, "{err}");
    assert!(
        err.message().to_lowercase().contains("protocolversion") || err.message().contains("alert"),
        "{err}"
    );
}

/// Connects to a server presenting `name` and returns the error, also checking Information.
async fn failing_connect(name: &str, ignorable: Vec<Cvr>) -> (netrt::Error, StreamSocket) {
    let peer = server(name, &[]);
    let sock = trusting_socket();
    sock.control().set_ignorable_server_certificate_errors(ignorable).unwrap();
    let err = within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::Tls12))
        .await
        .unwrap_err();
    (err, sock)
}

#[tokio::test(flavor = "multi_thread")]
async fn certificate_problems_map_to_hresult_status_and_chain_results() {
    let cases: [(&str, HResult, Cvr, i32); 4] = [
        ("selfsigned", CERT_E_UNTRUSTEDROOT, Cvr::Untrusted, 24),
        ("expired", CERT_E_EXPIRED, Cvr::Expired, 23),
        ("wronghost", CERT_E_CN_NO_MATCH, Cvr::InvalidName, 25),
        ("clientonly", CERT_E_WRONG_USAGE, Cvr::WrongUsage, 26),
    ];
    for (name, hr, cvr, status) in cases {
        let (err, sock) = failing_connect(name, vec![]).await;
        assert_eq!(err.hresult(), hr, "{name}: {err}");
        assert_eq!(err.socket_error_status() as i32, status, "{name}");
        let info = sock.information();
        assert!(
            info.server_certificate_errors().contains(&cvr),
            "{name}: {:?}",
            info.server_certificate_errors()
        );
        assert_eq!(info.server_certificate_error_severity(), SocketSslErrorSeverity::Ignorable, "{name}");
        assert!(info.server_certificate().is_some(), "{name}: certificate kept after a failed handshake");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ignoring_the_reported_error_lets_the_connection_through() {
    for (name, cvr) in
        [("selfsigned", Cvr::Untrusted), ("expired", Cvr::Expired), ("wronghost", Cvr::InvalidName)]
    {
        let peer = server(name, &[]);
        let sock = trusting_socket();
        sock.control().append_ignorable_server_certificate_error(cvr).unwrap();
        within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::Tls12))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(sock.information().server_certificate_errors().contains(&cvr), "{name}");
        within(sock.write_all(b"through\n")).await.unwrap();
        peer.wait_for_output("through");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_signature_never_connects_whatever_is_ignored() {
    let pki = Pki::get();
    let peer = openssl_s_server(&pki.path("leaf_badsig.der"), &pki.path("leaf.key"), &["-certform", "DER"]);
    let sock = trusting_socket();
    let all = vec![
        Cvr::Untrusted,
        Cvr::Expired,
        Cvr::IncompleteChain,
        Cvr::WrongUsage,
        Cvr::InvalidName,
        Cvr::RevocationInformationMissing,
        Cvr::RevocationFailure,
    ];
    sock.control().set_ignorable_server_certificate_errors(all).unwrap();
    let err = within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::Tls12))
        .await
        .unwrap_err();
    assert_eq!(err.socket_error_status() as i32, 30, "CertificateIsInvalid: {err}");
    assert_eq!(sock.information().server_certificate_error_severity(), SocketSslErrorSeverity::Fatal);
}

#[tokio::test(flavor = "multi_thread")]
async fn ignorable_errors_outside_the_allowed_set_are_invalid_arguments() {
    let sock = StreamSocket::new();
    for bad in [Cvr::Revoked, Cvr::InvalidSignature, Cvr::Success, Cvr::OtherErrors] {
        assert_eq!(
            sock.control().append_ignorable_server_certificate_error(bad).unwrap_err().hresult(),
            E_INVALIDARG
        );
    }
    assert!(sock.control().ignorable_server_certificate_errors().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn levels_without_meaning_on_tcp_are_rejected() {
    let sock = StreamSocket::new();
    for level in [Level::Ssl3AllowWeakEncryption, Level::BluetoothEncryptionWithAuthentication] {
        let err = within(sock.connect_with_protection_level(&localhost(), "443", level)).await.unwrap_err();
        assert_eq!(err.hresult(), E_INVALIDARG, "{level:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn client_certificate_is_sent_when_the_server_requires_one() {
    let pki = Pki::get();
    let ca_file = pki.path("ca.pem");
    let args = ["-Verify", "1", "-CAfile", ca_file.to_str().unwrap()];
    // Without a client certificate the server refuses the handshake.
    let peer = server("leaf", &args);
    let sock = trusting_socket();
    let result =
        within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::Tls12)).await;
    let refused = match result {
        Err(_) => true,
        // TLS 1.3: the client finishes first; the refusal arrives as an alert on the first read.
        Ok(()) => {
            let mut buf = [0u8; 8];
            within(sock.read_some(&mut buf)).await.is_err()
        }
    };
    assert!(refused, "a server with -Verify 1 must refuse a client without a certificate");

    let peer = server("leaf", &args);
    let sock = trusting_socket();
    let cert = Certificate::from_pem(&pki.pem("clientonly"), Some(&pki.key("clientonly"))).unwrap();
    sock.control().set_client_certificate(Some(cert)).unwrap();
    within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::Tls12))
        .await
        .unwrap();
    within(sock.write_all(b"with certificate\n")).await.unwrap();
    let out = peer.wait_for_output("with certificate");
    assert!(out.contains("subject=") && out.contains("CN"), "server log shows the client subject:\n{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn silent_peer_hits_the_handshake_timeout() {
    let (_listener, port, mut rx) = listener().await;
    let sock = StreamSocket::new();
    sock.control().set_tls_handshake_timeout(TimeSpan::from_millis(300)).unwrap();
    let started = std::time::Instant::now();
    let err = within(sock.connect_with_protection_level(
        &HostName::new("127.0.0.1").unwrap(),
        &port.to_string(),
        Level::Tls12,
    ))
    .await
    .unwrap_err();
    assert_eq!(err.hresult(), hr(0x8007274C), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(rx.try_recv());
}

#[tokio::test(flavor = "multi_thread")]
async fn peer_closing_mid_handshake_is_a_clear_error() {
    let (_listener, port, mut rx) = listener().await;
    let sock = StreamSocket::new();
    let connecting = tokio::spawn(async move {
        sock.connect_with_protection_level(
            &HostName::new("127.0.0.1").unwrap(),
            &port.to_string(),
            Level::Tls12,
        )
        .await
    });
    let accepted = within(rx.recv()).await.unwrap();
    accepted.close();
    let err = within(connecting).await.unwrap().unwrap_err();
    assert!(
        [NETRT_E_TLS_TRUNCATED, hr(0x80072746), SEC_E_ILLEGAL_MESSAGE].contains(&err.hresult()),
        "unexpected {err}"
    );
    assert!(!err.message().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn truncation_without_close_notify_is_distinct_from_a_clean_end() {
    let peer = server("leaf", &[]);
    let sock = trusting_socket();
    within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::Tls12))
        .await
        .unwrap();
    within(sock.write_all(b"before-truncation\n")).await.unwrap();
    peer.wait_for_output("before-truncation");
    drop(peer); // killed: the kernel sends FIN, no close_notify
    let mut buf = [0u8; 16];
    let err = within(sock.read_some(&mut buf)).await.unwrap_err();
    assert_eq!(err.hresult(), NETRT_E_TLS_TRUNCATED, "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sample_plain_hello_then_upgrade_to_ssl() {
    let pki = Pki::get();
    let peer = python_starttls_server(&pki.path("leaf.pem"), &pki.path("leaf.key"), false);
    let sock = trusting_socket();
    within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::PlainSocket))
        .await
        .unwrap();
    let writer = DataWriter::with_stream(sock.output_stream());
    let hello = "Hello, World! ☺ ";
    let len = writer.measure_string(hello).unwrap();
    writer.write_int32(len as i32).unwrap();
    writer.write_string(hello).unwrap();
    within(writer.store()).await.unwrap();
    writer.detach_stream().unwrap();
    let (input, output) = (sock.input_stream(), sock.output_stream());
    assert!(output.direct_write(output.ticket()).unwrap().is_some(), "plain TCP has direct writes");
    within(sock.upgrade_to_ssl(Level::Tls12, &localhost())).await.unwrap();
    // Upgraded: no direct (plain TCP) read or write is offered any more, so nothing bypasses
    // TLS; the socket's fd is still what a blocking waiter polls.
    assert!(input.direct_read(input.ticket()).unwrap().is_none(), "a direct read after STARTTLS");
    assert!(output.direct_write(output.ticket()).unwrap().is_none(), "a direct write after STARTTLS");
    assert!(input.readiness_fd().is_some());
    assert_ne!(sock.information().negotiated_tls_version(), netrt::tls::TlsVersion::None);
    assert_eq!(sock.information().protection_level(), Level::Tls12);
    within(sock.write_all(b"secret\n")).await.unwrap();
    let reader = DataReader::new(sock.input_stream());
    reader.set_input_stream_options(netrt::io::InputStreamOptions::Partial).unwrap();
    let mut got = String::new();
    while !got.ends_with('\n') {
        let n = within(reader.load(64)).await.unwrap();
        assert!(n > 0, "peer closed early; got {got:?}\n{}", peer.output());
        got.push_str(&reader.read_string(n).unwrap());
    }
    assert_eq!(got, "echo:secret\n");
    let out = peer.output();
    assert!(out.contains(&format!("HELLO {hello}")), "{out}");
    // Upgrading twice is illegal.
    let err = within(sock.upgrade_to_ssl(Level::Tls12, &localhost())).await.unwrap_err();
    assert_eq!(err.hresult(), E_ILLEGAL_METHOD_CALL);
}

async fn injected_peer() -> (util::peers::Peer, StreamSocket) {
    let pki = Pki::get();
    let peer = python_starttls_server(&pki.path("leaf.pem"), &pki.path("leaf.key"), true);
    let sock = trusting_socket();
    within(sock.connect(&localhost(), &peer.port.to_string())).await.unwrap();
    let writer = DataWriter::with_stream(sock.output_stream());
    writer.write_int32(2).unwrap();
    writer.write_string("hi").unwrap();
    within(writer.store()).await.unwrap();
    writer.detach_stream().unwrap();
    (peer, sock)
}

#[tokio::test(flavor = "multi_thread")]
async fn starttls_injection_in_a_data_reader_refuses_the_upgrade() {
    let (_peer, sock) = injected_peer().await;
    let reader = DataReader::new(sock.input_stream());
    reader.set_input_stream_options(netrt::io::InputStreamOptions::Partial).unwrap();
    while reader.unconsumed_buffer_length().unwrap() < 3 {
        assert!(within(reader.load(64)).await.unwrap() > 0);
    }
    let line = reader.read_string(3).unwrap();
    assert_eq!(line, "GO\n");
    let err = within(sock.upgrade_to_ssl(Level::Tls12, &localhost())).await.unwrap_err();
    assert_eq!(err.hresult(), NETRT_E_STARTTLS_PLAINTEXT_PENDING, "{err}");
    let mut buf = [0u8; 4];
    assert_eq!(within(sock.read_some(&mut buf)).await.unwrap_err().hresult(), RO_E_CLOSED, "socket closed");
}

#[tokio::test(flavor = "multi_thread")]
async fn starttls_injection_still_in_the_kernel_refuses_the_upgrade() {
    let (_peer, sock) = injected_peer().await;
    tokio::time::sleep(Duration::from_millis(200)).await; // "GO\n" + injection arrive, unread
    let err = within(sock.upgrade_to_ssl(Level::Tls12, &localhost())).await.unwrap_err();
    assert_eq!(err.hresult(), NETRT_E_STARTTLS_PLAINTEXT_PENDING, "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn second_connection_resumes_the_session_and_still_reports_the_certificate() {
    for flag in ["-tls1_2", "-tls1_3"] {
        let peer = server("leaf", &[flag]);
        for round in 0..2 {
            let sock = trusting_socket();
            // ALPN makes these settings unique to this round of this test, so no other test's
            // session is in the shared cache for this server.
            sock.control().set_application_protocols(vec![format!("resume-{flag}")]).unwrap();
            within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::Tls12))
                .await
                .unwrap();
            assert!(sock.information().server_certificate().is_some(), "{flag} round {round}");
            within(sock.write_all(format!("round-{round}\n").as_bytes())).await.unwrap();
            peer.wait_for_output(&format!("round-{round}"));
            // TLS 1.3 tickets arrive after the handshake and are taken in by a read, as an
            // application that reads the server's reply would.
            peer.send("reply\n");
            assert_eq!(read_exact(&sock, 6).await, b"reply\n");
            sock.close();
        }
        let out = peer.output();
        assert!(out.contains("Reused session-id"), "{flag}: the second handshake was not resumed:\n{out}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resumed_session_reports_the_errors_its_first_handshake_found_also_after_close() {
    // rustls does not verify a resumed session; Information rebuilds the findings from the
    // session's chain when first asked — here only after the socket closed.
    let peer = server("expired", &["-tls1_3"]);
    let mut seen = Vec::new();
    for round in 0..2 {
        let sock = trusting_socket();
        sock.control().set_application_protocols(vec!["resume-expired".to_string()]).unwrap();
        sock.control().append_ignorable_server_certificate_error(Cvr::Expired).unwrap();
        within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::Tls12))
            .await
            .unwrap();
        within(sock.write_all(format!("round-{round}\n").as_bytes())).await.unwrap();
        peer.wait_for_output(&format!("round-{round}"));
        peer.send("reply\n");
        assert_eq!(read_exact(&sock, 6).await, b"reply\n");
        sock.close();
        let info = sock.information();
        let thumbprint = info.server_certificate().map(|c| c.thumbprint_sha256());
        seen.push((thumbprint, info.server_certificate_errors(), info.server_certificate_error_severity()));
    }
    let out = peer.output();
    assert!(out.contains("Reused session-id"), "the second handshake was not resumed:\n{out}");
    let expired = Certificate::from_pem(&Pki::get().pem("expired"), None).unwrap();
    assert_eq!(seen[0].0, Some(expired.thumbprint_sha256()));
    assert!(seen[0].1.contains(&Cvr::Expired), "{:?}", seen[0]);
    assert_eq!(seen[1], seen[0], "the resumed connection reports what the full one found");
}

/// Sends one SMTP command and reads the complete (possibly multi-line) reply.
async fn smtp(sock: &StreamSocket, reader: &DataReader, command: Option<&str>) -> String {
    if let Some(c) = command {
        within(sock.write_all(format!("{c}\r\n").as_bytes())).await.unwrap();
    }
    let mut reply = String::new();
    loop {
        let mut line = Vec::new();
        loop {
            while reader.unconsumed_buffer_length().unwrap() > 0 {
                let b = reader.read_byte().unwrap();
                line.push(b);
                if b == b'\n' {
                    break;
                }
            }
            if line.last() == Some(&b'\n') {
                break;
            }
            assert!(within(reader.load(256)).await.unwrap() > 0, "server closed; reply so far {reply:?}");
        }
        let line = String::from_utf8(line).unwrap();
        reply.push_str(&line);
        // "250-..." continues a multi-line reply; "250 ..." ends it.
        if line.as_bytes().get(3) != Some(&b'-') {
            return reply;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn starttls_with_aiosmtpd_requires_the_upgrade_before_mail() {
    let pki = Pki::get();
    let peer = util::peers::aiosmtpd_starttls(&pki.path("leaf.pem"), &pki.path("leaf.key"));
    let sock = trusting_socket();
    let host = localhost();
    within(sock.connect(&host, &peer.port.to_string())).await.unwrap();
    let reader = DataReader::new(sock.input_stream());
    reader.set_input_stream_options(netrt::io::InputStreamOptions::Partial).unwrap();
    assert!(smtp(&sock, &reader, None).await.starts_with("220"));
    let ehlo = smtp(&sock, &reader, Some("EHLO netrt.test")).await;
    assert!(ehlo.contains("STARTTLS"), "{ehlo}");
    let refused = smtp(&sock, &reader, Some("MAIL FROM:<a@netrt.test>")).await;
    assert!(refused.starts_with("530"), "MAIL before STARTTLS must be refused: {refused}");
    assert!(smtp(&sock, &reader, Some("STARTTLS")).await.starts_with("220"));
    reader.detach_stream().unwrap();
    within(sock.upgrade_to_ssl(Level::Tls12, &host)).await.unwrap();
    let reader = DataReader::new(sock.input_stream());
    reader.set_input_stream_options(netrt::io::InputStreamOptions::Partial).unwrap();
    let ehlo = smtp(&sock, &reader, Some("EHLO netrt.test")).await;
    assert!(ehlo.starts_with("250"), "{ehlo}");
    let accepted = smtp(&sock, &reader, Some("MAIL FROM:<a@netrt.test>")).await;
    assert!(accepted.starts_with("250"), "{accepted}");
    peer.wait_for_output("MAIL a@netrt.test tls");
    smtp(&sock, &reader, Some("QUIT")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn alpn_offer_is_negotiated_and_reported() {
    let peer = server("leaf", &["-alpn", "netrt-test,h2"]);
    let sock = trusting_socket();
    sock.control().set_application_protocols(vec!["h2".into(), "http/1.1".into()]).unwrap();
    within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::Tls12))
        .await
        .unwrap();
    assert_eq!(sock.information().application_protocol().as_deref(), Some("h2"));
    assert_eq!(
        sock.control().set_application_protocols(vec![String::new()]).unwrap_err().hresult(),
        E_INVALIDARG
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn revoked_certificate_with_the_crl_supplied_is_fatal() {
    let pki = Pki::get();
    let peer = server("revoked", &[]);
    let sock = trusting_socket();
    sock.control().set_certificate_revocation_lists(vec![pki.read("crl.der")]).unwrap();
    let err = within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::Tls12))
        .await
        .unwrap_err();
    assert_eq!(err.hresult(), CRYPT_E_REVOKED, "{err}");
    assert_eq!(err.socket_error_status() as i32, 27, "CertificateRevoked");
    assert!(sock.information().server_certificate_errors().contains(&Cvr::Revoked));
    assert_eq!(sock.information().server_certificate_error_severity(), SocketSslErrorSeverity::Fatal);
    // Without the CRL nothing is known about revocation (docs/tls.md): the same server is fine.
    let peer = server("revoked", &[]);
    let sock = trusting_socket();
    within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::Tls12))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn min_protection_level_tls13_refuses_a_tls12_server() {
    let peer = server("leaf", &["-tls1_2"]);
    let sock = trusting_socket();
    sock.control().set_min_protection_level(Level::Tls13).unwrap();
    let err = within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::Tls12))
        .await
        .unwrap_err();
    assert_eq!(err.hresult(), SEC_E_ALGORITHM_MISMATCH, "{err}");
    let peer = server("leaf", &["-tls1_3"]);
    let sock = trusting_socket();
    sock.control().set_min_protection_level(Level::Tls13).unwrap();
    within(sock.connect_with_protection_level(&localhost(), &peer.port.to_string(), Level::Tls12))
        .await
        .unwrap();
    assert_eq!(sock.information().negotiated_tls_version(), netrt::tls::TlsVersion::Tls13);
}
