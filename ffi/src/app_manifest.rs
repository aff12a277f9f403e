//! netrt's app capabilities: the process's app manifest (docs/capabilities.md). Static
//! functions: a process has at most one manifest, so there is no handle.

use std::ffi::c_char;

use netrt_core::capability::{self, AppManifest};
use netrt_core::error::hresult::E_ILLEGAL_METHOD_CALL;
use netrt_core::foundation::Vector;

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::strings::{str_in, str_out};
use crate::vector::{VectorObject, issue as issue_vector};

fn loaded() -> Result<std::sync::Arc<AppManifest>, netrt_core::Error> {
    AppManifest::current()?.ok_or_else(|| {
        netrt_core::Error::new(E_ILLEGAL_METHOD_CALL, "no app manifest is loaded in this process")
    })
}

/// Loads the process's app manifest (a Package.appxmanifest) from `path` (UTF-8, not NULL)
/// and locks it: from then on every connect, bind, accept, datagram send and receive, and
/// client-certificate use is checked against it. Errors: `E_POINTER`; `E_INVALIDARG` for a
/// malformed manifest (the detail names the line and the problem); `0x80070002` when the
/// file does not exist; `E_ILLEGAL_METHOD_CALL` when a manifest is already loaded (also one
/// named by the `NETRT_MANIFEST` environment variable). Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_app_manifest_load(path: *const c_char) -> netrt_hresult {
    ffi!("netrt_app_manifest_load", {
        AppManifest::load(str_in(path, "path")?)?;
        Ok(())
    })
}

/// Whether an app manifest is loaded (reading `NETRT_MANIFEST` first if no network operation
/// has yet). `out_loaded` must not be NULL. Errors: `E_POINTER`; the load error when
/// `NETRT_MANIFEST` names a manifest that cannot be loaded.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_app_manifest_is_loaded(out_loaded: *mut bool) -> netrt_hresult {
    ffi!("netrt_app_manifest_is_loaded", {
        let out = Out::new(out_loaded, "out_loaded")?;
        out.write(AppManifest::current()?.is_some());
        Ok(())
    })
}

/// The path the loaded manifest was read from. String out: NUL-terminated into `buf`/`len`;
/// `*needed` (not NULL) always receives the size including the NUL; too small → `0x8007007A`.
/// Errors: `E_ILLEGAL_METHOD_CALL` when no manifest is loaded.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_app_manifest_get_source(
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_app_manifest_get_source", { str_out(loaded()?.source(), buf, len, needed) })
}

/// The declared capability names, in document order (`Capability`, `uap:Capability`,
/// `rescap:Capability`, `DeviceCapability`): a new read-only vector of strings
/// (`netrt_vector_get_at_string`). Errors: `E_POINTER`; `E_ILLEGAL_METHOD_CALL` when no
/// manifest is loaded.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_app_manifest_get_capabilities(out_vector: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_app_manifest_get_capabilities", {
        let out = Out::new(out_vector, "out_vector")?;
        out.write(issue_vector(VectorObject::Strings(Vector::view(loaded()?.capabilities())))?);
        Ok(())
    })
}

/// Whether capability `name` (UTF-8, not NULL; case-sensitive, as in manifests) is declared.
/// Errors: `E_POINTER`; `E_ILLEGAL_METHOD_CALL` when no manifest is loaded.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_app_manifest_has_capability(
    name: *const c_char,
    out_declared: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_app_manifest_has_capability", {
        let out = Out::new(out_declared, "out_declared")?;
        let name = str_in(name, "name")?;
        out.write(loaded()?.has_capability(name));
        Ok(())
    })
}

/// Would `direction` (`netrt_network_direction`) traffic with `address` (an IPv4 or IPv6
/// literal, UTF-8, not NULL) and `port` be allowed? Returns `NETRT_S_OK` when it would
/// (always, without a manifest), else the HRESULT the operation would fail with —
/// `0x8007271D` (WSAEACCES) for outbound, `NETRT_E_ACCESSDENIED` for listen and inbound — with
/// the reason in `netrt_get_last_error_detail`. Errors: `E_POINTER`; `E_INVALIDARG` for an
/// unknown direction or an address that is not an IP literal.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_app_manifest_check_access(
    direction: i32,
    address: *const c_char,
    port: u16,
) -> netrt_hresult {
    ffi!("netrt_app_manifest_check_access", {
        capability::check_address(direction, str_in(address, "address")?, port)
    })
}

/// How many accepted connections (`out_connections`) and received datagrams
/// (`out_datagrams`) the manifest has dropped in this process because their peer was not
/// allowed. Neither may be NULL. Errors: `E_POINTER`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_app_manifest_get_dropped_traffic(
    out_connections: *mut u64,
    out_datagrams: *mut u64,
) -> netrt_hresult {
    ffi!("netrt_app_manifest_get_dropped_traffic", {
        let connections = Out::new(out_connections, "out_connections")?;
        let datagrams = Out::new(out_datagrams, "out_datagrams")?;
        let dropped = capability::dropped_traffic();
        connections.write(dropped.connections);
        datagrams.write(dropped.datagrams);
        Ok(())
    })
}
