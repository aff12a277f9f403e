//! The netrt error model: an HRESULT plus the native cause and a human message (docs/errors.md).
//!
//! Every failure in netrt is an [`Error`]. Its [`Error::hresult`] is what the C ABI returns,
//! what C++ throws in `hresult_error` and what Python exposes as `NetworkError.hresult`;
//! [`SocketErrorStatus`] and [`WebErrorStatus`] are derived from it by the `get_status`
//! functions in [`status`], the one place where that mapping lives.

pub mod errno;
pub mod hresult;
pub mod message;
pub mod names;
pub mod status;

use std::fmt;

pub use hresult::HResult;
pub use message::hresult_message;
pub use names::hresult_name;
pub use status::{SocketErrorStatus, WebErrorStatus, socket_error_get_status, web_error_get_status};

/// The native condition behind an [`Error`], kept so projections can expose it
/// (Python's `OSError.errno`, the detail message) and tests can assert on it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NativeCause {
    /// A POSIX `errno` value.
    Errno(i32),
    /// A `getaddrinfo` `EAI_*` code.
    Eai(i32),
    /// A TLS alert, by its description (e.g. `"protocol_version"`), sent or received.
    TlsAlert(String),
    /// An HTTP status code from a server or proxy.
    HttpStatus(u16),
}

/// A netrt failure: HRESULT, native cause, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    hresult: HResult,
    cause: Option<NativeCause>,
    message: String,
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with no native cause. `message` should describe what failed and why.
    pub fn new(hresult: HResult, message: impl Into<String>) -> Self {
        debug_assert!(hresult < 0, "an Error must carry a failure HRESULT");
        Self { hresult, cause: None, message: message.into() }
    }

    /// An error with a native cause.
    pub fn with_cause(hresult: HResult, cause: NativeCause, message: impl Into<String>) -> Self {
        Self { hresult, cause: Some(cause), message: message.into() }
    }

    /// Maps an OS error (errno) to its Winsock HRESULT; `what` says what was being done,
    /// e.g. `"connect to 127.0.0.1:80"`.
    pub fn from_io(err: &std::io::Error, what: impl fmt::Display) -> Self {
        match err.raw_os_error() {
            Some(code) => Self::from_errno(code, what),
            None => {
                let hresult = match err.kind() {
                    std::io::ErrorKind::TimedOut => hresult::WSAETIMEDOUT_HR,
                    std::io::ErrorKind::UnexpectedEof => {
                        hresult::hresult_from_win32(hresult::wsa::WSAECONNRESET)
                    }
                    std::io::ErrorKind::InvalidInput => hresult::E_INVALIDARG,
                    std::io::ErrorKind::OutOfMemory => hresult::E_OUTOFMEMORY,
                    _ => hresult::E_FAIL,
                };
                Self::new(hresult, format!("{what}: {err}"))
            }
        }
    }

    /// Maps an errno value to its Winsock HRESULT (.NET's `SocketErrorPal.Unix`; see docs/errors.md).
    pub fn from_errno(code: i32, what: impl fmt::Display) -> Self {
        let hresult = errno::hresult_from_errno(code);
        let text = std::io::Error::from_raw_os_error(code);
        Self::with_cause(hresult, NativeCause::Errno(code), format!("{what}: {text}"))
    }

    /// Maps a `getaddrinfo` failure (`EAI_*`, with `errno` when it is `EAI_SYSTEM`).
    pub fn from_eai(code: i32, sys_errno: i32, what: impl fmt::Display) -> Self {
        if code == libc::EAI_SYSTEM && sys_errno != 0 {
            return Self::from_errno(sys_errno, what);
        }
        let hresult = errno::hresult_from_eai(code);
        // SAFETY: gai_strerror returns a pointer to a static, NUL-terminated string.
        let text = unsafe { std::ffi::CStr::from_ptr(libc::gai_strerror(code)) }.to_string_lossy();
        Self::with_cause(hresult, NativeCause::Eai(code), format!("{what}: {text}"))
    }

    /// A failure HTTP status from a server or proxy: `HTTP_E_STATUS_*` (`0x80190000 | status`)
    /// for 3xx, 4xx and 5xx, `HTTP_E_STATUS_UNEXPECTED` for any other status where an upgrade
    /// or tunnel was expected. [`Error::web_error_status`] gives the matching member
    /// (`Unauthorized`, `ProxyAuthenticationRequired`, ...).
    pub fn from_http_status(status: u16, what: impl fmt::Display) -> Self {
        let hresult = if (300..=599).contains(&status) {
            hresult::http_e_status(status)
        } else {
            hresult::HTTP_E_STATUS_UNEXPECTED
        };
        Self::with_cause(
            hresult,
            NativeCause::HttpStatus(status),
            format!("{what}: the server answered HTTP {status}"),
        )
    }

    /// The HRESULT (always negative).
    pub fn hresult(&self) -> HResult {
        self.hresult
    }

    /// The native cause, when there is one.
    pub fn cause(&self) -> Option<&NativeCause> {
        self.cause.as_ref()
    }

    /// The errno behind this error, when there is one.
    pub fn errno(&self) -> Option<i32> {
        match self.cause {
            Some(NativeCause::Errno(code)) => Some(code),
            _ => None,
        }
    }

    /// The human-readable detail message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// `SocketError.GetStatus(self.hresult())`.
    pub fn socket_error_status(&self) -> SocketErrorStatus {
        socket_error_get_status(self.hresult)
    }

    /// `WebError.GetStatus(self.hresult())`.
    pub fn web_error_status(&self) -> WebErrorStatus {
        web_error_get_status(self.hresult)
    }

    /// Prefixes the message with more context, keeping HRESULT and cause.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }

    // Shorthands for the errors netrt raises itself.

    /// `E_INVALIDARG` with a message.
    pub fn invalid_arg(message: impl Into<String>) -> Self {
        Self::new(hresult::E_INVALIDARG, message)
    }

    /// `E_ILLEGAL_METHOD_CALL` with a message.
    pub fn illegal_method_call(message: impl Into<String>) -> Self {
        Self::new(hresult::E_ILLEGAL_METHOD_CALL, message)
    }

    /// `RO_E_CLOSED`: the object was closed.
    pub fn closed(what: &str) -> Self {
        Self::new(hresult::RO_E_CLOSED, format!("the {what} has been closed"))
    }

    /// `ERROR_OPERATION_ABORTED`: pending I/O aborted by Close or CancelIOAsync.
    pub fn aborted(what: &str) -> Self {
        Self::new(hresult::E_OPERATION_ABORTED, format!("{what} was aborted (Close or CancelIOAsync)"))
    }

    /// `E_BOUNDS`: reading or indexing past the end.
    pub fn bounds(message: impl Into<String>) -> Self {
        Self::new(hresult::E_BOUNDS, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HRESULT 0x{:08X})", self.message, self.hresult as u32)
    }
}

impl std::error::Error for Error {}
