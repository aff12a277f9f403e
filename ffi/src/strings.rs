//! Strings across the boundary (docs/projections.md): UTF-8, NUL-terminated in; caller buffer plus
//! `size_t *needed` out.

use std::ffi::{CStr, c_char};

use netrt_core::Error;
use netrt_core::error::hresult::{E_INSUFFICIENT_BUFFER, E_NO_UNICODE_TRANSLATION};

use crate::boundary::{Out, null};

/// A caller's NUL-terminated UTF-8 string. NULL is `E_POINTER`; invalid UTF-8 is
/// `HRESULT_FROM_WIN32(ERROR_NO_UNICODE_TRANSLATION)`.
pub(crate) fn str_in<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(null(what));
    }
    // SAFETY: non-null; the C caller promises a NUL-terminated string that outlives the call.
    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    std::str::from_utf8(bytes)
        .map_err(|e| Error::new(E_NO_UNICODE_TRANSLATION, format!("{what} is not valid UTF-8: {e}")))
}

/// Like [`str_in`], with NULL read as "" (for WinRT strings, where null is the empty string).
pub(crate) fn str_in_or_empty<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, Error> {
    if ptr.is_null() { Ok("") } else { str_in(ptr, what) }
}

/// Copies `value` and a NUL into the caller's buffer. `*needed` (bytes including the NUL) is
/// always written; when `len` is too small nothing else is, and the result is
/// `0x8007007A` (ERROR_INSUFFICIENT_BUFFER). `buf` may be NULL only with `len == 0` (a size
/// query).
pub(crate) fn str_out(value: &str, buf: *mut c_char, len: usize, needed: *mut usize) -> Result<(), Error> {
    bytes_out_exact(value.as_bytes(), true, buf.cast(), len, needed)
}

/// An optional string: `Some` as [`str_out`]; `None` (no string at all, which `""` is not)
/// writes `*needed = 0` and, when the buffer has room, an empty string.
pub(crate) fn opt_str_out(
    value: Option<&str>,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> Result<(), Error> {
    if let Some(value) = value {
        return str_out(value, buf, len, needed);
    }
    let needed = Out::new(needed, "needed")?;
    if buf.is_null() && len != 0 {
        return Err(null("buf"));
    }
    needed.write(0);
    if len > 0 {
        // SAFETY: `buf` is non-null (checked above with len > 0) and has `len` writable bytes.
        unsafe { *buf = 0 };
    }
    Ok(())
}

/// Copies `value` (no terminator) into the caller's buffer with the same rules as [`str_out`].
pub(crate) fn data_out(value: &[u8], buf: *mut u8, len: usize, needed: *mut usize) -> Result<(), Error> {
    bytes_out_exact(value, false, buf, len, needed)
}

fn bytes_out_exact(
    value: &[u8],
    nul: bool,
    buf: *mut u8,
    len: usize,
    needed: *mut usize,
) -> Result<(), Error> {
    let needed = Out::new(needed, "needed")?;
    if buf.is_null() && len != 0 {
        return Err(null("buf"));
    }
    let total = value.len() + usize::from(nul);
    needed.write(total);
    if len < total {
        return Err(Error::new(
            E_INSUFFICIENT_BUFFER,
            format!("the buffer holds {len} bytes; {total} are needed (see *needed)"),
        ));
    }
    if total > 0 {
        // SAFETY: `buf` is non-null here (len >= total > 0) and the caller promises `len`
        // writable bytes; the source is our own slice, so they cannot overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(value.as_ptr(), buf, value.len());
            if nul {
                *buf.add(value.len()) = 0;
            }
        }
    }
    Ok(())
}
