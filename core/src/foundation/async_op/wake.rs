//! The pieces a thread needs to drive a stream operation itself: its eventfd (the waker of the
//! futures it polls, and what a cancel signals), the fd and events a parked operation waits
//! for, and one poll(2) over both.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use super::StoredFuture;
use crate::error::Result;
use crate::io::caller_driven::poll_as_caller;

/// The fd a parked operation's waiter polls, and for what.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct Readiness {
    fd: RawFd,
    events: libc::c_short,
    /// The fd's close stamp when this was made (see `fd_watch`).
    stamp: u32,
}

impl Readiness {
    /// Progress once `fd` is readable (a read). Make it while the socket is known to be open
    /// (its close stamp is recorded now; see [`still_open`](Self::still_open)).
    pub fn readable(fd: RawFd) -> Self {
        Self { fd, events: libc::POLLIN, stamp: crate::foundation::fd_watch::stamp(fd) }
    }

    /// Progress once `fd` is writable (a write).
    pub fn writable(fd: RawFd) -> Self {
        Self { fd, events: libc::POLLOUT, stamp: crate::foundation::fd_watch::stamp(fd) }
    }

    /// Whether no socket with this fd number has closed since this was made (false also, now
    /// and then, when another number sharing its stamp closed): a watcher that registers the
    /// fd for longer than one operation checks it after recording the fd where its close hook
    /// looks (see `foundation::fd_watch`).
    pub fn still_open(&self) -> bool {
        crate::foundation::fd_watch::still_open(self.fd, self.stamp)
    }

    /// The fd.
    pub fn fd(&self) -> RawFd {
        self.fd
    }

    /// Whether progress waits for readability (else writability).
    pub fn is_readable(&self) -> bool {
        self.events == libc::POLLIN
    }
}

/// An eventfd (`EFD_CLOEXEC | EFD_NONBLOCK`) used as a signal: a thread's eventfd that
/// interrupts its poll(2) — the waker of futures it polls, and what a cancel signals (shared by
/// `Arc` so a late wake never hits a reused fd) — and a completion queue's readiness fd.
pub(crate) struct WakeFd(OwnedFd);

impl WakeFd {
    /// A new eventfd, or the errno that refused it.
    pub(crate) fn open() -> std::result::Result<Self, i32> {
        // SAFETY: plain syscall; the fd is owned below.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EMFILE));
        }
        // SAFETY: a fresh fd we own.
        Ok(Self(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    fn new() -> Option<Arc<Self>> {
        Self::open().ok().map(Arc::new)
    }

    /// The fd, to watch for readability.
    pub(crate) fn raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }

    /// Makes the fd readable (a new edge for edge-triggered watchers even when it already is).
    pub(crate) fn signal(&self) {
        // Never blocks (EFD_NONBLOCK); a counter at its maximum is still readable.
        let _ = crate::sys::write(self.0.as_raw_fd(), &1u64.to_ne_bytes());
    }

    /// Makes the fd unreadable again.
    pub(crate) fn drain(&self) {
        // Never blocks (EFD_NONBLOCK).
        let _ = crate::sys::read(self.0.as_raw_fd(), &mut [0u8; 8]);
    }
}

impl Wake for WakeFd {
    fn wake(self: Arc<Self>) {
        self.signal();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.signal();
    }
}

thread_local! {
    static THREAD_WAKE: Option<Arc<WakeFd>> = WakeFd::new();
}

/// This thread's eventfd (None when the thread is exiting or out of fds).
pub(crate) fn thread_wake() -> Option<Arc<WakeFd>> {
    THREAD_WAKE.try_with(|w| w.clone()).ok().flatten()
}

/// Polls a stream future once on this thread, socket readiness left to this thread (see
/// `io::caller_driven`), with `wake` (this thread's eventfd) as the waker — a no-op one without.
/// A stream future polls only resources that exist, so no runtime context is entered.
pub(super) fn poll_on_caller<T>(fut: &mut StoredFuture<T>, wake: Option<&Arc<WakeFd>>) -> Poll<Result<T>> {
    let waker = wake.map_or_else(|| Waker::noop().clone(), |w| Waker::from(w.clone()));
    poll_with(fut, &waker)
}

/// [`poll_on_caller`] with any waker (a completion queue's, for the operations it drives).
pub(super) fn poll_with<T>(fut: &mut StoredFuture<T>, waker: &Waker) -> Poll<Result<T>> {
    let mut cx = Context::from_waker(waker);
    poll_as_caller(|| fut.poll_in(&mut cx))
}

/// Waits on `ready` (when `Some`) and `wake` until either is ready or `timeout` passes (None:
/// no limit). Returns whether `ready`'s fd is ready (or hung up, or in error).
pub(crate) fn poll_fds(ready: Option<Readiness>, wake: &WakeFd, timeout: Option<Duration>) -> bool {
    let (fd, events) = ready.map_or((-1, 0), |r| (r.fd, r.events));
    let mut fds = [
        // A negative fd is ignored by poll(2).
        libc::pollfd { fd, events, revents: 0 },
        libc::pollfd { fd: wake.0.as_raw_fd(), events: libc::POLLIN, revents: 0 },
    ];
    let ms = match timeout {
        None => -1,
        // Round up so a short remainder does not spin.
        Some(t) => poll_timeout_ms(t),
    };
    let _ = crate::sys::poll(&mut fds, ms);
    if fds[1].revents != 0 {
        wake.drain();
    }
    fds[0].revents != 0
}

/// `timeout` as poll(2)'s milliseconds, rounded up to a whole microsecond's millisecond (so a
/// short remainder does not spin), at most `i32::MAX`. In 64 bits: `Duration::as_micros` is
/// 128, and its division a libcall on every blocking wait with a time limit.
pub(crate) fn poll_timeout_ms(timeout: Duration) -> i32 {
    let ms = timeout
        .as_secs()
        .saturating_mul(1000)
        .saturating_add(u64::from(timeout.subsec_micros().div_ceil(1000)));
    ms.min(i32::MAX as u64) as i32
}

/// Time left until `deadline` (None: no limit).
pub(crate) fn remaining(deadline: Option<Instant>) -> Option<Duration> {
    deadline.map(|d| d.saturating_duration_since(Instant::now()))
}
