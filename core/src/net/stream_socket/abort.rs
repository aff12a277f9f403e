//! Aborting pending operations (Close, CancelIOAsync) without a per-socket allocation.
//!
//! Each operation takes a [`Ticket`] when it starts; `abort_all` bumps a generation counter and
//! wakes every waiter, so every operation started before it sees its ticket expire. Operations
//! started afterwards hold a new ticket and are unaffected (CancelIOAsync keeps the socket
//! usable).

use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Waker;

use futures_util::task::AtomicWaker;
use tokio::sync::Notify;

/// The socket's abort state.
#[derive(Default)]
pub(crate) struct Aborter {
    generation: AtomicU64,
    wake: Notify,
    /// The waker of the socket's direct read, if one is pending (there is at most one: it
    /// holds the read slot). Cheaper than a `Notify` registration on every poll.
    direct_reader: AtomicWaker,
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
    }

    /// Has `waker` woken by the next `abort_all` (for the socket's direct read; check
    /// `is_aborted` after registering, so an abort in between is not missed).
    pub(crate) fn register_direct_reader(&self, waker: &Waker) {
        self.direct_reader.register(waker);
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
}
