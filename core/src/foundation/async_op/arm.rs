//! A queue read's start without its first poll.
//!
//! A C ReadAsync on plain TCP attempts its `recv` before its operation exists (or skips it
//! when its socket is known to be drained, see `completion_queue/read_edges.rs`). When that
//! found nothing and the read starts on a completion queue's thread, its first poll would only
//! register the queue's waker where an abort (Close, CancelIOAsync) and a cancel of the
//! operation look for it, check that neither came meanwhile, and say Pending — at ~300
//! instructions a read (the caller-driven scope, the cancel token's two upgrades). Arming does
//! just that registration and those checks; the operation then parks with the queue as after
//! a Pending poll.
//!
//! The queue's read edges need nothing here: `adopt` sees an edge that came before it (the
//! missed-edge flag, the early wake) exactly as after a poll, and a read that skipped its
//! `recv` was decided by the edge count before the attempt, as before.

use std::sync::Arc;
use std::task::Waker;

use super::Op;
use crate::foundation::completion_queue::DrivenWaker;

/// A future whose first poll, right after an attempt of its own that found nothing, would only
/// register its waker for what can end it from outside (an abort of its socket).
#[doc(hidden)]
pub trait Armable {
    /// Registers `waker` where that first poll would and checks what it would check: true
    /// when the future may stay Pending without the poll (its next poll is a full one), false
    /// when it must be polled (also when it is not right after such an attempt).
    fn arm(&mut self, waker: &Waker) -> bool;
}

/// A boxed future is polled: it is not known to follow an attempt of its own.
impl<F: ?Sized> Armable for std::pin::Pin<Box<F>> {
    fn arm(&mut self, _waker: &Waker) -> bool {
        false
    }
}

/// Arms `fut`, `op`'s future, and `op`'s cancel signal with `waker` (the queue's for it):
/// whether the operation may park with the queue without its first poll. The signal is
/// registered directly: what a poll would register through the future's cancel token.
pub(super) fn arm_first<T, F: Armable>(op: &Arc<Op<T>>, fut: &mut F, waker: &Arc<DrivenWaker>) -> bool
where
    T: Send + Sync + 'static,
{
    let waker = DrivenWaker::waker(waker);
    super::cancel::arm(op, &waker) && fut.arm(&waker)
}
