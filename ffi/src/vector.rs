//! `IVector<T>` / `IVectorView<T>` as a handle kind: `netrt_vector_*`.
//!
//! The vector itself — a live view of a control's setting whose changes go through the
//! control's validation, or a read-only snapshot — is core's
//! [`Vector`](netrt_core::foundation::Vector). This module maps its element types to C:
//! enum values as `int32_t`, strings as UTF-8, certificates and byte strings as handles.

use std::ffi::c_char;

use std::sync::Arc;

use netrt_core::Error;
use netrt_core::foundation::Vector;
use netrt_core::projection::AnyVector;
use netrt_core::tls::ChainValidationResult;

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::handle;
use crate::object::{Object, Value, get};
use crate::strings::{str_in, str_out};
use crate::syndication_state::ObjectVector;

/// The object behind a vector handle: core's vector of one C-visible element type, or a
/// vector of netrt objects (the syndication collections, see `syndication_state`).
#[derive(Clone)]
pub(crate) enum VectorObject {
    Results(Vector<ChainValidationResult>),
    Certificates(Vector<netrt_core::tls::Certificate>),
    Strings(Vector<String>),
    Bytes(Vector<Vec<u8>>),
    WebErrorStatuses(Vector<netrt_core::error::WebErrorStatus>),
    Objects(ObjectVector),
}

impl VectorObject {
    /// The element-agnostic members, answered by core's [`AnyVector`] (or the object vector).
    fn any(&self) -> AnyOrObjects {
        match self {
            Self::Results(v) => AnyOrObjects::Any(AnyVector::Results(v.clone())),
            Self::Certificates(v) => AnyOrObjects::Any(AnyVector::Certificates(v.clone())),
            Self::Strings(v) => AnyOrObjects::Any(AnyVector::Strings(v.clone())),
            Self::Bytes(v) => AnyOrObjects::Any(AnyVector::Bytes(v.clone())),
            Self::WebErrorStatuses(v) => AnyOrObjects::Any(AnyVector::WebErrorStatuses(v.clone())),
            Self::Objects(v) => AnyOrObjects::Objects(v.items.clone()),
        }
    }

    fn size(&self) -> u32 {
        match self.any() {
            AnyOrObjects::Any(v) => v.size(),
            AnyOrObjects::Objects(v) => v.size(),
        }
    }

    fn is_read_only(&self) -> bool {
        match self.any() {
            AnyOrObjects::Any(v) => v.is_read_only(),
            AnyOrObjects::Objects(v) => v.is_read_only(),
        }
    }

    /// `self`, or `E_ILLEGAL_METHOD_CALL` for a read-only view.
    fn modifiable(&self) -> Result<&Self, Error> {
        if self.is_read_only() {
            return Err(Error::illegal_method_call("this vector is read-only (an IVectorView)"));
        }
        Ok(self)
    }

    fn remove_at(&self, index: u32) -> Result<(), Error> {
        match self.any() {
            AnyOrObjects::Any(v) => v.remove_at(index),
            AnyOrObjects::Objects(v) => v.remove_at(index),
        }
    }

    fn clear(&self) -> Result<(), Error> {
        match self.any() {
            AnyOrObjects::Any(v) => v.clear(),
            AnyOrObjects::Objects(v) => v.clear(),
        }
    }
}

enum AnyOrObjects {
    Any(AnyVector),
    Objects(Vector<Arc<Object>>),
}

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
/// CertificateRevocationLists, the object itself for syndication vectors (Items, Links, ...).
/// Errors: `E_BOUNDS`; `E_INVALIDARG` (not an object vector).
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
            VectorObject::Objects(v) => handle::issue(v.items.get_at(index)?)?,
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
/// handle for CertificateRevocationLists (its valid bytes are copied), a syndication object of
/// the vector's element kind for syndication vectors (the object itself is appended). The
/// caller keeps its reference. Errors: handle checks on `value` (`E_INVALIDARG` for the wrong kind); otherwise
/// as `netrt_vector_append_int32`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_append_handle(vector: netrt_handle, value: netrt_handle) -> netrt_hresult {
    ffi!("netrt_vector_append_handle", {
        match get!(vector, Vector).modifiable()? {
            VectorObject::Certificates(v) => v.append(get!(value, Certificate)),
            VectorObject::Bytes(v) => v.append(get!(value, Buffer).to_vec()),
            VectorObject::Objects(v) => v.items.append(element(v, value)?),
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

/// The object behind `value`, checked against the kind an object vector holds.
fn element(v: &ObjectVector, value: netrt_handle) -> Result<Arc<Object>, Error> {
    let obj = handle::lookup(value, None)?;
    if !v.accepts(&obj) {
        return Err(Error::invalid_arg(format!(
            "this vector holds {:?} objects, not {:?}",
            v.elem,
            obj.kind()
        )));
    }
    Ok(obj)
}

/// `IVector.SetAt` of an object (vectors of syndication objects). The caller keeps its
/// reference. Errors: `E_BOUNDS`; handle checks on `value`; `E_INVALIDARG` (the vector does
/// not hold objects of that kind); `E_ILLEGAL_METHOD_CALL` (read-only).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_set_at_handle(
    vector: netrt_handle,
    index: u32,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_vector_set_at_handle", {
        match get!(vector, Vector).modifiable()? {
            VectorObject::Objects(v) => v.items.set_at(index, element(v, value)?),
            _ => Err(wrong_elem("syndication objects")),
        }
    })
}

/// `IVector.InsertAt` of an object (vectors of syndication objects; `index` ≤ size). Errors
/// as `netrt_vector_set_at_handle`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_insert_at_handle(
    vector: netrt_handle,
    index: u32,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_vector_insert_at_handle", {
        match get!(vector, Vector).modifiable()? {
            VectorObject::Objects(v) => v.items.insert_at(index, element(v, value)?),
            _ => Err(wrong_elem("syndication objects")),
        }
    })
}
