//! BackgroundTransferGroup, BackgroundTransferContentPart, ResponseInformation and
//! BackgroundTransferError in C.

use std::ffi::c_char;

use netrt_core::background_transfer::{
    BackgroundTransferBehavior, BackgroundTransferContentPart, BackgroundTransferError,
    BackgroundTransferGroup,
};

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::enums::{netrt_background_transfer_behavior, netrt_web_error_status};
use crate::handle;
use crate::object::{Value, get};
use crate::strings::{str_in, str_out};

/// `BackgroundTransferGroup.CreateGroup(name)`: `name` (UTF-8, not NULL) identifies the group
/// to the daemon. `*out` (not NULL) receives a new reference. Errors: `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_transfer_group_create_group(
    name: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_transfer_group_create_group", {
        let out = Out::new(out, "out")?;
        let group = BackgroundTransferGroup::create_group(str_in(name, "name")?);
        out.write(handle::issue_new(Value::BackgroundTransferGroup(group))?);
        Ok(())
    })
}

/// `BackgroundTransferGroup.Name`. String out: NUL-terminated into `buf`/`len`; `*needed`
/// (not NULL) always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_transfer_group_get_name(
    group: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_background_transfer_group_get_name", {
        str_out(&get!(group, BackgroundTransferGroup).name(), buf, len, needed)
    })
}

/// `BackgroundTransferGroup.TransferBehavior` (get; PARALLEL unless set). Errors: handle
/// checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_transfer_group_get_transfer_behavior(
    group: netrt_handle,
    out_value: *mut netrt_background_transfer_behavior,
) -> netrt_hresult {
    ffi!("netrt_background_transfer_group_get_transfer_behavior", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(group, BackgroundTransferGroup).transfer_behavior().into());
        Ok(())
    })
}

/// `BackgroundTransferGroup.TransferBehavior` (set; a `netrt_background_transfer_behavior`):
/// applies to operations created afterwards. Errors: handle checks, `E_INVALIDARG` for an
/// unknown value.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_transfer_group_set_transfer_behavior(
    group: netrt_handle,
    value: i32,
) -> netrt_hresult {
    ffi!("netrt_background_transfer_group_set_transfer_behavior", {
        let behavior = BackgroundTransferBehavior::from_raw(value)?;
        get!(group, BackgroundTransferGroup).set_transfer_behavior(behavior);
        Ok(())
    })
}

/// `BackgroundTransferContentPart()` (`name` and `file_name` NULL), `(name)` (`file_name`
/// NULL: a form field) or `(name, fileName)` (a file field). `*out` (not NULL) receives a new
/// reference. Errors: `E_POINTER` (a file name without a name).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_transfer_content_part_create(
    name: *const c_char,
    file_name: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_transfer_content_part_create", {
        let out = Out::new(out, "out")?;
        let part = match (name.is_null(), file_name.is_null()) {
            (true, true) => BackgroundTransferContentPart::new(),
            (false, true) => BackgroundTransferContentPart::with_name(str_in(name, "name")?),
            _ => BackgroundTransferContentPart::with_file_name(
                str_in(name, "name")?,
                str_in(file_name, "file_name")?,
            ),
        };
        out.write(handle::issue_new(Value::BackgroundTransferContentPart(part))?);
        Ok(())
    })
}

/// `BackgroundTransferContentPart.SetHeader(headerName, headerValue)` (both UTF-8, not NULL).
/// Errors: handle checks, `E_POINTER`, `E_INVALIDARG` for a name or value that is not a valid
/// header.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_transfer_content_part_set_header(
    part: netrt_handle,
    header_name: *const c_char,
    header_value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_background_transfer_content_part_set_header", {
        get!(part, BackgroundTransferContentPart)
            .set_header(str_in(header_name, "header_name")?, str_in(header_value, "header_value")?)
    })
}

/// `BackgroundTransferContentPart.SetText(value)` (UTF-8, not NULL): the part's content;
/// replaces a file. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_transfer_content_part_set_text(
    part: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_background_transfer_content_part_set_text", {
        get!(part, BackgroundTransferContentPart).set_text(str_in(value, "value")?);
        Ok(())
    })
}

/// `BackgroundTransferContentPart.SetFile(value)`: a StorageFile handle whose bytes are the
/// part's content, read when the upload runs; replaces text. Errors: handle checks (both).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_transfer_content_part_set_file(
    part: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_background_transfer_content_part_set_file", {
        let file = get!(value, StorageFile);
        get!(part, BackgroundTransferContentPart).set_file(&file);
        Ok(())
    })
}

/// `ResponseInformation.ActualUri`: the URI of the final response (after redirects). `*out`
/// (not NULL) receives a new Uri reference. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_response_information_get_actual_uri(
    info: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_response_information_get_actual_uri", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::Uri(get!(info, ResponseInformation).actual_uri()))?);
        Ok(())
    })
}

/// `ResponseInformation.StatusCode`. Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_response_information_get_status_code(
    info: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_response_information_get_status_code", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(info, ResponseInformation).status_code());
        Ok(())
    })
}

/// `ResponseInformation.IsResumable`: the server accepts range requests for this resource.
/// Errors: handle checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_response_information_get_is_resumable(
    info: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_response_information_get_is_resumable", {
        let out = Out::new(out_value, "out_value")?;
        out.write(get!(info, ResponseInformation).is_resumable());
        Ok(())
    })
}

/// `ResponseInformation.Headers` (a read-only map): the number of headers. Errors: handle
/// checks, `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_response_information_get_header_count(
    info: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_response_information_get_header_count", {
        let out = Out::new(out_value, "out_value")?;
        let count = get!(info, ResponseInformation).headers().len();
        out.write(u32::try_from(count).unwrap_or(u32::MAX));
        Ok(())
    })
}

/// `ResponseInformation.Headers`: the name of header `index` (in the order received). String
/// out as `netrt_background_transfer_group_get_name`. Errors: handle checks, `E_BOUNDS` past
/// the end.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_response_information_get_header_name_at(
    info: netrt_handle,
    index: u32,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_response_information_get_header_name_at", {
        let headers = get!(info, ResponseInformation).headers();
        let (name, _) = headers.get(index as usize).ok_or_else(|| {
            netrt_core::Error::new(
                netrt_core::error::hresult::E_BOUNDS,
                format!("header {index} of {}", headers.len()),
            )
        })?;
        str_out(name, buf, len, needed)
    })
}

/// `ResponseInformation.Headers.Lookup(name)`: the value of header `name` (UTF-8, not NULL;
/// case-insensitive). String out as `netrt_background_transfer_group_get_name`. Errors: handle
/// checks, `E_POINTER`, `E_BOUNDS` when there is no such header (as IMapView.Lookup).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_response_information_lookup_header(
    info: netrt_handle,
    name: *const c_char,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_response_information_lookup_header", {
        let name = str_in(name, "name")?;
        let headers = get!(info, ResponseInformation).headers();
        let (_, value) = headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).ok_or_else(|| {
            netrt_core::Error::new(netrt_core::error::hresult::E_BOUNDS, format!("no header {name:?}"))
        })?;
        str_out(value, buf, len, needed)
    })
}

/// `BackgroundTransferError.GetStatus(hresult)`: the WebErrorStatus a failed transfer's HRESULT
/// stands for (`UNKNOWN` for others). Cannot fail.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_background_transfer_error_get_status(
    hresult: netrt_hresult,
) -> netrt_web_error_status {
    crate::boundary::run_value(netrt_web_error_status::Unknown, || {
        BackgroundTransferError::get_status(hresult).into()
    })
}
