//! Bytes and fds over a Unix stream socket: one `sendmsg` carries a frame's first bytes and its
//! fds (SCM_RIGHTS), one `recvmsg` returns bytes and any fds that came with them. Both work on
//! blocking sockets and, inside tokio's `async_io`, on non-blocking ones.

use std::io::{self, IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use rustix::net::{
    RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SendAncillaryBuffer, SendAncillaryMessage,
    SendFlags,
};

use crate::protocol::MAX_FDS_PER_MESSAGE;

/// Sends a prefix of `bytes` (at least one byte) with `fds` attached; returns how many bytes
/// went. Send the rest with `fds` empty: the fds travel with the first byte.
///
/// # Errors
/// The socket's error (`WouldBlock` on a full non-blocking socket, `EPIPE` when the peer left).
pub fn send_some(socket: BorrowedFd<'_>, bytes: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<usize> {
    debug_assert!(fds.len() <= MAX_FDS_PER_MESSAGE);
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(MAX_FDS_PER_MESSAGE))];
    let mut control = SendAncillaryBuffer::new(&mut space);
    if !fds.is_empty() && !control.push(SendAncillaryMessage::ScmRights(fds)) {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "too many fds for one message"));
    }
    Ok(rustix::net::sendmsg(socket, &[IoSlice::new(bytes)], &mut control, SendFlags::NOSIGNAL)?)
}

/// Sends all of `bytes` (with `fds` on the first byte) on a blocking socket.
///
/// # Errors
/// As [`send_some`].
pub fn send_all(socket: BorrowedFd<'_>, bytes: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<()> {
    let mut sent = send_some(socket, bytes, fds)?;
    while sent < bytes.len() {
        sent += send_some(socket, &bytes[sent..], &[])?;
    }
    Ok(())
}

/// Receives into `buf` once: the byte count (0 = the peer closed) and the fds that arrived,
/// close-on-exec.
///
/// # Errors
/// The socket's error (`WouldBlock` on an empty non-blocking socket).
pub fn recv_some(socket: impl AsFd, buf: &mut [u8]) -> io::Result<(usize, Vec<OwnedFd>)> {
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(MAX_FDS_PER_MESSAGE))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let got =
        rustix::net::recvmsg(socket, &mut [IoSliceMut::new(buf)], &mut control, RecvFlags::CMSG_CLOEXEC)?;
    let mut fds = Vec::new();
    for message in control.drain() {
        if let RecvAncillaryMessage::ScmRights(received) = message {
            fds.extend(received);
        }
    }
    if got.flags.contains(rustix::net::ReturnFlags::CTRUNC) {
        // The kernel dropped descriptors it could not install: this process is at its
        // RLIMIT_NOFILE. The session cannot pair fds with messages any more.
        return Err(io::Error::from_raw_os_error(libc::EMFILE));
    }
    Ok((got.bytes, fds))
}

/// The uid of the process at the other end of a connected Unix socket (SO_PEERCRED).
///
/// # Errors
/// The getsockopt error.
pub fn peer_uid(socket: impl AsFd) -> io::Result<u32> {
    Ok(rustix::net::sockopt::socket_peercred(socket)?.uid.as_raw())
}
