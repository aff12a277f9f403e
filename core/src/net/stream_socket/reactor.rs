//! A plain socket's link to the runtime's reactor: made when a poll on the runtime has to wait
//! for the socket, and given up again once nothing on the runtime waits for it and the reads
//! are driven from a caller's thread.
//!
//! Why it is given up: an edge-triggered registration reports every packet the socket receives.
//! When the reads are driven elsewhere (an event loop's level-triggered watch, a blocking
//! caller's poll(2)), each report only wakes a runtime thread for nothing — and on a small
//! machine that thread competes with the one the packet is for. A socket whose read once went
//! to the runtime (a parked read the lazy queue handed over because its event loop was held up
//! past the grace period) stayed registered for its whole life: in an asyncio loop running a
//! ping-pong, one runtime wake-up per round trip and ~25 % more time per round trip.

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

/// `ReactorLink::waits`: a runtime poll of a read is waiting in the registration.
const READ_WAIT: u8 = 1;
/// `ReactorLink::waits`: a runtime poll of a write is waiting in the registration.
const WRITE_WAIT: u8 = 2;

/// The socket's fd as the registration sees it (the socket owns it).
struct FdRef(RawFd);

impl AsRawFd for FdRef {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// See the module notes. The owner must drop it (or [`clear`](Self::clear) it) before its fd
/// closes.
#[derive(Default)]
pub(crate) struct ReactorLink {
    /// The registration, once a wait needed it. A failed one is not kept (the next wait tries
    /// again): an `Option` of one pointer keeps the link at 24 bytes, and with it a TLS
    /// connection's block in a malloc chunk 16 bytes smaller than a cached error would.
    registration: Mutex<Option<Arc<AsyncFd<FdRef>>>>,
    /// Whether `registration` holds one: the check a caller-driven read makes, without the lock.
    registered: AtomicBool,
    /// `READ_WAIT` | `WRITE_WAIT`: set under the lock before a runtime poll uses the
    /// registration, cleared when that poll found the socket ready or the read (write) ended —
    /// one read and one write at a time use a socket. A task dropped while it waited leaves its
    /// bit set until the next read (write) ends, and the registration stays until then.
    waits: AtomicU8,
}

impl ReactorLink {
    /// Waits (on the reactor) until the socket may have become readable.
    pub(crate) fn poll_read_wait(&self, fd: RawFd, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_wait(fd, READ_WAIT, |reg| reg.poll_read_ready(cx).map_ok(|mut ready| ready.clear_ready()))
    }

    /// Waits (on the reactor) until the socket may have become writable.
    pub(crate) fn poll_write_wait(&self, fd: RawFd, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_wait(fd, WRITE_WAIT, |reg| reg.poll_write_ready(cx).map_ok(|mut ready| ready.clear_ready()))
    }

    fn poll_wait(
        &self,
        fd: RawFd,
        wait: u8,
        poll: impl FnOnce(&AsyncFd<FdRef>) -> Poll<io::Result<()>>,
    ) -> Poll<io::Result<()>> {
        let registration = {
            let mut slot = self.lock();
            let registration = match &*slot {
                Some(made) => made.clone(),
                None => slot.insert(register(fd)?).clone(),
            };
            self.registered.store(true, Ordering::Relaxed);
            self.waits.fetch_or(wait, Ordering::Relaxed);
            registration
        };
        let polled = poll(&registration);
        if polled.is_ready() {
            self.waits.fetch_and(!wait, Ordering::Relaxed);
        }
        polled
    }

    /// A read ended (whoever polled it): a runtime poll that waited for it waits no more.
    pub(crate) fn read_done(&self) {
        self.done(READ_WAIT);
    }

    /// A write ended: see [`read_done`](Self::read_done).
    pub(crate) fn write_done(&self) {
        self.done(WRITE_WAIT);
    }

    fn done(&self, wait: u8) {
        // A load first: the usual case (nothing waited) writes nothing.
        if self.waits.load(Ordering::Relaxed) & wait != 0 {
            self.waits.fetch_and(!wait, Ordering::Relaxed);
        }
    }

    /// Leaves the reactor if nothing on the runtime waits in the registration: for a read
    /// driven from a caller's thread, which needs none. One atomic load when not registered.
    pub(crate) fn leave_if_idle(&self) {
        if !self.registered.load(Ordering::Relaxed) {
            return;
        }
        let left = {
            let mut slot = self.lock();
            if self.waits.load(Ordering::Relaxed) != 0 {
                return;
            }
            self.registered.store(false, Ordering::Relaxed);
            slot.take()
        };
        // Deregistered here (EPOLL_CTL_DEL), after the lock; the fd is still the socket's.
        drop(left);
    }

    /// Whether the socket is in the reactor now.
    #[cfg(test)]
    pub(crate) fn is_registered(&self) -> bool {
        self.registered.load(Ordering::Relaxed)
    }

    /// Drops the registration (with exclusive access: nothing can wait in it).
    pub(crate) fn clear(&mut self) {
        *self.registration.get_mut().unwrap_or_else(|e| e.into_inner()) = None;
        *self.registered.get_mut() = false;
        *self.waits.get_mut() = 0;
    }

    fn lock(&self) -> MutexGuard<'_, Option<Arc<AsyncFd<FdRef>>>> {
        self.registration.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn register(fd: RawFd) -> io::Result<Arc<AsyncFd<FdRef>>> {
    crate::runtime::within(|| {
        let interest = Interest::READABLE | Interest::WRITABLE;
        // SAFETY: the owner of the link owns the fd and drops the registration before the fd
        // closes (see `ReactorLink`), and nothing replaces or closes it meanwhile.
        unsafe { AsyncFd::register_with_interest(FdRef(fd), interest) }
            .map(Arc::new)
            .map_err(|e| io::Error::from_raw_os_error(e.into_parts().1.raw_os_error().unwrap_or(libc::EIO)))
    })
}
