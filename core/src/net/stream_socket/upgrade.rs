//! `UpgradeToSslAsync`: STARTTLS on a plain connection, safe against plaintext injection
//! (CVE-2011-0411, CVE-2021-22947).
//!
//! Plaintext that arrived before the upgrade must never be read as if it came over TLS. At the
//! moment of the upgrade netrt refuses (`NETRT_E_STARTTLS_PLAINTEXT_PENDING`, and the socket is
//! closed) if any such bytes are waiting: loaded but unconsumed in a DataReader on this socket,
//! or already received by the kernel and not yet read. A TLS server cannot legitimately have
//! sent anything yet (the client speaks first), so queued bytes can only be injected plaintext.
//! Bytes injected after the check arrive inside the handshake, which rejects them.

use std::sync::Arc;

use super::{Busy, Inner, State, StreamSocket, handshake, transport};
use crate::error::{Error, Result, hresult};
use crate::net::enums::SocketProtectionLevel;
use crate::net::hostname::HostName;
use crate::tls::certificate::Certificate;
use crate::tls::chain::ClientCertificateMode;
use crate::tls::server::server_tls;

/// Which end of the handshake this socket plays in an upgrade.
enum Role {
    Client { validation_host: HostName },
    Server { certificate: Certificate },
}

impl StreamSocket {
    /// `UpgradeToSslAsync(protectionLevel, validationHostName)`.
    ///
    /// # Errors
    /// `RO_E_CLOSED` after close; `E_ILLEGAL_METHOD_CALL` unless the socket is connected with `PlainSocket` and has no
    /// pending read or write; `E_INVALIDARG` for PlainSocket or levels meaningless on TCP;
    /// `NETRT_E_STARTTLS_PLAINTEXT_PENDING` (socket closed) when unread plaintext is waiting;
    /// the TLS/certificate error of a failed handshake (the socket is closed then);
    /// `ERROR_OPERATION_ABORTED` when closed or `cancel_io`'d during the handshake. See
    /// docs/tls.md for the injection rule.
    ///
    /// # Cancel safety
    /// Not cancel safe: dropping the future during the handshake leaves the connection neither
    /// plain nor TLS (part of a handshake may have been exchanged); close the socket then.
    /// Use [`StreamSocket::cancel_io`] to stop an upgrade cleanly (it fails and closes the
    /// socket).
    ///
    /// # Examples
    /// Read the server's whole plaintext reply before upgrading, or the upgrade is refused:
    /// ```no_run
    /// # async fn example() -> netrt::Result<()> {
    /// use netrt::net::SocketProtectionLevel;
    /// use netrt::{DataWriter, HostName, StreamSocket};
    ///
    /// let host = HostName::new("mail.example.com")?;
    /// let socket = StreamSocket::new();
    /// socket.connect(&host, "587").await?;
    /// let writer = DataWriter::with_stream(socket.output_stream());
    /// writer.write_string("STARTTLS\r\n")?;
    /// writer.store().await?;
    /// writer.detach_stream()?;
    /// // ... read the server's reply completely (e.g. with a DataReader), then:
    /// socket.upgrade_to_ssl(SocketProtectionLevel::Tls12, &host).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn upgrade_to_ssl(
        &self,
        protection_level: SocketProtectionLevel,
        validation_host_name: &HostName,
    ) -> Result<()> {
        self.upgrade(protection_level, Role::Client { validation_host: validation_host_name.clone() }).await
    }

    /// netrt extension `UpgradeToSslAsServerAsync(protectionLevel, serverCertificate)`: server
    /// STARTTLS on an accepted (or connected) plain socket; the peer must start a TLS client
    /// handshake. Plaintext still unconsumed in a DataReader refuses the upgrade as above;
    /// bytes already queued in the kernel may be the client's hello and are left to the
    /// handshake, which rejects anything that is not TLS. No client certificate is asked for.
    ///
    /// # Errors
    /// As [`StreamSocket::upgrade_to_ssl`]; `E_INVALIDARG` for a certificate without a private
    /// key.
    ///
    /// # Cancel safety
    /// Not cancel safe, as [`StreamSocket::upgrade_to_ssl`].
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example(accepted: netrt::StreamSocket) -> netrt::Result<()> {
    /// use netrt::net::SocketProtectionLevel;
    /// use netrt::tls::Certificate;
    ///
    /// let chain = std::fs::read_to_string("server.pem").expect("certificate");
    /// let key = std::fs::read_to_string("server.key").expect("key");
    /// let certificate = Certificate::from_pem(&chain, Some(&key))?;
    /// // ... after the plaintext STARTTLS exchange on `accepted`:
    /// accepted.upgrade_to_ssl_as_server(SocketProtectionLevel::Tls12, &certificate).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn upgrade_to_ssl_as_server(
        &self,
        protection_level: SocketProtectionLevel,
        server_certificate: &Certificate,
    ) -> Result<()> {
        self.upgrade(protection_level, Role::Server { certificate: server_certificate.clone() }).await
    }

    async fn upgrade(&self, level: SocketProtectionLevel, role: Role) -> Result<()> {
        let inner = &self.inner;
        inner.ensure_open()?;
        let _reading = Busy::acquire(&inner.read_busy, &inner.abort, "read")
            .map_err(|_| Error::illegal_method_call("UpgradeToSslAsync: a read is pending"))?;
        let _writing = Busy::acquire(&inner.write_busy, &inner.abort, "write")
            .map_err(|_| Error::illegal_method_call("UpgradeToSslAsync: a write is pending"))?;
        let conn = inner.connection("upgrade to TLS")?;
        if conn.tls_io().is_some() || inner.requested_level() != SocketProtectionLevel::PlainSocket {
            return Err(Error::illegal_method_call(
                "UpgradeToSslAsync works only on a socket connected with PlainSocket",
            ));
        }
        let settings = inner.settings.snapshot();
        // Built before anything changes (argument errors first); the handshake uses them.
        let (client_tls, server_tls) = match &role {
            Role::Client { .. } => (Some(crate::tls::client::client_tls(level, &settings.tls)?), None),
            Role::Server { certificate } => {
                (None, Some(server_tls(level, certificate, ClientCertificateMode::None, &[])?))
            }
        };
        let in_readers = inner.plaintext_in_readers();
        // A TLS server never speaks first, so on the client side anything queued is plaintext.
        let in_kernel = if matches!(role, Role::Client { .. }) { conn.kernel_unread_bytes() } else { 0 };
        if in_readers + in_kernel > 0 {
            inner.close();
            return Err(Error::new(
                hresult::NETRT_E_STARTTLS_PLAINTEXT_PENDING,
                format!(
                    "UpgradeToSslAsync refused: {} bytes of plaintext received before the upgrade are still \
                     unread (possible STARTTLS command injection); the connection was closed",
                    in_readers + in_kernel
                ),
            ));
        }
        inner.settings.lock().tls_frozen = true;
        let tcp = transport::duplicate_tcp(&conn).map_err(|e| Error::from_io(&e, "UpgradeToSslAsync"))?;
        let remote = conn.remote;
        inner.set_requested_level(level);
        let ticket = inner.abort.ticket();
        let record = inner.handshake_record();
        let record_for_task = record.clone();
        let task = crate::runtime::run(async move {
            match (role, client_tls, server_tls) {
                (Role::Client { validation_host }, Some(tls), _) => {
                    handshake::client(tcp, remote, &validation_host, tls, &settings, &record_for_task).await
                }
                (Role::Server { .. }, _, Some(tls)) => {
                    let limit = settings.tls_handshake_timeout.to_duration().filter(|d| !d.is_zero());
                    handshake::server(tcp, remote, &tls, limit, &record_for_task).await
                }
                _ => unreachable!("each role's configuration is built above"),
            }
        });
        let outcome = tokio::select! {
            r = task => r,
            _ = inner.abort.aborted(ticket) => Err(Error::aborted("UpgradeToSslAsync")),
        };
        inner.keep_record(&record);
        match outcome {
            Ok(tls) => inner.replace_connection(conn, tls),
            Err(e) => {
                inner.close();
                Err(e)
            }
        }
    }
}

impl Inner {
    fn requested_level(&self) -> SocketProtectionLevel {
        self.requested.lock().unwrap_or_else(|e| e.into_inner()).protection_level
    }

    fn set_requested_level(&self, level: SocketProtectionLevel) {
        self.requested.lock().unwrap_or_else(|e| e.into_inner()).protection_level = level;
    }

    /// Swaps the plain connection for the TLS one. The plain one is dropped without a TCP
    /// shutdown: the TLS one shares its socket.
    fn replace_connection(
        &self,
        old: Arc<transport::Connection>,
        new: Arc<transport::Connection>,
    ) -> Result<()> {
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        match &*state {
            State::Connected(current) if Arc::ptr_eq(current, &old) => {
                self.replace_state(&mut state, State::Connected(new));
                Ok(())
            }
            _ => {
                drop(state);
                new.shutdown();
                Err(Error::aborted("UpgradeToSslAsync"))
            }
        }
    }
}
