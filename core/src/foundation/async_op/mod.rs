//! `IAsyncInfo` / `IAsyncAction` / `IAsyncOperation<T>`: the one implementation of WinRT's
//! asynchronous operation that the C, C++ and Python projections wrap.
//!
//! An operation runs one future. [`AsyncOperation::start`] polls it once on the caller's thread
//! (inside netrt's runtime context): work that can finish at once — data already received, a
//! write the kernel takes — completes right there, with no thread hop. An *argument or state*
//! error found by that first poll is returned to the caller and creates no operation (the call
//! itself was wrong; see [`is_call_error`]); a network failure always belongs to the operation.
//! A future that would block runs as a task on netrt's runtime.
//!
//! The state machine: status Started → Completed (result) | Error (the failure) | Canceled.
//! The first of completion and [`cancel`](AsyncOperation::cancel) wins. On leaving Started:
//! blocking waiters wake, *done listeners* run inline on the finishing thread (how an event
//! loop learns of it without a thread hop), and the Completed handler — set at most once —
//! runs on netrt's dispatcher thread — or inside [`CompletionQueue::dispatch`] when the
//! operation is bound to a queue (the thread's current queue when it started, or
//! [`set_completion_queue`](AsyncOperation::set_completion_queue)) — or inline, on the setter's
//! thread, when set after the end. [`crate::dispatch::deliver`] makes that choice.
//!
//! The status and the outcome (result or failure) are read without the operation's lock: the
//! outcome is written once, then published through an atomic state word (`outcome.rs`). The
//! lock guards what changes while the operation runs — the handler, the done listeners, the
//! waiters, where the future is — and decides which of completion and cancel comes first.
//!
//! ## Caller-driven stream I/O (`start_caller_driven`, hidden from the public API)
//!
//! A stream read or write whose first poll is Pending and whose socket has a readiness fd is
//! not spawned at once: the operation *parks* its future, so a blocking waiter — the common
//! "start, then wait" pattern of the C API — polls the fd itself and re-polls the future on its
//! own thread, with no runtime thread between the kernel and the caller (a cross-CPU wake-up
//! costs tens of microseconds on small VMs). Where the future is (`Driver`, under the
//! operation's lock; exactly one party polls it at a time):
//!
//! ```text
//!            start: first poll Pending + readiness fd
//!                         │
//!                         ▼
//!                   Parked(fut, fd) ──── set_completed / grace period over / last user gone
//!                         │        │                  │ spawn
//!            wait         │        │ cancel           ▼
//!     takes the future    ▼        └─(drop fut)─►  Runtime (a task, or no future at all)
//!                    Polling(wake) ──── wait times out: spawn ─►  Runtime
//!                         │  │
//!           Ready: settle │  └── cancel: status Canceled, wake the poller, which drops
//!                         ▼      the future and moves to Runtime (cancel waits for that)
//!                      Runtime   (never parked again)
//! ```
//!
//! * Futures are polled with the polling thread's waker, which writes that thread's eventfd;
//!   the waiter sleeps in poll(2) on the socket fd and that eventfd, so whatever would wake a
//!   task (CancelIOAsync, a close) also wakes the waiter; `cancel` wakes it the same way.
//!   Other waiters (other threads) block on the condvar.
//! * The first poll already used the starting thread's waker, so when that thread waits it
//!   sleeps before re-polling (the syscall was tried an instant ago); another thread re-polls
//!   first, to move the wake-ups to its own eventfd.
//! * A future still Pending twice in a row while poll(2) reports its fd ready waits on
//!   something else (a lock inside core): the waiter then pauses briefly between polls instead
//!   of spinning (its waker still wakes it at once).
//! * A wait that times out hands the future to the runtime (the operation goes on there).
//! * Setting a Completed handler on a parked operation spawns it at once (handlers must run
//!   without anyone waiting), and so does dropping its last [`AsyncOperation`] value (nobody can
//!   wait any more). Otherwise the lazy queue spawns it after a grace period of 5 ms.
//! * [`status_with_attempt`](AsyncOperation::status_with_attempt) polls a parked future once on
//!   the caller's thread, so a caller that checks the status in a loop sees it complete without
//!   the lazy queue's delay.

mod arm;
mod cancel;
mod claim;
mod driver;
mod lazy;
mod outcome;
mod progress;
mod queue_drive;
mod settled_value;
mod stored;
mod stored_future;
mod wake;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::error::hresult::{
    E_BOUNDS, E_CANCELLED, E_HANDLE, E_ILLEGAL_DELEGATE_ASSIGNMENT, E_ILLEGAL_METHOD_CALL,
    E_ILLEGAL_STATE_CHANGE, E_INVALID_OPERATION, E_INVALIDARG, E_NO_UNICODE_TRANSLATION, E_NOTIMPL,
    E_POINTER, E_UNEXPECTED, RO_E_CLOSED, WSATYPE_NOT_FOUND_HR,
};
use crate::error::{Error, HResult, Result};
use crate::foundation::completion_queue::{CancelOnClose, CompletionQueue, Delivery, DrivenWaker};

pub use arm::Armable;
pub use cancel::{CancelSignal, CancelToken};
#[doc(hidden)]
pub use claim::ClaimedPoll;
#[doc(hidden)]
pub use lazy::{ForkGuard, lock_for_fork, set_park_grace_for_this_thread};
use outcome::{Outcome, Seen};
pub use progress::{AsyncOperationWithProgress, ProgressHandler, ProgressReporter};
#[doc(hidden)]
pub use settled_value::{SettledClaim, SettledU32};
pub(crate) use stored::StoredHandler;
use stored_future::StoredFuture;
#[doc(hidden)]
pub use wake::Readiness;
pub(crate) use wake::{WakeFd, poll_fds, poll_timeout_ms, thread_wake};

pub use crate::foundation_enums::AsyncStatus;

/// Where a Completed handler is being called from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletedDelivery {
    /// On the thread that set the handler, before `set_completed` returns (the operation had
    /// already finished).
    Inline,
    /// On netrt's dispatcher thread.
    Dispatcher,
    /// Inside [`CompletionQueue::dispatch`], on the thread that called it.
    CompletionQueue,
}

impl From<Delivery> for CompletedDelivery {
    fn from(d: Delivery) -> Self {
        match d {
            Delivery::Dispatcher => Self::Dispatcher,
            Delivery::Queue => Self::CompletionQueue,
        }
    }
}

/// A Completed handler: called once with the final status.
pub type CompletedHandler = Box<dyn FnOnce(AsyncStatus, CompletedDelivery) + Send + 'static>;

/// Runs inline on the thread that finishes the operation (a runtime worker, a waiter, a
/// canceller): must be quick and must not block.
pub type DoneListener = Box<dyn FnOnce() + Send + 'static>;

type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'static>>;

/// The completion queue an operation starts on, and the waker of its first poll there.
type Queued = Option<(CompletionQueue, Arc<DrivenWaker>)>;

/// Gives a completed result back to where it came from (a read's bytes to its stream) when
/// nobody will ever see it; true when it did (see [`AsyncOperation::abandon`]).
pub type GiveBack<T> = Box<dyn FnOnce(&T) -> bool + Send + 'static>;

/// Whether an operation keeps a future of type `F` (`Unpin`) in its own allocation rather than
/// boxing it (see `stored_future.rs`): for a projection's test that its read's future does.
#[doc(hidden)]
pub const fn keeps_in_place<F>() -> bool {
    stored_future::fits::<F>()
}

/// Whether a failure is reported synchronously when it comes from an operation's first poll:
/// the call itself was wrong (an argument, the object's state, an unknown service name).
/// Everything else — a network failure — belongs to the operation. Every projection follows
/// this rule through [`AsyncOperation::start`].
pub fn is_call_error(e: &Error) -> bool {
    matches!(
        e.hresult(),
        E_POINTER
            | E_INVALIDARG
            | E_HANDLE
            | E_BOUNDS
            | E_NOTIMPL
            | E_ILLEGAL_METHOD_CALL
            | E_ILLEGAL_STATE_CHANGE
            | E_INVALID_OPERATION
            | E_NO_UNICODE_TRANSLATION
            | RO_E_CLOSED
            | WSATYPE_NOT_FOUND_HR
    )
}

enum Handler {
    None,
    Set(StoredHandler),
    Used,
}

/// Whose waker a parked future's last poll registered.
enum Poller {
    /// A thread's eventfd (the starting thread, or a status check's).
    Thread(Arc<wake::WakeFd>),
    /// The completion queue that drives it (see `queue_drive.rs`): it stays with the queue.
    Queue(Waker),
    /// A completion queue's, but the queue refused to drive it: nobody's (poll again before
    /// waiting).
    Stale,
}

/// Where the operation's future is (see the module notes).
enum Driver<T> {
    /// On the runtime as a task, or gone (completed, cancelled, or completed on the first poll).
    Runtime,
    /// Parked: nobody polls it; the next waiter (or the runtime, or the completion queue that
    /// drives it) takes it. `Poller` is whose waker its last poll registered.
    Parked(StoredFuture<T>, Readiness, Poller),
    /// A waiter polls it on its own thread; waking `WakeFd` interrupts its poll(2).
    Polling(Arc<wake::WakeFd>),
    /// Claimed by an event loop that watches the `Readiness` fd itself and polls the future on
    /// its own thread with its own waker (see `claim.rs`); the lazy queue leaves it alone.
    Claimed(StoredFuture<T>, Readiness),
}

/// What the operation's lock guards (its outcome lives in [`Outcome`], read without it).
struct State<T> {
    handler: Handler,
    /// The done listeners: almost always one (an event loop's), kept inline so registering it
    /// allocates no list.
    first_listener: Option<DoneListener>,
    more_listeners: Vec<DoneListener>,
    task: Option<tokio::task::AbortHandle>,
    driver: Driver<T>,
    /// The completion queue the handler is delivered to (None: the dispatcher); registered
    /// with the queue while the operation runs, so closing the queue cancels it.
    target: Option<CompletionQueue>,
    /// The key `target` knows the operation by (what its `bind` gave; meaningless without one).
    queue_key: u64,
    /// Threads blocked on `done` (a notify with none is skipped: it would be a syscall).
    waiters: u32,
    /// How a result nobody will see goes back where it came from (see `abandon`).
    give_back: Option<GiveBack<T>>,
}

/// The shared state of one operation.
struct Op<T> {
    id: u32,
    /// The status and, once settled, the result or failure (see `outcome.rs`).
    outcome: Outcome<T>,
    state: Mutex<State<T>>,
    done: Condvar,
    /// `AsyncOperation` values alive: when the last goes, nobody can wait any more.
    users: AtomicUsize,
    /// Whether the future is parked for a waiter or the runtime to take (read without the lock
    /// when the last user goes; false while a completion queue drives it).
    parked: AtomicBool,
    /// How a cooperative future is asked to stop (see `cancel.rs`); None: it is dropped.
    signal: Option<CancelSignal>,
}

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

impl<T: Send + Sync + 'static> Op<T> {
    fn new(state: State<T>, signal: Option<CancelSignal>) -> Arc<Self> {
        Arc::new(Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            outcome: Outcome::started(),
            state: Mutex::new(state),
            done: Condvar::new(),
            users: AtomicUsize::new(1),
            parked: AtomicBool::new(false),
            signal,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The status (never blocks).
    fn status(&self) -> AsyncStatus {
        self.outcome.status()
    }

    /// Fails after `Close()`.
    fn check_open(&self) -> Result<()> {
        if self.outcome.is_closed() {
            return Err(closed_error());
        }
        Ok(())
    }

    /// The lock, unless the operation was closed.
    fn open(&self) -> Result<MutexGuard<'_, State<T>>> {
        let st = self.lock();
        self.check_open()?;
        Ok(st)
    }

    /// Runs `fut` as a runtime task (the operation is Started, its future owned by nobody else).
    fn spawn_locked(self: &Arc<Self>, st: &mut State<T>, fut: StoredFuture<T>) {
        st.driver = Driver::Runtime;
        self.parked.store(false, Ordering::Relaxed);
        if self.status() != AsyncStatus::Started {
            // Cancelled before it ran.
            drop(fut);
            return;
        }
        // The task holds the operation: dropping every AsyncOperation never cancels it.
        let guard = SettleOnDrop(Some(self.clone()));
        let task = crate::runtime::handle().spawn(async move {
            let mut guard = guard;
            let outcome = fut.await;
            if let Some(op) = guard.0.take() {
                op.settle(outcome);
            }
        });
        // Settle takes this lock, so the task cannot have finished yet: the handle is current.
        st.task = Some(task.abort_handle());
    }

    /// Binds the operation (Started, its state locked) to `queue` (None: the dispatcher),
    /// replacing an earlier binding. False when `queue` is closed (it stays unbound).
    fn bind_locked(self: &Arc<Self>, st: &mut State<T>, queue: Option<CompletionQueue>) -> bool {
        if let Some(old) = st.target.take() {
            old.unbind(st.queue_key);
        }
        let Some(queue) = queue else { return true };
        let weak: Weak<Op<T>> = Arc::downgrade(self);
        let Some(key) = queue.bind(self.id, weak) else { return false };
        st.target = Some(queue);
        st.queue_key = key;
        true
    }

    /// Moves a started operation to its final state (first caller wins).
    fn settle(self: &Arc<Self>, outcome: Result<T>) {
        let st = self.lock();
        if self.status() == AsyncStatus::Started {
            self.settle_locked(st, outcome);
        }
    }

    /// [`settle`](Self::settle) with the lock held and the status seen Started.
    fn settle_locked(self: &Arc<Self>, mut st: MutexGuard<'_, State<T>>, outcome: Result<T>) -> AsyncStatus {
        let status = self.outcome.publish(&mut st, outcome);
        self.finish(st);
        status
    }

    /// Shared tail of completion and cancellation: wake waiters, run the done listeners,
    /// queue the handler.
    fn finish(&self, mut st: MutexGuard<'_, State<T>>) {
        st.task = None;
        let target = st.target.take();
        let queue_key = st.queue_key;
        let status = self.status();
        let handler = match std::mem::replace(&mut st.handler, Handler::Used) {
            Handler::Set(h) => Some(h),
            other => {
                st.handler = other;
                None
            }
        };
        let first_listener = st.first_listener.take();
        let more_listeners = std::mem::take(&mut st.more_listeners);
        let notify = st.waiters > 0;
        drop(st);
        if notify {
            self.done.notify_all();
        }
        for listener in first_listener.into_iter().chain(more_listeners) {
            listener();
        }
        // The queue forgets the operation and queues its handler under one lock, without
        // another allocation; the handler runs on the dispatcher when there is no queue or it
        // closed meanwhile.
        let handler = match &target {
            Some(queue) => queue.finish_bound(queue_key, handler.map(|h| (h, status))),
            None => handler,
        };
        if let Some(handler) = handler {
            crate::dispatch::deliver(None, move |d| handler.run(status, d.into()));
        }
    }
}

impl<T: Send + Sync + 'static> CancelOnClose for Op<T> {
    fn cancel_for_closed_queue(self: Arc<Self>) {
        self.users.fetch_add(1, Ordering::Relaxed);
        // A finished or IAsyncInfo-closed operation has nothing to cancel.
        let _ = AsyncOperation { op: self }.cancel();
    }
}

/// Settles the operation with `E_UNEXPECTED` if its task ends without a result (a panic in
/// the future); after an abort the operation is already Canceled and this does nothing.
struct SettleOnDrop<T: Send + Sync + 'static>(Option<Arc<Op<T>>>);

impl<T: Send + Sync + 'static> Drop for SettleOnDrop<T> {
    fn drop(&mut self) {
        if let Some(op) = self.0.take() {
            op.settle(Err(Error::new(
                E_UNEXPECTED,
                "the operation's task ended without a result (a panic in netrt)",
            )));
        }
    }
}

/// One asynchronous operation producing a `T` (`IAsyncAction` when `T` is `()`).
///
/// Cloning gives another reference to the same operation (WinRT reference semantics).
/// Dropping every reference never cancels it.
pub struct AsyncOperation<T: Send + Sync + 'static> {
    op: Arc<Op<T>>,
}

impl<T: Send + Sync + 'static> Clone for AsyncOperation<T> {
    fn clone(&self) -> Self {
        self.op.users.fetch_add(1, Ordering::Relaxed);
        Self { op: self.op.clone() }
    }
}

impl<T: Send + Sync + 'static> Drop for AsyncOperation<T> {
    fn drop(&mut self) {
        // The last reference: nobody can wait for a parked operation any more, so the runtime
        // takes it now instead of after the grace period (the rest of a fire-and-forget write
        // goes out at once).
        if self.op.users.fetch_sub(1, Ordering::AcqRel) == 1 && self.op.parked.load(Ordering::Relaxed) {
            driver::spawn_if_parked(&self.op, true);
        }
    }
}

impl<T: Send + Sync + 'static> std::fmt::Debug for AsyncOperation<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncOperation").field("id", &self.op.id).field("status", &self.status()).finish()
    }
}

fn new_state<T>() -> State<T> {
    State {
        handler: Handler::None,
        first_listener: None,
        more_listeners: Vec::new(),
        task: None,
        driver: Driver::Runtime,
        target: None,
        queue_key: 0,
        waiters: 0,
        give_back: None,
    }
}

impl<T: Send + Sync + 'static> AsyncOperation<T> {
    /// Starts an operation running `fut`: polls it once here, inside netrt's runtime context,
    /// and spawns it on the runtime only if it is not finished.
    ///
    /// # Errors
    /// A failure of the first poll that [`is_call_error`] classifies as the caller's mistake is
    /// returned here, and no operation is created. Any other failure completes the operation
    /// with status Error.
    pub fn start(fut: impl Future<Output = Result<T>> + Send + 'static) -> Result<Self> {
        Self::start_on_runtime(Box::pin(fut), None)
    }

    /// As [`start`](Self::start), for work that must not lose what it consumed: `make` gets
    /// a [`CancelToken`] on the operation's signal, and [`cancel`](Self::cancel) asks the future
    /// to stop instead of dropping it (see `cancel.rs` for the future's side of the contract).
    ///
    /// # Errors
    /// As [`start`](Self::start).
    pub fn start_cancellable<F>(make: impl FnOnce(CancelToken) -> F) -> Result<Self>
    where
        F: Future<Output = Result<T>> + Send + 'static,
    {
        // The operation first (its signal inline), then the future that watches it.
        let op = Op::new(new_state(), Some(CancelSignal::default()));
        let fut = make(cancel::token_for(&op));
        Self::start_on_runtime(Box::pin(fut), Some(op))
    }

    fn start_on_runtime(mut fut: BoxFuture<T>, op: Option<Arc<Op<T>>>) -> Result<Self> {
        let first = {
            // The runtime context lets the future register its I/O and timers with netrt's
            // runtime; the no-op waker is replaced by the task's own when the task polls it.
            let _runtime = crate::runtime::runtime().enter();
            fut.as_mut().poll(&mut Context::from_waker(Waker::noop()))
        };
        match first {
            Poll::Ready(Err(e)) if is_call_error(&e) => Err(e),
            Poll::Ready(outcome) => Ok(Self::settled_in(op, outcome)),
            Poll::Pending => {
                let me = Self { op: op.unwrap_or_else(|| Op::new(new_state(), None)) };
                let mut st = me.op.lock();
                me.op.bind_locked(&mut st, CompletionQueue::current());
                me.op.spawn_locked(&mut st, StoredFuture::boxed(fut));
                drop(st);
                Ok(me)
            }
        }
    }

    /// As [`start`](Self::start), for a stream read or write that a blocking waiter may drive
    /// on its own thread: when the first poll is Pending and `readiness` gives the socket's fd,
    /// the future is parked instead of spawned (see the module notes). Every poll runs inside
    /// `io::caller_driven::poll_as_caller` and enters no runtime context.
    #[doc(hidden)]
    pub fn start_caller_driven(
        fut: impl Future<Output = Result<T>> + Send + 'static,
        readiness: impl FnOnce() -> Option<Readiness>,
    ) -> Result<Self> {
        Self::park_or_spawn(StoredFuture::boxed(Box::pin(fut)), readiness, None, None)
    }

    /// [`start_caller_driven`](Self::start_caller_driven) with cooperative cancellation (see
    /// [`start_cancellable`](Self::start_cancellable)).
    #[doc(hidden)]
    pub fn start_caller_driven_cancellable<F>(
        make: impl FnOnce(CancelToken) -> F,
        readiness: impl FnOnce() -> Option<Readiness>,
    ) -> Result<Self>
    where
        F: Future<Output = Result<T>> + Send + 'static,
    {
        let op = Op::new(new_state(), Some(CancelSignal::default()));
        let fut = make(cancel::token_for(&op));
        Self::park_or_spawn(StoredFuture::boxed(Box::pin(fut)), readiness, Some(op), None)
    }

    /// [`start_caller_driven_cancellable`](Self::start_caller_driven_cancellable) for a future
    /// whose readiness is known before its first poll (a socket read that found nothing): a
    /// completion queue can then lend it the socket's waker instead of making one. The future
    /// is `Unpin`: when small, it is kept in the operation itself, not boxed (see
    /// `stored_future.rs`). On a completion queue's thread it is [armed](Armable) instead of
    /// polled when arming is all its first poll would do (see `arm.rs`).
    #[doc(hidden)]
    pub fn start_caller_driven_cancellable_on<F>(
        make: impl FnOnce(CancelToken) -> F,
        ready: Option<Readiness>,
    ) -> Result<Self>
    where
        F: Future<Output = Result<T>> + Armable + Unpin + Send + 'static,
    {
        let op = Op::new(new_state(), Some(CancelSignal::default()));
        let mut fut = make(cancel::token_for(&op));
        let (op, queued) = Self::on_current_queue(Some(op), ready);
        let armed = match (&op, &queued, ready) {
            (Some(op), Some((_, waker)), Some(_)) => arm::arm_first(op, &mut fut, waker),
            _ => false,
        };
        Self::first_poll(StoredFuture::new(fut), move || ready, op, queued, armed)
    }

    /// `known`: the readiness `readiness` will give, when the caller knows it already.
    fn park_or_spawn(
        fut: StoredFuture<T>,
        readiness: impl FnOnce() -> Option<Readiness>,
        op: Option<Arc<Op<T>>>,
        known: Option<Readiness>,
    ) -> Result<Self> {
        let (op, queued) = Self::on_current_queue(op, known);
        Self::first_poll(fut, readiness, op, queued, false)
    }

    /// On a thread with a current completion queue: the operation (made if `op` is `None`) and
    /// the queue with the waker of its first poll there (`known`: as in `park_or_spawn`), so
    /// that the queue can take the future over without a second attempt (see
    /// `queue_drive.rs`). Elsewhere `op` as it was, and no queue.
    fn on_current_queue(op: Option<Arc<Op<T>>>, known: Option<Readiness>) -> (Option<Arc<Op<T>>>, Queued) {
        match CompletionQueue::current() {
            Some(q) => {
                let op = op.unwrap_or_else(|| Op::new(new_state(), None));
                let waker = q.waker_for(known);
                (Some(op), Some((q, waker)))
            }
            None => (op, None),
        }
    }

    /// The operation's first poll, then parked, handed to the queue or spawned. `armed`: the
    /// future was armed with the queue's waker instead ([`Armable`]): it is Pending without
    /// the poll.
    fn first_poll(
        mut fut: StoredFuture<T>,
        readiness: impl FnOnce() -> Option<Readiness>,
        op: Option<Arc<Op<T>>>,
        queued: Queued,
        armed: bool,
    ) -> Result<Self> {
        let (queue, queue_waker) = match queued {
            Some((queue, waker)) => (Some(queue), Some(waker)),
            None => (None, None),
        };
        // This thread's wake fd: the waker of a first poll the queue does not make, and the
        // poller of a future parked for a waiter (a thread-local and an `Arc` clone: not
        // fetched for a queue's operation, which needs neither).
        let wake = if queue_waker.is_none() { wake::thread_wake() } else { None };
        let polled = match &queue_waker {
            Some(_) if armed => Poll::Pending,
            Some(waker) => wake::poll_with(&mut fut, &DrivenWaker::waker(waker)),
            None => wake::poll_on_caller(&mut fut, wake.as_ref()),
        };
        match polled {
            Poll::Ready(Err(e)) if is_call_error(&e) => Err(e),
            Poll::Ready(outcome) => Ok(Self::settled_in(op, outcome)),
            Poll::Pending => {
                let op = op.unwrap_or_else(|| Op::new(new_state(), None));
                let mut st = op.lock();
                let ready = readiness();
                // Bound to a queue, waiting on a socket: bound and handed to the queue in one step
                // (the queue's reference moves to the operation).
                let queue = match (queue, &queue_waker, ready) {
                    (Some(queue), Some(waker), Some(ready)) => {
                        op.parked.store(true, Ordering::Relaxed);
                        st.driver = Driver::Parked(fut, ready, Poller::Stale);
                        let adopted = queue_drive::bind_and_adopt(&op, &mut st, queue, waker);
                        drop(st);
                        if !adopted {
                            // Refused (or the queue closed): its waker is nobody's; it goes on later.
                            lazy::spawn_later(op.clone());
                        }
                        return Ok(Self { op });
                    }
                    (queue, ..) => queue,
                };
                op.bind_locked(&mut st, queue);
                match (ready, wake) {
                    (Some(ready), Some(wake)) => {
                        op.parked.store(true, Ordering::Relaxed);
                        st.driver = Driver::Parked(fut, ready, Poller::Thread(wake));
                        drop(st);
                        lazy::spawn_later(op.clone());
                    }
                    _ => {
                        op.spawn_locked(&mut st, fut);
                        drop(st);
                    }
                }
                Ok(Self { op })
            }
        }
    }

    /// An operation that is already over (the caller did the work synchronously).
    ///
    /// # Errors
    /// As [`start`](Self::start): a call error is returned and creates no operation.
    pub fn completed(outcome: Result<T>) -> Result<Self> {
        match outcome {
            Err(e) if is_call_error(&e) => Err(e),
            outcome => Ok(Self::settled(outcome)),
        }
    }

    /// An operation over already: `op` (made before its future, still unseen) or a new one.
    fn settled_in(op: Option<Arc<Op<T>>>, outcome: Result<T>) -> Self {
        match op {
            Some(op) => {
                op.outcome.publish(&mut op.lock(), outcome);
                Self { op }
            }
            None => Self::settled(outcome),
        }
    }

    fn settled(outcome: Result<T>) -> Self {
        // Settled before anyone can see it: no handler, no waiter to tell, no lock to take.
        // Written straight into the new allocation (a value built first is copied twice more;
        // most stream operations end here).
        let mut op = Arc::<Op<T>>::new_uninit();
        Arc::get_mut(&mut op).expect("a new allocation is unique").write(Op {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            outcome: Outcome::settled(outcome),
            state: Mutex::new(new_state()),
            done: Condvar::new(),
            users: AtomicUsize::new(1),
            parked: AtomicBool::new(false),
            signal: None,
        });
        // SAFETY: initialised just above.
        let op = unsafe { op.assume_init() };
        Self { op }
    }

    /// The operation as one pointer, for a projection's handle table that holds operations
    /// directly (no wrapper allocation per operation): the reference `self` was goes with it
    /// and comes back with [`from_raw`](Self::from_raw).
    #[doc(hidden)]
    pub fn into_raw(self) -> *const () {
        let me = std::mem::ManuallyDrop::new(self);
        Arc::as_ptr(&me.op).cast()
    }

    /// The reference [`into_raw`](Self::into_raw) gave.
    ///
    /// # Safety
    /// `ptr` came from `into_raw` of an `AsyncOperation<T>` of this `T`, and each pointer is
    /// turned back once.
    #[doc(hidden)]
    pub unsafe fn from_raw(ptr: *const ()) -> Self {
        // SAFETY: per the contract, `ptr` is an `Arc<Op<T>>` whose reference `into_raw` kept.
        Self { op: unsafe { Arc::from_raw(ptr.cast()) } }
    }

    /// The operation behind a pointer from [`into_raw`](Self::into_raw), borrowed: no reference
    /// is taken or given back (clone it to keep one).
    ///
    /// # Safety
    /// As [`from_raw`](Self::from_raw), and the reference the pointer stands for outlives the
    /// borrow.
    #[doc(hidden)]
    pub unsafe fn borrow_raw(ptr: *const ()) -> std::mem::ManuallyDrop<Self> {
        // SAFETY: the caller's reference stays; ManuallyDrop never gives it back.
        std::mem::ManuallyDrop::new(unsafe { Self::from_raw(ptr) })
    }

    /// `Id`: unique in the process.
    pub fn id(&self) -> u32 {
        self.op.id
    }

    /// `Status`. Never blocks. Reads the status even after [`close`](Self::close).
    pub fn status(&self) -> AsyncStatus {
        self.op.status()
    }

    /// `Status`, checked as the C API does: fails after [`close`](Self::close); a parked
    /// stream operation gets one non-blocking attempt on this thread first.
    #[doc(hidden)]
    pub fn status_with_attempt(&self) -> Result<AsyncStatus> {
        self.op.check_open()?;
        let status = self.op.status();
        if status == AsyncStatus::Started {
            return Ok(driver::attempt_parked(&self.op));
        }
        Ok(status)
    }

    /// `ErrorCode`: 0 while Started or when Completed, `0x800704C7` when Canceled, the
    /// failure's HRESULT when Error.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` after [`close`](Self::close).
    pub fn error_code(&self) -> Result<HResult> {
        match self.op.outcome.seen() {
            Seen::Closed => Err(closed_error()),
            Seen::Started | Seen::Settled(_, Ok(_)) => Ok(0),
            Seen::Settled(_, Err(e)) => Ok(e.hresult()),
            Seen::GivenBack => Ok(E_CANCELLED),
        }
    }

    /// The failure (or the cancellation) with its detail message; `None` otherwise.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` after [`close`](Self::close).
    pub fn error(&self) -> Result<Option<Error>> {
        match self.op.outcome.seen() {
            Seen::Closed => Err(closed_error()),
            Seen::Started | Seen::Settled(_, Ok(_)) => Ok(None),
            Seen::Settled(_, Err(e)) => Ok(Some(e.clone())),
            Seen::GivenBack => Ok(Some(outcome::given_back_error())),
        }
    }

    /// Blocks until the operation leaves Started or `deadline` passes; returns whether it has
    /// left Started. A parked stream operation is driven on this thread (see the module
    /// notes); one still Started at the deadline goes on, on the runtime.
    pub fn wait(&self, deadline: Option<Instant>) -> bool {
        if self.op.status() != AsyncStatus::Started {
            return true;
        }
        if let Ok(done) = driver::wait_fast(&self.op, deadline) {
            return done;
        }
        let op = &self.op;
        let mut st = op.lock();
        // Settling happens under the lock: the status checked here cannot change before this
        // thread sleeps on the condvar.
        while op.status() == AsyncStatus::Started {
            st.waiters += 1;
            st = match deadline {
                None => op.done.wait(st).unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        st.waiters -= 1;
                        return false;
                    }
                    op.done.wait_timeout(st, d - now).unwrap_or_else(|e| e.into_inner()).0
                }
            };
            st.waiters -= 1;
        }
        true
    }

    /// `Cancel()`: a Started operation ends with status Canceled (error code `0x800704C7`),
    /// and its future is dropped — this returns once it has been (a bounded wait of at most
    /// 1 s, normally microseconds), so the socket or reader is free for a new operation at
    /// once. Cancelling a finished operation does nothing.
    ///
    /// An operation started with a [`CancelToken`] (reads) is asked to stop instead: if it
    /// had already consumed data, it ends **Completed** with that data — a cancelled read never
    /// loses bytes — otherwise Canceled; either way this returns once it has ended.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` after [`close`](Self::close).
    pub fn cancel(&self) -> Result<()> {
        self.op.check_open()?;
        if self.op.status() != AsyncStatus::Started {
            return Ok(());
        }
        if cancel::ask(&self.op) {
            return Ok(());
        }
        self.cancel_by_dropping()
    }

    /// How this operation's result goes back where it came from when nobody will see it
    /// (see [`abandon`](Self::abandon)); a read sets it to return its bytes to its stream.
    #[doc(hidden)]
    pub fn set_give_back(&self, give_back: impl FnOnce(&T) -> bool + Send + 'static) {
        self.op.lock().give_back = Some(Box::new(give_back));
    }

    /// The code waiting for this operation gave up on it (Python: the task awaiting it was
    /// cancelled). It is cancelled as by [`cancel`](Self::cancel); and if it completed anyway
    /// — before or while being cancelled — and has a [`GiveBack`], its result goes back (a
    /// read's bytes to the stream, where the next read finds them first) and the operation
    /// reports Canceled from then on, so no byte is lost and none is seen twice. This is the
    /// one place that rule lives; without a `GiveBack` the result stays.
    ///
    /// # Errors
    /// `E_ILLEGAL_METHOD_CALL` after [`close`](Self::close).
    #[doc(hidden)]
    pub fn abandon(&self) -> Result<()> {
        self.cancel()?;
        let mut st = self.op.open()?;
        let Some(result) = self.op.outcome.completed_result(&mut st) else { return Ok(()) };
        let Some(give_back) = st.give_back.take() else { return Ok(()) };
        if give_back(result) {
            // The result stays in place (a reader may hold it) but is nobody's any more.
            self.op.outcome.give_back(&mut st);
        }
        Ok(())
    }

    /// Cancels by dropping the future (or aborting its task), then waits until it is gone.
    fn cancel_by_dropping(&self) -> Result<()> {
        let op = &self.op;
        let mut st = op.open()?;
        if op.status() != AsyncStatus::Started {
            return Ok(());
        }
        op.outcome.publish(&mut st, Err(Error::new(E_CANCELLED, "the operation was cancelled")));
        let task = st.task.take();
        if let Some(task) = &task {
            task.abort();
        }
        // A parked future is dropped here (after the lock); a polling waiter is woken and drops
        // its future itself: wait (bounded) until it has, as for an aborted task.
        let parked = match std::mem::replace(&mut st.driver, Driver::Runtime) {
            Driver::Parked(fut, ..) | Driver::Claimed(fut, _) => Some(fut),
            Driver::Polling(wake) => {
                wake.signal();
                st.driver = Driver::Polling(wake);
                None
            }
            Driver::Runtime => None,
        };
        op.parked.store(false, Ordering::Relaxed);
        op.finish(st);
        drop(parked);
        if let Some(task) = task {
            await_abort(&task);
        }
        let deadline = Instant::now() + Duration::from_secs(1);
        let mut st = op.lock();
        while matches!(st.driver, Driver::Polling(_)) {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            st.waiters += 1;
            st = op.done.wait_timeout(st, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
            st.waiters -= 1;
        }
        Ok(())
    }

    /// `Close()`: allowed once the operation is done; its results become unreachable (their
    /// memory goes with the operation's last reference: a reader on another thread may still
    /// be looking at them). Afterwards every member but [`status`](Self::status),
    /// [`wait`](Self::wait) and [`id`](Self::id) fails with `E_ILLEGAL_METHOD_CALL`.
    ///
    /// # Errors
    /// `E_ILLEGAL_STATE_CHANGE` while Started.
    pub fn close(&self) -> Result<()> {
        let mut st = self.op.lock();
        if self.op.status() == AsyncStatus::Started {
            return Err(Error::new(E_ILLEGAL_STATE_CHANGE, "an operation cannot be closed while it runs"));
        }
        self.op.outcome.close(&mut st);
        Ok(())
    }

    /// Binds the operation to `queue` — its Completed handler then runs inside that queue's
    /// [`dispatch`](CompletionQueue::dispatch) — or, with None, to netrt's dispatcher thread,
    /// overriding the thread's current queue it was bound to when it started. Call it before
    /// [`set_completed`](Self::set_completed). On a finished operation it changes nothing (a
    /// handler set now runs inline). Closing the queue cancels the operation if it still runs.
    ///
    /// # Errors
    /// `RO_E_CLOSED` when `queue` is closed; `E_ILLEGAL_METHOD_CALL` once the Completed handler
    /// is set, or after [`close`](Self::close).
    pub fn set_completion_queue(&self, queue: Option<&CompletionQueue>) -> Result<()> {
        let mut st = self.op.open()?;
        if !matches!(st.handler, Handler::None) {
            return Err(Error::new(
                E_ILLEGAL_METHOD_CALL,
                "the completion queue must be set before the Completed handler",
            ));
        }
        if queue.is_some_and(CompletionQueue::is_closed) {
            return Err(Error::new(RO_E_CLOSED, "the completion queue was closed"));
        }
        if self.op.status() == AsyncStatus::Started && !self.op.bind_locked(&mut st, queue.cloned()) {
            return Err(Error::new(RO_E_CLOSED, "the completion queue was closed"));
        }
        Ok(())
    }

    /// The completion queue the operation is bound to while it runs (None: the dispatcher).
    pub fn completion_queue(&self) -> Option<CompletionQueue> {
        self.op.lock().target.clone()
    }

    /// Sets the `Completed` handler: exactly once per operation. It runs once, on the
    /// dispatcher thread or inside the `dispatch` of the completion queue the operation is
    /// bound to — or inline, on this thread before this returns, when the operation has
    /// already finished. A parked stream operation moves to the runtime (the handler must
    /// run without anyone waiting).
    ///
    /// # Errors
    /// `E_ILLEGAL_DELEGATE_ASSIGNMENT` when a handler was set before (even if it ran);
    /// `E_ILLEGAL_METHOD_CALL` after [`close`](Self::close).
    pub fn set_completed(&self, handler: CompletedHandler) -> Result<()> {
        self.set_completed_with(handler)
    }

    /// [`set_completed`](Self::set_completed) for a handler that is not boxed: one of up to
    /// four words (a C projection's function, user data and handle) is kept in place, so
    /// setting it allocates nothing; on an operation that has finished — a read or write that
    /// completed when it started — it runs inline.
    ///
    /// # Errors
    /// As [`set_completed`](Self::set_completed).
    #[doc(hidden)]
    pub fn set_completed_with(
        &self,
        handler: impl FnOnce(AsyncStatus, CompletedDelivery) + Send + 'static,
    ) -> Result<()> {
        let mut st = self.op.open()?;
        if !matches!(st.handler, Handler::None) {
            return Err(completed_handler_already_set());
        }
        if self.op.status() == AsyncStatus::Started {
            st.handler = Handler::Set(StoredHandler::new(handler));
            // A future a completion queue drives stays with it (the handler runs in its
            // dispatch); nothing to move.
            let queue_driven = matches!(st.driver, Driver::Parked(_, _, Poller::Queue(_)));
            drop(st);
            // A claimed operation goes on being driven by its event loop; the handler is posted
            // when it ends, as for any other.
            if !queue_driven {
                driver::spawn_if_parked(&self.op, false);
            }
            return Ok(());
        }
        st.handler = Handler::Used;
        let status = self.op.status();
        drop(st);
        handler(status, CompletedDelivery::Inline);
        Ok(())
    }

    /// Registers `listener` to run when the operation leaves Started, inline on the thread that
    /// finishes it. Returns false (and drops `listener`) when it already has.
    pub fn on_done(&self, listener: DoneListener) -> bool {
        let mut st = self.op.lock();
        if self.op.status() != AsyncStatus::Started {
            return false;
        }
        if st.first_listener.is_none() {
            st.first_listener = Some(listener);
        } else {
            // Rare (several loops awaiting one operation): no room for four.
            st.more_listeners.reserve_exact(1);
            st.more_listeners.push(listener);
        }
        true
    }

    /// `GetResults()`, giving `f` the result to read.
    ///
    /// # Errors
    /// While Started `E_ILLEGAL_METHOD_CALL`; Canceled `0x800704C7`; Error the failure;
    /// after [`close`](Self::close) `E_ILLEGAL_METHOD_CALL`.
    pub fn with_results<R>(&self, f: impl FnOnce(&T) -> R) -> Result<R> {
        // Without the lock: a settled outcome never changes (see `outcome.rs`).
        match self.op.outcome.seen() {
            Seen::Closed => Err(closed_error()),
            Seen::Started => {
                Err(Error::new(E_ILLEGAL_METHOD_CALL, "GetResults: the operation has not completed"))
            }
            Seen::Settled(_, Ok(r)) => Ok(f(r)),
            Seen::Settled(AsyncStatus::Canceled, Err(_)) | Seen::GivenBack => {
                Err(Error::new(E_CANCELLED, "GetResults: the operation was cancelled"))
            }
            Seen::Settled(_, Err(e)) => Err(e.clone()),
        }
    }

    /// `GetResults()`.
    ///
    /// # Errors
    /// As [`with_results`](Self::with_results).
    pub fn results(&self) -> Result<T>
    where
        T: Clone,
    {
        self.with_results(T::clone)
    }

    /// Awaits the operation without blocking a thread and returns its results (its Completed
    /// handler stays free for the app). Dropping the future before the operation finished
    /// cancels the operation: an operation that wraps this one (a projection's, or a composed
    /// one) cancels what it wraps when it is itself cancelled.
    ///
    /// # Errors
    /// As [`with_results`](Self::with_results).
    pub async fn finished(self) -> Result<T>
    where
        T: Clone,
    {
        /// Cancels the operation unless the wait reached its end.
        struct CancelOnDrop<'a, T: Send + Sync + 'static>(Option<&'a AsyncOperation<T>>);
        impl<T: Send + Sync + 'static> Drop for CancelOnDrop<'_, T> {
            fn drop(&mut self) {
                if let Some(op) = self.0.take()
                    && op.status() == AsyncStatus::Started
                {
                    let _ = op.cancel();
                }
            }
        }
        let mut guard = CancelOnDrop(Some(&self));
        let (done, wait) = tokio::sync::oneshot::channel::<()>();
        if self.on_done(Box::new(move || {
            let _ = done.send(());
        })) {
            let _ = wait.await;
        }
        guard.0 = None;
        self.results()
    }

    /// Waits (blocking this thread) and returns the results, as C++/WinRT's `.get()`.
    ///
    /// # Errors
    /// As [`with_results`](Self::with_results).
    pub fn get(&self) -> Result<T>
    where
        T: Clone,
    {
        self.wait(None);
        self.results()
    }
}

/// `E_ILLEGAL_METHOD_CALL` for a member called after `Close()`.
fn closed_error() -> Error {
    Error::new(E_ILLEGAL_METHOD_CALL, "the operation was closed (IAsyncInfo.Close)")
}

/// Waits (bounded) until an aborted task's future has been dropped on the runtime, so the
/// object it worked on is free again when `cancel` returns (a new read on the same socket
/// right after cancelling one must not find the old one still pending).
fn await_abort(task: &tokio::task::AbortHandle) {
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut spins = 0u32;
    while !task.is_finished() && Instant::now() < deadline {
        if spins < 64 {
            std::thread::yield_now();
            spins += 1;
        } else {
            std::thread::sleep(Duration::from_micros(100));
        }
    }
}

/// The error of a second Completed handler: one per operation, even after it ran (also in its
/// settled-value form, `settled_value.rs`).
fn completed_handler_already_set() -> Error {
    Error::new(E_ILLEGAL_DELEGATE_ASSIGNMENT, "the Completed handler is already set")
}

#[cfg(test)]
mod tests;
