//! A human-readable message for any HRESULT (`netrt_hresult_message`, `hresult_error::message`).
//!
//! The texts follow the Windows system messages where those are well known, shortened where
//! Windows is long-winded; netrt's own codes and a few odd Windows texts are reworded so the
//! message says what actually went wrong. Anything unknown still gets a message that shows the
//! value and its facility/code breakdown, so this never fails and never panics.

use super::hresult::wsa::*;
use super::hresult::*;
use super::status::{http_status_code, win32_code};

/// The message for `hr`: a fixed text for every code netrt knows, `HTTP status <n> (<reason>)`
/// for `HTTP_E_STATUS_*`, and otherwise a description of the value's parts.
pub fn hresult_message(hr: HResult) -> String {
    if let Some(text) = known_message(hr) {
        return text.to_owned();
    }
    if let Some(code) = http_status_code(hr) {
        let reason = http_reason(code).unwrap_or_else(|| http_class(code));
        return format!("HTTP status {code} ({reason})");
    }
    generic_message(hr)
}

/// The fixed text for a known HRESULT.
fn known_message(hr: HResult) -> Option<&'static str> {
    let text = match hr {
        S_OK => "The operation completed successfully.",
        S_FALSE => "The operation completed successfully (S_FALSE: the answer is \"no\").",
        E_FAIL => "Unspecified error.",
        E_ABORT => "Operation aborted.",
        E_NOTIMPL => "Not implemented.",
        E_NOINTERFACE => "No such interface supported.",
        E_UNEXPECTED => "Catastrophic failure (an internal error in netrt).",
        E_OUTOFMEMORY => "Not enough memory resources are available to complete this operation.",
        E_POINTER => "A required pointer argument was null.",
        E_HANDLE => "The handle is invalid.",
        E_INVALIDARG => "The parameter is incorrect.",
        E_ACCESSDENIED => "Access is denied.",
        E_PENDING => "The data necessary to complete this operation is not yet available.",
        E_BOUNDS => "The operation attempted to access data outside the valid range.",
        E_ILLEGAL_STATE_CHANGE => "A state change was requested that is not allowed.",
        E_ILLEGAL_METHOD_CALL => "A method was called at an unexpected time.",
        RO_E_CLOSED => "The object has been closed.",
        E_ILLEGAL_DELEGATE_ASSIGNMENT => "A delegate was assigned when not allowed.",
        E_INSUFFICIENT_BUFFER => "The data area passed to a system call is too small.",
        E_NO_UNICODE_TRANSLATION => "No mapping for the Unicode character exists in the target code page.",
        E_NOT_FOUND => "Element not found.",
        // ERROR_INVALID_OPERATION's Windows text ("The operation identifier is not valid") does not
        // describe how netrt uses it (DataReader/DataWriter.DetachStream during an operation).
        E_INVALID_OPERATION => "The operation is not valid while another operation is in progress.",
        E_OPERATION_ABORTED => {
            "The I/O operation has been aborted because of either a thread exit or an application request."
        }
        E_CANCELLED => "The operation was canceled.",
        E_WAIT_TIMEOUT => "The wait operation timed out.",
        E_NO_DATA => "The pipe is being closed.",
        E_ALREADY_EXISTS => "Cannot create a file when that file already exists.",
        E_FILE_NOT_FOUND => "The system cannot find the file specified.",
        E_SERVICE_NOT_ACTIVE => "The service has not been started (the socket broker is not running).",
        E_INVALID_PASSWORD => "The specified network password is not correct.",

        CERT_E_EXPIRED => "A required certificate is not within its validity period.",
        CERT_E_VALIDITYPERIODNESTING => {
            "The validity periods of the certification chain do not nest correctly."
        }
        CERT_E_ROLE => {
            "A certificate that can only be used as an end-entity is being used as a CA or vice versa."
        }
        CERT_E_PATHLENCONST => "A path length constraint in the certification chain has been violated.",
        CERT_E_CRITICAL => "A certificate contains an unknown extension that is marked critical.",
        CERT_E_PURPOSE => {
            "A certificate is being used for a purpose other than the ones specified by its CA."
        }
        CERT_E_ISSUERCHAINING => "A parent of a given certificate did not actually issue that certificate.",
        CERT_E_MALFORMED => "A certificate is missing or has an empty value for an important field.",
        CERT_E_UNTRUSTEDROOT => "The certificate chain terminated in a root certificate that is not trusted.",
        CERT_E_CHAINING => "A certificate chain could not be built to a trusted root authority.",
        TRUST_E_FAIL => "Generic trust failure.",
        CERT_E_REVOKED => "A certificate was explicitly revoked by its issuer.",
        CERT_E_UNTRUSTEDTESTROOT => "The certification path terminates with a test root that is not trusted.",
        CERT_E_REVOCATION_FAILURE => {
            "The revocation process could not continue; the certificates could not be checked."
        }
        CERT_E_CN_NO_MATCH => "The certificate's name does not match the host name.",
        CERT_E_WRONG_USAGE => "The certificate is not valid for the requested usage.",
        TRUST_E_EXPLICIT_DISTRUST => "The certificate was explicitly marked as untrusted.",
        CERT_E_UNTRUSTEDCA => "One of the CA certificates in the chain is not trusted.",
        CERT_E_INVALID_POLICY => "The certificate has an invalid policy.",
        CERT_E_INVALID_NAME => "The certificate has a name that is not permitted or is explicitly excluded.",
        TRUST_E_NOSIGNATURE => "No signature was present in the subject.",
        CRYPT_E_REVOKED => "The certificate is revoked.",
        CRYPT_E_NO_REVOCATION_CHECK => "The revocation status of the certificate could not be checked.",
        CRYPT_E_REVOCATION_OFFLINE => {
            "The revocation status could not be checked because the revocation server was offline."
        }
        TRUST_E_CERT_SIGNATURE => "The signature of the certificate cannot be verified.",
        TRUST_E_BASIC_CONSTRAINTS => "A certificate's basic constraints extension has not been observed.",
        CRYPT_E_ASN1_EOD => "ASN1 unexpected end of data.",
        CRYPT_E_ASN1_CORRUPT => "ASN1 corrupted data.",
        CRYPT_E_ASN1_BADTAG => "ASN1 bad tag value met.",

        SEC_E_UNSUPPORTED_FUNCTION => "The function requested is not supported.",
        SEC_E_ILLEGAL_MESSAGE => "The TLS message received was unexpected or badly formatted.",
        SEC_E_ALGORITHM_MISMATCH => {
            "The client and server cannot communicate, because they do not possess a common algorithm."
        }
        // Windows' text for this value is about the Local Security Authority, which netrt lacks.
        SEC_E_INTERNAL_ERROR => "An internal error occurred in the TLS implementation.",
        SEC_E_MESSAGE_ALTERED => "The TLS message was altered in transit (integrity check failed).",
        SEC_E_CERT_UNKNOWN => "An unknown error occurred while processing the certificate.",
        SEC_E_NO_CREDENTIALS => "No credentials are available (e.g. a required client certificate).",
        SEC_E_WRONG_PRINCIPAL => "The target principal name is incorrect.",

        NETRT_E_STARTTLS_PLAINTEXT_PENDING => {
            "Received plaintext was still unread when the TLS upgrade was requested; read it first."
        }
        NETRT_E_TLS_TRUNCATED => {
            "The peer closed the TLS connection without close_notify; the data may have been truncated."
        }

        WININET_E_TIMEOUT => "The operation timed out.",
        WININET_E_NAME_NOT_RESOLVED => "The server name or address could not be resolved.",
        WININET_E_OPERATION_CANCELLED => "The operation has been canceled.",
        WININET_E_CANNOT_CONNECT => "A connection with the server could not be established.",
        WININET_E_CONNECTION_ABORTED => "The connection with the server was terminated abnormally.",
        WININET_E_CONNECTION_RESET => "The connection with the server was reset.",
        WININET_E_SEC_CERT_DATE_INVALID => "The date in the certificate is invalid or has expired.",
        WININET_E_SEC_CERT_CN_INVALID => "The host name in the certificate is invalid or does not match.",
        WININET_E_HTTP_TO_HTTPS_ON_REDIR => {
            "A redirect request will change a non-secure to a secure connection."
        }
        WININET_E_HTTPS_TO_HTTP_ON_REDIR => {
            "A redirect request will change a secure to a non-secure connection."
        }
        WININET_E_SEC_CERT_ERRORS => "The TLS certificate contains errors.",
        WININET_E_INVALID_SERVER_RESPONSE => "The server returned an invalid or unrecognized response.",
        WININET_E_REDIRECT_FAILED => "The HTTP redirect request failed.",
        WININET_E_DISCONNECTED => "The computer is disconnected from the network.",
        WININET_E_SERVER_UNREACHABLE => "The server is unreachable.",
        WININET_E_SEC_INVALID_CERT => "The supplied certificate is invalid.",
        WININET_E_SEC_CERT_REVOKED => "The supplied certificate has been revoked.",

        HTTP_E_STATUS_UNEXPECTED => "An unexpected HTTP status code was received.",
        HTTP_E_STATUS_UNEXPECTED_REDIRECTION => "An unexpected HTTP redirection status (3xx) was received.",
        HTTP_E_STATUS_UNEXPECTED_CLIENT_ERROR => "An unexpected HTTP client error status (4xx) was received.",
        HTTP_E_STATUS_UNEXPECTED_SERVER_ERROR => "An unexpected HTTP server error status (5xx) was received.",
        // Named for the projections; the same text as every other `HTTP_E_STATUS_*` status.
        HTTP_E_STATUS_DENIED => "HTTP status 401 (Unauthorized)",
        HTTP_E_STATUS_PROXY_AUTH_REQ => "HTTP status 407 (Proxy Authentication Required)",

        WEB_E_UNSUPPORTED_FORMAT => "The document is not in a supported syndication format.",
        WEB_E_INVALID_XML => "The document is not valid XML.",
        WEB_E_MISSING_REQUIRED_ELEMENT => "The document is missing a required element.",
        WEB_E_MISSING_REQUIRED_ATTRIBUTE => "The document is missing a required attribute.",
        WEB_E_UNEXPECTED_CONTENT => "The document contains unexpected content.",
        WEB_E_RESOURCE_TOO_LARGE => "The response is larger than the maximum response buffer size.",

        _ => return win32_code(hr).and_then(wsa_message),
    };
    Some(text)
}

/// The text for a Winsock error code (inside `HRESULT_FROM_WIN32`).
fn wsa_message(code: u32) -> Option<&'static str> {
    Some(match code {
        WSAEINTR => "A blocking operation was interrupted.",
        WSAEACCES => "An attempt was made to access a socket in a way forbidden by its access permissions.",
        WSAEFAULT => "The system detected an invalid pointer address in a call argument.",
        WSAEINVAL => "An invalid argument was supplied.",
        WSAEMFILE => "Too many open sockets.",
        WSAEWOULDBLOCK => "A non-blocking socket operation could not be completed immediately.",
        WSAEINPROGRESS => "A blocking operation is currently executing.",
        WSAEALREADY => "An operation was attempted on a socket that already had an operation in progress.",
        WSAENOTSOCK => "An operation was attempted on something that is not a socket.",
        WSAEDESTADDRREQ => "A required address was omitted from an operation on a socket.",
        WSAEMSGSIZE => {
            "A datagram was larger than the internal message buffer or some other network limit, \
             or the receive buffer was smaller than the datagram."
        }
        WSAEPROTOTYPE => "The protocol does not support the semantics of the requested socket type.",
        WSAENOPROTOOPT => "An unknown, invalid, or unsupported socket option or level was specified.",
        WSAEPROTONOSUPPORT => "The requested protocol is not supported.",
        WSAESOCKTNOSUPPORT => {
            "The support for the specified socket type does not exist in this address family."
        }
        WSAEOPNOTSUPP => "The attempted operation is not supported for the type of object referenced.",
        WSAEPFNOSUPPORT => "The protocol family is not supported.",
        WSAEAFNOSUPPORT => "An address incompatible with the requested protocol was used.",
        WSAEADDRINUSE => {
            "Only one usage of each socket address (protocol/network address/port) is normally permitted."
        }
        WSAEADDRNOTAVAIL => "The requested address is not valid in its context.",
        WSAENETDOWN => "A socket operation encountered a dead network.",
        WSAENETUNREACH => "A socket operation was attempted to an unreachable network.",
        WSAENETRESET => {
            "The connection has been broken due to keep-alive activity detecting a failure while the \
             operation was in progress."
        }
        WSAECONNABORTED => "An established connection was aborted by the software in your host machine.",
        WSAECONNRESET => "An existing connection was forcibly closed by the remote host.",
        WSAENOBUFS => {
            "An operation on a socket could not be performed because the system lacked sufficient \
             buffer space or because a queue was full."
        }
        WSAEISCONN => "A connect request was made on an already connected socket.",
        WSAENOTCONN => {
            "A request to send or receive data was disallowed because the socket is not connected."
        }
        WSAESHUTDOWN => {
            "A request to send or receive data was disallowed because the socket had already been \
             shut down in that direction."
        }
        WSAETIMEDOUT => {
            "A connection attempt failed because the connected party did not properly respond after a \
             period of time, or the established connection failed because the connected host has \
             failed to respond."
        }
        WSAECONNREFUSED => "No connection could be made because the target machine actively refused it.",
        WSAEHOSTDOWN => "A socket operation failed because the destination host was down.",
        WSAEHOSTUNREACH => "A socket operation was attempted to an unreachable host.",
        WSAECANCELLED => "The call has been canceled.",
        WSATYPE_NOT_FOUND => "The specified class (service name) was not found.",
        WSAHOST_NOT_FOUND => "No such host is known.",
        WSATRY_AGAIN => {
            "A temporary error occurred during host name resolution (no response from an \
             authoritative server); try again later."
        }
        WSANO_RECOVERY => "A non-recoverable error occurred during a database lookup.",
        WSANO_DATA => "The requested name is valid, but no data of the requested type was found.",
        _ => return None,
    })
}

/// The reason phrase for an HTTP status code (RFC 9110 and the common extensions).
fn http_reason(code: u16) -> Option<&'static str> {
    Some(match code {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => return None,
    })
}

/// What to say about a status code with no reason phrase: its class.
fn http_class(code: u16) -> &'static str {
    match code {
        100..=199 => "unrecognized informational status",
        200..=299 => "unrecognized success status",
        300..=399 => "unrecognized redirection status",
        400..=499 => "unrecognized client error status",
        500..=599 => "unrecognized server error status",
        _ => "not a valid HTTP status code",
    }
}

/// The name of an HRESULT facility (`winerror.h` `FACILITY_*`), for the ones worth naming.
fn facility_name(facility: u32) -> Option<&'static str> {
    Some(match facility {
        0 => "NULL",
        1 => "RPC",
        2 => "DISPATCH",
        3 => "STORAGE",
        4 => "ITF",
        7 => "WIN32",
        8 => "WINDOWS",
        9 => "SECURITY",
        10 => "CONTROL",
        11 => "CERT",
        12 => "INTERNET",
        25 => "HTTP",
        _ => return None,
    })
}

/// A message for an HRESULT with no fixed text: its hex value, severity, facility and code.
fn generic_message(hr: HResult) -> String {
    let bits = hr as u32;
    let facility = (bits >> 16) & 0x1FFF;
    let code = bits & 0xFFFF;
    let facility = match facility_name(facility) {
        Some(name) => format!("facility {name} ({facility})"),
        None => format!("facility {facility}"),
    };
    if hr < 0 {
        if win32_code(hr).is_some() {
            format!("Win32 error {code} (HRESULT 0x{bits:08X}: failure, {facility}, code {code}).")
        } else {
            format!("Unknown error 0x{bits:08X} (failure, {facility}, code 0x{code:04X} = {code}).")
        }
    } else {
        format!("Success code 0x{bits:08X} ({facility}, code 0x{code:04X} = {code}).")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every HRESULT constant in `hresult.rs`; `constant_list_is_complete` keeps it in step.
    const HRESULT_CONSTANTS: &[HResult] = &[
        S_OK,
        S_FALSE,
        E_FAIL,
        E_ABORT,
        E_NOTIMPL,
        E_NOINTERFACE,
        E_UNEXPECTED,
        E_OUTOFMEMORY,
        E_POINTER,
        E_HANDLE,
        E_INVALIDARG,
        E_ACCESSDENIED,
        E_PENDING,
        E_BOUNDS,
        E_ILLEGAL_STATE_CHANGE,
        E_ILLEGAL_METHOD_CALL,
        RO_E_CLOSED,
        E_ILLEGAL_DELEGATE_ASSIGNMENT,
        E_INSUFFICIENT_BUFFER,
        E_NO_UNICODE_TRANSLATION,
        E_NOT_FOUND,
        E_INVALID_OPERATION,
        E_OPERATION_ABORTED,
        E_CANCELLED,
        E_WAIT_TIMEOUT,
        E_NO_DATA,
        E_INVALID_PASSWORD,
        E_ALREADY_EXISTS,
        E_FILE_NOT_FOUND,
        E_SERVICE_NOT_ACTIVE,
        WSAETIMEDOUT_HR,
        WSAECONNREFUSED_HR,
        WSAEACCES_HR,
        WSATYPE_NOT_FOUND_HR,
        WSAHOST_NOT_FOUND_HR,
        WSAEMSGSIZE_HR,
        WSAENOTCONN_HR,
        CERT_E_EXPIRED,
        CERT_E_VALIDITYPERIODNESTING,
        CERT_E_ROLE,
        CERT_E_PATHLENCONST,
        CERT_E_CRITICAL,
        CERT_E_PURPOSE,
        CERT_E_ISSUERCHAINING,
        CERT_E_MALFORMED,
        CERT_E_UNTRUSTEDROOT,
        CERT_E_CHAINING,
        TRUST_E_FAIL,
        CERT_E_REVOKED,
        CERT_E_UNTRUSTEDTESTROOT,
        CERT_E_REVOCATION_FAILURE,
        CERT_E_CN_NO_MATCH,
        CERT_E_WRONG_USAGE,
        TRUST_E_EXPLICIT_DISTRUST,
        CERT_E_UNTRUSTEDCA,
        CERT_E_INVALID_POLICY,
        CERT_E_INVALID_NAME,
        TRUST_E_NOSIGNATURE,
        CRYPT_E_REVOKED,
        CRYPT_E_NO_REVOCATION_CHECK,
        CRYPT_E_REVOCATION_OFFLINE,
        TRUST_E_CERT_SIGNATURE,
        TRUST_E_BASIC_CONSTRAINTS,
        CRYPT_E_ASN1_EOD,
        CRYPT_E_ASN1_CORRUPT,
        CRYPT_E_ASN1_BADTAG,
        SEC_E_UNSUPPORTED_FUNCTION,
        SEC_E_ILLEGAL_MESSAGE,
        SEC_E_ALGORITHM_MISMATCH,
        SEC_E_INTERNAL_ERROR,
        SEC_E_MESSAGE_ALTERED,
        SEC_E_CERT_UNKNOWN,
        SEC_E_NO_CREDENTIALS,
        SEC_E_WRONG_PRINCIPAL,
        NETRT_E_STARTTLS_PLAINTEXT_PENDING,
        NETRT_E_TLS_TRUNCATED,
        WININET_E_TIMEOUT,
        WININET_E_NAME_NOT_RESOLVED,
        WININET_E_OPERATION_CANCELLED,
        WININET_E_CANNOT_CONNECT,
        WININET_E_CONNECTION_ABORTED,
        WININET_E_CONNECTION_RESET,
        WININET_E_SEC_CERT_DATE_INVALID,
        WININET_E_SEC_CERT_CN_INVALID,
        WININET_E_HTTP_TO_HTTPS_ON_REDIR,
        WININET_E_HTTPS_TO_HTTP_ON_REDIR,
        WININET_E_SEC_CERT_ERRORS,
        WININET_E_INVALID_SERVER_RESPONSE,
        WININET_E_REDIRECT_FAILED,
        WININET_E_DISCONNECTED,
        WININET_E_SERVER_UNREACHABLE,
        WININET_E_SEC_INVALID_CERT,
        WININET_E_SEC_CERT_REVOKED,
        HTTP_E_STATUS_UNEXPECTED,
        HTTP_E_STATUS_UNEXPECTED_REDIRECTION,
        HTTP_E_STATUS_UNEXPECTED_CLIENT_ERROR,
        HTTP_E_STATUS_UNEXPECTED_SERVER_ERROR,
        HTTP_E_STATUS_DENIED,
        HTTP_E_STATUS_PROXY_AUTH_REQ,
        WEB_E_UNSUPPORTED_FORMAT,
        WEB_E_INVALID_XML,
        WEB_E_MISSING_REQUIRED_ELEMENT,
        WEB_E_MISSING_REQUIRED_ATTRIBUTE,
        WEB_E_UNEXPECTED_CONTENT,
        WEB_E_RESOURCE_TOO_LARGE,
    ];

    /// Every code in `hresult::wsa`.
    const WSA_CODES: &[u32] = &[
        WSAEINTR,
        WSAEACCES,
        WSAEFAULT,
        WSAEINVAL,
        WSAEMFILE,
        WSAEWOULDBLOCK,
        WSAEINPROGRESS,
        WSAEALREADY,
        WSAENOTSOCK,
        WSAEDESTADDRREQ,
        WSAEMSGSIZE,
        WSAEPROTOTYPE,
        WSAENOPROTOOPT,
        WSAEPROTONOSUPPORT,
        WSAESOCKTNOSUPPORT,
        WSAEOPNOTSUPP,
        WSAEPFNOSUPPORT,
        WSAEAFNOSUPPORT,
        WSAEADDRINUSE,
        WSAEADDRNOTAVAIL,
        WSAENETDOWN,
        WSAENETUNREACH,
        WSAENETRESET,
        WSAECONNABORTED,
        WSAECONNRESET,
        WSAENOBUFS,
        WSAEISCONN,
        WSAENOTCONN,
        WSAESHUTDOWN,
        WSAETIMEDOUT,
        WSAECONNREFUSED,
        WSAEHOSTDOWN,
        WSAEHOSTUNREACH,
        WSAECANCELLED,
        WSATYPE_NOT_FOUND,
        WSAHOST_NOT_FOUND,
        WSATRY_AGAIN,
        WSANO_RECOVERY,
        WSANO_DATA,
    ];

    /// Counts `pub const NAME: <ty> =` items in `hresult.rs`, so a constant added there without
    /// a message (and a row above) fails this file's tests.
    fn count_consts(source: &str, ty: &str) -> usize {
        let needle = format!(": {ty} =");
        source.lines().filter(|l| l.trim_start().starts_with("pub const ") && l.contains(&needle)).count()
    }

    #[test]
    fn constant_list_is_complete() {
        let source = include_str!("hresult.rs");
        assert_eq!(count_consts(source, "HResult"), HRESULT_CONSTANTS.len(), "HResult constants");
        assert_eq!(count_consts(source, "u32"), WSA_CODES.len(), "wsa constants");
    }

    #[test]
    fn every_constant_has_a_specific_message() {
        for &h in HRESULT_CONSTANTS {
            let text = known_message(h);
            assert!(text.is_some_and(|t| !t.is_empty()), "0x{:08X} has no message", h as u32);
            assert_eq!(hresult_message(h), text.unwrap_or_default());
        }
    }

    #[test]
    fn every_wsa_code_has_a_specific_message() {
        for &code in WSA_CODES {
            let text = wsa_message(code);
            assert!(text.is_some_and(|t| !t.is_empty()), "WSA {code} has no message");
            assert_eq!(hresult_message(hresult_from_win32(code)), text.unwrap_or_default());
        }
    }

    #[test]
    fn known_texts() {
        assert_eq!(
            hresult_message(WSAECONNREFUSED_HR),
            "No connection could be made because the target machine actively refused it."
        );
        assert_eq!(hresult_message(RO_E_CLOSED), "The object has been closed.");
        assert_eq!(hresult_message(E_NOT_FOUND), "Element not found.");
        assert_eq!(hresult_message(E_ACCESSDENIED), "Access is denied.");
        assert_eq!(hresult_message(hr(0x8007_2AF9)), "No such host is known.");
    }

    #[test]
    fn http_status_messages() {
        assert_eq!(hresult_message(http_e_status(404)), "HTTP status 404 (Not Found)");
        // The named statuses read as every other status does.
        for (named, status) in [(HTTP_E_STATUS_DENIED, 401), (HTTP_E_STATUS_PROXY_AUTH_REQ, 407)] {
            let generic = format!("HTTP status {status} ({})", http_reason(status).unwrap_or_default());
            assert_eq!(hresult_message(named), generic);
        }
        assert_eq!(hresult_message(hr(0x8019_01F6)), "HTTP status 502 (Bad Gateway)");
        assert_eq!(hresult_message(http_e_status(418)), "HTTP status 418 (unrecognized client error status)");
        assert_eq!(hresult_message(http_e_status(0)), "HTTP status 0 (not a valid HTTP status code)");
        for code in (100..600).chain([0, 2, 6, 99, 600, 999, u16::MAX]) {
            let text = hresult_message(http_e_status(code));
            assert!(text.starts_with("HTTP status") || text.starts_with("An unexpected HTTP"), "{text}");
        }
    }

    #[test]
    fn every_web_error_status_http_member_has_a_reason_phrase() {
        use crate::error::WebErrorStatus;
        for &w in WebErrorStatus::ALL.iter().filter(|&&w| w as i32 >= 300) {
            let text = hresult_message(http_e_status(w as i32 as u16));
            assert!(!text.contains("unrecognized"), "{w}: {text}");
        }
    }

    #[test]
    fn generic_messages_show_value_and_parts() {
        assert_eq!(
            hresult_message(hresult_from_win32(1234)),
            "Win32 error 1234 (HRESULT 0x800704D2: failure, facility WIN32 (7), code 1234)."
        );
        assert_eq!(
            hresult_message(hr(0x8004_0299)),
            "Unknown error 0x80040299 (failure, facility ITF (4), code 0x0299 = 665)."
        );
        assert_eq!(
            hresult_message(hr(0x8123_0001)),
            "Unknown error 0x81230001 (failure, facility 291, code 0x0001 = 1)."
        );
        assert_eq!(hresult_message(5), "Success code 0x00000005 (facility NULL (0), code 0x0005 = 5).");
        assert!(hresult_message(i32::MIN).contains("0x80000000"));
        assert!(hresult_message(-1).contains("0xFFFFFFFF"));
    }

    #[test]
    fn any_i32_gets_a_message() {
        let mut v: u32 = 0x1234_5678;
        for _ in 0..50_000 {
            // xorshift32: a cheap spread over the whole range.
            v ^= v << 13;
            v ^= v >> 17;
            v ^= v << 5;
            let text = hresult_message(v as i32);
            assert!(!text.is_empty());
        }
        for h in [i32::MIN, i32::MIN + 1, -1, 0, 1, i32::MAX, hr(0x8007_FFFF), hr(0x8019_FFFF)] {
            assert!(!hresult_message(h).is_empty(), "0x{:08X}", h as u32);
        }
    }
}
