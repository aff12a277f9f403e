//! An operation over before its handle is issued, with a uint32 result (a WriteAsync the kernel
//! took at once): kept in its slot as a value instead of a core operation, so issuing it,
//! setting its Completed handler, reading its results and releasing it allocate nothing and
//! take no lock.
//!
//! The slot's object word is `count << 2 | HANDLER_SET | TAG` instead of a pointer (an
//! operation's pointer is aligned, so its low bit is 0). The word changes at most twice: the
//! handler bit is set once, and a call that needs the operation itself (its error detail,
//! Close, duplicate, ...) swaps the value for a core operation in the same state — Completed
//! with that count, its handler used if it was set — with one compare-and-swap, so both go in
//! one order and every later lookup sees the operation. What the app sees does not depend on
//! the form: status Completed, error code 0, the count, one handler, run inline.

use std::sync::atomic::Ordering;

use netrt_core::Error;
use netrt_core::foundation::async_op::completed_handler_already_set;

use super::Slot;
use crate::async_op::{AsyncOp, OpResult};

/// Set in a slot's object word that holds a settled operation's value (never in a pointer).
const TAG: usize = 1;
/// Its Completed handler was set (and ran).
const HANDLER_SET: usize = 2;
const COUNT_SHIFT: u32 = 2;

/// A settled operation's value, as its slot holds it.
#[derive(Clone, Copy)]
pub(crate) struct SettledU32(usize);

impl SettledU32 {
    /// The value for a result of `count`; None when it does not fit beside the flags (only
    /// where a pointer has 32 bits).
    pub(super) fn new(count: u32) -> Option<Self> {
        let shifted = (count as usize).checked_shl(COUNT_SHIFT)?;
        ((shifted >> COUNT_SHIFT) == count as usize).then_some(Self(shifted | TAG))
    }

    /// The value a slot's object word holds, if it is one (not a pointer).
    #[inline(always)]
    pub(super) fn in_word(word: *const ()) -> Option<Self> {
        let bits = word.addr();
        (bits & TAG != 0).then_some(Self(bits))
    }

    pub(super) fn word(self) -> *mut () {
        std::ptr::without_provenance_mut(self.0)
    }

    /// The operation's result.
    pub(crate) fn count(self) -> u32 {
        (self.0 >> COUNT_SHIFT) as u32
    }

    fn handler_set(self) -> bool {
        self.0 & HANDLER_SET != 0
    }

    /// The same operation as a core operation.
    fn to_op(self) -> AsyncOp {
        let op = AsyncOp::completed(Ok(OpResult::U32(self.count())))
            .expect("a completed result is never a call error");
        if self.handler_set() {
            // Used, as the handler that ran through the value left it.
            let _ = op.set_completed_with(|_, _| {});
        }
        op
    }
}

/// What claiming a slot's Completed handler found.
pub(super) enum Claim {
    /// The handler is this caller's to run (the operation is over: inline, now).
    First,
    /// The slot now holds a core operation (`materialize` ran meanwhile): its pointer.
    Op(*const ()),
}

/// Sets the handler bit of the value `seen` in `slot` (pinned by the caller).
///
/// # Errors
/// `E_ILLEGAL_DELEGATE_ASSIGNMENT` when it was set before, as core says for any operation.
pub(super) fn claim_handler(slot: &Slot, mut seen: SettledU32) -> Result<Claim, Error> {
    loop {
        if seen.handler_set() {
            return Err(completed_handler_already_set());
        }
        let set = SettledU32(seen.0 | HANDLER_SET);
        match slot.object.compare_exchange(seen.word(), set.word(), Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return Ok(Claim::First),
            Err(now) => match SettledU32::in_word(now) {
                Some(value) => seen = value,
                None => return Ok(Claim::Op(now)),
            },
        }
    }
}

/// Replaces the value `seen` in `slot` (pinned by the caller) with a core operation in the same
/// state, and returns its pointer (`AsyncOp::into_raw`, the slot's reference from now on);
/// another thread's, if it swapped first.
#[cold]
#[inline(never)]
pub(super) fn materialize(slot: &Slot, mut seen: SettledU32) -> *const () {
    loop {
        let raw = seen.to_op().into_raw();
        match slot.object.compare_exchange(seen.word(), raw.cast_mut(), Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return raw,
            Err(now) => {
                // SAFETY: `raw` was made above by `into_raw` and stored nowhere.
                drop(unsafe { AsyncOp::from_raw(raw) });
                match SettledU32::in_word(now) {
                    Some(value) => seen = value,
                    None => return now,
                }
            }
        }
    }
}
