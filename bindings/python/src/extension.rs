//! `CertificateExtension` (Windows.Security.Cryptography.Certificates): one X.509 extension,
//! and what `SubjectAlternativeNameInfo.extension` returns (core's `CertificateExtension`).

use std::sync::{Mutex, MutexGuard};

use netrt::tls::CertificateExtension;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::convert::bytes_arg;

/// `CertificateExtension`: an object id, a critical flag and the DER-encoded value.
#[pyclass(module = "netrt", name = "CertificateExtension", frozen)]
pub struct PyCertificateExtension {
    inner: Mutex<CertificateExtension>,
}

impl PyCertificateExtension {
    /// An extension object over `ext` (a copy).
    pub fn of(ext: CertificateExtension) -> Self {
        Self { inner: Mutex::new(ext) }
    }

    fn lock(&self) -> MutexGuard<'_, CertificateExtension> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl PyCertificateExtension {
    /// No object id, not critical, an empty value.
    #[new]
    fn new() -> Self {
        Self::of(CertificateExtension::new())
    }
    #[getter]
    fn object_id(&self) -> String {
        self.lock().object_id.clone()
    }
    #[setter]
    fn set_object_id(&self, value: String) {
        self.lock().object_id = value;
    }
    #[getter]
    fn is_critical(&self) -> bool {
        self.lock().is_critical
    }
    #[setter]
    fn set_is_critical(&self, value: bool) {
        self.lock().is_critical = value;
    }
    /// The DER encoding of the extension's value.
    #[getter]
    fn value<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.lock().value)
    }
    #[setter]
    fn set_value(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = bytes_arg(value)?;
        self.lock().value = value;
        Ok(())
    }
    /// `EncodeValue(String)`: sets `value` to the DER encoding of `value` as one ASN.1 string
    /// (an IA5String for ASCII text, otherwise a UTF8String).
    fn encode_value(&self, value: &str) {
        self.lock().encode_value(value);
    }
}
