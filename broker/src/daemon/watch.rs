//! Holding one socket: its fd is registered with tokio's reactor (epoll) for readability and
//! never read. The first readiness (or the keep-alive deadline) becomes an activation; after
//! that the socket is only kept until the app reclaims it. No thread per socket: each held
//! socket is a small task waiting on the reactor.

use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::sync::{mpsc, oneshot};

use crate::protocol::{Reason, SocketKind};

/// What a held socket's task reports to the broker.
pub(crate) struct Fired {
    pub id: String,
    pub generation: u64,
    pub reason: Reason,
}

/// The broker's handle on a held socket's task: asks for the fd back.
pub(crate) struct Watch {
    reclaim: oneshot::Sender<oneshot::Sender<OwnedFd>>,
}

impl Watch {
    /// Starts holding `fd`. `generation` tells a report from a socket since re-transferred
    /// under the same id apart from the current one.
    pub(crate) fn start(
        id: String,
        generation: u64,
        kind: SocketKind,
        fd: OwnedFd,
        keep_alive: Option<Duration>,
        fired: mpsc::UnboundedSender<Fired>,
    ) -> std::io::Result<Self> {
        // SAFETY: the AsyncFd owns the OwnedFd, so the fd stays open and the same file until
        // `into_inner` deregisters it and gives it back.
        let registered = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }?;
        let (reclaim, reclaim_rx) = oneshot::channel();
        tokio::spawn(hold(id, generation, kind, registered, keep_alive, fired, reclaim_rx));
        Ok(Self { reclaim })
    }

    /// The fd back, once the task has left the reactor; `None` if the task is gone.
    pub(crate) async fn reclaim(self) -> Option<OwnedFd> {
        let (tx, rx) = oneshot::channel();
        self.reclaim.send(tx).ok()?;
        rx.await.ok()
    }
}

async fn hold(
    id: String,
    generation: u64,
    kind: SocketKind,
    registered: AsyncFd<OwnedFd>,
    keep_alive: Option<Duration>,
    fired: mpsc::UnboundedSender<Fired>,
    mut reclaim: oneshot::Receiver<oneshot::Sender<OwnedFd>>,
) {
    // Boxed, and only when asked for: an idle socket without a keep-alive time should not
    // carry a timer in its task.
    let mut timer = keep_alive.map(|d| Box::pin(tokio::time::sleep(d)));
    let expired = async {
        match timer.as_mut() {
            Some(sleep) => sleep.await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(expired);
    let reason = loop {
        tokio::select! {
            ready = registered.readable() => {
                let Ok(mut guard) = ready else { break Reason::SocketClosed };
                match classify(kind, registered.get_ref()) {
                    Some(reason) => break reason,
                    // Readiness with nothing behind it (already consumed by a spurious wake).
                    None => guard.clear_ready(),
                }
            }
            () = &mut expired => break Reason::KeepAliveTimerExpired,
            asked = &mut reclaim => {
                if let Ok(reply) = asked {
                    let _ = reply.send(registered.into_inner());
                }
                return;
            }
        }
    };
    // Off the reactor before the fd can leave this task.
    let fd = registered.into_inner();
    let _ = fired.send(Fired { id, generation, reason });
    if let Ok(reply) = reclaim.await {
        let _ = reply.send(fd);
    }
}

/// Why a readable socket needs its app, without reading it: bytes queued (FIONREAD) are
/// activity; a stream socket that is readable with nothing queued has seen its peer close
/// (or reset).
fn classify(kind: SocketKind, fd: &OwnedFd) -> Option<Reason> {
    match kind {
        SocketKind::StreamSocketListener => Some(Reason::ConnectionAccepted),
        SocketKind::DatagramSocket => Some(Reason::SocketActivity),
        SocketKind::StreamSocket => {
            let mut queued: libc::c_int = 0;
            // SAFETY: FIONREAD writes one c_int; the fd is open for this call.
            let rc = unsafe { libc::ioctl(fd.as_raw_fd(), libc::FIONREAD, &mut queued) };
            if rc == 0 && queued > 0 {
                return Some(Reason::SocketActivity);
            }
            let mut pfd =
                libc::pollfd { fd: fd.as_raw_fd(), events: libc::POLLIN | libc::POLLRDHUP, revents: 0 };
            // SAFETY: one valid pollfd; a zero timeout never blocks.
            let n = unsafe { libc::poll(&mut pfd, 1, 0) };
            let hung_up = libc::POLLRDHUP | libc::POLLHUP | libc::POLLERR;
            (n > 0 && pfd.revents & hung_up != 0).then_some(Reason::SocketClosed)
        }
    }
}
