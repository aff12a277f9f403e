//! The progress structs of `SyndicationClient` and `AtomPubClient`: `RetrievalProgress` and
//! `TransferProgress` (immutable values, keyword constructors, `unpack()`, `copy.replace`).

use netrt::web::syndication::{RetrievalProgress, TransferProgress};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// `RetrievalProgress`: how much of a response has arrived.
#[pyclass(module = "netrt", name = "RetrievalProgress", frozen, get_all, eq)]
#[derive(PartialEq, Clone, Copy)]
pub struct PyRetrievalProgress {
    /// `BytesRetrieved`.
    bytes_retrieved: u32,
    /// `TotalBytesToRetrieve`: the declared length, 0 when the response declares none.
    total_bytes_to_retrieve: u32,
}

impl PyRetrievalProgress {
    /// A report as the object a progress handler receives.
    pub fn object(py: Python<'_>, p: RetrievalProgress) -> PyResult<Py<PyAny>> {
        let this =
            Self { bytes_retrieved: p.bytes_retrieved, total_bytes_to_retrieve: p.total_bytes_to_retrieve };
        Ok(Py::new(py, this)?.into_any())
    }
}

#[pymethods]
impl PyRetrievalProgress {
    #[new]
    #[pyo3(signature = (bytes_retrieved = 0, total_bytes_to_retrieve = 0))]
    fn new(bytes_retrieved: u32, total_bytes_to_retrieve: u32) -> Self {
        Self { bytes_retrieved, total_bytes_to_retrieve }
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str) {
        ("bytes_retrieved", "total_bytes_to_retrieve")
    }

    /// The fields as a tuple, in declaration order (PyWinRT's `unpack()`).
    fn unpack(&self) -> (u32, u32) {
        (self.bytes_retrieved, self.total_bytes_to_retrieve)
    }

    /// A copy with some fields replaced (`copy.replace`).
    #[pyo3(signature = (**changes))]
    fn __replace__(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut out = *self;
        for (key, value) in changes.into_iter().flat_map(|d| d.iter()) {
            match key.extract::<String>()?.as_str() {
                "bytes_retrieved" => out.bytes_retrieved = value.extract()?,
                "total_bytes_to_retrieve" => out.total_bytes_to_retrieve = value.extract()?,
                other => return Err(unknown_field("RetrievalProgress", other)),
            }
        }
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!(
            "RetrievalProgress(bytes_retrieved={}, total_bytes_to_retrieve={})",
            self.bytes_retrieved, self.total_bytes_to_retrieve
        )
    }
}

/// `TransferProgress`: how much of a request has been sent and of its response received.
#[pyclass(module = "netrt", name = "TransferProgress", frozen, get_all, eq)]
#[derive(PartialEq, Clone, Copy)]
pub struct PyTransferProgress {
    /// `BytesSent`.
    bytes_sent: u32,
    /// `TotalBytesToSend`.
    total_bytes_to_send: u32,
    /// `BytesRetrieved`.
    bytes_retrieved: u32,
    /// `TotalBytesToRetrieve`: the declared length, 0 when the response declares none.
    total_bytes_to_retrieve: u32,
}

impl PyTransferProgress {
    /// A report as the object a progress handler receives.
    pub fn object(py: Python<'_>, p: TransferProgress) -> PyResult<Py<PyAny>> {
        let this = Self {
            bytes_sent: p.bytes_sent,
            total_bytes_to_send: p.total_bytes_to_send,
            bytes_retrieved: p.bytes_retrieved,
            total_bytes_to_retrieve: p.total_bytes_to_retrieve,
        };
        Ok(Py::new(py, this)?.into_any())
    }
}

#[pymethods]
impl PyTransferProgress {
    #[new]
    #[pyo3(signature = (bytes_sent = 0, total_bytes_to_send = 0, bytes_retrieved = 0, total_bytes_to_retrieve = 0))]
    fn new(
        bytes_sent: u32,
        total_bytes_to_send: u32,
        bytes_retrieved: u32,
        total_bytes_to_retrieve: u32,
    ) -> Self {
        Self { bytes_sent, total_bytes_to_send, bytes_retrieved, total_bytes_to_retrieve }
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str, &'static str, &'static str) {
        ("bytes_sent", "total_bytes_to_send", "bytes_retrieved", "total_bytes_to_retrieve")
    }

    /// The fields as a tuple, in declaration order (PyWinRT's `unpack()`).
    fn unpack(&self) -> (u32, u32, u32, u32) {
        (self.bytes_sent, self.total_bytes_to_send, self.bytes_retrieved, self.total_bytes_to_retrieve)
    }

    /// A copy with some fields replaced (`copy.replace`).
    #[pyo3(signature = (**changes))]
    fn __replace__(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut out = *self;
        for (key, value) in changes.into_iter().flat_map(|d| d.iter()) {
            match key.extract::<String>()?.as_str() {
                "bytes_sent" => out.bytes_sent = value.extract()?,
                "total_bytes_to_send" => out.total_bytes_to_send = value.extract()?,
                "bytes_retrieved" => out.bytes_retrieved = value.extract()?,
                "total_bytes_to_retrieve" => out.total_bytes_to_retrieve = value.extract()?,
                other => return Err(unknown_field("TransferProgress", other)),
            }
        }
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!(
            "TransferProgress(bytes_sent={}, total_bytes_to_send={}, bytes_retrieved={}, total_bytes_to_retrieve={})",
            self.bytes_sent, self.total_bytes_to_send, self.bytes_retrieved, self.total_bytes_to_retrieve
        )
    }
}

/// `copy.replace` with a field the struct does not have.
pub fn unknown_field(class: &str, field: &str) -> PyErr {
    pyo3::exceptions::PyTypeError::new_err(format!("{class} has no field '{field}'"))
}
