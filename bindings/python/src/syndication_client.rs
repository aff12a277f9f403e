//! `SyndicationClient`: retrieves a feed over HTTP(S) (behaviour in core's
//! `netrt::web::syndication::SyndicationClient`; settings are shared by every clone).

use std::sync::{Arc, Mutex, MutexGuard};

use netrt::web::ProxyChoice;
use netrt::web::syndication::{RetrievalProgress, SyndicationClient, SyndicationFeed};
use pyo3::PyClassInitializer;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::asyncop::{IAsyncOperation, arity_error, spawn};
use crate::callbacks::call_python;
use crate::credential::{PyPasswordCredential, credential_obj};
use crate::errors::OrRaise;
use crate::syndication_feed::PySyndicationFeed;
use crate::uri::uri_arg;

/// `SyndicationClient`.
#[pyclass(module = "netrt", name = "SyndicationClient", frozen)]
pub struct PySyndicationClient {
    inner: SyndicationClient,
}

fn credential_arg(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<netrt::security::PasswordCredential>> {
    match value {
        Some(v) if !v.is_none() => Ok(Some(v.cast::<PyPasswordCredential>()?.get().inner.clone())),
        _ => Ok(None),
    }
}

fn feed_result(py: Python<'_>, feed: SyndicationFeed) -> PyResult<Py<PyAny>> {
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
        let slot: ProgressSlot = Arc::default();
        let retrieval = self.inner.retrieve_feed_with_progress(&uri, report_to(slot.clone()));
        let forget_handler = ForgetHandlerOnDrop(slot.clone());
        let op = spawn(
            async move {
                let _forget_handler = forget_handler;
                retrieval.await
            },
            feed_result,
        )?;
        Py::new(py, PyClassInitializer::from(op).add_subclass(PyOperationWithProgress { slot }))
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

/// The progress handler of an operation, and the operation it is called with while the
/// retrieval runs (dropped when it ends, so the two do not keep each other alive).
#[derive(Default)]
struct ProgressState {
    handler: Option<Py<PyAny>>,
    operation: Option<Py<PyAny>>,
    ended: bool,
}

type ProgressSlot = Arc<Mutex<ProgressState>>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Core's progress callback: calls the handler assigned to the operation, if any (the GIL is
/// taken only when there is one).
fn report_to(slot: ProgressSlot) -> impl Fn(RetrievalProgress) + Send + Sync + 'static {
    move |p| {
        if lock(&slot).operation.is_none() {
            return;
        }
        let slot = slot.clone();
        call_python("netrt: a retrieval's progress handler", move |py| {
            let state = lock(&slot);
            let call = state.handler.as_ref().zip(state.operation.as_ref());
            let call = call.map(|(h, op)| (h.clone_ref(py), op.clone_ref(py)));
            drop(state);
            if let Some((handler, op)) = call {
                let progress = PyRetrievalProgress {
                    bytes_retrieved: p.bytes_retrieved,
                    total_bytes_to_retrieve: p.total_bytes_to_retrieve,
                };
                handler.bind(py).call1((op, progress))?;
            }
            Ok(())
        })
    }
}

/// Ends the reports when the retrieval ends or is dropped: the operation is let go (pyo3 defers
/// the reference count change to the next time the GIL is held).
struct ForgetHandlerOnDrop(ProgressSlot);

impl Drop for ForgetHandlerOnDrop {
    fn drop(&mut self) {
        let mut state = lock(&self.0);
        state.ended = true;
        let operation = state.operation.take();
        drop(state);
        drop(operation);
    }
}

/// `RetrievalProgress`: how much of a feed has arrived.
#[pyclass(module = "netrt", name = "RetrievalProgress", frozen)]
pub struct PyRetrievalProgress {
    /// `BytesRetrieved`.
    #[pyo3(get)]
    bytes_retrieved: u32,
    /// `TotalBytesToRetrieve`: the declared length, 0 when the response declares none.
    #[pyo3(get)]
    total_bytes_to_retrieve: u32,
}

#[pymethods]
impl PyRetrievalProgress {
    fn __repr__(&self) -> String {
        format!(
            "RetrievalProgress(bytes_retrieved={}, total_bytes_to_retrieve={})",
            self.bytes_retrieved, self.total_bytes_to_retrieve
        )
    }
}

/// `IAsyncOperationWithProgress`: an `IAsyncOperation` that also reports progress.
#[pyclass(module = "netrt", name = "IAsyncOperationWithProgress", extends = IAsyncOperation, frozen)]
pub struct PyOperationWithProgress {
    slot: ProgressSlot,
}

#[pymethods]
impl PyOperationWithProgress {
    /// `Progress`: the handler, called as `handler(operation, progress)` on a netrt runtime
    /// thread as data arrives (asyncio code hands it to its loop with `call_soon_threadsafe`).
    /// Assigning again replaces it; reports stop when the operation ends.
    #[getter]
    fn progress(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        lock(&self.slot).handler.as_ref().map(|h| h.clone_ref(py))
    }

    #[setter]
    fn set_progress(slf: &Bound<'_, Self>, handler: Py<PyAny>) -> PyResult<()> {
        if !handler.bind(slf.py()).is_callable() {
            return Err(pyo3::exceptions::PyTypeError::new_err("progress must be callable"));
        }
        let mut state = lock(&slf.get().slot);
        let replaced = state.handler.replace(handler);
        if !state.ended {
            state.operation = Some(slf.clone().into_any().unbind());
        }
        drop(state);
        drop(replaced);
        Ok(())
    }
}
