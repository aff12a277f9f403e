//! The rest of a WriteAsync or one-call write on a plain TCP socket that the kernel did not
//! take at its first attempt: core's `DirectWrite` (whose write slot the write holds from that
//! attempt to its end) straight from the bytes to send. The same steps serve a one-call write
//! that waits on its own thread (sending from the caller's buffer: no copy, no operation, no
//! other thread) and the future of an operation (sending from a copy of what was left).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use netrt_core::Error;
use netrt_core::error::hresult::E_WAIT_TIMEOUT;
use netrt_core::io::DirectWrite;
use netrt_core::io::caller_driven::block_on_caller_progressing;

use crate::async_op::{OpResult, Readiness, timeout_of};
use crate::object::{Object, Value};

pub(crate) struct WriteFrom {
    /// `None` once the write is over: the slot goes back before the operation completes.
    writer: Option<DirectWrite>,
    bytes: Bytes,
    /// The buffer's length when the write started: the bytes the write sends.
    total: usize,
    sent: usize,
    /// The kernel took nothing more (or only part) an instant ago: a caller-driven poll need
    /// not ask it again before the socket reports room.
    after_refusal: bool,
    /// The stream object, alive while the write is.
    _stream: Arc<Object>,
}

/// Where the bytes come from.
enum Bytes {
    /// The caller's Buffer, read under its lock at each attempt: the one-call form, whose
    /// caller is inside the call until the write is over.
    Caller(Arc<Object>),
    /// What was left when WriteAsync returned (the caller may reuse the buffer from then on):
    /// `rest[0]` is byte `base` of the write.
    Copy { rest: Vec<u8>, base: usize },
}

impl Bytes {
    /// Runs `f` on bytes `sent..total` of the write (fewer, should the caller have shrunk the
    /// buffer meanwhile).
    fn with_rest<R>(&self, sent: usize, total: usize, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Self::Caller(buffer) => match &buffer.value {
                Value::Buffer(b) => b.with_bytes(|bytes| {
                    let end = total.min(bytes.len());
                    f(&bytes[sent.min(end)..end])
                }),
                _ => f(&[]),
            },
            Self::Copy { rest, base } => f(&rest[sent - base..]),
        }
    }
}

impl WriteFrom {
    /// The rest of a write of `total` bytes of `buffer` whose first attempt, an instant ago,
    /// sent `sent` of them (`sent < total`): the kernel took no more then.
    pub(crate) fn after_first_attempt(
        writer: DirectWrite,
        buffer: Arc<Object>,
        stream: Arc<Object>,
        total: usize,
        sent: usize,
    ) -> Self {
        Self {
            writer: Some(writer),
            bytes: Bytes::Caller(buffer),
            total,
            sent,
            after_refusal: true,
            _stream: stream,
        }
    }

    /// The write as the future of an operation: what is left is copied now, and the caller's
    /// buffer is free again.
    pub(crate) fn into_copy(mut self) -> Self {
        if let Bytes::Caller(_) = &self.bytes {
            let rest = self.bytes.with_rest(self.sent, self.total, <[u8]>::to_vec);
            // A buffer shrunk meanwhile: the write is what it still holds.
            self.total = self.sent + rest.len();
            self.bytes = Bytes::Copy { rest, base: self.sent };
        }
        self
    }

    /// A poll of the write: sends on until every byte went (Ready), or the kernel takes no
    /// more now (Pending, the wake-ups armed).
    pub(crate) fn advance(&mut self, cx: &mut Context<'_>) -> Poll<Result<u32, Error>> {
        loop {
            let Some(writer) = &self.writer else {
                return Poll::Ready(Err(Error::illegal_method_call("the write is over")));
            };
            let after_refusal = std::mem::take(&mut self.after_refusal);
            let (polled, offered) = self.bytes.with_rest(self.sent, self.total, |rest| {
                (writer.poll_write(cx, rest, after_refusal), rest.len())
            });
            let n = match polled {
                // The next poll follows a report of room (or an abort): it asks the kernel.
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => {
                    self.writer = None;
                    return Poll::Ready(Err(self.failed(e)));
                }
                Poll::Ready(Ok(n)) => n,
            };
            self.sent += n;
            if n == offered {
                // Everything there was went (an empty write only checked the state).
                self.writer = None;
                return Poll::Ready(Ok(self.sent as u32));
            }
            // The kernel took part: its buffer is full. Ask again only once it reports room (a
            // poll on the runtime asks at once, which arms the reactor).
            self.after_refusal = true;
        }
    }

    /// `e`, saying how much of the write had gone when it failed (TCP cannot take it back).
    fn failed(&self, e: Error) -> Error {
        if self.sent == 0 {
            return e;
        }
        let message = format!("{}; {}", e.message(), self.sent_so_far());
        match e.cause().cloned() {
            Some(cause) => Error::with_cause(e.hresult(), cause, message),
            None => Error::new(e.hresult(), message),
        }
    }

    /// How much of the write went, for a failure's detail.
    fn sent_so_far(&self) -> String {
        format!("{} of {} bytes had been sent", self.sent, self.total)
    }

    /// The write driven to its end on this thread, without an operation (the one-call form
    /// `netrt_output_stream_write`; `ready`: [`readiness`](Self::readiness)): the bytes written.
    /// When `timeout_ms` (`NETRT_INFINITE`: no limit) passes first the write ends there with
    /// `WAIT_TIMEOUT`; a failure after some bytes went says in its detail how many. Close and CancelIOAsync wake it
    /// as they wake any direct write.
    pub(crate) fn block(mut self, ready: Readiness, timeout_ms: u32) -> Result<u32, Error> {
        let outcome = block_on_caller_progressing(ready, timeout_of(timeout_ms), |cx, progressed| {
            let before = self.sent;
            let polled = self.advance(cx);
            *progressed = self.sent != before;
            polled
        });
        outcome.unwrap_or_else(|| {
            Err(Error::new(
                E_WAIT_TIMEOUT,
                format!("not done after {timeout_ms} ms, cancelled; {}", self.sent_so_far()),
            ))
        })
    }

    /// What a blocking waiter polls for this write.
    pub(crate) fn readiness(&self) -> Option<Readiness> {
        self.writer.as_ref()?.readiness()
    }
}

impl Future for WriteFrom {
    type Output = Result<OpResult, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().advance(cx).map(|r| r.map(OpResult::U32))
    }
}
