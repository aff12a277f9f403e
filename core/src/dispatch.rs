//! The dispatcher thread: where event handlers and completion callbacks run.
//!
//! Callbacks never run on a tokio worker (docs/threading.md), so a handler may call any netrt
//! function, including blocking waits, without starving the runtime. One thread per process,
//! created lazily, rebuilt after `fork()` like the runtime.
//!
//! [`deliver`] is the one place that decides where a handler runs: on a
//! [`CompletionQueue`] it was bound to, or here.

use std::sync::Mutex;
use std::sync::mpsc::{Sender, channel};

use crate::foundation::completion_queue::{CompletionQueue, Delivery};

type Job = Box<dyn FnOnce() + Send + 'static>;

static DISPATCHER: Mutex<Option<(u32, Sender<Job>)>> = Mutex::new(None);

thread_local! {
    static ON_DISPATCHER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Queues `job` to run on the dispatcher thread, in order.
pub fn post(job: impl FnOnce() + Send + 'static) {
    let pid = std::process::id();
    let mut slot = DISPATCHER.lock().unwrap_or_else(|e| e.into_inner());
    if !matches!(&*slot, Some((p, _)) if *p == pid) {
        *slot = Some((pid, spawn_dispatcher()));
    }
    if let Some((_, tx)) = &*slot {
        // The receiver lives as long as the process; a send can only fail if the thread
        // died from a panicking job, in which case we start a new one.
        if let Err(err) = tx.send(Box::new(job)) {
            let tx = spawn_dispatcher();
            let _ = tx.send(err.0);
            *slot = Some((pid, tx));
        }
    }
}

/// Delivers `job` to `target` — inside its `dispatch` on the application's thread — or, with
/// no target or a closed one, to the dispatcher thread; `job` is told which. Every Completed
/// handler and event handler goes through here.
pub fn deliver<F>(target: Option<&CompletionQueue>, job: F)
where
    F: FnOnce(Delivery) + Send + 'static,
{
    let job = match target {
        Some(queue) => match queue.try_post(job) {
            Ok(()) => return,
            Err(job) => job,
        },
        None => job,
    };
    post(move || job(Delivery::Dispatcher));
}

/// Whether the current thread is the dispatcher thread.
pub fn on_dispatcher_thread() -> bool {
    ON_DISPATCHER.with(|c| c.get())
}

fn spawn_dispatcher() -> Sender<Job> {
    let (tx, rx) = channel::<Job>();
    std::thread::Builder::new()
        .name("netrt-dispatch".into())
        .spawn(move || {
            ON_DISPATCHER.with(|c| c.set(true));
            for job in rx {
                // A panicking handler must not take the dispatcher (and every later event)
                // down with it.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            }
        })
        .expect("netrt: cannot start the dispatcher thread");
    tx
}

/// Runs `job` on a background thread of netrt's runtime (its blocking pool, never a worker
/// that polls I/O), where it may block: C++'s `resume_background`.
pub fn run_background(job: impl FnOnce() + Send + 'static) {
    drop(crate::runtime::handle().spawn_blocking(job));
}

/// Runs `job` on a background thread once `delay` has passed: C++'s `resume_after`.
pub fn run_background_after(delay: std::time::Duration, job: impl FnOnce() + Send + 'static) {
    drop(crate::runtime::handle().spawn(async move {
        tokio::time::sleep(delay).await;
        run_background(job);
    }));
}
