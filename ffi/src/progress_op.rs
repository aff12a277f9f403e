//! IAsyncOperationWithProgress for C: an operation handle (as every other, `netrt_async_*`)
//! whose progress reports reach a handler set with `netrt_async_set_progress`.
//!
//! The operation is core's `AsyncOperationWithProgress`; its handle holds the operation part
//! like any operation handle, and the progress channel waits here, by operation id, until the
//! operation ends.

use std::collections::HashMap;
use std::ffi::c_void;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use netrt_core::Error;
use netrt_core::foundation::{AsyncOperation, AsyncOperationWithProgress, AsyncStatus, ProgressReporter};

use crate::async_op::{self, OpResult};
use crate::boundary::{netrt_handle, netrt_hresult, null};
use crate::handle;
use crate::object::Object;

/// A progress handler: `user_data` as given to `netrt_async_set_progress`, the operation and
/// the progress payload (for a transfer, the DownloadOperation or UploadOperation itself; read
/// its progress with `netrt_download_operation_get_progress`). Both handles are borrowed for
/// the call: do not release them; duplicate one to keep it.
pub type netrt_async_progress_handler =
    Option<unsafe extern "C" fn(user_data: *mut c_void, op: netrt_handle, progress: netrt_handle)>;

/// Frees a handler's `user_data` once the handler will never run again.
pub type netrt_user_data_release = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

type Channel = AsyncOperationWithProgress<OpResult, Arc<Object>>;

/// The progress channels of operations that are still running, by operation id.
fn channels() -> MutexGuard<'static, HashMap<u32, Channel>> {
    static CHANNELS: OnceLock<Mutex<HashMap<u32, Channel>>> = OnceLock::new();
    CHANNELS.get_or_init(Mutex::default).lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts an operation whose future reports progress objects, and issues its handle.
pub(crate) fn start<F>(make: impl FnOnce(ProgressReporter<Arc<Object>>) -> F) -> Result<netrt_handle, Error>
where
    F: Future<Output = Result<OpResult, Error>> + Send + 'static,
{
    let op: Channel = AsyncOperationWithProgress::start(make)?;
    let id = op.id();
    channels().insert(id, op.clone());
    // Forgotten when it ends (or at once, if it already has): a handler set later has nothing
    // left to hear.
    if !op.on_done(Box::new(move || {
        channels().remove(&id);
    })) {
        channels().remove(&id);
    }
    async_op::issue(op.operation().clone())
}

/// Waits for a core operation without blocking a thread, and returns its outcome. Dropping the
/// future cancels the operation (cancelling the C operation cancels what it wraps).
pub(crate) async fn follow<T: Clone + Send + 'static>(op: AsyncOperation<T>) -> Result<T, Error> {
    struct CancelOnDrop<T: Send + 'static>(Option<AsyncOperation<T>>);
    impl<T: Send + 'static> Drop for CancelOnDrop<T> {
        fn drop(&mut self) {
            if let Some(op) = self.0.take()
                && op.status() == AsyncStatus::Started
            {
                let _ = op.cancel();
            }
        }
    }
    let mut guard = CancelOnDrop(Some(op.clone()));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    if op.on_done(Box::new(move || {
        let _ = tx.send(());
    })) {
        let _ = rx.await;
    }
    guard.0 = None;
    op.results()
}

/// `IAsyncOperationWithProgress.Progress` (set): `handler` (not NULL) runs with each progress
/// report from now on — on netrt's dispatcher thread, or inside the dispatch of the completion
/// queue current when the operation started — always before the operation's Completed
/// handler. Reports made before it was set are not replayed. `release_user_data` (may be NULL)
/// is called exactly once, on any thread, when the handler will never run again: after the
/// operation ended and its last report was delivered — and at once when this call fails or the
/// operation had already ended — so `user_data` can be freed there. Errors: the handle checks;
/// `E_POINTER`; `E_ILLEGAL_DELEGATE_ASSIGNMENT` when a handler was set before; `E_INVALIDARG`
/// for a running operation that reports no progress.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_async_set_progress(
    op: netrt_handle,
    handler: netrt_async_progress_handler,
    user_data: *mut c_void,
    release_user_data: netrt_user_data_release,
) -> netrt_hresult {
    // Owns `user_data` from here: whatever happens, `release_user_data` runs once.
    let owned = Owned { data: UserData(user_data), release: release_user_data };
    ffi!("netrt_async_set_progress", {
        let cb = handler.ok_or_else(|| null("handler"))?;
        let (id, running) = handle::with_op(op, |o| (o.id(), o.status() == AsyncStatus::Started))?;
        let Some(channel) = channels().get(&id).cloned() else {
            if running {
                return Err(Error::invalid_arg("this operation reports no progress"));
            }
            return Ok(());
        };
        let for_handler = channel.operation().clone();
        channel.set_progress(Arc::new(move |progress: Arc<Object>| {
            let data = owned.user_data();
            let (Ok(op), Ok(payload)) = (handle::issue_op(for_handler.clone()), handle::issue(progress))
            else {
                return;
            };
            // SAFETY: the C caller registered `cb` with `data` for exactly these calls.
            unsafe { cb(data.0, op, payload) };
            let _ = handle::release(payload);
            let _ = handle::release(op);
        }))
    })
}

/// A handler's `user_data` and the function that frees it, called when this is dropped (with
/// the last reference to the handler).
struct Owned {
    data: UserData,
    release: netrt_user_data_release,
}

impl Owned {
    /// Borrowing `self` (not just the field) keeps the whole value, and so the release, with
    /// the handler that uses it.
    fn user_data(&self) -> UserData {
        self.data
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: the C caller gave `release` for exactly this `user_data`, to be called once.
            unsafe { release(self.data.0) };
        }
    }
}

/// `user_data` crosses threads; the C caller owns what it points to.
#[derive(Clone, Copy)]
struct UserData(*mut c_void);
// SAFETY: an opaque token handed back to the caller's handler; netrt never dereferences it.
unsafe impl Send for UserData {}
// SAFETY: as above; it is only copied, never dereferenced.
unsafe impl Sync for UserData {}
