//! Which side of fork() this process is on: state recorded under one fork generation (a
//! completion queue, a thread's cached event loop in the Python binding) does not belong to a
//! child made after it.

use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

/// Incremented in every child of fork() once the handler is installed.
static GENERATION: AtomicU64 = AtomicU64::new(0);
static ATFORK: Once = Once::new();

extern "C" fn count_fork_in_child() {
    // Only an atomic add: this runs in the child of fork(), where little else is safe.
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// The current fork generation: one more in each child of fork() than in its parent. The
/// first call installs the counting `pthread_atfork` child handler, so a generation recorded
/// with this call is always told apart from any child made after it.
#[doc(hidden)]
pub fn fork_generation() -> u64 {
    ATFORK.call_once(|| {
        // SAFETY: registers a handler that only makes an atomic add.
        unsafe { libc::pthread_atfork(None, None, Some(count_fork_in_child)) };
    });
    GENERATION.load(Ordering::Relaxed)
}
