//! Read edges the completion queues took, counted per fd number: how a socket read knows,
//! without a syscall, that its socket has had nothing to read since its last `recv` drained
//! it (the `ScheduledIo` readiness bit of tokio, with its tick).
//!
//! A socket records, with each `recv` that left its receive queue empty (`EAGAIN`, or data and
//! `TCP_INQ` saying nothing is left), the count of its fd's stripe *read before that `recv`*
//! (`PlainIo::recv`). A read that starts on a thread with a current queue skips its first
//! `recv` while that mark stands and the count has not moved: it parks with the queue at once.
//! That is exact, not a guess, because the queue's registration is edge-triggered:
//!
//! * Bytes (or an end of stream, a reset) that arrive after the draining `recv` queue a new
//!   edge on every epoll instance watching the socket; a queue that registers it later is told
//!   of what is there by `EPOLL_CTL_ADD` itself.
//! * A queue bumps the count of an fd *before* it hands that fd's read edge on (to the driven
//!   read, or as an edge nobody took — the next read is then polled once more), under the lock
//!   that `adopt` takes. So an edge taken by the queue after the mark was read either moved the
//!   count before the skip was decided (no skip), or reaches the parked read afterwards.
//! * An edge the queue took between the mark's count and the draining `recv` also moved the
//!   count (it was read first): the mark is stale from the start and nothing is skipped.
//!
//! Numbers share a stripe and a closed number's socket is gone with its mark: both only make
//! the count move more often, which costs a `recv`, never a lost byte.

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicU32, Ordering};

const STRIPES: usize = 1024;
static EDGES: [AtomicU32; STRIPES] = [const { AtomicU32::new(0) }; STRIPES];

fn stripe(fd: RawFd) -> &'static AtomicU32 {
    &EDGES[(fd as u32 as usize) % STRIPES]
}

/// The count of read edges queues took for `fd`'s stripe; read it before the `recv` whose
/// outcome it dates.
pub(crate) fn read_edges(fd: RawFd) -> u32 {
    stripe(fd).load(Ordering::SeqCst)
}

/// A queue took a read edge (readable, end of stream, hang-up or error) of `fd`.
pub(super) fn took_read_edge(fd: RawFd) {
    stripe(fd).fetch_add(1, Ordering::SeqCst);
}
