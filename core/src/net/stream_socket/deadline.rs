//! Handshake timeouts on one shared timer.
//!
//! A tokio timer set while the runtime's reactor thread sleeps with no timer of its own (the
//! usual state between connects) writes the reactor's eventfd so that it re-computes its sleep:
//! one more thread woken for every handshake, on top of the I/O. Handshake timeouts almost never
//! fire, so they share one watchdog task instead: a deadline later than the one the watchdog
//! already waits for (every deadline of a constant timeout, after the first) costs a lock and a
//! map insertion, and wakes nobody. The watchdog wakes when its deadline comes, wakes the
//! handshakes whose deadline passed, and waits for the next (at most once per timeout period
//! while handshakes keep starting; not at all once none is pending).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Mutex, MutexGuard};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

struct Table {
    /// Pending deadlines (a sequence number keeps equal instants apart) and their waiters.
    waiting: BTreeMap<(Instant, u64), Waker>,
    next_id: u64,
    /// The deadline the watchdog waits for (None: it waits for `EARLIER` only).
    armed: Option<Instant>,
    /// The fork generation whose runtime runs the watchdog (a forked child starts its own).
    watchdog_generation: Option<u64>,
}

static TABLE: Mutex<Table> =
    Mutex::new(Table { waiting: BTreeMap::new(), next_id: 0, armed: None, watchdog_generation: None });
/// Tells the watchdog that a deadline earlier than `armed` was added.
static EARLIER: Notify = Notify::const_new();

fn table() -> MutexGuard<'static, Table> {
    TABLE.lock().unwrap_or_else(|e| e.into_inner())
}

/// `fut`'s output, or None once `limit` has passed first.
pub(super) async fn within<F: Future>(limit: Duration, fut: F) -> Option<F::Output> {
    let deadline = Instant::now() + limit;
    let mut fut = std::pin::pin!(fut);
    let mut entry = Entry(None);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(out) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        if Instant::now() >= deadline {
            return Poll::Ready(None);
        }
        entry.watch(deadline, cx.waker());
        Poll::Pending
    })
    .await
}

/// A future's place in the table (removed when it ends, however it ends).
struct Entry(Option<(Instant, u64)>);

impl Entry {
    fn watch(&mut self, deadline: Instant, waker: &Waker) {
        let mut t = table();
        if let Some(key) = self.0 {
            if let Some(kept) = t.waiting.get_mut(&key)
                && !kept.will_wake(waker)
            {
                kept.clone_from(waker);
            }
            return;
        }
        let generation = crate::foundation::fork::fork_generation();
        if t.watchdog_generation != Some(generation) {
            // First use in this process (or in a forked child, whose table holds the
            // parent's waiters and no watchdog).
            t.waiting.clear();
            t.armed = None;
            t.watchdog_generation = Some(generation);
            crate::runtime::handle().spawn(watchdog());
        }
        let key = (deadline, t.next_id);
        t.next_id += 1;
        t.waiting.insert(key, waker.clone());
        self.0 = Some(key);
        if t.armed.is_none_or(|armed| deadline < armed) {
            t.armed = Some(deadline);
            drop(t);
            EARLIER.notify_one();
        }
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        if let Some(key) = self.0 {
            table().waiting.remove(&key);
        }
    }
}

/// Wakes the waiters whose deadline passed, then sleeps until the earliest one left (or until
/// an earlier one is added).
async fn watchdog() {
    loop {
        let next = {
            let mut t = table();
            let now = Instant::now();
            while let Some(first) = t.waiting.first_entry() {
                if first.key().0 > now {
                    break;
                }
                first.remove().wake();
            }
            t.armed = t.waiting.keys().next().map(|(at, _)| *at);
            t.armed
        };
        match next {
            Some(at) => {
                tokio::select! {
                    _ = tokio::time::sleep_until(at.into()) => {}
                    _ = EARLIER.notified() => {}
                }
            }
            None => EARLIER.notified().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_future_that_ends_first_wins_and_one_that_does_not_times_out() {
        crate::runtime::handle().block_on(async {
            assert_eq!(within(Duration::from_secs(30), async { 7 }).await, Some(7));
            let never = std::future::pending::<()>();
            assert_eq!(within(Duration::from_millis(50), never).await, None);
            // A later deadline than one already pending, then an earlier one: both fire.
            let long = within(Duration::from_millis(300), std::future::pending::<()>());
            let short = within(Duration::from_millis(20), std::future::pending::<()>());
            assert_eq!(tokio::join!(long, short), (None, None));
        });
    }
}
