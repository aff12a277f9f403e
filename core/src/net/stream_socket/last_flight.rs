//! The client side of a TLS handshake, driven here rather than by tokio-rustls' `connect`,
//! which sends the client's last flight (TLS 1.3: its Finished) before it returns. Here the
//! last flight stays queued in rustls until the connection is built (the socket out of the
//! reactor, the `Connection` made): sent after that work rather than before it, the Finished
//! is followed at once by whatever the app sends next — a request, Close's close_notify — and
//! a peer reading the Finished finds the next record in the same `recv`, instead of waking a
//! second time for it. Every other step is tokio-rustls' (`common::Stream::handshake`).

use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use rustls::ClientConnection;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Runs `conn`'s handshake over `io` until rustls has nothing left to wait for: every flight
/// is sent except what the last step queued, which the caller sends.
pub(crate) async fn handshake_but_the_last_flight<IO: AsyncRead + AsyncWrite + Unpin>(
    io: &mut IO,
    conn: &mut ClientConnection,
) -> io::Result<()> {
    std::future::poll_fn(|cx| poll_handshake(io, conn, cx)).await
}

fn poll_handshake<IO: AsyncRead + AsyncWrite + Unpin>(
    io: &mut IO,
    conn: &mut ClientConnection,
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    loop {
        if !conn.is_handshaking() {
            return Poll::Ready(Ok(()));
        }
        while conn.wants_write() {
            match conn.write_tls(&mut Polled { io, cx }) {
                Ok(0) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Ok(_) => {}
                // Its waker is registered; the read below may still make progress.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        let read = match conn.read_tls(&mut Polled { io, cx }) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Poll::Pending,
            Err(e) => return Poll::Ready(Err(e)),
        };
        if let Err(e) = conn.process_new_packets() {
            // The alert rustls queued tells the peer why; best effort, the error is what counts.
            let _ = conn.write_tls(&mut Polled { io, cx });
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, e)));
        }
        if read == 0 && conn.is_handshaking() {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::UnexpectedEof, "tls handshake eof")));
        }
    }
}

/// `io` as the blocking reader and writer rustls takes, for one poll: `Pending` is
/// `WouldBlock` (the waker in `cx` is registered).
struct Polled<'a, 'b, IO> {
    io: &'a mut IO,
    cx: &'a mut Context<'b>,
}

impl<IO: AsyncRead + Unpin> Read for Polled<'_, '_, IO> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut filled = ReadBuf::new(buf);
        match Pin::new(&mut *self.io).poll_read(self.cx, &mut filled) {
            Poll::Ready(Ok(())) => Ok(filled.filled().len()),
            Poll::Ready(Err(e)) => Err(e),
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}

impl<IO: AsyncWrite + Unpin> Write for Polled<'_, '_, IO> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match Pin::new(&mut *self.io).poll_write(self.cx, data) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        match Pin::new(&mut *self.io).poll_write_vectored(self.cx, bufs) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match Pin::new(&mut *self.io).poll_flush(self.cx) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}
