//! `netrt listen` with openssl s_client as the client.

mod support;

use support::Session;
use support::peers::openssl_s_client;
use support::pki::Pki;

#[test]
fn tls_listener_requires_a_client_certificate_and_relays() {
    let pki = Pki::get();
    let path = |f: &str| pki.path(f).display().to_string();
    let (cert, key, ca) = (path("leaf.pem"), path("leaf.key"), path("ca.pem"));
    let mut netrt = Session::spawn(&[
        "listen",
        "0",
        "--address",
        "127.0.0.1",
        "--tls",
        "--cert",
        &cert,
        "--key",
        &key,
        "--require-client-cert",
        "--trust",
        &ca,
        "--json",
        "-q",
        "0",
    ]);
    let listening = netrt.json_line();
    assert_eq!(listening["event"], "listening", "{listening}");
    let port = listening["port"].as_u64().expect("a port number") as u16;

    let client =
        openssl_s_client(port, &["-cert", &path("client.pem"), "-key", &path("client.key"), "-CAfile", &ca]);
    let accepted = netrt.json_line();
    assert_eq!(accepted["event"], "accepted", "{accepted}");
    assert_eq!(accepted["client_certificate"]["subject"], "CN=netrt test client");
    assert!(accepted["cipher_suite"].as_str().unwrap().starts_with("TLS_"), "{accepted}");
    client.wait_for_output("Verify return code: 0 (ok)");

    client.send("from s_client\n");
    assert_eq!(netrt.line(), "from s_client");
    netrt.send("from netrt\n");
    client.wait_for_output("from netrt");
    let out = netrt.finish();
    assert_eq!(out.status, 0, "{out:?}");
}

#[test]
fn plain_listener_takes_one_connection_and_ends_when_the_peer_closes() {
    use std::io::{BufRead, BufReader, Write};
    let mut netrt = Session::spawn(&["listen", "0", "--address", "127.0.0.1", "--json"]);
    let port = netrt.json_line()["port"].as_u64().expect("a port number") as u16;
    let mut peer = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    assert_eq!(netrt.json_line()["event"], "accepted");
    netrt.send("to the peer\n");
    let mut line = String::new();
    BufReader::new(&peer).read_line(&mut line).unwrap();
    assert_eq!(line, "to the peer\n");
    peer.write_all(b"to netrt\n").unwrap();
    assert_eq!(netrt.line(), "to netrt");
    drop(peer);
    // The peer closed: netrt ends by itself, its stdin still open.
    let out = netrt.wait_exit();
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the listener stopped after its one connection"
    );
}
