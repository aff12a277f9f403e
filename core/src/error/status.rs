//! `SocketError.GetStatus` and `WebError.GetStatus`: HRESULT → status enum.
//!
//! Microsoft publishes no HRESULT → status table; netrt infers one from the members'
//! documentation, and this file is the one place netrt applies it (docs/errors.md shows it).
//! `WebSocketError.GetStatus` is [`web_error_get_status`] too. Mappings that go beyond that
//! documentation are marked `netrt:`.

use super::hresult::wsa::*;
use super::hresult::*;

winrt_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    /// `Windows.Networking.Sockets.SocketErrorStatus`: what a failed socket operation means.
    ///
    /// Microsoft's guidance: treat `Unknown` as fatal and do not retry.
    pub enum SocketErrorStatus {
        /// The status is not known (the HRESULT is not one of the mapped errors).
        #[default]
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
}

winrt_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    /// `Windows.Web.WebErrorStatus`: what a failed WebSocket or web operation means.
    ///
    /// Members 300–505 carry the HTTP status code as their value.
    pub enum WebErrorStatus {
        /// The status is not known.
        #[default]
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
}

/// The Win32 code inside a `HRESULT_FROM_WIN32` value (facility 7, failure bit set).
pub(crate) fn win32_code(hr: HResult) -> Option<u32> {
    let bits = hr as u32;
    (bits & 0xFFFF_0000 == 0x8007_0000).then_some(bits & 0xFFFF)
}

/// The status code inside an `HTTP_E_STATUS_*` value (`0x80190000 | code`).
pub(crate) fn http_status_code(hr: HResult) -> Option<u16> {
    let bits = hr as u32;
    (bits & 0xFFFF_0000 == 0x8019_0000).then_some((bits & 0xFFFF) as u16)
}

/// What a certificate HRESULT says is wrong; both GetStatus tables start from this so they
/// classify the CERT_E_/CRYPT_E_/TRUST_E_ codes the same way (the `Certificate*` members of
/// SocketErrorStatus).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CertProblem {
    Expired,
    UntrustedRoot,
    NameMismatch,
    WrongUsage,
    Revoked,
    NoRevocationCheck,
    RevocationOffline,
    Invalid,
    /// A certificate failure the SocketErrorStatus table has no row for.
    Other,
}

fn cert_problem(hr: HResult) -> Option<CertProblem> {
    use CertProblem::*;
    Some(match hr {
        CERT_E_EXPIRED | CERT_E_VALIDITYPERIODNESTING => Expired,
        CERT_E_UNTRUSTEDROOT | CERT_E_CHAINING => UntrustedRoot,
        CERT_E_CN_NO_MATCH | CERT_E_INVALID_NAME => NameMismatch,
        CERT_E_WRONG_USAGE => WrongUsage,
        CERT_E_REVOKED | TRUST_E_EXPLICIT_DISTRUST | CRYPT_E_REVOKED => Revoked,
        CRYPT_E_NO_REVOCATION_CHECK => NoRevocationCheck,
        CRYPT_E_REVOCATION_OFFLINE => RevocationOffline,
        CERT_E_ROLE
        | CERT_E_PATHLENCONST
        | CERT_E_CRITICAL
        | CERT_E_PURPOSE
        | CERT_E_ISSUERCHAINING
        | CERT_E_MALFORMED
        | TRUST_E_CERT_SIGNATURE
        | CERT_E_INVALID_POLICY
        | TRUST_E_BASIC_CONSTRAINTS => Invalid,
        TRUST_E_FAIL
        | TRUST_E_NOSIGNATURE
        | CERT_E_UNTRUSTEDTESTROOT
        | CERT_E_REVOCATION_FAILURE
        | CERT_E_UNTRUSTEDCA => Other,
        _ => return None,
    })
}

/// `SocketError.GetStatus(hr)`: the status for the HRESULT of a failed socket operation.
///
/// Exactly the rows inferred from the members' documentation; anything else, including the capability denials
/// (WSAEACCES `0x8007271D`, `E_ACCESSDENIED`), is `Unknown`.
pub fn socket_error_get_status(hr: HResult) -> SocketErrorStatus {
    use SocketErrorStatus as S;
    if let Some(problem) = cert_problem(hr) {
        return match problem {
            CertProblem::Expired => S::CertificateExpired,
            CertProblem::UntrustedRoot => S::CertificateUntrustedRoot,
            CertProblem::NameMismatch => S::CertificateCommonNameIsIncorrect,
            CertProblem::WrongUsage => S::CertificateWrongUsage,
            CertProblem::Revoked => S::CertificateRevoked,
            CertProblem::NoRevocationCheck => S::CertificateNoRevocationCheck,
            CertProblem::RevocationOffline => S::CertificateRevocationServerOffline,
            CertProblem::Invalid => S::CertificateIsInvalid,
            CertProblem::Other => S::Unknown,
        };
    }
    match hr {
        E_OPERATION_ABORTED => return S::OperationAborted,
        // ERROR_WINHTTP_INVALID_SERVER_RESPONSE has the same value (12152).
        WININET_E_INVALID_SERVER_RESPONSE => return S::HttpInvalidServerResponse,
        // ERROR_NO_DATA: a weak inference, kept because it is the only candidate.
        E_NO_DATA => return S::NoAddressesFound,
        _ => {}
    }
    match win32_code(hr) {
        Some(WSAETIMEDOUT) => S::ConnectionTimedOut,
        Some(WSAEAFNOSUPPORT) => S::AddressFamilyNotSupported,
        Some(WSAESOCKTNOSUPPORT) => S::SocketTypeNotSupported,
        Some(WSAHOST_NOT_FOUND) => S::HostNotFound,
        Some(WSANO_DATA) => S::NoDataRecordOfRequestedType,
        Some(WSATRY_AGAIN) => S::NonAuthoritativeHostNotFound,
        Some(WSATYPE_NOT_FOUND) => S::ClassTypeNotFound,
        Some(WSAEADDRINUSE) => S::AddressAlreadyInUse,
        Some(WSAEADDRNOTAVAIL) => S::CannotAssignRequestedAddress,
        Some(WSAECONNREFUSED) => S::ConnectionRefused,
        Some(WSAENETUNREACH) => S::NetworkIsUnreachable,
        Some(WSAEHOSTUNREACH) => S::UnreachableHost,
        Some(WSAENETDOWN) => S::NetworkIsDown,
        Some(WSAENETRESET) => S::NetworkDroppedConnectionOnReset,
        Some(WSAECONNABORTED) => S::SoftwareCausedConnectionAbort,
        Some(WSAECONNRESET) => S::ConnectionResetByPeer,
        Some(WSAEHOSTDOWN) => S::HostIsDown,
        Some(WSAEMFILE) => S::TooManyOpenFiles,
        Some(WSAEMSGSIZE) => S::MessageTooLong,
        _ => S::Unknown,
    }
}

/// `WebError.GetStatus(hr)` / `WebSocketError.GetStatus(hr)`: the status for the HRESULT of a
/// failed WebSocket or web operation.
///
/// The WININET_E_* and HTTP_E_STATUS_* rows are inferred from the members' documentation.
/// netrt's WebSockets run over its own TCP/TLS stack rather than WinINet, so they can also
/// fail with socket-level and certificate HRESULTs; those map to the member whose WinINet
/// error Windows would have reported for the same failure (marked `netrt:`).
pub fn web_error_get_status(hr: HResult) -> WebErrorStatus {
    use WebErrorStatus as W;
    if let Some(code) = http_status_code(hr) {
        return web_status_for_http(code);
    }
    if let Some(problem) = cert_problem(hr) {
        // netrt: WinINet folds every chain problem without a member of its own (untrusted root,
        // wrong usage, revocation not checkable) into ERROR_INTERNET_SEC_CERT_ERRORS.
        return match problem {
            CertProblem::Expired => W::CertificateExpired,
            CertProblem::NameMismatch => W::CertificateCommonNameIsIncorrect,
            CertProblem::Revoked => W::CertificateRevoked,
            CertProblem::Invalid => W::CertificateIsInvalid,
            CertProblem::UntrustedRoot
            | CertProblem::WrongUsage
            | CertProblem::NoRevocationCheck
            | CertProblem::RevocationOffline
            | CertProblem::Other => W::CertificateContainsErrors,
        };
    }
    match hr {
        WININET_E_SEC_CERT_CN_INVALID => return W::CertificateCommonNameIsIncorrect,
        WININET_E_SEC_CERT_DATE_INVALID => return W::CertificateExpired,
        WININET_E_SEC_CERT_ERRORS => return W::CertificateContainsErrors,
        WININET_E_SEC_CERT_REVOKED => return W::CertificateRevoked,
        WININET_E_SEC_INVALID_CERT => return W::CertificateIsInvalid,
        WININET_E_SERVER_UNREACHABLE => return W::ServerUnreachable,
        WININET_E_TIMEOUT => return W::Timeout,
        WININET_E_INVALID_SERVER_RESPONSE => return W::ErrorHttpInvalidServerResponse,
        WININET_E_CONNECTION_ABORTED => return W::ConnectionAborted,
        WININET_E_CONNECTION_RESET => return W::ConnectionReset,
        WININET_E_DISCONNECTED => return W::Disconnected,
        WININET_E_HTTP_TO_HTTPS_ON_REDIR => return W::HttpToHttpsOnRedirection,
        WININET_E_HTTPS_TO_HTTP_ON_REDIR => return W::HttpsToHttpOnRedirection,
        WININET_E_CANNOT_CONNECT => return W::CannotConnect,
        WININET_E_NAME_NOT_RESOLVED => return W::HostNameNotResolved,
        WININET_E_OPERATION_CANCELLED => return W::OperationCanceled,
        WININET_E_REDIRECT_FAILED => return W::RedirectFailed,
        // netrt: ERROR_CANCELLED (async Cancel) and ERROR_OPERATION_ABORTED (Close) both end
        // the operation at the app's request, which is what OperationCanceled reports.
        E_CANCELLED | E_OPERATION_ABORTED => return W::OperationCanceled,
        _ => {}
    }
    // netrt: socket-level causes, each to the WinINet error that names the same failure.
    match win32_code(hr) {
        Some(WSAECONNREFUSED) => W::CannotConnect,
        Some(WSAHOST_NOT_FOUND | WSATRY_AGAIN | WSANO_DATA) => W::HostNameNotResolved,
        Some(WSAETIMEDOUT) => W::Timeout,
        Some(WSAECONNRESET | WSAENETRESET) => W::ConnectionReset,
        Some(WSAECONNABORTED) => W::ConnectionAborted,
        Some(WSAENETUNREACH | WSAEHOSTUNREACH | WSAEHOSTDOWN) => W::ServerUnreachable,
        Some(WSAENETDOWN) => W::Disconnected,
        _ => W::Unknown,
    }
}

/// The status for the code inside an `HTTP_E_STATUS_*` HRESULT: the member with that value,
/// else the "unexpected" member for its class.
///
/// Codes 1, 3, 4 and 5 are the SDK's generic `HTTP_E_STATUS_UNEXPECTED*` values, not HTTP
/// statuses; they must not be looked up as members (3 would read as CertificateContainsErrors).
fn web_status_for_http(code: u16) -> WebErrorStatus {
    use WebErrorStatus as W;
    let exact = if (300..=599).contains(&code) { W::from_i32(code.into()) } else { None };
    exact.unwrap_or(match code {
        3 | 300..=399 => W::UnexpectedRedirection,
        4 | 400..=499 => W::UnexpectedClientError,
        5 | 500..=599 => W::UnexpectedServerError,
        _ => W::UnexpectedStatusCode,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_error_status_values_match_reference() {
        use SocketErrorStatus as S;
        let rows = [
            (S::Unknown, 0),
            (S::OperationAborted, 1),
            (S::HttpInvalidServerResponse, 2),
            (S::ConnectionTimedOut, 3),
            (S::AddressFamilyNotSupported, 4),
            (S::SocketTypeNotSupported, 5),
            (S::HostNotFound, 6),
            (S::NoDataRecordOfRequestedType, 7),
            (S::NonAuthoritativeHostNotFound, 8),
            (S::ClassTypeNotFound, 9),
            (S::AddressAlreadyInUse, 10),
            (S::CannotAssignRequestedAddress, 11),
            (S::ConnectionRefused, 12),
            (S::NetworkIsUnreachable, 13),
            (S::UnreachableHost, 14),
            (S::NetworkIsDown, 15),
            (S::NetworkDroppedConnectionOnReset, 16),
            (S::SoftwareCausedConnectionAbort, 17),
            (S::ConnectionResetByPeer, 18),
            (S::HostIsDown, 19),
            (S::NoAddressesFound, 20),
            (S::TooManyOpenFiles, 21),
            (S::MessageTooLong, 22),
            (S::CertificateExpired, 23),
            (S::CertificateUntrustedRoot, 24),
            (S::CertificateCommonNameIsIncorrect, 25),
            (S::CertificateWrongUsage, 26),
            (S::CertificateRevoked, 27),
            (S::CertificateNoRevocationCheck, 28),
            (S::CertificateRevocationServerOffline, 29),
            (S::CertificateIsInvalid, 30),
        ];
        assert_eq!(S::ALL.len(), 31);
        assert_eq!(rows.len(), S::ALL.len());
        for (member, value) in rows {
            assert_eq!(member as i32, value, "{member}");
            assert_eq!(i32::from(member), value);
            assert_eq!(S::from_i32(value), Some(member));
        }
    }

    #[test]
    fn web_error_status_values_match_reference() {
        use WebErrorStatus as W;
        let rows = [
            (W::Unknown, 0),
            (W::CertificateCommonNameIsIncorrect, 1),
            (W::CertificateExpired, 2),
            (W::CertificateContainsErrors, 3),
            (W::CertificateRevoked, 4),
            (W::CertificateIsInvalid, 5),
            (W::ServerUnreachable, 6),
            (W::Timeout, 7),
            (W::ErrorHttpInvalidServerResponse, 8),
            (W::ConnectionAborted, 9),
            (W::ConnectionReset, 10),
            (W::Disconnected, 11),
            (W::HttpToHttpsOnRedirection, 12),
            (W::HttpsToHttpOnRedirection, 13),
            (W::CannotConnect, 14),
            (W::HostNameNotResolved, 15),
            (W::OperationCanceled, 16),
            (W::RedirectFailed, 17),
            (W::UnexpectedStatusCode, 18),
            (W::UnexpectedRedirection, 19),
            (W::UnexpectedClientError, 20),
            (W::UnexpectedServerError, 21),
            (W::InsufficientRangeSupport, 22),
            (W::MissingContentLengthSupport, 23),
            (W::MultipleChoices, 300),
            (W::MovedPermanently, 301),
            (W::Found, 302),
            (W::SeeOther, 303),
            (W::NotModified, 304),
            (W::UseProxy, 305),
            (W::TemporaryRedirect, 307),
            (W::BadRequest, 400),
            (W::Unauthorized, 401),
            (W::PaymentRequired, 402),
            (W::Forbidden, 403),
            (W::NotFound, 404),
            (W::MethodNotAllowed, 405),
            (W::NotAcceptable, 406),
            (W::ProxyAuthenticationRequired, 407),
            (W::RequestTimeout, 408),
            (W::Conflict, 409),
            (W::Gone, 410),
            (W::LengthRequired, 411),
            (W::PreconditionFailed, 412),
            (W::RequestEntityTooLarge, 413),
            (W::RequestUriTooLong, 414),
            (W::UnsupportedMediaType, 415),
            (W::RequestedRangeNotSatisfiable, 416),
            (W::ExpectationFailed, 417),
            (W::InternalServerError, 500),
            (W::NotImplemented, 501),
            (W::BadGateway, 502),
            (W::ServiceUnavailable, 503),
            (W::GatewayTimeout, 504),
            (W::HttpVersionNotSupported, 505),
        ];
        assert_eq!(W::ALL.len(), 55);
        assert_eq!(rows.len(), W::ALL.len());
        for (member, value) in rows {
            assert_eq!(member as i32, value, "{member}");
            assert_eq!(W::from_i32(value), Some(member));
        }
    }

    #[test]
    fn all_is_ascending_and_round_trips() {
        assert!(SocketErrorStatus::ALL.windows(2).all(|w| (w[0] as i32) < (w[1] as i32)));
        assert!(WebErrorStatus::ALL.windows(2).all(|w| (w[0] as i32) < (w[1] as i32)));
        for &s in SocketErrorStatus::ALL {
            assert_eq!(SocketErrorStatus::from_i32(s as i32), Some(s));
            assert_eq!(s.name(), format!("{s:?}"));
            assert_eq!(s.to_string(), s.name());
        }
        for &w in WebErrorStatus::ALL {
            assert_eq!(WebErrorStatus::from_i32(w as i32), Some(w));
            assert_eq!(w.name(), format!("{w:?}"));
            assert_eq!(w.to_string(), w.name());
        }
    }

    #[test]
    fn from_i32_rejects_non_members() {
        for v in [-1, 31, 100, i32::MIN, i32::MAX] {
            assert_eq!(SocketErrorStatus::from_i32(v), None, "{v}");
        }
        for v in [-1, 24, 200, 299, 306, 308, 418, 506, i32::MAX] {
            assert_eq!(WebErrorStatus::from_i32(v), None, "{v}");
        }
    }

    #[test]
    fn names_and_defaults() {
        assert_eq!(SocketErrorStatus::ConnectionRefused.name(), "ConnectionRefused");
        assert_eq!(SocketErrorStatus::ConnectionRefused.to_string(), "ConnectionRefused");
        assert_eq!(WebErrorStatus::RequestUriTooLong.to_string(), "RequestUriTooLong");
        assert_eq!(SocketErrorStatus::default(), SocketErrorStatus::Unknown);
        assert_eq!(WebErrorStatus::default(), WebErrorStatus::Unknown);
    }

    /// Reference §1, one row per HRESULT of the inferred column (values as literals).
    #[test]
    fn socket_get_status_reference_rows() {
        use SocketErrorStatus as S;
        let rows: &[(u32, S)] = &[
            (0x8007_03E3, S::OperationAborted),
            (0x8007_2F78, S::HttpInvalidServerResponse),
            (0x8007_274C, S::ConnectionTimedOut),
            (0x8007_273F, S::AddressFamilyNotSupported),
            (0x8007_273C, S::SocketTypeNotSupported),
            (0x8007_2AF9, S::HostNotFound),
            (0x8007_2AFC, S::NoDataRecordOfRequestedType),
            (0x8007_2AFA, S::NonAuthoritativeHostNotFound),
            (0x8007_277D, S::ClassTypeNotFound),
            (0x8007_2740, S::AddressAlreadyInUse),
            (0x8007_2741, S::CannotAssignRequestedAddress),
            (0x8007_274D, S::ConnectionRefused),
            (0x8007_2743, S::NetworkIsUnreachable),
            (0x8007_2751, S::UnreachableHost),
            (0x8007_2742, S::NetworkIsDown),
            (0x8007_2744, S::NetworkDroppedConnectionOnReset),
            (0x8007_2745, S::SoftwareCausedConnectionAbort),
            (0x8007_2746, S::ConnectionResetByPeer),
            (0x8007_2750, S::HostIsDown),
            (0x8007_00E8, S::NoAddressesFound),
            (0x8007_2728, S::TooManyOpenFiles),
            (0x8007_2738, S::MessageTooLong),
            (0x800B_0101, S::CertificateExpired),
            (0x800B_0102, S::CertificateExpired),
            (0x800B_0109, S::CertificateUntrustedRoot),
            (0x800B_010A, S::CertificateUntrustedRoot),
            (0x800B_010F, S::CertificateCommonNameIsIncorrect),
            (0x800B_0114, S::CertificateCommonNameIsIncorrect),
            (0x800B_0110, S::CertificateWrongUsage),
            (0x800B_010C, S::CertificateRevoked),
            (0x800B_0111, S::CertificateRevoked),
            (0x8009_2010, S::CertificateRevoked),
            (0x8009_2012, S::CertificateNoRevocationCheck),
            (0x8009_2013, S::CertificateRevocationServerOffline),
            (0x800B_0103, S::CertificateIsInvalid),
            (0x800B_0104, S::CertificateIsInvalid),
            (0x800B_0105, S::CertificateIsInvalid),
            (0x800B_0106, S::CertificateIsInvalid),
            (0x800B_0107, S::CertificateIsInvalid),
            (0x800B_0108, S::CertificateIsInvalid),
            (0x8009_6004, S::CertificateIsInvalid),
            (0x800B_0113, S::CertificateIsInvalid),
            (0x8009_6019, S::CertificateIsInvalid),
        ];
        for &(value, status) in rows {
            assert_eq!(socket_error_get_status(hr(value)), status, "0x{value:08X}");
        }
        // Every member except Unknown has at least one row.
        for &s in SocketErrorStatus::ALL.iter().skip(1) {
            assert!(rows.iter().any(|&(_, r)| r == s), "{s} has no row");
        }
    }

    #[test]
    fn socket_get_status_named_constants() {
        use SocketErrorStatus as S;
        assert_eq!(socket_error_get_status(WSAETIMEDOUT_HR), S::ConnectionTimedOut);
        assert_eq!(socket_error_get_status(WSAECONNREFUSED_HR), S::ConnectionRefused);
        assert_eq!(socket_error_get_status(WSAHOST_NOT_FOUND_HR), S::HostNotFound);
        assert_eq!(socket_error_get_status(WSATYPE_NOT_FOUND_HR), S::ClassTypeNotFound);
        assert_eq!(socket_error_get_status(WSAEMSGSIZE_HR), S::MessageTooLong);
        assert_eq!(socket_error_get_status(E_OPERATION_ABORTED), S::OperationAborted);
        assert_eq!(socket_error_get_status(E_NO_DATA), S::NoAddressesFound);
    }

    #[test]
    fn socket_get_status_unlisted_is_unknown() {
        let unlisted = [
            WSAEACCES_HR,
            E_ACCESSDENIED,
            E_FAIL,
            E_INVALIDARG,
            E_CANCELLED,
            RO_E_CLOSED,
            S_OK,
            S_FALSE,
            WSAENOTCONN_HR,
            hresult_from_win32(WSAESHUTDOWN),
            hresult_from_win32(WSAEWOULDBLOCK),
            hresult_from_win32(WSANO_RECOVERY),
            CERT_E_UNTRUSTEDCA,
            CERT_E_UNTRUSTEDTESTROOT,
            CERT_E_REVOCATION_FAILURE,
            TRUST_E_FAIL,
            TRUST_E_NOSIGNATURE,
            SEC_E_ILLEGAL_MESSAGE,
            SEC_E_ALGORITHM_MISMATCH,
            NETRT_E_TLS_TRUNCATED,
            WININET_E_TIMEOUT,
            http_e_status(404),
            // A Winsock code in the wrong facility is not a Winsock error.
            hr(0x8004_274D),
            // Nor is the bare Win32 code.
            WSAECONNREFUSED as i32,
        ];
        for h in unlisted {
            assert_eq!(socket_error_get_status(h), SocketErrorStatus::Unknown, "0x{:08X}", h as u32);
        }
    }

    /// Reference §2, one row per WININET_E_* HRESULT (values as literals).
    #[test]
    fn web_get_status_wininet_rows() {
        use WebErrorStatus as W;
        let rows: &[(u32, W)] = &[
            (0x8007_2F06, W::CertificateCommonNameIsIncorrect),
            (0x8007_2F05, W::CertificateExpired),
            (0x8007_2F17, W::CertificateContainsErrors),
            (0x8007_2F8A, W::CertificateRevoked),
            (0x8007_2F89, W::CertificateIsInvalid),
            (0x8007_2F84, W::ServerUnreachable),
            (0x8007_2EE2, W::Timeout),
            (0x8007_2F78, W::ErrorHttpInvalidServerResponse),
            (0x8007_2EFE, W::ConnectionAborted),
            (0x8007_2EFF, W::ConnectionReset),
            (0x8007_2F83, W::Disconnected),
            (0x8007_2F07, W::HttpToHttpsOnRedirection),
            (0x8007_2F08, W::HttpsToHttpOnRedirection),
            (0x8007_2EFD, W::CannotConnect),
            (0x8007_2EE7, W::HostNameNotResolved),
            (0x8007_2EF1, W::OperationCanceled),
            (0x8007_2F7C, W::RedirectFailed),
        ];
        for &(value, status) in rows {
            assert_eq!(web_error_get_status(hr(value)), status, "0x{value:08X}");
        }
    }

    /// Reference §2: every HTTP-valued member decodes from `0x80190000 | code`.
    #[test]
    fn web_get_status_http_rows() {
        assert_eq!(web_error_get_status(hr(0x8019_012C)), WebErrorStatus::MultipleChoices);
        assert_eq!(web_error_get_status(hr(0x8019_0194)), WebErrorStatus::NotFound);
        assert_eq!(web_error_get_status(hr(0x8019_01F6)), WebErrorStatus::BadGateway);
        let mut http_members = 0;
        for &member in WebErrorStatus::ALL.iter().filter(|&&w| w as i32 >= 300) {
            let code = member as i32 as u16;
            assert_eq!(web_error_get_status(http_e_status(code)), member, "HTTP {code}");
            http_members += 1;
        }
        assert_eq!(http_members, 31);
    }

    #[test]
    fn web_get_status_unlisted_http_codes_by_class() {
        use WebErrorStatus as W;
        let rows = [
            (306, W::UnexpectedRedirection),
            (308, W::UnexpectedRedirection),
            (399, W::UnexpectedRedirection),
            (418, W::UnexpectedClientError),
            (429, W::UnexpectedClientError),
            (451, W::UnexpectedClientError),
            (506, W::UnexpectedServerError),
            (511, W::UnexpectedServerError),
            (599, W::UnexpectedServerError),
            (100, W::UnexpectedStatusCode),
            (200, W::UnexpectedStatusCode),
            (204, W::UnexpectedStatusCode),
            (600, W::UnexpectedStatusCode),
            (0, W::UnexpectedStatusCode),
            (0xFFFF, W::UnexpectedStatusCode),
            // Small values are not WebErrorStatus members in disguise.
            (7, W::UnexpectedStatusCode),
            (15, W::UnexpectedStatusCode),
        ];
        for (code, status) in rows {
            assert_eq!(web_error_get_status(http_e_status(code)), status, "HTTP {code}");
        }
    }

    #[test]
    fn web_get_status_generic_http_codes() {
        use WebErrorStatus as W;
        assert_eq!(web_error_get_status(HTTP_E_STATUS_UNEXPECTED), W::UnexpectedStatusCode);
        assert_eq!(web_error_get_status(HTTP_E_STATUS_UNEXPECTED_REDIRECTION), W::UnexpectedRedirection);
        assert_eq!(web_error_get_status(HTTP_E_STATUS_UNEXPECTED_CLIENT_ERROR), W::UnexpectedClientError);
        assert_eq!(web_error_get_status(HTTP_E_STATUS_UNEXPECTED_SERVER_ERROR), W::UnexpectedServerError);
    }

    #[test]
    fn web_get_status_netrt_socket_and_cert_mappings() {
        use WebErrorStatus as W;
        let w = |code| hresult_from_win32(code);
        let rows = [
            (w(WSAECONNREFUSED), W::CannotConnect),
            (w(WSAHOST_NOT_FOUND), W::HostNameNotResolved),
            (w(WSATRY_AGAIN), W::HostNameNotResolved),
            (w(WSANO_DATA), W::HostNameNotResolved),
            (w(WSAETIMEDOUT), W::Timeout),
            (w(WSAECONNRESET), W::ConnectionReset),
            (w(WSAENETRESET), W::ConnectionReset),
            (w(WSAECONNABORTED), W::ConnectionAborted),
            (w(WSAENETUNREACH), W::ServerUnreachable),
            (w(WSAEHOSTUNREACH), W::ServerUnreachable),
            (w(WSAEHOSTDOWN), W::ServerUnreachable),
            (w(WSAENETDOWN), W::Disconnected),
            (E_CANCELLED, W::OperationCanceled),
            (E_OPERATION_ABORTED, W::OperationCanceled),
            (CERT_E_EXPIRED, W::CertificateExpired),
            (CERT_E_VALIDITYPERIODNESTING, W::CertificateExpired),
            (CERT_E_CN_NO_MATCH, W::CertificateCommonNameIsIncorrect),
            (CERT_E_INVALID_NAME, W::CertificateCommonNameIsIncorrect),
            (CERT_E_REVOKED, W::CertificateRevoked),
            (CRYPT_E_REVOKED, W::CertificateRevoked),
            (TRUST_E_EXPLICIT_DISTRUST, W::CertificateRevoked),
            (CERT_E_UNTRUSTEDROOT, W::CertificateContainsErrors),
            (CERT_E_CHAINING, W::CertificateContainsErrors),
            (CERT_E_UNTRUSTEDCA, W::CertificateContainsErrors),
            (CERT_E_UNTRUSTEDTESTROOT, W::CertificateContainsErrors),
            (CERT_E_WRONG_USAGE, W::CertificateContainsErrors),
            (CERT_E_REVOCATION_FAILURE, W::CertificateContainsErrors),
            (CRYPT_E_NO_REVOCATION_CHECK, W::CertificateContainsErrors),
            (CRYPT_E_REVOCATION_OFFLINE, W::CertificateContainsErrors),
            (TRUST_E_FAIL, W::CertificateContainsErrors),
            (TRUST_E_NOSIGNATURE, W::CertificateContainsErrors),
            (CERT_E_ROLE, W::CertificateIsInvalid),
            (CERT_E_PATHLENCONST, W::CertificateIsInvalid),
            (CERT_E_CRITICAL, W::CertificateIsInvalid),
            (CERT_E_PURPOSE, W::CertificateIsInvalid),
            (CERT_E_ISSUERCHAINING, W::CertificateIsInvalid),
            (CERT_E_MALFORMED, W::CertificateIsInvalid),
            (TRUST_E_CERT_SIGNATURE, W::CertificateIsInvalid),
            (CERT_E_INVALID_POLICY, W::CertificateIsInvalid),
            (TRUST_E_BASIC_CONSTRAINTS, W::CertificateIsInvalid),
        ];
        for (h, status) in rows {
            assert_eq!(web_error_get_status(h), status, "0x{:08X}", h as u32);
        }
    }

    #[test]
    fn web_get_status_unlisted_is_unknown() {
        for h in [
            S_OK,
            E_FAIL,
            E_ACCESSDENIED,
            WSAEACCES_HR,
            RO_E_CLOSED,
            E_NO_DATA,
            SEC_E_ILLEGAL_MESSAGE,
            NETRT_E_STARTTLS_PLAINTEXT_PENDING,
            hresult_from_win32(WSAEMSGSIZE),
            hresult_from_win32(WSAESHUTDOWN),
            wininet_e(12157),
        ] {
            assert_eq!(web_error_get_status(h), WebErrorStatus::Unknown, "0x{:08X}", h as u32);
        }
    }

    #[test]
    fn get_status_total_over_a_spread_of_values() {
        let mut v: i32 = 0;
        for _ in 0..20_000 {
            v = v.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let _ = socket_error_get_status(v);
            let _ = web_error_get_status(v);
        }
        for v in [i32::MIN, -1, 0, 1, i32::MAX, hr(0x8019_FFFF), hr(0x8007_FFFF)] {
            let _ = socket_error_get_status(v);
            let _ = web_error_get_status(v);
        }
    }
}
