//! `StorageFile` and `StorageFolder` (Windows.Storage): in netrt, plain absolute paths of the
//! local file system (docs/storage.md).

use netrt::storage::{CreationCollisionOption, StorageFile, StorageFolder};
use pyo3::prelude::*;

use crate::asyncop::{IAsyncOperation, spawn};
use crate::convert::enum_arg;
use crate::errors::OrRaise;

/// `StorageFile`: a file named by its absolute path.
#[pyclass(module = "netrt", name = "StorageFile", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyStorageFile {
    pub inner: StorageFile,
}

/// A `StorageFile` object for a core file.
pub fn file_obj(py: Python<'_>, inner: StorageFile) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyStorageFile { inner })?.into_any())
}

fn folder_obj(py: Python<'_>, inner: StorageFolder) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyStorageFolder { inner })?.into_any())
}

/// A path argument: a `str` or (netrt) an `os.PathLike`.
fn path_arg(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    let path: std::path::PathBuf = obj
        .extract()
        .map_err(|_| pyo3::exceptions::PyTypeError::new_err("path must be str or os.PathLike".to_owned()))?;
    path.into_os_string()
        .into_string()
        .map_err(|p| netrt::Error::invalid_arg(format!("the path {p:?} is not valid UTF-8")))
        .or_raise()
}

#[pymethods]
impl PyStorageFile {
    /// `GetFileFromPathAsync(path)`: the file at an absolute path, which must exist.
    /// E_INVALIDARG at once for a relative path; the operation fails with ERROR_FILE_NOT_FOUND
    /// (0x80070002) when nothing is there and E_INVALIDARG for a folder.
    #[staticmethod]
    #[pyo3(signature = (path, /))]
    fn get_file_from_path_async(path: &Bound<'_, PyAny>) -> PyResult<IAsyncOperation> {
        spawn(StorageFile::get_file_from_path(&path_arg(path)?), file_obj)
    }

    /// `Path`: the absolute path.
    #[getter]
    fn path(&self) -> String {
        self.inner.path()
    }

    /// `Name`: the file name with its extension.
    #[getter]
    fn name(&self) -> String {
        self.inner.name()
    }

    /// The path, so a `StorageFile` can be passed to `open()` (netrt extension).
    fn __fspath__(&self) -> String {
        self.inner.path()
    }

    fn __repr__(&self) -> String {
        format!("StorageFile({:?})", self.inner.path())
    }
}

/// `StorageFolder`: a folder named by its absolute path.
#[pyclass(module = "netrt", name = "StorageFolder", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyStorageFolder {
    pub inner: StorageFolder,
}

#[pymethods]
impl PyStorageFolder {
    /// `GetFolderFromPathAsync(path)`: the folder at an absolute path, which must exist (errors
    /// as `StorageFile.get_file_from_path_async`, E_INVALIDARG for a file).
    #[staticmethod]
    #[pyo3(signature = (path, /))]
    fn get_folder_from_path_async(path: &Bound<'_, PyAny>) -> PyResult<IAsyncOperation> {
        spawn(StorageFolder::get_folder_from_path(&path_arg(path)?), folder_obj)
    }

    /// `CreateFileAsync(desired_name[, options])`: a new file directly in this folder. Without
    /// `options` a taken name fails with ERROR_ALREADY_EXISTS (0x800700B7), as WinRT's
    /// one-argument overload does. E_INVALIDARG at once for a name that is empty, "." or "..",
    /// or contains "/".
    #[pyo3(signature = (desired_name, options = None, /))]
    fn create_file_async(
        &self,
        desired_name: &str,
        options: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<IAsyncOperation> {
        let option = match options {
            None => CreationCollisionOption::FailIfExists,
            Some(o) => CreationCollisionOption::from_raw(enum_arg(o, "options")?).or_raise()?,
        };
        spawn(self.inner.create_file(desired_name, option), file_obj)
    }

    /// `Path`: the absolute path.
    #[getter]
    fn path(&self) -> String {
        self.inner.path()
    }

    /// `Name`: the folder's own name.
    #[getter]
    fn name(&self) -> String {
        self.inner.name()
    }

    /// The path, so a `StorageFolder` can be passed to `os` functions (netrt extension).
    fn __fspath__(&self) -> String {
        self.inner.path()
    }

    fn __repr__(&self) -> String {
        format!("StorageFolder({:?})", self.inner.path())
    }
}
