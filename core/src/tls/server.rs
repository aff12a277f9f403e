//! Server-side TLS (beyond WinRT, docs/tls.md): configs for listeners bound with a TLS level and
//! for `UpgradeToSslAsServerAsync`.

use std::sync::Arc;

use rustls::ServerConfig;
use rustls::sign::CertifiedKey;

use super::certificate::Certificate;
use super::chain::ClientCertificateMode;
use super::client::{provider, versions_for};
use super::verifier::RecordingClientVerifier;
use crate::error::{Error, Result, hresult};
use crate::net::enums::SocketProtectionLevel;

/// A server config, shared by the connections of one listener (or one upgrade).
#[derive(Clone)]
pub(crate) struct ServerTls {
    pub config: Arc<ServerConfig>,
}

/// Builds the config: `certificate` (with its private key) is presented to every client; a
/// client certificate is asked for per `mode` and must chain to the system roots or
/// `trusted_roots` (its findings land in each connection's record).
pub(crate) fn server_tls(
    level: SocketProtectionLevel,
    certificate: &Certificate,
    mode: ClientCertificateMode,
    trusted_roots: &[Certificate],
) -> Result<ServerTls> {
    let versions = versions_for(level, SocketProtectionLevel::PlainSocket)?;
    let key: Arc<CertifiedKey> = certificate.certified_key().ok_or_else(|| {
        Error::invalid_arg(format!("the server certificate '{}' has no private key", certificate.subject()))
    })?;
    let provider = provider();
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| Error::new(hresult::SEC_E_UNSUPPORTED_FUNCTION, format!("TLS configuration: {e}")))?;
    let builder = match mode {
        ClientCertificateMode::None => builder.with_no_client_auth(),
        mode => {
            let roots = super::trust::root_store(trusted_roots)?;
            let verifier = RecordingClientVerifier::new(mode, roots, Vec::new(), Vec::new(), provider)?;
            builder.with_client_cert_verifier(Arc::new(verifier))
        }
    };
    let mut config = builder.with_cert_resolver(Arc::new(SingleCert(key)));
    config.key_log = Arc::new(rustls::KeyLogFile::new());
    Ok(ServerTls { config: Arc::new(config) })
}

/// Presents one certificate whatever SNI the client sends.
#[derive(Debug)]
struct SingleCert(Arc<CertifiedKey>);

impl rustls::server::ResolvesServerCert for SingleCert {
    fn resolve(&self, _hello: rustls::server::ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}
