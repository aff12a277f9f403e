//! The client TLS handshake on a connected TCP stream (ConnectAsync with a TLS level, and
//! UpgradeToSslAsync), bounded by `TlsHandshakeTimeout`.

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::pki_types::UnixTime;

use super::last_flight;
use super::transport::{Connection, HandshakeIo};
use crate::error::{Error, Result, hresult};
use crate::net::control::StreamSettings;
use crate::net::hostname::HostName;
use crate::tls::client::{self, ClientTls, map_tls_io_error};
use crate::tls::record::{self, SharedRecord, VerificationRecord};
use crate::tls::verifier::DeferredValidation;

/// Runs the handshake with `tls` (the socket's settings' client configuration, built by the
/// caller, which checks them before anything starts) over `tcp`, connected to `remote`;
/// `record` receives what the verifier found, also on failure.
pub(crate) async fn client(
    tcp: impl HandshakeIo,
    remote: SocketAddr,
    validation_host: &HostName,
    tls: ClientTls,
    settings: &StreamSettings,
    record: &SharedRecord,
) -> Result<Arc<Connection>> {
    let server_name = client::server_name_for(validation_host)?;
    let sni = validation_host.ip_address().is_none().then(|| validation_host.canonical_name().to_string());
    let limit = settings.tls_handshake_timeout.to_duration().filter(|d| !d.is_zero());
    // Formatted only for an error: a handshake that succeeds never needs it.
    let what = || format!("TLS handshake with {}", validation_host.display_name());
    *record::lock(record) = VerificationRecord::default();
    let connecting = record::recorded(record.clone(), async {
        let mut conn = rustls::ClientConnection::new(tls.config.clone(), server_name.clone())
            .map_err(std::io::Error::other)?;
        let mut tcp = tcp;
        last_flight::handshake_but_the_last_flight(&mut tcp, &mut conn).await?;
        defer_resumed_validation(&conn, &tls, &server_name, record);
        // The socket leaves the reactor and the connection is built before the last flight
        // goes: whatever this end sends next follows it at once (see `last_flight`).
        let connection = Connection::tls_client(tcp, conn, remote, sni)?;
        connection.send_last_flight().await?;
        Ok::<_, std::io::Error>(connection)
    });
    let outcome = match limit {
        Some(limit) => match super::deadline::within(limit, connecting).await {
            Some(r) => r,
            None => {
                return Err(Error::new(
                    hresult::WSAETIMEDOUT_HR,
                    format!("{} timed out after {} ms (TlsHandshakeTimeout)", what(), limit.as_millis()),
                ));
            }
        },
        None => connecting.await,
    };
    outcome.map_err(|e| map_tls_io_error(&e, Some(record), &what()))
}

/// A resumed session is not verified again by rustls: what Information reports is rebuilt
/// from the certificates the session carries, when first asked for.
fn defer_resumed_validation(
    conn: &rustls::ClientConnection,
    tls: &ClientTls,
    server_name: &rustls::pki_types::ServerName<'static>,
    record: &SharedRecord,
) {
    if record::lock(record).server_certificate.is_none()
        && let Some(chain @ [_, ..]) = conn.peer_certificates()
    {
        let deferred = DeferredValidation::new(
            tls.verifier.clone(),
            chain.iter().map(|c| c.clone().into_owned()).collect(),
            server_name.to_owned(),
            UnixTime::now(),
        );
        record::lock(record).deferred = Some(Arc::new(deferred));
    }
}

/// The server side of a handshake on an accepted (or upgraded) connection from `remote`;
/// `record` receives the client certificate's findings.
pub(crate) async fn server(
    tcp: impl HandshakeIo,
    remote: SocketAddr,
    tls: &crate::tls::server::ServerTls,
    timeout: Option<std::time::Duration>,
    record: &SharedRecord,
) -> Result<Arc<Connection>> {
    let what = format!("TLS handshake with client {remote}");
    *record::lock(record) = VerificationRecord::default();
    let accepting =
        record::recorded(record.clone(), tokio_rustls::TlsAcceptor::from(tls.config.clone()).accept(tcp));
    let outcome = match timeout {
        Some(limit) => super::deadline::within(limit, accepting).await.ok_or_else(|| {
            Error::new(hresult::WSAETIMEDOUT_HR, format!("{what} timed out after {} ms", limit.as_millis()))
        })?,
        None => accepting.await,
    };
    match outcome {
        Ok(stream) => {
            Connection::tls_server(stream, remote).map_err(|e| Error::from_io(&e, "TLS connection"))
        }
        Err(e) => Err(map_tls_io_error(&e, Some(record), &what)),
    }
}
