//! Polling a stream operation from a thread that watches the socket itself.
//!
//! A blocking caller of the C ABI (`netrt_async_wait`) drives a read or write on its own thread:
//! it polls the operation's future, and when that is Pending it sleeps in poll(2) on the
//! stream's readiness fd, then polls the future again. For such a poll the runtime's reactor has
//! nothing to do — worse, a socket registered with it wakes the reactor thread on every packet,
//! which on a small machine competes with the very thread waiting for that packet.
//!
//! So a socket read or write polled inside [`poll_as_caller`] that would block returns Pending
//! *without* arming a runtime wake-up (the socket is not even registered with the reactor until
//! some poll outside this scope needs it). Every poll of such a future retries the syscall, so
//! the caller's re-poll after poll(2) reported readiness makes progress at once. A future left
//! Pending this way must be polled again by its caller or handed to a runtime, whose first poll
//! arms the wake-up. Wake-ups that do not come from the socket (Close, CancelIOAsync) still
//! reach the waker of the caller's poll.

use std::cell::Cell;

thread_local! {
    static CALLER_DRIVEN: Cell<bool> = const { Cell::new(false) };
}

/// Runs `poll` (a poll of a stream future) with socket readiness left to the calling thread.
pub fn poll_as_caller<R>(poll: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            CALLER_DRIVEN.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(CALLER_DRIVEN.with(|c| c.replace(true)));
    poll()
}

/// Whether the current poll is inside [`poll_as_caller`].
pub(crate) fn caller_driven() -> bool {
    CALLER_DRIVEN.with(Cell::get)
}
