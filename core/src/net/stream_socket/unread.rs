//! Bytes a cancelled read gave back to the socket: the next read returns them before anything
//! from the kernel, so cancelling a read that had already taken data loses nothing.
//!
//! They count as plaintext held unconsumed in user space (the socket's consumer ledger), so a
//! STARTTLS upgrade refuses to start while any are waiting, as it does for a DataReader's.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub(super) struct Unread {
    /// A boxed slice, not a `Vec`: 8 bytes smaller, which keeps every socket's block (`Inner`)
    /// in a smaller malloc chunk; bytes come back only when a read is cancelled, and each
    /// change reallocates.
    bytes: Mutex<Box<[u8]>>,
    /// Whether `bytes` may be non-empty (read without the lock on every read).
    any: AtomicBool,
}

impl Unread {
    /// Whether bytes may be waiting (a hint: `take` decides).
    pub(super) fn any(&self) -> bool {
        self.any.load(Ordering::Acquire)
    }

    /// Copies given-back bytes into `buf` (the oldest first); None when there are none.
    /// `ledger` is asked for only when bytes may be there. Inline: every direct read asks, and
    /// almost always finds none.
    #[inline]
    pub(super) fn take<'a>(
        &self,
        buf: &mut [u8],
        ledger: impl FnOnce() -> &'a Arc<AtomicUsize>,
    ) -> Option<usize> {
        if !self.any.load(Ordering::Acquire) || buf.is_empty() {
            return None;
        }
        self.take_some(buf, ledger())
    }

    /// [`take`](Self::take) once bytes may be there.
    #[cold]
    #[inline(never)]
    fn take_some(&self, buf: &mut [u8], ledger: &Arc<AtomicUsize>) -> Option<usize> {
        let mut bytes = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        if bytes.is_empty() {
            return None;
        }
        let n = buf.len().min(bytes.len());
        buf[..n].copy_from_slice(&bytes[..n]);
        *bytes = bytes[n..].into();
        if bytes.is_empty() {
            self.any.store(false, Ordering::Release);
        }
        ledger.fetch_sub(n, Ordering::AcqRel);
        Some(n)
    }

    /// Puts `data` back in front: it was read after anything still waiting here was not (a
    /// read serves these bytes first), so it goes first.
    pub(super) fn give_back(&self, data: Vec<u8>, ledger: &Arc<AtomicUsize>) {
        if data.is_empty() {
            return;
        }
        let mut bytes = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        ledger.fetch_add(data.len(), Ordering::AcqRel);
        let mut joined = data;
        joined.extend_from_slice(&bytes);
        *bytes = joined.into_boxed_slice();
        self.any.store(true, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_given_back_come_out_newest_first_in_pieces_and_the_ledger_follows() {
        let unread = Unread::default();
        let ledger = Arc::new(AtomicUsize::new(0));
        let mut buf = [0u8; 3];
        assert_eq!(unread.take(&mut buf, || &ledger), None);
        unread.give_back(b"world".to_vec(), &ledger);
        // Read later than "world" was not, so served before it.
        unread.give_back(b"hello ".to_vec(), &ledger);
        assert_eq!(ledger.load(Ordering::Relaxed), 11);
        let mut out = Vec::new();
        while let Some(n) = unread.take(&mut buf, || &ledger) {
            out.extend_from_slice(&buf[..n]);
        }
        assert_eq!(out, b"hello world");
        assert!(!unread.any());
        assert_eq!(ledger.load(Ordering::Relaxed), 0);
    }
}
