//! How a completion queue drives the parked stream operations bound to it (module notes of
//! `completion_queue.rs`, and `async_op/queue_drive.rs` for the operation's side).
//!
//! A socket is registered with the queue's epoll fd once, edge-triggered, when its first
//! operation is driven, and stays registered until the socket closes ([`socket_closing`]) or
//! the queue does: the queue remembers which operation waits on each direction, and an edge
//! polls that one on the calling thread in `dispatch`. Every syscall an operation makes is
//! one it needs: no `epoll_ctl` per read, no re-arming. Two things make this safe:
//!
//! * Every edge is either delivered to the waiting operation or, when none waits, remembered
//!   (`edge_in` / `edge_out`): the next operation on that direction is then polled once more
//!   (it may have found nothing just before the edge was taken by another thread's dispatch).
//! * An fd number names one socket only until it closes: the socket deregisters itself before
//!   its fd closes ([`socket_closing`]), and each registration carries a generation in its
//!   epoll token, so an event taken just before that is not applied to a new socket that got
//!   the same number.

use std::mem::MaybeUninit;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use super::{
    Bound, CancelOnClose, CompletionQueue, Drive, Driven, Drove, Inner, JOBS_TOKEN, State, fork_generation,
};
use crate::foundation::async_op::Readiness;

/// What a socket is registered for, edge-triggered, for its lifetime: reading; writability
/// is added when a write first has to wait (a writable socket would otherwise report an edge
/// at once, a wake-up with nothing to do).
const WATCH_EVENTS: u32 = (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLET) as u32;
const READ_EVENTS: u32 = (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR) as u32;
const WRITE_EVENTS: u32 = (libc::EPOLLOUT | libc::EPOLLHUP | libc::EPOLLERR) as u32;

/// One registered socket.
#[derive(Default)]
pub(super) struct Watch {
    pub(super) generation: u32,
    /// Whether `EPOLLOUT` is in the registration.
    out: bool,
    /// The driven operation waiting to read / to write, by key.
    reader: Option<u64>,
    writer: Option<u64>,
    /// An edge came while no operation waited on that direction.
    edge_in: bool,
    edge_out: bool,
    /// The socket's wakers, one per direction, made when an operation is first driven on it
    /// and lent to the operations that follow (see [`CompletionQueue::waker_for`]).
    reader_waker: Option<Arc<DrivenWaker>>,
    writer_waker: Option<Arc<DrivenWaker>>,
}

fn token(fd: RawFd, generation: u32) -> u64 {
    (u64::from(generation) << 32) | u64::from(fd as u32)
}

/// Queues that registered sockets, for [`socket_closing`].
static LISTED: Mutex<Vec<Weak<Inner>>> = Mutex::new(Vec::new());
/// Whether any queue ever registered a socket (a socket closing in a process without one
/// takes no lock).
static ANY_LISTED: AtomicBool = AtomicBool::new(false);

/// Called by a socket before its fd closes (or leaves the process): every queue of this
/// process that has it registered deregisters it, so that the fd number, once reused, names a
/// socket the queue does not know yet.
pub(crate) fn socket_closing(fd: RawFd) {
    if !ANY_LISTED.load(Ordering::Acquire) {
        return;
    }
    let queues: Vec<Arc<Inner>> = {
        let mut listed = LISTED.lock().unwrap_or_else(|e| e.into_inner());
        listed.retain(|q| q.strong_count() > 0);
        listed.iter().filter_map(Weak::upgrade).collect()
    };
    for inner in queues {
        // A queue inherited across fork() shares its epoll instance with the parent's.
        if inner.generation != fork_generation() {
            continue;
        }
        let mut st = inner.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.watched.remove(fd).is_some() {
            inner.unwatch(fd);
        }
    }
}

impl Inner {
    /// Removes `fd` from the epoll set (it fails harmlessly when the fd is already closed).
    pub(super) fn unwatch(&self, fd: RawFd) {
        // SAFETY: our epoll fd; a null event is allowed for EPOLL_CTL_DEL.
        unsafe { libc::epoll_ctl(self.epoll_fd(), libc::EPOLL_CTL_DEL, fd, std::ptr::null_mut()) };
    }

    fn epoll_fd(&self) -> RawFd {
        use std::os::fd::AsRawFd;
        self.epoll.as_raw_fd()
    }
}

impl CompletionQueue {
    /// Drives the parked operation bound here as `key` from now on: it waits on `ready`, and
    /// `dispatch` polls it with `waker` (from [`waker_for`](Self::waker_for), the waker its last poll
    /// registered). False when the queue is closed, cannot register the socket, or already
    /// drives another operation on that direction of it (the caller runs this one elsewhere).
    pub(crate) fn adopt(
        &self,
        key: u64,
        ready: Readiness,
        op: Arc<dyn Drive>,
        waker: &Arc<DrivenWaker>,
    ) -> bool {
        let mut st = self.lock();
        // Bound here (the caller's binding says so) unless the queue closed, which forgot it.
        if st.closed || !st.bound.contains(key) {
            return false;
        }
        let Some(driven) = self.adopt_locked(&mut st, key, ready, op, waker) else { return false };
        if let Some(entry) = st.bound.get_mut(key) {
            entry.driven = Some(driven);
        }
        true
    }

    /// [`bind`](Self::bind) and [`adopt`](Self::adopt) under one lock, for an operation that
    /// starts parked: `None` when the queue is closed (neither happened), else its key (as
    /// `bind` gives) and whether the queue drives it (it is bound either way).
    pub(crate) fn bind_and_adopt(
        &self,
        id: u32,
        bound: Weak<dyn CancelOnClose>,
        ready: Readiness,
        op: Arc<dyn Drive>,
        waker: &Arc<DrivenWaker>,
    ) -> Option<(u64, bool)> {
        let mut st = self.lock();
        if st.closed {
            return None;
        }
        // The key first, so that the entry is moved into the slab once, complete.
        let key = st.bound.next_key(id);
        let driven = self.adopt_locked(&mut st, key, ready, op, waker);
        let adopted = driven.is_some();
        let inserted = st.bound.insert(id, Bound { cancel: bound, driven });
        debug_assert_eq!(inserted, key);
        Some((key, adopted))
    }

    /// Takes the socket's slot for the operation bound as `key` (its entry in `bound` is the
    /// caller's to update with what this returns): `None` when the queue cannot drive it.
    fn adopt_locked(
        &self,
        st: &mut State,
        key: u64,
        ready: Readiness,
        op: Arc<dyn Drive>,
        waker: &Arc<DrivenWaker>,
    ) -> Option<Driven> {
        let fd = ready.fd();
        let writing = !ready.is_readable();
        // One lookup when the socket is registered already (every read after its first).
        // An index either way (the table is by fd): registered already for every read after
        // the socket's first.
        if st.watched.get(fd).is_none() && !self.watch_locked(st, fd, writing) {
            return None;
        }
        let watch = st.watched.get_mut(fd)?;
        if writing && !watch.out {
            let mut ev = libc::epoll_event {
                events: WATCH_EVENTS | libc::EPOLLOUT as u32,
                u64: token(fd, watch.generation),
            };
            // SAFETY: our epoll fd; `ev` is a valid event.
            if unsafe { libc::epoll_ctl(self.fd(), libc::EPOLL_CTL_MOD, fd, &mut ev) } != 0 {
                return None;
            }
            watch.out = true;
        }
        let (slot, edge, lent) = if ready.is_readable() {
            (&mut watch.reader, &mut watch.edge_in, &mut watch.reader_waker)
        } else {
            (&mut watch.writer, &mut watch.edge_out, &mut watch.writer_waker)
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(key);
        if lent.is_none() {
            let wakes = Wakes::Socket { fd, generation: watch.generation, readable: ready.is_readable() };
            *lent = Some(Arc::new(DrivenWaker::new(&self.inner, wakes)));
        }
        // An edge nobody took, or a wake that came before the queue knew the operation: it may
        // have missed what the edge announced, so poll it once more.
        let missed = std::mem::take(edge) | waker.early.swap(false, Ordering::Relaxed);
        if let Wakes::Op(bound) = &waker.wakes {
            // Its wakes reach the operation from now on (under this lock, as they look).
            bound.store(key, Ordering::Relaxed);
        }
        if missed {
            st.woken.push(key);
            if !st.signaled && st.dispatching == 0 {
                self.signal_fd();
                st.signaled = true;
            }
        }
        Some(Driven { fd, op, waker: DrivenWaker::waker(waker) })
    }

    /// Registers `fd` (not registered yet) for its lifetime, for writability too when `out`;
    /// false when epoll refuses it.
    fn watch_locked(&self, st: &mut State, fd: RawFd, out: bool) -> bool {
        st.next_generation = st.next_generation.wrapping_add(1);
        let generation = st.next_generation;
        let events = if out { WATCH_EVENTS | libc::EPOLLOUT as u32 } else { WATCH_EVENTS };
        let mut ev = libc::epoll_event { events, u64: token(fd, generation) };
        // SAFETY: our epoll fd; `ev` is a valid event. EEXIST: the fd is registered although the
        // table does not say so (a close that was not seen): take the registration over.
        let added = unsafe {
            libc::epoll_ctl(self.fd(), libc::EPOLL_CTL_ADD, fd, &mut ev) == 0
                || (std::io::Error::last_os_error().raw_os_error() == Some(libc::EEXIST)
                    && libc::epoll_ctl(self.fd(), libc::EPOLL_CTL_MOD, fd, &mut ev) == 0)
        };
        if !added {
            return false;
        }
        if !st.listed {
            st.listed = true;
            let mut listed = LISTED.lock().unwrap_or_else(|e| e.into_inner());
            listed.retain(|q| q.strong_count() > 0);
            listed.push(Arc::downgrade(&self.inner));
            ANY_LISTED.store(true, Ordering::Release);
        }
        st.watched.insert(fd, Watch { generation, out, ..Watch::default() }).is_some()
    }

    /// The waker for an operation, to register before the queue drives it: a wake asks the
    /// queue to poll it again (once the queue drives it; before, the wake is kept for `adopt`). `ready`, when known, is what the operation will wait on: when
    /// the queue watches that socket already and drives no operation on that direction of it,
    /// the socket's own waker is lent (no allocation per read, and the socket's waker slot,
    /// seeing the same waker again, keeps it); a late wake meant for an earlier operation then
    /// only polls the new one once more.
    pub(crate) fn waker_for(&self, ready: Option<Readiness>) -> Arc<DrivenWaker> {
        if let Some(ready) = ready {
            let st = self.lock();
            if let Some(watch) = st.watched.get(ready.fd()) {
                let (slot, lent) = if ready.is_readable() {
                    (watch.reader, &watch.reader_waker)
                } else {
                    (watch.writer, &watch.writer_waker)
                };
                if let (None, Some(waker)) = (slot, lent) {
                    return waker.clone();
                }
            }
        }
        Arc::new(DrivenWaker::new(&self.inner, Wakes::Op(AtomicU64::new(NOT_DRIVEN))))
    }

    /// `dispatch`'s start: counts the call as running and polls the driven operations whose
    /// socket reported an edge or whose waker was woken, on this thread (their handlers are
    /// queued here as they complete). The queue's state, locked, for the jobs; `None` when
    /// the queue is closed (nothing was done).
    pub(super) fn drive_ready(&self) -> Option<MutexGuard<'_, State>> {
        // Not zeroed (768 bytes, every call): the kernel fills the first `n`, and only those
        // are read.
        let mut events = [const { MaybeUninit::<libc::epoll_event>::uninit() }; 64];
        // SAFETY: our epoll fd and room for 64 events; timeout 0 never blocks. Before the
        // lock (no syscall under it); a close that comes meanwhile is seen below.
        let n = unsafe { libc::epoll_wait(self.fd(), events.as_mut_ptr().cast(), 64, 0) };
        let mut st = self.lock();
        let mut ids = std::mem::take(&mut st.woken);
        for ev in events.iter().take(n.max(0) as usize) {
            // SAFETY: one of the `n` events epoll_wait wrote.
            let ev = unsafe { ev.assume_init_read() };
            let (token, flags) = (ev.u64, ev.events);
            if token == JOBS_TOKEN {
                continue;
            }
            let fd = token as u32 as RawFd;
            if flags & READ_EVENTS != 0 {
                // Before the edge is handed on, under this lock (see `read_edges`).
                super::read_edges::took_read_edge(fd);
            }
            let Some(watch) = st.watched.get_mut(fd).filter(|w| u64::from(w.generation) == token >> 32)
            else {
                continue;
            };
            if flags & READ_EVENTS != 0 {
                match watch.reader {
                    Some(id) if !ids.contains(&id) => ids.push(id),
                    Some(_) => {}
                    None => watch.edge_in = true,
                }
            }
            if flags & WRITE_EVENTS != 0 {
                match watch.writer {
                    Some(id) if !ids.contains(&id) => ids.push(id),
                    Some(_) => {}
                    None => watch.edge_out = true,
                }
            }
        }
        // Closed since the events were taken: nothing to poll (`close` forgot every socket and
        // operation), but the read edges above were counted, as every edge taken must be.
        if st.closed {
            return None;
        }
        st.dispatching += 1;
        // What to poll, gathered under the same lock.
        let mut batch = std::mem::take(&mut st.batch);
        batch.extend(ids.iter().filter_map(|id| {
            let d = st.bound.get(*id)?.driven.as_ref()?;
            Some((*id, d.op.clone(), d.waker.clone()))
        }));
        if !batch.is_empty() {
            drop(st);
            for (id, op, waker) in batch.drain(..) {
                // Settled: its end already made the queue forget it (`finish_bound`).
                if op.drive(&waker) == Drove::Left {
                    let forgotten = forget_locked(&mut self.lock(), id);
                    drop(forgotten);
                }
            }
            st = self.lock();
        }
        // The lists' memory is kept for the next call (no allocation per dispatch).
        ids.clear();
        if st.woken.is_empty() {
            st.woken = ids;
        }
        if st.batch.capacity() == 0 {
            st.batch = batch;
        }
        Some(st)
    }
}

/// Stops driving the operation bound as `key`, which stays bound (its socket stays
/// registered). Returns what the queue held of it, to drop once the lock is released (it may
/// own a socket, whose closing locks queues).
pub(super) fn forget_locked(st: &mut State, key: u64) -> Option<Driven> {
    let driven = st.bound.get_mut(key)?.driven.take()?;
    free_slot(st, key, driven)
}

/// Forgets the operation bound as `key` altogether (it ended, or is bound elsewhere now); what
/// the queue held of it goes as for [`forget_locked`].
pub(in crate::foundation) fn unbind_locked(st: &mut State, key: u64) -> Option<Driven> {
    let driven = st.bound.remove(key)?.driven?;
    free_slot(st, key, driven)
}

/// Frees the socket slot `driven` (the operation `key`'s) held.
fn free_slot(st: &mut State, key: u64, driven: Driven) -> Option<Driven> {
    if let Some(watch) = st.watched.get_mut(driven.fd) {
        if watch.reader == Some(key) {
            watch.reader = None;
        }
        if watch.writer == Some(key) {
            watch.writer = None;
        }
    }
    Some(driven)
}

/// The waker of a driven operation's future: asks the queue to poll it again.
pub(crate) struct DrivenWaker {
    queue: Weak<Inner>,
    wakes: Wakes,
    /// Woken before the queue drove its operation (between its first poll and `adopt`).
    early: AtomicBool,
}

/// A [`Wakes::Op`] waker's key before the queue drives its operation (no slot has it).
const NOT_DRIVEN: u64 = u64::MAX;

/// Whom a [`DrivenWaker`] wakes.
enum Wakes {
    /// One operation, by its key in the queue's `bound`, set (under the queue's lock) when the
    /// queue takes it over with this waker; made before the operation is bound, so
    /// [`NOT_DRIVEN`] until then.
    Op(AtomicU64),
    /// Whichever operation the queue drives on that direction of that socket registration;
    /// with none, the wake is kept as an edge nobody took (the next one is polled once more).
    Socket { fd: RawFd, generation: u32, readable: bool },
}

impl DrivenWaker {
    fn new(queue: &Arc<Inner>, wakes: Wakes) -> Self {
        Self { queue: Arc::downgrade(queue), wakes, early: AtomicBool::new(false) }
    }
}

impl DrivenWaker {
    /// Asks the queue to poll the operation again (the waker's wake; see `driven_waker.rs`).
    pub(super) fn wake_by_ref(&self) {
        let Some(inner) = self.queue.upgrade() else { return };
        let mut st = inner.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.closed {
            return;
        }
        let key = match &self.wakes {
            Wakes::Op(key) => key.load(Ordering::Relaxed),
            &Wakes::Socket { fd, generation, readable } => {
                let Some(watch) = st.watched.get_mut(fd).filter(|w| w.generation == generation) else {
                    return;
                };
                let (slot, edge) = if readable {
                    (watch.reader, &mut watch.edge_in)
                } else {
                    (watch.writer, &mut watch.edge_out)
                };
                match slot {
                    Some(key) => key,
                    None => {
                        *edge = true;
                        return;
                    }
                }
            }
        };
        if st.woken.contains(&key) {
            return;
        }
        if st.bound.get(key).is_none_or(|b| b.driven.is_none()) {
            // Not (yet, or no longer) driven: `adopt` looks at this.
            self.early.store(true, Ordering::Relaxed);
            return;
        }
        st.woken.push(key);
        if !st.signaled && st.dispatching == 0 {
            inner.jobs.signal();
            st.signaled = true;
        }
    }
}
