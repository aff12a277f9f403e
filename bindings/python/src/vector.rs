//! A live `IVector<T>` view (PyWinRT's `MutableSequence`) over a list-valued control
//! property: `control.ignorable_server_certificate_errors.append(...)` changes the socket's
//! setting, as `IgnorableServerCertificateErrors.Add(...)` does in WinRT. Every change is
//! validated by the core setter (e.g. a non-ignorable result is `E_INVALIDARG`). The listener's
//! `trusted_root_certificates` is the same view over `StreamSocketListenerControl`.

use netrt::net::StreamSocketControl;
use netrt::net::control::StreamSocketListenerControl;
use netrt::tls::ChainValidationResult;
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};

use crate::certificate::{cert_arg, cert_obj};
use crate::convert::{bytes_arg, enum_arg, py_enum};
use crate::errors::{OrRaise, invalid_arg};

/// Which list of which control this view shows.
pub enum Kind {
    /// `IgnorableServerCertificateErrors` (ChainValidationResult).
    IgnorableErrors(StreamSocketControl),
    /// netrt `TrustedRootCertificates` (Certificate).
    TrustedRoots(StreamSocketControl),
    /// netrt `ApplicationProtocols` (str).
    ApplicationProtocols(StreamSocketControl),
    /// netrt `CertificateRevocationLists` (DER bytes).
    RevocationLists(StreamSocketControl),
    /// netrt `StreamSocketListenerControl.TrustedRootCertificates` (Certificate).
    ListenerTrustedRoots(StreamSocketListenerControl),
}

/// The live list (a `collections.abc.MutableSequence`).
#[pyclass(module = "netrt", name = "_Vector", frozen, sequence)]
pub struct PyVector {
    pub kind: Kind,
}

impl PyVector {
    fn items(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        match &self.kind {
            Kind::IgnorableErrors(control) => control
                .ignorable_server_certificate_errors()
                .into_iter()
                .map(|r| py_enum(py, "ChainValidationResult", r as i64))
                .collect(),
            Kind::TrustedRoots(control) => {
                control.trusted_root_certificates().into_iter().map(|c| cert_obj(py, c)).collect()
            }
            Kind::ListenerTrustedRoots(control) => {
                control.trusted_root_certificates().into_iter().map(|c| cert_obj(py, c)).collect()
            }
            Kind::ApplicationProtocols(control) => Ok(control
                .application_protocols()
                .into_iter()
                .map(|s| PyString::new(py, &s).into_any().unbind())
                .collect()),
            Kind::RevocationLists(control) => Ok(control
                .certificate_revocation_lists()
                .into_iter()
                .map(|b| PyBytes::new(py, &b).into_any().unbind())
                .collect()),
        }
    }

    fn store(&self, py: Python<'_>, items: Vec<Py<PyAny>>) -> PyResult<()> {
        let bound: Vec<Bound<'_, PyAny>> = items.into_iter().map(|i| i.into_bound(py)).collect();
        match &self.kind {
            Kind::IgnorableErrors(control) => {
                let values = bound
                    .iter()
                    .map(|o| {
                        let raw = enum_arg(o, "ChainValidationResult")?;
                        ChainValidationResult::from_raw(raw)
                            .ok_or_else(|| invalid_arg(format!("{raw} is not a ChainValidationResult")))
                    })
                    .collect::<PyResult<Vec<_>>>()?;
                control.set_ignorable_server_certificate_errors(values).or_raise()
            }
            Kind::TrustedRoots(control) => {
                let values = bound.iter().map(cert_arg).collect::<PyResult<Vec<_>>>()?;
                control.set_trusted_root_certificates(values).or_raise()
            }
            Kind::ListenerTrustedRoots(control) => {
                let values = bound.iter().map(cert_arg).collect::<PyResult<Vec<_>>>()?;
                control.set_trusted_root_certificates(values).or_raise()
            }
            Kind::ApplicationProtocols(control) => {
                let values = bound
                    .iter()
                    .map(|o| {
                        o.cast::<PyString>()
                            .map_err(|_| PyTypeError::new_err("application protocols are str"))
                            .and_then(|s| Ok(s.to_str()?.to_owned()))
                    })
                    .collect::<PyResult<Vec<_>>>()?;
                control.set_application_protocols(values).or_raise()
            }
            Kind::RevocationLists(control) => {
                let values = bound.iter().map(bytes_arg).collect::<PyResult<Vec<_>>>()?;
                control.set_certificate_revocation_lists(values).or_raise()
            }
        }
    }

    fn index_of(len: usize, index: isize) -> PyResult<usize> {
        let i = if index < 0 { index + len as isize } else { index };
        if i < 0 || i as usize >= len {
            return Err(PyIndexError::new_err("vector index out of range"));
        }
        Ok(i as usize)
    }
}

#[pymethods]
impl PyVector {
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.items(py)?.len())
    }

    fn __getitem__(&self, py: Python<'_>, index: isize) -> PyResult<Py<PyAny>> {
        let mut items = self.items(py)?;
        let i = Self::index_of(items.len(), index)?;
        Ok(items.swap_remove(i))
    }

    fn __setitem__(&self, py: Python<'_>, index: isize, value: Py<PyAny>) -> PyResult<()> {
        let mut items = self.items(py)?;
        let i = Self::index_of(items.len(), index)?;
        items[i] = value;
        self.store(py, items)
    }

    fn __delitem__(&self, py: Python<'_>, index: isize) -> PyResult<()> {
        let mut items = self.items(py)?;
        let i = Self::index_of(items.len(), index)?;
        items.remove(i);
        self.store(py, items)
    }

    fn insert(&self, py: Python<'_>, index: isize, value: Py<PyAny>) -> PyResult<()> {
        let mut items = self.items(py)?;
        let len = items.len() as isize;
        let i = if index < 0 { (index + len).max(0) } else { index.min(len) };
        items.insert(i as usize, value);
        self.store(py, items)
    }

    fn append(&self, py: Python<'_>, value: Py<PyAny>) -> PyResult<()> {
        let mut items = self.items(py)?;
        items.push(value);
        self.store(py, items)
    }

    fn extend(&self, py: Python<'_>, values: &Bound<'_, PyAny>) -> PyResult<()> {
        let mut items = self.items(py)?;
        for v in values.try_iter()? {
            items.push(v?.unbind());
        }
        self.store(py, items)
    }

    fn clear(&self, py: Python<'_>) -> PyResult<()> {
        self.store(py, Vec::new())
    }

    #[pyo3(signature = (index = -1))]
    fn pop(&self, py: Python<'_>, index: isize) -> PyResult<Py<PyAny>> {
        let mut items = self.items(py)?;
        let i = Self::index_of(items.len(), index)?;
        let v = items.remove(i);
        self.store(py, items)?;
        Ok(v)
    }

    fn remove(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let mut items = self.items(py)?;
        for (i, item) in items.iter().enumerate() {
            if item.bind(py).eq(value)? {
                items.remove(i);
                return self.store(py, items);
            }
        }
        Err(PyValueError::new_err("value not in vector"))
    }

    fn index(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<usize> {
        for (i, item) in self.items(py)?.iter().enumerate() {
            if item.bind(py).eq(value)? {
                return Ok(i);
            }
        }
        Err(PyValueError::new_err("value not in vector"))
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
        Ok(self.count(py, value)? > 0)
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
