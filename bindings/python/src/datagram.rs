//! `DatagramSocket` (+ control, information, `MessageReceived`).

use netrt::net::{
    DatagramSocket, DatagramSocketControl, DatagramSocketInformation,
    DatagramSocketMessageReceivedEventArgs as CoreArgs, SocketQualityOfService,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::asyncop::{IAsyncOperation, arity_error, none, spawn};
use crate::convert::{enum_arg, host_arg, opt_host_arg, py_enum, str_arg};
use crate::data_io::PyDataReader;
use crate::errors::{OrRaise, invalid_arg};
use crate::hostname::{PyEndpointPair, host_obj, opt_host_obj};
use crate::listener::{callable_handler, event_iterator, py_handler};
use crate::streams::{PyInputStream, PyOutputStream, aenter, aexit};

/// A UDP socket.
#[pyclass(module = "netrt", name = "DatagramSocket", frozen, weakref)]
pub struct PyDatagramSocket {
    inner: DatagramSocket,
}

fn wrap_message(
    py: Python<'_>,
    sender: &DatagramSocket,
    args: &CoreArgs,
    registered_on: Option<Bound<'_, PyAny>>,
) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let sender = match registered_on {
        Some(obj) => obj.unbind(),
        None => Py::new(py, PyDatagramSocket { inner: sender.clone() })?.into_any(),
    };
    let args = Py::new(
        py,
        PyMessageReceivedEventArgs {
            data: args.data().to_vec(),
            remote: args.remote_address(),
            remote_port: args.remote_port(),
            local: args.local_address(),
        },
    )?;
    Ok((sender, args.into_any()))
}

fn output_stream_result(py: Python<'_>, s: netrt::io::OutputStream) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyOutputStream { inner: s })?.into_any())
}

/// A `DatagramSocket` object for a core socket (one reclaimed from the broker).
pub fn datagram_obj(py: Python<'_>, d: DatagramSocket) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyDatagramSocket { inner: d })?.into_any())
}

#[pymethods]
impl PyDatagramSocket {
    #[new]
    fn new() -> Self {
        Self { inner: DatagramSocket::new() }
    }

    /// `BindServiceNameAsync(localServiceName[, adapter])`: every local address.
    #[pyo3(signature = (local_service_name, adapter = None, /))]
    fn bind_service_name_async(
        &self,
        local_service_name: &Bound<'_, PyAny>,
        adapter: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<IAsyncOperation> {
        if adapter.is_some_and(|a| !a.is_none()) {
            return Err(invalid_arg("NetworkAdapter is Windows-only; netrt accepts only None"));
        }
        let service = str_arg(local_service_name, "local_service_name")?;
        let s = self.inner.clone();
        spawn(async move { s.bind_service_name(&service).await }, none)
    }

    /// `BindEndpointAsync(localHostName, localServiceName)`; `None` binds every address.
    #[pyo3(signature = (local_host_name, local_service_name, /))]
    fn bind_endpoint_async(
        &self,
        local_host_name: &Bound<'_, PyAny>,
        local_service_name: &Bound<'_, PyAny>,
    ) -> PyResult<IAsyncOperation> {
        let host = opt_host_arg(local_host_name)?;
        let service = str_arg(local_service_name, "local_service_name")?;
        let s = self.inner.clone();
        spawn(async move { s.bind_endpoint(host.as_ref(), &service).await }, none)
    }

    /// `ConnectAsync(endpoint_pair)` or `ConnectAsync(remote_host_name, remote_service_name)`.
    #[pyo3(signature = (*args))]
    fn connect_async(&self, args: &Bound<'_, PyTuple>) -> PyResult<IAsyncOperation> {
        let s = self.inner.clone();
        match args.len() {
            1 => {
                let pair = args.get_item(0)?;
                let pair = pair
                    .cast::<PyEndpointPair>()
                    .map_err(|_| {
                        arity_error(
                            "connect_async",
                            "(endpoint_pair) or (remote_host_name, remote_service_name)",
                            args,
                        )
                    })?
                    .get()
                    .get_pair();
                Ok(spawn(async move { s.connect_with_endpoint_pair(&pair).await }, none)?)
            }
            2 => {
                let host = host_arg(&args.get_item(0)?)?;
                let service = str_arg(&args.get_item(1)?, "remote_service_name")?;
                Ok(spawn(async move { s.connect(&host, &service).await }, none)?)
            }
            _ => Err(arity_error(
                "connect_async",
                "(endpoint_pair) or (remote_host_name, remote_service_name)",
                args,
            )),
        }
    }

    /// `GetOutputStreamAsync(endpoint_pair)` or `(remote_host_name, remote_service_name)`:
    /// a stream whose writes are datagrams to that destination.
    #[pyo3(signature = (*args))]
    fn get_output_stream_async(&self, args: &Bound<'_, PyTuple>) -> PyResult<IAsyncOperation> {
        let s = self.inner.clone();
        let forms = "(endpoint_pair) or (remote_host_name, remote_service_name)";
        match args.len() {
            1 => {
                let pair = args.get_item(0)?;
                let pair = pair
                    .cast::<PyEndpointPair>()
                    .map_err(|_| arity_error("get_output_stream_async", forms, args))?
                    .get()
                    .get_pair();
                Ok(spawn(
                    async move { s.get_output_stream_with_endpoint_pair(&pair).await },
                    output_stream_result,
                )?)
            }
            2 => {
                let host = host_arg(&args.get_item(0)?)?;
                let service = str_arg(&args.get_item(1)?, "remote_service_name")?;
                Ok(spawn(async move { s.get_output_stream(&host, &service).await }, output_stream_result)?)
            }
            _ => Err(arity_error("get_output_stream_async", forms, args)),
        }
    }

    /// `JoinMulticastGroup(host)`.
    #[pyo3(signature = (host, /))]
    fn join_multicast_group(&self, host: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.join_multicast_group(&host_arg(host)?).or_raise()
    }

    /// `MessageReceived += handler`: `handler(socket, args)` on netrt's dispatcher thread.
    /// `TypeError` if `handler` is not callable; `RO_E_CLOSED` once the socket is closed.
    #[pyo3(signature = (event_handler, /))]
    fn add_message_received(slf: &Bound<'_, Self>, event_handler: &Bound<'_, PyAny>) -> PyResult<i64> {
        let handler = callable_handler(event_handler)?;
        let handler = py_handler(handler, "netrt: MessageReceived handler", wrap_message, slf.as_any())?;
        slf.get().inner.add_message_received(handler).or_raise()
    }

    /// `MessageReceived -= token` (unknown tokens are ignored, also after close).
    #[pyo3(signature = (event_cookie, /))]
    fn remove_message_received(&self, event_cookie: i64) {
        self.inner.remove_message_received(event_cookie)
    }

    /// netrt extra: `async for args in socket` yields `DatagramSocketMessageReceivedEventArgs`
    /// until the socket is closed (from anywhere); on a closed socket it raises `RO_E_CLOSED`.
    fn __aiter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let socket = slf.get().inner.clone();
        event_iterator(slf.as_any(), "message_received", None, wrap_message, |h, closed| {
            socket.add_message_received_until_closed(h, closed)
        })
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

    fn cancel_io_async(&self) -> PyResult<IAsyncOperation> {
        let s = self.inner.clone();
        spawn(async move { s.cancel_io().await }, none)
    }

    fn close(&self) {
        self.inner.close();
    }

    #[getter]
    fn output_stream(&self) -> PyOutputStream {
        PyOutputStream { inner: self.inner.output_stream() }
    }

    #[getter]
    fn control(&self) -> PyDatagramSocketControl {
        PyDatagramSocketControl { inner: self.inner.control() }
    }

    #[getter]
    fn information(&self) -> PyDatagramSocketInformation {
        PyDatagramSocketInformation { inner: self.inner.information() }
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, PyTuple>) {
        self.close();
    }

    fn __aenter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        aenter(slf.as_any())
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__<'py>(&self, py: Python<'py>, _args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        aexit(py, || self.close())
    }
}

/// A received datagram.
#[pyclass(module = "netrt", name = "DatagramSocketMessageReceivedEventArgs", frozen)]
pub struct PyMessageReceivedEventArgs {
    data: Vec<u8>,
    remote: netrt::HostName,
    remote_port: String,
    local: netrt::HostName,
}

#[pymethods]
impl PyMessageReceivedEventArgs {
    /// `GetDataReader()`: a reader with the whole datagram loaded.
    fn get_data_reader(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let buf = netrt::io::Buffer::from_vec(self.data.clone()).or_raise()?;
        PyDataReader::object(py, netrt::DataReader::from_buffer(&buf))
    }

    /// `GetDataStream()`: an input stream over the datagram.
    fn get_data_stream(&self) -> PyInputStream {
        let source = netrt::io::memory::MemorySource::new(self.data.clone());
        PyInputStream { inner: netrt::io::InputStream::new(std::sync::Arc::new(source)) }
    }

    /// netrt extra: the datagram as `bytes`.
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.data)
    }

    #[getter]
    fn remote_address(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        host_obj(py, self.remote.clone())
    }

    #[getter]
    fn remote_port(&self) -> String {
        self.remote_port.clone()
    }

    #[getter]
    fn local_address(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        host_obj(py, self.local.clone())
    }
}

/// Datagram socket options.
#[pyclass(module = "netrt", name = "DatagramSocketControl", frozen)]
pub struct PyDatagramSocketControl {
    inner: DatagramSocketControl,
}

#[pymethods]
impl PyDatagramSocketControl {
    #[getter]
    fn dont_fragment(&self) -> bool {
        self.inner.dont_fragment()
    }
    #[setter]
    fn set_dont_fragment(&self, value: bool) -> PyResult<()> {
        self.inner.set_dont_fragment(value).or_raise()
    }
    #[getter]
    fn inbound_buffer_size_in_bytes(&self) -> u32 {
        self.inner.inbound_buffer_size_in_bytes()
    }
    #[setter]
    fn set_inbound_buffer_size_in_bytes(&self, value: u32) -> PyResult<()> {
        self.inner.set_inbound_buffer_size_in_bytes(value).or_raise()
    }
    #[getter]
    fn multicast_only(&self) -> bool {
        self.inner.multicast_only()
    }
    #[setter]
    fn set_multicast_only(&self, value: bool) -> PyResult<()> {
        self.inner.set_multicast_only(value).or_raise()
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
}

/// `DatagramSocketInformation`.
#[pyclass(module = "netrt", name = "DatagramSocketInformation", frozen)]
pub struct PyDatagramSocketInformation {
    inner: DatagramSocketInformation,
}

#[pymethods]
impl PyDatagramSocketInformation {
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
}
