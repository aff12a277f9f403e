//! A TLS socket cannot be handed to the broker (its TLS session lives in the app's memory):
//! TransferOwnership fails with E_NOTIMPL and the socket keeps working. The server is
//! `openssl s_server` with the test PKI's leaf, as in netrt's TLS tests.

mod common;
use common::peers;
// Shared with netrt's own TLS tests.
#[path = "../../core/tests/common/pki.rs"]
mod pki;

use netrt::error::hresult;
use netrt::net::SocketProtectionLevel;
use netrt::tls::Certificate;
use netrt::{HostName, StreamSocket};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_socket_is_not_transferred() {
    common::daemon();
    let (task, _) = common::register_task("tls");
    let pki = pki::Pki::get();
    let peer = peers::openssl_s_server(&pki.path("leaf.pem"), &pki.path("leaf.key"), &[]);
    let socket = StreamSocket::new();
    socket.enable_transfer_ownership(task.task_id()).unwrap();
    socket
        .control()
        .set_trusted_root_certificates(vec![Certificate::from_pem(&pki.pem("ca"), None).unwrap()])
        .unwrap();
    socket
        .connect_with_protection_level(
            &HostName::new("localhost").unwrap(),
            &peer.port.to_string(),
            SocketProtectionLevel::Tls12,
        )
        .await
        .expect("TLS connect");
    let refused = socket.transfer_ownership("tls-1").expect_err("a TLS socket was transferred");
    assert_eq!(refused.hresult(), hresult::E_NOTIMPL, "{refused}");
    assert!(refused.to_string().contains("TLS"), "{refused}");
    socket.write_all(b"still mine\n").await.expect("the socket is unchanged");
    task.unregister(false).unwrap();
}
