//! Asynchronous operations (DESIGN §4): IAsyncAction / IAsyncOperation<T> as handles.
//!
//! An operation is a core future. It is first polled once on the caller's thread (inside the
//! runtime context, with a no-op waker): a read whose data is already there, or a write the
//! kernel takes at once, completes right there with no thread hop — a following blocking
//! `netrt_async_wait` returns at once. Only a future that would block is spawned as a task on
//! netrt's runtime. An argument or state error found by that first poll is returned
//! synchronously and creates no operation.
//!
//! Completion handlers run on netrt's dispatcher thread (`netrt_core::dispatch`), never on a
//! runtime worker, except that a handler set on an already completed operation runs inline.

use std::ffi::{c_char, c_void};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use netrt_core::Error;
use netrt_core::error::hresult::{
    E_BOUNDS, E_CANCELLED, E_HANDLE, E_ILLEGAL_DELEGATE_ASSIGNMENT, E_ILLEGAL_METHOD_CALL,
    E_ILLEGAL_STATE_CHANGE, E_INVALID_OPERATION, E_INVALIDARG, E_NO_UNICODE_TRANSLATION, E_NOTIMPL,
    E_POINTER, E_WAIT_TIMEOUT, RO_E_CLOSED, WSATYPE_NOT_FOUND_HR,
};

use crate::boundary::{Out, netrt_handle, netrt_hresult, null};
use crate::enums::netrt_async_status;
use crate::handle;
use crate::object::{Object, Value, get};
use crate::strings::str_out;

/// `netrt_async_wait` timeout meaning "wait until the operation leaves Started".
pub const NETRT_INFINITE: u32 = 0xFFFF_FFFF;

/// A completion handler: `user_data` as given to `netrt_async_set_completed`, the operation
/// (a handle borrowed for the duration of the call: do not release it; duplicate it to keep
/// it), and the status it ended with.
pub type netrt_async_completed_handler =
    Option<unsafe extern "C" fn(user_data: *mut c_void, op: netrt_handle, status: netrt_async_status)>;

/// What a completed operation produced.
pub(crate) enum OpResult {
    Unit,
    U32(u32),
    Bool(bool),
    Object(Arc<Object>),
}

/// The boxed future an operation runs.
pub(crate) type OpFuture = Pin<Box<dyn Future<Output = Result<OpResult, Error>> + Send + 'static>>;

/// `user_data` crosses threads; the C caller owns what it points to.
#[derive(Clone, Copy)]
struct UserData(*mut c_void);
// SAFETY: an opaque token handed back to the caller's handler; netrt never dereferences it.
unsafe impl Send for UserData {}

enum Handler {
    None,
    Set(unsafe extern "C" fn(*mut c_void, netrt_handle, netrt_async_status), UserData),
    Used,
}

struct State {
    status: netrt_async_status,
    error: Option<Error>,
    result: Option<OpResult>,
    handler: Handler,
    task: Option<tokio::task::AbortHandle>,
    closed: bool,
}

/// One asynchronous operation.
pub struct AsyncOp {
    state: Mutex<State>,
    done: Condvar,
}

impl AsyncOp {
    fn new() -> Self {
        Self {
            state: Mutex::new(State {
                status: netrt_async_status::Started,
                error: None,
                result: None,
                handler: Handler::None,
                task: None,
                closed: false,
            }),
            done: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// IAsyncInfo.Close: allowed once the operation is done; drops its results.
    pub(crate) fn close(&self) -> netrt_core::Result<()> {
        let mut st = self.lock();
        if st.status == netrt_async_status::Started {
            return Err(Error::new(E_ILLEGAL_STATE_CHANGE, "an operation cannot be closed while it runs"));
        }
        st.closed = true;
        st.result = None;
        Ok(())
    }

    fn open(&self) -> netrt_core::Result<MutexGuard<'_, State>> {
        let st = self.lock();
        if st.closed {
            return Err(Error::new(E_ILLEGAL_METHOD_CALL, "the operation was closed (IAsyncInfo.Close)"));
        }
        Ok(st)
    }
}

/// Errors a first poll may report synchronously: the call itself was wrong (arguments, object
/// state). Anything else (a network failure) belongs to the operation.
fn is_sync_error(e: &Error) -> bool {
    matches!(
        e.hresult(),
        E_POINTER
            | E_INVALIDARG
            | E_HANDLE
            | E_BOUNDS
            | E_NOTIMPL
            | E_ILLEGAL_METHOD_CALL
            | E_ILLEGAL_STATE_CHANGE
            | E_INVALID_OPERATION
            | E_NO_UNICODE_TRANSLATION
            | RO_E_CLOSED
            | WSATYPE_NOT_FOUND_HR
    )
}

/// Starts an operation running `fut` and issues its handle (see the module notes).
pub(crate) fn start(
    fut: impl Future<Output = Result<OpResult, Error>> + Send + 'static,
) -> Result<netrt_handle, Error> {
    let mut fut: OpFuture = Box::pin(fut);
    let first = {
        let _runtime = netrt_core::runtime::runtime().enter();
        let mut cx = Context::from_waker(Waker::noop());
        fut.as_mut().poll(&mut cx)
    };
    let op = Arc::new(AsyncOp::new());
    let obj = Object::new(Value::AsyncOp(op.clone()));
    match first {
        Poll::Ready(Err(e)) if is_sync_error(&e) => Err(e),
        Poll::Ready(outcome) => {
            settle(&obj, &op, outcome);
            handle::issue(obj)
        }
        Poll::Pending => {
            let h = handle::issue(obj.clone())?;
            // The task holds the operation object: releasing every handle never cancels it.
            let task_obj = obj;
            let task_op = op.clone();
            let task = netrt_core::runtime::handle().spawn(async move {
                let outcome = fut.await;
                settle(&task_obj, &task_op, outcome);
            });
            let mut st = op.lock();
            if st.status == netrt_async_status::Started {
                st.task = Some(task.abort_handle());
            }
            Ok(h)
        }
    }
}

/// Moves a started operation to its final state (first caller wins) and queues its handler.
fn settle(obj: &Arc<Object>, op: &AsyncOp, outcome: Result<OpResult, Error>) {
    let mut st = op.lock();
    if st.status != netrt_async_status::Started {
        return;
    }
    match outcome {
        Ok(r) => {
            st.status = netrt_async_status::Completed;
            st.result = Some(r);
        }
        Err(e) => {
            st.status = netrt_async_status::Error;
            st.error = Some(e);
        }
    }
    finish(obj, st, &op.done);
}

/// Shared tail of completion and cancellation: wake waiters, deliver the handler.
fn finish(obj: &Arc<Object>, mut st: MutexGuard<'_, State>, done: &Condvar) {
    st.task = None;
    let status = st.status;
    let handler = std::mem::replace(&mut st.handler, Handler::Used);
    let handler = match handler {
        Handler::Set(cb, data) => Some((cb, data)),
        other => {
            st.handler = other;
            None
        }
    };
    drop(st);
    done.notify_all();
    if let Some((cb, data)) = handler {
        let obj = obj.clone();
        netrt_core::dispatch::post(move || {
            let data = data;
            if let Ok(h) = handle::issue(obj) {
                call_handler(cb, data, h, status);
                let _ = handle::release(h);
            }
        });
    }
}

/// Calls a completion handler (once per operation; the caller guarantees that).
fn call_handler(
    cb: unsafe extern "C" fn(*mut c_void, netrt_handle, netrt_async_status),
    data: UserData,
    op: netrt_handle,
    status: netrt_async_status,
) {
    // SAFETY: the C caller registered `cb` with `data` for exactly this call.
    unsafe { cb(data.0, op, status) };
}

fn op_of(h: netrt_handle) -> Result<(Arc<Object>, Arc<AsyncOp>), Error> {
    let obj = handle::lookup(h, Some(crate::enums::netrt_kind::AsyncOperation))?;
    let op = match &obj.value {
        Value::AsyncOp(op) => op.clone(),
        _ => return Err(handle::wrong_kind()),
    };
    Ok((obj, op))
}

/// The operation's status (`AsyncStatus`).
///
/// `op`: an operation handle. `out_status` must not be NULL. Thread-safe; never blocks.
/// Errors: the handle checks (`E_POINTER`, `E_HANDLE`, `RO_E_CLOSED`, `E_INVALIDARG`);
/// `E_ILLEGAL_METHOD_CALL` after `netrt_close`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_status(
    op: netrt_handle,
    out_status: *mut netrt_async_status,
) -> netrt_hresult {
    ffi!("netrt_async_get_status", {
        let out = Out::new(out_status, "out_status")?;
        let op = get!(op, AsyncOp);
        let status = op.open()?.status;
        out.write(status);
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
        let op = get!(op, AsyncOp);
        let st = op.open()?;
        out.write(st.error.as_ref().map(|e| e.hresult()).unwrap_or(0));
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
        let op = get!(op, AsyncOp);
        let text = op.open()?.error.as_ref().map(|e| e.message().to_owned()).unwrap_or_default();
        str_out(&text, buf, len, needed)
    })
}

/// Blocks the calling thread until the operation leaves Started or `timeout_ms` passes
/// (`NETRT_INFINITE` waits without limit; 0 polls).
///
/// Returns `S_OK` once the operation is done (then read its status and error code), or
/// `0x80070102` (WAIT_TIMEOUT) — the operation goes on. Safe to call from a completion or event
/// handler (they run on the dispatcher thread, which operations never need to complete).
/// Errors: the handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_wait(op: netrt_handle, timeout_ms: u32) -> netrt_hresult {
    ffi!("netrt_async_wait", {
        let op = get!(op, AsyncOp);
        let deadline = (timeout_ms != NETRT_INFINITE)
            .then(|| Instant::now() + Duration::from_millis(u64::from(timeout_ms)));
        let mut st = op.lock();
        while st.status == netrt_async_status::Started {
            match deadline {
                None => st = op.done.wait(st).unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return Err(Error::new(E_WAIT_TIMEOUT, format!("not done after {timeout_ms} ms")));
                    }
                    st = op.done.wait_timeout(st, d - now).unwrap_or_else(|e| e.into_inner()).0;
                }
            }
        }
        Ok(())
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
        let (obj, op) = op_of(op)?;
        let mut st = op.open()?;
        if st.status != netrt_async_status::Started {
            return Ok(());
        }
        st.status = netrt_async_status::Canceled;
        st.error = Some(Error::new(E_CANCELLED, "the operation was cancelled"));
        let task = st.task.take();
        if let Some(task) = &task {
            task.abort();
        }
        finish(&obj, st, &op.done);
        if let Some(task) = task {
            await_abort(&task);
        }
        Ok(())
    })
}

/// Waits (bounded) until an aborted task's future has been dropped on the runtime, so the
/// object it worked on is free again when `netrt_async_cancel` returns (a new read on the same
/// socket right after cancelling one must not find the old one still pending).
fn await_abort(task: &tokio::task::AbortHandle) {
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut spins = 0u32;
    while !task.is_finished() && Instant::now() < deadline {
        if spins < 64 {
            std::thread::yield_now();
            spins += 1;
        } else {
            std::thread::sleep(Duration::from_micros(100));
        }
    }
}

/// Sets the Completed handler; exactly once per operation (a second call, even after the
/// first handler ran, is `0x80000018` E_ILLEGAL_DELEGATE_ASSIGNMENT).
///
/// `handler` must not be NULL; `user_data` is passed back untouched (may be NULL). The handler
/// runs once, on netrt's dispatcher thread — or inline on this thread, before this function
/// returns, if the operation is already done. It may call any netrt function, including
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
        let (_, op_ref) = op_of(op)?;
        let mut st = op_ref.open()?;
        if !matches!(st.handler, Handler::None) {
            return Err(Error::new(E_ILLEGAL_DELEGATE_ASSIGNMENT, "the Completed handler is already set"));
        }
        if st.status == netrt_async_status::Started {
            st.handler = Handler::Set(cb, UserData(user_data));
            return Ok(());
        }
        st.handler = Handler::Used;
        let status = st.status;
        drop(st);
        call_handler(cb, UserData(user_data), op, status);
        Ok(())
    })
}

fn with_result<T>(op: netrt_handle, pick: impl FnOnce(&OpResult) -> Option<T>) -> Result<T, Error> {
    let op = get!(op, AsyncOp);
    let st = op.open()?;
    match st.status {
        netrt_async_status::Started => {
            Err(Error::new(E_ILLEGAL_METHOD_CALL, "GetResults: the operation has not completed"))
        }
        netrt_async_status::Canceled => {
            Err(Error::new(E_CANCELLED, "GetResults: the operation was cancelled"))
        }
        netrt_async_status::Error => {
            Err(st.error.clone().unwrap_or_else(|| Error::new(E_ILLEGAL_METHOD_CALL, "failed")))
        }
        netrt_async_status::Completed => st
            .result
            .as_ref()
            .and_then(pick)
            .ok_or_else(|| Error::invalid_arg("GetResults: the operation has results of another type")),
    }
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
