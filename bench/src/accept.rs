//! Memory per accepted connection: a netrt `StreamSocketListener` echo server against a raw
//! tokio `TcpListener` echo server, each in a child process of its own
//! (`netrt-bench --accept-memory-child netrt|tokio`), with the connections' client ends in this
//! process so that only the server's memory is counted.
//!
//! Every accepted connection gets an echo loop that waits in a read, as an echo server's does:
//! netrt `InputStream::read(4096, Partial)` (ReadAsync; it takes its memory only once bytes
//! arrived). Two tokio baselines: the same discipline (`readable().await`, then `try_read` into
//! a fresh buffer: nothing held while waiting), and the textbook echo, `read` into the task's own
//! 4 KiB array (which lives in the task while it waits). The protocol with the
//! child, one line each way per step: the child prints its port; the parent opens a warm-up
//! connection, echoes one message and closes it, then writes `base`; the child prints its RSS;
//! the parent opens N connections, echoes one message on each (so every loop has served once
//! and waits in its next read), writes `load`; the child prints its RSS again. The figure is
//! (RSS loaded − RSS base) / N.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::Arc;

use netrt::io::InputStreamOptions;
use netrt::net::StreamSocketListener;
use netrt::{HostName, StreamSocket};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{pairs, row};

/// Connections held per run.
const CONNECTIONS: usize = 10_000;
/// What each echo loop asks for per read.
const READ: usize = 4096;

/// The servers a run compares: netrt, tokio reading on readiness, tokio's textbook echo.
const SERVERS: [&str; 3] = ["netrt", "tokio", "tokio-array"];

/// The group: interleaved children, the order rotating each round (netrt first, then second...).
pub fn figures() {
    let n = pairs().min(5);
    let exe = std::env::current_exe().expect("the bench executable");
    let mut kib: [Vec<f64>; 3] = Default::default();
    for i in 0..n {
        for k in 0..SERVERS.len() {
            let which = (i + k) % SERVERS.len();
            kib[which].push(per_connection(&exe, SERVERS[which], CONNECTIONS) / 1024.0);
        }
        eprintln!(
            "accept-memory round {}: netrt {:.2} / tokio {:.2} / tokio-array {:.2} KiB per connection",
            i + 1,
            kib[0][i],
            kib[1][i],
            kib[2][i]
        );
    }
    println!(
        "\nAccepted connections: netrt StreamSocketListener vs tokio TcpListener echo servers, \
         {CONNECTIONS} connections each waiting in a read, each server in its own process, {n} interleaved rounds\n"
    );
    println!("| figure | netrt (median) | tokio (median) | ratio median | ratio min | ratio max | target |");
    println!("|---|---|---|---|---|---|---|");
    let ratio = |b: &[f64]| kib[0].iter().zip(b).map(|(x, y)| x / y).collect::<Vec<_>>();
    row(
        "memory per accepted connection, read pending, vs tokio reading on readiness (KiB)",
        &kib[0],
        &kib[1],
        &ratio(&kib[1]),
        "report",
    );
    row(
        "the same vs tokio's textbook echo, a 4 KiB array in the task (KiB)",
        &kib[0],
        &kib[2],
        &ratio(&kib[2]),
        "report",
    );
}

/// Runs one child server and returns its RSS growth per connection in bytes.
fn per_connection(exe: &std::path::Path, which: &str, n: usize) -> f64 {
    let mut child = Command::new(exe)
        .args(["--accept-memory-child", which])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the child server starts");
    let mut to_child = child.stdin.take().expect("piped stdin");
    let mut from_child = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = || {
        let mut l = String::new();
        from_child.read_line(&mut l).expect("a line from the child");
        l.trim().parse::<u64>().unwrap_or_else(|_| panic!("child said {l:?}"))
    };
    let port = line() as u16;
    echo_once(&connect(port));
    writeln!(to_child, "base").expect("the child reads");
    let base = line();
    let mut clients = Vec::with_capacity(n);
    for i in 0..n {
        clients.push(connect(port));
        if i % 500 == 499 {
            // Let the server drain its accept backlog rather than have SYNs dropped.
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
    for c in &clients {
        (&*c).write_all(b"ping").expect("send");
    }
    for c in &clients {
        expect_echo(c);
    }
    writeln!(to_child, "load").expect("the child reads");
    let loaded = line();
    drop(to_child);
    drop(clients);
    assert!(child.wait().expect("the child exits").success());
    loaded.saturating_sub(base) as f64 / n as f64
}

fn connect(port: u16) -> TcpStream {
    TcpStream::connect(("127.0.0.1", port)).expect("connect to the child server")
}

fn echo_once(c: &TcpStream) {
    (&*c).write_all(b"ping").expect("send");
    expect_echo(c);
}

fn expect_echo(c: &TcpStream) {
    let mut got = [0u8; 4];
    (&*c).read_exact(&mut got).expect("the echo");
    assert_eq!(&got, b"ping");
}

/// The child: serves echo on 127.0.0.1 and answers the parent's `base` / `load` with its RSS.
pub fn child(which: &str) {
    let rt = netrt::runtime::handle();
    let port = match which {
        "netrt" => rt.block_on(netrt_server()),
        "tokio" => rt.block_on(tokio_server(false)),
        "tokio-array" => rt.block_on(tokio_server(true)),
        other => panic!("unknown server {other}"),
    };
    println!("{port}");
    for line in std::io::stdin().lock().lines() {
        let Ok(_) = line else { break };
        // Every echo loop has answered and gone back to its read by the time the parent asks
        // (it received its echo); a pause lets the runtime settle its own bookkeeping.
        std::thread::sleep(std::time::Duration::from_millis(300));
        println!("{}", crate::tls::rss_bytes());
    }
}

/// A netrt listener whose ConnectionReceived handler starts an echo loop per connection.
async fn netrt_server() -> u16 {
    let listener = StreamSocketListener::new();
    listener
        .add_connection_received(Arc::new(|_l, args| {
            netrt::runtime::handle().spawn(netrt_echo(args.socket()));
        }))
        .expect("the listener is open");
    let host = HostName::new("127.0.0.1").expect("an address");
    listener.bind_endpoint(Some(&host), "").await.expect("bind");
    let port = listener.information().local_port().parse().expect("a port");
    // The listener lives as long as the process.
    std::mem::forget(listener);
    port
}

async fn netrt_echo(socket: StreamSocket) {
    let (input, output) = (socket.input_stream(), socket.output_stream());
    loop {
        match input.read(READ as u32, InputStreamOptions::Partial).await {
            Ok(data) if !data.is_empty() => {
                if output.write(&data).await.is_err() {
                    return;
                }
            }
            _ => return,
        }
    }
}

/// The baselines: a tokio accept loop spawning an echo task per connection.
async fn tokio_server(array_in_task: bool) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("bound").port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            if array_in_task {
                tokio::spawn(tokio_echo_array(stream));
            } else {
                tokio::spawn(tokio_echo_on_readiness(stream));
            }
        }
    });
    port
}

/// Waits for readiness, then reads into a buffer that exists only until the echo is written
/// (netrt's discipline: nothing held while waiting).
async fn tokio_echo_on_readiness(mut stream: tokio::net::TcpStream) {
    loop {
        if stream.readable().await.is_err() {
            return;
        }
        let data = {
            let mut buf = vec![0u8; READ];
            match stream.try_read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    buf.truncate(n);
                    buf
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(_) => return,
            }
        };
        if stream.write_all(&data).await.is_err() {
            return;
        }
    }
}

/// The textbook tokio echo: `read` into the task's own array, which it keeps while waiting.
async fn tokio_echo_array(mut stream: tokio::net::TcpStream) {
    let mut buf = [0u8; READ];
    while let Ok(n @ 1..) = stream.read(&mut buf).await {
        if stream.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
