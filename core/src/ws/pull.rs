//! The pull-style receive of a MessageWebSocket (netrt extension, docs/web.md): what the receive
//! task would raise as MessageReceived while no handler is registered waits here for
//! `receive_message`, which takes it on the awaiting task itself — no dispatcher hop.
//!
//! Until the first pull the queue keeps the newest [`QUEUE_MESSAGES`] messages (an app that
//! never pulls and has no handler loses what it never asked for, as before, and its receive
//! task keeps answering pings and seeing the close frame). From the first pull on, a full
//! queue makes the receive task wait, and TCP flow control holds the server back, as a
//! StreamWebSocket's input does.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use super::args::MessageWebSocketMessageReceivedEventArgs as Args;
use crate::error::{Error, Result};

/// Messages (or PartialMessage pieces) that wait for a pull before the receive task waits.
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
    /// The receive task, waiting for room.
    producer: Option<Waker>,
    /// A receive is pending (one at a time).
    receiving: bool,
    /// A receive was made: a full queue holds the receive task back instead of dropping.
    engaged: bool,
    /// Why the receive side is over: every receive after the queue is empty reports it.
    ended: Option<Error>,
}

impl PullQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The receive task hands over a message: waits for room once pulls were made (ends early,
    /// returning false, when `stop` fires: the socket was closed).
    pub(crate) async fn push(&self, args: Args, stop: &tokio_util::sync::CancellationToken) -> bool {
        let room = std::future::poll_fn(|cx| {
            let mut st = self.lock();
            if !st.engaged || st.queue.len() < QUEUE_MESSAGES {
                return Poll::Ready(());
            }
            st.producer = Some(cx.waker().clone());
            Poll::Pending
        });
        tokio::select! {
            biased;
            () = room => {}
            () = stop.cancelled() => return false,
        }
        let mut st = self.lock();
        if st.queue.len() >= QUEUE_MESSAGES {
            // Not engaged: the oldest unasked-for message makes room.
            st.queue.pop_front();
        }
        st.queue.push_back(args);
        if let Some(w) = st.receiver.take() {
            drop(st);
            w.wake();
        }
        true
    }

    /// The receive side is over: receives report `why` once the queue is empty. The first
    /// reason stays.
    pub(crate) fn end(&self, why: Error) {
        let mut st = self.lock();
        st.ended.get_or_insert(why);
        let waker = st.receiver.take();
        drop(st);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Starts a receive: `E_ILLEGAL_METHOD_CALL` while another one is pending.
    pub(crate) fn begin(&self) -> Result<Receiving<'_>> {
        let mut st = self.lock();
        if st.receiving {
            return Err(Error::illegal_method_call(
                "another ReceiveMessageAsync is pending on this MessageWebSocket",
            ));
        }
        st.receiving = true;
        st.engaged = true;
        Ok(Receiving(self))
    }

    /// Puts a message taken by a receive nobody awaits any more back at the front.
    pub(crate) fn give_back(&self, args: Args) {
        self.lock().queue.push_front(args);
    }
}

/// A pending receive (also when its future is dropped unfinished: it took nothing then).
pub(crate) struct Receiving<'a>(&'a PullQueue);

impl Receiving<'_> {
    /// The next message, or the reason the receive side is over.
    pub(crate) fn poll_next(&self, cx: &mut Context<'_>) -> Poll<Result<Args>> {
        let mut st = self.0.lock();
        if let Some(args) = st.queue.pop_front() {
            let producer = st.producer.take();
            drop(st);
            if let Some(w) = producer {
                w.wake();
            }
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
