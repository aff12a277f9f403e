//! The values of Windows.Networking.BackgroundTransfer (core's
//! `netrt::background_transfer`): the progress and range structs (immutable, keyword
//! constructors, `unpack()`, `copy.replace`), `ResponseInformation`, `BackgroundTransferError`,
//! `BackgroundTransferGroup` and `BackgroundTransferContentPart`.

use netrt::background_transfer::{
    BackgroundDownloadProgress, BackgroundTransferBehavior, BackgroundTransferContentPart,
    BackgroundTransferError, BackgroundTransferFileRange, BackgroundTransferGroup, BackgroundTransferStatus,
    BackgroundUploadProgress, ResponseInformation,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::asyncop::arity_error;
use crate::convert::{enum_arg, py_enum, str_arg};
use crate::errors::OrRaise;
use crate::storage::PyStorageFile;
use crate::uri::PyUri;
use crate::web_progress::unknown_field;

/// A `BackgroundTransferStatus` argument.
fn status_arg(obj: &Bound<'_, PyAny>) -> PyResult<BackgroundTransferStatus> {
    BackgroundTransferStatus::from_raw(enum_arg(obj, "status")?).or_raise()
}

fn status_obj(py: Python<'_>, status: BackgroundTransferStatus) -> PyResult<Py<PyAny>> {
    py_enum(py, "BackgroundTransferStatus", status as i64)
}

/// `BackgroundDownloadProgress`: a download's bytes and status.
#[pyclass(module = "netrt", name = "BackgroundDownloadProgress", frozen, eq)]
#[derive(PartialEq, Clone, Copy)]
pub struct PyBackgroundDownloadProgress(pub BackgroundDownloadProgress);

#[pymethods]
impl PyBackgroundDownloadProgress {
    #[new]
    #[pyo3(signature = (bytes_received = 0, total_bytes_to_receive = 0, status = None, has_response_changed = false, has_restarted = false))]
    fn new(
        bytes_received: u64,
        total_bytes_to_receive: u64,
        status: Option<&Bound<'_, PyAny>>,
        has_response_changed: bool,
        has_restarted: bool,
    ) -> PyResult<Self> {
        let status = status.map(status_arg).transpose()?.unwrap_or_default();
        Ok(Self(BackgroundDownloadProgress {
            bytes_received,
            total_bytes_to_receive,
            status,
            has_response_changed,
            has_restarted,
        }))
    }

    #[getter]
    fn bytes_received(&self) -> u64 {
        self.0.bytes_received
    }
    #[getter]
    fn total_bytes_to_receive(&self) -> u64 {
        self.0.total_bytes_to_receive
    }
    #[getter]
    fn status(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        status_obj(py, self.0.status)
    }
    #[getter]
    fn has_response_changed(&self) -> bool {
        self.0.has_response_changed
    }
    #[getter]
    fn has_restarted(&self) -> bool {
        self.0.has_restarted
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str, &'static str, &'static str, &'static str) {
        ("bytes_received", "total_bytes_to_receive", "status", "has_response_changed", "has_restarted")
    }

    /// The fields as a tuple, in declaration order (PyWinRT's `unpack()`).
    fn unpack(&self, py: Python<'_>) -> PyResult<(u64, u64, Py<PyAny>, bool, bool)> {
        let p = &self.0;
        Ok((
            p.bytes_received,
            p.total_bytes_to_receive,
            self.status(py)?,
            p.has_response_changed,
            p.has_restarted,
        ))
    }

    /// A copy with some fields replaced (`copy.replace`).
    #[pyo3(signature = (**changes))]
    fn __replace__(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut p = self.0;
        for (key, value) in changes.into_iter().flat_map(|d| d.iter()) {
            match key.extract::<String>()?.as_str() {
                "bytes_received" => p.bytes_received = value.extract()?,
                "total_bytes_to_receive" => p.total_bytes_to_receive = value.extract()?,
                "status" => p.status = status_arg(&value)?,
                "has_response_changed" => p.has_response_changed = value.extract()?,
                "has_restarted" => p.has_restarted = value.extract()?,
                other => return Err(unknown_field("BackgroundDownloadProgress", other)),
            }
        }
        Ok(Self(p))
    }

    fn __repr__(&self) -> String {
        let p = &self.0;
        format!(
            "BackgroundDownloadProgress(bytes_received={}, total_bytes_to_receive={}, status={:?})",
            p.bytes_received, p.total_bytes_to_receive, p.status
        )
    }
}

/// `BackgroundUploadProgress`: an upload's bytes (sent and of the response) and status.
#[pyclass(module = "netrt", name = "BackgroundUploadProgress", frozen, eq)]
#[derive(PartialEq, Clone, Copy)]
pub struct PyBackgroundUploadProgress(pub BackgroundUploadProgress);

#[pymethods]
impl PyBackgroundUploadProgress {
    #[new]
    #[pyo3(signature = (bytes_received = 0, bytes_sent = 0, total_bytes_to_receive = 0, total_bytes_to_send = 0, status = None, has_response_changed = false, has_restarted = false))]
    fn new(
        bytes_received: u64,
        bytes_sent: u64,
        total_bytes_to_receive: u64,
        total_bytes_to_send: u64,
        status: Option<&Bound<'_, PyAny>>,
        has_response_changed: bool,
        has_restarted: bool,
    ) -> PyResult<Self> {
        let status = status.map(status_arg).transpose()?.unwrap_or_default();
        Ok(Self(BackgroundUploadProgress {
            bytes_received,
            bytes_sent,
            total_bytes_to_receive,
            total_bytes_to_send,
            status,
            has_response_changed,
            has_restarted,
        }))
    }

    #[getter]
    fn bytes_received(&self) -> u64 {
        self.0.bytes_received
    }
    #[getter]
    fn bytes_sent(&self) -> u64 {
        self.0.bytes_sent
    }
    #[getter]
    fn total_bytes_to_receive(&self) -> u64 {
        self.0.total_bytes_to_receive
    }
    #[getter]
    fn total_bytes_to_send(&self) -> u64 {
        self.0.total_bytes_to_send
    }
    #[getter]
    fn status(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        status_obj(py, self.0.status)
    }
    #[getter]
    fn has_response_changed(&self) -> bool {
        self.0.has_response_changed
    }
    #[getter]
    fn has_restarted(&self) -> bool {
        self.0.has_restarted
    }

    #[classattr]
    fn __match_args__(py: Python<'_>) -> PyResult<Py<PyTuple>> {
        let names = [
            "bytes_received",
            "bytes_sent",
            "total_bytes_to_receive",
            "total_bytes_to_send",
            "status",
            "has_response_changed",
            "has_restarted",
        ];
        Ok(PyTuple::new(py, names)?.unbind())
    }

    /// The fields as a tuple, in declaration order (PyWinRT's `unpack()`).
    #[allow(clippy::type_complexity)]
    fn unpack(&self, py: Python<'_>) -> PyResult<(u64, u64, u64, u64, Py<PyAny>, bool, bool)> {
        let p = &self.0;
        Ok((
            p.bytes_received,
            p.bytes_sent,
            p.total_bytes_to_receive,
            p.total_bytes_to_send,
            self.status(py)?,
            p.has_response_changed,
            p.has_restarted,
        ))
    }

    /// A copy with some fields replaced (`copy.replace`).
    #[pyo3(signature = (**changes))]
    fn __replace__(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut p = self.0;
        for (key, value) in changes.into_iter().flat_map(|d| d.iter()) {
            match key.extract::<String>()?.as_str() {
                "bytes_received" => p.bytes_received = value.extract()?,
                "bytes_sent" => p.bytes_sent = value.extract()?,
                "total_bytes_to_receive" => p.total_bytes_to_receive = value.extract()?,
                "total_bytes_to_send" => p.total_bytes_to_send = value.extract()?,
                "status" => p.status = status_arg(&value)?,
                "has_response_changed" => p.has_response_changed = value.extract()?,
                "has_restarted" => p.has_restarted = value.extract()?,
                other => return Err(unknown_field("BackgroundUploadProgress", other)),
            }
        }
        Ok(Self(p))
    }

    fn __repr__(&self) -> String {
        let p = &self.0;
        format!(
            "BackgroundUploadProgress(bytes_sent={}, total_bytes_to_send={}, bytes_received={}, status={:?})",
            p.bytes_sent, p.total_bytes_to_send, p.bytes_received, p.status
        )
    }
}

/// `BackgroundTransferFileRange`: `length` bytes from `offset`.
#[pyclass(module = "netrt", name = "BackgroundTransferFileRange", frozen, eq, get_all)]
#[derive(PartialEq, Clone, Copy)]
pub struct PyBackgroundTransferFileRange {
    offset: u64,
    length: u64,
}

impl From<BackgroundTransferFileRange> for PyBackgroundTransferFileRange {
    fn from(r: BackgroundTransferFileRange) -> Self {
        Self { offset: r.offset, length: r.length }
    }
}

#[pymethods]
impl PyBackgroundTransferFileRange {
    #[new]
    #[pyo3(signature = (offset = 0, length = 0))]
    fn new(offset: u64, length: u64) -> Self {
        Self { offset, length }
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str) {
        ("offset", "length")
    }

    /// The fields as a tuple (PyWinRT's `unpack()`).
    fn unpack(&self) -> (u64, u64) {
        (self.offset, self.length)
    }

    /// A copy with some fields replaced (`copy.replace`).
    #[pyo3(signature = (**changes))]
    fn __replace__(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut out = *self;
        for (key, value) in changes.into_iter().flat_map(|d| d.iter()) {
            match key.extract::<String>()?.as_str() {
                "offset" => out.offset = value.extract()?,
                "length" => out.length = value.extract()?,
                other => return Err(unknown_field("BackgroundTransferFileRange", other)),
            }
        }
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!("BackgroundTransferFileRange(offset={}, length={})", self.offset, self.length)
    }
}

/// `ResponseInformation`: the final response of a transfer (not constructible).
#[pyclass(module = "netrt", name = "ResponseInformation", frozen)]
pub struct PyResponseInformation(pub ResponseInformation);

#[pymethods]
impl PyResponseInformation {
    /// `ActualUri`: where the response came from (after redirects).
    #[getter]
    fn actual_uri(&self) -> PyUri {
        PyUri { inner: self.0.actual_uri() }
    }
    /// `Headers`: a read-only mapping (`IMapView`); a header received twice has its values
    /// joined as the daemon recorded them.
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let dict = PyDict::new(py);
        for (name, value) in self.0.headers() {
            dict.set_item(name, value)?;
        }
        py.import("types")?.getattr("MappingProxyType")?.call1((dict,))
    }
    /// `IsResumable`: whether the server accepts range requests for it.
    #[getter]
    fn is_resumable(&self) -> bool {
        self.0.is_resumable()
    }
    /// `StatusCode`.
    #[getter]
    fn status_code(&self) -> u32 {
        self.0.status_code()
    }

    fn __repr__(&self) -> String {
        format!("<ResponseInformation {} from {}>", self.0.status_code(), self.0.actual_uri())
    }
}

/// `BackgroundTransferError`: `get_status(hresult)` → `WebErrorStatus`.
#[pyclass(module = "netrt", name = "BackgroundTransferError", frozen)]
pub struct PyBackgroundTransferError;

#[pymethods]
impl PyBackgroundTransferError {
    /// `GetStatus(hresult)`: what a failed transfer's HRESULT means.
    #[staticmethod]
    #[pyo3(signature = (hresult, /))]
    fn get_status(py: Python<'_>, hresult: i32) -> PyResult<Py<PyAny>> {
        py_enum(py, "WebErrorStatus", BackgroundTransferError::get_status(hresult) as i64)
    }
}

/// `BackgroundTransferGroup`: a named group of transfers (`create_group`; not constructible).
#[pyclass(module = "netrt", name = "BackgroundTransferGroup", frozen)]
pub struct PyBackgroundTransferGroup {
    pub inner: BackgroundTransferGroup,
}

/// A group argument: a `BackgroundTransferGroup` or `None`.
pub fn group_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<BackgroundTransferGroup>> {
    match obj {
        Some(g) if !g.is_none() => Ok(Some(g.cast::<PyBackgroundTransferGroup>()?.get().inner.clone())),
        _ => Ok(None),
    }
}

/// A group as its Python object (`None` for none).
pub fn group_obj(py: Python<'_>, group: Option<BackgroundTransferGroup>) -> PyResult<Py<PyAny>> {
    match group {
        Some(inner) => Ok(Py::new(py, PyBackgroundTransferGroup { inner })?.into_any()),
        None => Ok(py.None()),
    }
}

#[pymethods]
impl PyBackgroundTransferGroup {
    /// `CreateGroup(name)`: a group (Parallel until `transfer_behavior` says otherwise).
    #[staticmethod]
    #[pyo3(signature = (name, /))]
    fn create_group(name: &str) -> Self {
        Self { inner: BackgroundTransferGroup::create_group(name) }
    }
    /// `Name`.
    #[getter]
    fn name(&self) -> String {
        self.inner.name()
    }
    /// `TransferBehavior`: Parallel, or Serialized (one transfer of the group at a time).
    #[getter]
    fn transfer_behavior(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "BackgroundTransferBehavior", self.inner.transfer_behavior() as i64)
    }
    #[setter]
    fn set_transfer_behavior(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let behavior =
            BackgroundTransferBehavior::from_raw(enum_arg(value, "transfer_behavior")?).or_raise()?;
        self.inner.set_transfer_behavior(behavior);
        Ok(())
    }

    fn __repr__(&self) -> String {
        format!("<BackgroundTransferGroup {:?}>", self.inner.name())
    }
}

/// `BackgroundTransferContentPart`: one part of a multipart upload.
#[pyclass(module = "netrt", name = "BackgroundTransferContentPart", frozen)]
pub struct PyBackgroundTransferContentPart {
    pub inner: BackgroundTransferContentPart,
}

#[pymethods]
impl PyBackgroundTransferContentPart {
    /// `BackgroundTransferContentPart()`, `(name)` or `(name, file_name)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn new(args: &Bound<'_, PyTuple>) -> PyResult<Self> {
        let inner = match args.len() {
            0 => BackgroundTransferContentPart::new(),
            1 => BackgroundTransferContentPart::with_name(&str_arg(&args.get_item(0)?, "name")?),
            2 => BackgroundTransferContentPart::with_file_name(
                &str_arg(&args.get_item(0)?, "name")?,
                &str_arg(&args.get_item(1)?, "file_name")?,
            ),
            _ => {
                return Err(arity_error(
                    "BackgroundTransferContentPart",
                    "(), (name) or (name, file_name)",
                    args,
                ));
            }
        };
        Ok(Self { inner })
    }

    /// `SetHeader(header_name, header_value)`: a header of this part.
    #[pyo3(signature = (header_name, header_value, /))]
    fn set_header(&self, header_name: &str, header_value: &str) -> PyResult<()> {
        self.inner.set_header(header_name, header_value).or_raise()
    }

    /// `SetText(value)`: the part's body is this text (replaces a file).
    #[pyo3(signature = (value, /))]
    fn set_text(&self, value: &str) {
        self.inner.set_text(value)
    }

    /// `SetFile(value)`: the part's body is this file's content, read when the upload runs.
    #[pyo3(signature = (value, /))]
    fn set_file(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set_file(&value.cast::<PyStorageFile>()?.get().inner);
        Ok(())
    }
}
