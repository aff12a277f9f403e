//! `IVector<T>` / `IVectorView<T>` as a handle kind: `netrt_vector_*`.
//!
//! The vector itself — a live view of a control's setting whose changes go through the
//! control's validation, or a read-only snapshot — is core's
//! [`Vector`](netrt_core::foundation::Vector). This module maps its element types to C:
//! enum values as `int32_t`, strings as UTF-8, certificates and byte strings as handles.

use std::ffi::c_char;

use netrt_core::Error;
use netrt_core::tls::ChainValidationResult;

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::handle;
use crate::object::{Value, get};
use crate::strings::{str_in, str_out};

/// The object behind a vector handle: core's vector of one C-visible element type.
pub(crate) use netrt_core::projection::AnyVector as VectorObject;

/// Issues a handle for a vector.
pub(crate) fn issue(vector: VectorObject) -> Result<netrt_handle, Error> {
    handle::issue_new(Value::Vector(vector))
}

fn wrong_elem(what: &str) -> Error {
    Error::invalid_arg(format!("this vector's elements are not {what}"))
}

fn result_of(value: i32) -> Result<ChainValidationResult, Error> {
    ChainValidationResult::from_raw(value)
        .ok_or_else(|| Error::invalid_arg(format!("{value} is not a ChainValidationResult value")))
}

fn web_status_of(value: i32) -> Result<netrt_core::error::WebErrorStatus, Error> {
    netrt_core::error::WebErrorStatus::from_i32(value)
        .ok_or_else(|| Error::invalid_arg(format!("{value} is not a WebErrorStatus value")))
}

/// `IVector.Size`. `out_size` not NULL. Errors: handle checks (`E_INVALIDARG` for a handle
/// that is not a vector), `E_POINTER`. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_get_size(vector: netrt_handle, out_size: *mut u32) -> netrt_hresult {
    ffi!("netrt_vector_get_size", {
        let out = Out::new(out_size, "out_size")?;
        out.write(get!(vector, Vector).size());
        Ok(())
    })
}

/// netrt helper: true when the vector is a read-only IVectorView (a snapshot), whose
/// modifying functions fail with `E_ILLEGAL_METHOD_CALL`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_get_is_read_only(vector: netrt_handle, out_value: *mut bool) -> netrt_hresult {
    ffi!("netrt_vector_get_is_read_only", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(vector, Vector).is_read_only());
        Ok(())
    })
}

/// `IVector.GetAt` for vectors of int32-valued enums (ChainValidationResult, WebErrorStatus). `out_value` not
/// NULL. Errors: `E_BOUNDS` (index ≥ size); `E_INVALIDARG` (not an int32 vector).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_get_at_int32(
    vector: netrt_handle,
    index: u32,
    out_value: *mut i32,
) -> netrt_hresult {
    ffi!("netrt_vector_get_at_int32", {
        let out = Out::new(out_value, "out_value")?;
        out.write(match get!(vector, Vector) {
            VectorObject::Results(v) => v.get_at(index)? as i32,
            VectorObject::WebErrorStatuses(v) => i32::from(v.get_at(index)?),
            _ => return Err(wrong_elem("int32")),
        });
        Ok(())
    })
}

/// `IVector.GetAt` for vectors of objects: `*out` receives a new reference — the Certificate
/// itself for certificate vectors, a new Buffer holding a copy of the bytes for
/// CertificateRevocationLists. Errors: `E_BOUNDS`; `E_INVALIDARG` (not an object vector).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_get_at_handle(
    vector: netrt_handle,
    index: u32,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_vector_get_at_handle", {
        let out = Out::new(out, "out")?;
        let h = match get!(vector, Vector) {
            VectorObject::Certificates(v) => crate::certificate::issue(v.get_at(index)?)?,
            VectorObject::Bytes(v) => {
                handle::issue_new(Value::Buffer(netrt_core::io::Buffer::from_vec(v.get_at(index)?)?))?
            }
            _ => return Err(wrong_elem("objects")),
        };
        out.write(h);
        Ok(())
    })
}

/// `IVector.GetAt` for vectors of strings. String out: NUL-terminated into `buf`/`len`;
/// `*needed` (not NULL) always set (when the index is valid); too small → `0x8007007A`.
/// Errors: `E_BOUNDS`; `E_INVALIDARG` (not a string vector).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_get_at_string(
    vector: netrt_handle,
    index: u32,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_vector_get_at_string", {
        let VectorObject::Strings(v) = get!(vector, Vector) else { return Err(wrong_elem("strings")) };
        str_out(&v.get_at(index)?, buf, len, needed)
    })
}

/// `IVector.Append` of an int32 (a ChainValidationResult for IgnorableServerCertificateErrors:
/// only Untrusted, Expired, IncompleteChain, WrongUsage, InvalidName,
/// RevocationInformationMissing, RevocationFailure are accepted; others `E_INVALIDARG`).
/// Errors: `E_ILLEGAL_METHOD_CALL` (read-only vector, or settings frozen by a handshake);
/// `E_INVALIDARG` (wrong element type or a refused value; nothing changes).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_append_int32(vector: netrt_handle, value: i32) -> netrt_hresult {
    ffi!("netrt_vector_append_int32", {
        match get!(vector, Vector).modifiable()? {
            VectorObject::Results(v) => v.append(result_of(value)?),
            VectorObject::WebErrorStatuses(v) => v.append(web_status_of(value)?),
            _ => Err(wrong_elem("int32")),
        }
    })
}

/// `IVector.Append` of an object: a Certificate handle for certificate vectors, a Buffer
/// handle for CertificateRevocationLists (its valid bytes are copied). The caller keeps its
/// reference. Errors: handle checks on `value` (`E_INVALIDARG` for the wrong kind); otherwise
/// as `netrt_vector_append_int32`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_append_handle(vector: netrt_handle, value: netrt_handle) -> netrt_hresult {
    ffi!("netrt_vector_append_handle", {
        match get!(vector, Vector).modifiable()? {
            VectorObject::Certificates(v) => v.append(get!(value, Certificate)),
            VectorObject::Bytes(v) => v.append(get!(value, Buffer).to_vec()),
            _ => Err(wrong_elem("objects (use _int32 / _string)")),
        }
    })
}

/// `IVector.Append` of a string (NUL-terminated UTF-8, not NULL; ApplicationProtocols takes
/// 1–255 bytes). Errors as `netrt_vector_append_int32`; `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_append_string(vector: netrt_handle, value: *const c_char) -> netrt_hresult {
    ffi!("netrt_vector_append_string", {
        let v = get!(vector, Vector);
        let VectorObject::Strings(v) = v.modifiable()? else { return Err(wrong_elem("strings")) };
        v.append(str_in(value, "value")?.to_owned())
    })
}

/// `IVector.SetAt` of an int32. Errors: `E_BOUNDS`; otherwise as `netrt_vector_append_int32`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_set_at_int32(vector: netrt_handle, index: u32, value: i32) -> netrt_hresult {
    ffi!("netrt_vector_set_at_int32", {
        match get!(vector, Vector).modifiable()? {
            VectorObject::Results(v) => v.set_at(index, result_of(value)?),
            VectorObject::WebErrorStatuses(v) => v.set_at(index, web_status_of(value)?),
            _ => Err(wrong_elem("int32")),
        }
    })
}

/// `IVector.RemoveAt`. Errors: `E_BOUNDS` (index ≥ size); `E_ILLEGAL_METHOD_CALL` (read-only
/// or frozen). Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_remove_at(vector: netrt_handle, index: u32) -> netrt_hresult {
    ffi!("netrt_vector_remove_at", { get!(vector, Vector).modifiable()?.remove_at(index) })
}

/// `IVector.Clear`. Errors: `E_ILLEGAL_METHOD_CALL` (read-only or frozen). Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_clear(vector: netrt_handle) -> netrt_hresult {
    ffi!("netrt_vector_clear", { get!(vector, Vector).modifiable()?.clear() })
}
