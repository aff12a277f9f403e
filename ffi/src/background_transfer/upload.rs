//! `UploadOperation` in C: a view of one upload that netrt-brokerd runs.

use std::ffi::c_char;

use netrt_core::background_transfer::{BackgroundTransferCostPolicy, BackgroundTransferPriority};

use super::{follow_transfer, issue_group, netrt_background_upload_progress, upload_obj};
use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::enums::{netrt_background_transfer_cost_policy, netrt_background_transfer_priority};
use crate::foundation::netrt_guid;
use crate::handle;
use crate::object::{Value, get};
use crate::strings::{str_in, str_out};

/// `StartAsync()`: starts the upload and follows it. `*out_op` (not NULL) receives an
/// operation with progress: `netrt_async_set_progress` hears each report (`progress->object`
/// is this UploadOperation; read `netrt_upload_operation_get_progress`) — at least every
/// 1 MiB or 250 ms and on every status change. It completes with this UploadOperation when
/// the upload does, fails with the upload's error, and `netrt_async_cancel` cancels the
/// upload. When the app exits the upload goes on; `netrt_upload_operation_attach_async`
/// follows it again. Errors: handle checks, `E_POINTER`, `E_ILLEGAL_METHOD_CALL` when it was
/// started before.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_start_async(
    operation: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_upload_operation_start_async", {
        let out = Out::new(out_op, "out_op")?;
        out.write(follow_transfer(get!(operation, UploadOperation).start_async()?, upload_obj)?);
        Ok(())
    })
}

/// `AttachAsync()`: follows an upload found with
/// `netrt_background_uploader_get_current_uploads_async`, as `StartAsync` does. Errors:
/// handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_attach_async(
    operation: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_upload_operation_attach_async", {
        let out = Out::new(out_op, "out_op")?;
        out.write(follow_transfer(get!(operation, UploadOperation).attach_async()?, upload_obj)?);
        Ok(())
    })
}

/// `Guid`: the transfer's identity in the daemon. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_get_guid(
    operation: netrt_handle,
    out_value: *mut netrt_guid,
) -> netrt_hresult {
    ffi!("netrt_upload_operation_get_guid", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(operation, UploadOperation).guid().into());
        Ok(())
    })
}

/// `RequestedUri` (get): `*out` (not NULL) receives a new Uri reference. Errors: handle
/// checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_get_requested_uri(
    operation: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_upload_operation_get_requested_uri", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::Uri(get!(operation, UploadOperation).requested_uri()))?);
        Ok(())
    })
}

/// `Method`. String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL) always set;
/// too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_get_method(
    operation: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_upload_operation_get_method", {
        str_out(&get!(operation, UploadOperation).method(), buf, len, needed)
    })
}

/// `GetResponseInformation()`: `*out` (not NULL) receives a new ResponseInformation reference,
/// or 0 before the response headers arrived. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_get_response_information(
    operation: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_upload_operation_get_response_information", {
        let out = Out::new(out, "out")?;
        let info = get!(operation, UploadOperation).get_response_information();
        out.write(info.map_or(Ok(0), |i| handle::issue_new(Value::ResponseInformation(i)))?);
        Ok(())
    })
}

/// `GetResultStreamAt(position)`: an InputStream over the server's response body, from
/// `position`. `*out` (not NULL) receives a new reference. Errors: handle checks, `E_POINTER`,
/// `ERROR_FILE_NOT_FOUND` before the response arrived.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_get_result_stream_at(
    operation: netrt_handle,
    position: u64,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_upload_operation_get_result_stream_at", {
        let out = Out::new(out, "out")?;
        let stream = get!(operation, UploadOperation).get_result_stream_at(position)?;
        out.write(handle::issue_new(Value::InputStream(stream))?);
        Ok(())
    })
}

/// `Priority` (get). Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_get_priority(
    operation: netrt_handle,
    out_value: *mut netrt_background_transfer_priority,
) -> netrt_hresult {
    ffi!("netrt_upload_operation_get_priority", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(operation, UploadOperation).priority().into());
        Ok(())
    })
}

/// `Priority` (set; a `netrt_background_transfer_priority`). Errors: handle checks,
/// `E_INVALIDARG` for an unknown value, the daemon's errors.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_set_priority(operation: netrt_handle, value: i32) -> netrt_hresult {
    ffi!("netrt_upload_operation_set_priority", {
        let priority = BackgroundTransferPriority::from_raw(value)?;
        get!(operation, UploadOperation).set_priority(priority)
    })
}

/// `CostPolicy` (get; stored, Linux has no metered-network signal). Errors: handle checks,
/// `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_get_cost_policy(
    operation: netrt_handle,
    out_value: *mut netrt_background_transfer_cost_policy,
) -> netrt_hresult {
    ffi!("netrt_upload_operation_get_cost_policy", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(operation, UploadOperation).cost_policy().into());
        Ok(())
    })
}

/// `CostPolicy` (set). Errors: handle checks, `E_INVALIDARG` for an unknown value, the
/// daemon's errors.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_set_cost_policy(
    operation: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_upload_operation_set_cost_policy", {
        let policy = BackgroundTransferCostPolicy::from_raw(value)?;
        get!(operation, UploadOperation).set_cost_policy(policy)
    })
}

/// `TransferGroup`: `*out` (not NULL) receives a new group reference, or 0. Errors: handle
/// checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_get_transfer_group(
    operation: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_upload_operation_get_transfer_group", {
        let out = Out::new(out, "out")?;
        out.write(issue_group(get!(operation, UploadOperation).transfer_group())?);
        Ok(())
    })
}

/// `SetRequestHeader(headerName, headerValue)` (UTF-8, not NULL): for the next attempt.
/// Errors: handle checks, `E_POINTER`, `E_INVALIDARG` for an invalid header.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_set_request_header(
    operation: netrt_handle,
    header_name: *const c_char,
    header_value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_upload_operation_set_request_header", {
        get!(operation, UploadOperation)
            .set_request_header(str_in(header_name, "header_name")?, str_in(header_value, "header_value")?)
    })
}

/// `RemoveRequestHeader(headerName)` (UTF-8, not NULL). Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_remove_request_header(
    operation: netrt_handle,
    header_name: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_upload_operation_remove_request_header", {
        get!(operation, UploadOperation).remove_request_header(str_in(header_name, "header_name")?)
    })
}

/// `Progress`: the last state the daemon reported to this process. Errors: handle checks,
/// `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_get_progress(
    operation: netrt_handle,
    out_value: *mut netrt_background_upload_progress,
) -> netrt_hresult {
    ffi!("netrt_upload_operation_get_progress", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(operation, UploadOperation).progress().into());
        Ok(())
    })
}

/// `SourceFile`: `*out` (not NULL) receives a new StorageFile reference, or 0 for an upload
/// made from a stream or parts. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_upload_operation_get_source_file(
    operation: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_upload_operation_get_source_file", {
        let out = Out::new(out, "out")?;
        let file = get!(operation, UploadOperation).source_file();
        out.write(file.map_or(Ok(0), |f| handle::issue_new(Value::StorageFile(f)))?);
        Ok(())
    })
}
