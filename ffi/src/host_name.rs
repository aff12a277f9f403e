//! `Windows.Networking.HostName` and `EndpointPair`.

use std::ffi::c_char;

use netrt_core::net::{EndpointPair, HostName};

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::enums::{netrt_host_name_type, netrt_kind};
use crate::handle;
use crate::object::{Value, get};
use crate::strings::{str_in, str_in_or_empty, str_out};

/// Issues a handle for `host`, or 0 for "null".
pub(crate) fn issue_opt(host: Option<HostName>) -> Result<netrt_handle, netrt_core::Error> {
    match host {
        Some(h) => handle::issue_new(Value::HostName(h)),
        None => Ok(0),
    }
}

/// The HostName behind an optional handle argument (0 = null).
pub(crate) fn host_opt(h: netrt_handle) -> Result<Option<HostName>, netrt_core::Error> {
    Ok(match handle::lookup_opt(h, netrt_kind::HostName)? {
        Some(obj) => match &obj.value {
            Value::HostName(host) => Some(host.clone()),
            _ => return Err(handle::wrong_kind()),
        },
        None => None,
    })
}

/// `HostName(hostName)`: a DNS name or an IPv4/IPv6 literal (IPv6 may carry brackets and a
/// `%zone`). `host_name` is UTF-8, NUL-terminated, not NULL; `out` receives a new reference.
/// Errors: `E_POINTER`; `E_INVALIDARG` for an empty or malformed name; `0x80070459` for invalid
/// UTF-8. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_host_name_create(host_name: *const c_char, out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_host_name_create", {
        let out = Out::new(out, "out")?;
        let host = HostName::new(str_in(host_name, "host_name")?)?;
        out.write(handle::issue_new(Value::HostName(host))?);
        Ok(())
    })
}

/// `Type`. `out_type` must not be NULL. Errors: the handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_host_name_get_type(
    host: netrt_handle,
    out_type: *mut netrt_host_name_type,
) -> netrt_hresult {
    ffi!("netrt_host_name_get_type", {
        let out = Out::new(out_type, "out_type")?;
        out.write(get!(host, HostName).host_type().into());
        Ok(())
    })
}

/// `RawName`: exactly the string given to the constructor. String out: NUL-terminated into
/// `buf`/`len`; `*needed` (not NULL) always receives the size including the NUL; too small →
/// `0x8007007A` with only `*needed` written; `buf` may be NULL when `len` is 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_host_name_get_raw_name(
    host: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_host_name_get_raw_name", { str_out(get!(host, HostName).raw_name(), buf, len, needed) })
}

/// `CanonicalName`: lowercase ASCII (IDNA) for names, the normalised literal for addresses.
/// String out as `netrt_host_name_get_raw_name`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_host_name_get_canonical_name(
    host: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_host_name_get_canonical_name", {
        str_out(get!(host, HostName).canonical_name(), buf, len, needed)
    })
}

/// `DisplayName`: the Unicode form for names, the normalised literal for addresses.
/// String out as `netrt_host_name_get_raw_name`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_host_name_get_display_name(
    host: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_host_name_get_display_name", {
        str_out(get!(host, HostName).display_name(), buf, len, needed)
    })
}

/// `IsEqual(hostName)`: true when the canonical names are equal. Both handles must be
/// HostNames; `out_equal` must not be NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_host_name_is_equal(
    host: netrt_handle,
    other: netrt_handle,
    out_equal: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_host_name_is_equal", {
        let out = Out::new(out_equal, "out_equal")?;
        let a = get!(host, HostName);
        let b = get!(other, HostName);
        out.write(a.is_equal(&b));
        Ok(())
    })
}

/// `HostName.Compare(value1, value2)` (static): -1, 0 or 1 by canonical form. Both strings
/// UTF-8, not NULL; `out_result` not NULL. Errors: `E_POINTER`; `E_INVALIDARG` when a string is
/// not a valid host name.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_host_name_compare(
    value1: *const c_char,
    value2: *const c_char,
    out_result: *mut i32,
) -> netrt_hresult {
    ffi!("netrt_host_name_compare", {
        let out = Out::new(out_result, "out_result")?;
        out.write(HostName::compare(str_in(value1, "value1")?, str_in(value2, "value2")?)?);
        Ok(())
    })
}

/// `EndpointPair(localHostName, localServiceName, remoteHostName, remoteServiceName)`.
///
/// Host handles may be 0 (null: the system chooses / not set); service strings may be NULL
/// (read as ""). The pair copies the host names. `out` receives a new reference.
/// Errors: `E_POINTER` (out); handle checks on non-zero hosts.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_endpoint_pair_create(
    local_host_name: netrt_handle,
    local_service_name: *const c_char,
    remote_host_name: netrt_handle,
    remote_service_name: *const c_char,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_endpoint_pair_create", {
        let out = Out::new(out, "out")?;
        let pair = EndpointPair::new(
            host_opt(local_host_name)?,
            str_in_or_empty(local_service_name, "local_service_name")?,
            host_opt(remote_host_name)?,
            str_in_or_empty(remote_service_name, "remote_service_name")?,
        );
        out.write(handle::issue_new(Value::EndpointPair(pair))?);
        Ok(())
    })
}

fn pair_of(h: netrt_handle) -> Result<EndpointPair, netrt_core::Error> {
    Ok(get!(h, EndpointPair))
}

/// `LocalHostName` (get): `*out` receives a new HostName reference, or 0 when null.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_endpoint_pair_get_local_host_name(
    pair: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_endpoint_pair_get_local_host_name", {
        let out = Out::new(out, "out")?;
        let host = pair_of(pair)?.local_host_name();
        out.write(issue_opt(host)?);
        Ok(())
    })
}

/// `LocalHostName` (set): `host` may be 0 (null).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_endpoint_pair_set_local_host_name(
    pair: netrt_handle,
    host: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_endpoint_pair_set_local_host_name", {
        let p = pair_of(pair)?;
        let host = host_opt(host)?;
        p.set_local_host_name(host);
        Ok(())
    })
}

/// `RemoteHostName` (get): a new HostName reference, or 0 when null.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_endpoint_pair_get_remote_host_name(
    pair: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_endpoint_pair_get_remote_host_name", {
        let out = Out::new(out, "out")?;
        let host = pair_of(pair)?.remote_host_name();
        out.write(issue_opt(host)?);
        Ok(())
    })
}

/// `RemoteHostName` (set): `host` may be 0 (null).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_endpoint_pair_set_remote_host_name(
    pair: netrt_handle,
    host: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_endpoint_pair_set_remote_host_name", {
        let p = pair_of(pair)?;
        let host = host_opt(host)?;
        p.set_remote_host_name(host);
        Ok(())
    })
}

/// `LocalServiceName` (get). String out as `netrt_host_name_get_raw_name`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_endpoint_pair_get_local_service_name(
    pair: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_endpoint_pair_get_local_service_name", {
        let s = pair_of(pair)?.local_service_name();
        str_out(&s, buf, len, needed)
    })
}

/// `LocalServiceName` (set); NULL is "".
#[unsafe(no_mangle)]
pub extern "C" fn netrt_endpoint_pair_set_local_service_name(
    pair: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_endpoint_pair_set_local_service_name", {
        let p = pair_of(pair)?;
        let v = str_in_or_empty(value, "value")?.to_owned();
        p.set_local_service_name(&v);
        Ok(())
    })
}

/// `RemoteServiceName` (get). String out as `netrt_host_name_get_raw_name`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_endpoint_pair_get_remote_service_name(
    pair: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_endpoint_pair_get_remote_service_name", {
        let s = pair_of(pair)?.remote_service_name();
        str_out(&s, buf, len, needed)
    })
}

/// `RemoteServiceName` (set); NULL is "".
#[unsafe(no_mangle)]
pub extern "C" fn netrt_endpoint_pair_set_remote_service_name(
    pair: netrt_handle,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_endpoint_pair_set_remote_service_name", {
        let p = pair_of(pair)?;
        let v = str_in_or_empty(value, "value")?.to_owned();
        p.set_remote_service_name(&v);
        Ok(())
    })
}

/// `HostName.IPInformation`: for an address assigned to a local interface (looked up when
/// called), a new `IPInformation` handle; 0 (null) for every other host name, DNS names
/// included. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_host_name_get_ip_information(
    host_name: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_host_name_get_ip_information", {
        let out = Out::new(out, "out")?;
        out.write(match get!(host_name, HostName).ip_information() {
            Some(info) => handle::issue_new(Value::IpInformation(info))?,
            None => 0,
        });
        Ok(())
    })
}

/// `IPInformation.NetworkAdapter`: always 0 (null) in netrt, which has no `NetworkAdapter`
/// (Windows-only). `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_ip_information_get_network_adapter(
    information: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_ip_information_get_network_adapter", {
        let out = Out::new(out, "out")?;
        let _ = get!(information, IpInformation);
        out.write(0);
        Ok(())
    })
}

/// `IPInformation.PrefixLength` (`IReference<UInt8>`): `*out_has_value` (not NULL) tells
/// whether there is a value; `*out_value` (not NULL) receives the prefix length only then.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_ip_information_get_prefix_length(
    information: netrt_handle,
    out_has_value: *mut bool,
    out_value: *mut u8,
) -> netrt_hresult {
    ffi!("netrt_ip_information_get_prefix_length", {
        let has = Out::new(out_has_value, "out_has_value")?;
        let out = Out::new(out_value, "out_value")?;
        let prefix = get!(information, IpInformation).prefix_length();
        has.write(prefix.is_some());
        if let Some(p) = prefix {
            out.write(p);
        }
        Ok(())
    })
}
