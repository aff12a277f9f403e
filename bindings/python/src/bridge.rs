//! Completion delivery to asyncio event loops without the GIL and without the dispatcher hop.
//!
//! Each event loop that awaits netrt operations gets one [`Bridge`]: an eventfd registered with
//! `loop.add_reader`, plus a queue of finished operations. The thread that finishes an
//! operation (a tokio worker) only pushes it on the queue and, if the queue was empty, writes
//! the eventfd — no Python, no GIL, one thread hop (worker → loop thread). The loop then runs
//! [`PyBridge::_drain`] on its own thread, which hands each result to the asyncio futures
//! waiting for it on that loop. User callbacks (`completed`, events) still run on netrt's
//! dispatcher thread (docs/threading.md); only the asyncio wake-up bypasses it.
//!
//! Measured against `call_soon_threadsafe` from the dispatcher (the first version), this takes
//! one thread hop and all GIL contention off every pending operation; see bench/python.
//!
//! A stream read awaited on the loop goes further (`loop_driven.rs`): the loop watches the
//! socket itself with `loop.add_reader` (through [`PyBridge::_ready`]) and polls the read on
//! its own thread; the eventfd then only carries the wake-ups that do not come from the socket
//! (a Close or CancelIOAsync on another thread), queued as polls, and what the loop must do
//! about a socket it keeps watching that closed or moved to another loop.

use std::cell::RefCell;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

use netrt::foundation::fork::fork_generation;

use crate::asyncop::{Shared, resolve_waiters};
use crate::loop_driven::{FdMap, Reserved, Watch, drive, forget_closed, ready_unclaimed, unwatch_moved};

/// What the loop thread has to do for an operation or a watched socket.
pub(crate) enum Queued {
    /// It finished: resolve its futures.
    Done(Arc<Shared>),
    /// Its loop-driven future was woken: poll it.
    Poll(Weak<Shared>),
    /// A socket the loop kept watching closed (its kernel registration is gone): forget the
    /// fd; the number stays reserved until every loop that watched it has (see
    /// `loop_driven.rs`).
    Closed(RawFd, Option<Arc<Reserved>>),
    /// Another loop now watches this socket: stop watching it unless a read here waits.
    Moved(RawFd),
}

/// The Rust half of a loop's bridge; shared with the operations that have waiters on it.
pub struct Bridge {
    fd: OwnedFd,
    queue: Mutex<Vec<Queued>>,
    /// The loop selector's epoll instance (a dup), when the loop is a selector loop on epoll:
    /// a socket closing on any thread drops its registration there at once, which is what lets
    /// the loop keep sockets registered across reads. None: each read registers its own.
    pub(crate) epoll: Option<OwnedFd>,
    /// The selector's own epoll fd number (what `loop.close()` closes).
    selector_fd: RawFd,
    /// The process that made it: a child after fork() shares the parent's epoll instance, and
    /// must not remove the parent's registrations from it.
    pub(crate) pid: u32,
    /// The sockets this loop watches, by fd, with the read waiting on each (loop thread only).
    pub(crate) watches: Mutex<FdMap<Watch>>,
    /// Set once the loop is known to be closed (or gone): nothing of it needs cleaning up.
    pub(crate) loop_closed: AtomicBool,
    /// `weakref.ref(loop)`, to check whether the loop closed (with the GIL).
    loop_ref: Py<PyAny>,
}

impl Bridge {
    fn new(event_loop: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = event_loop.py();
        // SAFETY: plain syscall; the result is checked.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error().into());
        }
        // SAFETY: `fd` is a new descriptor we own.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let loop_ref = py.import("weakref")?.getattr("ref")?.call1((event_loop,))?.unbind();
        let (selector_fd, epoll) = selector_epoll(event_loop).unzip();
        Ok(Self {
            fd,
            queue: Mutex::new(Vec::new()),
            epoll,
            selector_fd: selector_fd.unwrap_or(-1),
            pid: std::process::id(),
            watches: Mutex::new(FdMap::default()),
            loop_closed: AtomicBool::new(false),
            loop_ref,
        })
    }

    /// Whether the loop is closed or gone (recorded once seen).
    pub(crate) fn loop_is_closed(&self, py: Python<'_>) -> bool {
        if self.loop_closed.load(Ordering::Acquire) {
            return true;
        }
        let closed = match self.loop_ref.bind(py).call0() {
            Ok(l) if l.is_none() => true,
            Ok(l) => l.call_method0("is_closed").and_then(|c| c.is_truthy()).unwrap_or(false),
            Err(_) => false,
        };
        if closed {
            self.loop_closed.store(true, Ordering::Release);
            // Nothing will drain the queue: release the numbers reserved for this loop now.
            let queued = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|e| e.into_inner()));
            drop(queued);
            forget_closed(self);
        }
        closed
    }

    /// Whether the loop's selector is still open, as far as can be told without the GIL (any
    /// thread): its epoll fd number still names the epoll instance this bridge holds a dup of
    /// (`kcmp`). A kernel without `kcmp` says nothing: assumed open.
    pub(crate) fn selector_open(&self) -> bool {
        let Some(epoll) = &self.epoll else { return false };
        const KCMP_FILE: libc::c_int = 0;
        // SAFETY: plain syscall comparing two fds of this process; no memory is passed.
        let same = unsafe {
            let pid = libc::getpid();
            libc::syscall(libc::SYS_kcmp, pid, pid, KCMP_FILE, self.selector_fd, epoll.as_raw_fd())
        };
        let open = match same {
            0 => true,
            // Another file under that number now, or none: the selector was closed.
            1.. => false,
            _ => std::io::Error::last_os_error().raw_os_error() != Some(libc::EBADF),
        };
        if !open {
            self.loop_closed.store(true, Ordering::Release);
        }
        open
    }

    /// Queues work for the loop thread (any thread, no GIL).
    pub(crate) fn push_queued(&self, item: Queued) {
        self.push(item);
    }

    /// Queues a finished operation for this loop (any thread, no GIL).
    pub fn notify(&self, op: Arc<Shared>) {
        self.push(Queued::Done(op));
    }

    /// Queues a poll of a loop-driven operation whose waker fired (any thread, no GIL).
    pub fn wake(&self, op: Weak<Shared>) {
        self.push(Queued::Poll(op));
    }

    fn push(&self, item: Queued) {
        let was_empty = {
            let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
            q.push(item);
            q.len() == 1
        };
        if was_empty {
            let one: u64 = 1;
            // SAFETY: writes 8 bytes from a live u64 to our eventfd. It cannot fail but by
            // counter overflow, which 2^64 - 1 pending wake-ups would take.
            unsafe { libc::write(self.fd.as_raw_fd(), (&one as *const u64).cast(), 8) };
        }
    }
}

/// `netrt._netrt._LoopBridge`: what `loop.add_reader` calls.
#[pyclass(module = "netrt._netrt", name = "_LoopBridge", frozen)]
pub struct PyBridge {
    pub(crate) inner: Arc<Bridge>,
}

#[pymethods]
impl PyBridge {
    /// Runs on the loop's thread when the eventfd is readable: resolves every queued
    /// operation's futures that belong to this loop.
    fn _drain(&self, py: Python<'_>) {
        let mut counter: u64 = 0;
        // SAFETY: reads 8 bytes into a live u64 (EAGAIN when nothing was written: fine).
        unsafe { libc::read(self.inner.fd.as_raw_fd(), (&mut counter as *mut u64).cast(), 8) };
        let ops = std::mem::take(&mut *self.inner.queue.lock().unwrap_or_else(|e| e.into_inner()));
        for op in ops {
            match op {
                Queued::Done(op) => resolve_waiters(py, &op, &self.inner),
                Queued::Poll(op) => {
                    if let Some(op) = op.upgrade() {
                        drive(py, &op, &self.inner, false);
                    }
                }
                Queued::Closed(fd, reserved) => {
                    unwatch_moved(py, &self.inner, fd, true);
                    // The last loop to forget the number closes it.
                    drop(reserved);
                }
                Queued::Moved(fd) => unwatch_moved(py, &self.inner, fd, false),
            }
        }
    }

    /// Runs on the loop's thread when a socket this loop watches is readable.
    fn _ready(&self, py: Python<'_>, fd: RawFd) {
        ready_unclaimed(py, &self.inner, fd);
    }
}

/// A dup of the epoll fd of `event_loop`'s selector, when it is a `selectors.EpollSelector`
/// (asyncio's default on Linux); None for any other loop (uvloop, a custom selector).
fn selector_epoll(event_loop: &Bound<'_, PyAny>) -> Option<(RawFd, OwnedFd)> {
    let py = event_loop.py();
    let selector = event_loop.getattr("_selector").ok()?;
    let epoll_class = py.import("selectors").ok()?.getattr("EpollSelector").ok()?;
    if !selector.is_exact_instance(&epoll_class) {
        return None;
    }
    let fd: RawFd = selector.call_method0("fileno").ok()?.extract().ok()?;
    // SAFETY: plain syscall on the selector's open fd; the result is checked and owned below.
    let dup = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    // SAFETY: a fresh fd we own.
    (dup >= 0).then(|| (fd, unsafe { OwnedFd::from_raw_fd(dup) }))
}

/// The last loop used on a thread, with its bridge and the fork count it was seen under.
struct LastLoop {
    event_loop: Py<PyAny>,
    bridge: Py<PyBridge>,
    forks: u64,
    /// `{"loop": event_loop}`, when the loop's `create_future` is asyncio's own (see
    /// [`create_future`]).
    future_kwargs: Option<Py<PyDict>>,
}

thread_local! {
    /// The last loop used on this thread: a loop runs on one thread, and a thread usually runs
    /// one loop at a time, so this answers nearly every lookup.
    static LAST: RefCell<Option<LastLoop>> = const { RefCell::new(None) };
}

/// The running loop of this thread and its bridge, when it is the thread's last loop — told
/// without `asyncio.get_running_loop`, which makes a `getpid` syscall per call (its guard
/// against a loop inherited through fork). Here the fork guard is core's fork generation, and "running on
/// this thread" is the loop's own record: an asyncio `BaseEventLoop` sets `_thread_id` to the
/// running thread's ident (`threading.get_ident`, the pthread id) for exactly as long as
/// `run_forever` runs, and one thread runs one loop at a time. `None` (ask asyncio): another
/// loop, a loop without that record (uvloop), or a fork since.
pub fn cached_loop(py: Python<'_>) -> Option<(Bound<'_, PyAny>, Bound<'_, PyBridge>)> {
    let (event_loop, bridge) = LAST.with(|last| {
        let last = last.borrow();
        let last = last.as_ref().filter(|l| l.forks == fork_generation())?;
        Some((last.event_loop.bind(py).clone(), last.bridge.bind(py).clone()))
    })?;
    let thread_id = event_loop.getattr(pyo3::intern!(py, "_thread_id")).ok()?;
    // SAFETY: pthread_self has no preconditions.
    let here = unsafe { libc::pthread_self() } as u64;
    (thread_id.extract::<u64>().ok()? == here).then_some((event_loop, bridge))
}

static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static REGISTRY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The running loop (RuntimeError without one, as `asyncio.get_running_loop`).
pub fn running_loop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let f = GET_RUNNING_LOOP.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("asyncio")?.getattr("get_running_loop")?.unbind())
    })?;
    f.bind(py).call0()
}

/// The bridge of `event_loop`, made and its eventfd registered with `loop.add_reader` on first
/// use.
pub fn bridge_object<'py>(event_loop: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBridge>> {
    let py = event_loop.py();
    let forks = fork_generation();
    let hit = LAST.with(|last| {
        last.borrow()
            .as_ref()
            .filter(|l| l.event_loop.as_ptr() == event_loop.as_ptr() && l.forks == forks)
            .map(|l| l.bridge.bind(py).clone())
    });
    if let Some(b) = hit {
        return Ok(b);
    }
    // The thread moves to another loop: if the last one closed, what it still watched needs
    // no cleaning up any more (and the numbers reserved for it are released).
    let previous = LAST.with(|last| last.borrow().as_ref().map(|l| l.bridge.get().inner.clone()));
    if let Some(previous) = previous {
        previous.loop_is_closed(py);
    }
    // The registry (a WeakKeyDictionary loop → _LoopBridge) keeps one bridge per loop even when
    // a thread alternates between loops; it forgets a loop when the loop is collected.
    let registry = REGISTRY.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("weakref")?.getattr("WeakKeyDictionary")?.call0()?.unbind())
    })?;
    let registry = registry.bind(py);
    let bridge = match registry.get_item(event_loop) {
        Ok(b) => b.cast_into::<PyBridge>()?,
        Err(_) => {
            let inner = Arc::new(Bridge::new(event_loop)?);
            let obj = Bound::new(py, PyBridge { inner: inner.clone() })?;
            event_loop.call_method1("add_reader", (inner.fd.as_raw_fd(), obj.getattr("_drain")?))?;
            registry.set_item(event_loop, &obj)?;
            obj
        }
    };
    let future_kwargs = direct_future_kwargs(event_loop)?;
    LAST.with(|last| {
        *last.borrow_mut() = Some(LastLoop {
            event_loop: event_loop.clone().unbind(),
            bridge: bridge.clone().unbind(),
            forks,
            future_kwargs,
        })
    });
    Ok(bridge)
}

/// asyncio's `Future` class, as `BaseEventLoop.create_future` finds it.
static FUTURE_CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// `BaseEventLoop.create_future`.
static BASE_CREATE_FUTURE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `{"loop": event_loop}` when `event_loop`'s `create_future` is asyncio's own (which only
/// returns `futures.Future(loop=self)`); None for a loop that makes its futures otherwise.
fn direct_future_kwargs(event_loop: &Bound<'_, PyAny>) -> PyResult<Option<Py<PyDict>>> {
    let py = event_loop.py();
    let base = BASE_CREATE_FUTURE.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import("asyncio.base_events")?.getattr("BaseEventLoop")?.getattr("create_future")?.unbind(),
        )
    })?;
    let own = event_loop.get_type().getattr("create_future")?;
    if !own.is(base.bind(py)) {
        return Ok(None);
    }
    FUTURE_CLASS
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("asyncio.futures")?.getattr("Future")?.unbind()))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item(pyo3::intern!(py, "loop"), event_loop)?;
    Ok(Some(kwargs.unbind()))
}

/// `event_loop.create_future()`. For the thread's last loop, when its `create_future` is
/// asyncio's own, the future is made as that method makes it — `Future(loop=event_loop)` — but
/// without running the method's Python frame (one per pending await).
pub fn create_future<'py>(event_loop: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = event_loop.py();
    let kwargs = LAST.with(|last| {
        let last = last.borrow();
        let last = last.as_ref().filter(|l| l.event_loop.as_ptr() == event_loop.as_ptr())?;
        last.future_kwargs.as_ref().map(|k| k.clone_ref(py))
    });
    match (kwargs, FUTURE_CLASS.get(py)) {
        (Some(kwargs), Some(class)) => class.bind(py).call((), Some(kwargs.bind(py))),
        _ => crate::convert::call_method_plain(event_loop, pyo3::intern!(py, "create_future"), None),
    }
}
