//! SocketError.GetStatus / WebError.GetStatus. (placeholder, replaced by the full table)
use super::hresult::HResult;
/// SocketErrorStatus.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SocketErrorStatus {
    /// Unknown.
    Unknown = 0,
}
/// WebErrorStatus.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebErrorStatus {
    /// Unknown.
    Unknown = 0,
}
/// SocketError.GetStatus.
pub fn socket_error_get_status(_hr: HResult) -> SocketErrorStatus {
    SocketErrorStatus::Unknown
}
/// WebError.GetStatus.
pub fn web_error_get_status(_hr: HResult) -> WebErrorStatus {
    WebErrorStatus::Unknown
}
