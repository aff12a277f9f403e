//! `MessageWebSocketInformation` / `StreamWebSocketInformation`.

use std::sync::{Arc, OnceLock};

use super::connection::Connection;
use crate::net::{BandwidthStatistics, HostName};
use crate::tls::{Certificate, ChainValidationResult, SocketSslErrorSeverity};

/// What a WebSocket reports about its connection (empty values before ConnectAsync succeeds;
/// the last known values after Close).
#[derive(Clone)]
pub struct WebSocketInformation {
    pub(crate) connection: Arc<OnceLock<Arc<Connection>>>,
}

/// `MessageWebSocketInformation`.
pub type MessageWebSocketInformation = WebSocketInformation;
/// `StreamWebSocketInformation`.
pub type StreamWebSocketInformation = WebSocketInformation;

impl std::fmt::Debug for WebSocketInformation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocketInformation").field("protocol", &self.protocol()).finish_non_exhaustive()
    }
}

impl WebSocketInformation {
    fn socket_info(&self) -> Option<crate::net::StreamSocketInformation> {
        self.connection.get().map(|c| c.socket.information())
    }

    /// `LocalAddress`: the local address of the TCP connection (to the proxy, when tunnelled).
    pub fn local_address(&self) -> Option<HostName> {
        self.socket_info().and_then(|i| i.local_address())
    }

    /// `Protocol`: the subprotocol the server chose; `None` before connect or when it chose none.
    pub fn protocol(&self) -> Option<String> {
        self.connection.get().and_then(|c| c.protocol.clone())
    }

    /// `BandwidthStatistics` of the TCP connection (zeros before connect).
    pub fn bandwidth_statistics(&self) -> BandwidthStatistics {
        self.socket_info().and_then(|i| i.bandwidth_statistics().ok()).unwrap_or_default()
    }

    /// `ServerCertificate` (wss:// only).
    pub fn server_certificate(&self) -> Option<Certificate> {
        self.socket_info().and_then(|i| i.server_certificate())
    }

    /// `ServerCertificateErrors`: the validation problems found, including ignored ones.
    pub fn server_certificate_errors(&self) -> Vec<ChainValidationResult> {
        self.socket_info().map(|i| i.server_certificate_errors()).unwrap_or_default()
    }

    /// `ServerCertificateErrorSeverity`.
    pub fn server_certificate_error_severity(&self) -> SocketSslErrorSeverity {
        self.socket_info().map(|i| i.server_certificate_error_severity()).unwrap_or_default()
    }

    /// `ServerIntermediateCertificates`.
    pub fn server_intermediate_certificates(&self) -> Vec<Certificate> {
        self.socket_info().map(|i| i.server_intermediate_certificates()).unwrap_or_default()
    }
}
