//! The byte transport under a connected StreamSocket (plain TCP; TLS arrives with the TLS work).

use std::io;
use std::net::SocketAddr;
use std::sync::Mutex;

use tokio::net::TcpStream;

use crate::net::tcp_info::StatsTracker;

/// A connected transport plus what Information reports about it.
pub(crate) struct Connection {
    pub tcp: TcpStream,
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub stats: Mutex<StatsTracker>,
}

impl Connection {
    pub(crate) fn new(tcp: TcpStream) -> io::Result<Self> {
        let local = tcp.local_addr()?;
        let remote = tcp.peer_addr()?;
        let mut stats = StatsTracker::default();
        stats.prime(&tcp);
        Ok(Self { tcp, local, remote, stats: Mutex::new(stats) })
    }

    /// Reads what is available (≥ 1 byte, or 0 at end of stream).
    pub(crate) async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            // try_read first: when data is already there this costs one syscall and no wait.
            match self.tcp.try_read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
            self.tcp.readable().await?;
        }
    }

    /// Writes all of `data`.
    pub(crate) async fn write_all(&self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            match self.tcp.try_write(data) {
                Ok(n) => data = &data[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.tcp.writable().await?,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Shuts both directions down so the peer sees the close at once, even while other
    /// references to the connection (aborted operations) are still being dropped.
    pub(crate) fn shutdown(&self) {
        let _ = socket2::SockRef::from(&self.tcp).shutdown(std::net::Shutdown::Both);
    }
}
