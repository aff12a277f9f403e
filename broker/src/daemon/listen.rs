//! The listening socket: its directory (0700, created if missing), a lock so one daemon serves
//! a path, and a stale socket file from a dead daemon replaced.

use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use tokio::net::UnixListener;

pub(crate) enum Bound {
    /// This daemon serves the path (the lock is kept for the process's life); `activated`:
    /// the listening socket came from systemd (socket activation), which owns its file.
    Listening { listener: UnixListener, activated: bool },
    /// Another daemon holds the lock.
    AlreadyRunning,
}

fn lock_path(socket: &Path) -> PathBuf {
    let mut name = socket.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

pub(crate) fn bind(socket: &Path) -> io::Result<Bound> {
    let dir = socket.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.exists() {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    // The directory is the first gate: only its owner may reach the socket at all.
    let meta = std::fs::metadata(dir)?;
    use std::os::unix::fs::MetadataExt;
    if meta.uid() != rustix::process::getuid().as_raw() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} belongs to another user", dir.display()),
        ));
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    let lock: OwnedFd =
        std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(lock_path(socket))?.into();
    match rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => {}
        Err(rustix::io::Errno::WOULDBLOCK) => return Ok(Bound::AlreadyRunning),
        Err(e) => return Err(e.into()),
    }
    if let Some(listener) = inherited()? {
        std::mem::forget(lock);
        return Ok(Bound::Listening { listener, activated: true });
    }
    // Holding the lock, any socket file left is a dead daemon's.
    match std::fs::remove_file(socket) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = UnixListener::bind(socket)?;
    std::fs::set_permissions(socket, std::fs::Permissions::from_mode(0o600))?;
    // The lock lives as long as the process (released by the kernel at exit).
    std::mem::forget(lock);
    Ok(Bound::Listening { listener, activated: false })
}

/// The listening socket systemd passed (socket activation: `LISTEN_PID` is this process and
/// `LISTEN_FDS` ≥ 1, the socket is fd 3), made close-on-exec so task commands do not inherit it.
fn inherited() -> io::Result<Option<UnixListener>> {
    use std::os::fd::{BorrowedFd, FromRawFd};
    const SD_LISTEN_FDS_START: i32 = 3;
    let for_us =
        std::env::var("LISTEN_PID").ok().and_then(|p| p.parse::<u32>().ok()) == Some(std::process::id());
    let count = std::env::var("LISTEN_FDS").ok().and_then(|n| n.parse::<u32>().ok()).unwrap_or(0);
    if !for_us || count == 0 {
        return Ok(None);
    }
    // SAFETY: systemd passed fd 3 to this process (LISTEN_PID); it is checked before use.
    let fd = unsafe { BorrowedFd::borrow_raw(SD_LISTEN_FDS_START) };
    if !rustix::net::sockopt::socket_acceptconn(fd)? {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the socket systemd passed is not listening",
        ));
    }
    rustix::io::fcntl_setfd(fd, rustix::io::FdFlags::CLOEXEC)?;
    // SAFETY: fd 3 is ours from now on (nothing else in the daemon uses it).
    let std_listener = unsafe { std::os::unix::net::UnixListener::from_raw_fd(SD_LISTEN_FDS_START) };
    std_listener.set_nonblocking(true)?;
    Ok(Some(UnixListener::from_std(std_listener)?))
}

pub(crate) fn remove(socket: &Path) {
    let _ = std::fs::remove_file(socket);
}
