//! `SyndicationClient`: retrieves a feed over HTTP(S) (behaviour in core's
//! `netrt::web::syndication::SyndicationClient`; settings are shared by every clone).

use netrt::web::ProxyChoice;
use netrt::web::syndication::{SyndicationClient, SyndicationFeed};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::asyncop::arity_error;
use crate::credential::{PyPasswordCredential, credential_obj};
use crate::errors::OrRaise;
use crate::progress_op::{PyOperationWithProgress, spawn_with_progress};
use crate::syndication_feed::PySyndicationFeed;
use crate::uri::uri_arg;
use crate::web_progress::PyRetrievalProgress;

/// `SyndicationClient`.
#[pyclass(module = "netrt", name = "SyndicationClient", frozen)]
pub struct PySyndicationClient {
    inner: SyndicationClient,
}

/// A `PasswordCredential` property value (`None` clears it).
pub fn credential_arg(
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<netrt::security::PasswordCredential>> {
    match value {
        Some(v) if !v.is_none() => Ok(Some(v.cast::<PyPasswordCredential>()?.get().inner.clone())),
        _ => Ok(None),
    }
}

pub fn feed_result(py: Python<'_>, feed: SyndicationFeed) -> PyResult<Py<PyAny>> {
    Ok(PySyndicationFeed::new_object(py, &feed)?.into_any())
}

#[pymethods]
impl PySyndicationClient {
    /// `SyndicationClient()` or `SyndicationClient(server_credential)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn new(args: &Bound<'_, PyTuple>) -> PyResult<Self> {
        let inner = match args.len() {
            0 => SyndicationClient::new(),
            1 => {
                let credential = args.get_item(0)?;
                SyndicationClient::with_credential(
                    credential.cast::<PyPasswordCredential>()?.get().inner.clone(),
                )
            }
            _ => return Err(arity_error("SyndicationClient", "() or (server_credential)", args)),
        };
        Ok(Self { inner })
    }

    /// `RetrieveFeedAsync(uri)`: GETs and parses the feed; `uri` is a `Uri` or (netrt) a
    /// `str`. E_INVALIDARG at once for a scheme other than http/https (the operation's first
    /// poll finds it); HTTP statuses, timeouts and parse errors through the operation.
    #[pyo3(signature = (uri, /))]
    fn retrieve_feed_async(
        &self,
        py: Python<'_>,
        uri: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyOperationWithProgress>> {
        let uri = uri_arg(uri)?;
        let client = &self.inner;
        spawn_with_progress(
            py,
            |report| client.retrieve_feed_with_progress(&uri, report),
            feed_result,
            PyRetrievalProgress::object,
        )
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

    /// netrt: how requests reach the server. `None` (the default): the proxy environment
    /// variables, as curl reads them; `""`: never a proxy; else an HTTP proxy URL,
    /// `http://host[:port]` (E_INVALIDARG otherwise). The getter gives `http://host:port` for an
    /// explicit proxy.
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
