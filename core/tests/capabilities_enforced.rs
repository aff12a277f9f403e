//! The capability policy on real traffic. A manifest is per process and locked once loaded,
//! so each scenario runs in a child process: this test binary re-executed with one of the
//! `child_*` tests (ignored in a normal run) and the manifest in `NETRT_MANIFEST`. A child
//! prints `[netrt-probe] <name>=<outcome>` lines; the parent compares them with what the manifest
//! must allow. Peers the child must not be able to refuse (the other end of a connection, the
//! sender of a datagram) are plain std sockets, outside netrt's checks.

mod common;
mod util;

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use netrt::capability::{AppManifest, dropped_traffic};
use netrt::net::{DatagramSocket, StreamSocketListener};
use netrt::{HostName, StreamSocket};
use util::within;

const NS: &str = "xmlns=\"http://schemas.microsoft.com/appx/manifest/foundation/windows10\" \
                  xmlns:uap=\"http://schemas.microsoft.com/appx/manifest/uap/windows10\" \
                  xmlns:netrt=\"http://netrt.invalid/manifest/1\"";

/// A manifest file in a per-test temporary directory (removed on drop).
struct TempManifest {
    dir: PathBuf,
    path: PathBuf,
}

impl TempManifest {
    fn new(tag: &str, caps: &[&str], exemption: Option<&str>) -> Self {
        let mut body: String = caps
            .iter()
            .map(|c| match c.strip_prefix("uap:") {
                Some(n) => format!("<uap:Capability Name=\"{n}\"/>\n"),
                None => format!("<Capability Name=\"{c}\"/>\n"),
            })
            .collect();
        if let Some(direction) = exemption {
            body.push_str(&format!(
                "<netrt:Network><netrt:LoopbackExemption direction=\"{direction}\"/></netrt:Network>\n"
            ));
        }
        Self::with_text(tag, &format!("<Package {NS}>\n<Capabilities>\n{body}</Capabilities>\n</Package>\n"))
    }

    fn with_text(tag: &str, text: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("netrt-caps-{}-{tag}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("Package.appxmanifest");
        std::fs::write(&path, text).unwrap();
        Self { dir, path }
    }
}

impl Drop for TempManifest {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs the child test `name` with `env`, optionally inside a network namespace, and returns
/// its probes. The child must pass.
fn run_child(name: &str, netns: Option<&str>, env: &[(&str, String)]) -> BTreeMap<String, String> {
    let exe = std::env::current_exe().unwrap();
    let args = [name, "--exact", "--ignored", "--nocapture", "--test-threads=1"];
    let mut cmd = match netns {
        Some(ns) => {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", ns]).arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    cmd.args(args).env_remove("NETRT_MANIFEST");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("start the child test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child {name} failed\nstdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("1 passed"), "child {name} did not run\n{stdout}");
    stdout
        .lines()
        // The first probe shares its line with libtest's "test child_... ... ".
        .filter_map(|l| l.split_once(PROBE).map(|(_, p)| p))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Expected probe outcomes: (probe name, outcome).
type Probes = &'static [(&'static str, &'static str)];

/// Marks a probe line in a child's output.
const PROBE: &str = "[netrt-probe] ";

fn is_child() -> bool {
    std::env::var_os("NETRT_CAPS_CHILD").is_some()
}

fn probe(name: &str, outcome: impl std::fmt::Display) {
    println!("{PROBE}{name}={outcome}");
}

/// "ok", or the HRESULT in hex; the message goes to its own probe line.
fn outcome<T>(name: &str, r: netrt::Result<T>) -> Option<T> {
    match r {
        Ok(v) => {
            probe(name, "ok");
            Some(v)
        }
        Err(e) => {
            probe(name, format_args!("0x{:08X}", e.hresult() as u32));
            probe(&format!("{name}.message"), e.message());
            None
        }
    }
}

/// Waits until `delivered` counts one more, or the manifest's drop counter does.
async fn delivered_or_dropped(delivered: &AtomicU32, dropped: impl Fn() -> u64, before: u64) -> &'static str {
    let deadline = Instant::now() + util::STEP;
    loop {
        if delivered.load(Ordering::SeqCst) > 0 {
            return "delivered";
        }
        if dropped() > before {
            return "dropped";
        }
        assert!(Instant::now() < deadline, "neither delivered nor dropped");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Listener/accept and datagram bind/receive probes shared by the loopback and private
/// scenarios: `peer_ip` is where the uncontrolled std peer connects from and sends to.
async fn server_side_probes(tag: &str, listen_on: &str, peer_ip: &str) {
    let host = HostName::new(listen_on).unwrap();
    outcome(
        &format!("listen_{tag}"),
        within(StreamSocketListener::new().bind_endpoint(Some(&host), "")).await,
    );
    let listener = StreamSocketListener::new();
    let accepted = Arc::new(AtomicU32::new(0));
    let counter = accepted.clone();
    listener
        .add_connection_received(Arc::new(move |_l, _args| {
            counter.fetch_add(1, Ordering::SeqCst);
        }))
        .unwrap();
    if outcome("listen_any", within(listener.bind_service_name("")).await).is_some() {
        let port: u16 = listener.information().local_port().parse().unwrap();
        let before = dropped_traffic().connections;
        let _peer = TcpStream::connect((peer_ip, port)).unwrap();
        let what = delivered_or_dropped(&accepted, || dropped_traffic().connections, before).await;
        probe(&format!("accept_{tag}"), what);
    }
    let dgram = DatagramSocket::new();
    let received = Arc::new(AtomicU32::new(0));
    let counter = received.clone();
    dgram
        .add_message_received(Arc::new(move |_s, _a| {
            counter.fetch_add(1, Ordering::SeqCst);
        }))
        .unwrap();
    if outcome("udp_bind_any", within(dgram.bind_service_name("")).await).is_some() {
        let port: u16 = dgram.information().local_port().parse().unwrap();
        let before = dropped_traffic().datagrams;
        let sender = UdpSocket::bind((peer_ip, 0)).unwrap();
        sender.send_to(b"knock", (peer_ip, port)).unwrap();
        let what = delivered_or_dropped(&received, || dropped_traffic().datagrams, before).await;
        probe(&format!("udp_receive_{tag}"), what);
    }
}

// ---------------------------------------------------------------------------------------------
// Loopback: capability sets × direction, on 127.0.0.1 and `localhost`.

#[tokio::test(flavor = "multi_thread")]
#[ignore = "child process of loopback_traffic_by_capability_set"]
async fn child_loopback_probe() {
    if !is_child() {
        return; // only meaningful as its parent's child process (with a manifest loaded)
    }
    let tcp_port = std::env::var("PEER_TCP").unwrap();
    let udp_port: u16 = std::env::var("PEER_UDP").unwrap().parse().unwrap();
    for (name, host) in [("connect_ip", "127.0.0.1"), ("connect_localhost", "localhost")] {
        let s = StreamSocket::new();
        outcome(name, within(s.connect(&HostName::new(host).unwrap(), &tcp_port)).await);
    }
    let dest: SocketAddr = ([127, 0, 0, 1], udp_port).into();
    outcome("udp_send", within(DatagramSocket::new().send_to(b"hello", Some(dest))).await);
    outcome(
        "udp_connect_localhost",
        within(DatagramSocket::new().connect(&HostName::new("localhost").unwrap(), &udp_port.to_string()))
            .await,
    );
    server_side_probes("loopback", "127.0.0.1", "127.0.0.1").await;
}

#[test]
fn loopback_traffic_by_capability_set() {
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let env = |m: &TempManifest| {
        vec![
            ("NETRT_CAPS_CHILD", "1".to_string()),
            ("NETRT_MANIFEST", m.path.display().to_string()),
            ("PEER_TCP", tcp.local_addr().unwrap().port().to_string()),
            ("PEER_UDP", udp.local_addr().unwrap().port().to_string()),
        ]
    };
    const WSA: &str = "0x8007271D";
    const DENIED: &str = "0x80070005";
    // (capabilities, exemption, expected probes)
    let table: &[(&[&str], Option<&str>, Probes)] = &[
        (
            &["internetClient"],
            None,
            &[
                ("connect_ip", WSA),
                ("connect_localhost", WSA),
                ("udp_send", WSA),
                ("udp_connect_localhost", WSA),
                ("listen_loopback", DENIED),
                ("listen_any", DENIED),
                ("udp_bind_any", DENIED),
            ],
        ),
        (
            &["internetClient"],
            Some("both"),
            &[
                ("connect_ip", "ok"),
                ("connect_localhost", "ok"),
                ("udp_send", "ok"),
                ("listen_loopback", DENIED),
                ("listen_any", DENIED),
                ("udp_bind_any", DENIED),
            ],
        ),
        (
            &["internetClientServer"],
            None,
            &[
                ("connect_ip", WSA),
                ("connect_localhost", WSA),
                ("listen_loopback", DENIED),
                ("listen_any", "ok"),
                ("accept_loopback", "dropped"),
                ("udp_bind_any", "ok"),
                ("udp_receive_loopback", "dropped"),
            ],
        ),
        (
            &["internetClientServer"],
            Some("both"),
            &[
                ("connect_ip", "ok"),
                ("connect_localhost", "ok"),
                ("udp_send", "ok"),
                ("udp_connect_localhost", "ok"),
                ("listen_loopback", "ok"),
                ("listen_any", "ok"),
                ("accept_loopback", "delivered"),
                ("udp_bind_any", "ok"),
                ("udp_receive_loopback", "delivered"),
            ],
        ),
        (
            &["privateNetworkClientServer"],
            Some("outbound"),
            &[
                ("connect_ip", "ok"),
                ("listen_loopback", DENIED),
                ("listen_any", "ok"),
                ("accept_loopback", "dropped"),
                ("udp_receive_loopback", "dropped"),
            ],
        ),
    ];
    for (i, (caps, exemption, want)) in table.iter().enumerate() {
        let m = TempManifest::new(&format!("loopback{i}"), caps, *exemption);
        let got = run_child("child_loopback_probe", None, &env(&m));
        for (name, expected) in want.iter() {
            assert_eq!(
                got.get(*name).map(String::as_str),
                Some(*expected),
                "{caps:?} exemption={exemption:?}: {name} (all probes: {got:#?})"
            );
        }
        if let Some(msg) = got.get("connect_localhost.message") {
            assert!(msg.contains("loopback"), "{msg}");
        }
        if caps == &["internetClient"] {
            let msg = &got["listen_any.message"];
            assert!(msg.contains("internetClientServer / privateNetworkClientServer"), "{msg}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Private networks: a network namespace with a veth pair on 10.201.0.0/24 and fd00:201::/64.

const PRIVATE_A: &str = "10.201.0.1";
const PRIVATE_B: &str = "10.201.0.2";
const PRIVATE_ULA: &str = "fd00:201::1";

/// A network namespace with a veth pair, deleted on drop.
struct Namespace(String);

impl Namespace {
    fn create() -> Result<Self, String> {
        let name = format!("netrt-caps-{}", std::process::id());
        let ip = |args: &[&str]| -> Result<(), String> {
            let out = Command::new("ip").args(args).output().map_err(|e| format!("cannot run ip: {e}"))?;
            if out.status.success() {
                Ok(())
            } else {
                Err(format!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
            }
        };
        ip(&["netns", "add", &name])?;
        let ns = Namespace(name.clone());
        let inside = |args: &[&str]| {
            let mut all = vec!["-n", name.as_str()];
            all.extend_from_slice(args);
            ip(&all)
        };
        inside(&["link", "add", "nrc0", "type", "veth", "peer", "name", "nrc1"])?;
        inside(&["addr", "add", &format!("{PRIVATE_A}/24"), "dev", "nrc0"])?;
        inside(&["addr", "add", &format!("{PRIVATE_B}/24"), "dev", "nrc1"])?;
        inside(&["-6", "addr", "add", &format!("{PRIVATE_ULA}/64"), "dev", "nrc0", "nodad"])?;
        inside(&["link", "set", "nrc0", "up"])?;
        inside(&["link", "set", "nrc1", "up"])?;
        inside(&["link", "set", "lo", "up"])?;
        Ok(ns)
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "child process of private_network_traffic_in_a_namespace"]
async fn child_private_probe() {
    if !is_child() {
        return; // only meaningful as its parent's child process (with a manifest loaded)
    }
    let peer = TcpListener::bind((PRIVATE_A, 0)).unwrap();
    let port = peer.local_addr().unwrap().port().to_string();
    let s = StreamSocket::new();
    outcome("connect_private", within(s.connect(&HostName::new(PRIVATE_A).unwrap(), &port)).await);
    let peer6 = TcpListener::bind((PRIVATE_ULA, 0)).unwrap();
    let port6 = peer6.local_addr().unwrap().port().to_string();
    let s = StreamSocket::new();
    outcome("connect_ula", within(s.connect(&HostName::new(PRIVATE_ULA).unwrap(), &port6)).await);
    let udp_peer = UdpSocket::bind((PRIVATE_A, 0)).unwrap();
    outcome(
        "udp_send_private",
        within(DatagramSocket::new().send_to(b"x", Some(udp_peer.local_addr().unwrap()))).await,
    );
    server_side_probes("private", PRIVATE_A, PRIVATE_B).await;
}

#[test]
fn private_network_traffic_in_a_namespace() {
    let ns = match Namespace::create() {
        Ok(ns) => ns,
        Err(why) => {
            println!(
                "SKIPPED private_network_traffic_in_a_namespace: cannot create a network namespace ({why})"
            );
            eprintln!(
                "SKIPPED private_network_traffic_in_a_namespace: cannot create a network namespace ({why})"
            );
            return;
        }
    };
    const WSA: &str = "0x8007271D";
    const DENIED: &str = "0x80070005";
    let table: &[(&[&str], Probes)] = &[
        (
            &["privateNetworkClientServer"],
            &[
                ("connect_private", "ok"),
                ("connect_ula", "ok"),
                ("udp_send_private", "ok"),
                ("listen_private", "ok"),
                ("listen_any", "ok"),
                ("accept_private", "delivered"),
                ("udp_bind_any", "ok"),
                ("udp_receive_private", "delivered"),
            ],
        ),
        (
            &["internetClientServer"],
            &[
                ("connect_private", WSA),
                ("connect_ula", WSA),
                ("udp_send_private", WSA),
                ("listen_private", DENIED),
                ("listen_any", "ok"),
                ("accept_private", "dropped"),
                ("udp_bind_any", "ok"),
                ("udp_receive_private", "dropped"),
            ],
        ),
    ];
    for (i, (caps, want)) in table.iter().enumerate() {
        let m = TempManifest::new(&format!("private{i}"), caps, None);
        let env = [("NETRT_CAPS_CHILD", "1".to_string()), ("NETRT_MANIFEST", m.path.display().to_string())];
        let got = run_child("child_private_probe", Some(&ns.0), &env);
        for (name, expected) in want.iter() {
            assert_eq!(got.get(*name).map(String::as_str), Some(*expected), "{caps:?}: {name} ({got:#?})");
        }
        if let Some(msg) = got.get("connect_private.message") {
            assert!(msg.contains("privateNetworkClientServer"), "{msg}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Loading and locking.

fn sample_manifest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/manifests/Package.appxmanifest")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "child process of a_loaded_manifest_is_locked"]
async fn child_load_and_lock() {
    if !is_child() {
        return; // only meaningful as its parent's child process (with a manifest loaded)
    }
    let path = std::env::var("CAPS_LOAD").unwrap();
    let first = AppManifest::load(&path).unwrap();
    assert_eq!(first.capabilities(), ["internetClient"]);
    let again = AppManifest::load(sample_manifest()).unwrap_err();
    probe("second_load", format_args!("0x{:08X}", again.hresult() as u32));
    probe("second_load.message", again.message());
    assert_eq!(AppManifest::current().unwrap().unwrap().source(), path);
    let s = StreamSocket::new();
    outcome("connect_after_load", within(s.connect(&HostName::new("127.0.0.1").unwrap(), "9")).await);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "child process of a_loaded_manifest_is_locked"]
async fn child_env_manifest() {
    if !is_child() {
        return; // only meaningful as its parent's child process (with a manifest loaded)
    }
    let m = AppManifest::current().unwrap().expect("NETRT_MANIFEST is loaded");
    probe("capabilities", m.capabilities().join(","));
    outcome("explicit_load", AppManifest::load(sample_manifest()).map(|_| ()));
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "child process of a_broken_environment_manifest_fails_closed"]
async fn child_broken_env() {
    if !is_child() {
        return; // only meaningful as its parent's child process (with a manifest loaded)
    }
    let s = StreamSocket::new();
    outcome("connect", within(s.connect(&HostName::new("127.0.0.1").unwrap(), "9")).await);
    outcome("listen", within(StreamSocketListener::new().bind_service_name("")).await);
}

#[test]
fn a_loaded_manifest_is_locked() {
    let m = TempManifest::new("lock", &["internetClient"], None);
    let env = [("NETRT_CAPS_CHILD", "1".to_string()), ("CAPS_LOAD", m.path.display().to_string())];
    let got = run_child("child_load_and_lock", None, &env);
    assert_eq!(got["second_load"], "0x8000000E");
    assert!(got["second_load.message"].contains("is already loaded"), "{got:?}");
    assert_eq!(got["connect_after_load"], "0x8007271D");

    let env =
        [("NETRT_CAPS_CHILD", "1".to_string()), ("NETRT_MANIFEST", sample_manifest().display().to_string())];
    let got = run_child("child_env_manifest", None, &env);
    assert_eq!(
        got["capabilities"],
        "internetClientServer,privateNetworkClientServer,sharedUserCertificates,enterpriseAuthentication,runFullTrust,proximity"
    );
    assert_eq!(got["explicit_load"], "0x8000000E");
    assert!(got["explicit_load.message"].contains("NETRT_MANIFEST"), "{got:?}");
}

#[test]
fn a_broken_environment_manifest_fails_closed() {
    let m = TempManifest::with_text(
        "broken",
        &format!("<Package {NS}>\n<Capabilities>\n<Capability Name=\"internetclient\"/>"),
    );
    let env = [("NETRT_CAPS_CHILD", "1".to_string()), ("NETRT_MANIFEST", m.path.display().to_string())];
    let got = run_child("child_broken_env", None, &env);
    assert_eq!(got["connect"], "0x80070057");
    assert!(got["connect.message"].contains("line 3"), "{got:?}");
    assert!(got["connect.message"].contains("NETRT_MANIFEST"), "{got:?}");
    assert_eq!(got["listen"], "0x80070057");
}

// ---------------------------------------------------------------------------------------------
// The web layer and client certificates go through the same check.

#[tokio::test(flavor = "multi_thread")]
#[ignore = "child process of websockets_proxies_and_client_certificates_are_checked"]
async fn child_web_and_certificates() {
    use netrt::foundation::Uri;
    use netrt::web::{Proxy, ProxyChoice};
    use netrt::ws::MessageWebSocket;
    if !is_child() {
        return; // only meaningful as its parent's child process (with a manifest loaded)
    }
    let port = std::env::var("PEER_TCP").unwrap();
    let direct = MessageWebSocket::new();
    direct.control().set_proxy(ProxyChoice::Direct).unwrap();
    let uri = Uri::new(&format!("ws://127.0.0.1:{port}/")).unwrap();
    outcome("websocket_loopback", within(direct.connect(&uri)).await);
    let proxied = MessageWebSocket::new();
    let proxy = Proxy::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    proxied.control().set_proxy(ProxyChoice::Explicit(proxy)).unwrap();
    let far = Uri::new("ws://www.contoso.com/").unwrap();
    outcome("websocket_via_loopback_proxy", within(proxied.connect(&far)).await);
    let pki = common::Pki::get();
    let cert =
        netrt::tls::Certificate::from_pem(&pki.pem("clientonly"), Some(&pki.key("clientonly"))).unwrap();
    let s = StreamSocket::new();
    s.control().set_client_certificate(Some(cert)).unwrap();
    let level = netrt::net::SocketProtectionLevel::Tls12;
    let r = within(s.connect_with_protection_level(&HostName::new("127.0.0.1").unwrap(), &port, level)).await;
    outcome("client_certificate", r);
}

#[test]
fn websockets_proxies_and_client_certificates_are_checked() {
    let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
    // No loopback exemption: the WebSocket and the proxy are on loopback; the certificate is
    // refused before any connection is tried (no sharedUserCertificates).
    let m = TempManifest::new("web", &["internetClient"], None);
    let env = [
        ("NETRT_CAPS_CHILD", "1".to_string()),
        ("NETRT_MANIFEST", m.path.display().to_string()),
        ("PEER_TCP", tcp.local_addr().unwrap().port().to_string()),
    ];
    let got = run_child("child_web_and_certificates", None, &env);
    assert_eq!(got["websocket_loopback"], "0x8007271D", "{got:?}");
    assert_eq!(got["websocket_via_loopback_proxy"], "0x8007271D", "{got:?}");
    assert!(got["websocket_via_loopback_proxy.message"].contains("proxy"), "{got:?}");
    assert_eq!(got["client_certificate"], "0x80070005", "{got:?}");
    assert!(got["client_certificate.message"].contains("sharedUserCertificates"), "{got:?}");
}
