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
//! (a Close or CancelIOAsync on another thread), queued as polls.

use std::cell::RefCell;
use std::collections::HashMap;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::{Arc, Mutex, Weak};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::asyncop::{Shared, resolve_waiters};
use crate::loop_driven::{Claim, drive};

/// What the loop thread has to do for an operation.
enum Queued {
    /// It finished: resolve its futures.
    Done(Arc<Shared>),
    /// Its loop-driven future was woken: poll it.
    Poll(Weak<Shared>),
}

/// The Rust half of a loop's bridge; shared with the operations that have waiters on it.
pub struct Bridge {
    fd: OwnedFd,
    queue: Mutex<Vec<Queued>>,
    /// The reads this loop drives, by the socket fd it watches for them (loop thread only).
    pub(crate) claims: Mutex<HashMap<RawFd, Claim>>,
}

impl Bridge {
    fn new() -> std::io::Result<Self> {
        // SAFETY: plain syscall; the result is checked.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `fd` is a new descriptor we own.
        Ok(Self {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
            queue: Mutex::new(Vec::new()),
            claims: Mutex::new(HashMap::new()),
        })
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
            }
        }
    }

    /// Runs on the loop's thread when a socket this loop watches for a read is readable.
    fn _ready(&self, py: Python<'_>, fd: RawFd) {
        let claimed = self.inner.claims.lock().unwrap_or_else(|e| e.into_inner()).get(&fd).map(|c| c.op());
        if let Some(op) = claimed {
            drive(py, &op, &self.inner, true);
        }
    }
}

thread_local! {
    /// The last (loop, bridge) used on this thread: a loop runs on one thread, and a thread
    /// usually runs one loop at a time, so this answers nearly every lookup.
    static LAST: RefCell<Option<(Py<PyAny>, Py<PyBridge>)>> = const { RefCell::new(None) };
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
    let hit = LAST.with(|last| {
        last.borrow()
            .as_ref()
            .filter(|(l, _)| l.as_ptr() == event_loop.as_ptr())
            .map(|(_, b)| b.bind(py).clone())
    });
    if let Some(b) = hit {
        return Ok(b);
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
            let inner = Arc::new(Bridge::new().map_err(PyErr::from)?);
            let obj = Bound::new(py, PyBridge { inner: inner.clone() })?;
            event_loop.call_method1("add_reader", (inner.fd.as_raw_fd(), obj.getattr("_drain")?))?;
            registry.set_item(event_loop, &obj)?;
            obj
        }
    };
    LAST.with(|last| *last.borrow_mut() = Some((event_loop.clone().unbind(), bridge.clone().unbind())));
    Ok(bridge)
}
