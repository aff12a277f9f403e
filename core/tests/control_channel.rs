//! ControlChannelTrigger over a real loopback connection: the keep-alive task runs at the
//! (netrt seconds) interval, the push task runs when the peer sends while no read is pending
//! and leaves the bytes to the app, not while the app's own read is pending; Close stops
//! both; misuse is an HRESULT. Over a MessageWebSocket or StreamWebSocket (the Python
//! `websockets` echo server) the push comes from the WebSocket layer.

mod util;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use netrt::broker::{
    BackgroundTaskBuilder, BackgroundTaskCancellationReason, BackgroundTaskRegistration, BackgroundTrigger,
    ControlChannelTrigger, ControlChannelTriggerResourceType, ControlChannelTriggerStatus, LocalTriggerKind,
    register_task_entry_point,
};
use netrt::error::hresult::*;
use netrt::foundation::Uri;
use netrt::io::InputStreamOptions;
use netrt::web::ProxyChoice;
use netrt::ws::{MessageWebSocket, MessageWebSocketMessageReceivedEventArgs, StreamWebSocket};
use netrt::{HostName, StreamSocket};
use util::web_peers::ws_server;
use util::within;

const LIMIT: Duration = Duration::from_secs(30);

async fn connected_pair() -> (StreamSocket, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let socket = StreamSocket::new();
    socket.connect(&HostName::new("127.0.0.1").unwrap(), &port).await.unwrap();
    let (peer, _) = listener.accept().unwrap();
    (socket, peer)
}

/// Registers `entry_point`'s task on `trigger`; each run sends its trigger kind to the receiver.
fn task_on(
    name: &str,
    entry_point: &str,
    trigger: BackgroundTrigger,
) -> (BackgroundTaskRegistration, mpsc::Receiver<LocalTriggerKind>) {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    register_task_entry_point(entry_point, move |instance| {
        let details = instance.trigger_details().control_channel().unwrap();
        let _ = tx.lock().unwrap().send(details.trigger_kind());
    });
    let mut builder = BackgroundTaskBuilder::new();
    builder.set_name(name);
    builder.set_task_entry_point(entry_point);
    builder.set_trigger(trigger);
    (builder.register().unwrap(), rx)
}

#[tokio::test(flavor = "multi_thread")]
async fn keep_alive_task_runs_every_interval_and_completes() {
    let (socket, _peer) = connected_pair().await;
    let channel = ControlChannelTrigger::new("ka-channel", 15).unwrap();
    assert_eq!(channel.current_keep_alive_interval_in_minutes(), 15);
    channel.set_keep_alive_interval_in_seconds(1).unwrap();
    assert_eq!(channel.keep_alive_interval_in_seconds(), 1);
    assert_eq!(channel.current_keep_alive_interval_in_minutes(), 1);
    let (task, runs) = task_on("ka", "tests.KeepAlive", channel.keep_alive_trigger());
    assert!(task.is_in_process());
    assert!(matches!(task.trigger(), BackgroundTrigger::ControlChannel(_, LocalTriggerKind::KeepAlive)));
    let (done_tx, done_rx) = mpsc::channel();
    let done_tx = std::sync::Mutex::new(done_tx);
    task.add_completed(Arc::new(
        move |sender: &BackgroundTaskRegistration, args: &netrt::broker::BackgroundTaskCompletedEventArgs| {
            assert!(args.check_result().is_ok());
            let _ = done_tx.lock().unwrap().send(sender.name());
        },
    ))
    .unwrap();
    channel.using_transport(socket.clone()).unwrap();
    assert_eq!(channel.wait_for_push_enabled().unwrap(), ControlChannelTriggerStatus::SoftwareSlotAllocated);
    for _ in 0..2 {
        assert_eq!(runs.recv_timeout(LIMIT).unwrap(), LocalTriggerKind::KeepAlive);
        assert_eq!(done_rx.recv_timeout(LIMIT).unwrap(), "ka");
    }
    // Halving stops at one second.
    channel.decrease_network_keep_alive_interval().unwrap();
    assert_eq!(channel.keep_alive_interval_in_seconds(), 1);
    channel.close();
    channel.close(); // twice is fine
    task.unregister(false).unwrap(); // in-process: no broker involved
}

#[tokio::test(flavor = "multi_thread")]
async fn push_task_runs_for_unclaimed_bytes_and_leaves_them_to_the_app() {
    let (socket, mut peer) = connected_pair().await;
    let channel = ControlChannelTrigger::with_resource_type(
        "push-channel",
        15,
        ControlChannelTriggerResourceType::RequestHardwareSlot,
    )
    .unwrap();
    channel.set_keep_alive_interval_in_seconds(1).unwrap();
    let (_push_task, pushes) = task_on("push", "tests.Push", channel.push_notification_trigger());
    let (_ka_task, keep_alives) = task_on("push-ka", "tests.PushKeepAlive", channel.keep_alive_trigger());
    channel.using_transport(socket.clone()).unwrap();
    assert_eq!(channel.wait_for_push_enabled().unwrap(), ControlChannelTriggerStatus::SoftwareSlotAllocated);

    peer.write_all(b"hello").unwrap();
    assert_eq!(pushes.recv_timeout(LIMIT).unwrap(), LocalTriggerKind::PushNotification);
    // Nothing was consumed: the app reads what arrived.
    let got = socket.input_stream().read(5, InputStreamOptions::None).await.unwrap();
    assert_eq!(got, b"hello");

    // With the app's own read pending, arriving bytes are its read's, not a push.
    let pushed_before = pushes.try_iter().count();
    assert_eq!(pushed_before, 0);
    let reader = socket.clone();
    let pending = tokio::spawn(async move { reader.input_stream().read(5, InputStreamOptions::None).await });
    keep_alives.recv_timeout(LIMIT).unwrap(); // the watcher ran a round; the read waits by now
    peer.write_all(b"world").unwrap();
    assert_eq!(pending.await.unwrap().unwrap(), b"world");
    // Two more watcher rounds after the read: still no push.
    keep_alives.recv_timeout(LIMIT).unwrap();
    keep_alives.recv_timeout(LIMIT).unwrap();
    assert_eq!(pushes.try_iter().count(), 0);

    // Close stops both triggers: bytes that arrive afterwards wake nothing.
    channel.close();
    peer.write_all(b"late").unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(pushes.try_iter().count(), 0);
    assert_eq!(keep_alives.try_iter().count(), 0);
    let late = socket.input_stream().read(4, InputStreamOptions::None).await.unwrap();
    assert_eq!(late, b"late");
}

#[tokio::test(flavor = "multi_thread")]
async fn misuse_is_an_hresult() {
    assert_eq!(ControlChannelTrigger::new("", 15).unwrap_err().hresult(), E_INVALIDARG);
    assert_eq!(ControlChannelTrigger::new("x", 14).unwrap_err().hresult(), E_INVALIDARG);
    let channel = ControlChannelTrigger::new("misuse", 20).unwrap();
    assert_eq!(channel.control_channel_trigger_id(), "misuse");
    assert_eq!(channel.server_keep_alive_interval_in_minutes(), 20);
    assert!(!channel.is_wake_from_low_power_supported());
    assert_eq!(channel.set_server_keep_alive_interval_in_minutes(3).unwrap_err().hresult(), E_INVALIDARG);
    channel.set_server_keep_alive_interval_in_minutes(30).unwrap();
    assert_eq!(channel.current_keep_alive_interval_in_minutes(), 30);
    assert_eq!(channel.set_keep_alive_interval_in_seconds(0).unwrap_err().hresult(), E_INVALIDARG);
    assert_eq!(channel.wait_for_push_enabled().unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
    assert_eq!(channel.flush_transport().unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
    assert!(channel.transport_object().is_none());

    // A transport set before it connects (WinRT's order): intervals can change meanwhile.
    let early = ControlChannelTrigger::new("early", 15).unwrap();
    early.using_transport(StreamSocket::new()).unwrap();
    early.set_server_keep_alive_interval_in_minutes(16).unwrap();
    early.set_keep_alive_interval_in_seconds(2).unwrap();
    assert_eq!(early.wait_for_push_enabled().unwrap(), ControlChannelTriggerStatus::TransportDisconnected);
    early.close();

    // A closed transport: disconnected, not an error.
    let (socket, _peer) = connected_pair().await;
    socket.close();
    channel.using_transport(socket.clone()).unwrap();
    assert!(channel.transport_object().is_some());
    assert_eq!(channel.using_transport(StreamSocket::new()).unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
    assert_eq!(channel.wait_for_push_enabled().unwrap(), ControlChannelTriggerStatus::TransportDisconnected);
    channel.flush_transport().unwrap();

    channel.close();
    channel.close();
    assert_eq!(channel.wait_for_push_enabled().unwrap_err().hresult(), RO_E_CLOSED);
    assert_eq!(channel.using_transport(StreamSocket::new()).unwrap_err().hresult(), RO_E_CLOSED);
    assert_eq!(channel.decrease_network_keep_alive_interval().unwrap_err().hresult(), RO_E_CLOSED);
    let mut builder = BackgroundTaskBuilder::new();
    builder.set_name("on-closed");
    builder.set_task_entry_point("tests.Never");
    builder.set_trigger(channel.keep_alive_trigger());
    assert_eq!(builder.register().unwrap_err().hresult(), RO_E_CLOSED);
}

#[tokio::test(flavor = "multi_thread")]
async fn closing_the_trigger_cancels_a_run_that_holds_its_deferral() {
    let (socket, _peer) = connected_pair().await;
    let channel = ControlChannelTrigger::new("cancel-channel", 15).unwrap();
    channel.set_keep_alive_interval_in_seconds(1).unwrap();
    let (canceled_tx, canceled_rx) = mpsc::channel();
    let canceled_tx = std::sync::Mutex::new(canceled_tx);
    let (ran_tx, ran_rx) = mpsc::channel();
    let ran_tx = std::sync::Mutex::new(ran_tx);
    let kept = Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept_in_task = kept.clone();
    register_task_entry_point("tests.Hold", move |instance| {
        let tx = std::sync::Mutex::new(canceled_tx.lock().unwrap().clone());
        instance
            .add_canceled(Arc::new(
                move |_sender: &netrt::broker::BackgroundTaskInstance,
                      reason: &BackgroundTaskCancellationReason| {
                    let _ = tx.lock().unwrap().send(*reason);
                },
            ))
            .unwrap();
        // The deferral is never completed: the run stays in progress.
        kept_in_task.lock().unwrap().push(instance.get_deferral());
        let _ = ran_tx.lock().unwrap().send(());
    });
    let mut builder = BackgroundTaskBuilder::new();
    builder.set_name("hold");
    builder.set_task_entry_point("tests.Hold");
    builder.set_trigger(channel.keep_alive_trigger());
    let task = builder.register().unwrap();
    let completed = Arc::new(AtomicU32::new(0));
    let counted = completed.clone();
    task.add_completed(Arc::new(
        move |_: &BackgroundTaskRegistration, _: &netrt::broker::BackgroundTaskCompletedEventArgs| {
            counted.fetch_add(1, Ordering::SeqCst);
        },
    ))
    .unwrap();
    channel.using_transport(socket).unwrap();
    channel.wait_for_push_enabled().unwrap();
    ran_rx.recv_timeout(LIMIT).unwrap();
    channel.close();
    assert_eq!(canceled_rx.recv_timeout(LIMIT).unwrap(), BackgroundTaskCancellationReason::Abort);
    assert_eq!(completed.load(Ordering::SeqCst), 0); // its deferral never completed
    assert!(!kept.lock().unwrap().is_empty());
}

fn echo_uri(port: u16) -> Uri {
    Uri::new(&format!("ws://127.0.0.1:{port}/echo")).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn message_web_socket_push_runs_per_message_and_message_received_gets_every_one() {
    let server = ws_server(&[]);
    let ws = MessageWebSocket::new();
    ws.control().set_proxy(ProxyChoice::Direct).unwrap();
    let (tx, mut messages) = tokio::sync::mpsc::unbounded_channel();
    ws.add_message_received(Arc::new(move |_s, args: &MessageWebSocketMessageReceivedEventArgs| {
        let _ = tx.send(args.data().unwrap());
    }))
    .unwrap();
    let channel = ControlChannelTrigger::new("ws-message-channel", 15).unwrap();
    let (_push_task, pushes) = task_on("ws-push", "tests.WsMessagePush", channel.push_notification_trigger());
    channel.using_transport(ws.clone()).unwrap();
    // Not connected yet: nothing to watch.
    assert_eq!(channel.wait_for_push_enabled().unwrap(), ControlChannelTriggerStatus::TransportDisconnected);
    within(ws.connect(&echo_uri(server.port))).await.unwrap();
    assert_eq!(channel.wait_for_push_enabled().unwrap(), ControlChannelTriggerStatus::SoftwareSlotAllocated);

    for text in ["one", "two", "three"] {
        within(ws.send_message(text.as_bytes())).await.unwrap();
        assert_eq!(pushes.recv_timeout(LIMIT).unwrap(), LocalTriggerKind::PushNotification);
        // The message is still delivered, whole.
        assert_eq!(within(messages.recv()).await.unwrap(), text.as_bytes());
    }

    // Close stops the pushes; MessageReceived goes on.
    channel.close();
    within(ws.send_message(b"late")).await.unwrap();
    assert_eq!(within(messages.recv()).await.unwrap(), b"late");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(pushes.try_iter().count(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn stream_web_socket_push_runs_for_unread_data_not_while_a_read_is_pending() {
    let server = ws_server(&[]);
    let ws = StreamWebSocket::new();
    ws.control().set_proxy(ProxyChoice::Direct).unwrap();
    within(ws.connect(&echo_uri(server.port))).await.unwrap();
    let channel = ControlChannelTrigger::new("ws-stream-channel", 15).unwrap();
    channel.set_keep_alive_interval_in_seconds(1).unwrap();
    let (_push_task, pushes) =
        task_on("ws-stream-push", "tests.WsStreamPush", channel.push_notification_trigger());
    let (_ka_task, keep_alives) =
        task_on("ws-stream-ka", "tests.WsStreamKeepAlive", channel.keep_alive_trigger());
    channel.using_transport(ws.clone()).unwrap();
    assert_eq!(channel.wait_for_push_enabled().unwrap(), ControlChannelTriggerStatus::SoftwareSlotAllocated);
    let input = ws.input_stream();
    let output = ws.output_stream();

    // Data with no read pending is a push; it stays for the app, intact.
    within(output.write(b"hello")).await.unwrap();
    assert_eq!(pushes.recv_timeout(LIMIT).unwrap(), LocalTriggerKind::PushNotification);
    // Unclaimed: more data pushes nothing until the app has read.
    within(output.write(b"again")).await.unwrap();
    keep_alives.recv_timeout(LIMIT).unwrap();
    keep_alives.recv_timeout(LIMIT).unwrap();
    assert_eq!(pushes.try_iter().count(), 0);
    assert_eq!(within(input.read(10, InputStreamOptions::None)).await.unwrap(), b"helloagain");

    // Read: the next data pushes again.
    within(output.write(b"third")).await.unwrap();
    assert_eq!(pushes.recv_timeout(LIMIT).unwrap(), LocalTriggerKind::PushNotification);
    assert_eq!(within(input.read(5, InputStreamOptions::None)).await.unwrap(), b"third");

    // With the app's own read pending, arriving data is its read's, not a push.
    let reader = input.clone();
    let pending = tokio::spawn(async move { reader.read(5, InputStreamOptions::None).await });
    keep_alives.recv_timeout(LIMIT).unwrap(); // the read waits by now
    within(output.write(b"world")).await.unwrap();
    assert_eq!(within(pending).await.unwrap().unwrap(), b"world");
    keep_alives.recv_timeout(LIMIT).unwrap();
    assert_eq!(pushes.try_iter().count(), 0);

    // Close stops both triggers; the data is still the app's.
    channel.close();
    within(output.write(b"late")).await.unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(pushes.try_iter().count(), 0);
    assert_eq!(keep_alives.try_iter().count(), 0);
    assert_eq!(within(input.read(4, InputStreamOptions::None)).await.unwrap(), b"late");
}
