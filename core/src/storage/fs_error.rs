//! The HRESULTs of file-system failures, as Windows' storage APIs report them.

use std::io::ErrorKind;
use std::path::Path;

use crate::error::hresult::{E_ACCESSDENIED, E_ALREADY_EXISTS, E_FAIL, E_FILE_NOT_FOUND, E_INVALIDARG};
use crate::error::{Error, NativeCause};

/// `err` from an operation on `path`; `what` says what was being done ("open", "create").
/// The errno stays the native cause.
pub(super) fn fs_error(err: &std::io::Error, what: &str, path: &Path) -> Error {
    let hresult = match err.kind() {
        ErrorKind::NotFound => E_FILE_NOT_FOUND,
        ErrorKind::AlreadyExists => E_ALREADY_EXISTS,
        // Windows answers ERROR_ACCESS_DENIED when a directory is opened as a file.
        ErrorKind::PermissionDenied | ErrorKind::IsADirectory | ErrorKind::ReadOnlyFilesystem => {
            E_ACCESSDENIED
        }
        ErrorKind::NotADirectory | ErrorKind::InvalidFilename => E_INVALIDARG,
        _ => E_FAIL,
    };
    let message = format!("{what} {}: {err}", path.display());
    match err.raw_os_error() {
        Some(code) => Error::with_cause(hresult, NativeCause::Errno(code), message),
        None => Error::new(hresult, message),
    }
}
