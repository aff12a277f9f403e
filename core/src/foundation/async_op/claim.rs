//! Claimed operations: a parked stream operation taken over by an event loop (Python's asyncio
//! loop) that watches the socket's readiness fd itself and polls the future on its own thread,
//! with its own waker — no runtime task, no runtime thread between the kernel and the loop.
//!
//! The loop [`claim`](AsyncOperation::claim)s a parked operation (the lazy queue then leaves it
//! alone), registers the returned fd, and calls [`poll_claimed`](AsyncOperation::poll_claimed)
//! when the fd is readable or its waker fires (a Close or CancelIOAsync wakes the waker of the
//! last poll, as for every stream future). Everything else keeps working on a claimed
//! operation: `cancel` asks or drops its future as for a parked one, a blocking `wait` takes the
//! future over and drives it itself, and when the last reference goes the runtime takes it.
//! Whenever the future has left the claim, `poll_claimed` says so and the loop falls back to
//! being told of the end (a done listener).

use std::sync::atomic::Ordering;
use std::task::{Context, Poll, Waker};

use super::{AsyncOperation, AsyncStatus, Driver, Readiness};
use crate::io::caller_driven::{poll_as_caller, poll_as_caller_readable, poll_as_caller_to_arm};

/// What a claimed poll knows about the fd (which `io::caller_driven` scope it runs in).
#[derive(Clone, Copy)]
enum Scope {
    /// Nothing: the reads ask the kernel.
    Caller,
    /// Nothing new since the last poll: the reads only arm their wake-ups.
    ArmOnly,
    /// Reported readable an instant ago: the first read skips its probe.
    Readable,
}

/// What [`AsyncOperation::poll_claimed`] found.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimedPoll {
    /// Still waiting: the waker and the fd will tell.
    Pending,
    /// The operation is over (this poll ended it, or something else did).
    Done,
    /// Still running, but no longer claimed (a blocking waiter or the runtime has the future):
    /// its end comes through the done listeners.
    Elsewhere,
}

impl<T: Send + Sync + 'static> AsyncOperation<T> {
    /// Claims a parked stream operation for the calling event loop: returns the fd to watch,
    /// or `None` when the operation is not parked (finished, on the runtime, driven by a
    /// waiter, claimed already). The caller must poll it at once with
    /// [`poll_claimed`](Self::poll_claimed), so that wake-ups reach its waker.
    #[doc(hidden)]
    pub fn claim(&self) -> Option<Readiness> {
        let mut st = self.op.lock();
        if self.op.status() != AsyncStatus::Started || !matches!(st.driver, Driver::Parked(..)) {
            return None;
        }
        let Driver::Parked(fut, ready, _) = std::mem::replace(&mut st.driver, Driver::Runtime) else {
            unreachable!("checked above")
        };
        // Counted as parked (also when a completion queue drove it, which cleared the flag):
        // when the last reference goes, the runtime takes it.
        self.op.parked.store(true, Ordering::Relaxed);
        st.driver = Driver::Claimed(fut, ready);
        Some(ready)
    }

    /// One poll of a claimed operation's future on this thread with `waker` (socket readiness
    /// left to the caller, see `io::caller_driven`); a future that finishes settles the
    /// operation here (done listeners run inline, before this returns).
    #[doc(hidden)]
    pub fn poll_claimed(&self, waker: &Waker) -> ClaimedPoll {
        self.poll_claimed_with(waker, Scope::Caller)
    }

    /// [`poll_claimed`](Self::poll_claimed) right after the caller's watch reported the fd
    /// readable: the read makes its `recv` without probing first (see
    /// `io::caller_driven::poll_as_caller_readable`).
    #[doc(hidden)]
    pub fn poll_claimed_readable(&self, waker: &Waker) -> ClaimedPoll {
        self.poll_claimed_with(waker, Scope::Readable)
    }

    /// [`poll_claimed`](Self::poll_claimed) right after the claim, when the caller watches
    /// the fd level-triggered: it moves the wake-ups to `waker` without asking the socket
    /// again (the last poll found nothing an instant ago; data since then is reported by the
    /// fd). See `io::caller_driven::poll_as_caller_to_arm`.
    #[doc(hidden)]
    pub fn poll_claimed_to_arm(&self, waker: &Waker) -> ClaimedPoll {
        self.poll_claimed_with(waker, Scope::ArmOnly)
    }

    fn poll_claimed_with(&self, waker: &Waker, scope: Scope) -> ClaimedPoll {
        let op = &self.op;
        let mut st = op.lock();
        if op.status() != AsyncStatus::Started {
            return ClaimedPoll::Done;
        }
        let Driver::Claimed(fut, _) = &mut st.driver else { return ClaimedPoll::Elsewhere };
        let mut cx = Context::from_waker(waker);
        // Under the operation's lock, as a status check's attempt: a stream future never waits
        // inside a poll.
        let polled = match scope {
            Scope::Caller => poll_as_caller(|| fut.poll_in(&mut cx)),
            Scope::ArmOnly => poll_as_caller_to_arm(|| fut.poll_in(&mut cx)),
            Scope::Readable => poll_as_caller_readable(|| fut.poll_in(&mut cx)),
        };
        let Poll::Ready(outcome) = polled else {
            return ClaimedPoll::Pending;
        };
        let done = std::mem::replace(&mut st.driver, Driver::Runtime);
        op.parked.store(false, Ordering::Relaxed);
        op.settle_locked(st, outcome);
        drop(done);
        ClaimedPoll::Done
    }

    /// Gives a claimed operation's future to the runtime (the loop stops watching it: it is
    /// closing, or the fd keeps reporting readiness the future does not act on). No-op when
    /// the operation is not claimed.
    #[doc(hidden)]
    pub fn unclaim(&self) {
        super::driver::spawn_if_parked(&self.op, true);
    }
}
