//! An operation's settled outcome, readable without its lock.
//!
//! `Status`, `ErrorCode` and `GetResults` are what every caller reads, often many times per
//! operation (a C round trip reads the status to wait and the results once done); taking the
//! operation's mutex for each was the largest per-operation cost after the syscalls. So the
//! outcome — the result or the failure — is written once, when the operation leaves Started,
//! into a cell of its own, and then a state word is stored with Release; readers load the word
//! with Acquire and, when it says settled, read the outcome in place.
//!
//! The word changes after that only to add a flag — Close (the results become unreachable) or
//! a give-back (`abandon`: the result went back to its stream; the operation reads Canceled) —
//! and never touches the cell, so a reader still holding the result (inside `with_results`)
//! keeps a valid reference. The result's memory goes with the operation's last reference.
//!
//! Every write — the outcome and each change of the word — happens under the operation's lock
//! (the writer passes its locked state as proof): the first party to see Started under the
//! lock settles it, as before, and waiters that check the status under the lock before
//! sleeping on the condvar cannot miss the change.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicU8, Ordering};

use super::{AsyncStatus, State};
use crate::error::hresult::E_CANCELLED;
use crate::error::{Error, Result};

/// The `AsyncStatus` value (0–3).
const STATUS: u8 = 0b0011;
/// Canceled after having Completed: the result went back where it came from (`abandon`).
const GIVEN_BACK: u8 = 0b0100;
/// `Close()` was called (only once settled): everything but the status is refused.
const CLOSED: u8 = 0b1000;

/// What a reader sees of a settled operation.
pub(super) enum Seen<'a, T> {
    Started,
    Closed,
    /// Completed with a result, or Error / Canceled with the failure.
    Settled(AsyncStatus, &'a Result<T>),
    /// Canceled by [`Outcome::give_back`]: the result is no longer the caller's.
    GivenBack,
}

pub(super) struct Outcome<T> {
    word: AtomicU8,
    cell: UnsafeCell<Option<Result<T>>>,
}

// SAFETY: the cell is written once, by the thread that holds the operation's lock and has seen
// the word Started, before the word leaves Started (Release); it is read only after a reader has
// seen the word settled (Acquire), and never written again. Shared `&T`s may then be read from
// several threads at once, hence `T: Sync`; moving the outcome between threads needs `T: Send`.
unsafe impl<T: Send + Sync> Sync for Outcome<T> {}

impl<T> Outcome<T> {
    /// A running operation's.
    pub(super) fn started() -> Self {
        Self { word: AtomicU8::new(AsyncStatus::Started as u8), cell: UnsafeCell::new(None) }
    }

    /// One settled before anyone sees it (no lock needed: nobody else has it).
    pub(super) fn settled(outcome: Result<T>) -> Self {
        let status = status_of(&outcome);
        Self { word: AtomicU8::new(status as u8), cell: UnsafeCell::new(Some(outcome)) }
    }

    /// The status (never blocks; also after Close).
    pub(super) fn status(&self) -> AsyncStatus {
        status_from(self.word.load(Ordering::Acquire))
    }

    /// What a reader may see now.
    pub(super) fn seen(&self) -> Seen<'_, T> {
        let word = self.word.load(Ordering::Acquire);
        if word & CLOSED != 0 {
            return Seen::Closed;
        }
        if word & GIVEN_BACK != 0 {
            return Seen::GivenBack;
        }
        match status_from(word) {
            AsyncStatus::Started => Seen::Started,
            status => {
                // SAFETY: the word left Started (seen with Acquire) after the cell's one write,
                // which happens-before this read; nothing writes the cell again.
                let outcome = unsafe { (*self.cell.get()).as_ref() };
                match outcome {
                    Some(outcome) => Seen::Settled(status, outcome),
                    None => unreachable!("a settled operation has an outcome"),
                }
            }
        }
    }

    /// Settles the operation with `outcome`: the caller holds the lock (`_locked`) and has seen
    /// it Started. Returns the status it now has.
    pub(super) fn publish(&self, _locked: &mut State<T>, outcome: Result<T>) -> AsyncStatus {
        debug_assert_eq!(self.status(), AsyncStatus::Started, "settled twice");
        let status = status_of(&outcome);
        // SAFETY: the lock is held and the word is Started, so no reader looks at the cell (they
        // wait for the word to leave Started) and no other writer exists (writers hold the lock
        // and see Started first; this one leaves Started before giving the lock back).
        unsafe { *self.cell.get() = Some(outcome) };
        self.word.store(status as u8, Ordering::Release);
        status
    }

    /// The completed result, for the party that holds the lock (`abandon`).
    pub(super) fn completed_result(&self, _locked: &mut State<T>) -> Option<&T> {
        match self.seen() {
            Seen::Settled(AsyncStatus::Completed, Ok(result)) => Some(result),
            _ => None,
        }
    }

    /// The result went back where it came from: the operation reads Canceled from now on. The
    /// cell stays as it is (a concurrent reader may still hold the result).
    pub(super) fn give_back(&self, _locked: &mut State<T>) {
        let word = self.word.load(Ordering::Relaxed);
        self.word.store((word & !STATUS) | AsyncStatus::Canceled as u8 | GIVEN_BACK, Ordering::Release);
    }

    /// `Close()` on a settled operation.
    pub(super) fn close(&self, _locked: &mut State<T>) {
        self.word.fetch_or(CLOSED, Ordering::Release);
    }

    /// Whether `Close()` was called.
    pub(super) fn is_closed(&self) -> bool {
        self.word.load(Ordering::Acquire) & CLOSED != 0
    }
}

/// The error a given-back operation reports.
pub(super) fn given_back_error() -> Error {
    Error::new(E_CANCELLED, "the operation was cancelled; what it had read went back to the stream")
}

/// Completed with a result; Canceled for a future that stopped on its cancel signal having
/// consumed nothing; Error with any other failure.
fn status_of<T>(outcome: &Result<T>) -> AsyncStatus {
    match outcome {
        Ok(_) => AsyncStatus::Completed,
        Err(e) if e.hresult() == E_CANCELLED => AsyncStatus::Canceled,
        Err(_) => AsyncStatus::Error,
    }
}

fn status_from(word: u8) -> AsyncStatus {
    match word & STATUS {
        0 => AsyncStatus::Started,
        1 => AsyncStatus::Completed,
        2 => AsyncStatus::Canceled,
        _ => AsyncStatus::Error,
    }
}
