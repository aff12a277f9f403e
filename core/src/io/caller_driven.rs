//! Caller-driven stream I/O: the one internal mechanism behind the C API's fast paths —
//! "try now on this thread, else give me an fd to poll and a waker" — kept out of core's public
//! API (every item here is `#[doc(hidden)]`; the WinRT surface of the streams is `read`,
//! `write`, `flush`, `close`).
//!
//! * A **ticket** names one read or write operation, so a Close or CancelIOAsync that happens
//!   between two of its syscalls still ends it.
//! * **Direct attempts** ([`DirectRead`], [`DirectWrite`]) make the syscall on the calling
//!   thread with no future and no allocation; each holds the socket's read or write slot from
//!   its first attempt to its end.
//! * The **readiness fd** of a stream (or of the stream under a DataReader/DataWriter) is what
//!   a blocking waiter polls (`foundation::async_op` parks the operation for it).
//! * **Polls as the caller** ([`poll_as_caller`]), described next.
//!
//! A blocking caller of the C ABI (`netrt_async_wait`) drives a read or write on its own thread:
//! it polls the operation's future, and when that is Pending it sleeps in poll(2) on the
//! stream's readiness fd, then polls the future again. For such a poll the runtime's reactor has
//! nothing to do — worse, a socket registered with it wakes the reactor thread on every packet,
//! which on a small machine competes with the very thread waiting for that packet.
//!
//! So a socket read or write polled inside [`poll_as_caller`] that would block returns Pending
//! *without* arming a runtime wake-up (the socket is not even registered with the reactor until
//! some poll outside this scope needs it). Every poll of such a future retries the syscall, so
//! the caller's re-poll after poll(2) reported readiness makes progress at once. A future left
//! Pending this way must be polled again by its caller or handed to a runtime, whose first poll
//! arms the wake-up. Wake-ups that do not come from the socket (Close, CancelIOAsync) still
//! reach the waker of the caller's poll.

use std::cell::Cell;
use std::os::fd::RawFd;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::foundation::async_op::{CancelToken, Readiness, poll_fds, thread_wake};
use crate::foundation::completion_queue::is_queue_waker;
use crate::io::stream::{
    ByteSink, ByteSource, InputStream, InputStreamOptions, OpTicket, OutputStream, read_or_stop, stop_with,
};
use crate::io::{DataReader, DataWriter};

thread_local! {
    /// The scopes the current poll on this thread is in (the `SCOPE_*` bits): one thread-local
    /// for all of them, as every access to one costs a `__tls_get_addr` call in a shared
    /// library (the Python extension), and a read asks about several.
    static SCOPES: Cell<u8> = const { Cell::new(0) };
}

/// Inside [`poll_as_caller`]: socket readiness is left to the calling thread.
const SCOPE_CALLER_DRIVEN: u8 = 1;
/// Inside [`poll_as_caller_to_arm`]: socket reads report would-block without a syscall.
const SCOPE_ARM_ONLY: u8 = 2;
/// Inside [`poll_as_caller_readable`], until a read has used it: the caller's readiness report
/// stands in for the read's own "is anything there" probe.
const SCOPE_KNOWN_READABLE: u8 = 4;
/// Inside [`start_watched`]: a read left pending is watched level-triggered next.
const SCOPE_WATCHED_START: u8 = 8;

/// Runs `start` (the start of a stream operation: its first poll, inside
/// `AsyncOperation::start_caller_driven*`) for a caller that, should the operation stay
/// pending, watches the fd level-triggered (an event loop's `add_reader`, or poll(2) in a
/// blocking wait) or hands it to the runtime, whose first poll asks the socket itself. A
/// socket read starting in it may then skip its probe when the reads before it on that socket
/// found nothing at their start (one side of a request/response exchange, both ends in one
/// loop): the watch reports the data as soon as it is there, so the probe's `recv` would only
/// find nothing. See `PlainIo::poll_readable` for how the habit is learnt and re-checked.
///
/// A thread with a current completion queue starts as before: the queue, not the caller,
/// watches the operations started there.
#[doc(hidden)]
pub fn start_watched<R>(start: impl FnOnce() -> R) -> R {
    if crate::foundation::completion_queue::CompletionQueue::current().is_some() {
        return start();
    }
    with_scope(SCOPE_WATCHED_START, start)
}

/// What the scope tells a socket read about to ask the kernel whether anything is there (see
/// `PlainIo::poll_readable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadStart {
    /// Report would-block without a syscall ([`poll_as_caller_to_arm`]).
    ArmOnly,
    /// The caller's watch reported the fd readable: the `recv` is the probe
    /// ([`poll_as_caller_readable`]); once per such poll.
    KnownReadable,
    /// The start of an operation whose caller watches its fd level-triggered
    /// ([`start_watched`]); for the first such read only (a load that takes several reads
    /// starts once).
    WatchedStart,
    /// None of these: probe.
    Probe,
}

/// [`ReadStart`] for the read polled now with `waker`, consuming the once-only scopes it uses
/// — in one access to the thread-local, none for a completion queue's poll (see
/// [`caller_driven`]).
pub(crate) fn take_read_start(waker: &Waker) -> ReadStart {
    if is_queue_waker(waker) {
        return ReadStart::Probe;
    }
    SCOPES.with(|c| {
        let scopes = c.get();
        let caller_driven = scopes & SCOPE_CALLER_DRIVEN != 0;
        if caller_driven && scopes & SCOPE_ARM_ONLY != 0 {
            return ReadStart::ArmOnly;
        }
        // Both once-only scopes are used up here, as by the separate checks this replaced.
        c.set(scopes & !(SCOPE_KNOWN_READABLE | SCOPE_WATCHED_START));
        if !caller_driven {
            ReadStart::Probe
        } else if scopes & SCOPE_KNOWN_READABLE != 0 {
            // The watched-start scope stays for a later read of the same start.
            c.set(scopes & !SCOPE_KNOWN_READABLE);
            ReadStart::KnownReadable
        } else if scopes & SCOPE_WATCHED_START != 0 {
            ReadStart::WatchedStart
        } else {
            ReadStart::Probe
        }
    })
}

/// [`poll_as_caller`] for a poll that follows a readiness report of the fd (an event loop's
/// level-triggered watch said it is readable an instant ago): the first socket read in it
/// skips its probe (`MSG_PEEK`) and makes its `recv` at once. A report that proves stale costs
/// what it did before: the `recv` finds nothing and the read stays pending.
#[doc(hidden)]
pub fn poll_as_caller_readable<R>(poll: impl FnOnce() -> R) -> R {
    with_scope(SCOPE_KNOWN_READABLE | SCOPE_CALLER_DRIVEN, poll)
}

/// [`poll_as_caller`] for a poll whose only job is to arm the future's wake-ups with a new
/// waker (an event loop taking over a parked read that was polled an instant ago): a socket
/// read in it reports would-block at once instead of asking the kernel again. Only for a
/// caller that watches the fd level-triggered, which reports data that is already there.
#[doc(hidden)]
pub fn poll_as_caller_to_arm<R>(poll: impl FnOnce() -> R) -> R {
    with_scope(SCOPE_ARM_ONLY | SCOPE_CALLER_DRIVEN, poll)
}

/// Who drives the read polled now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadScope {
    /// The runtime (or nobody in particular): it waits on the reactor.
    Runtime,
    /// The caller ([`poll_as_caller`]).
    Caller,
    /// The caller, only arming its waker ([`poll_as_caller_to_arm`]): no syscall.
    ArmOnly,
}

/// [`ReadScope`] of the read polled now with `waker`, in one access to the thread-local, none
/// for a completion queue's poll (see [`caller_driven`]).
pub(crate) fn read_scope(waker: &Waker) -> ReadScope {
    if is_queue_waker(waker) {
        return ReadScope::Caller;
    }
    let scopes = SCOPES.with(Cell::get);
    if scopes & SCOPE_CALLER_DRIVEN == 0 {
        ReadScope::Runtime
    } else if scopes & SCOPE_ARM_ONLY != 0 {
        ReadScope::ArmOnly
    } else {
        ReadScope::Caller
    }
}

/// Runs `poll` (a poll of a stream future) with socket readiness left to the calling thread.
#[doc(hidden)]
pub fn poll_as_caller<R>(poll: impl FnOnce() -> R) -> R {
    with_scope(SCOPE_CALLER_DRIVEN, poll)
}

/// Runs `f` with the scope bits `bits` set, and puts their previous values back afterwards
/// (only theirs: `f` may use up another scope) — also when `f` panics, so a poll that
/// panicked leaves no scope behind on this thread.
fn with_scope<R>(bits: u8, f: impl FnOnce() -> R) -> R {
    struct Reset<'a>(&'a Cell<u8>, u8, u8);
    impl Drop for Reset<'_> {
        fn drop(&mut self) {
            let (scopes, bits, before) = (self.0, self.1, self.2);
            scopes.set((scopes.get() & !bits) | (before & bits));
        }
    }
    // One access to the thread-local for the set and the reset: each access is a
    // `__tls_get_addr` call in a shared library, and two accesses were one call or two as
    // thin LTO's inlining fell (a queue's drive of a read had both).
    SCOPES.with(|scopes| {
        let _reset = Reset(scopes, bits, scopes.replace(scopes.get() | bits));
        f()
    })
}

/// Whether the current poll, with `waker`, is inside [`poll_as_caller`]. A completion queue's
/// waker says so without the thread-local: the queue polls only inside [`poll_as_caller`]
/// (`async_op::wake::poll_with`), and only there — with the caller-driven scope alone, none
/// of the once-only ones — is its waker given to a poll, so the answer is the same.
pub(crate) fn caller_driven(waker: &Waker) -> bool {
    is_queue_waker(waker) || SCOPES.with(Cell::get) & SCOPE_CALLER_DRIVEN != 0
}

/// How long a blocked caller sleeps when its fd is ready but the step makes no progress (it
/// waits on something else: a level-triggered poll(2) would spin), and the longest sleep of a
/// thread that has no eventfd (it then notices an abort only when it wakes).
const IDLE_PAUSE: Duration = Duration::from_millis(1);
const NO_EVENTFD_TICK: Duration = Duration::from_millis(10);

/// Runs `step` (one caller-driven poll of a stream read or write, inside [`poll_as_caller`])
/// on this thread until it is Ready, sleeping in poll(2) on `ready`'s fd and this thread's
/// eventfd in between — no operation, no future of its own, no allocation, no other thread.
/// `None` when `timeout` (None: no limit) passes first (the caller ends the work; nothing was
/// left running). The clock is first read when the caller has to sleep, and the time limit
/// counts from there: a step that completes at once costs no clock read.
///
/// Each step gets a context whose waker writes this thread's eventfd, so a wake-up that does
/// not come from the socket (Close, CancelIOAsync) interrupts the sleep. The first step is
/// taken at once: a caller that made the syscall an instant ago passes a step that only
/// registers its waker and checks for an abort (see [`DirectRead::poll_read`]'s
/// `after_attempt`), so a read that has to wait costs the syscalls of the plain pattern —
/// `recv` (nothing), `poll`, `recv`. The C ABI's one-call blocking read runs on this.
#[doc(hidden)]
pub fn block_on_caller<R>(
    ready: Readiness,
    timeout: Option<Duration>,
    mut step: impl FnMut(&mut Context<'_>) -> Poll<R>,
) -> Option<R> {
    block_on_caller_progressing(ready, timeout, |cx, _| step(cx))
}

/// [`block_on_caller`] for a step that can make progress and still be Pending (a write the
/// kernel took only part of): such a step sets its `bool` argument, and the wait then goes
/// straight back to poll(2) instead of counting the step as one that found the fd ready and
/// did nothing (which, twice in a row, makes the wait pause; see `IDLE_PAUSE`).
#[doc(hidden)]
pub fn block_on_caller_progressing<R>(
    ready: Readiness,
    timeout: Option<Duration>,
    mut step: impl FnMut(&mut Context<'_>, &mut bool) -> Poll<R>,
) -> Option<R> {
    let wake = thread_wake();
    let waker = wake.as_ref().map_or_else(|| Waker::noop().clone(), |w| Waker::from(w.clone()));
    let mut cx = Context::from_waker(&waker);
    // Steps in a row that found the fd ready and still made no progress (see IDLE_PAUSE).
    let mut fruitless = 0u32;
    let mut fd_ready = false;
    // Set before the first sleep. The deadline ends the wait only after a step that followed a
    // poll(2): a step that only registered must not turn data that is there into a timeout.
    let mut deadline: Option<Instant> = None;
    // One scope for every step: nothing between two steps polls a future on this thread (the
    // sleep is a bare poll(2)), and each scope costs two thread-local accesses.
    poll_as_caller(|| {
        loop {
            let mut progressed = false;
            if let Poll::Ready(done) = step(&mut cx, &mut progressed) {
                return Some(done);
            }
            fruitless = if fd_ready && !progressed { fruitless + 1 } else { 0 };
            let left = match (timeout, deadline) {
                (None, _) => None,
                (Some(limit), None) => {
                    deadline = Some(Instant::now() + limit);
                    Some(limit)
                }
                (Some(_), Some(at)) => match at.saturating_duration_since(Instant::now()) {
                    left if left.is_zero() => return None,
                    left => Some(left),
                },
            };
            fd_ready = match &wake {
                Some(wake) if fruitless < 2 => poll_fds(Some(ready), wake, left),
                Some(wake) => {
                    poll_fds(None, wake, Some(left.map_or(IDLE_PAUSE, |l| l.min(IDLE_PAUSE))));
                    false
                }
                None => poll_fd(ready, left.map_or(NO_EVENTFD_TICK, |l| l.min(NO_EVENTFD_TICK))),
            };
        }
    })
}

/// Waits up to `timeout` for `ready` alone; whether its fd is ready.
fn poll_fd(ready: Readiness, timeout: Duration) -> bool {
    let events = if ready.is_readable() { libc::POLLIN } else { libc::POLLOUT };
    let mut fd = libc::pollfd { fd: ready.fd(), events, revents: 0 };
    let ms = crate::foundation::async_op::poll_timeout_ms(timeout);
    let _ = crate::sys::poll(std::slice::from_mut(&mut fd), ms);
    fd.revents != 0
}

impl InputStream {
    /// A ticket for a read operation starting now: pass it to every read the operation makes.
    #[doc(hidden)]
    pub fn ticket(&self) -> OpTicket {
        self.source.ticket()
    }

    /// A direct read for the operation holding `ticket` — `None` when this stream has none
    /// (TLS, in-memory: use [`read_into_slice_with`](Self::read_into_slice_with)), an error
    /// when a read cannot start now (another read pending, aborted, closed, not connected).
    #[doc(hidden)]
    pub fn direct_read(&self, ticket: OpTicket) -> Result<Option<DirectRead>> {
        Ok(self.source.direct_begin(ticket)?.then(|| DirectRead { source: self.source.clone(), ticket }))
    }

    /// `ReadAsync` into caller memory for the operation holding `ticket`: reads into `buf`
    /// until `options` says the read is over (see [`InputStreamOptions::read_is_over`]);
    /// returns the number of bytes read (0: the stream ended).
    #[doc(hidden)]
    pub async fn read_into_slice_with(
        &self,
        ticket: OpTicket,
        buf: &mut [u8],
        options: InputStreamOptions,
        cancel: Option<&CancelToken>,
    ) -> Result<usize> {
        let mut filled = 0;
        while filled < buf.len() {
            let read = read_or_stop(self.read_some_with(ticket, &mut buf[filled..]), cancel);
            let Some(n) = read.await? else { return stop_with(filled) };
            filled += n;
            if options.read_is_over(n, filled, buf.len()) {
                break;
            }
        }
        Ok(filled)
    }

    /// Gives bytes back to the stream: the next reads return them first (see
    /// [`ByteSource::unread`]). How a projection returns the data of a read that completed
    /// after the code awaiting it was cancelled.
    #[doc(hidden)]
    pub fn unread(&self, bytes: Vec<u8>) -> Result<()> {
        self.source.unread(bytes)
    }

    /// What a blocking waiter polls before reading again (see [`ByteSource::readiness_fd`]).
    #[doc(hidden)]
    pub fn readiness_fd(&self) -> Option<RawFd> {
        self.source.readiness_fd()
    }

    /// [`readiness_fd`](Self::readiness_fd) as a read's [`Readiness`], with a close stamp taken
    /// while the socket was open (see [`Readiness::still_open`]).
    #[doc(hidden)]
    pub fn read_readiness(&self) -> Option<Readiness> {
        let fd = self.readiness_fd()?;
        let ready = Readiness::readable(fd);
        // Still the same fd after the stamp was read: the socket was open then.
        (self.readiness_fd() == Some(fd)).then_some(ready)
    }
}

impl OutputStream {
    /// A ticket for a write operation starting now: pass it to every write the operation makes.
    #[doc(hidden)]
    pub fn ticket(&self) -> OpTicket {
        self.sink.ticket()
    }

    /// [`OutputStream::write`] as part of the operation holding `ticket`.
    #[doc(hidden)]
    pub async fn write_with(&self, ticket: OpTicket, data: &[u8]) -> Result<u32> {
        if u32::try_from(data.len()).is_err() {
            return Err(Error::invalid_arg("a single write is limited to 4 GiB - 1 bytes"));
        }
        self.sink.write_all(data, ticket).await
    }

    /// A direct write for the operation holding `ticket` — `None` when this stream has none
    /// (TLS, datagrams: use [`write_with`](Self::write_with)), an error when a write cannot
    /// start now (another write pending, aborted, closed, not connected). It borrows the
    /// stream: a write the kernel takes at once ends before the borrow does, and takes no
    /// reference; [`DirectWriteStart::into_owned`] for one that must go on.
    #[doc(hidden)]
    pub fn direct_write(&self, ticket: OpTicket) -> Result<Option<DirectWriteStart<'_>>> {
        Ok(self.sink.direct_write_begin(ticket)?.then_some(DirectWriteStart { sink: &self.sink, ticket }))
    }

    /// What a blocking waiter polls for writability (see [`ByteSource::readiness_fd`]).
    #[doc(hidden)]
    pub fn readiness_fd(&self) -> Option<RawFd> {
        self.sink.readiness_fd()
    }
}

impl DataReader {
    /// What a blocking waiter of a `load` polls: the readiness of the reader's stream.
    #[doc(hidden)]
    pub fn load_readiness(&self) -> Option<Readiness> {
        self.stream().and_then(|s| s.read_readiness())
    }
}

impl DataWriter {
    /// What a blocking waiter of a `store` polls: the writability of the writer's stream.
    #[doc(hidden)]
    pub fn store_readiness(&self) -> Option<Readiness> {
        self.stream().and_then(|s| s.readiness_fd()).map(Readiness::writable)
    }
}

/// One read operation on a plain socket, driven without a future of the source's own: it holds
/// the socket's read slot from [`InputStream::direct_read`] until dropped, and reads straight
/// into the caller's memory — one attempt at a time ([`try_read`](Self::try_read)) or as a poll
/// ([`poll_read`](Self::poll_read)) from the caller's own future, on any thread or a runtime.
/// Aborts (Close, CancelIOAsync) wake the waker of the last poll. One syscall per attempt, no
/// allocation: the C ABI's ReadAsync runs on this.
#[doc(hidden)]
pub struct DirectRead {
    source: Arc<dyn ByteSource>,
    ticket: OpTicket,
}

impl DirectRead {
    /// One attempt that never waits and arms nothing: `Pending` when nothing is there now —
    /// on a thread with a current completion queue, also without a syscall when the socket is
    /// known to have been empty since its last `recv` (the queue's edge-triggered watch then
    /// reports anything that comes). `buf` must not be empty.
    pub fn try_read(&self, buf: &mut [u8]) -> Poll<Result<usize>> {
        self.source.direct_read(self.ticket, buf, None, false)
    }

    /// A poll of the read (≥ 1 byte, or 0 at end of stream): Pending arms the wake-ups (see
    /// `io::caller_driven` for polls from a blocking caller). `after_attempt`: a
    /// [`try_read`](Self::try_read) found nothing an instant ago. `buf` must not be empty.
    pub fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        after_attempt: bool,
    ) -> Poll<Result<usize>> {
        self.source.direct_read(self.ticket, buf, Some(cx), after_attempt)
    }

    /// What a [`poll_read`](Self::poll_read) with `after_attempt`, on a completion queue's
    /// thread, would do before it says Pending — registers `waker` for an abort (Close,
    /// CancelIOAsync) — without the poll: true when the read may stay Pending (not aborted, no
    /// bytes given back meanwhile), false when it must be polled instead.
    pub fn arm(&self, waker: &Waker) -> bool {
        self.source.direct_arm(self.ticket, waker)
    }

    /// See [`ByteSource::readiness_fd`].
    pub fn readiness_fd(&self) -> Option<RawFd> {
        self.source.readiness_fd()
    }
}

impl Drop for DirectRead {
    fn drop(&mut self) {
        self.source.direct_end();
    }
}

impl std::fmt::Debug for DirectRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DirectRead")
    }
}

/// One write operation on a plain socket, driven without a future of the sink's own: it holds
/// the socket's write slot from [`OutputStream::direct_write`] until dropped, and sends straight
/// from the caller's memory — one attempt at a time ([`try_write`](Self::try_write)) or as a
/// poll ([`poll_write`](Self::poll_write)) from the caller's own future or blocking loop, on
/// any thread or a runtime. Aborts (Close, CancelIOAsync) wake the waker of the last poll. One
/// syscall per attempt, no allocation: the C ABI's WriteAsync and one-call write run on this.
#[doc(hidden)]
pub struct DirectWrite {
    sink: Arc<dyn ByteSink>,
    ticket: OpTicket,
}

/// The first attempt of a [`DirectWrite`], borrowing its stream (see
/// [`OutputStream::direct_write`]): it holds the socket's write slot as a `DirectWrite` does.
#[doc(hidden)]
pub struct DirectWriteStart<'a> {
    sink: &'a Arc<dyn ByteSink>,
    ticket: OpTicket,
}

impl DirectWriteStart<'_> {
    /// As [`DirectWrite::try_write`].
    pub fn try_write(&self, data: &[u8]) -> Poll<Result<usize>> {
        self.sink.direct_write(self.ticket, data, None, false)
    }

    /// The same write, owning a reference to its stream: the write slot passes to it.
    pub fn into_owned(self) -> DirectWrite {
        let owned = DirectWrite { sink: self.sink.clone(), ticket: self.ticket };
        // The slot is the owned write's to give back now.
        std::mem::forget(self);
        owned
    }
}

impl Drop for DirectWriteStart<'_> {
    fn drop(&mut self) {
        self.sink.direct_write_end();
    }
}

impl std::fmt::Debug for DirectWriteStart<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DirectWriteStart")
    }
}

impl DirectWrite {
    /// One `send` of a prefix of `data` that never waits and arms nothing: `Pending` when the
    /// kernel takes nothing now. Empty `data` only checks the socket's state.
    pub fn try_write(&self, data: &[u8]) -> Poll<Result<usize>> {
        self.sink.direct_write(self.ticket, data, None, false)
    }

    /// A poll of one `send` of a prefix of `data` (≥ 1 byte): Pending arms the wake-ups (see
    /// `io::caller_driven` for polls from a blocking caller). `after_refusal`: the kernel took
    /// nothing more an instant ago (a [`try_write`](Self::try_write) was Pending or sent only
    /// part) — a caller-driven poll then arms the abort wake-up without a syscall.
    pub fn poll_write(&self, cx: &mut Context<'_>, data: &[u8], after_refusal: bool) -> Poll<Result<usize>> {
        self.sink.direct_write(self.ticket, data, Some(cx), after_refusal)
    }

    /// What a blocking waiter polls for this write.
    pub fn readiness(&self) -> Option<Readiness> {
        self.sink.readiness_fd().map(Readiness::writable)
    }
}

impl Drop for DirectWrite {
    fn drop(&mut self) {
        self.sink.direct_write_end();
    }
}

impl std::fmt::Debug for DirectWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DirectWrite")
    }
}

#[cfg(test)]
mod tests {
    use super::{
        ReadScope, ReadStart, caller_driven, poll_as_caller, poll_as_caller_readable, poll_as_caller_to_arm,
        read_scope, start_watched, take_read_start,
    };
    use std::task::Waker;

    #[test]
    fn outside_every_scope_a_read_probes() {
        assert!(!caller_driven(Waker::noop()));
        assert_eq!(take_read_start(Waker::noop()), ReadStart::Probe);
    }

    #[test]
    fn a_watched_start_is_taken_once_and_only_by_a_caller_driven_poll() {
        start_watched(|| {
            poll_as_caller(|| {
                assert_eq!(take_read_start(Waker::noop()), ReadStart::WatchedStart);
                // A load's second read in the same start probes.
                assert_eq!(take_read_start(Waker::noop()), ReadStart::Probe);
            });
        });
        // Outside a caller-driven poll the start is used up without counting as watched.
        start_watched(|| {
            assert_eq!(take_read_start(Waker::noop()), ReadStart::Probe);
            poll_as_caller(|| assert_eq!(take_read_start(Waker::noop()), ReadStart::Probe));
        });
    }

    #[test]
    fn a_readiness_report_stands_in_for_one_probe_and_leaves_the_watched_start() {
        start_watched(|| {
            poll_as_caller_readable(|| {
                assert!(caller_driven(Waker::noop()));
                assert_eq!(take_read_start(Waker::noop()), ReadStart::KnownReadable);
                assert_eq!(take_read_start(Waker::noop()), ReadStart::WatchedStart);
                assert_eq!(take_read_start(Waker::noop()), ReadStart::Probe);
            });
        });
    }

    #[test]
    fn arming_skips_the_syscall_without_using_up_the_other_scopes() {
        poll_as_caller_to_arm(|| {
            assert_eq!(read_scope(Waker::noop()), ReadScope::ArmOnly);
            assert_eq!(take_read_start(Waker::noop()), ReadStart::ArmOnly);
            assert_eq!(take_read_start(Waker::noop()), ReadStart::ArmOnly);
        });
        assert_eq!(read_scope(Waker::noop()), ReadScope::Runtime);
        poll_as_caller(|| assert_eq!(read_scope(Waker::noop()), ReadScope::Caller));
    }

    #[test]
    fn each_scope_restores_only_its_own_bits() {
        start_watched(|| {
            poll_as_caller(|| {
                poll_as_caller_readable(|| {});
                // The inner scope's end put back "caller-driven" (set before it) and left the
                // watched start alone.
                assert!(caller_driven(Waker::noop()));
                assert_eq!(take_read_start(Waker::noop()), ReadStart::WatchedStart);
            });
            assert!(!caller_driven(Waker::noop()));
            // Used up inside: the outer scope's end does not bring it back either.
            poll_as_caller(|| assert_eq!(take_read_start(Waker::noop()), ReadStart::Probe));
        });
        assert_eq!(take_read_start(Waker::noop()), ReadStart::Probe);
    }

    #[test]
    fn a_panicking_poll_leaves_no_scope_behind() {
        let caught =
            std::panic::catch_unwind(|| start_watched(|| poll_as_caller_readable(|| panic!("poll"))));
        assert!(caught.is_err());
        assert!(!caller_driven(Waker::noop()));
        assert_eq!(take_read_start(Waker::noop()), ReadStart::Probe);
    }
}
