//! `MessageWebSocketControl` and `StreamWebSocketControl`: settings read when ConnectAsync
//! starts. The socket-level ones (client certificate, ignorable errors, trusted roots, buffer
//! size, NoDelay, timeouts) live on a StreamSocketControl that every connection copies, so they
//! validate exactly as on a StreamSocket.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::enums::{MessageWebSocketReceiveMode, SocketMessageType};
use crate::error::{Error, Result};
use crate::foundation::{TimeSpan, Vector};
use crate::net::{StreamSocket, StreamSocketControl};
use crate::security::PasswordCredential;
use crate::tls::{Certificate, ChainValidationResult};
use crate::web::ProxyChoice;

/// The default netrt `HandshakeTimeout`: connect, TLS and HTTP upgrade together.
pub const DEFAULT_HANDSHAKE_TIMEOUT: TimeSpan = TimeSpan::from_secs(60);

#[derive(Clone)]
pub(crate) struct Settings {
    pub server_credential: Option<PasswordCredential>,
    pub proxy_credential: Option<PasswordCredential>,
    pub proxy: ProxyChoice,
    pub supported_protocols: Vec<String>,
    pub desired_pong_interval: TimeSpan,
    pub message_type: SocketMessageType,
    pub max_message_size: u32,
    pub receive_mode: MessageWebSocketReceiveMode,
    pub handshake_timeout: TimeSpan,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            server_credential: None,
            proxy_credential: None,
            proxy: ProxyChoice::Environment,
            supported_protocols: Vec::new(),
            desired_pong_interval: TimeSpan::ZERO,
            message_type: SocketMessageType::Binary,
            max_message_size: u32::MAX,
            receive_mode: MessageWebSocketReceiveMode::FullMessage,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
        }
    }
}

/// What both controls share.
pub(crate) struct ControlCore {
    /// Never connected: holds the socket-level settings and their validation.
    template: StreamSocket,
    settings: Mutex<Settings>,
    /// Set by a successful connect: later changes are refused.
    frozen: AtomicBool,
    closed: AtomicBool,
    actual_pong_interval: Mutex<TimeSpan>,
}

impl ControlCore {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            template: StreamSocket::new(),
            settings: Mutex::new(Settings::default()),
            frozen: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            actual_pong_interval: Mutex::new(TimeSpan::ZERO),
        })
    }

    pub(crate) fn socket_control(&self) -> StreamSocketControl {
        self.template.control()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Settings> {
        self.settings.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn snapshot(&self) -> Settings {
        self.lock().clone()
    }

    pub(crate) fn freeze(&self, actual_pong_interval: TimeSpan) {
        self.frozen.store(true, Ordering::Release);
        *self.actual_pong_interval.lock().unwrap_or_else(|e| e.into_inner()) = actual_pong_interval;
    }

    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        // The socket-level settings follow the closed-object rule too (their vectors refuse
        // changes with RO_E_CLOSED), as on a closed StreamSocket.
        self.template.close();
    }

    /// Applies a change allowed only before connect.
    pub(crate) fn before_connect(&self, what: &str, f: impl FnOnce(&mut Settings)) -> Result<()> {
        self.ensure_open()?;
        if self.frozen.load(Ordering::Acquire) {
            return Err(Error::illegal_method_call(format!("{what} can only be set before ConnectAsync")));
        }
        f(&mut self.lock());
        Ok(())
    }

    pub(crate) fn ensure_open(&self) -> Result<()> {
        if self.closed.load(Ordering::Acquire) { Err(Error::closed("WebSocket")) } else { Ok(()) }
    }

    /// A socket-level setter on the template, refused after connect.
    fn socket_setting(&self, what: &str, f: impl FnOnce(&StreamSocketControl) -> Result<()>) -> Result<()> {
        self.before_connect(what, |_| {})?;
        f(&self.socket_control())
    }
}

/// A subprotocol name must be an HTTP token (RFC 6455 §4.1).
fn validate_protocol(name: &str) -> Result<()> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Err(Error::invalid_arg(format!(
            "'{name}' is not a valid WebSocket subprotocol name (an HTTP token)"
        )));
    }
    Ok(())
}

/// The members both controls have (IWebSocketControl, IWebSocketControl2 and netrt's
/// extensions).
macro_rules! web_socket_control_members {
    () => {
        /// `ServerCredential`: sent only when the server answers 401 with a Basic or Digest
        /// challenge.
        pub fn server_credential(&self) -> Option<PasswordCredential> {
            self.core.lock().server_credential.clone()
        }

        /// Sets `ServerCredential` (before ConnectAsync, else `E_ILLEGAL_METHOD_CALL`).
        pub fn set_server_credential(&self, value: Option<PasswordCredential>) -> Result<()> {
            self.core.before_connect("ServerCredential", |s| s.server_credential = value)
        }

        /// `ProxyCredential`: sent only when the proxy answers 407 with a Basic or Digest
        /// challenge.
        pub fn proxy_credential(&self) -> Option<PasswordCredential> {
            self.core.lock().proxy_credential.clone()
        }

        /// Sets `ProxyCredential` (before ConnectAsync).
        pub fn set_proxy_credential(&self, value: Option<PasswordCredential>) -> Result<()> {
            self.core.before_connect("ProxyCredential", |s| s.proxy_credential = value)
        }

        /// netrt extension `Proxy`: how the connection reaches the server (the environment's
        /// proxy variables by default; see docs/web.md).
        pub fn proxy(&self) -> ProxyChoice {
            self.core.lock().proxy.clone()
        }

        /// Sets the netrt extension `Proxy` (before ConnectAsync).
        pub fn set_proxy(&self, value: ProxyChoice) -> Result<()> {
            self.core.before_connect("Proxy", |s| s.proxy = value)
        }

        /// `SupportedProtocols`: the subprotocols offered in `Sec-WebSocket-Protocol`, in
        /// preference order (a live vector; names must be HTTP tokens).
        pub fn supported_protocols(&self) -> Vector<String> {
            let (r, w) = (self.core.clone(), self.core.clone());
            Vector::live(
                move || r.lock().supported_protocols.clone(),
                move |values: Vec<String>| {
                    w.ensure_open()?;
                    values.iter().try_for_each(|v| validate_protocol(v))?;
                    // After a connect WinRT ignores additions silently; they apply to the next
                    // ConnectAsync of a failed socket only.
                    w.lock().supported_protocols = values;
                    Ok(())
                },
            )
        }

        /// `OutboundBufferSizeInBytes` (SO_SNDBUF).
        pub fn outbound_buffer_size_in_bytes(&self) -> u32 {
            self.core.socket_control().outbound_buffer_size_in_bytes()
        }

        /// Sets `OutboundBufferSizeInBytes` (before ConnectAsync).
        pub fn set_outbound_buffer_size_in_bytes(&self, value: u32) -> Result<()> {
            self.core
                .socket_setting("OutboundBufferSizeInBytes", |c| c.set_outbound_buffer_size_in_bytes(value))
        }

        /// `ClientCertificate`: offered if the server asks for one.
        pub fn client_certificate(&self) -> Option<Certificate> {
            self.core.socket_control().client_certificate()
        }

        /// Sets `ClientCertificate` (before ConnectAsync; it must have a private key).
        pub fn set_client_certificate(&self, value: Option<Certificate>) -> Result<()> {
            self.core.socket_setting("ClientCertificate", |c| c.set_client_certificate(value))
        }

        /// `IgnorableServerCertificateErrors` (a live vector, validated as on StreamSocket).
        pub fn ignorable_server_certificate_errors(&self) -> Vector<ChainValidationResult> {
            self.core.socket_control().ignorable_server_certificate_errors()
        }

        /// netrt extension `TrustedRootCertificates`: roots trusted besides the system's.
        pub fn trusted_root_certificates(&self) -> Vector<Certificate> {
            self.core.socket_control().trusted_root_certificates()
        }

        /// `DesiredUnsolicitedPongInterval`: how often to send an unsolicited Pong (a
        /// one-way heartbeat); zero (the default) sends none.
        pub fn desired_unsolicited_pong_interval(&self) -> TimeSpan {
            self.core.lock().desired_pong_interval
        }

        /// Sets `DesiredUnsolicitedPongInterval` (before ConnectAsync; not negative).
        pub fn set_desired_unsolicited_pong_interval(&self, value: TimeSpan) -> Result<()> {
            if value.duration < 0 {
                return Err(Error::invalid_arg("DesiredUnsolicitedPongInterval must not be negative"));
            }
            self.core.before_connect("DesiredUnsolicitedPongInterval", |s| s.desired_pong_interval = value)
        }

        /// `ActualUnsolicitedPongInterval`: the interval in use since connect (zero before).
        pub fn actual_unsolicited_pong_interval(&self) -> TimeSpan {
            *self.core.actual_pong_interval.lock().unwrap_or_else(|e| e.into_inner())
        }

        /// netrt extension `HandshakeTimeout`: the longest ConnectAsync may take (TCP
        /// connect, proxy tunnel, TLS and the HTTP upgrade together); default 60 s. Past it,
        /// ConnectAsync fails with `WININET_E_TIMEOUT` (WebErrorStatus Timeout).
        pub fn handshake_timeout(&self) -> TimeSpan {
            self.core.lock().handshake_timeout
        }

        /// Sets the netrt extension `HandshakeTimeout` (before ConnectAsync; positive).
        pub fn set_handshake_timeout(&self, value: TimeSpan) -> Result<()> {
            if value.duration <= 0 {
                return Err(Error::invalid_arg("HandshakeTimeout must be positive"));
            }
            self.core.before_connect("HandshakeTimeout", |s| s.handshake_timeout = value)
        }
    };
}

/// `MessageWebSocketControl`.
#[derive(Clone)]
pub struct MessageWebSocketControl {
    pub(crate) core: Arc<ControlCore>,
}

impl std::fmt::Debug for MessageWebSocketControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageWebSocketControl").finish_non_exhaustive()
    }
}

impl MessageWebSocketControl {
    web_socket_control_members!();

    /// `MessageType`: the type of the messages written through OutputStream (default
    /// Binary). May change between messages.
    pub fn message_type(&self) -> SocketMessageType {
        self.core.lock().message_type
    }

    /// Sets `MessageType` (any time the socket is open).
    pub fn set_message_type(&self, value: SocketMessageType) -> Result<()> {
        self.core.ensure_open()?;
        self.core.lock().message_type = value;
        Ok(())
    }

    /// `MaxMessageSize`: the largest message accepted on receive (default 0xFFFFFFFF, no
    /// limit). A larger one fails the connection with close code 1009.
    pub fn max_message_size(&self) -> u32 {
        self.core.lock().max_message_size
    }

    /// Sets `MaxMessageSize` (before ConnectAsync; not zero).
    pub fn set_max_message_size(&self, value: u32) -> Result<()> {
        if value == 0 {
            return Err(Error::invalid_arg("MaxMessageSize must be at least 1"));
        }
        self.core.before_connect("MaxMessageSize", |s| s.max_message_size = value)
    }

    /// `ReceiveMode` (default FullMessage).
    pub fn receive_mode(&self) -> MessageWebSocketReceiveMode {
        self.core.lock().receive_mode
    }

    /// Sets `ReceiveMode` (before ConnectAsync).
    pub fn set_receive_mode(&self, value: MessageWebSocketReceiveMode) -> Result<()> {
        self.core.before_connect("ReceiveMode", |s| s.receive_mode = value)
    }
}

/// `StreamWebSocketControl`.
#[derive(Clone)]
pub struct StreamWebSocketControl {
    pub(crate) core: Arc<ControlCore>,
}

impl std::fmt::Debug for StreamWebSocketControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamWebSocketControl").finish_non_exhaustive()
    }
}

impl StreamWebSocketControl {
    web_socket_control_members!();

    /// `NoDelay` (TCP_NODELAY; default true).
    pub fn no_delay(&self) -> bool {
        self.core.socket_control().no_delay()
    }

    /// Sets `NoDelay` (before ConnectAsync).
    pub fn set_no_delay(&self, value: bool) -> Result<()> {
        self.core.socket_setting("NoDelay", |c| c.set_no_delay(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::hresult::{E_ILLEGAL_METHOD_CALL, E_INVALIDARG};

    #[test]
    fn settings_validate_and_freeze() {
        let c = MessageWebSocketControl { core: ControlCore::new() };
        assert_eq!(c.max_message_size(), u32::MAX);
        assert_eq!(c.message_type(), SocketMessageType::Binary);
        c.supported_protocols().append("chat.v2".into()).unwrap();
        let e = c.supported_protocols().append("bad name".into()).unwrap_err();
        assert_eq!(e.hresult(), E_INVALIDARG);
        assert_eq!(c.supported_protocols().to_vec(), ["chat.v2"]);
        assert_eq!(c.set_max_message_size(0).unwrap_err().hresult(), E_INVALIDARG);
        let e = c.ignorable_server_certificate_errors().append(ChainValidationResult::Revoked).unwrap_err();
        assert_eq!(e.hresult(), E_INVALIDARG);
        c.core.freeze(TimeSpan::ZERO);
        assert_eq!(c.set_max_message_size(10).unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
        assert_eq!(c.set_server_credential(None).unwrap_err().hresult(), E_ILLEGAL_METHOD_CALL);
        c.set_message_type(SocketMessageType::Utf8).unwrap();
        let s = StreamWebSocketControl { core: ControlCore::new() };
        assert!(s.no_delay());
        s.set_no_delay(false).unwrap();
        assert!(!s.no_delay());
    }
}
