//! `IAsyncOperationWithProgress<T, P>` / `IAsyncActionWithProgress<P>` for C: an ordinary
//! operation handle (every `netrt_async_*` function applies) whose progress is reached with
//! `netrt_async_set_progress` and `netrt_async_get_progress`.
//!
//! The progress channel is core's [`AsyncOperationWithProgress`]; an operation handle holds
//! only the operation, so the channels of running operations are kept here by operation id,
//! and each leaves the table when its operation finishes (no report follows completion).

use std::collections::HashMap;
use std::ffi::c_void;
use std::future::Future;
use std::sync::{Arc, Mutex};

use netrt_core::Error;
use netrt_core::foundation::{AsyncOperationWithProgress, AsyncStatus};
use netrt_core::web::syndication::{RetrievalProgress, TransferProgress};

use crate::async_op::{AsyncOp, OpResult};
use crate::boundary::{Out, netrt_handle, netrt_hresult, null};
use crate::handle;
use crate::object::Object;

/// `Windows.Web.Syndication.TransferProgress` (and `RetrievalProgress`, which is its last two
/// fields: operations with RetrievalProgress leave the first two 0).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct netrt_transfer_progress {
    /// `BytesSent`.
    pub bytes_sent: u32,
    /// `TotalBytesToSend` (0 when unknown).
    pub total_bytes_to_send: u32,
    /// `BytesRetrieved`.
    pub bytes_retrieved: u32,
    /// `TotalBytesToRetrieve` (0 when unknown).
    pub total_bytes_to_retrieve: u32,
}

impl From<TransferProgress> for netrt_transfer_progress {
    fn from(p: TransferProgress) -> Self {
        Self {
            bytes_sent: p.bytes_sent,
            total_bytes_to_send: p.total_bytes_to_send,
            bytes_retrieved: p.bytes_retrieved,
            total_bytes_to_retrieve: p.total_bytes_to_retrieve,
        }
    }
}

impl From<RetrievalProgress> for netrt_transfer_progress {
    fn from(p: RetrievalProgress) -> Self {
        Self {
            bytes_retrieved: p.bytes_retrieved,
            total_bytes_to_retrieve: p.total_bytes_to_retrieve,
            ..Self::default()
        }
    }
}

/// One progress report, as the operation's documentation says: `transfer` for the syndication
/// and AtomPub clients' operations (TransferProgress; RetrievalProgress leaves the two `sent`
/// fields 0), `object` for BackgroundTransfer's StartAsync/AttachAsync (the DownloadOperation or
/// UploadOperation itself, whose progress its getter reads; a handle borrowed for the call:
/// duplicate it to keep it). The member an operation does not use is zero.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct netrt_async_progress {
    /// The report of an operation whose progress is a TransferProgress or RetrievalProgress.
    pub transfer: netrt_transfer_progress,
    /// The report of an operation whose progress is an object (0 otherwise).
    pub object: netrt_handle,
}

/// A Progress handler: `user_data` as given to `netrt_async_set_progress`, the operation (a
/// handle borrowed for the call: duplicate it to keep it) and the report (valid for the call).
pub type netrt_async_progress_handler = Option<
    unsafe extern "C" fn(user_data: *mut c_void, op: netrt_handle, progress: *const netrt_async_progress),
>;

/// What an operation reports: a TransferProgress-shaped struct, or an object.
#[derive(Clone)]
pub(crate) enum Report {
    Transfer(netrt_transfer_progress),
    Object(Arc<Object>),
}

type Channel = AsyncOperationWithProgress<OpResult, Report>;

static RUNNING: Mutex<Option<HashMap<u32, Channel>>> = Mutex::new(None);

fn table() -> std::sync::MutexGuard<'static, Option<HashMap<u32, Channel>>> {
    RUNNING.lock().unwrap_or_else(|e| e.into_inner())
}

/// The table's lock, held across a fork() (see `crate::fork`).
pub(crate) type ForkGuard = std::sync::MutexGuard<'static, Option<HashMap<u32, Channel>>>;

/// Takes the table's lock for the duration of a fork().
pub(crate) fn lock_for_fork() -> ForkGuard {
    table()
}

/// The progress channel of a running operation. A finished one has none, even in the moment
/// before its done listener takes it out of the table.
fn channel(op: &AsyncOp) -> Option<Channel> {
    let channel = table().as_ref().and_then(|t| t.get(&op.id()).cloned());
    channel.filter(|_| op.status() == AsyncStatus::Started)
}

/// Starts an operation with TransferProgress-shaped progress: `make` gets the function to
/// report with. Returns the operation's handle.
pub(crate) fn start<F>(
    make: impl FnOnce(Arc<dyn Fn(netrt_transfer_progress) + Send + Sync>) -> F,
) -> Result<netrt_handle, Error>
where
    F: Future<Output = Result<OpResult, Error>> + Send + 'static,
{
    start_reporting(|report| make(Arc::new(move |p| report(Report::Transfer(p)))))
}

/// Starts an operation whose progress reports are objects (a transfer reports itself).
pub(crate) fn start_reporting_objects<F>(
    make: impl FnOnce(Arc<dyn Fn(Arc<Object>) + Send + Sync>) -> F,
) -> Result<netrt_handle, Error>
where
    F: Future<Output = Result<OpResult, Error>> + Send + 'static,
{
    start_reporting(|report| make(Arc::new(move |o| report(Report::Object(o)))))
}

fn start_reporting<F>(
    make: impl FnOnce(Arc<dyn Fn(Report) + Send + Sync>) -> F,
) -> Result<netrt_handle, Error>
where
    F: Future<Output = Result<OpResult, Error>> + Send + 'static,
{
    let channel = Channel::start(|reporter| make(Arc::new(move |p| reporter.report(p))))?;
    let op = channel.operation().clone();
    let id = op.id();
    table().get_or_insert_with(HashMap::new).insert(id, channel);
    let forget = move || {
        // Dropped after the lock is released: the last reference to the Progress handler may
        // go with it, and the caller's release function may call back into netrt.
        let channel = table().as_mut().and_then(|t| t.remove(&id));
        drop(channel);
    };
    // Already finished (an argument error found by the first poll never gets here): forget now.
    if let Err(listener) = done_listener(&op, forget) {
        listener();
    }
    crate::async_op::issue(op)
}

/// Registers `f` to run when `op` finishes; gives it back when `op` already has.
fn done_listener<F: FnOnce() + Send + Clone + 'static>(op: &AsyncOp, f: F) -> Result<(), F> {
    if op.on_done(Box::new(f.clone())) { Ok(()) } else { Err(f) }
}

#[derive(Clone, Copy)]
struct UserData(*mut c_void);
// SAFETY: an opaque token handed back to the caller's handler; netrt never dereferences it.
unsafe impl Send for UserData {}
// SAFETY: as above; netrt only copies the pointer.
unsafe impl Sync for UserData {}

/// Called once with a Progress handler's `user_data` when no report can follow any more.
pub type netrt_async_progress_release = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// Calls the caller's release function when the handler holding it is dropped.
struct ReleaseOnDrop {
    data: UserData,
    release: netrt_async_progress_release,
}

impl Drop for ReleaseOnDrop {
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: the C caller gave `release` for exactly this `user_data`, to call once.
            unsafe { release(self.data.0) };
        }
    }
}

/// Sets the operation's Progress handler, once. It runs on netrt's dispatcher thread (or in
/// `netrt_completion_queue_dispatch` of the queue current when the operation started), once
/// per report, in order, and always before the Completed handler. Reports made before it was
/// set are not replayed. On an operation that has finished it sets nothing (`S_OK`): no report
/// follows completion.
///
/// `handler` must not be NULL; `user_data` is passed back untouched. netrt owns `user_data`
/// from this call on: `release` (may be NULL) is called exactly once with it, on any thread,
/// when the handler can run no more — after the operation finished and its last report was
/// delivered, and at once when the operation had finished already or this call fails — so
/// `user_data` can be freed there. Errors: the handle checks; `E_POINTER`; `E_INVALIDARG` for a
/// running operation without progress; `E_ILLEGAL_DELEGATE_ASSIGNMENT` when a handler was set
/// before.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_set_progress(
    op: netrt_handle,
    handler: netrt_async_progress_handler,
    user_data: *mut c_void,
    release: netrt_async_progress_release,
) -> netrt_hresult {
    // Owns `user_data` from here: whatever happens, `release` runs once (when this is dropped,
    // here or with the handler).
    let owner = ReleaseOnDrop { data: UserData(user_data), release };
    ffi!("netrt_async_set_progress", {
        let cb = handler.ok_or_else(|| null("handler"))?;
        let running = handle::with_op(op, AsyncOp::clone)?;
        let Some(channel) = channel(&running) else {
            if running.status() != AsyncStatus::Started {
                return Ok(());
            }
            return Err(Error::invalid_arg("this operation does not report progress"));
        };
        channel.set_progress(Arc::new(move |report: Report| {
            // The whole `owner`, not just its `data` field: its drop is the caller's release.
            let owner = &owner;
            let data = owner.data;
            let Ok(h) = handle::issue_op(running.clone()) else { return };
            let mut abi = netrt_async_progress::default();
            let mut object = None;
            match report {
                Report::Transfer(t) => abi.transfer = t,
                Report::Object(o) => match handle::issue(o) {
                    Ok(oh) => {
                        abi.object = oh;
                        object = Some(oh);
                    }
                    Err(_) => {
                        let _ = handle::release(h);
                        return;
                    }
                },
            }
            // SAFETY: the C caller registered `cb` with `data` for these calls.
            unsafe { cb(data.0, h, &abi) };
            if let Some(oh) = object {
                let _ = handle::release(oh);
            }
            let _ = handle::release(h);
        }))
    })
}

/// The latest progress the operation reported (all 0 before the first report), while it
/// runs; for the operations whose reports are `netrt_transfer_progress` (the syndication and
/// AtomPub clients). `out_progress` not NULL. Errors: the handle checks; `E_POINTER`; `E_INVALIDARG` for
/// an operation without progress or one that has finished.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_get_progress(
    op: netrt_handle,
    out_progress: *mut netrt_transfer_progress,
) -> netrt_hresult {
    ffi!("netrt_async_get_progress", {
        let out = Out::new(out_progress, "out_progress")?;
        let running = handle::with_op(op, AsyncOp::clone)?;
        let channel = channel(&running)
            .ok_or_else(|| Error::invalid_arg("this operation does not report progress, or has finished"))?;
        match channel.last_progress() {
            None => out.write(netrt_transfer_progress::default()),
            Some(Report::Transfer(t)) => out.write(t),
            Some(Report::Object(_)) => {
                return Err(Error::invalid_arg(
                    "this operation reports an object: read the progress from the object (the transfer's get_progress)",
                ));
            }
        }
        Ok(())
    })
}
