//! The listening socket: its directory (0700, created if missing), a lock so one daemon serves
//! a path, and a stale socket file from a dead daemon replaced.

use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use tokio::net::UnixListener;

pub(crate) enum Bound {
    /// This daemon serves the path (the lock is kept for the process's life).
    Listening(UnixListener),
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
    Ok(Bound::Listening(listener))
}

pub(crate) fn remove(socket: &Path) {
    let _ = std::fs::remove_file(socket);
}
