//! `AtomPubClient`: publishing to an AtomPub (RFC 5023) server (behaviour in core's
//! `netrt::web::atompub::AtomPubClient`; settings, cache and ETags are shared by every clone).
//!
//! Every operation reports progress as `SyndicationClient.retrieve_feed_async` does:
//! retrievals with `RetrievalProgress`, requests that send a body with `TransferProgress`.

use std::sync::Arc;

use netrt::io::memory::MemorySource;
use netrt::io::{InputStream, InputStreamOptions};
use netrt::web::ProxyChoice;
use netrt::web::atompub::{AtomPubClient, ServiceDocument};
use netrt::web::syndication::SyndicationItem;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::asyncop::{arity_error, none};
use crate::atompub_model::PyServiceDocument;
use crate::credential::{PyPasswordCredential, credential_obj};
use crate::errors::OrRaise;
use crate::progress_op::{PyOperationWithProgress, spawn_with_progress};
use crate::streams::PyInputStream;
use crate::syndication_client::{credential_arg, feed_result};
use crate::syndication_feed::PySyndicationItem;
use crate::syndication_node::type_of;
use crate::uri::uri_arg;
use crate::web_progress::{PyRetrievalProgress, PyTransferProgress};

/// `AtomPubClient`.
#[pyclass(module = "netrt", name = "AtomPubClient", frozen)]
pub struct PyAtomPubClient {
    inner: AtomPubClient,
}

type Operation = PyResult<Py<PyOperationWithProgress>>;

fn item_arg(obj: &Bound<'_, PyAny>) -> PyResult<SyndicationItem> {
    PySyndicationItem::to_core(obj)?.ok_or_else(|| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "item must be a SyndicationItem, not '{}'",
            type_of(obj)
        ))
    })
}

fn item_result(py: Python<'_>, item: SyndicationItem) -> PyResult<Py<PyAny>> {
    Ok(PySyndicationItem::new_object(py, &item)?.into_any())
}

fn service_result(py: Python<'_>, d: ServiceDocument) -> PyResult<Py<PyAny>> {
    PyServiceDocument::object(py, d)
}

/// A media resource's bytes as the `IInputStream` WinRT hands out (read to its end).
fn stream_result(py: Python<'_>, bytes: Vec<u8>) -> PyResult<Py<PyAny>> {
    let inner = InputStream::new(Arc::new(MemorySource::new(bytes)));
    Ok(Py::new(py, PyInputStream { inner })?.into_any())
}

/// Where a media resource's bytes come from: an `IInputStream` (read to its end when the
/// operation runs) or, as a netrt extension, any bytes-like object.
enum Media {
    Stream(InputStream),
    Bytes(Vec<u8>),
}

impl Media {
    fn arg(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(s) = obj.cast::<PyInputStream>() {
            return Ok(Self::Stream(s.get().inner.clone()));
        }
        match pyo3::buffer::PyBuffer::<u8>::get(obj) {
            Ok(buffer) => Ok(Self::Bytes(buffer.to_vec(obj.py())?)),
            Err(_) => Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "media_stream must be an IInputStream (or bytes-like), not '{}'",
                type_of(obj)
            ))),
        }
    }

    async fn bytes(self) -> netrt::Result<Vec<u8>> {
        match self {
            Self::Bytes(b) => Ok(b),
            Self::Stream(s) => {
                let mut out = Vec::new();
                while s.read_into(&mut out, 64 * 1024, InputStreamOptions::Partial).await? > 0 {}
                Ok(out)
            }
        }
    }
}

#[pymethods]
impl PyAtomPubClient {
    /// `AtomPubClient()` or `AtomPubClient(server_credential)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn new(args: &Bound<'_, PyTuple>) -> PyResult<Self> {
        let inner = match args.len() {
            0 => AtomPubClient::new(),
            1 => AtomPubClient::with_credential(
                args.get_item(0)?.cast::<PyPasswordCredential>()?.get().inner.clone(),
            ),
            _ => return Err(arity_error("AtomPubClient", "() or (server_credential)", args)),
        };
        Ok(Self { inner })
    }

    /// `RetrieveServiceDocumentAsync(uri)`: the server's workspaces and collections; a
    /// document that is not a service document fails with WEB_E_UNSUPPORTED_FORMAT.
    #[pyo3(signature = (uri, /))]
    fn retrieve_service_document_async(&self, py: Python<'_>, uri: &Bound<'_, PyAny>) -> Operation {
        let (c, uri) = (&self.inner, uri_arg(uri)?);
        spawn_with_progress(
            py,
            |r| c.retrieve_service_document(&uri, r),
            service_result,
            PyRetrievalProgress::object,
        )
    }

    /// `RetrieveFeedAsync(uri)`: a collection's feed.
    #[pyo3(signature = (uri, /))]
    fn retrieve_feed_async(&self, py: Python<'_>, uri: &Bound<'_, PyAny>) -> Operation {
        let (c, uri) = (&self.inner, uri_arg(uri)?);
        spawn_with_progress(py, |r| c.retrieve_feed(&uri, r), feed_result, PyRetrievalProgress::object)
    }

    /// `RetrieveResourceAsync(uri)`: one entry, with the server's ETag in `e_tag`.
    #[pyo3(signature = (uri, /))]
    fn retrieve_resource_async(&self, py: Python<'_>, uri: &Bound<'_, PyAny>) -> Operation {
        let (c, uri) = (&self.inner, uri_arg(uri)?);
        spawn_with_progress(py, |r| c.retrieve_resource(&uri, r), item_result, PyRetrievalProgress::object)
    }

    /// `RetrieveMediaResourceAsync(uri)`: the media resource as an `IInputStream` over its
    /// bytes (all of them have arrived when the operation completes).
    #[pyo3(signature = (uri, /))]
    fn retrieve_media_resource_async(&self, py: Python<'_>, uri: &Bound<'_, PyAny>) -> Operation {
        let (c, uri) = (&self.inner, uri_arg(uri)?);
        spawn_with_progress(
            py,
            |r| c.retrieve_media_resource(&uri, r),
            stream_result,
            PyRetrievalProgress::object,
        )
    }

    /// `CreateResourceAsync(uri, description, item)`: POSTs `item` to the collection at `uri`
    /// (`description` as its Slug); the result is the entry the server made (201), with its
    /// edit link and ETag.
    #[pyo3(signature = (uri, description, item, /))]
    fn create_resource_async(
        &self,
        py: Python<'_>,
        uri: &Bound<'_, PyAny>,
        description: &str,
        item: &Bound<'_, PyAny>,
    ) -> Operation {
        let (c, uri, item) = (&self.inner, uri_arg(uri)?, item_arg(item)?);
        spawn_with_progress(
            py,
            |r| c.create_resource(&uri, description, &item, r),
            item_result,
            PyTransferProgress::object,
        )
    }

    /// `CreateMediaResourceAsync(uri, media_type, description, media_stream)`: POSTs the
    /// stream's bytes to the collection; the result is the media link entry the server made.
    #[pyo3(signature = (uri, media_type, description, media_stream, /))]
    fn create_media_resource_async(
        &self,
        py: Python<'_>,
        uri: &Bound<'_, PyAny>,
        media_type: String,
        description: String,
        media_stream: &Bound<'_, PyAny>,
    ) -> Operation {
        let (c, uri, media) = (self.inner.clone(), uri_arg(uri)?, Media::arg(media_stream)?);
        spawn_with_progress(
            py,
            move |r| async move {
                let bytes = media.bytes().await?;
                c.create_media_resource(&uri, &media_type, &description, bytes, r).await
            },
            item_result,
            PyTransferProgress::object,
        )
    }

    /// `UpdateResourceAsync(uri, item)`: PUTs `item` to `uri` with `If-Match` (the item's
    /// `e_tag`, else the last ETag seen for `uri`); a stale one fails with 412
    /// (`WebErrorStatus.PRECONDITION_FAILED`).
    #[pyo3(signature = (uri, item, /))]
    fn update_resource_async(
        &self,
        py: Python<'_>,
        uri: &Bound<'_, PyAny>,
        item: &Bound<'_, PyAny>,
    ) -> Operation {
        let (c, uri, item) = (&self.inner, uri_arg(uri)?, item_arg(item)?);
        spawn_with_progress(py, |r| c.update_resource(&uri, &item, r), none, PyTransferProgress::object)
    }

    /// `UpdateResourceItemAsync(item)`: `update_resource_async` to the item's edit link
    /// (E_INVALIDARG, raised at once, when it has none).
    #[pyo3(signature = (item, /))]
    fn update_resource_item_async(&self, py: Python<'_>, item: &Bound<'_, PyAny>) -> Operation {
        let (c, item) = (&self.inner, item_arg(item)?);
        spawn_with_progress(py, |r| c.update_resource_item(&item, r), none, PyTransferProgress::object)
    }

    /// `UpdateMediaResourceAsync(uri, media_type, media_stream)`: PUTs new bytes with
    /// `If-Match` (the last ETag seen for `uri`).
    #[pyo3(signature = (uri, media_type, media_stream, /))]
    fn update_media_resource_async(
        &self,
        py: Python<'_>,
        uri: &Bound<'_, PyAny>,
        media_type: String,
        media_stream: &Bound<'_, PyAny>,
    ) -> Operation {
        let (c, uri, media) = (self.inner.clone(), uri_arg(uri)?, Media::arg(media_stream)?);
        spawn_with_progress(
            py,
            move |r| async move {
                let bytes = media.bytes().await?;
                c.update_media_resource(&uri, &media_type, bytes, r).await
            },
            none,
            PyTransferProgress::object,
        )
    }

    /// `DeleteResourceAsync(uri)`.
    #[pyo3(signature = (uri, /))]
    fn delete_resource_async(&self, py: Python<'_>, uri: &Bound<'_, PyAny>) -> Operation {
        let (c, uri) = (&self.inner, uri_arg(uri)?);
        spawn_with_progress(py, |r| c.delete_resource(&uri, r), none, PyTransferProgress::object)
    }

    /// `DeleteResourceItemAsync(item)`: deletes the item at its edit link (E_INVALIDARG, raised
    /// at once, when it has none).
    #[pyo3(signature = (item, /))]
    fn delete_resource_item_async(&self, py: Python<'_>, item: &Bound<'_, PyAny>) -> Operation {
        let (c, item) = (&self.inner, item_arg(item)?);
        spawn_with_progress(py, |r| c.delete_resource_item(&item, r), none, PyTransferProgress::object)
    }

    /// `CancelAsyncOperations()`: every operation of this client in flight ends Canceled; later
    /// ones run as usual.
    fn cancel_async_operations(&self) {
        self.inner.cancel_async_operations();
    }

    /// `SetRequestHeader(name, value)`: sent with every request (a name set again appends
    /// `,value`).
    #[pyo3(signature = (name, value, /))]
    fn set_request_header(&self, name: &str, value: &str) -> PyResult<()> {
        self.inner.set_request_header(name, value).or_raise()
    }

    /// `ServerCredential`: sent in answer to a 401 challenge.
    #[getter]
    fn server_credential(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        credential_obj(py, self.inner.server_credential())
    }
    #[setter]
    fn set_server_credential(&self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.inner.set_server_credential(credential_arg(value)?);
        Ok(())
    }

    /// `ProxyCredential`: sent in answer to a proxy's 407 challenge.
    #[getter]
    fn proxy_credential(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        credential_obj(py, self.inner.proxy_credential())
    }
    #[setter]
    fn set_proxy_credential(&self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.inner.set_proxy_credential(credential_arg(value)?);
        Ok(())
    }

    /// netrt: how requests reach the server, as `SyndicationClient.proxy`.
    #[getter]
    fn proxy(&self) -> Option<String> {
        self.inner.proxy().to_text()
    }
    #[setter]
    fn set_proxy(&self, value: Option<&str>) -> PyResult<()> {
        self.inner.set_proxy(ProxyChoice::from_text(value).or_raise()?);
        Ok(())
    }

    /// `Timeout` in milliseconds (default 30000; 0xFFFFFFFF waits forever).
    #[getter]
    fn timeout(&self) -> u32 {
        self.inner.timeout()
    }
    #[setter]
    fn set_timeout(&self, value: u32) {
        self.inner.set_timeout(value)
    }

    /// `MaxResponseBufferSize` in bytes.
    #[getter]
    fn max_response_buffer_size(&self) -> u32 {
        self.inner.max_response_buffer_size()
    }
    #[setter]
    fn set_max_response_buffer_size(&self, value: u32) {
        self.inner.set_max_response_buffer_size(value)
    }

    /// `BypassCacheOnRetrieve`.
    #[getter]
    fn bypass_cache_on_retrieve(&self) -> bool {
        self.inner.bypass_cache_on_retrieve()
    }
    #[setter]
    fn set_bypass_cache_on_retrieve(&self, value: bool) {
        self.inner.set_bypass_cache_on_retrieve(value)
    }
}
