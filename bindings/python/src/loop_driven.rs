//! Loop-driven reads: a stream read (or DataReader load) awaited on an asyncio loop is driven
//! by that loop — the loop watches the socket fd (`loop.add_reader`) and polls the read on its
//! own thread — so a pending read holds no runtime task and its completion crosses no thread.
//!
//! It uses core's caller-driven operations: a read that cannot complete at once is *parked*
//! (`AsyncOperation::start_caller_driven*`), and an `await` on a loop *claims* it
//! (`AsyncOperation::claim`), then polls it with a waker that queues a poll on the loop's
//! bridge (how a Close or CancelIOAsync from another thread reaches it) whenever the fd is
//! readable (`PyBridge::_ready`). Anything else keeps the bridge path: an operation already on
//! the runtime, one with a Completed handler, `.get()` from a thread (which takes a claimed
//! future over and drives it itself), or a read that keeps finding the fd ready without
//! progress (handed to the runtime). Whichever way the operation ends, the loop stops watching
//! the fd before it resolves the awaiting future.

use std::cell::Cell;
use std::os::fd::RawFd;
use std::sync::{Arc, Weak};
use std::task::{Wake, Waker};

use netrt::foundation::async_op::ClaimedPoll;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::asyncop::{Shared, resolve_waiters};
use crate::bridge::{Bridge, PyBridge, running_loop};

/// Polls in a row that found the fd readable and left the read pending before the loop gives
/// the read to the runtime (a level-triggered fd that the read does not drain would spin).
/// Once is normal (a TLS record arrived in part); several means the read waits on something
/// else.
const FRUITLESS_LIMIT: u32 = 4;

/// A read this loop drives: registered under the fd the loop watches for it.
pub struct Claim {
    op: Arc<Shared>,
    fruitless: u32,
}

impl Claim {
    /// The operation.
    pub fn op(&self) -> Arc<Shared> {
        self.op.clone()
    }
}

/// What a loop-driven read is polled with: a wake-up queues a poll on the loop's bridge. Holds
/// the operation weakly (the future keeps this waker; a strong link would be a cycle).
struct LoopWaker {
    bridge: Arc<Bridge>,
    op: Weak<Shared>,
}

impl Wake for LoopWaker {
    fn wake(self: Arc<Self>) {
        self.bridge.wake(self.op.clone());
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.bridge.wake(self.op.clone());
    }
}

/// `PyBridge._ready` (unbound): what `loop.add_reader` calls for a read the loop drives.
static READY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

thread_local! {
    /// (operation, bridge) while a loop polls one of its reads: that read's done listener for
    /// that loop then leaves the resolving to the loop (no eventfd round trip for what this
    /// thread already knows).
    static LOOP_POLLING: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

/// Whether this thread is inside `bridge`'s loop's poll of `op`.
pub fn in_loop_poll(op: &Arc<Shared>, bridge: &Arc<Bridge>) -> bool {
    LOOP_POLLING.with(Cell::get) == (Arc::as_ptr(op) as usize, Arc::as_ptr(bridge) as usize)
}

/// Claims `op` for `event_loop` when it is a parked stream operation: registers its fd with
/// `loop.add_reader` and polls it once with the loop's waker. Returns false (nothing done) when
/// it is not parked. The operation's waiters and done listener must be registered first: the
/// poll may end it.
pub fn try_claim(
    py: Python<'_>,
    op: &Arc<Shared>,
    bridge: &Bound<'_, PyBridge>,
    event_loop: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let Some(ready) = op.op().claim() else { return Ok(false) };
    let inner = &bridge.get().inner;
    let fd = ready.fd();
    let waker = Waker::from(Arc::new(LoopWaker { bridge: inner.clone(), op: Arc::downgrade(op) }));
    // The unbound method, called with the bridge as its first argument: no bound-method object
    // per read.
    let ready_fn =
        READY.get_or_try_init(py, || Ok::<_, PyErr>(py.get_type::<PyBridge>().getattr("_ready")?.unbind()));
    let ready_fn = match ready_fn {
        Ok(f) => f,
        Err(e) => {
            op.op().unclaim();
            return Err(e);
        }
    };
    op.set_claim(Some((fd, waker)));
    // A stale registration under the same fd (its read ended and the fd was reused before the
    // loop learned of it) is replaced, as `add_reader` replaces its handle.
    lock(&inner.claims).insert(fd, Claim { op: op.clone(), fruitless: 0 });
    if let Err(e) = event_loop.call_method1(pyo3::intern!(py, "add_reader"), (fd, ready_fn, bridge, fd)) {
        end_claim(py, op, inner);
        op.op().unclaim();
        return Err(e);
    }
    drive(py, op, inner, false);
    Ok(true)
}

/// Polls a read this loop drives (`fd_ready`: the loop saw its fd readable) and acts on the
/// outcome: resolves its futures when it ended, hands it to the runtime when the fd keeps
/// reporting readiness the read does not act on.
pub fn drive(py: Python<'_>, op: &Arc<Shared>, bridge: &Arc<Bridge>, fd_ready: bool) {
    let Some((fd, waker)) = op.claim() else { return };
    let polling = LOOP_POLLING.with(|p| p.replace((Arc::as_ptr(op) as usize, Arc::as_ptr(bridge) as usize)));
    let polled = op.op().poll_claimed(&waker);
    LOOP_POLLING.with(|p| p.set(polling));
    match polled {
        ClaimedPoll::Pending => {
            let spinning = {
                let mut claims = lock(&bridge.claims);
                match claims.get_mut(&fd).filter(|c| Arc::ptr_eq(&c.op, op)) {
                    Some(claim) if fd_ready => {
                        claim.fruitless += 1;
                        claim.fruitless >= FRUITLESS_LIMIT
                    }
                    Some(claim) => {
                        claim.fruitless = 0;
                        false
                    }
                    None => false,
                }
            };
            if spinning {
                // Its end comes through the done listener.
                end_claim(py, op, bridge);
                op.op().unclaim();
            }
        }
        ClaimedPoll::Done => {
            end_claim(py, op, bridge);
            resolve_waiters(py, op, bridge);
        }
        // A blocking waiter or the runtime has it; its end comes through the done listener.
        ClaimedPoll::Elsewhere => end_claim(py, op, bridge),
    }
}

/// Stops watching the fd of `op` (when this loop does), on the loop's thread. Idempotent.
pub fn end_claim(py: Python<'_>, op: &Arc<Shared>, bridge: &Arc<Bridge>) {
    let Some((fd, _)) = op.take_claim() else { return };
    let mine = {
        let mut claims = lock(&bridge.claims);
        let mine = claims.get(&fd).is_some_and(|c| Arc::ptr_eq(&c.op, op));
        if mine {
            claims.remove(&fd);
        }
        mine
    };
    // Another read registered the fd since (this one's end reached the loop late): leave it.
    if !mine {
        return;
    }
    let removed = running_loop(py).and_then(|l| l.call_method1(pyo3::intern!(py, "remove_reader"), (fd,)));
    if let Err(e) = removed {
        e.write_unraisable(py, None);
    }
}

/// The fd a claim watches, as a key.
pub type ClaimKey = (RawFd, Waker);

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
