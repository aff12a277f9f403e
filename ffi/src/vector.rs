//! `IVector<T>` / `IVectorView<T>` as a handle kind (DESIGN §2): `netrt_vector_*`.
//!
//! A vector obtained from a control (`IgnorableServerCertificateErrors`,
//! `TrustedRootCertificates`, `ApplicationProtocols`, `CertificateRevocationLists`) is a live
//! view of that control, as in WinRT: it holds no copy, every read asks the control and every
//! change is a read-modify-write through the control's setter, so the control's validation
//! applies (a value it refuses is `E_INVALIDARG` and changes nothing; once the settings are
//! frozen by a connect or handshake, `E_ILLEGAL_METHOD_CALL`). Changes through any projection
//! are seen at once. Modifications are serialised process-wide, so two threads appending
//! through two handles of the same control both land.
//!
//! A vector obtained from `Information` or a `Certificate` is a snapshot taken when the getter
//! ran (an IVectorView): reading works, modifying it is `E_ILLEGAL_METHOD_CALL`.

use std::ffi::c_char;
use std::sync::{Arc, Mutex};

use netrt_core::Error;
use netrt_core::error::hresult::E_BOUNDS;
use netrt_core::net::{StreamSocketControl, StreamSocketListenerControl};
use netrt_core::tls::{Certificate, ChainValidationResult};

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::handle;
use crate::object::{Value, get};
use crate::strings::{str_in, str_out};

/// One element.
#[derive(Clone)]
pub(crate) enum Elem {
    Int32(i32),
    Certificate(Certificate),
    String(String),
    Bytes(Vec<u8>),
}

/// The element type of a vector (fixed for its lifetime).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ElemKind {
    Int32,
    Certificate,
    String,
    Bytes,
}

impl Elem {
    fn kind(&self) -> ElemKind {
        match self {
            Elem::Int32(_) => ElemKind::Int32,
            Elem::Certificate(_) => ElemKind::Certificate,
            Elem::String(_) => ElemKind::String,
            Elem::Bytes(_) => ElemKind::Bytes,
        }
    }
}

/// Where a vector's elements live.
pub(crate) enum Backing {
    /// A read-only snapshot (IVectorView).
    Snapshot(ElemKind, Vec<Elem>),
    /// `StreamSocketControl.IgnorableServerCertificateErrors` (ChainValidationResult values).
    IgnorableErrors(StreamSocketControl),
    /// `StreamSocketControl.TrustedRootCertificates`.
    TrustedRoots(StreamSocketControl),
    /// `StreamSocketControl.ApplicationProtocols`.
    ApplicationProtocols(StreamSocketControl),
    /// `StreamSocketControl.CertificateRevocationLists` (DER bytes; Buffers at the ABI).
    RevocationLists(StreamSocketControl),
    /// `StreamSocketListenerControl.TrustedRootCertificates`.
    ListenerTrustedRoots(StreamSocketListenerControl),
}

/// The object behind a vector handle.
pub struct VectorObject {
    backing: Backing,
}

/// Serialises read-modify-write through live views.
static MODIFY: Mutex<()> = Mutex::new(());

impl VectorObject {
    fn kind(&self) -> ElemKind {
        match &self.backing {
            Backing::Snapshot(k, _) => *k,
            Backing::IgnorableErrors(_) => ElemKind::Int32,
            Backing::TrustedRoots(_) | Backing::ListenerTrustedRoots(_) => ElemKind::Certificate,
            Backing::ApplicationProtocols(_) => ElemKind::String,
            Backing::RevocationLists(_) => ElemKind::Bytes,
        }
    }

    fn read(&self) -> Vec<Elem> {
        match &self.backing {
            Backing::Snapshot(_, v) => v.clone(),
            Backing::IgnorableErrors(c) => {
                c.ignorable_server_certificate_errors().into_iter().map(|r| Elem::Int32(r as i32)).collect()
            }
            Backing::TrustedRoots(c) => {
                c.trusted_root_certificates().into_iter().map(Elem::Certificate).collect()
            }
            Backing::ListenerTrustedRoots(c) => {
                c.trusted_root_certificates().into_iter().map(Elem::Certificate).collect()
            }
            Backing::ApplicationProtocols(c) => {
                c.application_protocols().into_iter().map(Elem::String).collect()
            }
            Backing::RevocationLists(c) => {
                c.certificate_revocation_lists().into_iter().map(Elem::Bytes).collect()
            }
        }
    }

    fn write(&self, all: Vec<Elem>) -> Result<(), Error> {
        match &self.backing {
            Backing::Snapshot(..) => unreachable!("checked by modify"),
            Backing::IgnorableErrors(c) => {
                let values = all
                    .into_iter()
                    .map(|e| match e {
                        Elem::Int32(v) => ChainValidationResult::from_raw(v).ok_or_else(|| {
                            Error::invalid_arg(format!("{v} is not a ChainValidationResult value"))
                        }),
                        _ => Err(wrong_elem()),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                c.set_ignorable_server_certificate_errors(values)
            }
            Backing::TrustedRoots(c) => c.set_trusted_root_certificates(certs(all)?),
            Backing::ListenerTrustedRoots(c) => c.set_trusted_root_certificates(certs(all)?),
            Backing::ApplicationProtocols(c) => c.set_application_protocols(
                all.into_iter()
                    .map(|e| match e {
                        Elem::String(s) => Ok(s),
                        _ => Err(wrong_elem()),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            Backing::RevocationLists(c) => c.set_certificate_revocation_lists(
                all.into_iter()
                    .map(|e| match e {
                        Elem::Bytes(b) => Ok(b),
                        _ => Err(wrong_elem()),
                    })
                    .collect::<Result<_, _>>()?,
            ),
        }
    }

    /// Read-modify-write through the backing's setter.
    fn modify(&self, f: impl FnOnce(&mut Vec<Elem>) -> Result<(), Error>) -> Result<(), Error> {
        if matches!(self.backing, Backing::Snapshot(..)) {
            return Err(Error::illegal_method_call("this vector is read-only (an IVectorView)"));
        }
        let _serial = MODIFY.lock().unwrap_or_else(|e| e.into_inner());
        let mut all = self.read();
        f(&mut all)?;
        self.write(all)
    }

    fn at(&self, index: u32) -> Result<Elem, Error> {
        let all = self.read();
        all.get(index as usize).cloned().ok_or_else(|| bounds(index, all.len()))
    }
}

fn certs(all: Vec<Elem>) -> Result<Vec<Certificate>, Error> {
    all.into_iter()
        .map(|e| match e {
            Elem::Certificate(c) => Ok(c),
            _ => Err(wrong_elem()),
        })
        .collect()
}

fn wrong_elem() -> Error {
    Error::invalid_arg("the value's type is not this vector's element type")
}

fn bounds(index: u32, size: usize) -> Error {
    Error::new(E_BOUNDS, format!("index {index} is out of range (size {size})"))
}

fn expect_kind(v: &VectorObject, want: ElemKind) -> Result<(), Error> {
    if v.kind() == want {
        Ok(())
    } else {
        Err(Error::invalid_arg(format!("the vector holds {:?} elements, not {want:?}", v.kind())))
    }
}

/// Issues a handle for a live view.
pub(crate) fn issue_live(backing: Backing) -> Result<netrt_handle, Error> {
    handle::issue_new(Value::Vector(Arc::new(VectorObject { backing })))
}

/// Issues a handle for a read-only snapshot of `elems` (all of one kind; an empty snapshot's
/// kind is taken as `String` unless [`issue_snapshot_of`] names it).
pub(crate) fn issue_snapshot(elems: Vec<Elem>) -> Result<netrt_handle, Error> {
    let kind = elems.first().map(Elem::kind).unwrap_or(ElemKind::String);
    issue_snapshot_of(kind, elems)
}

/// Issues a handle for a read-only snapshot with element type `kind`.
pub(crate) fn issue_snapshot_of(kind: ElemKind, elems: Vec<Elem>) -> Result<netrt_handle, Error> {
    handle::issue_new(Value::Vector(Arc::new(VectorObject { backing: Backing::Snapshot(kind, elems) })))
}

/// The element a caller's handle stands for, in a vector of `kind`.
fn elem_from_handle(kind: ElemKind, value: netrt_handle) -> Result<Elem, Error> {
    match kind {
        ElemKind::Certificate => Ok(Elem::Certificate(get!(value, Certificate))),
        ElemKind::Bytes => Ok(Elem::Bytes(get!(value, Buffer).to_vec())),
        _ => Err(Error::invalid_arg("this vector's elements are not objects (use _int32 / _string)")),
    }
}

/// `IVector.Size`. `out_size` not NULL. Errors: handle checks (`E_INVALIDARG` for a handle
/// that is not a vector), `E_POINTER`. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_get_size(vector: netrt_handle, out_size: *mut u32) -> netrt_hresult {
    ffi!("netrt_vector_get_size", {
        let out = Out::new(out_size, "out_size")?;
        out.write(get!(vector, Vector).read().len() as u32);
        Ok(())
    })
}

/// netrt helper: true when the vector is a read-only IVectorView (a snapshot), whose
/// modifying functions fail with `E_ILLEGAL_METHOD_CALL`. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_get_is_read_only(vector: netrt_handle, out_value: *mut bool) -> netrt_hresult {
    ffi!("netrt_vector_get_is_read_only", {
        let out = Out::new(out_value, "out_value")?;
        out.write(matches!(get!(vector, Vector).backing, Backing::Snapshot(..)));
        Ok(())
    })
}

/// `IVector.GetAt` for vectors of int32-valued enums (ChainValidationResult). `out_value` not
/// NULL. Errors: `E_BOUNDS` (index ≥ size); `E_INVALIDARG` (not an int32 vector).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_get_at_int32(
    vector: netrt_handle,
    index: u32,
    out_value: *mut i32,
) -> netrt_hresult {
    ffi!("netrt_vector_get_at_int32", {
        let out = Out::new(out_value, "out_value")?;
        let v = get!(vector, Vector);
        expect_kind(&v, ElemKind::Int32)?;
        match v.at(index)? {
            Elem::Int32(x) => out.write(x),
            _ => return Err(wrong_elem()),
        }
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
        let v = get!(vector, Vector);
        if !matches!(v.kind(), ElemKind::Certificate | ElemKind::Bytes) {
            return Err(Error::invalid_arg("this vector's elements are not objects"));
        }
        let h = match v.at(index)? {
            Elem::Certificate(c) => crate::certificate::issue(c)?,
            Elem::Bytes(b) => {
                handle::issue_new(Value::Buffer(Arc::new(crate::buffer::BufferObject::from_bytes(&b)?)))?
            }
            _ => return Err(wrong_elem()),
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
        let v = get!(vector, Vector);
        expect_kind(&v, ElemKind::String)?;
        match v.at(index)? {
            Elem::String(s) => str_out(&s, buf, len, needed),
            _ => Err(wrong_elem()),
        }
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
        let v = get!(vector, Vector);
        v.modify(|all| {
            expect_kind(&v, ElemKind::Int32)?;
            all.push(Elem::Int32(value));
            Ok(())
        })
    })
}

/// `IVector.Append` of an object: a Certificate handle for certificate vectors, a Buffer
/// handle for CertificateRevocationLists (its valid bytes are copied). The caller keeps its
/// reference. Errors: handle checks on `value` (`E_INVALIDARG` for the wrong kind); otherwise
/// as `netrt_vector_append_int32`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_append_handle(vector: netrt_handle, value: netrt_handle) -> netrt_hresult {
    ffi!("netrt_vector_append_handle", {
        let v = get!(vector, Vector);
        let elem = elem_from_handle(v.kind(), value)?;
        v.modify(|all| {
            all.push(elem);
            Ok(())
        })
    })
}

/// `IVector.Append` of a string (NUL-terminated UTF-8, not NULL; ApplicationProtocols takes
/// 1–255 bytes). Errors as `netrt_vector_append_int32`; `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_append_string(vector: netrt_handle, value: *const c_char) -> netrt_hresult {
    ffi!("netrt_vector_append_string", {
        let v = get!(vector, Vector);
        expect_kind(&v, ElemKind::String)?;
        let s = str_in(value, "value")?.to_owned();
        v.modify(|all| {
            all.push(Elem::String(s));
            Ok(())
        })
    })
}

/// `IVector.SetAt` of an int32. Errors: `E_BOUNDS`; otherwise as `netrt_vector_append_int32`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_set_at_int32(vector: netrt_handle, index: u32, value: i32) -> netrt_hresult {
    ffi!("netrt_vector_set_at_int32", {
        let v = get!(vector, Vector);
        v.modify(|all| {
            expect_kind(&v, ElemKind::Int32)?;
            let len = all.len();
            *all.get_mut(index as usize).ok_or_else(|| bounds(index, len))? = Elem::Int32(value);
            Ok(())
        })
    })
}

/// `IVector.RemoveAt`. Errors: `E_BOUNDS` (index ≥ size); `E_ILLEGAL_METHOD_CALL` (read-only
/// or frozen). Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_remove_at(vector: netrt_handle, index: u32) -> netrt_hresult {
    ffi!("netrt_vector_remove_at", {
        let v = get!(vector, Vector);
        v.modify(|all| {
            if index as usize >= all.len() {
                return Err(bounds(index, all.len()));
            }
            all.remove(index as usize);
            Ok(())
        })
    })
}

/// `IVector.Clear`. Errors: `E_ILLEGAL_METHOD_CALL` (read-only or frozen). Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_vector_clear(vector: netrt_handle) -> netrt_hresult {
    ffi!("netrt_vector_clear", {
        get!(vector, Vector).modify(|all| {
            all.clear();
            Ok(())
        })
    })
}
