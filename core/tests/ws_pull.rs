//! MessageWebSocket's pull receive (`receive_message`, a netrt extension) against the Python
//! `websockets` server: order and content, cancellation that loses nothing, the end of the
//! receive side, and the rule between it and MessageReceived.

mod common;
mod util;

use std::sync::Arc;

use netrt::error::hresult::*;
use netrt::foundation::Uri;
use netrt::web::ProxyChoice;
use netrt::ws::*;
use util::web_peers::ws_server;
use util::within;

fn direct() -> MessageWebSocket {
    let ws = MessageWebSocket::new();
    // The machine's proxy variables must not reroute loopback tests.
    ws.control().set_proxy(ProxyChoice::Direct).unwrap();
    ws
}

/// Each Closed event's code and reason, as they are raised.
fn closed_events(ws: &MessageWebSocket) -> tokio::sync::mpsc::UnboundedReceiver<(u16, String)> {
    let (tx, closed) = tokio::sync::mpsc::unbounded_channel();
    ws.add_closed(Arc::new(move |_s, args: &WebSocketClosedEventArgs| {
        let _ = tx.send((args.code(), args.reason().to_string()));
    }))
    .unwrap();
    closed
}

async fn connect(ws: &MessageWebSocket, port: u16, path: &str) {
    let uri = Uri::new(&format!("ws://127.0.0.1:{port}{path}")).unwrap();
    within(ws.connect(&uri)).await.unwrap();
}

async fn next(ws: &MessageWebSocket) -> (SocketMessageType, Vec<u8>, bool) {
    let args = within(ws.receive_message()).await.unwrap();
    (args.message_type(), args.data().unwrap(), args.is_message_complete())
}

async fn send(ws: &MessageWebSocket, kind: SocketMessageType, data: &[u8]) {
    ws.control().set_message_type(kind).unwrap();
    within(ws.send_message(data)).await.unwrap();
}

#[tokio::test]
async fn messages_sent_before_the_receive_arrive_in_order_with_their_types() {
    let server = ws_server(&[]);
    let ws = direct();
    connect(&ws, server.port, "/echo").await;
    send(&ws, SocketMessageType::Utf8, "héllo".as_bytes()).await;
    send(&ws, SocketMessageType::Binary, &[0, 255, 7]).await;
    send(&ws, SocketMessageType::Binary, &[]).await;
    assert_eq!(next(&ws).await, (SocketMessageType::Utf8, "héllo".as_bytes().to_vec(), true));
    assert_eq!(next(&ws).await, (SocketMessageType::Binary, vec![0, 255, 7], true));
    assert_eq!(next(&ws).await, (SocketMessageType::Binary, vec![], true));
    let big: Vec<u8> = (0..3 * 1024 * 1024).map(|i: u32| (i % 251) as u8).collect();
    send(&ws, SocketMessageType::Binary, &big).await;
    let (_, data, _) = next(&ws).await;
    assert!(data == big, "the echoed 3 MiB differ");
}

#[tokio::test]
async fn fragmented_messages_whole_or_in_pieces() {
    let server = ws_server(&[]);
    let ws = direct();
    connect(&ws, server.port, "/fragmented").await;
    assert_eq!(next(&ws).await, (SocketMessageType::Utf8, b"fragmented text".to_vec(), true));
    assert_eq!(next(&ws).await, (SocketMessageType::Binary, vec![0, 1, 2, 3, 4], true));

    let ws = direct();
    ws.control().set_receive_mode(MessageWebSocketReceiveMode::PartialMessage).unwrap();
    connect(&ws, server.port, "/fragmented").await;
    let mut text = Vec::new();
    loop {
        let (kind, data, complete) = next(&ws).await;
        assert_eq!(kind, SocketMessageType::Utf8);
        text.extend(data);
        if complete {
            break;
        }
    }
    assert_eq!(text, b"fragmented text");
    let mut pieces = 0;
    let mut binary = Vec::new();
    loop {
        let (kind, data, complete) = next(&ws).await;
        assert_eq!(kind, SocketMessageType::Binary);
        binary.extend(data);
        pieces += 1;
        if complete {
            break;
        }
    }
    assert_eq!(binary, [0, 1, 2, 3, 4]);
    assert!(pieces > 1, "PartialMessage mode hands out the frames as they come");
}

/// One poll of a receive, then dropped: the message it would have returned (if any) is
/// returned by the poll itself, never lost.
async fn one_poll(ws: &MessageWebSocket) -> Option<String> {
    tokio::select! {
        biased;
        args = ws.receive_message() => Some(String::from_utf8(args.unwrap().data().unwrap()).unwrap()),
        () = std::future::ready(()) => None,
    }
}

#[tokio::test]
async fn cancelled_receives_lose_nothing_and_flow_control_holds_the_rest() {
    let server = ws_server(&[]);
    let ws = direct();
    let count = 300;
    connect(&ws, server.port, &format!("/count?n={count}")).await;
    // A first receive (cancelled) before the server starts: from then on nothing is dropped.
    assert_eq!(one_poll(&ws).await, None);
    send(&ws, SocketMessageType::Utf8, b"go").await;
    let mut seen = Vec::new();
    while seen.len() < count {
        // Cancelled receives in between (most find nothing yet; one that finds a message
        // returns it).
        for _ in 0..seen.len() % 3 {
            // Past the last message a receive may find the close frame (RO_E_CLOSED).
            if seen.len() == count {
                break;
            }
            if let Some(m) = one_poll(&ws).await {
                seen.push(m);
            }
        }
        if seen.len() < count {
            let (_, data, _) = next(&ws).await;
            seen.push(String::from_utf8(data).unwrap());
        }
    }
    let expected: Vec<String> = (0..count).map(|i| i.to_string()).collect();
    assert_eq!(seen, expected);
    let e = within(ws.receive_message()).await.unwrap_err();
    assert_eq!(e.hresult(), RO_E_CLOSED);
    assert!(e.message().contains("1000"), "{e}");
}

#[tokio::test]
async fn after_the_peers_close_frame_a_receive_is_closed_and_closed_is_raised() {
    let server = ws_server(&[]);
    let ws = direct();
    let mut closed = closed_events(&ws);
    connect(&ws, server.port, "/close?code=4000&reason=bye").await;
    let e = within(ws.receive_message()).await.unwrap_err();
    assert_eq!(e.hresult(), RO_E_CLOSED);
    assert_eq!(within(closed.recv()).await.unwrap(), (4000, "bye".to_string()));
    assert_eq!(within(ws.receive_message()).await.unwrap_err().hresult(), RO_E_CLOSED);
}

#[tokio::test]
async fn a_dropped_connection_is_the_last_message_then_closed() {
    let server = ws_server(&[]);
    let ws = direct();
    connect(&ws, server.port, "/drop").await;
    send(&ws, SocketMessageType::Binary, b"1").await;
    let last = within(ws.receive_message()).await.unwrap();
    assert_eq!(last.data().unwrap_err().hresult(), WININET_E_CONNECTION_ABORTED);
    assert_eq!(last.get_data_reader().unwrap_err().hresult(), WININET_E_CONNECTION_ABORTED);
    assert_eq!(within(ws.receive_message()).await.unwrap_err().hresult(), RO_E_CLOSED);
}

#[tokio::test]
async fn close_ends_a_pending_receive_and_later_ones() {
    let server = ws_server(&[]);
    let ws = direct();
    connect(&ws, server.port, "/echo").await;
    let pending = tokio::spawn({
        let ws = ws.clone();
        async move { ws.receive_message().await }
    });
    // The spawned receive is pending once a second one is refused.
    loop {
        let second = tokio::select! {
            biased;
            r = ws.receive_message() => Some(r),
            () = std::future::ready(()) => None,
        };
        match second {
            Some(Err(e)) if e.hresult() == E_ILLEGAL_METHOD_CALL => break,
            Some(other) => panic!("the echo server sent nothing, yet: {other:?}"),
            None => tokio::task::yield_now().await,
        }
    }
    ws.close();
    assert_eq!(within(pending).await.unwrap().unwrap_err().hresult(), RO_E_CLOSED);
    assert_eq!(within(ws.receive_message()).await.unwrap_err().hresult(), RO_E_CLOSED);
}

#[tokio::test]
async fn a_receive_needs_a_connection_and_no_message_received_handler() {
    let server = ws_server(&[]);
    let ws = direct();
    assert_eq!(within(ws.receive_message()).await.unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
    connect(&ws, server.port, "/echo").await;
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let token = ws
        .add_message_received(Arc::new(move |_s, args: &MessageWebSocketMessageReceivedEventArgs| {
            let _ = tx.send(args.data().unwrap());
        }))
        .unwrap();
    let e = within(ws.receive_message()).await.unwrap_err();
    assert_eq!(e.hresult(), E_ILLEGAL_METHOD_CALL);
    send(&ws, SocketMessageType::Binary, b"to the handler").await;
    assert_eq!(within(events.recv()).await.unwrap(), b"to the handler");
    ws.remove_message_received(token);
    send(&ws, SocketMessageType::Binary, b"pulled").await;
    assert_eq!(next(&ws).await.1, b"pulled");
}

#[tokio::test]
async fn a_ping_is_answered_by_the_pull_and_closed_is_raised_once() {
    let server = ws_server(&[]);
    let ws = direct();
    let mut closed = closed_events(&ws);
    connect(&ws, server.port, "/ping-close?after=message").await;
    // A first receive before the server sends anything: from then on the pulls read the
    // connection, and nothing else answers the server's ping.
    assert_eq!(one_poll(&ws).await, None);
    send(&ws, SocketMessageType::Binary, b"go").await;
    assert_eq!(next(&ws).await.1, b"data");
    // The server pings now and closes only once the pong is back: this receive reads the ping,
    // answers it, then reads the close frame.
    let e = within(ws.receive_message()).await.unwrap_err();
    assert_eq!(e.hresult(), RO_E_CLOSED);
    assert!(e.message().contains("4001"), "{e}");
    assert_eq!(within(closed.recv()).await.unwrap(), (4001, "after pong".to_string()));
    assert_eq!(within(ws.receive_message()).await.unwrap_err().hresult(), RO_E_CLOSED);
    ws.close();
    assert!(closed.try_recv().is_err(), "Closed was raised twice");
}

#[tokio::test]
async fn a_handler_registered_after_pulls_gets_the_next_message() {
    let server = ws_server(&[]);
    let ws = direct();
    connect(&ws, server.port, "/echo").await;
    send(&ws, SocketMessageType::Binary, b"pulled").await;
    assert_eq!(next(&ws).await.1, b"pulled");
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let token = ws
        .add_message_received(Arc::new(move |_s, args: &MessageWebSocketMessageReceivedEventArgs| {
            let _ = tx.send(args.data().unwrap());
        }))
        .unwrap();
    send(&ws, SocketMessageType::Binary, b"to the handler").await;
    assert_eq!(within(events.recv()).await.unwrap(), b"to the handler");
    ws.remove_message_received(token);
    send(&ws, SocketMessageType::Binary, b"pulled again").await;
    assert_eq!(next(&ws).await.1, b"pulled again");
}

/// Runs `f` on a thread of its own (blocking waits must not block the test's runtime).
async fn blocking<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    within(tokio::task::spawn_blocking(f)).await.unwrap()
}

#[tokio::test]
async fn the_receive_operation_waits_cancels_and_gives_back() {
    use netrt::foundation::AsyncStatus;
    let server = ws_server(&[]);
    let ws = direct();
    connect(&ws, server.port, "/echo").await;
    // Nothing there: a blocking wait drives it on its own thread once the echo comes.
    let op = ws.receive_message_async().unwrap();
    assert_eq!(op.status(), AsyncStatus::Started);
    assert_eq!(ws.receive_message_async().unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
    send(&ws, SocketMessageType::Binary, b"one").await;
    let got = blocking(move || op.get()).await.unwrap();
    assert_eq!(got.data().unwrap(), b"one");
    // Cancelled while waiting: it took nothing.
    let op = ws.receive_message_async().unwrap();
    op.cancel().unwrap();
    assert_eq!(op.status(), AsyncStatus::Canceled);
    send(&ws, SocketMessageType::Binary, b"two").await;
    // Completed, then abandoned (its awaiting task was cancelled): the message goes back.
    let op = ws.receive_message_async().unwrap();
    let waited = op.clone();
    assert!(blocking(move || waited.wait(None)).await);
    assert_eq!(op.results().unwrap().data().unwrap(), b"two");
    op.abandon().unwrap();
    assert_eq!(op.status(), AsyncStatus::Canceled);
    assert_eq!(next(&ws).await.1, b"two");
    ws.close();
    assert_eq!(ws.receive_message_async().unwrap_err().hresult(), RO_E_CLOSED);
}

#[tokio::test]
async fn a_completion_queue_drives_a_receive_bound_to_it() {
    use netrt::foundation::{AsyncOperation, AsyncStatus, CompletedDelivery, CompletionQueue};
    let server = ws_server(&[]);
    let ws = direct();
    connect(&ws, server.port, "/echo").await;
    let receiving = ws.clone();
    let (delivery, data) = blocking(move || {
        let q = CompletionQueue::new().unwrap();
        let previous = CompletionQueue::make_current(Some(&q));
        let op = receiving.receive_message_async().unwrap();
        assert_eq!(op.status(), AsyncStatus::Started);
        let (tx, rx) = std::sync::mpsc::channel();
        op.set_completed(Box::new(move |status, delivery| tx.send((status, delivery)).unwrap())).unwrap();
        CompletionQueue::make_current(None);
        let sender = receiving.clone();
        AsyncOperation::start(async move { sender.send_message(b"queued").await }).unwrap().get().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let (status, delivery) = loop {
            if let Ok(done) = rx.try_recv() {
                break done;
            }
            assert!(std::time::Instant::now() < deadline, "the receive's handler did not run");
            let mut pfd = libc::pollfd { fd: q.fd(), events: libc::POLLIN, revents: 0 };
            // SAFETY: one valid pollfd.
            if unsafe { libc::poll(&mut pfd, 1, 100) } == 1 {
                q.dispatch(64).unwrap();
            }
        };
        CompletionQueue::make_current(previous.as_ref());
        assert_eq!(status, AsyncStatus::Completed);
        (delivery, op.results().unwrap().data().unwrap())
    })
    .await;
    assert_eq!(delivery, CompletedDelivery::CompletionQueue);
    assert_eq!(data, b"queued");
}
