//! The sockets a queue has registered with its epoll fd, indexed by fd number: a lookup is an
//! index, not a hash-map probe (one per read to lend its waker, one to take the socket's slot,
//! one to free it, one per event: ~150 instructions per echo round trip went to the map).
//!
//! An fd number names one socket only until it closes: the socket's closing removes its entry
//! (`socket_closing`), and events and wakers carry the registration's generation, so a new
//! socket given the same number never inherits the old one's watch.
//!
//! The table grows to the highest fd registered (one entry per number below it, ~64 bytes
//! each: what a process with that many fds open holds anyway in the kernel many times over).

use std::os::fd::RawFd;

use super::drive::Watch;

#[derive(Default)]
pub(super) struct WatchTable {
    by_fd: Vec<Option<Watch>>,
    /// How many entries are `Some` (closing the queue walks the table only when it holds any).
    len: usize,
}

fn index(fd: RawFd) -> Option<usize> {
    usize::try_from(fd).ok()
}

impl WatchTable {
    pub(super) fn get(&self, fd: RawFd) -> Option<&Watch> {
        self.by_fd.get(index(fd)?)?.as_ref()
    }

    pub(super) fn get_mut(&mut self, fd: RawFd) -> Option<&mut Watch> {
        self.by_fd.get_mut(index(fd)?)?.as_mut()
    }

    /// Records `fd`'s watch (replacing one it had); the entry, to fill in. `None` for a
    /// negative fd (never registered: epoll refuses it first).
    pub(super) fn insert(&mut self, fd: RawFd, watch: Watch) -> Option<&mut Watch> {
        let i = index(fd)?;
        if i >= self.by_fd.len() {
            self.by_fd.resize_with(i + 1, || None);
        }
        let entry = &mut self.by_fd[i];
        if entry.is_none() {
            self.len += 1;
        }
        Some(entry.insert(watch))
    }

    pub(super) fn remove(&mut self, fd: RawFd) -> Option<Watch> {
        let removed = self.by_fd.get_mut(index(fd)?)?.take();
        if removed.is_some() {
            self.len -= 1;
        }
        removed
    }

    /// The fds watched, emptying the table.
    pub(super) fn drain(&mut self) -> Vec<RawFd> {
        let table = std::mem::take(self);
        if table.len == 0 {
            return Vec::new();
        }
        (table.by_fd.into_iter().enumerate())
            .filter(|(_, watch)| watch.is_some())
            .filter_map(|(fd, _)| RawFd::try_from(fd).ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{Watch, WatchTable};

    fn watch(generation: u32) -> Watch {
        let mut watch = Watch::default();
        watch.generation = generation;
        watch
    }

    #[test]
    fn an_fd_finds_its_own_watch_until_removed() {
        let mut table = WatchTable::default();
        assert!(table.get(5).is_none() && table.get(-1).is_none());
        assert!(table.insert(-1, watch(1)).is_none(), "a negative fd is never watched");
        table.insert(5, watch(1));
        table.insert(2, watch(2));
        assert_eq!(table.get(5).map(|w| w.generation), Some(1));
        assert_eq!(table.get(2).map(|w| w.generation), Some(2));
        assert!(table.get(3).is_none() && table.get(6).is_none() && table.get(1000).is_none());
        assert_eq!(table.remove(5).map(|w| w.generation), Some(1));
        assert!(table.remove(5).is_none(), "removed once");
        assert!(table.get(5).is_none());
        // The number given to a new socket: a fresh watch, nothing of the old one's.
        table.insert(5, watch(3));
        assert_eq!(table.get_mut(5).map(|w| w.generation), Some(3));
        let mut fds = table.drain();
        fds.sort_unstable();
        assert_eq!(fds, [2, 5]);
        assert!(table.get(2).is_none() && table.drain().is_empty());
    }
}
