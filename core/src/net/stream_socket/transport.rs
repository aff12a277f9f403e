//! The byte transport under a connected StreamSocket: plain TCP, or TLS over it.

use std::io;
use std::mem::ManuallyDrop;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, BorrowedFd, IntoRawFd, RawFd};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::reactor::ReactorLink;
use super::tls_io;
pub(crate) use super::tls_io::TlsIo;
use crate::foundation::completion_queue::{CompletionQueue, read_edges};
use crate::io::caller_driven::{ReadScope, ReadStart, caller_driven, read_scope, take_read_start};
use crate::net::tcp_info::StatsTracker;

/// `PlainIo::start_habit` from which watched read starts skip their probe: two probes in a
/// row found nothing. One miss is not enough: where replies are usually there when the read
/// starts (a peer that answers at once), a skipped start costs an event-loop iteration.
const SKIP_FROM: u8 = 2;

/// `PlainIo::start_habit` at which a start probes again after `SKIP_UNTIL - SKIP_FROM` skipped
/// ones, to notice within a few reads when data starts to be there before the reads.
const SKIP_UNTIL: u8 = 5;

/// `PlainIo::drained`: set when the socket's receive queue was found empty; the low half is
/// the read-edge count of its fd from just before that `recv` (`completion_queue::read_edges`).
const DRAINED: u64 = 1 << 32;

/// `PlainIo::inq`: whether `TCP_INQ` is set (its `recv`s then say what is left to read).
const INQ_UNTRIED: u8 = 0;
const INQ_ON: u8 = 1;
const INQ_UNAVAILABLE: u8 = 2;

/// How long Close waits to deliver a TLS close_notify before giving up (never on the caller).
const CLOSE_NOTIFY_LIMIT: Duration = Duration::from_secs(2);

/// What a TLS handshake runs over: the connected tokio stream itself, whose reactor
/// registration (made by the connect or the accept, and already past its first writable edge)
/// serves the handshake as it does for a bare tokio-rustls stream; or, for an upgrade, netrt's
/// transport. Registering the socket again for the handshake cost every connect a reactor
/// wake-up for nothing: a new edge-triggered registration reports "writable" at once.
pub(crate) trait HandshakeIo: AsyncRead + AsyncWrite + Unpin + Send + 'static {
    /// The transport the connection keeps once the handshake is done, out of the reactor:
    /// reads and writes may be driven from a caller's thread, and a registration would make
    /// every received record wake a runtime thread too.
    fn into_plain(self) -> io::Result<PlainIo>;
}

impl HandshakeIo for TcpStream {
    fn into_plain(self) -> io::Result<PlainIo> {
        PlainIo::new(self)
    }
}

impl HandshakeIo for PlainIo {
    fn into_plain(mut self) -> io::Result<PlainIo> {
        self.leave_reactor();
        Ok(self)
    }
}

/// Plain TCP (and the TCP under TLS). The socket joins the runtime's reactor only when a poll
/// outside [`poll_as_caller`](crate::io::caller_driven::poll_as_caller) has to wait for it: a C
/// caller that blocks on the fd itself never wakes the reactor thread (see `io::caller_driven`).
pub(crate) struct PlainIo {
    /// Made when a runtime poll has to wait; given up again by reads driven from a caller's
    /// thread once no runtime poll waits in it (see `reactor.rs`).
    reactor: ReactorLink,
    /// Closed by `drop`, after the registration (see there).
    socket: ManuallyDrop<std::net::TcpStream>,
    /// The last `recv` filled its whole buffer: more is probably there, and the next read
    /// makes its `recv` without probing first (see `poll_readable`).
    last_recv_full: AtomicBool,
    /// What the probes of the reads that start watched (`io::caller_driven::start_watched`)
    /// found: 0, data (or never probed); 1, nothing once; `SKIP_FROM..SKIP_UNTIL`, nothing
    /// twice in a row: these starts skip their probe (see `skip_start_probe`).
    start_habit: AtomicU8,
    /// The next `recv` is a watched start's probe (the last one filled its buffer): it records
    /// what it finds in `start_habit`.
    start_probe_is_recv: AtomicBool,
    /// The last `recv` left the receive queue empty (`DRAINED`, with the read-edge count it
    /// dates from), else 0: see `known_drained`.
    drained: AtomicU64,
    /// `INQ_*`: set on the first read started on a thread with a current completion queue.
    inq: AtomicU8,
}

impl Drop for PlainIo {
    fn drop(&mut self) {
        // The reactor registration first, while the fd still names this socket.
        self.reactor.clear();
        // Before the fd closes: a completion queue that watches it forgets it, and so do the
        // watchers outside core (the number may be reused at once by another socket).
        crate::foundation::completion_queue::socket_closing(self.fd());
        let reserved = crate::foundation::fd_watch::closing(self.fd());
        // SAFETY: taken once, here; the field is never used again.
        let socket = unsafe { ManuallyDrop::take(&mut self.socket) };
        if reserved {
            // A watcher reserved the number (the socket itself is released already): it
            // closes the number once it has forgotten it.
            let _ = socket.into_raw_fd();
        }
    }
}

impl PlainIo {
    /// The transport of a connected tokio stream, plain or (once a handshake runs on it) TLS.
    pub(crate) fn new(tcp: TcpStream) -> io::Result<Self> {
        // Leaves tokio's reactor; the std socket stays non-blocking.
        Ok(Self::from_std(tcp.into_std()?))
    }

    /// `socket` must be non-blocking.
    pub(crate) fn from_std(socket: std::net::TcpStream) -> Self {
        Self {
            reactor: ReactorLink::default(),
            socket: ManuallyDrop::new(socket),
            last_recv_full: AtomicBool::new(false),
            start_habit: AtomicU8::new(0),
            start_probe_is_recv: AtomicBool::new(false),
            drained: AtomicU64::new(0),
            inq: AtomicU8::new(INQ_UNTRIED),
        }
    }

    pub(crate) fn fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }

    /// Drops the reactor registration (made again on the next wait that needs it).
    pub(crate) fn leave_reactor(&mut self) {
        self.reactor.clear();
    }

    /// Whether the socket is in the runtime's reactor now.
    #[cfg(test)]
    pub(crate) fn in_reactor(&self) -> bool {
        self.reactor.is_registered()
    }

    /// Waits (on the reactor) until the socket may have become readable since the caller's
    /// last `recv` found nothing; `Pending` at once when the caller drives the wait itself.
    pub(crate) fn poll_read_wait(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if caller_driven(cx.waker()) {
            return Poll::Pending;
        }
        // The caller's recv found nothing; data since then comes with a new edge, and the
        // caller's next recv picks up what arrived in between.
        self.reactor.poll_read_wait(self.fd(), cx)
    }

    /// [`Self::poll_read_wait`] for writing.
    pub(crate) fn poll_write_wait(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if caller_driven(cx.waker()) {
            return Poll::Pending;
        }
        self.reactor.poll_write_wait(self.fd(), cx)
    }

    /// One non-blocking `recv` (see `last_recv_full`); it records whether it left the receive
    /// queue empty (see `known_drained`).
    fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        let fd = self.fd();
        // Read before the syscall: an edge a queue takes from here on makes the mark stale.
        let edges = read_edges(fd);
        let (got, left) = if self.inq.load(Ordering::Relaxed) == INQ_ON {
            match crate::sys::recv_inq(fd, buf, libc::MSG_DONTWAIT) {
                Ok((n, left)) => (Ok(n), left),
                Err(e) => (Err(e), None),
            }
        } else {
            (recv_now(fd, buf), None)
        };
        // Empty: nothing there, or bytes with nothing left behind them (an end of stream still
        // to read counts as something left). An end of stream read is not "empty": every
        // later read sees it again, with no edge to announce it.
        let drained = match &got {
            Err(e) => e.kind() == io::ErrorKind::WouldBlock,
            Ok(n) => *n > 0 && left == Some(0),
        };
        let mark = if drained { DRAINED | u64::from(edges) } else { 0 };
        if self.drained.load(Ordering::Relaxed) != mark {
            self.drained.store(mark, Ordering::Relaxed);
        }
        if self.start_probe_is_recv.load(Ordering::Relaxed) {
            self.start_probe_is_recv.store(false, Ordering::Relaxed);
            self.record_start(matches!(&got, Err(e) if e.kind() == io::ErrorKind::WouldBlock));
        }
        let full = matches!(got, Ok(n) if n == buf.len());
        if self.last_recv_full.load(Ordering::Relaxed) != full {
            self.last_recv_full.store(full, Ordering::Relaxed);
        }
        got
    }

    /// The attempt a read makes when it starts (no waker, nothing armed). On a thread with a
    /// current completion queue — the queue, edge-triggered, drives the read should it wait —
    /// it finds nothing without a syscall while the socket is known to be empty (the reply of
    /// a request/response exchange is never there yet when its read starts); there it also
    /// turns on `TCP_INQ`, which lets a `recv` that takes the last bytes say so.
    ///
    /// A skip would be safe under any waiter (a blocking waiter polls the fd level-triggered,
    /// the runtime's first poll makes the `recv`). It is kept to threads with a current queue
    /// because only a queue's edges move the count before the read starts: elsewhere the mark
    /// still stands when bytes have come, and the skip would trade the `recv` that finds them
    /// for a wake-up. Pending: nothing there (no error value made for the skip, the usual
    /// outcome on a queue's thread).
    fn try_recv(&self, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        if self.known_drained() && CompletionQueue::current_is_set() {
            return Poll::Pending;
        }
        if self.inq.load(Ordering::Relaxed) == INQ_UNTRIED && CompletionQueue::current_is_set() {
            self.want_inq();
        }
        match self.recv(buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Poll::Pending,
            done => Poll::Ready(done),
        }
    }

    /// Whether the receive queue has been empty since the last `recv`, as far as completion
    /// queues know: it drained it, and no queue took a read edge of this fd since (see
    /// `foundation::completion_queue::read_edges` for why that is exact for a queue's read).
    fn known_drained(&self) -> bool {
        let mark = self.drained.load(Ordering::Relaxed);
        mark & DRAINED != 0 && mark as u32 == read_edges(self.fd())
    }

    /// Sets `TCP_INQ` (a kernel without it: `recv`s simply never say what is left).
    fn want_inq(&self) {
        let on: libc::c_int = 1;
        // SAFETY: our socket; `on` is an int of the size given.
        let set = unsafe {
            libc::setsockopt(
                self.fd(),
                libc::SOL_TCP,
                libc::TCP_INQ,
                (&raw const on).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        } == 0;
        self.inq.store(if set { INQ_ON } else { INQ_UNAVAILABLE }, Ordering::Relaxed);
    }

    /// One `recv`: what is there (≥ 1 byte, or 0 at end of stream). The syscall comes first,
    /// whatever the reactor last reported, so data already there is read on the polling
    /// thread with no wake-up at all.
    fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        match read_scope(cx.waker()) {
            ReadScope::ArmOnly => return Poll::Pending,
            // The caller drives this read: a registration left from a runtime wait would only
            // wake a runtime thread at every packet.
            ReadScope::Caller => self.reactor.leave_if_idle(),
            ReadScope::Runtime => {}
        }
        loop {
            match self.recv(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                done => {
                    self.reactor.read_done();
                    return Poll::Ready(done);
                }
            }
            ready!(self.poll_read_wait(cx))?;
        }
    }

    /// Ready once a `recv` would not block (data, end of stream or an error is there), without
    /// taking anything: a read waits here before it allocates its buffer, so an idle
    /// connection's pending read holds no memory. Like `poll_read`, it asks the kernel first,
    /// unless the answer is known to be yes.
    fn poll_readable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let start = take_read_start(cx.waker());
        if start != ReadStart::Probe {
            // Caller-driven (see `poll_read`).
            self.reactor.leave_if_idle();
        }
        let watched_start = match start {
            ReadStart::ArmOnly => return Poll::Pending,
            // The caller's watch reported the fd readable: the `recv` that follows is the probe.
            ReadStart::KnownReadable => return Poll::Ready(Ok(())),
            ReadStart::WatchedStart => true,
            ReadStart::Probe => false,
        };
        // The start of a read whose caller watches the fd level-triggered when it stays
        // pending: where the last starts found nothing (the reply is never there yet when the
        // read starts), the probe is skipped — the watch reports the data once it is there.
        if watched_start && self.skip_start_probe() {
            return Poll::Pending;
        }
        // The last recv filled its buffer (a bulk transfer): the `recv` that follows is the
        // probe. Should it find nothing, the read waits holding its buffer — only right after
        // a full read.
        if self.last_recv_full.load(Ordering::Relaxed) {
            if watched_start {
                // The `recv` that follows is this start's probe: it records what it finds.
                self.start_probe_is_recv.store(true, Ordering::Relaxed);
            }
            return Poll::Ready(Ok(()));
        }
        loop {
            // MSG_PEEK leaves the byte in the socket; MSG_DONTWAIT never blocks.
            let probed = crate::sys::recv(self.fd(), &mut [0u8; 1], libc::MSG_PEEK | libc::MSG_DONTWAIT);
            let nothing = matches!(&probed, Err(e) if e.kind() == io::ErrorKind::WouldBlock);
            if watched_start {
                self.record_start(nothing);
            }
            if !nothing {
                return Poll::Ready(Ok(()));
            }
            ready!(self.poll_read_wait(cx))?;
        }
    }

    /// Whether a watched read start skips its probe (see `start_habit`): yes once two probes
    /// in a row found nothing, for `SKIP_UNTIL - SKIP_FROM` starts; then one probes again.
    fn skip_start_probe(&self) -> bool {
        match self.start_habit.load(Ordering::Relaxed) {
            n @ SKIP_FROM..SKIP_UNTIL => {
                self.start_habit.store(n + 1, Ordering::Relaxed);
                true
            }
            _ => false,
        }
    }

    /// Records what a watched start's probe found (`nothing`: it would have blocked).
    fn record_start(&self, nothing: bool) {
        let next = match (nothing, self.start_habit.load(Ordering::Relaxed)) {
            (false, _) => 0,
            (true, 0) => 1,
            (true, _) => SKIP_FROM,
        };
        self.start_habit.store(next, Ordering::Relaxed);
    }

    /// One `send` of as much of `data` as the kernel takes now (≥ 1 byte).
    fn poll_write(&self, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        loop {
            match send_now(self.fd(), data) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                done => {
                    self.reactor.write_done();
                    return Poll::Ready(done);
                }
            }
            ready!(self.poll_write_wait(cx))?;
        }
    }
}

/// What rustls reads and writes through (the handshake on the runtime, then reads and writes
/// wherever the operation is polled).
impl AsyncRead for PlainIo {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let n = ready!(PlainIo::poll_read(&self, cx, buf.initialize_unfilled()))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for PlainIo {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        if data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        PlainIo::poll_write(&self, cx, data)
    }

    /// The kernel keeps nothing back for us to push.
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.socket.shutdown(std::net::Shutdown::Write))
    }
}

/// A connected transport plus what Information reports about it, shared as
/// `Arc<Connection>`. The TLS state is the allocation's tail (`T`, unsized to
/// [`TlsPart`]): a TLS connection is one heap block with its rustls state, and a plain one
/// carries nothing for TLS.
pub(crate) struct Connection<T: ?Sized + TlsPart = dyn TlsPart> {
    tcp: PlainIo,
    /// The peer, as the connect or the accept knew it (no `getpeername`); kept for error
    /// messages too (a reset socket may no longer report its peer). The local address is asked
    /// for when wanted.
    pub remote: SocketAddr,
    pub stats: Mutex<StatsTracker>,
    /// Last: the only field whose size depends on the kind of connection.
    tls: T,
}

/// The TLS state a connection ends with: none, or a finished handshake's.
pub(crate) trait TlsPart: Send + Sync + 'static {
    fn tls(&self) -> Option<&(dyn TlsIo + 'static)>;
}

/// The tail of a plain connection.
struct NoTls;

impl TlsPart for NoTls {
    fn tls(&self) -> Option<&(dyn TlsIo + 'static)> {
        None
    }
}

impl Connection {
    /// A plain connection to `remote`.
    pub(crate) fn plain(plain: PlainIo, remote: SocketAddr) -> Arc<Self> {
        build(plain, remote, NoTls)
    }

    /// The connection a server's finished handshake with `remote` left: its TCP transport
    /// and rustls state.
    pub(crate) fn tls_server<IO: HandshakeIo>(
        stream: tokio_rustls::server::TlsStream<IO>,
        remote: SocketAddr,
    ) -> io::Result<Arc<Self>> {
        let (tcp, conn) = stream.into_inner();
        Ok(build(tcp.into_plain()?, remote, tls_io::server(conn)))
    }

    /// The connection a client's handshake left with its last flight still queued (see
    /// `last_flight`): its TCP transport, out of the reactor, and rustls state, and the SNI
    /// sent. The caller sends the flight ([`send_last_flight`](Self::send_last_flight)).
    pub(crate) fn tls_client<IO: HandshakeIo>(
        tcp: IO,
        conn: rustls::ClientConnection,
        remote: SocketAddr,
        sni: Option<String>,
    ) -> io::Result<Arc<Self>> {
        Ok(build(tcp.into_plain()?, remote, tls_io::client(conn, sni)))
    }

    /// Sends what the handshake left queued (nothing on a plain connection).
    pub(crate) async fn send_last_flight(&self) -> io::Result<()> {
        match self.tls.tls() {
            Some(tls) => std::future::poll_fn(|cx| tls.poll_flush(&self.tcp, cx)).await,
            None => Ok(()),
        }
    }

    /// The local address (the unspecified address should the socket fail to say).
    pub(crate) fn local(&self) -> SocketAddr {
        self.tcp.socket.local_addr().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    /// The socket's fd, valid while the connection lives.
    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        // SAFETY: the fd is owned by the TcpStream in `self.tcp`, which lives as long as self.
        unsafe { BorrowedFd::borrow_raw(self.tcp.fd()) }
    }

    /// The socket's fd when this is a plain connection (None under TLS, whose bytes are not
    /// the plaintext a reader wants).
    pub(crate) fn plain_fd(&self) -> Option<RawFd> {
        self.tls.tls().is_none().then(|| self.tcp.fd())
    }

    /// The fd whose readiness lets a read or write make progress, plain or TLS: the socket's.
    /// Under TLS a readable socket may hold only part of a record (the read polls again and
    /// finds nothing: the fd is no longer readable), and plaintext rustls already holds is
    /// taken by the poll before any wait.
    pub(crate) fn readiness_fd(&self) -> RawFd {
        self.tcp.fd()
    }

    pub(crate) fn tls_io(&self) -> Option<&(dyn TlsIo + 'static)> {
        self.tls.tls()
    }

    /// Reads what is available (≥ 1 byte, or 0 at end of stream).
    pub(crate) async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let tcp = &self.tcp;
        match self.tls.tls() {
            None => std::future::poll_fn(|cx| tcp.poll_read(cx, buf)).await,
            Some(tls) => std::future::poll_fn(|cx| tls.poll_read(tcp, cx, buf)).await,
        }
    }

    /// Ready once a read would make progress (see `PlainIo::poll_readable` and
    /// `TlsIo::poll_readable`).
    pub(crate) async fn readable(&self) -> io::Result<()> {
        let tcp = &self.tcp;
        match self.tls.tls() {
            None => std::future::poll_fn(|cx| tcp.poll_readable(cx)).await,
            Some(tls) => std::future::poll_fn(|cx| tls.poll_readable(tcp, cx)).await,
        }
    }

    /// A poll of one read on a plain connection (`None` under TLS): see `PlainIo::poll_read`.
    pub(crate) fn poll_read_plain(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Option<Poll<io::Result<usize>>> {
        self.tls.tls().is_none().then(|| self.tcp.poll_read(cx, buf))
    }

    /// A read's first attempt, one non-blocking `recv` into `buf` (never empty), on a plain
    /// connection (`None` under TLS): see `PlainIo::try_recv`.
    pub(crate) fn try_recv_plain(&self, buf: &mut [u8]) -> Option<Poll<io::Result<usize>>> {
        self.tls.tls().is_none().then(|| self.tcp.try_recv(buf))
    }

    /// Writes some of `data` (≥ 1 byte; under TLS all of it, flushed). `data` is never empty.
    pub(crate) async fn write_some(&self, data: &[u8]) -> io::Result<usize> {
        let tcp = &self.tcp;
        match self.tls.tls() {
            None => std::future::poll_fn(|cx| tcp.poll_write(cx, data)).await,
            Some(tls) => tls.write_all(tcp, data).await,
        }
    }

    /// One non-blocking `send` of a prefix of `data` (never empty) on a plain connection
    /// (`None` under TLS).
    pub(crate) fn try_send_plain(&self, data: &[u8]) -> Option<io::Result<usize>> {
        self.tls.tls().is_none().then(|| send_now(self.tcp.fd(), data))
    }

    /// A poll of one write on a plain connection (`None` under TLS): see `PlainIo::poll_write`.
    pub(crate) fn poll_write_plain(
        &self,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Option<Poll<io::Result<usize>>> {
        self.tls.tls().is_none().then(|| self.tcp.poll_write(cx, data))
    }

    /// Maps a read/write failure; on TLS connections, rustls errors and truncation included.
    pub(crate) fn map_io_error(&self, err: &io::Error, op: &str) -> crate::error::Error {
        let what = format!("{op} {} {}", if op == "read" { "from" } else { "to" }, self.remote);
        match self.tls.tls() {
            None => crate::error::Error::from_io(err, what),
            Some(_) => crate::tls::client::map_tls_io_error(err, None, &what),
        }
    }

    /// Plaintext bytes already received by the kernel and not yet read (FIONREAD).
    pub(crate) fn kernel_unread_bytes(&self) -> usize {
        let mut n: libc::c_int = 0;
        // SAFETY: FIONREAD writes one c_int.
        let rc = unsafe { libc::ioctl(self.tcp.fd(), libc::FIONREAD, &mut n) };
        if rc == 0 { n.max(0) as usize } else { 0 }
    }

    /// Closes the connection so the peer sees it at once: [`notify_close`](Self::notify_close),
    /// then [`finish_close`](Self::finish_close).
    pub(crate) fn shutdown(self: Arc<Self>) {
        let notified = self.notify_close();
        self.finish_close(notified);
    }

    /// The first step of a close: for TLS, queues close_notify and sends what the socket takes
    /// at once (the usual case: all of it). True when nothing is left to send (always for
    /// plain TCP); false when [`finish_close`](Self::finish_close) must send the rest. From
    /// here on this end encrypts nothing more (see `TlsIo::close_notify_now`).
    pub(crate) fn notify_close(&self) -> bool {
        self.tls.tls().is_none_or(|tls| tls.close_notify_now(&self.tcp))
    }

    /// The rest of a close after [`notify_close`](Self::notify_close) (`notified`: what it
    /// returned): both directions shut down, after close_notify is sent when some of it is
    /// still queued (a bounded attempt on the runtime, never waiting on the caller).
    pub(crate) fn finish_close(self: Arc<Self>, notified: bool) {
        match self.tls.tls() {
            Some(_) if !notified => {
                crate::runtime::handle().spawn(async move {
                    if let Some(tls) = self.tls.tls() {
                        let _ =
                            tokio::time::timeout(CLOSE_NOTIFY_LIMIT, tls.flush_close_notify(&self.tcp)).await;
                    }
                    let _ = socket2::SockRef::from(&self.fd()).shutdown(std::net::Shutdown::Both);
                });
            }
            _ => {
                let _ = socket2::SockRef::from(&self.fd()).shutdown(std::net::Shutdown::Both);
            }
        }
    }
}

/// A connection with `tls` as its tail, in one allocation. No system call: between a client's
/// Finished and whatever it sends next (a request; Close's close_notify) a peer may already be
/// reading, and each call here would make it likelier to read the two apart, after a wake-up
/// of its own. The statistics take their first sample when first read.
fn build<T: TlsPart>(tcp: PlainIo, remote: SocketAddr, tls: T) -> Arc<Connection> {
    Arc::new(Connection { tcp, remote, stats: Mutex::new(StatsTracker::default()), tls })
}

/// One non-blocking `send` on `fd` (no SIGPIPE: a closed peer is EPIPE).
pub(crate) fn send_now(fd: RawFd, data: &[u8]) -> io::Result<usize> {
    crate::sys::send(fd, data, libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL)
}

/// One non-blocking `recv` on `fd`.
pub(crate) fn recv_now(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    crate::sys::recv(fd, buf, libc::MSG_DONTWAIT)
}

/// A second transport on the same TCP connection (dup'd fd), so a plain connection can be
/// handed to a TLS handshake while the `Connection` that owns the original is dropped.
pub(crate) fn duplicate_tcp(conn: &Connection) -> io::Result<PlainIo> {
    let owned = conn.fd().try_clone_to_owned()?;
    let socket = std::net::TcpStream::from(owned);
    socket.set_nonblocking(true)?;
    Ok(PlainIo::from_std(socket))
}

#[cfg(test)]
mod reactor_tests {
    use std::future::poll_fn;
    use std::io::Write;
    use std::sync::Arc;
    use std::task::{Context, Poll, Waker};
    use std::time::Duration;

    use super::PlainIo;
    use crate::io::caller_driven::poll_as_caller;

    /// A connected pair: our end as a `PlainIo`, the peer a blocking std socket.
    fn pair() -> (Arc<PlainIo>, std::net::TcpStream) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let ours = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        ours.set_nonblocking(true).unwrap();
        let (peer, _) = listener.accept().unwrap();
        (Arc::new(PlainIo::from_std(ours)), peer)
    }

    /// A read polled on the runtime, which waits on the reactor for the peer's bytes.
    async fn runtime_read(io: Arc<PlainIo>) -> Vec<u8> {
        let mut buf = [0u8; 16];
        let n = poll_fn(|cx| io.poll_read(cx, &mut buf)).await.unwrap();
        buf[..n].to_vec()
    }

    fn caller_read(io: &PlainIo) -> Poll<std::io::Result<usize>> {
        let mut buf = [0u8; 16];
        poll_as_caller(|| io.poll_read(&mut Context::from_waker(Waker::noop()), &mut buf))
    }

    #[test]
    fn a_socket_read_on_the_runtime_joins_the_reactor_and_a_caller_driven_read_makes_it_leave() {
        let (io, mut peer) = pair();
        let rt = crate::runtime::handle();
        let task = rt.spawn(runtime_read(io.clone()));
        std::thread::sleep(Duration::from_millis(50)); // the task waits on the reactor
        assert!(io.in_reactor());
        peer.write_all(b"first").unwrap();
        assert_eq!(rt.block_on(task).unwrap(), b"first");
        assert!(io.in_reactor(), "nothing made it leave yet");
        // Driven by the caller (as an event loop's read is): the idle registration goes.
        assert!(caller_read(&io).is_pending());
        assert!(!io.in_reactor());
        // And a runtime wait makes it again, which still delivers.
        let task = rt.spawn(runtime_read(io.clone()));
        std::thread::sleep(Duration::from_millis(50));
        assert!(io.in_reactor());
        peer.write_all(b"again").unwrap();
        assert_eq!(rt.block_on(task).unwrap(), b"again");
    }

    #[test]
    fn a_registration_a_runtime_read_waits_in_stays() {
        let (io, mut peer) = pair();
        let rt = crate::runtime::handle();
        let task = rt.spawn(runtime_read(io.clone()));
        std::thread::sleep(Duration::from_millis(50));
        assert!(io.in_reactor());
        // A caller-driven read meanwhile (nothing there) leaves the waiting task's registration.
        assert!(caller_read(&io).is_pending());
        assert!(io.in_reactor());
        peer.write_all(b"woken").unwrap();
        assert_eq!(rt.block_on(task).unwrap(), b"woken", "the waiting task was still woken");
    }
}
