//! The proxy environment variables, read as curl reads them, with a real tinyproxy. One test
//! in its own binary: it sets process environment variables, which no other test may see.

mod util;

use std::sync::Arc;

use netrt::foundation::Uri;
use netrt::ws::{MessageWebSocket, MessageWebSocketMessageReceivedEventArgs};
use tokio::sync::mpsc;
use util::web_peers::{tinyproxy, ws_server};
use util::within;

async fn echo_once(ws: &MessageWebSocket, port: u16) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    ws.add_message_received(Arc::new(move |_s, a: &MessageWebSocketMessageReceivedEventArgs| {
        let _ = tx.send(a.data());
    }))
    .unwrap();
    within(ws.connect(&Uri::new(&format!("ws://127.0.0.1:{port}/echo")).unwrap())).await.unwrap();
    within(ws.output_stream().write(b"env")).await.unwrap();
    assert_eq!(within(rx.recv()).await.unwrap().unwrap(), b"env");
    ws.close();
}

#[tokio::test]
async fn http_proxy_is_used_and_no_proxy_bypasses_it() {
    let server = ws_server(&[]);
    let proxy = tinyproxy(None);
    // SAFETY: this binary's only test sets the variables before netrt starts any thread that
    // could read the environment concurrently (the Python and proxy peers are other processes).
    unsafe {
        for name in
            ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY", "HTTP_PROXY"]
        {
            std::env::remove_var(name);
        }
        std::env::set_var("http_proxy", format!("http://127.0.0.1:{}", proxy.port));
    }
    let through = MessageWebSocket::new();
    echo_once(&through, server.port).await;
    proxy.wait_for_output(&format!("CONNECT 127.0.0.1:{}", server.port));
    // The tunnel's TCP peer is the proxy, so the proxy log is the witness; the local address
    // alone cannot tell the two paths apart on loopback.
    let before = proxy.output().matches("CONNECT").count();

    // SAFETY: as above; no netrt call is running while the variable changes.
    unsafe { std::env::set_var("no_proxy", "localhost, 127.0.0.0/8") };
    let direct = MessageWebSocket::new();
    echo_once(&direct, server.port).await;
    assert_eq!(proxy.output().matches("CONNECT").count(), before, "no_proxy must bypass the proxy");
}
