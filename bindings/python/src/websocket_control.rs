//! `MessageWebSocketControl` / `StreamWebSocketControl` and the two Information classes. The
//! members both sockets share are written once, in macros; core validates every setting.

use netrt::web::ProxyChoice;
use netrt::ws::{
    MessageWebSocketControl, MessageWebSocketReceiveMode, SocketMessageType, StreamWebSocketControl,
    WebSocketInformation,
};
use pyo3::prelude::*;

use crate::certificate::{PyCertificate, cert_list, chain_results, opt_cert_obj};
use crate::convert::{enum_arg, py_enum, timedelta, timespan_arg};
use crate::credential::{PyPasswordCredential, credential_obj};
use crate::errors::{OrRaise, invalid_arg};
use crate::hostname::opt_host_obj;
use crate::stream_socket::PyBandwidthStatistics;
use crate::vector::{AnyVector, PyVector};

/// The `#[pymethods]` of a WebSocket control: IWebSocketControl(2) and netrt's extensions,
/// plus `$extra` (the members only one of the controls has).
macro_rules! web_socket_control {
    ($class:ident, $core:ty, $name:literal, $doc:literal, { $($extra:tt)* }) => {
        #[doc = $doc]
        #[pyclass(module = "netrt", name = $name, frozen)]
        pub struct $class {
            pub inner: $core,
        }

        #[pymethods]
        impl $class {
            /// `ServerCredential`: sent only in answer to the server's 401 challenge.
            #[getter]
            fn server_credential(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                credential_obj(py, self.inner.server_credential())
            }
            #[setter]
            fn set_server_credential(&self, value: Option<PyRef<'_, PyPasswordCredential>>) -> PyResult<()> {
                self.inner.set_server_credential(value.map(|c| c.inner.clone())).or_raise()
            }
            /// `ProxyCredential`: sent only in answer to the proxy's 407 challenge.
            #[getter]
            fn proxy_credential(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                credential_obj(py, self.inner.proxy_credential())
            }
            #[setter]
            fn set_proxy_credential(&self, value: Option<PyRef<'_, PyPasswordCredential>>) -> PyResult<()> {
                self.inner.set_proxy_credential(value.map(|c| c.inner.clone())).or_raise()
            }
            /// `SupportedProtocols`: a live list of `str`, offered in order.
            #[getter]
            fn supported_protocols(&self) -> PyVector {
                PyVector::new(AnyVector::Strings(self.inner.supported_protocols()))
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
            fn client_certificate(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                opt_cert_obj(py, self.inner.client_certificate())
            }
            #[setter]
            fn set_client_certificate(&self, value: Option<PyRef<'_, PyCertificate>>) -> PyResult<()> {
                self.inner.set_client_certificate(value.map(|c| c.inner.clone())).or_raise()
            }
            /// `IgnorableServerCertificateErrors`: a live list of `ChainValidationResult`.
            #[getter]
            fn ignorable_server_certificate_errors(&self) -> PyVector {
                PyVector::new(AnyVector::Results(self.inner.ignorable_server_certificate_errors()))
            }
            #[getter]
            fn desired_unsolicited_pong_interval(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                timedelta(py, self.inner.desired_unsolicited_pong_interval())
            }
            #[setter]
            fn set_desired_unsolicited_pong_interval(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
                self.inner.set_desired_unsolicited_pong_interval(timespan_arg(value)?).or_raise()
            }
            #[getter]
            fn actual_unsolicited_pong_interval(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                timedelta(py, self.inner.actual_unsolicited_pong_interval())
            }
            /// netrt: roots trusted besides the system's (a live list of `Certificate`).
            #[getter]
            fn trusted_root_certificates(&self) -> PyVector {
                PyVector::new(AnyVector::Certificates(self.inner.trusted_root_certificates()))
            }
            /// netrt: the longest `connect_async` may take, TCP, proxy, TLS and HTTP upgrade
            /// together (default 60 s).
            #[getter]
            fn handshake_timeout(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                timedelta(py, self.inner.handshake_timeout())
            }
            #[setter]
            fn set_handshake_timeout(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
                self.inner.set_handshake_timeout(timespan_arg(value)?).or_raise()
            }
            /// netrt: how the connection reaches the server. `None` (the default): the
            /// proxy environment variables, as curl reads them; `""`: never a proxy; else an
            /// HTTP proxy URL, `http://[user:password@]host[:port]` (E_INVALIDARG otherwise).
            /// The getter gives `http://host:port` for an explicit proxy.
            #[getter]
            fn proxy(&self) -> Option<String> {
                self.inner.proxy().to_text()
            }
            #[setter]
            fn set_proxy(&self, value: Option<&str>) -> PyResult<()> {
                self.inner.set_proxy(ProxyChoice::from_text(value).or_raise()?).or_raise()
            }
            $($extra)*
        }
    };
}

web_socket_control!(
    PyMessageWebSocketControl,
    MessageWebSocketControl,
    "MessageWebSocketControl",
    "`MessageWebSocketControl`: set it before `connect_async` (`message_type` may change any time).",
    {
        /// `MessageType` of the next message written (a `SocketMessageType`).
        #[getter]
        fn message_type(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
            py_enum(py, "SocketMessageType", self.inner.message_type() as i64)
        }
        #[setter]
        fn set_message_type(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
            let raw = enum_arg(value, "message_type")?;
            let v = SocketMessageType::from_i32(raw)
                .ok_or_else(|| invalid_arg(format!("{raw} is not a SocketMessageType")))?;
            self.inner.set_message_type(v).or_raise()
        }
        /// `MaxMessageSize`: the largest message accepted on receive.
        #[getter]
        fn max_message_size(&self) -> u32 {
            self.inner.max_message_size()
        }
        #[setter]
        fn set_max_message_size(&self, value: u32) -> PyResult<()> {
            self.inner.set_max_message_size(value).or_raise()
        }
        /// `ReceiveMode` (a `MessageWebSocketReceiveMode`).
        #[getter]
        fn receive_mode(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
            py_enum(py, "MessageWebSocketReceiveMode", self.inner.receive_mode() as i64)
        }
        #[setter]
        fn set_receive_mode(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
            let raw = enum_arg(value, "receive_mode")?;
            let v = MessageWebSocketReceiveMode::from_i32(raw)
                .ok_or_else(|| invalid_arg(format!("{raw} is not a MessageWebSocketReceiveMode")))?;
            self.inner.set_receive_mode(v).or_raise()
        }
    }
);

web_socket_control!(
    PyStreamWebSocketControl,
    StreamWebSocketControl,
    "StreamWebSocketControl",
    "`StreamWebSocketControl`: set it before `connect_async`.",
    {
        #[getter]
        fn no_delay(&self) -> bool {
            self.inner.no_delay()
        }
        #[setter]
        fn set_no_delay(&self, value: bool) -> PyResult<()> {
            self.inner.set_no_delay(value).or_raise()
        }
    }
);

/// An Information class (`IWebSocketInformation(2)`): both sockets have the same members.
macro_rules! web_socket_information {
    ($class:ident, $name:literal) => {
        #[doc = concat!("`", $name, "`: a live view of the connection (empty before connect).")]
        #[pyclass(module = "netrt", name = $name, frozen)]
        pub struct $class {
            pub inner: WebSocketInformation,
        }

        #[pymethods]
        impl $class {
            /// The local address of the TCP connection (to the proxy, when tunnelled).
            #[getter]
            fn local_address(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                opt_host_obj(py, self.inner.local_address())
            }
            /// The subprotocol the server chose ("" when none).
            #[getter]
            fn protocol(&self) -> String {
                self.inner.protocol().unwrap_or_default()
            }
            #[getter]
            fn bandwidth_statistics(&self) -> PyBandwidthStatistics {
                PyBandwidthStatistics::from(self.inner.bandwidth_statistics())
            }
            #[getter]
            fn server_certificate(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                opt_cert_obj(py, self.inner.server_certificate())
            }
            #[getter]
            fn server_certificate_errors(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
                chain_results(py, self.inner.server_certificate_errors())
            }
            #[getter]
            fn server_certificate_error_severity(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                py_enum(py, "SocketSslErrorSeverity", self.inner.server_certificate_error_severity() as i64)
            }
            #[getter]
            fn server_intermediate_certificates(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
                cert_list(py, self.inner.server_intermediate_certificates())
            }
        }
    };
}

web_socket_information!(PyMessageWebSocketInformation, "MessageWebSocketInformation");
web_socket_information!(PyStreamWebSocketInformation, "StreamWebSocketInformation");
