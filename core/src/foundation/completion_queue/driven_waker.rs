//! The `Waker` of a queue-driven operation's polls, with a vtable of its own so that a socket
//! future can tell, from its context alone, that a completion queue drives it: such a poll is
//! caller-driven (the queue watches the socket), and the future need not ask the thread-local
//! scope (`io::caller_driven`) — a `__tls_get_addr` call per access in a shared library, two
//! per driven read before.
//!
//! The vtable is a `static`, so its address is one for the whole library (a `const` vtable,
//! as `Waker::from(Arc<impl Wake>)` makes, may have a copy per codegen unit, and an address
//! comparison would then miss).

use std::mem::ManuallyDrop;
use std::sync::Arc;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::drive::DrivenWaker;

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

impl DrivenWaker {
    /// A `Waker` holding a reference to `this` (what `Waker::from` gives, recognisable by
    /// [`is_queue_waker`]).
    pub(crate) fn waker(this: &Arc<Self>) -> Waker {
        let data = Arc::into_raw(this.clone()).cast::<()>();
        // SAFETY: `data` is a strong reference the waker owns, and the vtable's functions treat
        // it as one (released by `wake` or `drop`, cloned by `clone`).
        unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) }
    }
}

/// Whether `waker` is a completion queue's (made by [`DrivenWaker::waker`]): the poll it is
/// given to is one the queue makes on its thread, inside `dispatch` or an operation's start.
pub(crate) fn is_queue_waker(waker: &Waker) -> bool {
    std::ptr::eq(waker.vtable(), &VTABLE)
}

/// The `Arc` a waker's data pointer stands for, not to be released here.
///
/// # Safety
/// `data` comes from [`DrivenWaker::waker`] (or `clone`) and its reference is still held.
unsafe fn borrowed(data: *const ()) -> ManuallyDrop<Arc<DrivenWaker>> {
    // SAFETY: the caller's contract; ManuallyDrop keeps the count as it is.
    ManuallyDrop::new(unsafe { Arc::from_raw(data.cast::<DrivenWaker>()) })
}

unsafe fn clone(data: *const ()) -> RawWaker {
    // SAFETY: `data` is a live reference of a waker of ours (the vtable's contract).
    let this = unsafe { borrowed(data) };
    RawWaker::new(Arc::into_raw(Arc::clone(&this)).cast::<()>(), &VTABLE)
}

unsafe fn wake(data: *const ()) {
    // SAFETY: as in `clone`; the waker's reference is consumed here.
    let this = unsafe { Arc::from_raw(data.cast::<DrivenWaker>()) };
    this.wake_by_ref();
}

unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: as in `clone`.
    unsafe { borrowed(data) }.wake_by_ref();
}

unsafe fn drop_waker(data: *const ()) {
    // SAFETY: as in `clone`; the waker's reference is released here.
    drop(unsafe { Arc::from_raw(data.cast::<DrivenWaker>()) });
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::task::Waker;

    use super::super::CompletionQueue;
    use super::{DrivenWaker, is_queue_waker};
    use crate::io::caller_driven::{ReadScope, ReadStart, caller_driven, read_scope, take_read_start};

    #[test]
    fn a_queue_waker_and_its_clones_are_known_and_hold_one_reference_each() {
        let queue = CompletionQueue::new().unwrap();
        let driven = queue.waker_for(None);
        let waker = DrivenWaker::waker(&driven);
        assert_eq!(Arc::strong_count(&driven), 2);
        let clone = waker.clone();
        assert_eq!(Arc::strong_count(&driven), 3);
        assert!(is_queue_waker(&waker) && is_queue_waker(&clone));
        assert!(waker.will_wake(&clone));
        assert!(!is_queue_waker(Waker::noop()));
        // Not driven yet: a wake is kept for the queue's adopt, and nothing else happens.
        clone.wake_by_ref();
        clone.wake();
        assert_eq!(Arc::strong_count(&driven), 2);
        drop(waker);
        assert_eq!(Arc::strong_count(&driven), 1);
    }

    #[test]
    fn a_poll_with_a_queue_waker_is_caller_driven_without_the_scope() {
        let queue = CompletionQueue::new().unwrap();
        let waker = DrivenWaker::waker(&queue.waker_for(None));
        assert!(caller_driven(&waker));
        assert_eq!(read_scope(&waker), ReadScope::Caller);
        assert_eq!(take_read_start(&waker), ReadStart::Probe);
        assert!(!caller_driven(Waker::noop()));
    }
}
