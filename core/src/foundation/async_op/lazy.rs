//! The lazy queue: parked operations that nobody may come to wait for. Each is handed to the
//! runtime once its grace period is over, if it is still parked then.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a parked operation waits for a blocking waiter before the runtime takes it.
const PARK_GRACE: Duration = Duration::from_millis(5);

/// Something parked that the queue can hand to the runtime.
pub(super) trait Unpark: Send + Sync {
    /// Spawns the operation on the runtime if it is still parked (no-op otherwise).
    fn spawn_if_parked(self: Arc<Self>);
}

thread_local! {
    /// A test's grace period for the operations it parks on its thread.
    static PARK_GRACE_HERE: std::cell::Cell<Option<Duration>> = const { std::cell::Cell::new(None) };
}

/// Test hook: operations parked by this thread wait `grace` (None: the default, 5 ms) for a
/// waiter before the runtime takes them, so a test can keep them parked.
#[doc(hidden)]
pub fn set_park_grace_for_this_thread(grace: Option<Duration>) {
    PARK_GRACE_HERE.with(|g| g.set(grace));
}

fn park_grace() -> Duration {
    PARK_GRACE_HERE.with(|g| g.get()).unwrap_or(PARK_GRACE)
}

type LazyEntry = (Instant, Arc<dyn Unpark>);

/// The queue of one runtime.
pub(super) struct LazyQueue {
    entries: Mutex<Vec<LazyEntry>>,
    wake: tokio::sync::Notify,
}

type Slot = Option<(usize, Arc<LazyQueue>)>;

/// The queue of the current runtime (a new one after fork: the old task is gone with its runtime).
static LAZY: Mutex<Slot> = Mutex::new(None);

/// Holds the lazy queue's process-wide slot across a `fork()`, so a child never inherits it
/// locked (see [`lock_for_fork`]).
#[doc(hidden)]
pub struct ForkGuard(#[allow(dead_code)] MutexGuard<'static, Slot>);

/// Takes the lazy queue's slot for the duration of a fork() (pthread_atfork prepare; drop the
/// guard in the parent and child handlers).
#[doc(hidden)]
pub fn lock_for_fork() -> ForkGuard {
    ForkGuard(LAZY.lock().unwrap_or_else(|e| e.into_inner()))
}

thread_local! {
    /// This thread's copy of `LAZY` (a parked operation per read would otherwise take that
    /// process-wide lock each time). Keyed by runtime like `LAZY`: stale after fork.
    static LAZY_HERE: RefCell<Slot> = const { RefCell::new(None) };
}

/// Queues `op`: the runtime takes it after the grace period unless a waiter took it first.
pub(super) fn spawn_later(op: Arc<dyn Unpark>) {
    let rt = crate::runtime::runtime();
    let key = rt as *const tokio::runtime::Runtime as usize;
    let mut op = Some(op);
    let _ = LAZY_HERE.try_with(|here| {
        if let Some((k, queue)) = &*here.borrow()
            && *k == key
            && let Some(op) = op.take()
        {
            queue.push(op);
        }
    });
    let Some(op) = op else { return };
    let queue = {
        let mut slot = LAZY.lock().unwrap_or_else(|e| e.into_inner());
        match &*slot {
            Some((k, q)) if *k == key => q.clone(),
            _ => {
                let q =
                    Arc::new(LazyQueue { entries: Mutex::new(Vec::new()), wake: tokio::sync::Notify::new() });
                rt.spawn(run(q.clone()));
                *slot = Some((key, q.clone()));
                q
            }
        }
    };
    queue.push(op);
    let _ = LAZY_HERE.try_with(|here| *here.borrow_mut() = Some((key, queue)));
}

impl LazyQueue {
    fn push(&self, op: Arc<dyn Unpark>) {
        let was_empty = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            entries.push((Instant::now() + park_grace(), op));
            entries.len() == 1
        };
        if was_empty {
            self.wake.notify_one();
        }
    }
}

/// The queue's task: at each entry's deadline, spawns the operation if it is still parked (a
/// done or polled one is just dropped). Entries stay until their deadline, so under steady
/// traffic the queue is never empty, pushes need no wake-up, and the task wakes about once per
/// `PARK_GRACE` for a whole batch (an entry is spawned between one and two grace periods).
async fn run(queue: Arc<LazyQueue>) {
    loop {
        let now = Instant::now();
        let mut due = Vec::new();
        let next = {
            let mut entries = queue.entries.lock().unwrap_or_else(|e| e.into_inner());
            let mut i = 0;
            while i < entries.len() {
                if entries[i].0 <= now {
                    let (_, op) = entries.swap_remove(i);
                    due.push(op);
                } else {
                    i += 1;
                }
            }
            entries.iter().map(|(when, ..)| *when).min()
        };
        for op in due {
            op.spawn_if_parked();
        }
        match next {
            Some(when) => tokio::time::sleep_until(when.max(now + PARK_GRACE).into()).await,
            None => queue.wake.notified().await,
        }
    }
}
