//! Client-side TLS: rustls configs from a socket's control settings, the handshake, and the
//! mapping of TLS failures to HRESULTs (docs/errors.md, docs/tls.md).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rustls::client::{ClientConfig, ClientSessionMemoryCache, Resumption};
use rustls::pki_types::ServerName;
use rustls::{AlertDescription, ProtocolVersion};

use super::certificate::Certificate;
use super::certificate_list::CertificateList;
use super::chain::ChainValidationResult;
use super::verifier::{self, RecordingVerifier, SharedRecord};
use crate::error::{Error, NativeCause, Result, hresult};
use crate::net::enums::SocketProtectionLevel;
use crate::net::hostname::HostName;

/// The TLS part of a socket's control settings (lists are replaced whole, never grown: boxed
/// slices, a word smaller each than vectors, in every socket; a single trusted root inline).
#[derive(Debug, Clone, Default)]
pub(crate) struct TlsSettings {
    pub client_certificate: Option<Certificate>,
    pub ignorable: Box<[ChainValidationResult]>,
    pub min_protection_level: SocketProtectionLevel,
    pub trusted_roots: CertificateList,
    pub application_protocols: Box<[String]>,
    pub crls: Box<[Vec<u8>]>,
}

/// What a finished handshake negotiated (Information's netrt extensions).
#[derive(Debug, Clone, Default)]
pub struct TlsSessionInfo {
    /// Wire version: 0x0303 = TLS 1.2, 0x0304 = TLS 1.3.
    pub version: u16,
    /// IANA cipher suite name.
    pub cipher_suite: &'static str,
    /// ALPN protocol chosen, if any.
    pub application_protocol: Option<String>,
    /// SNI sent (client) or received (server).
    pub server_name: Option<String>,
    /// Whether this end is the TLS server (an accepted or server-upgraded socket).
    pub server_side: bool,
}

/// The aws-lc-rs provider, installed as the process default once (rustls panics when two
/// providers are compiled in and none is installed).
pub(crate) fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    static PROVIDER: OnceLock<Arc<rustls::crypto::CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| {
            let p = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
            let _ = rustls::crypto::CryptoProvider::install_default((*p).clone());
            p
        })
        .clone()
}

/// The versions a level allows (docs/tls.md: every TLS level means 1.2 or 1.3, `Tls13` 1.3 only;
/// `MinProtectionLevel` = `Tls13` raises the floor).
pub(crate) fn versions_for(
    level: SocketProtectionLevel,
    min: SocketProtectionLevel,
) -> Result<Vec<&'static rustls::SupportedProtocolVersion>> {
    use SocketProtectionLevel::*;
    let check = |l: SocketProtectionLevel, what: &str| match l {
        BluetoothEncryptionAllowNullAuthentication | BluetoothEncryptionWithAuthentication => {
            Err(Error::invalid_arg(format!("{what} {l:?} is a Bluetooth level; it has no meaning on TCP")))
        }
        Ssl3AllowWeakEncryption => {
            Err(Error::invalid_arg(format!("{what} Ssl3AllowWeakEncryption (SSL 3.0, RC4) is not supported")))
        }
        _ => Ok(()),
    };
    check(level, "protection level")?;
    check(min, "MinProtectionLevel")?;
    if level == PlainSocket {
        return Err(Error::invalid_arg("PlainSocket is not a TLS protection level"));
    }
    if level == Tls13 || min == Tls13 {
        Ok(vec![&rustls::version::TLS13])
    } else {
        Ok(vec![&rustls::version::TLS13, &rustls::version::TLS12])
    }
}

/// A client config and the verifier inside it, shared by every socket with the same TLS
/// settings: rustls resumes a session only with the verifier that verified it, so one
/// verifier per settings keeps resumption working across sockets. Each handshake writes its
/// findings into its own record through [`super::record::recorded`].
#[derive(Clone)]
pub(crate) struct ClientTls {
    pub config: Arc<ClientConfig>,
    pub verifier: Arc<RecordingVerifier>,
}

/// What makes two sockets' TLS settings interchangeable (certificates by SHA-256).
#[derive(Clone, PartialEq, Eq, Hash)]
struct ConfigKey {
    tls13_only: bool,
    ignorable: Vec<i32>,
    roots: Vec<Vec<u8>>,
    crls: Vec<Vec<u8>>,
    client_certificate: Option<Vec<u8>>,
    alpn: Vec<String>,
}

/// Distinct settings seen; beyond this the cache starts over (configs in use stay alive).
const MAX_CACHED_CONFIGS: usize = 64;

/// The shared client TLS state for a level and settings (built on first use).
pub(crate) fn client_tls(level: SocketProtectionLevel, settings: &TlsSettings) -> Result<ClientTls> {
    static CACHE: OnceLock<Mutex<HashMap<ConfigKey, ClientTls>>> = OnceLock::new();
    if settings.client_certificate.is_some() {
        // Presenting a certificate is gated by the app manifest (sharedUserCertificates).
        crate::capability::check_client_certificate()?;
    }
    let versions = versions_for(level, settings.min_protection_level)?;
    let sha256 = |b: &[u8]| aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b).as_ref().to_vec();
    let key = ConfigKey {
        tls13_only: versions.len() == 1,
        ignorable: settings.ignorable.iter().map(|r| *r as i32).collect(),
        roots: settings.trusted_roots.iter().map(|c| c.thumbprint_sha256()).collect(),
        crls: settings.crls.iter().map(|c| sha256(c)).collect(),
        client_certificate: settings.client_certificate.as_ref().map(|c| c.thumbprint_sha256()),
        alpn: settings.application_protocols.to_vec(),
    };
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(found.clone());
    }
    let built = build_client_tls(&versions, settings)?;
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= MAX_CACHED_CONFIGS {
        map.clear();
    }
    Ok(map.entry(key).or_insert(built).clone())
}

fn build_client_tls(
    versions: &[&'static rustls::SupportedProtocolVersion],
    settings: &TlsSettings,
) -> Result<ClientTls> {
    let provider = provider();
    let roots = super::trust::root_store(&[])?;
    let verifier = Arc::new(RecordingVerifier::new(
        roots,
        &settings.trusted_roots,
        settings.ignorable.to_vec(),
        settings.crls.to_vec(),
        provider.clone(),
    )?);
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(|e| Error::new(hresult::SEC_E_UNSUPPORTED_FUNCTION, format!("TLS configuration: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone());
    let mut config = match &settings.client_certificate {
        Some(cert) => {
            let key = cert.rustls_private_key().ok_or_else(|| {
                Error::invalid_arg(format!("the client certificate '{}' has no private key", cert.subject()))
            })?;
            builder
                .with_client_auth_cert(cert.rustls_chain(), key)
                .map_err(|e| Error::invalid_arg(format!("client certificate: {e}")))?
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = settings.application_protocols.iter().map(|p| p.as_bytes().to_vec()).collect();
    // One session cache per distinct settings: rustls resumes only with the verifier that
    // verified the session, so a cache shared across configs would only let one config's
    // sessions evict another's (entries are keyed by server name alone).
    config.resumption = Resumption::store(Arc::new(ClientSessionMemoryCache::new(256)));
    // SSLKEYLOGFILE is honoured (KeyLogFile does nothing when it is unset).
    config.key_log = Arc::new(rustls::KeyLogFile::new());
    Ok(ClientTls { config: Arc::new(config), verifier })
}

/// The name a handshake validates against and sends as SNI (no SNI for IP literals).
pub(crate) fn server_name_for(host: &HostName) -> Result<ServerName<'static>> {
    match host.ip_address() {
        Some(ip) => Ok(ServerName::IpAddress(ip.into())),
        None => ServerName::try_from(host.canonical_name().to_string()).map_err(|e| {
            Error::invalid_arg(format!("'{}' cannot be a TLS server name: {e}", host.display_name()))
        }),
    }
}

/// Reads what a finished handshake negotiated.
pub(crate) fn session_info(conn: &rustls::CommonState, sni: Option<String>) -> TlsSessionInfo {
    TlsSessionInfo {
        version: match conn.protocol_version() {
            Some(ProtocolVersion::TLSv1_3) => 0x0304,
            Some(ProtocolVersion::TLSv1_2) => 0x0303,
            Some(other) => u16::from(other),
            None => 0,
        },
        cipher_suite: conn
            .negotiated_cipher_suite()
            .and_then(|s| s.suite().as_str())
            .map(iana_name)
            .unwrap_or_default(),
        application_protocol: conn.alpn_protocol().map(|p| String::from_utf8_lossy(p).into_owned()),
        server_name: sni,
        server_side: false,
    }
}

/// The IANA registry's name of a suite rustls names: rustls prefixes its TLS 1.3 suites with
/// `TLS13_` where the registry (and OpenSSL, and Windows) says `TLS_AES_256_GCM_SHA384`; its
/// TLS 1.2 names are the registry's already.
fn iana_name(rustls_name: &'static str) -> &'static str {
    match rustls_name {
        "TLS13_AES_128_GCM_SHA256" => "TLS_AES_128_GCM_SHA256",
        "TLS13_AES_256_GCM_SHA384" => "TLS_AES_256_GCM_SHA384",
        "TLS13_CHACHA20_POLY1305_SHA256" => "TLS_CHACHA20_POLY1305_SHA256",
        "TLS13_AES_128_CCM_SHA256" => "TLS_AES_128_CCM_SHA256",
        "TLS13_AES_128_CCM_8_SHA256" => "TLS_AES_128_CCM_8_SHA256",
        other => other,
    }
}

/// Maps a failed handshake or TLS read/write to an HRESULT, using the verifier's record for
/// certificate failures.
pub(crate) fn map_tls_io_error(err: &std::io::Error, record: Option<&SharedRecord>, what: &str) -> Error {
    if let Some(tls) = err.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
        return map_rustls_error(tls, record, what);
    }
    match err.kind() {
        std::io::ErrorKind::UnexpectedEof => Error::new(
            hresult::NETRT_E_TLS_TRUNCATED,
            format!(
                "{what}: the peer closed the connection without a TLS close_notify (possible truncation)"
            ),
        ),
        _ => Error::from_io(err, what),
    }
}

/// Maps a rustls error to an HRESULT with the alert or cause in the message.
pub(crate) fn map_rustls_error(err: &rustls::Error, record: Option<&SharedRecord>, what: &str) -> Error {
    use rustls::Error as E;
    if let (E::InvalidCertificate(_), Some(record)) = (err, record) {
        let rec = record.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = verifier::verification_error(&rec) {
            return e.context(what);
        }
    }
    let (hr, detail) = match err {
        E::AlertReceived(alert) => (alert_hresult(*alert), format!("the peer sent the TLS alert {alert:?}")),
        E::PeerIncompatible(p) => {
            (hresult::SEC_E_ALGORITHM_MISMATCH, format!("no common TLS version or cipher: {p:?}"))
        }
        E::InvalidCertificate(c) => (hresult::CERT_E_UNTRUSTEDROOT, format!("certificate rejected: {c:?}")),
        E::NoCertificatesPresented => {
            (hresult::SEC_E_NO_CREDENTIALS, "the peer presented no certificate".into())
        }
        E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } | E::InvalidMessage(_) => {
            (hresult::SEC_E_ILLEGAL_MESSAGE, format!("unexpected or malformed TLS message: {err}"))
        }
        E::DecryptError => (hresult::SEC_E_MESSAGE_ALTERED, "TLS record failed to decrypt".into()),
        E::PeerMisbehaved(m) => (hresult::SEC_E_ILLEGAL_MESSAGE, format!("the peer misbehaved: {m:?}")),
        other => (hresult::SEC_E_INTERNAL_ERROR, other.to_string()),
    };
    let cause = match err {
        E::AlertReceived(alert) => Some(NativeCause::TlsAlert(format!("{alert:?}"))),
        _ => None,
    };
    let message = format!("{what}: {detail}");
    match cause {
        Some(c) => Error::with_cause(hr, c, message),
        None => Error::new(hr, message),
    }
}

fn alert_hresult(alert: AlertDescription) -> crate::error::HResult {
    use AlertDescription as A;
    match alert {
        A::ProtocolVersion | A::HandshakeFailure | A::InsufficientSecurity | A::NoApplicationProtocol => {
            hresult::SEC_E_ALGORITHM_MISMATCH
        }
        A::BadCertificate
        | A::UnsupportedCertificate
        | A::CertificateRevoked
        | A::CertificateExpired
        | A::CertificateUnknown
        | A::UnknownCA
        | A::AccessDenied
        | A::CertificateRequired => hresult::SEC_E_CERT_UNKNOWN,
        A::DecryptError | A::BadRecordMac => hresult::SEC_E_MESSAGE_ALTERED,
        A::UnrecognisedName => hresult::SEC_E_WRONG_PRINCIPAL,
        _ => hresult::SEC_E_ILLEGAL_MESSAGE,
    }
}
