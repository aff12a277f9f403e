//! `netrt connect`: a StreamSocket to HOST SERVICE (TLS, plain, or plain then
//! UpgradeToSslAsync), the report `openssl s_client` would print, then the relay.

use std::time::Duration;

use netrt::foundation::TimeSpan;
use netrt::net::SocketProtectionLevel;
use netrt::{HostName, StreamSocket};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

use crate::args::ConnectArgs;
use crate::certs;
use crate::failure::Failure;
use crate::output::{DIM, GOOD, LABEL, json_line, port_json};
use crate::relay::{AfterEof, relay, socket_to_stdout};
use crate::starttls::Exchange;
use crate::tls_report::TlsFacts;

pub async fn run(args: &ConnectArgs) -> Result<(), Failure> {
    let host = HostName::new(&args.host)
        .map_err(|e| Failure::Usage(format!("host '{}': {}", args.host, e.message())))?;
    let socket = configured_socket(args)?;
    let tls_level = if args.tls13 { SocketProtectionLevel::Tls13 } else { SocketProtectionLevel::Tls12 };
    let level = if args.plain || args.upgrade { SocketProtectionLevel::PlainSocket } else { tls_level };

    let spinner =
        crate::progress::spinner(args.output.json, format!("connecting to {} {}", args.host, args.service));
    let connected = socket.connect_with_protection_level(&host, &args.service, level).await;
    spinner.finish_and_clear();
    // A certificate that was rejected is shown like an accepted one: that is what to fix.
    if let Err(e) = connected {
        report_tls(&socket, args.output.json, "rejected");
        return Err(e.into());
    }
    report_connected(&socket, args, level);

    let mut input = BufReader::new(tokio::io::stdin());
    if args.upgrade {
        match args.starttls {
            Some(protocol) => {
                let mut exchange = Exchange::new(&socket)?;
                let negotiated = exchange.negotiate(protocol, &args.host).await;
                report_transcript(&exchange.transcript, args.output.json);
                negotiated?;
                upgrade(&socket, &host, tls_level, args.output.json).await?;
                exchange.finish()?;
            }
            None => {
                if !plaintext_until_marker(&socket, &mut input, args.upgrade_marker.as_deref()).await? {
                    // The peer closed the connection before the upgrade.
                    socket.close();
                    return Ok(());
                }
                upgrade(&socket, &host, tls_level, args.output.json).await?;
            }
        }
    }
    relay(&socket, &mut input, AfterEof::from_seconds(args.quit_after)).await
}

/// A socket with the command line's control settings.
fn configured_socket(args: &ConnectArgs) -> Result<StreamSocket, Failure> {
    let socket = StreamSocket::new();
    let control = socket.control();
    if let Some(seconds) = args.timeout {
        control.set_connect_timeout(TimeSpan::from_duration(Duration::from_secs(u64::from(seconds))))?;
    }
    control.set_ignorable_server_certificate_errors(args.tls.trust.ignore.iter().map(|i| i.0).collect())?;
    control.set_trusted_root_certificates(certs::trusted_roots(&args.tls.trust.trust)?)?;
    control.set_application_protocols(args.alpn.clone())?;
    control.set_client_certificate(certs::client_certificate(&args.tls)?)?;
    Ok(socket)
}

async fn upgrade(
    socket: &StreamSocket,
    host: &HostName,
    level: SocketProtectionLevel,
    json: bool,
) -> Result<(), Failure> {
    if let Err(e) = socket.upgrade_to_ssl(level, host).await {
        report_tls(socket, json, "rejected");
        return Err(e.into());
    }
    report_tls(socket, json, "upgraded");
    Ok(())
}

/// The plaintext phase of a manual `--upgrade`: relays both ways until stdin has the marker
/// line (or ends, without a marker). Returns false when the peer closed the connection first.
async fn plaintext_until_marker(
    socket: &StreamSocket,
    input: &mut BufReader<impl AsyncRead + Unpin>,
    marker: Option<&str>,
) -> Result<bool, Failure> {
    let lines = async {
        let mut line = String::new();
        loop {
            line.clear();
            if input.read_line(&mut line).await.unwrap_or(0) == 0 {
                return Ok::<_, Failure>(());
            }
            if marker.is_some_and(|m| line.trim_end_matches(['\r', '\n']) == m) {
                return Ok(());
            }
            socket.write_all(line.as_bytes()).await?;
        }
    };
    // Dropping the pending read when the marker comes is a cancellation: netrt keeps any bytes
    // it had taken for the next read, where the upgrade's injection check finds them.
    tokio::select! {
        r = lines => r.map(|()| true),
        r = socket_to_stdout(socket) => r.map(|()| false),
    }
}

fn endpoint_json(socket: &StreamSocket) -> Value {
    let info = socket.information();
    json!({
        "local_address": info.local_address().map(|h| h.to_string()),
        "local_port": port_json(&info.local_port()),
        "remote_address": info.remote_address().map(|h| h.to_string()),
        "remote_port": port_json(&info.remote_port()),
    })
}

fn report_connected(socket: &StreamSocket, args: &ConnectArgs, level: SocketProtectionLevel) {
    let info = socket.information();
    let facts = TlsFacts::of_socket(&info);
    if args.output.json {
        let mut event = json!({
            "event": "connected",
            "host": args.host,
            "service": args.service,
            "protection_level": level.name(),
            "tls": facts.as_ref().map(TlsFacts::to_json),
        });
        merge(&mut event, endpoint_json(socket));
        json_line(&event);
        return;
    }
    anstream::eprintln!(
        "{GOOD}Connected{GOOD:#} to {} {} ({}:{}) from {}:{}",
        args.host,
        args.service,
        info.remote_address().map(|h| h.to_string()).unwrap_or_default(),
        info.remote_port(),
        info.local_address().map(|h| h.to_string()).unwrap_or_default(),
        info.local_port()
    );
    match facts {
        Some(facts) => facts.print(),
        None => anstream::eprintln!("{LABEL}{:<12}{LABEL:#}{}", "Protocol", "plain TCP (no TLS)"),
    }
    anstream::eprintln!("{DIM}---{DIM:#}");
}

/// After an upgrade, or a handshake the certificate made fail: what the TLS layer knows.
fn report_tls(socket: &StreamSocket, json: bool, event: &str) {
    let Some(facts) = TlsFacts::of_socket(&socket.information()) else { return };
    if json {
        json_line(&json!({ "event": event, "tls": facts.to_json() }));
    } else {
        if event == "upgraded" {
            anstream::eprintln!("{GOOD}Upgraded{GOOD:#} to TLS (UpgradeToSslAsync)");
        }
        facts.print();
        anstream::eprintln!("{DIM}---{DIM:#}");
    }
}

fn report_transcript(transcript: &[String], json: bool) {
    if json {
        json_line(&json!({ "event": "starttls", "transcript": transcript }));
    } else {
        for line in transcript {
            anstream::eprintln!("{DIM}{line}{DIM:#}");
        }
    }
}

/// Adds `extra`'s fields to the object `target`.
pub fn merge(target: &mut Value, extra: Value) {
    if let (Some(t), Value::Object(e)) = (target.as_object_mut(), extra) {
        t.extend(e);
    }
}
