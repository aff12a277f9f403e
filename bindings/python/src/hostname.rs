//! `HostName` and `EndpointPair` (Windows.Networking).

use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::convert::{host_arg, opt_host_arg, py_enum, str_arg};
use crate::errors::OrRaise;

/// A DNS name or an IP address literal.
#[pyclass(module = "netrt", name = "HostName", frozen)]
pub struct PyHostName {
    pub inner: netrt::HostName,
}

/// A `HostName` object for a core host name.
pub fn host_obj(py: Python<'_>, h: netrt::HostName) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyHostName { inner: h })?.into_any())
}

/// `HostName | None` for an optional core host name.
pub fn opt_host_obj(py: Python<'_>, h: Option<netrt::HostName>) -> PyResult<Py<PyAny>> {
    match h {
        Some(h) => host_obj(py, h),
        None => Ok(py.None()),
    }
}

#[pymethods]
impl PyHostName {
    #[new]
    #[pyo3(signature = (host_name, /))]
    fn new(host_name: &Bound<'_, PyString>) -> PyResult<Self> {
        Ok(Self { inner: netrt::HostName::new(host_name.to_str()?).or_raise()? })
    }

    /// `Compare(value1, value2)`: -1, 0 or 1 by canonical name.
    #[staticmethod]
    #[pyo3(signature = (value1, value2, /))]
    fn compare(value1: &Bound<'_, PyString>, value2: &Bound<'_, PyString>) -> PyResult<i32> {
        netrt::HostName::compare(value1.to_str()?, value2.to_str()?).or_raise()
    }

    /// `IsEqual(hostName)`: equal canonical names.
    #[pyo3(signature = (host_name, /))]
    fn is_equal(&self, host_name: PyRef<'_, PyHostName>) -> bool {
        self.inner.is_equal(&host_name.inner)
    }

    /// `ToString()`: the display name.
    #[allow(clippy::inherent_to_string)] // WinRT's IStringable.ToString, as PyWinRT names it
    fn to_string(&self) -> String {
        self.inner.to_string()
    }

    #[getter]
    fn canonical_name(&self) -> &str {
        self.inner.canonical_name()
    }

    /// `IPInformation`: for an address of a local interface, its prefix length; None for
    /// every other host name (core `HostName::ip_information`).
    #[getter]
    fn ip_information(&self) -> Option<PyIpInformation> {
        self.inner.ip_information().map(|inner| PyIpInformation { inner })
    }

    #[getter]
    fn display_name(&self) -> &str {
        self.inner.display_name()
    }

    #[getter]
    fn raw_name(&self) -> &str {
        self.inner.raw_name()
    }

    /// `Type`: a `HostNameType`.
    #[getter]
    fn r#type(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "HostNameType", self.inner.host_type() as i64)
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!("HostName({:?})", self.inner.raw_name())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyHostName>().is_ok_and(|o| self.inner.is_equal(&o.get().inner))
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.inner.canonical_name().hash(&mut h);
        h.finish()
    }
}

/// Local and remote host and service of a connection.
#[pyclass(module = "netrt", name = "EndpointPair", frozen)]
pub struct PyEndpointPair {
    inner: netrt::EndpointPair,
}

impl PyEndpointPair {
    /// The pair (another reference to the same core object).
    pub fn get_pair(&self) -> netrt::EndpointPair {
        self.inner.clone()
    }
}

#[pymethods]
impl PyEndpointPair {
    /// `EndpointPair(localHostName, localServiceName, remoteHostName, remoteServiceName)`;
    /// host names may be `None` (as WinRT's null) or `str`.
    #[new]
    #[pyo3(signature = (local_host_name, local_service_name, remote_host_name, remote_service_name, /))]
    fn new(
        local_host_name: &Bound<'_, PyAny>,
        local_service_name: &Bound<'_, PyAny>,
        remote_host_name: &Bound<'_, PyAny>,
        remote_service_name: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        Ok(Self {
            inner: netrt::EndpointPair::new(
                opt_host_arg(local_host_name)?,
                &str_arg(local_service_name, "local_service_name")?,
                opt_host_arg(remote_host_name)?,
                &str_arg(remote_service_name, "remote_service_name")?,
            ),
        })
    }

    #[getter]
    fn local_host_name(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        opt_host_obj(py, self.inner.local_host_name())
    }

    #[setter]
    fn set_local_host_name(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let h = opt_host_arg(value)?;
        self.inner.set_local_host_name(h);
        Ok(())
    }

    #[getter]
    fn local_service_name(&self) -> String {
        self.inner.local_service_name()
    }

    #[setter]
    fn set_local_service_name(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let s = str_arg(value, "local_service_name")?;
        self.inner.set_local_service_name(&s);
        Ok(())
    }

    #[getter]
    fn remote_host_name(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        opt_host_obj(py, self.inner.remote_host_name())
    }

    #[setter]
    fn set_remote_host_name(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let h = Some(host_arg(value)?);
        self.inner.set_remote_host_name(h);
        Ok(())
    }

    #[getter]
    fn remote_service_name(&self) -> String {
        self.inner.remote_service_name()
    }

    #[setter]
    fn set_remote_service_name(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let s = str_arg(value, "remote_service_name")?;
        self.inner.set_remote_service_name(&s);
        Ok(())
    }

    fn __repr__(&self) -> String {
        let p = self.inner.snapshot();
        {
            let name = |h: &Option<netrt::HostName>| h.as_ref().map(|h| h.to_string()).unwrap_or_default();
            format!(
                "EndpointPair({:?}, {:?}, {:?}, {:?})",
                name(&p.local_host_name),
                p.local_service_name,
                name(&p.remote_host_name),
                p.remote_service_name
            )
        }
    }
}

/// `IPInformation` (Windows.Networking.Connectivity): what netrt knows about a local address.
#[pyclass(module = "netrt", name = "IPInformation", frozen)]
pub struct PyIpInformation {
    inner: netrt::net::IpInformation,
}

#[pymethods]
impl PyIpInformation {
    /// `NetworkAdapter`: always None (netrt has no NetworkAdapter; Windows-only).
    #[getter]
    fn network_adapter(&self, py: Python<'_>) -> Py<PyAny> {
        py.None()
    }

    /// `PrefixLength`: the interface address's prefix length, or None.
    #[getter]
    fn prefix_length(&self) -> Option<u8> {
        self.inner.prefix_length()
    }

    fn __repr__(&self) -> String {
        format!("<netrt.IPInformation prefix_length={:?}>", self.inner.prefix_length())
    }
}
