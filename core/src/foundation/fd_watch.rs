//! Watchers outside core that keep a socket's fd registered across operations (Python's
//! asyncio loops: `loop.add_reader` for the socket's life, see the Python projection's
//! `loop_driven.rs`), and what keeps them safe when the socket closes.
//!
//! Such a watcher knows the socket only by its fd *number*, and the kernel hands a closed
//! number to the next socket at once. Two things protect it:
//!
//! * **Close hooks.** Just before a connected socket's fd closes (or leaves the process, a
//!   broker hand-over), core calls every registered [`CloseHook`] with the number. A hook that
//!   still watches it removes its kernel registrations (`epoll_ctl(DEL)` works from any thread)
//!   and may [`reserve`] the number: the socket is then released exactly as `close(2)` would
//!   release it (same FIN or RST, at the same moment), but the number stays allocated — to an
//!   inert file — until the watcher, on its own thread, has forgotten it and closes it itself.
//!   Nothing else can be given that number meanwhile.
//! * **Close stamps.** Every close bumps a counter for its number (striped: two numbers may
//!   share one, which only makes [`Readiness::still_open`](super::async_op::Readiness) answer
//!   "no" more often). An operation's readiness records the stamp while its socket is known to
//!   be open, so a watcher that registers the fd later can tell, under its own lock, whether
//!   the number still names that socket (see [`still_open`]).

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{OnceLock, RwLock};

/// Called with a socket's fd number just before it closes; returns true when it reserved the
/// number with [`reserve`] (core then leaves the number to it and does not close it). Runs on
/// whatever thread closes the socket, possibly with core locks held: it must not block, and
/// must not call back into the socket.
pub type CloseHook = fn(RawFd) -> bool;

static HOOKS: RwLock<Vec<CloseHook>> = RwLock::new(Vec::new());
/// Whether any hook was ever added (a close in a process without one takes no lock).
static ANY_HOOK: AtomicBool = AtomicBool::new(false);

const STRIPES: usize = 4096;
static STAMPS: [AtomicU32; STRIPES] = [const { AtomicU32::new(0) }; STRIPES];

fn stripe(fd: RawFd) -> &'static AtomicU32 {
    &STAMPS[(fd as u32 as usize) % STRIPES]
}

/// Adds a close hook for the rest of the process (adding the same one twice adds it once).
pub fn add_close_hook(hook: CloseHook) {
    let mut hooks = HOOKS.write().unwrap_or_else(|e| e.into_inner());
    if !hooks.iter().any(|h| std::ptr::fn_addr_eq(*h, hook)) {
        hooks.push(hook);
    }
    ANY_HOOK.store(true, Ordering::SeqCst);
}

/// The close stamp of `fd` now: record it while the socket is known to be open.
pub fn stamp(fd: RawFd) -> u32 {
    stripe(fd).load(Ordering::SeqCst)
}

/// Whether no socket with number `fd` has closed since `stamp` was taken. A watcher checks it
/// after recording the fd where its close hook looks: then either this says "closed", or the
/// hook will find the record.
pub fn still_open(fd: RawFd, stamp: u32) -> bool {
    stripe(fd).load(Ordering::SeqCst) == stamp
}

/// Called by a socket just before its fd closes: bumps the stamp, runs the hooks. True when a
/// hook reserved the number (the caller must then not close it: the hook owns it).
pub(crate) fn closing(fd: RawFd) -> bool {
    stripe(fd).fetch_add(1, Ordering::SeqCst);
    if !ANY_HOOK.load(Ordering::SeqCst) {
        return false;
    }
    let hooks: Vec<CloseHook> = HOOKS.read().unwrap_or_else(|e| e.into_inner()).clone();
    let mut reserved = false;
    for hook in hooks {
        reserved |= hook(fd);
    }
    reserved
}

/// The inert file a reserved number points to: an eventfd nobody writes (made once).
fn inert() -> Option<RawFd> {
    static INERT: OnceLock<Option<OwnedFd>> = OnceLock::new();
    INERT
        .get_or_init(|| {
            // SAFETY: plain syscall; the result is checked and owned below.
            let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
            // SAFETY: a fresh fd we own.
            (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
        })
        .as_ref()
        .map(AsRawFd::as_raw_fd)
}

/// For a [`CloseHook`]: points number `fd` at an inert file (`dup3`), which releases the socket
/// as `close(2)` would, and keeps the number allocated. True on success: the caller owns the
/// number from now on and must `close` it. False: nothing changed (core closes it as usual).
pub fn reserve(fd: RawFd) -> bool {
    let Some(inert) = inert() else { return false };
    // SAFETY: `fd` is the socket's open fd (the hook runs before its close) and `inert` ours;
    // dup3 replaces the one with the other atomically.
    unsafe { libc::dup3(inert, fd, libc::O_CLOEXEC) == fd }
}
