//! `Certificate` (Windows.Security.Cryptography.Certificates), with netrt's `from_pem` and
//! `from_pkcs12`.

use std::sync::Mutex;

use netrt::tls::{
    Certificate, CertificateChain, CertificateChainPolicy, CertificateKeyUsages, ChainValidationParameters,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::asyncop::{IAsyncOperation, spawn};
use crate::chain_building::parameters_arg;
use crate::convert::{bytes_arg, datetime, enum_arg, opt_host_arg, py_enum};
use crate::errors::{OrRaise, invalid_arg};
use crate::hostname::opt_host_obj;
use crate::san::PySubjectAlternativeNameInfo;
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

/// A `Certificate` object, or `None` (an unset or absent certificate).
pub fn opt_cert_obj(py: Python<'_>, c: Option<Certificate>) -> PyResult<Py<PyAny>> {
    c.map_or_else(|| Ok(py.None()), |c| cert_obj(py, c))
}

/// `Certificate` objects for a list of core certificates (a `Sequence[Certificate]` result).
pub fn cert_list(py: Python<'_>, v: Vec<Certificate>) -> PyResult<Vec<Py<PyAny>>> {
    v.into_iter().map(|c| cert_obj(py, c)).collect()
}

/// `ChainValidationResult` members for a list of core results.
pub fn chain_results(py: Python<'_>, v: Vec<netrt::tls::ChainValidationResult>) -> PyResult<Vec<Py<PyAny>>> {
    v.into_iter().map(|r| crate::convert::py_enum(py, "ChainValidationResult", r as i64)).collect()
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

    /// `BuildChainAsync(certificates[, parameters])`: the chain up to a root, from
    /// `certificates`, this certificate's intermediates and the system trust store (core
    /// `Certificate::build_chain`); with `ChainBuildingParameters` (copied now), what they ask
    /// (core `Certificate::build_chain_with_parameters`).
    #[pyo3(signature = (certificates, parameters=None, /))]
    fn build_chain_async(
        &self,
        certificates: &Bound<'_, PyAny>,
        parameters: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<IAsyncOperation> {
        let pool = certificates.try_iter()?.map(|c| cert_arg(&c?)).collect::<PyResult<Vec<_>>>()?;
        let cert = self.inner.clone();
        match parameters.map(parameters_arg).transpose()? {
            None => spawn(async move { cert.build_chain(&pool).await }, chain_obj),
            Some(params) => {
                spawn(async move { cert.build_chain_with_parameters(&pool, &params).await }, chain_obj)
            }
        }
    }

    /// `KeyUsages`: the keyUsage extension's flags (all false without the extension).
    #[getter]
    fn key_usages(&self) -> PyCertificateKeyUsages {
        PyCertificateKeyUsages { inner: self.inner.key_usages() }
    }

    /// `SubjectAlternativeName`: the subjectAltName entries by kind.
    #[getter]
    fn subject_alternative_name(&self) -> PySubjectAlternativeNameInfo {
        PySubjectAlternativeNameInfo::of(self.inner.subject_alternative_name().clone())
    }

    /// `SignatureAlgorithmName` ("sha256RSA", "sha256ECDSA", ...).
    #[getter]
    fn signature_algorithm_name(&self) -> &str {
        self.inner.signature_algorithm_name()
    }

    /// `SignatureHashAlgorithmName` ("SHA256", ...).
    #[getter]
    fn signature_hash_algorithm_name(&self) -> &str {
        self.inner.signature_hash_algorithm_name()
    }

    /// `KeyAlgorithmName` ("RSA", "ECDSA_P256", ...).
    #[getter]
    fn key_algorithm_name(&self) -> &str {
        self.inner.key_algorithm_name()
    }

    /// `IsStronglyProtected`: always False (no key store prompts on Linux).
    #[getter]
    fn is_strongly_protected(&self) -> bool {
        self.inner.is_strongly_protected()
    }

    /// `IsPerUser`: always False (netrt certificates come from no store).
    #[getter]
    fn is_per_user(&self) -> bool {
        self.inner.is_per_user()
    }

    /// `IsSecurityDeviceBound`: always False (keys are software keys in memory).
    #[getter]
    fn is_security_device_bound(&self) -> bool {
        self.inner.is_security_device_bound()
    }

    /// `KeyStorageProviderName`: always "" (no CNG provider holds netrt's keys).
    #[getter]
    fn key_storage_provider_name(&self) -> &str {
        self.inner.key_storage_provider_name()
    }

    /// `StoreName`: always "" (netrt has no certificate stores).
    #[getter]
    fn store_name(&self) -> &str {
        self.inner.store_name()
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

fn chain_obj(py: Python<'_>, chain: CertificateChain) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyCertificateChain { inner: chain })?.into_any())
}

/// `CertificateChain`: what `Certificate.build_chain_async` returns.
#[pyclass(module = "netrt", name = "CertificateChain", frozen)]
pub struct PyCertificateChain {
    inner: CertificateChain,
}

#[pymethods]
impl PyCertificateChain {
    /// `GetCertificates(includeRoot)`: leaf first.
    #[pyo3(signature = (include_root, /))]
    fn get_certificates(&self, py: Python<'_>, include_root: bool) -> PyResult<Vec<Py<PyAny>>> {
        self.inner.certificates(include_root).into_iter().map(|c| cert_obj(py, c)).collect()
    }

    /// `Validate()` (base policy) or `Validate(parameter)`: one `ChainValidationResult`.
    /// NT_AUTHENTICATION and MICROSOFT_ROOT raise NetworkError E_NOTIMPL (Windows-only).
    #[pyo3(signature = (parameter = None, /))]
    fn validate(
        &self,
        py: Python<'_>,
        parameter: Option<PyRef<'_, PyChainValidationParameters>>,
    ) -> PyResult<Py<PyAny>> {
        let result = match parameter {
            None => self.inner.validate(),
            Some(p) => {
                let params = lock(&p.inner).clone();
                self.inner.validate_with_parameters(&params).or_raise()?
            }
        };
        py_enum(py, "ChainValidationResult", result as i64)
    }

    fn __repr__(&self) -> String {
        format!("<netrt.CertificateChain of {} certificates>", self.inner.certificates(true).len())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `ChainValidationParameters`: the policy and server name for `CertificateChain.validate`.
#[pyclass(module = "netrt", name = "ChainValidationParameters", frozen)]
pub struct PyChainValidationParameters {
    inner: Mutex<ChainValidationParameters>,
}

#[pymethods]
impl PyChainValidationParameters {
    #[new]
    fn new() -> Self {
        Self { inner: Mutex::new(ChainValidationParameters::default()) }
    }

    /// `ServerDnsName` (a HostName, or None when unset); a `str` is accepted when setting.
    #[getter]
    fn server_dns_name(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        opt_host_obj(py, lock(&self.inner).server_dns_name.clone())
    }

    #[setter]
    fn set_server_dns_name(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        lock(&self.inner).server_dns_name = opt_host_arg(value)?;
        Ok(())
    }

    /// `CertificateChainPolicy` (default BASE).
    #[getter]
    fn certificate_chain_policy(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "CertificateChainPolicy", lock(&self.inner).certificate_chain_policy as i64)
    }

    #[setter]
    fn set_certificate_chain_policy(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let raw = enum_arg(value, "certificate_chain_policy")?;
        let policy = CertificateChainPolicy::from_i32(raw)
            .ok_or_else(|| invalid_arg(format!("{raw} is not a CertificateChainPolicy")))?;
        lock(&self.inner).certificate_chain_policy = policy;
        Ok(())
    }
}

/// `CertificateKeyUsages`: the keyUsage flags (read from a certificate; settable, as in WinRT).
#[pyclass(module = "netrt", name = "CertificateKeyUsages")]
pub struct PyCertificateKeyUsages {
    inner: CertificateKeyUsages,
}

macro_rules! key_usage_flags {
    ($($get:ident / $set:ident),+ $(,)?) => {
        #[pymethods]
        impl PyCertificateKeyUsages {
            #[new]
            fn new() -> Self {
                Self { inner: CertificateKeyUsages::default() }
            }

            $(
                #[getter]
                fn $get(&self) -> bool {
                    self.inner.$get
                }

                #[setter]
                fn $set(&mut self, value: bool) {
                    self.inner.$get = value;
                }
            )+

            fn __repr__(&self) -> String {
                let set: Vec<&str> = [$((stringify!($get), self.inner.$get)),+]
                    .iter()
                    .filter(|(_, on)| *on)
                    .map(|(name, _)| *name)
                    .collect();
                format!("<netrt.CertificateKeyUsages {}>", set.join("|"))
            }
        }
    };
}

key_usage_flags!(
    encipher_only / set_encipher_only,
    crl_sign / set_crl_sign,
    key_certificate_sign / set_key_certificate_sign,
    key_agreement / set_key_agreement,
    data_encipherment / set_data_encipherment,
    key_encipherment / set_key_encipherment,
    non_repudiation / set_non_repudiation,
    digital_signature / set_digital_signature,
);
