//! SSLKEYLOGFILE is honoured (its own test binary: the variable is read when a TLS
//! configuration is built, and setting it must happen before any other thread runs).

mod common;
mod util;

use common::pki::Pki;
use netrt::HostName;
use netrt::net::{SocketProtectionLevel, StreamSocket};
use netrt::tls::Certificate;
use util::peers::openssl_s_server;
use util::within;

#[test]
fn key_log_file_receives_the_session_secrets() {
    let path = std::env::temp_dir().join(format!("netrt-keylog-{}.txt", std::process::id()));
    // SAFETY: no other thread exists yet in this test binary (a single test, run first).
    unsafe { std::env::set_var("SSLKEYLOGFILE", &path) };
    let pki = Pki::get();
    let peer = openssl_s_server(&pki.path("leaf.pem"), &pki.path("leaf.key"), &["-tls1_3"]);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let sock = StreamSocket::new();
        let ca = Certificate::from_pem(&pki.pem("ca"), None).unwrap();
        sock.control().set_trusted_root_certificates(vec![ca]).unwrap();
        let host = HostName::new("localhost").unwrap();
        within(sock.connect_with_protection_level(
            &host,
            &peer.port.to_string(),
            SocketProtectionLevel::Tls13,
        ))
        .await
        .unwrap();
    });
    let log = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    assert!(log.contains("CLIENT_HANDSHAKE_TRAFFIC_SECRET"), "key log: {log:?}");
}
