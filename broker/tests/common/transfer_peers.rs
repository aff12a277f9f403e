//! The background-transfer tests' servers: nginx serving generated files (tests/peers/
//! nginx_transfer.conf: ETag, ranges, a rate-limited /slow/) and the aiohttp transfer server
//! (tests/peers/transfer_server.py: auth, a 503 that recovers, an upload sink), both started
//! through tests/peers/launch.

#![allow(dead_code)] // each test binary uses part of this

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::peers;
pub use super::peers::Peer;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = super::daemon().dir.join(format!("scratch-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// nginx serving `www` (its files at /<name> and, at 512 KiB/s, /slow/<name>); its
/// access log is `<dir>/access.log`.
pub fn nginx(www: &Path, dir: &Path) -> Peer {
    let port = free_port();
    let conf = include_str!("../../../tests/peers/nginx_transfer.conf")
        .replace("@WWW@", &www.display().to_string())
        .replace("@DIR@", &dir.display().to_string())
        .replace("@PORT@", &port.to_string());
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).expect("nginx.conf");
    let args: Vec<&OsStr> =
        vec!["nginx".as_ref(), "-e".as_ref(), "stderr".as_ref(), "-c".as_ref(), path.as_os_str()];
    peers::run_on_port(port, &args)
}

/// transfer_server.py serving `data`, storing uploads in `sink`, with Basic/Digest for
/// `user`/`password`.
pub fn transfer_server(data: &Path, sink: &Path, user: &str, password: &str) -> Peer {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/peers/transfer_server.py");
    let python = peers::venv_python();
    let args: Vec<&OsStr> = vec![
        python.as_os_str(),
        script.as_os_str(),
        "--file".as_ref(),
        data.as_os_str(),
        "--sink".as_ref(),
        sink.as_os_str(),
        "--user".as_ref(),
        user.as_ref(),
        "--password".as_ref(),
        password.as_ref(),
    ];
    peers::run_reporting_port("PORT ", &args)
}

/// Writes `n` deterministic bytes to `path`; returns their SHA-256 (hex).
pub fn make_file(path: &Path, seed: u64, n: usize) -> String {
    let data = super::bytes(seed, n);
    std::fs::write(path, &data).expect("write the served file");
    sha256(&data)
}

pub fn sha256(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_file(path: &Path) -> String {
    sha256(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}
