//! Driving a parked stream operation: a blocking waiter takes its future and polls it on its
//! own thread, a status check makes one attempt, and the runtime takes it when nobody came.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::Poll;
use std::time::{Duration, Instant};

use super::lazy::Unpark;
use super::wake::{poll_fds, poll_on_caller, poll_with, remaining, thread_wake};
use super::{AsyncStatus, Driver, Op, Poller, queue_drive};

/// How long the fast path sleeps when its fd is ready but the future makes no progress.
const FRUITLESS_PAUSE: Duration = Duration::from_millis(1);

impl<T: Send + Sync + 'static> Unpark for Op<T> {
    fn spawn_if_parked(self: Arc<Self>) {
        // A claimed operation has its event loop: the grace period does not apply.
        spawn_if_parked(&self, false);
    }
}

/// Spawns a parked future on the runtime — also a claimed one when `claimed_too` (nobody can
/// drive it any more) — and does nothing in any other state.
pub(super) fn spawn_if_parked<T: Send + Sync + 'static>(op: &Arc<Op<T>>, claimed_too: bool) {
    let mut st = op.lock();
    if op.status() != AsyncStatus::Started {
        return;
    }
    let take = match st.driver {
        Driver::Parked(..) => true,
        Driver::Claimed(..) => claimed_too,
        _ => false,
    };
    if take {
        // Bound to a completion queue: the queue's dispatch drives it on the application's
        // thread instead (no runtime thread in between); already done when it was parked,
        // unless the queue refused it then. (A claimed operation belongs to its event loop.)
        if matches!(st.driver, Driver::Parked(..))
            && let Some(queue) = st.target.clone()
        {
            match queue_drive::adopt(op, st, &queue) {
                Some(guard) => st = guard,
                None => return,
            }
        }
        let (Driver::Parked(fut, ..) | Driver::Claimed(fut, _)) =
            std::mem::replace(&mut st.driver, Driver::Runtime)
        else {
            unreachable!("checked above")
        };
        op.spawn_locked(&mut st, fut);
    }
}

/// The fast path of a blocking wait: if the future is parked, this thread takes it and drives
/// it until the operation is done (`Ok(true)`), or the deadline passes (the future goes to the
/// runtime; `Ok(false)`). `Err(())`: not parked (or no eventfd) — wait on the condvar.
pub(super) fn wait_fast<T: Send + Sync + 'static>(
    op: &Arc<Op<T>>,
    deadline: Option<Instant>,
) -> Result<bool, ()> {
    let wake = thread_wake().ok_or(())?;
    let (mut fut, ready, polled_with) = {
        let mut st = op.lock();
        if op.status() != AsyncStatus::Started
            || !matches!(st.driver, Driver::Parked(..) | Driver::Claimed(..))
        {
            return Err(());
        }
        // A claimed future is taken too: the event loop that claimed it may be the thread
        // blocked here, and a waiter that drives it itself never deadlocks on it.
        let (fut, ready, polled_with) = match std::mem::replace(&mut st.driver, Driver::Polling(wake.clone()))
        {
            Driver::Parked(fut, ready, polled_with) => (fut, ready, Some(polled_with)),
            Driver::Claimed(fut, ready) => (fut, ready, None),
            _ => unreachable!("checked above"),
        };
        op.parked.store(false, Ordering::Relaxed);
        (fut, ready, polled_with)
    };
    // Polls in a row that found the fd ready and still left the future Pending. Once is normal
    // (a read with options None took what was there and wants more; a write filled the buffer
    // again); twice means it waits for something else (a lock inside core), and a
    // level-triggered poll(2) would spin: sleep a little instead, still woken by `wake`.
    let mut fruitless = 0u32;
    // When this thread made the last poll, its waker is in place and the syscall was tried an
    // instant ago: sleep first. Otherwise poll now, so wake-ups reach this thread's eventfd.
    let mut fd_ready = matches!(&polled_with, Some(Poller::Thread(w)) if Arc::ptr_eq(w, &wake))
        .then(|| poll_fds(Some(ready), &wake, remaining(deadline)));
    drop(polled_with);
    loop {
        let polled = poll_on_caller(&mut fut, Some(&wake));
        fruitless = if polled.is_pending() && fd_ready == Some(true) { fruitless + 1 } else { 0 };
        let mut st = op.lock();
        if op.status() != AsyncStatus::Started {
            // Cancelled while we polled: drop the future (aborting the work) before cancel
            // returns. `cancel` waits until the driver leaves Polling, i.e. the future is gone.
            drop(st);
            drop(fut);
            let mut st = op.lock();
            st.driver = Driver::Runtime;
            if st.waiters > 0 {
                op.done.notify_all();
            }
            return Ok(true);
        }
        match polled {
            Poll::Ready(outcome) => {
                // A finished future holds nothing but its allocation (its guards went when it
                // returned), so it goes under the lock, and the outcome is recorded under the
                // same lock that saw the operation still Started.
                drop(fut);
                st.driver = Driver::Runtime;
                op.settle_locked(st, outcome);
                return Ok(true);
            }
            Poll::Pending => {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    op.spawn_locked(&mut st, fut);
                    return Ok(false);
                }
            }
        }
        drop(st);
        fd_ready = Some(if fruitless >= 2 {
            let pause = remaining(deadline).map_or(FRUITLESS_PAUSE, |r| r.min(FRUITLESS_PAUSE));
            poll_fds(None, &wake, Some(pause));
            // Start over: the next poll(2) includes the fd again.
            false
        } else {
            poll_fds(Some(ready), &wake, remaining(deadline))
        });
    }
}

/// A status check's attempt at a parked operation: one poll of its future on this thread
/// (under the operation's lock; a stream future never waits inside a poll). The future stays
/// parked when still Pending, with this thread's waker. Returns the status after the attempt.
pub(super) fn attempt_parked<T: Send + Sync + 'static>(op: &Arc<Op<T>>) -> AsyncStatus {
    let mut st = op.lock();
    let Some(wake) = thread_wake() else { return op.status() };
    let Driver::Parked(fut, _, polled_with) = &mut st.driver else { return op.status() };
    // A future a completion queue drives keeps the queue's waker.
    let polled = match polled_with {
        Poller::Queue(waker) => poll_with(fut, waker),
        Poller::Thread(_) | Poller::Stale => poll_on_caller(fut, Some(&wake)),
    };
    let Poll::Ready(outcome) = polled else {
        if !matches!(polled_with, Poller::Queue(_)) {
            *polled_with = Poller::Thread(wake);
        }
        return op.status();
    };
    let done = std::mem::replace(&mut st.driver, Driver::Runtime);
    op.parked.store(false, Ordering::Relaxed);
    let status = op.settle_locked(st, outcome);
    drop(done);
    status
}
