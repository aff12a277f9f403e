//! What a handle refers to: one netrt object of one kind.

use std::sync::{Arc, Mutex};

use netrt_core::io::{DataReader, DataWriter, InputStream, OutputStream};
use netrt_core::net::{
    DatagramSocket, DatagramSocketControl, DatagramSocketInformation, EndpointPair, HostName, StreamSocket,
    StreamSocketControl, StreamSocketInformation, StreamSocketListener, StreamSocketListenerControl,
    StreamSocketListenerInformation,
};
use netrt_core::{web, ws};

use crate::datagram::MessageArgs;
use crate::enums::netrt_kind;
use crate::listener::ConnectionArgs;
use crate::syndication_state::{FeedState, ItemState, Shared, Syn};

/// The object behind one or more handles. Each handle holds one `Arc` of it.
pub(crate) struct Object {
    pub value: Value,
    /// The object this one was obtained from and keeps alive (a socket's stream keeps the
    /// socket, a DataReader keeps its stream), as WinRT objects hold references to theirs.
    pub owner: Option<Arc<Object>>,
}

/// The one list of handle kinds. Each row is a [`Value`] variant, the core (or ffi) type it
/// wraps, its `netrt_kind`, and what IClosable means for it:
/// - `none`: not closable (`netrt_close` fails with `E_INVALIDARG`);
/// - `owner`: `netrt_close` closes it, and so does releasing its last reference (docs/handles.md);
/// - `view`: `netrt_close` closes it (a socket's stream closes the socket), but releasing it
///   does not: a view keeps what it views open.
///
/// Operations (`netrt_kind::AsyncOperation`) have no row: their handles hold core's
/// `AsyncOperation` directly (see `handle.rs`), and `netrt_close` on one is IAsyncInfo.Close.
///
/// From it come `Value`, `Object::kind`, `Object::close`, `Drop for Object` and `kind_of`
/// (what the lookup macros check); an exhaustive match checks that every `netrt_kind` (declared
/// in `enums.rs`, where cbindgen sees it) has exactly one row.
macro_rules! handle_kinds {
    ($( $(#[$doc:meta])* $variant:ident($ty:ty) => $kind:ident, $close:ident; )+) => {
        /// The kinds of objects, each wrapping its core type.
        pub(crate) enum Value {
            $( $(#[$doc])* $variant($ty), )+
        }

        impl Object {
            pub(crate) fn kind(&self) -> netrt_kind {
                match &self.value {
                    $( Value::$variant(_) => netrt_kind::$kind, )+
                }
            }

            /// IClosable.Close; `None` when the kind is not closable.
            pub(crate) fn close(&self) -> Option<netrt_core::Result<()>> {
                match &self.value {
                    $( Value::$variant(_v) => close_by!($close, _v), )+
                }
            }
        }

        impl Drop for Object {
            /// The last reference is gone: an object that owns a resource closes it first
            /// (docs/handles.md). A socket's streams are views of the socket and do not close it.
            fn drop(&mut self) {
                match &self.value {
                    $( Value::$variant(_v) => drop_by!($close, _v), )+
                }
            }
        }

        /// The `netrt_kind` of each `Value` variant, by the variant's name (for the lookup macros;
        /// not every kind is looked up by name).
        #[allow(non_upper_case_globals, dead_code)]
        pub(crate) mod kind_of {
            use crate::enums::netrt_kind;
            $( pub(crate) const $variant: netrt_kind = netrt_kind::$kind; )+
        }

        /// Every `netrt_kind` has a row (a missing one fails this match; a duplicate one is an
        /// unreachable pattern, an error under `-D warnings`).
        #[allow(dead_code)]
        fn variant_of(kind: netrt_kind) -> &'static str {
            match kind {
                $( netrt_kind::$kind => stringify!($variant), )+
                // Not an object: the handle holds core's operation itself (handle.rs).
                netrt_kind::AsyncOperation => "AsyncOperation",
            }
        }
    };
}

macro_rules! close_by {
    (none, $v:ident) => {
        None
    };
    (owner, $v:ident) => {{
        $v.close();
        Some(Ok(()))
    }};
    (view, $v:ident) => {{
        $v.close();
        Some(Ok(()))
    }};
}

macro_rules! drop_by {
    (owner, $v:ident) => {
        $v.close()
    };
    ($other:ident, $v:ident) => {
        ()
    };
}

handle_kinds! {
    HostName(HostName) => HostName, none;
    EndpointPair(EndpointPair) => EndpointPair, none;
    Buffer(netrt_core::io::Buffer) => Buffer, none;
    StreamSocket(StreamSocket) => StreamSocket, owner;
    StreamSocketControl(StreamSocketControl) => StreamSocketControl, none;
    StreamSocketInformation(StreamSocketInformation) => StreamSocketInformation, none;
    InputStream(InputStream) => InputStream, view;
    OutputStream(OutputStream) => OutputStream, view;
    DataWriter(Arc<DataWriter>) => DataWriter, owner;
    DataReader(Arc<DataReader>) => DataReader, owner;
    StreamSocketListener(StreamSocketListener) => StreamSocketListener, owner;
    StreamSocketListenerControl(StreamSocketListenerControl) => StreamSocketListenerControl, none;
    StreamSocketListenerInformation(StreamSocketListenerInformation) => StreamSocketListenerInformation, none;
    ConnectionReceivedEventArgs(Arc<ConnectionArgs>) => StreamSocketListenerConnectionReceivedEventArgs, none;
    DatagramSocket(DatagramSocket) => DatagramSocket, owner;
    DatagramSocketControl(DatagramSocketControl) => DatagramSocketControl, none;
    DatagramSocketInformation(DatagramSocketInformation) => DatagramSocketInformation, none;
    MessageReceivedEventArgs(Arc<MessageArgs>) => DatagramSocketMessageReceivedEventArgs, none;
    Certificate(netrt_core::tls::Certificate) => Certificate, none;
    Vector(crate::vector::VectorObject) => Vector, none;
    CertificateChain(Arc<netrt_core::tls::CertificateChain>) => CertificateChain, none;
    ChainValidationParameters(Arc<Mutex<netrt_core::tls::ChainValidationParameters>>) => ChainValidationParameters, none;
    SubjectAlternativeNameInfo(Arc<Mutex<netrt_core::tls::SubjectAlternativeNameInfo>>) => SubjectAlternativeNameInfo, none;
    CertificateExtension(Arc<Mutex<netrt_core::tls::CertificateExtension>>) => CertificateExtension, none;
    IpInformation(netrt_core::net::IpInformation) => IpInformation, none;
    CompletionQueue(netrt_core::foundation::CompletionQueue) => CompletionQueue, owner;
    ChainBuildingParameters(netrt_core::tls::ChainBuildingParameters) => ChainBuildingParameters, none;
    Uri(netrt_core::foundation::Uri) => Uri, none;
    WwwFormUrlDecoder(Arc<netrt_core::foundation::WwwFormUrlDecoder>) => WwwFormUrlDecoder, none;
    WwwFormUrlDecoderEntry(Arc<netrt_core::foundation::WwwFormUrlDecoderEntry>) => WwwFormUrlDecoderEntry, none;
    PasswordCredential(netrt_core::security::PasswordCredential) => PasswordCredential, none;
    MessageWebSocket(ws::MessageWebSocket) => MessageWebSocket, owner;
    MessageWebSocketControl(ws::MessageWebSocketControl) => MessageWebSocketControl, none;
    MessageWebSocketInformation(ws::MessageWebSocketInformation) => MessageWebSocketInformation, none;
    MessageWebSocketMessageReceivedEventArgs(Arc<ws::MessageWebSocketMessageReceivedEventArgs>) => MessageWebSocketMessageReceivedEventArgs, none;
    StreamWebSocket(ws::StreamWebSocket) => StreamWebSocket, owner;
    StreamWebSocketControl(ws::StreamWebSocketControl) => StreamWebSocketControl, none;
    StreamWebSocketInformation(ws::StreamWebSocketInformation) => StreamWebSocketInformation, none;
    WebSocketClosedEventArgs(Arc<ws::WebSocketClosedEventArgs>) => WebSocketClosedEventArgs, none;
    WebSocketServerCustomValidationRequestedEventArgs(ws::WebSocketServerCustomValidationRequestedEventArgs) => WebSocketServerCustomValidationRequestedEventArgs, none;
    Deferral(Arc<ws::Deferral>) => Deferral, none;
    BackgroundTaskRegistration(netrt_core::broker::BackgroundTaskRegistration) => BackgroundTaskRegistration, none;
    BackgroundTaskInstance(netrt_core::broker::BackgroundTaskInstance) => BackgroundTaskInstance, none;
    SocketActivityTriggerDetails(netrt_core::broker::SocketActivityTriggerDetails) => SocketActivityTriggerDetails, none;
    SocketActivityInformation(netrt_core::broker::SocketActivityInformation) => SocketActivityInformation, none;
    SyndicationFeed(Shared<Syn<FeedState>>) => SyndicationFeed, none;
    SyndicationItem(Shared<Syn<ItemState>>) => SyndicationItem, none;
    SyndicationText(Shared<Syn<web::syndication::SyndicationText>>) => SyndicationText, none;
    SyndicationContent(Shared<Syn<web::syndication::SyndicationContent>>) => SyndicationContent, none;
    SyndicationLink(Shared<Syn<web::syndication::SyndicationLink>>) => SyndicationLink, none;
    SyndicationPerson(Shared<Syn<web::syndication::SyndicationPerson>>) => SyndicationPerson, none;
    SyndicationCategory(Shared<Syn<web::syndication::SyndicationCategory>>) => SyndicationCategory, none;
    SyndicationGenerator(Shared<Syn<web::syndication::SyndicationGenerator>>) => SyndicationGenerator, none;
    SyndicationNode(Shared<Syn<()>>) => SyndicationNode, none;
    SyndicationAttribute(Shared<web::syndication::SyndicationAttribute>) => SyndicationAttribute, none;
    XmlDocument(Shared<netrt_core::data::xml::XmlDocument>) => XmlDocument, none;
    SyndicationClient(web::syndication::SyndicationClient) => SyndicationClient, none;
    AtomPubClient(web::atompub::AtomPubClient) => AtomPubClient, none;
    ServiceDocument(Shared<Syn<crate::atompub_service::ServiceDocumentState>>) => ServiceDocument, none;
    Workspace(Shared<Syn<crate::atompub_service::WorkspaceState>>) => Workspace, none;
    ResourceCollection(Shared<Syn<crate::atompub_service::CollectionState>>) => ResourceCollection, none;
    StorageFile(netrt_core::storage::StorageFile) => StorageFile, none;
    StorageFolder(netrt_core::storage::StorageFolder) => StorageFolder, none;
    BackgroundDownloader(netrt_core::background_transfer::BackgroundDownloader) => BackgroundDownloader, none;
    DownloadOperation(netrt_core::background_transfer::DownloadOperation) => DownloadOperation, none;
    BackgroundUploader(netrt_core::background_transfer::BackgroundUploader) => BackgroundUploader, none;
    UploadOperation(netrt_core::background_transfer::UploadOperation) => UploadOperation, none;
    BackgroundTransferGroup(netrt_core::background_transfer::BackgroundTransferGroup) => BackgroundTransferGroup, none;
    ResponseInformation(netrt_core::background_transfer::ResponseInformation) => ResponseInformation, none;
    BackgroundTransferContentPart(netrt_core::background_transfer::BackgroundTransferContentPart) => BackgroundTransferContentPart, none;
    MapView(Arc<crate::broker_views::MapView>) => MapView, none;
    ActivationSubscription(Arc<netrt_core::broker::ActivationSubscription>) => ActivationSubscription, owner;
    ControlChannelTrigger(netrt_core::broker::ControlChannelTrigger) => ControlChannelTrigger, view;
    ControlChannelTriggerEventDetails(netrt_core::broker::ControlChannelTriggerEventDetails) => ControlChannelTriggerEventDetails, none;
    BackgroundTaskDeferral(netrt_core::broker::BackgroundTaskDeferral) => BackgroundTaskDeferral, none;
    BackgroundTaskCompletedEventArgs(netrt_core::broker::BackgroundTaskCompletedEventArgs) => BackgroundTaskCompletedEventArgs, none;
    BackgroundTaskProgressEventArgs(netrt_core::broker::BackgroundTaskProgressEventArgs) => BackgroundTaskProgressEventArgs, none;
}

impl Object {
    pub(crate) fn new(value: Value) -> Arc<Self> {
        Arc::new(Self { value, owner: None })
    }

    pub(crate) fn owned(value: Value, owner: Option<Arc<Object>>) -> Arc<Self> {
        Arc::new(Self { value, owner })
    }
}

/// Looks a handle up as one kind and clones the wrapped value out:
/// `let socket = get!(h, StreamSocket);` (in a function returning `Result<_, Error>`).
macro_rules! get {
    // The value's own reference is enough: no reference to the object itself is taken.
    ($h:expr, $variant:ident) => {
        $crate::object::with_value!($h, $variant, |v| v.clone())
    };
}

/// Like [`get!`], also returning the object (to keep it alive or make it an owner).
macro_rules! get_obj {
    ($h:expr, $variant:ident) => {{
        $crate::object::let_obj!(obj, v = $h, $variant);
        let v = v.clone();
        (obj, v)
    }};
}

/// Like [`get_obj!`] without cloning the value: `let_obj!(obj, v = h, Variant);` binds `obj`
/// (a new reference) and `v` (borrowed from it) — one atomic fewer each way on hot paths.
macro_rules! let_obj {
    ($obj:ident, $v:ident = $h:expr, $variant:ident) => {
        let $obj = $crate::handle::lookup($h, Some($crate::object::kind_of::$variant))?;
        let $crate::object::Value::$variant($v) = &$obj.value else {
            return Err($crate::handle::wrong_kind());
        };
    };
}

/// Like [`let_obj!`], pinning the object instead of taking a reference:
/// `let_borrowed!(obj, v = h, Variant);` binds `obj` (a `handle::Borrowed`; `obj.to_arc()` when
/// something must keep it) and `v` (borrowed from it). See `handle::borrow` for what may run
/// while it is held.
macro_rules! let_borrowed {
    ($obj:ident, $v:ident = $h:expr, $variant:ident) => {
        let $obj = $crate::handle::borrow($h, $crate::object::kind_of::$variant)?;
        let $crate::object::Value::$variant($v) = &$obj.object().value else {
            return Err($crate::handle::wrong_kind());
        };
    };
}

/// Runs `$body` on the value behind a handle of one kind, taking no reference (the handle
/// table pins the object meanwhile: keep it short, never release the handle in it):
/// `with_value!(h, Buffer, |b| b.length())`.
macro_rules! with_value {
    ($h:expr, $variant:ident, |$v:ident| $body:expr) => {{
        let value =
            $crate::handle::with($h, Some($crate::object::kind_of::$variant), |obj| match &obj.value {
                $crate::object::Value::$variant($v) => Some($body),
                _ => None,
            })?;
        match value {
            Some(v) => v,
            None => return Err($crate::handle::wrong_kind()),
        }
    }};
}

pub(crate) use {get, get_obj, let_borrowed, let_obj, with_value};
