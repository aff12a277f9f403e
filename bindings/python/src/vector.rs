//! `IVector<T>` as PyWinRT shows it: a `MutableSequence` over core's
//! [`Vector`](netrt::foundation::Vector). A control's list-valued property is a live view —
//! `control.ignorable_server_certificate_errors.append(...)` changes the socket's setting, as
//! `IgnorableServerCertificateErrors.Add(...)` does in WinRT — and every change is validated by
//! core (e.g. a non-ignorable result is `E_INVALIDARG` and changes nothing). This module only
//! converts elements and maps Python's sequence protocol (negative indexes, `pop`, `remove`,
//! ...) onto IVector's members.

use netrt::error::WebErrorStatus;
use netrt::foundation::Vector;
use netrt::tls::{Certificate, ChainValidationResult};
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};

use crate::certificate::{cert_arg, cert_obj};
use crate::convert::{bytes_arg, enum_arg, py_enum};
use crate::errors::{OrRaise, invalid_arg};

/// An element type a Python vector can hold.
trait PyElem: Sized + Clone + Send + Sync + 'static {
    fn to_py(self, py: Python<'_>) -> PyResult<Py<PyAny>>;
    fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Self>;
}

impl PyElem for ChainValidationResult {
    fn to_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "ChainValidationResult", self as i64)
    }

    fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let raw = enum_arg(obj, "ChainValidationResult")?;
        ChainValidationResult::from_raw(raw)
            .ok_or_else(|| invalid_arg(format!("{raw} is not a ChainValidationResult")))
    }
}

impl PyElem for WebErrorStatus {
    fn to_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "WebErrorStatus", i64::from(i32::from(self)))
    }

    fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let raw = enum_arg(obj, "WebErrorStatus")?;
        WebErrorStatus::from_i32(raw).ok_or_else(|| invalid_arg(format!("{raw} is not a WebErrorStatus")))
    }
}

impl PyElem for Certificate {
    fn to_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        cert_obj(py, self)
    }

    fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        cert_arg(obj)
    }
}

impl PyElem for String {
    fn to_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(PyString::new(py, &self).into_any().unbind())
    }

    fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        obj.cast::<PyString>()
            .map_err(|_| PyTypeError::new_err("this vector holds str"))
            .and_then(|s| Ok(s.to_str()?.to_owned()))
    }
}

impl PyElem for Vec<u8> {
    fn to_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(PyBytes::new(py, &self).into_any().unbind())
    }

    fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        bytes_arg(obj)
    }
}

pub use netrt::projection::AnyVector;

/// Runs `$body` with `$v` bound to the typed core vector.
macro_rules! dispatch {
    ($any:expr, $v:ident => $body:expr) => {
        match $any {
            AnyVector::Results($v) => $body,
            AnyVector::Certificates($v) => $body,
            AnyVector::Strings($v) => $body,
            AnyVector::Bytes($v) => $body,
            AnyVector::WebErrorStatuses($v) => $body,
        }
    };
}

/// The live list (a `collections.abc.MutableSequence`).
#[pyclass(module = "netrt", name = "_Vector", frozen, sequence)]
pub struct PyVector {
    vector: AnyVector,
}

impl PyVector {
    /// A Python view of `vector`.
    pub fn new(vector: AnyVector) -> Self {
        Self { vector }
    }

    fn items(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        dispatch!(&self.vector, v => v.to_vec().into_iter().map(|e| e.to_py(py)).collect())
    }

    fn len(&self) -> usize {
        self.vector.size() as usize
    }

    fn position(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Option<usize>> {
        for (i, item) in self.items(py)?.iter().enumerate() {
            if item.bind(py).eq(value)? {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }

    fn index_of(len: usize, index: isize) -> PyResult<u32> {
        let i = if index < 0 { index + len as isize } else { index };
        if i < 0 || i as usize >= len {
            return Err(PyIndexError::new_err("vector index out of range"));
        }
        Ok(i as u32)
    }
}

fn set_at<T: PyElem>(v: &Vector<T>, index: u32, value: &Bound<'_, PyAny>) -> PyResult<()> {
    v.set_at(index, T::from_py(value)?).or_raise()
}

fn insert_at<T: PyElem>(v: &Vector<T>, index: u32, value: &Bound<'_, PyAny>) -> PyResult<()> {
    v.insert_at(index, T::from_py(value)?).or_raise()
}

fn extend<T: PyElem>(v: &Vector<T>, values: &Bound<'_, PyAny>) -> PyResult<()> {
    let mut all = v.to_vec();
    for item in values.try_iter()? {
        all.push(T::from_py(&item?)?);
    }
    v.replace_all(all).or_raise()
}

#[pymethods]
impl PyVector {
    fn __len__(&self) -> usize {
        self.len()
    }

    fn __getitem__(&self, py: Python<'_>, index: isize) -> PyResult<Py<PyAny>> {
        let i = Self::index_of(self.len(), index)?;
        dispatch!(&self.vector, v => v.get_at(i).or_raise()?.to_py(py))
    }

    fn __setitem__(&self, index: isize, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let i = Self::index_of(self.len(), index)?;
        dispatch!(&self.vector, v => set_at(v, i, value))
    }

    fn __delitem__(&self, index: isize) -> PyResult<()> {
        let i = Self::index_of(self.len(), index)?;
        self.vector.remove_at(i).or_raise()
    }

    fn insert(&self, index: isize, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let len = self.len() as isize;
        let i = if index < 0 { (index + len).max(0) } else { index.min(len) };
        dispatch!(&self.vector, v => insert_at(v, i as u32, value))
    }

    fn append(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let len = self.len() as u32;
        dispatch!(&self.vector, v => insert_at(v, len, value))
    }

    fn extend(&self, values: &Bound<'_, PyAny>) -> PyResult<()> {
        dispatch!(&self.vector, v => extend(v, values))
    }

    fn clear(&self) -> PyResult<()> {
        self.vector.clear().or_raise()
    }

    #[pyo3(signature = (index = -1))]
    fn pop(&self, py: Python<'_>, index: isize) -> PyResult<Py<PyAny>> {
        let i = Self::index_of(self.len(), index)?;
        let value = self.__getitem__(py, i as isize)?;
        self.__delitem__(i as isize)?;
        Ok(value)
    }

    fn remove(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        match self.position(py, value)? {
            Some(i) => self.__delitem__(i as isize),
            None => Err(PyValueError::new_err("value not in vector")),
        }
    }

    fn index(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<usize> {
        self.position(py, value)?.ok_or_else(|| PyValueError::new_err("value not in vector"))
    }

    fn count(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<usize> {
        let mut n = 0;
        for item in self.items(py)? {
            if item.bind(py).eq(value)? {
                n += 1;
            }
        }
        Ok(n)
    }

    fn __contains__(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.position(py, value)?.is_some())
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        PyList::new(py, self.items(py)?)?.into_any().try_iter().map(|i| i.into_any())
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(other) = PyList::type_object(py).call1((other,)) else { return Ok(false) };
        PyList::new(py, self.items(py)?)?.eq(other)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(PyList::new(py, self.items(py)?)?.repr()?.to_string())
    }
}

use pyo3::type_object::PyTypeInfo;
