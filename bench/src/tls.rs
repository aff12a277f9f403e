//! TLS figures: netrt's client against tokio-rustls' client, both talking to the same
//! tokio-rustls server in this process (so only the client side differs).

use std::sync::Arc;
use std::time::{Duration, Instant};

use netrt::net::{SocketProtectionLevel, StreamSocket};
use netrt::tls::Certificate;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::pki::Pki;

pub const TLS_BULK: usize = 512 << 20;
const CHUNK: usize = 64 * 1024;

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// What the in-process server does with each connection after the handshake.
#[derive(Clone, Copy)]
pub enum Serve {
    /// Send this many bytes, then close.
    Source(usize),
    /// Read until the client closes.
    Sink,
    /// Send one byte, then read until the client closes: a client that reads the byte has
    /// taken the session tickets sent before it, so its next handshake can resume (a TLS 1.3
    /// server sends them after the handshake, and a client that closes at once never reads
    /// them — every handshake would be a full one).
    Greet,
}

/// Handshakes the servers of this process saw resumed (for `--handshakes`' report).
static RESUMED_BY_SERVERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A tokio-rustls server on 127.0.0.1; `resumption` false = every handshake is a full one.
pub async fn server(pki: &Pki, resumption: bool, serve: Serve) -> u16 {
    let chain = vec![CertificateDer::from_pem_slice(pki.text("leaf.pem").as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(pki.text("leaf.key").as_bytes()).unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    if !resumption {
        config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
        config.send_tls13_tickets = 0;
    }
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                tcp.set_nodelay(true).ok();
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                if tls.get_ref().1.handshake_kind() == Some(rustls::HandshakeKind::Resumed) {
                    RESUMED_BY_SERVERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                match serve {
                    Serve::Source(n) => {
                        let chunk = vec![0x42u8; CHUNK];
                        let mut sent = 0;
                        while sent < n {
                            if tls.write_all(&chunk).await.is_err() {
                                return;
                            }
                            sent += CHUNK;
                        }
                        let _ = tls.shutdown().await;
                    }
                    Serve::Sink | Serve::Greet => {
                        if matches!(serve, Serve::Greet) && tls.write_all(b"!").await.is_err() {
                            return;
                        }
                        let mut buf = vec![0u8; CHUNK];
                        while matches!(tls.read(&mut buf).await, Ok(n) if n > 0) {}
                    }
                }
            });
        }
    });
    port
}

pub fn baseline_client_config(pki: &Pki) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_slice(pki.text("ca.pem").as_bytes()).unwrap()).unwrap();
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

pub fn netrt_client(pki: &Pki) -> StreamSocket {
    // Parsed once, as an application would: the bench measures netrt, not PEM parsing.
    static CA: std::sync::OnceLock<Certificate> = std::sync::OnceLock::new();
    let ca = CA.get_or_init(|| Certificate::from_pem(&pki.text("ca.pem"), None).unwrap());
    let sock = StreamSocket::new();
    sock.control().set_trusted_root_certificates(vec![ca.clone()]).unwrap();
    sock
}

fn loopback() -> netrt::HostName {
    netrt::HostName::new("127.0.0.1").unwrap()
}

pub async fn netrt_connect(pki: &Pki, port: u16) -> StreamSocket {
    let sock = netrt_client(pki);
    sock.connect_with_protection_level(&loopback(), &port.to_string(), SocketProtectionLevel::Tls13)
        .await
        .unwrap();
    sock
}

pub async fn baseline_connect(
    config: &Arc<rustls::ClientConfig>,
    port: u16,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    TlsConnector::from(config.clone()).connect(name, tcp).await.unwrap()
}

/// Gbit/s receiving `TLS_BULK` bytes from a `Serve::Source` server.
pub async fn bulk_netrt(pki: &Pki, port: u16) -> f64 {
    let sock = netrt_connect(pki, port).await;
    let start = Instant::now();
    let mut buf = vec![0u8; CHUNK];
    let mut got = 0;
    while got < TLS_BULK {
        let n = sock.read_some(&mut buf).await.unwrap();
        assert!(n > 0);
        got += n;
    }
    crate::gbps(got, start.elapsed())
}

pub async fn bulk_baseline(config: &Arc<rustls::ClientConfig>, port: u16) -> f64 {
    let mut tls = baseline_connect(config, port).await;
    let start = Instant::now();
    let mut buf = vec![0u8; CHUNK];
    let mut got = 0;
    while got < TLS_BULK {
        let n = tls.read(&mut buf).await.unwrap();
        assert!(n > 0);
        got += n;
    }
    crate::gbps(got, start.elapsed())
}

/// Handshakes per second over `n` sequential connections (connect, handshake, close);
/// `greeted`: against a `Serve::Greet` server, each connection reads its byte before closing
/// (so it takes the session tickets: the resumed row).
pub async fn handshakes_netrt(pki: &Pki, port: u16, n: usize, greeted: bool) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        let sock = netrt_connect(pki, port).await;
        if greeted {
            assert_eq!(sock.read_some(&mut [0u8; 1]).await.unwrap(), 1);
        }
        sock.close();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// As [`handshakes_netrt`], with tokio-rustls. With `greeted`, panics unless every handshake
/// after the first resumed: the resumed row must measure resumptions.
pub async fn handshakes_baseline(
    config: &Arc<rustls::ClientConfig>,
    port: u16,
    n: usize,
    greeted: bool,
) -> f64 {
    let start = Instant::now();
    let mut full = 0;
    for _ in 0..n {
        let mut tls = baseline_connect(config, port).await;
        if greeted {
            assert_eq!(tls.read(&mut [0u8; 1]).await.unwrap(), 1);
            full += usize::from(tls.get_ref().1.handshake_kind() != Some(rustls::HandshakeKind::Resumed));
        }
        let _ = tls.shutdown().await;
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    assert!(full <= 1, "{full} of {n} greeted handshakes were full ones: the resumed row would not resume");
    rate
}

/// Resident set size of this process, in bytes.
pub fn rss_bytes() -> u64 {
    let [resident, _] = statm_resident_and_shared();
    resident
}

/// This process's resident anonymous memory (heap, stacks), in bytes: resident pages minus
/// the file-backed and shared ones. Code pages of a shared library count in the resident set
/// from the first call into them, once per process: libm's (~210 KiB) came in during some
/// runs' connects and not others' (most likely a runtime worker's first batch of tasks, whose
/// poll-time average tokio computes with `powf`), which moved the per-connection figure by
/// ~200 B at random.
pub fn anon_rss_bytes() -> u64 {
    let [resident, shared] = statm_resident_and_shared();
    resident.saturating_sub(shared)
}

/// `/proc/self/statm`'s resident and shared (file-backed) sizes, in bytes (0 where unreadable).
fn statm_resident_and_shared() -> [u64; 2] {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let field = |i| statm.split_whitespace().nth(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64;
    [field(1) * page, field(2) * page]
}

/// In a child process: opens `n` idle TLS connections and prints the growth of resident
/// anonymous memory per connection.
pub fn idle_memory_child(which: &str, n: usize, port: u16, pki_dir: std::path::PathBuf) {
    let pki = Pki::open(pki_dir);
    let rt = netrt::runtime::handle();
    // Warm up both stacks (runtime threads, configs, trust store) before the first sample.
    let config = baseline_client_config(&pki);
    rt.block_on(async {
        netrt_connect(&pki, port).await.close();
        drop(baseline_connect(&config, port).await);
    });
    std::thread::sleep(Duration::from_millis(200));
    let before = anon_rss_bytes();
    let heap_before = heap_in_use_bytes();
    let free_before = heap_free_chunks();
    let keep = rt.block_on(async {
        let mut netrt_socks = Vec::new();
        let mut baseline = Vec::new();
        for _ in 0..n {
            if which == "netrt" {
                netrt_socks.push(netrt_connect(&pki, port).await);
            } else {
                baseline.push(baseline_connect(&config, port).await);
            }
        }
        (netrt_socks, baseline)
    });
    std::thread::sleep(Duration::from_millis(300));
    let after = anon_rss_bytes();
    let heap_after = heap_in_use_bytes();
    println!("{}", (after.saturating_sub(before)) as f64 / n as f64);
    // On stderr (the parent reads stdout's one figure): what the allocator holds for the
    // connections, apart from how its blocks pack into resident pages.
    eprintln!(
        "heap in use per connection: {:.1} B",
        (heap_after.saturating_sub(heap_before)) as f64 / n as f64
    );
    let free_after = heap_free_chunks();
    eprintln!(
        "free chunks per connection: {:.2}, free bytes {:.1}",
        (free_after.0 as f64 - free_before.0 as f64) / n as f64,
        (free_after.1 as f64 - free_before.1 as f64) / n as f64
    );
    drop(keep);
}

/// glibc's free chunks (count, bytes), fast bins included.
fn heap_free_chunks() -> (u64, u64) {
    // SAFETY: mallinfo2 has no preconditions.
    let info = unsafe { libc::mallinfo2() };
    ((info.ordblks + info.smblks) as u64, (info.fordblks + info.fsmblks) as u64)
}

/// Bytes the allocator has handed out and not had back (glibc's `mallinfo2`, all arenas).
fn heap_in_use_bytes() -> u64 {
    // SAFETY: mallinfo2 has no preconditions.
    let info = unsafe { libc::mallinfo2() };
    (info.uordblks + info.hblkhd) as u64
}

/// `--tls-server PKI_DIR [resume]`: the handshake rows' tokio-rustls sink server in a process
/// of its own, for the one-client modes (`--handshakes`, `--idle-memory`): without resumption
/// (every handshake a full one) unless `resume` is given. Prints `PORT n`, serves until killed.
pub fn serve_forever(pki_dir: std::path::PathBuf, resumption: bool) {
    let pki = Pki::open(pki_dir);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let port = server(&pki, resumption, if resumption { Serve::Greet } else { Serve::Sink }).await;
        println!("PORT {port}");
        std::future::pending::<()>().await;
    });
}

/// `--handshakes netrt|baseline N PORT PKI_DIR [resume]`: one client's handshake loop (connect,
/// handshake, close, as the handshake rows do) against a `--tls-server` (or, for PORT
/// `inproc`/`inproc-resume`, a server in this process), after one warm-up connect; `greeted`
/// (`resume`, `inproc-resume`): each connection reads the server's greeting, as the resumed
/// row does. Prints handshakes/s and, per connect, the process's context switches (all threads,
/// voluntary + involuntary) — how many times a thread went to sleep or was preempted.
pub fn handshakes_child(which: &str, n: usize, port: &str, pki_dir: std::path::PathBuf, greeted: bool) {
    let pki = Pki::open(pki_dir);
    let rt = netrt::runtime::handle();
    let config = baseline_client_config(&pki);
    // `inproc`: the server on this process's netrt runtime, as in the bench's handshake rows
    // (the client's and the server's tasks share the runtime's threads).
    let port = match port {
        "inproc" => rt.block_on(server(&pki, false, Serve::Sink)),
        "inproc-resume" => rt.block_on(server(&pki, true, Serve::Greet)),
        number => number.parse().expect("PORT: a number, inproc or inproc-resume"),
    };
    let netrt = which == "netrt";
    rt.block_on(async {
        if netrt {
            handshakes_netrt(&pki, port, 1, greeted).await;
        } else {
            handshakes_baseline(&config, port, 1, greeted).await;
        }
    });
    let before = context_switches();
    let resumed_before = RESUMED_BY_SERVERS.load(std::sync::atomic::Ordering::Relaxed);
    let rate = rt.block_on(async {
        if netrt {
            handshakes_netrt(&pki, port, n, greeted).await
        } else {
            handshakes_baseline(&config, port, n, greeted).await
        }
    });
    let (vol, invol) = context_switches();
    let resumed = RESUMED_BY_SERVERS.load(std::sync::atomic::Ordering::Relaxed) - resumed_before;
    println!(
        "{which}: {rate:.0} handshakes/s, context switches per connect: {:.2} voluntary, {:.2} involuntary; \
         resumed (as an in-process server saw them): {resumed} of {n}",
        (vol - before.0) as f64 / n as f64,
        (invol - before.1) as f64 / n as f64
    );
}

/// Voluntary and involuntary context switches of every thread of this process so far.
fn context_switches() -> (i64, i64) {
    // SAFETY: getrusage fills the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    (usage.ru_nvcsw, usage.ru_nivcsw)
}
