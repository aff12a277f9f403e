//! A [`StreamSocket`] as tokio `AsyncRead + AsyncWrite`, so hyper and tokio-tungstenite run over
//! netrt's own transport (protection levels, certificate rules and client certificates apply).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::Error;
use crate::io::stream::BoxFuture;
use crate::net::StreamSocket;

/// The most one read asks the socket for.
const READ_CHUNK: usize = 64 * 1024;

type ReadFuture = BoxFuture<'static, (Vec<u8>, crate::Result<usize>)>;
/// A write in progress: its buffer comes back with the outcome, to be reused.
type WriteFuture = BoxFuture<'static, (Vec<u8>, crate::Result<()>)>;

/// Reads and writes a connected [`StreamSocket`]. Errors travel as `io::Error`s wrapping the
/// netrt [`Error`], which [`netrt_error`] takes back out.
pub(crate) struct SocketIo {
    socket: StreamSocket,
    reading: Option<ReadFuture>,
    /// Bytes a read returned beyond what the caller's buffer took.
    spill: Vec<u8>,
    spill_at: usize,
    /// The read buffer, kept between reads: allocating and zeroing 64 KiB per read cost more
    /// than the copy out of it.
    read_buf: Vec<u8>,
    writing: Option<(usize, WriteFuture)>,
    /// The write buffer, kept between writes for the same reason.
    write_buf: Vec<u8>,
}

impl SocketIo {
    pub(crate) fn new(socket: StreamSocket) -> Self {
        Self {
            socket,
            reading: None,
            spill: Vec::new(),
            spill_at: 0,
            read_buf: Vec::new(),
            writing: None,
            write_buf: Vec::new(),
        }
    }

    /// Bytes read from the socket but not yet handed out (must be none at a TLS upgrade).
    pub(crate) fn has_unread(&self) -> bool {
        self.spill_at < self.spill.len()
    }

    /// Takes the bytes read from the socket but not yet handed out, for whoever reads the
    /// socket directly from now on.
    pub(crate) fn take_unread(&mut self) -> Vec<u8> {
        let rest = self.spill.split_off(self.spill_at);
        self.spill_at = 0;
        self.spill.clear();
        rest
    }
}

/// The netrt error inside an `io::Error` made here, or one that describes it.
pub(crate) fn netrt_error(e: &io::Error, what: &str) -> Error {
    match e.get_ref().and_then(|inner| inner.downcast_ref::<Error>()) {
        Some(inner) => inner.clone(),
        None => Error::from_io(e, what),
    }
}

fn to_io(e: Error) -> io::Error {
    io::Error::other(e)
}

impl AsyncRead for SocketIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.has_unread() {
            let n = buf.remaining().min(this.spill.len() - this.spill_at);
            buf.put_slice(&this.spill[this.spill_at..this.spill_at + n]);
            this.spill_at += n;
            return Poll::Ready(Ok(()));
        }
        let reading = this.reading.get_or_insert_with(|| {
            let socket = this.socket.clone();
            let mut chunk = std::mem::take(&mut this.read_buf);
            // Only bytes never allocated before are zeroed.
            chunk.resize(buf.remaining().clamp(1, READ_CHUNK), 0);
            Box::pin(async move {
                let outcome = socket.read_some(&mut chunk).await;
                (chunk, outcome)
            })
        });
        let (chunk, outcome) = ready!(reading.as_mut().poll(cx));
        this.reading = None;
        let n = match outcome {
            Ok(n) => n,
            Err(e) => {
                this.read_buf = chunk;
                return Poll::Ready(Err(to_io(e)));
            }
        };
        let take = n.min(buf.remaining());
        buf.put_slice(&chunk[..take]);
        if take < n {
            this.spill = chunk[take..n].to_vec();
            this.spill_at = 0;
        }
        this.read_buf = chunk;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for SocketIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        // A write that returned Pending is retried with the same bytes (tokio's contract), so
        // the stored future is the one to finish.
        let (len, writing) = this.writing.get_or_insert_with(|| {
            let socket = this.socket.clone();
            let mut owned = std::mem::take(&mut this.write_buf);
            owned.clear();
            owned.extend_from_slice(data);
            (
                owned.len(),
                Box::pin(async move {
                    let outcome = socket.write_all(&owned).await;
                    (owned, outcome)
                }),
            )
        });
        let (owned, outcome) = ready!(writing.as_mut().poll(cx));
        let len = *len;
        this.writing = None;
        // A large one is not kept: an idle connection stays small.
        if owned.capacity() <= READ_CHUNK {
            this.write_buf = owned;
        }
        Poll::Ready(outcome.map(|()| len).map_err(to_io))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Every write is on the wire (or in the kernel) once poll_write completes.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
