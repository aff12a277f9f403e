//! The client TLS handshake on a connected TCP stream (ConnectAsync with a TLS level, and
//! UpgradeToSslAsync), bounded by `TlsHandshakeTimeout`.

use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::transport::Connection;
use crate::error::{Error, Result, hresult};
use crate::net::control::StreamSettings;
use crate::net::enums::SocketProtectionLevel;
use crate::net::hostname::HostName;
use crate::tls::client::{self, map_tls_io_error};
use crate::tls::verifier::{SharedRecord, VerificationRecord};

/// Runs the handshake; `record` receives what the verifier found, also on failure.
pub(crate) async fn client(
    tcp: TcpStream,
    validation_host: &HostName,
    level: SocketProtectionLevel,
    settings: &StreamSettings,
    record: &SharedRecord,
) -> Result<Connection> {
    let (config, verifier_record) = client::client_config(level, &settings.tls)?;
    let server_name = client::server_name_for(validation_host)?;
    let sni = validation_host.ip_address().is_none().then(|| validation_host.canonical_name().to_string());
    let limit = settings.tls_handshake_timeout.to_duration().filter(|d| !d.is_zero());
    let what = format!("TLS handshake with {}", validation_host.display_name());
    let connecting = TlsConnector::from(config).connect(server_name, tcp);
    let outcome = match limit {
        Some(limit) => match tokio::time::timeout(limit, connecting).await {
            Ok(r) => r,
            Err(_) => {
                return Err(Error::new(
                    hresult::WSAETIMEDOUT_HR,
                    format!("{what} timed out after {} ms (TlsHandshakeTimeout)", limit.as_millis()),
                ));
            }
        },
        None => connecting.await,
    };
    let found: VerificationRecord = verifier_record.lock().unwrap_or_else(|e| e.into_inner()).clone();
    *record.lock().unwrap_or_else(|e| e.into_inner()) = found;
    match outcome {
        Ok(stream) => {
            let info = client::session_info(stream.get_ref().1, sni);
            Connection::tls(tokio_rustls::TlsStream::Client(stream), info)
                .map_err(|e| Error::from_io(&e, "TLS connection"))
        }
        Err(e) => Err(map_tls_io_error(&e, Some(&verifier_record), &what)),
    }
}
