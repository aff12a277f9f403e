//! IInputStream / IOutputStream.
//!
//! Reads and writes start with one attempt on the caller's thread (see `async_op`): when data
//! is already there, or the kernel takes the bytes at once, the operation is complete before
//! the function returns and no runtime thread is involved.

use netrt_core::io::InputStreamOptions;

use std::task::Poll;

use netrt_core::Error;
use netrt_core::error::hresult::E_UNEXPECTED;
use netrt_core::foundation::async_op::CancelToken;

use crate::async_op::{AsyncOp, OpResult, Readiness, issue, run_blocking, start};
use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::handle;
use crate::object::{Value, get_obj, let_borrowed};
use crate::read_into::ReadInto;
use crate::write_from::WriteFrom;

/// `IInputStream.ReadAsync(buffer, count, options)`: reads up to `count` bytes into `buffer`.
///
/// `buffer` is a Buffer handle with capacity ≥ `count` (else `E_INVALIDARG`); `options` a
/// `netrt_input_stream_options` value (None: complete when `count` bytes arrived or the stream
/// ended; Partial/ReadAhead: as soon as some bytes arrived). On completion the buffer's
/// contents and length are the bytes read — length 0 means the peer closed the stream — and
/// `netrt_async_get_results_handle` gives a new reference to the same buffer. Do not touch the
/// buffer while the read is pending. One read at a time per socket: a second is
/// `E_ILLEGAL_METHOD_CALL` (synchronous). Closing the socket or CancelIOAsync completes it with
/// status Error and `0x800703E3`. Other synchronous errors: handle checks, `E_POINTER`,
/// `RO_E_CLOSED`, `E_ILLEGAL_METHOD_CALL` (not connected).
///
/// Cancelling (`netrt_async_cancel`) never loses data: the read stops without taking more from
/// the socket, and ends Canceled if it had received nothing, or Completed with the bytes it had
/// received (check the status after cancelling). The next read is accepted at once.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_input_stream_read_async(
    stream: netrt_handle,
    buffer: netrt_handle,
    count: u32,
    options: u32,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_input_stream_read_async", {
        let out = Out::new(out_op, "out_op")?;
        out.write(issue(read_op(stream, buffer, count, options)?)?);
        Ok(())
    })
}

/// netrt extension: `ReadAsync` + wait + GetResults + release in one call, for callers that
/// block anyway. Reads up to `count` bytes into `buffer` exactly as
/// `netrt_input_stream_read_async` does (same options, same synchronous errors, the same
/// blocking-wait fast path) and waits up to `timeout_ms` (`NETRT_INFINITE`: no limit).
///
/// On success `*bytes_read` (must not be NULL) is the number of bytes read (the buffer's new
/// length; 0: the peer closed the stream). A failure of the read is returned as its HRESULT
/// (e.g. `0x800703E3` when `CancelIOAsync` or Close ran from another thread meanwhile; the
/// detail is in `netrt_get_last_error_detail`). When `timeout_ms` passes first the read is
/// cancelled and `0x80070102` (WAIT_TIMEOUT) is returned: nothing was consumed and the socket
/// stays usable — unless data arrived as it was being cancelled, which is then returned as a
/// success. Thread-safe; one read at a time per socket, as for the async form.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_input_stream_read(
    stream: netrt_handle,
    buffer: netrt_handle,
    count: u32,
    options: u32,
    timeout_ms: u32,
    bytes_read: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_input_stream_read", {
        let out = Out::new(bytes_read, "bytes_read")?;
        let start = habit::start(|attempt| start_read(stream, buffer, count, options, attempt))?;
        let filled = match start {
            ReadStart::Done(outcome) => length_read(outcome?),
            // Plain TCP with nothing there yet: waited for on this thread without an operation.
            ReadStart::Waiting(read) => match read.readiness() {
                Some(ready) => read.block(ready, timeout_ms)?,
                None => length_read(run_blocking(read_op_waiting(read)?, timeout_ms)?),
            },
            ReadStart::Op(op) => length_read(run_blocking(op, timeout_ms)?),
        };
        out.write(filled);
        Ok(())
    })
}

/// The number of bytes a read's result holds (its buffer's new length).
fn length_read(result: OpResult) -> u32 {
    match result {
        OpResult::Object(buffer) => match &buffer.value {
            Value::Buffer(b) => b.length(),
            _ => 0,
        },
        _ => 0,
    }
}

/// Whether a one-call read on this thread starts with a `recv` or goes straight to poll(2).
/// Where reads usually find nothing yet (one side of a request/response exchange), that first
/// `recv` is a wasted syscall: poll(2) then `recv` is two where `recv`, poll(2), `recv` is
/// three. Where data is usually there (bulk), the attempt is the only syscall. So a thread whose
/// last attempt found nothing waits first, trying first again every `PROBE_EVERY`-th read to
/// notice when data starts to come before the reads. Either way the read is the same.
mod habit {
    use std::cell::Cell;

    use super::ReadStart;

    const PROBE_EVERY: u8 = 8;

    thread_local! {
        /// `0`: attempt first; `n > 0`: wait first, the `n`-th read since the last attempt.
        static WAIT_FIRST: Cell<u8> = const { Cell::new(0) };
    }

    /// Starts a read (`read(attempt)`: whether it starts with an attempt) and records what
    /// its attempt found, with one thread-local access for both (in a shared library an
    /// access may be a call to `__tls_get_addr`).
    pub(super) fn start<E>(read: impl FnOnce(bool) -> Result<ReadStart, E>) -> Result<ReadStart, E> {
        let mut read = Some(read);
        let started = WAIT_FIRST.try_with(|w| {
            let read = read.take().expect("taken once");
            let n = w.get();
            let attempt = n == 0 || n >= PROBE_EVERY;
            if !attempt {
                w.set(n + 1);
                return read(false);
            }
            let start = read(true);
            if let Ok(start) = &start {
                w.set(u8::from(matches!(start, ReadStart::Waiting(_))));
            }
            start
        });
        match (started, read) {
            (Ok(start), _) => start,
            // The thread is exiting (its thread-locals are gone): attempt first.
            (Err(_), Some(read)) => read(true),
            (Err(_), None) => unreachable!("try_with runs its closure only when it succeeds"),
        }
    }
}

/// How a read started.
enum ReadStart {
    /// Over already: the data was there, or the read failed.
    Done(Result<OpResult, Error>),
    /// A read on plain TCP that found nothing on its first attempt (made an instant ago).
    Waiting(ReadInto),
    /// Any other stream (TLS, in-memory): an operation running the read.
    Op(AsyncOp),
}

/// Starts a read of `count` bytes into `buffer` (see `netrt_input_stream_read_async`).
fn read_op(stream: netrt_handle, buffer: netrt_handle, count: u32, options: u32) -> Result<AsyncOp, Error> {
    match start_read(stream, buffer, count, options, true)? {
        ReadStart::Done(outcome) => AsyncOp::completed(outcome),
        ReadStart::Waiting(read) => read_op_waiting(read),
        ReadStart::Op(op) => Ok(op),
    }
}

/// The operation of a direct read that has to wait: parked for a blocking waiter, else driven
/// by the runtime or a completion queue.
#[inline]
fn read_op_waiting(read: ReadInto) -> Result<AsyncOp, Error> {
    let ready = read.readiness();
    AsyncOp::start_caller_driven_cancellable_on(|cancel| read.cancellable(cancel), ready)
}

/// Checks the arguments of a read and starts it: on plain TCP, one attempt on this thread first
/// (unless `attempt` is false: the caller waits for readiness first and the read is Waiting).
/// Inlined into its two callers: the read it returns is built in place, not moved out.
#[inline(always)]
fn start_read(
    stream: netrt_handle,
    buffer: netrt_handle,
    count: u32,
    options: u32,
    attempt: bool,
) -> Result<ReadStart, Error> {
    // Pinned while this function runs (it never waits: at most one non-blocking `recv`); the
    // read takes references of its own when it is made.
    let_borrowed!(stream_obj, input = stream, InputStream);
    let_borrowed!(buffer_obj, buf = buffer, Buffer);
    let options = InputStreamOptions::from_raw(options)?;
    let capacity = buf.capacity();
    if count > capacity {
        return Err(Error::invalid_arg(format!(
            "ReadAsync: count {count} exceeds the buffer's capacity {capacity}"
        )));
    }
    // Taken now: a CancelIOAsync or Close from here on ends this read, however many reads it
    // takes (options None).
    let ticket = input.ticket();
    let count = count as usize;
    if count > 0 {
        match input.direct_read(ticket) {
            // Plain TCP: one attempt on this thread first, with no future at all — data already
            // there completes the read before this function returns.
            Ok(Some(reader)) => {
                let mut read =
                    ReadInto::new(reader, buffer_obj.to_arc(), stream_obj.to_arc(), count, options);
                if !attempt {
                    return Ok(ReadStart::Waiting(read.without_attempt()));
                }
                return Ok(match read.advance(None) {
                    Poll::Ready(outcome) => {
                        drop(read);
                        ReadStart::Done(outcome)
                    }
                    Poll::Pending => ReadStart::Waiting(read),
                });
            }
            // TLS and other streams: the future below.
            Ok(None) => {}
            // A state error (another read pending, closed, not connected) is returned
            // synchronously by `completed`; an abort belongs to the operation.
            Err(e) => return Ok(ReadStart::Done(Err(e))),
        }
    }
    let (ptr, _) = buf.raw_memory();
    // SAFETY: the buffer's memory has `capacity >= count` bytes at a fixed address and lives as
    // long as `result`, held by the future. The C contract forbids touching the buffer while
    // the read is pending, so nothing else accesses these bytes.
    let memory = unsafe { std::slice::from_raw_parts_mut(ptr, count) };
    let ready = input.readiness_fd().map(Readiness::readable);
    let input = input.clone();
    let (keep, result) = (stream_obj.to_arc(), buffer_obj.to_arc());
    // Unpinned before the operation starts: its first poll may decrypt and `recv`.
    drop(buffer_obj);
    drop(stream_obj);
    let read = move |cancel: CancelToken| async move {
        let _keep = keep;
        // Straight into the buffer's memory: no intermediate copy.
        let filled = input.read_into_slice_with(ticket, memory, options, Some(&cancel)).await?;
        if let Value::Buffer(buf) = &result.value {
            buf.set_length_filled(filled);
        }
        Ok(OpResult::Object(result))
    };
    // TLS: a blocking waiter polls the socket and re-polls the read on its own thread; in-memory
    // streams have no fd, and a read that must wait runs on the runtime.
    AsyncOp::start_caller_driven_cancellable(read, move || ready).map(ReadStart::Op)
}

/// `IOutputStream.WriteAsync(buffer)`: writes the buffer's valid bytes (as they are when
/// called; the buffer may be reused at once). `netrt_async_get_results_uint32` gives the number
/// of bytes written. One write at a time per socket (`E_ILLEGAL_METHOD_CALL`). For a datagram
/// stream each write is one datagram. Errors as `netrt_input_stream_read_async`.
///
/// The bytes go to the kernel from the buffer on the caller's thread, as far as it takes them
/// at once; only a remainder that has to wait is copied (and, if the caller then blocks in
/// `netrt_async_wait`, written from the caller's thread as the socket drains). On plain TCP, a
/// write that fails after part of its bytes went (CancelIOAsync, Close) says exactly how many in
/// its error detail, ending "; N of M bytes had been sent".
#[unsafe(no_mangle)]
pub extern "C" fn netrt_output_stream_write_async(
    stream: netrt_handle,
    buffer: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_output_stream_write_async", {
        let out = Out::new(out_op, "out_op")?;
        let op = match start_write(stream, buffer)? {
            // The usual write: the kernel took every byte. Its handle holds the count, no
            // operation (see handle.rs).
            WriteStart::Done(Ok(n)) => handle::issue_settled_u32(n)?,
            start => issue(write_op(start)?)?,
        };
        out.write(op);
        Ok(())
    })
}

/// netrt extension: `WriteAsync` + wait + GetResults + release in one call. Writes the
/// buffer's valid bytes as `netrt_output_stream_write_async` does (same synchronous errors,
/// the bytes go to the kernel from the caller's thread) and waits up to `timeout_ms`
/// (`NETRT_INFINITE`: no limit). On success `*bytes_written` (must not be NULL) is the number
/// of bytes written; a failure is returned as its HRESULT. When `timeout_ms` passes first the
/// write is cancelled and `0x80070102` (WAIT_TIMEOUT) is returned; a prefix of the bytes may
/// have been sent by then (TCP cannot take bytes back), and the socket stays usable. On plain
/// TCP, a failure after part of the bytes went (a timeout, CancelIOAsync or Close from another
/// thread) says in its detail (`netrt_get_last_error_detail`) exactly how many, ending "; N of
/// M bytes had been sent".
///
/// On plain TCP no operation is made: what the kernel does not take at once is sent from the
/// buffer by this thread as the socket drains (it sleeps in poll(2) meanwhile), as a blocking
/// `write` would.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_output_stream_write(
    stream: netrt_handle,
    buffer: netrt_handle,
    timeout_ms: u32,
    bytes_written: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_output_stream_write", {
        let out = Out::new(bytes_written, "bytes_written")?;
        let written = match start_write(stream, buffer)? {
            WriteStart::Done(outcome) => outcome?,
            // Plain TCP, the kernel's buffer full: the rest goes from here, no operation.
            WriteStart::Waiting(write) => match write.readiness() {
                Some(ready) => write.block(ready, timeout_ms)?,
                None => written_by(run_blocking(write_op_waiting(write)?, timeout_ms)?)?,
            },
            WriteStart::Op(op) => written_by(run_blocking(op, timeout_ms)?)?,
        };
        out.write(written);
        Ok(())
    })
}

/// The byte count of a finished write operation.
fn written_by(result: OpResult) -> Result<u32, Error> {
    match result {
        OpResult::U32(n) => Ok(n),
        _ => Err(Error::new(E_UNEXPECTED, "a write produced no byte count")),
    }
}

/// How a write started.
enum WriteStart {
    /// Over already: the kernel took every byte at once, or the write failed.
    Done(Result<u32, Error>),
    /// Plain TCP, and the kernel took only part (or nothing) on the first attempt, an instant
    /// ago.
    Waiting(WriteFrom),
    /// Any other stream (TLS, datagrams): an operation running the write.
    Op(AsyncOp),
}

/// The operation of a write that started as `start` (see `netrt_output_stream_write_async`).
fn write_op(start: WriteStart) -> Result<AsyncOp, Error> {
    match start {
        WriteStart::Done(outcome) => AsyncOp::completed(outcome.map(OpResult::U32)),
        WriteStart::Waiting(write) => write_op_waiting(write),
        WriteStart::Op(op) => Ok(op),
    }
}

/// The operation of a direct write the kernel did not take at once: the rest copied (the
/// buffer may be reused when WriteAsync returns), parked for a blocking waiter, else driven by
/// the runtime or a completion queue.
fn write_op_waiting(write: WriteFrom) -> Result<AsyncOp, Error> {
    let ready = write.readiness();
    AsyncOp::start_caller_driven(write.into_copy(), move || ready)
}

/// Checks the arguments of a write and starts it: on plain TCP, what the kernel takes at once
/// goes from the buffer on this thread. Inlined into its two callers, as `start_read`.
#[inline(always)]
fn start_write(stream: netrt_handle, buffer: netrt_handle) -> Result<WriteStart, Error> {
    // Pinned, not referenced: a write the kernel takes at once (the usual one) keeps neither
    // object past this call. The pins last only as long as this function, which never waits
    // (one non-blocking `send`); what goes on takes references of its own below.
    let_borrowed!(stream_obj, output = stream, OutputStream);
    let_borrowed!(buffer_obj, buf = buffer, Buffer);
    // One ticket for the first attempt and the rest: an abort in between ends both.
    let ticket = output.ticket();
    // The first attempt borrows the stream: a write the kernel takes at once takes no
    // reference; one that goes on owns its own (`into_owned`).
    let rest = match output.direct_write(ticket) {
        Ok(Some(writer)) => {
            // One `send` of the buffer's bytes, their length read under the same lock: the
            // usual write ends here, with no more work than a plain `send`.
            let (total, first) = buf.with_bytes(|bytes| (bytes.len(), writer.try_write(bytes)));
            let sent = match first {
                // All of it (an empty write only checked the socket's state).
                Poll::Ready(Ok(n)) if n == total => return Ok(WriteStart::Done(Ok(total as u32))),
                Poll::Ready(Ok(n)) => n,
                Poll::Pending => 0,
                Poll::Ready(Err(e)) => return Ok(WriteStart::Done(Err(e))),
            };
            Some((writer.into_owned(), total, sent))
        }
        // TLS, datagrams: the future below.
        Ok(None) => None,
        // A state error (a write pending, closed, not connected) is returned synchronously by
        // `completed`; an abort belongs to the operation.
        Err(e) => return Ok(WriteStart::Done(Err(e))),
    };
    if let Some((writer, total, sent)) = rest {
        let write =
            WriteFrom::after_first_attempt(writer, buffer_obj.to_arc(), stream_obj.to_arc(), total, sent);
        return Ok(WriteStart::Waiting(write));
    }
    // One future over a copy, driven on the caller's thread by a blocking waiter where the
    // stream has a socket to wait on (TLS). Started after the pins are gone: its first poll
    // may encrypt and send.
    let data = buf.to_vec();
    let ready = output.readiness_fd().map(Readiness::writable);
    let output = output.clone();
    let keep = stream_obj.to_arc();
    drop(buffer_obj);
    drop(stream_obj);
    let write = async move {
        let _keep = keep;
        Ok(OpResult::U32(output.write_with(ticket, &data).await?))
    };
    match ready {
        Some(ready) => AsyncOp::start_caller_driven(write, move || Some(ready)),
        None => AsyncOp::start(write),
    }
    .map(WriteStart::Op)
}

/// `IOutputStream.FlushAsync()`: `netrt_async_get_results_bool` gives true when flushed (TCP
/// keeps no user-space buffer, so this completes at once on a connected socket).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_output_stream_flush_async(
    stream: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_output_stream_flush_async", {
        let out = Out::new(out_op, "out_op")?;
        let (keep, output) = get_obj!(stream, OutputStream);
        out.write(start(async move {
            let _keep = keep;
            Ok(OpResult::Bool(output.flush().await?))
        })?);
        Ok(())
    })
}
