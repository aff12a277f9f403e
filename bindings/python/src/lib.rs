//! `netrt._netrt`: the native half of the Python package `netrt` (see docs/projections.md,
//! docs/async.md, docs/errors.md).
//!
//! Thin by design: argument conversion, GIL and operation management, error projection. All
//! behaviour lives in the `netrt` core crate. The pure-Python half (`python/netrt/`) holds the
//! enums, the exception classes and the `async for` helper, and re-exports this module.

mod app_manifest;
mod asyncop;
mod atompub_client;
mod atompub_model;
mod await_iter;
mod background_transfer;
mod background_transfer_ops;
mod background_transfer_values;
mod bridge;
mod broker;
mod brokerd;
mod callbacks;
mod certificate;
mod chain_building;
mod control_channel;
mod convert;
mod credential;
mod data_io;
mod datagram;
mod errors;
mod extension;
mod hostname;
mod listener;
mod loop_driven;
mod ownership;
mod progress_op;
mod san;
mod storage;
mod stream_socket;
mod streams;
mod syndication_client;
mod syndication_feed;
mod syndication_model;
mod syndication_node;
mod uri;
mod vector;
mod web_progress;
mod websocket;
mod websocket_args;
mod websocket_control;
mod xml_document;

use pyo3::prelude::*;

/// `SocketError`: `SocketError.get_status(hresult)` → `SocketErrorStatus`.
#[pyclass(module = "netrt", name = "SocketError", frozen)]
struct SocketError;

#[pymethods]
impl SocketError {
    /// `GetStatus(hresult)`: what a failed socket operation's HRESULT means.
    #[staticmethod]
    #[pyo3(signature = (hresult, /))]
    fn get_status(py: Python<'_>, hresult: i32) -> PyResult<Py<PyAny>> {
        convert::py_enum(py, "SocketErrorStatus", netrt::error::socket_error_get_status(hresult) as i64)
    }
}

/// `WebSocketError`: `WebSocketError.get_status(hresult)` → `WebErrorStatus`.
#[pyclass(module = "netrt", name = "WebSocketError", frozen)]
struct WebSocketError;

#[pymethods]
impl WebSocketError {
    /// `GetStatus(hresult)`.
    #[staticmethod]
    #[pyo3(signature = (hresult, /))]
    fn get_status(py: Python<'_>, hresult: i32) -> PyResult<Py<PyAny>> {
        convert::py_enum(py, "WebErrorStatus", netrt::error::web_error_get_status(hresult) as i64)
    }
}

/// `WebError` (Windows.Web): `WebError.get_status(hresult)` → `WebErrorStatus`.
#[pyclass(module = "netrt", name = "WebError", frozen)]
struct WebError;

#[pymethods]
impl WebError {
    /// `GetStatus(hresult)`.
    #[staticmethod]
    #[pyo3(signature = (hresult, /))]
    fn get_status(py: Python<'_>, hresult: i32) -> PyResult<Py<PyAny>> {
        convert::py_enum(py, "WebErrorStatus", netrt::error::web_error_get_status(hresult) as i64)
    }
}

/// `SyndicationError` (Windows.Web.Syndication): `SyndicationError.get_status(hresult)` →
/// `SyndicationErrorStatus`.
#[pyclass(module = "netrt", name = "SyndicationError", frozen)]
struct SyndicationError;

#[pymethods]
impl SyndicationError {
    /// `GetStatus(hresult)`.
    #[staticmethod]
    #[pyo3(signature = (hresult, /))]
    fn get_status(py: Python<'_>, hresult: i32) -> PyResult<Py<PyAny>> {
        let status = netrt::web::syndication::syndication_error_get_status(hresult);
        convert::py_enum(py, "SyndicationErrorStatus", status as i64)
    }
}

/// Core's own members of an enum, as (WinRT name, value): what the tests compare the pure-Python
/// enums against, so the two can never drift apart.
#[pyfunction]
fn _core_enum(name: &str) -> PyResult<Vec<(String, i64)>> {
    use netrt::background_transfer::{
        BackgroundTransferBehavior, BackgroundTransferCostPolicy, BackgroundTransferPriority,
        BackgroundTransferStatus,
    };
    use netrt::error::{SocketErrorStatus, WebErrorStatus};
    use netrt::io::{ByteOrder, InputStreamOptions, UnicodeEncoding};
    use netrt::net::{HostNameSortOptions, HostNameType, SocketProtectionLevel, SocketQualityOfService};
    use netrt::tls::{
        CertificateChainPolicy, ChainValidationResult, ClientCertificateMode, SocketSslErrorSeverity,
        TlsVersion,
    };
    use netrt::web::syndication::{SyndicationErrorStatus, SyndicationFormat, SyndicationTextType};
    fn members<T: Copy + Into<i32>>(all: &[T], name: impl Fn(&T) -> &'static str) -> Vec<(String, i64)> {
        all.iter().map(|v| (name(v).to_owned(), i64::from((*v).into()))).collect()
    }
    fn scan<T: std::fmt::Debug + Copy>(
        f: impl Fn(i32) -> Option<T>,
        value: impl Fn(T) -> i64,
    ) -> Vec<(String, i64)> {
        let mut out: Vec<(String, i64)> = Vec::new();
        for raw in 0..1024 {
            if let Some(v) = f(raw)
                && value(v) == raw as i64
            {
                out.push((format!("{v:?}"), value(v)));
            }
        }
        out
    }
    Ok(match name {
        "SocketErrorStatus" => {
            SocketErrorStatus::ALL.iter().map(|v| (v.name().to_owned(), *v as i64)).collect()
        }
        "WebErrorStatus" => WebErrorStatus::ALL.iter().map(|v| (v.name().to_owned(), *v as i64)).collect(),
        "SyndicationFormat" => members(SyndicationFormat::ALL, |v| v.name()),
        "SyndicationErrorStatus" => members(SyndicationErrorStatus::ALL, |v| v.name()),
        "SyndicationTextType" => members(SyndicationTextType::ALL, |v| v.name()),
        "SocketProtectionLevel" => scan(|r| SocketProtectionLevel::from_raw(r).ok(), |v| v as i64),
        "SocketQualityOfService" => scan(|r| SocketQualityOfService::from_raw(r).ok(), |v| v as i64),
        "ByteOrder" => scan(|r| ByteOrder::from_raw(r).ok(), |v| v as i64),
        "UnicodeEncoding" => scan(|r| UnicodeEncoding::from_raw(r).ok(), |v| v as i64),
        "InputStreamOptions" => scan(|r| InputStreamOptions::from_raw(r as u32).ok(), |v| v as i64),
        "ChainValidationResult" => scan(ChainValidationResult::from_raw, |v| v as i64),
        "SocketSslErrorSeverity" => scan(SocketSslErrorSeverity::from_raw, |v| v as i64),
        "ClientCertificateMode" => scan(ClientCertificateMode::from_raw, |v| v as i64),
        "CertificateChainPolicy" => {
            CertificateChainPolicy::ALL.iter().map(|v| (v.name().to_owned(), *v as i64)).collect()
        }
        "TlsVersion" => TlsVersion::ALL.iter().map(|v| (v.name().to_owned(), *v as i64)).collect(),
        "SocketMessageType" => scan(netrt::ws::SocketMessageType::from_i32, |v| v as i64),
        "MessageWebSocketReceiveMode" => scan(netrt::ws::MessageWebSocketReceiveMode::from_i32, |v| v as i64),
        "NetworkDirection" => scan(netrt::capability::NetworkDirection::from_i32, |v| v as i64),
        "SocketActivityKind" => scan(netrt::broker::SocketActivityKind::from_i32, |v| v as i64),
        "SocketActivityTriggerReason" => {
            scan(netrt::broker::SocketActivityTriggerReason::from_i32, |v| v as i64)
        }
        "SocketActivityConnectedStandbyAction" => {
            scan(netrt::broker::SocketActivityConnectedStandbyAction::from_i32, |v| v as i64)
        }
        "BackgroundTransferStatus" => members(BackgroundTransferStatus::ALL, |v| v.name()),
        "BackgroundTransferCostPolicy" => members(BackgroundTransferCostPolicy::ALL, |v| v.name()),
        "BackgroundTransferPriority" => members(BackgroundTransferPriority::ALL, |v| v.name()),
        "BackgroundTransferBehavior" => members(BackgroundTransferBehavior::ALL, |v| v.name()),
        "CreationCollisionOption" => members(netrt::storage::CreationCollisionOption::ALL, |v| v.name()),
        "BackgroundTaskCancellationReason" => {
            scan(netrt::broker::BackgroundTaskCancellationReason::from_i32, |v| v as i64)
        }
        "ControlChannelTriggerStatus" => {
            scan(netrt::broker::ControlChannelTriggerStatus::from_i32, |v| v as i64)
        }
        "ControlChannelTriggerResourceType" => {
            scan(netrt::broker::ControlChannelTriggerResourceType::from_i32, |v| v as i64)
        }
        "ControlChannelTriggerResetReason" => {
            scan(netrt::broker::ControlChannelTriggerResetReason::from_i32, |v| v as i64)
        }
        "HostNameType" => {
            [HostNameType::DomainName, HostNameType::Ipv4, HostNameType::Ipv6, HostNameType::Bluetooth]
                .iter()
                .map(|v| (format!("{v:?}"), *v as i64))
                .collect()
        }
        "HostNameSortOptions" => [HostNameSortOptions::None, HostNameSortOptions::OptimizeForLongConnections]
            .iter()
            .map(|v| (format!("{v:?}"), *v as i64))
            .collect(),
        _ => return Err(pyo3::exceptions::PyKeyError::new_err(name.to_owned())),
    })
}

/// The class each HRESULT raises (for tests): `_error_class(hresult)` → class name.
#[pyfunction]
fn _error_class(hresult: i32) -> &'static str {
    errors::class_for(hresult)
}

#[pymodule]
fn _netrt(m: &Bound<'_, PyModule>) -> PyResult<()> {
    callbacks::register_atexit(m)?;
    m.add_class::<asyncop::IAsyncOperation>()?;
    m.add_class::<asyncop::DataReaderLoadOperation>()?;
    m.add_class::<asyncop::DataWriterStoreOperation>()?;
    m.add_class::<bridge::PyBridge>()?;
    m.add_class::<hostname::PyHostName>()?;
    m.add_class::<hostname::PyEndpointPair>()?;
    m.add_class::<streams::PyBuf>()?;
    m.add_class::<streams::PyInputStream>()?;
    m.add_class::<streams::PyOutputStream>()?;
    m.add_class::<data_io::PyDataWriter>()?;
    m.add_class::<data_io::PyDataReader>()?;
    m.add_class::<certificate::PyCertificate>()?;
    m.add_class::<certificate::PyCertificateChain>()?;
    m.add_class::<certificate::PyChainValidationParameters>()?;
    m.add_class::<chain_building::PyChainBuildingParameters>()?;
    m.add_class::<certificate::PyCertificateKeyUsages>()?;
    m.add_class::<san::PySubjectAlternativeNameInfo>()?;
    m.add_class::<extension::PyCertificateExtension>()?;
    m.add_class::<hostname::PyIpInformation>()?;
    m.add_class::<stream_socket::PyStreamSocket>()?;
    m.add_class::<stream_socket::PyStreamSocketControl>()?;
    m.add_class::<stream_socket::PyStreamSocketInformation>()?;
    m.add_class::<stream_socket::PyRoundTripTimeStatistics>()?;
    m.add_class::<stream_socket::PyBandwidthStatistics>()?;
    m.add_class::<vector::PyVector>()?;
    m.add_class::<listener::PyStreamSocketListener>()?;
    m.add_class::<listener::PyConnectionReceivedEventArgs>()?;
    m.add_class::<listener::PyStreamSocketListenerControl>()?;
    m.add_class::<listener::PyStreamSocketListenerInformation>()?;
    m.add_class::<datagram::PyDatagramSocket>()?;
    m.add_class::<datagram::PyMessageReceivedEventArgs>()?;
    m.add_class::<datagram::PyDatagramSocketControl>()?;
    m.add_class::<datagram::PyDatagramSocketInformation>()?;
    m.add_class::<uri::PyUri>()?;
    m.add_class::<uri::PyWwwFormUrlDecoder>()?;
    m.add_class::<uri::PyWwwFormUrlDecoderEntry>()?;
    m.add_class::<credential::PyPasswordCredential>()?;
    m.add_class::<storage::PyStorageFile>()?;
    m.add_class::<storage::PyStorageFolder>()?;
    m.add_class::<websocket::PyMessageWebSocket>()?;
    m.add_class::<websocket::PyStreamWebSocket>()?;
    m.add_class::<websocket_control::PyMessageWebSocketControl>()?;
    m.add_class::<websocket_control::PyStreamWebSocketControl>()?;
    m.add_class::<websocket_control::PyMessageWebSocketInformation>()?;
    m.add_class::<websocket_control::PyStreamWebSocketInformation>()?;
    m.add_class::<websocket_args::PyMessageReceivedArgs>()?;
    m.add_class::<websocket_args::PyClosedArgs>()?;
    m.add_class::<websocket_args::PyValidationArgs>()?;
    m.add_class::<websocket_args::PyDeferral>()?;
    m.add_class::<app_manifest::PyAppManifest>()?;
    m.add_class::<broker::PyStaticProperty>()?;
    m.add_class::<broker::PySocketActivityTrigger>()?;
    m.add_class::<broker::PyBackgroundTaskBuilder>()?;
    m.add_class::<broker::PyBackgroundTaskRegistration>()?;
    m.add_class::<broker::PyActivationSubscription>()?;
    m.add_class::<broker::PyBackgroundTaskDeferral>()?;
    m.add_class::<broker::PyBackgroundTaskInstance>()?;
    m.add_class::<broker::PySocketActivityContext>()?;
    m.add_class::<broker::PySocketActivityInformation>()?;
    m.add_class::<broker::PySocketActivityTriggerDetails>()?;
    m.add_class::<control_channel::PyControlChannelTrigger>()?;
    m.add_class::<control_channel::PyControlChannelBackgroundTrigger>()?;
    m.add_class::<control_channel::PyControlChannelTriggerEventDetails>()?;
    m.add_class::<control_channel::PyBackgroundTaskCompletedEventArgs>()?;
    m.add_class::<control_channel::PyBackgroundTaskProgressEventArgs>()?;
    m.add_function(wrap_pyfunction!(control_channel::register_task_entry_point, m)?)?;
    m.add_function(wrap_pyfunction!(control_channel::unregister_task_entry_point, m)?)?;
    m.add_class::<SocketError>()?;
    m.add_class::<WebSocketError>()?;
    m.add_class::<WebError>()?;
    m.add_class::<SyndicationError>()?;
    m.add_class::<xml_document::PyXmlDocument>()?;
    m.add_class::<xml_document::PyXmlElement>()?;
    m.add_class::<syndication_node::PyNodeBase>()?;
    m.add_class::<syndication_node::PySyndicationAttribute>()?;
    m.add_class::<syndication_node::PySyndicationNode>()?;
    m.add_class::<syndication_model::PySyndicationText>()?;
    m.add_class::<syndication_model::PySyndicationContent>()?;
    m.add_class::<syndication_model::PySyndicationLink>()?;
    m.add_class::<syndication_model::PySyndicationPerson>()?;
    m.add_class::<syndication_model::PySyndicationCategory>()?;
    m.add_class::<syndication_model::PySyndicationGenerator>()?;
    m.add_class::<syndication_feed::PySyndicationItem>()?;
    m.add_class::<syndication_feed::PySyndicationFeed>()?;
    m.add_class::<syndication_client::PySyndicationClient>()?;
    m.add_class::<web_progress::PyRetrievalProgress>()?;
    m.add_class::<web_progress::PyTransferProgress>()?;
    m.add_class::<progress_op::PyOperationWithProgress>()?;
    m.add_class::<atompub_model::PyServiceDocument>()?;
    m.add_class::<atompub_model::PyWorkspace>()?;
    m.add_class::<atompub_model::PyResourceCollection>()?;
    m.add_class::<atompub_client::PyAtomPubClient>()?;
    m.add_class::<background_transfer::PyBackgroundDownloader>()?;
    m.add_class::<background_transfer::PyBackgroundUploader>()?;
    m.add_class::<background_transfer_ops::PyDownloadOperation>()?;
    m.add_class::<background_transfer_ops::PyUploadOperation>()?;
    m.add_class::<background_transfer_values::PyBackgroundDownloadProgress>()?;
    m.add_class::<background_transfer_values::PyBackgroundUploadProgress>()?;
    m.add_class::<background_transfer_values::PyBackgroundTransferFileRange>()?;
    m.add_class::<background_transfer_values::PyResponseInformation>()?;
    m.add_class::<background_transfer_values::PyBackgroundTransferError>()?;
    m.add_class::<background_transfer_values::PyBackgroundTransferGroup>()?;
    m.add_class::<background_transfer_values::PyBackgroundTransferContentPart>()?;
    m.add_function(wrap_pyfunction!(_core_enum, m)?)?;
    m.add_function(wrap_pyfunction!(_error_class, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    brokerd::register(m)?;
    Ok(())
}
