//! errno and `getaddrinfo` (`EAI_*`) codes → Winsock HRESULTs (docs/errors.md).
//!
//! The errno table follows .NET's `SocketErrorPal.Unix` (`s_nativeErrorToSocketError`, plus the
//! EPERM row .NET added later), so a program ported from .NET or Windows sees the Winsock code
//! it would see there. Rows where netrt differs from .NET are marked `netrt:` with the reason.
//! Every function here returns a failure HRESULT, whatever the input.

use super::hresult::wsa::*;
use super::hresult::{E_FAIL, E_OUTOFMEMORY, HResult, hresult_from_win32};

/// `WSA_OPERATION_ABORTED` (= `ERROR_OPERATION_ABORTED`), .NET's `SocketError.OperationAborted`.
const WSA_OPERATION_ABORTED: u32 = 995;

/// errno → Winsock code; the first matching row wins.
///
/// A table rather than a `match` because some aliases (EAGAIN/EWOULDBLOCK, ENOTSUP/EOPNOTSUPP)
/// are one value on Linux and two on macOS, and a `match` would reject the duplicate arm.
const ERRNO_TO_WSA: &[(i32, u32)] = &[
    (libc::EACCES, WSAEACCES),
    (libc::EPERM, WSAEACCES),
    (libc::EADDRINUSE, WSAEADDRINUSE),
    (libc::EADDRNOTAVAIL, WSAEADDRNOTAVAIL),
    (libc::EAFNOSUPPORT, WSAEAFNOSUPPORT),
    (libc::EAGAIN, WSAEWOULDBLOCK),
    (libc::EWOULDBLOCK, WSAEWOULDBLOCK),
    (libc::EALREADY, WSAEALREADY),
    // As .NET: a bad descriptor is an invalid argument, not WSAENOTSOCK (that is for an fd that
    // exists but is not a socket). netrt reports use after Close as RO_E_CLOSED before any syscall.
    (libc::EBADF, WSAEINVAL),
    (libc::ECANCELED, WSA_OPERATION_ABORTED),
    (libc::ECONNABORTED, WSAECONNABORTED),
    (libc::ECONNREFUSED, WSAECONNREFUSED),
    (libc::ECONNRESET, WSAECONNRESET),
    (libc::EDESTADDRREQ, WSAEDESTADDRREQ),
    (libc::EFAULT, WSAEFAULT),
    (libc::EHOSTDOWN, WSAEHOSTDOWN),
    // As .NET ("not perfect, but closest match available").
    (libc::ENXIO, WSAHOST_NOT_FOUND),
    (libc::EHOSTUNREACH, WSAEHOSTUNREACH),
    (libc::EINPROGRESS, WSAEINPROGRESS),
    (libc::EINTR, WSAEINTR),
    (libc::EINVAL, WSAEINVAL),
    (libc::EISCONN, WSAEISCONN),
    (libc::EMFILE, WSAEMFILE),
    (libc::ENFILE, WSAEMFILE),
    (libc::EMSGSIZE, WSAEMSGSIZE),
    (libc::ENETDOWN, WSAENETDOWN),
    (libc::ENETRESET, WSAENETRESET),
    (libc::ENETUNREACH, WSAENETUNREACH),
    (libc::ENOBUFS, WSAENOBUFS),
    // netrt: .NET leaves ENOMEM unmapped; Winsock reports kernel memory exhaustion as WSAENOBUFS.
    (libc::ENOMEM, WSAENOBUFS),
    (libc::ENODATA, WSANO_DATA),
    // As .NET: a Unix-domain socket path that does not exist.
    (libc::ENOENT, WSAEADDRNOTAVAIL),
    (libc::ENOPROTOOPT, WSAENOPROTOOPT),
    (libc::ENOTCONN, WSAENOTCONN),
    (libc::ENOTSOCK, WSAENOTSOCK),
    (libc::ENOTSUP, WSAEOPNOTSUPP),
    (libc::EOPNOTSUPP, WSAEOPNOTSUPP),
    // As .NET (SocketError.Shutdown). Linux returns EPIPE both after our own shutdown(SHUT_WR) and
    // on the writes after a peer reset has already been reported once as ECONNRESET; Windows would
    // say WSAESHUTDOWN for the first case, which is also the one EPIPE names.
    (libc::EPIPE, WSAESHUTDOWN),
    (libc::EPFNOSUPPORT, WSAEPFNOSUPPORT),
    (libc::EPROTONOSUPPORT, WSAEPROTONOSUPPORT),
    (libc::EPROTOTYPE, WSAEPROTOTYPE),
    (libc::ESOCKTNOSUPPORT, WSAESOCKTNOSUPPORT),
    // netrt: .NET says WSAEDISCON ("graceful shutdown in progress"); ESHUTDOWN means "cannot send
    // after transport endpoint shutdown", which is WSAESHUTDOWN's own text.
    (libc::ESHUTDOWN, WSAESHUTDOWN),
    (libc::ETIMEDOUT, WSAETIMEDOUT),
];

/// The Winsock code (`WSAE*`, or 995 `WSA_OPERATION_ABORTED`) for an errno, if it has one.
///
/// `0` (no error) and errno values with no socket meaning give `None`.
pub fn wsa_from_errno(code: i32) -> Option<u32> {
    ERRNO_TO_WSA.iter().find(|&&(errno, _)| errno == code).map(|&(_, wsa)| wsa)
}

/// `HRESULT_FROM_WIN32` of the errno's Winsock code, or `E_FAIL` when it has none.
///
/// Always a failure HRESULT, so the result can go straight into an [`super::Error`].
pub fn hresult_from_errno(code: i32) -> HResult {
    wsa_from_errno(code).map_or(E_FAIL, hresult_from_win32)
}

/// glibc's `EAI_ADDRFAMILY` (a GNU extension the `libc` crate does not export for Linux) and the
/// BSD/macOS value; other C libraries (musl) do not have it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const EAI_ADDRFAMILY: Option<i32> = Some(-9);
#[cfg(target_vendor = "apple")]
const EAI_ADDRFAMILY: Option<i32> = Some(1);
#[cfg(not(any(all(target_os = "linux", target_env = "gnu"), target_vendor = "apple")))]
const EAI_ADDRFAMILY: Option<i32> = None;

/// The HRESULT for a `getaddrinfo` failure code (`EAI_*`).
///
/// `EAI_SYSTEM` lands on `WSANO_RECOVERY` here; callers holding its `errno` should use
/// [`hresult_from_errno`] instead (as [`super::Error::from_eai`] does).
pub fn hresult_from_eai(code: i32) -> HResult {
    let wsa = match code {
        libc::EAI_NONAME => WSAHOST_NOT_FOUND,
        libc::EAI_AGAIN => WSATRY_AGAIN,
        libc::EAI_NODATA => WSANO_DATA,
        libc::EAI_FAIL => WSANO_RECOVERY,
        libc::EAI_SERVICE => WSATYPE_NOT_FOUND,
        libc::EAI_FAMILY => WSAEAFNOSUPPORT,
        libc::EAI_SOCKTYPE => WSAESOCKTNOSUPPORT,
        // netrt: Windows' ws2tcpip.h defines EAI_BADFLAGS as WSAEINVAL.
        libc::EAI_BADFLAGS => WSAEINVAL,
        libc::EAI_MEMORY => return E_OUTOFMEMORY,
        // The host exists but has no address in the requested family: "no data of that type".
        c if Some(c) == EAI_ADDRFAMILY => WSANO_DATA,
        _ => WSANO_RECOVERY,
    };
    hresult_from_win32(wsa)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::hresult::hr;

    /// (errno, expected Winsock code), written out independently of `ERRNO_TO_WSA`.
    const ERRNO_ROWS: &[(i32, u32)] = &[
        (libc::ECONNREFUSED, 10061),
        (libc::ETIMEDOUT, 10060),
        (libc::ECONNRESET, 10054),
        (libc::EPIPE, 10058),
        (libc::EADDRINUSE, 10048),
        (libc::EADDRNOTAVAIL, 10049),
        (libc::EHOSTUNREACH, 10065),
        (libc::EHOSTDOWN, 10064),
        (libc::ENETUNREACH, 10051),
        (libc::ENETDOWN, 10050),
        (libc::ENETRESET, 10052),
        (libc::ECONNABORTED, 10053),
        (libc::EMFILE, 10024),
        (libc::ENFILE, 10024),
        (libc::EMSGSIZE, 10040),
        (libc::EACCES, 10013),
        (libc::EPERM, 10013),
        (libc::EAFNOSUPPORT, 10047),
        (libc::EPFNOSUPPORT, 10046),
        (libc::ESOCKTNOSUPPORT, 10044),
        (libc::EPROTONOSUPPORT, 10043),
        (libc::EPROTOTYPE, 10041),
        (libc::ENOPROTOOPT, 10042),
        (libc::EOPNOTSUPP, 10045),
        (libc::ENOTSUP, 10045),
        (libc::EISCONN, 10056),
        (libc::ENOTCONN, 10057),
        (libc::ESHUTDOWN, 10058),
        (libc::EINPROGRESS, 10036),
        (libc::EALREADY, 10037),
        (libc::EWOULDBLOCK, 10035),
        (libc::EAGAIN, 10035),
        (libc::EINTR, 10004),
        (libc::EINVAL, 10022),
        (libc::EFAULT, 10014),
        (libc::ENOTSOCK, 10038),
        (libc::EBADF, 10022),
        (libc::ENOBUFS, 10055),
        (libc::ENOMEM, 10055),
        (libc::EDESTADDRREQ, 10039),
        (libc::ECANCELED, 995),
        (libc::ENXIO, 11001),
        (libc::ENODATA, 11004),
        (libc::ENOENT, 10049),
    ];

    #[test]
    fn errno_rows_map_to_dotnet_winsock_codes() {
        for &(errno, wsa) in ERRNO_ROWS {
            assert_eq!(wsa_from_errno(errno), Some(wsa), "errno {errno}");
            assert_eq!(hresult_from_errno(errno), hr(0x8007_0000 | wsa), "errno {errno}");
        }
    }

    #[test]
    fn every_table_row_is_tested() {
        for &(errno, _) in ERRNO_TO_WSA {
            assert!(ERRNO_ROWS.iter().any(|&(e, _)| e == errno), "errno {errno} has no test row");
        }
    }

    #[test]
    fn well_known_hresults() {
        assert_eq!(hresult_from_errno(libc::ECONNREFUSED) as u32, 0x8007_274D);
        assert_eq!(hresult_from_errno(libc::ETIMEDOUT) as u32, 0x8007_274C);
        assert_eq!(hresult_from_errno(libc::ECANCELED) as u32, 0x8007_03E3);
        assert_eq!(hresult_from_errno(libc::EACCES) as u32, 0x8007_271D);
    }

    #[test]
    fn unmapped_errno_is_e_fail() {
        assert_eq!(wsa_from_errno(libc::ENOSPC), None);
        assert_eq!(hresult_from_errno(libc::ENOSPC), E_FAIL);
        assert_eq!(hresult_from_errno(libc::EIO), E_FAIL);
        // errno 0 is not a failure; an Error built from it must still carry one.
        assert_eq!(wsa_from_errno(0), None);
        assert_eq!(hresult_from_errno(0), E_FAIL);
        assert_eq!(hresult_from_errno(-1), E_FAIL);
        assert_eq!(hresult_from_errno(i32::MIN), E_FAIL);
        assert_eq!(hresult_from_errno(i32::MAX), E_FAIL);
    }

    #[test]
    fn errno_results_are_always_failures() {
        for code in -20..4200 {
            assert!(hresult_from_errno(code) < 0, "errno {code}");
        }
    }

    #[test]
    fn eai_rows() {
        let rows: &[(i32, HResult)] = &[
            (libc::EAI_NONAME, hr(0x8007_2AF9)),
            (libc::EAI_AGAIN, hr(0x8007_2AFA)),
            (libc::EAI_NODATA, hr(0x8007_2AFC)),
            (libc::EAI_FAIL, hr(0x8007_2AFB)),
            (libc::EAI_SERVICE, hr(0x8007_277D)),
            (libc::EAI_FAMILY, hr(0x8007_273F)),
            (libc::EAI_SOCKTYPE, hr(0x8007_273C)),
            (libc::EAI_BADFLAGS, hr(0x8007_2726)),
            (libc::EAI_MEMORY, E_OUTOFMEMORY),
            (libc::EAI_SYSTEM, hr(0x8007_2AFB)),
            (libc::EAI_OVERFLOW, hr(0x8007_2AFB)),
        ];
        for &(eai, expected) in rows {
            assert_eq!(hresult_from_eai(eai), expected, "EAI {eai}");
        }
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn glibc_eai_values() {
        assert_eq!(libc::EAI_NODATA, -5);
        // EAI_ADDRFAMILY (-9): the name has no address in the requested family.
        assert_eq!(hresult_from_eai(-9), hr(0x8007_2AFC));
    }

    #[test]
    fn unknown_eai_is_no_recovery() {
        for code in [0, -100, 12345, i32::MIN, i32::MAX] {
            assert_eq!(hresult_from_eai(code), hr(0x8007_2AFB), "EAI {code}");
        }
    }
}
