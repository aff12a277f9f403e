//! The few syscalls on netrt's per-message paths, made without glibc's cancellation-point
//! wrappers.
//!
//! In a multi-threaded process glibc's `recv`, `send`, `poll`, `read` and `write` switch the
//! thread to asynchronous cancellation around the syscall and back (two atomic
//! read-modify-write loops on the thread's cancel state per call; a socket round trip makes
//! six to eight of these calls). netrt never wants those calls to be cancellation points: a
//! `pthread_cancel` acting inside one would unwind through Rust frames, which Rust does not
//! support. So these go through `syscall(2)`, which makes the same syscall with the same
//! arguments, result and `errno`, and is not a cancellation point.

use std::os::fd::RawFd;

/// `-1` → the `errno` as an `io::Error`, else the count.
fn result(n: libc::c_long) -> std::io::Result<usize> {
    if n < 0 { Err(std::io::Error::last_os_error()) } else { Ok(n as usize) }
}

/// `recv(fd, buf, flags)`.
pub(crate) fn recv(fd: RawFd, buf: &mut [u8], flags: libc::c_int) -> std::io::Result<usize> {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes.
    unsafe { recv_raw(fd, buf.as_mut_ptr(), buf.len(), flags) }
}

/// `recv` into the spare capacity of `buf`, whose length grows by what arrived (the spare
/// capacity need not be initialised, so a large receive buffer is not zeroed first).
pub(crate) fn recv_into_spare(fd: RawFd, buf: &mut Vec<u8>, flags: libc::c_int) -> std::io::Result<usize> {
    let spare = buf.spare_capacity_mut();
    // SAFETY: `spare` is valid for writes of `spare.len()` bytes.
    let n = unsafe { recv_raw(fd, spare.as_mut_ptr().cast(), spare.len(), flags) }?;
    // SAFETY: the kernel initialised the first `n` (<= spare.len()) bytes past the old length.
    unsafe { buf.set_len(buf.len() + n) };
    Ok(n)
}

/// # Safety
/// `ptr` must be valid for writes of `len` bytes.
unsafe fn recv_raw(fd: RawFd, ptr: *mut u8, len: usize, flags: libc::c_int) -> std::io::Result<usize> {
    // SAFETY: the caller's guarantee; no source address is asked for (recv(2) is recvfrom(2)
    // with a null address).
    result(unsafe {
        libc::syscall(
            libc::SYS_recvfrom,
            fd,
            ptr,
            len,
            flags,
            std::ptr::null_mut::<libc::sockaddr>(),
            std::ptr::null_mut::<libc::socklen_t>(),
        )
    })
}

/// `send(fd, data, flags)`.
pub(crate) fn send(fd: RawFd, data: &[u8], flags: libc::c_int) -> std::io::Result<usize> {
    // SAFETY: `data` is valid for reads of `data.len()` bytes; no destination address
    // (send(2) is sendto(2) with a null address).
    result(unsafe {
        libc::syscall(
            libc::SYS_sendto,
            fd,
            data.as_ptr(),
            data.len(),
            flags,
            std::ptr::null::<libc::sockaddr>(),
            0 as libc::socklen_t,
        )
    })
}

/// `poll(fds, timeout_ms)` (negative: no limit); the number of ready entries.
pub(crate) fn poll(fds: &mut [libc::pollfd], timeout_ms: libc::c_int) -> std::io::Result<usize> {
    // SAFETY: `fds` is valid for reads and writes of `fds.len()` entries.
    result(unsafe { libc::syscall(libc::SYS_poll, fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) })
}

/// `read(fd, buf)`.
pub(crate) fn read(fd: RawFd, buf: &mut [u8]) -> std::io::Result<usize> {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes.
    result(unsafe { libc::syscall(libc::SYS_read, fd, buf.as_mut_ptr(), buf.len()) })
}

/// `write(fd, data)`.
pub(crate) fn write(fd: RawFd, data: &[u8]) -> std::io::Result<usize> {
    // SAFETY: `data` is valid for reads of `data.len()` bytes.
    result(unsafe { libc::syscall(libc::SYS_write, fd, data.as_ptr(), data.len()) })
}

/// `recv(fd, buf, flags)` on a TCP socket with `TCP_INQ` set, as `recvmsg`: the count, and
/// what the kernel says is left to read after it (`None` when it did not say; non-zero also
/// when only the end of the stream is left).
pub(crate) fn recv_inq(
    fd: RawFd,
    buf: &mut [u8],
    flags: libc::c_int,
) -> std::io::Result<(usize, Option<u32>)> {
    /// Room for one `int` control message, aligned as `cmsghdr` wants.
    #[repr(C)]
    struct Control {
        _align: [libc::cmsghdr; 0],
        bytes: [u8; 32],
    }
    let mut control = Control { _align: [], bytes: [0; 32] };
    let mut iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
    // SAFETY: all-zero is a valid msghdr (no name, no iovec, no control).
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.bytes.as_mut_ptr().cast();
    msg.msg_controllen = control.bytes.len() as _;
    // SAFETY: `msg` points at one iovec over `buf` and a control buffer of its stated size,
    // all alive for the call.
    let n = result(unsafe { libc::syscall(libc::SYS_recvmsg, fd, &mut msg, flags) })?;
    // SAFETY: the kernel filled `msg_controllen` bytes of `control`: the CMSG macros walk
    // within them.
    let inq = unsafe {
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (!cmsg.is_null()
            && (*cmsg).cmsg_level == libc::SOL_TCP
            && (*cmsg).cmsg_type == libc::TCP_CM_INQ
            && (*cmsg).cmsg_len as usize >= libc::CMSG_LEN(4) as usize)
            .then(|| libc::CMSG_DATA(cmsg).cast::<libc::c_int>().read_unaligned() as u32)
    };
    Ok((n, inq))
}
