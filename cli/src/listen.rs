//! `netrt listen`: a StreamSocketListener (plaintext, or TLS with netrt's server-side
//! extension) that takes one connection and relays it, like `nc -l`.

use std::sync::Arc;

use netrt::net::{SocketProtectionLevel, StreamSocketListener};
use netrt::tls::ClientCertificateMode;
use netrt::{HostName, StreamSocket};
use serde_json::json;
use tokio::sync::mpsc;

use crate::args::ListenArgs;
use crate::certs;
use crate::connect::merge;
use crate::failure::Failure;
use crate::output::{DIM, GOOD, LABEL, json_line, port_json};
use crate::relay::{AfterEof, relay};
use crate::tls_report::certificate_json;

pub async fn run(args: &ListenArgs) -> Result<(), Failure> {
    let listener = StreamSocketListener::new();
    let level = configure(&listener, args)?;
    let (tx, mut accepted) = mpsc::unbounded_channel::<StreamSocket>();
    listener.add_connection_received(Arc::new(move |_listener, connection| {
        let _ = tx.send(connection.socket());
    }))?;
    let address = match &args.address {
        Some(text) => Some(
            HostName::new(text)
                .map_err(|e| Failure::Usage(format!("--address '{text}': {}", e.message())))?,
        ),
        None => None,
    };
    // "0" means any free port, as for nc; netrt spells that "".
    let service = if args.service == "0" { "" } else { args.service.as_str() };
    listener.bind_endpoint_with_protection_level(address.as_ref(), service, level).await?;
    let port = listener.information().local_port();
    let shown = args.address.as_deref().unwrap_or("every address");
    if args.output.json {
        json_line(
            &json!({ "event": "listening", "address": args.address, "port": port_json(&port), "tls": args.tls }),
        );
    } else {
        let kind = if args.tls { "TLS" } else { "plain TCP" };
        anstream::eprintln!("{GOOD}Listening{GOOD:#} on port {port} ({shown}, {kind})");
    }

    // One connection, as `nc -l`: the listener stops accepting once it has arrived.
    let Some(socket) = accepted.recv().await else { return Ok(()) };
    listener.close();
    report_accepted(&socket, args.output.json);
    let mut stdin = tokio::io::stdin();
    relay(&socket, &mut stdin, AfterEof::from_seconds(args.quit_after)).await
}

/// Server certificate and client-certificate policy; the protection level to bind with.
fn configure(listener: &StreamSocketListener, args: &ListenArgs) -> Result<SocketProtectionLevel, Failure> {
    if !args.tls {
        return Ok(SocketProtectionLevel::PlainSocket);
    }
    let control = listener.control();
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        control.set_server_certificate(Some(certs::with_key(cert, key)?))?;
    }
    control.set_trusted_root_certificates(certs::trusted_roots(&args.trust)?)?;
    let mode = if args.require_client_cert {
        ClientCertificateMode::Required
    } else if !args.trust.is_empty() {
        ClientCertificateMode::Optional
    } else {
        ClientCertificateMode::None
    };
    control.set_client_certificate_mode(mode)?;
    Ok(SocketProtectionLevel::Tls12)
}

fn report_accepted(socket: &StreamSocket, json: bool) {
    let info = socket.information();
    let peer = format!(
        "{}:{}",
        info.remote_address().map(|h| h.to_string()).unwrap_or_default(),
        info.remote_port()
    );
    let client = info.client_certificate();
    let cipher = info.cipher_suite();
    if json {
        let mut event = json!({
            "event": "accepted",
            "remote_address": info.remote_address().map(|h| h.to_string()),
            "remote_port": port_json(&info.remote_port()),
            "client_certificate": client.as_ref().map(certificate_json),
        });
        if !cipher.is_empty() {
            merge(
                &mut event,
                json!({ "tls_version": info.negotiated_tls_version().name(), "cipher_suite": cipher }),
            );
        }
        json_line(&event);
        return;
    }
    anstream::eprintln!("{GOOD}Connection{GOOD:#} from {peer}");
    if !cipher.is_empty() {
        anstream::eprintln!("{LABEL}{:<12}{LABEL:#}{} {cipher}", "TLS", info.negotiated_tls_version().name());
    }
    if let Some(cert) = client {
        anstream::eprintln!("{LABEL}{:<12}{LABEL:#}{}", "Client cert", cert.subject_distinguished_name());
    }
    anstream::eprintln!("{DIM}---{DIM:#}");
}
