//! The WebSocket event arguments (MessageReceived, Closed, ServerCustomValidationRequested)
//! and the `Deferral` that ServerCustomValidationRequested hands out.

use std::sync::Mutex;

use netrt::ws::{
    Deferral, MessageWebSocketMessageReceivedEventArgs, WebSocketClosedEventArgs,
    WebSocketServerCustomValidationRequestedEventArgs,
};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::certificate::{cert_list, chain_results, opt_cert_obj};
use crate::convert::py_enum;
use crate::data_io::PyDataReader;
use crate::errors::OrRaise;
use crate::streams::PyInputStream;

/// `MessageWebSocketMessageReceivedEventArgs`: a message, or the failure that ended the
/// connection (then `get_data_reader()` and `get_data_stream()` raise it).
#[pyclass(module = "netrt", name = "MessageWebSocketMessageReceivedEventArgs", frozen)]
pub struct PyMessageReceivedArgs {
    pub inner: MessageWebSocketMessageReceivedEventArgs,
}

#[pymethods]
impl PyMessageReceivedArgs {
    /// `GetDataReader()`: a DataReader with the whole message loaded.
    fn get_data_reader(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        PyDataReader::object(py, self.inner.get_data_reader().or_raise()?)
    }

    /// netrt extension: the message as `bytes` (one copy, no DataReader); raises the failure
    /// as `get_data_reader()` does.
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
        Ok(pyo3::types::PyBytes::new(py, self.inner.data_slice().or_raise()?))
    }

    /// `GetDataStream()`: an `IInputStream` over the message.
    fn get_data_stream(&self) -> PyResult<PyInputStream> {
        Ok(PyInputStream { inner: self.inner.get_data_stream().or_raise()? })
    }

    /// `MessageType`: a `SocketMessageType`.
    #[getter]
    fn message_type(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "SocketMessageType", self.inner.message_type() as i64)
    }

    #[getter]
    fn is_message_complete(&self) -> bool {
        self.inner.is_message_complete()
    }
}

/// `WebSocketClosedEventArgs`: the code and reason of the close frame that arrived.
#[pyclass(module = "netrt", name = "WebSocketClosedEventArgs", frozen)]
pub struct PyClosedArgs {
    pub inner: WebSocketClosedEventArgs,
}

#[pymethods]
impl PyClosedArgs {
    /// `Code` (1005 when the frame carried none).
    #[getter]
    fn code(&self) -> u16 {
        self.inner.code()
    }

    #[getter]
    fn reason(&self) -> &str {
        self.inner.reason()
    }
}

/// `WebSocketServerCustomValidationRequestedEventArgs` (wss:// only): raised after the
/// certificate passed validation, before any HTTP is sent.
#[pyclass(module = "netrt", name = "WebSocketServerCustomValidationRequestedEventArgs", frozen)]
pub struct PyValidationArgs {
    pub inner: WebSocketServerCustomValidationRequestedEventArgs,
}

#[pymethods]
impl PyValidationArgs {
    /// `Reject()`: `connect_async` fails with WININET_E_SEC_INVALID_CERT.
    fn reject(&self) {
        self.inner.reject()
    }

    /// `GetDeferral()`: the connect waits until the deferral is completed (or collected).
    fn get_deferral(&self) -> PyDeferral {
        PyDeferral { inner: Mutex::new(Some(self.inner.get_deferral())) }
    }

    #[getter]
    fn server_certificate(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        opt_cert_obj(py, self.inner.server_certificate())
    }

    #[getter]
    fn server_certificate_errors(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        chain_results(py, self.inner.server_certificate_errors())
    }

    #[getter]
    fn server_certificate_error_severity(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "SocketSslErrorSeverity", self.inner.server_certificate_error_severity() as i64)
    }

    #[getter]
    fn server_intermediate_certificates(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        cert_list(py, self.inner.server_intermediate_certificates())
    }
}

/// `Deferral` (Windows.Foundation): `complete()` when the decision is made; `close()` (or the
/// object being collected) completes it too.
#[pyclass(module = "netrt", name = "Deferral", frozen)]
pub struct PyDeferral {
    inner: Mutex<Option<Deferral>>,
}

impl PyDeferral {
    fn finish(&self) {
        if let Some(d) = self.inner.lock().unwrap_or_else(|e| e.into_inner()).take() {
            d.complete();
        }
    }
}

#[pymethods]
impl PyDeferral {
    /// `Complete()` (idempotent).
    fn complete(&self) {
        self.finish()
    }

    /// `Close()`.
    fn close(&self) {
        self.finish()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, PyTuple>) {
        self.finish()
    }
}
