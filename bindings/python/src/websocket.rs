//! `MessageWebSocket` and `StreamWebSocket`. What both have (IWebSocket: connect, close,
//! request headers, Closed, ServerCustomValidationRequested, Information, OutputStream) is
//! written once, in a macro; the behaviour is core's `netrt::ws`.

use netrt::ws::{
    MessageWebSocket, MessageWebSocketMessageReceivedEventArgs, StreamWebSocket, WebSocketClosedEventArgs,
    WebSocketServerCustomValidationRequestedEventArgs,
};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::asyncop::{IAsyncOperation, arity_error, message_receive, none, spawn, spawn_count};
use crate::convert::HeldBytes;
use crate::errors::OrRaise;
use crate::listener::{callable_handler, py_handler};
use crate::streams::{PyInputStream, PyOutputStream, aenter, aexit};
use crate::uri::uri_arg;
use crate::websocket_args::{PyClosedArgs, PyMessageReceivedArgs, PyValidationArgs};
use crate::websocket_control::{
    PyMessageWebSocketControl, PyMessageWebSocketInformation, PyStreamWebSocketControl,
    PyStreamWebSocketInformation,
};

/// The class and the `#[pymethods]` of a WebSocket: IWebSocket's members, the events both
/// sockets raise, the context-manager protocols, plus `$extra`.
macro_rules! web_socket {
    ($class:ident, $core:ident, $name:literal, $info:ident, $doc:literal, { $($extra:tt)* }) => {
        #[doc = $doc]
        #[pyclass(module = "netrt", name = $name, frozen, weakref)]
        pub struct $class {
            pub inner: $core,
        }

        impl $class {
            /// The sender of an event: the object the handler was added to while it lives,
            /// else a new wrapper of the same socket.
            fn sender(
                py: Python<'_>,
                sender: &$core,
                registered_on: Option<Bound<'_, PyAny>>,
            ) -> PyResult<Py<PyAny>> {
                match registered_on {
                    Some(obj) => Ok(obj.unbind()),
                    None => Ok(Py::new(py, $class { inner: sender.clone() })?.into_any()),
                }
            }

            fn wrap_closed(
                py: Python<'_>,
                sender: &$core,
                args: &WebSocketClosedEventArgs,
                registered_on: Option<Bound<'_, PyAny>>,
            ) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
                let sender = Self::sender(py, sender, registered_on)?;
                Ok((sender, Py::new(py, PyClosedArgs { inner: args.clone() })?.into_any()))
            }

            fn wrap_validation(
                py: Python<'_>,
                sender: &$core,
                args: &WebSocketServerCustomValidationRequestedEventArgs,
                registered_on: Option<Bound<'_, PyAny>>,
            ) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
                let sender = Self::sender(py, sender, registered_on)?;
                Ok((sender, Py::new(py, PyValidationArgs { inner: args.clone() })?.into_any()))
            }
        }

        #[pymethods]
        impl $class {
            #[new]
            fn new() -> Self {
                Self { inner: $core::new() }
            }

            /// `ConnectAsync(uri)`: `uri` is a `Uri` or (netrt) a `str`; ws:// or wss://.
            #[pyo3(signature = (uri, /))]
            fn connect_async(&self, uri: &Bound<'_, PyAny>) -> PyResult<IAsyncOperation> {
                let uri = uri_arg(uri)?;
                let ws = self.inner.clone();
                spawn(async move { ws.connect(&uri).await }, none)
            }

            /// `Close()` or `Close(code, reason)`: a code RFC 6455 forbids on the wire or a
            /// reason over 123 UTF-8 bytes is E_INVALIDARG, and nothing is sent.
            #[pyo3(signature = (*args))]
            fn close(&self, args: &Bound<'_, PyTuple>) -> PyResult<()> {
                match args.len() {
                    0 => {
                        self.inner.close();
                        Ok(())
                    }
                    2 => {
                        let code: u16 = args.get_item(0)?.extract()?;
                        let reason = crate::convert::str_arg(&args.get_item(1)?, "reason")?;
                        self.inner.close_with_status(code, &reason).or_raise()
                    }
                    _ => Err(arity_error("close", "() or (code, reason)", args)),
                }
            }

            /// `SetRequestHeader(headerName, headerValue)`: before `connect_async` only.
            #[pyo3(signature = (header_name, header_value, /))]
            fn set_request_header(&self, header_name: &str, header_value: &str) -> PyResult<()> {
                self.inner.set_request_header(header_name, header_value).or_raise()
            }

            /// `Closed += handler`: `handler(socket, WebSocketClosedEventArgs)` once, when the
            /// peer's close frame arrives. TypeError if not callable; RO_E_CLOSED after close.
            #[pyo3(signature = (handler, /))]
            fn add_closed(slf: &Bound<'_, Self>, handler: &Bound<'_, PyAny>) -> PyResult<i64> {
                let what = "netrt: WebSocket Closed handler";
                let h = py_handler(callable_handler(handler)?, what, Self::wrap_closed, slf.as_any())?;
                slf.get().inner.add_closed(h).or_raise()
            }

            /// `Closed -= token` (unknown tokens are ignored).
            #[pyo3(signature = (token, /))]
            fn remove_closed(&self, token: i64) {
                self.inner.remove_closed(token)
            }

            /// `ServerCustomValidationRequested += handler` (wss:// only): the handler may
            /// `reject()` the certificate or take a deferral.
            #[pyo3(signature = (handler, /))]
            fn add_server_custom_validation_requested(
                slf: &Bound<'_, Self>,
                handler: &Bound<'_, PyAny>,
            ) -> PyResult<i64> {
                let what = "netrt: ServerCustomValidationRequested handler";
                let h = py_handler(callable_handler(handler)?, what, Self::wrap_validation, slf.as_any())?;
                slf.get().inner.add_server_custom_validation_requested(h).or_raise()
            }

            #[pyo3(signature = (token, /))]
            fn remove_server_custom_validation_requested(&self, token: i64) {
                self.inner.remove_server_custom_validation_requested(token)
            }

            #[getter]
            fn information(&self) -> $info {
                $info { inner: self.inner.information() }
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

            $($extra)*
        }
    };
}

fn wrap_message(
    py: Python<'_>,
    sender: &MessageWebSocket,
    args: &MessageWebSocketMessageReceivedEventArgs,
    registered_on: Option<Bound<'_, PyAny>>,
) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let sender = PyMessageWebSocket::sender(py, sender, registered_on)?;
    Ok((sender, Py::new(py, PyMessageReceivedArgs { inner: args.clone() })?.into_any()))
}

web_socket!(
    PyMessageWebSocket,
    MessageWebSocket,
    "MessageWebSocket",
    PyMessageWebSocketInformation,
    "`MessageWebSocket`: WebSocket messages, received as `MessageReceived` events (or with \
     `async for`).",
    {
        #[getter]
        fn control(&self) -> PyMessageWebSocketControl {
            PyMessageWebSocketControl { inner: self.inner.control() }
        }

        /// `MessageReceived += handler`: `handler(socket, MessageWebSocketMessageReceivedEventArgs)`
        /// on netrt's dispatcher thread. TypeError if not callable; RO_E_CLOSED after close.
        #[pyo3(signature = (handler, /))]
        fn add_message_received(slf: &Bound<'_, Self>, handler: &Bound<'_, PyAny>) -> PyResult<i64> {
            let what = "netrt: MessageReceived handler";
            let h = py_handler(callable_handler(handler)?, what, wrap_message, slf.as_any())?;
            slf.get().inner.add_message_received(h).or_raise()
        }

        #[pyo3(signature = (token, /))]
        fn remove_message_received(&self, token: i64) {
            self.inner.remove_message_received(token)
        }

        /// `SendNonfinalFrameAsync(data)`: a frame of a message that goes on; the result is the
        /// number of bytes sent.
        #[pyo3(signature = (data, /))]
        fn send_nonfinal_frame_async(&self, data: &Bound<'_, PyAny>) -> PyResult<IAsyncOperation> {
            let (ws, data) = (self.inner.clone(), HeldBytes::of(data)?);
            spawn_count(async move { ws.send_nonfinal_frame(data.as_slice()).await })
        }

        /// `SendFinalFrameAsync(data)`: the last frame of a message (or a whole message).
        #[pyo3(signature = (data, /))]
        fn send_final_frame_async(&self, data: &Bound<'_, PyAny>) -> PyResult<IAsyncOperation> {
            let (ws, data) = (self.inner.clone(), HeldBytes::of(data)?);
            spawn_count(async move { ws.send_final_frame(data.as_slice()).await })
        }

        /// netrt extension: `receive_message_async()` (no WinRT counterpart): the next message's
        /// `MessageWebSocketMessageReceivedEventArgs`, taken by the awaiting task itself instead of
        /// raised as MessageReceived on netrt's dispatcher thread — the fastest way to receive.
        /// Allowed while no MessageReceived handler is registered (else E_ILLEGAL_METHOD_CALL, as
        /// before connect or while another receive is pending); RO_E_CLOSED after close() and once
        /// the receive side is over. Cancelling it loses no message.
        fn receive_message_async(&self) -> PyResult<IAsyncOperation> {
            message_receive(&self.inner, false)
        }

        /// netrt extra: `async for args in socket` yields each
        /// `MessageWebSocketMessageReceivedEventArgs` (the type and the data together) through
        /// `receive_message_async`, so the same rule applies (no MessageReceived handler), and
        /// ends after the last one: the peer's close frame, a failure (its args come first; their
        /// `get_data_reader()` raises it) or `close()`. On a closed socket it raises RO_E_CLOSED.
        fn __aiter__(&self) -> PyResult<PyMessageIterator> {
            // On a closed socket RO_E_CLOSED at once, as every netrt `async for` (a receive would
            // just end the loop).
            self.inner.ensure_open().or_raise()?;
            Ok(PyMessageIterator { inner: self.inner.clone() })
        }
    }
);

/// What `async for` over a MessageWebSocket iterates: each step is a pull receive.
#[pyclass(module = "netrt", name = "_MessageIterator", frozen)]
pub struct PyMessageIterator {
    inner: MessageWebSocket,
}

#[pymethods]
impl PyMessageIterator {
    fn __aiter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// A receive; one that finished at once ends the loop or raises here, not in its
    /// `__await__`.
    fn __anext__(&self, py: Python<'_>) -> PyResult<IAsyncOperation> {
        let op = message_receive(&self.inner, true)?;
        op.raise_if_failed(py)?;
        Ok(op)
    }

    /// Nothing to release: the socket keeps its queue for the next receive.
    fn aclose(&self) -> PyResult<IAsyncOperation> {
        spawn(async { Ok(()) }, none)
    }
}

web_socket!(
    PyStreamWebSocket,
    StreamWebSocket,
    "StreamWebSocket",
    PyStreamWebSocketInformation,
    "`StreamWebSocket`: a WebSocket as a byte stream (each write is one binary message).",
    {
        #[getter]
        fn control(&self) -> PyStreamWebSocketControl {
            PyStreamWebSocketControl { inner: self.inner.control() }
        }

        /// `InputStream`: the received messages' bytes; a read returns nothing once the peer's
        /// close frame arrived.
        #[getter]
        fn input_stream(&self) -> PyInputStream {
            PyInputStream { inner: self.inner.input_stream() }
        }
    }
);
