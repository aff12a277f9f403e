//! The socket broker end to end, with real processes on loopback: an app hands a connection to
//! netrt-brokerd and exits; the peer's traffic (or hang-up, or the keep-alive time) makes the
//! broker start the registered task, which reclaims the socket and reads every byte.

mod common;

use std::time::Duration;

use common::*;
use netrt::broker::{
    SocketActivityContext, SocketActivityInformation, SocketActivityKind, SocketActivityTriggerReason,
};
use netrt::error::hresult;
use netrt::foundation::TimeSpan;
use netrt::net::{DatagramSocket, StreamSocketListener};

/// Rounds of the hand-off test (`make soak-broker` runs 1,000).
fn rounds() -> usize {
    std::env::var("NETRT_BROKER_SOAK_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(24)
}

#[test]
fn a_transferred_socket_wakes_a_spawned_task_that_reads_every_byte() {
    daemon();
    let (task, _reports) = register_task("handoff");
    let (listener, port) = peer_listener();
    let task_id = task.task_id().to_string();
    for round in 0..rounds() {
        let size = (bytes(round as u64 + 7, 4).iter().map(|b| *b as usize).sum::<usize>() * 97) % 200_000 + 1;
        let id = format!("handoff-{round}");
        let app = std::process::Command::new(broker_task())
            .args(["transfer", &port, &task_id, &id, &size.to_string()])
            .spawn()
            .expect("start the app");
        let (peer, _) = listener.accept().expect("the app connects");
        let status = app.wait_with_output().expect("the app exits").status;
        assert!(status.success(), "round {round}: the app failed: {status}");
        // The app is gone; only the broker holds the connection now.
        let data = bytes(round as u64, size);
        write_all(&peer, &data);
        let answer = read_line(&peer);
        assert_eq!(
            answer,
            format!("ok {size} {:016x}\n", fnv1a(&data)),
            "round {round}; broker log:\n{}",
            log_tail()
        );
        assert!(read_to_end(&peer).is_empty(), "round {round}: the task closes after its answer");
    }
    task.unregister(false).expect("unregister");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_hang_up_activates_the_task_with_socket_closed() {
    daemon();
    let (task, reports) = register_task("closed");
    let (listener, port) = peer_listener();
    let socket = transferable(task.task_id(), &port).await;
    let (peer, _) = listener.accept().unwrap();
    socket.transfer_ownership("closed-1").expect("transfer");
    drop(peer);
    let report = wait_report(&reports, "closed-1");
    assert_eq!(report, format!("SocketClosed StreamSocket {}\n", task.task_id()));
    task.unregister(false).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keep_alive_time_activates_the_task_with_keep_alive_timer_expired() {
    daemon();
    let (task, reports) = register_task("keepalive");
    let (listener, port) = peer_listener();
    let socket = transferable(task.task_id(), &port).await;
    let (_peer, _) = listener.accept().unwrap();
    let context = SocketActivityContext::new(b"k");
    socket
        .transfer_ownership_with_context_and_keep_alive_time(
            "keepalive-1",
            &context,
            TimeSpan::from_millis(200),
        )
        .expect("transfer");
    let report = wait_report(&reports, "keepalive-1");
    assert_eq!(report, format!("KeepAliveTimerExpired StreamSocket {}\n", task.task_id()));
    task.unregister(false).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscribed_running_instance_is_notified_instead_of_a_spawn() {
    daemon();
    let (task, reports) = register_task("subscribed");
    let subscription = task.subscribe().expect("subscribe");
    let (listener, port) = peer_listener();
    let socket = transferable(task.task_id(), &port).await;
    let (peer, _) = listener.accept().unwrap();
    socket.transfer_ownership_with_context("sub-1", &SocketActivityContext::new(b"ctx")).expect("transfer");
    assert_eq!(socket.read_some(&mut [0u8; 1]).await.unwrap_err().hresult(), hresult::RO_E_CLOSED);
    write_all(&peer, b"hello while away");
    let instance =
        tokio::task::spawn_blocking(move || subscription.next_activation(Some(Duration::from_secs(30))))
            .await
            .unwrap()
            .expect("the subscription")
            .expect("an activation within 30 s");
    let details = instance.trigger_details().socket_activity().unwrap();
    assert_eq!(details.reason(), SocketActivityTriggerReason::SocketActivity);
    let info = details.socket_information();
    assert_eq!(
        (info.id(), info.task_id(), info.context().data().to_vec()),
        ("sub-1".into(), task.task_id(), b"ctx".to_vec())
    );
    let back = info.stream_socket().expect("reclaim");
    let mut buf = [0u8; 64];
    let n = back.read_some(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"hello while away");
    assert!(!reports.join("sub-1").exists(), "the command was started although an instance subscribed");
    task.unregister(false).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_sockets_lists_what_is_held_with_its_context_and_reclaims_it() {
    daemon();
    let (task, _) = register_task("allsockets");
    let (listener, port) = peer_listener();
    let mut peers = Vec::new();
    for (id, ctx) in [("all-a", &b"first"[..]), ("all-b", &[0u8, 255, 7][..])] {
        let socket = transferable(task.task_id(), &port).await;
        peers.push(listener.accept().unwrap().0);
        socket.transfer_ownership_with_context(id, &SocketActivityContext::new(ctx)).unwrap();
    }
    let all = SocketActivityInformation::all_sockets().expect("AllSockets");
    for (id, ctx) in [("all-a", &b"first"[..]), ("all-b", &[0u8, 255, 7][..])] {
        let info = &all[id];
        assert_eq!(info.socket_kind(), SocketActivityKind::StreamSocket);
        assert_eq!(info.task_id(), task.task_id());
        assert_eq!(info.context().data(), ctx);
    }
    let a = all["all-a"].stream_socket().expect("reclaim");
    assert!(a.ptr_eq(&all["all-a"].stream_socket().unwrap()), "a second read returns the same socket");
    a.write_all(b"back").await.unwrap();
    let mut got = [0u8; 4];
    std::io::Read::read_exact(&mut &peers[0], &mut got).unwrap();
    assert_eq!(&got, b"back");
    let again = SocketActivityInformation::all_sockets().unwrap();
    assert!(!again.contains_key("all-a") && again.contains_key("all-b"));
    again["all-b"].stream_socket().expect("reclaim b");
    let stale = all["all-b"].stream_socket().expect_err("b was reclaimed through another information");
    assert_eq!(stale.hresult(), hresult::E_NOT_FOUND, "{stale}");
    task.unregister(false).unwrap();
}

/// Waits (off the runtime's workers) for the subscription's next activation.
async fn next_activation(
    subscription: netrt::broker::ActivationSubscription,
) -> netrt::broker::BackgroundTaskInstance {
    tokio::task::spawn_blocking(move || subscription.next_activation(Some(Duration::from_secs(30))))
        .await
        .unwrap()
        .expect("the subscription")
        .expect("an activation within 30 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transferred_listener_wakes_the_task_with_connection_accepted_and_serves_it() {
    daemon();
    let (task, _) = register_task("listener");
    let subscription = task.subscribe().unwrap();
    let listener = StreamSocketListener::new();
    listener.enable_transfer_ownership(task.task_id()).unwrap();
    listener.bind_service_name("").await.unwrap();
    let port = listener.information().local_port();
    listener.transfer_ownership_with_context("listener-1", &SocketActivityContext::new(b"L")).unwrap();
    let client = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    let details = next_activation(subscription).await.trigger_details().socket_activity().unwrap();
    assert_eq!(details.reason(), SocketActivityTriggerReason::ConnectionAccepted);
    let info = details.socket_information();
    assert_eq!(info.socket_kind(), SocketActivityKind::StreamSocketListener);
    let wrong = info.stream_socket().unwrap_err();
    assert_eq!(wrong.hresult(), hresult::E_ILLEGAL_METHOD_CALL, "{wrong}");
    let back = info.stream_socket_listener().expect("reclaim the listener");
    assert_eq!(back.information().local_port(), port);
    // The connection that woke the app waited for the handler.
    back.add_connection_received(std::sync::Arc::new(|_, args| {
        let socket = args.socket();
        netrt::runtime::handle().spawn(async move {
            socket.write_all(b"served").await.unwrap();
            socket.close();
        });
    }))
    .unwrap();
    assert_eq!(read_to_end(&client), b"served");
    task.unregister(false).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transferred_datagram_socket_wakes_the_task_and_keeps_the_datagram() {
    daemon();
    let (task, _) = register_task("datagram");
    let subscription = task.subscribe().unwrap();
    let socket = DatagramSocket::new();
    socket.enable_transfer_ownership(task.task_id()).unwrap();
    socket.bind_service_name("").await.unwrap();
    let port = socket.information().local_port();
    socket.transfer_ownership("datagram-1").unwrap();
    let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    sender.send_to(b"ping while away", format!("127.0.0.1:{port}")).unwrap();
    let details = next_activation(subscription).await.trigger_details().socket_activity().unwrap();
    assert_eq!(details.reason(), SocketActivityTriggerReason::SocketActivity);
    assert_eq!(details.socket_information().socket_kind(), SocketActivityKind::DatagramSocket);
    let back = details.socket_information().datagram_socket().expect("reclaim the datagram socket");
    let (tx, rx) = std::sync::mpsc::channel();
    back.add_message_received(std::sync::Arc::new(move |_, args| {
        let _ = tx.send(args.data().to_vec());
    }))
    .unwrap();
    let got = rx.recv_timeout(Duration::from_secs(30)).expect("the datagram that woke the app");
    assert_eq!(got, b"ping while away");
    task.unregister(false).unwrap();
}
