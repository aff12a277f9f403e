//! What a `ControlChannelTrigger` asks of the socket it watches (core/src/broker/control_channel.rs):
//! whether bytes wait for the app while no read is pending, found by polling the descriptor
//! (readiness only: nothing is consumed), and the TCP keep-alive matching its interval.

use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::StreamSocket;
use crate::error::{Error, Result};

/// What one look at the socket found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChannelProbe {
    /// Bytes (or the peer's end) wait and no read is pending: the app would see them now.
    Unclaimed,
    /// Nothing waits for the app.
    Quiet,
    /// Bytes wait and the app's own read is pending: it takes them.
    Claimed,
    /// The socket is closed or not connected.
    Gone,
}

impl StreamSocket {
    /// Waits at most `wait` (or until `wake` is readable) for readiness, then says whether the
    /// app has unclaimed bytes.
    pub(crate) fn probe_channel(&self, wait: Duration, wake: std::os::fd::RawFd) -> ChannelProbe {
        let inner = &self.inner;
        if inner.unread.any() && !inner.read_busy.load(Ordering::SeqCst) {
            return ChannelProbe::Unclaimed;
        }
        let Ok(conn) = inner.connection("ControlChannelTrigger") else { return ChannelProbe::Gone };
        let mut fds = [
            libc::pollfd { fd: conn.fd().as_raw_fd(), events: libc::POLLIN | libc::POLLRDHUP, revents: 0 },
            libc::pollfd { fd: wake, events: libc::POLLIN, revents: 0 },
        ];
        let ms = libc::c_int::try_from(wait.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: two valid pollfds; the connection (and so its fd) lives until `conn` drops.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, ms) };
        if n <= 0 || fds[0].revents == 0 {
            return ChannelProbe::Quiet;
        }
        if fds[0].revents & libc::POLLNVAL != 0 {
            return ChannelProbe::Gone;
        }
        if inner.read_busy.load(Ordering::SeqCst) { ChannelProbe::Claimed } else { ChannelProbe::Unclaimed }
    }

    /// Whether the socket is closed or not connected (a WebSocket transport's watcher, which
    /// does not probe, ends then).
    pub(crate) fn channel_gone(&self) -> bool {
        self.inner.connection("ControlChannelTrigger").is_err()
    }

    /// Turns TCP keep-alive on with probes after `idle` of silence (the channel's interval).
    pub(crate) fn set_channel_keep_alive(&self, idle: Duration) -> Result<()> {
        let conn = self.inner.connection("ControlChannelTrigger.UsingTransport")?;
        let fd = conn.fd();
        let sock = socket2::SockRef::from(&fd);
        let keep_alive = socket2::TcpKeepalive::new().with_time(idle.max(Duration::from_secs(1)));
        sock.set_tcp_keepalive(&keep_alive)
            .map_err(|e| Error::from_io(&e, "ControlChannelTrigger: set TCP keep-alive on the transport"))
    }
}
