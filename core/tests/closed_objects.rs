//! The closed-object rule (docs/handles.md), over every public member of `StreamSocket`,
//! `StreamSocketListener`, `DatagramSocket` and their `Control` and `Information` (and, for
//! never-connected WebSockets, their event adds and control vectors):
//! after `close()`, every method and every setter fails with `RO_E_CLOSED` (event adds
//! included; removing a handler and closing again stay `Ok`); every getter keeps answering
//! with the value it had before the close; streams, DataReaders and DataWriters obtained from
//! a closed socket fail their operations with `RO_E_CLOSED`.

mod common;
mod util;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use common::pki::Pki;
use netrt::error::hresult::RO_E_CLOSED;
use netrt::foundation::TimeSpan;
use netrt::io::InputStreamOptions;
use netrt::net::{
    DatagramSocket, SocketProtectionLevel as Level, SocketQualityOfService, StreamSocket,
    StreamSocketListener,
};
use netrt::tls::{Certificate, ChainValidationResult, ClientCertificateMode};
use netrt::ws::{MessageWebSocket, StreamWebSocket};
use netrt::{DataReader, DataWriter, EndpointPair, HostName};
use tokio::sync::mpsc;
use util::within;

type Call<'a> = (&'static str, Pin<Box<dyn Future<Output = netrt::Result<()>> + 'a>>);

/// A table row for a synchronous call.
fn now<'a>(name: &'static str, r: netrt::Result<()>) -> Call<'a> {
    (name, Box::pin(async move { r }))
}

/// A table row for an asynchronous call (its result mapped to `()`).
fn later<'a, T: 'a>(name: &'static str, f: impl Future<Output = netrt::Result<T>> + 'a) -> Call<'a> {
    (name, Box::pin(async move { f.await.map(drop) }))
}

/// Runs every row and asserts each failed with `RO_E_CLOSED`.
async fn assert_all_closed(calls: Vec<Call<'_>>) {
    let mut wrong = Vec::new();
    for (name, call) in calls {
        match within(call).await {
            Err(e) if e.hresult() == RO_E_CLOSED => {}
            other => wrong.push(format!("{name}: {:?}", other.map_err(|e| format!("0x{:08X}", e.hresult())))),
        }
    }
    assert!(wrong.is_empty(), "members that do not fail with RO_E_CLOSED after close:\n{}", wrong.join("\n"));
}

/// Asserts every getter answers as it did before the close.
fn assert_same(before: Vec<(&'static str, String)>, after: Vec<(&'static str, String)>) {
    assert_eq!(before.len(), after.len());
    for ((name, b), (_, a)) in before.iter().zip(&after) {
        assert_eq!(a, b, "getter {name} changed after close");
    }
}

fn loopback() -> HostName {
    HostName::new("127.0.0.1").unwrap()
}

fn cert(name: &str) -> Certificate {
    let pki = Pki::get();
    Certificate::from_pem(&pki.pem(name), Some(&pki.key(name))).unwrap()
}

fn ca() -> Certificate {
    Certificate::from_pem(&Pki::get().pem("ca"), None).unwrap()
}

fn host_text(h: Option<HostName>) -> String {
    h.map(|h| h.canonical_name().to_string()).unwrap_or_default()
}

fn cert_text(c: Option<Certificate>) -> String {
    c.map(|c| c.subject().to_string()).unwrap_or_default()
}

fn stream_control_getters(s: &StreamSocket) -> Vec<(&'static str, String)> {
    let c = s.control();
    vec![
        ("NoDelay", format!("{}", c.no_delay())),
        ("KeepAlive", format!("{}", c.keep_alive())),
        ("OutboundBufferSizeInBytes", format!("{}", c.outbound_buffer_size_in_bytes())),
        ("QualityOfService", format!("{:?}", c.quality_of_service())),
        ("OutboundUnicastHopLimit", format!("{}", c.outbound_unicast_hop_limit())),
        ("SerializeConnectionAttempts", format!("{}", c.serialize_connection_attempts())),
        ("ConnectTimeout", format!("{:?}", c.connect_timeout().duration)),
        ("TlsHandshakeTimeout", format!("{:?}", c.tls_handshake_timeout().duration)),
        ("ClientCertificate", cert_text(c.client_certificate())),
        (
            "IgnorableServerCertificateErrors",
            format!("{:?}", c.ignorable_server_certificate_errors().to_vec()),
        ),
        ("MinProtectionLevel", format!("{:?}", c.min_protection_level())),
        ("TrustedRootCertificates", format!("{}", c.trusted_root_certificates().size())),
        ("ApplicationProtocols", format!("{:?}", c.application_protocols().to_vec())),
        ("CertificateRevocationLists", format!("{}", c.certificate_revocation_lists().size())),
    ]
}

fn stream_information_getters(s: &StreamSocket) -> Vec<(&'static str, String)> {
    let i = s.information();
    vec![
        ("LocalAddress", host_text(i.local_address())),
        ("LocalPort", i.local_port()),
        ("RemoteAddress", host_text(i.remote_address())),
        ("RemotePort", i.remote_port()),
        ("RemoteHostName", host_text(i.remote_host_name())),
        ("RemoteServiceName", i.remote_service_name()),
        ("ProtectionLevel", format!("{:?}", i.protection_level())),
        ("ServerCertificate", cert_text(i.server_certificate())),
        ("ServerIntermediateCertificates", format!("{}", i.server_intermediate_certificates().len())),
        ("ServerCertificateErrors", format!("{:?}", i.server_certificate_errors())),
        ("ServerCertificateErrorSeverity", format!("{:?}", i.server_certificate_error_severity())),
        ("ClientCertificate", cert_text(i.client_certificate())),
        ("NegotiatedTlsVersion", format!("{:?}", i.negotiated_tls_version())),
        ("CipherSuite", i.cipher_suite()),
        ("ApplicationProtocol", format!("{:?}", i.application_protocol())),
        ("ServerName", format!("{:?}", i.server_name())),
    ]
}

/// A TLS 1.2 connection to a netrt TLS listener: (client, accepted socket, listener).
async fn tls_pair() -> (StreamSocket, StreamSocket, StreamSocketListener) {
    let listener = StreamSocketListener::new();
    listener.control().set_server_certificate(Some(cert("leaf"))).unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    listener
        .add_connection_received(Arc::new(move |_l, args| {
            let _ = tx.send(args.socket());
        }))
        .unwrap();
    within(listener.bind_service_name_with_protection_level("", Level::Tls12)).await.unwrap();
    let port = listener.information().local_port();
    let client = StreamSocket::new();
    client.control().set_trusted_root_certificates(vec![ca()]).unwrap();
    client.control().set_application_protocols(vec!["x-netrt".into()]).unwrap();
    within(client.connect_with_protection_level(&HostName::new("localhost").unwrap(), &port, Level::Tls12))
        .await
        .unwrap();
    let accepted = within(rx.recv()).await.unwrap();
    (client, accepted, listener)
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_stream_socket_fails_every_call_and_keeps_every_getter() {
    let (client, _accepted, _listener) = tls_pair().await;
    let input = client.input_stream();
    let output = client.output_stream();
    let reader = DataReader::new(client.input_stream());
    let writer = DataWriter::with_stream(client.output_stream());
    let control_before = stream_control_getters(&client);
    let information_before = stream_information_getters(&client);
    assert_ne!(information_before[13].1, "", "a cipher suite before close");

    client.close();
    client.close(); // idempotent

    assert_same(control_before, stream_control_getters(&client));
    assert_same(information_before, stream_information_getters(&client));
    let info = client.information();
    info.round_trip_time_statistics().expect("RoundTripTimeStatistics after close");
    info.bandwidth_statistics().expect("BandwidthStatistics after close");

    let host = loopback();
    let pair = EndpointPair::new(None, "", Some(loopback()), "1");
    let server_cert = cert("leaf");
    let c = client.control();
    let mut buf = [0u8; 4];
    let mut buf2 = [0u8; 4];
    let mut read_into = Vec::new();
    let calls: Vec<Call<'_>> = vec![
        later("ConnectAsync", client.connect(&host, "1")),
        later("ConnectAsync(level)", client.connect_with_protection_level(&host, "1", Level::Tls12)),
        later("ConnectAsync(pair)", client.connect_with_endpoint_pair(&pair)),
        later(
            "ConnectAsync(pair, level)",
            client.connect_with_endpoint_pair_and_protection_level(&pair, Level::PlainSocket),
        ),
        later("CancelIOAsync", client.cancel_io()),
        later("UpgradeToSslAsync", client.upgrade_to_ssl(Level::Tls12, &host)),
        later("UpgradeToSslAsServerAsync", client.upgrade_to_ssl_as_server(Level::Tls12, &server_cert)),
        later("read_some", client.read_some(&mut buf)),
        later("write_all", client.write_all(b"x")),
        now("Control.NoDelay", c.set_no_delay(false)),
        now("Control.KeepAlive", c.set_keep_alive(true)),
        now("Control.OutboundBufferSizeInBytes", c.set_outbound_buffer_size_in_bytes(4096)),
        now("Control.QualityOfService", c.set_quality_of_service(SocketQualityOfService::LowLatency)),
        now("Control.OutboundUnicastHopLimit", c.set_outbound_unicast_hop_limit(64)),
        now("Control.SerializeConnectionAttempts", c.set_serialize_connection_attempts(true)),
        now("Control.ConnectTimeout", c.set_connect_timeout(TimeSpan::from_secs(1))),
        now("Control.TlsHandshakeTimeout", c.set_tls_handshake_timeout(TimeSpan::from_secs(1))),
        now("Control.ClientCertificate", c.set_client_certificate(None)),
        now(
            "Control.IgnorableServerCertificateErrors",
            c.set_ignorable_server_certificate_errors(vec![ChainValidationResult::Expired]),
        ),
        now(
            "Control.IgnorableServerCertificateErrors.Append",
            c.ignorable_server_certificate_errors().append(ChainValidationResult::Untrusted),
        ),
        now(
            "Control.append_ignorable_server_certificate_error",
            c.append_ignorable_server_certificate_error(ChainValidationResult::WrongUsage),
        ),
        now("Control.MinProtectionLevel", c.set_min_protection_level(Level::Tls12)),
        now("Control.TrustedRootCertificates", c.set_trusted_root_certificates(vec![])),
        now("Control.TrustedRootCertificates.Append", c.trusted_root_certificates().append(ca())),
        now("Control.ApplicationProtocols", c.set_application_protocols(vec!["h2".into()])),
        now("Control.ApplicationProtocols.Clear", c.application_protocols().clear()),
        now("Control.CertificateRevocationLists", c.set_certificate_revocation_lists(vec![])),
        later("InputStream.ReadAsync", input.read(4, InputStreamOptions::Partial)),
        later("InputStream.read_some", input.read_some(&mut buf2)),
        later("InputStream.read_into", input.read_into(&mut read_into, 4, InputStreamOptions::Partial)),
        later("OutputStream.WriteAsync", output.write(b"x")),
        later("OutputStream.FlushAsync", output.flush()),
        later("DataReader.LoadAsync", reader.load(1)),
        later("DataWriter.StoreAsync", async {
            writer.write_bytes(b"x")?;
            writer.store().await
        }),
        later("DataWriter.FlushAsync", writer.flush()),
    ];
    assert_all_closed(calls).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn never_connected_stream_socket_answers_statistics_with_zeros_after_close() {
    let socket = StreamSocket::new();
    socket.close();
    let info = socket.information();
    assert_eq!(info.round_trip_time_statistics().unwrap(), Default::default());
    assert_eq!(info.bandwidth_statistics().unwrap(), Default::default());
    assert_eq!(info.local_port(), "");
    assert_eq!(within(socket.cancel_io()).await.unwrap_err().hresult(), RO_E_CLOSED);
}

fn listener_getters(l: &StreamSocketListener) -> Vec<(&'static str, String)> {
    let c = l.control();
    vec![
        ("Information.LocalPort", l.information().local_port()),
        ("local_address", format!("{:?}", l.local_address())),
        ("Control.NoDelay", format!("{}", c.no_delay())),
        ("Control.KeepAlive", format!("{}", c.keep_alive())),
        ("Control.OutboundBufferSizeInBytes", format!("{}", c.outbound_buffer_size_in_bytes())),
        ("Control.QualityOfService", format!("{:?}", c.quality_of_service())),
        ("Control.OutboundUnicastHopLimit", format!("{}", c.outbound_unicast_hop_limit())),
        ("Control.ServerCertificate", cert_text(c.server_certificate())),
        ("Control.ClientCertificateMode", format!("{:?}", c.client_certificate_mode())),
        ("Control.TrustedRootCertificates", format!("{}", c.trusted_root_certificates().size())),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_listener_fails_every_call_and_keeps_every_getter() {
    let (_client, _accepted, listener) = tls_pair().await;
    let (closed_tx, mut closed_rx) = mpsc::unbounded_channel();
    listener
        .add_connection_received_until_closed(
            Arc::new(|_l, _args| {}),
            Box::new(move || {
                let _ = closed_tx.send(());
            }),
        )
        .unwrap();
    let before = listener_getters(&listener);
    assert_ne!(before[0].1, "", "a port before close");

    listener.close();
    listener.close();
    within(closed_rx.recv()).await.expect("the closed callback ran");

    assert_same(before, listener_getters(&listener));
    let host = loopback();
    let c = listener.control();
    listener.remove_connection_received(12345); // removing stays harmless
    let calls: Vec<Call<'_>> = vec![
        later("BindServiceNameAsync", listener.bind_service_name("")),
        later(
            "BindServiceNameAsync(level)",
            listener.bind_service_name_with_protection_level("", Level::Tls12),
        ),
        later("BindEndpointAsync", listener.bind_endpoint(Some(&host), "")),
        later("BindEndpointAsync(None)", listener.bind_endpoint(None, "")),
        later("CancelIOAsync", listener.cancel_io()),
        now("ConnectionReceived.add", listener.add_connection_received(Arc::new(|_l, _a| {})).map(drop)),
        now(
            "add_connection_received_until_closed",
            listener.add_connection_received_until_closed(Arc::new(|_l, _a| {}), Box::new(|| {})).map(drop),
        ),
        now("Control.NoDelay", c.set_no_delay(false)),
        now("Control.KeepAlive", c.set_keep_alive(true)),
        now("Control.OutboundBufferSizeInBytes", c.set_outbound_buffer_size_in_bytes(4096)),
        now("Control.QualityOfService", c.set_quality_of_service(SocketQualityOfService::LowLatency)),
        now("Control.OutboundUnicastHopLimit", c.set_outbound_unicast_hop_limit(64)),
        now("Control.ServerCertificate", c.set_server_certificate(None)),
        now("Control.ClientCertificateMode", c.set_client_certificate_mode(ClientCertificateMode::Optional)),
        now("Control.TrustedRootCertificates", c.set_trusted_root_certificates(vec![])),
        now("Control.TrustedRootCertificates.Append", c.trusted_root_certificates().append(ca())),
    ];
    assert_all_closed(calls).await;
}

fn datagram_getters(s: &DatagramSocket) -> Vec<(&'static str, String)> {
    let c = s.control();
    let i = s.information();
    vec![
        ("Information.LocalAddress", host_text(i.local_address())),
        ("Information.LocalPort", i.local_port()),
        ("Information.RemoteAddress", host_text(i.remote_address())),
        ("Information.RemotePort", i.remote_port()),
        ("Control.DontFragment", format!("{}", c.dont_fragment())),
        ("Control.InboundBufferSizeInBytes", format!("{}", c.inbound_buffer_size_in_bytes())),
        ("Control.MulticastOnly", format!("{}", c.multicast_only())),
        ("Control.QualityOfService", format!("{:?}", c.quality_of_service())),
        ("Control.OutboundUnicastHopLimit", format!("{}", c.outbound_unicast_hop_limit())),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_datagram_socket_fails_every_call_and_keeps_every_getter() {
    let socket = DatagramSocket::new();
    socket.control().set_outbound_unicast_hop_limit(7).unwrap();
    let (closed_tx, mut closed_rx) = mpsc::unbounded_channel();
    socket
        .add_message_received_until_closed(
            Arc::new(|_s, _a| {}),
            Box::new(move || {
                let _ = closed_tx.send(());
            }),
        )
        .unwrap();
    within(socket.connect(&loopback(), "9")).await.unwrap();
    let output = socket.output_stream();
    let to_peer = within(socket.get_output_stream(&loopback(), "9")).await.unwrap();
    let writer = DataWriter::with_stream(socket.output_stream());
    let before = datagram_getters(&socket);
    assert_eq!(before[3].1, "9", "connected before close");

    socket.close();
    socket.close();
    within(closed_rx.recv()).await.expect("the closed callback ran");

    assert_same(before, datagram_getters(&socket));
    let host = loopback();
    let group = HostName::new("239.255.0.1").unwrap();
    let pair = EndpointPair::new(None, "", Some(loopback()), "9");
    let c = socket.control();
    socket.remove_message_received(12345);
    let calls: Vec<Call<'_>> = vec![
        later("BindServiceNameAsync", socket.bind_service_name("")),
        later("BindEndpointAsync", socket.bind_endpoint(Some(&host), "")),
        later("ConnectAsync", socket.connect(&host, "9")),
        later("ConnectAsync(pair)", socket.connect_with_endpoint_pair(&pair)),
        later("GetOutputStreamAsync", socket.get_output_stream(&host, "9")),
        later("GetOutputStreamAsync(pair)", socket.get_output_stream_with_endpoint_pair(&pair)),
        later("send_to", socket.send_to(b"x", None)),
        now("JoinMulticastGroup", socket.join_multicast_group(&group)),
        later("CancelIOAsync", socket.cancel_io()),
        now("MessageReceived.add", socket.add_message_received(Arc::new(|_s, _a| {})).map(drop)),
        now(
            "add_message_received_until_closed",
            socket.add_message_received_until_closed(Arc::new(|_s, _a| {}), Box::new(|| {})).map(drop),
        ),
        now("Control.DontFragment", c.set_dont_fragment(true)),
        now("Control.InboundBufferSizeInBytes", c.set_inbound_buffer_size_in_bytes(4096)),
        now("Control.MulticastOnly", c.set_multicast_only(true)),
        now("Control.QualityOfService", c.set_quality_of_service(SocketQualityOfService::LowLatency)),
        now("Control.OutboundUnicastHopLimit", c.set_outbound_unicast_hop_limit(64)),
        later("OutputStream.WriteAsync", output.write(b"x")),
        later("OutputStream.FlushAsync", output.flush()),
        later("GetOutputStreamAsync stream.WriteAsync", to_peer.write(b"x")),
        later("DataWriter.StoreAsync", async {
            writer.write_bytes(b"x")?;
            writer.store().await
        }),
    ];
    assert_all_closed(calls).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_callback_runs_after_the_events_raised_before_the_close() {
    let socket = DatagramSocket::new();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let ended = tx.clone();
    socket
        .add_message_received_until_closed(
            Arc::new(move |_s, args| {
                let _ = tx.send(Some(args.data().to_vec()));
            }),
            Box::new(move || {
                let _ = ended.send(None);
            }),
        )
        .unwrap();
    within(socket.bind_endpoint(Some(&loopback()), "")).await.unwrap();
    let port = socket.information().local_port();
    let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.send_to(b"one", format!("127.0.0.1:{port}")).unwrap();
    assert_eq!(within(rx.recv()).await.unwrap(), Some(b"one".to_vec()));
    socket.close();
    assert_eq!(within(rx.recv()).await.unwrap(), None, "the close is reported once, last");
}

#[tokio::test(flavor = "multi_thread")]
async fn removed_handler_is_not_told_of_the_close() {
    let listener = StreamSocketListener::new();
    let (tx, mut rx) = mpsc::unbounded_channel::<&str>();
    let removed_tx = tx.clone();
    let token = listener
        .add_connection_received_until_closed(
            Arc::new(|_l, _a| {}),
            Box::new(move || {
                let _ = removed_tx.send("removed");
            }),
        )
        .unwrap();
    listener
        .add_connection_received_until_closed(
            Arc::new(|_l, _a| {}),
            Box::new(move || {
                let _ = tx.send("kept");
            }),
        )
        .unwrap();
    listener.remove_connection_received(token);
    listener.close();
    assert_eq!(within(rx.recv()).await, Some("kept"));
    assert_eq!(within(rx.recv()).await, None, "the removed handler's callback was dropped unrun");
}

#[test]
fn a_control_keeps_its_object_open_when_every_other_reference_is_gone() {
    // Dropping the last reference closes a socket; a Control obtained from it is a reference
    // too (as Information, streams and DatagramSocketControl are), so it does not see it closed.
    let control = StreamSocket::new().control();
    control.set_no_delay(false).expect("the socket lives while its control does");
    let listener_control = StreamSocketListener::new().control();
    listener_control.set_no_delay(false).expect("the listener lives while its control does");
    let datagram_control = DatagramSocket::new().control();
    datagram_control.set_dont_fragment(true).expect("the socket lives while its control does");
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_web_sockets_refuse_handlers_and_control_changes() {
    let message = MessageWebSocket::new();
    let stream = StreamWebSocket::new();
    message.close();
    stream.close();
    let (mc, sc) = (message.control(), stream.control());
    let calls = vec![
        now(
            "MessageWebSocket.add_message_received",
            message.add_message_received(Arc::new(|_s, _a| {})).map(drop),
        ),
        now(
            "MessageWebSocket.add_message_received_until_closed",
            message.add_message_received_until_closed(Arc::new(|_s, _a| {}), Box::new(|| {})).map(drop),
        ),
        now("MessageWebSocket.add_closed", message.add_closed(Arc::new(|_s, _a| {})).map(drop)),
        now(
            "MessageWebSocket.add_server_custom_validation_requested",
            message.add_server_custom_validation_requested(Arc::new(|_s, _a| {})).map(drop),
        ),
        now("StreamWebSocket.add_closed", stream.add_closed(Arc::new(|_s, _a| {})).map(drop)),
        now(
            "StreamWebSocket.add_server_custom_validation_requested",
            stream.add_server_custom_validation_requested(Arc::new(|_s, _a| {})).map(drop),
        ),
        now("MessageWebSocketControl.SupportedProtocols", mc.supported_protocols().append("chat".into())),
        now(
            "MessageWebSocketControl.IgnorableServerCertificateErrors",
            mc.ignorable_server_certificate_errors().append(ChainValidationResult::Expired),
        ),
        now("MessageWebSocketControl.TrustedRootCertificates", mc.trusted_root_certificates().append(ca())),
        now(
            "StreamWebSocketControl.IgnorableServerCertificateErrors",
            sc.ignorable_server_certificate_errors().append(ChainValidationResult::Untrusted),
        ),
        now("StreamWebSocketControl.TrustedRootCertificates", sc.trusted_root_certificates().append(ca())),
    ];
    assert_all_closed(calls).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_subscription_ends_when_the_web_socket_closes() {
    let ws = MessageWebSocket::new();
    let (tx, mut rx) = mpsc::unbounded_channel::<&str>();
    let (kept, ended) = (tx.clone(), tx);
    ws.add_message_received(Arc::new(|_s, _a| {})).unwrap();
    ws.add_message_received_until_closed(
        Arc::new(move |_s, _a| {
            let _ = kept.send("message");
        }),
        Box::new(move || {
            let _ = ended.send("ended");
        }),
    )
    .unwrap();
    ws.close();
    assert_eq!(within(rx.recv()).await, Some("ended"));
    assert_eq!(within(rx.recv()).await, None, "told once, and no message after it");
}
