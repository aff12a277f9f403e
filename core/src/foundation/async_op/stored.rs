//! A Completed handler as the operation keeps it and a completion queue queues it: a small
//! closure — a C projection's function pointer, user data and handle — is stored in place,
//! so setting a handler on a running operation allocates nothing; a larger one is boxed.

use std::mem::{ManuallyDrop, MaybeUninit};

use super::{AsyncStatus, CompletedDelivery};

/// Room for a closure kept in place: four words (a boxed `dyn FnOnce` takes two).
type Room = [MaybeUninit<usize>; 4];

/// A `FnOnce(AsyncStatus, CompletedDelivery)`, in place when it fits in [`Room`].
pub(crate) struct StoredHandler {
    room: Room,
    /// Moves the closure out of `room` and calls it (`room` is left uninitialised).
    call: unsafe fn(*mut Room, AsyncStatus, CompletedDelivery),
    /// Drops the closure in `room` uncalled.
    discard: unsafe fn(*mut Room),
}

// SAFETY: only `Send` closures are stored (see `new`); the room is just their bytes.
unsafe impl Send for StoredHandler {}

impl StoredHandler {
    pub(crate) fn new<F: FnOnce(AsyncStatus, CompletedDelivery) + Send + 'static>(f: F) -> Self {
        if fits::<F>() {
            let mut room: Room = [MaybeUninit::uninit(); 4];
            // SAFETY: `fits` checked size and alignment; the room is ours.
            unsafe { room.as_mut_ptr().cast::<F>().write(f) };
            Self { room, call: call_in_place::<F>, discard: discard_in_place::<F> }
        } else {
            Self::new(Box::new(f) as Box<dyn FnOnce(AsyncStatus, CompletedDelivery) + Send>)
        }
    }

    /// Calls the handler (once: it is consumed).
    pub(crate) fn run(self, status: AsyncStatus, delivery: CompletedDelivery) {
        let mut me = ManuallyDrop::new(self);
        // SAFETY: the room holds the closure `call` was made for; `me` is never dropped, so it
        // is not discarded after being moved out.
        unsafe { (me.call)(&raw mut me.room, status, delivery) }
    }
}

impl Drop for StoredHandler {
    fn drop(&mut self) {
        // SAFETY: not run (`run` skips this drop), so the room still holds the closure.
        unsafe { (self.discard)(&raw mut self.room) }
    }
}

const fn fits<F>() -> bool {
    size_of::<F>() <= size_of::<Room>() && align_of::<F>() <= align_of::<Room>()
}

/// # Safety
/// `room` holds an `F`, which this moves out.
unsafe fn call_in_place<F: FnOnce(AsyncStatus, CompletedDelivery)>(
    room: *mut Room,
    status: AsyncStatus,
    delivery: CompletedDelivery,
) {
    // SAFETY: per the contract.
    let f = unsafe { room.cast::<F>().read() };
    f(status, delivery);
}

/// # Safety
/// `room` holds an `F`, dropped here.
unsafe fn discard_in_place<F>(room: *mut Room) {
    // SAFETY: per the contract.
    unsafe { room.cast::<F>().drop_in_place() }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Counts its drops; captured by the closures below.
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn small_closures_run_in_place_and_drop_once() {
        let drops = Arc::new(AtomicUsize::new(0));
        let ran = Arc::new(AtomicUsize::new(0));
        let (c, r) = (Counted(drops.clone()), ran.clone());
        let run = move |status, delivery| {
            let _keep = &c;
            assert_eq!((status, delivery), (AsyncStatus::Completed, CompletedDelivery::Inline));
            r.fetch_add(1, Ordering::Relaxed);
        };
        assert!(fits_closure(&run));
        StoredHandler::new(run).run(AsyncStatus::Completed, CompletedDelivery::Inline);
        assert_eq!((ran.load(Ordering::Relaxed), drops.load(Ordering::Relaxed)), (1, 1));
        let c = Counted(drops.clone());
        drop(StoredHandler::new(move |_, _| drop(c)));
        assert_eq!(drops.load(Ordering::Relaxed), 2, "an unrun handler is dropped once");
    }

    #[test]
    fn large_closures_are_boxed_and_run_and_drop_once() {
        let drops = Arc::new(AtomicUsize::new(0));
        let (c, pad) = (Counted(drops.clone()), [7u64; 8]);
        let run = move |status, _| {
            let _keep = &c;
            assert_eq!((status, pad[7]), (AsyncStatus::Error, 7));
        };
        assert!(!fits_closure(&run));
        StoredHandler::new(run).run(AsyncStatus::Error, CompletedDelivery::CompletionQueue);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
        let (c, pad) = (Counted(drops.clone()), [7u64; 8]);
        drop(StoredHandler::new(move |_, _| drop((c, pad))));
        assert_eq!(drops.load(Ordering::Relaxed), 2, "an unrun boxed handler is dropped once");
    }

    fn fits_closure<F>(_: &F) -> bool {
        fits::<F>()
    }
}
