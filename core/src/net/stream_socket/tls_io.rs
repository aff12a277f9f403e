//! TLS over netrt's TCP transport after the handshake: one rustls connection behind a mutex
//! held only for the synchronous rustls calls, so one read and one write can be pending at once
//! without splitting the stream into halves with two async locks.
//!
//! Reads and writes talk to the socket with non-blocking syscalls and wait for readiness
//! through [`PlainIo`] — on the reactor when polled by the runtime, on the caller's own thread
//! when a C caller drives the operation (see `io::caller_driven`).

use std::io::{self, Read, Write};
use std::os::fd::RawFd;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, ready};

use super::transport::{PlainIo, recv_now, send_now};
use crate::tls::client::TlsSessionInfo;

/// A TLS connection whose handshake is done.
pub(crate) struct TlsIo {
    tcp: PlainIo,
    conn: Mutex<rustls::Connection>,
    pub session: TlsSessionInfo,
}

impl TlsIo {
    /// Takes over the connection a handshake produced. The socket leaves the reactor: the
    /// handshake ran on the runtime, but reads and writes may be driven from a caller's thread,
    /// and a registration would make every received record wake a runtime thread too.
    pub(crate) fn new(mut tcp: PlainIo, conn: rustls::Connection, session: TlsSessionInfo) -> Self {
        tcp.leave_reactor();
        Self { tcp, conn: Mutex::new(conn), session }
    }

    fn lock(&self) -> MutexGuard<'_, rustls::Connection> {
        // Never held across a wait or a callback; a panic inside rustls leaves it usable.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Decrypted bytes into `buf` (≥ 1, or 0 once the peer sent close_notify); a TCP end
    /// without close_notify is `UnexpectedEof`, a bad record `InvalidData` carrying rustls'
    /// error (its alert is sent first).
    pub(crate) fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        loop {
            {
                let mut conn = self.lock();
                match conn.reader().read(buf) {
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    done => return Poll::Ready(done),
                }
                match self.receive(&mut conn)? {
                    Received::Records => continue,
                    // rustls now answers Ok(0) (after close_notify) or UnexpectedEof.
                    Received::End => {
                        return Poll::Ready(match conn.reader().read(buf) {
                            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                                Err(io::ErrorKind::UnexpectedEof.into())
                            }
                            done => done,
                        });
                    }
                    Received::Nothing => {}
                }
            }
            ready!(self.tcp.poll_read_wait(cx))?;
        }
    }

    /// Ready once a read would return at once (plaintext, the end of the stream or an
    /// error is there), without taking any plaintext: a read waits here before it allocates
    /// its buffer. TLS bytes that arrive meanwhile are decrypted into rustls' own buffer.
    pub(crate) fn poll_readable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            {
                let mut conn = self.lock();
                match conn.process_new_packets() {
                    Ok(state) if state.plaintext_bytes_to_read() > 0 || state.peer_has_closed() => {
                        return Poll::Ready(Ok(()));
                    }
                    Ok(_) => {}
                    // The read reports it.
                    Err(_) => return Poll::Ready(Ok(())),
                }
                match self.receive(&mut conn) {
                    Ok(Received::Records) => continue,
                    Ok(Received::Nothing) => {}
                    Ok(Received::End) | Err(_) => return Poll::Ready(Ok(())),
                }
            }
            ready!(self.tcp.poll_read_wait(cx))?;
        }
    }

    /// One `read_tls` from the socket and the processing of what came.
    fn receive(&self, conn: &mut rustls::Connection) -> io::Result<Received> {
        let received = match conn.read_tls(&mut Socket(self.tcp.fd())) {
            Ok(0) => Received::End,
            Ok(_) => Received::Records,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Received::Nothing),
            Err(e) => return Err(e),
        };
        if let Err(e) = conn.process_new_packets() {
            // The alert rustls queued tells the peer why; best effort, the error is what counts.
            let _ = self.send_queued(conn);
            return Err(io::Error::new(io::ErrorKind::InvalidData, e));
        }
        // Records this end must answer at once (a TLS 1.3 KeyUpdate) leave as far as the socket
        // takes them; the rest goes with the next write or flush.
        let _ = self.send_queued(conn);
        Ok(received)
    }

    /// Sends queued TLS records until none is left (`Ok(true)`) or the socket is full (`Ok(false)`).
    fn send_queued(&self, conn: &mut rustls::Connection) -> io::Result<bool> {
        while conn.wants_write() {
            match conn.write_tls(&mut Socket(self.tcp.fd())) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Ready once every queued record is in the kernel.
    fn poll_flush(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            if self.send_queued(&mut self.lock())? {
                return Poll::Ready(Ok(()));
            }
            ready!(self.tcp.poll_write_wait(cx))?;
        }
    }

    /// Encrypts and sends all of `data`, flushed to the kernel.
    pub(crate) async fn write_all(&self, data: &[u8]) -> io::Result<usize> {
        let mut sent = 0;
        while sent < data.len() {
            std::future::poll_fn(|cx| self.poll_flush(cx)).await?;
            // Takes up to rustls' buffer limit; the flush above left room for it.
            sent += self.lock().writer().write(&data[sent..])?;
        }
        std::future::poll_fn(|cx| self.poll_flush(cx)).await?;
        Ok(data.len())
    }

    /// Queues close_notify and sends what the socket takes now: true when nothing is left to
    /// send (sent, or the socket failed), false when [`Self::flush_close_notify`] must finish.
    pub(crate) fn close_notify_now(&self) -> bool {
        let mut conn = self.lock();
        conn.send_close_notify();
        self.send_queued(&mut conn).unwrap_or(true)
    }

    /// Sends what [`Self::close_notify_now`] left queued.
    pub(crate) async fn flush_close_notify(&self) -> io::Result<()> {
        std::future::poll_fn(|cx| self.poll_flush(cx)).await
    }
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

/// The socket as rustls reads and writes it: one non-blocking syscall per call.
struct Socket(RawFd);

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        recv_now(self.0, buf)
    }
}

impl Write for Socket {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        send_now(self.0, data)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
