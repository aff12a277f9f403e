//! The future of a ReadAsync on a plain TCP socket: core's `DirectRead` straight into the
//! buffer's memory. It has no future of core's inside (one allocation per operation: its own
//! box), its read slot is held from the first attempt to the end (no second read can slip in
//! between), and the same steps serve the attempt `ReadAsync` makes before the operation
//! exists, the polls of a blocking waiter, and the runtime.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use netrt_core::Error;
use netrt_core::foundation::async_op::{Armable, CancelToken};
use netrt_core::io::caller_driven::block_on_caller;
use netrt_core::io::{DirectRead, InputStreamOptions};

use crate::async_op::{OpResult, Readiness, timed_out, timeout_of};
use crate::object::{Object, Value};

pub(crate) struct ReadInto {
    /// `None` once the read is over: the slot goes back before the operation completes.
    reader: Option<DirectRead>,
    /// The buffer's memory (fixed address, `count` bytes): written by this read alone.
    memory: *mut u8,
    count: usize,
    filled: usize,
    options: InputStreamOptions,
    /// The last step was an attempt that found nothing: the next poll need not repeat it.
    after_attempt: bool,
    /// The result, which also keeps `memory` alive.
    buffer: Option<Arc<Object>>,
    /// The stream object, alive while the read is.
    _stream: Arc<Object>,
    /// Set when the operation is cancelled: stop, delivering what was read (see `CancelToken`).
    cancel: Option<CancelToken>,
}

// SAFETY: `memory` points into the buffer held by `buffer`; the C contract gives this read sole
// use of those bytes until it completes, so moving the read to another thread is fine.
unsafe impl Send for ReadInto {}

impl ReadInto {
    /// A read of `count` (> 0, ≤ the buffer's capacity) bytes into `buffer`'s memory.
    pub(crate) fn new(
        reader: DirectRead,
        buffer: Arc<Object>,
        stream: Arc<Object>,
        count: usize,
        options: InputStreamOptions,
    ) -> Self {
        let memory = match &buffer.value {
            Value::Buffer(b) => b.raw_memory().0,
            _ => unreachable!("ReadAsync looked the buffer up as a Buffer"),
        };
        Self {
            reader: Some(reader),
            memory,
            count,
            filled: 0,
            options,
            after_attempt: false,
            buffer: Some(buffer),
            _stream: stream,
            cancel: None,
        }
    }

    /// The read as the future of a cancellable operation.
    pub(crate) fn cancellable(mut self, cancel: CancelToken) -> Self {
        self.cancel = Some(cancel);
        self
    }

    /// The read as if an attempt had just found nothing: its next poll registers its waker
    /// (and sees an abort, or bytes given back) without a syscall, for a caller that waits for
    /// readiness first.
    pub(crate) fn without_attempt(mut self) -> Self {
        self.after_attempt = true;
        self
    }

    /// Ends the read: the buffer holds `filled` bytes.
    fn finish(&mut self) -> Result<OpResult, Error> {
        self.reader = None;
        let buffer = self.buffer.take().expect("taken only here, once");
        if let Value::Buffer(b) = &buffer.value {
            b.set_length_filled(self.filled);
        }
        Ok(OpResult::Object(buffer))
    }

    /// Reads on until the read is over or nothing more is there: with `cx`, polls (Pending
    /// arms the wake-ups); without, attempts that never wait and arm nothing.
    pub(crate) fn advance(&mut self, mut cx: Option<&mut Context<'_>>) -> Poll<Result<OpResult, Error>> {
        loop {
            if self.reader.is_some() && self.cancel.as_ref().is_some_and(|c| c.is_set()) {
                // Cancelled: no new syscall; what was read so far is the result.
                if self.filled == 0 {
                    self.reader = None;
                    return Poll::Ready(Err(CancelToken::cancelled()));
                }
                return Poll::Ready(self.finish());
            }
            let Some(reader) = &self.reader else {
                return Poll::Ready(Err(Error::illegal_method_call("the read is over")));
            };
            // SAFETY: `filled < count` here, and `memory` has `count` bytes (see the field).
            let rest = unsafe {
                std::slice::from_raw_parts_mut(self.memory.add(self.filled), self.count - self.filled)
            };
            let polled = match cx.as_deref_mut() {
                Some(cx) => reader.poll_read(cx, rest, std::mem::take(&mut self.after_attempt)),
                None => reader.try_read(rest),
            };
            let n = match polled {
                Poll::Pending => {
                    self.after_attempt = cx.is_none();
                    // A cancel wakes this poll's waker, whoever polls it.
                    if let (Some(cx), Some(cancel)) = (cx.as_deref_mut(), &self.cancel)
                        && cancel.poll_set(cx).is_ready()
                    {
                        continue;
                    }
                    return Poll::Pending;
                }
                Poll::Ready(Err(e)) => {
                    self.reader = None;
                    return Poll::Ready(Err(e));
                }
                Poll::Ready(Ok(n)) => n,
            };
            self.filled += n;
            if self.options.read_is_over(n, self.filled, self.count) {
                return Poll::Ready(self.finish());
            }
        }
    }

    /// The read driven to its end on this thread, without an operation (the one-call form
    /// `netrt_input_stream_read`; `ready`: [`readiness`](Self::readiness)): the number of
    /// bytes read, which the buffer's length now says (not read back from it: that would take
    /// its lock again). When `timeout_ms` (`NETRT_INFINITE`: no limit) passes first the read
    /// ends there — with the bytes it had received, or, having received none, with
    /// `WAIT_TIMEOUT` (nothing consumed, the read slot given back). Close and CancelIOAsync
    /// wake it as they wake any direct read.
    pub(crate) fn block(mut self, ready: Readiness, timeout_ms: u32) -> Result<u32, Error> {
        debug_assert!(self.cancel.is_none(), "an operation's read is cancelled through it");
        let outcome = block_on_caller(ready, timeout_of(timeout_ms), |cx| self.advance(Some(cx)));
        let finished = match outcome {
            Some(outcome) => outcome,
            None if self.filled > 0 => self.finish(),
            None => Err(timed_out(timeout_ms)),
        };
        // `count` is a u32 (the C argument), and `filled <= count`.
        finished.map(|_| self.filled as u32)
    }

    /// What a blocking waiter polls for this read.
    pub(crate) fn readiness(&self) -> Option<Readiness> {
        self.reader.as_ref()?.readiness_fd().map(Readiness::readable)
    }
}

impl Armable for ReadInto {
    /// Right after an attempt that found nothing: registers `waker` for the socket's abort as
    /// the next poll would (the operation arms its own cancel signal), and leaves the next
    /// poll a full one — the queue polls it on the socket's next edge, when `recv` has to run.
    fn arm(&mut self, waker: &Waker) -> bool {
        let armed = match &self.reader {
            Some(reader) if self.after_attempt => reader.arm(waker),
            _ => false,
        };
        if armed {
            self.after_attempt = false;
        }
        armed
    }
}

impl Future for ReadInto {
    type Output = Result<OpResult, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().advance(Some(cx))
    }
}

#[cfg(test)]
mod tests {
    /// A ReadAsync's operation and its future are one allocation (see core's `keeps_in_place`).
    #[test]
    fn a_read_is_kept_in_its_operation() {
        assert!(netrt_core::foundation::async_op::keeps_in_place::<super::ReadInto>());
    }
}
