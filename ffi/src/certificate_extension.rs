//! `CertificateExtension` and `SubjectAlternativeNameInfo.Extension` as a handle kind.
//!
//! The extension is internally locked: every handle may be used from any thread.

use std::ffi::c_char;
use std::sync::{Arc, Mutex, MutexGuard};

use netrt_core::tls::CertificateExtension;

use crate::boundary::{Out, bytes_in, netrt_handle, netrt_hresult};
use crate::handle;
use crate::object::{Value, get, with_value};
use crate::strings::{data_out, str_in, str_out};

fn lock(m: &Mutex<CertificateExtension>) -> MutexGuard<'_, CertificateExtension> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn issue(ext: CertificateExtension) -> Result<netrt_handle, netrt_core::Error> {
    handle::issue_new(Value::CertificateExtension(Arc::new(Mutex::new(ext))))
}

/// `CertificateExtension()`: no object id, not critical, an empty value. `*out` (not NULL)
/// receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_extension_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_certificate_extension_create", {
        let out = Out::new(out, "out")?;
        out.write(issue(CertificateExtension::new())?);
        Ok(())
    })
}

/// `SubjectAlternativeNameInfo.Extension`: a new `CertificateExtension` handle (a copy) with the
/// certificate's subjectAltName extension — object id "2.5.29.17", its critical flag and the
/// DER of its value (the GeneralNames SEQUENCE). Without one (and for an info made with
/// `netrt_subject_alternative_name_info_create`): that object id, not critical, an empty
/// value; never 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_subject_alternative_name_info_get_extension(
    info: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_subject_alternative_name_info_get_extension", {
        let out = Out::new(out, "out")?;
        let ext = with_value!(info, SubjectAlternativeNameInfo, |san| san
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extension());
        out.write(issue(ext)?);
        Ok(())
    })
}

/// `CertificateExtension.ObjectId` (get): the dotted object id, "" when unset. String out as
/// every netrt string (`*needed`, not NULL, always receives the size including the NUL; too
/// small → `0x8007007A`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_extension_get_object_id(
    extension: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_extension_get_object_id", {
        let id = with_value!(extension, CertificateExtension, |e| lock(e).object_id.clone());
        str_out(&id, buf, len, needed)
    })
}

/// `CertificateExtension.ObjectId` (set): any UTF-8 string (not NULL); netrt does not check
/// the dotted syntax (nothing netrt does reads it).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_extension_set_object_id(
    extension: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_certificate_extension_set_object_id", {
        let ext = get!(extension, CertificateExtension);
        let value = str_in(value, "value")?;
        lock(&ext).object_id = value.to_owned();
        Ok(())
    })
}

/// `CertificateExtension.IsCritical` (get). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_extension_get_is_critical(
    extension: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_certificate_extension_get_is_critical", {
        let out = Out::new(out_value, "out_value")?;
        out.write(with_value!(extension, CertificateExtension, |e| lock(e).is_critical));
        Ok(())
    })
}

/// `CertificateExtension.IsCritical` (set).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_extension_set_is_critical(
    extension: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_certificate_extension_set_is_critical", {
        let ext = get!(extension, CertificateExtension);
        lock(&ext).is_critical = value;
        Ok(())
    })
}

/// `CertificateExtension.Value` (get): the DER bytes. `*needed` (not NULL) always receives
/// their count; `buf` receives them when `len` is at least that (too small → `0x8007007A`);
/// `buf` may be NULL when `len` is 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_extension_get_value(
    extension: netrt_handle,
    buf: *mut u8,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_extension_get_value", {
        let value = with_value!(extension, CertificateExtension, |e| lock(e).value.clone());
        data_out(&value, buf, len, needed)
    })
}

/// `CertificateExtension.Value` (set): `len` bytes at `data` (copied; `data` may be NULL when
/// `len` is 0).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_extension_set_value(
    extension: netrt_handle,
    data: *const u8,
    len: usize,
) -> netrt_hresult {
    ffi!("netrt_certificate_extension_set_value", {
        let ext = get!(extension, CertificateExtension);
        let value = bytes_in(data, len, "data")?;
        lock(&ext).value = value.to_vec();
        Ok(())
    })
}

/// `CertificateExtension.EncodeValue(String)`: sets `Value` to the DER encoding of `value`
/// (not NULL) as one ASN.1 string — an IA5String when it is ASCII, otherwise a UTF8String.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_certificate_extension_encode_value(
    extension: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_certificate_extension_encode_value", {
        let ext = get!(extension, CertificateExtension);
        let value = str_in(value, "value")?;
        lock(&ext).encode_value(value);
        Ok(())
    })
}
