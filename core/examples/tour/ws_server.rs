//! The tour's WebSocket server, written with tokio-rustls and tokio-tungstenite rather than
//! netrt, so netrt's client meets an independent implementation. It answers a handshake without
//! the right Basic credentials with 401, picks a subprotocol by its own preference, and echoes
//! every message until the client closes.

use std::sync::Arc;

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};

use super::BoxError;

pub const USER: &str = "tour";
pub const PASSWORD: &str = "correct horse";
/// The server's subprotocols, most preferred first.
const PROTOCOLS: [&str; 2] = ["chat.v2", "chat.v1"];

/// Starts the server on 127.0.0.1 with the certificate and key (PEM); returns its port.
pub async fn start(cert_pem: &str, key_pem: &str) -> Result<u16, BoxError> {
    let chain = CertificateDer::pem_slice_iter(cert_pem.as_bytes()).collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(serve(acceptor.clone(), tcp));
        }
    });
    Ok(port)
}

async fn serve(acceptor: tokio_rustls::TlsAcceptor, tcp: TcpStream) -> Result<(), BoxError> {
    let tls = acceptor.accept(tcp).await?;
    let mut ws = tokio_tungstenite::accept_hdr_async(tls, check_handshake).await?;
    // A Close from the client is answered by tungstenite itself; the stream ends after it.
    while let Some(message) = ws.next().await {
        if let m @ (Message::Text(_) | Message::Binary(_)) = message? {
            ws.send(m).await?;
        }
    }
    Ok(())
}

fn check_handshake(request: &Request, mut response: Response) -> Result<Response, ErrorResponse> {
    let expected =
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}")));
    let authorization = request.headers().get("authorization").and_then(|v| v.to_str().ok());
    if authorization != Some(expected.as_str()) {
        let mut refusal = ErrorResponse::new(Some("credentials required".to_owned()));
        *refusal.status_mut() = StatusCode::UNAUTHORIZED;
        refusal
            .headers_mut()
            .insert("www-authenticate", HeaderValue::from_static("Basic realm=\"netrt tour\""));
        return Err(refusal);
    }
    let offered: Vec<&str> = request
        .headers()
        .get_all("sec-websocket-protocol")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    if let Some(chosen) = PROTOCOLS.iter().find(|p| offered.contains(p)) {
        response.headers_mut().insert("sec-websocket-protocol", HeaderValue::from_static(chosen));
    }
    Ok(response)
}
