//! How a completion queue drives the parked stream operations bound to it (module notes of
//! `completion_queue.rs`, and `async_op/queue_drive.rs` for the operation's side): their
//! sockets are registered one-shot with the queue's epoll fd, `dispatch` polls those that are
//! ready (or whose waker was woken) on the calling thread, and re-arms those still waiting.

use std::sync::{Arc, Weak};
use std::task::{Wake, Waker};

use super::{CompletionQueue, Drive, Driven, Inner, JOBS_TOKEN, State};
use crate::foundation::async_op::Readiness;

impl CompletionQueue {
    /// Drives the parked operation `id` from now on: watches `ready` (one-shot) and polls it in
    /// `dispatch` with `waker` (from [`waker_for`](Self::waker_for)). False when the queue is
    /// closed or already watches that socket (a read and a write pending together: the caller
    /// runs the second elsewhere).
    pub(crate) fn adopt(&self, id: u64, ready: Readiness, op: Arc<dyn Drive>, waker: Waker) -> bool {
        let mut st = self.lock();
        let fd = ready.fd();
        let idle = match st.watched.get(&fd) {
            Some(Some(_)) => return false,
            Some(None) => true,
            None => false,
        };
        if st.closed {
            return false;
        }
        let mut ev = libc::epoll_event { events: ready.epoll_events() | libc::EPOLLONESHOT as u32, u64: id };
        // SAFETY: our epoll fd; `ev` is a valid event. An idle registration is re-armed; it is
        // gone if the socket was closed (the number then names another file): add it anew.
        let armed = unsafe {
            (idle && libc::epoll_ctl(self.fd(), libc::EPOLL_CTL_MOD, fd, &mut ev) == 0)
                || libc::epoll_ctl(self.fd(), libc::EPOLL_CTL_ADD, fd, &mut ev) == 0
        };
        if !armed {
            return false;
        }
        st.watched.insert(fd, Some(id));
        st.driven.insert(id, Driven { fd: ready.fd(), op, waker });
        true
    }

    /// The waker for driven operation `id`: queues it for a poll in the next `dispatch`.
    pub(crate) fn waker_for(&self, id: u64) -> Waker {
        Waker::from(Arc::new(DrivenWaker { queue: Arc::downgrade(&self.inner), id }))
    }

    pub(super) fn forget_locked(&self, st: &mut State, id: u64) {
        let Some(driven) = st.driven.remove(&id) else { return };
        if let Some(owner) = st.watched.get_mut(&driven.fd)
            && *owner == Some(id)
        {
            *owner = None;
        }
    }

    /// Polls the driven operations whose socket is ready or whose waker was woken, on this
    /// thread; their handlers are queued here as they complete.
    pub(super) fn drive_ready(&self) {
        let mut events = [libc::epoll_event { events: 0, u64: 0 }; 64];
        // SAFETY: our epoll fd and a buffer of 64 events; timeout 0 never blocks.
        let n = unsafe { libc::epoll_wait(self.fd(), events.as_mut_ptr(), 64, 0) };
        let mut ids: Vec<u64> = std::mem::take(&mut self.lock().woken);
        ids.extend(events.iter().take(n.max(0) as usize).map(|e| e.u64).filter(|&id| id != JOBS_TOKEN));
        for id in ids {
            let Some((op, waker)) = self.lock().driven.get(&id).map(|d| (d.op.clone(), d.waker.clone()))
            else {
                continue;
            };
            let still_waiting = op.drive(&waker);
            let mut st = self.lock();
            match (still_waiting, st.driven.get(&id)) {
                (Some(ready), Some(driven)) => {
                    let mut ev = libc::epoll_event {
                        events: ready.epoll_events() | libc::EPOLLONESHOT as u32,
                        u64: id,
                    };
                    // SAFETY: our epoll fd; re-arms this operation's one-shot registration.
                    unsafe { libc::epoll_ctl(self.fd(), libc::EPOLL_CTL_MOD, driven.fd, &mut ev) };
                }
                (None, Some(_)) => self.forget_locked(&mut st, id),
                _ => {}
            }
        }
    }
}

/// The waker of a driven operation's future: asks the queue to poll it again.
struct DrivenWaker {
    queue: Weak<Inner>,
    id: u64,
}

impl Wake for DrivenWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let Some(inner) = self.queue.upgrade() else { return };
        let mut st = inner.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.closed || !st.driven.contains_key(&self.id) || st.woken.contains(&self.id) {
            return;
        }
        st.woken.push(self.id);
        if !st.signaled && st.dispatching == 0 {
            inner.jobs.signal();
            st.signaled = true;
        }
    }
}
