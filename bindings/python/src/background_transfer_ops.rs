//! `DownloadOperation` and `UploadOperation`: views of transfers that netrt-brokerd runs (core's
//! `netrt::background_transfer`). Reading a property asks the daemon for the transfer's state
//! (a local round trip, made with the GIL released); `start_async`/`attach_async` follow the
//! transfer as awaitable operations whose progress payload is the operation itself.

use netrt::background_transfer::{
    BackgroundTransferCostPolicy, BackgroundTransferPriority, DownloadOperation, UploadOperation,
};
use pyo3::prelude::*;

use crate::convert::{enum_arg, py_enum, uuid};
use crate::errors::{OrRaise, raise};
use crate::progress_op::{PyOperationWithProgress, follow_with_progress};
use crate::storage::file_obj;
use crate::streams::PyInputStream;
use crate::uri::{PyUri, uri_arg};
use crate::vector::{AnyVector, PyVector};

use crate::background_transfer_values::{
    PyBackgroundDownloadProgress, PyBackgroundTransferFileRange, PyBackgroundUploadProgress,
    PyResponseInformation, group_obj,
};

/// The members netrt does not provide (Windows shell integration).
pub fn not_provided(what: &str) -> PyErr {
    raise(netrt::error::hresult::E_NOTIMPL, format!("{what} is not provided by netrt (Windows-only)"))
}

fn priority_arg(obj: &Bound<'_, PyAny>) -> PyResult<BackgroundTransferPriority> {
    BackgroundTransferPriority::from_raw(enum_arg(obj, "priority")?).or_raise()
}

/// A `BackgroundTransferCostPolicy` argument.
pub fn cost_policy_arg(obj: &Bound<'_, PyAny>) -> PyResult<BackgroundTransferCostPolicy> {
    BackgroundTransferCostPolicy::from_raw(enum_arg(obj, "cost_policy")?).or_raise()
}

fn response_obj(
    py: Python<'_>,
    info: Option<netrt::background_transfer::ResponseInformation>,
) -> PyResult<Py<PyAny>> {
    match info {
        Some(i) => Ok(Py::new(py, PyResponseInformation(i))?.into_any()),
        None => Ok(py.None()),
    }
}

/// A download as its Python object (also the progress payload of its operations).
pub fn download_obj(py: Python<'_>, inner: DownloadOperation) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyDownloadOperation { inner })?.into_any())
}

/// An upload as its Python object.
pub fn upload_obj(py: Python<'_>, inner: UploadOperation) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyUploadOperation { inner })?.into_any())
}

/// `DownloadOperation`.
#[pyclass(module = "netrt", name = "DownloadOperation", frozen)]
pub struct PyDownloadOperation {
    pub inner: DownloadOperation,
}

#[pymethods]
impl PyDownloadOperation {
    /// `StartAsync()`: starts the download and follows it (E_ILLEGAL_METHOD_CALL, raised, when
    /// it was started before). Progress — the operation itself, read its `progress` — comes at
    /// least every 1 MiB or 250 ms and on every status change; cancelling cancels the download.
    fn start_async(&self, py: Python<'_>) -> PyResult<Py<PyOperationWithProgress>> {
        let op = py.detach(|| self.inner.start_async()).or_raise()?;
        follow_with_progress(py, op, download_obj, download_obj)
    }

    /// `AttachAsync()`: follows a download found with `get_current_downloads_async`.
    fn attach_async(&self, py: Python<'_>) -> PyResult<Py<PyOperationWithProgress>> {
        let op = py.detach(|| self.inner.attach_async()).or_raise()?;
        follow_with_progress(py, op, download_obj, download_obj)
    }

    /// `Pause()` (E_ILLEGAL_METHOD_CALL when it is not running).
    fn pause(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.inner.pause()).or_raise()
    }

    /// `Resume()` (E_ILLEGAL_METHOD_CALL when it is not paused, or its method is POST).
    fn resume(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.inner.resume()).or_raise()
    }

    #[getter]
    fn guid(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        uuid(py, self.inner.guid())
    }

    /// `RequestedUri`; settable only while paused (E_ILLEGAL_METHOD_CALL otherwise).
    #[getter]
    fn requested_uri(&self, py: Python<'_>) -> PyUri {
        PyUri { inner: py.detach(|| self.inner.requested_uri()) }
    }
    #[setter]
    fn set_requested_uri(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let uri = uri_arg(value)?;
        py.detach(|| self.inner.set_requested_uri(&uri)).or_raise()
    }

    #[getter]
    fn method(&self) -> String {
        self.inner.method()
    }

    #[getter]
    fn progress(&self, py: Python<'_>) -> PyBackgroundDownloadProgress {
        PyBackgroundDownloadProgress(py.detach(|| self.inner.progress()))
    }

    /// `ResultFile`: a `StorageFile` (written when the download completes).
    #[getter]
    fn result_file(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        file_obj(py, self.inner.result_file())
    }

    /// `TransferGroup` (`None` for none).
    #[getter]
    fn transfer_group(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        group_obj(py, self.inner.transfer_group())
    }

    /// `GetResponseInformation()`: `None` until the response's headers arrived.
    fn get_response_information(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let info = py.detach(|| self.inner.get_response_information());
        response_obj(py, info)
    }

    /// `GetResultStreamAt(position)`: an `IInputStream` over what was downloaded.
    #[pyo3(signature = (position, /))]
    fn get_result_stream_at(&self, py: Python<'_>, position: u64) -> PyResult<PyInputStream> {
        let inner = py.detach(|| self.inner.get_result_stream_at(position)).or_raise()?;
        Ok(PyInputStream { inner })
    }

    /// `GetDownloadedRanges()`: a list of `BackgroundTransferFileRange` (one from 0: netrt
    /// downloads sequentially).
    fn get_downloaded_ranges(&self, py: Python<'_>) -> Vec<PyBackgroundTransferFileRange> {
        py.detach(|| self.inner.get_downloaded_ranges()).into_iter().map(Into::into).collect()
    }

    /// `CurrentWebErrorStatus`: the `WebErrorStatus` that paused or failed it, else `None`.
    #[getter]
    fn current_web_error_status(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let status = py.detach(|| self.inner.current_web_error_status());
        status.map(|s| py_enum(py, "WebErrorStatus", s as i64)).transpose()
    }

    /// `RecoverableWebErrorStatuses`: a live mutable sequence; a failure with one of these
    /// statuses pauses the download (PAUSED_RECOVERABLE_WEB_ERROR_STATUS) instead of failing it.
    #[getter]
    fn recoverable_web_error_statuses(&self) -> PyVector {
        PyVector::new(AnyVector::WebErrorStatuses(self.inner.recoverable_web_error_statuses()))
    }

    #[getter]
    fn priority(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let p = py.detach(|| self.inner.priority());
        py_enum(py, "BackgroundTransferPriority", p as i64)
    }
    #[setter]
    fn set_priority(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let p = priority_arg(value)?;
        py.detach(|| self.inner.set_priority(p)).or_raise()
    }

    /// `CostPolicy`: stored (Linux has no metered-network signal).
    #[getter]
    fn cost_policy(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let p = py.detach(|| self.inner.cost_policy());
        py_enum(py, "BackgroundTransferCostPolicy", p as i64)
    }
    #[setter]
    fn set_cost_policy(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let p = cost_policy_arg(value)?;
        py.detach(|| self.inner.set_cost_policy(p)).or_raise()
    }

    /// `IsRandomAccessRequired` (stored; setting it after the start is E_ILLEGAL_METHOD_CALL).
    #[getter]
    fn is_random_access_required(&self, py: Python<'_>) -> bool {
        py.detach(|| self.inner.is_random_access_required())
    }
    #[setter]
    fn set_is_random_access_required(&self, py: Python<'_>, value: bool) -> PyResult<()> {
        py.detach(|| self.inner.set_is_random_access_required(value)).or_raise()
    }

    /// `SetRequestHeader(header_name, header_value)`: for the next attempt.
    #[pyo3(signature = (header_name, header_value, /))]
    fn set_request_header(&self, py: Python<'_>, header_name: &str, header_value: &str) -> PyResult<()> {
        py.detach(|| self.inner.set_request_header(header_name, header_value)).or_raise()
    }

    /// `RemoveRequestHeader(header_name)`.
    #[pyo3(signature = (header_name, /))]
    fn remove_request_header(&self, py: Python<'_>, header_name: &str) -> PyResult<()> {
        py.detach(|| self.inner.remove_request_header(header_name)).or_raise()
    }

    /// `GetResultRandomAccessStreamReference()`: not provided (E_NOTIMPL; use
    /// `get_result_stream_at`).
    fn get_result_random_access_stream_reference(&self) -> PyResult<()> {
        self.inner.get_result_random_access_stream_reference().or_raise()
    }

    /// `MakeCurrentInTransferGroup()`: not provided (E_NOTIMPL).
    fn make_current_in_transfer_group(&self) -> PyResult<()> {
        Err(not_provided("MakeCurrentInTransferGroup"))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Self>().is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self) -> u64 {
        let bytes = self.inner.guid().to_bytes_le();
        u64::from_le_bytes(bytes[..8].try_into().unwrap_or_default())
    }

    fn __repr__(&self) -> String {
        format!("<DownloadOperation {}>", self.inner.guid())
    }
}

/// `UploadOperation` (no pause/resume, as in WinRT).
#[pyclass(module = "netrt", name = "UploadOperation", frozen)]
pub struct PyUploadOperation {
    pub inner: UploadOperation,
}

#[pymethods]
impl PyUploadOperation {
    /// `StartAsync()`: starts the upload and follows it, as `DownloadOperation.start_async`.
    fn start_async(&self, py: Python<'_>) -> PyResult<Py<PyOperationWithProgress>> {
        let op = py.detach(|| self.inner.start_async()).or_raise()?;
        follow_with_progress(py, op, upload_obj, upload_obj)
    }

    /// `AttachAsync()`: follows an upload found with `get_current_uploads_async`.
    fn attach_async(&self, py: Python<'_>) -> PyResult<Py<PyOperationWithProgress>> {
        let op = py.detach(|| self.inner.attach_async()).or_raise()?;
        follow_with_progress(py, op, upload_obj, upload_obj)
    }

    #[getter]
    fn guid(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        uuid(py, self.inner.guid())
    }

    #[getter]
    fn requested_uri(&self, py: Python<'_>) -> PyUri {
        PyUri { inner: py.detach(|| self.inner.requested_uri()) }
    }

    #[getter]
    fn method(&self) -> String {
        self.inner.method()
    }

    #[getter]
    fn progress(&self, py: Python<'_>) -> PyBackgroundUploadProgress {
        PyBackgroundUploadProgress(py.detach(|| self.inner.progress()))
    }

    /// `SourceFile`: the uploaded file (`None` for a stream or multipart upload).
    #[getter]
    fn source_file(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.inner.source_file() {
            Some(f) => file_obj(py, f),
            None => Ok(py.None()),
        }
    }

    #[getter]
    fn transfer_group(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        group_obj(py, self.inner.transfer_group())
    }

    /// `GetResponseInformation()`: `None` until the response's headers arrived.
    fn get_response_information(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let info = py.detach(|| self.inner.get_response_information());
        response_obj(py, info)
    }

    /// `GetResultStreamAt(position)`: an `IInputStream` over the server's response body.
    #[pyo3(signature = (position, /))]
    fn get_result_stream_at(&self, py: Python<'_>, position: u64) -> PyResult<PyInputStream> {
        let inner = py.detach(|| self.inner.get_result_stream_at(position)).or_raise()?;
        Ok(PyInputStream { inner })
    }

    #[getter]
    fn priority(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let p = py.detach(|| self.inner.priority());
        py_enum(py, "BackgroundTransferPriority", p as i64)
    }
    #[setter]
    fn set_priority(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let p = priority_arg(value)?;
        py.detach(|| self.inner.set_priority(p)).or_raise()
    }

    /// `CostPolicy`: stored (Linux has no metered-network signal).
    #[getter]
    fn cost_policy(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let p = py.detach(|| self.inner.cost_policy());
        py_enum(py, "BackgroundTransferCostPolicy", p as i64)
    }
    #[setter]
    fn set_cost_policy(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let p = cost_policy_arg(value)?;
        py.detach(|| self.inner.set_cost_policy(p)).or_raise()
    }

    #[pyo3(signature = (header_name, header_value, /))]
    fn set_request_header(&self, py: Python<'_>, header_name: &str, header_value: &str) -> PyResult<()> {
        py.detach(|| self.inner.set_request_header(header_name, header_value)).or_raise()
    }

    #[pyo3(signature = (header_name, /))]
    fn remove_request_header(&self, py: Python<'_>, header_name: &str) -> PyResult<()> {
        py.detach(|| self.inner.remove_request_header(header_name)).or_raise()
    }

    /// `MakeCurrentInTransferGroup()`: not provided (E_NOTIMPL).
    fn make_current_in_transfer_group(&self) -> PyResult<()> {
        Err(not_provided("MakeCurrentInTransferGroup"))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Self>().is_ok_and(|o| o.get().inner.guid() == self.inner.guid())
    }

    fn __hash__(&self) -> u64 {
        let bytes = self.inner.guid().to_bytes_le();
        u64::from_le_bytes(bytes[..8].try_into().unwrap_or_default())
    }

    fn __repr__(&self) -> String {
        format!("<UploadOperation {}>", self.inner.guid())
    }
}
