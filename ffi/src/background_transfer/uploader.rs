//! `BackgroundUploader` in C.

use std::ffi::c_char;

use netrt_core::background_transfer::{
    BackgroundTransferContentPart, BackgroundTransferCostPolicy, BackgroundUploader, UploadOperation,
};

use super::{group_opt, issue_group, upload_obj};
use crate::async_op::{self, OpResult};
use crate::boundary::{Out, netrt_handle, netrt_hresult, null};
use crate::credential::{credential_opt, issue_opt};
use crate::enums::netrt_background_transfer_cost_policy;
use crate::handle;
use crate::object::{Value, get};
use crate::strings::{str_in, str_out};

/// `BackgroundUploader()`: method POST, no headers, no credentials, no group. `*out` (not
/// NULL) receives a new reference. Errors: `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_background_uploader_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::BackgroundUploader(BackgroundUploader::new()))?);
        Ok(())
    })
}

/// `SetRequestHeader(headerName, headerValue)` (UTF-8, not NULL): sent with every upload
/// created afterwards; a name set again gets `", value"` appended. Errors: handle checks,
/// `E_POINTER`, `E_INVALIDARG` for an invalid header.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_set_request_header(
    uploader: netrt_handle,
    header_name: *const c_char,
    header_value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_set_request_header", {
        get!(uploader, BackgroundUploader)
            .set_request_header(str_in(header_name, "header_name")?, str_in(header_value, "header_value")?)
    })
}

/// `Method` (get). String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL) always
/// set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_get_method(
    uploader: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_get_method", {
        str_out(&get!(uploader, BackgroundUploader).method(), buf, len, needed)
    })
}

/// `Method` (set; UTF-8, not NULL). Errors: handle checks, `E_POINTER`, `E_INVALIDARG` for a
/// method that is not an HTTP token.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_set_method(
    uploader: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_set_method", {
        get!(uploader, BackgroundUploader).set_method(str_in(value, "value")?)
    })
}

/// `ServerCredential` (get): `*out` (not NULL) receives a new PasswordCredential reference, or
/// 0 when none is set. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_get_server_credential(
    uploader: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_get_server_credential", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(get!(uploader, BackgroundUploader).server_credential())?);
        Ok(())
    })
}

/// `ServerCredential` (set; a PasswordCredential handle, or 0 for none). Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_set_server_credential(
    uploader: netrt_handle,
    credential: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_set_server_credential", {
        let credential = credential_opt(credential)?;
        get!(uploader, BackgroundUploader).set_server_credential(credential);
        Ok(())
    })
}

/// `ProxyCredential` (get): as `netrt_background_uploader_get_server_credential`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_get_proxy_credential(
    uploader: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_get_proxy_credential", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(get!(uploader, BackgroundUploader).proxy_credential())?);
        Ok(())
    })
}

/// `ProxyCredential` (set; a PasswordCredential handle, or 0 for none). Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_set_proxy_credential(
    uploader: netrt_handle,
    credential: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_set_proxy_credential", {
        let credential = credential_opt(credential)?;
        get!(uploader, BackgroundUploader).set_proxy_credential(credential);
        Ok(())
    })
}

/// `CostPolicy` (get). Stored and passed on; Linux has no metered-network signal, so it never
/// pauses a transfer. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_get_cost_policy(
    uploader: netrt_handle,
    out_value: *mut netrt_background_transfer_cost_policy,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_get_cost_policy", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(uploader, BackgroundUploader).cost_policy().into());
        Ok(())
    })
}

/// `CostPolicy` (set; a `netrt_background_transfer_cost_policy`). Errors: handle checks,
/// `E_INVALIDARG` for an unknown value.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_set_cost_policy(
    uploader: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_set_cost_policy", {
        let policy = BackgroundTransferCostPolicy::from_raw(value)?;
        get!(uploader, BackgroundUploader).set_cost_policy(policy);
        Ok(())
    })
}

/// `TransferGroup` (get): `*out` (not NULL) receives a new group reference, or 0. Errors:
/// handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_get_transfer_group(
    uploader: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_get_transfer_group", {
        let out = Out::new(out, "out")?;
        out.write(issue_group(get!(uploader, BackgroundUploader).transfer_group())?);
        Ok(())
    })
}

/// `TransferGroup` (set; a BackgroundTransferGroup handle, or 0 for none). Errors: handle
/// checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_set_transfer_group(
    uploader: netrt_handle,
    group: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_set_transfer_group", {
        let group = group_opt(group)?;
        get!(uploader, BackgroundUploader).set_transfer_group(group);
        Ok(())
    })
}

/// `CreateUpload(uri, sourceFile)`: an upload (Idle until `netrt_upload_operation_start_async`)
/// that sends the bytes of `source_file` (a StorageFile handle) to `uri` (a Uri handle). The
/// daemon (netrt-brokerd) is started when none runs. `*out` (not NULL) receives a new
/// UploadOperation reference. Errors: handle checks, `E_POINTER`, `E_INVALIDARG` for a URI that
/// is not http(s), `ERROR_SERVICE_NOT_ACTIVE` when the daemon cannot be reached.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_create_upload(
    uploader: netrt_handle,
    uri: netrt_handle,
    source_file: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_create_upload", {
        let out = Out::new(out, "out")?;
        let uploader = get!(uploader, BackgroundUploader);
        let (uri, file) = (get!(uri, Uri), get!(source_file, StorageFile));
        out.write(handle::issue(upload_obj(uploader.create_upload(&uri, &file)?))?);
        Ok(())
    })
}

/// `CreateUploadFromStreamAsync(uri, sourceStream)`: the body is `source_stream` (an
/// InputStream handle) read to its end first — into a private file of the daemon, so the app
/// may exit. `*out_op` (not NULL) receives an operation whose result is the UploadOperation.
/// Errors: as `netrt_background_uploader_create_upload` (the stream's and the daemon's through
/// the operation).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_create_upload_from_stream_async(
    uploader: netrt_handle,
    uri: netrt_handle,
    source_stream: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_create_upload_from_stream_async", {
        let out = Out::new(out_op, "out_op")?;
        let uploader = get!(uploader, BackgroundUploader);
        let uri = get!(uri, Uri);
        let core = uploader.create_upload_from_stream_async(&uri, get!(source_stream, InputStream))?;
        out.write(created_op(core)?);
        Ok(())
    })
}

/// `CreateUploadAsync(uri, parts, subType, boundary)`: a multipart body of `parts`
/// (`count` BackgroundTransferContentPart handles, borrowed for the call; at least one),
/// `multipart/<sub_type>` (NULL or "" for `form-data`) with `boundary` (NULL for a random
/// one). `*out_op` (not NULL) receives an operation whose result is the UploadOperation.
/// Errors: handle checks on every part, `E_POINTER`, `E_INVALIDARG` for no parts or a boundary
/// that is not 1 to 70 characters.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_create_upload_async(
    uploader: netrt_handle,
    uri: netrt_handle,
    parts: *const netrt_handle,
    count: usize,
    sub_type: *const c_char,
    boundary: *const c_char,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_create_upload_async", {
        let out = Out::new(out_op, "out_op")?;
        let uploader = get!(uploader, BackgroundUploader);
        let uri = get!(uri, Uri);
        let parts = parts_in(parts, count)?;
        let sub_type = if sub_type.is_null() { None } else { Some(str_in(sub_type, "sub_type")?) };
        let boundary = if boundary.is_null() { None } else { Some(str_in(boundary, "boundary")?) };
        out.write(created_op(uploader.create_upload_async(&uri, parts, sub_type, boundary)?)?);
        Ok(())
    })
}

/// `GetCurrentUploadsAsync()`: this user's uploads that belong to no group, from the daemon.
/// `*out_op` (not NULL) receives an operation whose result is a list of UploadOperation
/// handles (`netrt_async_get_results_handles`). Errors: `E_POINTER`; the operation fails with
/// `ERROR_SERVICE_NOT_ACTIVE` when the daemon cannot be reached.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_get_current_uploads_async(
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_get_current_uploads_async", {
        let out = Out::new(out_op, "out_op")?;
        out.write(list_op(BackgroundUploader::get_current_uploads_async()?)?);
        Ok(())
    })
}

/// `GetCurrentUploadsForTransferGroupAsync(group)`: as
/// `netrt_background_uploader_get_current_uploads_async`, for the uploads of `group`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_uploader_get_current_uploads_for_transfer_group_async(
    group: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_uploader_get_current_uploads_for_transfer_group_async", {
        let out = Out::new(out_op, "out_op")?;
        let group = get!(group, BackgroundTransferGroup);
        out.write(list_op(BackgroundUploader::get_current_uploads_for_transfer_group_async(&group)?)?);
        Ok(())
    })
}

/// The content parts of a caller's `(const netrt_handle *, size_t)`; NULL only with count 0.
fn parts_in(
    ptr: *const netrt_handle,
    count: usize,
) -> Result<Vec<BackgroundTransferContentPart>, netrt_core::Error> {
    if count == 0 {
        return Ok(Vec::new());
    }
    if ptr.is_null() {
        return Err(null("parts"));
    }
    // SAFETY: the C caller promises `ptr` points to `count` handles.
    let handles = unsafe { std::slice::from_raw_parts(ptr, count) };
    handles.iter().map(|h| Ok(get!(*h, BackgroundTransferContentPart))).collect()
}

fn created_op(
    core: netrt_core::foundation::AsyncOperation<UploadOperation>,
) -> Result<netrt_handle, netrt_core::Error> {
    async_op::start(async move { Ok(OpResult::Object(upload_obj(core.finished().await?))) })
}

fn list_op(
    core: netrt_core::foundation::AsyncOperation<Vec<UploadOperation>>,
) -> Result<netrt_handle, netrt_core::Error> {
    async_op::start(async move {
        let list = core.finished().await?;
        Ok(OpResult::Objects(list.into_iter().map(upload_obj).collect()))
    })
}
