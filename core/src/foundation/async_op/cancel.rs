//! Cooperative cancellation: how an operation that consumes data is cancelled without losing
//! any of it.
//!
//! Dropping a read's future at an arbitrary point could throw away bytes it has already taken
//! from the kernel. An operation started with a [`CancelSignal`] is cancelled by asking
//! instead: its future sees the signal at its next poll and ends itself — with what it has
//! consumed so far (the operation then completes normally, delivering those bytes), or, when it
//! has consumed nothing, with [`CancelSignal::cancelled`] (the operation ends Canceled). It
//! never starts another syscall once the signal is set.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Context, Poll, Waker};

use std::time::{Duration, Instant};

use futures_util::task::AtomicWaker;

use super::{AsyncStatus, Driver, Op, wake};
use crate::error::Error;
use crate::error::hresult::E_CANCELLED;

/// The request to stop, kept inline in its operation (see [`CancelToken`]).
#[derive(Default)]
pub struct CancelSignal {
    set: AtomicBool,
    waker: AtomicWaker,
}

impl CancelSignal {
    /// Whether cancellation was requested.
    pub fn is_set(&self) -> bool {
        self.set.load(Ordering::Acquire)
    }

    /// Whether cancellation was requested; if not, the task polling `cx` is woken when it is.
    pub fn poll_set(&self, cx: &mut Context<'_>) -> Poll<()> {
        if self.is_set() {
            return Poll::Ready(());
        }
        self.waker.register(cx.waker());
        if self.is_set() { Poll::Ready(()) } else { Poll::Pending }
    }

    /// Requests cancellation and wakes the future's last poll.
    pub(super) fn request(&self) {
        self.set.store(true, Ordering::Release);
        self.waker.wake();
    }

    /// The error a future returns when it stopped on the signal having consumed nothing.
    pub fn cancelled() -> Error {
        Error::new(E_CANCELLED, "the operation was cancelled")
    }
}

impl std::fmt::Debug for CancelSignal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelSignal").field("set", &self.is_set()).finish()
    }
}

/// What owns a [`CancelSignal`]: an operation.
pub(super) trait HasCancelSignal: Send + Sync {
    fn cancel_signal(&self) -> Option<&CancelSignal>;
}

impl<T: Send + Sync + 'static> HasCancelSignal for Op<T> {
    fn cancel_signal(&self) -> Option<&CancelSignal> {
        self.signal.as_ref()
    }
}

/// What a cancellable operation's future holds to see its [`CancelSignal`]: a weak link to the
/// operation (the operation owns the future while it is parked, so a strong one would be a
/// cycle), costing no allocation of its own.
#[derive(Clone)]
pub struct CancelToken(Weak<dyn HasCancelSignal>);

impl CancelToken {
    /// Whether cancellation was requested.
    pub fn is_set(&self) -> bool {
        self.0.upgrade().is_some_and(|op| op.cancel_signal().is_some_and(CancelSignal::is_set))
    }

    /// Whether cancellation was requested; if not, the task polling `cx` is woken when it is.
    pub fn poll_set(&self, cx: &mut Context<'_>) -> Poll<()> {
        match self.0.upgrade() {
            Some(op) => match op.cancel_signal() {
                Some(signal) => signal.poll_set(cx),
                None => Poll::Pending,
            },
            None => Poll::Pending,
        }
    }

    /// Resolves once cancellation is requested.
    pub async fn wait(&self) {
        std::future::poll_fn(|cx| self.poll_set(cx)).await
    }

    /// The error a future returns when it stopped on the signal having consumed nothing.
    pub fn cancelled() -> Error {
        CancelSignal::cancelled()
    }
}

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelToken").field("set", &self.is_set()).finish()
    }
}

/// The token for `op`'s signal.
pub(super) fn token_for<T: Send + Sync + 'static>(op: &Arc<Op<T>>) -> CancelToken {
    let weak: Weak<Op<T>> = Arc::downgrade(op);
    CancelToken(weak)
}

/// Registers `waker` with `op`'s signal, as its future's poll of its token would: whether
/// no cancellation was requested (none is possible without a signal).
pub(super) fn arm<T: Send + Sync + 'static>(op: &Op<T>, waker: &Waker) -> bool {
    match &op.signal {
        Some(signal) => {
            signal.waker.register(waker);
            !signal.is_set()
        }
        None => true,
    }
}

/// How long a cancel waits for a cooperative future to end itself before dropping it.
const COOPERATION_LIMIT: Duration = Duration::from_secs(1);

/// Asks the operation's future to stop and waits (bounded) until it has ended the operation.
/// Returns false when it did not (the caller then drops it).
pub(super) fn ask<T: Send + Sync + 'static>(op: &Arc<Op<T>>) -> bool {
    let Some(signal) = op.signal.as_ref() else { return false };
    signal.request();
    // Parked, nobody polls it: poll it here once; it sees the signal and ends.
    let parked = {
        let mut st = op.lock();
        match std::mem::replace(&mut st.driver, Driver::Runtime) {
            Driver::Parked(fut, ..) | Driver::Claimed(fut, _) => {
                op.parked.store(false, Ordering::Relaxed);
                Some(fut)
            }
            other => {
                // A polling waiter re-polls when its poll(2) is interrupted.
                if let Driver::Polling(wake) = &other {
                    wake.signal();
                }
                st.driver = other;
                None
            }
        }
    };
    if let Some(mut fut) = parked {
        let outcome = match wake::poll_on_caller(&mut fut, None) {
            Poll::Ready(outcome) => outcome,
            // Not cooperative after all: it consumed nothing it could report.
            Poll::Pending => Err(CancelSignal::cancelled()),
        };
        drop(fut);
        op.settle(outcome);
        return true;
    }
    let deadline = Instant::now() + COOPERATION_LIMIT;
    let mut st = op.lock();
    while op.status() == AsyncStatus::Started {
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        st.waiters += 1;
        st = op.done.wait_timeout(st, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        st.waiters -= 1;
    }
    true
}
