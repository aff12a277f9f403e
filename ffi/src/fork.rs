//! fork() safety of libnetrt's process-wide locks.
//!
//! fork() copies a lock held by another thread as held forever: the child's first netrt call
//! that needs it would hang. The global locks every call path can reach (the handle table, the
//! lazy-spawn queue slot, the progress channels of running operations) are therefore taken by the forking thread for the duration of fork()
//! (pthread_atfork prepare) and released on both sides. None is held while waiting for anything,
//! so prepare never waits long. Handle lookups take no lock, but a pin they hold at fork time
//! would never be dropped in the child, so the child clears them. Core's runtime has its own
//! handler (it is rebuilt in the child).

use std::cell::RefCell;
use std::sync::{MutexGuard, Once};

use netrt_core::foundation::async_op::{ForkGuard, lock_for_fork};

use crate::async_progress;
use crate::handle::{self, Table};

thread_local! {
    /// The guards, held by the forking thread between prepare and parent/child.
    static HELD: RefCell<Option<(MutexGuard<'static, Table>, ForkGuard, async_progress::ForkGuard)>> =
        const { RefCell::new(None) };
}

static REGISTER: Once = Once::new();

extern "C" fn before_fork() {
    // Always in this order (table, queue slot, progress channels); no other path holds two.
    let table = handle::lock_for_fork();
    let lazy = lock_for_fork();
    let progress = async_progress::lock_for_fork();
    HELD.with(|held| *held.borrow_mut() = Some((table, lazy, progress)));
}

extern "C" fn after_fork_parent() {
    // The forking thread: the guards' owner.
    HELD.with(|held| drop(held.borrow_mut().take()));
}

extern "C" fn after_fork_child() {
    // The child's only thread, the guards' owner. Lookups running on other parent threads at
    // fork time left their handle pins behind: clear them before anyone can wait for them.
    HELD.with(|held| {
        if let Some((table, _, _)) = &*held.borrow() {
            handle::clear_pins_after_fork(table);
        }
        drop(held.borrow_mut().take());
    });
}

/// Registers the handlers once (called before the first handle is issued).
pub(crate) fn register_handlers() {
    REGISTER.call_once(|| {
        // SAFETY: the handlers only take and release netrt's own locks on the forking thread.
        unsafe { libc::pthread_atfork(Some(before_fork), Some(after_fork_parent), Some(after_fork_child)) };
    });
}
