//! `Windows.Web.AtomPub.AtomPubClient` (docs/syndication.md): RFC 5023 publishing. Every
//! method is an operation with progress (`netrt_async_set_progress`); HTTP, ETags and the
//! entry format are core's. Core takes and gives media resources as bytes: the streams WinRT
//! has there are read to their end here, or made over the bytes received.

use std::ffi::c_char;
use std::sync::Arc;

use netrt_core::Error;
use netrt_core::io::memory::MemorySource;
use netrt_core::io::{InputStream, InputStreamOptions};
use netrt_core::web::atompub::AtomPubClient;

use crate::async_op::OpResult;
use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::credential::{credential_opt, issue_opt};
use crate::handle;
use crate::object::{Object, Value, get};
use crate::strings::{str_in, str_in_or_empty};
use crate::syndication_state::{Path, feed_value, item_core, item_value};

fn client(h: netrt_handle) -> Result<AtomPubClient, Error> {
    Ok(get!(h, AtomPubClient))
}

/// The core item behind a SyndicationItem handle.
fn item_arg(h: netrt_handle) -> Result<netrt_core::web::syndication::SyndicationItem, Error> {
    item_core(&*handle::lookup(h, Some(crate::enums::netrt_kind::SyndicationItem))?, &Path::root())
}

/// Issues an operation handle into `out`.
fn op_out(out: *mut netrt_handle, start: impl FnOnce() -> Result<netrt_handle, Error>) -> Result<(), Error> {
    let out = Out::new(out, "out_op")?;
    out.write(start()?);
    Ok(())
}

/// `AtomPubClient()`. `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_create(out: *mut netrt_handle) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_create", {
        let out = Out::new(out, "out")?;
        out.write(handle::issue_new(Value::AtomPubClient(AtomPubClient::new()))?);
        Ok(())
    })
}

/// `AtomPubClient(serverCredential)` (ABI name CreateAtomPubClientWithCredentials): a
/// PasswordCredential handle (not 0). `out` (not NULL) receives a new reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_create_atom_pub_client_with_credentials(
    server_credential: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_create_atom_pub_client_with_credentials", {
        let out = Out::new(out, "out")?;
        let credential = get!(server_credential, PasswordCredential);
        out.write(handle::issue_new(Value::AtomPubClient(AtomPubClient::with_credential(credential)))?);
        Ok(())
    })
}

/// `RetrieveServiceDocumentAsync(uri)`: `IAsyncOperationWithProgress<ServiceDocument,
/// RetrievalProgress>`; `netrt_async_get_results_handle` gives the ServiceDocument. `uri` a
/// Uri handle (http or https). Errors: synchronously the handle checks, `E_POINTER`,
/// `E_INVALIDARG` for another scheme; through the operation as
/// `netrt_syndication_client_retrieve_feed_async`, and `WEB_E_UNSUPPORTED_FORMAT` for a
/// document that is not a service document.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_retrieve_service_document_async(
    client_h: netrt_handle,
    uri: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_retrieve_service_document_async", {
        let (client, uri) = (client(client_h)?, get!(uri, Uri));
        op_out(out_op, || {
            crate::async_progress::start(move |report| async move {
                let doc = client.retrieve_service_document(&uri, move |p| report(p.into())).await?;
                Ok(OpResult::Object(Object::new(crate::atompub_service::service_document_value(&doc))))
            })
        })
    })
}

/// `RetrieveFeedAsync(uri)`: a collection's feed, `IAsyncOperationWithProgress<SyndicationFeed,
/// RetrievalProgress>`. As `netrt_atom_pub_client_retrieve_service_document_async`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_retrieve_feed_async(
    client_h: netrt_handle,
    uri: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_retrieve_feed_async", {
        let (client, uri) = (client(client_h)?, get!(uri, Uri));
        op_out(out_op, || {
            crate::async_progress::start(move |report| async move {
                let feed = client.retrieve_feed(&uri, move |p| report(p.into())).await?;
                Ok(OpResult::Object(Object::new(feed_value(&feed))))
            })
        })
    })
}

/// `RetrieveResourceAsync(uri)`: one entry (its ETag from the response),
/// `IAsyncOperationWithProgress<SyndicationItem, RetrievalProgress>`. As
/// `netrt_atom_pub_client_retrieve_service_document_async`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_retrieve_resource_async(
    client_h: netrt_handle,
    uri: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_retrieve_resource_async", {
        let (client, uri) = (client(client_h)?, get!(uri, Uri));
        op_out(out_op, || {
            crate::async_progress::start(move |report| async move {
                let item = client.retrieve_resource(&uri, move |p| report(p.into())).await?;
                Ok(OpResult::Object(Object::new(item_value(&item))))
            })
        })
    })
}

/// `CreateResourceAsync(uri, description, item)`: POSTs `item` (a SyndicationItem handle, as
/// it is now) to the collection at `uri`, `description` (NULL is "") as its Slug;
/// `IAsyncOperationWithProgress<SyndicationItem, TransferProgress>` giving the entry the
/// server made. Errors as `netrt_atom_pub_client_retrieve_service_document_async`; a status
/// other than 201 as `HTTP_E_STATUS_*`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_create_resource_async(
    client_h: netrt_handle,
    uri: netrt_handle,
    description: *const c_char,
    item: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_create_resource_async", {
        let (client, uri) = (client(client_h)?, get!(uri, Uri));
        let description = str_in_or_empty(description, "description")?.to_owned();
        let item = item_arg(item)?;
        op_out(out_op, || {
            crate::async_progress::start(move |report| async move {
                let made =
                    client.create_resource(&uri, &description, &item, move |p| report(p.into())).await?;
                Ok(OpResult::Object(Object::new(item_value(&made))))
            })
        })
    })
}

/// `UpdateResourceAsync(uri, item)`: PUTs `item` to `uri` (with `If-Match` from its ETag);
/// `IAsyncActionWithProgress<TransferProgress>`. Errors as
/// `netrt_atom_pub_client_create_resource_async`; a stale ETag is `HTTP_E_STATUS_PRECOND_FAILED`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_update_resource_async(
    client_h: netrt_handle,
    uri: netrt_handle,
    item: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_update_resource_async", {
        let (client, uri, item) = (client(client_h)?, get!(uri, Uri), item_arg(item)?);
        op_out(out_op, || {
            crate::async_progress::start(move |report| async move {
                client.update_resource(&uri, &item, move |p| report(p.into())).await?;
                Ok(OpResult::Unit)
            })
        })
    })
}

/// `UpdateResourceItemAsync(item)`: PUTs `item` to its own edit URI. As
/// `netrt_atom_pub_client_update_resource_async` (`E_INVALIDARG` when it has no edit link).
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_update_resource_item_async(
    client_h: netrt_handle,
    item: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_update_resource_item_async", {
        let (client, item) = (client(client_h)?, item_arg(item)?);
        op_out(out_op, || {
            crate::async_progress::start(move |report| async move {
                client.update_resource_item(&item, move |p| report(p.into())).await?;
                Ok(OpResult::Unit)
            })
        })
    })
}

/// `DeleteResourceAsync(uri)`: `IAsyncActionWithProgress<TransferProgress>`. As
/// `netrt_atom_pub_client_retrieve_service_document_async`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_delete_resource_async(
    client_h: netrt_handle,
    uri: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_delete_resource_async", {
        let (client, uri) = (client(client_h)?, get!(uri, Uri));
        op_out(out_op, || {
            crate::async_progress::start(move |report| async move {
                client.delete_resource(&uri, move |p| report(p.into())).await?;
                Ok(OpResult::Unit)
            })
        })
    })
}

/// `DeleteResourceItemAsync(item)`: deletes the item at its edit URI. As
/// `netrt_atom_pub_client_update_resource_item_async`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_delete_resource_item_async(
    client_h: netrt_handle,
    item: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_delete_resource_item_async", {
        let (client, item) = (client(client_h)?, item_arg(item)?);
        op_out(out_op, || {
            crate::async_progress::start(move |report| async move {
                client.delete_resource_item(&item, move |p| report(p.into())).await?;
                Ok(OpResult::Unit)
            })
        })
    })
}

/// All of a media stream's bytes, read to its end.
async fn read_to_end(stream: InputStream) -> Result<Vec<u8>, Error> {
    let mut all = Vec::new();
    loop {
        let chunk = stream.read(64 * 1024, InputStreamOptions::Partial).await?;
        if chunk.is_empty() {
            return Ok(all);
        }
        all.extend_from_slice(&chunk);
    }
}

/// `RetrieveMediaResourceAsync(uri)`: `IAsyncOperationWithProgress<IInputStream,
/// RetrievalProgress>`; `netrt_async_get_results_handle` gives an InputStream over the bytes
/// received (read it with `netrt_input_stream_read_async` or a DataReader). As
/// `netrt_atom_pub_client_retrieve_service_document_async`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_retrieve_media_resource_async(
    client_h: netrt_handle,
    uri: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_retrieve_media_resource_async", {
        let (client, uri) = (client(client_h)?, get!(uri, Uri));
        op_out(out_op, || {
            crate::async_progress::start(move |report| async move {
                let bytes = client.retrieve_media_resource(&uri, move |p| report(p.into())).await?;
                let stream = InputStream::new(Arc::new(MemorySource::new(bytes)));
                Ok(OpResult::Object(Object::new(Value::InputStream(stream))))
            })
        })
    })
}

/// `CreateMediaResourceAsync(uri, mediaType, description, mediaStream)`: POSTs the bytes of
/// `media_stream` (an InputStream handle, read to its end first) as `media_type` (not NULL)
/// with `description` (NULL is "") as its Slug; `IAsyncOperationWithProgress<SyndicationItem,
/// TransferProgress>` giving the media link entry. Errors as
/// `netrt_atom_pub_client_create_resource_async`, and the stream's read failures.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_create_media_resource_async(
    client_h: netrt_handle,
    uri: netrt_handle,
    media_type: *const c_char,
    description: *const c_char,
    media_stream: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_create_media_resource_async", {
        let (client, uri) = (client(client_h)?, get!(uri, Uri));
        let media_type = str_in(media_type, "media_type")?.to_owned();
        let description = str_in_or_empty(description, "description")?.to_owned();
        let stream = get!(media_stream, InputStream);
        op_out(out_op, || {
            crate::async_progress::start(move |report| async move {
                let bytes = read_to_end(stream).await?;
                let made = client
                    .create_media_resource(&uri, &media_type, &description, bytes, move |p| report(p.into()))
                    .await?;
                Ok(OpResult::Object(Object::new(item_value(&made))))
            })
        })
    })
}

/// `UpdateMediaResourceAsync(uri, mediaType, mediaStream)`: PUTs the bytes of `media_stream`
/// (read to its end first) as `media_type` (not NULL); `IAsyncActionWithProgress<TransferProgress>`.
/// Errors as `netrt_atom_pub_client_update_resource_async`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_update_media_resource_async(
    client_h: netrt_handle,
    uri: netrt_handle,
    media_type: *const c_char,
    media_stream: netrt_handle,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_update_media_resource_async", {
        let (client, uri) = (client(client_h)?, get!(uri, Uri));
        let media_type = str_in(media_type, "media_type")?.to_owned();
        let stream = get!(media_stream, InputStream);
        op_out(out_op, || {
            crate::async_progress::start(move |report| async move {
                let bytes = read_to_end(stream).await?;
                client.update_media_resource(&uri, &media_type, bytes, move |p| report(p.into())).await?;
                Ok(OpResult::Unit)
            })
        })
    })
}

/// `CancelAsyncOperations()`: every operation of this client in flight ends Canceled.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_cancel_async_operations(client_h: netrt_handle) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_cancel_async_operations", {
        client(client_h)?.cancel_async_operations();
        Ok(())
    })
}

/// `SetRequestHeader(name, value)`. As `netrt_syndication_client_set_request_header`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_set_request_header(
    client_h: netrt_handle,
    name: *const c_char,
    value: *const c_char,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_set_request_header", {
        client(client_h)?.set_request_header(str_in(name, "name")?, str_in(value, "value")?)
    })
}

/// `Timeout` (get): milliseconds a retrieval may take in all. `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_get_timeout(
    client_h: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_get_timeout", {
        let out = Out::new(out_value, "out_value")?;
        out.write(client(client_h)?.timeout());
        Ok(())
    })
}

/// `Timeout` (set): milliseconds.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_set_timeout(client_h: netrt_handle, value: u32) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_set_timeout", {
        client(client_h)?.set_timeout(value);
        Ok(())
    })
}

/// `MaxResponseBufferSize` (get): the largest response body accepted, in bytes.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_get_max_response_buffer_size(
    client_h: netrt_handle,
    out_value: *mut u32,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_get_max_response_buffer_size", {
        let out = Out::new(out_value, "out_value")?;
        out.write(client(client_h)?.max_response_buffer_size());
        Ok(())
    })
}

/// `MaxResponseBufferSize` (set): bytes; a larger response fails with `WEB_E_RESOURCE_TOO_LARGE`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_set_max_response_buffer_size(
    client_h: netrt_handle,
    value: u32,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_set_max_response_buffer_size", {
        client(client_h)?.set_max_response_buffer_size(value);
        Ok(())
    })
}

/// `BypassCacheOnRetrieve` (get). `out_value` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_get_bypass_cache_on_retrieve(
    client_h: netrt_handle,
    out_value: *mut bool,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_get_bypass_cache_on_retrieve", {
        let out = Out::new(out_value, "out_value")?;
        out.write(client(client_h)?.bypass_cache_on_retrieve());
        Ok(())
    })
}

/// `BypassCacheOnRetrieve` (set): true sends every request unconditionally.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_set_bypass_cache_on_retrieve(
    client_h: netrt_handle,
    value: bool,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_set_bypass_cache_on_retrieve", {
        client(client_h)?.set_bypass_cache_on_retrieve(value);
        Ok(())
    })
}

/// `ServerCredential` (get): the PasswordCredential (the same object), or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_get_server_credential(
    client_h: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_get_server_credential", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(client(client_h)?.server_credential())?);
        Ok(())
    })
}

/// `ServerCredential` (set): a PasswordCredential handle, or 0 for none.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_set_server_credential(
    client_h: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_set_server_credential", {
        client(client_h)?.set_server_credential(credential_opt(value)?);
        Ok(())
    })
}

/// `ProxyCredential` (get): the PasswordCredential, or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_get_proxy_credential(
    client_h: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_get_proxy_credential", {
        let out = Out::new(out, "out")?;
        out.write(issue_opt(client(client_h)?.proxy_credential())?);
        Ok(())
    })
}

/// `ProxyCredential` (set): a PasswordCredential handle, or 0 for none.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_atom_pub_client_set_proxy_credential(
    client_h: netrt_handle,
    value: netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_atom_pub_client_set_proxy_credential", {
        client(client_h)?.set_proxy_credential(credential_opt(value)?);
        Ok(())
    })
}
