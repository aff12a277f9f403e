//! HRESULT constants used by netrt, in one place.
//!
//! Values come from the Windows SDK (`winerror.h`, also shipped by mingw-w64); docs/errors.md
//! lists the ones netrt produces.

/// A Windows HRESULT: negative values are failures.
pub type HResult = i32;

/// Reinterprets the documented unsigned spelling of an HRESULT as the signed ABI value.
pub const fn hr(value: u32) -> HResult {
    value as i32
}

/// `HRESULT_FROM_WIN32(code)` = `0x80070000 | code` for 0 < code <= 0xFFFF.
pub const fn hresult_from_win32(code: u32) -> HResult {
    if code == 0 { S_OK } else { hr(0x8007_0000 | (code & 0xFFFF)) }
}

/// Success.
pub const S_OK: HResult = 0;
/// Success, with a "false" meaning (used by some boolean-returning operations).
pub const S_FALSE: HResult = 1;

/// Unspecified failure.
pub const E_FAIL: HResult = hr(0x8000_4005);
/// Operation aborted.
pub const E_ABORT: HResult = hr(0x8000_4004);
/// No such interface (a value is not of the type asked for).
pub const E_NOINTERFACE: HResult = hr(0x8000_4002);
/// Not implemented.
pub const E_NOTIMPL: HResult = hr(0x8000_4001);
/// Catastrophic failure (netrt: a panic caught at the API boundary).
pub const E_UNEXPECTED: HResult = hr(0x8000_FFFF);
/// Out of memory.
pub const E_OUTOFMEMORY: HResult = hr(0x8007_000E);
/// A required pointer argument was null.
pub const E_POINTER: HResult = hr(0x8000_4003);
/// Invalid handle (never issued, or from the future).
pub const E_HANDLE: HResult = hr(0x8007_0006);
/// One or more arguments are invalid.
pub const E_INVALIDARG: HResult = hr(0x8007_0057);
/// Access denied.
pub const E_ACCESSDENIED: HResult = hr(0x8007_0005);
/// The data necessary to complete this operation is not yet available.
pub const E_PENDING: HResult = hr(0x8000_000A);
/// The operation attempted to access data outside the valid range.
pub const E_BOUNDS: HResult = hr(0x8000_000B);
/// A state change was requested that is not allowed.
pub const E_ILLEGAL_STATE_CHANGE: HResult = hr(0x8000_000D);
/// A method was called at an unexpected time.
pub const E_ILLEGAL_METHOD_CALL: HResult = hr(0x8000_000E);
/// The object has been closed.
pub const RO_E_CLOSED: HResult = hr(0x8000_0013);
/// A delegate was assigned when not allowed (a second Completed handler).
pub const E_ILLEGAL_DELEGATE_ASSIGNMENT: HResult = hr(0x8000_0018);
/// `HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER)`: the caller's buffer is too small.
pub const E_INSUFFICIENT_BUFFER: HResult = hresult_from_win32(122);
/// `HRESULT_FROM_WIN32(ERROR_NO_UNICODE_TRANSLATION)`: invalid UTF-8/UTF-16 in the data.
pub const E_NO_UNICODE_TRANSLATION: HResult = hresult_from_win32(1113);
/// `HRESULT_FROM_WIN32(ERROR_NOT_FOUND)`: element not found.
pub const E_NOT_FOUND: HResult = hresult_from_win32(1168);
/// `HRESULT_FROM_WIN32(ERROR_INVALID_OPERATION)`: detach during an in-flight operation.
pub const E_INVALID_OPERATION: HResult = hresult_from_win32(4317);
/// `HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED)`: pending I/O aborted by Close/CancelIOAsync.
pub const E_OPERATION_ABORTED: HResult = hresult_from_win32(995);
/// `HRESULT_FROM_WIN32(ERROR_CANCELLED)`: an async operation was cancelled.
pub const E_CANCELLED: HResult = hresult_from_win32(1223);
/// `HRESULT_FROM_WIN32(WAIT_TIMEOUT)`: a wait timed out (the operation goes on).
pub const E_WAIT_TIMEOUT: HResult = hresult_from_win32(258);
/// `HRESULT_FROM_WIN32(ERROR_NO_DATA)`: the pipe is being closed.
pub const E_NO_DATA: HResult = hresult_from_win32(232);
/// `HRESULT_FROM_WIN32(ERROR_INVALID_PASSWORD)` (86): what Windows' PFX import reports for a
/// wrong password.
pub const E_INVALID_PASSWORD: HResult = hresult_from_win32(86);
/// `HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS)` (183): the socket broker already holds a socket
/// with the id given to TransferOwnership; `CreateFileAsync(FailIfExists)` found the name taken.
pub const E_ALREADY_EXISTS: HResult = hresult_from_win32(183);
/// `HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)` (2): no file or folder at a storage path.
pub const E_FILE_NOT_FOUND: HResult = hresult_from_win32(2);
/// `HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE)` (1062): the socket broker is not running and
/// could not be started.
pub const E_SERVICE_NOT_ACTIVE: HResult = hresult_from_win32(1062);

/// Winsock error codes (`WSAE*`), as plain Win32 codes; wrap with [`hresult_from_win32`].
pub mod wsa {
    /// Interrupted function call.
    pub const WSAEINTR: u32 = 10004;
    /// Permission denied.
    pub const WSAEACCES: u32 = 10013;
    /// Bad address.
    pub const WSAEFAULT: u32 = 10014;
    /// Invalid argument.
    pub const WSAEINVAL: u32 = 10022;
    /// Too many open sockets.
    pub const WSAEMFILE: u32 = 10024;
    /// Resource temporarily unavailable.
    pub const WSAEWOULDBLOCK: u32 = 10035;
    /// Operation now in progress.
    pub const WSAEINPROGRESS: u32 = 10036;
    /// Operation already in progress.
    pub const WSAEALREADY: u32 = 10037;
    /// Socket operation on non-socket.
    pub const WSAENOTSOCK: u32 = 10038;
    /// Destination address required.
    pub const WSAEDESTADDRREQ: u32 = 10039;
    /// Message too long.
    pub const WSAEMSGSIZE: u32 = 10040;
    /// Protocol wrong type for socket.
    pub const WSAEPROTOTYPE: u32 = 10041;
    /// Bad protocol option.
    pub const WSAENOPROTOOPT: u32 = 10042;
    /// Protocol not supported.
    pub const WSAEPROTONOSUPPORT: u32 = 10043;
    /// Socket type not supported.
    pub const WSAESOCKTNOSUPPORT: u32 = 10044;
    /// Operation not supported.
    pub const WSAEOPNOTSUPP: u32 = 10045;
    /// Protocol family not supported.
    pub const WSAEPFNOSUPPORT: u32 = 10046;
    /// Address family not supported by protocol family.
    pub const WSAEAFNOSUPPORT: u32 = 10047;
    /// Address already in use.
    pub const WSAEADDRINUSE: u32 = 10048;
    /// Cannot assign requested address.
    pub const WSAEADDRNOTAVAIL: u32 = 10049;
    /// Network is down.
    pub const WSAENETDOWN: u32 = 10050;
    /// Network is unreachable.
    pub const WSAENETUNREACH: u32 = 10051;
    /// Network dropped connection on reset.
    pub const WSAENETRESET: u32 = 10052;
    /// Software caused connection abort.
    pub const WSAECONNABORTED: u32 = 10053;
    /// Connection reset by peer.
    pub const WSAECONNRESET: u32 = 10054;
    /// No buffer space available.
    pub const WSAENOBUFS: u32 = 10055;
    /// Socket is already connected.
    pub const WSAEISCONN: u32 = 10056;
    /// Socket is not connected.
    pub const WSAENOTCONN: u32 = 10057;
    /// Cannot send after socket shutdown.
    pub const WSAESHUTDOWN: u32 = 10058;
    /// Connection timed out.
    pub const WSAETIMEDOUT: u32 = 10060;
    /// Connection refused.
    pub const WSAECONNREFUSED: u32 = 10061;
    /// Host is down.
    pub const WSAEHOSTDOWN: u32 = 10064;
    /// No route to host.
    pub const WSAEHOSTUNREACH: u32 = 10065;
    /// Call cancelled.
    pub const WSAECANCELLED: u32 = 10103;
    /// Class type not found (unknown service name).
    pub const WSATYPE_NOT_FOUND: u32 = 10109;
    /// Host not found (authoritative).
    pub const WSAHOST_NOT_FOUND: u32 = 11001;
    /// Non-authoritative host not found; try again.
    pub const WSATRY_AGAIN: u32 = 11002;
    /// Non-recoverable name server error.
    pub const WSANO_RECOVERY: u32 = 11003;
    /// Valid name, no data record of the requested type.
    pub const WSANO_DATA: u32 = 11004;
}

/// `HRESULT_FROM_WIN32(WSAETIMEDOUT)`.
pub const WSAETIMEDOUT_HR: HResult = hresult_from_win32(wsa::WSAETIMEDOUT);
/// `HRESULT_FROM_WIN32(WSAECONNREFUSED)`.
pub const WSAECONNREFUSED_HR: HResult = hresult_from_win32(wsa::WSAECONNREFUSED);
/// `HRESULT_FROM_WIN32(WSAEACCES)`: outbound traffic denied by the capability policy.
pub const WSAEACCES_HR: HResult = hresult_from_win32(wsa::WSAEACCES);
/// `HRESULT_FROM_WIN32(WSATYPE_NOT_FOUND)`: unknown service name.
pub const WSATYPE_NOT_FOUND_HR: HResult = hresult_from_win32(wsa::WSATYPE_NOT_FOUND);
/// `HRESULT_FROM_WIN32(WSAHOST_NOT_FOUND)`.
pub const WSAHOST_NOT_FOUND_HR: HResult = hresult_from_win32(wsa::WSAHOST_NOT_FOUND);
/// `HRESULT_FROM_WIN32(WSAEMSGSIZE)`.
pub const WSAEMSGSIZE_HR: HResult = hresult_from_win32(wsa::WSAEMSGSIZE);
/// `HRESULT_FROM_WIN32(WSAENOTCONN)`.
pub const WSAENOTCONN_HR: HResult = hresult_from_win32(wsa::WSAENOTCONN);

// Certificate, trust and revocation failures.
/// Certificate outside its validity period.
pub const CERT_E_EXPIRED: HResult = hr(0x800B_0101);
/// Validity periods of the chain do not nest.
pub const CERT_E_VALIDITYPERIODNESTING: HResult = hr(0x800B_0102);
/// A certificate used in a role it may not have (leaf as CA or the reverse).
pub const CERT_E_ROLE: HResult = hr(0x800B_0103);
/// Path length constraint violated.
pub const CERT_E_PATHLENCONST: HResult = hr(0x800B_0104);
/// Unknown critical extension.
pub const CERT_E_CRITICAL: HResult = hr(0x800B_0105);
/// Used for a purpose its issuer did not allow.
pub const CERT_E_PURPOSE: HResult = hr(0x800B_0106);
/// Parent did not issue the child.
pub const CERT_E_ISSUERCHAINING: HResult = hr(0x800B_0107);
/// Malformed certificate.
pub const CERT_E_MALFORMED: HResult = hr(0x800B_0108);
/// Chain ends in an untrusted root.
pub const CERT_E_UNTRUSTEDROOT: HResult = hr(0x800B_0109);
/// No chain could be built to a trusted root.
pub const CERT_E_CHAINING: HResult = hr(0x800B_010A);
/// Generic trust failure.
pub const TRUST_E_FAIL: HResult = hr(0x800B_010B);
/// Revoked by the issuer.
pub const CERT_E_REVOKED: HResult = hr(0x800B_010C);
/// Untrusted test root.
pub const CERT_E_UNTRUSTEDTESTROOT: HResult = hr(0x800B_010D);
/// Revocation check failed.
pub const CERT_E_REVOCATION_FAILURE: HResult = hr(0x800B_010E);
/// Name does not match.
pub const CERT_E_CN_NO_MATCH: HResult = hr(0x800B_010F);
/// Wrong usage (EKU).
pub const CERT_E_WRONG_USAGE: HResult = hr(0x800B_0110);
/// Explicitly distrusted.
pub const TRUST_E_EXPLICIT_DISTRUST: HResult = hr(0x800B_0111);
/// Untrusted CA.
pub const CERT_E_UNTRUSTEDCA: HResult = hr(0x800B_0112);
/// Invalid policy.
pub const CERT_E_INVALID_POLICY: HResult = hr(0x800B_0113);
/// Invalid name.
pub const CERT_E_INVALID_NAME: HResult = hr(0x800B_0114);
/// No signature.
pub const TRUST_E_NOSIGNATURE: HResult = hr(0x800B_0100);
/// Revoked (CRL).
pub const CRYPT_E_REVOKED: HResult = hr(0x8009_2010);
/// Revocation could not be checked.
pub const CRYPT_E_NO_REVOCATION_CHECK: HResult = hr(0x8009_2012);
/// Revocation server offline.
pub const CRYPT_E_REVOCATION_OFFLINE: HResult = hr(0x8009_2013);
/// Signature does not verify.
pub const TRUST_E_CERT_SIGNATURE: HResult = hr(0x8009_6004);
/// Basic constraints violated.
pub const TRUST_E_BASIC_CONSTRAINTS: HResult = hr(0x8009_6019);
/// `CRYPT_E_ASN1_EOD`: the DER ends before the certificate does.
pub const CRYPT_E_ASN1_EOD: HResult = hr(0x8009_3102);
/// `CRYPT_E_ASN1_CORRUPT`: the DER is corrupt.
pub const CRYPT_E_ASN1_CORRUPT: HResult = hr(0x8009_3103);
/// `CRYPT_E_ASN1_BADTAG`: the data is not a DER certificate at all.
pub const CRYPT_E_ASN1_BADTAG: HResult = hr(0x8009_310B);

// Schannel (TLS protocol) failures.
/// Schannel: the function requested is not supported.
pub const SEC_E_UNSUPPORTED_FUNCTION: HResult = hr(0x8009_0302);
/// Schannel: a malformed or unexpected message was received.
pub const SEC_E_ILLEGAL_MESSAGE: HResult = hr(0x8009_0326);
/// Schannel: no common protocol version or cipher suite.
pub const SEC_E_ALGORITHM_MISMATCH: HResult = hr(0x8009_0331);
/// Schannel: an internal error occurred.
pub const SEC_E_INTERNAL_ERROR: HResult = hr(0x8009_0304);
/// Schannel: the message was altered (bad record MAC / decrypt error).
pub const SEC_E_MESSAGE_ALTERED: HResult = hr(0x8009_030F);
/// Schannel: the certificate was rejected by the peer (bad_certificate alert etc.).
pub const SEC_E_CERT_UNKNOWN: HResult = hr(0x8009_0327);
/// Schannel: no credentials (e.g. the server required a client certificate we do not have).
pub const SEC_E_NO_CREDENTIALS: HResult = hr(0x8009_030E);
/// Schannel: the target principal name is incorrect.
pub const SEC_E_WRONG_PRINCIPAL: HResult = hr(0x8009_0322);

// netrt's own codes (FACILITY_ITF, 0x8004_02xx). Add new ones only here.
/// Unconsumed plaintext was buffered when a STARTTLS upgrade was requested (docs/tls.md).
pub const NETRT_E_STARTTLS_PLAINTEXT_PENDING: HResult = hr(0x8004_0201);
/// The peer closed the TLS connection without close_notify (possible truncation attack).
pub const NETRT_E_TLS_TRUNCATED: HResult = hr(0x8004_0202);

// WinINet / HTTP (WebSockets, WebError).
/// `HTTP_E_STATUS_*` = `0x80190000 | status`.
pub const fn http_e_status(status: u16) -> HResult {
    hr(0x8019_0000 | status as u32)
}
/// WININET_E_* = HRESULT_FROM_WIN32(ERROR_INTERNET_*).
pub const fn wininet_e(code: u32) -> HResult {
    hresult_from_win32(code)
}

// WININET_E_* values used by WebError.GetStatus (names and values from the SDK).
/// `ERROR_INTERNET_TIMEOUT` 12002: the operation timed out.
pub const WININET_E_TIMEOUT: HResult = wininet_e(12002);
/// `ERROR_INTERNET_NAME_NOT_RESOLVED` 12007: the server name could not be resolved.
pub const WININET_E_NAME_NOT_RESOLVED: HResult = wininet_e(12007);
/// `ERROR_INTERNET_OPERATION_CANCELLED` 12017: the operation was cancelled.
pub const WININET_E_OPERATION_CANCELLED: HResult = wininet_e(12017);
/// `ERROR_INTERNET_CANNOT_CONNECT` 12029: no connection to the server could be made.
pub const WININET_E_CANNOT_CONNECT: HResult = wininet_e(12029);
/// `ERROR_INTERNET_CONNECTION_ABORTED` 12030: the connection ended abnormally.
pub const WININET_E_CONNECTION_ABORTED: HResult = wininet_e(12030);
/// `ERROR_INTERNET_CONNECTION_RESET` 12031: the connection was reset.
pub const WININET_E_CONNECTION_RESET: HResult = wininet_e(12031);
/// `ERROR_INTERNET_SEC_CERT_DATE_INVALID` 12037: the certificate has expired or is not yet valid.
pub const WININET_E_SEC_CERT_DATE_INVALID: HResult = wininet_e(12037);
/// `ERROR_INTERNET_SEC_CERT_CN_INVALID` 12038: the certificate's host name does not match.
pub const WININET_E_SEC_CERT_CN_INVALID: HResult = wininet_e(12038);
/// `ERROR_INTERNET_HTTP_TO_HTTPS_ON_REDIR` 12039: a redirect goes from http to https.
pub const WININET_E_HTTP_TO_HTTPS_ON_REDIR: HResult = wininet_e(12039);
/// `ERROR_INTERNET_HTTPS_TO_HTTP_ON_REDIR` 12040: a redirect goes from https to http.
pub const WININET_E_HTTPS_TO_HTTP_ON_REDIR: HResult = wininet_e(12040);
/// `ERROR_INTERNET_SEC_CERT_ERRORS` 12055: the certificate contains errors.
pub const WININET_E_SEC_CERT_ERRORS: HResult = wininet_e(12055);
/// `ERROR_HTTP_INVALID_SERVER_RESPONSE` = `ERROR_WINHTTP_INVALID_SERVER_RESPONSE` 12152:
/// the server (or proxy) sent an invalid or unrecognized response.
pub const WININET_E_INVALID_SERVER_RESPONSE: HResult = wininet_e(12152);
/// `ERROR_HTTP_REDIRECT_FAILED` 12156: the redirect failed.
pub const WININET_E_REDIRECT_FAILED: HResult = wininet_e(12156);
/// `ERROR_INTERNET_DISCONNECTED` 12163: the computer is disconnected from the network.
pub const WININET_E_DISCONNECTED: HResult = wininet_e(12163);
/// `ERROR_INTERNET_SERVER_UNREACHABLE` 12164: the server is unreachable.
pub const WININET_E_SERVER_UNREACHABLE: HResult = wininet_e(12164);
/// `ERROR_INTERNET_SEC_INVALID_CERT` 12169: the certificate is invalid.
pub const WININET_E_SEC_INVALID_CERT: HResult = wininet_e(12169);
/// `ERROR_INTERNET_SEC_CERT_REVOKED` 12170: the certificate has been revoked.
pub const WININET_E_SEC_CERT_REVOKED: HResult = wininet_e(12170);

// The generic HTTP_E_STATUS_* codes (SDK `winerror.h`), used when no status-specific one fits.
/// `HTTP_E_STATUS_UNEXPECTED`: an unexpected HTTP status code.
pub const HTTP_E_STATUS_UNEXPECTED: HResult = hr(0x8019_0001);
/// `HTTP_E_STATUS_UNEXPECTED_REDIRECTION`: an unexpected redirect (3xx).
pub const HTTP_E_STATUS_UNEXPECTED_REDIRECTION: HResult = hr(0x8019_0003);
/// `HTTP_E_STATUS_UNEXPECTED_CLIENT_ERROR`: an unexpected client error (4xx).
pub const HTTP_E_STATUS_UNEXPECTED_CLIENT_ERROR: HResult = hr(0x8019_0004);
/// `HTTP_E_STATUS_UNEXPECTED_SERVER_ERROR`: an unexpected server error (5xx).
pub const HTTP_E_STATUS_UNEXPECTED_SERVER_ERROR: HResult = hr(0x8019_0005);
// Status-specific codes the projections name (the rest are `http_e_status(status)`).
/// `HTTP_E_STATUS_DENIED`: 401 Unauthorized (WebErrorStatus Unauthorized).
pub const HTTP_E_STATUS_DENIED: HResult = http_e_status(401);
/// `HTTP_E_STATUS_PROXY_AUTH_REQ`: 407 Proxy Authentication Required.
pub const HTTP_E_STATUS_PROXY_AUTH_REQ: HResult = http_e_status(407);

// Windows.Web (FACILITY_WEB 0x375, SDK `winerror.h`): syndication and AtomPub documents;
// `SyndicationError.GetStatus` maps them.
/// `WEB_E_UNSUPPORTED_FORMAT`: the document is not a feed (or service document) netrt reads.
pub const WEB_E_UNSUPPORTED_FORMAT: HResult = hr(0x8375_0001);
/// `WEB_E_INVALID_XML`: the document is not well-formed XML (or uses a DTD, an undeclared
/// entity, or nests too deep).
pub const WEB_E_INVALID_XML: HResult = hr(0x8375_0002);
/// `WEB_E_MISSING_REQUIRED_ELEMENT`: an element the format requires is absent.
pub const WEB_E_MISSING_REQUIRED_ELEMENT: HResult = hr(0x8375_0003);
/// `WEB_E_MISSING_REQUIRED_ATTRIBUTE`: an attribute the format requires is absent.
pub const WEB_E_MISSING_REQUIRED_ATTRIBUTE: HResult = hr(0x8375_0004);
/// `WEB_E_UNEXPECTED_CONTENT`: content of the wrong kind where the format expects another.
pub const WEB_E_UNEXPECTED_CONTENT: HResult = hr(0x8375_0005);
/// `WEB_E_RESOURCE_TOO_LARGE`: the response is larger than MaxResponseBufferSize.
pub const WEB_E_RESOURCE_TOO_LARGE: HResult = hr(0x8375_0006);
