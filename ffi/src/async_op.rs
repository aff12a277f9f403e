//! Asynchronous operations as handles: IAsyncAction / IAsyncOperation<T> for C.
//!
//! The operation itself — status, results, the Completed handler set exactly once, blocking
//! waits that drive a pending socket read or write on the waiting thread, cancellation that
//! returns once the work has let go of the socket — is core's
//! [`AsyncOperation`](netrt_core::foundation::AsyncOperation). This module gives it a handle
//! kind, a C result type and the C exports. A C operation is started the way core starts any
//! operation: an argument or state error found by its first poll is returned synchronously and
//! creates no operation (docs/async.md).

use std::ffi::{c_char, c_void};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use netrt_core::Error;
use netrt_core::error::hresult::E_WAIT_TIMEOUT;
use netrt_core::foundation::{AsyncOperation, AsyncStatus, CompletedDelivery};

pub(crate) use netrt_core::foundation::async_op::Readiness;

use crate::boundary::{Out, netrt_handle, netrt_hresult, null};
use crate::enums::netrt_async_status;
use crate::handle::{self, ForHandler, OpView};
use crate::object::Object;
use crate::strings::str_out;

/// `netrt_async_wait` timeout meaning "wait until the operation leaves Started".
pub const NETRT_INFINITE: u32 = 0xFFFF_FFFF;

/// A completion handler: `user_data` as given to `netrt_async_set_completed`, the operation
/// (a handle borrowed for the duration of the call: do not release it; duplicate it to keep
/// it — normally the handle the handler was set through, valid during the call even when the
/// caller released it right after setting the handler), and the status it ended with.
pub type netrt_async_completed_handler =
    Option<unsafe extern "C" fn(user_data: *mut c_void, op: netrt_handle, status: netrt_async_status)>;

/// What a completed operation produced.
#[derive(Clone)]
pub(crate) enum OpResult {
    Unit,
    U32(u32),
    Bool(bool),
    Object(Arc<Object>),
    /// A list of objects (GetCurrentDownloadsAsync → IVectorView<DownloadOperation>).
    Objects(Vec<Arc<Object>>),
}

/// The core operation behind an operation handle.
pub(crate) type AsyncOp = AsyncOperation<OpResult>;

/// Starts an operation running `fut` and issues its handle.
pub(crate) fn start(
    fut: impl Future<Output = Result<OpResult, Error>> + Send + 'static,
) -> Result<netrt_handle, Error> {
    issue(AsyncOp::start(fut)?)
}

/// Issues a handle for an operation.
pub(crate) fn issue(op: AsyncOp) -> Result<netrt_handle, Error> {
    handle::issue_op(op)
}

/// The one-call blocking forms (`netrt_input_stream_read`, ...): waits for `op` up to
/// `timeout_ms` on this thread (driving a socket read or write here, as `netrt_async_wait`
/// does) and returns its result or failure. On timeout the operation is cancelled — a read
/// that had received data completes with it and is returned as a success — and otherwise the
/// call fails with `WAIT_TIMEOUT`.
pub(crate) fn run_blocking(op: AsyncOp, timeout_ms: u32) -> Result<OpResult, Error> {
    if !op.wait(deadline_after(timeout_ms)) {
        op.cancel()?;
    }
    match op.status() {
        AsyncStatus::Canceled => Err(timed_out(timeout_ms)),
        _ => op.results(),
    }
}

/// How long a wait of `timeout_ms` may last (None: `NETRT_INFINITE`, no limit).
pub(crate) fn timeout_of(timeout_ms: u32) -> Option<Duration> {
    (timeout_ms != NETRT_INFINITE).then(|| Duration::from_millis(u64::from(timeout_ms)))
}

/// When a wait of `timeout_ms` started now ends (None: `NETRT_INFINITE`, no limit).
pub(crate) fn deadline_after(timeout_ms: u32) -> Option<Instant> {
    timeout_of(timeout_ms).map(|timeout| Instant::now() + timeout)
}

/// The failure of a one-call form whose wait of `timeout_ms` ended first, its work cancelled.
pub(crate) fn timed_out(timeout_ms: u32) -> Error {
    Error::new(E_WAIT_TIMEOUT, format!("not done after {timeout_ms} ms; cancelled, nothing was consumed"))
}

/// `user_data` crosses threads; the C caller owns what it points to.
#[derive(Clone, Copy)]
struct UserData(*mut c_void);
// SAFETY: an opaque token handed back to the caller's handler; netrt never dereferences it.
unsafe impl Send for UserData {}

/// Calls a completion handler (once per operation; core guarantees that).
fn call_handler(
    cb: unsafe extern "C" fn(*mut c_void, netrt_handle, netrt_async_status),
    data: UserData,
    op: netrt_handle,
    status: AsyncStatus,
) {
    // SAFETY: the C caller registered `cb` with `data` for exactly this call.
    unsafe { cb(data.0, op, status.into()) };
}

/// Runs `f` on the operation behind `h` (no extra reference taken: the handle's is held
/// while `f` runs).
fn with_op<R>(h: netrt_handle, f: impl FnOnce(&AsyncOp) -> Result<R, Error>) -> Result<R, Error> {
    handle::with_op(h, f)?
}

/// The operation's status (`AsyncStatus`).
///
/// `op`: an operation handle. `out_status` must not be NULL. Thread-safe; never blocks. While
/// a read or write on a TCP stream (plain or TLS) is pending and nobody waits for it, each call
/// makes one non-blocking attempt at it on the calling thread, so polling the status sees the
/// operation complete as soon as the socket is ready.
/// Errors: the handle checks (`E_POINTER`, `E_HANDLE`, `RO_E_CLOSED`, `E_INVALIDARG`);
/// `E_ILLEGAL_METHOD_CALL` after `netrt_close`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_status(
    op: netrt_handle,
    out_status: *mut netrt_async_status,
) -> netrt_hresult {
    ffi!("netrt_async_get_status", {
        let out = Out::new(out_status, "out_status")?;
        let status = handle::with_op_view(op, |view| match view {
            OpView::Settled(value) => Ok(value.status()),
            OpView::Op(op) => op.status_with_attempt(),
        })??;
        out.write(status.into());
        Ok(())
    })
}

/// The operation's error code: `0` while Started or when Completed, `0x800704C7`
/// (ERROR_CANCELLED) when Canceled, the failure's HRESULT when Error.
///
/// `out_code` must not be NULL. Thread-safe; never blocks. Errors: as `netrt_async_get_status`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_error_code(
    op: netrt_handle,
    out_code: *mut netrt_hresult,
) -> netrt_hresult {
    ffi!("netrt_async_get_error_code", {
        let out = Out::new(out_code, "out_code")?;
        let code = handle::with_op_view(op, |view| match view {
            OpView::Settled(value) => Ok(value.error_code()),
            OpView::Op(op) => op.error_code(),
        })??;
        out.write(code);
        Ok(())
    })
}

/// The message of the operation's failure (what happened on a runtime thread), "" when it has
/// not failed. String out: `buf`/`len` receive it NUL-terminated; `*needed` (must not be NULL)
/// is always set to the size including the NUL; too small → `0x8007007A` with only `*needed`
/// written; `buf` may be NULL when `len` is 0. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_error_detail(
    op: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_async_get_error_detail", {
        let text = with_op(op, |op| Ok(op.error()?.map(|e| e.message().to_owned())))?;
        let text = text.unwrap_or_default();
        str_out(&text, buf, len, needed)
    })
}

/// Blocks the calling thread until the operation leaves Started or `timeout_ms` passes
/// (`NETRT_INFINITE` waits without limit; 0 polls).
///
/// A read or write on a TCP stream, plain or TLS (ReadAsync, LoadAsync, WriteAsync,
/// StoreAsync), that could not complete when started is driven by the waiting thread itself:
/// it polls the socket and completes the operation there (decrypting or encrypting too, under
/// TLS), with no runtime thread in between (docs/async.md).
///
/// Returns `S_OK` once the operation is done (then read its status and error code), or
/// `0x80070102` (WAIT_TIMEOUT) — the operation goes on. Safe to call from a completion or event
/// handler (they run on the dispatcher thread, which operations never need to complete).
/// Errors: the handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_wait(op: netrt_handle, timeout_ms: u32) -> netrt_hresult {
    ffi!("netrt_async_wait", {
        // Already done (a read or write that completed when started): nothing to wait for,
        // and no reference to take.
        let Some(running) = handle::with_op_view(op, |view| match view {
            OpView::Settled(_) => None,
            OpView::Op(op) => (op.status() == AsyncStatus::Started).then(|| AsyncOp::clone(&op)),
        })?
        else {
            return Ok(());
        };
        if running.wait(deadline_after(timeout_ms)) {
            Ok(())
        } else {
            Err(Error::new(E_WAIT_TIMEOUT, format!("not done after {timeout_ms} ms")))
        }
    })
}

/// IAsyncInfo.Cancel: a running operation ends with status Canceled and error code
/// `0x800704C7`; its core work is aborted (dropped) on the runtime — this returns once it has
/// been (a bounded wait of at most 1 s, normally microseconds), so the socket or reader is free
/// for a new operation — and its completion handler, if any, is queued. Cancelling a finished
/// operation does nothing (`S_OK`).
/// Errors: the handle checks; `E_ILLEGAL_METHOD_CALL` after `netrt_close`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_cancel(op: netrt_handle) -> netrt_hresult {
    ffi!("netrt_async_cancel", {
        // A settled value is over and not closed: nothing to cancel.
        let op = handle::with_op_view(op, |view| match view {
            OpView::Settled(_) => None,
            OpView::Op(op) => Some(AsyncOp::clone(&op)),
        })?;
        op.map_or(Ok(()), |op| op.cancel())
    })
}

/// Sets the Completed handler; exactly once per operation (a second call, even after the
/// first handler ran, is `0x80000018` E_ILLEGAL_DELEGATE_ASSIGNMENT).
///
/// `handler` must not be NULL; `user_data` is passed back untouched (may be NULL). The handler
/// runs once, on netrt's dispatcher thread — or, for an operation bound to a completion queue
/// (`netrt_async_set_completion_queue`, `netrt_completion_queue_make_current`), inside
/// `netrt_completion_queue_dispatch` on the thread that calls it — or inline on this thread,
/// before this function returns, if the operation is already done. It may call any netrt function, including
/// `netrt_async_wait` on other operations. Errors: the handle checks; `E_POINTER`;
/// `E_ILLEGAL_DELEGATE_ASSIGNMENT`; `E_ILLEGAL_METHOD_CALL` after `netrt_close`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_set_completed(
    op: netrt_handle,
    handler: netrt_async_completed_handler,
    user_data: *mut c_void,
) -> netrt_hresult {
    ffi!("netrt_async_set_completed", {
        let cb = handler.ok_or_else(|| null("handler"))?;
        let data = UserData(user_data);
        // Running: the handler is kept and later called with the caller's own handle, held for
        // it (no handle issued and released around each call). The hold is taken under the
        // lookup's pin, the handler set outside it: should the operation finish meanwhile,
        // the handler runs inline here, and if it released the handle, the end of the hold
        // frees the slot, which waits out every pin.
        let (running, held) = match handle::op_and_hold(op, |op| op.status() == AsyncStatus::Started)? {
            // Over before it was issued (a write the kernel took at once): inline, as for any
            // finished operation, with no operation made for it.
            ForHandler::Settled => {
                call_handler(cb, data, op, AsyncStatus::Completed);
                return Ok(());
            }
            ForHandler::Op(running, held) => (running, held),
        };
        if let Some(held) = held {
            return running.set_completed_with(move |status, _| {
                let data = data;
                held.call(|h| call_handler(cb, data, h, status));
            });
        }
        if running.status() != AsyncStatus::Started {
            // Finished (it never starts again): the handler runs inline, unboxed, before this
            // returns, with the caller's own handle.
            return running.set_completed_with(move |status, _| {
                let data = data;
                call_handler(cb, data, op, status);
            });
        }
        // Held already (set_completed racing on another thread): a handle of its own per call.
        let for_dispatch = running.clone();
        running.set_completed_with(move |status, delivery| {
            let data = data;
            match delivery {
                // The caller's own handle, borrowed for the call as on the dispatcher.
                CompletedDelivery::Inline => call_handler(cb, data, op, status),
                CompletedDelivery::Dispatcher | CompletedDelivery::CompletionQueue => {
                    if let Ok(h) = handle::issue_op(for_dispatch) {
                        call_handler(cb, data, h, status);
                        let _ = handle::release(h);
                    }
                }
            }
        })
    })
}

/// netrt extension: binds the operation's Completed handler to completion queue `q` — it then
/// runs inside `netrt_completion_queue_dispatch` on the thread that calls it — or, with `q` 0,
/// to netrt's dispatcher thread. An operation started on a thread with a current queue
/// (`netrt_completion_queue_make_current`) is bound to it already; this overrides that. Call
/// it before `netrt_async_set_completed`. Closing the queue while the operation runs cancels
/// it (see `netrt_completion_queue_close`). On a finished operation it changes nothing (a
/// handler set afterwards runs inline). Errors: the handle checks (for both handles);
/// `RO_E_CLOSED` when the queue is closed; `E_ILLEGAL_METHOD_CALL` once the Completed handler
/// is set, or after `netrt_close` on the operation.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_set_completion_queue(op: netrt_handle, q: netrt_handle) -> netrt_hresult {
    ffi!("netrt_async_set_completion_queue", {
        let queue = if q == 0 { None } else { Some(crate::object::get!(q, CompletionQueue)) };
        with_op(op, |op| op.set_completion_queue(queue.as_ref()))
    })
}

fn with_result<T>(op: netrt_handle, pick: impl FnOnce(&OpResult) -> Option<T>) -> Result<T, Error> {
    handle::with_op_view(op, |view| match view {
        OpView::Settled(value) => Ok(pick(&OpResult::U32(value.count()))),
        OpView::Op(op) => op.with_results(pick),
    })??
    .ok_or_else(|| Error::invalid_arg("GetResults: the operation has results of another type"))
}

/// GetResults of an IAsyncAction (or any operation, discarding its result): `S_OK` when
/// Completed. While Started: `E_ILLEGAL_METHOD_CALL`; Canceled: `0x800704C7`; Error: the
/// operation's error code. Thread-safe; never blocks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_results(op: netrt_handle) -> netrt_hresult {
    ffi!("netrt_async_get_results", { with_result(op, |_| Some(())) })
}

/// GetResults of an IAsyncOperation<UInt32> (StoreAsync, LoadAsync, WriteAsync, ...).
/// `out_value` must not be NULL and is written only on success. Errors: as
/// `netrt_async_get_results`; `E_INVALIDARG` when the operation's result is not a uint32.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_results_uint32(op: netrt_handle, out_value: *mut u32) -> netrt_hresult {
    ffi!("netrt_async_get_results_uint32", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_result(op, |r| match r {
            OpResult::U32(v) => Some(*v),
            _ => None,
        })?);
        Ok(())
    })
}

/// GetResults of an IAsyncOperation<Boolean> (FlushAsync). As `netrt_async_get_results_uint32`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_results_bool(op: netrt_handle, out_value: *mut bool) -> netrt_hresult {
    ffi!("netrt_async_get_results_bool", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_result(op, |r| match r {
            OpResult::Bool(v) => Some(*v),
            _ => None,
        })?);
        Ok(())
    })
}

/// GetResults of an operation that produces an object (ReadAsync → IBuffer,
/// GetOutputStreamAsync → IOutputStream): `*out_handle` receives a new reference the caller
/// releases. Each call issues another reference. As `netrt_async_get_results_uint32` otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_results_handle(
    op: netrt_handle,
    out_handle: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_async_get_results_handle", {
        let out = Out::new(out_handle, "out_handle")?;
        let obj = with_result(op, |r| match r {
            OpResult::Object(o) => Some(o.clone()),
            _ => None,
        })?;
        out.write(handle::issue(obj)?);
        Ok(())
    })
}

/// GetResults of an operation that produces a list of objects (GetCurrentDownloadsAsync,
/// GetCurrentUploadsAsync): `*needed` (not NULL) always receives the count; when `len` is at
/// least that, `handles[0..count]` receive new references the caller releases (each call issues
/// others). Too small → `0x8007007A` with only `*needed` written, so call again with room for
/// `*needed`. `handles` may be NULL when `len` is 0. Errors: as
/// `netrt_async_get_results_uint32`; `E_INVALIDARG` when the result is not a list.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_results_handles(
    op: netrt_handle,
    handles: *mut netrt_handle,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_async_get_results_handles", {
        let needed = Out::new(needed, "needed")?;
        let list = with_result(op, |r| match r {
            OpResult::Objects(list) => Some(list.clone()),
            _ => None,
        })?;
        needed.write(list.len());
        if list.len() > len {
            return Err(Error::new(
                netrt_core::error::hresult::E_INSUFFICIENT_BUFFER,
                format!("{} handles, room for {len}", list.len()),
            ));
        }
        if list.is_empty() {
            return Ok(());
        }
        if handles.is_null() {
            return Err(null("handles"));
        }
        let mut issued = Vec::with_capacity(list.len());
        for obj in list {
            match handle::issue(obj) {
                Ok(h) => issued.push(h),
                Err(e) => {
                    // All or nothing: the caller owns no handle when the call fails.
                    for h in issued {
                        let _ = handle::release(h);
                    }
                    return Err(e);
                }
            }
        }
        crate::boundary::array_out(handles, &issued, "handles")?;
        Ok(())
    })
}
