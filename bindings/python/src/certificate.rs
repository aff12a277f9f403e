//! `Certificate` (Windows.Security.Cryptography.Certificates), with netrt's `from_pem` and
//! `from_pkcs12`.

use netrt::tls::Certificate;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::convert::{bytes_arg, datetime};
use crate::errors::{OrRaise, invalid_arg};
use crate::streams::PyBuf;

/// An X.509 certificate, optionally with its private key and intermediates.
#[pyclass(module = "netrt", name = "Certificate", frozen)]
pub struct PyCertificate {
    pub inner: Certificate,
}

/// A `Certificate` object.
pub fn cert_obj(py: Python<'_>, c: Certificate) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyCertificate { inner: c })?.into_any())
}

/// A `Certificate` argument.
pub fn cert_arg(obj: &Bound<'_, PyAny>) -> PyResult<Certificate> {
    obj.cast::<PyCertificate>()
        .map(|c| c.get().inner.clone())
        .map_err(|_| PyTypeError::new_err("expected a netrt.Certificate"))
}

fn text_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_str()?.to_owned());
    }
    String::from_utf8(bytes_arg(obj)?).map_err(|_| invalid_arg(format!("{what}: PEM text must be UTF-8")))
}

#[pymethods]
impl PyCertificate {
    /// `Certificate(certBlob)`: from DER bytes.
    #[new]
    #[pyo3(signature = (cert_blob, /))]
    fn new(cert_blob: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self { inner: Certificate::from_der(&bytes_arg(cert_blob)?).or_raise()? })
    }

    /// netrt `Certificate.FromPem(chainPem, keyPem)`: the first CERTIFICATE is the leaf, later
    /// ones its intermediates; the key (PKCS#8, PKCS#1 or SEC1) from `key_pem`, or from
    /// `chain_pem` itself when `key_pem` is None. `str` or bytes.
    #[staticmethod]
    #[pyo3(signature = (chain_pem, key_pem = None, /))]
    fn from_pem(chain_pem: &Bound<'_, PyAny>, key_pem: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let chain = text_arg(chain_pem, "chain_pem")?;
        let key = key_pem.map(|k| text_arg(k, "key_pem")).transpose()?;
        Ok(Self { inner: Certificate::from_pem(&chain, key.as_deref()).or_raise()? })
    }

    /// netrt `Certificate.FromPkcs12(bytes, password)`.
    #[staticmethod]
    #[pyo3(signature = (data, password, /))]
    fn from_pkcs12(data: &Bound<'_, PyAny>, password: &str) -> PyResult<Self> {
        Ok(Self { inner: Certificate::from_pkcs12(&bytes_arg(data)?, password).or_raise()? })
    }

    /// `GetCertificateBlob()`: the DER encoding as a `Buffer`.
    fn get_certificate_blob(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        PyBuf::object(py, self.inner.to_der())
    }

    /// `GetHashValue([hashAlgorithmName])`: "SHA1" (default) or "SHA256" thumbprint.
    #[pyo3(signature = (hash_algorithm_name = None, /))]
    fn get_hash_value<'py>(
        &self,
        py: Python<'py>,
        hash_algorithm_name: Option<&str>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let digest = match hash_algorithm_name.map(str::to_ascii_uppercase).as_deref() {
            None | Some("SHA1") => self.inner.thumbprint_sha1(),
            Some("SHA256") => self.inner.thumbprint_sha256(),
            Some(other) => {
                return Err(invalid_arg(format!("unsupported hash algorithm {other:?} (SHA1, SHA256)")));
            }
        };
        Ok(PyBytes::new(py, &digest))
    }

    #[getter]
    fn subject(&self) -> &str {
        self.inner.subject()
    }

    #[getter]
    fn issuer(&self) -> &str {
        self.inner.issuer()
    }

    #[getter]
    fn serial_number<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.serial_number())
    }

    #[getter]
    fn valid_from(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        datetime(py, self.inner.valid_from())
    }

    #[getter]
    fn valid_to(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        datetime(py, self.inner.valid_to())
    }

    #[getter]
    fn has_private_key(&self) -> bool {
        self.inner.has_private_key()
    }

    /// Dotted OIDs; empty when the certificate has no EKU extension.
    #[getter]
    fn enhanced_key_usages(&self) -> Vec<String> {
        self.inner.enhanced_key_usages()
    }

    /// `FriendlyName`: netrt keeps no certificate store, so always "".
    #[getter]
    fn friendly_name(&self) -> &str {
        ""
    }

    /// netrt extension: the PEM encoding (certificate only, never the key).
    fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyCertificate>().is_ok_and(|o| o.get().inner.to_der() == self.inner.to_der())
    }

    fn __hash__(&self) -> u64 {
        let d = self.inner.thumbprint_sha1();
        u64::from_le_bytes(d[..8].try_into().unwrap_or_default())
    }

    fn __repr__(&self) -> String {
        format!("<netrt.Certificate subject={:?} issuer={:?}>", self.inner.subject(), self.inner.issuer())
    }
}
