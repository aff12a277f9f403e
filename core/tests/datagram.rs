//! DatagramSocket over real loopback UDP.

mod util;

use std::net::UdpSocket as StdUdp;
use std::sync::Arc;
use std::time::Duration;

use netrt::HostName;
use netrt::error::hresult::*;
use netrt::net::DatagramSocket;
use tokio::sync::mpsc;
use util::within;

fn loopback() -> HostName {
    HostName::new("127.0.0.1").unwrap()
}

/// A bound netrt socket whose messages arrive on a channel as (data, remote address, port).
async fn receiver() -> (DatagramSocket, u16, mpsc::UnboundedReceiver<(Vec<u8>, String, String)>) {
    let sock = DatagramSocket::new();
    let (tx, rx) = mpsc::unbounded_channel();
    sock.add_message_received(Arc::new(move |_s, args| {
        let reader = args.get_data_reader();
        let mut data = vec![0u8; reader.unconsumed_buffer_length().unwrap() as usize];
        reader.read_bytes(&mut data).unwrap();
        let _ = tx.send((data, args.remote_address().canonical_name().to_string(), args.remote_port()));
    }))
    .expect("the object is open");
    within(sock.bind_endpoint(Some(&loopback()), "")).await.unwrap();
    let port = sock.information().local_port().parse().unwrap();
    (sock, port, rx)
}

#[tokio::test(flavor = "multi_thread")]
async fn message_received_reports_data_and_remote_endpoint() {
    let (_sock, port, mut rx) = receiver().await;
    let peer = StdUdp::bind("127.0.0.1:0").unwrap();
    peer.send_to(b"datagram one", ("127.0.0.1", port)).unwrap();
    let (data, addr, rport) = within(rx.recv()).await.unwrap();
    assert_eq!(data, b"datagram one");
    assert_eq!(addr, "127.0.0.1");
    assert_eq!(rport, peer.local_addr().unwrap().port().to_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn udp_echo_between_two_netrt_sockets() {
    let (server, server_port, mut server_rx) = receiver().await;
    let (client, client_port, mut client_rx) = receiver().await;
    let out = within(client.get_output_stream(&loopback(), &server_port.to_string())).await.unwrap();
    within(out.write(b"ping")).await.unwrap();
    let (data, _, from_port) = within(server_rx.recv()).await.unwrap();
    assert_eq!(data, b"ping");
    assert_eq!(from_port, client_port.to_string());
    let back = within(server.get_output_stream(&loopback(), &from_port)).await.unwrap();
    within(back.write(b"pong")).await.unwrap();
    let (data, _, _) = within(client_rx.recv()).await.unwrap();
    assert_eq!(data, b"pong");
}

#[tokio::test(flavor = "multi_thread")]
async fn connected_socket_sends_on_output_stream_and_reports_remote() {
    let peer = StdUdp::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let port = peer.local_addr().unwrap().port();
    let sock = DatagramSocket::new();
    within(sock.connect(&loopback(), &port.to_string())).await.unwrap();
    assert_eq!(sock.information().remote_port(), port.to_string());
    let out = sock.output_stream();
    within(out.write(b"one")).await.unwrap();
    within(out.write(b"two")).await.unwrap();
    let mut buf = [0u8; 16];
    let (n, _) = peer.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"one", "each write is one datagram");
    let (n, _) = peer.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"two");
}

#[tokio::test(flavor = "multi_thread")]
async fn output_stream_of_unconnected_socket_is_illegal() {
    let sock = DatagramSocket::new();
    let err = within(sock.output_stream().write(b"x")).await.unwrap_err();
    assert_eq!(err.hresult(), E_ILLEGAL_METHOD_CALL);
}

#[tokio::test(flavor = "multi_thread")]
async fn oversize_datagram_is_message_too_long() {
    let sock = DatagramSocket::new();
    let out = within(sock.get_output_stream(&loopback(), "9")).await.unwrap();
    let err = within(out.write(&vec![0u8; 70_000])).await.unwrap_err();
    assert_eq!(err.hresult(), hr(0x80072738), "{err}");
    assert_eq!(err.socket_error_status(), netrt::error::SocketErrorStatus::MessageTooLong);
}

#[tokio::test(flavor = "multi_thread")]
async fn bind_twice_and_port_in_use() {
    let (sock, port, _rx) = receiver().await;
    let err = within(sock.bind_service_name("")).await.unwrap_err();
    assert_eq!(err.hresult(), E_ILLEGAL_METHOD_CALL);
    let other = DatagramSocket::new();
    let err = within(other.bind_endpoint(Some(&loopback()), &port.to_string())).await.unwrap_err();
    assert_eq!(err.hresult(), hr(0x80072740), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn control_is_frozen_after_bind_except_hop_limit() {
    let sock = DatagramSocket::new();
    let c = sock.control();
    c.set_dont_fragment(true).unwrap();
    c.set_inbound_buffer_size_in_bytes(256 * 1024).unwrap();
    within(sock.bind_service_name("")).await.unwrap();
    assert_eq!(c.set_multicast_only(true).unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
    c.set_outbound_unicast_hop_limit(9).unwrap();
    assert_eq!(c.outbound_unicast_hop_limit(), 9);
}

#[tokio::test(flavor = "multi_thread")]
async fn join_multicast_group_validates_and_joins() {
    let sock = DatagramSocket::new();
    let group = HostName::new("239.255.42.99").unwrap();
    assert_eq!(sock.join_multicast_group(&group).unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
    within(sock.bind_service_name("")).await.unwrap();
    assert_eq!(sock.join_multicast_group(&loopback()).unwrap_err().hresult(), E_INVALIDARG);
    // Joining needs a multicast-capable interface; loopback-only sandboxes lack one.
    if let Err(e) = sock.join_multicast_group(&group) {
        assert_eq!(e.errno(), Some(libc::ENODEV), "{e}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn close_stops_events_and_fails_later_calls() {
    let (sock, port, mut rx) = receiver().await;
    sock.close();
    let peer = StdUdp::bind("127.0.0.1:0").unwrap();
    let _ = peer.send_to(b"late", ("127.0.0.1", port));
    assert!(
        tokio::time::timeout(Duration::from_millis(200), rx.recv())
            .await
            .map(|m| m.is_none())
            .unwrap_or(true)
    );
    assert_eq!(within(sock.bind_service_name("")).await.unwrap_err().hresult(), RO_E_CLOSED);
}
