//! Asynchronous operations (DESIGN §4): IAsyncAction / IAsyncOperation<T> as handles.
//!
//! An operation is a core future. It is first polled once on the caller's thread (inside the
//! runtime context, with a no-op waker): a read whose data is already there, or a write the
//! kernel takes at once, completes right there with no thread hop — a following blocking
//! `netrt_async_wait` returns at once. Only a future that would block is spawned as a task on
//! netrt's runtime. An argument or state error found by that first poll is returned
//! synchronously and creates no operation.
//!
//! Completion handlers run on netrt's dispatcher thread (`netrt_core::dispatch`), never on a
//! runtime worker, except that a handler set on an already completed operation runs inline.
//!
//! ## Blocking-wait fast path (reads and writes on TCP streams, plain or TLS)
//!
//! A read or write whose first poll is Pending and whose stream has a readiness fd
//! (`InputStream::readiness_fd` / `OutputStream::readiness_fd`) is not spawned at once: the
//! operation *parks* its future, so a `netrt_async_wait` — the common "start, then block"
//! pattern — can poll(2) the fd itself and re-poll the future on its own thread, with no runtime
//! thread on the path from the kernel to the caller. Every poll made here runs inside core's
//! `poll_as_caller`: a socket read or write that would block returns Pending without arming the
//! reactor (a socket driven only this way is never registered with it, so no runtime thread
//! wakes per packet — except a TLS socket, registered by its handshake on the runtime), and
//! each re-poll retries the syscall. Where the future is (`Driver`,
//! under the operation's mutex; exactly one party polls it at a time):
//!
//! ```text
//!            start: first poll Pending + readiness fd
//!                         │
//!                         ▼
//!                   Parked(fut, fd) ──── set_completed / grace period over (lazy queue)
//!                         │        │                  │ spawn
//!     netrt_async_wait    │        │ cancel           ▼
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
//!   task (CancelIOAsync, a close) also wakes the waiter; `netrt_async_cancel` wakes it the
//!   same way. Other waiters (other threads) block on the condvar.
//! * The first poll (in `start`) already used the starting thread's waker, so when that thread
//!   waits it sleeps before re-polling (the syscall was tried an instant ago); another thread
//!   re-polls first, to move the wake-ups to its own eventfd.
//! * A future still Pending twice in a row while poll(2) reports its fd ready waits on something
//!   else (a lock inside core): the waiter then pauses briefly between polls instead of
//!   spinning (`FRUITLESS_PAUSE`; its waker still wakes it at once).
//! * A wait that times out hands the future to the runtime (the operation goes on there).
//! * `netrt_async_set_completed` on a parked operation spawns it at once (handlers must run
//!   without anyone waiting). An operation nobody waits for is spawned by the lazy queue (a
//!   runtime task) after `PARK_GRACE`; the queue holds the operation, so releasing every
//!   handle still never cancels it. Releasing the last handle of a parked operation spawns it
//!   at once (nobody can wait for it any more).
//! * `netrt_async_get_status` on a parked operation polls its future once, on the caller's
//!   thread, under the operation's lock (one non-blocking syscall): a caller that checks the
//!   status in a loop instead of waiting sees it complete without the lazy queue's delay.

use std::cell::RefCell;
use std::ffi::{c_char, c_void};
use std::future::Future;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use netrt_core::Error;
use netrt_core::error::hresult::{
    E_BOUNDS, E_CANCELLED, E_HANDLE, E_ILLEGAL_DELEGATE_ASSIGNMENT, E_ILLEGAL_METHOD_CALL,
    E_ILLEGAL_STATE_CHANGE, E_INVALID_OPERATION, E_INVALIDARG, E_NO_UNICODE_TRANSLATION, E_NOTIMPL,
    E_POINTER, E_WAIT_TIMEOUT, RO_E_CLOSED, WSATYPE_NOT_FOUND_HR,
};

use crate::boundary::{Out, netrt_handle, netrt_hresult, null};
use crate::enums::netrt_async_status;
use crate::handle;
use crate::object::{Object, Value};
use crate::strings::str_out;
use netrt_core::io::caller_driven::poll_as_caller;

/// `netrt_async_wait` timeout meaning "wait until the operation leaves Started".
pub const NETRT_INFINITE: u32 = 0xFFFF_FFFF;

/// A completion handler: `user_data` as given to `netrt_async_set_completed`, the operation
/// (a handle borrowed for the duration of the call: do not release it; duplicate it to keep
/// it), and the status it ended with.
pub type netrt_async_completed_handler =
    Option<unsafe extern "C" fn(user_data: *mut c_void, op: netrt_handle, status: netrt_async_status)>;

/// What a completed operation produced.
pub(crate) enum OpResult {
    Unit,
    U32(u32),
    Bool(bool),
    Object(Arc<Object>),
}

/// The boxed future an operation runs.
pub(crate) type OpFuture = Pin<Box<dyn Future<Output = Result<OpResult, Error>> + Send + 'static>>;

/// The fd a parked operation's waiter polls, and for what.
#[derive(Clone, Copy)]
pub(crate) struct Readiness {
    fd: RawFd,
    events: libc::c_short,
}

impl Readiness {
    /// Progress once `fd` is readable (a read).
    pub(crate) fn readable(fd: RawFd) -> Self {
        Self { fd, events: libc::POLLIN }
    }

    /// Progress once `fd` is writable (a write).
    pub(crate) fn writable(fd: RawFd) -> Self {
        Self { fd, events: libc::POLLOUT }
    }
}

/// `user_data` crosses threads; the C caller owns what it points to.
#[derive(Clone, Copy)]
struct UserData(*mut c_void);
// SAFETY: an opaque token handed back to the caller's handler; netrt never dereferences it.
unsafe impl Send for UserData {}

enum Handler {
    None,
    Set(unsafe extern "C" fn(*mut c_void, netrt_handle, netrt_async_status), UserData),
    Used,
}

/// Where the operation's future is (see the module notes).
enum Driver {
    /// On the runtime as a task, or gone (completed, cancelled, or completed on the first poll).
    Runtime,
    /// Parked: nobody polls it; the next waiter (or the runtime) takes it. The `WakeFd` is the
    /// waker its last poll registered.
    Parked(OpFuture, Readiness, Arc<WakeFd>),
    /// A waiter polls it on its own thread; waking `WakeFd` interrupts its poll(2).
    Polling(Arc<WakeFd>),
}

struct State {
    status: netrt_async_status,
    error: Option<Error>,
    result: Option<OpResult>,
    handler: Handler,
    task: Option<tokio::task::AbortHandle>,
    closed: bool,
    driver: Driver,
    /// Threads blocked on `done` (a notify with none is skipped: it would be a syscall).
    waiters: u32,
}

impl State {
    /// Completed with a result, or Error with the failure.
    fn record(&mut self, outcome: Result<OpResult, Error>) {
        match outcome {
            Ok(r) => {
                self.status = netrt_async_status::Completed;
                self.result = Some(r);
            }
            Err(e) => {
                self.status = netrt_async_status::Error;
                self.error = Some(e);
            }
        }
    }
}

/// One asynchronous operation.
pub struct AsyncOp {
    state: Mutex<State>,
    done: Condvar,
}

impl AsyncOp {
    fn new() -> Self {
        Self {
            state: Mutex::new(State {
                status: netrt_async_status::Started,
                error: None,
                result: None,
                handler: Handler::None,
                task: None,
                closed: false,
                driver: Driver::Runtime,
                waiters: 0,
            }),
            done: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// IAsyncInfo.Close: allowed once the operation is done; drops its results.
    pub(crate) fn close(&self) -> netrt_core::Result<()> {
        let mut st = self.lock();
        if st.status == netrt_async_status::Started {
            return Err(Error::new(E_ILLEGAL_STATE_CHANGE, "an operation cannot be closed while it runs"));
        }
        st.closed = true;
        st.result = None;
        Ok(())
    }

    fn open(&self) -> netrt_core::Result<MutexGuard<'_, State>> {
        let st = self.lock();
        if st.closed {
            return Err(Error::new(E_ILLEGAL_METHOD_CALL, "the operation was closed (IAsyncInfo.Close)"));
        }
        Ok(st)
    }
}

/// Errors a first poll may report synchronously: the call itself was wrong (arguments, object
/// state). Anything else (a network failure) belongs to the operation.
fn is_sync_error(e: &Error) -> bool {
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

/// Starts an operation running `fut` and issues its handle (see the module notes).
pub(crate) fn start(
    fut: impl Future<Output = Result<OpResult, Error>> + Send + 'static,
) -> Result<netrt_handle, Error> {
    start_polled(fut, || None, PollScope::Runtime)
}

/// What a first poll on the caller's thread needs around it.
#[derive(Clone, Copy, PartialEq)]
enum PollScope {
    /// The runtime entered: the future may create tokio resources (sockets, timers, tasks).
    Runtime,
    /// Nothing: a stream read or write only polls resources that exist (registered sockets,
    /// tokio's sync primitives), which needs no runtime context.
    Stream,
}

/// As [`start`], for a stream read or write: when the first poll is Pending and `readiness`
/// gives an fd, the future is parked for the blocking-wait fast path instead of being spawned.
/// Its polls on the caller's thread enter no runtime context ([`PollScope::Stream`]).
pub(crate) fn start_with(
    fut: impl Future<Output = Result<OpResult, Error>> + Send + 'static,
    readiness: impl FnOnce() -> Option<Readiness>,
) -> Result<netrt_handle, Error> {
    start_polled(fut, readiness, PollScope::Stream)
}

fn start_polled(
    fut: impl Future<Output = Result<OpResult, Error>> + Send + 'static,
    readiness: impl FnOnce() -> Option<Readiness>,
    scope: PollScope,
) -> Result<netrt_handle, Error> {
    let mut fut: OpFuture = Box::pin(fut);
    let wake = THREAD_WAKE.try_with(|w| w.clone()).ok().flatten();
    let first = poll_on_caller(&mut fut, wake.as_ref(), scope);
    let obj = Object::new(Value::AsyncOp(AsyncOp::new()));
    let op = op_in(&obj);
    match first {
        Poll::Ready(Err(e)) if is_sync_error(&e) => Err(e),
        Poll::Ready(outcome) => {
            settle(&obj, outcome);
            handle::issue(obj)
        }
        Poll::Pending => {
            let h = handle::issue(obj.clone())?;
            let mut st = op.lock();
            match (readiness(), wake) {
                (Some(ready), Some(wake)) => {
                    st.driver = Driver::Parked(fut, ready, wake);
                    drop(st);
                    lazy_spawn_later(obj);
                }
                _ => spawn_locked(&obj, &mut st, fut),
            }
            Ok(h)
        }
    }
}

/// An operation that is already over (the work was done synchronously by the caller). As with
/// [`start`], an argument or state error is returned instead and creates no operation.
pub(crate) fn finished(outcome: Result<OpResult, Error>) -> Result<netrt_handle, Error> {
    if let Err(e) = &outcome
        && is_sync_error(e)
    {
        return Err(outcome.err().expect("checked above"));
    }
    // Settled before anyone can see it: no lock, no handler, no waiter to tell.
    let mut op = AsyncOp::new();
    op.state.get_mut().unwrap_or_else(|e| e.into_inner()).record(outcome);
    handle::issue(Object::new(Value::AsyncOp(op)))
}

/// Polls `fut` once on this thread, socket readiness left to this thread (core's
/// `poll_as_caller`), with `wake` (this thread's eventfd) as the waker — a no-op one without.
fn poll_on_caller(
    fut: &mut OpFuture,
    wake: Option<&Arc<WakeFd>>,
    scope: PollScope,
) -> Poll<Result<OpResult, Error>> {
    let waker = wake.map_or_else(|| Waker::noop().clone(), |w| Waker::from(w.clone()));
    let _runtime = (scope == PollScope::Runtime).then(|| netrt_core::runtime::runtime().enter());
    let mut cx = Context::from_waker(&waker);
    poll_as_caller(|| fut.as_mut().poll(&mut cx))
}

/// Runs `fut` as a runtime task (the operation is Started, its future owned by nobody else).
fn spawn_locked(obj: &Arc<Object>, st: &mut State, fut: OpFuture) {
    st.driver = Driver::Runtime;
    if st.status != netrt_async_status::Started {
        // Cancelled before it ran (through a handle guessed from another thread).
        drop(fut);
        return;
    }
    // The task holds the operation object: releasing every handle never cancels it.
    let task_obj = obj.clone();
    let task = netrt_core::runtime::handle().spawn(async move {
        let outcome = fut.await;
        settle(&task_obj, outcome);
    });
    // Settle takes this lock, so the task cannot have finished yet: the handle is current.
    st.task = Some(task.abort_handle());
}

/// Spawns a parked future (no-op in any other state).
fn spawn_if_parked(obj: &Arc<Object>) {
    let mut st = op_in(obj).lock();
    if st.status != netrt_async_status::Started {
        return;
    }
    if let Driver::Parked(..) = st.driver {
        let Driver::Parked(fut, ..) = std::mem::replace(&mut st.driver, Driver::Runtime) else {
            unreachable!("checked above")
        };
        spawn_locked(obj, &mut st, fut);
    }
}

/// A handle of the operation `obj` was released (its reference not yet dropped). If that was
/// the last handle of a parked operation, nobody can wait for it or poll its status any more:
/// the runtime takes it now instead of after the lazy queue's grace period — the remainder of a
/// fire-and-forget write goes out at once, not 5–10 ms later behind the caller's next request.
pub(crate) fn handle_released(obj: &Arc<Object>) {
    // A parked operation is held by its lazy-queue entry (or the queue's batch in hand) and by
    // its handles; anything else holding it (a waiter, a status poll) came through a handle.
    // So two references are this handle's and the queue's. One: it was not parked (nothing to
    // do, and no lock to take on the hot path); more: another handle or a waiter has it.
    if Arc::strong_count(obj) == 2 {
        spawn_if_parked(obj);
    }
}

/// How long the fast path sleeps when its fd is ready but the future makes no progress.
const FRUITLESS_PAUSE: Duration = Duration::from_millis(1);

/// How long a parked operation waits for a `netrt_async_wait` before the runtime takes it.
const PARK_GRACE: Duration = Duration::from_millis(5);

#[cfg(test)]
thread_local! {
    /// A test's grace period for the operations it starts on its thread (to keep them parked).
    pub(crate) static PARK_GRACE_HERE: std::cell::Cell<Option<Duration>> = const { std::cell::Cell::new(None) };
}

/// The grace period of an operation parked now.
fn park_grace() -> Duration {
    #[cfg(test)]
    if let Some(grace) = PARK_GRACE_HERE.with(|g| g.get()) {
        return grace;
    }
    PARK_GRACE
}

/// A parked operation and when to spawn it if nobody came to wait.
type LazyEntry = (Instant, Arc<Object>);

/// The lazy queue: parked operations nobody may come to wait for.
pub(crate) struct LazyQueue {
    entries: Mutex<Vec<LazyEntry>>,
    wake: tokio::sync::Notify,
}

/// The queue of the current runtime (a new one after fork: the old task is gone with its runtime).
static LAZY: Mutex<Option<(usize, Arc<LazyQueue>)>> = Mutex::new(None);

/// Takes the lazy queue's slot for the duration of a fork() (see `crate::fork`).
pub(crate) fn lock_for_fork() -> MutexGuard<'static, Option<(usize, Arc<LazyQueue>)>> {
    LAZY.lock().unwrap_or_else(|e| e.into_inner())
}

thread_local! {
    /// This thread's copy of `LAZY` (a parked operation per read would otherwise take that
    /// process-wide lock each time). Keyed by runtime like `LAZY`: stale after fork.
    static LAZY_HERE: RefCell<Option<(usize, Arc<LazyQueue>)>> = const { RefCell::new(None) };
}

fn lazy_spawn_later(obj: Arc<Object>) {
    let rt = netrt_core::runtime::runtime();
    let key = rt as *const tokio::runtime::Runtime as usize;
    let mut obj = Some(obj);
    let _ = LAZY_HERE.try_with(|here| {
        if let Some((k, queue)) = &*here.borrow()
            && *k == key
            && let Some(obj) = obj.take()
        {
            queue.push(obj);
        }
    });
    let Some(obj) = obj else { return };
    let queue = {
        let mut slot = LAZY.lock().unwrap_or_else(|e| e.into_inner());
        match &*slot {
            Some((k, q)) if *k == key => q.clone(),
            _ => {
                let q =
                    Arc::new(LazyQueue { entries: Mutex::new(Vec::new()), wake: tokio::sync::Notify::new() });
                rt.spawn(run_lazy_queue(q.clone()));
                *slot = Some((key, q.clone()));
                q
            }
        }
    };
    queue.push(obj);
    let _ = LAZY_HERE.try_with(|here| *here.borrow_mut() = Some((key, queue)));
}

impl LazyQueue {
    fn push(&self, obj: Arc<Object>) {
        let was_empty = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            entries.push((Instant::now() + park_grace(), obj));
            entries.len() == 1
        };
        if was_empty {
            self.wake.notify_one();
        }
    }
}

/// The lazy queue's task: at each entry's deadline, spawns the operation if it is still parked
/// (a done or polled one is just dropped). Entries stay until their deadline, so under steady
/// traffic the queue is never empty, pushes need no wake-up, and the task wakes about once per
/// `PARK_GRACE` for a whole batch (an entry is spawned between one and two grace periods).
async fn run_lazy_queue(queue: Arc<LazyQueue>) {
    loop {
        let now = Instant::now();
        let mut due = Vec::new();
        let next = {
            let mut entries = queue.entries.lock().unwrap_or_else(|e| e.into_inner());
            let mut i = 0;
            while i < entries.len() {
                if entries[i].0 <= now {
                    let (_, obj) = entries.swap_remove(i);
                    due.push(obj);
                } else {
                    i += 1;
                }
            }
            entries.iter().map(|(when, ..)| *when).min()
        };
        for obj in due {
            spawn_if_parked(&obj);
        }
        match next {
            Some(when) => tokio::time::sleep_until(when.max(now + PARK_GRACE).into()).await,
            None => queue.wake.notified().await,
        }
    }
}

/// A thread's eventfd that interrupts its poll(2): the waker of futures it polls, and what
/// `netrt_async_cancel` signals. Shared by `Arc` so a late wake never hits a reused fd.
struct WakeFd(OwnedFd);

impl WakeFd {
    fn new() -> Option<Arc<Self>> {
        // SAFETY: plain syscall; the fd is owned below.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        // SAFETY: a fresh fd we own.
        (fd >= 0).then(|| Arc::new(Self(unsafe { OwnedFd::from_raw_fd(fd) })))
    }

    fn signal(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a valid u64 to our eventfd (never blocks: EFD_NONBLOCK).
        let _ = unsafe { libc::write(self.0.as_raw_fd(), (&one as *const u64).cast(), 8) };
    }

    fn drain(&self) {
        let mut v: u64 = 0;
        // SAFETY: reads 8 bytes into a valid u64 (never blocks).
        let _ = unsafe { libc::read(self.0.as_raw_fd(), (&mut v as *mut u64).cast(), 8) };
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

/// Waits on `ready` (when `Some`) and `wake` until either is ready or `timeout` passes (None:
/// no limit). Returns whether `ready`'s fd is ready (or hung up, or in error).
fn poll_fds(ready: Option<Readiness>, wake: &WakeFd, timeout: Option<Duration>) -> bool {
    let (fd, events) = ready.map_or((-1, 0), |r| (r.fd, r.events));
    let mut fds = [
        // A negative fd is ignored by poll(2).
        libc::pollfd { fd, events, revents: 0 },
        libc::pollfd { fd: wake.0.as_raw_fd(), events: libc::POLLIN, revents: 0 },
    ];
    let ms = match timeout {
        None => -1,
        // Round up so a short remainder does not spin.
        Some(t) => t.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32,
    };
    // SAFETY: two valid pollfd entries.
    let _ = unsafe { libc::poll(fds.as_mut_ptr(), 2, ms) };
    if fds[1].revents != 0 {
        wake.drain();
    }
    fds[0].revents != 0
}

/// The fast path of `netrt_async_wait`: if the future is parked, this thread takes it and
/// drives it until the operation is done (`Ok(true)`), or the deadline passes (the future goes
/// to the runtime; `Ok(false)`). `Err(())`: not parked (or no eventfd) — wait on the condvar.
fn wait_fast(obj: &Arc<Object>, deadline: Option<Instant>) -> Result<bool, ()> {
    let op = op_in(obj);
    let wake = THREAD_WAKE.try_with(|w| w.clone()).ok().flatten().ok_or(())?;
    let (mut fut, ready, polled_with) = {
        let mut st = op.lock();
        if st.status != netrt_async_status::Started || !matches!(st.driver, Driver::Parked(..)) {
            return Err(());
        }
        let Driver::Parked(fut, ready, polled_with) =
            std::mem::replace(&mut st.driver, Driver::Polling(wake.clone()))
        else {
            unreachable!("checked above")
        };
        (fut, ready, polled_with)
    };
    // Polls in a row that found the fd ready and still left the future Pending. Once is normal
    // (a read with options None took what was there and wants more; a write filled the buffer
    // again); twice means it waits for something else (a lock inside core), and a
    // level-triggered poll(2) would spin: sleep a little instead, still woken by `wake`.
    let mut fruitless = 0u32;
    // When this thread made the last poll, its waker is in place and the syscall was tried an
    // instant ago: sleep first. Otherwise poll now, so wake-ups reach this thread's eventfd.
    let mut fd_ready =
        Arc::ptr_eq(&polled_with, &wake).then(|| poll_fds(Some(ready), &wake, remaining(deadline)));
    drop(polled_with);
    loop {
        // Only `start_with`'s stream futures are ever parked.
        let polled = poll_on_caller(&mut fut, Some(&wake), PollScope::Stream);
        fruitless = if polled.is_pending() && fd_ready == Some(true) { fruitless + 1 } else { 0 };
        let mut st = op.lock();
        if st.status != netrt_async_status::Started {
            // Cancelled while we polled: drop the future (aborting the work) before cancel returns.
            // `cancel` waits until the driver leaves Polling, i.e. until the future is gone.
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
                settle_locked(obj, st, outcome);
                return Ok(true);
            }
            Poll::Pending => {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    spawn_locked(obj, &mut st, fut);
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

/// A status check's attempt at a parked operation: one poll of its future on this thread (under
/// the operation's lock; a stream future never waits inside a poll), so a caller that polls the
/// status instead of waiting sees the read or write complete as soon as the socket allows —
/// not only once the lazy queue hands the operation to the runtime. The future stays parked
/// when it is still Pending, with this thread's waker, as after a wait's poll. Returns the
/// status after the attempt.
fn attempt_parked(obj: &Arc<Object>) -> netrt_async_status {
    let op = op_in(obj);
    let mut st = op.lock();
    let Some(wake) = THREAD_WAKE.try_with(|w| w.clone()).ok().flatten() else { return st.status };
    let Driver::Parked(fut, _, polled_with) = &mut st.driver else { return st.status };
    let Poll::Ready(outcome) = poll_on_caller(fut, Some(&wake), PollScope::Stream) else {
        *polled_with = wake;
        return st.status;
    };
    let done = std::mem::replace(&mut st.driver, Driver::Runtime);
    let status = settle_locked(obj, st, outcome);
    drop(done);
    status
}

/// Time left until `deadline` (None: no limit).
fn remaining(deadline: Option<Instant>) -> Option<Duration> {
    deadline.map(|d| d.saturating_duration_since(Instant::now()))
}

/// Moves a started operation to its final state (first caller wins) and queues its handler.
fn settle(obj: &Arc<Object>, outcome: Result<OpResult, Error>) {
    let st = op_in(obj).lock();
    if st.status == netrt_async_status::Started {
        settle_locked(obj, st, outcome);
    }
}

/// [`settle`] with the operation's lock held and its status seen Started; returns the final
/// status.
fn settle_locked(
    obj: &Arc<Object>,
    mut st: MutexGuard<'_, State>,
    outcome: Result<OpResult, Error>,
) -> netrt_async_status {
    st.record(outcome);
    let status = st.status;
    finish(obj, st, &op_in(obj).done);
    status
}

/// Shared tail of completion and cancellation: wake waiters, deliver the handler.
fn finish(obj: &Arc<Object>, mut st: MutexGuard<'_, State>, done: &Condvar) {
    st.task = None;
    let status = st.status;
    let handler = std::mem::replace(&mut st.handler, Handler::Used);
    let handler = match handler {
        Handler::Set(cb, data) => Some((cb, data)),
        other => {
            st.handler = other;
            None
        }
    };
    let notify = st.waiters > 0;
    drop(st);
    if notify {
        done.notify_all();
    }
    if let Some((cb, data)) = handler {
        let obj = obj.clone();
        netrt_core::dispatch::post(move || {
            let data = data;
            if let Ok(h) = handle::issue(obj) {
                call_handler(cb, data, h, status);
                let _ = handle::release(h);
            }
        });
    }
}

/// Calls a completion handler (once per operation; the caller guarantees that).
fn call_handler(
    cb: unsafe extern "C" fn(*mut c_void, netrt_handle, netrt_async_status),
    data: UserData,
    op: netrt_handle,
    status: netrt_async_status,
) {
    // SAFETY: the C caller registered `cb` with `data` for exactly this call.
    unsafe { cb(data.0, op, status) };
}

/// Runs `f` on the operation behind `h` (no extra reference taken: the object is held while
/// `f` runs).
fn with_op<R>(h: netrt_handle, f: impl FnOnce(&AsyncOp) -> Result<R, Error>) -> Result<R, Error> {
    handle::with(h, Some(crate::enums::netrt_kind::AsyncOperation), |obj| f(op_in(obj)))?
}

/// A new reference to the operation object behind `h` (to hold while waiting).
fn op_object(h: netrt_handle) -> Result<Arc<Object>, Error> {
    handle::lookup(h, Some(crate::enums::netrt_kind::AsyncOperation))
}

/// The operation inside an operation object (every object this module makes or looks up as
/// `AsyncOperation` is one).
fn op_in(obj: &Object) -> &AsyncOp {
    match &obj.value {
        Value::AsyncOp(op) => op,
        _ => unreachable!("an AsyncOperation object holds an AsyncOp"),
    }
}

/// The operation's status (`AsyncStatus`).
///
/// `op`: an operation handle. `out_status` must not be NULL. Thread-safe; never blocks. While
/// a read or write on a TCP stream (plain or TLS) is pending and nobody waits for it, each call
/// makes one non-blocking attempt at it on the calling thread, so polling the status sees the
/// operation complete as soon as the socket is ready.
/// Errors: the handle checks (`E_POINTER`, `E_HANDLE`, `RO_E_CLOSED`, `E_INVALIDARG`);
/// `E_ILLEGAL_METHOD_CALL` after `netrt_close`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_status(
    op: netrt_handle,
    out_status: *mut netrt_async_status,
) -> netrt_hresult {
    ffi!("netrt_async_get_status", {
        let out = Out::new(out_status, "out_status")?;
        let mut status = with_op(op, |op| Ok(op.open()?.status))?;
        if status == netrt_async_status::Started {
            status = attempt_parked(&op_object(op)?);
        }
        out.write(status);
        Ok(())
    })
}

/// The operation's error code: `0` while Started or when Completed, `0x800704C7`
/// (ERROR_CANCELLED) when Canceled, the failure's HRESULT when Error.
///
/// `out_code` must not be NULL. Thread-safe; never blocks. Errors: as `netrt_async_get_status`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_error_code(
    op: netrt_handle,
    out_code: *mut netrt_hresult,
) -> netrt_hresult {
    ffi!("netrt_async_get_error_code", {
        let out = Out::new(out_code, "out_code")?;
        let code = with_op(op, |op| Ok(op.open()?.error.as_ref().map(|e| e.hresult()).unwrap_or(0)))?;
        out.write(code);
        Ok(())
    })
}

/// The message of the operation's failure (what happened on a runtime thread), "" when it has
/// not failed. String out: `buf`/`len` receive it NUL-terminated; `*needed` (must not be NULL)
/// is always set to the size including the NUL; too small → `0x8007007A` with only `*needed`
/// written; `buf` may be NULL when `len` is 0. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_error_detail(
    op: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_async_get_error_detail", {
        let text = with_op(op, |op| Ok(op.open()?.error.as_ref().map(|e| e.message().to_owned())))?;
        let text = text.unwrap_or_default();
        str_out(&text, buf, len, needed)
    })
}

/// Blocks the calling thread until the operation leaves Started or `timeout_ms` passes
/// (`NETRT_INFINITE` waits without limit; 0 polls).
///
/// A read or write on a TCP stream, plain or TLS (ReadAsync, LoadAsync, WriteAsync,
/// StoreAsync), that could not complete when started is driven by the waiting thread itself:
/// it polls the socket and completes the operation there (decrypting or encrypting too, under
/// TLS), with no runtime thread in between (DESIGN §4).
///
/// Returns `S_OK` once the operation is done (then read its status and error code), or
/// `0x80070102` (WAIT_TIMEOUT) — the operation goes on. Safe to call from a completion or event
/// handler (they run on the dispatcher thread, which operations never need to complete).
/// Errors: the handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_wait(op: netrt_handle, timeout_ms: u32) -> netrt_hresult {
    ffi!("netrt_async_wait", {
        // Already done (a read or write that completed when started): nothing to wait for,
        // and no reference to take.
        let started = |obj: &Object| op_in(obj).lock().status == netrt_async_status::Started;
        let Some(obj) = handle::lookup_if(op, Some(crate::enums::netrt_kind::AsyncOperation), started)?
        else {
            return Ok(());
        };
        let op = op_in(&obj);
        let deadline = (timeout_ms != NETRT_INFINITE)
            .then(|| Instant::now() + Duration::from_millis(u64::from(timeout_ms)));
        match wait_fast(&obj, deadline) {
            Ok(true) => return Ok(()),
            Ok(false) => {
                return Err(Error::new(E_WAIT_TIMEOUT, format!("not done after {timeout_ms} ms")));
            }
            Err(()) => {}
        }
        let mut st = op.lock();
        while st.status == netrt_async_status::Started {
            match deadline {
                None => {
                    st.waiters += 1;
                    st = op.done.wait(st).unwrap_or_else(|e| e.into_inner());
                    st.waiters -= 1;
                }
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return Err(Error::new(E_WAIT_TIMEOUT, format!("not done after {timeout_ms} ms")));
                    }
                    st.waiters += 1;
                    st = op.done.wait_timeout(st, d - now).unwrap_or_else(|e| e.into_inner()).0;
                    st.waiters -= 1;
                }
            }
        }
        Ok(())
    })
}

/// IAsyncInfo.Cancel: a running operation ends with status Canceled and error code
/// `0x800704C7`; its core work is aborted (dropped) on the runtime — this returns once it has
/// been (a bounded wait of at most 1 s, normally microseconds), so the socket or reader is free
/// for a new operation — and its completion handler, if any, is queued. Cancelling a finished
/// operation does nothing (`S_OK`).
/// Errors: the handle checks; `E_ILLEGAL_METHOD_CALL` after `netrt_close`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_cancel(op: netrt_handle) -> netrt_hresult {
    ffi!("netrt_async_cancel", {
        let obj = op_object(op)?;
        let op = op_in(&obj);
        let mut st = op.open()?;
        if st.status != netrt_async_status::Started {
            return Ok(());
        }
        st.status = netrt_async_status::Canceled;
        st.error = Some(Error::new(E_CANCELLED, "the operation was cancelled"));
        let task = st.task.take();
        if let Some(task) = &task {
            task.abort();
        }
        // A parked future is dropped here (after the lock); a polling waiter is woken and drops
        // its future itself: wait (bounded) until it has, as for an aborted task.
        let parked = match std::mem::replace(&mut st.driver, Driver::Runtime) {
            Driver::Parked(fut, ..) => Some(fut),
            Driver::Polling(wake) => {
                wake.signal();
                st.driver = Driver::Polling(wake);
                None
            }
            Driver::Runtime => None,
        };
        finish(&obj, st, &op.done);
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
    })
}

/// Waits (bounded) until an aborted task's future has been dropped on the runtime, so the
/// object it worked on is free again when `netrt_async_cancel` returns (a new read on the same
/// socket right after cancelling one must not find the old one still pending).
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

/// Sets the Completed handler; exactly once per operation (a second call, even after the
/// first handler ran, is `0x80000018` E_ILLEGAL_DELEGATE_ASSIGNMENT).
///
/// `handler` must not be NULL; `user_data` is passed back untouched (may be NULL). The handler
/// runs once, on netrt's dispatcher thread — or inline on this thread, before this function
/// returns, if the operation is already done. It may call any netrt function, including
/// `netrt_async_wait` on other operations. Errors: the handle checks; `E_POINTER`;
/// `E_ILLEGAL_DELEGATE_ASSIGNMENT`; `E_ILLEGAL_METHOD_CALL` after `netrt_close`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_set_completed(
    op: netrt_handle,
    handler: netrt_async_completed_handler,
    user_data: *mut c_void,
) -> netrt_hresult {
    ffi!("netrt_async_set_completed", {
        let cb = handler.ok_or_else(|| null("handler"))?;
        let obj = op_object(op)?;
        let op_ref = op_in(&obj);
        let mut st = op_ref.open()?;
        if !matches!(st.handler, Handler::None) {
            return Err(Error::new(E_ILLEGAL_DELEGATE_ASSIGNMENT, "the Completed handler is already set"));
        }
        if st.status == netrt_async_status::Started {
            st.handler = Handler::Set(cb, UserData(user_data));
            drop(st);
            // The handler must run without anyone waiting: a parked read goes to the runtime.
            spawn_if_parked(&obj);
            return Ok(());
        }
        st.handler = Handler::Used;
        let status = st.status;
        drop(st);
        call_handler(cb, UserData(user_data), op, status);
        Ok(())
    })
}

fn with_result<T>(op: netrt_handle, pick: impl FnOnce(&OpResult) -> Option<T>) -> Result<T, Error> {
    with_op(op, |op| results_of(op, pick))
}

fn results_of<T>(op: &AsyncOp, pick: impl FnOnce(&OpResult) -> Option<T>) -> Result<T, Error> {
    let st = op.open()?;
    match st.status {
        netrt_async_status::Started => {
            Err(Error::new(E_ILLEGAL_METHOD_CALL, "GetResults: the operation has not completed"))
        }
        netrt_async_status::Canceled => {
            Err(Error::new(E_CANCELLED, "GetResults: the operation was cancelled"))
        }
        netrt_async_status::Error => {
            Err(st.error.clone().unwrap_or_else(|| Error::new(E_ILLEGAL_METHOD_CALL, "failed")))
        }
        netrt_async_status::Completed => st
            .result
            .as_ref()
            .and_then(pick)
            .ok_or_else(|| Error::invalid_arg("GetResults: the operation has results of another type")),
    }
}

/// GetResults of an IAsyncAction (or any operation, discarding its result): `S_OK` when
/// Completed. While Started: `E_ILLEGAL_METHOD_CALL`; Canceled: `0x800704C7`; Error: the
/// operation's error code. Thread-safe; never blocks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_results(op: netrt_handle) -> netrt_hresult {
    ffi!("netrt_async_get_results", { with_result(op, |_| Some(())) })
}

/// GetResults of an IAsyncOperation<UInt32> (StoreAsync, LoadAsync, WriteAsync, ...).
/// `out_value` must not be NULL and is written only on success. Errors: as
/// `netrt_async_get_results`; `E_INVALIDARG` when the operation's result is not a uint32.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_results_uint32(op: netrt_handle, out_value: *mut u32) -> netrt_hresult {
    ffi!("netrt_async_get_results_uint32", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_result(op, |r| match r {
            OpResult::U32(v) => Some(*v),
            _ => None,
        })?);
        Ok(())
    })
}

/// GetResults of an IAsyncOperation<Boolean> (FlushAsync). As `netrt_async_get_results_uint32`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_results_bool(op: netrt_handle, out_value: *mut bool) -> netrt_hresult {
    ffi!("netrt_async_get_results_bool", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_result(op, |r| match r {
            OpResult::Bool(v) => Some(*v),
            _ => None,
        })?);
        Ok(())
    })
}

/// GetResults of an operation that produces an object (ReadAsync → IBuffer,
/// GetOutputStreamAsync → IOutputStream): `*out_handle` receives a new reference the caller
/// releases. Each call issues another reference. As `netrt_async_get_results_uint32` otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_results_handle(
    op: netrt_handle,
    out_handle: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_async_get_results_handle", {
        let out = Out::new(out_handle, "out_handle")?;
        let obj = with_result(op, |r| match r {
            OpResult::Object(o) => Some(o.clone()),
            _ => None,
        })?;
        out.write(handle::issue(obj)?);
        Ok(())
    })
}
