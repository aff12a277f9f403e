//! `StreamSocketControl` and `StreamSocketListenerControl`: settings applied before connect.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use socket2::SockRef;

use crate::error::{Error, Result};
use crate::foundation::TimeSpan;
use crate::foundation::collections::Vector;
use crate::net::enums::{SocketProtectionLevel, SocketQualityOfService};
use crate::tls::certificate::Certificate;
use crate::tls::chain::{ChainValidationResult, ClientCertificateMode, is_ignorable_on_sockets};
use crate::tls::client::TlsSettings;

/// The TCP options both controls share; accepted sockets inherit the listener's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TcpOptions {
    pub no_delay: bool,
    pub keep_alive: bool,
    pub outbound_buffer_size: Option<u32>,
    pub quality_of_service: SocketQualityOfService,
    pub hop_limit: u8,
}

impl Default for TcpOptions {
    fn default() -> Self {
        Self {
            no_delay: true,
            keep_alive: false,
            outbound_buffer_size: None,
            quality_of_service: SocketQualityOfService::Normal,
            hop_limit: 128,
        }
    }
}

/// `IPTOS_LOWDELAY`, used for `SocketQualityOfService::LowLatency`.
const IPTOS_LOWDELAY: u32 = 0x10;

impl TcpOptions {
    /// Applies the options to an accepted TCP socket (it inherits the listener's, so every
    /// option is set).
    pub(crate) fn apply(&self, sock: SockRef<'_>, ipv6: bool) -> std::io::Result<()> {
        self.set_on(sock, ipv6, false)
    }

    /// Applies the options to a TCP socket just created (before connect).
    pub(crate) fn apply_to_new(&self, sock: SockRef<'_>, ipv6: bool) -> std::io::Result<()> {
        self.set_on(sock, ipv6, true)
    }

    /// `fresh`: a new Linux socket has keep-alive off and a zero TOS already, so those cost
    /// no system call on it.
    fn set_on(&self, sock: SockRef<'_>, ipv6: bool, fresh: bool) -> std::io::Result<()> {
        sock.set_tcp_nodelay(self.no_delay)?;
        if self.keep_alive || !fresh {
            sock.set_keepalive(self.keep_alive)?;
        }
        if let Some(size) = self.outbound_buffer_size {
            sock.set_send_buffer_size(size as usize)?;
        }
        if fresh && !ipv6 && self.quality_of_service == SocketQualityOfService::Normal {
            return sock.set_ttl_v4(self.hop_limit as u32);
        }
        apply_ip_options(sock, ipv6, self.hop_limit, self.quality_of_service)
    }
}

/// Hop limit and traffic class, for TCP and UDP sockets.
pub(crate) fn apply_ip_options(
    sock: SockRef<'_>,
    ipv6: bool,
    hop_limit: u8,
    qos: SocketQualityOfService,
) -> std::io::Result<()> {
    let tos = if qos == SocketQualityOfService::LowLatency { IPTOS_LOWDELAY } else { 0 };
    if ipv6 {
        sock.set_unicast_hops_v6(hop_limit as u32)?;
        sock.set_tclass_v6(tos)?;
        // A dual-stack socket also carries IPv4 traffic; the v4 options may be refused on a
        // v6-only socket, which is harmless.
        let _ = sock.set_ttl_v4(hop_limit as u32);
        let _ = sock.set_tos_v4(tos);
    } else {
        sock.set_ttl_v4(hop_limit as u32)?;
        sock.set_tos_v4(tos)?;
    }
    Ok(())
}

/// The system's default send buffer size, for `OutboundBufferSizeInBytes` before it is set.
pub(crate) fn system_send_buffer_size() -> u32 {
    static CACHE: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *CACHE.get_or_init(|| {
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .and_then(|s| s.send_buffer_size())
            .map(|n| n as u32)
            .unwrap_or(16 * 1024)
    })
}

#[derive(Debug, Clone)]
pub(crate) struct StreamSettings {
    pub tcp: TcpOptions,
    pub serialize_connection_attempts: bool,
    pub connect_timeout: TimeSpan,
    pub tls_handshake_timeout: TimeSpan,
    pub tls: TlsSettings,
    /// TLS settings stay writable after a plain connect, until a handshake starts
    /// (UpgradeToSslAsync), as WinRT's "set before the handshake".
    pub tls_frozen: bool,
}

/// Default `TlsHandshakeTimeout`: a peer that accepts TCP but never answers TLS must not hang
/// ConnectAsync forever (WinRT notes that it may; netrt bounds it).
pub(crate) const DEFAULT_TLS_HANDSHAKE_TIMEOUT: TimeSpan = TimeSpan::from_secs(30);

impl Default for StreamSettings {
    fn default() -> Self {
        Self {
            tcp: TcpOptions::default(),
            serialize_connection_attempts: false,
            connect_timeout: TimeSpan::ZERO,
            tls_handshake_timeout: DEFAULT_TLS_HANDSHAKE_TIMEOUT,
            tls: TlsSettings::default(),
            tls_frozen: false,
        }
    }
}

/// Shared state behind a control object: the settings, whether they may still change, and
/// whether the owner is closed.
///
/// After the owner closes, every setter fails with `RO_E_CLOSED` (checked before anything
/// else, arguments included) and every getter keeps answering with the last value.
#[derive(Debug)]
pub(crate) struct Shared<T> {
    settings: Mutex<T>,
    frozen: AtomicBool,
    closed: AtomicBool,
    /// The owner's class name, for the `RO_E_CLOSED` message.
    owner: &'static str,
}

impl<T: Clone> Shared<T> {
    pub(crate) fn new(owner: &'static str, value: T) -> Self {
        Self {
            settings: Mutex::new(value),
            frozen: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            owner,
        }
    }

    /// Marks the owner closed: setters fail with `RO_E_CLOSED` from now on.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    /// `RO_E_CLOSED` once the owner is closed.
    pub(crate) fn ensure_open(&self) -> Result<()> {
        if self.closed.load(Ordering::Acquire) { Err(Error::closed(self.owner)) } else { Ok(()) }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        self.settings.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn snapshot(&self) -> T {
        self.lock().clone()
    }

    pub(crate) fn freeze(&self) {
        self.frozen.store(true, Ordering::Release);
    }

    pub(crate) fn thaw(&self) {
        self.frozen.store(false, Ordering::Release);
    }

    /// Applies `f` unless the owner already connected/bound (WinRT: "set before connect").
    pub(crate) fn update(&self, what: &str, f: impl FnOnce(&mut T)) -> Result<()> {
        self.ensure_open()?;
        if self.frozen.load(Ordering::Acquire) {
            return Err(Error::illegal_method_call(format!(
                "{what} can only be set before the socket connects or binds"
            )));
        }
        f(&mut self.lock());
        Ok(())
    }
}

/// What a control handed out by its owner keeps alive: the owner, as every object obtained from
/// another keeps it alive (a socket's Information, a stream, a DatagramSocketControl do too),
/// so a control outliving every other reference to its socket does not find it closed. The
/// owner's own copy holds nothing (no cycle).
#[derive(Clone, Default)]
pub(crate) struct Owner(Option<Arc<dyn std::any::Any + Send + Sync>>);

impl Owner {
    pub(crate) fn new(owner: Arc<dyn std::any::Any + Send + Sync>) -> Self {
        Self(Some(owner))
    }
}

impl std::fmt::Debug for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Owner(kept)" } else { "Owner(self)" })
    }
}

/// What holds a `StreamSocketControl`'s settings: the socket itself (one allocation for the
/// socket and its settings; the control keeps the socket alive, as every object obtained from
/// it does).
pub(crate) trait StreamSettingsHost: Send + Sync {
    fn stream_settings(&self) -> &Shared<StreamSettings>;
}

/// A reference to the settings a `StreamSocketControl` reads and writes, wherever they live.
#[derive(Clone)]
pub(crate) struct SettingsRef(Arc<dyn StreamSettingsHost>);

impl std::ops::Deref for SettingsRef {
    type Target = Shared<StreamSettings>;

    fn deref(&self) -> &Shared<StreamSettings> {
        self.0.stream_settings()
    }
}

impl std::fmt::Debug for SettingsRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

/// `StreamSocketControl`.
#[derive(Debug, Clone)]
pub struct StreamSocketControl {
    pub(crate) shared: SettingsRef,
}

macro_rules! tcp_option_accessors {
    ($ty:ident, $($path:tt)+) => {
        impl $ty {
            /// `NoDelay` (default true: Nagle off).
            pub fn no_delay(&self) -> bool {
                self.shared.lock().$($path)+.no_delay
            }
            /// Sets `NoDelay`; fails with `E_ILLEGAL_METHOD_CALL` once connected/bound and
            /// `RO_E_CLOSED` once closed (as every setter of a control).
            pub fn set_no_delay(&self, value: bool) -> Result<()> {
                self.shared.update("NoDelay", |s| s.$($path)+.no_delay = value)
            }
            /// `KeepAlive` (default false).
            pub fn keep_alive(&self) -> bool {
                self.shared.lock().$($path)+.keep_alive
            }
            /// Sets `KeepAlive`; fails once connected/bound.
            pub fn set_keep_alive(&self, value: bool) -> Result<()> {
                self.shared.update("KeepAlive", |s| s.$($path)+.keep_alive = value)
            }
            /// `OutboundBufferSizeInBytes` (SO_SNDBUF; the system default until set).
            pub fn outbound_buffer_size_in_bytes(&self) -> u32 {
                self.shared.lock().$($path)+.outbound_buffer_size.unwrap_or_else(system_send_buffer_size)
            }
            /// Sets `OutboundBufferSizeInBytes`; fails once connected/bound.
            pub fn set_outbound_buffer_size_in_bytes(&self, value: u32) -> Result<()> {
                self.shared.update("OutboundBufferSizeInBytes", |s| s.$($path)+.outbound_buffer_size = Some(value))
            }
            /// `QualityOfService`.
            pub fn quality_of_service(&self) -> SocketQualityOfService {
                self.shared.lock().$($path)+.quality_of_service
            }
            /// Sets `QualityOfService`; fails once connected/bound.
            pub fn set_quality_of_service(&self, value: SocketQualityOfService) -> Result<()> {
                self.shared.update("QualityOfService", |s| s.$($path)+.quality_of_service = value)
            }
            /// `OutboundUnicastHopLimit` (default 128).
            pub fn outbound_unicast_hop_limit(&self) -> u8 {
                self.shared.lock().$($path)+.hop_limit
            }
            /// Sets `OutboundUnicastHopLimit`; 0 is rejected (`E_INVALIDARG`); fails once connected/bound.
            pub fn set_outbound_unicast_hop_limit(&self, value: u8) -> Result<()> {
                self.shared.ensure_open()?;
                if value == 0 {
                    return Err(Error::invalid_arg("OutboundUnicastHopLimit must be 1-255"));
                }
                self.shared.update("OutboundUnicastHopLimit", |s| s.$($path)+.hop_limit = value)
            }
        }
    };
}

tcp_option_accessors!(StreamSocketControl, tcp);
tcp_option_accessors!(StreamSocketListenerControl, tcp);

impl StreamSocketControl {
    /// The control of the settings `host` holds (keeping it alive).
    pub(crate) fn of(host: Arc<dyn StreamSettingsHost>) -> Self {
        Self { shared: SettingsRef(host) }
    }

    fn update_tls(&self, what: &str, f: impl FnOnce(&mut StreamSettings)) -> Result<()> {
        self.shared.ensure_open()?;
        let mut settings = self.shared.lock();
        if settings.tls_frozen {
            return Err(Error::illegal_method_call(format!(
                "{what} can only be set before the TLS handshake starts"
            )));
        }
        f(&mut settings);
        Ok(())
    }

    /// `SerializeConnectionAttempts`: one connect attempt at a time instead of racing.
    pub fn serialize_connection_attempts(&self) -> bool {
        self.shared.lock().serialize_connection_attempts
    }

    /// Sets `SerializeConnectionAttempts`; fails once connected.
    pub fn set_serialize_connection_attempts(&self, value: bool) -> Result<()> {
        self.shared.update("SerializeConnectionAttempts", |s| s.serialize_connection_attempts = value)
    }

    /// netrt extension `ConnectTimeout` (0 = the system's TCP connect timeout).
    pub fn connect_timeout(&self) -> TimeSpan {
        self.shared.lock().connect_timeout
    }

    /// Sets `ConnectTimeout`; negative spans are rejected; fails once connected.
    pub fn set_connect_timeout(&self, value: TimeSpan) -> Result<()> {
        self.shared.ensure_open()?;
        if value.duration < 0 {
            return Err(Error::invalid_arg("ConnectTimeout cannot be negative"));
        }
        self.shared.update("ConnectTimeout", |s| s.connect_timeout = value)
    }

    /// netrt extension `TlsHandshakeTimeout` (default 30 s; 0 = no limit).
    pub fn tls_handshake_timeout(&self) -> TimeSpan {
        self.shared.lock().tls_handshake_timeout
    }

    /// Sets `TlsHandshakeTimeout`; negative spans are rejected.
    pub fn set_tls_handshake_timeout(&self, value: TimeSpan) -> Result<()> {
        self.shared.ensure_open()?;
        if value.duration < 0 {
            return Err(Error::invalid_arg("TlsHandshakeTimeout cannot be negative"));
        }
        self.update_tls("TlsHandshakeTimeout", |s| s.tls_handshake_timeout = value)
    }

    /// `ClientCertificate`: sent only if the server asks for one.
    pub fn client_certificate(&self) -> Option<Certificate> {
        self.shared.lock().tls.client_certificate.clone()
    }

    /// Sets `ClientCertificate` (it must carry its private key); None removes it.
    pub fn set_client_certificate(&self, value: Option<Certificate>) -> Result<()> {
        self.shared.ensure_open()?;
        if let Some(c) = &value
            && !c.has_private_key()
        {
            return Err(Error::invalid_arg(format!("the certificate '{}' has no private key", c.subject())));
        }
        self.update_tls("ClientCertificate", |s| s.tls.client_certificate = value)
    }

    /// `IgnorableServerCertificateErrors` (empty by default: every error fails validation): a
    /// live vector — changes go through [`set_ignorable_server_certificate_errors`]'s checks.
    ///
    /// [`set_ignorable_server_certificate_errors`]: Self::set_ignorable_server_certificate_errors
    pub fn ignorable_server_certificate_errors(&self) -> Vector<ChainValidationResult> {
        let (r, w) = (self.clone(), self.clone());
        Vector::live(
            move || r.shared.lock().tls.ignorable.to_vec(),
            move |values| w.set_ignorable_server_certificate_errors(values),
        )
    }

    /// Replaces `IgnorableServerCertificateErrors`. Only Untrusted, Expired, IncompleteChain,
    /// WrongUsage, InvalidName, RevocationInformationMissing and RevocationFailure may be
    /// ignored; anything else is `E_INVALIDARG` and changes nothing.
    pub fn set_ignorable_server_certificate_errors(&self, values: Vec<ChainValidationResult>) -> Result<()> {
        self.shared.ensure_open()?;
        if let Some(bad) = values.iter().find(|v| !is_ignorable_on_sockets(**v)) {
            return Err(Error::invalid_arg(format!("{bad} cannot be an ignorable server certificate error")));
        }
        self.update_tls("IgnorableServerCertificateErrors", |s| s.tls.ignorable = values.into())
    }

    /// Appends one value to `IgnorableServerCertificateErrors` unless it is there already.
    pub fn append_ignorable_server_certificate_error(&self, value: ChainValidationResult) -> Result<()> {
        let errors = self.ignorable_server_certificate_errors();
        if errors.index_of(&value).is_none() {
            errors.append(value)?;
        }
        Ok(())
    }

    /// `MinProtectionLevel` (default PlainSocket: no floor beyond the level's own).
    pub fn min_protection_level(&self) -> SocketProtectionLevel {
        self.shared.lock().tls.min_protection_level
    }

    /// Sets `MinProtectionLevel`.
    pub fn set_min_protection_level(&self, value: SocketProtectionLevel) -> Result<()> {
        self.shared.ensure_open()?;
        self.update_tls("MinProtectionLevel", |s| s.tls.min_protection_level = value)
    }

    /// netrt extension `TrustedRootCertificates`: roots trusted in addition to the system's
    /// (a live vector).
    pub fn trusted_root_certificates(&self) -> Vector<Certificate> {
        let (r, w) = (self.clone(), self.clone());
        Vector::live(
            move || r.shared.lock().tls.trusted_roots.to_vec(),
            move |values| w.set_trusted_root_certificates(values),
        )
    }

    /// Sets `TrustedRootCertificates`.
    pub fn set_trusted_root_certificates(&self, values: Vec<Certificate>) -> Result<()> {
        self.shared.ensure_open()?;
        self.update_tls("TrustedRootCertificates", |s| s.tls.trusted_roots = values.into())
    }

    /// netrt extension `ApplicationProtocols`: ALPN protocols offered, in preference order
    /// (a live vector).
    pub fn application_protocols(&self) -> Vector<String> {
        let (r, w) = (self.clone(), self.clone());
        Vector::live(
            move || r.shared.lock().tls.application_protocols.to_vec(),
            move |values| w.set_application_protocols(values),
        )
    }

    /// Sets `ApplicationProtocols`; empty names or names over 255 bytes are `E_INVALIDARG`.
    pub fn set_application_protocols(&self, values: Vec<String>) -> Result<()> {
        self.shared.ensure_open()?;
        if values.iter().any(|p| p.is_empty() || p.len() > 255) {
            return Err(Error::invalid_arg("an ALPN protocol name must be 1-255 bytes"));
        }
        self.update_tls("ApplicationProtocols", |s| s.tls.application_protocols = values.into())
    }

    /// netrt extension `CertificateRevocationLists` (DER CRLs checked during validation; a
    /// live vector).
    pub fn certificate_revocation_lists(&self) -> Vector<Vec<u8>> {
        let (r, w) = (self.clone(), self.clone());
        Vector::live(
            move || r.shared.lock().tls.crls.to_vec(),
            move |values| w.set_certificate_revocation_lists(values),
        )
    }

    /// Sets `CertificateRevocationLists` (validated at the handshake).
    pub fn set_certificate_revocation_lists(&self, values: Vec<Vec<u8>>) -> Result<()> {
        self.shared.ensure_open()?;
        self.update_tls("CertificateRevocationLists", |s| s.tls.crls = values.into())
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ListenerSettings {
    pub tcp: TcpOptions,
    pub server_certificate: Option<Certificate>,
    pub client_certificate_mode: ClientCertificateMode,
    pub trusted_roots: Vec<Certificate>,
    pub tls_handshake_timeout: TimeSpan,
}

impl Default for ListenerSettings {
    fn default() -> Self {
        Self {
            tcp: TcpOptions::default(),
            server_certificate: None,
            client_certificate_mode: ClientCertificateMode::default(),
            trusted_roots: Vec::new(),
            // The same bound as a client's: a peer that connects and never sends a ClientHello
            // must not hold a task and a descriptor forever.
            tls_handshake_timeout: DEFAULT_TLS_HANDSHAKE_TIMEOUT,
        }
    }
}

/// `StreamSocketListenerControl`: options applied to accepted sockets.
#[derive(Debug, Clone)]
pub struct StreamSocketListenerControl {
    pub(crate) shared: Arc<Shared<ListenerSettings>>,
    _owner: Owner,
}

impl StreamSocketListenerControl {
    pub(crate) fn new() -> Self {
        Self {
            shared: Arc::new(Shared::new("StreamSocketListener", ListenerSettings::default())),
            _owner: Owner::default(),
        }
    }

    /// A copy for handing out, keeping `owner` (the listener) alive.
    pub(crate) fn kept_by(&self, owner: Arc<dyn std::any::Any + Send + Sync>) -> Self {
        Self { _owner: Owner::new(owner), ..self.clone() }
    }

    /// netrt extension `ServerCertificate`: presented by a listener bound with a TLS level
    /// (it must carry its private key).
    pub fn server_certificate(&self) -> Option<Certificate> {
        self.shared.lock().server_certificate.clone()
    }

    /// Sets `ServerCertificate`; fails once bound.
    pub fn set_server_certificate(&self, value: Option<Certificate>) -> Result<()> {
        self.shared.ensure_open()?;
        if let Some(c) = &value
            && !c.has_private_key()
        {
            return Err(Error::invalid_arg(format!("the certificate '{}' has no private key", c.subject())));
        }
        self.shared.update("ServerCertificate", |s| s.server_certificate = value)
    }

    /// netrt extension `ClientCertificateMode` (default None: no client certificate asked).
    pub fn client_certificate_mode(&self) -> ClientCertificateMode {
        self.shared.lock().client_certificate_mode
    }

    /// Sets `ClientCertificateMode`; fails once bound.
    pub fn set_client_certificate_mode(&self, value: ClientCertificateMode) -> Result<()> {
        self.shared.update("ClientCertificateMode", |s| s.client_certificate_mode = value)
    }

    /// netrt extension `TrustedRootCertificates`: roots, besides the system's, that client
    /// certificates may chain to (a live vector).
    pub fn trusted_root_certificates(&self) -> Vector<Certificate> {
        let (r, w) = (self.clone(), self.clone());
        Vector::live(
            move || r.shared.lock().trusted_roots.clone(),
            move |values| w.set_trusted_root_certificates(values),
        )
    }

    /// Sets `TrustedRootCertificates`; fails once bound.
    pub fn set_trusted_root_certificates(&self, values: Vec<Certificate>) -> Result<()> {
        self.shared.update("TrustedRootCertificates", |s| s.trusted_roots = values)
    }

    /// netrt extension `TlsHandshakeTimeout`: how long each accepted client of a TLS listener
    /// has to complete its handshake (default 30 s; 0 = no limit). A client that takes longer
    /// (one that connects and never sends a ClientHello) is disconnected without ever being
    /// delivered to `ConnectionReceived`. No effect on a plaintext listener.
    pub fn tls_handshake_timeout(&self) -> TimeSpan {
        self.shared.lock().tls_handshake_timeout
    }

    /// Sets `TlsHandshakeTimeout`; negative spans are `E_INVALIDARG`; fails with
    /// `E_ILLEGAL_METHOD_CALL` once bound.
    pub fn set_tls_handshake_timeout(&self, value: TimeSpan) -> Result<()> {
        if value.duration < 0 {
            return Err(Error::invalid_arg("TlsHandshakeTimeout cannot be negative"));
        }
        self.shared.update("TlsHandshakeTimeout", |s| s.tls_handshake_timeout = value)
    }
}
