//! Aborting pending operations (Close, CancelIOAsync) without a per-socket allocation.
//!
//! Each operation takes a [`Ticket`] when it starts; `abort_all` bumps a generation counter and
//! wakes every waiter, so every operation started before it sees its ticket expire. Operations
//! started afterwards hold a new ticket and are unaffected (CancelIOAsync keeps the socket
//! usable).
//!
//! The same notification tells CancelIOAsync when the aborted operations have ended: every
//! waiter re-checks its own condition, so one wakes the other's waiters harmlessly, and a
//! socket carries one wait list instead of two.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::Waker;

use futures_util::task::AtomicWaker;
use tokio::sync::Notify;

/// The socket's abort state.
#[derive(Default)]
pub(crate) struct Aborter {
    generation: AtomicU64,
    /// Woken by `abort_all`, and by `signal_idle` while someone waits for the socket to idle.
    wake: Notify,
    /// How many `wait_until_idle` calls are waiting.
    idle_watchers: AtomicUsize,
    /// The waker of the socket's direct read, if one is pending (there is at most one: it
    /// holds the read slot). Cheaper than a `Notify` registration on every poll.
    direct_reader: AtomicWaker,
    /// The same for the socket's direct write (at most one: it holds the write slot).
    direct_writer: AtomicWaker,
}

/// What an operation holds to learn that it was aborted.
#[derive(Clone, Copy)]
pub(crate) struct Ticket(u64);

impl From<crate::io::OpTicket> for Ticket {
    fn from(t: crate::io::OpTicket) -> Self {
        Self(t.0)
    }
}

impl From<Ticket> for crate::io::OpTicket {
    fn from(t: Ticket) -> Self {
        Self(t.0)
    }
}

impl Aborter {
    /// A ticket for an operation starting now.
    pub(crate) fn ticket(&self) -> Ticket {
        Ticket(self.generation.load(Ordering::Acquire))
    }

    /// Aborts every operation holding a ticket taken before this call.
    pub(crate) fn abort_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.wake.notify_waiters();
        self.direct_reader.wake();
        self.direct_writer.wake();
    }

    /// Has `waker` woken by the next `abort_all` (for the socket's direct read; check
    /// `is_aborted` after registering, so an abort in between is not missed).
    pub(crate) fn register_direct_reader(&self, waker: &Waker) {
        self.direct_reader.register(waker);
    }

    /// [`register_direct_reader`](Self::register_direct_reader) for the socket's direct write.
    pub(crate) fn register_direct_writer(&self, waker: &Waker) {
        self.direct_writer.register(waker);
    }

    /// Whether `ticket` has been aborted.
    pub(crate) fn is_aborted(&self, ticket: Ticket) -> bool {
        self.generation.load(Ordering::Acquire) != ticket.0
    }

    /// Completes once `ticket` is aborted.
    pub(crate) async fn aborted(&self, ticket: Ticket) {
        loop {
            // Created before the check, so a concurrent abort_all cannot slip in between.
            let woken = self.wake.notified();
            if self.is_aborted(ticket) {
                return;
            }
            woken.await;
        }
    }

    /// After a busy flag was cleared (SeqCst): wakes the idle watchers, if any. Signalling
    /// costs nothing while nobody watches (every read and write ends with a signal;
    /// CancelIOAsync is rare). Either a watcher registered before this load sees it, or the
    /// watcher's own flag check (after it registered) sees the cleared flag.
    pub(crate) fn signal_idle(&self) {
        if self.idle_watchers.load(Ordering::SeqCst) > 0 {
            self.wake.notify_waiters();
        }
    }

    /// Waits until `idle()` holds, re-checking after every signal.
    pub(crate) async fn wait_until_idle(&self, idle: impl Fn() -> bool) {
        struct Watching<'a>(&'a AtomicUsize);
        impl Drop for Watching<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        self.idle_watchers.fetch_add(1, Ordering::SeqCst);
        let _watching = Watching(&self.idle_watchers);
        loop {
            // Created before the check: a signal between the check and the await is kept.
            let signalled = self.wake.notified();
            if idle() {
                return;
            }
            signalled.await;
        }
    }
}
