//! `CompletionQueue`: delivers Completed handlers and event handlers on a thread of the
//! application's own event loop instead of netrt's dispatcher thread (docs/threading.md).
//!
//! A queue owns an eventfd that is signalled while jobs wait. The loop watches the queue's fd
//! (epoll, poll, GLib, libuv) and calls [`CompletionQueue::dispatch`], which runs queued jobs
//! on the calling thread. Readiness is cleared only when the queue is empty; when `dispatch`
//! leaves jobs behind it signals the eventfd again, so an edge-triggered loop is told once
//! more and a level-triggered one simply sees it still readable.
//!
//! The queue's fd is an epoll instance holding that eventfd and the sockets of the stream
//! operations the queue *drives* (see `async_op/queue_drive.rs`): a read or write bound here
//! that cannot complete at once stays parked, its socket watched by the queue, and `dispatch`
//! polls it on the calling thread when the socket is ready — its handler runs in the same
//! call, and no netrt thread is involved. So the fd also becomes readable when such a socket
//! is ready (a `dispatch` then may make progress without running a handler). A socket stays
//! registered (edge-triggered) from its first driven operation until it closes or the queue
//! does, so a read costs no `epoll_ctl` (see `completion_queue/drive.rs`).
//!
//! What is delivered where is decided once, when an operation or an event handler is made:
//! it is *bound* to the thread's current queue ([`CompletionQueue::make_current`]), or
//! explicitly ([`AsyncOperation::set_completion_queue`](super::AsyncOperation::set_completion_queue)),
//! and [`crate::dispatch::deliver`] is the one place that picks the queue or the dispatcher.
//!
//! Closing a queue: jobs it still holds move to the dispatcher (each still runs exactly once),
//! operations bound to it that are still running are cancelled — they complete Canceled (a
//! read that had already consumed bytes completes with them, as with `Cancel`) — and their
//! handlers, like every later delivery to the closed queue, run on the dispatcher.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::Waker;

use super::async_op::{AsyncStatus, StoredHandler, WakeFd};
use super::fork::fork_generation;
use crate::error::hresult::{E_INVALIDARG, RO_E_CLOSED};
use crate::error::{Error, Result};

/// A queued job, told where it runs.
enum Job {
    Any(Box<dyn FnOnce(Delivery) + Send + 'static>),
    /// An operation's Completed handler and the status it ended with: queued as the operation
    /// kept it, so queueing allocates nothing (one per completed operation).
    Completed(StoredHandler, AsyncStatus),
}

impl Job {
    fn run(self, delivery: Delivery) {
        match self {
            Self::Any(job) => job(delivery),
            Self::Completed(handler, status) => handler.run(status, delivery.into()),
        }
    }
}

/// Where a delivered job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// On netrt's dispatcher thread.
    Dispatcher,
    /// Inside [`CompletionQueue::dispatch`], on the thread that called it.
    Queue,
}

/// A parked operation the queue drives (see the module notes).
pub(crate) trait Drive: Send + Sync {
    /// Polls it once on this thread with `waker`.
    fn drive(self: Arc<Self>, waker: &Waker) -> Drove;
}

/// What [`Drive::drive`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Drove {
    /// It still waits on its socket.
    Waiting,
    /// It completed in this poll: its end already told the queue ([`CompletionQueue::finish_bound`]).
    Settled,
    /// It is no longer the queue's to drive (over, or taken by a waiter, the runtime, a cancel).
    Left,
}

/// One driven operation: its socket, the operation and the waker its polls register.
struct Driven {
    fd: RawFd,
    op: Arc<dyn Drive>,
    waker: Waker,
}

/// A running operation bound to the queue: what closing the queue cancels and, while the queue
/// drives it, what `dispatch` polls — one entry, so that binding, driving and forgetting an
/// operation each cost one lookup.
struct Bound {
    cancel: Weak<dyn CancelOnClose>,
    driven: Option<Driven>,
}

/// The epoll token of the eventfd (a socket's token is its fd and registration generation,
/// see `drive.rs`; an fd is never `u32::MAX`).
const JOBS_TOKEN: u64 = u64::MAX;

/// Something bound to a queue that must end when the queue closes: a running operation.
pub(crate) trait CancelOnClose: Send + Sync {
    /// Cancels it (it completes Canceled, or Completed with data it had consumed).
    fn cancel_for_closed_queue(self: Arc<Self>);
}

struct State {
    jobs: VecDeque<Job>,
    /// Whether the eventfd holds an unread signal.
    signaled: bool,
    /// `dispatch` calls running: jobs posted meanwhile need no signal (the running call runs
    /// them, or signals for them as it returns) — two syscalls saved per completion.
    dispatching: u32,
    closed: bool,
    /// Running operations bound to this queue (with those it drives), by the key binding
    /// gave them (see `bound.rs`).
    bound: BoundSlab,
    /// The sockets registered with the epoll fd (edge-triggered, until the socket or the
    /// queue closes), by fd.
    watched: WatchTable,
    /// Numbers the registrations, so an event of a socket whose fd number was reused since is
    /// told apart.
    next_generation: u32,
    /// Whether the queue is in the list `socket_closing` looks at.
    listed: bool,
    /// Operations whose waker was woken (a close, a CancelIOAsync) or whose socket reported an
    /// edge before they were driven, by key: poll them next.
    woken: Vec<u64>,
    /// What `drive_ready` polls in one call, gathered under one lock (kept: no allocation
    /// per dispatch).
    batch: Vec<(u64, Arc<dyn Drive>, Waker)>,
}

struct Inner {
    id: u64,
    /// The fork generation the queue was made in (see [`fork_generation`]).
    generation: u64,
    /// Signalled while jobs (or woken operations) wait.
    jobs: WakeFd,
    /// The fd the application watches: the eventfd plus driven operations' sockets.
    epoll: OwnedFd,
    state: Mutex<State>,
    /// `State::closed`, readable without the lock (every operation started on a thread with a
    /// current queue asks).
    closed: AtomicBool,
}

/// A delivery target with a readable fd. Cloning gives another reference to the same queue.
#[derive(Clone)]
pub struct CompletionQueue {
    inner: Arc<Inner>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
thread_local! {
    /// The queue operations and event handlers made on this thread are bound to.
    static CURRENT: RefCell<Option<CompletionQueue>> = const { RefCell::new(None) };
}

impl CompletionQueue {
    /// A new, empty queue with its own eventfd (`EFD_CLOEXEC | EFD_NONBLOCK`) inside its own
    /// epoll instance (`EPOLL_CLOEXEC`), the fd to watch.
    ///
    /// # Errors
    /// The errno of `eventfd` or `epoll_create1` (`EMFILE` → too many open files, ...).
    pub fn new() -> Result<Self> {
        let jobs = WakeFd::open()
            .map_err(|errno| Error::from_errno(errno, "cannot create the completion queue's eventfd"))?;
        // SAFETY: plain syscall; the fd is owned below.
        let epoll = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if epoll < 0 {
            let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EMFILE);
            return Err(Error::from_errno(errno, "cannot create the completion queue's epoll fd"));
        }
        // SAFETY: a fresh fd we own.
        let epoll = unsafe { OwnedFd::from_raw_fd(epoll) };
        let mut ev = libc::epoll_event { events: libc::EPOLLIN as u32, u64: JOBS_TOKEN };
        // SAFETY: both fds are ours and open; `ev` is a valid event.
        if unsafe { libc::epoll_ctl(epoll.as_raw_fd(), libc::EPOLL_CTL_ADD, jobs.raw_fd(), &mut ev) } != 0 {
            let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::ENOMEM);
            return Err(Error::from_errno(errno, "cannot watch the completion queue's eventfd"));
        }
        Ok(Self {
            inner: Arc::new(Inner {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                generation: fork_generation(),
                jobs,
                epoll,
                state: Mutex::new(State {
                    jobs: VecDeque::new(),
                    signaled: false,
                    dispatching: 0,
                    closed: false,
                    bound: BoundSlab::default(),
                    watched: WatchTable::default(),
                    next_generation: 0,
                    listed: false,
                    woken: Vec::new(),
                    batch: Vec::new(),
                }),
                closed: AtomicBool::new(false),
            }),
        })
    }

    /// The fd to watch for readability (an epoll instance: see the module notes; valid until
    /// the last reference goes, also after [`close`](Self::close)).
    pub fn fd(&self) -> RawFd {
        self.inner.epoll.as_raw_fd()
    }

    /// Unique in the process.
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// Whether `self` and `other` are the same queue.
    pub fn ptr_eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// First polls, on this thread, the driven operations whose socket is ready (their
    /// handlers are queued as they complete); then runs up to `max` queued jobs, in order, and
    /// returns how many ran (0 is possible when only I/O progressed). Jobs queued by the jobs
    /// themselves may run in the same call. The fd stays readable while jobs remain (and is
    /// signalled again for edge-triggered loops); the eventfd is cleared once the queue is
    /// empty. A panicking job is caught and counted.
    ///
    /// # Errors
    /// `E_INVALIDARG` when `max` is 0; `RO_E_CLOSED` after [`close`](Self::close).
    pub fn dispatch(&self, max: usize) -> Result<usize> {
        if max == 0 {
            return Err(Error::new(E_INVALIDARG, "max must be at least 1"));
        }
        // The queue's lock is taken once to start (in `drive_ready`), once per job, and the
        // guard that found no job more ends the call.
        let Some(mut st) = self.drive_ready() else {
            return Err(Error::new(RO_E_CLOSED, "the completion queue was closed"));
        };
        let mut ran = 0;
        while ran < max {
            let Some(job) = st.jobs.pop_front() else { break };
            drop(st);
            ran += 1;
            // A panicking handler must not take the application's loop down with it.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || job.run(Delivery::Queue)));
            st = self.lock();
        }
        st.dispatching -= 1;
        if st.jobs.is_empty() && st.woken.is_empty() {
            if st.signaled {
                self.drain_fd();
                st.signaled = false;
            }
        } else {
            // Jobs remain: a new edge for edge-triggered loops (level-triggered ones see the fd
            // still readable anyway).
            self.signal_fd();
            st.signaled = true;
        }
        Ok(ran)
    }

    /// Queues `job` unless the queue is closed (then gives it back).
    pub(crate) fn try_post<F: FnOnce(Delivery) + Send + 'static>(
        &self,
        job: F,
    ) -> std::result::Result<(), F> {
        let mut st = self.lock();
        if st.closed {
            return Err(job);
        }
        self.push_locked(&mut st, Job::Any(Box::new(job)));
        Ok(())
    }

    fn push_locked(&self, st: &mut State, job: Job) {
        st.jobs.push_back(job);
        if !st.signaled && st.dispatching == 0 {
            self.signal_fd();
            st.signaled = true;
        }
    }

    /// `Close()`: refuses new jobs (they go to the dispatcher), moves the queued ones to the
    /// dispatcher, and cancels the running operations bound here (see the module notes).
    /// Idempotent; never blocks on the application's loop.
    pub fn close(&self) {
        let (jobs, bound) = {
            let mut st = self.lock();
            if st.closed {
                return;
            }
            st.closed = true;
            self.inner.closed.store(true, Ordering::Release);
            if st.signaled {
                self.drain_fd();
                st.signaled = false;
            }
            for fd in st.watched.drain() {
                self.inner.unwatch(fd);
            }
            st.woken.clear();
            // Dropped after the lock: an operation's last reference may own a socket, whose
            // closing looks at this queue.
            (std::mem::take(&mut st.jobs), st.bound.take_all())
        };
        // The driven operations' references go first (as the queue's drive of them).
        let cancels: Vec<Weak<dyn CancelOnClose>> = bound.into_iter().map(|b| b.cancel).collect();
        for job in jobs {
            crate::dispatch::post(move || job.run(Delivery::Dispatcher));
        }
        for op in cancels.into_iter().filter_map(|w| w.upgrade()) {
            op.cancel_for_closed_queue();
        }
    }

    /// Records running operation `id` bound here; the key it is known by from now on (the
    /// operation keeps it with its binding), `None` when the queue is closed (the caller then
    /// cancels it itself).
    pub(crate) fn bind(&self, id: u32, op: Weak<dyn CancelOnClose>) -> Option<u64> {
        let mut st = self.lock();
        if st.closed {
            return None;
        }
        Some(st.bound.insert(id, Bound { cancel: op, driven: None }))
    }

    /// Forgets a bound operation (by its key) that has ended (its socket stays registered).
    pub(crate) fn unbind(&self, key: u64) {
        let mut st = self.lock();
        let forgotten = unbind_locked(&mut st, key);
        drop(st);
        drop(forgotten);
    }

    /// A bound operation has ended: forgets it as [`unbind`](Self::unbind) does and, under the
    /// same lock, queues its Completed `handler` (with its final status), if any. Gives the
    /// handler back when the queue is closed (it runs on the dispatcher then).
    pub(crate) fn finish_bound(
        &self,
        key: u64,
        handler: Option<(StoredHandler, AsyncStatus)>,
    ) -> Option<StoredHandler> {
        let mut st = self.lock();
        let forgotten = unbind_locked(&mut st, key);
        let refused = match handler {
            Some((handler, _)) if st.closed => Some(handler),
            Some((handler, status)) => {
                self.push_locked(&mut st, Job::Completed(handler, status));
                None
            }
            None => None,
        };
        drop(st);
        // After the lock: the operation's last reference may own a socket, whose closing
        // looks at this queue.
        drop(forgotten);
        refused
    }

    /// Makes `queue` (None: none) this thread's current queue: operations started and event
    /// handlers added on this thread from now on are bound to it. Returns the previous one.
    pub fn make_current(queue: Option<&CompletionQueue>) -> Option<CompletionQueue> {
        CURRENT.try_with(|c| std::mem::replace(&mut *c.borrow_mut(), queue.cloned())).ok().flatten()
    }

    /// This thread's current queue, if it is open and was made in this process (a queue a
    /// forked child inherited is not current in the child).
    pub fn current() -> Option<CompletionQueue> {
        CURRENT
            .try_with(|c| {
                c.borrow()
                    .as_ref()
                    .filter(|q| q.inner.generation == fork_generation() && !q.is_closed())
                    .cloned()
            })
            .ok()
            .flatten()
    }

    /// Whether this thread has a queue set as current — closed or inherited across fork()
    /// too, where [`current`](Self::current) says None: a hint for a fast path that is safe
    /// either way (no clone, no check of the queue itself).
    pub(crate) fn current_is_set() -> bool {
        CURRENT.try_with(|c| c.try_borrow().is_ok_and(|q| q.is_some())).unwrap_or(false)
    }

    fn signal_fd(&self) {
        self.inner.jobs.signal();
    }

    fn drain_fd(&self) {
        self.inner.jobs.drain();
    }
}

impl std::fmt::Debug for CompletionQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompletionQueue").field("id", &self.inner.id).field("fd", &self.fd()).finish()
    }
}

mod bound;
mod drive;
mod driven_waker;
mod read_edges;
mod watch_table;
use bound::BoundSlab;
use drive::unbind_locked;
pub(crate) use drive::{DrivenWaker, socket_closing};
pub(crate) use driven_waker::is_queue_waker;
pub(crate) use read_edges::read_edges;
use watch_table::WatchTable;
#[cfg(test)]
mod tests;
