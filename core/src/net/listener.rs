//! `StreamSocketListener`: accepts TCP connections and raises `ConnectionReceived`.

use std::net::{Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, Weak};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::capability::{self, NetworkDirection};
use crate::error::{Error, Result, hresult};
use crate::event::{Event, EventToken, Handler};
use crate::net::control::StreamSocketListenerControl;
use crate::net::enums::SocketProtectionLevel;
use crate::net::hostname::HostName;
use crate::net::resolve::{self, Transport};
use crate::net::stream_socket::StreamSocket;
use crate::net::stream_socket::handshake;
use crate::net::stream_socket::transport::{Connection, PlainIo};
use crate::tls::record::SharedRecord;
use crate::tls::server::{ServerTls, server_tls};

mod ownership;

/// Accept backlog (the kernel caps it at `net.core.somaxconn`).
const BACKLOG: i32 = 1024;

/// `StreamSocketListenerConnectionReceivedEventArgs`.
pub struct StreamSocketListenerConnectionReceivedEventArgs {
    socket: StreamSocket,
    /// What a language projection made of these args (see [`Self::projection`]).
    projection: std::sync::OnceLock<Arc<dyn std::any::Any + Send + Sync>>,
}

impl StreamSocketListenerConnectionReceivedEventArgs {
    /// `Socket`: the accepted connection (the handler's to keep or drop).
    pub fn socket(&self) -> StreamSocket {
        self.socket.clone()
    }

    /// The projection's object for these args, made by `make` for the first handler and shared
    /// by every other handler of the same connection — as WinRT hands every handler the same
    /// args object, so the socket object they take is one object, not one per handler. None
    /// when another type was stored first (one projection per process uses it).
    pub fn projection<T: std::any::Any + Send + Sync>(&self, make: impl FnOnce() -> T) -> Option<Arc<T>> {
        let stored = self.projection.get_or_init(|| Arc::new(make()));
        stored.clone().downcast::<T>().ok()
    }
}

/// Handler type of `ConnectionReceived`.
pub type ConnectionReceivedHandler =
    Handler<StreamSocketListener, StreamSocketListenerConnectionReceivedEventArgs>;

enum State {
    Created,
    Bound {
        local: SocketAddr,
        stop: CancellationToken,
        /// The listening socket's fd (owned by the accept loop, which runs until `stop`).
        fd: std::os::fd::RawFd,
        /// Whether accepted connections get a TLS handshake.
        tls: bool,
    },
    /// Taken back from the socket broker: accepting starts with the first ConnectionReceived
    /// handler, so the connection that woke the app is not closed for want of one.
    Reclaimed {
        socket: Socket,
        local: SocketAddr,
    },
    /// `last`: the address it was bound to, which `Information` keeps reporting.
    Closed {
        last: Option<SocketAddr>,
    },
}

struct Inner {
    control: StreamSocketListenerControl,
    state: Mutex<State>,
    connection_received: Event<StreamSocketListener, StreamSocketListenerConnectionReceivedEventArgs>,
    /// The background task the listener may be transferred for (EnableTransferOwnership).
    ownership: crate::broker::transfer::Ownership,
}

/// `StreamSocketListener`. Clones are references to the same listener.
#[derive(Clone)]
pub struct StreamSocketListener {
    inner: Arc<Inner>,
}

/// `StreamSocketListenerInformation`.
#[derive(Clone)]
pub struct StreamSocketListenerInformation {
    inner: Arc<Inner>,
}

impl StreamSocketListenerInformation {
    /// `LocalPort` ("" before bind; after close, the port it was bound to).
    pub fn local_port(&self) -> String {
        self.inner.local().map(|a| a.port().to_string()).unwrap_or_default()
    }
}

impl std::fmt::Debug for StreamSocketListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamSocketListener").finish_non_exhaustive()
    }
}

impl Default for StreamSocketListener {
    fn default() -> Self {
        Self::new()
    }
}

impl StreamSocketListener {
    /// `StreamSocketListener()`.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                control: StreamSocketListenerControl::new(),
                state: Mutex::new(State::Created),
                connection_received: Event::default(),
                ownership: Default::default(),
            }),
        }
    }

    /// `Control`.
    pub fn control(&self) -> StreamSocketListenerControl {
        self.inner.control.kept_by(self.inner.clone())
    }

    /// `Information`.
    pub fn information(&self) -> StreamSocketListenerInformation {
        StreamSocketListenerInformation { inner: self.inner.clone() }
    }

    /// The bound local address (netrt extension; None before bind; after close, the address
    /// it was bound to).
    pub fn local_address(&self) -> Option<SocketAddr> {
        self.inner.local()
    }

    /// Adds a `ConnectionReceived` handler (attach before binding, as in WinRT). Handlers run
    /// on the dispatcher thread. While no handler is attached, accepted connections are closed.
    ///
    /// # Errors
    /// `RO_E_CLOSED` after close (Close removes every handler).
    pub fn add_connection_received(&self, handler: ConnectionReceivedHandler) -> Result<EventToken> {
        let token = self.inner.connection_received.add(OWNER, handler)?;
        self.start_if_reclaimed()?;
        Ok(token)
    }

    /// netrt extension: adds a `ConnectionReceived` handler, and `closed`, which runs once on
    /// the dispatcher thread when the listener closes, after the handler has been called for
    /// every connection delivered before the close (not if the handler was removed first).
    /// For forwarding connections elsewhere (Python's `async for`) without waiting forever.
    ///
    /// # Errors
    /// `RO_E_CLOSED` after close.
    pub fn add_connection_received_until_closed(
        &self,
        handler: ConnectionReceivedHandler,
        closed: crate::event::ClosedCallback,
    ) -> Result<EventToken> {
        let token = self.inner.connection_received.add_until_closed(OWNER, handler, closed)?;
        self.start_if_reclaimed()?;
        Ok(token)
    }

    /// Removes a `ConnectionReceived` handler (unknown tokens are ignored, also after close).
    pub fn remove_connection_received(&self, token: EventToken) {
        self.inner.connection_received.remove(token)
    }

    /// `BindServiceNameAsync(localServiceName)`: all local interfaces, IPv4 and IPv6
    /// (dual-stack where available); "" picks an ephemeral port. The listening socket has
    /// `SO_REUSEADDR`. Accepted connections are delivered to the `ConnectionReceived`
    /// handlers (attach them first; without one, connections are closed).
    ///
    /// # Errors
    /// WSATYPE_NOT_FOUND for an unknown service name; the bind error (AddressAlreadyInUse,
    /// WSAEACCES for a privileged port, ...); `E_ILLEGAL_METHOD_CALL` when already bound;
    /// `RO_E_CLOSED` after close.
    ///
    /// # Cancel safety
    /// Cancel safe: the listener is bound only if the future completes with `Ok`.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example() -> netrt::Result<()> {
    /// use std::sync::Arc;
    ///
    /// use netrt::net::StreamSocketListener;
    ///
    /// let listener = StreamSocketListener::new();
    /// listener.add_connection_received(Arc::new(|_listener, args| {
    ///     let socket = args.socket(); // runs on netrt's dispatcher thread
    ///     socket.close();
    /// }))?;
    /// listener.bind_service_name("").await?;
    /// println!("listening on port {}", listener.information().local_port());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn bind_service_name(&self, local_service_name: &str) -> Result<()> {
        self.bind_service_name_with_protection_level(local_service_name, SocketProtectionLevel::PlainSocket)
            .await
    }

    /// `BindServiceNameAsync(localServiceName, protectionLevel)`. With a TLS level (a netrt
    /// extension; WinRT's listener is plaintext only) every accepted connection completes a
    /// TLS handshake with `Control.ServerCertificate` before it is delivered.
    ///
    /// # Errors
    /// As [`StreamSocketListener::bind_service_name`]; `E_INVALIDARG` for a TLS level when no
    /// server certificate is set, and for `Ssl3AllowWeakEncryption` and the Bluetooth levels.
    ///
    /// # Cancel safety
    /// Cancel safe, as [`StreamSocketListener::bind_service_name`].
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example() -> netrt::Result<()> {
    /// use netrt::net::{SocketProtectionLevel, StreamSocketListener};
    /// use netrt::tls::Certificate;
    ///
    /// let chain = std::fs::read_to_string("server.pem").expect("certificate");
    /// let key = std::fs::read_to_string("server.key").expect("key");
    /// let listener = StreamSocketListener::new();
    /// listener.control().set_server_certificate(Some(Certificate::from_pem(&chain, Some(&key))?))?;
    /// listener.bind_service_name_with_protection_level("8443", SocketProtectionLevel::Tls12).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn bind_service_name_with_protection_level(
        &self,
        local_service_name: &str,
        protection_level: SocketProtectionLevel,
    ) -> Result<()> {
        self.inner.ensure_open()?;
        let tls = self.server_tls_for(protection_level)?;
        let port = resolve::resolve_service(local_service_name, Transport::Tcp, true)?;
        capability::check(NetworkDirection::Listen, &SocketAddr::from((Ipv6Addr::UNSPECIFIED, port)))?;
        let sock = match bind_socket(SocketAddr::from((Ipv6Addr::UNSPECIFIED, port)), true) {
            Ok(s) => s,
            // No IPv6 on this host: fall back to IPv4 only.
            Err(e) if e.raw_os_error() == Some(libc::EAFNOSUPPORT) => {
                bind_socket(SocketAddr::from(([0, 0, 0, 0], port)), false)
                    .map_err(|e| Error::from_io(&e, format!("bind to port {port}")))?
            }
            Err(e) => return Err(Error::from_io(&e, format!("bind to port {port}"))),
        };
        self.start(sock, protection_level, tls)
    }

    /// `BindEndpointAsync(localHostName, localServiceName)`: None binds every local address.
    /// A host name is resolved and the first address that can be bound is used.
    ///
    /// # Errors
    /// As [`StreamSocketListener::bind_service_name`]; the resolver's error for the host name;
    /// the bind error of the first address when none can be bound.
    ///
    /// # Cancel safety
    /// Cancel safe: dropping the future during name resolution binds nothing.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example(listener: netrt::net::StreamSocketListener) -> netrt::Result<()> {
    /// use netrt::HostName;
    ///
    /// listener.bind_endpoint(Some(&HostName::new("127.0.0.1")?), "").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn bind_endpoint(
        &self,
        local_host_name: Option<&HostName>,
        local_service_name: &str,
    ) -> Result<()> {
        self.bind_endpoint_with_protection_level(
            local_host_name,
            local_service_name,
            SocketProtectionLevel::PlainSocket,
        )
        .await
    }

    /// `BindEndpointAsync(localHostName, localServiceName, protectionLevel)` (a netrt
    /// extension, as the TLS form of [`StreamSocketListener::bind_service_name_with_protection_level`]):
    /// binds one local address — a TLS server reachable on 127.0.0.1 only, say — and, with a
    /// TLS level, hands every accepted connection to `ConnectionReceived` once its TLS
    /// handshake with `Control.ServerCertificate` completed (within
    /// `Control.TlsHandshakeTimeout`). None binds every local address, as
    /// [`StreamSocketListener::bind_service_name_with_protection_level`].
    ///
    /// # Errors
    /// As [`StreamSocketListener::bind_endpoint`]; `E_INVALIDARG` for a TLS level when no
    /// server certificate is set, and for `Ssl3AllowWeakEncryption` and the Bluetooth levels
    /// (checked before the host name is resolved).
    ///
    /// # Cancel safety
    /// Cancel safe, as [`StreamSocketListener::bind_endpoint`].
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example() -> netrt::Result<()> {
    /// use netrt::HostName;
    /// use netrt::net::{SocketProtectionLevel, StreamSocketListener};
    /// use netrt::tls::Certificate;
    ///
    /// let chain = std::fs::read_to_string("server.pem").expect("certificate");
    /// let key = std::fs::read_to_string("server.key").expect("key");
    /// let listener = StreamSocketListener::new();
    /// listener.control().set_server_certificate(Some(Certificate::from_pem(&chain, Some(&key))?))?;
    /// let loopback = HostName::new("127.0.0.1")?;
    /// listener
    ///     .bind_endpoint_with_protection_level(Some(&loopback), "8443", SocketProtectionLevel::Tls12)
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn bind_endpoint_with_protection_level(
        &self,
        local_host_name: Option<&HostName>,
        local_service_name: &str,
        protection_level: SocketProtectionLevel,
    ) -> Result<()> {
        self.inner.ensure_open()?;
        let Some(host) = local_host_name else {
            return self.bind_service_name_with_protection_level(local_service_name, protection_level).await;
        };
        let tls = self.server_tls_for(protection_level)?;
        let port = resolve::resolve_service(local_service_name, Transport::Tcp, true)?;
        let addrs = resolve::resolve_host_async(host, port, Transport::Tcp).await?;
        let addrs = capability::permitted(NetworkDirection::Listen, host, addrs)?;
        let mut first_err = None;
        for addr in addrs {
            match bind_socket(addr, false) {
                Ok(sock) => return self.start(sock, protection_level, tls),
                Err(e) => {
                    first_err.get_or_insert(Error::from_io(&e, format!("bind to {addr}")));
                }
            }
        }
        Err(first_err.unwrap_or_else(|| Error::invalid_arg("no local address to bind")))
    }

    /// The TLS config for a bind with `level`: None for PlainSocket; a TLS level needs
    /// `Control.ServerCertificate` (WinRT's listener is plaintext only; netrt extends it).
    fn server_tls_for(&self, level: SocketProtectionLevel) -> Result<Option<ServerTls>> {
        if !level.is_tls() {
            return Ok(None);
        }
        let settings = self.inner.control.shared.snapshot();
        let cert = settings.server_certificate.ok_or_else(|| {
            Error::invalid_arg(format!(
                "a TCP listener accepts only PlainSocket unless Control.ServerCertificate is set (got {level:?})"
            ))
        })?;
        server_tls(level, &cert, settings.client_certificate_mode, &settings.trusted_roots).map(Some)
    }

    fn start(&self, sock: Socket, level: SocketProtectionLevel, tls: Option<ServerTls>) -> Result<()> {
        let mut state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
        match *state {
            State::Created => {}
            State::Bound { .. } | State::Reclaimed { .. } => {
                return Err(Error::illegal_method_call("the listener is already bound"));
            }
            State::Closed { .. } => return Err(Error::closed(OWNER)),
        }
        let local = sock
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .ok_or_else(|| Error::new(hresult::E_FAIL, "bound socket has no local address"))?;
        let fd = std::os::fd::AsRawFd::as_raw_fd(&sock);
        let std_listener: std::net::TcpListener = sock.into();
        let listener = crate::runtime::within(|| TcpListener::from_std(std_listener))
            .map_err(|e| Error::from_io(&e, "register the listener"))?;
        let stop = CancellationToken::new();
        self.inner.control.shared.freeze();
        let handshake_limit =
            self.inner.control.shared.snapshot().tls_handshake_timeout.to_duration().filter(|d| !d.is_zero());
        let is_tls = tls.is_some();
        let accepting = Accepting { level, tls, handshake_limit };
        crate::runtime::handle().spawn(accept_loop(
            Arc::downgrade(&self.inner),
            listener,
            stop.clone(),
            accepting,
        ));
        *state = State::Bound { local, stop, fd, tls: is_tls };
        Ok(())
    }

    /// `CancelIOAsync()`: a listener has no pending reads or writes; accepting goes on.
    ///
    /// # Errors
    /// `RO_E_CLOSED` after close.
    ///
    /// # Cancel safety
    /// Cancel safe (it completes at once).
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example(listener: netrt::net::StreamSocketListener) -> netrt::Result<()> {
    /// listener.cancel_io().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn cancel_io(&self) -> Result<()> {
        self.inner.ensure_open()
    }

    /// `Close()`: stops accepting, closes the listening socket and removes the
    /// `ConnectionReceived` handlers. Idempotent. Afterwards every method and every `Control`
    /// setter fails with `RO_E_CLOSED`; getters (`Control`, `Information`) keep their last values.
    pub fn close(&self) {
        self.inner.close();
    }
}

/// The class name in `RO_E_CLOSED` messages.
const OWNER: &str = "StreamSocketListener";

impl Inner {
    fn close(&self) {
        let previous = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let last = match &*state {
                State::Bound { local, .. } | State::Reclaimed { local, .. } => Some(*local),
                State::Closed { last } => *last,
                State::Created => None,
            };
            std::mem::replace(&mut *state, State::Closed { last })
        };
        if let State::Bound { stop, .. } = previous {
            stop.cancel();
        }
        self.control.shared.close();
        self.connection_received.close();
    }

    fn ensure_open(&self) -> Result<()> {
        match *self.state.lock().unwrap_or_else(|e| e.into_inner()) {
            State::Closed { .. } => Err(Error::closed(OWNER)),
            _ => Ok(()),
        }
    }

    /// The bound address, or the last one after close.
    fn local(&self) -> Option<SocketAddr> {
        match &*self.state.lock().unwrap_or_else(|e| e.into_inner()) {
            State::Bound { local, .. } | State::Reclaimed { local, .. } => Some(*local),
            State::Closed { last } => *last,
            State::Created => None,
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.close();
    }
}

/// A listening socket with SO_REUSEADDR (as servers customarily set), dual-stack when asked.
fn bind_socket(addr: SocketAddr, dual_stack: bool) -> std::io::Result<Socket> {
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM.cloexec(), Some(Protocol::TCP))?;
    if addr.is_ipv6() {
        sock.set_only_v6(!dual_stack)?;
    }
    sock.set_reuse_address(true)?;
    sock.set_nonblocking(true)?;
    sock.bind(&addr.into())?;
    sock.listen(BACKLOG)?;
    Ok(sock)
}

/// How a listener treats accepted connections.
#[derive(Clone)]
struct Accepting {
    level: SocketProtectionLevel,
    tls: Option<ServerTls>,
    /// `Control.TlsHandshakeTimeout` as it was at bind; None = no limit.
    handshake_limit: Option<std::time::Duration>,
}

async fn accept_loop(owner: Weak<Inner>, listener: TcpListener, stop: CancellationToken, how: Accepting) {
    loop {
        let accepted = tokio::select! {
            // Stop first: once the listener is closed or transferred to the broker, a pending
            // connection stays queued for whoever holds the listener now.
            biased;
            _ = stop.cancelled() => return,
            r = listener.accept() => r,
        };
        let Some(inner) = owner.upgrade() else { return };
        match accepted {
            Ok((tcp, peer)) => {
                if let Err(e) = capability::check(NetworkDirection::Inbound, &unmapped(peer)) {
                    // The peer's scope is not one the app manifest allows: it never reaches
                    // ConnectionReceived.
                    capability::count_dropped_connection();
                    tracing::info!(%peer, error = %e, "accepted connection dropped by the app manifest");
                    continue;
                }
                let options = inner.control.shared.snapshot().tcp;
                if let Err(e) = StreamSocket::apply_accepted_options(&tcp, &options) {
                    tracing::warn!(%peer, error = %e, "accepted connection dropped");
                    continue;
                }
                // A TLS handshake runs on the accepted stream's own registration; the
                // connection then keeps netrt's transport (see `HandshakeIo`).
                match how.tls.clone() {
                    None => match PlainIo::new(tcp).map(|plain| Connection::plain(plain, peer)) {
                        Ok(conn) => {
                            let socket =
                                StreamSocket::from_accepted(conn, &options, how.level, Default::default());
                            deliver(&inner, socket, peer);
                        }
                        Err(e) => tracing::warn!(%peer, error = %e, "accepted connection dropped"),
                    },
                    // The handshake runs beside the loop, so a slow client cannot stall others.
                    Some(tls) => {
                        let (owner, level, stop) = (Arc::downgrade(&inner), how.level, stop.clone());
                        let limit = how.handshake_limit;
                        tokio::spawn(async move {
                            let record = SharedRecord::default();
                            let shaking = handshake::server(tcp, peer, &tls, limit, &record);
                            let conn = tokio::select! {
                                _ = stop.cancelled() => return,
                                r = shaking => r,
                            };
                            let Some(inner) = owner.upgrade() else { return };
                            match conn {
                                Ok(conn) => {
                                    let client = record.lock().unwrap_or_else(|e| e.into_inner()).clone();
                                    deliver(
                                        &inner,
                                        StreamSocket::from_accepted(conn, &options, level, client),
                                        peer,
                                    );
                                }
                                Err(e) => {
                                    tracing::info!(%peer, error = %e, "TLS handshake with a client failed")
                                }
                            }
                        });
                    }
                }
            }
            Err(e) => {
                // EMFILE and friends: back off instead of spinning, keep listening.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}

/// A peer on a dual-stack listener as the address it really has (IPv4 peers arrive mapped).
pub(crate) fn unmapped(peer: SocketAddr) -> SocketAddr {
    SocketAddr::new(capability::unmap(peer.ip()), peer.port())
}

fn deliver(inner: &Arc<Inner>, socket: StreamSocket, peer: SocketAddr) {
    let sender = StreamSocketListener { inner: inner.clone() };
    let args = StreamSocketListenerConnectionReceivedEventArgs { socket, projection: Default::default() };
    if !inner.connection_received.raise(sender, args) {
        tracing::debug!(%peer, "connection closed: no ConnectionReceived handler");
    }
}
