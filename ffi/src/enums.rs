//! The C enums, with their WinRT values. cbindgen prefixes each constant with the enum's
//! name in SCREAMING_SNAKE_CASE (`NETRT_SOCKET_ERROR_STATUS_CONNECTION_REFUSED`).
//!
//! The WinRT enums are generated from core's registry (`netrt_core::projection`) into
//! `enums_generated.rs` by `make header`; only netrt's own `netrt_kind` is declared here.
//!
//! Enums are only ever *returned* as these types. Functions that take an enum take `int32_t`
//! (or `uint32_t` for flags) and reject unknown values with `E_INVALIDARG`, because a C caller
//! can pass any integer and a Rust enum must never hold an undeclared value.

pub use crate::enums_generated::*;

// Each kind has one row in object.rs's `handle_kinds!` table, which the compiler checks against
// this list (kept here, written out, because cbindgen does not expand macros).
/// The kind of object a handle refers to (encoded in the handle; see `netrt_get_kind`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netrt_kind {
    /// `Windows.Networking.HostName`.
    HostName = 1,
    /// `Windows.Networking.EndpointPair`.
    EndpointPair = 2,
    /// `Windows.Storage.Streams.Buffer` (IBuffer).
    Buffer = 3,
    /// An asynchronous operation or action (IAsyncInfo).
    AsyncOperation = 4,
    /// `StreamSocket`.
    StreamSocket = 5,
    /// `StreamSocketControl`.
    StreamSocketControl = 6,
    /// `StreamSocketInformation`.
    StreamSocketInformation = 7,
    /// IInputStream.
    InputStream = 8,
    /// IOutputStream.
    OutputStream = 9,
    /// `DataWriter`.
    DataWriter = 10,
    /// `DataReader`.
    DataReader = 11,
    /// `StreamSocketListener`.
    StreamSocketListener = 12,
    /// `StreamSocketListenerControl`.
    StreamSocketListenerControl = 13,
    /// `StreamSocketListenerInformation`.
    StreamSocketListenerInformation = 14,
    /// `StreamSocketListenerConnectionReceivedEventArgs`.
    StreamSocketListenerConnectionReceivedEventArgs = 15,
    /// `DatagramSocket`.
    DatagramSocket = 16,
    /// `DatagramSocketControl`.
    DatagramSocketControl = 17,
    /// `DatagramSocketInformation`.
    DatagramSocketInformation = 18,
    /// `DatagramSocketMessageReceivedEventArgs`.
    DatagramSocketMessageReceivedEventArgs = 19,
    /// `Windows.Security.Cryptography.Certificates.Certificate`.
    Certificate = 20,
    /// `IVector<T>` / `IVectorView<T>` (see `netrt_vector_*`).
    Vector = 21,
    /// `Windows.Security.Cryptography.Certificates.CertificateChain`.
    CertificateChain = 22,
    /// `Windows.Security.Cryptography.Certificates.ChainValidationParameters`.
    ChainValidationParameters = 23,
    /// `Windows.Security.Cryptography.Certificates.SubjectAlternativeNameInfo`.
    SubjectAlternativeNameInfo = 24,
    /// `Windows.Networking.Connectivity.IPInformation`.
    IpInformation = 25,
    /// A completion queue (netrt extension; see `netrt_completion_queue_*`).
    CompletionQueue = 26,
    /// `Windows.Security.Cryptography.Certificates.ChainBuildingParameters`.
    ChainBuildingParameters = 27,
    /// `Windows.Foundation.Uri`.
    Uri = 28,
    /// `Windows.Foundation.WwwFormUrlDecoder` (a Uri's QueryParsed).
    WwwFormUrlDecoder = 29,
    /// `Windows.Foundation.WwwFormUrlDecoderEntry`.
    WwwFormUrlDecoderEntry = 30,
    /// `Windows.Security.Credentials.PasswordCredential`.
    PasswordCredential = 31,
    /// `MessageWebSocket`.
    MessageWebSocket = 32,
    /// `MessageWebSocketControl`.
    MessageWebSocketControl = 33,
    /// `MessageWebSocketInformation`.
    MessageWebSocketInformation = 34,
    /// `MessageWebSocketMessageReceivedEventArgs`.
    MessageWebSocketMessageReceivedEventArgs = 35,
    /// `StreamWebSocket`.
    StreamWebSocket = 36,
    /// `StreamWebSocketControl`.
    StreamWebSocketControl = 37,
    /// `StreamWebSocketInformation`.
    StreamWebSocketInformation = 38,
    /// `WebSocketClosedEventArgs`.
    WebSocketClosedEventArgs = 39,
    /// `WebSocketServerCustomValidationRequestedEventArgs`.
    WebSocketServerCustomValidationRequestedEventArgs = 40,
    /// `Windows.Foundation.Deferral` (from ServerCustomValidationRequested).
    Deferral = 41,
    /// `Windows.ApplicationModel.Background.BackgroundTaskRegistration` (socket broker).
    BackgroundTaskRegistration = 45,
    /// `IBackgroundTaskInstance`: the run of a task the socket broker started.
    BackgroundTaskInstance = 46,
    /// `SocketActivityTriggerDetails`.
    SocketActivityTriggerDetails = 47,
    /// `SocketActivityInformation`.
    SocketActivityInformation = 48,
    /// `Windows.Web.Syndication.SyndicationFeed`.
    SyndicationFeed = 80,
    /// `Windows.Web.Syndication.SyndicationItem`.
    SyndicationItem = 81,
    /// `Windows.Web.Syndication.SyndicationText`.
    SyndicationText = 82,
    /// `Windows.Web.Syndication.SyndicationContent`.
    SyndicationContent = 83,
    /// `Windows.Web.Syndication.SyndicationLink`.
    SyndicationLink = 84,
    /// `Windows.Web.Syndication.SyndicationPerson`.
    SyndicationPerson = 85,
    /// `Windows.Web.Syndication.SyndicationCategory`.
    SyndicationCategory = 86,
    /// `Windows.Web.Syndication.SyndicationGenerator`.
    SyndicationGenerator = 87,
    /// `Windows.Web.Syndication.SyndicationNode` (an extension element).
    SyndicationNode = 88,
    /// `Windows.Web.Syndication.SyndicationAttribute`.
    SyndicationAttribute = 89,
    /// `Windows.Data.Xml.Dom.XmlDocument`.
    XmlDocument = 90,
    /// `Windows.Web.Syndication.SyndicationClient`.
    SyndicationClient = 91,
    /// `Windows.Web.AtomPub.AtomPubClient`.
    AtomPubClient = 92,
    /// `Windows.Web.AtomPub.ServiceDocument`.
    ServiceDocument = 93,
    /// `Windows.Web.AtomPub.Workspace`.
    Workspace = 94,
    /// `Windows.Web.AtomPub.ResourceCollection`.
    ResourceCollection = 95,
    /// `Windows.Security.Cryptography.Certificates.CertificateExtension`.
    CertificateExtension = 96,
    /// `Windows.Storage.StorageFile`.
    StorageFile = 60,
    /// `Windows.Storage.StorageFolder`.
    StorageFolder = 61,
    /// `Windows.Networking.BackgroundTransfer.BackgroundDownloader`.
    BackgroundDownloader = 62,
    /// `DownloadOperation`.
    DownloadOperation = 63,
    /// `BackgroundUploader`.
    BackgroundUploader = 64,
    /// `UploadOperation`.
    UploadOperation = 65,
    /// `BackgroundTransferGroup`.
    BackgroundTransferGroup = 66,
    /// `ResponseInformation`.
    ResponseInformation = 67,
    /// `BackgroundTransferContentPart`.
    BackgroundTransferContentPart = 68,
    /// A read-only `IMapView<K, V>` snapshot (see `netrt_map_view_*`): AllSockets, AllTasks.
    MapView = 49,
    /// netrt: a running instance's subscription to its task's activations.
    ActivationSubscription = 50,
    /// `ControlChannelTrigger`.
    ControlChannelTrigger = 51,
    /// `IControlChannelTriggerEventDetails`.
    ControlChannelTriggerEventDetails = 52,
    /// `BackgroundTaskDeferral`.
    BackgroundTaskDeferral = 53,
    /// `BackgroundTaskCompletedEventArgs`.
    BackgroundTaskCompletedEventArgs = 54,
    /// `BackgroundTaskProgressEventArgs`.
    BackgroundTaskProgressEventArgs = 55,
}
