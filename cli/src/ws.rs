//! `netrt ws`: a MessageWebSocket client in the manner of websocat — each stdin line is one
//! message, each message received is printed; `-q SECONDS` after end of file on stdin closes
//! with 1000, otherwise netrt runs until the server closes.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use netrt::foundation::Uri;
use netrt::security::PasswordCredential;
use netrt::web::ProxyChoice;
use netrt::ws::{MessageWebSocket, SocketMessageType};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use crate::args::WsArgs;
use crate::certs;
use crate::failure::Failure;
use crate::output::{DIM, GOOD, LABEL, json_line};
use crate::tls_report::certificate_json;

/// How long to wait for the server's answer to our close frame (netrt gives up after 5 s too).
const CLOSE_WAIT: Duration = Duration::from_secs(6);

/// What the socket's events deliver to the command.
enum Event {
    Message(netrt::Result<(SocketMessageType, Vec<u8>)>),
    Closed(u16, String),
}

pub async fn run(args: &WsArgs) -> Result<(), Failure> {
    let uri = Uri::new(&args.uri).map_err(|e| Failure::Usage(format!("'{}': {}", args.uri, e.message())))?;
    let socket = configured_socket(args, &uri)?;
    let (tx, mut events) = mpsc::unbounded_channel();
    let on_message = tx.clone();
    socket.add_message_received(Arc::new(move |_socket, message| {
        let _ = on_message.send(Event::Message(message.data().map(|d| (message.message_type(), d))));
    }))?;
    socket.add_closed(Arc::new(move |_socket, closed| {
        let _ = tx.send(Event::Closed(closed.code(), closed.reason().to_owned()));
    }))?;

    let spinner = crate::progress::spinner(args.output.json, format!("connecting to {}", uri.display_uri()));
    let connected = socket.connect(&uri).await;
    spinner.finish_and_clear();
    connected?;
    report_connected(&socket, &uri, args.output.json);

    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    // When to send our close frame (`-q` after end of file), then how long to wait for the answer.
    let mut close_at: Option<tokio::time::Instant> = None;
    let mut closing = false;
    loop {
        tokio::select! {
            line = lines.next_line(), if stdin_open => match line.ok().flatten() {
                Some(line) => socket.send_message(line.as_bytes()).await?,
                None => {
                    stdin_open = false;
                    let wait = args.quit_after.map(|s| Duration::from_secs(u64::from(s)));
                    close_at = wait.map(|w| tokio::time::Instant::now() + w);
                }
            },
            () = sleep_until(close_at) => {
                if closing {
                    return Ok(()); // No answer to our close frame: netrt has dropped the connection.
                }
                closing = true;
                socket.close_with_status(1000, "")?;
                close_at = Some(tokio::time::Instant::now() + CLOSE_WAIT);
            }
            event = events.recv() => match event {
                Some(Event::Message(Ok((kind, data)))) => print_message(kind, &data, args.output.json).await,
                Some(Event::Message(Err(e))) => return Err(e.into()),
                Some(Event::Closed(code, reason)) => {
                    report_closed(code, &reason, args.output.json);
                    return Ok(());
                }
                None => return Ok(()),
            },
        }
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn configured_socket(args: &WsArgs, uri: &Uri) -> Result<MessageWebSocket, Failure> {
    let socket = MessageWebSocket::new();
    let control = socket.control();
    control.set_message_type(if args.binary {
        SocketMessageType::Binary
    } else {
        SocketMessageType::Utf8
    })?;
    for protocol in &args.protocols {
        control.supported_protocols().append(protocol.clone())?;
    }
    for ignore in &args.trust.ignore {
        control.ignorable_server_certificate_errors().append(ignore.0)?;
    }
    for root in certs::trusted_roots(&args.trust.trust)? {
        control.trusted_root_certificates().append(root)?;
    }
    if let (Some(user), Some(var)) = (&args.user, &args.password_env) {
        let password = std::env::var(var).map_err(|_| {
            Failure::Input(format!("--password-env {var}: the environment variable is not set"))
        })?;
        let credential = PasswordCredential::with_fields(&uri.absolute_uri(), user, &password)
            .map_err(|e| Failure::Usage(format!("--user: {}", e.message())))?;
        control.set_server_credential(Some(credential))?;
    }
    if let Some(proxy) = &args.proxy {
        let choice = ProxyChoice::from_text(Some(proxy))
            .map_err(|e| Failure::Usage(format!("--proxy: {}", e.message())))?;
        control.set_proxy(choice)?;
    }
    Ok(socket)
}

fn report_connected(socket: &MessageWebSocket, uri: &Uri, json: bool) {
    let info = socket.information();
    let certificate = info.server_certificate();
    let errors: Vec<_> = info.server_certificate_errors();
    if json {
        json_line(&json!({
            "event": "connected",
            "uri": uri.display_uri(),
            "protocol": info.protocol(),
            "server_certificate": certificate.as_ref().map(certificate_json),
            "certificate_errors": errors.iter().map(|r| json!({
                "result": r.name(), "value": *r as i32, "severity": r.severity().name(),
            })).collect::<Vec<_>>(),
        }));
        return;
    }
    anstream::eprintln!("{GOOD}Connected{GOOD:#} to {}", uri.display_uri());
    anstream::eprintln!(
        "{LABEL}{:<12}{LABEL:#}{}",
        "Protocol",
        info.protocol().as_deref().unwrap_or("(none chosen)")
    );
    if let Some(cert) = certificate {
        anstream::eprintln!("{LABEL}{:<12}{LABEL:#}{}", "Certificate", cert.subject_distinguished_name());
    }
    for r in errors {
        anstream::eprintln!(
            "{LABEL}{:<12}{LABEL:#}{} ({}) severity {} (ignored)",
            "Verify",
            r.name(),
            r as i32,
            r.severity().name()
        );
    }
    anstream::eprintln!("{DIM}---{DIM:#}");
}

async fn print_message(kind: SocketMessageType, data: &[u8], json: bool) {
    if json {
        let event = match kind {
            SocketMessageType::Utf8 => {
                json!({ "event": "message", "type": "text", "data": String::from_utf8_lossy(data) })
            }
            SocketMessageType::Binary => json!({
                "event": "message",
                "type": "binary",
                "data_base64": base64::engine::general_purpose::STANDARD.encode(data),
            }),
        };
        json_line(&event);
        return;
    }
    let mut stdout = tokio::io::stdout();
    // Text messages end with a newline, as they were typed; binary ones are written as they are.
    let newline: &[u8] = if kind == SocketMessageType::Utf8 { b"\n" } else { b"" };
    let _ = stdout.write_all(data).await;
    let _ = stdout.write_all(newline).await;
    let _ = stdout.flush().await;
}

fn report_closed(code: u16, reason: &str, json: bool) {
    if json {
        json_line(&json!({ "event": "closed", "code": code, "reason": reason }));
    } else {
        anstream::eprintln!("{DIM}closed: {code} {reason:?}{DIM:#}");
    }
}
