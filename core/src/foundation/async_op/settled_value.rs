//! An operation over before anyone saw it, with a `u32` result (a write the kernel took at
//! once), kept as a value in a pointer-sized word instead of as an [`AsyncOperation`], for a
//! projection's handle table that holds operations as one word each
//! ([`AsyncOperation::into_raw`]). Issuing it, setting its Completed handler, reading its
//! results and releasing it then allocate nothing and take no lock.
//!
//! The word is `count << 2 | HANDLER_SET | TAG` instead of a pointer (an operation's pointer is
//! aligned, so its low bit is 0). It changes at most twice: the handler bit is set once
//! ([`SettledU32::claim_handler`]), and a call that needs the operation itself (its error
//! detail, Close, ...) swaps the value for an operation in the same state
//! ([`SettledU32::materialize`]) with one compare-and-swap, so both go in one order and every
//! later reader of the word sees the operation. What the app sees does not depend on the form:
//! status Completed, error code 0, the count, one handler, run inline.

use std::sync::atomic::{AtomicPtr, Ordering};

use super::{AsyncOperation, AsyncStatus, completed_handler_already_set};
use crate::error::{HResult, Result};

/// Set in a word that holds a settled value (never in a pointer).
const TAG: usize = 1;
/// Its Completed handler was set (and ran).
const HANDLER_SET: usize = 2;
const COUNT_SHIFT: u32 = 2;

/// A settled operation's value, as its word holds it.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct SettledU32(usize);

/// What [`SettledU32::claim_handler`] found.
#[doc(hidden)]
pub enum SettledClaim {
    /// The handler is this caller's to run (the operation is over: inline, now).
    First,
    /// The word now holds an operation ([`SettledU32::materialize`] ran meanwhile): its
    /// pointer.
    Op(*const ()),
}

impl SettledU32 {
    /// The value for a result of `count`; None when it does not fit beside the flags (only
    /// where a pointer has 32 bits).
    #[inline]
    pub fn new(count: u32) -> Option<Self> {
        let shifted = (count as usize).checked_shl(COUNT_SHIFT)?;
        ((shifted >> COUNT_SHIFT) == count as usize).then_some(Self(shifted | TAG))
    }

    /// The value a word holds, if it is one (not an operation's pointer).
    #[inline(always)]
    pub fn in_word(word: *const ()) -> Option<Self> {
        let bits = word.addr();
        (bits & TAG != 0).then_some(Self(bits))
    }

    /// The word that holds this value.
    #[inline]
    pub fn word(self) -> *mut () {
        std::ptr::without_provenance_mut(self.0)
    }

    /// The operation's result.
    #[inline]
    pub fn count(self) -> u32 {
        (self.0 >> COUNT_SHIFT) as u32
    }

    /// `Status`, as [`AsyncOperation::status`]: over, with a result.
    #[inline]
    pub fn status(self) -> AsyncStatus {
        AsyncStatus::Completed
    }

    /// `ErrorCode`, as [`AsyncOperation::error_code`] for a completed operation.
    #[inline]
    pub fn error_code(self) -> HResult {
        0
    }

    fn handler_set(self) -> bool {
        self.0 & HANDLER_SET != 0
    }

    /// The same operation as an [`AsyncOperation`], its result `result(count)`.
    fn to_op<T: Send + Sync + 'static>(self, result: impl FnOnce(u32) -> T) -> AsyncOperation<T> {
        let op = AsyncOperation::completed(Ok(result(self.count())))
            .expect("a completed result is never a call error");
        if self.handler_set() {
            // Used, as the handler that ran through the value left it.
            let _ = op.set_completed_with(|_, _| {});
        }
        op
    }

    /// Sets the handler bit of the value `seen` in `word`: the Completed handler is the
    /// caller's to run, once.
    ///
    /// # Errors
    /// `E_ILLEGAL_DELEGATE_ASSIGNMENT` when it was set before, as for any operation.
    #[inline]
    pub fn claim_handler(word: &AtomicPtr<()>, mut seen: Self) -> Result<SettledClaim> {
        loop {
            if seen.handler_set() {
                return Err(completed_handler_already_set());
            }
            let set = Self(seen.0 | HANDLER_SET);
            match word.compare_exchange(seen.word(), set.word(), Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Ok(SettledClaim::First),
                Err(now) => match Self::in_word(now) {
                    Some(value) => seen = value,
                    None => return Ok(SettledClaim::Op(now)),
                },
            }
        }
    }

    /// Replaces the value `seen` in `word` with an operation in the same state, its result
    /// `result(count)`, and returns its pointer ([`AsyncOperation::into_raw`], the word's
    /// reference from now on); another thread's, if it swapped first. Whoever reads the word
    /// must load it with `Acquire` to see that operation whole.
    #[cold]
    #[inline(never)]
    pub fn materialize<T: Send + Sync + 'static>(
        word: &AtomicPtr<()>,
        mut seen: Self,
        result: impl Fn(u32) -> T,
    ) -> *const () {
        loop {
            let raw = seen.to_op(&result).into_raw();
            match word.compare_exchange(seen.word(), raw.cast_mut(), Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return raw,
                Err(now) => {
                    // SAFETY: `raw` was made above by `into_raw` and stored nowhere.
                    drop(unsafe { AsyncOperation::<T>::from_raw(raw) });
                    match Self::in_word(now) {
                        Some(value) => seen = value,
                        None => return now,
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::hresult::E_ILLEGAL_DELEGATE_ASSIGNMENT;

    fn word_of(count: u32) -> (AtomicPtr<()>, SettledU32) {
        let value = SettledU32::new(count).expect("fits on 64-bit");
        (AtomicPtr::new(value.word()), value)
    }

    #[test]
    fn a_value_answers_as_a_completed_operation() {
        let (word, value) = word_of(64);
        let seen = SettledU32::in_word(word.load(Ordering::Acquire)).expect("a value, not a pointer");
        assert_eq!((seen.count(), seen.status(), seen.error_code()), (64, AsyncStatus::Completed, 0));
        let op = AsyncOperation::<u32>::completed(Ok(64)).expect("completed");
        assert_eq!((op.status(), op.error_code().expect("open")), (value.status(), value.error_code()));
        let raw = op.into_raw();
        assert!(SettledU32::in_word(raw).is_none(), "an operation's pointer is never taken for a value");
        // SAFETY: made by `into_raw` just above.
        drop(unsafe { AsyncOperation::<u32>::from_raw(raw) });
    }

    #[test]
    fn the_handler_is_claimed_once() {
        let (word, value) = word_of(7);
        assert!(matches!(SettledU32::claim_handler(&word, value), Ok(SettledClaim::First)));
        // A claim that saw the value before the bit was set tries again and finds it set.
        let err = SettledU32::claim_handler(&word, value).err().expect("a second handler");
        assert_eq!(err.hresult(), E_ILLEGAL_DELEGATE_ASSIGNMENT);
    }

    #[test]
    fn materialized_it_keeps_its_state_and_later_claims_find_the_operation() {
        let (word, value) = word_of(9);
        assert!(matches!(SettledU32::claim_handler(&word, value), Ok(SettledClaim::First)));
        let now = SettledU32::in_word(word.load(Ordering::Acquire)).expect("still a value");
        // Swapped from a stale value (no handler bit): it retries with the one in the word.
        let raw = SettledU32::materialize(&word, value, |n| n);
        assert_eq!(word.load(Ordering::Acquire).cast_const(), raw);
        // SAFETY: the word's reference, borrowed while the word keeps it.
        let op = unsafe { AsyncOperation::<u32>::borrow_raw(raw) };
        assert_eq!(op.status(), AsyncStatus::Completed);
        assert_eq!(op.results().expect("a result"), 9);
        let err = op.set_completed_with(|_, _| {}).expect_err("the handler already ran");
        assert_eq!(err.hresult(), E_ILLEGAL_DELEGATE_ASSIGNMENT);
        // A claim or a second materialize that saw the old value now gets the operation.
        assert!(matches!(SettledU32::claim_handler(&word, value), Ok(SettledClaim::Op(p)) if p == raw));
        assert_eq!(SettledU32::materialize(&word, now, |n| n), raw);
        // SAFETY: the word's reference, given back once.
        drop(unsafe { AsyncOperation::<u32>::from_raw(raw) });
    }
}
