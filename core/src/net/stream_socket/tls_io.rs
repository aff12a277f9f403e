//! TLS over netrt's TCP transport after the handshake: one rustls connection behind a mutex
//! held only for the synchronous rustls calls, so one read and one write can be pending at once
//! without splitting the stream into halves with two async locks.
//!
//! Reads and writes talk to the socket with non-blocking syscalls and wait for readiness
//! through [`PlainIo`] — on the reactor when polled by the runtime, on the caller's own thread
//! when a C caller drives the operation (see `io::caller_driven`).

use std::io::{self, Read, Write};
use std::ops::DerefMut;
use std::os::fd::RawFd;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, ready};

use rustls::{ClientConnection, ConnectionCommon, ServerConnection};

use super::transport::{PlainIo, TlsPart, send_now};
use crate::tls::client::{TlsSessionInfo, session_info};

/// The TLS state of a connection whose handshake is done, either side: the tail of a
/// connection's allocation, so a client's is sized for a client's rustls state (a server's is
/// ~100 bytes larger). `tcp`, in every call, is the connection's transport.
pub(crate) trait TlsIo: Send + Sync {
    /// Decrypted bytes into `buf` (≥ 1, or 0 once the peer sent close_notify); a TCP end
    /// without close_notify is `UnexpectedEof`, a bad record `InvalidData` carrying rustls'
    /// error (its alert is sent first).
    fn poll_read(&self, tcp: &PlainIo, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>;

    /// Ready once a read would return at once (plaintext, the end of the stream or an
    /// error is there), without taking any plaintext: a read waits here before it allocates
    /// its buffer. TLS bytes that arrive meanwhile are decrypted into rustls' own buffer.
    fn poll_readable(&self, tcp: &PlainIo, cx: &mut Context<'_>) -> Poll<io::Result<()>>;

    /// Ready once every queued record is in the kernel.
    fn poll_flush(&self, tcp: &PlainIo, cx: &mut Context<'_>) -> Poll<io::Result<()>>;

    /// Encrypts a prefix of `data` into rustls' send buffer (up to its limit); after
    /// [`close_notify_now`](TlsIo::close_notify_now), fails with [`ClosedLocally`].
    fn encrypt(&self, data: &[u8]) -> io::Result<usize>;

    /// Queues close_notify and sends what the socket takes now: true when nothing is left to
    /// send (sent, or the socket failed), false when [`flush_close_notify`] must finish.
    /// Nothing is encrypted after it: rustls would send it, and the peer drop it unread.
    ///
    /// [`flush_close_notify`]: <dyn TlsIo>::flush_close_notify
    fn close_notify_now(&self, tcp: &PlainIo) -> bool;

    /// What the handshake negotiated.
    fn session(&self) -> TlsSessionInfo;
}

impl dyn TlsIo {
    /// Encrypts and sends all of `data`, flushed to the kernel.
    pub(crate) async fn write_all(&self, tcp: &PlainIo, data: &[u8]) -> io::Result<usize> {
        let mut sent = 0;
        while sent < data.len() {
            std::future::poll_fn(|cx| self.poll_flush(tcp, cx)).await?;
            // Takes up to rustls' buffer limit; the flush above left room for it.
            sent += self.encrypt(&data[sent..])?;
        }
        std::future::poll_fn(|cx| self.poll_flush(tcp, cx)).await?;
        Ok(data.len())
    }

    /// Sends what [`TlsIo::close_notify_now`] left queued.
    pub(crate) async fn flush_close_notify(&self, tcp: &PlainIo) -> io::Result<()> {
        std::future::poll_fn(|cx| self.poll_flush(tcp, cx)).await
    }
}

/// The TLS state of a client or a server connection (a connection's tail: see
/// [`Connection`](super::transport::Connection)).
pub(crate) fn client(conn: ClientConnection, sni: Option<String>) -> impl TlsPart {
    Tls { state: Mutex::new(State::new(conn)), sni: sni.map(String::into_boxed_str) }
}

/// See [`client`].
pub(crate) fn server(conn: ServerConnection) -> impl TlsPart {
    Tls { state: Mutex::new(State::new(conn)), sni: None }
}

/// A rustls connection of either side, as [`Tls`] drives it.
trait Side: DerefMut<Target = ConnectionCommon<Self::Data>> + Send + 'static {
    type Data;

    /// What the handshake negotiated (`sni`: what a client sent).
    fn session(&self, sni: Option<&str>) -> TlsSessionInfo;
}

impl Side for ClientConnection {
    type Data = rustls::client::ClientConnectionData;

    fn session(&self, sni: Option<&str>) -> TlsSessionInfo {
        session_info(self, sni.map(str::to_string))
    }
}

impl Side for ServerConnection {
    type Data = rustls::server::ServerConnectionData;

    fn session(&self, _: Option<&str>) -> TlsSessionInfo {
        TlsSessionInfo { server_side: true, ..session_info(self, self.server_name().map(str::to_string)) }
    }
}

struct Tls<C> {
    state: Mutex<State<C>>,
    /// The SNI this end sent as a client (rustls keeps a server's; the rest of what
    /// Information reports is read from the connection when asked).
    sni: Option<Box<str>>,
}

impl<C: Side> TlsPart for Tls<C> {
    fn tls(&self) -> Option<&(dyn TlsIo + 'static)> {
        Some(self)
    }
}

impl<C: Side> TlsIo for Tls<C> {
    fn poll_read(&self, tcp: &PlainIo, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        loop {
            {
                let mut state = self.lock();
                if let Some(e) = state.deferred.take() {
                    return Poll::Ready(Err(e));
                }
                match state.conn.reader().read(buf) {
                    Ok(n) if n > 0 => return Poll::Ready(Ok(n + state.read_more(tcp, &mut buf[n..]))),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    done => return Poll::Ready(done),
                }
                match state.receive(tcp)? {
                    Received::Records => continue,
                    // rustls now answers Ok(0) (after close_notify) or UnexpectedEof.
                    Received::End => {
                        return Poll::Ready(match state.conn.reader().read(buf) {
                            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                                Err(io::ErrorKind::UnexpectedEof.into())
                            }
                            done => done,
                        });
                    }
                    Received::Nothing => {}
                }
            }
            ready!(tcp.poll_read_wait(cx))?;
        }
    }

    fn poll_readable(&self, tcp: &PlainIo, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            {
                let mut state = self.lock();
                if state.deferred.is_some() {
                    return Poll::Ready(Ok(()));
                }
                match state.conn.process_new_packets() {
                    Ok(io) if io.plaintext_bytes_to_read() > 0 || io.peer_has_closed() => {
                        return Poll::Ready(Ok(()));
                    }
                    Ok(_) => {}
                    // The read reports it.
                    Err(_) => return Poll::Ready(Ok(())),
                }
                match state.receive(tcp) {
                    Ok(Received::Records) => continue,
                    Ok(Received::Nothing) => {}
                    Ok(Received::End) | Err(_) => return Poll::Ready(Ok(())),
                }
            }
            ready!(tcp.poll_read_wait(cx))?;
        }
    }

    fn poll_flush(&self, tcp: &PlainIo, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            if send_queued(tcp, &mut *self.lock().conn)? {
                return Poll::Ready(Ok(()));
            }
            ready!(tcp.poll_write_wait(cx))?;
        }
    }

    fn encrypt(&self, data: &[u8]) -> io::Result<usize> {
        let mut state = self.lock();
        if state.closing {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, ClosedLocally));
        }
        state.conn.writer().write(data)
    }

    fn close_notify_now(&self, tcp: &PlainIo) -> bool {
        let mut state = self.lock();
        state.closing = true;
        state.conn.send_close_notify();
        send_queued(tcp, &mut *state.conn).unwrap_or(true)
    }

    fn session(&self) -> TlsSessionInfo {
        self.lock().conn.session(self.sni.as_deref())
    }
}

impl<C: Side> Tls<C> {
    fn lock(&self) -> MutexGuard<'_, State<C>> {
        // Never held across a wait or a callback; a panic inside rustls leaves it usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What a write meets once this end has queued close_notify (Close): a write racing the Close
/// on another thread ends there, and reports the abort.
#[derive(Debug)]
pub(crate) struct ClosedLocally;

impl std::fmt::Display for ClosedLocally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the connection is closing: close_notify was sent")
    }
}

impl std::error::Error for ClosedLocally {}

impl ClosedLocally {
    /// Whether `e` is this error.
    pub(crate) fn is(e: &io::Error) -> bool {
        e.get_ref().is_some_and(|inner| inner.is::<ClosedLocally>())
    }
}

/// What the mutex guards: the rustls connection, the TLS bytes received and not yet handed to
/// it, an error met while a read was filling its buffer, and whether close_notify is queued.
struct State<C> {
    conn: C,
    inbox: Inbox,
    /// Reported by the next read: the one that met it had plaintext to return first.
    deferred: Option<io::Error>,
    /// close_notify is queued: nothing more is encrypted (see `TlsIo::close_notify_now`).
    closing: bool,
}

impl<C: Side> State<C> {
    fn new(conn: C) -> Self {
        Self { conn, inbox: Inbox::default(), deferred: None, closing: false }
    }

    /// After a read took plaintext: more of what has already arrived into the rest of `buf`,
    /// without waiting, so a large read returns several records' worth (rustls holds at most
    /// one record's plaintext at a time). Stops once the bytes received are used up and the
    /// kernel probably has no more (the last `recv` did not fill the inbox). An error is kept
    /// for the next read.
    fn read_more(&mut self, tcp: &PlainIo, buf: &mut [u8]) -> usize {
        let mut filled = 0;
        while filled < buf.len() && (!self.inbox.is_empty() || self.inbox.last_recv_full()) {
            match self.receive(tcp) {
                Ok(Received::Records) => {}
                // The next read sees the end again (rustls remembers it; so does the kernel).
                Ok(Received::End | Received::Nothing) => break,
                Err(e) => {
                    self.deferred = Some(e);
                    break;
                }
            }
            match self.conn.reader().read(&mut buf[filled..]) {
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    self.deferred = Some(e);
                    break;
                }
            }
        }
        filled
    }

    /// One `read_tls` (from the inbox, refilled by one `recv` when empty) and the processing
    /// of what came.
    fn receive(&mut self, tcp: &PlainIo) -> io::Result<Received> {
        if self.inbox.is_empty() {
            match self.inbox.fill(tcp.fd()) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Received::Nothing),
                Err(e) => return Err(e),
            }
        }
        // An empty inbox here is the end of the stream: rustls takes its `Ok(0)` as such.
        let received = match self.conn.read_tls(&mut self.inbox) {
            Ok(0) => Received::End,
            Ok(_) => Received::Records,
            Err(e) => return Err(e),
        };
        if let Err(e) = self.conn.process_new_packets() {
            // The alert rustls queued tells the peer why; best effort, the error is what counts.
            let _ = send_queued(tcp, &mut *self.conn);
            return Err(io::Error::new(io::ErrorKind::InvalidData, e));
        }
        // Records this end must answer at once (a TLS 1.3 KeyUpdate) leave as far as the socket
        // takes them; the rest goes with the next write or flush.
        let _ = send_queued(tcp, &mut *self.conn);
        Ok(received)
    }
}

/// TLS bytes taken from the kernel in one large `recv` and handed to rustls as it asks (rustls
/// reads at most what one record still needs, often 4 KiB: asking the kernel that often cost a
/// syscall per few KiB in a bulk transfer). Holds memory only while it holds bytes, or right
/// after a `recv` that filled it (more is on its way): an idle connection keeps one empty
/// pointer.
#[derive(Default)]
struct Inbox(Option<Box<Held>>);

struct Held {
    /// Received, never zeroed beyond what `recv` wrote: `bytes.len()` is what arrived.
    bytes: Vec<u8>,
    /// Where the bytes not yet handed to rustls start.
    pos: usize,
    last_recv_full: bool,
}

/// The inbox's size: a 64 KiB write's records twice over (asyncio reads 256 KiB).
const INBOX_SIZE: usize = 128 * 1024;

impl Inbox {
    fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(|held| held.pos == held.bytes.len())
    }

    /// The last `recv` filled the inbox: the kernel probably holds more.
    fn last_recv_full(&self) -> bool {
        self.0.as_ref().is_some_and(|held| held.last_recv_full)
    }

    /// One `recv` into the empty inbox: `Ok(0)` at the end of the stream. The buffer is
    /// allocated, not zeroed, for the call (a read that finds nothing costs a malloc and a
    /// free, not a 128 KiB memset), and kept only if the call brought bytes.
    fn fill(&mut self, fd: RawFd) -> io::Result<usize> {
        debug_assert!(self.is_empty());
        let mut held = self.0.take().unwrap_or_else(|| {
            Box::new(Held { bytes: Vec::with_capacity(INBOX_SIZE), pos: 0, last_recv_full: false })
        });
        held.bytes.clear();
        held.pos = 0;
        let got = crate::sys::recv_into_spare(fd, &mut held.bytes, libc::MSG_DONTWAIT);
        held.last_recv_full = held.bytes.len() == INBOX_SIZE;
        if !held.bytes.is_empty() {
            self.0 = Some(held);
        }
        got
    }
}

impl Read for Inbox {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let Some(held) = self.0.as_mut() else { return Ok(0) };
        let n = out.len().min(held.bytes.len() - held.pos);
        out[..n].copy_from_slice(&held.bytes[held.pos..held.pos + n]);
        held.pos += n;
        if held.pos == held.bytes.len() && !held.last_recv_full {
            self.0 = None;
        }
        Ok(n)
    }
}

/// Sends queued TLS records until none is left (`Ok(true)`) or the socket is full (`Ok(false)`).
fn send_queued<D>(tcp: &PlainIo, conn: &mut ConnectionCommon<D>) -> io::Result<bool> {
    while conn.wants_write() {
        match conn.write_tls(&mut Socket(tcp.fd())) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// What one `read_tls` found.
enum Received {
    /// TLS records (maybe no plaintext: a partial record, a session ticket).
    Records,
    /// The end of the TCP stream.
    End,
    /// Nothing yet.
    Nothing,
}

/// The socket as rustls writes to it: one non-blocking syscall per call.
struct Socket(RawFd);

impl Write for Socket {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        send_now(self.0, data)
    }

    /// rustls hands over every queued record at once: one `sendmsg` for all of them, not one
    /// `send` per record (a 64 KiB write is four or more records).
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        // SAFETY: `IoSlice` is ABI-compatible with `iovec` on Unix; the slices outlive the call.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = bufs.as_ptr().cast_mut().cast();
        // Linux's IOV_MAX (rustls passes at most 64).
        msg.msg_iovlen = bufs.len().min(1024) as _;
        let flags = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
        // SAFETY: `msg` names only the caller's live buffers; MSG_DONTWAIT never blocks.
        let n = unsafe { libc::sendmsg(self.0, &msg, flags) };
        if n < 0 { Err(io::Error::last_os_error()) } else { Ok(n as usize) }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod block_size_tests {
    use super::Tls;
    use crate::net::stream_socket::transport::Connection;

    #[test]
    fn a_tls_client_connection_fits_the_1248_byte_malloc_chunk() {
        // Every TLS connection holds one such block for its life: glibc's chunk for a request
        // of n bytes is n + 8 rounded up to 16, so a request of 1,248 took 1,264.
        let block = 2 * std::mem::size_of::<usize>()
            + std::mem::size_of::<Connection<Tls<rustls::ClientConnection>>>();
        assert!(block <= 1240, "Arc<Connection> is {block} bytes");
    }
}
