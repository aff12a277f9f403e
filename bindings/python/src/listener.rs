//! `StreamSocketListener` (+ control, information, `ConnectionReceived`), and the event
//! plumbing shared with `DatagramSocket`.

use std::sync::Arc;

use netrt::net::control::StreamSocketListenerControl;
use netrt::net::listener::StreamSocketListenerConnectionReceivedEventArgs as CoreArgs;
use netrt::net::{
    SocketProtectionLevel, SocketQualityOfService, StreamSocketListener, StreamSocketListenerInformation,
};
use netrt::tls::ClientCertificateMode;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyTuple, PyWeakrefMethods, PyWeakrefReference};

use crate::asyncop::{IAsyncOperation, arity_error, none, spawn};
use crate::certificate::{PyCertificate, opt_cert_obj};
use crate::convert::{
    call_python, enum_arg, level_arg, opt_host_arg, py_enum, str_arg, timedelta, timespan_arg,
};
use crate::errors::{OrRaise, invalid_arg};
use crate::stream_socket::socket_obj;
use crate::streams::{aenter, aexit};
use crate::vector::{AnyVector, PyVector};

/// Makes the Python `(sender, args)` of an event from the core's; the sender is the given
/// object when there is one (the object the handler was registered on), else a new wrapper.
pub type WrapArgs<S, A> =
    fn(Python<'_>, &S, &A, Option<Bound<'_, PyAny>>) -> PyResult<(Py<PyAny>, Py<PyAny>)>;

/// A core event handler that calls a Python callable as `handler(sender, args)` on netrt's
/// dispatcher thread, holding the GIL only while it runs; `wrap` makes the Python objects.
/// `registered_on` is the object the handler was added to: the sender is that very object
/// (`sender is listener`), held weakly — the core object holds the handler, so a strong link
/// would keep a dropped Python object alive through its own event. Once it is gone (a clone
/// of the core object raises the event) the sender is a new wrapper.
pub fn py_handler<S, A>(
    handler: Py<PyAny>,
    what: &'static str,
    wrap: WrapArgs<S, A>,
    registered_on: &Bound<'_, PyAny>,
) -> PyResult<netrt::event::Handler<S, A>>
where
    S: 'static,
    A: 'static,
{
    let weak = PyWeakrefReference::new(registered_on)?.unbind();
    Ok(Arc::new(move |sender: &S, args: &A| {
        call_python(what, |py| {
            let (s, a) = wrap(py, sender, args, weak.bind(py).upgrade())?;
            handler.bind(py).call1((s, a))?;
            Ok(())
        })
    }))
}

/// `TypeError` unless `handler` is callable (checked when it is registered, not when the
/// first event fails on the dispatcher thread).
pub fn callable_handler(handler: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    if !handler.is_callable() {
        return Err(PyTypeError::new_err(format!(
            "an event handler must be callable, not '{}'",
            handler.get_type().name()?
        )));
    }
    Ok(handler.clone().unbind())
}

/// `async for` over the event `event` of `obj`: a `netrt._aio._EventIterator` fed by a handler
/// that `add` registers with the core (`add_*_until_closed`). The core tells the iterator when
/// the object closes — however it is closed — after the events raised before; the iterator
/// then ends. On a closed object `add` fails, and so does this, with `RO_E_CLOSED`.
pub fn event_iterator<'py, S: 'static, A: 'static>(
    obj: &Bound<'py, PyAny>,
    event: &str,
    attribute: Option<&str>,
    wrap: WrapArgs<S, A>,
    add: impl FnOnce(netrt::event::Handler<S, A>, netrt::event::ClosedCallback) -> netrt::Result<i64>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = obj.py();
    let it = py.import("netrt._aio")?.getattr("_EventIterator")?.call1((attribute,))?;
    let handler = py_handler(it.getattr("_on_event")?.unbind(), "netrt: async for", wrap, obj)?;
    let ending = it.clone().unbind();
    let closed: netrt::event::ClosedCallback = Box::new(move || {
        call_python("netrt: async for (end)", |py| ending.bind(py).call_method0("_close").map(drop))
    });
    let token = add(handler, closed).or_raise()?;
    it.call_method1("_attach", (obj.getattr(format!("remove_{event}").as_str())?, token))?;
    Ok(it)
}

/// Accepts TCP connections and raises `ConnectionReceived` for each.
#[pyclass(module = "netrt", name = "StreamSocketListener", frozen, weakref)]
pub struct PyStreamSocketListener {
    inner: StreamSocketListener,
}

fn wrap_connection(
    py: Python<'_>,
    sender: &StreamSocketListener,
    args: &CoreArgs,
    registered_on: Option<Bound<'_, PyAny>>,
) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let sender = match registered_on {
        Some(obj) => obj.unbind(),
        None => Py::new(py, PyStreamSocketListener { inner: sender.clone() })?.into_any(),
    };
    let args = Py::new(py, PyConnectionReceivedEventArgs { socket: args.socket() })?;
    Ok((sender, args.into_any()))
}

/// A `StreamSocketListener` object for a core listener (one reclaimed from the broker).
pub fn listener_obj(py: Python<'_>, l: StreamSocketListener) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyStreamSocketListener { inner: l })?.into_any())
}

#[pymethods]
impl PyStreamSocketListener {
    #[new]
    fn new() -> Self {
        Self { inner: StreamSocketListener::new() }
    }

    /// `BindServiceNameAsync(localServiceName[, protectionLevel[, adapter]])`: every local
    /// address (dual-stack); "" picks a free port. netrt: a TLS level makes a TLS listener
    /// (it needs `control.server_certificate`; without one the bind fails with E_INVALIDARG).
    #[pyo3(signature = (*args))]
    fn bind_service_name_async(&self, args: &Bound<'_, PyTuple>) -> PyResult<IAsyncOperation> {
        let forms = "(local_service_name[, protection_level[, adapter]])";
        if args.is_empty() || args.len() > 3 {
            return Err(arity_error("bind_service_name_async", forms, args));
        }
        let service = str_arg(&args.get_item(0)?, "local_service_name")?;
        let level = match args.len() {
            1 => SocketProtectionLevel::PlainSocket,
            _ => level_arg(&args.get_item(1)?)?,
        };
        if args.len() == 3 && !args.get_item(2)?.is_none() {
            return Err(crate::errors::invalid_arg(
                "NetworkAdapter is Windows-only; netrt accepts only None",
            ));
        }
        let l = self.inner.clone();
        spawn(async move { l.bind_service_name_with_protection_level(&service, level).await }, none)
    }

    /// `BindEndpointAsync(localHostName, localServiceName[, protectionLevel])`; `None` binds
    /// every address. netrt: with a TLS level (it needs `control.server_certificate`) the
    /// listener on that one address is a TLS listener — a TLS server on 127.0.0.1 only.
    #[pyo3(signature = (*args))]
    fn bind_endpoint_async(&self, args: &Bound<'_, PyTuple>) -> PyResult<IAsyncOperation> {
        let forms = "(local_host_name, local_service_name[, protection_level])";
        if args.len() < 2 || args.len() > 3 {
            return Err(arity_error("bind_endpoint_async", forms, args));
        }
        let host = opt_host_arg(&args.get_item(0)?)?;
        let service = str_arg(&args.get_item(1)?, "local_service_name")?;
        let level = match args.len() {
            2 => SocketProtectionLevel::PlainSocket,
            _ => level_arg(&args.get_item(2)?)?,
        };
        let l = self.inner.clone();
        spawn(
            async move { l.bind_endpoint_with_protection_level(host.as_ref(), &service, level).await },
            none,
        )
    }

    /// `ConnectionReceived += handler`: `handler(listener, args)` runs on netrt's dispatcher
    /// thread; returns the registration token. Add it before binding, as in WinRT.
    /// `TypeError` if `handler` is not callable; `RO_E_CLOSED` once the listener is closed.
    #[pyo3(signature = (event_handler, /))]
    fn add_connection_received(slf: &Bound<'_, Self>, event_handler: &Bound<'_, PyAny>) -> PyResult<i64> {
        let handler = callable_handler(event_handler)?;
        let handler =
            py_handler(handler, "netrt: ConnectionReceived handler", wrap_connection, slf.as_any())?;
        slf.get().inner.add_connection_received(handler).or_raise()
    }

    /// `ConnectionReceived -= token` (unknown tokens are ignored, also after close).
    #[pyo3(signature = (event_cookie, /))]
    fn remove_connection_received(&self, event_cookie: i64) {
        self.inner.remove_connection_received(event_cookie)
    }

    /// netrt extra: `async for socket in listener` yields accepted `StreamSocket`s until the
    /// listener is closed (from anywhere); on a closed listener it raises `RO_E_CLOSED`.
    fn __aiter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let listener = slf.get().inner.clone();
        event_iterator(slf.as_any(), "connection_received", Some("socket"), wrap_connection, |h, closed| {
            listener.add_connection_received_until_closed(h, closed)
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

    /// `TransferOwnership(socket_id[, data])`: hands the socket to the broker; this
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

    fn cancel_io_async(&self) -> PyResult<IAsyncOperation> {
        let l = self.inner.clone();
        spawn(async move { l.cancel_io().await }, none)
    }

    fn close(&self) {
        self.inner.close();
    }

    #[getter]
    fn control(&self) -> PyStreamSocketListenerControl {
        PyStreamSocketListenerControl { inner: self.inner.control() }
    }

    #[getter]
    fn information(&self) -> PyStreamSocketListenerInformation {
        PyStreamSocketListenerInformation { inner: self.inner.information() }
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

/// The argument of `ConnectionReceived`.
#[pyclass(module = "netrt", name = "StreamSocketListenerConnectionReceivedEventArgs", frozen)]
pub struct PyConnectionReceivedEventArgs {
    socket: netrt::StreamSocket,
}

#[pymethods]
impl PyConnectionReceivedEventArgs {
    /// The accepted connection.
    #[getter]
    fn socket(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        socket_obj(py, self.socket.clone())
    }
}

/// Options applied to accepted sockets.
#[pyclass(module = "netrt", name = "StreamSocketListenerControl", frozen)]
pub struct PyStreamSocketListenerControl {
    inner: StreamSocketListenerControl,
}

#[pymethods]
impl PyStreamSocketListenerControl {
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
    /// netrt `ServerCertificate`: what a listener bound with a TLS level presents (it must
    /// carry its private key); set it before binding.
    #[getter]
    fn server_certificate(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        opt_cert_obj(py, self.inner.server_certificate())
    }
    #[setter]
    fn set_server_certificate(&self, value: Option<PyRef<'_, PyCertificate>>) -> PyResult<()> {
        self.inner.set_server_certificate(value.map(|c| c.inner.clone())).or_raise()
    }
    /// netrt `ClientCertificateMode`: whether accepted TLS connections are asked for a client
    /// certificate (`ClientCertificateMode.NONE` by default).
    #[getter]
    fn client_certificate_mode(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "ClientCertificateMode", self.inner.client_certificate_mode() as i64)
    }
    #[setter]
    fn set_client_certificate_mode(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let raw = enum_arg(value, "client_certificate_mode")?;
        let mode = ClientCertificateMode::from_raw(raw)
            .ok_or_else(|| invalid_arg(format!("{raw} is not a ClientCertificateMode")))?;
        self.inner.set_client_certificate_mode(mode).or_raise()
    }
    /// netrt `TrustedRootCertificates`: roots, besides the system's, that client certificates
    /// may chain to (a live list of `Certificate`).
    #[getter]
    fn trusted_root_certificates(&self) -> PyVector {
        PyVector::new(AnyVector::Certificates(self.inner.trusted_root_certificates()))
    }
    /// netrt `TlsHandshakeTimeout`: how long each client of a TLS listener has to complete its
    /// handshake (default 30 s; `timedelta(0)` = no limit); set it before binding.
    #[getter]
    fn tls_handshake_timeout(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        timedelta(py, self.inner.tls_handshake_timeout())
    }
    #[setter]
    fn set_tls_handshake_timeout(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set_tls_handshake_timeout(timespan_arg(value)?).or_raise()
    }
}

/// `StreamSocketListenerInformation`.
#[pyclass(module = "netrt", name = "StreamSocketListenerInformation", frozen)]
pub struct PyStreamSocketListenerInformation {
    inner: StreamSocketListenerInformation,
}

#[pymethods]
impl PyStreamSocketListenerInformation {
    /// The bound port ("" before binding).
    #[getter]
    fn local_port(&self) -> String {
        self.inner.local_port()
    }
}
