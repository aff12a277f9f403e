//! The process-global tokio runtime netrt's I/O is registered with.
//!
//! Created lazily on first use. It is fork-aware: it records the PID that built it, and a
//! `pthread_atfork` child handler marks it stale, so a child process builds a fresh runtime on
//! its next use. The inherited runtime is leaked on purpose: its worker threads do not exist in
//! the child, and dropping it would try to join them.

use std::sync::Mutex;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

use tokio::runtime::{Builder, Runtime};

static CURRENT: AtomicPtr<Runtime> = AtomicPtr::new(std::ptr::null_mut());
static STALE_AFTER_FORK: AtomicBool = AtomicBool::new(false);
static BUILD_LOCK: Mutex<Option<u32>> = Mutex::new(None);
static ATFORK: Once = Once::new();

extern "C" fn mark_stale_in_child() {
    // Only an atomic store: this runs in the child of fork(), where little else is safe.
    STALE_AFTER_FORK.store(true, Ordering::SeqCst);
}

/// The netrt runtime for this process (built on first call, rebuilt once after `fork()`).
pub fn runtime() -> &'static Runtime {
    let ptr = CURRENT.load(Ordering::Acquire);
    if !ptr.is_null() && !STALE_AFTER_FORK.load(Ordering::Relaxed) {
        // SAFETY: the pointer comes from Box::leak below and is never freed.
        return unsafe { &*ptr };
    }
    build_runtime()
}

/// A handle to [`runtime`].
pub fn handle() -> &'static tokio::runtime::Handle {
    runtime().handle()
}

/// The PID of the process that built the current runtime (for diagnostics and tests).
pub fn runtime_pid() -> Option<u32> {
    *BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

#[cold]
fn build_runtime() -> &'static Runtime {
    ATFORK.call_once(|| {
        // SAFETY: registering a handler that only performs an atomic store.
        unsafe { libc::pthread_atfork(None, None, Some(mark_stale_in_child)) };
    });
    // After fork the lock may have been held by a thread that no longer exists; a poisoned
    // or stale guard is fine because we only keep a PID in it.
    let mut pid_slot = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let pid = std::process::id();
    let ptr = CURRENT.load(Ordering::Acquire);
    if !ptr.is_null() && *pid_slot == Some(pid) {
        STALE_AFTER_FORK.store(false, Ordering::SeqCst);
        // SAFETY: as above.
        return unsafe { &*ptr };
    }
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(2, 8);
    let rt = Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("netrt-worker")
        .enable_all()
        .build()
        .expect("netrt: cannot build the tokio runtime (out of threads or file descriptors?)");
    let leaked: &'static Runtime = Box::leak(Box::new(rt));
    CURRENT.store(leaked as *const Runtime as *mut Runtime, Ordering::Release);
    *pid_slot = Some(pid);
    STALE_AFTER_FORK.store(false, Ordering::SeqCst);
    leaked
}

/// Runs `f` with the netrt runtime entered, so tokio resources created inside (sockets,
/// timers) register with it and can then be polled from any executor or thread.
pub(crate) fn within<R>(f: impl FnOnce() -> R) -> R {
    let _guard = runtime().enter();
    f()
}

/// Runs `fut` to completion from any executor: inline when the caller already runs inside a
/// tokio runtime (no thread hop: timers and tasks it creates use that runtime, sockets are
/// registered with netrt's explicitly), otherwise as a task on the netrt runtime. Dropping
/// the returned future cancels `fut` either way.
pub(crate) async fn run<F>(fut: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        return fut.await;
    }
    struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);
    impl<T> Drop for AbortOnDrop<T> {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let mut task = AbortOnDrop(handle().spawn(fut));
    match (&mut task.0).await {
        Ok(out) => out,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => unreachable!("a netrt task is only aborted when its waiter is dropped"),
    }
}
