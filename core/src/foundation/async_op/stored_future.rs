//! An operation's future, kept in the operation's own allocation when it is small and `Unpin`
//! (a C projection's socket read: its state and the buffer it fills), boxed otherwise.
//!
//! A stream read made on a completion queue's thread allocated twice — the operation, then its
//! future's box — and freed both again when it completed; the box and the copy into it were a
//! tenth of the queue's instructions per round trip. A future that is `Unpin` may move after it
//! was polled, so it can live in the operation's state (`Driver`) and move with it as a boxed
//! one's pointer did.

use std::future::Future;
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::BoxFuture;
use crate::error::Result;

/// Room for a future in place: twelve words (a C read's future takes eleven).
type Room = [MaybeUninit<usize>; 12];

/// A future that is `Unpin` and `Send`, in place (or its box when it is larger than the room).
pub(super) struct StoredFuture<T> {
    room: Room,
    poll: unsafe fn(*mut Room, &mut Context<'_>) -> Poll<Result<T>>,
    discard: unsafe fn(*mut Room),
    /// `Send` and not `Sync`, as the boxed `dyn Future + Send` it stands for.
    _as_box: PhantomData<Box<dyn Send>>,
}

impl<T: 'static> StoredFuture<T> {
    /// A boxed future (kept as its pointer).
    pub(super) fn boxed(fut: BoxFuture<T>) -> Self {
        Self::in_place(fut)
    }

    /// `fut` in place when it fits, else boxed.
    pub(super) fn new<F: Future<Output = Result<T>> + Unpin + Send + 'static>(fut: F) -> Self {
        if fits::<F>() { Self::in_place(fut) } else { Self::boxed(Box::pin(fut)) }
    }

    fn in_place<F: Future<Output = Result<T>> + Unpin + Send + 'static>(fut: F) -> Self {
        const { assert!(fits::<BoxFuture<()>>()) };
        assert!(fits::<F>());
        let mut room: Room = [MaybeUninit::uninit(); 12];
        // SAFETY: `fits` checked size and alignment; the room is ours.
        unsafe { room.as_mut_ptr().cast::<F>().write(fut) };
        Self { room, poll: poll_in_place::<F, T>, discard: discard_in_place::<F>, _as_box: PhantomData }
    }
}

impl<T> StoredFuture<T> {
    /// One poll.
    pub(super) fn poll_in(&mut self, cx: &mut Context<'_>) -> Poll<Result<T>> {
        // SAFETY: the room holds the future `poll` was made for (until `drop`).
        unsafe { (self.poll)(&raw mut self.room, cx) }
    }
}

impl<T> Future for StoredFuture<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        self.get_mut().poll_in(cx)
    }
}

impl<T> Drop for StoredFuture<T> {
    fn drop(&mut self) {
        // SAFETY: the room holds the future `discard` was made for; it is dropped once, here.
        unsafe { (self.discard)(&raw mut self.room) }
    }
}

/// Whether an `F` fits the room.
pub(super) const fn fits<F>() -> bool {
    size_of::<F>() <= size_of::<Room>() && align_of::<F>() <= align_of::<Room>()
}

/// # Safety
/// `room` holds an `F`.
unsafe fn poll_in_place<F: Future<Output = Result<T>> + Unpin, T>(
    room: *mut Room,
    cx: &mut Context<'_>,
) -> Poll<Result<T>> {
    // SAFETY: per the contract; `F: Unpin`, so its moves with the room are allowed.
    let fut = unsafe { &mut *room.cast::<F>() };
    Pin::new(fut).poll(cx)
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
    use std::task::Waker;

    use super::*;

    /// Ready with its value at its second poll; counts its drops.
    struct Second(u32, bool, Arc<AtomicUsize>);
    impl Future for Second {
        type Output = Result<u32>;
        fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Result<u32>> {
            if std::mem::replace(&mut self.1, true) { Poll::Ready(Ok(self.0)) } else { Poll::Pending }
        }
    }
    impl Drop for Second {
        fn drop(&mut self) {
            self.2.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn poll_twice_moving(mut fut: StoredFuture<u32>) -> u32 {
        let mut cx = Context::from_waker(Waker::noop());
        assert!(fut.poll_in(&mut cx).is_pending());
        // Moved after a poll, as an operation's driver moves it.
        let mut moved = Box::new(fut);
        match moved.poll_in(&mut cx) {
            Poll::Ready(Ok(v)) => v,
            _ => panic!("ready at the second poll"),
        }
    }

    #[test]
    fn small_futures_run_in_place_and_drop_once() {
        let drops = Arc::new(AtomicUsize::new(0));
        assert!(fits::<Second>());
        assert_eq!(poll_twice_moving(StoredFuture::new(Second(7, false, drops.clone()))), 7);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
        drop(StoredFuture::new(Second(8, false, drops.clone())));
        assert_eq!(drops.load(Ordering::Relaxed), 2, "an unpolled future is dropped once");
    }

    #[test]
    fn large_futures_are_boxed_and_run_and_drop_once() {
        /// Larger than the room.
        struct Large(Second, [u64; 16]);
        impl Future for Large {
            type Output = Result<u32>;
            fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<u32>> {
                let pad = self.1[15];
                Pin::new(&mut self.0).poll(cx).map(|r| r.map(|v| v + pad as u32))
            }
        }
        let drops = Arc::new(AtomicUsize::new(0));
        assert!(!fits::<Large>());
        let large = Large(Second(7, false, drops.clone()), [1; 16]);
        assert_eq!(poll_twice_moving(StoredFuture::new(large)), 8);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
        let boxed: BoxFuture<u32> = Box::pin(async { Ok(3) });
        let mut cx = Context::from_waker(Waker::noop());
        assert!(matches!(StoredFuture::boxed(boxed).poll_in(&mut cx), Poll::Ready(Ok(3))));
    }
}
