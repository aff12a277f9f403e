//! `netrt connect` against real servers on loopback: openssl s_server (TLS report, relay,
//! certificate problems) and aiosmtpd (STARTTLS).

mod support;

use std::ffi::OsStr;

use support::peers::{aiosmtpd_starttls, openssl_s_server, run_reporting_port};
use support::pki::Pki;
use support::{Session, closed_port, run};

fn pki() -> &'static Pki {
    Pki::get()
}

fn s_server(extra: &[&str]) -> support::peers::Peer {
    openssl_s_server(&pki().path("leaf.pem"), &pki().path("leaf.key"), extra)
}

fn ca() -> String {
    pki().path("ca.pem").display().to_string()
}

#[test]
fn prints_version_cipher_alpn_and_chain_then_relays_both_ways() {
    let peer = s_server(&["-alpn", "h2", "-tls1_3"]);
    let port = peer.port.to_string();
    let ca = ca();
    let mut netrt = Session::spawn(&[
        "connect",
        "localhost",
        &port,
        "--trust",
        &ca,
        "--alpn",
        "h2,http/1.1",
        "--json",
        "-q",
        "0",
    ]);
    let connected = netrt.json_line();
    assert_eq!(connected["event"], "connected", "{connected}");
    assert_eq!(connected["remote_port"], peer.port);
    let tls = &connected["tls"];
    assert_eq!(tls["version"], "TLS 1.3");
    assert_eq!(tls["version_code"], 0x0304);
    assert_eq!(tls["alpn"], "h2");
    assert_eq!(tls["server_name"], "localhost");
    assert_eq!(tls["certificate_errors"], serde_json::json!([]));
    assert_eq!(tls["certificate_error_severity"], "None");
    let log = peer.wait_for_output("CIPHER is ");
    let cipher = tls["cipher_suite"].as_str().unwrap();
    assert!(log.contains(&format!("CIPHER is {cipher}\n")), "netrt says {cipher}, s_server: {log}");

    // The chain as openssl itself reads the certificate.
    let leaf = &tls["chain"][0];
    assert_eq!(leaf["subject"], "O=netrt tests,CN=localhost");
    assert_eq!(leaf["issuer"], "O=netrt tests,CN=netrt Test CA");
    let fingerprint = pki().x509("leaf", &["-fingerprint", "-sha256"]).replace(':', "");
    assert!(fingerprint.ends_with(leaf["sha256"].as_str().unwrap()), "{fingerprint} vs {leaf}");
    let not_after =
        support::pki::parse_openssl_date(support::pki::field(&pki().x509("leaf", &["-enddate"]), "notAfter"));
    assert_eq!(leaf["valid_to"], unix_to_utc(not_after));

    peer.send("from the server\n");
    assert_eq!(netrt.line(), "from the server");
    netrt.send("from netrt\n");
    peer.wait_for_output("from netrt");
    let out = netrt.finish();
    assert_eq!(out.status, 0, "{out:?}");
}

/// `YYYY-MM-DDTHH:MM:SSZ` by the `date` command, independently of netrt.
fn unix_to_utc(secs: i64) -> String {
    let out = std::process::Command::new("date")
        .args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .expect("date");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn human_report_names_protocol_cipher_and_chain_on_stderr() {
    let peer = s_server(&[]);
    let out = run(&["connect", "localhost", &peer.port.to_string(), "--trust", &ca(), "-q", "0"], "");
    assert_eq!(out.status, 0, "{out:?}");
    assert!(out.stdout.is_empty(), "stdout carries only the relayed data: {:?}", out.stdout);
    for expected in [
        "Connected to localhost",
        "Protocol    TLS 1.",
        "Cipher      TLS_",
        "0 s: O=netrt tests,CN=localhost",
    ] {
        assert!(out.stderr.contains(expected), "{expected:?} missing from:\n{}", out.stderr);
    }
    assert!(out.stderr.contains("i: O=netrt tests,CN=netrt Test CA"), "{}", out.stderr);
    assert!(out.stderr.contains("Verify      OK"), "{}", out.stderr);
    assert!(!out.stderr.contains('\x1b'), "no colour on a pipe");
}

#[test]
fn untrusted_root_is_shown_with_its_chain_validation_result() {
    let peer = s_server(&[]);
    let port = peer.port.to_string();
    let out = run(&["connect", "localhost", &port, "--json"], "");
    assert_eq!(out.status, 3, "a rejected certificate exits 3: {out:?}");
    let rejected = out.event("rejected");
    let errors = &rejected["tls"]["certificate_errors"];
    assert_eq!(errors, &serde_json::json!([{ "result": "Untrusted", "value": 1, "severity": "Ignorable" }]));
    assert_eq!(rejected["tls"]["chain"][0]["subject"], "O=netrt tests,CN=localhost");
    let error = &out.event("error")["error"];
    assert_eq!(error["hresult"], "0x800B0109");
    assert_eq!(error["name"], "CERT_E_UNTRUSTEDROOT");
    assert_eq!(error["socket_error_status"]["name"], "CertificateUntrustedRoot");
    assert!(error["detail"].as_str().unwrap().contains("Untrusted"), "{error}");

    let human = run(&["connect", "localhost", &port], "");
    assert_eq!(human.status, 3);
    assert!(human.stderr.contains("Verify      Untrusted (1) severity Ignorable"), "{}", human.stderr);
    assert!(
        human
            .stderr
            .contains("HRESULT 0x800B0109 CERT_E_UNTRUSTEDROOT (SocketErrorStatus CertificateUntrustedRoot"),
        "{}",
        human.stderr
    );
}

#[test]
fn ignore_untrusted_connects_and_still_reports_the_problem() {
    let peer = s_server(&[]);
    let out = run(
        &["connect", "localhost", &peer.port.to_string(), "--ignore", "untrusted", "--json", "-q", "0"],
        "",
    );
    assert_eq!(out.status, 0, "{out:?}");
    let tls = &out.event("connected")["tls"];
    assert_eq!(tls["certificate_errors"][0]["result"], "Untrusted");
    assert_eq!(tls["certificate_error_severity"], "Ignorable");
}

#[test]
fn refused_connection_prints_hresult_status_and_detail() {
    let port = closed_port().to_string();
    let out = run(&["connect", "127.0.0.1", &port, "--plain"], "");
    assert_eq!(out.status, 1, "{out:?}");
    assert!(
        out.stderr.contains("HRESULT 0x8007274D WSAECONNREFUSED (SocketErrorStatus ConnectionRefused"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("127.0.0.1:{port}")),
        "the detail names the address: {}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

/// aiosmtpd requiring STARTTLS, and `netrt connect --upgrade <how> --json` to it.
fn smtp_upgrade(how: &[&str]) -> (support::peers::Peer, Session) {
    let peer = aiosmtpd_starttls(&pki().path("leaf.pem"), &pki().path("leaf.key"));
    let (port, ca) = (peer.port.to_string(), ca());
    let mut args = vec!["connect", "localhost", &port, "--upgrade", "--trust", &ca, "--json"];
    args.extend_from_slice(how);
    let netrt = Session::spawn(&args);
    (peer, netrt)
}

#[test]
fn starttls_smtp_upgrades_before_anything_is_sent() {
    let (peer, mut netrt) = smtp_upgrade(&["--starttls", "smtp"]);
    assert_eq!(netrt.json_line()["tls"], serde_json::Value::Null, "connected in plaintext");
    let exchange = netrt.json_line();
    assert_eq!(exchange["event"], "starttls");
    let transcript: Vec<&str> =
        exchange["transcript"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    assert!(transcript.contains(&"C: STARTTLS"), "{transcript:?}");
    assert!(transcript.last().unwrap().starts_with("S: 220"), "{transcript:?}");
    let upgraded = netrt.json_line();
    assert_eq!(upgraded["event"], "upgraded");
    assert!(upgraded["tls"]["version"].as_str().unwrap().starts_with("TLS 1."), "{upgraded}");
    netrt.send("EHLO client.example\r\nMAIL FROM:<alice@example.com>\r\n");
    peer.wait_for_output("MAIL alice@example.com tls");
    netrt.send("QUIT\r\n");
    let out = netrt.finish();
    assert_eq!(out.status, 0, "{out:?}");
    assert!(out.stdout.contains("221"), "the server's goodbye came over TLS: {}", out.stdout);
}

/// A server that answers STARTTLS and, in the same write, a plaintext line an attacker
/// injected: netrt's upgrade must refuse instead of reading it as if protected.
const INJECTING_SERVER: &str = r#"
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print("PORT", s.getsockname()[1], flush=True)
c, _ = s.accept(); f = c.makefile("rb")
c.sendall(b"220 ready\r\n"); f.readline()
c.sendall(b"250-hello\r\n250 STARTTLS\r\n"); f.readline()
c.sendall(b"220 go ahead\r\n250 injected\r\n")
c.recv(1)
"#;

#[test]
fn plaintext_injected_after_the_go_ahead_is_refused() {
    let program: [&OsStr; 3] = ["python3".as_ref(), "-c".as_ref(), INJECTING_SERVER.as_ref()];
    let peer = run_reporting_port("PORT ", &program);
    let out = run(
        &["connect", "localhost", &peer.port.to_string(), "--upgrade", "--starttls", "smtp", "--json"],
        "",
    );
    assert_eq!(out.status, 1, "{out:?}");
    let error = &out.event("error")["error"];
    assert_eq!(error["hresult"], "0x80040201", "{error}");
    assert_eq!(error["name"], "NETRT_E_STARTTLS_PLAINTEXT_PENDING");
}

#[test]
fn usage_errors_exit_2_before_connecting() {
    for args in [
        vec!["connect", "localhost"],
        vec!["connect", "localhost", "443", "--plain", "--tls13"],
        vec!["connect", "localhost", "443", "--starttls", "smtp"],
        vec!["connect", "localhost", "443", "--ignore", "revoked"],
        vec!["connect", "localhost", "443", "--cert", "a.pem"],
    ] {
        let out = run(&args, "");
        assert_eq!(out.status, 2, "{args:?}: {out:?}");
        assert!(out.stderr.contains("error:"), "{}", out.stderr);
    }
}

#[test]
fn an_unreadable_certificate_file_exits_4() {
    let out = run(&["connect", "localhost", "443", "--trust", "/nonexistent/ca.pem"], "");
    assert_eq!(out.status, 4, "{out:?}");
    assert!(out.stderr.contains("cannot read /nonexistent/ca.pem"), "{}", out.stderr);
}

#[test]
fn manual_upgrade_starts_tls_at_the_marker_line() {
    let (peer, mut netrt) = smtp_upgrade(&["--upgrade-marker", "UPGRADE"]);
    assert_eq!(netrt.json_line()["event"], "connected");
    let wait_for = |netrt: &mut Session, prefix: &str| while !netrt.line().starts_with(prefix) {};
    wait_for(&mut netrt, "220 ");
    netrt.send("EHLO me\r\n");
    wait_for(&mut netrt, "250 ");
    netrt.send("STARTTLS\r\n");
    wait_for(&mut netrt, "220 ");
    netrt.send("UPGRADE\n");
    let upgraded = netrt.json_line();
    assert_eq!(upgraded["event"], "upgraded", "{upgraded}");
    netrt.send("EHLO me\r\nMAIL FROM:<bob@example.com>\r\n");
    peer.wait_for_output("MAIL bob@example.com tls");
    netrt.send("QUIT\r\n");
    assert_eq!(netrt.finish().status, 0);
}

#[test]
fn client_certificates_from_pem_and_pkcs12_are_sent_when_asked() {
    let ca = ca();
    // -verify: s_server asks for a client certificate and prints its subject.
    let peer = s_server(&["-verify", "1", "-CAfile", &ca]);
    let port = peer.port.to_string();
    let (cert, key) =
        (pki().path("client.pem").display().to_string(), pki().path("client.key").display().to_string());
    let pem =
        run(&["connect", "localhost", &port, "--trust", &ca, "--cert", &cert, "--key", &key, "-q", "0"], "");
    assert_eq!(pem.status, 0, "{pem:?}");
    peer.wait_for_output("subject=CN = netrt test client");

    let p12 = pki().path("leaf.p12").display().to_string();
    let mut cmd = support::command(&[
        "connect",
        "localhost",
        &port,
        "--trust",
        &ca,
        "--client-cert",
        &p12,
        "--password-env",
        "P12_PASSWORD",
        "-q",
        "0",
    ]);
    cmd.env("P12_PASSWORD", "secret");
    let out = support::run_with(cmd, "");
    assert_eq!(out.status, 0, "{out:?}");
    // s_server prints the subject of the client certificate it received (the PKCS#12's leaf).
    peer.wait_for_output("subject=CN = localhost");

    let unset = run(
        &[
            "connect",
            "localhost",
            &port,
            "--client-cert",
            &p12,
            "--password-env",
            "NETRT_TEST_UNSET_VARIABLE",
        ],
        "",
    );
    assert_eq!(unset.status, 4, "{unset:?}");
    assert!(unset.stderr.contains("NETRT_TEST_UNSET_VARIABLE"), "{}", unset.stderr);
}
