//! `Windows.Security.Credentials.PasswordCredential` (docs/web.md): a resource, a user name
//! and a password, shared by reference — a change made after the credential was given to a
//! WebSocket control is what that control sends.

use std::ffi::c_char;

use netrt_core::security::PasswordCredential;

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::handle;
use crate::object::{Value, get};
use crate::strings::{str_in, str_out};

/// Issues a handle for a credential (another reference to the same credential object).
pub(crate) fn issue_opt(credential: Option<PasswordCredential>) -> Result<netrt_handle, netrt_core::Error> {
    credential.map_or(Ok(0), |c| handle::issue_new(Value::PasswordCredential(c)))
}

/// The credential behind `h`, or `None` for 0 (WinRT's null: no credential).
pub(crate) fn credential_opt(h: netrt_handle) -> Result<Option<PasswordCredential>, netrt_core::Error> {
    if h == 0 { Ok(None) } else { Ok(Some(get!(h, PasswordCredential))) }
}

/// `PasswordCredential()`: every field empty. `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_password_credential_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_password_credential_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::PasswordCredential(PasswordCredential::new()))?);
        Ok(())
    })
}

/// `PasswordCredential(String resource, String userName, String password)` (ABI name
/// CreatePasswordCredential). All three UTF-8 and not NULL. `out` (not NULL) receives a new
/// reference. Errors: `E_POINTER`; `E_INVALIDARG` when the user name or password is empty.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_password_credential_create_password_credential(
    resource: *const c_char,
    user_name: *const c_char,
    password: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_password_credential_create_password_credential", {
        let out = Out::new(out, "out")?;
        let credential = PasswordCredential::with_fields(
            str_in(resource, "resource")?,
            str_in(user_name, "user_name")?,
            str_in(password, "password")?,
        )?;
        out.write(handle::issue_new(Value::PasswordCredential(credential))?);
        Ok(())
    })
}

/// `PasswordCredential.Resource` (get). String out: NUL-terminated into `buf`/`len`;
/// `*needed` (not NULL) always set; too small → `0x8007007A`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_password_credential_get_resource(
    credential: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_password_credential_get_resource", {
        str_out(&get!(credential, PasswordCredential).resource(), buf, len, needed)
    })
}

/// `PasswordCredential.Resource` (set; any string, not NULL).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_password_credential_set_resource(
    credential: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_password_credential_set_resource", {
        get!(credential, PasswordCredential).set_resource(str_in(value, "value")?);
        Ok(())
    })
}

/// `PasswordCredential.UserName` (get). String out as `netrt_password_credential_get_resource`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_password_credential_get_user_name(
    credential: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_password_credential_get_user_name", {
        str_out(&get!(credential, PasswordCredential).user_name(), buf, len, needed)
    })
}

/// `PasswordCredential.UserName` (set; not NULL). Errors: `E_INVALIDARG` for "".
#[unsafe(no_mangle)]
pub extern "C" fn netrt_password_credential_set_user_name(
    credential: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_password_credential_set_user_name", {
        get!(credential, PasswordCredential).set_user_name(str_in(value, "value")?)
    })
}

/// `PasswordCredential.Password` (get). String out as `netrt_password_credential_get_resource`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_password_credential_get_password(
    credential: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_password_credential_get_password", {
        str_out(&get!(credential, PasswordCredential).password(), buf, len, needed)
    })
}

/// `PasswordCredential.Password` (set; not NULL). Errors: `E_INVALIDARG` for "".
#[unsafe(no_mangle)]
pub extern "C" fn netrt_password_credential_set_password(
    credential: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_password_credential_set_password", {
        get!(credential, PasswordCredential).set_password(str_in(value, "value")?)
    })
}

/// `PasswordCredential.RetrievePassword()`: does nothing — netrt has no password vault, so
/// the password is always present. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_password_credential_retrieve_password(credential: netrt_handle) -> netrt_hresult {
    ffi!("netrt_password_credential_retrieve_password", {
        get!(credential, PasswordCredential).retrieve_password();
        Ok(())
    })
}
