//! Peers for the web-layer tests: the Python `websockets` server (tests/peers/ws_server.py),
//! tinyproxy (CONNECT, BasicAuth), nginx (TLS-terminating reverse proxy, auth_basic; static
//! feed files), the Digest servers of tests/peers/digest_server.py (Apache httpd, lighttpd,
//! squid) and the AtomPub server (tests/peers/atompub_server.py).
//! Each is started through tests/peers/launch (`run`), which owns and stops the process.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::peers::{Peer, run_on_port, run_reporting_port, venv_python};

/// `tests/peers/ws_server.py` with `args` (see its docstring).
pub fn ws_server(args: &[&str]) -> Peer {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/peers/ws_server.py");
    let python = venv_python();
    let mut program: Vec<&OsStr> = vec![python.as_os_str(), script.as_os_str()];
    program.extend(args.iter().map(OsStr::new));
    run_reporting_port("PORT ", &program)
}

/// A free ephemeral port on 127.0.0.1, for peers that cannot report the one they bound.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().unwrap().port()
}

/// A scratch directory for a peer's configuration (left in the temporary directory), new for
/// every call: named by a counter, not by a free port, since two tests asking at once can be
/// given the same free port, and two nginx sharing a directory read each other's pid file.
fn scratch(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("netrt-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir); // a dead process's, if its pid came round again
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Waits until something accepts TCP connections on 127.0.0.1:`port`.
fn wait_listening(peer: &Peer, port: u16) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "peer never listened on {port}:\n{}", peer.output());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// tinyproxy on 127.0.0.1 in the foreground; with `basic_auth` = (user, password) it answers
/// 407 to requests without those credentials.
pub fn tinyproxy(basic_auth: Option<(&str, &str)>) -> Peer {
    let dir = scratch("tinyproxy");
    let port = free_port();
    let mut conf = include_str!("../../../tests/peers/tinyproxy.conf").replace("@PORT@", &port.to_string());
    if let Some((user, password)) = basic_auth {
        conf.push_str(&format!("BasicAuth {user} {password}\n"));
    }
    let path = dir.join("tinyproxy.conf");
    std::fs::write(&path, conf).unwrap();
    let peer = run_on_port(port, &["tinyproxy".as_ref(), "-d".as_ref(), "-c".as_ref(), path.as_os_str()]);
    wait_listening(&peer, port);
    peer
}

/// nginx in the foreground on 127.0.0.1 with `conf` (its @DIR@ and @PORT@ replaced) and an
/// `htpasswd` holding `user`/`password` in its scratch directory; returns the peer and the
/// directory.
fn nginx(name: &str, conf: &str, user: &str, password: &str) -> (Peer, PathBuf) {
    let dir = scratch(name);
    let hash = Command::new("openssl").args(["passwd", "-apr1", password]).output().expect("openssl passwd");
    let htpasswd = format!("{user}:{}", String::from_utf8_lossy(&hash.stdout).trim());
    std::fs::write(dir.join("htpasswd"), htpasswd).unwrap();
    // The port is picked before nginx binds it, so a test running alongside can take it in
    // between; then something else answers on it. nginx writes its pid file only once it has
    // bound its port, so that file (and nginx still running) says the listener is ours.
    for _ in 0..5 {
        let port = free_port();
        let _ = std::fs::remove_file(dir.join("nginx.pid"));
        let conf = conf.replace("@DIR@", &dir.display().to_string()).replace("@PORT@", &port.to_string());
        let path = dir.join("nginx.conf");
        std::fs::write(&path, conf).unwrap();
        let error_log = dir.join("error.log");
        let peer = run_on_port(
            port,
            &[
                "nginx".as_ref(),
                "-p".as_ref(),
                dir.as_os_str(),
                "-c".as_ref(),
                path.as_os_str(),
                "-e".as_ref(),
                error_log.as_os_str(),
            ],
        );
        if own_listener(&peer, &dir) {
            wait_listening(&peer, port);
            return (peer, dir);
        }
    }
    panic!("nginx could not bind a free port in five attempts; see {}", dir.display());
}

/// Whether the nginx just started bound its port: its pid file appears, or it fails to bind
/// (it says so and exits).
fn own_listener(peer: &Peer, dir: &Path) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if std::fs::metadata(dir.join("nginx.pid")).is_ok_and(|m| m.len() > 0) {
            return true;
        }
        let failed = peer.output() + &std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
        if failed.contains("Address already in use") {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("nginx neither bound its port nor failed within 10 s:\n{}", peer.output());
}

/// nginx terminating TLS on 127.0.0.1 (certificate `cert`/`key`) in front of the WebSocket
/// server at `upstream_port`, requiring `user`/`password` (auth_basic).
pub fn nginx_tls_proxy(cert: &Path, key: &Path, upstream_port: u16, user: &str, password: &str) -> Peer {
    let conf = include_str!("../../../tests/peers/nginx_ws_proxy.conf")
        .replace("@CERT@", &cert.display().to_string())
        .replace("@KEY@", &key.display().to_string())
        .replace("@UPSTREAM@", &upstream_port.to_string());
    nginx("nginx", &conf, user, password).0
}

/// A server of tests/peers/digest_server.py (see its docstring): `apache` (Digest MD5) or
/// `lighttpd` (Digest SHA-256) in front of the WebSocket server at `upstream`, or `squid` (a
/// forward proxy with Digest MD5; `upstream` unused). `user`/`password` in realm `realm`.
pub fn digest_server(server: &str, upstream: u16, realm: &str, user: &str, password: &str) -> Peer {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/peers/digest_server.py");
    let upstream = upstream.to_string();
    let mut program: Vec<&OsStr> = vec![OsStr::new("python3"), script.as_os_str(), OsStr::new(server)];
    if server != "squid" {
        program.extend([OsStr::new("--upstream"), OsStr::new(&upstream)]);
    }
    program.extend(["--realm", realm, "--user", user, "--password", password].map(OsStr::new));
    run_reporting_port("PORT ", &program)
}

/// nginx serving the files of `www` over HTTP on 127.0.0.1; `/private/` needs `user`/`password`
/// (auth_basic). Returns the peer and its scratch directory (whose `access.log` lists
/// `METHOD URI STATUS` per request).
pub fn nginx_static(www: &Path, user: &str, password: &str) -> (Peer, PathBuf) {
    let conf =
        include_str!("../../../tests/peers/nginx_feeds.conf").replace("@WWW@", &www.display().to_string());
    nginx("nginx-feeds", &conf, user, password)
}

/// Feeds written by feedgen (and the hostile documents) into a new directory, by
/// tests/peers/make_feeds.py.
pub fn generated_feeds(items: usize) -> PathBuf {
    let dir = scratch("feeds");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/peers/make_feeds.py");
    let status = Command::new(venv_python())
        .arg(&script)
        .arg(&dir)
        .args(["--items", &items.to_string()])
        .status()
        .expect("run make_feeds.py");
    assert!(status.success(), "make_feeds.py failed");
    dir
}

/// The RFC 5023 server on aiohttp (tests/peers/atompub_server.py), requiring `user`/`password`.
pub fn atompub_server(user: &str, password: &str) -> Peer {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/peers/atompub_server.py");
    let python = venv_python();
    run_reporting_port("PORT ", &[python.as_os_str(), script.as_os_str(), user.as_ref(), password.as_ref()])
}

/// The background-transfer test server (tests/peers/transfer_server.py) serving the bytes of
/// `data`, storing uploads in `sink`, with the test user `user`/`password`; with `tls` =
/// (certificate, key) it also listens with TLS (its port: [`tls_port`]).
pub fn transfer_server(
    data: &Path,
    sink: &Path,
    tls: Option<(&Path, &Path)>,
    user: &str,
    password: &str,
) -> Peer {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/peers/transfer_server.py");
    let python = venv_python();
    let mut program: Vec<&OsStr> = vec![python.as_os_str(), script.as_os_str()];
    program.extend([OsStr::new("--file"), data.as_os_str(), OsStr::new("--sink"), sink.as_os_str()]);
    if let Some((cert, key)) = tls {
        program.extend([OsStr::new("--cert"), cert.as_os_str(), OsStr::new("--key"), key.as_os_str()]);
    }
    program.extend(["--user", user, "--password", password].map(OsStr::new));
    run_reporting_port("PORT ", &program)
}

/// The TLS port a [`transfer_server`] started with `tls` printed.
pub fn tls_port(server: &Peer) -> u16 {
    let output = server.wait_for_output("TLS_PORT ");
    let line = output.lines().find_map(|l| l.strip_prefix("TLS_PORT ")).expect("TLS_PORT line");
    line.trim().parse().expect("a port number")
}

/// nginx serving the files of `www` over HTTP on 127.0.0.1 with ranges and ETags, `/slow/` at
/// 512 KiB/s (tests/peers/nginx_transfer.conf). Returns the peer and its scratch directory
/// (whose `access.log` lists `METHOD URI STATUS range=RANGE` per request).
pub fn nginx_transfer(www: &Path) -> (Peer, PathBuf) {
    let conf =
        include_str!("../../../tests/peers/nginx_transfer.conf").replace("@WWW@", &www.display().to_string());
    nginx("nginx-transfer", &conf, "u", "p")
}

/// A new scratch directory for a test's files.
pub fn scratch_dir(name: &str) -> PathBuf {
    scratch(name)
}
