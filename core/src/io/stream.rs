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
use crate::foundation::async_op::CancelToken;

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
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpTicket(pub(crate) u64);

/// What an input stream reads from.
pub trait ByteSource: Send + Sync + 'static {
    #[doc(hidden)]
    /// A ticket for a read operation starting now (see [`OpTicket`]).
    fn ticket(&self) -> OpTicket {
        OpTicket::default()
    }

    /// Reads into `buf` for the operation holding `ticket`, waiting until at least one byte is
    /// available; `Ok(0)` means the stream ended (the peer closed). `buf` is never empty.
    fn read_some<'a>(&'a self, buf: &'a mut [u8], ticket: OpTicket) -> BoxFuture<'a, Result<usize>>;

    #[doc(hidden)]
    /// Appends one read of at most `want` (> 0) bytes to `out` for the operation holding
    /// `ticket` (as [`read_some`](Self::read_some)); returns how many. Sources that can wait
    /// for data before allocating (sockets) override it, so a pending read on an idle
    /// connection holds no buffer.
    #[doc(hidden)]
    fn read_some_vec<'a>(
        &'a self,
        out: &'a mut Vec<u8>,
        want: usize,
        ticket: OpTicket,
    ) -> BoxFuture<'a, Result<usize>> {
        Box::pin(async move {
            let filled = out.len();
            out.resize(filled + want, 0);
            let result = self.read_some(&mut out[filled..], ticket).await;
            out.truncate(filled + *result.as_ref().unwrap_or(&0));
            result
        })
    }

    /// Starts a direct read for the operation holding `ticket` (see [`DirectRead`](crate::io::caller_driven::DirectRead)): takes the
    /// source's read slot until [`direct_end`](Self::direct_end), with the state checks of
    /// `read_some` (a read already pending, aborted, closed, not connected). `Ok(false)` when
    /// this source has no direct reads (TLS, in-memory): nothing is held; use `read_some`.
    fn direct_begin(&self, _ticket: OpTicket) -> Result<bool> {
        Ok(false)
    }

    #[doc(hidden)]
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

    #[doc(hidden)]
    /// What a caller-driven poll of a direct read with `skip_syscall` does, without the poll:
    /// registers `waker` for an abort, then says whether the read may stay Pending — not
    /// aborted, no bytes given back. False (the default): poll it instead.
    fn direct_arm(&self, _ticket: OpTicket, _waker: &std::task::Waker) -> bool {
        false
    }

    #[doc(hidden)]
    /// Ends a direct read: gives the read slot back.
    fn direct_end(&self) {}

    /// Closes the source (IClosable.Close on the stream).
    fn close(&self);

    /// Gives bytes back: the next reads return them before anything else. Used when a read
    /// that had taken them was cancelled and nobody will see its result. Sources that cannot
    /// take bytes back refuse with `E_NOTIMPL`.
    #[doc(hidden)]
    fn unread(&self, _bytes: Vec<u8>) -> Result<()> {
        Err(Error::new(crate::error::hresult::E_NOTIMPL, "this stream cannot take bytes back"))
    }

    #[doc(hidden)]
    /// A counter that readers layered on this stream (DataReader) keep of the bytes they
    /// loaded and have not consumed. Sockets provide one so a STARTTLS upgrade can refuse to
    /// start while plaintext from before it is still waiting to be read (docs/tls.md).
    fn consumer_ledger(&self) -> Option<Arc<std::sync::atomic::AtomicUsize>> {
        None
    }

    #[doc(hidden)]
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
    #[doc(hidden)]
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

    #[doc(hidden)]
    /// Starts a direct write for the operation holding `ticket` (see
    /// [`DirectWrite`](crate::io::caller_driven::DirectWrite)): takes the sink's write slot until
    /// [`direct_write_end`](Self::direct_write_end), with the state checks of `write_some` (a
    /// write already pending, aborted, closed, not connected). `Ok(false)` when this sink has
    /// no direct writes (TLS, datagrams): nothing is held; use `write_all`.
    fn direct_write_begin(&self, _ticket: OpTicket) -> Result<bool> {
        Ok(false)
    }

    #[doc(hidden)]
    /// One `send` of a direct write (only between a successful `direct_write_begin` and
    /// `direct_write_end`), of a prefix of `data`: with `cx`, a poll (Pending arms the
    /// wake-ups: the socket's, unless the poll is caller-driven, and an abort's); without, one
    /// attempt that never waits and arms nothing. `skip_syscall`: the kernel refused more an
    /// instant ago — a caller-driven poll then only arms the abort wake-up. Empty `data`
    /// checks the state and writes nothing.
    fn direct_write(
        &self,
        _ticket: OpTicket,
        _data: &[u8],
        _cx: Option<&mut std::task::Context<'_>>,
        _skip_syscall: bool,
    ) -> std::task::Poll<Result<usize>> {
        std::task::Poll::Ready(Err(Error::illegal_method_call("this stream has no direct writes")))
    }

    #[doc(hidden)]
    /// Ends a direct write: gives the write slot back.
    fn direct_write_end(&self) {}

    #[doc(hidden)]
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
    pub(super) source: Arc<dyn ByteSource>,
}

/// Runs one read unless `cancel` is (or becomes) set first: `Ok(None)` when asked to stop. A
/// read that completes is never thrown away (the read is polled before the signal).
pub(crate) async fn read_or_stop<F>(read: F, cancel: Option<&CancelToken>) -> Result<Option<usize>>
where
    F: std::future::Future<Output = Result<usize>>,
{
    let Some(cancel) = cancel else { return read.await.map(Some) };
    if cancel.is_set() {
        return Ok(None);
    }
    tokio::select! {
        biased;
        n = read => n.map(Some),
        _ = cancel.wait() => Ok(None),
    }
}

/// The outcome of a read stopped by its cancel signal having read `filled` bytes.
pub(crate) fn stop_with(filled: usize) -> Result<usize> {
    if filled > 0 { Ok(filled) } else { Err(CancelToken::cancelled()) }
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

    /// [`InputStream::read`] for an operation started with
    /// [`AsyncOperation::start_cancellable`](crate::foundation::AsyncOperation::start_cancellable):
    /// when `cancel` is set it stops, returning what it has read (an error of status Canceled
    /// when nothing), so cancelling it never loses bytes.
    pub async fn read_cancellable(
        &self,
        count: u32,
        options: InputStreamOptions,
        cancel: &CancelToken,
    ) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.read_into_with(self.ticket(), &mut out, count, options, Some(cancel)).await?;
        Ok(out)
    }

    /// Like [`InputStream::read`], appending to `out`; returns the number of bytes appended.
    pub async fn read_into(
        &self,
        out: &mut Vec<u8>,
        count: u32,
        options: InputStreamOptions,
    ) -> Result<usize> {
        self.read_into_with(self.ticket(), out, count, options, None).await
    }

    /// [`InputStream::read_into`] as part of the operation holding `ticket`.
    pub(crate) async fn read_into_with(
        &self,
        ticket: OpTicket,
        out: &mut Vec<u8>,
        count: u32,
        options: InputStreamOptions,
        cancel: Option<&CancelToken>,
    ) -> Result<usize> {
        let count = count as usize;
        let start = out.len();
        while out.len() - start < count {
            let want = (count - (out.len() - start)).min(MAX_READ_CHUNK);
            let filled = out.len();
            let read = read_or_stop(self.source.read_some_vec(out, want, ticket), cancel);
            let n = match read.await {
                // Asked to stop: what was read so far is the result (none: cancelled).
                Ok(None) => {
                    out.truncate(filled);
                    return stop_with(out.len() - start);
                }
                Ok(Some(n)) => n,
                Err(e) => {
                    out.truncate(filled);
                    return Err(e);
                }
            };
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
    pub(crate) async fn read_some_with(&self, ticket: OpTicket, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.source.read_some(buf, ticket).await
    }

    /// Closes the stream (and, for a socket's stream, the socket — as WinRT).
    pub fn close(&self) {
        self.source.close();
    }

    /// See [`ByteSource::consumer_ledger`].
    pub(crate) fn consumer_ledger(&self) -> Option<Arc<std::sync::atomic::AtomicUsize>> {
        self.source.consumer_ledger()
    }

    /// Whether two streams share the same source.
    pub fn ptr_eq(&self, other: &InputStream) -> bool {
        Arc::ptr_eq(&self.source, &other.source)
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
    pub(super) sink: Arc<dyn ByteSink>,
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
