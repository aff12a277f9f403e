//! `DownloadOperation` in C: a view of one download that netrt-brokerd runs.

use std::ffi::c_char;

use netrt_core::background_transfer::{BackgroundTransferCostPolicy, BackgroundTransferPriority};

use super::{
    download_obj, follow_transfer, issue_group, netrt_background_download_progress,
    netrt_background_transfer_file_range,
};
use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::enums::{
    netrt_background_transfer_cost_policy, netrt_background_transfer_priority, netrt_web_error_status,
};
use crate::foundation::netrt_guid;
use crate::handle;
use crate::object::{Value, get};
use crate::strings::{str_in, str_out};

/// `StartAsync()`: starts the download and follows it. `*out_op` (not NULL) receives an
/// operation with progress: `netrt_async_set_progress` hears each report (`progress->object`
/// is this DownloadOperation; read `netrt_download_operation_get_progress`) — at least every
/// 1 MiB or 250 ms and on every status change. It completes with this DownloadOperation when
/// the download does, fails with the download's error, and `netrt_async_cancel` cancels the
/// download. When the app exits the download goes on; `netrt_download_operation_attach_async`
/// follows it again. Errors: handle checks, `E_POINTER`, `E_ILLEGAL_METHOD_CALL` when it was
/// started before.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_start_async(
    operation: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_download_operation_start_async", {
        let out = Out::new(out_op, "out_op")?;
        out.write(follow_transfer(get!(operation, DownloadOperation).start_async()?, download_obj)?);
        Ok(())
    })
}

/// `AttachAsync()`: follows a download found with
/// `netrt_background_downloader_get_current_downloads_async`, as `StartAsync` does. Errors:
/// handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_attach_async(
    operation: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_download_operation_attach_async", {
        let out = Out::new(out_op, "out_op")?;
        out.write(follow_transfer(get!(operation, DownloadOperation).attach_async()?, download_obj)?);
        Ok(())
    })
}

/// `Pause()`. Errors: handle checks, `E_ILLEGAL_METHOD_CALL` when it is not running.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_pause(operation: netrt_handle) -> netrt_hresult {
    ffi!("netrt_download_operation_pause", { get!(operation, DownloadOperation).pause() })
}

/// `Resume()`: continues from the bytes already downloaded (a range request when the server
/// allows it). Errors: handle checks, `E_ILLEGAL_METHOD_CALL` when it is not paused or its
/// method is POST.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_resume(operation: netrt_handle) -> netrt_hresult {
    ffi!("netrt_download_operation_resume", { get!(operation, DownloadOperation).resume() })
}

/// `Guid`: the transfer's identity in the daemon. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_get_guid(
    operation: netrt_handle,
    out_value: *mut netrt_guid,
) -> netrt_hresult {
    ffi!("netrt_download_operation_get_guid", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(operation, DownloadOperation).guid().into());
        Ok(())
    })
}

/// `RequestedUri` (get): `*out` (not NULL) receives a new Uri reference. Errors: handle
/// checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_get_requested_uri(
    operation: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_download_operation_get_requested_uri", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::Uri(get!(operation, DownloadOperation).requested_uri()))?);
        Ok(())
    })
}

/// `RequestedUri` (set; a Uri handle), only while paused: the next attempt asks this URI.
/// Errors: handle checks, `E_ILLEGAL_METHOD_CALL` when not paused, `E_INVALIDARG` for a URI
/// that is not http(s).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_set_requested_uri(
    operation: netrt_handle,
    uri: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_download_operation_set_requested_uri", {
        let uri = get!(uri, Uri);
        get!(operation, DownloadOperation).set_requested_uri(&uri)
    })
}

/// `Method`. String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL) always set;
/// too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_get_method(
    operation: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_download_operation_get_method", {
        str_out(&get!(operation, DownloadOperation).method(), buf, len, needed)
    })
}

/// `Progress`: the last state the daemon reported to this process. Errors: handle checks,
/// `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_get_progress(
    operation: netrt_handle,
    out_value: *mut netrt_background_download_progress,
) -> netrt_hresult {
    ffi!("netrt_download_operation_get_progress", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(operation, DownloadOperation).progress().into());
        Ok(())
    })
}

/// `ResultFile`: `*out` (not NULL) receives a new StorageFile reference. Errors: handle checks,
/// `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_get_result_file(
    operation: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_download_operation_get_result_file", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::StorageFile(get!(operation, DownloadOperation).result_file()))?);
        Ok(())
    })
}

/// `GetResponseInformation()`: `*out` (not NULL) receives a new ResponseInformation reference,
/// or 0 before the response headers arrived. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_get_response_information(
    operation: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_download_operation_get_response_information", {
        let out = Out::new(out, "out")?;
        let info = get!(operation, DownloadOperation).get_response_information();
        out.write(info.map_or(Ok(0), |i| handle::issue_new(Value::ResponseInformation(i)))?);
        Ok(())
    })
}

/// `GetResultStreamAt(position)`: an InputStream over what was downloaded, from `position`
/// (the result file once complete, the partial file before). `*out` (not NULL) receives a new
/// reference. Errors: handle checks, `E_POINTER`, `ERROR_FILE_NOT_FOUND` before any byte
/// arrived.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_get_result_stream_at(
    operation: netrt_handle,
    position: u64,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_download_operation_get_result_stream_at", {
        let out = Out::new(out, "out")?;
        let stream = get!(operation, DownloadOperation).get_result_stream_at(position)?;
        out.write(handle::issue_new(Value::InputStream(stream))?);
        Ok(())
    })
}

/// `GetDownloadedRanges()`: into `ranges` (room for `len`; NULL only with `len` 0); `*needed`
/// (not NULL) always receives the count (netrt downloads sequentially: 0 or 1 range). Too
/// small → `0x8007007A` with only `*needed` written. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_get_downloaded_ranges(
    operation: netrt_handle,
    ranges: *mut netrt_background_transfer_file_range,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_download_operation_get_downloaded_ranges", {
        let needed = Out::new(needed, "needed")?;
        let list = get!(operation, DownloadOperation).get_downloaded_ranges();
        needed.write(list.len());
        if list.len() > len {
            return Err(netrt_core::Error::new(
                netrt_core::error::hresult::E_INSUFFICIENT_BUFFER,
                format!("{} ranges, room for {len}", list.len()),
            ));
        }
        let out: Vec<netrt_background_transfer_file_range> = list
            .iter()
            .map(|r| netrt_background_transfer_file_range { offset: r.offset, length: r.length })
            .collect();
        crate::boundary::array_out(ranges, &out, "ranges")?;
        Ok(())
    })
}

/// `CurrentWebErrorStatus`: `*out_has_value` (not NULL) says whether there is one (the status
/// that paused or failed the download); `*out_value` (not NULL) receives it, else `UNKNOWN`.
/// Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_get_current_web_error_status(
    operation: netrt_handle,
    out_has_value: *mut bool,
    out_value: *mut netrt_web_error_status,
) -> netrt_hresult {
    ffi!("netrt_download_operation_get_current_web_error_status", {
        let has = Out::new(out_has_value, "out_has_value")?;
        let out = Out::new(out_value, "out_value")?;
        let status = get!(operation, DownloadOperation).current_web_error_status();
        has.write(status.is_some());
        out.write(status.map_or(netrt_web_error_status::Unknown, Into::into));
        Ok(())
    })
}

/// `RecoverableWebErrorStatuses`: `*out` (not NULL) receives a Vector handle of `int32_t`
/// WebErrorStatus values (`netrt_vector_*_int32`), live: a change is sent to the daemon at
/// once. A failure with a status in it pauses the download (PAUSED_RECOVERABLE_WEB_ERROR_STATUS)
/// instead of failing it; `netrt_download_operation_resume` tries again. Errors: handle checks,
/// `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_get_recoverable_web_error_statuses(
    operation: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_download_operation_get_recoverable_web_error_statuses", {
        let out = Out::new(out, "out")?;
        let statuses = get!(operation, DownloadOperation).recoverable_web_error_statuses();
        out.write(crate::vector::issue(crate::vector::VectorObject::WebErrorStatuses(statuses))?);
        Ok(())
    })
}

/// `Priority` (get). Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_get_priority(
    operation: netrt_handle,
    out_value: *mut netrt_background_transfer_priority,
) -> netrt_hresult {
    ffi!("netrt_download_operation_get_priority", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(operation, DownloadOperation).priority().into());
        Ok(())
    })
}

/// `Priority` (set; a `netrt_background_transfer_priority`). Errors: handle checks,
/// `E_INVALIDARG` for an unknown value, the daemon's errors.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_set_priority(
    operation: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_download_operation_set_priority", {
        let priority = BackgroundTransferPriority::from_raw(value)?;
        get!(operation, DownloadOperation).set_priority(priority)
    })
}

/// `CostPolicy` (get; stored, Linux has no metered-network signal). Errors: handle checks,
/// `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_get_cost_policy(
    operation: netrt_handle,
    out_value: *mut netrt_background_transfer_cost_policy,
) -> netrt_hresult {
    ffi!("netrt_download_operation_get_cost_policy", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(operation, DownloadOperation).cost_policy().into());
        Ok(())
    })
}

/// `CostPolicy` (set). Errors: handle checks, `E_INVALIDARG` for an unknown value, the
/// daemon's errors.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_set_cost_policy(
    operation: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_download_operation_set_cost_policy", {
        let policy = BackgroundTransferCostPolicy::from_raw(value)?;
        get!(operation, DownloadOperation).set_cost_policy(policy)
    })
}

/// `TransferGroup`: `*out` (not NULL) receives a new group reference, or 0. Errors: handle
/// checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_get_transfer_group(
    operation: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_download_operation_get_transfer_group", {
        let out = Out::new(out, "out")?;
        out.write(issue_group(get!(operation, DownloadOperation).transfer_group())?);
        Ok(())
    })
}

/// `SetRequestHeader(headerName, headerValue)` (UTF-8, not NULL): for the next attempt.
/// Errors: handle checks, `E_POINTER`, `E_INVALIDARG` for an invalid header.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_set_request_header(
    operation: netrt_handle,
    header_name: *const c_char,
    header_value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_download_operation_set_request_header", {
        get!(operation, DownloadOperation)
            .set_request_header(str_in(header_name, "header_name")?, str_in(header_value, "header_value")?)
    })
}

/// `RemoveRequestHeader(headerName)` (UTF-8, not NULL). Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_remove_request_header(
    operation: netrt_handle,
    header_name: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_download_operation_remove_request_header", {
        get!(operation, DownloadOperation).remove_request_header(str_in(header_name, "header_name")?)
    })
}

/// `IsRandomAccessRequired` (get). Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_get_is_random_access_required(
    operation: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_download_operation_get_is_random_access_required", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(operation, DownloadOperation).is_random_access_required());
        Ok(())
    })
}

/// `IsRandomAccessRequired` (set; stored, netrt downloads sequentially). Errors: handle
/// checks, `E_ILLEGAL_METHOD_CALL` after the download started.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_download_operation_set_is_random_access_required(
    operation: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_download_operation_set_is_random_access_required", {
        get!(operation, DownloadOperation).set_is_random_access_required(value)
    })
}
