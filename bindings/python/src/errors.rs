//! `netrt::Error` → Python exception: the one conversion (docs/errors.md).
//!
//! The exception classes are defined once, in `netrt/_errors.py`; [`class_for`] is the one
//! table that picks the class for an HRESULT. Everything that fails in the core reaches Python
//! through [`to_pyerr`] (usually via [`OrRaise::or_raise`]).

use netrt::error::hresult::{self, HResult};
use netrt::error::{SocketErrorStatus, socket_error_get_status};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// The exception class (its name in `netrt._errors`) raised for `hr`.
///
/// Argument, bounds and not-implemented errors by HRESULT; access denial by HRESULT (E_ACCESSDENIED, and
/// WSAEACCES, which is how capability denial and EACCES/EPERM reach us); connection failures
/// by their `SocketErrorStatus`, the same mapping every projection uses.
pub fn class_for(hr: HResult) -> &'static str {
    match hr {
        hresult::E_INVALIDARG => return "InvalidArgumentError",
        hresult::E_BOUNDS => return "OutOfBoundsError",
        hresult::E_ACCESSDENIED => return "PermissionError",
        hresult::E_WAIT_TIMEOUT => return "TimeoutError",
        hresult::E_NOTIMPL => return "NotImplementedError",
        _ if hr == hresult::hresult_from_win32(hresult::wsa::WSAEACCES) => return "PermissionError",
        _ => {}
    }
    match socket_error_get_status(hr) {
        SocketErrorStatus::ConnectionRefused => "ConnectionRefusedError",
        SocketErrorStatus::ConnectionResetByPeer | SocketErrorStatus::NetworkDroppedConnectionOnReset => {
            "ConnectionResetError"
        }
        SocketErrorStatus::SoftwareCausedConnectionAbort => "ConnectionAbortedError",
        SocketErrorStatus::ConnectionTimedOut => "TimeoutError",
        _ => "NetworkError",
    }
}

static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    Ok(ERRORS_MODULE.get_or_try_init(py, || py.import("netrt._errors").map(Bound::unbind))?.bind(py))
}

/// The exception for a netrt error: `netrt.<class>(hresult, message, errno)`.
pub fn to_pyerr(err: netrt::Error) -> PyErr {
    Python::attach(|py| match build(py, err.hresult(), err.message(), err.errno()) {
        Ok(e) | Err(e) => e,
    })
}

/// A netrt exception made from its parts (for failures the binding itself detects).
pub fn raise(hr: HResult, message: impl Into<String>) -> PyErr {
    to_pyerr(netrt::Error::new(hr, message.into()))
}

fn build(py: Python<'_>, hr: HResult, message: &str, errno: Option<i32>) -> PyResult<PyErr> {
    let class = errors_module(py)?.getattr(class_for(hr))?.cast_into::<PyType>()?;
    let value = class.call1((hr, message, errno))?;
    Ok(PyErr::from_value(value))
}

/// `result.or_raise()?`: a netrt result as a Python result.
pub trait OrRaise<T> {
    /// Converts the error with [`to_pyerr`].
    fn or_raise(self) -> PyResult<T>;
}

impl<T> OrRaise<T> for netrt::Result<T> {
    fn or_raise(self) -> PyResult<T> {
        self.map_err(to_pyerr)
    }
}

/// `E_INVALIDARG` for an argument the Windows API accepts but netrt cannot honour.
pub fn invalid_arg(message: impl Into<String>) -> PyErr {
    raise(hresult::E_INVALIDARG, message)
}
