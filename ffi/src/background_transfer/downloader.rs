//! `BackgroundDownloader` in C.

use std::ffi::c_char;

use netrt_core::background_transfer::{
    BackgroundDownloader, BackgroundTransferCostPolicy, DownloadOperation,
};

use super::{download_obj, group_opt, issue_group};
use crate::async_op::{self, OpResult};
use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::credential::{credential_opt, issue_opt};
use crate::enums::netrt_background_transfer_cost_policy;
use crate::handle;
use crate::object::{Value, get};
use crate::strings::{str_in, str_out};

/// `BackgroundDownloader()`: method GET, no headers, no credentials, no group. `*out` (not
/// NULL) receives a new reference. Errors: `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_background_downloader_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::BackgroundDownloader(BackgroundDownloader::new()))?);
        Ok(())
    })
}

/// `SetRequestHeader(headerName, headerValue)` (UTF-8, not NULL): sent with every download
/// created afterwards; a name set again gets `", value"` appended. Errors: handle checks,
/// `E_POINTER`, `E_INVALIDARG` for an invalid header.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_set_request_header(
    downloader: netrt_handle,
    header_name: *const c_char,
    header_value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_set_request_header", {
        get!(downloader, BackgroundDownloader)
            .set_request_header(str_in(header_name, "header_name")?, str_in(header_value, "header_value")?)
    })
}

/// `Method` (get). String out: NUL-terminated into `buf`/`len`; `*needed` (not NULL) always
/// set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_get_method(
    downloader: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_get_method", {
        str_out(&get!(downloader, BackgroundDownloader).method(), buf, len, needed)
    })
}

/// `Method` (set; UTF-8, not NULL). Errors: handle checks, `E_POINTER`, `E_INVALIDARG` for a
/// method that is not an HTTP token.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_set_method(
    downloader: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_set_method", {
        get!(downloader, BackgroundDownloader).set_method(str_in(value, "value")?)
    })
}

/// `ServerCredential` (get): `*out` (not NULL) receives a new PasswordCredential reference, or
/// 0 when none is set. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_get_server_credential(
    downloader: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_get_server_credential", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(get!(downloader, BackgroundDownloader).server_credential())?);
        Ok(())
    })
}

/// `ServerCredential` (set; a PasswordCredential handle, or 0 for none). Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_set_server_credential(
    downloader: netrt_handle,
    credential: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_set_server_credential", {
        let credential = credential_opt(credential)?;
        get!(downloader, BackgroundDownloader).set_server_credential(credential);
        Ok(())
    })
}

/// `ProxyCredential` (get): as `netrt_background_downloader_get_server_credential`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_get_proxy_credential(
    downloader: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_get_proxy_credential", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(get!(downloader, BackgroundDownloader).proxy_credential())?);
        Ok(())
    })
}

/// `ProxyCredential` (set; a PasswordCredential handle, or 0 for none). Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_set_proxy_credential(
    downloader: netrt_handle,
    credential: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_set_proxy_credential", {
        let credential = credential_opt(credential)?;
        get!(downloader, BackgroundDownloader).set_proxy_credential(credential);
        Ok(())
    })
}

/// `CostPolicy` (get). Stored and passed on; Linux has no metered-network signal, so it never
/// pauses a transfer. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_get_cost_policy(
    downloader: netrt_handle,
    out_value: *mut netrt_background_transfer_cost_policy,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_get_cost_policy", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(downloader, BackgroundDownloader).cost_policy().into());
        Ok(())
    })
}

/// `CostPolicy` (set; a `netrt_background_transfer_cost_policy`). Errors: handle checks,
/// `E_INVALIDARG` for an unknown value.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_set_cost_policy(
    downloader: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_set_cost_policy", {
        let policy = BackgroundTransferCostPolicy::from_raw(value)?;
        get!(downloader, BackgroundDownloader).set_cost_policy(policy);
        Ok(())
    })
}

/// `TransferGroup` (get): `*out` (not NULL) receives a new group reference, or 0. Errors:
/// handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_get_transfer_group(
    downloader: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_get_transfer_group", {
        let out = Out::new(out, "out")?;
        out.write(issue_group(get!(downloader, BackgroundDownloader).transfer_group())?);
        Ok(())
    })
}

/// `TransferGroup` (set; a BackgroundTransferGroup handle, or 0 for none). Errors: handle
/// checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_set_transfer_group(
    downloader: netrt_handle,
    group: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_set_transfer_group", {
        let group = group_opt(group)?;
        get!(downloader, BackgroundDownloader).set_transfer_group(group);
        Ok(())
    })
}

/// `CreateDownload(uri, resultFile)`: a download (Idle until
/// `netrt_download_operation_start_async`) of `uri` (a Uri handle) into `result_file` (a
/// StorageFile handle; it need not exist). The daemon (netrt-brokerd) is started when none
/// runs. `*out` (not NULL) receives a new DownloadOperation reference. Errors: handle checks,
/// `E_POINTER`, `E_INVALIDARG` for a URI that is not http(s), `ERROR_SERVICE_NOT_ACTIVE` when
/// the daemon cannot be reached.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_create_download(
    downloader: netrt_handle,
    uri: netrt_handle,
    result_file: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_create_download", {
        let out = Out::new(out, "out")?;
        let downloader = get!(downloader, BackgroundDownloader);
        let (uri, file) = (get!(uri, Uri), get!(result_file, StorageFile));
        out.write(handle::issue(download_obj(downloader.create_download(&uri, &file)?))?);
        Ok(())
    })
}

/// `CreateDownload(uri, resultFile, requestBodyFile)`: as
/// `netrt_background_downloader_create_download`; the request sends the bytes of
/// `request_body_file` (a StorageFile handle), read when the download runs.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_create_download_with_request_body(
    downloader: netrt_handle,
    uri: netrt_handle,
    result_file: netrt_handle,
    request_body_file: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_create_download_with_request_body", {
        let out = Out::new(out, "out")?;
        let downloader = get!(downloader, BackgroundDownloader);
        let (uri, file, body) =
            (get!(uri, Uri), get!(result_file, StorageFile), get!(request_body_file, StorageFile));
        out.write(handle::issue(download_obj(
            downloader.create_download_with_request_body(&uri, &file, &body)?,
        ))?);
        Ok(())
    })
}

/// `CreateDownloadAsync(uri, resultFile, requestBodyStream)`: as
/// `netrt_background_downloader_create_download`, with the request body read from
/// `request_body_stream` (an InputStream handle) to its end first — into a private file of the
/// daemon, so the app may exit. `*out_op` (not NULL) receives an operation whose result is the
/// DownloadOperation. Errors: as `netrt_background_downloader_create_download` (the stream's
/// and the daemon's through the operation).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_create_download_async(
    downloader: netrt_handle,
    uri: netrt_handle,
    result_file: netrt_handle,
    request_body_stream: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_create_download_async", {
        let out = Out::new(out_op, "out_op")?;
        let downloader = get!(downloader, BackgroundDownloader);
        let (uri, file) = (get!(uri, Uri), get!(result_file, StorageFile));
        let stream = get!(request_body_stream, InputStream);
        let core = downloader.create_download_async(&uri, &file, stream)?;
        out.write(async_op::start(
            async move { Ok(OpResult::Object(download_obj(core.finished().await?))) },
        )?);
        Ok(())
    })
}

/// `GetCurrentDownloadsAsync()`: this user's downloads that belong to no group, from the
/// daemon. `*out_op` (not NULL) receives an operation whose result is a list of
/// DownloadOperation handles (`netrt_async_get_results_handles`). Errors: `E_POINTER`; the
/// operation fails with `ERROR_SERVICE_NOT_ACTIVE` when the daemon cannot be reached.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_get_current_downloads_async(
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_get_current_downloads_async", {
        let out = Out::new(out_op, "out_op")?;
        let core = BackgroundDownloader::get_current_downloads_async()?;
        out.write(list_op(core)?);
        Ok(())
    })
}

/// `GetCurrentDownloadsForTransferGroupAsync(group)`: as
/// `netrt_background_downloader_get_current_downloads_async`, for the downloads of `group` (a
/// BackgroundTransferGroup handle). Errors: also the handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_downloader_get_current_downloads_for_transfer_group_async(
    group: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_downloader_get_current_downloads_for_transfer_group_async", {
        let out = Out::new(out_op, "out_op")?;
        let group = get!(group, BackgroundTransferGroup);
        let core = BackgroundDownloader::get_current_downloads_for_transfer_group_async(&group)?;
        out.write(list_op(core)?);
        Ok(())
    })
}

fn list_op(
    core: netrt_core::foundation::AsyncOperation<Vec<DownloadOperation>>,
) -> Result<netrt_handle, netrt_core::Error> {
    async_op::start(async move {
        let list = core.finished().await?;
        Ok(OpResult::Objects(list.into_iter().map(download_obj).collect()))
    })
}
