//! `CompletionQueue` for C: completions and events delivered inside the application's own
//! event loop (epoll, poll, GLib, libuv) instead of netrt's dispatcher thread. The queue is
//! core's [`CompletionQueue`]; this module gives it a handle kind, the thread's current queue
//! as a handle, and the C exports (docs/threading.md).

use std::cell::RefCell;
use std::ffi::{c_int, c_void};
use std::sync::{Arc, Weak};

use netrt_core::Error;
use netrt_core::foundation::CompletionQueue;

use crate::boundary::{Out, netrt_handle, netrt_hresult, null};
use crate::event::UserData;
use crate::handle;
use crate::object::{Object, Value, get, get_obj};

/// A plain callback: `user_data` as given.
pub type netrt_callback = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

thread_local! {
    /// The object behind this thread's current queue (weak: the current queue does not keep
    /// it open; releasing its last handle closes it as usual).
    static CURRENT: RefCell<Weak<Object>> = const { RefCell::new(Weak::new()) };
}

/// The queue behind `q`, or None for 0 (netrt's dispatcher thread).
fn queue_opt(q: netrt_handle) -> Result<Option<CompletionQueue>, Error> {
    if q == 0 { Ok(None) } else { Ok(Some(get!(q, CompletionQueue))) }
}

/// netrt extension `CompletionQueue()`: a queue whose fd (`netrt_completion_queue_get_fd`)
/// becomes readable when handlers wait to run; `netrt_completion_queue_dispatch` runs them on
/// the calling thread. Bind operations and event handlers to it with
/// `netrt_completion_queue_make_current` (everything started or added on that thread) or
/// `netrt_async_set_completion_queue` (one operation). `*out` (not NULL) receives a new
/// reference; releasing the last one closes the queue. Errors: `E_POINTER`; the eventfd's
/// errno as an HRESULT (`0x80072728` WSAEMFILE when out of file descriptors).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_completion_queue_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_completion_queue_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::CompletionQueue(CompletionQueue::new()?))?);
        Ok(())
    })
}

/// The fd to watch for readability (`EPOLLIN`, `POLLIN`, `G_IO_IN`); edge- and
/// level-triggered watching both work. It is an epoll instance (`EPOLL_CLOEXEC`) over the
/// queue's eventfd (`EFD_CLOEXEC | EFD_NONBLOCK`, signalled while handlers wait) and the
/// sockets of the reads and writes the queue drives itself (see
/// `netrt_completion_queue_dispatch`; a socket stays in it from its first driven operation
/// until it closes, so the fd may also turn readable when data arrives while no read waits —
/// a dispatch then runs nothing). netrt owns it: do not read, modify or close it. It stays
/// valid until the last reference is released, also after close. `*out_fd` must not be NULL.
/// Errors: the handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_completion_queue_get_fd(q: netrt_handle, out_fd: *mut c_int) -> netrt_hresult {
    ffi!("netrt_completion_queue_get_fd", {
        let out = Out::new(out_fd, "out_fd")?;
        out.write(get!(q, CompletionQueue).fd());
        Ok(())
    })
}

/// Runs up to `max` (at least 1) waiting handlers on the calling thread, in order;
/// `*out_ran` (not NULL) receives how many ran. First it makes progress on the stream reads
/// and writes bound to the queue whose socket is ready: they are driven here, on the calling
/// thread, not on netrt's runtime (so their handlers run in the same call, and a call may run
/// nothing when only I/O progressed). Handlers queued by the handlers themselves
/// may run in the same call. The fd is cleared once the queue is empty; when handlers remain
/// it stays readable (and is signalled again for edge-triggered loops), so call it again on
/// the next readiness. Handlers may call any netrt function, including this one and blocking
/// waits. Errors: the handle checks; `E_POINTER`; `E_INVALIDARG` when `max` is 0;
/// `RO_E_CLOSED` after close.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_completion_queue_dispatch(
    q: netrt_handle,
    max: u32,
    out_ran: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_completion_queue_dispatch", {
        let out = Out::new(out_ran, "out_ran")?;
        // A value of its own: a handler may release the queue's handle while it runs.
        let queue = get!(q, CompletionQueue);
        let ran = queue.dispatch(max as usize)?;
        out.write(u32::try_from(ran).unwrap_or(u32::MAX));
        Ok(())
    })
}

/// Closes the queue (as `netrt_close`). Handlers waiting in it move to netrt's dispatcher
/// thread (each still runs exactly once); operations bound to it that are still running are
/// cancelled — they complete Canceled (a read that had already received bytes completes with
/// them, as with `netrt_async_cancel`) — and their handlers, like every later delivery to the
/// closed queue, run on the dispatcher thread. Idempotent. Errors: the handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_completion_queue_close(q: netrt_handle) -> netrt_hresult {
    ffi!("netrt_completion_queue_close", {
        get!(q, CompletionQueue).close();
        Ok(())
    })
}

/// Makes `q` the calling thread's current queue (0: none — back to netrt's dispatcher thread):
/// operations started and event handlers added on this thread from now on deliver there
/// (an operation can still choose with `netrt_async_set_completion_queue`). Operations and
/// handlers made before keep where they were bound. The current queue holds no reference:
/// once it is closed, it is no longer current. Errors: the handle checks; `RO_E_CLOSED` when
/// `q` is closed.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_completion_queue_make_current(q: netrt_handle) -> netrt_hresult {
    ffi!("netrt_completion_queue_make_current", {
        let current = if q == 0 {
            None
        } else {
            let (obj, queue) = get_obj!(q, CompletionQueue);
            if queue.is_closed() {
                return Err(Error::closed("CompletionQueue"));
            }
            Some((obj, queue))
        };
        CompletionQueue::make_current(current.as_ref().map(|(_, queue)| queue));
        let weak = current.as_ref().map_or_else(Weak::new, |(obj, _)| Arc::downgrade(obj));
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = weak);
        Ok(())
    })
}

/// The calling thread's current queue: `*out` (not NULL) receives a new reference, or 0 when
/// the thread has none (or it was closed, or was made before a fork() in this child).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_completion_queue_get_current(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_completion_queue_get_current", {
        let out = Out::new(out, "out")?;
        let obj = CURRENT.try_with(|c| c.borrow().upgrade()).ok().flatten();
        let live = CompletionQueue::current();
        let h = match (obj, live) {
            (Some(obj), Some(live)) if matches!(&obj.value, Value::CompletionQueue(q) if q.ptr_eq(&live)) => {
                handle::issue(obj)?
            }
            _ => 0,
        };
        out.write(h);
        Ok(())
    })
}

/// Queues `callback(user_data)` to run inside `q`'s dispatch — or, with `q` 0 or closed, on
/// netrt's dispatcher thread (where a closed queue's deliveries go). It runs exactly once.
/// For resuming work in a loop's thread (C++'s `apartment_context`). Errors: the handle
/// checks; `E_POINTER` when `callback` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_completion_queue_post(
    q: netrt_handle,
    callback: netrt_callback,
    user_data: *mut c_void,
) -> netrt_hresult {
    ffi!("netrt_completion_queue_post", {
        let cb = callback.ok_or_else(|| null("callback"))?;
        let target = queue_opt(q)?;
        let data = UserData(user_data);
        netrt_core::dispatch::deliver(target.as_ref(), move |_| call(cb, data));
        Ok(())
    })
}

/// netrt extension: runs `callback(user_data)` once on a background thread of netrt's (not a
/// runtime worker, not the dispatcher), where it may block — C++'s `resume_background`.
/// Errors: `E_POINTER` when `callback` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_thread_pool_run(callback: netrt_callback, user_data: *mut c_void) -> netrt_hresult {
    ffi!("netrt_thread_pool_run", {
        let cb = callback.ok_or_else(|| null("callback"))?;
        let data = UserData(user_data);
        netrt_core::dispatch::run_background(move || call(cb, data));
        Ok(())
    })
}

/// netrt extension: runs `callback(user_data)` once on a background thread, as
/// `netrt_thread_pool_run`, after `delay_ticks` (100 ns units, a TimeSpan; 0 or negative: at
/// once) — C++'s `resume_after`. Errors: `E_POINTER` when `callback` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_thread_pool_run_after(
    delay_ticks: i64,
    callback: netrt_callback,
    user_data: *mut c_void,
) -> netrt_hresult {
    ffi!("netrt_thread_pool_run_after", {
        let cb = callback.ok_or_else(|| null("callback"))?;
        let data = UserData(user_data);
        let delay =
            std::time::Duration::from_nanos(u64::try_from(delay_ticks).unwrap_or(0).saturating_mul(100));
        netrt_core::dispatch::run_background_after(delay, move || call(cb, data));
        Ok(())
    })
}

fn call(cb: unsafe extern "C" fn(*mut c_void), data: UserData) {
    // SAFETY: the C caller registered `cb` with `data` for exactly this call.
    unsafe { cb(data.0) };
}
