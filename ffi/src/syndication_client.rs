//! `Windows.Web.Syndication.SyndicationClient` (docs/syndication.md): RetrieveFeedAsync, an
//! operation with RetrievalProgress (`netrt_async_set_progress`), and the ISyndicationClient
//! settings. HTTP, caching, credentials and parsing are core's.

use std::ffi::c_char;

use netrt_core::Error;
use netrt_core::web::syndication::SyndicationClient;

use crate::async_op::OpResult;
use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::credential::{credential_opt, issue_opt};
use crate::handle;
use crate::object::{Object, Value, get};
use crate::strings::str_in;
use crate::syndication_state::feed_value;

fn client(h: netrt_handle) -> Result<SyndicationClient, Error> {
    Ok(get!(h, SyndicationClient))
}

/// `SyndicationClient()`. `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_client_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_syndication_client_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::SyndicationClient(SyndicationClient::new()))?);
        Ok(())
    })
}

/// `SyndicationClient(serverCredential)` (ABI name CreateSyndicationClient): a
/// PasswordCredential handle (not 0), shared with the caller. `out` (not NULL) receives a new
/// reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_client_create_syndication_client(
    server_credential: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_client_create_syndication_client", {
        let out = Out::new(out, "out")?;
        let credential = get!(server_credential, PasswordCredential);
        out.write(handle::issue_new(Value::SyndicationClient(SyndicationClient::with_credential(
            credential,
        )))?);
        Ok(())
    })
}

/// `SyndicationClient.RetrieveFeedAsync(uri)`: an `IAsyncOperationWithProgress<SyndicationFeed,
/// RetrievalProgress>`. `uri` a Uri handle (http or https). `*out_op` (not NULL) receives the
/// operation; `netrt_async_get_results_handle` gives the SyndicationFeed, and
/// `netrt_async_set_progress` / `netrt_async_get_progress` the bytes retrieved so far.
/// Errors (synchronous): handle checks; `E_INVALIDARG` for another scheme. Through the
/// operation: network and TLS failures, `HTTP_E_STATUS_*` for an HTTP failure status (401,
/// 404, 407, ...), `WININET_E_TIMEOUT` (the Timeout), `WEB_E_RESOURCE_TOO_LARGE`
/// (MaxResponseBufferSize) and the feed's parse errors (`netrt_syndication_error_get_status`).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_client_retrieve_feed_async(
    client_h: netrt_handle,
    uri: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_client_retrieve_feed_async", {
        let out = Out::new(out_op, "out_op")?;
        let client = client(client_h)?;
        let uri = get!(uri, Uri);
        out.write(crate::async_progress::start(move |report| async move {
            // Called here, not outside: the future borrows the client and the URI.
            let feed = client.retrieve_feed_with_progress(&uri, move |p| report(p.into())).await?;
            Ok(OpResult::Object(Object::new(feed_value(&feed))))
        })?);
        Ok(())
    })
}

/// `SetRequestHeader(name, value)`: sent with every request (a name set again gets the new
/// value appended after a comma). Both not NULL. Errors: `E_INVALIDARG` for a name or value
/// HTTP does not allow.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_client_set_request_header(
    client_h: netrt_handle,
    name: *const c_char,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_syndication_client_set_request_header", {
        client(client_h)?.set_request_header(str_in(name, "name")?, str_in(value, "value")?)
    })
}

/// `Timeout` (get): milliseconds a retrieval may take in all. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_client_get_timeout(
    client_h: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_syndication_client_get_timeout", {
        let out = Out::new(out_value, "out_value")?;
        out.write(client(client_h)?.timeout());
        Ok(())
    })
}

/// `Timeout` (set): milliseconds.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_client_set_timeout(client_h: netrt_handle, value: u32) -> netrt_hresult {
    ffi!("netrt_syndication_client_set_timeout", {
        client(client_h)?.set_timeout(value);
        Ok(())
    })
}

/// `MaxResponseBufferSize` (get): the largest response body accepted, in bytes.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_client_get_max_response_buffer_size(
    client_h: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_syndication_client_get_max_response_buffer_size", {
        let out = Out::new(out_value, "out_value")?;
        out.write(client(client_h)?.max_response_buffer_size());
        Ok(())
    })
}

/// `MaxResponseBufferSize` (set): bytes; a larger response fails with `WEB_E_RESOURCE_TOO_LARGE`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_client_set_max_response_buffer_size(
    client_h: netrt_handle,
    value: u32,
) -> netrt_hresult {
    ffi!("netrt_syndication_client_set_max_response_buffer_size", {
        client(client_h)?.set_max_response_buffer_size(value);
        Ok(())
    })
}

/// `BypassCacheOnRetrieve` (get). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_client_get_bypass_cache_on_retrieve(
    client_h: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_syndication_client_get_bypass_cache_on_retrieve", {
        let out = Out::new(out_value, "out_value")?;
        out.write(client(client_h)?.bypass_cache_on_retrieve());
        Ok(())
    })
}

/// `BypassCacheOnRetrieve` (set): true sends every request unconditionally.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_client_set_bypass_cache_on_retrieve(
    client_h: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_syndication_client_set_bypass_cache_on_retrieve", {
        client(client_h)?.set_bypass_cache_on_retrieve(value);
        Ok(())
    })
}

/// `ServerCredential` (get): the PasswordCredential (the same object), or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_client_get_server_credential(
    client_h: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_client_get_server_credential", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(client(client_h)?.server_credential())?);
        Ok(())
    })
}

/// `ServerCredential` (set): a PasswordCredential handle, or 0 for none.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_client_set_server_credential(
    client_h: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_client_set_server_credential", {
        client(client_h)?.set_server_credential(credential_opt(value)?);
        Ok(())
    })
}

/// `ProxyCredential` (get): the PasswordCredential, or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_client_get_proxy_credential(
    client_h: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_client_get_proxy_credential", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(client(client_h)?.proxy_credential())?);
        Ok(())
    })
}

/// `ProxyCredential` (set): a PasswordCredential handle, or 0 for none.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_syndication_client_set_proxy_credential(
    client_h: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_syndication_client_set_proxy_credential", {
        client(client_h)?.set_proxy_credential(credential_opt(value)?);
        Ok(())
    })
}
