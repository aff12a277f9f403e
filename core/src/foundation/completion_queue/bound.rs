//! The running operations bound to a queue, in a slab: binding one hands back a key that the
//! operation keeps with its binding, and every later lookup is an index and a compare instead
//! of a hash-map probe (a read is bound, looked up and removed once each: ~300 instructions
//! per echo round trip went to the hash map).
//!
//! A key is the slot's index and the operation's id; a slot is reused once freed, so a lookup
//! checks the id too, and a stale key (an operation that ended, a waker that outlived it)
//! finds nothing, as an id missing from a map did.

use super::Bound;

/// A free slot's link to the next free one.
const NO_FREE: u32 = u32::MAX;

enum Slot {
    Used { id: u32, bound: Bound },
    Free { next: u32 },
}

/// Operation ids → what the queue holds of them, by key (see the module notes).
pub(super) struct BoundSlab {
    slots: Vec<Slot>,
    /// The first free slot (`NO_FREE`: none), whose `next` is the one after.
    free: u32,
}

impl Default for BoundSlab {
    fn default() -> Self {
        Self { slots: Vec::new(), free: NO_FREE }
    }
}

/// The key of operation `id` in slot `index`.
fn key(index: u32, id: u32) -> u64 {
    (u64::from(index) << 32) | u64::from(id)
}

impl BoundSlab {
    /// The key [`insert`](Self::insert) gives operation `id` if called next: an entry can be
    /// filled in before it is inserted, and moved once.
    pub(super) fn next_key(&self, id: u32) -> u64 {
        let index = if self.free != NO_FREE { self.free } else { self.slots.len() as u32 };
        key(index, id)
    }

    /// Records operation `id`; its key.
    pub(super) fn insert(&mut self, id: u32, bound: Bound) -> u64 {
        if self.free != NO_FREE {
            let index = self.free;
            let slot = &mut self.slots[index as usize];
            let Slot::Free { next } = *slot else { unreachable!("the free list holds free slots") };
            self.free = next;
            // Written over without a drop call: a free slot owns nothing.
            std::mem::forget(std::mem::replace(slot, Slot::Used { id, bound }));
            return key(index, id);
        }
        let index = u32::try_from(self.slots.len()).expect("fewer than 2^32 bound operations");
        self.slots.push(Slot::Used { id, bound });
        key(index, id)
    }

    pub(super) fn get(&self, key: u64) -> Option<&Bound> {
        match self.slots.get((key >> 32) as usize)? {
            Slot::Used { id, bound } if *id == key as u32 => Some(bound),
            _ => None,
        }
    }

    pub(super) fn get_mut(&mut self, key: u64) -> Option<&mut Bound> {
        match self.slots.get_mut((key >> 32) as usize)? {
            Slot::Used { id, bound } if *id == key as u32 => Some(bound),
            _ => None,
        }
    }

    pub(super) fn contains(&self, key: u64) -> bool {
        self.get(key).is_some()
    }

    pub(super) fn remove(&mut self, key: u64) -> Option<Bound> {
        let index = (key >> 32) as u32;
        let slot = self.slots.get_mut(index as usize)?;
        if !matches!(slot, Slot::Used { id, .. } if *id == key as u32) {
            return None;
        }
        let Slot::Used { bound, .. } = std::mem::replace(slot, Slot::Free { next: self.free }) else {
            unreachable!("checked above")
        };
        self.free = index;
        Some(bound)
    }

    /// Everything bound, emptying the slab.
    pub(super) fn take_all(&mut self) -> Vec<Bound> {
        let taken = std::mem::take(self);
        taken
            .slots
            .into_iter()
            .filter_map(|slot| match slot {
                Slot::Used { bound, .. } => Some(bound),
                Slot::Free { .. } => None,
            })
            .collect()
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.slots.iter().filter(|slot| matches!(slot, Slot::Used { .. })).count()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Weak};

    use super::super::{Bound, CancelOnClose};
    use super::BoundSlab;

    struct Nothing;
    impl CancelOnClose for Nothing {
        fn cancel_for_closed_queue(self: Arc<Self>) {}
    }

    fn entry() -> Bound {
        let cancel: Weak<dyn CancelOnClose> = Weak::<Nothing>::new();
        Bound { cancel, driven: None }
    }

    #[test]
    fn a_freed_slot_is_reused_and_its_old_key_finds_nothing() {
        let mut slab = BoundSlab::default();
        assert_eq!(slab.next_key(7), 7, "slot 0");
        let a = slab.insert(7, entry());
        assert_eq!(slab.next_key(8), 1 << 32 | 8, "a new slot at the end");
        let b = slab.insert(8, entry());
        assert!(slab.contains(a) && slab.contains(b));
        assert!(slab.remove(a).is_some());
        assert!(!slab.contains(a), "removed");
        assert!(slab.remove(a).is_none(), "removed once");
        let next = slab.next_key(9);
        let c = slab.insert(9, entry());
        assert_eq!(c, next, "the key announced");
        assert_eq!(c >> 32, a >> 32, "the freed slot is reused");
        assert!(!slab.contains(a), "the old key names another operation now");
        assert!(slab.get_mut(a).is_none());
        assert!(slab.contains(c) && slab.contains(b));
        assert_eq!(slab.len(), 2);
        assert_eq!(slab.take_all().len(), 2);
        assert_eq!(slab.len(), 0);
        assert!(!slab.contains(b));
    }

    #[test]
    fn a_key_out_of_range_finds_nothing() {
        let mut slab = BoundSlab::default();
        assert!(slab.get(5 << 32 | 3).is_none());
        assert!(slab.remove(5 << 32 | 3).is_none());
    }
}
