//! `IInputStream` / `IOutputStream`: the byte streams of sockets, readers and writers.
//!
//! A stream is a cheap, cloneable reference to a source or sink (a socket, a datagram
//! destination, ...). The source implements one primitive, "read what is there, waiting for
//! at least one byte"; [`InputStream::read`] builds the WinRT `InputStreamOptions` semantics on
//! top of it, so every stream behaves the same.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::error::{Error, Result};

/// A boxed, sendable future (the streams are used through trait objects).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

winrt_enum! {
    /// `Windows.Storage.Streams.InputStreamOptions` (flags): how a read completes.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum InputStreamOptions: u32 {
        /// Complete when `count` bytes have arrived or the stream ended.
        #[default]
        None = 0,
        /// Complete as soon as at least one byte is available.
        Partial = 1,
        /// May read more than requested (netrt: behaves as `Partial`, reading up to `count`).
        ReadAhead = 2,
    }
}

impl InputStreamOptions {
    /// From the raw flag value; unknown bits are rejected.
    pub fn from_raw(raw: u32) -> Result<Self> {
        match raw {
            0 => Ok(Self::None),
            1 => Ok(Self::Partial),
            2 | 3 => Ok(Self::ReadAhead),
            _ => Err(Error::invalid_arg(format!("invalid InputStreamOptions value {raw}"))),
        }
    }

    /// Whether a read of `count` bytes is over after one of its reads returned `just_read`
    /// bytes, `filled` in all: at the end of the stream (0), when `count` bytes are there, and
    /// for Partial/ReadAhead after any read at all.
    pub fn read_is_over(self, just_read: usize, filled: usize, count: usize) -> bool {
        just_read == 0 || filled >= count || self != Self::None
    }
}

/// One logical stream operation (a ReadAsync, a LoadAsync, a WriteAsync) across the reads or
/// writes it is made of, taken when the operation starts: a Close or CancelIOAsync after that
/// ends the operation even when it falls between two of its reads — a ticket taken per read
/// would let the next read start afresh and miss it. Streams without aborts ignore it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpTicket(pub(crate) u64);

/// What an input stream reads from.
pub trait ByteSource: Send + Sync + 'static {
    /// A ticket for a read operation starting now (see [`OpTicket`]).
    fn ticket(&self) -> OpTicket {
        OpTicket::default()
    }

    /// Reads into `buf` for the operation holding `ticket`, waiting until at least one byte is
    /// available; `Ok(0)` means the stream ended (the peer closed). `buf` is never empty.
    fn read_some<'a>(&'a self, buf: &'a mut [u8], ticket: OpTicket) -> BoxFuture<'a, Result<usize>>;

    /// Starts a direct read for the operation holding `ticket` (see [`DirectRead`]): takes the
    /// source's read slot until [`direct_end`](Self::direct_end), with the state checks of
    /// `read_some` (a read already pending, aborted, closed, not connected). `Ok(false)` when
    /// this source has no direct reads (TLS, in-memory): nothing is held; use `read_some`.
    fn direct_begin(&self, _ticket: OpTicket) -> Result<bool> {
        Ok(false)
    }

    /// One read of a direct read (only between a successful `direct_begin` and `direct_end`):
    /// with `cx`, a poll as `read_some`'s (Pending arms the wake-ups: the socket's, unless the
    /// poll is caller-driven, and an abort's); without, one attempt that never waits and arms
    /// nothing. `skip_syscall`: an attempt found nothing an instant ago — a caller-driven poll
    /// then only arms the abort wake-up. `buf` is never empty.
    fn direct_read(
        &self,
        _ticket: OpTicket,
        _buf: &mut [u8],
        _cx: Option<&mut std::task::Context<'_>>,
        _skip_syscall: bool,
    ) -> std::task::Poll<Result<usize>> {
        std::task::Poll::Ready(Err(Error::illegal_method_call("this stream has no direct reads")))
    }

    /// Ends a direct read: gives the read slot back.
    fn direct_end(&self) {}

    /// Closes the source (IClosable.Close on the stream).
    fn close(&self);

    /// A counter that readers layered on this stream (DataReader) keep of the bytes they
    /// loaded and have not consumed. Sockets provide one so a STARTTLS upgrade can refuse to
    /// start while plaintext from before it is still waiting to be read (DESIGN §6).
    fn consumer_ledger(&self) -> Option<Arc<std::sync::atomic::AtomicUsize>> {
        None
    }

    /// An fd that becomes readable when a read can make progress, for callers that block on
    /// their own thread (the C ABI's `netrt_async_wait`) instead of waiting for a runtime
    /// wake-up. None when there is no such fd (in-memory streams). Under TLS it is the
    /// socket's: readable means a read may make progress, not that plaintext is there (the
    /// read polls again and waits again). Valid only while the stream is open; poll it, never
    /// read from it.
    fn readiness_fd(&self) -> Option<std::os::fd::RawFd> {
        None
    }
}

/// What an output stream writes to.
pub trait ByteSink: Send + Sync + 'static {
    /// A ticket for a write operation starting now (see [`OpTicket`]).
    fn ticket(&self) -> OpTicket {
        OpTicket::default()
    }

    /// Writes all of `data` (for datagram sinks: as one datagram); returns bytes written.
    fn write_all<'a>(&'a self, data: &'a [u8], ticket: OpTicket) -> BoxFuture<'a, Result<u32>>;

    /// Writes a prefix of `data` — at least one byte, as much as can go without waiting once
    /// something can — and returns its length (0 for empty `data`, after the same state checks
    /// as any write). Datagram sinks write all of it as one datagram.
    fn write_some<'a>(&'a self, data: &'a [u8], ticket: OpTicket) -> BoxFuture<'a, Result<usize>> {
        Box::pin(async move { Ok(self.write_all(data, ticket).await? as usize) })
    }

    /// One attempt of [`write_some`](Self::write_some) that never waits and needs no future:
    /// `Some(Poll::Pending)` when the kernel takes nothing now, `None` when this sink has no
    /// such attempt (then use `write_some`). Same state checks and errors as `write_some`.
    fn try_write_now(&self, _data: &[u8], _ticket: OpTicket) -> Option<std::task::Poll<Result<usize>>> {
        None
    }

    /// An fd that becomes writable when a write can make progress (see
    /// [`ByteSource::readiness_fd`]); None when there is none.
    fn readiness_fd(&self) -> Option<std::os::fd::RawFd> {
        None
    }

    /// Flushes buffered data; `true` when done.
    fn flush(&self) -> BoxFuture<'_, Result<bool>>;

    /// Closes the sink.
    fn close(&self);
}

/// `IInputStream`.
#[derive(Clone)]
pub struct InputStream {
    source: Arc<dyn ByteSource>,
}

/// Upper bound on what one read allocates up front, whatever `count` the caller asks for:
/// a caller (or peer) supplied size must never drive a large allocation blindly.
pub const MAX_READ_CHUNK: usize = 64 * 1024;

impl InputStream {
    /// Wraps a source.
    pub fn new(source: Arc<dyn ByteSource>) -> Self {
        Self { source }
    }

    /// `ReadAsync(buffer, count, options)`: appends what was read to a fresh buffer.
    ///
    /// With [`InputStreamOptions::None`] it completes once `count` bytes arrived or the stream
    /// ended; otherwise as soon as at least one byte is there. An empty result means the peer
    /// closed the stream.
    pub async fn read(&self, count: u32, options: InputStreamOptions) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.read_into(&mut out, count, options).await?;
        Ok(out)
    }

    /// Like [`InputStream::read`], appending to `out`; returns the number of bytes appended.
    pub async fn read_into(
        &self,
        out: &mut Vec<u8>,
        count: u32,
        options: InputStreamOptions,
    ) -> Result<usize> {
        self.read_into_with(self.ticket(), out, count, options).await
    }

    /// [`InputStream::read_into`] as part of the operation holding `ticket`.
    pub async fn read_into_with(
        &self,
        ticket: OpTicket,
        out: &mut Vec<u8>,
        count: u32,
        options: InputStreamOptions,
    ) -> Result<usize> {
        let count = count as usize;
        let start = out.len();
        while out.len() - start < count {
            let want = (count - (out.len() - start)).min(MAX_READ_CHUNK);
            let filled = out.len();
            out.resize(filled + want, 0);
            let n = match self.source.read_some(&mut out[filled..], ticket).await {
                Ok(n) => n,
                Err(e) => {
                    out.truncate(filled);
                    return Err(e);
                }
            };
            out.truncate(filled + n);
            if options.read_is_over(n, out.len() - start, count) {
                break;
            }
        }
        Ok(out.len() - start)
    }

    /// One read of at most `buf.len()` bytes into caller memory (waits for ≥ 1 byte).
    pub async fn read_some(&self, buf: &mut [u8]) -> Result<usize> {
        self.read_some_with(self.ticket(), buf).await
    }

    /// [`InputStream::read_some`] as part of the operation holding `ticket`.
    pub async fn read_some_with(&self, ticket: OpTicket, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.source.read_some(buf, ticket).await
    }

    /// `ReadAsync` into caller memory for the operation holding `ticket`: reads into `buf` until
    /// `options` says the read is over (see [`InputStreamOptions::read_is_over`]); returns the
    /// number of bytes read (0: the stream ended).
    pub async fn read_into_slice_with(
        &self,
        ticket: OpTicket,
        buf: &mut [u8],
        options: InputStreamOptions,
    ) -> Result<usize> {
        let mut filled = 0;
        while filled < buf.len() {
            let n = self.read_some_with(ticket, &mut buf[filled..]).await?;
            filled += n;
            if options.read_is_over(n, filled, buf.len()) {
                break;
            }
        }
        Ok(filled)
    }

    /// A direct read for the operation holding `ticket` — `None` when this stream has none
    /// (TLS, in-memory: use [`read_some_with`](Self::read_some_with)), an error when a read
    /// cannot start now (another read pending, aborted, closed, not connected).
    pub fn direct_read(&self, ticket: OpTicket) -> Result<Option<DirectRead>> {
        Ok(self.source.direct_begin(ticket)?.then(|| DirectRead { source: self.source.clone(), ticket }))
    }

    /// A ticket for a read operation starting now: pass it to every read the operation makes.
    pub fn ticket(&self) -> OpTicket {
        self.source.ticket()
    }

    /// Closes the stream (and, for a socket's stream, the socket — as WinRT).
    pub fn close(&self) {
        self.source.close();
    }

    /// See [`ByteSource::readiness_fd`].
    pub fn readiness_fd(&self) -> Option<std::os::fd::RawFd> {
        self.source.readiness_fd()
    }

    /// See [`ByteSource::consumer_ledger`].
    pub fn consumer_ledger(&self) -> Option<Arc<std::sync::atomic::AtomicUsize>> {
        self.source.consumer_ledger()
    }

    /// Whether two streams share the same source.
    pub fn ptr_eq(&self, other: &InputStream) -> bool {
        Arc::ptr_eq(&self.source, &other.source)
    }
}

/// One read operation on a plain socket, driven without a future of the source's own: it holds
/// the socket's read slot from [`InputStream::direct_read`] until dropped, and reads straight
/// into the caller's memory — one attempt at a time ([`try_read`](Self::try_read)) or as a poll
/// ([`poll_read`](Self::poll_read)) from the caller's own future, on any thread or a runtime.
/// Aborts (Close, CancelIOAsync) wake the waker of the last poll. One syscall per attempt, no
/// allocation: the C ABI's ReadAsync runs on this.
pub struct DirectRead {
    source: Arc<dyn ByteSource>,
    ticket: OpTicket,
}

impl DirectRead {
    /// One attempt that never waits and arms nothing: `Pending` when nothing is there now.
    /// `buf` must not be empty.
    pub fn try_read(&self, buf: &mut [u8]) -> std::task::Poll<Result<usize>> {
        self.source.direct_read(self.ticket, buf, None, false)
    }

    /// A poll of the read (≥ 1 byte, or 0 at end of stream): Pending arms the wake-ups (see
    /// `io::caller_driven` for polls from a blocking caller). `after_attempt`: a
    /// [`try_read`](Self::try_read) found nothing an instant ago. `buf` must not be empty.
    pub fn poll_read(
        &self,
        cx: &mut std::task::Context<'_>,
        buf: &mut [u8],
        after_attempt: bool,
    ) -> std::task::Poll<Result<usize>> {
        self.source.direct_read(self.ticket, buf, Some(cx), after_attempt)
    }

    /// See [`ByteSource::readiness_fd`].
    pub fn readiness_fd(&self) -> Option<std::os::fd::RawFd> {
        self.source.readiness_fd()
    }
}

impl Drop for DirectRead {
    fn drop(&mut self) {
        self.source.direct_end();
    }
}

impl std::fmt::Debug for DirectRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DirectRead")
    }
}

impl std::fmt::Debug for InputStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InputStream")
    }
}

/// `IOutputStream`.
#[derive(Clone)]
pub struct OutputStream {
    sink: Arc<dyn ByteSink>,
}

impl OutputStream {
    /// Wraps a sink.
    pub fn new(sink: Arc<dyn ByteSink>) -> Self {
        Self { sink }
    }

    /// `WriteAsync(buffer)`: writes all bytes; returns how many were written.
    pub async fn write(&self, data: &[u8]) -> Result<u32> {
        self.write_with(self.ticket(), data).await
    }

    /// [`OutputStream::write`] as part of the operation holding `ticket`.
    pub async fn write_with(&self, ticket: OpTicket, data: &[u8]) -> Result<u32> {
        if u32::try_from(data.len()).is_err() {
            return Err(Error::invalid_arg("a single write is limited to 4 GiB - 1 bytes"));
        }
        self.sink.write_all(data, ticket).await
    }

    /// One write of a prefix of `data` (see [`ByteSink::write_some`]) for the operation holding
    /// `ticket`; 0 only for empty `data`.
    pub async fn write_some_with(&self, ticket: OpTicket, data: &[u8]) -> Result<usize> {
        self.sink.write_some(data, ticket).await
    }

    /// See [`ByteSink::try_write_now`]: one write attempt on the calling thread, never waiting.
    pub fn try_write_now(&self, ticket: OpTicket, data: &[u8]) -> Option<std::task::Poll<Result<usize>>> {
        self.sink.try_write_now(data, ticket)
    }

    /// Writes what the kernel takes of `data` right now, on this thread, never waiting, for the
    /// operation holding `ticket`: how many bytes went, or `None` when this sink has no direct
    /// attempts (TLS, datagrams: use [`write_with`](Self::write_with)). At least one attempt
    /// is made, so an empty write checks the state too. Each attempt holds the write slot only
    /// while it runs: a second writer racing this one between attempts breaks the contract (one
    /// pending write) and sees `E_ILLEGAL_METHOD_CALL` on one side or the other.
    pub fn write_now(&self, ticket: OpTicket, data: &[u8]) -> Option<Result<usize>> {
        let mut sent = 0;
        loop {
            match self.try_write_now(ticket, &data[sent..]) {
                Some(std::task::Poll::Ready(Ok(n))) => sent += n,
                Some(std::task::Poll::Ready(Err(e))) => return Some(Err(e)),
                None if sent == 0 => return None,
                // Nothing more now — or no direct attempt any more (the socket became TLS
                // since the first one): the caller writes the rest.
                Some(std::task::Poll::Pending) | None => return Some(Ok(sent)),
            }
            if sent == data.len() {
                return Some(Ok(sent));
            }
        }
    }

    /// A ticket for a write operation starting now: pass it to every write the operation makes.
    pub fn ticket(&self) -> OpTicket {
        self.sink.ticket()
    }

    /// See [`ByteSink::readiness_fd`]: poll it for writability.
    pub fn readiness_fd(&self) -> Option<std::os::fd::RawFd> {
        self.sink.readiness_fd()
    }

    /// `FlushAsync()`.
    pub async fn flush(&self) -> Result<bool> {
        self.sink.flush().await
    }

    /// Closes the stream.
    pub fn close(&self) {
        self.sink.close();
    }

    /// Whether two streams share the same sink.
    pub fn ptr_eq(&self, other: &OutputStream) -> bool {
        Arc::ptr_eq(&self.sink, &other.sink)
    }
}

impl std::fmt::Debug for OutputStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OutputStream")
    }
}
