//! A parked stream operation driven by the completion queue it is bound to: instead of moving
//! to the runtime (when its Completed handler is set, its last reference goes, or nobody came
//! to wait), it stays parked and the queue watches its socket (the queue's fd reports that
//! readiness too); the queue's `dispatch` polls it on the application's thread, and its
//! handler runs right there. Nothing crosses threads, as in a
//! hand-written event loop. Waiters, status checks and cancellation work on it as on any
//! parked operation; the future's waker is the queue's, so a close or CancelIOAsync (which wake
//! it rather than the socket) reaches the queue too.

use std::sync::atomic::Ordering;
use std::sync::{Arc, MutexGuard, Weak};
use std::task::{Poll, Waker};

use super::wake::poll_with;
use super::{AsyncStatus, Driver, Op, Poller, State};
use crate::foundation::completion_queue::{CompletionQueue, Drive, DrivenWaker, Drove};

/// Hands the parked operation (its state locked) to `queue`: polls it once with the queue's
/// waker, then registers its socket with the queue. `None` when it is settled or now driven
/// by the queue (also when it already was); the guard back when the queue refused it (closed,
/// or already watching that direction of the socket for another operation) — the caller
/// spawns it.
pub(super) fn adopt<'a, T: Send + Sync + 'static>(
    op: &Arc<Op<T>>,
    mut st: MutexGuard<'a, State<T>>,
    queue: &CompletionQueue,
) -> Option<MutexGuard<'a, State<T>>> {
    let Driver::Parked(fut, ready, poller) = &mut st.driver else { return Some(st) };
    if matches!(poller, Poller::Queue(_)) {
        return None;
    }
    let waker = queue.waker_for(Some(*ready));
    match poll_with(fut, &DrivenWaker::waker(&waker)) {
        Poll::Ready(outcome) => {
            let done = std::mem::replace(&mut st.driver, Driver::Runtime);
            op.parked.store(false, Ordering::Relaxed);
            op.settle_locked(st, outcome);
            drop(done);
            None
        }
        Poll::Pending => {
            *poller = Poller::Stale;
            (!adopt_polled(op, &mut st, queue, &waker)).then_some(st)
        }
    }
}

/// Hands the parked operation to `queue` when its last poll registered `waker` (the queue's
/// for it): the queue drives it from now on (true), or refused it (false; the poller stays as
/// it was).
pub(super) fn adopt_polled<T: Send + Sync + 'static>(
    op: &Arc<Op<T>>,
    st: &mut State<T>,
    queue: &CompletionQueue,
    waker: &Arc<DrivenWaker>,
) -> bool {
    let Driver::Parked(_, ready, poller) = &mut st.driver else { return false };
    let driven: Arc<dyn Drive> = op.clone();
    if !queue.adopt(st.queue_key, *ready, driven, waker) {
        return false;
    }
    *poller = Poller::Queue(DrivenWaker::waker(waker));
    // Not for the runtime to take when the last reference goes: the queue drives it.
    op.parked.store(false, Ordering::Relaxed);
    true
}

/// Binds the operation — Started, parked with its first poll made with `waker` (the queue's
/// for it), its state locked — to `queue` and hands it over, under one lock of the queue:
/// how an operation started on a thread with a current queue begins. Whether the queue drives
/// it; when not, it is bound anyway unless the queue closed (the caller spawns it later).
pub(super) fn bind_and_adopt<T: Send + Sync + 'static>(
    op: &Arc<Op<T>>,
    st: &mut State<T>,
    queue: CompletionQueue,
    waker: &Arc<DrivenWaker>,
) -> bool {
    debug_assert!(st.target.is_none(), "a new operation is bound nowhere yet");
    let Driver::Parked(_, ready, poller) = &mut st.driver else { return false };
    let bound: Weak<Op<T>> = Arc::downgrade(op);
    let driven: Arc<dyn Drive> = op.clone();
    let Some((key, adopted)) = queue.bind_and_adopt(op.id, bound, *ready, driven, waker) else {
        return false;
    };
    st.queue_key = key;
    if adopted {
        *poller = Poller::Queue(DrivenWaker::waker(waker));
        // Not for the runtime to take when the last reference goes: the queue drives it.
        op.parked.store(false, Ordering::Relaxed);
    }
    st.target = Some(queue);
    adopted
}

impl<T: Send + Sync + 'static> Drive for Op<T> {
    fn drive(self: Arc<Self>, waker: &Waker) -> Drove {
        let mut st = self.lock();
        if self.status() != AsyncStatus::Started {
            return Drove::Left;
        }
        // Taken by a blocking waiter or the runtime meanwhile: no longer the queue's.
        let Driver::Parked(fut, _, Poller::Queue(_)) = &mut st.driver else { return Drove::Left };
        match poll_with(fut, waker) {
            Poll::Pending => Drove::Waiting,
            Poll::Ready(outcome) => {
                // A finished future holds nothing but its memory (its guards went when it
                // returned): dropped in place under the lock, as a blocking waiter's is, rather
                // than copied out with the driver (the driver holds the future itself).
                st.driver = Driver::Runtime;
                self.parked.store(false, Ordering::Relaxed);
                self.settle_locked(st, outcome);
                Drove::Settled
            }
        }
    }
}
