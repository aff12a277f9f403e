//! One parsed copy per distinct certificate in the process, for the certificates peers send.
//!
//! Parsing a peer's certificate into a [`Certificate`](super::Certificate) (names, extensions,
//! two thumbprints) costs about as many instructions as verifying its signature, and a client
//! that connects to the same server again and again (a poll, a reconnect, a pool) gets the same
//! certificate every time. Certificates are immutable, so sharing a parsed copy cannot be
//! observed. A copy lives as long as a socket's `Information` holds it, and the
//! [`RECENT`] most recently seen ones stay alive without one: a connection that opens, reads
//! and closes before the next one opens would otherwise find its predecessor's copy already
//! gone. Those few copies are the whole cost (a few KiB per process, whatever the number of
//! connections).
//!
//! Looked up by a keyed SipHash of the DER (the std `RandomState`, so a peer cannot aim
//! collisions at the table) and confirmed by comparing the DER itself: about a tenth of the
//! SHA-256 it replaces.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher, RandomState};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// How many recently seen certificates stay parsed with no socket holding them.
pub(crate) const RECENT: usize = 8;

/// Past this many entries, the dead ones are swept out before the next insertion.
const SWEEP_FROM: usize = 1024;

/// Parsed values keyed by their encoding; `T` tells its own encoding (see [`Encoded`]).
pub(crate) struct Interned<T> {
    table: Mutex<Table<T>>,
}

/// A parsed value that remembers what it was parsed from.
pub(crate) trait Encoded {
    fn encoding(&self) -> &[u8];
}

struct Table<T> {
    hasher: Option<RandomState>,
    /// Keyed by `hasher`'s hash of the encoding (the map hashes that number again).
    by_hash: HashMap<u64, Weak<T>, BuildHasherDefault<DefaultHasher>>,
    /// Strong references to the last values looked up, so they outlive their last user.
    recent: [Option<Arc<T>>; RECENT],
    /// Where the next value goes in `recent` (the oldest one is replaced).
    next: usize,
}

impl<T: Encoded> Interned<T> {
    pub(crate) const fn new() -> Self {
        Self {
            table: Mutex::new(Table {
                hasher: None,
                by_hash: HashMap::with_hasher(BuildHasherDefault::new()),
                recent: [const { None }; RECENT],
                next: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Table<T>> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The shared value for `der`, parsed by `parse` (outside the lock) when there is none.
    pub(crate) fn get_or_parse<E>(
        &self,
        der: &[u8],
        parse: impl FnOnce() -> Result<Arc<T>, E>,
    ) -> Result<Arc<T>, E> {
        let hash = {
            let mut table = self.lock();
            let hash = table.hasher.get_or_insert_with(RandomState::new).hash_one(der);
            let found = table.by_hash.get(&hash).and_then(Weak::upgrade);
            if let Some(found) = found.filter(|f| f.encoding() == der) {
                table.keep_recent(&found);
                return Ok(found);
            }
            hash
        };
        let parsed = parse()?;
        let mut table = self.lock();
        if table.by_hash.len() >= SWEEP_FROM {
            table.by_hash.retain(|_, w| w.strong_count() > 0);
        }
        // A colliding or dead entry is replaced: the table holds one value per hash.
        table.by_hash.insert(hash, Arc::downgrade(&parsed));
        table.keep_recent(&parsed);
        Ok(parsed)
    }
}

impl<T> Table<T> {
    /// Makes `value` one of the recent ones (if it is not already).
    fn keep_recent(&mut self, value: &Arc<T>) {
        if self.recent.iter().flatten().any(|r| Arc::ptr_eq(r, value)) {
            return;
        }
        self.recent[self.next] = Some(Arc::clone(value));
        self.next = (self.next + 1) % RECENT;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    struct Parsed(Vec<u8>);

    impl Encoded for Parsed {
        fn encoding(&self) -> &[u8] {
            &self.0
        }
    }

    fn counting<'a>(der: &'a [u8], parses: &'a AtomicUsize) -> impl FnOnce() -> Result<Arc<Parsed>, ()> + 'a {
        move || {
            parses.fetch_add(1, Ordering::Relaxed);
            Ok(Arc::new(Parsed(der.to_vec())))
        }
    }

    #[test]
    fn a_value_no_one_holds_any_more_is_not_parsed_again() {
        let interned = Interned::new();
        let parses = AtomicUsize::new(0);
        let first = interned.get_or_parse(b"leaf", counting(b"leaf", &parses)).unwrap();
        let first_ptr = Arc::as_ptr(&first);
        drop(first);
        let again = interned.get_or_parse(b"leaf", counting(b"leaf", &parses)).unwrap();
        assert_eq!(parses.load(Ordering::Relaxed), 1);
        assert_eq!(Arc::as_ptr(&again), first_ptr);
    }

    #[test]
    fn distinct_encodings_get_distinct_values() {
        let interned = Interned::new();
        let parses = AtomicUsize::new(0);
        let a = interned.get_or_parse(b"a", counting(b"a", &parses)).unwrap();
        let b = interned.get_or_parse(b"b", counting(b"b", &parses)).unwrap();
        assert_eq!((a.encoding(), b.encoding()), (&b"a"[..], &b"b"[..]));
        assert_eq!(parses.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn only_the_recent_ones_outlive_their_users() {
        let interned = Interned::new();
        let parses = AtomicUsize::new(0);
        let names: Vec<Vec<u8>> = (0..=RECENT).map(|i| format!("cert {i}").into_bytes()).collect();
        for name in &names {
            interned.get_or_parse(name, counting(name, &parses)).unwrap();
        }
        // The first was pushed out by the RECENT after it and no one holds it: parsed again.
        interned.get_or_parse(&names[0], counting(&names[0], &parses)).unwrap();
        assert_eq!(parses.load(Ordering::Relaxed), RECENT + 2);
        // The last RECENT are still there.
        let before = parses.load(Ordering::Relaxed);
        for name in &names[2..] {
            interned.get_or_parse(name, counting(name, &parses)).unwrap();
        }
        assert_eq!(parses.load(Ordering::Relaxed), before);
    }

    #[test]
    fn a_value_someone_holds_is_shared_however_many_others_came_since() {
        let interned = Interned::new();
        let parses = AtomicUsize::new(0);
        let held = interned.get_or_parse(b"held", counting(b"held", &parses)).unwrap();
        for i in 0..3 * RECENT {
            let name = format!("other {i}").into_bytes();
            interned.get_or_parse(&name, counting(&name, &parses)).unwrap();
        }
        let again = interned.get_or_parse(b"held", counting(b"held", &parses)).unwrap();
        assert!(Arc::ptr_eq(&held, &again));
    }

    #[test]
    fn a_failed_parse_is_not_kept() {
        let interned: Interned<Parsed> = Interned::new();
        assert!(interned.get_or_parse(b"bad", || Err(())).is_err());
        let parses = AtomicUsize::new(0);
        interned.get_or_parse(b"bad", counting(b"bad", &parses)).unwrap();
        assert_eq!(parses.load(Ordering::Relaxed), 1);
    }
}
