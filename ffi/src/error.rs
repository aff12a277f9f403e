//! Error projection (docs/errors.md) and the library version.

use std::ffi::c_char;

use netrt_core::error::{message::hresult_message, socket_error_get_status, web_error_get_status};
use netrt_core::ws::web_socket_error_get_status;

use crate::boundary::{last_error, netrt_hresult, run_quiet, run_value};
use crate::enums::{netrt_socket_error_status, netrt_syndication_error_status, netrt_web_error_status};
use crate::strings::str_out;

/// `SocketError.GetStatus(hr)`: what a failed socket operation's HRESULT means. Any value is
/// accepted (unmapped ones are `NETRT_SOCKET_ERROR_STATUS_UNKNOWN`). Pure; never fails.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_socket_error_get_status(hr: netrt_hresult) -> netrt_socket_error_status {
    run_value(netrt_socket_error_status::Unknown, || socket_error_get_status(hr).into())
}

/// `WebError.GetStatus(hr)` (also WebSocketError.GetStatus). Pure; never fails.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_web_error_get_status(hr: netrt_hresult) -> netrt_web_error_status {
    run_value(netrt_web_error_status::Unknown, || web_error_get_status(hr).into())
}

/// `WebSocketError.GetStatus(hr)`: the WebErrorStatus of a failed WebSocket operation's
/// HRESULT (`HTTP_E_STATUS_DENIED` 0x80190191 → `NETRT_WEB_ERROR_STATUS_UNAUTHORIZED`, ...;
/// the same table as `netrt_web_error_get_status`). Any value is accepted (unmapped ones are
/// `NETRT_WEB_ERROR_STATUS_UNKNOWN`). Pure; never fails.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_web_socket_error_get_status(hr: netrt_hresult) -> netrt_web_error_status {
    run_value(netrt_web_error_status::Unknown, || web_socket_error_get_status(hr).into())
}

/// `SyndicationError.GetStatus(hr)`: what a failed feed or AtomPub operation's HRESULT means
/// (`0x83750002` WEB_E_INVALID_XML → `NETRT_SYNDICATION_ERROR_STATUS_INVALID_XML`, ...). Any
/// value is accepted (unmapped ones are `NETRT_SYNDICATION_ERROR_STATUS_UNKNOWN`). Pure; never
/// fails.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_error_get_status(hr: netrt_hresult) -> netrt_syndication_error_status {
    run_value(netrt_syndication_error_status::Unknown, || {
        netrt_core::web::syndication::syndication_error_get_status(hr).into()
    })
}

/// A human-readable message for any HRESULT (every int32 has one).
///
/// String out: `buf`/`len` receive it NUL-terminated; `*needed` (must not be NULL) is always
/// set to the size including the NUL; too small → `0x8007007A` with only `*needed` written;
/// `buf` may be NULL when `len` is 0. Does not change the thread's last error detail.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_hresult_message(
    hr: netrt_hresult,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    run_quiet(|| str_out(&hresult_message(hr), buf, len, needed))
}

/// The detail message of the last failed netrt call on this thread ("" if none): which function
/// failed and why, with the native cause (errno text, resolver message). Successful calls do
/// not clear it. Asynchronous failures are read with `netrt_async_get_error_detail` instead.
/// String out as `netrt_hresult_message`; does not itself change the detail.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_get_last_error_detail(
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    run_quiet(|| str_out(&last_error(), buf, len, needed))
}

/// The library version as a static NUL-terminated string ("0.1.0"); never NULL, never freed.
/// Compare with `NETRT_VERSION_STRING` to detect a header/library mismatch.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The library version packed as `NETRT_VERSION_NUMBER` is (`major << 16 | minor << 8 | patch`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_version_number() -> u32 {
    run_value(0, || {
        let part = |s: &str| s.parse::<u32>().unwrap_or(0);
        (part(env!("CARGO_PKG_VERSION_MAJOR")) << 16)
            | (part(env!("CARGO_PKG_VERSION_MINOR")) << 8)
            | part(env!("CARGO_PKG_VERSION_PATCH"))
    })
}
