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
//! progress (handed to the runtime). Nothing here is specific to streams: any parked
//! operation whose `Readiness` names a socket fd is driven the same way.
//!
//! A poll that follows the loop's readiness report reads at once, without the `MSG_PEEK` probe
//! a read otherwise makes before it allocates its buffer
//! (`AsyncOperation::poll_claimed_readable`). The `recv` a read makes when it starts stays,
//! even right after a request: against a peer in another process the reply is often there by
//! then, and a read that completes at its start costs no loop iteration at all.
//!
//! ## The registration outlives the read
//!
//! As asyncio's own streams do, the loop keeps a socket registered (`add_reader` once) across
//! the reads of that socket on that loop: the next read finds it registered and only becomes
//! the fd's current read — no `epoll_ctl` and none of asyncio's bookkeeping per read. A
//! readiness report with no read waiting is remembered for one loop iteration (a read may be
//! about to start); a second in a row unregisters the fd (asyncio's selector is
//! level-triggered: unread data would wake the loop every iteration). The registration also
//! ends when the socket closes or leaves the process (broker hand-over), when a read on it is
//! awaited on another loop, or with the loop.
//!
//! The hard part is the fd *number*: asyncio knows the socket only by it, and the kernel gives
//! a closed number to the next socket at once. A stale entry in asyncio's selector map under a
//! reused number would break other code: its `add_reader` on that number would only replace
//! the map's callback, never reaching the kernel, and never fire. A close can happen on any
//! thread (a Close from a thread, the runtime dropping a TLS connection after close_notify),
//! where asyncio must not be touched. Of the ways to make that safe:
//!
//! * waiting, in the close, for the loop to unregister the fd could block a runtime thread on
//!   a loop that is not running (or deadlock with it);
//! * registering a dup of the fd and closing the dup on the loop would keep the socket open
//!   after Close until the loop runs: the peer's FIN (or RST) would wait for the loop;
//! * so core's close hook (`netrt::foundation::fd_watch`) is used: just before the fd closes,
//!   on whatever thread, [`socket_closing`] removes the kernel registration from every loop
//!   that watches it (`epoll_ctl(DEL)` on a dup of the loop's epoll fd: thread-safe) and
//!   *reserves* the number (`dup3` of an inert fd onto it: the socket is released at once,
//!   exactly as `close` would, but the number stays allocated). The loop then removes its
//!   entry (`remove_reader`) when it next runs, and the last loop to do so closes the number.
//!   Only then can the kernel hand it out again.
//!
//! A loop registers a socket this way only when its selector is asyncio's `EpollSelector`
//! (whose epoll fd the hook can reach) and the socket is known open under the hook's lock
//! (`Readiness::still_open`); otherwise each read registers and unregisters the fd itself,
//! as before. A loop that closed needs no cleanup: the hook sees that its selector's epoll fd
//! is gone (`kcmp` against the bridge's dup of it) and reserves nothing for it; should that
//! check be unavailable, its reserved numbers are released when the thread next uses another
//! loop or the loop object goes. A child process after fork() shares its parent's epoll
//! instances: the hook leaves the registrations of loops made before the fork alone.

use std::cell::Cell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Wake, Waker};

use netrt::foundation::async_op::ClaimedPoll;
use netrt::foundation::fd_watch;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::asyncop::{Shared, resolve_waiters};
use crate::bridge::{Bridge, PyBridge, Queued, running_loop};

/// Polls in a row that found the fd readable and left the read pending before the loop gives
/// the read to the runtime (a level-triggered fd that the read does not drain would spin).
/// Once is normal (a TLS record arrived in part); several means the read waits on something
/// else.
const FRUITLESS_LIMIT: u32 = 4;

/// Readiness reports in a row with no read waiting before the loop stops watching the fd.
const IDLE_LIMIT: u32 = 2;

/// The read this loop drives on a socket.
pub struct Claim {
    op: Arc<Shared>,
    fruitless: u32,
}

/// A socket this loop watches (`loop.add_reader` done).
pub struct Watch {
    /// The read waiting on it, if any.
    claim: Option<Claim>,
    /// Kept across reads (the close hook guards its number); else unregistered when its read
    /// ends.
    kept: bool,
    /// Readiness reports in a row with no read waiting.
    idle: u32,
}

/// A socket number reserved by the close hook: closed when the last loop that watched the
/// socket has forgotten it (or gone).
pub struct Reserved(RawFd);

impl Drop for Reserved {
    fn drop(&mut self) {
        // SAFETY: the number is ours since `fd_watch::reserve` (see `socket_closing`).
        unsafe { libc::close(self.0) };
    }
}

/// The loops that keep each socket fd registered, for the close hook.
static WATCHED: Mutex<Option<HashMap<RawFd, Vec<Weak<Bridge>>>>> = Mutex::new(None);
/// Whether the close hook was added (once per process).
static HOOKED: AtomicBool = AtomicBool::new(false);

/// Core's close hook (see the module notes): on any thread, just before `fd` closes.
fn socket_closing(fd: RawFd) -> bool {
    let Some(listed) = lock(&WATCHED).as_mut().and_then(|w| w.remove(&fd)) else { return false };
    let pid = std::process::id();
    let live: Vec<Arc<Bridge>> = listed
        .iter()
        .filter_map(Weak::upgrade)
        .filter(|b| b.pid == pid && !b.loop_closed.load(Ordering::Acquire) && b.selector_open())
        .collect();
    if live.is_empty() {
        return false;
    }
    for bridge in &live {
        if let Some(epoll) = &bridge.epoll {
            // SAFETY: our dup of the loop's epoll fd; a null event is allowed for DEL.
            unsafe { libc::epoll_ctl(epoll.as_raw_fd(), libc::EPOLL_CTL_DEL, fd, std::ptr::null_mut()) };
        }
    }
    let reserved = fd_watch::reserve(fd).then(|| Arc::new(Reserved(fd)));
    let kept = reserved.is_some();
    for bridge in live {
        bridge.push_queued(Queued::Closed(fd, reserved.clone()));
    }
    kept
}

/// Records that `bridge` keeps `fd` registered, if the socket is still open (checked under the
/// lock the close hook takes). Other loops that kept it are told to let it go.
fn list(
    py: Python<'_>,
    fd: RawFd,
    ready: &netrt::foundation::async_op::Readiness,
    bridge: &Arc<Bridge>,
) -> bool {
    if !HOOKED.swap(true, Ordering::AcqRel) {
        fd_watch::add_close_hook(socket_closing);
    }
    let others: Vec<Arc<Bridge>> = {
        let mut watched = lock(&WATCHED);
        if !ready.still_open() {
            return false;
        }
        let loops = watched.get_or_insert_with(HashMap::new).entry(fd).or_default();
        let others = loops.iter().filter_map(Weak::upgrade).filter(|b| !Arc::ptr_eq(b, bridge)).collect();
        loops.retain(|b| b.strong_count() > 0 && !std::ptr::eq(b.as_ptr(), Arc::as_ptr(bridge)));
        loops.push(Arc::downgrade(bridge));
        others
    };
    for other in others {
        if other.loop_is_closed(py) {
            unlist(fd, &other);
        } else {
            other.push_queued(Queued::Moved(fd));
        }
    }
    true
}

/// `bridge` no longer keeps `fd` registered (its `remove_reader` is done).
fn unlist(fd: RawFd, bridge: &Arc<Bridge>) {
    let mut watched = lock(&WATCHED);
    if let Some(loops) = watched.as_mut().and_then(|w| w.get_mut(&fd)) {
        loops.retain(|b| b.strong_count() > 0 && !std::ptr::eq(b.as_ptr(), Arc::as_ptr(bridge)));
        if loops.is_empty() {
            watched.as_mut().map(|w| w.remove(&fd));
        }
    }
}

/// A closed loop's bridge: it keeps nothing registered any more.
pub fn forget_closed(bridge: &Bridge) {
    let fds: Vec<RawFd> = lock(&bridge.watches).drain().map(|(fd, _)| fd).collect();
    let mut watched = lock(&WATCHED);
    let Some(watched) = watched.as_mut() else { return };
    for fd in fds {
        if let Some(loops) = watched.get_mut(&fd) {
            loops.retain(|b| b.strong_count() > 0 && !std::ptr::eq(b.as_ptr(), bridge));
            if loops.is_empty() {
                watched.remove(&fd);
            }
        }
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

/// `PyBridge._ready` (unbound): what `loop.add_reader` calls for a socket the loop watches.
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

/// Claims `op` for `event_loop` when it is a parked stream operation: makes it the read of
/// its socket's watch (registering the fd with `loop.add_reader` unless the loop watches it
/// already) and polls it once with the loop's waker. Returns false (nothing done) when it is
/// not parked. The operation's waiters and done listener must be registered first: the poll
/// may end it.
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
    op.set_claim(Some((fd, waker)));
    let claim = Claim { op: op.clone(), fruitless: 0 };
    let registered = match lock(&inner.watches).get_mut(&fd) {
        Some(watch) => {
            watch.claim = Some(claim);
            watch.idle = 0;
            None
        }
        None => Some(claim),
    };
    if let Some(claim) = registered {
        // The unbound method, called with the bridge as its first argument: no bound-method
        // object per registration.
        let ready_fn = READY
            .get_or_try_init(py, || Ok::<_, PyErr>(py.get_type::<PyBridge>().getattr("_ready")?.unbind()));
        let kept = inner.epoll.is_some() && list(py, fd, &ready, inner);
        lock(&inner.watches).insert(fd, Watch { claim: Some(claim), kept, idle: 0 });
        let added = ready_fn.and_then(|f| {
            event_loop.call_method1(pyo3::intern!(py, "add_reader"), (fd, f, bridge, fd)).map(drop)
        });
        if let Err(e) = added {
            lock(&inner.watches).remove(&fd);
            if kept {
                unlist(fd, inner);
            }
            op.take_claim();
            op.op().unclaim();
            return Err(e);
        }
    }
    // The first poll only moves the read's wake-ups to the loop's waker: the read found
    // nothing an instant ago, and the loop's (level-triggered) registration reports data that
    // came since.
    poll(py, op, inner, false, true);
    Ok(true)
}

/// `PyBridge._ready`: the loop saw `fd` readable. Polls the read waiting on it; with none,
/// stops watching the fd after `IDLE_LIMIT` reports in a row.
pub fn ready_unclaimed(py: Python<'_>, bridge: &Arc<Bridge>, fd: RawFd) {
    let (claimed, idle) = match lock(&bridge.watches).get_mut(&fd) {
        Some(Watch { claim: Some(c), .. }) => (Some(c.op.clone()), false),
        Some(watch) => {
            watch.idle += 1;
            (None, watch.idle >= IDLE_LIMIT)
        }
        None => (None, false),
    };
    if let Some(op) = claimed {
        drive(py, &op, bridge, true);
    } else if idle {
        unwatch(py, bridge, fd);
    }
}

/// Polls a read this loop drives (`fd_ready`: the loop saw its fd readable) and acts on the
/// outcome: resolves its futures when it ended, hands it to the runtime when the fd keeps
/// reporting readiness the read does not act on.
pub fn drive(py: Python<'_>, op: &Arc<Shared>, bridge: &Arc<Bridge>, fd_ready: bool) {
    poll(py, op, bridge, fd_ready, false);
}

/// [`drive`]; `to_arm`: the claim's first poll (`AsyncOperation::poll_claimed_to_arm`).
fn poll(py: Python<'_>, op: &Arc<Shared>, bridge: &Arc<Bridge>, fd_ready: bool, to_arm: bool) {
    let Some((fd, waker)) = op.claim() else { return };
    let polling = LOOP_POLLING.with(|p| p.replace((Arc::as_ptr(op) as usize, Arc::as_ptr(bridge) as usize)));
    let polled = if to_arm {
        op.op().poll_claimed_to_arm(&waker)
    } else if fd_ready {
        // The loop's (level-triggered) watch just reported the fd: no probe before the recv.
        op.op().poll_claimed_readable(&waker)
    } else {
        op.op().poll_claimed(&waker)
    };
    LOOP_POLLING.with(|p| p.set(polling));
    match polled {
        ClaimedPoll::Pending => {
            let spinning = {
                let mut watches = lock(&bridge.watches);
                let claim =
                    watches.get_mut(&fd).and_then(|w| w.claim.as_mut()).filter(|c| Arc::ptr_eq(&c.op, op));
                match claim {
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
                // Its end comes through the done listener; the fd is not watched meanwhile.
                end_claim(py, op, bridge);
                op.op().unclaim();
                unwatch(py, bridge, fd);
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

/// Ends the loop's claim on `op` (on the loop's thread; idempotent): its socket's watch has
/// no read waiting any more, and is unregistered unless it is kept across reads.
pub fn end_claim(py: Python<'_>, op: &Arc<Shared>, bridge: &Arc<Bridge>) {
    let Some((fd, _)) = op.take_claim() else { return };
    let remove = {
        let mut watches = lock(&bridge.watches);
        match watches.get_mut(&fd) {
            // Another read has the fd since (this one's end reached the loop late): leave it.
            Some(watch) if watch.claim.as_ref().is_some_and(|c| Arc::ptr_eq(&c.op, op)) => {
                watch.claim = None;
                watch.idle = 0;
                !watch.kept
            }
            _ => false,
        }
    };
    if remove {
        unwatch(py, bridge, fd);
    }
}

/// Stops watching `fd` (on the loop's thread): `remove_reader`, then the close hook forgets
/// this loop for it (in that order: until asyncio has let go of the number, a close must
/// still reserve it).
fn unwatch(py: Python<'_>, bridge: &Arc<Bridge>, fd: RawFd) {
    let Some(watch) = lock(&bridge.watches).remove(&fd) else { return };
    let removed = running_loop(py).and_then(|l| l.call_method1(pyo3::intern!(py, "remove_reader"), (fd,)));
    if let Err(e) = removed {
        e.write_unraisable(py, None);
    }
    if watch.kept {
        unlist(fd, bridge);
    }
}

/// A queued `Closed` (`closed`: the socket closed, its number is reserved until this returns)
/// or `Moved` (another loop watches the socket now) on the loop's thread.
pub fn unwatch_moved(py: Python<'_>, bridge: &Arc<Bridge>, fd: RawFd, closed: bool) {
    let waiting = lock(&bridge.watches).get(&fd).is_some_and(|w| w.claim.is_some());
    if closed {
        // A read of the closed socket still waiting ends through its waker (the close wakes
        // it); without the watch its end leaves the fd alone.
        let watch = lock(&bridge.watches).remove(&fd);
        if watch.is_some() {
            let removed =
                running_loop(py).and_then(|l| l.call_method1(pyo3::intern!(py, "remove_reader"), (fd,)));
            if let Err(e) = removed {
                e.write_unraisable(py, None);
            }
        }
    } else if !waiting {
        unwatch(py, bridge, fd);
    }
}

/// A map keyed by fd, hashed with one multiplication: it is looked up several times per read
/// (SipHash, the default, cost more than the rest of each lookup), and its keys are small
/// numbers the kernel hands out, not input an attacker picks.
pub type FdMap<V> = HashMap<RawFd, V, BuildHasherDefault<FdHasher>>;

/// The hasher of [`FdMap`]: Fibonacci hashing of the fd (spreads consecutive numbers over the
/// high bits, which hashbrown uses for its control bytes).
#[derive(Default)]
pub struct FdHasher(u64);

impl Hasher for FdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_i32(&mut self, fd: i32) {
        self.0 = u64::from(fd as u32).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The fd a claim watches, as a key.
pub type ClaimKey = (RawFd, Waker);

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
