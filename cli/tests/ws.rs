//! `netrt ws` against the Python `websockets` server (tests/peers/ws_server.py).

mod support;

use std::ffi::OsStr;
use std::path::Path;

use support::peers::{Peer, run_reporting_port, venv_python};
use support::pki::Pki;
use support::{Session, command, run, run_with};

fn ws_server(args: &[&str]) -> Peer {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/peers/ws_server.py");
    let python = venv_python();
    let mut program: Vec<&OsStr> = vec![python.as_os_str(), script.as_os_str()];
    program.extend(args.iter().map(OsStr::new));
    run_reporting_port("PORT ", &program)
}

fn tls_server(extra: &[&str]) -> Peer {
    let pki = Pki::get();
    let (cert, key) = (pki.path("leaf.pem"), pki.path("leaf.key"));
    let mut args = vec!["--tls", cert.to_str().unwrap(), key.to_str().unwrap()];
    args.extend_from_slice(extra);
    ws_server(&args)
}

#[test]
fn wss_with_credential_and_subprotocol_echoes_lines_and_closes() {
    let peer = tls_server(&["--protocols", "chat.v2,chat.v1", "--basic", "alice:s3cret"]);
    let ca = Pki::get().path("ca.pem").display().to_string();
    let uri = format!("wss://localhost:{}/echo", peer.port);
    let mut cmd = command(&[
        "ws",
        &uri,
        "--protocol",
        "chat.v1",
        "--protocol",
        "chat.v2",
        "--user",
        "alice",
        "--password-env",
        "WS_PASSWORD",
        "--trust",
        &ca,
        "--json",
        "-q",
        "0",
    ]);
    cmd.env("WS_PASSWORD", "s3cret");
    let mut netrt = Session::start(&mut cmd);
    let connected = netrt.json_line();
    assert_eq!(connected["event"], "connected", "{connected}");
    assert_eq!(connected["protocol"], "chat.v2", "the server's preference among those offered");
    assert_eq!(connected["server_certificate"]["subject"], "O=netrt tests,CN=localhost");
    netrt.send("hello ☺\n");
    let echo = netrt.json_line();
    assert_eq!(echo, serde_json::json!({ "event": "message", "type": "text", "data": "hello ☺" }));
    netrt.close_stdin();
    let out = netrt.finish();
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(out.event("closed")["code"], 1000);
    peer.wait_for_output("CLOSED 1000");
}

#[test]
fn without_the_credential_the_server_answer_is_unauthorized() {
    let peer = ws_server(&["--basic", "alice:s3cret"]);
    let out = run(&["ws", &format!("ws://127.0.0.1:{}/echo", peer.port), "--json"], "");
    assert_eq!(out.status, 1, "{out:?}");
    let error = &out.event("error")["error"];
    assert_eq!(error["hresult"], "0x80190191");
    assert_eq!(error["name"], "HTTP_E_STATUS_DENIED");
    assert_eq!(error["web_error_status"]["name"], "Unauthorized");
}

#[test]
fn binary_messages_round_trip_and_the_server_close_code_is_shown() {
    let peer = ws_server(&[]);
    let mut netrt = Session::spawn(&[
        "ws",
        &format!("ws://127.0.0.1:{}/echo", peer.port),
        "--binary",
        "--json",
        "-q",
        "0",
    ]);
    assert_eq!(netrt.json_line()["event"], "connected");
    netrt.send("abc\n");
    let message = netrt.json_line();
    assert_eq!(message["type"], "binary", "{message}");
    assert_eq!(message["data_base64"], "YWJj");
    let out = netrt.finish();
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(out.event("closed")["code"], 1000);

    let closing = run(&["ws", &format!("ws://127.0.0.1:{}/close?code=4001&reason=bye", peer.port)], "");
    assert_eq!(closing.status, 0, "{closing:?}");
    assert!(closing.stderr.contains("closed: 4001 \"bye\""), "{}", closing.stderr);
}

#[test]
fn text_messages_are_printed_one_per_line() {
    let peer = ws_server(&[]);
    // Stdin ends at once: -q 2 leaves the echoes time to arrive before the close.
    let mut cmd = command(&["ws", &format!("ws://127.0.0.1:{}/echo", peer.port), "-q", "2"]);
    cmd.env("NO_COLOR", "1");
    let out = run_with(cmd, "one\ntwo\n");
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(out.stdout, "one\ntwo");
    assert!(out.stderr.contains("Connected to ws://127.0.0.1:"), "{}", out.stderr);
}

#[test]
fn an_untrusted_server_is_refused_unless_ignored() {
    let peer = tls_server(&[]);
    let uri = format!("wss://localhost:{}/echo", peer.port);
    let refused = run(&["ws", &uri, "--json"], "");
    assert_eq!(refused.status, 3, "{refused:?}");
    assert_eq!(refused.event("error")["error"]["name"], "CERT_E_UNTRUSTEDROOT");
    let ignored = run(&["ws", &uri, "--ignore", "untrusted", "--json", "-q", "2"], "hi\n");
    assert_eq!(ignored.status, 0, "{ignored:?}");
    assert_eq!(ignored.event("connected")["certificate_errors"][0]["result"], "Untrusted");
    assert_eq!(ignored.event("message")["data"], "hi");
}
