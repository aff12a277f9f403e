//! `StreamSocketInformation`.

use std::net::SocketAddr;
use std::sync::Arc;

use super::{Connection, Inner, State};
use crate::error::{Error, Result};
use crate::net::enums::SocketProtectionLevel;
use crate::net::hostname::HostName;
use crate::net::tcp_info::{BandwidthStatistics, RoundTripTimeStatistics};
use crate::tls::client::TlsSessionInfo;
use crate::tls::{Certificate, ChainValidationResult, SocketSslErrorSeverity, VerificationRecord};

/// What a closed socket's `Information` keeps reporting: the connection as it was at close.
pub(crate) struct LastKnown {
    local: SocketAddr,
    remote: SocketAddr,
    session: Option<TlsSessionInfo>,
    statistics: (RoundTripTimeStatistics, BandwidthStatistics),
}

impl LastKnown {
    /// Records `conn` (its statistics sampled one last time) before it is shut down.
    pub(crate) fn of(conn: &Connection) -> Self {
        let statistics =
            conn.stats.lock().unwrap_or_else(|e| e.into_inner()).sample(&conn.fd()).unwrap_or_default();
        Self {
            local: conn.local(),
            remote: conn.remote,
            session: conn.tls_io().map(|t| t.session()),
            statistics,
        }
    }
}

/// `StreamSocketInformation`: a live view of the socket (values change as it connects).
///
/// After the socket closes it keeps answering with the values it had at close (WinRT's
/// Information stays readable after Close); nothing here fails because of Close.
#[derive(Clone)]
pub struct StreamSocketInformation {
    pub(super) inner: Arc<Inner>,
}

impl StreamSocketInformation {
    fn conn(&self) -> Option<Arc<Connection>> {
        self.inner.connection("query").ok()
    }

    fn last<R>(&self, f: impl FnOnce(&LastKnown) -> R) -> Option<R> {
        match &*self.inner.state.read().unwrap_or_else(|e| e.into_inner()) {
            State::Closed(last) => last.as_deref().map(f),
            _ => None,
        }
    }

    /// The local and remote addresses: the connection's, or the last ones after close.
    fn endpoints(&self) -> Option<(SocketAddr, SocketAddr)> {
        match self.conn() {
            Some(c) => Some((c.local(), c.remote)),
            None => self.last(|l| (l.local, l.remote)),
        }
    }

    /// `LocalAddress` (None before connect).
    pub fn local_address(&self) -> Option<HostName> {
        self.endpoints().map(|(local, _)| HostName::from_ip(local.ip()))
    }

    /// `LocalPort` ("" before connect).
    pub fn local_port(&self) -> String {
        self.endpoints().map(|(local, _)| local.port().to_string()).unwrap_or_default()
    }

    /// `RemoteAddress` (None before connect).
    pub fn remote_address(&self) -> Option<HostName> {
        self.endpoints().map(|(_, remote)| HostName::from_ip(remote.ip()))
    }

    /// `RemotePort` ("" before connect).
    pub fn remote_port(&self) -> String {
        self.endpoints().map(|(_, remote)| remote.port().to_string()).unwrap_or_default()
    }

    /// `RemoteHostName`: what was passed to ConnectAsync (the peer's address when accepted).
    pub fn remote_host_name(&self) -> Option<HostName> {
        self.inner.requested.lock().unwrap_or_else(|e| e.into_inner()).remote_host_name()
    }

    /// `RemoteServiceName`: what was passed to ConnectAsync (the peer's port when accepted).
    pub fn remote_service_name(&self) -> String {
        self.inner.requested.lock().unwrap_or_else(|e| e.into_inner()).remote_service_name()
    }

    /// `ProtectionLevel`: the level requested (as WinRT).
    pub fn protection_level(&self) -> SocketProtectionLevel {
        self.inner.requested.lock().unwrap_or_else(|e| e.into_inner()).protection_level
    }

    /// `RoundTripTimeStatistics` from TCP_INFO (see `net::tcp_info` for how each field is
    /// derived). After close: the values sampled at close (all zero if the socket never
    /// connected).
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` before connect (never after close).
    pub fn round_trip_time_statistics(&self) -> Result<RoundTripTimeStatistics> {
        self.statistics().map(|(rtt, _)| rtt)
    }

    /// `BandwidthStatistics` from TCP_INFO; after close, as
    /// [`round_trip_time_statistics`](Self::round_trip_time_statistics).
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` before connect (never after close).
    pub fn bandwidth_statistics(&self) -> Result<BandwidthStatistics> {
        self.statistics().map(|(_, bw)| bw)
    }

    fn statistics(&self) -> Result<(RoundTripTimeStatistics, BandwidthStatistics)> {
        let conn = match self.inner.connection("read statistics") {
            Ok(conn) => conn,
            Err(_) if self.inner.is_closed() => return Ok(self.last(|l| l.statistics).unwrap_or_default()),
            Err(e) => return Err(e),
        };
        let mut tracker = conn.stats.lock().unwrap_or_else(|e| e.into_inner());
        tracker.sample(&conn.fd()).map_err(|e| Error::from_io(&e, "getsockopt(TCP_INFO)"))
    }

    fn record(&self) -> VerificationRecord {
        self.inner.tls_record.lock().unwrap_or_else(|e| e.into_inner()).record()
    }

    /// The record of the server's certificate: empty on the server end of a connection,
    /// where the record describes the client's certificate instead.
    fn server_record(&self) -> VerificationRecord {
        if self.session().is_some_and(|s| s.server_side) {
            VerificationRecord::default()
        } else {
            self.record()
        }
    }

    /// `ServerCertificate`: from the last TLS handshake, also when it failed.
    pub fn server_certificate(&self) -> Option<Certificate> {
        self.server_record().server_certificate
    }

    /// `ServerIntermediateCertificates`.
    pub fn server_intermediate_certificates(&self) -> Vec<Certificate> {
        self.server_record().intermediates
    }

    /// `ServerCertificateErrors`: every problem found (ignored ones included).
    pub fn server_certificate_errors(&self) -> Vec<ChainValidationResult> {
        self.server_record().errors
    }

    /// `ServerCertificateErrorSeverity`.
    pub fn server_certificate_error_severity(&self) -> SocketSslErrorSeverity {
        self.server_record().severity
    }

    /// netrt extension `ClientCertificate`: on the server end of a TLS connection (a TLS
    /// listener's accepted socket), the certificate the client presented, if any.
    pub fn client_certificate(&self) -> Option<Certificate> {
        if self.session().is_some_and(|s| s.server_side) { self.record().server_certificate } else { None }
    }

    fn session(&self) -> Option<TlsSessionInfo> {
        match self.conn() {
            Some(c) => c.tls_io().map(|t| t.session()),
            None => self.last(|l| l.session.clone()).flatten(),
        }
    }

    /// netrt extension `NegotiatedTlsVersion`: `Tls12` (wire 0x0303), `Tls13` (0x0304), `None`
    /// without TLS.
    pub fn negotiated_tls_version(&self) -> crate::tls::TlsVersion {
        self.session().map(|s| crate::tls::TlsVersion::from_wire(s.version)).unwrap_or_default()
    }

    /// netrt extension `CipherSuite` (IANA name; "" without TLS).
    pub fn cipher_suite(&self) -> String {
        self.session().map(|s| s.cipher_suite.to_string()).unwrap_or_default()
    }

    /// netrt extension `ApplicationProtocol` (ALPN chosen).
    pub fn application_protocol(&self) -> Option<String> {
        self.session().and_then(|s| s.application_protocol)
    }

    /// netrt extension `ServerName` (SNI sent).
    pub fn server_name(&self) -> Option<String> {
        self.session().and_then(|s| s.server_name)
    }
}
