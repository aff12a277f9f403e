//! MessageWebSocket and StreamWebSocket against real peers on 127.0.0.1: the Python
//! `websockets` server (ws and wss), tinyproxy (CONNECT with BasicAuth) and nginx (TLS
//! termination with auth_basic).

mod common;
mod util;

use std::sync::Arc;

use common::pki::Pki;
use netrt::error::hresult::*;
use netrt::error::{Error, WebErrorStatus};
use netrt::foundation::{TimeSpan, Uri};
use netrt::io::InputStreamOptions;
use netrt::security::PasswordCredential;
use netrt::tls::{Certificate, ChainValidationResult};
use netrt::web::{Proxy, ProxyChoice};
use netrt::ws::*;
use tokio::sync::mpsc;
use util::web_peers::{nginx_tls_proxy, tinyproxy, ws_server};
use util::within;

type Received = Result<(SocketMessageType, Vec<u8>, bool), Error>;

struct Wired {
    ws: MessageWebSocket,
    messages: mpsc::UnboundedReceiver<Received>,
    closed: mpsc::UnboundedReceiver<(u16, String)>,
}

fn wire(ws: MessageWebSocket) -> Wired {
    let (tx, messages) = mpsc::unbounded_channel();
    ws.add_message_received(Arc::new(move |_s, args: &MessageWebSocketMessageReceivedEventArgs| {
        let item = args.data().map(|d| (args.message_type(), d, args.is_message_complete()));
        let _ = tx.send(item);
    }))
    .unwrap();
    let (ctx, closed) = mpsc::unbounded_channel();
    ws.add_closed(Arc::new(move |_s, args: &WebSocketClosedEventArgs| {
        let _ = ctx.send((args.code(), args.reason().to_string()));
    }))
    .unwrap();
    Wired { ws, messages, closed }
}

fn uri(scheme: &str, port: u16, path: &str) -> Uri {
    Uri::new(&format!("{scheme}://127.0.0.1:{port}{path}")).unwrap()
}

fn direct() -> MessageWebSocket {
    let ws = MessageWebSocket::new();
    // The machine's proxy variables must not reroute loopback tests.
    ws.control().set_proxy(ProxyChoice::Direct).unwrap();
    ws
}

async fn connected(port: u16, path: &str) -> Wired {
    let w = wire(direct());
    within(w.ws.connect(&uri("ws", port, path))).await.unwrap();
    w
}

async fn next_message(w: &mut Wired) -> Received {
    within(w.messages.recv()).await.expect("a MessageReceived event")
}

async fn send(ws: &MessageWebSocket, kind: SocketMessageType, data: &[u8]) {
    ws.control().set_message_type(kind).unwrap();
    within(ws.output_stream().write(data)).await.unwrap();
}

fn trusting_ca(ws: &MessageWebSocket) {
    let ca = Certificate::from_der(&Pki::get().der("ca")).unwrap();
    ws.control().trusted_root_certificates().append(ca).unwrap();
}

#[tokio::test]
async fn text_and_binary_echo_with_the_type_changed_between_messages() {
    let server = ws_server(&[]);
    let mut w = connected(server.port, "/echo").await;
    send(&w.ws, SocketMessageType::Utf8, "héllo".as_bytes()).await;
    assert_eq!(
        next_message(&mut w).await.unwrap(),
        (SocketMessageType::Utf8, "héllo".as_bytes().to_vec(), true)
    );
    send(&w.ws, SocketMessageType::Binary, &[0, 255, 7]).await;
    assert_eq!(next_message(&mut w).await.unwrap(), (SocketMessageType::Binary, vec![0, 255, 7], true));
    let e = within(async {
        w.ws.control().set_message_type(SocketMessageType::Utf8).unwrap();
        w.ws.send_message(&[0xFF]).await
    })
    .await
    .unwrap_err();
    assert_eq!(e.hresult(), E_NO_UNICODE_TRANSLATION);
    let info = w.ws.information();
    assert_eq!(info.local_address().unwrap().canonical_name(), "127.0.0.1");
    assert_eq!(info.protocol(), None);
    assert!(info.server_certificate().is_none());
}

#[tokio::test]
async fn sixteen_mib_messages_both_ways() {
    let server = ws_server(&[]);
    let mut w = connected(server.port, "/echo").await;
    let big: Vec<u8> = (0..16 * 1024 * 1024).map(|i: u32| (i % 251) as u8).collect();
    send(&w.ws, SocketMessageType::Binary, &big).await;
    let (kind, data, complete) = next_message(&mut w).await.unwrap();
    assert_eq!((kind, complete, data.len()), (SocketMessageType::Binary, true, big.len()));
    assert!(data == big, "the echoed 16 MiB differ");
}

async fn fragmented_messages(mode: MessageWebSocketReceiveMode) {
    let server = ws_server(&[]);
    let w = direct();
    w.control().set_receive_mode(mode).unwrap();
    let mut w = wire(w);
    within(w.ws.connect(&uri("ws", server.port, "/fragmented"))).await.unwrap();
    for (kind, expected) in [
        (SocketMessageType::Utf8, b"fragmented text".to_vec()),
        (SocketMessageType::Binary, vec![0, 1, 2, 3, 4]),
    ] {
        let mut whole = Vec::new();
        loop {
            let (k, part, complete) = next_message(&mut w).await.unwrap();
            assert_eq!(k, kind);
            whole.extend(part);
            if complete {
                break;
            }
        }
        assert_eq!(whole, expected);
    }
}

#[tokio::test]
async fn fragmented_messages_in_full_message_mode() {
    fragmented_messages(MessageWebSocketReceiveMode::FullMessage).await;
}

#[tokio::test]
async fn fragmented_messages_in_partial_message_mode() {
    fragmented_messages(MessageWebSocketReceiveMode::PartialMessage).await;
}

async fn partial_mode(port: u16, path: &str) -> Wired {
    let ws = direct();
    ws.control().set_receive_mode(MessageWebSocketReceiveMode::PartialMessage).unwrap();
    let w = wire(ws);
    within(w.ws.connect(&uri("ws", port, path))).await.unwrap();
    w
}

#[tokio::test]
async fn partial_mode_raises_pieces_before_the_message_is_complete() {
    let server = ws_server(&[]);
    // The server sends its last fragment only when asked: pieces held back until the message
    // is complete would never be asked for, and the step would time out.
    let mut w = partial_mode(server.port, "/stepwise").await;
    let mut early = Vec::new();
    while early != b"first second " {
        let (kind, piece, complete) = next_message(&mut w).await.unwrap();
        assert_eq!((kind, complete), (SocketMessageType::Utf8, false));
        early.extend(piece);
    }
    send(&w.ws, SocketMessageType::Utf8, b"next").await;
    // websockets ends a fragmented message with an empty final frame: the last piece is empty.
    let mut rest = Vec::new();
    loop {
        let (_, piece, complete) = next_message(&mut w).await.unwrap();
        rest.extend(piece);
        if complete {
            break;
        }
    }
    assert_eq!(rest, b"last");

    // Within one frame too: half of a 60000-byte frame is handed out before the rest is sent.
    let mut w = partial_mode(server.port, "/slowframe").await;
    let mut got = Vec::new();
    while got.len() < 30000 {
        let (_, piece, complete) = next_message(&mut w).await.unwrap();
        assert!(!complete, "complete after {} bytes", got.len() + piece.len());
        got.extend(piece);
    }
    send(&w.ws, SocketMessageType::Binary, b"next").await;
    loop {
        let (_, piece, complete) = next_message(&mut w).await.unwrap();
        got.extend(piece);
        if complete {
            break;
        }
    }
    assert_eq!(got, (0..60000u32).map(|i| (i % 251) as u8).collect::<Vec<_>>());
}

#[tokio::test]
async fn max_message_size_applies_to_pieces_too() {
    let server = ws_server(&[]);
    let ws = direct();
    ws.control().set_receive_mode(MessageWebSocketReceiveMode::PartialMessage).unwrap();
    ws.control().set_max_message_size(40000).unwrap();
    let mut w = wire(ws);
    within(w.ws.connect(&uri("ws", server.port, "/slowframe"))).await.unwrap();
    // The 60000-byte frame is refused from its header, before any of it is handed out.
    assert_eq!(next_message(&mut w).await.unwrap_err().hresult(), WSAEMSGSIZE_HR);
    server.wait_for_output("CLOSED 1009");
}

#[tokio::test]
async fn nonfinal_and_final_frames_make_one_message() {
    let server = ws_server(&[]);
    let mut w = connected(server.port, "/echo").await;
    w.ws.control().set_message_type(SocketMessageType::Utf8).unwrap();
    assert_eq!(within(w.ws.send_nonfinal_frame(b"ab")).await.unwrap(), 2);
    let e = within(w.ws.send_message(b"x")).await.unwrap_err();
    assert_eq!(e.hresult(), E_ILLEGAL_METHOD_CALL);
    within(w.ws.send_nonfinal_frame(b"cd")).await.unwrap();
    within(w.ws.send_final_frame(b"ef")).await.unwrap();
    assert_eq!(next_message(&mut w).await.unwrap(), (SocketMessageType::Utf8, b"abcdef".to_vec(), true));
}

async fn negotiate(server_args: &[&str], offered: &[&str]) -> Result<Option<String>, Error> {
    let server = ws_server(server_args);
    let ws = direct();
    for p in offered {
        ws.control().supported_protocols().append(p.to_string()).unwrap();
    }
    within(ws.connect(&uri("ws", server.port, "/echo"))).await?;
    Ok(ws.information().protocol())
}

#[tokio::test]
async fn subprotocols_the_server_preference_wins() {
    assert_eq!(
        negotiate(&["--protocols", "beta,alpha"], &["alpha", "beta"]).await.unwrap().as_deref(),
        Some("beta")
    );
    assert_eq!(negotiate(&["--protocols", "gamma"], &["alpha", "beta"]).await.unwrap(), None);
    let e = negotiate(&["--force-protocol", "zeta"], &["alpha"]).await.unwrap_err();
    assert_eq!(e.hresult(), WININET_E_INVALID_SERVER_RESPONSE);
    assert_eq!(e.web_error_status(), WebErrorStatus::ErrorHttpInvalidServerResponse);
    assert!(e.message().contains("'zeta'") && e.message().contains("alpha"), "{}", e.message());
}

#[tokio::test]
async fn basic_auth_only_in_answer_to_the_challenge() {
    let server = ws_server(&["--basic", "alice:s3cret"]);
    let e = within(direct().connect(&uri("ws", server.port, "/echo"))).await.unwrap_err();
    assert_eq!(e.hresult(), http_e_status(401));
    assert_eq!(e.web_error_status(), WebErrorStatus::Unauthorized);

    let wrong = direct();
    wrong
        .control()
        .set_server_credential(Some(PasswordCredential::with_fields("", "alice", "nope").unwrap()))
        .unwrap();
    let e = within(wrong.connect(&uri("ws", server.port, "/echo"))).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::Unauthorized);

    let ws = direct();
    ws.control()
        .set_server_credential(Some(PasswordCredential::with_fields("", "alice", "s3cret").unwrap()))
        .unwrap();
    let mut w = wire(ws);
    within(w.ws.connect(&uri("ws", server.port, "/echo"))).await.unwrap();
    send(&w.ws, SocketMessageType::Binary, b"in").await;
    assert_eq!(next_message(&mut w).await.unwrap().1, b"in");
}

#[tokio::test]
async fn close_codes_and_reasons_both_ways() {
    let server = ws_server(&[]);
    let mut w = connected(server.port, "/close?code=4001&reason=bye").await;
    assert_eq!(within(w.closed.recv()).await.unwrap(), (4001, "bye".to_string()));

    let mut w2 = connected(server.port, "/echo").await;
    for (code, reason) in [(1005, ""), (1006, ""), (1015, ""), (999, ""), (5000, "")] {
        assert_eq!(w2.ws.close_with_status(code, reason).unwrap_err().hresult(), E_INVALIDARG, "{code}");
    }
    let long = "x".repeat(124);
    assert_eq!(w2.ws.close_with_status(1000, &long).unwrap_err().hresult(), E_INVALIDARG);
    w2.ws.close_with_status(4000, "done").unwrap();
    server.wait_for_output("CLOSED 4000 done");
    assert_eq!(within(w2.closed.recv()).await.unwrap(), (4000, "done".to_string()));
    assert_eq!(within(w2.ws.send_message(b"late")).await.unwrap_err().hresult(), RO_E_CLOSED);
    assert!(w.closed.try_recv().is_err(), "Closed is raised once");
}

#[tokio::test]
async fn max_message_size_fails_the_connection_with_1009() {
    let server = ws_server(&[]);
    let ws = direct();
    ws.control().set_max_message_size(10).unwrap();
    let mut w = wire(ws);
    within(w.ws.connect(&uri("ws", server.port, "/echo"))).await.unwrap();
    send(&w.ws, SocketMessageType::Binary, &[1; 10]).await;
    assert_eq!(next_message(&mut w).await.unwrap().1.len(), 10);
    send(&w.ws, SocketMessageType::Binary, &[1; 11]).await;
    let e = next_message(&mut w).await.unwrap_err();
    assert_eq!(e.hresult(), WSAEMSGSIZE_HR, "{e}");
    server.wait_for_output("CLOSED 1009");
}

#[tokio::test]
async fn invalid_utf8_and_protocol_violations_fail_with_1007_and_1002() {
    let server = ws_server(&[]);
    let mut w = connected(server.port, "/badutf8").await;
    assert_eq!(next_message(&mut w).await.unwrap_err().hresult(), E_NO_UNICODE_TRANSLATION);
    server.wait_for_output("CLOSED 1007");
    let mut w = connected(server.port, "/reserved").await;
    assert_eq!(next_message(&mut w).await.unwrap_err().hresult(), WININET_E_INVALID_SERVER_RESPONSE);
    server.wait_for_output("CLOSED 1002");
    assert!(w.closed.try_recv().is_err(), "no Closed without a close frame from the server");
}

#[tokio::test]
async fn a_server_that_never_answers_the_handshake_times_out() {
    let server = ws_server(&["--silent"]);
    let ws = direct();
    ws.control().set_handshake_timeout(TimeSpan::from_millis(500)).unwrap();
    let e = within(ws.connect(&uri("ws", server.port, "/"))).await.unwrap_err();
    assert_eq!(e.hresult(), WININET_E_TIMEOUT);
    assert_eq!(e.web_error_status(), WebErrorStatus::Timeout);
}

#[tokio::test]
async fn a_server_killed_mid_connection_is_connection_aborted_without_closed() {
    let mut server = ws_server(&[]);
    let mut w = connected(server.port, "/echo").await;
    send(&w.ws, SocketMessageType::Binary, b"1").await;
    next_message(&mut w).await.unwrap();
    server.kill();
    let e = next_message(&mut w).await.unwrap_err();
    assert_eq!(e.hresult(), WININET_E_CONNECTION_ABORTED);
    assert_eq!(e.web_error_status(), WebErrorStatus::ConnectionAborted);
    assert!(w.closed.try_recv().is_err());
}

#[tokio::test]
async fn request_headers_before_connect_only() {
    let server = ws_server(&[]);
    let ws = direct();
    for name in ["Sec-WebSocket-Protocol", "sec-websocket-key", "Host", "Upgrade", "bad name"] {
        assert_eq!(ws.set_request_header(name, "x").unwrap_err().hresult(), E_INVALIDARG, "{name}");
    }
    ws.set_request_header("X-Token", "abc").unwrap();
    within(ws.connect(&uri("ws", server.port, "/echo"))).await.unwrap();
    assert_eq!(ws.set_request_header("X-Other", "1").unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
    assert_eq!(ws.control().set_max_message_size(5).unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
}

fn tls_server() -> util::peers::Peer {
    let pki = Pki::get();
    let (cert, key) = (pki.path("leaf.pem"), pki.path("leaf.key"));
    ws_server(&["--tls", cert.to_str().unwrap(), key.to_str().unwrap()])
}

#[tokio::test]
async fn wss_echo_with_certificate_information() {
    let server = tls_server();
    let ws = direct();
    trusting_ca(&ws);
    let mut w = wire(ws);
    within(w.ws.connect(&Uri::new(&format!("wss://localhost:{}/echo", server.port)).unwrap())).await.unwrap();
    send(&w.ws, SocketMessageType::Utf8, b"secure").await;
    assert_eq!(next_message(&mut w).await.unwrap().1, b"secure");
    let info = w.ws.information();
    assert!(info.server_certificate().unwrap().subject().contains("localhost"));
    assert!(info.server_certificate_errors().is_empty());
}

#[tokio::test]
async fn wss_certificate_rules_apply() {
    let server = tls_server();
    let target = Uri::new(&format!("wss://localhost:{}/echo", server.port)).unwrap();
    let e = within(direct().connect(&target)).await.unwrap_err();
    assert_eq!(e.hresult(), CERT_E_UNTRUSTEDROOT);
    assert_eq!(e.web_error_status(), WebErrorStatus::CertificateContainsErrors);

    let ignoring = direct();
    ignoring
        .control()
        .ignorable_server_certificate_errors()
        .append(ChainValidationResult::Untrusted)
        .unwrap();
    within(ignoring.connect(&target)).await.unwrap();
    assert_eq!(ignoring.information().server_certificate_errors(), [ChainValidationResult::Untrusted]);
}

#[tokio::test]
async fn server_custom_validation_can_reject_and_defer() {
    let server = tls_server();
    let target = Uri::new(&format!("wss://localhost:{}/echo", server.port)).unwrap();
    let rejecting = direct();
    trusting_ca(&rejecting);
    rejecting
        .add_server_custom_validation_requested(Arc::new(
            |_s, args: &WebSocketServerCustomValidationRequestedEventArgs| {
                assert!(args.server_certificate().is_some());
                args.reject();
            },
        ))
        .unwrap();
    let e = within(rejecting.connect(&target)).await.unwrap_err();
    assert_eq!(e.hresult(), WININET_E_SEC_INVALID_CERT);

    let deferring = direct();
    trusting_ca(&deferring);
    let (tx, mut rx) = mpsc::unbounded_channel();
    deferring
        .add_server_custom_validation_requested(Arc::new(
            move |_s, args: &WebSocketServerCustomValidationRequestedEventArgs| {
                let _ = tx.send(args.get_deferral());
            },
        ))
        .unwrap();
    let connecting = tokio::spawn({
        let ws = deferring.clone();
        let target = target.clone();
        async move { ws.connect(&target).await }
    });
    let deferral = within(rx.recv()).await.unwrap();
    assert!(!connecting.is_finished());
    deferral.complete();
    within(connecting).await.unwrap().unwrap();
}

#[tokio::test]
async fn through_tinyproxy_with_proxy_credentials() {
    let server = ws_server(&[]);
    let proxy = tinyproxy(Some(("pxuser", "pxpass")));
    let explicit = || ProxyChoice::Explicit(Proxy::parse(&format!("127.0.0.1:{}", proxy.port)).unwrap());

    let without = MessageWebSocket::new();
    without.control().set_proxy(explicit()).unwrap();
    let e = within(without.connect(&uri("ws", server.port, "/echo"))).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::ProxyAuthenticationRequired, "{e}");

    let ws = MessageWebSocket::new();
    ws.control().set_proxy(explicit()).unwrap();
    ws.control()
        .set_proxy_credential(Some(PasswordCredential::with_fields("", "pxuser", "pxpass").unwrap()))
        .unwrap();
    let mut w = wire(ws);
    within(w.ws.connect(&uri("ws", server.port, "/echo"))).await.unwrap();
    send(&w.ws, SocketMessageType::Binary, b"tunnelled").await;
    assert_eq!(next_message(&mut w).await.unwrap().1, b"tunnelled");
    assert_eq!(w.ws.information().local_address().unwrap().canonical_name(), "127.0.0.1");

    let tls = tls_server();
    let secure = MessageWebSocket::new();
    trusting_ca(&secure);
    secure.control().set_proxy(explicit()).unwrap();
    secure
        .control()
        .set_proxy_credential(Some(PasswordCredential::with_fields("", "pxuser", "pxpass").unwrap()))
        .unwrap();
    within(secure.connect(&Uri::new(&format!("wss://localhost:{}/echo", tls.port)).unwrap())).await.unwrap();
    assert!(secure.information().server_certificate().is_some());
}

#[tokio::test]
async fn wss_through_nginx_with_auth_basic() {
    let pki = Pki::get();
    let upstream = ws_server(&[]);
    let nginx =
        nginx_tls_proxy(&pki.path("leaf.pem"), &pki.path("leaf.key"), upstream.port, "bob", "hunter2");
    let target = Uri::new(&format!("wss://localhost:{}/echo", nginx.port)).unwrap();

    let anonymous = direct();
    trusting_ca(&anonymous);
    let e = within(anonymous.connect(&target)).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::Unauthorized, "{e}");

    let ws = direct();
    trusting_ca(&ws);
    ws.control()
        .set_server_credential(Some(PasswordCredential::with_fields("", "bob", "hunter2").unwrap()))
        .unwrap();
    let mut w = wire(ws);
    within(w.ws.connect(&target)).await.unwrap();
    send(&w.ws, SocketMessageType::Utf8, b"via nginx").await;
    assert_eq!(next_message(&mut w).await.unwrap().1, b"via nginx");
}

#[tokio::test]
async fn stream_web_socket_reads_and_writes_bytes() {
    let server = ws_server(&[]);
    let ws = StreamWebSocket::new();
    ws.control().set_proxy(ProxyChoice::Direct).unwrap();
    within(ws.connect(&uri("ws", server.port, "/echo"))).await.unwrap();
    within(ws.output_stream().write(b"stream bytes")).await.unwrap();
    let mut got = Vec::new();
    let input = ws.input_stream();
    while got.len() < 12 {
        let chunk = within(input.read(5, InputStreamOptions::Partial)).await.unwrap();
        assert!(!chunk.is_empty());
        got.extend(chunk);
    }
    assert_eq!(got, b"stream bytes");
    ws.close_with_status(1000, "bye").unwrap();
    server.wait_for_output("CLOSED 1000 bye");
    assert_eq!(within(ws.output_stream().write(b"late")).await.unwrap_err().hresult(), RO_E_CLOSED);
}

#[tokio::test]
async fn stream_web_socket_answers_pings_and_sees_the_close_without_a_read() {
    let server = ws_server(&[]);
    let ws = StreamWebSocket::new();
    ws.control().set_proxy(ProxyChoice::Direct).unwrap();
    let (tx, mut closed) = mpsc::unbounded_channel();
    ws.add_closed(Arc::new(move |_s, args: &WebSocketClosedEventArgs| {
        let _ = tx.send((args.code(), args.reason().to_string()));
    }))
    .unwrap();
    within(ws.connect(&uri("ws", server.port, "/ping-close"))).await.unwrap();
    // No read is pending: the server closes only after its ping was answered.
    assert_eq!(within(closed.recv()).await.unwrap(), (4001, "after pong".to_string()));
    // What arrived before the close frame is still there to read, then the end.
    let input = ws.input_stream();
    assert_eq!(within(input.read(16, InputStreamOptions::Partial)).await.unwrap(), b"data");
    assert!(within(input.read(16, InputStreamOptions::Partial)).await.unwrap().is_empty());
}

/// Refused without a credential and with a wrong password, echoes with the right one.
async fn digest_server_auth(server: &str) {
    let upstream = ws_server(&[]);
    let peer = util::web_peers::digest_server(server, upstream.port, "netrt digest", "carol", "p@ss word");
    let target = uri("ws", peer.port, "/echo");
    let e = within(direct().connect(&target)).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::Unauthorized, "{e}");

    let ws = direct();
    ws.control()
        .set_server_credential(Some(PasswordCredential::with_fields("", "carol", "p@ss word").unwrap()))
        .unwrap();
    let mut w = wire(ws);
    within(w.ws.connect(&target)).await.unwrap();
    send(&w.ws, SocketMessageType::Binary, b"digest").await;
    assert_eq!(next_message(&mut w).await.unwrap().1, b"digest");

    let wrong = direct();
    wrong
        .control()
        .set_server_credential(Some(PasswordCredential::with_fields("", "carol", "nope").unwrap()))
        .unwrap();
    let e = within(wrong.connect(&target)).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::Unauthorized, "{e}");
}

#[tokio::test]
async fn digest_md5_against_apache_mod_auth_digest() {
    digest_server_auth("apache").await;
}

#[tokio::test]
async fn digest_sha256_against_lighttpd() {
    digest_server_auth("lighttpd").await;
}

#[tokio::test]
async fn proxy_digest_against_squid() {
    let server = ws_server(&[]);
    let squid = util::web_peers::digest_server("squid", 0, "netrt proxy", "erin", "pr0xy");
    let proxy = Proxy::parse(&format!("http://127.0.0.1:{}", squid.port)).unwrap();
    let through_squid = |credential: Option<(&str, &str)>| {
        let ws = MessageWebSocket::new();
        ws.control().set_proxy(ProxyChoice::Explicit(proxy.clone())).unwrap();
        if let Some((user, password)) = credential {
            let credential = PasswordCredential::with_fields("", user, password).unwrap();
            ws.control().set_proxy_credential(Some(credential)).unwrap();
        }
        ws
    };
    let target = uri("ws", server.port, "/echo");
    let e = within(through_squid(None).connect(&target)).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::ProxyAuthenticationRequired, "{e}");
    let e = within(through_squid(Some(("erin", "wrong"))).connect(&target)).await.unwrap_err();
    assert_eq!(e.web_error_status(), WebErrorStatus::ProxyAuthenticationRequired, "{e}");

    let mut w = wire(through_squid(Some(("erin", "pr0xy"))));
    within(w.ws.connect(&target)).await.unwrap();
    send(&w.ws, SocketMessageType::Utf8, b"via squid").await;
    assert_eq!(next_message(&mut w).await.unwrap().1, b"via squid");
    // squid logs a tunnel when it ends.
    w.ws.close();
    squid.wait_for_output("TCP_TUNNEL/200 ");
    assert!(
        squid.output().contains(&format!("CONNECT 127.0.0.1:{} erin", server.port)),
        "{}",
        squid.output()
    );
}

#[tokio::test]
async fn unsolicited_pongs_at_the_desired_interval() {
    let server = ws_server(&["--log-frames"]);
    let ws = direct();
    let interval = TimeSpan::from_millis(100);
    ws.control().set_desired_unsolicited_pong_interval(interval).unwrap();
    assert_eq!(ws.control().actual_unsolicited_pong_interval(), TimeSpan::ZERO);
    within(ws.connect(&uri("ws", server.port, "/echo"))).await.unwrap();
    assert_eq!(ws.control().actual_unsolicited_pong_interval(), interval);
    server.wait_for_output("< PONG");
    let e = ws.control().set_desired_unsolicited_pong_interval(TimeSpan::from_secs(1)).unwrap_err();
    assert_eq!(e.hresult(), E_ILLEGAL_METHOD_CALL);
}

#[tokio::test]
async fn output_stream_state_errors_and_release_closes() {
    let server = ws_server(&[]);
    let ws = direct();
    assert_eq!(within(ws.output_stream().flush()).await.unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
    assert_eq!(within(ws.output_stream().write(b"x")).await.unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
    within(ws.connect(&uri("ws", server.port, "/echo"))).await.unwrap();
    assert!(within(ws.output_stream().flush()).await.unwrap());
    // Releasing the last reference closes the socket: an empty close frame (the server sees 1005).
    drop(ws);
    server.wait_for_output("CLOSED 1005");
}

#[tokio::test]
async fn close_while_connecting_abandons_the_handshake() {
    let server = ws_server(&["--silent"]);
    let ws = direct();
    let connecting = tokio::spawn({
        let ws = ws.clone();
        let target = uri("ws", server.port, "/");
        async move { ws.connect(&target).await }
    });
    // The silent server accepts TCP; wait until the handshake request is out.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    ws.close();
    // The default HandshakeTimeout is 60 s: only Close can end this within the step bound.
    let e = within(connecting).await.unwrap().unwrap_err();
    assert_eq!(e.hresult(), E_OPERATION_ABORTED, "{e}");
    assert_eq!(within(ws.connect(&uri("ws", server.port, "/"))).await.unwrap_err().hresult(), RO_E_CLOSED);
}
