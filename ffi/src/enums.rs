//! The C enums, with their WinRT values. cbindgen prefixes each constant with the enum's
//! name in SCREAMING_SNAKE_CASE (`NETRT_SOCKET_ERROR_STATUS_CONNECTION_REFUSED`).
//!
//! Enums are only ever *returned* as these types. Functions that take an enum take `int32_t`
//! (or `uint32_t` for flags) and reject unknown values with `E_INVALIDARG`, because a C caller
//! can pass any integer and a Rust enum must never hold an undeclared value.

use netrt_core::error::{SocketErrorStatus, WebErrorStatus};
use netrt_core::io::{ByteOrder, InputStreamOptions, UnicodeEncoding};
use netrt_core::net::{HostNameType, SocketProtectionLevel, SocketQualityOfService};
use netrt_core::tls::{ChainValidationResult, ClientCertificateMode, SocketSslErrorSeverity};

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
}

/// `Windows.Foundation.AsyncStatus`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netrt_async_status {
    /// The operation is running.
    Started = 0,
    /// The operation completed; its results are available.
    Completed = 1,
    /// The operation was cancelled (error code `0x800704C7`).
    Canceled = 2,
    /// The operation failed; see its error code and detail.
    Error = 3,
}

/// `Windows.Networking.Sockets.SocketErrorStatus` (see `netrt_socket_error_get_status`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netrt_socket_error_status {
    /// The status is not known (the HRESULT is not one of the mapped errors).
    Unknown = 0,
    /// The operation was aborted.
    OperationAborted = 1,
    /// An HTTP server (e.g. a proxy answering CONNECT) sent an invalid response.
    HttpInvalidServerResponse = 2,
    /// The connection attempt timed out.
    ConnectionTimedOut = 3,
    /// The address family is not supported.
    AddressFamilyNotSupported = 4,
    /// The socket type is not supported.
    SocketTypeNotSupported = 5,
    /// The host was not found.
    HostNotFound = 6,
    /// The name exists but has no data record of the requested type.
    NoDataRecordOfRequestedType = 7,
    /// A non-authoritative (temporary) host-not-found; retrying may help.
    NonAuthoritativeHostNotFound = 8,
    /// The class type (service) was not found.
    ClassTypeNotFound = 9,
    /// The address is already in use.
    AddressAlreadyInUse = 10,
    /// The requested address cannot be assigned.
    CannotAssignRequestedAddress = 11,
    /// The connection was refused.
    ConnectionRefused = 12,
    /// The network is unreachable.
    NetworkIsUnreachable = 13,
    /// The host is unreachable.
    UnreachableHost = 14,
    /// The network is down.
    NetworkIsDown = 15,
    /// The network dropped the connection on reset.
    NetworkDroppedConnectionOnReset = 16,
    /// Software in the host aborted the connection.
    SoftwareCausedConnectionAbort = 17,
    /// The peer reset the connection.
    ConnectionResetByPeer = 18,
    /// The host is down.
    HostIsDown = 19,
    /// No addresses were found (the WinRT doc text is ERROR_NO_DATA's "pipe is being closed").
    NoAddressesFound = 20,
    /// Too many open files or sockets.
    TooManyOpenFiles = 21,
    /// A datagram was larger than the buffer or a network limit.
    MessageTooLong = 22,
    /// A certificate is outside its validity period, or the chain's periods do not nest.
    CertificateExpired = 23,
    /// The chain ends in an untrusted root, or no chain to a trusted root could be built.
    CertificateUntrustedRoot = 24,
    /// The certificate's name does not match the host, or the name is invalid.
    CertificateCommonNameIsIncorrect = 25,
    /// The certificate is not valid for the requested usage.
    CertificateWrongUsage = 26,
    /// The certificate was revoked, or explicitly distrusted.
    CertificateRevoked = 27,
    /// Revocation could not be checked.
    CertificateNoRevocationCheck = 28,
    /// The revocation server was offline.
    CertificateRevocationServerOffline = 29,
    /// The certificate is structurally invalid (role, constraints, signature, policy, ...).
    CertificateIsInvalid = 30,
}

impl From<SocketErrorStatus> for netrt_socket_error_status {
    fn from(s: SocketErrorStatus) -> Self {
        match s as i32 {
            0 => Self::Unknown,
            1 => Self::OperationAborted,
            2 => Self::HttpInvalidServerResponse,
            3 => Self::ConnectionTimedOut,
            4 => Self::AddressFamilyNotSupported,
            5 => Self::SocketTypeNotSupported,
            6 => Self::HostNotFound,
            7 => Self::NoDataRecordOfRequestedType,
            8 => Self::NonAuthoritativeHostNotFound,
            9 => Self::ClassTypeNotFound,
            10 => Self::AddressAlreadyInUse,
            11 => Self::CannotAssignRequestedAddress,
            12 => Self::ConnectionRefused,
            13 => Self::NetworkIsUnreachable,
            14 => Self::UnreachableHost,
            15 => Self::NetworkIsDown,
            16 => Self::NetworkDroppedConnectionOnReset,
            17 => Self::SoftwareCausedConnectionAbort,
            18 => Self::ConnectionResetByPeer,
            19 => Self::HostIsDown,
            20 => Self::NoAddressesFound,
            21 => Self::TooManyOpenFiles,
            22 => Self::MessageTooLong,
            23 => Self::CertificateExpired,
            24 => Self::CertificateUntrustedRoot,
            25 => Self::CertificateCommonNameIsIncorrect,
            26 => Self::CertificateWrongUsage,
            27 => Self::CertificateRevoked,
            28 => Self::CertificateNoRevocationCheck,
            29 => Self::CertificateRevocationServerOffline,
            30 => Self::CertificateIsInvalid,
            _ => Self::Unknown,
        }
    }
}

/// `Windows.Web.WebErrorStatus` (see `netrt_web_error_get_status`); members 300-505 carry the
/// HTTP status code as their value.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netrt_web_error_status {
    /// The status is not known.
    Unknown = 0,
    /// The certificate's common name does not match the host.
    CertificateCommonNameIsIncorrect = 1,
    /// The certificate has expired.
    CertificateExpired = 2,
    /// The certificate contains errors.
    CertificateContainsErrors = 3,
    /// The certificate has been revoked.
    CertificateRevoked = 4,
    /// The certificate is invalid.
    CertificateIsInvalid = 5,
    /// The server is not responding.
    ServerUnreachable = 6,
    /// The connection timed out.
    Timeout = 7,
    /// The server returned an invalid or unrecognized response.
    ErrorHttpInvalidServerResponse = 8,
    /// The connection was aborted.
    ConnectionAborted = 9,
    /// The connection was reset.
    ConnectionReset = 10,
    /// The connection was ended (or the machine is offline).
    Disconnected = 11,
    /// A redirect went from a non-secure to a secure location.
    HttpToHttpsOnRedirection = 12,
    /// A redirect went from a secure to a non-secure location.
    HttpsToHttpOnRedirection = 13,
    /// Cannot connect to the destination.
    CannotConnect = 14,
    /// The host name could not be resolved.
    HostNameNotResolved = 15,
    /// The operation was cancelled.
    OperationCanceled = 16,
    /// The redirect failed.
    RedirectFailed = 17,
    /// An unexpected failure status code was received.
    UnexpectedStatusCode = 18,
    /// An unexpected redirect was received.
    UnexpectedRedirection = 19,
    /// An unexpected client error (4xx) was received.
    UnexpectedClientError = 20,
    /// An unexpected server error (5xx) was received.
    UnexpectedServerError = 21,
    /// The server does not support range requests.
    InsufficientRangeSupport = 22,
    /// The server does not report the content length.
    MissingContentLengthSupport = 23,
    /// HTTP 300 Multiple Choices.
    MultipleChoices = 300,
    /// HTTP 301 Moved Permanently.
    MovedPermanently = 301,
    /// HTTP 302 Found.
    Found = 302,
    /// HTTP 303 See Other.
    SeeOther = 303,
    /// HTTP 304 Not Modified.
    NotModified = 304,
    /// HTTP 305 Use Proxy.
    UseProxy = 305,
    /// HTTP 307 Temporary Redirect.
    TemporaryRedirect = 307,
    /// HTTP 400 Bad Request.
    BadRequest = 400,
    /// HTTP 401 Unauthorized.
    Unauthorized = 401,
    /// HTTP 402 Payment Required.
    PaymentRequired = 402,
    /// HTTP 403 Forbidden.
    Forbidden = 403,
    /// HTTP 404 Not Found.
    NotFound = 404,
    /// HTTP 405 Method Not Allowed.
    MethodNotAllowed = 405,
    /// HTTP 406 Not Acceptable.
    NotAcceptable = 406,
    /// HTTP 407 Proxy Authentication Required.
    ProxyAuthenticationRequired = 407,
    /// HTTP 408 Request Timeout.
    RequestTimeout = 408,
    /// HTTP 409 Conflict.
    Conflict = 409,
    /// HTTP 410 Gone.
    Gone = 410,
    /// HTTP 411 Length Required.
    LengthRequired = 411,
    /// HTTP 412 Precondition Failed.
    PreconditionFailed = 412,
    /// HTTP 413 Request Entity Too Large.
    RequestEntityTooLarge = 413,
    /// HTTP 414 Request-URI Too Long.
    RequestUriTooLong = 414,
    /// HTTP 415 Unsupported Media Type.
    UnsupportedMediaType = 415,
    /// HTTP 416 Requested Range Not Satisfiable.
    RequestedRangeNotSatisfiable = 416,
    /// HTTP 417 Expectation Failed.
    ExpectationFailed = 417,
    /// HTTP 500 Internal Server Error.
    InternalServerError = 500,
    /// HTTP 501 Not Implemented.
    NotImplemented = 501,
    /// HTTP 502 Bad Gateway.
    BadGateway = 502,
    /// HTTP 503 Service Unavailable.
    ServiceUnavailable = 503,
    /// HTTP 504 Gateway Timeout.
    GatewayTimeout = 504,
    /// HTTP 505 HTTP Version Not Supported.
    HttpVersionNotSupported = 505,
}

impl From<WebErrorStatus> for netrt_web_error_status {
    fn from(s: WebErrorStatus) -> Self {
        match s as i32 {
            0 => Self::Unknown,
            1 => Self::CertificateCommonNameIsIncorrect,
            2 => Self::CertificateExpired,
            3 => Self::CertificateContainsErrors,
            4 => Self::CertificateRevoked,
            5 => Self::CertificateIsInvalid,
            6 => Self::ServerUnreachable,
            7 => Self::Timeout,
            8 => Self::ErrorHttpInvalidServerResponse,
            9 => Self::ConnectionAborted,
            10 => Self::ConnectionReset,
            11 => Self::Disconnected,
            12 => Self::HttpToHttpsOnRedirection,
            13 => Self::HttpsToHttpOnRedirection,
            14 => Self::CannotConnect,
            15 => Self::HostNameNotResolved,
            16 => Self::OperationCanceled,
            17 => Self::RedirectFailed,
            18 => Self::UnexpectedStatusCode,
            19 => Self::UnexpectedRedirection,
            20 => Self::UnexpectedClientError,
            21 => Self::UnexpectedServerError,
            22 => Self::InsufficientRangeSupport,
            23 => Self::MissingContentLengthSupport,
            300 => Self::MultipleChoices,
            301 => Self::MovedPermanently,
            302 => Self::Found,
            303 => Self::SeeOther,
            304 => Self::NotModified,
            305 => Self::UseProxy,
            307 => Self::TemporaryRedirect,
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            402 => Self::PaymentRequired,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            406 => Self::NotAcceptable,
            407 => Self::ProxyAuthenticationRequired,
            408 => Self::RequestTimeout,
            409 => Self::Conflict,
            410 => Self::Gone,
            411 => Self::LengthRequired,
            412 => Self::PreconditionFailed,
            413 => Self::RequestEntityTooLarge,
            414 => Self::RequestUriTooLong,
            415 => Self::UnsupportedMediaType,
            416 => Self::RequestedRangeNotSatisfiable,
            417 => Self::ExpectationFailed,
            500 => Self::InternalServerError,
            501 => Self::NotImplemented,
            502 => Self::BadGateway,
            503 => Self::ServiceUnavailable,
            504 => Self::GatewayTimeout,
            505 => Self::HttpVersionNotSupported,

            _ => Self::Unknown,
        }
    }
}

/// `Windows.Networking.Sockets.SocketProtectionLevel` (docs/tls.md: rustls implements no TLS
/// below 1.2, so the Ssl/Tls10/Tls11/Tls12 levels negotiate TLS 1.2 or 1.3).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netrt_socket_protection_level {
    /// No encryption.
    PlainSocket = 0,
    /// TLS (netrt: TLS 1.2 or 1.3).
    Ssl = 1,
    /// As `Ssl` (no NULL cipher exists in netrt's TLS stack).
    SslAllowNullEncryption = 2,
    /// Bluetooth only: `E_INVALIDARG` on TCP.
    BluetoothEncryptionAllowNullAuthentication = 3,
    /// Bluetooth only: `E_INVALIDARG` on TCP.
    BluetoothEncryptionWithAuthentication = 4,
    /// Never supported: `E_INVALIDARG`.
    Ssl3AllowWeakEncryption = 5,
    /// netrt: TLS 1.2 or 1.3.
    Tls10 = 6,
    /// netrt: TLS 1.2 or 1.3.
    Tls11 = 7,
    /// TLS 1.2 or 1.3 (a documented deviation from Windows).
    Tls12 = 8,
    /// TLS 1.2 or 1.3.
    Unspecified = 9,
    /// TLS 1.3 only.
    Tls13 = 10,
}

impl From<SocketProtectionLevel> for netrt_socket_protection_level {
    fn from(l: SocketProtectionLevel) -> Self {
        use SocketProtectionLevel as L;
        match l {
            L::PlainSocket => Self::PlainSocket,
            L::Ssl => Self::Ssl,
            L::SslAllowNullEncryption => Self::SslAllowNullEncryption,
            L::BluetoothEncryptionAllowNullAuthentication => Self::BluetoothEncryptionAllowNullAuthentication,
            L::BluetoothEncryptionWithAuthentication => Self::BluetoothEncryptionWithAuthentication,
            L::Ssl3AllowWeakEncryption => Self::Ssl3AllowWeakEncryption,
            L::Tls10 => Self::Tls10,
            L::Tls11 => Self::Tls11,
            L::Tls12 => Self::Tls12,
            L::Unspecified => Self::Unspecified,
            L::Tls13 => Self::Tls13,
        }
    }
}

/// `Windows.Networking.HostNameType`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netrt_host_name_type {
    /// A DNS name.
    DomainName = 0,
    /// An IPv4 address.
    Ipv4 = 1,
    /// An IPv6 address.
    Ipv6 = 2,
    /// A Bluetooth address (Windows only; netrt never produces it).
    Bluetooth = 3,
}

impl From<HostNameType> for netrt_host_name_type {
    fn from(t: HostNameType) -> Self {
        match t {
            HostNameType::DomainName => Self::DomainName,
            HostNameType::Ipv4 => Self::Ipv4,
            HostNameType::Ipv6 => Self::Ipv6,
            HostNameType::Bluetooth => Self::Bluetooth,
        }
    }
}

/// `Windows.Storage.Streams.InputStreamOptions` (flags, `uint32_t`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netrt_input_stream_options {
    /// Complete when all requested bytes arrived or the stream ended.
    None = 0,
    /// Complete as soon as at least one byte is available.
    Partial = 1,
    /// May read ahead (netrt: as `Partial`).
    ReadAhead = 2,
}

impl From<InputStreamOptions> for netrt_input_stream_options {
    fn from(o: InputStreamOptions) -> Self {
        match o {
            InputStreamOptions::None => Self::None,
            InputStreamOptions::Partial => Self::Partial,
            InputStreamOptions::ReadAhead => Self::ReadAhead,
        }
    }
}

/// `Windows.Storage.Streams.ByteOrder`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netrt_byte_order {
    /// Least significant byte first.
    LittleEndian = 0,
    /// Most significant byte first (network order; netrt's default).
    BigEndian = 1,
}

impl From<ByteOrder> for netrt_byte_order {
    fn from(o: ByteOrder) -> Self {
        match o {
            ByteOrder::LittleEndian => Self::LittleEndian,
            ByteOrder::BigEndian => Self::BigEndian,
        }
    }
}

/// `Windows.Storage.Streams.UnicodeEncoding`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netrt_unicode_encoding {
    /// UTF-8 (the default).
    Utf8 = 0,
    /// UTF-16, little-endian code units.
    Utf16LE = 1,
    /// UTF-16, big-endian code units.
    Utf16BE = 2,
}

impl From<UnicodeEncoding> for netrt_unicode_encoding {
    fn from(e: UnicodeEncoding) -> Self {
        match e {
            UnicodeEncoding::Utf8 => Self::Utf8,
            UnicodeEncoding::Utf16LE => Self::Utf16LE,
            UnicodeEncoding::Utf16BE => Self::Utf16BE,
        }
    }
}

/// `Windows.Networking.Sockets.SocketQualityOfService`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netrt_socket_quality_of_service {
    /// Normal priority.
    Normal = 0,
    /// Low latency (netrt: IPTOS_LOWDELAY / traffic class 0x10).
    LowLatency = 1,
}

impl From<SocketQualityOfService> for netrt_socket_quality_of_service {
    fn from(q: SocketQualityOfService) -> Self {
        match q {
            SocketQualityOfService::Normal => Self::Normal,
            SocketQualityOfService::LowLatency => Self::LowLatency,
        }
    }
}

/// `Windows.Security.Cryptography.Certificates.ChainValidationResult`: one problem found while
/// validating a certificate chain. Elements of the `ServerCertificateErrors` and
/// `IgnorableServerCertificateErrors` vectors (read with `netrt_vector_get_at_int32`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netrt_chain_validation_result {
    /// The chain verified.
    Success = 0,
    /// No path to a trusted root (also a self-signed certificate not in the trust store).
    Untrusted = 1,
    /// A certificate in the chain is revoked (checked only against supplied CRLs).
    Revoked = 2,
    /// A certificate is expired or not yet valid.
    Expired = 3,
    /// Certificates are missing from the chain.
    IncompleteChain = 4,
    /// A signature does not verify (never ignorable).
    InvalidSignature = 5,
    /// Not valid for the requested usage (EKU).
    WrongUsage = 6,
    /// The name does not match.
    InvalidName = 7,
    /// An invalid certificate-authority policy.
    InvalidCertificateAuthorityPolicy = 8,
    /// Basic constraints were violated.
    BasicConstraintsError = 9,
    /// An unknown critical extension.
    UnknownCriticalExtension = 10,
    /// Revocation could not be checked: no information.
    RevocationInformationMissing = 11,
    /// Revocation could not be checked: the source failed.
    RevocationFailure = 12,
    /// Any other error (malformed data, ...).
    OtherErrors = 13,
}

impl From<ChainValidationResult> for netrt_chain_validation_result {
    fn from(r: ChainValidationResult) -> Self {
        use ChainValidationResult as R;
        match r {
            R::Success => Self::Success,
            R::Untrusted => Self::Untrusted,
            R::Revoked => Self::Revoked,
            R::Expired => Self::Expired,
            R::IncompleteChain => Self::IncompleteChain,
            R::InvalidSignature => Self::InvalidSignature,
            R::WrongUsage => Self::WrongUsage,
            R::InvalidName => Self::InvalidName,
            R::InvalidCertificateAuthorityPolicy => Self::InvalidCertificateAuthorityPolicy,
            R::BasicConstraintsError => Self::BasicConstraintsError,
            R::UnknownCriticalExtension => Self::UnknownCriticalExtension,
            R::RevocationInformationMissing => Self::RevocationInformationMissing,
            R::RevocationFailure => Self::RevocationFailure,
            R::OtherErrors => Self::OtherErrors,
        }
    }
}

/// `Windows.Networking.Sockets.SocketSslErrorSeverity`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netrt_socket_ssl_error_severity {
    /// No certificate error.
    None = 0,
    /// Only errors an app may ignore (IgnorableServerCertificateErrors).
    Ignorable = 1,
    /// At least one error that can never be ignored.
    Fatal = 2,
}

impl From<SocketSslErrorSeverity> for netrt_socket_ssl_error_severity {
    fn from(s: SocketSslErrorSeverity) -> Self {
        match s {
            SocketSslErrorSeverity::None => Self::None,
            SocketSslErrorSeverity::Ignorable => Self::Ignorable,
            SocketSslErrorSeverity::Fatal => Self::Fatal,
        }
    }
}

/// netrt extension `ClientCertificateMode` of a TLS listener (docs/tls.md).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netrt_client_certificate_mode {
    /// Never ask the client for a certificate.
    None = 0,
    /// Ask; a client without one may still connect.
    Optional = 1,
    /// Ask; a client without one fails the handshake.
    Required = 2,
}

impl From<ClientCertificateMode> for netrt_client_certificate_mode {
    fn from(m: ClientCertificateMode) -> Self {
        match m {
            ClientCertificateMode::None => Self::None,
            ClientCertificateMode::Optional => Self::Optional,
            ClientCertificateMode::Required => Self::Required,
        }
    }
}

/// `Windows.Security.Cryptography.Certificates.CertificateChainPolicy`: the rules of
/// `netrt_certificate_chain_validate_with_parameters`. netrt implements `BASE` and `SSL`; the
/// Windows-only policies give `E_NOTIMPL` (0x80004001).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netrt_certificate_chain_policy {
    /// A trusted path, signatures, dates and constraints; no usage or name check.
    Base = 0,
    /// TLS server authentication: `BASE` plus the serverAuth usage and the server name.
    Ssl = 1,
    /// Windows' NT-authentication policy: `E_NOTIMPL`.
    NtAuthentication = 2,
    /// Windows' Microsoft-root policy: `E_NOTIMPL`.
    MicrosoftRoot = 3,
}

/// netrt extension: the values of `NegotiatedTlsVersion`
/// (`netrt_stream_socket_information_get_negotiated_tls_version` writes a `uint16_t` wire
/// version; compare it with these).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netrt_tls_version {
    /// No TLS on the connection.
    None = 0,
    /// TLS 1.2 (wire version 0x0303).
    Tls12 = 0x0303,
    /// TLS 1.3 (wire version 0x0304).
    Tls13 = 0x0304,
}
