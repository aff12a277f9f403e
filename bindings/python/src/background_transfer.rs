//! `BackgroundDownloader` and `BackgroundUploader` (Windows.Networking.BackgroundTransfer):
//! create transfers that netrt-brokerd runs, so they outlive the app (core's
//! `netrt::background_transfer`; docs/background-transfer.md). Creating one is a local round
//! trip to the daemon, made with the GIL released.

use netrt::background_transfer::{
    BackgroundDownloader, BackgroundTransferContentPart, BackgroundUploader, DownloadOperation,
    UploadOperation,
};
use pyo3::prelude::*;

use crate::asyncop::{IAsyncOperation, spawn};
use crate::background_transfer_ops::{
    PyDownloadOperation, PyUploadOperation, cost_policy_arg, download_obj, upload_obj,
};
use crate::background_transfer_values::{PyBackgroundTransferContentPart, group_arg, group_obj};
use crate::convert::py_enum;
use crate::credential::credential_obj;
use crate::errors::OrRaise;
use crate::storage::PyStorageFile;
use crate::streams::PyInputStream;
use crate::syndication_client::credential_arg;
use crate::syndication_node::type_of;
use crate::uri::uri_arg;

fn file_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<netrt::storage::StorageFile> {
    obj.cast::<PyStorageFile>().map(|f| f.get().inner.clone()).map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "{what} must be a StorageFile, not '{}'",
            type_of(obj)
        ))
    })
}

fn stream_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<netrt::io::InputStream> {
    obj.cast::<PyInputStream>().map(|s| s.get().inner.clone()).map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "{what} must be an IInputStream, not '{}'",
            type_of(obj)
        ))
    })
}

fn downloads(py: Python<'_>, list: Vec<DownloadOperation>) -> PyResult<Py<PyAny>> {
    let objects = list.into_iter().map(|d| download_obj(py, d)).collect::<PyResult<Vec<_>>>()?;
    Ok(pyo3::types::PyList::new(py, objects)?.into_any().unbind())
}

fn uploads(py: Python<'_>, list: Vec<UploadOperation>) -> PyResult<Py<PyAny>> {
    let objects = list.into_iter().map(|u| upload_obj(py, u)).collect::<PyResult<Vec<_>>>()?;
    Ok(pyo3::types::PyList::new(py, objects)?.into_any().unbind())
}

/// A class's methods plus the settings both classes share (`IBackgroundTransferBase` and
/// `TransferGroup`), in one `#[pymethods]` block.
macro_rules! with_transfer_base {
    ($class:ident { $($methods:tt)* }) => {
        #[pymethods]
        impl $class {
            $($methods)*

            /// `SetRequestHeader(header_name, header_value)`: sent with every transfer it
            /// creates (a name set again has its values joined with ", ").
            #[pyo3(signature = (header_name, header_value, /))]
            fn set_request_header(&self, header_name: &str, header_value: &str) -> PyResult<()> {
                self.inner.set_request_header(header_name, header_value).or_raise()
            }
            #[getter]
            fn method(&self) -> String {
                self.inner.method()
            }
            #[setter]
            fn set_method(&self, value: &str) -> PyResult<()> {
                self.inner.set_method(value).or_raise()
            }
            #[getter]
            fn server_credential(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                credential_obj(py, self.inner.server_credential())
            }
            #[setter]
            fn set_server_credential(&self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
                self.inner.set_server_credential(credential_arg(value)?);
                Ok(())
            }
            #[getter]
            fn proxy_credential(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                credential_obj(py, self.inner.proxy_credential())
            }
            #[setter]
            fn set_proxy_credential(&self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
                self.inner.set_proxy_credential(credential_arg(value)?);
                Ok(())
            }
            /// `CostPolicy`: stored and copied into each transfer (Linux has no
            /// metered-network signal).
            #[getter]
            fn cost_policy(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                py_enum(py, "BackgroundTransferCostPolicy", self.inner.cost_policy() as i64)
            }
            #[setter]
            fn set_cost_policy(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
                self.inner.set_cost_policy(cost_policy_arg(value)?);
                Ok(())
            }
            /// `TransferGroup` (`None` for none).
            #[getter]
            fn transfer_group(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                group_obj(py, self.inner.transfer_group())
            }
            #[setter]
            fn set_transfer_group(&self, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
                self.inner.set_transfer_group(group_arg(value)?);
                Ok(())
            }
        }
    };
}

/// `BackgroundDownloader`.
#[pyclass(module = "netrt", name = "BackgroundDownloader", frozen)]
pub struct PyBackgroundDownloader {
    inner: BackgroundDownloader,
}

with_transfer_base!(PyBackgroundDownloader {
    /// `BackgroundDownloader()` (method GET). The completion-group constructor is not provided.
    #[new]
    fn new() -> Self {
        Self { inner: BackgroundDownloader::new() }
    }

    /// `CreateDownload(uri, result_file[, request_body_file])`: a download, IDLE until
    /// `start_async`.
    #[pyo3(signature = (uri, result_file, request_body_file = None, /))]
    fn create_download(
        &self,
        py: Python<'_>,
        uri: &Bound<'_, PyAny>,
        result_file: &Bound<'_, PyAny>,
        request_body_file: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyDownloadOperation> {
        let (uri, result) = (uri_arg(uri)?, file_arg(result_file, "result_file")?);
        let body = request_body_file.map(|b| file_arg(b, "request_body_file")).transpose()?;
        let op = py.detach(|| match &body {
            None => self.inner.create_download(&uri, &result),
            Some(body) => self.inner.create_download_with_request_body(&uri, &result, body),
        });
        Ok(PyDownloadOperation { inner: op.or_raise()? })
    }

    /// `CreateDownloadAsync(uri, result_file, request_body_stream)`: the stream is copied
    /// first (the download may run after the app exits).
    #[pyo3(signature = (uri, result_file, request_body_stream, /))]
    fn create_download_async(
        &self,
        uri: &Bound<'_, PyAny>,
        result_file: &Bound<'_, PyAny>,
        request_body_stream: &Bound<'_, PyAny>,
    ) -> PyResult<IAsyncOperation> {
        let (uri, result) = (uri_arg(uri)?, file_arg(result_file, "result_file")?);
        let stream = stream_arg(request_body_stream, "request_body_stream")?;
        let op = self.inner.create_download_async(&uri, &result, stream).or_raise()?;
        spawn(op.finished(), download_obj)
    }

    /// `GetCurrentDownloadsAsync()`: this user's downloads of no group (a list).
    #[staticmethod]
    fn get_current_downloads_async() -> PyResult<IAsyncOperation> {
        spawn(BackgroundDownloader::get_current_downloads_async().or_raise()?.finished(), downloads)
    }

    /// `RequestUnconstrainedDownloadsAsync(operations)` (deprecated in WinRT): not provided
    /// (E_NOTIMPL).
    #[staticmethod]
    #[pyo3(signature = (operations, /))]
    fn request_unconstrained_downloads_async(operations: &Bound<'_, PyAny>) -> PyResult<()> {
        let mut list = Vec::new();
        for op in operations.try_iter()? {
            list.push(op?.cast::<PyDownloadOperation>()?.get().inner.clone());
        }
        BackgroundDownloader::request_unconstrained_downloads_async(&list).or_raise()
    }

    /// `GetCurrentDownloadsForTransferGroupAsync(group)`.
    #[staticmethod]
    #[pyo3(signature = (group, /))]
    fn get_current_downloads_for_transfer_group_async(group: &Bound<'_, PyAny>) -> PyResult<IAsyncOperation> {
        let group = group_arg(Some(group))?.ok_or_else(|| crate::errors::invalid_arg("group is None"))?;
        let op = BackgroundDownloader::get_current_downloads_for_transfer_group_async(&group).or_raise()?;
        spawn(op.finished(), downloads)
    }
});

/// `BackgroundUploader`.
#[pyclass(module = "netrt", name = "BackgroundUploader", frozen)]
pub struct PyBackgroundUploader {
    inner: BackgroundUploader,
}

with_transfer_base!(PyBackgroundUploader {
    /// `BackgroundUploader()` (method POST). The completion-group constructor is not provided.
    #[new]
    fn new() -> Self {
        Self { inner: BackgroundUploader::new() }
    }

    /// `CreateUpload(uri, source_file)`: sends the file's bytes.
    #[pyo3(signature = (uri, source_file, /))]
    fn create_upload(
        &self,
        py: Python<'_>,
        uri: &Bound<'_, PyAny>,
        source_file: &Bound<'_, PyAny>,
    ) -> PyResult<PyUploadOperation> {
        let (uri, source) = (uri_arg(uri)?, file_arg(source_file, "source_file")?);
        let op = py.detach(|| self.inner.create_upload(&uri, &source)).or_raise()?;
        Ok(PyUploadOperation { inner: op })
    }

    /// `CreateUploadFromStreamAsync(uri, source_stream)`: the stream is copied first.
    #[pyo3(signature = (uri, source_stream, /))]
    fn create_upload_from_stream_async(
        &self,
        uri: &Bound<'_, PyAny>,
        source_stream: &Bound<'_, PyAny>,
    ) -> PyResult<IAsyncOperation> {
        let (uri, stream) = (uri_arg(uri)?, stream_arg(source_stream, "source_stream")?);
        let op = self.inner.create_upload_from_stream_async(&uri, stream).or_raise()?;
        spawn(op.finished(), upload_obj)
    }

    /// `CreateUploadAsync(uri, parts[, sub_type[, boundary]])`: a multipart upload
    /// (`multipart/form-data` unless `sub_type` says otherwise).
    #[pyo3(signature = (uri, parts, sub_type = None, boundary = None, /))]
    fn create_upload_async(
        &self,
        uri: &Bound<'_, PyAny>,
        parts: &Bound<'_, PyAny>,
        sub_type: Option<&str>,
        boundary: Option<&str>,
    ) -> PyResult<IAsyncOperation> {
        let uri = uri_arg(uri)?;
        let mut list: Vec<BackgroundTransferContentPart> = Vec::new();
        for part in parts.try_iter()? {
            let part = part?;
            let part = part.cast::<PyBackgroundTransferContentPart>().map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(format!(
                    "parts holds BackgroundTransferContentPart, not '{}'",
                    type_of(&part)
                ))
            })?;
            list.push(part.get().inner.clone());
        }
        let op = self.inner.create_upload_async(&uri, list, sub_type, boundary).or_raise()?;
        spawn(op.finished(), upload_obj)
    }

    /// `GetCurrentUploadsAsync()`: this user's uploads of no group (a list).
    #[staticmethod]
    fn get_current_uploads_async() -> PyResult<IAsyncOperation> {
        spawn(BackgroundUploader::get_current_uploads_async().or_raise()?.finished(), uploads)
    }

    /// `GetCurrentUploadsForTransferGroupAsync(group)`.
    #[staticmethod]
    #[pyo3(signature = (group, /))]
    fn get_current_uploads_for_transfer_group_async(group: &Bound<'_, PyAny>) -> PyResult<IAsyncOperation> {
        let group = group_arg(Some(group))?.ok_or_else(|| crate::errors::invalid_arg("group is None"))?;
        let op = BackgroundUploader::get_current_uploads_for_transfer_group_async(&group).or_raise()?;
        spawn(op.finished(), uploads)
    }
});
