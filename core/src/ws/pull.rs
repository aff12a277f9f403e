//! The pull-style receive of a MessageWebSocket (netrt extension, docs/web.md): who reads the
//! connection, and the messages read before the pulls took it over.
//!
//! Until the first pull the receive task reads: it raises MessageReceived, or, while no handler
//! is registered, queues the newest [`QUEUE_MESSAGES`] messages here (an app that never pulls
//! and has no handler loses what it never asked for, and its pings are answered and its close
//! frame seen). From the first pull on, while no handler is registered and the socket is open,
//! the pulls own the reader: the receive task stops reading and `receive_message` runs the same
//! message assembly on the awaiting task itself (receive.rs) — no task wake-up, no thread hop
//! per message. Between pulls the frames wait in the kernel and TCP flow control holds the
//! server back. A handler registered later, or Close, gives the reader back to the task.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use super::args::MessageWebSocketMessageReceivedEventArgs as Args;
use crate::error::{Error, Result};

/// Messages (or PartialMessage pieces) kept for a pull before the first pull.
pub(crate) const QUEUE_MESSAGES: usize = 8;

#[derive(Default)]
pub(crate) struct PullQueue {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Args>,
    /// The pending receive's task.
    receiver: Option<Waker>,
    /// The receive task, waiting for its turn to read: woken when a handler is registered,
    /// at Close and at the end (not by each pull: it would wake for nothing).
    task_waiting: Option<Waker>,
    /// The receive task while it reads: woken when a pull wants the reader.
    task_reading: Option<Waker>,
    /// A receive is pending (one at a time).
    receiving: bool,
    /// A receive was made: from now on the pulls read (while no handler is registered).
    engaged: bool,
    /// A handler is registered, or the socket was closed: the receive task reads.
    task_reads: bool,
    /// Why the receive side is over: every receive after the queue is empty reports it.
    ended: Option<Error>,
}

impl PullQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The receive task hands over a message read while no handler is registered. Before the
    /// first pull the oldest unasked-for message makes room.
    pub(crate) fn push(&self, args: Args) {
        let mut st = self.lock();
        if !st.engaged && st.queue.len() >= QUEUE_MESSAGES {
            st.queue.pop_front();
        }
        st.queue.push_back(args);
        let receiver = st.receiver.take();
        drop(st);
        if let Some(w) = receiver {
            w.wake();
        }
    }

    /// The receive side is over: receives report `why` once the queue is empty (the first
    /// reason stays), and the receive task stops waiting for its turn.
    pub(crate) fn end(&self, why: Error) {
        let mut st = self.lock();
        st.ended.get_or_insert(why);
        let wakers = [st.receiver.take(), st.task_waiting.take(), st.task_reading.take()];
        drop(st);
        wakers.into_iter().flatten().for_each(Waker::wake);
    }

    /// A handler was registered, or the socket closed: the receive task reads from now on
    /// (`reads`), or, with `false`, the pulls may take the reader back at their next receive.
    pub(crate) fn set_task_reads(&self, reads: bool) {
        let mut st = self.lock();
        st.task_reads = reads;
        let task = st.task_waiting.take();
        drop(st);
        if let Some(w) = task {
            w.wake();
        }
    }

    /// For the receive task: Ready while it may read (no pull owns the reader), registering
    /// its waker otherwise. `has_handlers` tells whether MessageReceived has a handler.
    pub(crate) fn poll_task_turn(&self, cx: &mut Context<'_>, has_handlers: impl Fn() -> bool) -> Poll<()> {
        let mut st = self.lock();
        if self.task_may_read(&st, has_handlers) {
            return Poll::Ready(());
        }
        st.task_reading = None;
        st.task_waiting = Some(cx.waker().clone());
        Poll::Pending
    }

    /// For the receive task while it reads: Ready once the pulls want the reader.
    pub(crate) fn poll_pulls_want_reader(
        &self,
        cx: &mut Context<'_>,
        has_handlers: impl Fn() -> bool,
    ) -> Poll<()> {
        let mut st = self.lock();
        if self.task_may_read(&st, has_handlers) {
            st.task_waiting = None;
            match &mut st.task_reading {
                Some(w) if w.will_wake(cx.waker()) => {}
                slot => *slot = Some(cx.waker().clone()),
            }
            return Poll::Pending;
        }
        Poll::Ready(())
    }

    fn task_may_read(&self, st: &State, has_handlers: impl Fn() -> bool) -> bool {
        !st.engaged || st.task_reads || st.ended.is_some() || has_handlers()
    }

    /// Starts a receive: `E_ILLEGAL_METHOD_CALL` while another one is pending. A receive task
    /// that is reading is told to hand the reader over.
    pub(crate) fn begin(&self) -> Result<Receiving<'_>> {
        let mut st = self.lock();
        if st.receiving {
            return Err(Error::illegal_method_call(
                "another ReceiveMessageAsync is pending on this MessageWebSocket",
            ));
        }
        st.receiving = true;
        st.engaged = true;
        st.task_reads = false;
        // Only a task that is reading has to hand over; one waiting for its turn stays asleep.
        let task = st.task_reading.take();
        drop(st);
        if let Some(w) = task {
            w.wake();
        }
        Ok(Receiving(self))
    }

    /// Puts a message taken by a receive nobody awaits any more back at the front.
    pub(crate) fn give_back(&self, args: Args) {
        let mut st = self.lock();
        st.queue.push_front(args);
        let receiver = st.receiver.take();
        drop(st);
        if let Some(w) = receiver {
            w.wake();
        }
    }
}

/// A pending receive (also when its future is dropped unfinished: it took nothing then).
pub(crate) struct Receiving<'a>(&'a PullQueue);

impl Receiving<'_> {
    /// A queued message, or the reason the receive side is over, if there is either.
    pub(crate) fn try_queued(&self) -> Option<Result<Args>> {
        let mut st = self.0.lock();
        match st.queue.pop_front() {
            Some(args) => Some(Ok(args)),
            None => st.ended.clone().map(Err),
        }
    }

    /// A queued message, or the reason the receive side is over; Pending (the waker kept for
    /// a push, a give-back or the end) when there is neither.
    pub(crate) fn poll_queued(&self, cx: &mut Context<'_>) -> Poll<Result<Args>> {
        let mut st = self.0.lock();
        if let Some(args) = st.queue.pop_front() {
            return Poll::Ready(Ok(args));
        }
        if let Some(why) = &st.ended {
            return Poll::Ready(Err(why.clone()));
        }
        match &mut st.receiver {
            Some(w) if w.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl Drop for Receiving<'_> {
    fn drop(&mut self) {
        let mut st = self.0.lock();
        st.receiving = false;
        st.receiver = None;
    }
}
