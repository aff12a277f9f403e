//! The byte transport under a connected StreamSocket: plain TCP, or TLS over it.

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::sync::Mutex;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::net::TcpStream;

use crate::net::tcp_info::StatsTracker;
use crate::tls::client::TlsSessionInfo;

/// How long Close waits to deliver a TLS close_notify before giving up (never on the caller).
const CLOSE_NOTIFY_LIMIT: Duration = Duration::from_secs(2);

type TlsStream = tokio_rustls::TlsStream<TcpStream>;

/// TLS over TCP, split so one read and one write can be pending at once.
pub(crate) struct TlsIo {
    read: tokio::sync::Mutex<ReadHalf<TlsStream>>,
    write: tokio::sync::Mutex<WriteHalf<TlsStream>>,
    pub session: TlsSessionInfo,
}

pub(crate) enum Io {
    Plain(TcpStream),
    Tls(TlsIo),
}

/// A connected transport plus what Information reports about it.
pub(crate) struct Connection {
    pub io: Io,
    fd: RawFd,
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub stats: Mutex<StatsTracker>,
}

impl Connection {
    pub(crate) fn plain(tcp: TcpStream) -> io::Result<Self> {
        let (local, remote, fd) = (tcp.local_addr()?, tcp.peer_addr()?, tcp.as_raw_fd());
        Ok(Self::build(Io::Plain(tcp), fd, local, remote))
    }

    pub(crate) fn tls(stream: TlsStream, session: TlsSessionInfo) -> io::Result<Self> {
        let tcp = stream.get_ref().0;
        let (local, remote, fd) = (tcp.local_addr()?, tcp.peer_addr()?, tcp.as_raw_fd());
        let (r, w) = tokio::io::split(stream);
        let io = Io::Tls(TlsIo { read: r.into(), write: w.into(), session });
        Ok(Self::build(io, fd, local, remote))
    }

    fn build(io: Io, fd: RawFd, local: SocketAddr, remote: SocketAddr) -> Self {
        let mut stats = StatsTracker::default();
        // SAFETY: fd belongs to the TcpStream inside `io`, alive for this call.
        stats.prime(&unsafe { BorrowedFd::borrow_raw(fd) });
        Self { io, fd, local, remote, stats: Mutex::new(stats) }
    }

    /// The socket's fd, valid while the connection lives.
    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        // SAFETY: the fd is owned by the TcpStream in `self.io`, which lives as long as self.
        unsafe { BorrowedFd::borrow_raw(self.fd) }
    }

    /// The fd to poll for readability when this is a plain connection (None under TLS, where
    /// a readable socket does not mean readable plaintext).
    pub(crate) fn plain_read_fd(&self) -> Option<RawFd> {
        matches!(self.io, Io::Plain(_)).then_some(self.fd)
    }

    pub(crate) fn tls_io(&self) -> Option<&TlsIo> {
        match &self.io {
            Io::Tls(t) => Some(t),
            Io::Plain(_) => None,
        }
    }

    /// Reads what is available (≥ 1 byte, or 0 at end of stream).
    pub(crate) async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match &self.io {
            Io::Plain(tcp) => {
                // The syscall first, whatever tokio's cached readiness says: data that is
                // already there is read on the caller's thread with no wake-up at all (a C
                // caller that polled the fd itself relies on this).
                match recv_now(self.fd, buf) {
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    done => return done,
                }
                loop {
                    tcp.readable().await?;
                    // try_read also clears tokio's readiness when it turns out to be stale.
                    match tcp.try_read(buf) {
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                        done => return done,
                    }
                }
            }
            Io::Tls(tls) => tls.read.lock().await.read(buf).await,
        }
    }

    /// Writes all of `data`.
    pub(crate) async fn write_all(&self, mut data: &[u8]) -> io::Result<()> {
        match &self.io {
            Io::Plain(tcp) => {
                while !data.is_empty() {
                    match tcp.try_write(data) {
                        Ok(n) => data = &data[n..],
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => tcp.writable().await?,
                        Err(e) => return Err(e),
                    }
                }
                Ok(())
            }
            Io::Tls(tls) => {
                let mut w = tls.write.lock().await;
                w.write_all(data).await?;
                w.flush().await
            }
        }
    }

    /// Maps a read/write failure; on TLS connections, rustls errors and truncation included.
    pub(crate) fn map_io_error(&self, err: &io::Error, op: &str) -> crate::error::Error {
        let what = format!("{op} {} {}", if op == "read" { "from" } else { "to" }, self.remote);
        match &self.io {
            Io::Plain(_) => crate::error::Error::from_io(err, what),
            Io::Tls(_) => crate::tls::client::map_tls_io_error(err, None, &what),
        }
    }

    /// Plaintext bytes already received by the kernel and not yet read (FIONREAD).
    pub(crate) fn kernel_unread_bytes(&self) -> usize {
        let mut n: libc::c_int = 0;
        // SAFETY: FIONREAD writes one c_int.
        let rc = unsafe { libc::ioctl(self.fd, libc::FIONREAD, &mut n) };
        if rc == 0 { n.max(0) as usize } else { 0 }
    }

    /// Closes the connection so the peer sees it at once: for TLS, a bounded attempt to send
    /// close_notify runs on the runtime (never on the caller), then both directions shut down.
    pub(crate) fn shutdown(self: std::sync::Arc<Self>) {
        match &self.io {
            Io::Plain(tcp) => {
                let _ = socket2::SockRef::from(tcp).shutdown(std::net::Shutdown::Both);
            }
            Io::Tls(_) => {
                crate::runtime::handle().spawn(async move {
                    if let Io::Tls(tls) = &self.io {
                        let _ = tokio::time::timeout(CLOSE_NOTIFY_LIMIT, async {
                            let mut w = tls.write.lock().await;
                            w.shutdown().await
                        })
                        .await;
                    }
                    let _ = socket2::SockRef::from(&self.fd()).shutdown(std::net::Shutdown::Both);
                });
            }
        }
    }
}

/// One non-blocking `recv` on `fd`.
fn recv_now(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: buf is valid for writes of buf.len() bytes; MSG_DONTWAIT never blocks.
    let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), libc::MSG_DONTWAIT) };
    if n < 0 { Err(io::Error::last_os_error()) } else { Ok(n as usize) }
}

/// A second tokio registration of the same TCP connection (dup'd fd), so a plain connection
/// can be handed to a TLS handshake while the `Connection` that owns the original is dropped.
pub(crate) fn duplicate_tcp(conn: &Connection) -> io::Result<TcpStream> {
    let owned = conn.fd().try_clone_to_owned()?;
    let std_stream = std::net::TcpStream::from(owned);
    std_stream.set_nonblocking(true)?;
    crate::runtime::within(|| TcpStream::from_std(std_stream))
}
