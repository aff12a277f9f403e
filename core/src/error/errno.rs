//! errno / EAI → Winsock HRESULT. (placeholder, replaced by the full table)
use super::hresult::*;
/// errno → HRESULT.
pub fn hresult_from_errno(code: i32) -> HResult {
    match code {
        libc::ECONNREFUSED => hresult_from_win32(wsa::WSAECONNREFUSED),
        _ => E_FAIL,
    }
}
/// EAI → HRESULT.
pub fn hresult_from_eai(code: i32) -> HResult {
    match code {
        libc::EAI_NONAME => hresult_from_win32(wsa::WSAHOST_NOT_FOUND),
        _ => E_FAIL,
    }
}
