//! `StreamSocket`, `StreamSocketControl`, `StreamSocketInformation` and the TCP statistics.

use netrt::net::tcp_info::{BandwidthStatistics, RoundTripTimeStatistics};
use netrt::net::{
    SocketProtectionLevel, SocketQualityOfService, StreamSocket, StreamSocketControl, StreamSocketInformation,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::asyncop::{IAsyncOperation, arity_error, none, spawn};
use crate::certificate::{PyCertificate, cert_arg, cert_list, chain_results, opt_cert_obj};
use crate::convert::{enum_arg, host_arg, level_arg, py_enum, str_arg, timedelta, timespan_arg};
use crate::errors::{OrRaise, invalid_arg};
use crate::hostname::{PyEndpointPair, opt_host_obj};
use crate::streams::{PyInputStream, PyOutputStream, aenter, aexit};
use crate::vector::{AnyVector, PyVector};

/// A TCP connection, optionally with TLS.
#[pyclass(module = "netrt", name = "StreamSocket", frozen)]
pub struct PyStreamSocket {
    pub inner: StreamSocket,
}

/// A `StreamSocket` object for a core socket (an accepted connection).
pub fn socket_obj(py: Python<'_>, s: StreamSocket) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyStreamSocket { inner: s })?.into_any())
}

/// The `adapter` argument of the Windows overloads: only `None` (NetworkAdapter is Windows-only).
fn no_adapter(obj: &Bound<'_, PyAny>) -> PyResult<()> {
    if obj.is_none() {
        Ok(())
    } else {
        Err(invalid_arg("NetworkAdapter is Windows-only; netrt accepts only None for adapter"))
    }
}

impl PyStreamSocket {
    fn connect(&self, pair: netrt::EndpointPair, level: SocketProtectionLevel) -> PyResult<IAsyncOperation> {
        let s = self.inner.clone();
        spawn(async move { s.connect_with_endpoint_pair_and_protection_level(&pair, level).await }, none)
    }
}

#[pymethods]
impl PyStreamSocket {
    #[new]
    fn new() -> Self {
        Self { inner: StreamSocket::new() }
    }

    /// `ConnectAsync`, every overload: `(endpoint_pair)`, `(remote_host_name,
    /// remote_service_name[, protection_level[, adapter]])`, and — as the client-certificate sample's
    /// `ConnectAsync(EndpointPair, SocketProtectionLevel)` — `(endpoint_pair, protection_level)`.
    /// Host names may be `HostName` or `str`.
    #[pyo3(signature = (*args))]
    fn connect_async(&self, args: &Bound<'_, PyTuple>) -> PyResult<IAsyncOperation> {
        const FORMS: &str = "(endpoint_pair[, protection_level]) or (remote_host_name, remote_service_name[, protection_level[, adapter]])";
        let first = match args.len() {
            1..=4 => args.get_item(0)?,
            _ => return Err(arity_error("connect_async", FORMS, args)),
        };
        if let Ok(pair) = first.cast::<PyEndpointPair>() {
            let level = match args.len() {
                1 => SocketProtectionLevel::PlainSocket,
                2 => level_arg(&args.get_item(1)?)?,
                _ => return Err(arity_error("connect_async", FORMS, args)),
            };
            return self.connect(pair.get().get_pair(), level);
        }
        if args.len() < 2 {
            return Err(arity_error("connect_async", FORMS, args));
        }
        let host = host_arg(&first)?;
        let service = str_arg(&args.get_item(1)?, "remote_service_name")?;
        let level = match args.len() {
            2 => SocketProtectionLevel::PlainSocket,
            _ => level_arg(&args.get_item(2)?)?,
        };
        if args.len() == 4 {
            no_adapter(&args.get_item(3)?)?;
        }
        self.connect(netrt::EndpointPair::new(None, "", Some(host), &service), level)
    }

    /// `ConnectAsync(EndpointPair, SocketProtectionLevel)` under its ABI overload name.
    #[pyo3(signature = (endpoint_pair, protection_level, /))]
    fn connect_with_endpoint_pair_and_protection_level_async(
        &self,
        endpoint_pair: PyRef<'_, PyEndpointPair>,
        protection_level: &Bound<'_, PyAny>,
    ) -> PyResult<IAsyncOperation> {
        self.connect(endpoint_pair.get_pair(), level_arg(protection_level)?)
    }

    /// `UpgradeToSslAsync(protectionLevel, validationHostName)`: STARTTLS on a plain connection.
    #[pyo3(signature = (protection_level, validation_host_name, /))]
    fn upgrade_to_ssl_async(
        &self,
        protection_level: &Bound<'_, PyAny>,
        validation_host_name: &Bound<'_, PyAny>,
    ) -> PyResult<IAsyncOperation> {
        let level = level_arg(protection_level)?;
        let host = host_arg(validation_host_name)?;
        let s = self.inner.clone();
        spawn(async move { s.upgrade_to_ssl(level, &host).await }, none)
    }

    /// netrt `UpgradeToSslAsServerAsync(protectionLevel, serverCertificate)`: server-side
    /// STARTTLS on an accepted plain socket (the peer starts a TLS client handshake). Plaintext
    /// still unconsumed in a DataReader refuses it with NETRT_E_STARTTLS_PLAINTEXT_PENDING.
    #[pyo3(signature = (protection_level, server_certificate, /))]
    fn upgrade_to_ssl_as_server_async(
        &self,
        protection_level: &Bound<'_, PyAny>,
        server_certificate: &Bound<'_, PyAny>,
    ) -> PyResult<IAsyncOperation> {
        let level = level_arg(protection_level)?;
        let certificate = cert_arg(server_certificate)?;
        let s = self.inner.clone();
        spawn(async move { s.upgrade_to_ssl_as_server(level, &certificate).await }, none)
    }

    /// `EnableTransferOwnership(task_id[, connected_standby_action])`: lets the broker take this
    /// socket later for the background task `task_id` (docs/broker.md).
    #[pyo3(signature = (*args))]
    fn enable_transfer_ownership(&self, args: &Bound<'_, PyTuple>) -> PyResult<()> {
        crate::ownership::enable(&self.inner, args)
    }

    /// The two-argument `enable_transfer_ownership` under its older PyWinRT name.
    #[pyo3(signature = (task_id, connected_standby_action, /))]
    fn enable_transfer_ownership_with_connected_standby_action(
        &self,
        task_id: &Bound<'_, PyAny>,
        connected_standby_action: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        crate::ownership::enable_with_action(&self.inner, task_id, connected_standby_action)
    }

    /// `TransferOwnership(socket_id[, data, keep_alive_time]])`: hands the socket to the broker; this
    /// object is closed afterwards. Fails, leaving the socket unchanged, while I/O is pending
    /// (E_ILLEGAL_METHOD_CALL) and under TLS (E_NOTIMPL, `NotImplementedError`).
    #[pyo3(signature = (*args))]
    fn transfer_ownership(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<()> {
        crate::ownership::transfer(py, &self.inner, args)
    }

    /// `transfer_ownership(socket_id, data)` under its older PyWinRT name.
    #[pyo3(signature = (socket_id, data, /))]
    fn transfer_ownership_with_context(
        &self,
        py: Python<'_>,
        socket_id: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        crate::ownership::transfer(py, &self.inner, &PyTuple::new(py, [socket_id, data])?)
    }

    /// `transfer_ownership(socket_id, data, keep_alive_time)` under its older PyWinRT name.
    #[pyo3(signature = (socket_id, data, keep_alive_time, /))]
    fn transfer_ownership_with_context_and_keep_alive_time(
        &self,
        py: Python<'_>,
        socket_id: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
        keep_alive_time: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        crate::ownership::transfer(py, &self.inner, &PyTuple::new(py, [socket_id, data, keep_alive_time])?)
    }

    /// `CancelIOAsync()`: pending reads, writes and connects end with OPERATION_ABORTED.
    fn cancel_io_async(&self) -> PyResult<IAsyncOperation> {
        let s = self.inner.clone();
        spawn(async move { s.cancel_io().await }, none)
    }

    /// `Close()`: idempotent, never blocks; pending operations end with OPERATION_ABORTED.
    fn close(&self) {
        self.inner.close();
    }

    #[getter]
    fn control(&self) -> PyStreamSocketControl {
        PyStreamSocketControl { inner: self.inner.control() }
    }

    #[getter]
    fn information(&self) -> PyStreamSocketInformation {
        PyStreamSocketInformation { inner: self.inner.information() }
    }

    #[getter]
    fn input_stream(&self) -> PyInputStream {
        PyInputStream { inner: self.inner.input_stream() }
    }

    #[getter]
    fn output_stream(&self) -> PyOutputStream {
        PyOutputStream { inner: self.inner.output_stream() }
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, PyTuple>) {
        self.inner.close();
    }

    fn __aenter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        aenter(slf.as_any())
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__<'py>(&self, py: Python<'py>, _args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        aexit(py, || self.inner.close())
    }
}

/// Socket options; set them before connecting.
#[pyclass(module = "netrt", name = "StreamSocketControl", frozen)]
pub struct PyStreamSocketControl {
    inner: StreamSocketControl,
}

#[pymethods]
impl PyStreamSocketControl {
    #[getter]
    fn no_delay(&self) -> bool {
        self.inner.no_delay()
    }
    #[setter]
    fn set_no_delay(&self, value: bool) -> PyResult<()> {
        self.inner.set_no_delay(value).or_raise()
    }
    #[getter]
    fn keep_alive(&self) -> bool {
        self.inner.keep_alive()
    }
    #[setter]
    fn set_keep_alive(&self, value: bool) -> PyResult<()> {
        self.inner.set_keep_alive(value).or_raise()
    }
    #[getter]
    fn outbound_buffer_size_in_bytes(&self) -> u32 {
        self.inner.outbound_buffer_size_in_bytes()
    }
    #[setter]
    fn set_outbound_buffer_size_in_bytes(&self, value: u32) -> PyResult<()> {
        self.inner.set_outbound_buffer_size_in_bytes(value).or_raise()
    }
    #[getter]
    fn quality_of_service(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "SocketQualityOfService", self.inner.quality_of_service() as i64)
    }
    #[setter]
    fn set_quality_of_service(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let q = SocketQualityOfService::from_raw(enum_arg(value, "quality_of_service")?).or_raise()?;
        self.inner.set_quality_of_service(q).or_raise()
    }
    #[getter]
    fn outbound_unicast_hop_limit(&self) -> u8 {
        self.inner.outbound_unicast_hop_limit()
    }
    #[setter]
    fn set_outbound_unicast_hop_limit(&self, value: u8) -> PyResult<()> {
        self.inner.set_outbound_unicast_hop_limit(value).or_raise()
    }
    #[getter]
    fn serialize_connection_attempts(&self) -> bool {
        self.inner.serialize_connection_attempts()
    }
    #[setter]
    fn set_serialize_connection_attempts(&self, value: bool) -> PyResult<()> {
        self.inner.set_serialize_connection_attempts(value).or_raise()
    }
    /// `ClientCertificate`: sent only if the server asks for one (`None`: no certificate).
    #[getter]
    fn client_certificate(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        opt_cert_obj(py, self.inner.client_certificate())
    }
    #[setter]
    fn set_client_certificate(&self, value: Option<PyRef<'_, PyCertificate>>) -> PyResult<()> {
        self.inner.set_client_certificate(value.map(|c| c.inner.clone())).or_raise()
    }
    #[getter]
    fn min_protection_level(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "SocketProtectionLevel", self.inner.min_protection_level() as i64)
    }
    #[setter]
    fn set_min_protection_level(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set_min_protection_level(level_arg(value)?).or_raise()
    }
    /// `IgnorableServerCertificateErrors`: a live list of `ChainValidationResult`.
    #[getter]
    fn ignorable_server_certificate_errors(&self) -> PyVector {
        PyVector::new(AnyVector::Results(self.inner.ignorable_server_certificate_errors()))
    }
    /// netrt: extra trusted roots for this socket (a live list of `Certificate`).
    #[getter]
    fn trusted_root_certificates(&self) -> PyVector {
        PyVector::new(AnyVector::Certificates(self.inner.trusted_root_certificates()))
    }
    /// netrt: ALPN protocols offered (a live list of `str`).
    #[getter]
    fn application_protocols(&self) -> PyVector {
        PyVector::new(AnyVector::Strings(self.inner.application_protocols()))
    }
    /// netrt: DER CRLs checked at the handshake (a live list of `bytes`).
    #[getter]
    fn certificate_revocation_lists(&self) -> PyVector {
        PyVector::new(AnyVector::Bytes(self.inner.certificate_revocation_lists()))
    }
    /// netrt: connect timeout (`timedelta(0)`: the system's).
    #[getter]
    fn connect_timeout(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        timedelta(py, self.inner.connect_timeout())
    }
    #[setter]
    fn set_connect_timeout(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set_connect_timeout(timespan_arg(value)?).or_raise()
    }
    /// netrt: TLS handshake timeout (default 30 s).
    #[getter]
    fn tls_handshake_timeout(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        timedelta(py, self.inner.tls_handshake_timeout())
    }
    #[setter]
    fn set_tls_handshake_timeout(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set_tls_handshake_timeout(timespan_arg(value)?).or_raise()
    }
}

/// A live view of the connection.
#[pyclass(module = "netrt", name = "StreamSocketInformation", frozen)]
pub struct PyStreamSocketInformation {
    inner: StreamSocketInformation,
}

#[pymethods]
impl PyStreamSocketInformation {
    #[getter]
    fn local_address(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        opt_host_obj(py, self.inner.local_address())
    }
    #[getter]
    fn local_port(&self) -> String {
        self.inner.local_port()
    }
    #[getter]
    fn remote_address(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        opt_host_obj(py, self.inner.remote_address())
    }
    #[getter]
    fn remote_port(&self) -> String {
        self.inner.remote_port()
    }
    #[getter]
    fn remote_host_name(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        opt_host_obj(py, self.inner.remote_host_name())
    }
    #[getter]
    fn remote_service_name(&self) -> String {
        self.inner.remote_service_name()
    }
    /// `ProtectionLevel`: the level requested (as WinRT).
    #[getter]
    fn protection_level(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "SocketProtectionLevel", self.inner.protection_level() as i64)
    }
    #[getter]
    fn round_trip_time_statistics(&self) -> PyResult<PyRoundTripTimeStatistics> {
        Ok(PyRoundTripTimeStatistics::from(self.inner.round_trip_time_statistics().or_raise()?))
    }
    #[getter]
    fn bandwidth_statistics(&self) -> PyResult<PyBandwidthStatistics> {
        Ok(PyBandwidthStatistics::from(self.inner.bandwidth_statistics().or_raise()?))
    }
    /// `SessionKey`: not provided by netrt (`None`).
    #[getter]
    fn session_key(&self, py: Python<'_>) -> Py<PyAny> {
        py.None()
    }
    #[getter]
    fn server_certificate(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        opt_cert_obj(py, self.inner.server_certificate())
    }
    #[getter]
    fn server_intermediate_certificates(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        cert_list(py, self.inner.server_intermediate_certificates())
    }
    #[getter]
    fn server_certificate_errors(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        chain_results(py, self.inner.server_certificate_errors())
    }
    #[getter]
    fn server_certificate_error_severity(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "SocketSslErrorSeverity", self.inner.server_certificate_error_severity() as i64)
    }
    /// netrt: on the server end of a TLS connection, the certificate the client presented.
    #[getter]
    fn client_certificate(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        opt_cert_obj(py, self.inner.client_certificate())
    }
    /// netrt: a `TlsVersion` (an IntEnum of the wire versions: TLS12 == 0x0303, TLS13 == 0x0304,
    /// NONE == 0 without TLS).
    #[getter]
    fn negotiated_tls_version(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "TlsVersion", self.inner.negotiated_tls_version() as i64)
    }
    /// netrt: IANA cipher suite name ("" without TLS).
    #[getter]
    fn cipher_suite(&self) -> String {
        self.inner.cipher_suite()
    }
    /// netrt: the ALPN protocol chosen, or None.
    #[getter]
    fn application_protocol(&self) -> Option<String> {
        self.inner.application_protocol()
    }
    /// netrt: the SNI sent, or None.
    #[getter]
    fn server_name(&self) -> Option<String> {
        self.inner.server_name()
    }
}

/// `RoundTripTimeStatistics` (microseconds).
#[pyclass(module = "netrt", name = "RoundTripTimeStatistics", frozen, get_all, eq)]
#[derive(PartialEq, Clone, Copy)]
pub struct PyRoundTripTimeStatistics {
    variance: u32,
    max: u32,
    min: u32,
    sum: u32,
}

impl From<RoundTripTimeStatistics> for PyRoundTripTimeStatistics {
    fn from(s: RoundTripTimeStatistics) -> Self {
        Self { variance: s.variance, max: s.max, min: s.min, sum: s.sum }
    }
}

#[pymethods]
impl PyRoundTripTimeStatistics {
    #[new]
    #[pyo3(signature = (variance = 0, max = 0, min = 0, sum = 0))]
    fn new(variance: u32, max: u32, min: u32, sum: u32) -> Self {
        Self { variance, max, min, sum }
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str, &'static str, &'static str) {
        ("variance", "max", "min", "sum")
    }

    /// The fields as a tuple, in declaration order (PyWinRT's `unpack()`).
    fn unpack(&self) -> (u32, u32, u32, u32) {
        (self.variance, self.max, self.min, self.sum)
    }

    /// A copy with some fields replaced (`copy.replace`).
    #[pyo3(signature = (**changes))]
    fn __replace__(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut out = Self { ..*self };
        for (key, value) in changes.into_iter().flat_map(|d| d.iter()) {
            let v: u32 = value.extract()?;
            match key.extract::<String>()?.as_str() {
                "variance" => out.variance = v,
                "max" => out.max = v,
                "min" => out.min = v,
                "sum" => out.sum = v,
                other => return Err(PyTypeError::new_err(format!("unexpected field {other:?}"))),
            }
        }
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!(
            "RoundTripTimeStatistics(variance={}, max={}, min={}, sum={})",
            self.variance, self.max, self.min, self.sum
        )
    }
}

/// `BandwidthStatistics` (bits per second).
#[pyclass(module = "netrt", name = "BandwidthStatistics", frozen, get_all, eq)]
#[derive(PartialEq, Clone, Copy)]
pub struct PyBandwidthStatistics {
    outbound_bits_per_second: u64,
    inbound_bits_per_second: u64,
    outbound_bits_per_second_instability: u64,
    inbound_bits_per_second_instability: u64,
    outbound_bandwidth_peaked: bool,
    inbound_bandwidth_peaked: bool,
}

impl From<BandwidthStatistics> for PyBandwidthStatistics {
    fn from(s: BandwidthStatistics) -> Self {
        Self {
            outbound_bits_per_second: s.outbound_bits_per_second,
            inbound_bits_per_second: s.inbound_bits_per_second,
            outbound_bits_per_second_instability: s.outbound_bits_per_second_instability,
            inbound_bits_per_second_instability: s.inbound_bits_per_second_instability,
            outbound_bandwidth_peaked: s.outbound_bandwidth_peaked,
            inbound_bandwidth_peaked: s.inbound_bandwidth_peaked,
        }
    }
}

#[pymethods]
impl PyBandwidthStatistics {
    #[new]
    #[pyo3(signature = (
        outbound_bits_per_second = 0,
        inbound_bits_per_second = 0,
        outbound_bits_per_second_instability = 0,
        inbound_bits_per_second_instability = 0,
        outbound_bandwidth_peaked = false,
        inbound_bandwidth_peaked = false
    ))]
    fn new(
        outbound_bits_per_second: u64,
        inbound_bits_per_second: u64,
        outbound_bits_per_second_instability: u64,
        inbound_bits_per_second_instability: u64,
        outbound_bandwidth_peaked: bool,
        inbound_bandwidth_peaked: bool,
    ) -> Self {
        Self {
            outbound_bits_per_second,
            inbound_bits_per_second,
            outbound_bits_per_second_instability,
            inbound_bits_per_second_instability,
            outbound_bandwidth_peaked,
            inbound_bandwidth_peaked,
        }
    }

    #[classattr]
    fn __match_args__() -> [&'static str; 6] {
        [
            "outbound_bits_per_second",
            "inbound_bits_per_second",
            "outbound_bits_per_second_instability",
            "inbound_bits_per_second_instability",
            "outbound_bandwidth_peaked",
            "inbound_bandwidth_peaked",
        ]
    }

    /// The fields as a tuple, in declaration order (PyWinRT's `unpack()`).
    fn unpack(&self) -> (u64, u64, u64, u64, bool, bool) {
        (
            self.outbound_bits_per_second,
            self.inbound_bits_per_second,
            self.outbound_bits_per_second_instability,
            self.inbound_bits_per_second_instability,
            self.outbound_bandwidth_peaked,
            self.inbound_bandwidth_peaked,
        )
    }

    /// A copy with some fields replaced (`copy.replace`).
    #[pyo3(signature = (**changes))]
    fn __replace__(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut out = Self { ..*self };
        for (key, value) in changes.into_iter().flat_map(|d| d.iter()) {
            match key.extract::<String>()?.as_str() {
                "outbound_bits_per_second" => out.outbound_bits_per_second = value.extract()?,
                "inbound_bits_per_second" => out.inbound_bits_per_second = value.extract()?,
                "outbound_bits_per_second_instability" => {
                    out.outbound_bits_per_second_instability = value.extract()?
                }
                "inbound_bits_per_second_instability" => {
                    out.inbound_bits_per_second_instability = value.extract()?
                }
                "outbound_bandwidth_peaked" => out.outbound_bandwidth_peaked = value.extract()?,
                "inbound_bandwidth_peaked" => out.inbound_bandwidth_peaked = value.extract()?,
                other => return Err(PyTypeError::new_err(format!("unexpected field {other:?}"))),
            }
        }
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!(
            "BandwidthStatistics(outbound_bits_per_second={}, inbound_bits_per_second={})",
            self.outbound_bits_per_second, self.inbound_bits_per_second
        )
    }
}
