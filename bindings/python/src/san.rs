//! `SubjectAlternativeNameInfo` (Windows.Security.Cryptography.Certificates): the singular
//! members are lists of the entries now; the plural ones (`dns_names`, ...) are live lists of
//! the same entries, which change only this info object (netrt makes no certificate requests).

use std::sync::{Arc, Mutex};

use netrt::tls::{SubjectAlternativeNameInfo, SubjectAlternativeNameKind as Kind};
use pyo3::prelude::*;

use crate::extension::PyCertificateExtension;
use crate::vector::{AnyVector, PyVector};

/// `SubjectAlternativeNameInfo`: the subjectAltName entries by kind.
#[pyclass(module = "netrt", name = "SubjectAlternativeNameInfo", frozen)]
pub struct PySubjectAlternativeNameInfo {
    inner: Arc<Mutex<SubjectAlternativeNameInfo>>,
}

impl PySubjectAlternativeNameInfo {
    /// An info object over a copy of `info` (a certificate's entries).
    pub fn of(info: SubjectAlternativeNameInfo) -> Self {
        Self { inner: Arc::new(Mutex::new(info)) }
    }

    fn snapshot(&self, kind: Kind) -> Vec<String> {
        SubjectAlternativeNameInfo::entries_view(&self.inner, kind).to_vec()
    }

    fn live(&self, kind: Kind) -> PyVector {
        PyVector::new(AnyVector::Strings(SubjectAlternativeNameInfo::entries_vector(&self.inner, kind)))
    }
}

#[pymethods]
impl PySubjectAlternativeNameInfo {
    /// An empty info.
    #[new]
    fn new() -> Self {
        Self::of(SubjectAlternativeNameInfo::default())
    }
    #[getter]
    fn dns_name(&self) -> Vec<String> {
        self.snapshot(Kind::DnsName)
    }
    #[getter]
    fn ip_address(&self) -> Vec<String> {
        self.snapshot(Kind::IpAddress)
    }
    #[getter]
    fn url(&self) -> Vec<String> {
        self.snapshot(Kind::Url)
    }
    #[getter]
    fn email_name(&self) -> Vec<String> {
        self.snapshot(Kind::EmailName)
    }
    #[getter]
    fn distinguished_name(&self) -> Vec<String> {
        self.snapshot(Kind::DistinguishedName)
    }
    #[getter]
    fn principal_name(&self) -> Vec<String> {
        self.snapshot(Kind::PrincipalName)
    }
    #[getter]
    fn dns_names(&self) -> PyVector {
        self.live(Kind::DnsName)
    }
    /// Each element must be an IPv4 or IPv6 address (otherwise ValueError).
    #[getter]
    fn ip_addresses(&self) -> PyVector {
        self.live(Kind::IpAddress)
    }
    #[getter]
    fn urls(&self) -> PyVector {
        self.live(Kind::Url)
    }
    #[getter]
    fn email_names(&self) -> PyVector {
        self.live(Kind::EmailName)
    }
    #[getter]
    fn distinguished_names(&self) -> PyVector {
        self.live(Kind::DistinguishedName)
    }
    #[getter]
    fn principal_names(&self) -> PyVector {
        self.live(Kind::PrincipalName)
    }
    /// The certificate's subjectAltName extension (object id 2.5.29.17, its critical flag, the
    /// DER of its value), a copy; without one (or for an info made empty): that object id, not
    /// critical, an empty value.
    #[getter]
    fn extension(&self) -> PyCertificateExtension {
        PyCertificateExtension::of(self.inner.lock().unwrap_or_else(|e| e.into_inner()).extension())
    }
}
