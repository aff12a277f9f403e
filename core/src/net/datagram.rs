//! `DatagramSocket`: UDP with the `MessageReceived` event.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, RwLock};

use socket2::{Domain, Protocol, SockRef, Socket, Type};
use tokio::net::UdpSocket;
use tokio_util::sync::CancellationToken;

use crate::capability::{self, NetworkDirection};
use crate::error::{Error, Result, hresult};
use crate::event::{Event, EventToken, Handler};
use crate::io::stream::{BoxFuture, ByteSink, OpTicket, OutputStream};
use crate::net::control::{Shared, apply_ip_options};
use crate::net::enums::SocketQualityOfService;
use crate::net::hostname::{EndpointPair, HostName};
use crate::net::listener::unmapped;
use crate::net::resolve::{self, Transport};

/// Largest UDP payload (IPv6 jumbograms aside); the receive buffer holds any datagram whole.
const MAX_DATAGRAM: usize = 65_535;

#[derive(Debug, Clone)]
pub(crate) struct DatagramSettings {
    dont_fragment: bool,
    inbound_buffer_size: Option<u32>,
    multicast_only: bool,
    hop_limit: u8,
    quality_of_service: SocketQualityOfService,
}

impl Default for DatagramSettings {
    fn default() -> Self {
        Self {
            dont_fragment: false,
            inbound_buffer_size: None,
            multicast_only: false,
            hop_limit: 128,
            quality_of_service: SocketQualityOfService::Normal,
        }
    }
}

/// `DatagramSocketControl`. All settings but the hop limit must be set before bind/connect.
#[derive(Clone)]
pub struct DatagramSocketControl {
    shared: Arc<Shared<DatagramSettings>>,
    socket: Arc<DgInner>,
}

impl DatagramSocketControl {
    /// `DontFragment` (default false).
    pub fn dont_fragment(&self) -> bool {
        self.shared.lock().dont_fragment
    }
    /// Sets `DontFragment`.
    pub fn set_dont_fragment(&self, value: bool) -> Result<()> {
        self.shared.update("DontFragment", |s| s.dont_fragment = value)
    }
    /// `InboundBufferSizeInBytes` (SO_RCVBUF; the system default until set).
    pub fn inbound_buffer_size_in_bytes(&self) -> u32 {
        self.shared.lock().inbound_buffer_size.unwrap_or_else(system_receive_buffer_size)
    }
    /// Sets `InboundBufferSizeInBytes`.
    pub fn set_inbound_buffer_size_in_bytes(&self, value: u32) -> Result<()> {
        self.shared.update("InboundBufferSizeInBytes", |s| s.inbound_buffer_size = Some(value))
    }
    /// `MulticastOnly`: share the address/port with other multicast sockets (SO_REUSEADDR).
    pub fn multicast_only(&self) -> bool {
        self.shared.lock().multicast_only
    }
    /// Sets `MulticastOnly`.
    pub fn set_multicast_only(&self, value: bool) -> Result<()> {
        self.shared.update("MulticastOnly", |s| s.multicast_only = value)
    }
    /// `QualityOfService`.
    pub fn quality_of_service(&self) -> SocketQualityOfService {
        self.shared.lock().quality_of_service
    }
    /// Sets `QualityOfService`.
    pub fn set_quality_of_service(&self, value: SocketQualityOfService) -> Result<()> {
        self.shared.update("QualityOfService", |s| s.quality_of_service = value)
    }
    /// `OutboundUnicastHopLimit` (default 128).
    pub fn outbound_unicast_hop_limit(&self) -> u8 {
        self.shared.lock().hop_limit
    }
    /// Sets `OutboundUnicastHopLimit`; unlike the others it may change after bind.
    pub fn set_outbound_unicast_hop_limit(&self, value: u8) -> Result<()> {
        self.shared.ensure_open()?;
        if value == 0 {
            return Err(Error::invalid_arg("OutboundUnicastHopLimit must be 1-255"));
        }
        let settings = {
            let mut s = self.shared.lock();
            s.hop_limit = value;
            s.clone()
        };
        if let Some(udp) = self.socket.bound() {
            let ipv6 = udp.local_addr().map(|a| a.is_ipv6()).unwrap_or(false);
            apply_ip_options(SockRef::from(&*udp), ipv6, settings.hop_limit, settings.quality_of_service)
                .map_err(|e| Error::from_io(&e, "set the hop limit"))?;
        }
        Ok(())
    }
}

fn system_receive_buffer_size() -> u32 {
    static CACHE: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *CACHE.get_or_init(|| {
        Socket::new(Domain::IPV4, Type::DGRAM, None)
            .and_then(|s| s.recv_buffer_size())
            .map(|n| n as u32)
            .unwrap_or(212_992)
    })
}

/// `DatagramSocketMessageReceivedEventArgs`.
pub struct DatagramSocketMessageReceivedEventArgs {
    data: Vec<u8>,
    remote: SocketAddr,
    local: SocketAddr,
}

impl DatagramSocketMessageReceivedEventArgs {
    /// The datagram's bytes (what `GetDataReader()`/`GetDataStream()` read).
    pub fn data(&self) -> &[u8] {
        &self.data
    }
    /// `GetDataReader()`: a reader over the datagram, already loaded.
    pub fn get_data_reader(&self) -> crate::io::DataReader {
        crate::io::DataReader::from_buffer(
            &crate::io::Buffer::from_vec(self.data.clone()).unwrap_or_default(),
        )
    }
    /// `GetDataStream()`: an input stream over the datagram.
    pub fn get_data_stream(&self) -> crate::io::InputStream {
        crate::io::InputStream::new(Arc::new(crate::io::memory::MemorySource::new(self.data.clone())))
    }
    /// `RemoteAddress`.
    pub fn remote_address(&self) -> HostName {
        HostName::from_ip(self.remote.ip())
    }
    /// `RemotePort`.
    pub fn remote_port(&self) -> String {
        self.remote.port().to_string()
    }
    /// `LocalAddress` (the socket's bound address).
    pub fn local_address(&self) -> HostName {
        HostName::from_ip(self.local.ip())
    }
}

/// Handler type of `MessageReceived`.
pub type MessageReceivedHandler = Handler<DatagramSocket, DatagramSocketMessageReceivedEventArgs>;

enum State {
    Created,
    Bound {
        udp: Arc<UdpSocket>,
        remote: Option<SocketAddr>,
    },
    /// `local`/`remote`: the addresses it had, which `Information` keeps reporting.
    Closed {
        local: Option<SocketAddr>,
        remote: Option<SocketAddr>,
    },
}

struct DgInner {
    state: RwLock<State>,
    stop: CancellationToken,
    message_received: Event<DatagramSocket, DatagramSocketMessageReceivedEventArgs>,
    settings: Arc<Shared<DatagramSettings>>,
    bind_lock: tokio::sync::Mutex<()>,
    /// The background task the socket may be transferred for (EnableTransferOwnership).
    ownership: crate::broker::transfer::Ownership,
    /// A socket reclaimed from the broker starts receiving with its first MessageReceived
    /// handler, so the datagrams that woke the app reach it.
    receive_on_first_handler: std::sync::Mutex<Option<Arc<UdpSocket>>>,
}

impl DgInner {
    fn bound(&self) -> Option<Arc<UdpSocket>> {
        match &*self.state.read().unwrap_or_else(|e| e.into_inner()) {
            State::Bound { udp, .. } => Some(udp.clone()),
            _ => None,
        }
    }

    fn close(&self) {
        {
            let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
            let (local, remote) = addresses(&state);
            *state = State::Closed { local, remote };
        }
        self.stop.cancel();
        self.settings.close();
        self.message_received.close();
    }

    fn is_connected_to(&self, peer: SocketAddr) -> bool {
        matches!(
            &*self.state.read().unwrap_or_else(|e| e.into_inner()),
            State::Bound { remote: Some(r), .. } if *r == peer
        )
    }

    fn ensure_open(&self) -> Result<()> {
        match *self.state.read().unwrap_or_else(|e| e.into_inner()) {
            State::Closed { .. } => Err(Error::closed(OWNER)),
            _ => Ok(()),
        }
    }
}

/// The class name in `RO_E_CLOSED` messages.
const OWNER: &str = "DatagramSocket";

/// The local and remote addresses of a socket in `state` (the last ones after close).
fn addresses(state: &State) -> (Option<SocketAddr>, Option<SocketAddr>) {
    match state {
        State::Bound { udp, remote } => (udp.local_addr().ok(), *remote),
        State::Closed { local, remote } => (*local, *remote),
        State::Created => (None, None),
    }
}

impl Drop for DgInner {
    fn drop(&mut self) {
        self.close();
    }
}

/// `DatagramSocket`. Clones are references to the same socket.
#[derive(Clone)]
pub struct DatagramSocket {
    inner: Arc<DgInner>,
}

/// `DatagramSocketInformation`.
#[derive(Clone)]
pub struct DatagramSocketInformation {
    inner: Arc<DgInner>,
}

impl DatagramSocketInformation {
    fn addrs(&self) -> (Option<SocketAddr>, Option<SocketAddr>) {
        addresses(&self.inner.state.read().unwrap_or_else(|e| e.into_inner()))
    }
    /// `LocalAddress` (None before bind; the unspecified address when bound to all; after
    /// close, the last address, as every getter of `Information`).
    pub fn local_address(&self) -> Option<HostName> {
        self.addrs().0.map(|a| HostName::from_ip(a.ip()))
    }
    /// `LocalPort`.
    pub fn local_port(&self) -> String {
        self.addrs().0.map(|a| a.port().to_string()).unwrap_or_default()
    }
    /// `RemoteAddress` (after ConnectAsync).
    pub fn remote_address(&self) -> Option<HostName> {
        self.addrs().1.map(|a| HostName::from_ip(a.ip()))
    }
    /// `RemotePort` (after ConnectAsync).
    pub fn remote_port(&self) -> String {
        self.addrs().1.map(|a| a.port().to_string()).unwrap_or_default()
    }
}

impl std::fmt::Debug for DatagramSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatagramSocket").finish_non_exhaustive()
    }
}

impl Default for DatagramSocket {
    fn default() -> Self {
        Self::new()
    }
}

impl DatagramSocket {
    /// `DatagramSocket()`.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(DgInner {
                state: RwLock::new(State::Created),
                stop: CancellationToken::new(),
                message_received: Event::default(),
                settings: Arc::new(Shared::new(OWNER, DatagramSettings::default())),
                bind_lock: tokio::sync::Mutex::new(()),
                ownership: Default::default(),
                receive_on_first_handler: std::sync::Mutex::new(None),
            }),
        }
    }

    /// `Control`.
    pub fn control(&self) -> DatagramSocketControl {
        DatagramSocketControl { shared: self.inner.settings.clone(), socket: self.inner.clone() }
    }

    /// `Information`.
    pub fn information(&self) -> DatagramSocketInformation {
        DatagramSocketInformation { inner: self.inner.clone() }
    }

    /// Adds a `MessageReceived` handler (attach before bind/connect, as in WinRT).
    ///
    /// # Errors
    /// `RO_E_CLOSED` after close (Close removes every handler).
    pub fn add_message_received(&self, handler: MessageReceivedHandler) -> Result<EventToken> {
        let token = self.inner.message_received.add(OWNER, handler)?;
        self.start_receiving_if_reclaimed();
        Ok(token)
    }

    /// netrt extension: adds a `MessageReceived` handler, and `closed`, which runs once on the
    /// dispatcher thread when the socket closes, after the handler has been called for every
    /// datagram delivered before the close (not if the handler was removed first). For
    /// forwarding datagrams elsewhere (Python's `async for`) without waiting forever.
    ///
    /// # Errors
    /// `RO_E_CLOSED` after close.
    pub fn add_message_received_until_closed(
        &self,
        handler: MessageReceivedHandler,
        closed: crate::event::ClosedCallback,
    ) -> Result<EventToken> {
        let token = self.inner.message_received.add_until_closed(OWNER, handler, closed)?;
        self.start_receiving_if_reclaimed();
        Ok(token)
    }

    /// Removes a `MessageReceived` handler (unknown tokens are ignored, also after close).
    pub fn remove_message_received(&self, token: EventToken) {
        self.inner.message_received.remove(token)
    }

    /// `BindServiceNameAsync(localServiceName)`: all interfaces (dual-stack), "" = ephemeral.
    /// Datagrams received from then on are delivered to the `MessageReceived` handlers.
    ///
    /// # Errors
    /// WSATYPE_NOT_FOUND for an unknown service name; the bind error (AddressAlreadyInUse,
    /// ...); `E_ILLEGAL_METHOD_CALL` when already bound; `RO_E_CLOSED` after close.
    ///
    /// # Cancel safety
    /// Cancel safe: the socket is bound only if the future completes with `Ok`.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example() -> netrt::Result<()> {
    /// use std::sync::Arc;
    ///
    /// use netrt::net::DatagramSocket;
    ///
    /// let socket = DatagramSocket::new();
    /// socket.add_message_received(Arc::new(|_socket, args| {
    ///     println!("{} bytes from {}", args.data().len(), args.remote_address());
    /// }))?;
    /// socket.bind_service_name("").await?;
    /// println!("port {}", socket.information().local_port());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn bind_service_name(&self, local_service_name: &str) -> Result<()> {
        self.inner.ensure_open()?;
        let port = resolve::resolve_service(local_service_name, Transport::Udp, true)?;
        capability::check(NetworkDirection::Listen, &SocketAddr::from((Ipv6Addr::UNSPECIFIED, port)))?;
        self.bind_to(None, port).await.map(|_| ())
    }

    /// `BindEndpointAsync(localHostName, localServiceName)`: None binds every local address;
    /// a host name is resolved and its first address bound.
    ///
    /// # Errors
    /// As [`DatagramSocket::bind_service_name`]; the resolver's error for the host name.
    ///
    /// # Cancel safety
    /// Cancel safe: the socket is bound only if the future completes with `Ok`.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example(socket: netrt::net::DatagramSocket) -> netrt::Result<()> {
    /// use netrt::HostName;
    ///
    /// socket.bind_endpoint(Some(&HostName::new("127.0.0.1")?), "5353").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn bind_endpoint(
        &self,
        local_host_name: Option<&HostName>,
        local_service_name: &str,
    ) -> Result<()> {
        self.inner.ensure_open()?;
        let port = resolve::resolve_service(local_service_name, Transport::Udp, true)?;
        let addr = match local_host_name {
            Some(h) => Some(resolve::resolve_host_async(h, port, Transport::Udp).await?[0]),
            None => None,
        };
        let listen_on = addr.unwrap_or_else(|| SocketAddr::from((Ipv6Addr::UNSPECIFIED, port)));
        capability::check(NetworkDirection::Listen, &listen_on)?;
        self.bind_to(addr, port).await.map(|_| ())
    }

    /// `ConnectAsync(HostName, String)`: fixes the default destination and filters incoming
    /// datagrams to that remote. Binds to an ephemeral port first if needed.
    ///
    /// # Errors
    /// As [`DatagramSocket::connect_with_endpoint_pair`].
    ///
    /// # Cancel safety
    /// As [`DatagramSocket::connect_with_endpoint_pair`].
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example() -> netrt::Result<()> {
    /// use netrt::HostName;
    /// use netrt::net::DatagramSocket;
    ///
    /// let socket = DatagramSocket::new();
    /// socket.connect(&HostName::new("127.0.0.1")?, "9999").await?;
    /// socket.output_stream().write(b"one datagram").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(&self, remote_host_name: &HostName, remote_service_name: &str) -> Result<()> {
        let pair = EndpointPair::new(None, "", Some(remote_host_name.clone()), remote_service_name);
        self.connect_with_endpoint_pair(&pair).await
    }

    /// `ConnectAsync(EndpointPair)`.
    ///
    /// # Errors
    /// `E_INVALIDARG` when the pair has no remote host name; WSATYPE_NOT_FOUND for an unknown
    /// service name; the resolver's error; the bind or connect error; `RO_E_CLOSED` after
    /// close.
    ///
    /// # Cancel safety
    /// Dropping the future may leave the socket bound to an ephemeral port without a default
    /// destination; calling `connect` again completes it.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example(socket: netrt::net::DatagramSocket) -> netrt::Result<()> {
    /// use netrt::{EndpointPair, HostName};
    ///
    /// let pair = EndpointPair::new(None, "", Some(HostName::new("127.0.0.1")?), "9999");
    /// socket.connect_with_endpoint_pair(&pair).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect_with_endpoint_pair(&self, pair: &EndpointPair) -> Result<()> {
        self.inner.ensure_open()?;
        let pair = pair.snapshot();
        let host = pair
            .remote_host_name
            .as_ref()
            .ok_or_else(|| Error::invalid_arg("the remote host name is required"))?;
        let port = resolve::resolve_service(&pair.remote_service_name, Transport::Udp, false)?;
        let local_port = resolve::resolve_service(&pair.local_service_name, Transport::Udp, true)?;
        let remote = resolve::resolve_host_async(host, port, Transport::Udp).await?[0];
        capability::check_named(NetworkDirection::Outbound, host, &remote)?;
        let local = match &pair.local_host_name {
            Some(h) => Some(resolve::resolve_host_async(h, local_port, Transport::Udp).await?[0]),
            None => None,
        };
        let udp = self.ensure_bound(local, local_port, Some(remote)).await?;
        let target = map_for_socket(&udp, remote);
        udp.connect(target).await.map_err(|e| Error::from_io(&e, format!("connect to {remote}")))?;
        if let State::Bound { remote: r, .. } =
            &mut *self.inner.state.write().unwrap_or_else(|e| e.into_inner())
        {
            *r = Some(remote);
        }
        Ok(())
    }

    /// `OutputStream`: writes go to the connected remote, one datagram per write.
    pub fn output_stream(&self) -> OutputStream {
        OutputStream::new(Arc::new(DatagramSink { socket: self.clone(), dest: None }))
    }

    /// `GetOutputStreamAsync(HostName, String)`: a stream whose writes are datagrams to that
    /// destination. Binds to an ephemeral port first if needed.
    ///
    /// # Errors
    /// WSATYPE_NOT_FOUND for an unknown service name; the resolver's error; the bind error;
    /// `RO_E_CLOSED` after close.
    ///
    /// # Cancel safety
    /// Dropping the future may leave the socket bound to an ephemeral port; nothing else
    /// changes.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example() -> netrt::Result<()> {
    /// use netrt::HostName;
    /// use netrt::net::DatagramSocket;
    ///
    /// let sender = DatagramSocket::new();
    /// let out = sender.get_output_stream(&HostName::new("127.0.0.1")?, "9999").await?;
    /// out.write(b"one datagram").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_output_stream(
        &self,
        remote_host_name: &HostName,
        remote_service_name: &str,
    ) -> Result<OutputStream> {
        self.inner.ensure_open()?;
        let port = resolve::resolve_service(remote_service_name, Transport::Udp, false)?;
        let remote = resolve::resolve_host_async(remote_host_name, port, Transport::Udp).await?[0];
        capability::check_named(NetworkDirection::Outbound, remote_host_name, &remote)?;
        self.ensure_bound(None, 0, Some(remote)).await?;
        Ok(OutputStream::new(Arc::new(DatagramSink { socket: self.clone(), dest: Some(remote) })))
    }

    /// `GetOutputStreamAsync(EndpointPair)`.
    ///
    /// # Errors
    /// As [`DatagramSocket::get_output_stream`]; `E_INVALIDARG` when the pair has no remote
    /// host name.
    ///
    /// # Cancel safety
    /// As [`DatagramSocket::get_output_stream`].
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example(socket: netrt::net::DatagramSocket) -> netrt::Result<()> {
    /// use netrt::{EndpointPair, HostName};
    ///
    /// let pair = EndpointPair::new(None, "", Some(HostName::new("::1")?), "9999");
    /// let out = socket.get_output_stream_with_endpoint_pair(&pair).await?;
    /// out.write(b"hello").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_output_stream_with_endpoint_pair(&self, pair: &EndpointPair) -> Result<OutputStream> {
        self.inner.ensure_open()?;
        let pair = pair.snapshot();
        let host = pair
            .remote_host_name
            .as_ref()
            .ok_or_else(|| Error::invalid_arg("the remote host name is required"))?;
        self.get_output_stream(host, &pair.remote_service_name).await
    }

    /// Sends one datagram to `dest` (or the connected remote when None). Binds to an
    /// ephemeral port first if needed. Returns the bytes sent.
    ///
    /// # Errors
    /// The send error (MessageTooLong; WSAEDESTADDRREQ when `dest` is None and the socket has
    /// no default destination; ...); the bind error; `RO_E_CLOSED` after close.
    ///
    /// # Cancel safety
    /// Cancel safe: a datagram is either sent whole or not at all.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example(socket: netrt::net::DatagramSocket) -> netrt::Result<()> {
    /// let dest = "127.0.0.1:9999".parse().expect("address");
    /// socket.send_to(b"ping", Some(dest)).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send_to(&self, data: &[u8], dest: Option<SocketAddr>) -> Result<usize> {
        if let Some(d) = &dest {
            // Without a destination the connected remote is used, checked at ConnectAsync.
            capability::check(NetworkDirection::Outbound, d)?;
        }
        self.send_checked(data, dest).await
    }

    /// [`DatagramSocket::send_to`] to a destination the app manifest already allowed.
    async fn send_checked(&self, data: &[u8], dest: Option<SocketAddr>) -> Result<usize> {
        self.inner.ensure_open()?;
        let udp = match self.inner.bound() {
            Some(u) => u,
            None => self.ensure_bound(None, 0, dest).await?,
        };
        let sent = match dest {
            Some(d) => udp.send_to(data, map_for_socket(&udp, d)).await,
            None => udp.send(data).await,
        };
        sent.map_err(|e| match dest {
            Some(d) => Error::from_io(&e, format!("send {} bytes to {d}", data.len())),
            None => Error::from_io(&e, format!("send {} bytes", data.len())),
        })
    }

    /// `JoinMulticastGroup(HostName)`: after bind, on the default interface.
    ///
    /// # Errors
    /// `RO_E_CLOSED` after close; `E_ILLEGAL_METHOD_CALL` before bind; `E_INVALIDARG` for a
    /// host that is not a multicast address; the system's error otherwise.
    pub fn join_multicast_group(&self, host: &HostName) -> Result<()> {
        self.inner.ensure_open()?;
        let udp = self
            .inner
            .bound()
            .ok_or_else(|| Error::illegal_method_call("JoinMulticastGroup needs a bound socket"))?;
        let ip =
            host.ip_address().ok_or_else(|| Error::invalid_arg("a multicast group must be an IP address"))?;
        if !ip.is_multicast() {
            return Err(Error::invalid_arg(format!("{ip} is not a multicast address")));
        }
        let r = match ip {
            IpAddr::V4(g) => {
                if udp.local_addr().map(|a| a.is_ipv6()).unwrap_or(false) {
                    // A dual-stack socket joins an IPv4 group through the IPv4 option.
                    SockRef::from(&*udp).join_multicast_v4(&g, &std::net::Ipv4Addr::UNSPECIFIED)
                } else {
                    udp.join_multicast_v4(g, std::net::Ipv4Addr::UNSPECIFIED)
                }
            }
            IpAddr::V6(g) => udp.join_multicast_v6(&g, 0),
        };
        r.map_err(|e| Error::from_io(&e, format!("join multicast group {ip}")))
    }

    /// `CancelIOAsync()`: datagram sends complete at once; nothing is pending to abort.
    ///
    /// # Errors
    /// `RO_E_CLOSED` after close.
    ///
    /// # Cancel safety
    /// Cancel safe (it completes at once).
    ///
    /// # Examples
    /// ```no_run
    /// # async fn example(socket: netrt::net::DatagramSocket) -> netrt::Result<()> {
    /// socket.cancel_io().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn cancel_io(&self) -> Result<()> {
        self.inner.ensure_open()
    }

    /// `Close()`: stops receiving, removes the MessageReceived handlers, closes the socket.
    /// Idempotent. Afterwards every method, every `Control` setter and every write to its
    /// output streams fails with `RO_E_CLOSED`; getters (`Control`, `Information`) keep their
    /// last values.
    pub fn close(&self) {
        self.inner.close();
    }

    async fn bind_to(&self, addr: Option<SocketAddr>, port: u16) -> Result<Arc<UdpSocket>> {
        let _g = self.inner.bind_lock.lock().await;
        match &*self.inner.state.read().unwrap_or_else(|e| e.into_inner()) {
            State::Created => {}
            State::Bound { .. } => return Err(Error::illegal_method_call("the socket is already bound")),
            State::Closed { .. } => return Err(Error::closed(OWNER)),
        }
        self.bind_locked(addr, port, None)
    }

    async fn ensure_bound(
        &self,
        addr: Option<SocketAddr>,
        port: u16,
        peer: Option<SocketAddr>,
    ) -> Result<Arc<UdpSocket>> {
        let _g = self.inner.bind_lock.lock().await;
        match &*self.inner.state.read().unwrap_or_else(|e| e.into_inner()) {
            State::Created => {}
            State::Bound { udp, .. } => return Ok(udp.clone()),
            State::Closed { .. } => return Err(Error::closed(OWNER)),
        }
        self.bind_locked(addr, port, peer)
    }

    fn bind_locked(
        &self,
        addr: Option<SocketAddr>,
        port: u16,
        peer: Option<SocketAddr>,
    ) -> Result<Arc<UdpSocket>> {
        let settings = self.inner.settings.snapshot();
        let (addr, dual) = match (addr, peer) {
            (Some(a), _) => (a, false),
            // Sending to an IPv4 peer from an unbound socket: bind IPv4, as Windows does.
            (None, Some(p)) if p.is_ipv4() => (SocketAddr::from(([0, 0, 0, 0], port)), false),
            (None, _) => (SocketAddr::from((Ipv6Addr::UNSPECIFIED, port)), true),
        };
        let sock = match new_udp_socket(addr, dual, &settings) {
            Err(e) if dual && e.raw_os_error() == Some(libc::EAFNOSUPPORT) => {
                new_udp_socket(SocketAddr::from(([0, 0, 0, 0], port)), false, &settings)
            }
            other => other,
        }
        .map_err(|e| Error::from_io(&e, format!("bind to {addr}")))?;
        let std_sock: std::net::UdpSocket = sock.into();
        let udp = Arc::new(
            crate::runtime::within(|| UdpSocket::from_std(std_sock))
                .map_err(|e| Error::from_io(&e, "register UDP socket"))?,
        );
        self.inner.settings.freeze();
        *self.inner.state.write().unwrap_or_else(|e| e.into_inner()) =
            State::Bound { udp: udp.clone(), remote: None };
        crate::runtime::handle().spawn(receive_loop(
            Arc::downgrade(&self.inner),
            udp.clone(),
            self.inner.stop.clone(),
        ));
        Ok(udp)
    }
}

mod ownership;

/// On a dual-stack IPv6 socket, IPv4 destinations are written as IPv4-mapped addresses.
fn map_for_socket(udp: &UdpSocket, dest: SocketAddr) -> SocketAddr {
    match (udp.local_addr(), dest) {
        (Ok(SocketAddr::V6(_)), SocketAddr::V4(v4)) => {
            SocketAddr::from((v4.ip().to_ipv6_mapped(), v4.port()))
        }
        _ => dest,
    }
}

fn new_udp_socket(addr: SocketAddr, dual_stack: bool, s: &DatagramSettings) -> std::io::Result<Socket> {
    let sock = Socket::new(Domain::for_address(addr), Type::DGRAM.cloexec(), Some(Protocol::UDP))?;
    if addr.is_ipv6() {
        sock.set_only_v6(!dual_stack)?;
    }
    if s.multicast_only {
        sock.set_reuse_address(true)?;
        sock.set_reuse_port(true)?;
    }
    if let Some(size) = s.inbound_buffer_size {
        sock.set_recv_buffer_size(size as usize)?;
    }
    if s.dont_fragment {
        set_dont_fragment(&sock, addr.is_ipv6())?;
    }
    apply_ip_options(SockRef::from(&sock), addr.is_ipv6(), s.hop_limit, s.quality_of_service)?;
    sock.set_nonblocking(true)?;
    sock.bind(&addr.into())?;
    Ok(sock)
}

fn set_dont_fragment(sock: &Socket, ipv6: bool) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let (level, name, value) = if ipv6 {
        (libc::IPPROTO_IPV6, libc::IPV6_MTU_DISCOVER, libc::IPV6_PMTUDISC_DO)
    } else {
        (libc::IPPROTO_IP, libc::IP_MTU_DISCOVER, libc::IP_PMTUDISC_DO)
    };
    // SAFETY: a valid fd and a c_int option value.
    let rc = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            level,
            name,
            &value as *const libc::c_int as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc != 0 { Err(std::io::Error::last_os_error()) } else { Ok(()) }
}

async fn receive_loop(owner: std::sync::Weak<DgInner>, udp: Arc<UdpSocket>, stop: CancellationToken) {
    let local = udp.local_addr().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        let received = tokio::select! {
            // Stop first: once the socket is closed or transferred to the broker, a datagram
            // that is ready stays in the kernel for whoever holds the socket now.
            biased;
            _ = stop.cancelled() => return,
            r = udp.recv_from(&mut buf) => r,
        };
        let Some(inner) = owner.upgrade() else { return };
        match received {
            Ok((n, remote)) => {
                let remote = unmapped(remote);
                if capability::check(NetworkDirection::Inbound, &remote).is_err()
                    && !inner.is_connected_to(remote)
                {
                    // A connected socket hears only its remote, which ConnectAsync checked as
                    // outbound traffic; anything else must be allowed as inbound.
                    capability::count_dropped_datagram();
                    tracing::debug!(%remote, "datagram dropped by the app manifest");
                    continue;
                }
                let args = DatagramSocketMessageReceivedEventArgs { data: buf[..n].to_vec(), remote, local };
                inner.message_received.raise(DatagramSocket { inner: inner.clone() }, args);
            }
            // ICMP errors (port unreachable after a send) surface here on Linux; they belong
            // to no datagram, so they are not events. Keep receiving.
            Err(e) => tracing::debug!(error = %e, "UDP receive error"),
        }
    }
}

/// A destination seen as an output stream: one write = one datagram.
struct DatagramSink {
    socket: DatagramSocket,
    dest: Option<SocketAddr>,
}

impl ByteSink for DatagramSink {
    fn write_all<'a>(&'a self, data: &'a [u8], _ticket: OpTicket) -> BoxFuture<'a, Result<u32>> {
        Box::pin(async move {
            self.socket.inner.ensure_open()?;
            if self.dest.is_none() {
                let connected = matches!(
                    &*self.socket.inner.state.read().unwrap_or_else(|e| e.into_inner()),
                    State::Bound { remote: Some(_), .. }
                );
                if !connected {
                    return Err(Error::new(
                        hresult::E_ILLEGAL_METHOD_CALL,
                        "the DatagramSocket is not connected: use ConnectAsync or GetOutputStreamAsync",
                    ));
                }
            }
            // The destination was checked when the stream was made (with its host name).
            let n = self.socket.send_checked(data, self.dest).await?;
            Ok(n as u32)
        })
    }

    fn flush(&self) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move {
            self.socket.inner.ensure_open()?;
            Ok(true)
        })
    }

    fn close(&self) {}
}
