//! `StreamSocket`: a TCP connection, plain or TLS (on connect or upgraded with STARTTLS).
//!
//! I/O is polled directly in the caller's task: the tokio resources are registered with the
//! netrt runtime, so a read that finds data ready costs one syscall and no thread hop.
//! Connecting (resolution, racing attempts, timers) runs as a task on the netrt runtime.

mod abort;
mod channel;
#[cfg(test)]
mod close_tests;
pub(crate) use channel::ChannelProbe;
mod connect;
mod deadline;
pub(crate) mod handshake;
mod information;
mod last_flight;
mod ownership;
mod reactor;
mod requested;
mod tls_io;
pub(crate) mod transport;
mod unread;
mod upgrade;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::task::{Context, Poll, Waker};

pub use information::StreamSocketInformation;

use crate::capability::{self, NetworkDirection};
use crate::error::{Error, Result, hresult};
use crate::io::caller_driven::caller_driven;
use crate::io::stream::{BoxFuture, ByteSink, ByteSource, InputStream, OpTicket, OutputStream};
use crate::net::control::{Shared, StreamSettings, StreamSettingsHost, StreamSocketControl, TcpOptions};
use crate::net::enums::SocketProtectionLevel;
use crate::net::hostname::{EndpointPair, HostName};
use crate::net::resolve::{self, Transport};
use crate::tls::record::{KeptRecord, SharedRecord};
use requested::Requested;
use transport::Connection;

enum State {
    Created,
    Connecting,
    Connected(Arc<Connection>),
    /// What `Information` reports after close: the connection as it was when closed, if it
    /// was connected (boxed: an open socket should not carry its size).
    Closed(Option<Box<information::LastKnown>>),
}

/// One allocation holds the socket, its control's settings and its abort and busy state; the
/// connection (and its TLS state) is a second one, made when it connects.
pub(crate) struct Inner {
    /// The settings `Control` reads and writes (a control keeps the socket alive).
    settings: Shared<StreamSettings>,
    state: RwLock<State>,
    /// The fd of the connection while `state` is Connected over plain TCP, else -1: what the
    /// direct reads' and writes' start and a blocking waiter's readiness read without taking
    /// the state lock. Written under the state's write lock with every change of what it
    /// mirrors ([`Inner::replace_state`]); TLS and every other state fall back to the lock.
    plain_fd: AtomicI32,
    abort: abort::Aborter,
    read_busy: AtomicBool,
    write_busy: AtomicBool,
    requested: Mutex<Requested>,
    /// What the last TLS handshake's verifier found (kept after a failed handshake too).
    tls_record: Mutex<KeptRecord>,
    /// Bytes DataReaders on this socket loaded and have not consumed (STARTTLS safety); made
    /// when a DataReader or a cancelled read first needs it.
    plaintext_in_readers: OnceLock<Arc<std::sync::atomic::AtomicUsize>>,
    /// Bytes cancelled reads gave back, served before the kernel's.
    unread: unread::Unread,
    /// The background task the socket may be transferred for (EnableTransferOwnership).
    ownership: crate::broker::transfer::Ownership,
}

/// `StreamSocket`. Cloning gives another reference to the same socket (WinRT reference
/// semantics); the socket closes when `close` is called or the last reference goes.
#[derive(Clone)]
pub struct StreamSocket {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for StreamSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamSocket").finish_non_exhaustive()
    }
}

impl Default for StreamSocket {
    fn default() -> Self {
        Self::new()
    }
}

/// Returns a socket left in `Connecting` by a dropped connect future to `Created`.
struct ConnectGuard<'a> {
    socket: &'a StreamSocket,
    armed: bool,
}

impl ConnectGuard<'_> {
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for ConnectGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            let mut state = self.socket.inner.state.write().unwrap_or_else(|e| e.into_inner());
            if matches!(*state, State::Connecting) {
                self.socket.inner.replace_state(&mut state, State::Created);
                self.socket.inner.settings.thaw();
            }
        }
    }
}

/// Marks one direction busy for the duration of an operation (one pending read and one
/// pending write at a time, as WinRT).
struct Busy<'a> {
    flag: &'a AtomicBool,
    idle: &'a abort::Aborter,
}

impl<'a> Busy<'a> {
    fn acquire(flag: &'a AtomicBool, idle: &'a abort::Aborter, what: &str) -> Result<Self> {
        if flag.swap(true, Ordering::AcqRel) {
            return Err(Error::illegal_method_call(format!("a {what} is already pending on this socket")));
        }
        Ok(Self { flag, idle })
    }

    /// Keeps the direction busy past this guard (a direct read gives it back in `direct_end`).
    fn keep(self) {
        std::mem::forget(self);
    }

    /// Gives a direction back (what dropping the guard does).
    fn release(flag: &AtomicBool, idle: &abort::Aborter) {
        flag.store(false, Ordering::SeqCst);
        idle.signal_idle();
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        Self::release(self.flag, self.idle);
    }
}

impl StreamSocket {
    /// `StreamSocket()`.
    pub fn new() -> Self {
        Self::with_state(StreamSettings::default(), State::Created, Requested::default())
    }

    fn with_state(settings: StreamSettings, state: State, requested: Requested) -> Self {
        Self {
            inner: Arc::new(Inner {
                settings: Shared::new("StreamSocket", settings),
                plain_fd: AtomicI32::new(plain_fd_of(&state)),
                state: RwLock::new(state),
                abort: abort::Aborter::default(),
                read_busy: AtomicBool::new(false),
                write_busy: AtomicBool::new(false),
                requested: Mutex::new(requested),
                plaintext_in_readers: OnceLock::new(),
                unread: unread::Unread::default(),
                tls_record: Mutex::default(),
                ownership: Default::default(),
            }),
        }
    }

    /// Applies a listener's options to a connection it accepted.
    pub(crate) fn apply_accepted_options(tcp: &tokio::net::TcpStream, options: &TcpOptions) -> Result<()> {
        let ipv6 = tcp.local_addr().map(|a| a.is_ipv6()).unwrap_or(false);
        options
            .apply(socket2::SockRef::from(tcp), ipv6)
            .map_err(|e| Error::from_io(&e, "apply StreamSocketListenerControl options"))
    }

    /// A socket for a connection a listener accepted (and, on a TLS listener, handshook).
    pub(crate) fn from_accepted(
        conn: Arc<Connection>,
        options: &TcpOptions,
        level: SocketProtectionLevel,
        client_record: crate::tls::record::VerificationRecord,
    ) -> Self {
        let settings =
            StreamSettings { tcp: options.clone(), tls_frozen: level.is_tls(), ..StreamSettings::default() };
        let requested =
            Requested::new(HostName::from_ip(conn.remote.ip()), &conn.remote.port().to_string(), level);
        let socket = Self::with_state(settings, State::Connected(conn), requested);
        socket.inner.settings.freeze();
        if client_record.server_certificate.is_some() {
            *socket.inner.tls_record.lock().unwrap_or_else(|e| e.into_inner()) =
                KeptRecord::keep(client_record);
        }
        socket
    }

    /// `Control`.
    pub fn control(&self) -> StreamSocketControl {
        StreamSocketControl::of(self.inner.clone())
    }

    /// `Information`.
    pub fn information(&self) -> StreamSocketInformation {
        StreamSocketInformation { inner: self.inner.clone() }
    }

    /// `InputStream`. Closing it closes the socket (as in WinRT).
    pub fn input_stream(&self) -> InputStream {
        InputStream::new(Arc::new(SocketStream(self.inner.clone())))
    }

    /// `OutputStream`. Closing it closes the socket (as in WinRT).
    pub fn output_stream(&self) -> OutputStream {
        OutputStream::new(Arc::new(SocketStream(self.inner.clone())))
    }

    /// `ConnectAsync(HostName, String)`: plain TCP to every resolved address until one answers.
    ///
    /// # Errors
    /// `E_INVALIDARG` for an empty service; WSATYPE_NOT_FOUND for an unknown service name;
    /// the resolver's error (HostNotFound, ...) or the connect error of the preferred address
    /// (ConnectionRefused, ConnectionTimedOut, ...); `E_ILLEGAL_METHOD_CALL` when already
    /// connected or connecting; `RO_E_CLOSED` after close; `ERROR_OPERATION_ABORTED` when
    /// closed or `cancel_io`'d while connecting. A failed connect leaves the socket unconnected
    /// and reusable. [`Error::socket_error_status`] classifies the HRESULT.
    ///
    /// # Cancel safety
    /// Dropping the future abandons the attempt: the socket returns to its unconnected state
    /// (and its control settings can be changed again), so `connect` may be called again.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example() -> netrt::Result<()> {
    /// use netrt::{HostName, StreamSocket};
    ///
    /// let socket = StreamSocket::new();
    /// match socket.connect(&HostName::new("localhost")?, "7").await {
    ///     Ok(()) => println!("connected"),
    ///     Err(e) => println!("HRESULT 0x{:08X}: {}", e.hresult() as u32, e.socket_error_status()),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(&self, remote_host_name: &HostName, remote_service_name: &str) -> Result<()> {
        self.connect_with_protection_level(
            remote_host_name,
            remote_service_name,
            SocketProtectionLevel::PlainSocket,
        )
        .await
    }

    /// `ConnectAsync(HostName, String, SocketProtectionLevel)`: connects, then (for a TLS level)
    /// performs the TLS handshake as a client, validating the server certificate for
    /// `remote_host_name`. Every TLS level means TLS 1.2 or 1.3 (`Tls13`: 1.3 only).
    ///
    /// # Errors
    /// As [`StreamSocket::connect`]; and, synchronously, `E_INVALIDARG` for
    /// `Ssl3AllowWeakEncryption` and the Bluetooth levels (or an invalid ignorable-error
    /// setting). A rejected certificate fails with its CERT_E_/CRYPT_E_/TRUST_E_ HRESULT (e.g.
    /// `CERT_E_UNTRUSTEDROOT`), and `information()` still reports the certificate and every
    /// `ChainValidationResult` found; TLS protocol failures use Schannel's SEC_E_ codes; a
    /// handshake longer than `TlsHandshakeTimeout` fails with WSAETIMEDOUT.
    ///
    /// # Cancel safety
    /// As [`StreamSocket::connect`]: dropping the future, also during the handshake, leaves the
    /// socket unconnected and reusable.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example() -> netrt::Result<()> {
    /// use netrt::net::SocketProtectionLevel;
    /// use netrt::{HostName, StreamSocket};
    ///
    /// let socket = StreamSocket::new();
    /// let host = HostName::new("example.com")?;
    /// socket.connect_with_protection_level(&host, "443", SocketProtectionLevel::Tls12).await?;
    /// let info = socket.information();
    /// println!("{}, {}", info.negotiated_tls_version(), info.cipher_suite());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect_with_protection_level(
        &self,
        remote_host_name: &HostName,
        remote_service_name: &str,
        protection_level: SocketProtectionLevel,
    ) -> Result<()> {
        let pair = EndpointPair::new(None, "", Some(remote_host_name.clone()), remote_service_name);
        self.connect_with_endpoint_pair_and_protection_level(&pair, protection_level).await
    }

    /// `ConnectAsync(EndpointPair)`: plain TCP; the pair's local host and service, when set,
    /// choose the local address and port.
    ///
    /// # Errors
    /// As [`StreamSocket::connect`]; `E_INVALIDARG` when the pair has no remote host name;
    /// WSAEAFNOSUPPORT when the local and remote addresses are of different families; the bind
    /// error for the local address (e.g. AddressAlreadyInUse).
    ///
    /// # Cancel safety
    /// As [`StreamSocket::connect`].
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example() -> netrt::Result<()> {
    /// use netrt::{EndpointPair, HostName, StreamSocket};
    ///
    /// let pair = EndpointPair::new(None, "", Some(HostName::new("127.0.0.1")?), "8080");
    /// StreamSocket::new().connect_with_endpoint_pair(&pair).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect_with_endpoint_pair(&self, endpoint_pair: &EndpointPair) -> Result<()> {
        self.connect_with_endpoint_pair_and_protection_level(
            endpoint_pair,
            SocketProtectionLevel::PlainSocket,
        )
        .await
    }

    /// `ConnectAsync(EndpointPair, SocketProtectionLevel)`.
    ///
    /// # Errors
    /// As [`StreamSocket::connect_with_endpoint_pair`] and
    /// [`StreamSocket::connect_with_protection_level`].
    ///
    /// # Cancel safety
    /// As [`StreamSocket::connect`].
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example() -> netrt::Result<()> {
    /// use netrt::net::SocketProtectionLevel;
    /// use netrt::{EndpointPair, HostName, StreamSocket};
    ///
    /// let pair = EndpointPair::new(None, "", Some(HostName::new("example.com")?), "443");
    /// let socket = StreamSocket::new();
    /// socket.connect_with_endpoint_pair_and_protection_level(&pair, SocketProtectionLevel::Tls13).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect_with_endpoint_pair_and_protection_level(
        &self,
        endpoint_pair: &EndpointPair,
        protection_level: SocketProtectionLevel,
    ) -> Result<()> {
        self.inner.ensure_open()?;
        let endpoint_pair = endpoint_pair.snapshot();
        let remote_host = endpoint_pair
            .remote_host_name
            .clone()
            .ok_or_else(|| Error::invalid_arg("the remote host name is required"))?;
        let settings: StreamSettings = self.inner.settings.snapshot();
        // Argument errors (levels meaningless on TCP, bad ignorable errors) come first; the
        // configuration built here is the handshake's.
        let client_tls = match protection_level.is_tls() {
            true => Some(crate::tls::client::client_tls(protection_level, &settings.tls)?),
            false => None,
        };
        let remote_port =
            resolve::resolve_service(&endpoint_pair.remote_service_name, Transport::Tcp, false)?;
        let local_port = resolve::resolve_service(&endpoint_pair.local_service_name, Transport::Tcp, true)?;
        self.begin_connect(&remote_host, &endpoint_pair.remote_service_name, protection_level)?;
        let ticket = self.inner.abort.ticket();
        // The handshake writes what its verifier finds here; the socket keeps it afterwards.
        let tls_record = client_tls.is_some().then(|| self.inner.handshake_record());
        let tls_for_task = client_tls.zip(tls_record.clone());
        let local_host = endpoint_pair.local_host_name.clone();
        let remote_for_task = remote_host.clone();
        let attempt = crate::runtime::run(async move {
            let local = match local_host {
                Some(h) => Some(resolve::resolve_host_async(&h, local_port, Transport::Tcp).await?[0]),
                None if local_port != 0 => Some(SocketAddr::from(([0, 0, 0, 0], local_port))),
                None => None,
            };
            let addrs = resolve::resolve_host_async(&remote_for_task, remote_port, Transport::Tcp).await?;
            // The app manifest judges every resolved address (a name may lead to loopback or
            // a private network); refused addresses are not tried.
            let mut addrs = capability::permitted(NetworkDirection::Outbound, &remote_for_task, addrs)?;
            if let Some(local) = local {
                // A bound local address fixes the family.
                addrs.retain(|a| a.is_ipv6() == local.is_ipv6());
                if addrs.is_empty() {
                    return Err(Error::new(
                        hresult::hresult_from_win32(hresult::wsa::WSAEAFNOSUPPORT),
                        "the local and remote addresses are of different families",
                    ));
                }
            }
            let (tcp, remote) = connect::connect_with_timeout(addrs, local, settings.clone()).await?;
            match tls_for_task {
                None => transport::PlainIo::new(tcp)
                    .map(|plain| Connection::plain(plain, remote))
                    .map_err(|e| Error::from_io(&e, "connected socket")),
                Some((tls, record)) => {
                    handshake::client(tcp, remote, &remote_for_task, tls, &settings, &record).await
                }
            }
        });
        // If the caller drops this future mid-connect (task cancelled, operation cancelled),
        // the socket must not stay "connecting" forever.
        let guard = ConnectGuard { socket: self, armed: true };
        let outcome = tokio::select! {
            r = attempt => r,
            _ = self.inner.abort.aborted(ticket) => Err(Error::aborted("ConnectAsync")),
        };
        guard.disarm();
        if let Some(record) = &tls_record {
            self.inner.keep_record(record);
        }
        self.finish_connect(outcome)
    }

    fn begin_connect(&self, host: &HostName, service: &str, level: SocketProtectionLevel) -> Result<()> {
        let mut state = self.inner.state.write().unwrap_or_else(|e| e.into_inner());
        match *state {
            State::Created => {}
            State::Connecting => {
                return Err(Error::illegal_method_call("ConnectAsync is already in progress"));
            }
            State::Connected(_) => return Err(Error::illegal_method_call("the socket is already connected")),
            State::Closed(_) => return Err(Error::closed("StreamSocket")),
        }
        self.inner.replace_state(&mut state, State::Connecting);
        self.inner.settings.freeze();
        *self.inner.requested.lock().unwrap_or_else(|e| e.into_inner()) =
            Requested::new(host.clone(), service, level);
        Ok(())
    }

    fn finish_connect(&self, outcome: Result<Arc<Connection>>) -> Result<()> {
        let mut state = self.inner.state.write().unwrap_or_else(|e| e.into_inner());
        let closed = matches!(*state, State::Closed(_));
        match outcome {
            Ok(conn) if closed => {
                conn.shutdown();
                Err(Error::aborted("ConnectAsync"))
            }
            Ok(conn) => {
                self.inner.replace_state(&mut state, State::Connected(conn));
                Ok(())
            }
            Err(e) => {
                if !closed {
                    // A failed connect leaves the socket reusable, as before the attempt.
                    self.inner.replace_state(&mut state, State::Created);
                    self.inner.settings.thaw();
                }
                Err(e)
            }
        }
    }

    /// Reads what is available into `buf` (at least one byte; 0 = the peer closed).
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` if another read is pending or the socket is not connected;
    /// `RO_E_CLOSED` after close; `ERROR_OPERATION_ABORTED` when Close/CancelIOAsync interrupts
    /// it; `NETRT_E_TLS_TRUNCATED` when a TLS peer ends the connection without close_notify;
    /// the socket error otherwise (ConnectionResetByPeer, ...).
    ///
    /// # Cancel safety
    /// Cancel safe: a dropped read has consumed nothing (bytes not yet returned stay in the
    /// kernel or, under TLS, decrypted in netrt), and the socket's read slot is free again.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example(socket: netrt::StreamSocket) -> netrt::Result<()> {
    /// let mut buf = [0u8; 4096];
    /// loop {
    ///     let n = socket.read_some(&mut buf).await?;
    ///     if n == 0 {
    ///         break; // the peer closed the connection
    ///     }
    ///     println!("{} bytes", n);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn read_some(&self, buf: &mut [u8]) -> Result<usize> {
        self.inner.read_some(buf, self.inner.abort.ticket()).await
    }

    /// Writes all of `data`.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` if another write is pending or the socket is not connected;
    /// `RO_E_CLOSED` after close; `ERROR_OPERATION_ABORTED` when Close/CancelIOAsync interrupts
    /// it; the socket error otherwise (ConnectionResetByPeer, WSAESHUTDOWN, ...).
    ///
    /// # Cancel safety
    /// Not cancel safe: when the future is dropped, a prefix of `data` may already have been
    /// sent, and how much is not reported. The write slot is free again.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example(socket: netrt::StreamSocket) -> netrt::Result<()> {
    /// socket.write_all(b"HEAD / HTTP/1.0\r\n\r\n").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn write_all(&self, data: &[u8]) -> Result<()> {
        self.inner.write(data, true, self.inner.abort.ticket()).await.map(drop)
    }

    /// `CancelIOAsync()`: every pending read, write and connect completes with
    /// `ERROR_OPERATION_ABORTED`; the socket stays usable. Completes once the aborted
    /// operations have ended.
    ///
    /// # Errors
    /// `RO_E_CLOSED` after close.
    ///
    /// # Cancel safety
    /// The abort happens when the future is first polled; dropping it afterwards only stops
    /// waiting for the aborted operations to end.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example(socket: netrt::StreamSocket) -> netrt::Result<()> {
    /// let reader = socket.clone();
    /// let pending = tokio::spawn(async move {
    ///     let mut buf = [0u8; 16];
    ///     reader.read_some(&mut buf).await
    /// });
    /// socket.cancel_io().await?; // the read fails with ERROR_OPERATION_ABORTED
    /// assert!(pending.await.expect("task").is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn cancel_io(&self) -> Result<()> {
        self.inner.ensure_open()?;
        self.inner.abort.abort_all();
        // Wait until the aborted operations have reached their terminal state.
        let inner = &self.inner;
        inner
            .abort
            .wait_until_idle(|| {
                !inner.read_busy.load(Ordering::SeqCst) && !inner.write_busy.load(Ordering::SeqCst)
            })
            .await;
        Ok(())
    }

    /// `Close()`: aborts pending operations and closes the connection. Idempotent; never blocks.
    ///
    /// Afterwards every method, every `Control` setter and every operation on the socket's
    /// streams (and the DataReaders/DataWriters on them) fails with `RO_E_CLOSED`; the getters
    /// of `Control` and `Information` keep answering with their last values (addresses, TLS
    /// details and the statistics sampled at close).
    pub fn close(&self) {
        self.inner.close();
    }

    /// Whether this is the same socket as `other`.
    pub fn ptr_eq(&self, other: &StreamSocket) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The fd a caller driving a read of this socket polls (plain or TLS; see
    /// `ByteSource::readiness_fd`), while connected.
    pub(crate) fn readiness_fd(&self) -> Option<std::os::fd::RawFd> {
        self.inner.readiness_fd()
    }
}

impl Inner {
    /// Puts `new` in `state` (the state under its write lock) and `plain_fd` in step with it:
    /// the one way the state changes, so the lock-free mirror never outlives what it mirrors.
    fn replace_state(&self, state: &mut State, new: State) -> State {
        let previous = std::mem::replace(state, new);
        self.plain_fd.store(plain_fd_of(state), Ordering::Release);
        previous
    }

    /// The fd of a connected plain-TCP socket, read without the state lock (None: TLS, or not
    /// connected — ask the state).
    #[inline]
    fn plain_fd(&self) -> Option<std::os::fd::RawFd> {
        let fd = self.plain_fd.load(Ordering::Acquire);
        (fd >= 0).then_some(fd)
    }

    /// A record for a handshake to write into, starting as the socket's current one (what
    /// Information keeps reporting if the attempt fails before its handshake starts).
    fn handshake_record(&self) -> SharedRecord {
        Arc::new(Mutex::new(self.tls_record.lock().unwrap_or_else(|e| e.into_inner()).record()))
    }

    /// Keeps what a handshake's record holds now (also after a failed or aborted handshake).
    fn keep_record(&self, record: &SharedRecord) {
        let found = std::mem::take(&mut *crate::tls::record::lock(record));
        *self.tls_record.lock().unwrap_or_else(|e| e.into_inner()) = KeptRecord::keep(found);
    }

    /// The consumer ledger (see `plaintext_in_readers`).
    fn ledger(&self) -> &Arc<std::sync::atomic::AtomicUsize> {
        self.plaintext_in_readers.get_or_init(Arc::default)
    }

    /// Plaintext DataReaders on this socket hold unconsumed.
    fn plaintext_in_readers(&self) -> usize {
        self.plaintext_in_readers.get().map_or(0, |l| l.load(Ordering::Acquire))
    }

    /// The fd a caller may poll for either direction, plain or TLS (see
    /// `ByteSource::readiness_fd`).
    fn readiness_fd(&self) -> Option<std::os::fd::RawFd> {
        if let Some(fd) = self.plain_fd() {
            return Some(fd);
        }
        connected(&self.state.read().unwrap_or_else(|e| e.into_inner()), "poll")
            .ok()
            .map(|c| c.readiness_fd())
    }

    fn connection(&self, what: &str) -> Result<Arc<Connection>> {
        connected(&self.state.read().unwrap_or_else(|e| e.into_inner()), what).cloned()
    }

    /// One read for the operation holding `ticket` (taken when it started).
    async fn read_some(&self, buf: &mut [u8], ticket: abort::Ticket) -> Result<usize> {
        let _busy = Busy::acquire(&self.read_busy, &self.abort, "read")?;
        // Aborted between two reads of its operation: nothing more is consumed.
        if self.abort.is_aborted(ticket) {
            return Err(Error::aborted("the read"));
        }
        let conn = self.connection("read")?;
        if buf.is_empty() {
            return Ok(0);
        }
        if let Some(n) = self.unread.take(buf, || self.ledger()) {
            return Ok(n);
        }
        let result = tokio::select! {
            biased;
            r = conn.read(buf) => r,
            _ = self.abort.aborted(ticket) => return Err(Error::aborted("the read")),
        };
        self.read_outcome(&conn, ticket, result)
    }

    /// One read appended to `out` (at most `want` bytes) for the operation holding `ticket`:
    /// the buffer grows only once the socket has something, so a read waiting on an idle
    /// connection holds no memory.
    async fn read_some_vec(&self, out: &mut Vec<u8>, want: usize, ticket: abort::Ticket) -> Result<usize> {
        let _busy = Busy::acquire(&self.read_busy, &self.abort, "read")?;
        if self.abort.is_aborted(ticket) {
            return Err(Error::aborted("the read"));
        }
        let conn = self.connection("read")?;
        if want == 0 {
            return Ok(0);
        }
        let filled = out.len();
        if self.unread.any() {
            out.resize(filled + want, 0);
            let taken = self.unread.take(&mut out[filled..], || self.ledger());
            out.truncate(filled + taken.unwrap_or(0));
            if let Some(n) = taken {
                return Ok(n);
            }
        }
        tokio::select! {
            biased;
            r = conn.readable() => r.map_err(|e| conn.map_io_error(&e, "read"))?,
            _ = self.abort.aborted(ticket) => return Err(Error::aborted("the read")),
        }
        out.resize(filled + want, 0);
        // `None`: aborted while waiting (the buffer is truncated below, so no early return).
        let result = tokio::select! {
            biased;
            r = conn.read(&mut out[filled..]) => Some(r),
            _ = self.abort.aborted(ticket) => None,
        };
        let outcome = match result {
            Some(result) => self.read_outcome(&conn, ticket, result),
            None => Err(Error::aborted("the read")),
        };
        out.truncate(filled + *outcome.as_ref().unwrap_or(&0));
        outcome
    }

    /// What a read that returned `result` reports. Inline for the usual bytes read; the rest
    /// in [`read_outcome_other`](Self::read_outcome_other).
    #[inline]
    fn read_outcome(
        &self,
        conn: &Connection,
        ticket: abort::Ticket,
        result: std::io::Result<usize>,
    ) -> Result<usize> {
        match result {
            Ok(n) if n > 0 => Ok(n),
            other => self.read_outcome_other(conn, ticket, other),
        }
    }

    /// [`read_outcome`](Self::read_outcome) of an end of stream or an error.
    #[inline(never)]
    fn read_outcome_other(
        &self,
        conn: &Connection,
        ticket: abort::Ticket,
        result: std::io::Result<usize>,
    ) -> Result<usize> {
        match result {
            // After close, the shutdown makes a racing read see EOF or an error: report the abort.
            _ if self.abort.is_aborted(ticket) => Err(Error::aborted("the read")),
            Ok(n) => Ok(n),
            Err(e) => Err(conn.map_io_error(&e, "read")),
        }
    }

    /// See `ByteSource::direct_begin`.
    fn direct_begin(&self, ticket: abort::Ticket) -> Result<bool> {
        let busy = Busy::acquire(&self.read_busy, &self.abort, "read")?;
        if self.abort.is_aborted(ticket) {
            return Err(Error::aborted("the read"));
        }
        // Read after the slot was taken: an upgrade to TLS, which needs the slot, cannot come
        // between this and the read's end (a Close can; the read's syscall sees it).
        if self.plain_fd().is_some() {
            busy.keep();
            return Ok(true);
        }
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        if connected(&state, "read")?.plain_fd().is_none() {
            return Ok(false);
        }
        busy.keep();
        Ok(true)
    }

    /// See `ByteSource::direct_read`. The state lock is held for the one syscall (the fd stays
    /// open meanwhile; a Close waits that long); the read slot, held since `direct_begin`,
    /// keeps a STARTTLS upgrade away.
    fn direct_read(
        &self,
        ticket: abort::Ticket,
        buf: &mut [u8],
        cx: Option<&mut Context<'_>>,
        skip_syscall: bool,
    ) -> Poll<Result<usize>> {
        if let Some(cx) = cx.as_deref() {
            // Registered before the abort check below: an abort in between still wakes it.
            self.abort.register_direct_reader(cx.waker());
        }
        if self.abort.is_aborted(ticket) {
            return Poll::Ready(Err(Error::aborted("the read")));
        }
        if let Some(n) = self.unread.take(buf, || self.ledger()) {
            return Poll::Ready(Ok(n));
        }
        if skip_syscall && cx.as_deref().is_some_and(|cx| caller_driven(cx.waker())) {
            return Poll::Pending;
        }
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        let conn = match connected(&state, "read") {
            Ok(conn) => conn,
            Err(e) => return Poll::Ready(Err(e)),
        };
        let polled = match cx {
            Some(cx) => conn.poll_read_plain(cx, buf),
            None => conn.try_recv_plain(buf),
        };
        match polled {
            Some(Poll::Ready(result)) => Poll::Ready(self.read_outcome(conn, ticket, result)),
            Some(Poll::Pending) => Poll::Pending,
            None => Poll::Ready(Err(Error::illegal_method_call("the socket is no longer plain TCP"))),
        }
    }

    /// See `ByteSource::direct_arm`: the part of `direct_read` that a poll with `skip_syscall`
    /// makes before it says Pending.
    fn direct_arm(&self, ticket: abort::Ticket, waker: &Waker) -> bool {
        // Registered before the checks: an abort in between still wakes it.
        self.abort.register_direct_reader(waker);
        !self.abort.is_aborted(ticket) && !self.unread.any()
    }

    /// See `ByteSource::direct_end`.
    fn direct_end(&self) {
        Busy::release(&self.read_busy, &self.abort);
    }

    /// Writes all of `data` (`whole`), or as much as the kernel takes at once (≥ 1 byte), for
    /// the operation holding `ticket` (taken when it started).
    async fn write(&self, data: &[u8], whole: bool, ticket: abort::Ticket) -> Result<usize> {
        let _busy = Busy::acquire(&self.write_busy, &self.abort, "write")?;
        if self.abort.is_aborted(ticket) {
            return Err(Error::aborted("the write"));
        }
        let conn = self.connection("write")?;
        let sending = async {
            let mut sent = 0;
            while sent < data.len() {
                sent += conn.write_some(&data[sent..]).await?;
                if !whole {
                    break;
                }
            }
            Ok::<_, std::io::Error>(sent)
        };
        tokio::select! {
            biased;
            r = sending => self.write_outcome(&conn, ticket, r),
            _ = self.abort.aborted(ticket) => Err(Error::aborted("the write")),
        }
    }

    /// See `ByteSink::direct_write_begin`.
    fn direct_write_begin(&self, ticket: abort::Ticket) -> Result<bool> {
        let busy = Busy::acquire(&self.write_busy, &self.abort, "write")?;
        if self.abort.is_aborted(ticket) {
            return Err(Error::aborted("the write"));
        }
        // As in `direct_begin`.
        if self.plain_fd().is_some() {
            busy.keep();
            return Ok(true);
        }
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        if connected(&state, "write")?.plain_fd().is_none() {
            return Ok(false);
        }
        busy.keep();
        Ok(true)
    }

    /// See `ByteSink::direct_write`: as `direct_read`, one `send` under the state lock (the fd
    /// stays open meanwhile), the write slot held since `direct_write_begin`.
    fn direct_write(
        &self,
        ticket: abort::Ticket,
        data: &[u8],
        cx: Option<&mut Context<'_>>,
        skip_syscall: bool,
    ) -> Poll<Result<usize>> {
        if let Some(cx) = cx.as_deref() {
            // Registered before the abort check below: an abort in between still wakes it.
            self.abort.register_direct_writer(cx.waker());
        }
        if self.abort.is_aborted(ticket) {
            return Poll::Ready(Err(Error::aborted("the write")));
        }
        if skip_syscall && cx.as_deref().is_some_and(|cx| caller_driven(cx.waker())) {
            return Poll::Pending;
        }
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        let conn = match connected(&state, "write") {
            Ok(conn) => conn,
            Err(e) => return Poll::Ready(Err(e)),
        };
        if data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let polled = match cx {
            Some(cx) => conn.poll_write_plain(cx, data),
            None => conn.try_send_plain(data).map(|r| match r {
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Poll::Pending,
                done => Poll::Ready(done),
            }),
        };
        match polled {
            Some(Poll::Ready(result)) => Poll::Ready(self.write_outcome(conn, ticket, result)),
            Some(Poll::Pending) => Poll::Pending,
            None => Poll::Ready(Err(Error::illegal_method_call("the socket is no longer plain TCP"))),
        }
    }

    /// See `ByteSink::direct_write_end`.
    fn direct_write_end(&self) {
        Busy::release(&self.write_busy, &self.abort);
    }

    /// What a write that returned `result` reports (as `read_outcome` for reads).
    #[inline]
    fn write_outcome(
        &self,
        conn: &Connection,
        ticket: abort::Ticket,
        result: std::io::Result<usize>,
    ) -> Result<usize> {
        match result {
            Ok(n) => Ok(n),
            Err(e) => self.write_error(conn, ticket, e),
        }
    }

    /// [`write_outcome`](Self::write_outcome) of a failed write.
    #[inline(never)]
    fn write_error(&self, conn: &Connection, ticket: abort::Ticket, e: std::io::Error) -> Result<usize> {
        // After close, the shutdown makes a racing write fail: report the abort. So does a TLS
        // write that met the close_notify Close queues before it aborts.
        if self.abort.is_aborted(ticket) || tls_io::ClosedLocally::is(&e) {
            return Err(Error::aborted("the write"));
        }
        Err(conn.map_io_error(&e, "write"))
    }

    fn close(&self) {
        if let Some((conn, notified)) = self.end(true) {
            conn.finish_close(notified);
        }
    }

    /// Closes the socket for the app; returns the connection it had (the caller shuts it down,
    /// or not when the socket broker now holds it) and, with `notify` (Close), whether its
    /// close_notify is all sent (see `Connection::notify_close`).
    fn end(&self, notify: bool) -> Option<(Arc<Connection>, bool)> {
        let (previous, notified) = {
            let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
            let (last, notified) = match &*state {
                // close_notify leaves before what Information keeps is recorded (a TCP_INFO,
                // a getsockname): a peer that is reading the handshake's last record then
                // finds the close with it, in the same `recv`, rather than one wake-up later.
                // The fd stays open until the connection is dropped, so the record that
                // follows reads it as before. Recorded as the state changes, so Information
                // never sees neither.
                State::Connected(conn) => {
                    let notified = !notify || conn.notify_close();
                    (Some(Box::new(information::LastKnown::of(conn))), notified)
                }
                State::Created | State::Connecting => (None, true),
                // Closed again: what the first close recorded stays.
                State::Closed(_) => return self.abort_after_close(),
            };
            (self.replace_state(&mut state, State::Closed(last)), notified)
        };
        self.settings.close();
        self.abort.abort_all();
        match previous {
            State::Connected(conn) => Some((conn, notified)),
            _ => None,
        }
    }

    /// What closing an already closed socket does: the aborts again (nothing to shut down).
    fn abort_after_close(&self) -> Option<(Arc<Connection>, bool)> {
        self.abort.abort_all();
        None
    }

    /// `RO_E_CLOSED` once closed.
    fn ensure_open(&self) -> Result<()> {
        match *self.state.read().unwrap_or_else(|e| e.into_inner()) {
            State::Closed(_) => Err(Error::closed("StreamSocket")),
            _ => Ok(()),
        }
    }

    fn is_closed(&self) -> bool {
        self.ensure_open().is_err()
    }
}

impl StreamSettingsHost for Inner {
    fn stream_settings(&self) -> &Shared<StreamSettings> {
        &self.settings
    }
}

/// What `Inner::plain_fd` mirrors of `state`.
fn plain_fd_of(state: &State) -> i32 {
    match state {
        State::Connected(conn) => conn.plain_fd().unwrap_or(-1),
        _ => -1,
    }
}

/// The connection of a socket in `state`, or why there is none (`what`: the attempted action).
fn connected<'a>(state: &'a State, what: &str) -> Result<&'a Arc<Connection>> {
    match state {
        State::Connected(c) => Ok(c),
        State::Closed(_) => Err(Error::closed("StreamSocket")),
        State::Created | State::Connecting => Err(Error::new(
            hresult::E_ILLEGAL_METHOD_CALL,
            format!("cannot {what}: the socket is not connected"),
        )),
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.close();
    }
}

/// The socket seen as a stream (what `InputStream`/`OutputStream` wrap).
struct SocketStream(Arc<Inner>);

impl ByteSource for SocketStream {
    fn ticket(&self) -> OpTicket {
        self.0.abort.ticket().into()
    }

    fn read_some<'a>(&'a self, buf: &'a mut [u8], ticket: OpTicket) -> BoxFuture<'a, Result<usize>> {
        Box::pin(self.0.read_some(buf, ticket.into()))
    }

    fn read_some_vec<'a>(
        &'a self,
        out: &'a mut Vec<u8>,
        want: usize,
        ticket: OpTicket,
    ) -> BoxFuture<'a, Result<usize>> {
        Box::pin(self.0.read_some_vec(out, want, ticket.into()))
    }

    fn direct_begin(&self, ticket: OpTicket) -> Result<bool> {
        self.0.direct_begin(ticket.into())
    }

    fn direct_read(
        &self,
        ticket: OpTicket,
        buf: &mut [u8],
        cx: Option<&mut Context<'_>>,
        skip_syscall: bool,
    ) -> Poll<Result<usize>> {
        self.0.direct_read(ticket.into(), buf, cx, skip_syscall)
    }

    fn direct_arm(&self, ticket: OpTicket, waker: &Waker) -> bool {
        self.0.direct_arm(ticket.into(), waker)
    }

    fn direct_end(&self) {
        self.0.direct_end();
    }

    fn close(&self) {
        self.0.close();
    }

    fn consumer_ledger(&self) -> Option<Arc<std::sync::atomic::AtomicUsize>> {
        Some(self.0.ledger().clone())
    }

    fn unread(&self, bytes: Vec<u8>) -> Result<()> {
        connected(&self.0.state.read().unwrap_or_else(|e| e.into_inner()), "give bytes back")?;
        self.0.unread.give_back(bytes, self.0.ledger());
        Ok(())
    }

    fn readiness_fd(&self) -> Option<std::os::fd::RawFd> {
        self.0.readiness_fd()
    }
}

impl ByteSink for SocketStream {
    fn ticket(&self) -> OpTicket {
        self.0.abort.ticket().into()
    }

    fn write_all<'a>(&'a self, data: &'a [u8], ticket: OpTicket) -> BoxFuture<'a, Result<u32>> {
        Box::pin(async move {
            self.0.write(data, true, ticket.into()).await?;
            Ok(data.len() as u32)
        })
    }

    fn write_some<'a>(&'a self, data: &'a [u8], ticket: OpTicket) -> BoxFuture<'a, Result<usize>> {
        Box::pin(self.0.write(data, false, ticket.into()))
    }

    fn direct_write_begin(&self, ticket: OpTicket) -> Result<bool> {
        self.0.direct_write_begin(ticket.into())
    }

    fn direct_write(
        &self,
        ticket: OpTicket,
        data: &[u8],
        cx: Option<&mut Context<'_>>,
        skip_syscall: bool,
    ) -> Poll<Result<usize>> {
        self.0.direct_write(ticket.into(), data, cx, skip_syscall)
    }

    fn direct_write_end(&self) {
        self.0.direct_write_end();
    }

    fn readiness_fd(&self) -> Option<std::os::fd::RawFd> {
        self.0.readiness_fd()
    }

    fn flush(&self) -> BoxFuture<'_, Result<bool>> {
        // TCP keeps no user-space buffer: a completed write is already with the kernel.
        Box::pin(async move {
            self.0.connection("flush")?;
            Ok(true)
        })
    }

    fn close(&self) {
        self.0.close();
    }
}

#[cfg(test)]
mod block_size_tests {
    /// glibc's malloc chunk for a request of `n` bytes (8 bytes of header, 16-byte steps).
    fn malloc_chunk(n: usize) -> usize {
        (n + 8).next_multiple_of(16).max(32)
    }

    #[test]
    fn a_sockets_block_fits_the_480_byte_malloc_chunk() {
        // Every socket holds one `Arc<Inner>` for its life: 496 → 480 bytes per socket.
        let arc_inner = 2 * std::mem::size_of::<usize>() + std::mem::size_of::<super::Inner>();
        assert!(malloc_chunk(arc_inner) <= 480, "Inner is {} bytes", std::mem::size_of::<super::Inner>());
    }
}
