//! WebSocket echo: netrt's MessageWebSocket against a raw tokio-tungstenite client, both talking
//! to the same in-process tokio-tungstenite echo server (so only the client differs). One
//! message out, its echo back, one at a time; the figure is messages per second.

use std::sync::Arc;
use std::time::Instant;

use futures_util::{SinkExt, StreamExt};
use netrt::foundation::Uri;
use netrt::web::ProxyChoice;
use netrt::ws::{MessageWebSocket, MessageWebSocketMessageReceivedEventArgs};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Message sizes and how many round trips each measures.
pub const CASES: [(usize, usize, &str); 3] =
    [(64, 20_000, "64 B"), (64 * 1024, 2_000, "64 KiB"), (1024 * 1024, 200, "1 MiB")];

fn unlimited() -> WebSocketConfig {
    WebSocketConfig::default().max_message_size(None).max_frame_size(None)
}

/// A tokio-tungstenite echo server on 127.0.0.1 (an ephemeral port, returned), serving every
/// connection until it closes.
pub async fn echo_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tcp.set_nodelay(true).unwrap();
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async_with_config(tcp, Some(unlimited())).await
                else {
                    return;
                };
                while let Some(Ok(message)) = ws.next().await {
                    if (message.is_binary() || message.is_text()) && ws.send(message).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

/// Messages per second through netrt's MessageWebSocket: a write on its OutputStream path,
/// the echo through MessageReceived (on netrt's dispatcher thread, as an app gets it), its
/// bytes looked at in place (`data_slice`, as the baseline looks at its `Bytes`).
pub async fn echo_netrt(port: u16, size: usize, count: usize) -> f64 {
    let ws = MessageWebSocket::new();
    ws.control().set_proxy(ProxyChoice::Direct).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    ws.add_message_received(Arc::new(move |_s, args: &MessageWebSocketMessageReceivedEventArgs| {
        let _ = tx.send(args.data_slice().map(<[u8]>::len));
    }))
    .unwrap();
    ws.connect(&Uri::new(&format!("ws://127.0.0.1:{port}/")).unwrap()).await.unwrap();
    let payload = vec![0x5au8; size];
    let start = Instant::now();
    for _ in 0..count {
        ws.send_message(&payload).await.unwrap();
        assert_eq!(rx.recv().await.unwrap().unwrap(), size);
    }
    let rate = count as f64 / start.elapsed().as_secs_f64();
    ws.close();
    rate
}

/// The same with the echo taken by `receive_message` (netrt's pull receive) on the task that
/// sent the message: no dispatcher thread, no channel.
pub async fn echo_netrt_pull(port: u16, size: usize, count: usize) -> f64 {
    let ws = MessageWebSocket::new();
    ws.control().set_proxy(ProxyChoice::Direct).unwrap();
    ws.connect(&Uri::new(&format!("ws://127.0.0.1:{port}/")).unwrap()).await.unwrap();
    let payload = vec![0x5au8; size];
    let start = Instant::now();
    for _ in 0..count {
        ws.send_message(&payload).await.unwrap();
        let echo = ws.receive_message().await.unwrap();
        assert_eq!(echo.data_slice().unwrap().len(), size);
    }
    let rate = count as f64 / start.elapsed().as_secs_f64();
    ws.close();
    rate
}

/// The same with a tokio-tungstenite client on a tokio TcpStream.
pub async fn echo_baseline(port: u16, size: usize, count: usize) -> f64 {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let url = format!("ws://127.0.0.1:{port}/");
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(url, tcp, Some(unlimited())).await.unwrap();
    let payload = tokio_tungstenite::tungstenite::Bytes::from(vec![0x5au8; size]);
    let start = Instant::now();
    for _ in 0..count {
        ws.send(Message::Binary(payload.clone())).await.unwrap();
        match ws.next().await {
            Some(Ok(Message::Binary(echo))) => assert_eq!(echo.len(), size),
            other => panic!("no echo: {other:?}"),
        }
    }
    let rate = count as f64 / start.elapsed().as_secs_f64();
    let _ = ws.close(None).await;
    rate
}

/// An open netrt MessageWebSocket to the echo server, its messages going nowhere.
async fn netrt_idle(port: u16) -> MessageWebSocket {
    let ws = MessageWebSocket::new();
    ws.control().set_proxy(ProxyChoice::Direct).unwrap();
    ws.connect(&Uri::new(&format!("ws://127.0.0.1:{port}/")).unwrap()).await.unwrap();
    ws
}

/// An open tokio-tungstenite client with a task waiting for its next message, as an app keeps
/// one (netrt's connection has its receive task too).
async fn baseline_idle(port: u16) -> tokio::task::JoinHandle<()> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let url = format!("ws://127.0.0.1:{port}/");
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(url, tcp, Some(unlimited())).await.unwrap();
    tokio::spawn(async move { while let Some(Ok(_)) = ws.next().await {} })
}

/// In a child process (`netrt-bench --ws-idle-memory netrt|baseline N PORT`): opens `n` idle
/// WebSocket connections to the echo server and prints the RSS growth per connection.
pub fn idle_memory_child(which: &str, n: usize, port: u16) {
    let rt = netrt::runtime::handle();
    // Warm up both stacks (runtime threads, first allocations) before the first sample.
    rt.block_on(async {
        netrt_idle(port).await.close();
        baseline_idle(port).await.abort();
    });
    std::thread::sleep(std::time::Duration::from_millis(200));
    let before = crate::tls::rss_bytes();
    let keep = rt.block_on(async {
        let (mut sockets, mut tasks) = (Vec::new(), Vec::new());
        for _ in 0..n {
            if which == "netrt" {
                sockets.push(netrt_idle(port).await);
            } else {
                tasks.push(baseline_idle(port).await);
            }
        }
        (sockets, tasks)
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    let after = crate::tls::rss_bytes();
    println!("{}", after.saturating_sub(before) as f64 / n as f64);
    drop(keep);
}

/// `netrt-bench --ws-one event|pull|baseline SIZE COUNT`: one client's echo loop against the
/// in-process server, once (for `valgrind --tool=callgrind`: two counts give the instructions
/// per message without the setup).
pub fn one_client(which: &str, size: usize, count: usize) {
    let server_rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let port = server_rt.block_on(echo_server());
    let rt = netrt::runtime::handle();
    let rate = match which {
        "event" => rt.block_on(echo_netrt(port, size, count)),
        "pull" => rt.block_on(echo_netrt_pull(port, size, count)),
        _ => rt.block_on(echo_baseline(port, size, count)),
    };
    println!("{which} {size} B x {count}: {rate:.0} msgs/s");
}

/// `netrt-bench --ws-echo-server`: the echo server alone, for the Python bench; prints
/// "PORT <n>" and serves until killed.
pub fn serve_forever() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let port = echo_server().await;
        println!("PORT {port}");
        std::future::pending::<()>().await;
    });
}
