//! Holding sockets: every held fd is in one epoll set (EPOLLIN | EPOLLRDHUP, one-shot) that the
//! daemon's runtime watches as a single fd, and it is never read. The first readiness (or the
//! keep-alive deadline) becomes an activation; the socket then leaves the set and is only kept
//! until the app reclaims it. No thread and no task per socket: a held socket costs a table
//! entry (and the kernel's epoll item).

use std::collections::BTreeSet;
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Mutex;
use std::time::Duration;

use rustix::event::epoll;
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use crate::protocol::{Reason, SocketKind};

/// What the watcher reports to the broker.
pub(crate) struct Fired {
    pub id: String,
    pub generation: u64,
    pub reason: Reason,
}

struct Entry {
    id: Box<str>,
    fd: OwnedFd,
    kind: SocketKind,
    generation: u64,
    deadline: Option<Instant>,
    /// Still in the epoll set (not yet fired).
    armed: bool,
}

#[derive(Default)]
struct Table {
    entries: Vec<Option<Entry>>,
    free: Vec<usize>,
    deadlines: BTreeSet<(Instant, usize)>,
}

/// The daemon's one watcher of held sockets.
pub(crate) struct Watcher {
    epoll: AsyncFd<OwnedFd>,
    table: Mutex<Table>,
    /// A deadline was added: the run loop recomputes its next wake-up.
    timers: Notify,
}

fn interest() -> epoll::EventFlags {
    epoll::EventFlags::IN | epoll::EventFlags::RDHUP | epoll::EventFlags::ONESHOT
}

impl Watcher {
    pub(crate) fn new() -> io::Result<Self> {
        let set = epoll::create(epoll::CreateFlags::CLOEXEC)?;
        // SAFETY: the AsyncFd owns the epoll fd, so it stays open and the same file until the
        // watcher is dropped.
        let epoll = unsafe { AsyncFd::register_with_interest(set, Interest::READABLE) }?;
        Ok(Self { epoll, table: Mutex::new(Table::default()), timers: Notify::new() })
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts holding `fd`; returns the key that releases it. `generation` tells a report
    /// about a socket since re-transferred under the same id apart from the current one.
    pub(crate) fn hold(
        &self,
        id: &str,
        generation: u64,
        kind: SocketKind,
        fd: OwnedFd,
        keep_alive: Option<Duration>,
    ) -> io::Result<usize> {
        let mut table = self.table();
        let key = table.free.pop().unwrap_or(table.entries.len());
        if let Err(e) =
            epoll::add(self.epoll.get_ref(), &fd, epoll::EventData::new_u64(key as u64), interest())
        {
            if key < table.entries.len() {
                table.free.push(key);
            }
            return Err(e.into());
        }
        let deadline = keep_alive.map(|d| Instant::now() + d);
        let entry = Entry { id: id.into(), fd, kind, generation, deadline, armed: true };
        if key == table.entries.len() {
            table.entries.push(Some(entry));
        } else {
            table.entries[key] = Some(entry);
        }
        if let Some(at) = deadline {
            table.deadlines.insert((at, key));
            drop(table);
            self.timers.notify_one();
        }
        Ok(key)
    }

    /// The fd back (out of the epoll set); `None` for a key not held.
    pub(crate) fn release(&self, key: usize) -> Option<OwnedFd> {
        let mut table = self.table();
        let entry = table.entries.get_mut(key)?.take()?;
        if entry.armed {
            let _ = epoll::delete(self.epoll.get_ref(), &entry.fd);
        }
        if let Some(at) = entry.deadline {
            table.deadlines.remove(&(at, key));
        }
        table.free.push(key);
        Some(entry.fd)
    }

    /// Reports events and expired keep-alive times until the daemon stops.
    pub(crate) async fn run(&self, fired: mpsc::UnboundedSender<Fired>) {
        loop {
            let next = self.table().deadlines.first().map(|(at, _)| *at);
            let expiry = async {
                match next {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                ready = self.epoll.readable() => match ready {
                    Ok(mut guard) => {
                        self.drain(&fired);
                        guard.clear_ready();
                    }
                    Err(e) => {
                        tracing::error!("the epoll set of held sockets failed: {e}");
                        return;
                    }
                },
                () = expiry => self.expire(&fired),
                () = self.timers.notified() => {}
            }
        }
    }

    /// Takes every pending event (zero timeout) and classifies each socket.
    fn drain(&self, fired: &mpsc::UnboundedSender<Fired>) {
        let mut events = [MaybeUninit::<epoll::Event>::uninit(); 256];
        let zero = rustix::event::Timespec { tv_sec: 0, tv_nsec: 0 };
        loop {
            let (got, _) = match epoll::wait(self.epoll.get_ref(), &mut events, Some(&zero)) {
                Ok(got) => got,
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => {
                    tracing::error!("epoll_wait on held sockets: {e}");
                    return;
                }
            };
            let count = got.len();
            let mut table = self.table();
            for event in got.iter() {
                let key = event.data.u64() as usize;
                let Some(entry) = table.entries.get_mut(key).and_then(Option::as_mut).filter(|e| e.armed)
                else {
                    continue;
                };
                match classify(entry.kind, &entry.fd) {
                    Some(reason) => self.fire(&mut table, key, reason, fired),
                    // Readiness with nothing behind it: watch again (one-shot re-arm).
                    None => {
                        let _ = epoll::modify(
                            self.epoll.get_ref(),
                            &entry.fd,
                            epoll::EventData::new_u64(key as u64),
                            interest(),
                        );
                    }
                }
            }
            if count < events.len() {
                return;
            }
        }
    }

    fn expire(&self, fired: &mpsc::UnboundedSender<Fired>) {
        let now = Instant::now();
        let mut table = self.table();
        while let Some(&(at, key)) = table.deadlines.first() {
            if at > now {
                break;
            }
            self.fire(&mut table, key, Reason::KeepAliveTimerExpired, fired);
        }
    }

    /// One activation per transfer: the socket leaves the epoll set and its deadline.
    fn fire(&self, table: &mut Table, key: usize, reason: Reason, fired: &mpsc::UnboundedSender<Fired>) {
        let Some(entry) = table.entries.get_mut(key).and_then(Option::as_mut) else { return };
        let deadline = entry.deadline.take();
        if entry.armed {
            entry.armed = false;
            let _ = epoll::delete(self.epoll.get_ref(), &entry.fd);
            let _ = fired.send(Fired { id: entry.id.to_string(), generation: entry.generation, reason });
        }
        if let Some(at) = deadline {
            table.deadlines.remove(&(at, key));
        }
    }
}

/// Why a readable socket needs its app, without reading it: bytes queued (FIONREAD) are
/// activity; a stream socket that is readable with nothing queued has seen its peer close
/// (or reset).
fn classify(kind: SocketKind, fd: &OwnedFd) -> Option<Reason> {
    match kind {
        SocketKind::StreamSocketListener => Some(Reason::ConnectionAccepted),
        SocketKind::DatagramSocket => Some(Reason::SocketActivity),
        SocketKind::StreamSocket => {
            let mut queued: libc::c_int = 0;
            // SAFETY: FIONREAD writes one c_int; the fd is open for this call.
            let rc = unsafe { libc::ioctl(fd.as_raw_fd(), libc::FIONREAD, &mut queued) };
            if rc == 0 && queued > 0 {
                return Some(Reason::SocketActivity);
            }
            let mut pfd =
                libc::pollfd { fd: fd.as_raw_fd(), events: libc::POLLIN | libc::POLLRDHUP, revents: 0 };
            // SAFETY: one valid pollfd; a zero timeout never blocks.
            let n = unsafe { libc::poll(&mut pfd, 1, 0) };
            let hung_up = libc::POLLRDHUP | libc::POLLHUP | libc::POLLERR;
            (n > 0 && pfd.revents & hung_up != 0).then_some(Reason::SocketClosed)
        }
    }
}
