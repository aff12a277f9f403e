//! `make bench`: netrt StreamSocket against raw `tokio::net::TcpStream`, netrt's TLS client
//! against tokio-rustls, and netrt's MessageWebSocket against tokio-tungstenite; same process,
//! interleaved A B A B ... so machine noise hits both sides alike. Prints ratios
//! (netrt / baseline) with median, min and max over the pairs.
//!
//! `netrt-bench [tcp|tls|ws|accept-memory]` runs one group (`caps` and `tls-handshakes`, the TLS
//! group's two handshake rows alone, run only when named);
//! `netrt-bench --ws-echo-server` only serves the WebSocket echo (for bench/python/ws_bench.py);
//! `netrt-bench --ws-one event|pull|baseline SIZE COUNT` runs one client's echo loop once (to
//! count instructions per message under callgrind); `netrt-bench --tls-server PKI_DIR [resume]` and
//! `netrt-bench --handshakes netrt|baseline N PORT PKI_DIR [resume]` run the full-handshake loop in a
//! client process of its own (context switches per connect; callgrind); PORT `inproc` (or
//! `inproc-resume`) serves from this process, on netrt's runtime, as the handshake rows do.
//! With resumption (`resume`, `inproc-resume`) the server greets each connection with one byte
//! and the client reads it before closing, which takes the session tickets (the resumed row).

mod accept;
mod caps;
mod openssl_context;
mod pki;
mod stats;
mod tls;
mod ws;

use std::sync::Arc;
use std::time::{Duration, Instant};

use netrt::net::StreamSocketListener;
use netrt::{HostName, StreamSocket};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const BULK_BYTES: usize = 1 << 30;
const CHUNK: usize = 64 * 1024;
const PINGS: usize = 100_000;
const MSG: usize = 64;

pub(crate) fn pairs() -> usize {
    std::env::var("NETRT_BENCH_PAIRS").ok().and_then(|v| v.parse().ok()).unwrap_or(7)
}

fn main() {
    raise_fd_limit();
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--idle-memory") {
        let (which, n, port, dir) = (&args[2], args[3].parse().unwrap(), args[4].parse().unwrap(), &args[5]);
        tls::idle_memory_child(which, n, port, dir.into());
        return;
    }
    if args.get(1).map(String::as_str) == Some("--tls-server") {
        tls::serve_forever(args[2].clone().into(), args.get(3).is_some_and(|a| a == "resume"));
        return;
    }
    if args.get(1).map(String::as_str) == Some("--handshakes") {
        let (which, n, port, dir) = (&args[2], args[3].parse().unwrap(), args[4].as_str(), &args[5]);
        let greeted = port == "inproc-resume" || args.get(6).is_some_and(|a| a == "resume");
        tls::handshakes_child(which, n, port, dir.into(), greeted);
        return;
    }
    if args.get(1).map(String::as_str) == Some("--caps-connect-child") {
        caps::connect_child();
        return;
    }
    if args.get(1).map(String::as_str) == Some("--ws-idle-memory") {
        ws::idle_memory_child(&args[2], args[3].parse().unwrap(), args[4].parse().unwrap());
        return;
    }
    if args.get(1).map(String::as_str) == Some("--ws-one") {
        ws::one_client(&args[2], args[3].parse().unwrap(), args[4].parse().unwrap());
        return;
    }
    if args.get(1).map(String::as_str) == Some("--accept-memory-child") {
        accept::child(&args[2]);
        return;
    }
    if args.get(1).map(String::as_str) == Some("--ws-echo-server") {
        ws::serve_forever();
        return;
    }
    let only = args.get(1).cloned().unwrap_or_default();
    if only == "caps" {
        caps::figures();
        return;
    }
    let run = |group: &str| only.is_empty() || only == group;
    if run("tcp") {
        tcp_figures();
    }
    if run("tls") {
        tls_figures(false);
    }
    if only == "tls-handshakes" {
        tls_figures(true);
    }
    if run("ws") {
        ws_figures();
    }
    if run("accept-memory") {
        accept::figures();
    }
}

fn ws_figures() {
    let rt = netrt::runtime::handle();
    let n = pairs();
    // The server has its own runtime (one thread): both clients share netrt's, and neither
    // shares with the server.
    let server_rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let port = server_rt.block_on(ws::echo_server());
    println!(
        "\nWebSocket: netrt MessageWebSocket vs tokio-tungstenite client, same tokio-tungstenite echo server, \
         {n} interleaved pairs\n"
    );
    println!(
        "| figure | netrt (median) | tokio-tungstenite (median) | ratio median | ratio min | ratio max | target |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (size, count, label) in ws::CASES {
        // netrt through MessageReceived, netrt pulling, the baseline; the order rotates.
        let mut rates: [Vec<f64>; 3] = Default::default();
        for i in 0..n {
            for k in 0..3 {
                let which = (i + k) % 3;
                let rate = match which {
                    0 => rt.block_on(ws::echo_netrt(port, size, count)),
                    1 => rt.block_on(ws::echo_netrt_pull(port, size, count)),
                    _ => rt.block_on(ws::echo_baseline(port, size, count)),
                };
                rates[which].push(rate);
            }
            eprintln!(
                "ws {label} pair {}: netrt event {:.0} / netrt pull {:.0} / tokio-tungstenite {:.0} msgs/s",
                i + 1,
                rates[0][i],
                rates[1][i],
                rates[2][i]
            );
        }
        let [event, pull, base] = &rates;
        let vs_base = |x: &[f64]| -> Vec<f64> { x.iter().zip(base).map(|(x, y)| x / y).collect() };
        row(
            &format!("{label} echo, one at a time, MessageReceived (msgs/s)"),
            event,
            base,
            &vs_base(event),
            "≥ 0.95×",
        );
        row(
            &format!("{label} echo, one at a time, receive_message (msgs/s)"),
            pull,
            base,
            &vs_base(pull),
            "≥ 0.95×",
        );
    }
    // Memory per idle connection: each side in a child process of its own (RSS growth).
    const IDLE: usize = 1000;
    let exe = std::env::current_exe().unwrap();
    let idle_child = |which: &str| -> f64 {
        let out = std::process::Command::new(&exe)
            .args(["--ws-idle-memory", which, &IDLE.to_string(), &port.to_string()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().parse::<f64>().unwrap() / 1024.0
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..n.min(3) {
        let order = if i % 2 == 0 { ["netrt", "baseline"] } else { ["baseline", "netrt"] };
        for which in order {
            let kib = idle_child(which);
            if which == "netrt" { a.push(kib) } else { b.push(kib) }
        }
    }
    let r: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x / y).collect();
    row("memory per idle WebSocket connection, 1,000 open (KiB)", &a, &b, &r, "report");
    drop(server_rt);
}

fn raise_fd_limit() {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: plain getrlimit/setrlimit on this process.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

/// The TLS group; `handshakes_only` runs the two handshake rows alone (`netrt-bench
/// tls-handshakes`), to iterate on them without the bulk transfer and memory children.
fn tls_figures(handshakes_only: bool) {
    let rt = netrt::runtime::handle();
    let n = pairs();
    let pki = pki::Pki::generate();
    let config = tls::baseline_client_config(&pki);
    let (source, full, resuming, idle) = rt.block_on(async {
        (
            tls::server(&pki, true, tls::Serve::Source(tls::TLS_BULK)).await,
            tls::server(&pki, false, tls::Serve::Sink).await,
            tls::server(&pki, true, tls::Serve::Greet).await,
            tls::server(&pki, true, tls::Serve::Sink).await,
        )
    });
    const HANDSHAKES: usize = 400;
    const IDLE: usize = 1000;
    let exe = std::env::current_exe().unwrap();
    let idle_child = |which: &str| -> f64 {
        let out = std::process::Command::new(&exe)
            .args(["--idle-memory", which, &IDLE.to_string(), &idle.to_string()])
            .arg(&pki.dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    let mut rows: Vec<(&str, Vec<f64>, Vec<f64>, &str)> = vec![
        ("TLS 1.3 bulk, 512 MiB server→client (Gbit/s)", vec![], vec![], "≥ 0.95×"),
        ("full handshakes/s (TLS 1.3, sequential)", vec![], vec![], "≥ 0.95×"),
        ("resumed handshakes/s (TLS 1.3, sequential)", vec![], vec![], "≥ 0.95×"),
        ("memory per idle TLS connection, 1,000 open (KiB)", vec![], vec![], "≤ 1.05×"),
    ];
    for i in 0..n {
        let order = if i % 2 == 0 { [true, false] } else { [false, true] };
        for use_netrt in order {
            let (bulk, fullhs, resumed, mem) = rt.block_on(async {
                if handshakes_only {
                    if use_netrt {
                        (
                            0.0,
                            tls::handshakes_netrt(&pki, full, HANDSHAKES, false).await,
                            tls::handshakes_netrt(&pki, resuming, HANDSHAKES, true).await,
                            0.0,
                        )
                    } else {
                        (
                            0.0,
                            tls::handshakes_baseline(&config, full, HANDSHAKES, false).await,
                            tls::handshakes_baseline(&config, resuming, HANDSHAKES, true).await,
                            0.0,
                        )
                    }
                } else if use_netrt {
                    (
                        tls::bulk_netrt(&pki, source).await,
                        tls::handshakes_netrt(&pki, full, HANDSHAKES, false).await,
                        tls::handshakes_netrt(&pki, resuming, HANDSHAKES, true).await,
                        0.0,
                    )
                } else {
                    (
                        tls::bulk_baseline(&config, source).await,
                        tls::handshakes_baseline(&config, full, HANDSHAKES, false).await,
                        tls::handshakes_baseline(&config, resuming, HANDSHAKES, true).await,
                        0.0,
                    )
                }
            });
            let mem = if handshakes_only {
                mem
            } else {
                mem + idle_child(if use_netrt { "netrt" } else { "baseline" }) / 1024.0
            };
            let col = |row: &mut (&str, Vec<f64>, Vec<f64>, &str), v: f64| {
                if use_netrt { row.1.push(v) } else { row.2.push(v) }
            };
            col(&mut rows[0], bulk);
            col(&mut rows[1], fullhs);
            col(&mut rows[2], resumed);
            col(&mut rows[3], mem);
        }
        eprintln!(
            "tls pair {}: bulk {:.2}/{:.2} Gbit/s, full {:.0}/{:.0}/s, resumed {:.0}/{:.0}/s, idle {:.1}/{:.1} KiB",
            i + 1,
            rows[0].1[i],
            rows[0].2[i],
            rows[1].1[i],
            rows[1].2[i],
            rows[2].1[i],
            rows[2].2[i],
            rows[3].1[i],
            rows[3].2[i]
        );
    }
    println!("\nTLS: netrt client vs tokio-rustls client, same tokio-rustls server, {n} interleaved pairs\n");
    println!(
        "| figure | netrt (median) | tokio-rustls (median) | ratio median | ratio min | ratio max | target |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, a, b, target) in
        rows.iter().skip(usize::from(handshakes_only)).take(if handshakes_only { 2 } else { 4 })
    {
        let r: Vec<f64> = a.iter().zip(b).map(|(x, y)| x / y).collect();
        row(name, a, b, &r, target);
    }
    if !handshakes_only {
        openssl_context::print(&pki);
    }
}

fn tcp_figures() {
    let rt = netrt::runtime::handle();
    let n = pairs();
    println!("TCP: netrt StreamSocket vs tokio TcpStream, {n} interleaved pairs, same process and runtime\n");

    let (mut netrt_bulk, mut tokio_bulk) = (Vec::new(), Vec::new());
    let (mut netrt_p50, mut tokio_p50, mut netrt_p99, mut tokio_p99) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        // Alternate which side goes first so warm-up and drift do not favour one.
        let order = if i % 2 == 0 { [true, false] } else { [false, true] };
        for use_netrt in order {
            let gbps = if use_netrt { rt.block_on(bulk_netrt()) } else { rt.block_on(bulk_tokio()) };
            if use_netrt { netrt_bulk.push(gbps) } else { tokio_bulk.push(gbps) }
        }
        for use_netrt in order {
            let mut rtts =
                if use_netrt { rt.block_on(pingpong_netrt()) } else { rt.block_on(pingpong_tokio()) };
            let p50 = stats::quantile(&mut rtts, 0.50) as f64 / 1000.0;
            let p99 = stats::quantile(&mut rtts, 0.99) as f64 / 1000.0;
            if use_netrt {
                netrt_p50.push(p50);
                netrt_p99.push(p99);
            } else {
                tokio_p50.push(p50);
                tokio_p99.push(p99);
            }
        }
        eprintln!(
            "pair {}: bulk netrt {:.2} / tokio {:.2} Gbit/s; p50 netrt {:.1} / tokio {:.1} µs",
            i + 1,
            netrt_bulk[i],
            tokio_bulk[i],
            netrt_p50[i],
            tokio_p50[i]
        );
    }
    let ratio = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x / y).collect::<Vec<_>>();
    println!(
        "| figure | netrt (median) | baseline (median) | ratio median | ratio min | ratio max | target |"
    );
    println!("|---|---|---|---|---|---|---|");
    row(
        "TCP bulk 1 GiB, 64 KiB writes (Gbit/s)",
        &netrt_bulk,
        &tokio_bulk,
        &ratio(&netrt_bulk, &tokio_bulk),
        "≥ 0.95×",
    );
    row("64-byte ping-pong RTT p50 (µs)", &netrt_p50, &tokio_p50, &ratio(&netrt_p50, &tokio_p50), "≤ 1.10×");
    row("64-byte ping-pong RTT p99 (µs)", &netrt_p99, &tokio_p99, &ratio(&netrt_p99, &tokio_p99), "—");
}

pub(crate) fn row(name: &str, a: &[f64], b: &[f64], r: &[f64], target: &str) {
    let (sa, sb, sr) = (stats::summarize(a), stats::summarize(b), stats::summarize(r));
    println!(
        "| {name} | {:.2} | {:.2} | {:.3} | {:.3} | {:.3} | {target} |",
        sa.median, sb.median, sr.median, sr.min, sr.max
    );
}

pub(crate) fn gbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 * 8.0 / d.as_secs_f64() / 1e9
}

async fn netrt_pair() -> (StreamSocket, StreamSocket, StreamSocketListener) {
    let listener = StreamSocketListener::new();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    listener
        .add_connection_received(Arc::new(move |_l, args| {
            let _ = tx.send(args.socket());
        }))
        .expect("the object is open");
    let host = HostName::new("127.0.0.1").unwrap();
    listener.bind_endpoint(Some(&host), "").await.unwrap();
    let client = StreamSocket::new();
    client.connect(&host, &listener.information().local_port()).await.unwrap();
    let server = rx.recv().await.unwrap();
    (client, server, listener)
}

async fn tokio_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    let (server, _) = listener.accept().await.unwrap();
    client.set_nodelay(true).unwrap();
    server.set_nodelay(true).unwrap();
    (client, server)
}

async fn bulk_netrt() -> f64 {
    let (client, server, _l) = netrt_pair().await;
    let start = Instant::now();
    let writer = tokio::spawn(async move {
        let chunk = vec![0x5au8; CHUNK];
        for _ in 0..BULK_BYTES / CHUNK {
            client.write_all(&chunk).await.unwrap();
        }
        client
    });
    let mut buf = vec![0u8; CHUNK];
    let mut got = 0;
    while got < BULK_BYTES {
        let n = server.read_some(&mut buf).await.unwrap();
        assert!(n > 0);
        got += n;
    }
    let elapsed = start.elapsed();
    writer.await.unwrap();
    gbps(BULK_BYTES, elapsed)
}

async fn bulk_tokio() -> f64 {
    let (mut client, mut server) = tokio_pair().await;
    let start = Instant::now();
    let writer = tokio::spawn(async move {
        let chunk = vec![0x5au8; CHUNK];
        for _ in 0..BULK_BYTES / CHUNK {
            client.write_all(&chunk).await.unwrap();
        }
        client
    });
    let mut buf = vec![0u8; CHUNK];
    let mut got = 0;
    while got < BULK_BYTES {
        let n = server.read(&mut buf).await.unwrap();
        assert!(n > 0);
        got += n;
    }
    let elapsed = start.elapsed();
    writer.await.unwrap();
    gbps(BULK_BYTES, elapsed)
}

/// Round-trip times in nanoseconds.
async fn pingpong_netrt() -> Vec<u64> {
    let (client, server, _l) = netrt_pair().await;
    let echo = tokio::spawn(async move {
        let mut buf = [0u8; MSG];
        loop {
            let mut got = 0;
            while got < MSG {
                match server.read_some(&mut buf[got..]).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => got += n,
                }
            }
            server.write_all(&buf).await.unwrap();
        }
    });
    let msg = [7u8; MSG];
    let mut buf = [0u8; MSG];
    let mut rtts = Vec::with_capacity(PINGS);
    for _ in 0..PINGS {
        let t = Instant::now();
        client.write_all(&msg).await.unwrap();
        let mut got = 0;
        while got < MSG {
            got += client.read_some(&mut buf[got..]).await.unwrap();
        }
        rtts.push(t.elapsed().as_nanos() as u64);
    }
    client.close();
    let _ = echo.await;
    rtts
}

async fn pingpong_tokio() -> Vec<u64> {
    let (mut client, mut server) = tokio_pair().await;
    let echo = tokio::spawn(async move {
        let mut buf = [0u8; MSG];
        while server.read_exact(&mut buf).await.is_ok() {
            if server.write_all(&buf).await.is_err() {
                return;
            }
        }
    });
    let msg = [7u8; MSG];
    let mut buf = [0u8; MSG];
    let mut rtts = Vec::with_capacity(PINGS);
    for _ in 0..PINGS {
        let t = Instant::now();
        client.write_all(&msg).await.unwrap();
        client.read_exact(&mut buf).await.unwrap();
        rtts.push(t.elapsed().as_nanos() as u64);
    }
    drop(client);
    let _ = echo.await;
    rtts
}
