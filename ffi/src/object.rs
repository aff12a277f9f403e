//! What a handle refers to: one netrt object of one kind.

use std::sync::{Arc, Mutex};

use netrt_core::io::{DataReader, DataWriter, InputStream, OutputStream};
use netrt_core::net::{
    DatagramSocket, DatagramSocketControl, DatagramSocketInformation, EndpointPair, HostName, StreamSocket,
    StreamSocketControl, StreamSocketInformation, StreamSocketListener, StreamSocketListenerControl,
    StreamSocketListenerInformation,
};

use crate::async_op::AsyncOp;
use crate::datagram::MessageArgs;
use crate::enums::netrt_kind;
use crate::listener::ConnectionArgs;

/// The object behind one or more handles. Each handle holds one `Arc` of it.
pub(crate) struct Object {
    pub value: Value,
    /// The object this one was obtained from and keeps alive (a socket's stream keeps the
    /// socket, a DataReader keeps its stream), as WinRT objects hold references to theirs.
    pub owner: Option<Arc<Object>>,
}

/// The kinds of objects, each wrapping its core type.
pub(crate) enum Value {
    HostName(HostName),
    EndpointPair(EndpointPair),
    Buffer(netrt_core::io::Buffer),
    /// Inline: an operation and its object are one allocation.
    AsyncOp(AsyncOp),
    StreamSocket(StreamSocket),
    StreamSocketControl(StreamSocketControl),
    StreamSocketInformation(StreamSocketInformation),
    InputStream(InputStream),
    OutputStream(OutputStream),
    DataWriter(Arc<DataWriter>),
    DataReader(Arc<DataReader>),
    StreamSocketListener(StreamSocketListener),
    StreamSocketListenerControl(StreamSocketListenerControl),
    StreamSocketListenerInformation(StreamSocketListenerInformation),
    ConnectionReceivedEventArgs(Arc<ConnectionArgs>),
    DatagramSocket(DatagramSocket),
    DatagramSocketControl(DatagramSocketControl),
    DatagramSocketInformation(DatagramSocketInformation),
    MessageReceivedEventArgs(Arc<MessageArgs>),
    Certificate(netrt_core::tls::Certificate),
    Vector(crate::vector::VectorObject),
    CertificateChain(Arc<netrt_core::tls::CertificateChain>),
    ChainValidationParameters(Arc<Mutex<netrt_core::tls::ChainValidationParameters>>),
    SubjectAlternativeNameInfo(Arc<netrt_core::tls::SubjectAlternativeNameInfo>),
    IpInformation(netrt_core::net::IpInformation),
}

impl Object {
    pub(crate) fn new(value: Value) -> Arc<Self> {
        Arc::new(Self { value, owner: None })
    }

    pub(crate) fn owned(value: Value, owner: Option<Arc<Object>>) -> Arc<Self> {
        Arc::new(Self { value, owner })
    }

    pub(crate) fn kind(&self) -> netrt_kind {
        use netrt_kind as K;
        match &self.value {
            Value::HostName(_) => K::HostName,
            Value::EndpointPair(_) => K::EndpointPair,
            Value::Buffer(_) => K::Buffer,
            Value::AsyncOp(_) => K::AsyncOperation,
            Value::StreamSocket(_) => K::StreamSocket,
            Value::StreamSocketControl(_) => K::StreamSocketControl,
            Value::StreamSocketInformation(_) => K::StreamSocketInformation,
            Value::InputStream(_) => K::InputStream,
            Value::OutputStream(_) => K::OutputStream,
            Value::DataWriter(_) => K::DataWriter,
            Value::DataReader(_) => K::DataReader,
            Value::StreamSocketListener(_) => K::StreamSocketListener,
            Value::StreamSocketListenerControl(_) => K::StreamSocketListenerControl,
            Value::StreamSocketListenerInformation(_) => K::StreamSocketListenerInformation,
            Value::ConnectionReceivedEventArgs(_) => K::StreamSocketListenerConnectionReceivedEventArgs,
            Value::DatagramSocket(_) => K::DatagramSocket,
            Value::DatagramSocketControl(_) => K::DatagramSocketControl,
            Value::DatagramSocketInformation(_) => K::DatagramSocketInformation,
            Value::MessageReceivedEventArgs(_) => K::DatagramSocketMessageReceivedEventArgs,
            Value::Certificate(_) => K::Certificate,
            Value::Vector(_) => K::Vector,
            Value::CertificateChain(_) => K::CertificateChain,
            Value::ChainValidationParameters(_) => K::ChainValidationParameters,
            Value::SubjectAlternativeNameInfo(_) => K::SubjectAlternativeNameInfo,
            Value::IpInformation(_) => K::IpInformation,
        }
    }

    /// IClosable.Close; `None` when the kind is not closable.
    pub(crate) fn close(&self) -> Option<netrt_core::Result<()>> {
        match &self.value {
            Value::StreamSocket(s) => s.close(),
            Value::StreamSocketListener(l) => l.close(),
            Value::DatagramSocket(d) => d.close(),
            Value::DataReader(r) => r.close(),
            Value::DataWriter(w) => w.close(),
            Value::InputStream(s) => s.close(),
            Value::OutputStream(s) => s.close(),
            Value::AsyncOp(op) => return Some(op.close()),
            _ => return None,
        }
        Some(Ok(()))
    }
}

impl Drop for Object {
    /// The last reference is gone: an object that owns a resource closes it first (docs/handles.md).
    /// A socket's streams are views of the socket and do not close it when released.
    fn drop(&mut self) {
        match &self.value {
            Value::StreamSocket(s) => s.close(),
            Value::StreamSocketListener(l) => l.close(),
            Value::DatagramSocket(d) => d.close(),
            Value::DataReader(r) => r.close(),
            Value::DataWriter(w) => w.close(),
            _ => {}
        }
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
        let $obj = $crate::handle::lookup($h, Some($crate::object::kind_of_variant!($variant)))?;
        let $crate::object::Value::$variant($v) = &$obj.value else {
            return Err($crate::handle::wrong_kind());
        };
    };
}

/// Runs `$body` on the value behind a handle of one kind, taking no reference (the handle
/// table pins the object meanwhile: keep it short, never release the handle in it):
/// `with_value!(h, Buffer, |b| b.length())`.
macro_rules! with_value {
    ($h:expr, $variant:ident, |$v:ident| $body:expr) => {{
        let value = $crate::handle::with($h, Some($crate::object::kind_of_variant!($variant)), |obj| {
            match &obj.value {
                $crate::object::Value::$variant($v) => Some($body),
                _ => None,
            }
        })?;
        match value {
            Some(v) => v,
            None => return Err($crate::handle::wrong_kind()),
        }
    }};
}

macro_rules! kind_of_variant {
    (HostName) => {
        $crate::enums::netrt_kind::HostName
    };
    (EndpointPair) => {
        $crate::enums::netrt_kind::EndpointPair
    };
    (Buffer) => {
        $crate::enums::netrt_kind::Buffer
    };
    (AsyncOp) => {
        $crate::enums::netrt_kind::AsyncOperation
    };
    (StreamSocket) => {
        $crate::enums::netrt_kind::StreamSocket
    };
    (StreamSocketControl) => {
        $crate::enums::netrt_kind::StreamSocketControl
    };
    (StreamSocketInformation) => {
        $crate::enums::netrt_kind::StreamSocketInformation
    };
    (InputStream) => {
        $crate::enums::netrt_kind::InputStream
    };
    (OutputStream) => {
        $crate::enums::netrt_kind::OutputStream
    };
    (DataWriter) => {
        $crate::enums::netrt_kind::DataWriter
    };
    (DataReader) => {
        $crate::enums::netrt_kind::DataReader
    };
    (StreamSocketListener) => {
        $crate::enums::netrt_kind::StreamSocketListener
    };
    (StreamSocketListenerControl) => {
        $crate::enums::netrt_kind::StreamSocketListenerControl
    };
    (StreamSocketListenerInformation) => {
        $crate::enums::netrt_kind::StreamSocketListenerInformation
    };
    (ConnectionReceivedEventArgs) => {
        $crate::enums::netrt_kind::StreamSocketListenerConnectionReceivedEventArgs
    };
    (DatagramSocket) => {
        $crate::enums::netrt_kind::DatagramSocket
    };
    (DatagramSocketControl) => {
        $crate::enums::netrt_kind::DatagramSocketControl
    };
    (DatagramSocketInformation) => {
        $crate::enums::netrt_kind::DatagramSocketInformation
    };
    (MessageReceivedEventArgs) => {
        $crate::enums::netrt_kind::DatagramSocketMessageReceivedEventArgs
    };
    (Certificate) => {
        $crate::enums::netrt_kind::Certificate
    };
    (Vector) => {
        $crate::enums::netrt_kind::Vector
    };
    (CertificateChain) => {
        $crate::enums::netrt_kind::CertificateChain
    };
    (ChainValidationParameters) => {
        $crate::enums::netrt_kind::ChainValidationParameters
    };
    (SubjectAlternativeNameInfo) => {
        $crate::enums::netrt_kind::SubjectAlternativeNameInfo
    };
    (IpInformation) => {
        $crate::enums::netrt_kind::IpInformation
    };
}
pub(crate) use {get, get_obj, kind_of_variant, let_obj, with_value};
