//! The hook a `ControlChannelTrigger` installs on a WebSocket for its PushNotificationTrigger.
//! netrt's receive loop always has a read pending on the connection, so the socket never shows
//! unclaimed bytes; the WebSocket layer says instead when data arrives that the app has not
//! asked for: every data message of a MessageWebSocket, and for a StreamWebSocket data that
//! arrives while no app read is pending (then not again until the app has read).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, Weak};

/// Told when data arrives unclaimed. Held weakly: a dropped listener keeps nothing alive
/// and is simply not called.
pub(crate) trait PushListener: Send + Sync {
    fn data_arrived(&self);
}

#[derive(Default)]
pub(crate) struct PushHook {
    listener: Mutex<Option<Weak<dyn PushListener>>>,
    /// App reads (StreamWebSocket InputStream) in progress.
    reads_pending: AtomicUsize,
    /// A push was made for data the app has not read since.
    unclaimed: AtomicBool,
}

impl PushHook {
    fn listener(&self) -> std::sync::MutexGuard<'_, Option<Weak<dyn PushListener>>> {
        self.listener.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Installs `listener` (replacing any other).
    pub(crate) fn install(&self, listener: Weak<dyn PushListener>) {
        *self.listener() = Some(listener);
        self.unclaimed.store(false, Ordering::SeqCst);
    }

    /// Removes `listener` if it is the one installed.
    pub(crate) fn remove(&self, listener: &Weak<dyn PushListener>) {
        let mut slot = self.listener();
        if slot.as_ref().is_some_and(|l| Weak::ptr_eq(l, listener)) {
            *slot = None;
        }
    }

    /// Tells the listener (if one is installed and alive); false when none was told.
    fn notify(&self) -> bool {
        let listener = self.listener().as_ref().and_then(Weak::upgrade);
        listener.map(|l| l.data_arrived()).is_some()
    }

    /// A MessageWebSocket data message arrived: every one is a push.
    pub(crate) fn message_arrived(&self) {
        self.notify();
    }

    /// StreamWebSocket data reached the background buffer: a push unless an app read is
    /// pending (it takes the data) or an earlier push is still unclaimed.
    pub(crate) fn stream_data_arrived(&self) {
        if self.reads_pending.load(Ordering::SeqCst) > 0 || self.unclaimed.load(Ordering::SeqCst) {
            return;
        }
        if self.notify() {
            self.unclaimed.store(true, Ordering::SeqCst);
        }
    }

    /// An app read starts: it claims what arrived; until the guard drops, data is its own.
    pub(crate) fn read_started(&self) -> ReadGuard<'_> {
        self.reads_pending.fetch_add(1, Ordering::SeqCst);
        self.unclaimed.store(false, Ordering::SeqCst);
        ReadGuard(self)
    }
}

/// An app read in progress (also when its future is dropped unfinished).
pub(crate) struct ReadGuard<'a>(&'a PushHook);

impl Drop for ReadGuard<'_> {
    fn drop(&mut self) {
        self.0.reads_pending.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[derive(Default)]
    struct Count(AtomicUsize);

    impl PushListener for Count {
        fn data_arrived(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn listener() -> (Arc<Count>, Weak<dyn PushListener>) {
        let count = Arc::new(Count::default());
        let weak: Weak<dyn PushListener> = Arc::downgrade(&count) as Weak<Count>;
        (count, weak)
    }

    #[test]
    fn stream_data_pushes_once_until_read_and_never_while_a_read_is_pending() {
        let hook = PushHook::default();
        let (count, weak) = listener();
        hook.install(weak);
        hook.stream_data_arrived();
        hook.stream_data_arrived();
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        {
            let _read = hook.read_started();
            hook.stream_data_arrived();
            assert_eq!(count.0.load(Ordering::SeqCst), 1);
        }
        hook.stream_data_arrived();
        assert_eq!(count.0.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn every_message_pushes_and_only_the_installed_listener_is_removed() {
        let hook = PushHook::default();
        let (count, weak) = listener();
        let (_other, other_weak) = listener();
        hook.install(weak.clone());
        hook.message_arrived();
        hook.message_arrived();
        hook.remove(&other_weak);
        hook.message_arrived();
        assert_eq!(count.0.load(Ordering::SeqCst), 3);
        hook.remove(&weak);
        hook.message_arrived();
        assert_eq!(count.0.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn a_dropped_listener_is_not_called_and_claims_nothing() {
        let hook = PushHook::default();
        let (count, weak) = listener();
        hook.install(weak);
        drop(count);
        hook.stream_data_arrived();
        assert!(!hook.unclaimed.load(Ordering::SeqCst));
    }
}
