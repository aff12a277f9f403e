"""The WinRT enumerations, as PyWinRT declares them (IntEnum or IntFlag, UPPER_SNAKE members).

Values are WinRT's, the same as netrt core's; tests/python/test_enums.py checks them against
core's own tables (``netrt._netrt._core_enum``).
"""

import enum

__all__ = [
    "AsyncStatus",
    "HostNameType",
    "HostNameSortOptions",
    "SocketErrorStatus",
    "SocketProtectionLevel",
    "SocketQualityOfService",
    "SocketSslErrorSeverity",
    "ChainValidationResult",
    "ByteOrder",
    "UnicodeEncoding",
    "InputStreamOptions",
    "WebErrorStatus",
    "ClientCertificateMode",
    "TlsVersion",
    "CertificateChainPolicy",
]


class AsyncStatus(enum.IntEnum):
    """Windows.Foundation.AsyncStatus: the state of an asynchronous operation."""

    __module__ = "netrt"

    STARTED = 0
    COMPLETED = 1
    CANCELED = 2
    ERROR = 3


class HostNameType(enum.IntEnum):
    """Windows.Networking.HostNameType."""

    __module__ = "netrt"

    DOMAIN_NAME = 0
    IPV4 = 1
    IPV6 = 2
    BLUETOOTH = 3


class HostNameSortOptions(enum.IntFlag):
    """Windows.Networking.HostNameSortOptions."""

    __module__ = "netrt"

    NONE = 0x0
    OPTIMIZE_FOR_LONG_CONNECTIONS = 0x2


class SocketErrorStatus(enum.IntEnum):
    """Windows.Networking.Sockets.SocketErrorStatus: what a failed socket operation means (see SocketError.get_status)."""

    __module__ = "netrt"

    UNKNOWN = 0
    OPERATION_ABORTED = 1
    HTTP_INVALID_SERVER_RESPONSE = 2
    CONNECTION_TIMED_OUT = 3
    ADDRESS_FAMILY_NOT_SUPPORTED = 4
    SOCKET_TYPE_NOT_SUPPORTED = 5
    HOST_NOT_FOUND = 6
    NO_DATA_RECORD_OF_REQUESTED_TYPE = 7
    NON_AUTHORITATIVE_HOST_NOT_FOUND = 8
    CLASS_TYPE_NOT_FOUND = 9
    ADDRESS_ALREADY_IN_USE = 10
    CANNOT_ASSIGN_REQUESTED_ADDRESS = 11
    CONNECTION_REFUSED = 12
    NETWORK_IS_UNREACHABLE = 13
    UNREACHABLE_HOST = 14
    NETWORK_IS_DOWN = 15
    NETWORK_DROPPED_CONNECTION_ON_RESET = 16
    SOFTWARE_CAUSED_CONNECTION_ABORT = 17
    CONNECTION_RESET_BY_PEER = 18
    HOST_IS_DOWN = 19
    NO_ADDRESSES_FOUND = 20
    TOO_MANY_OPEN_FILES = 21
    MESSAGE_TOO_LONG = 22
    CERTIFICATE_EXPIRED = 23
    CERTIFICATE_UNTRUSTED_ROOT = 24
    CERTIFICATE_COMMON_NAME_IS_INCORRECT = 25
    CERTIFICATE_WRONG_USAGE = 26
    CERTIFICATE_REVOKED = 27
    CERTIFICATE_NO_REVOCATION_CHECK = 28
    CERTIFICATE_REVOCATION_SERVER_OFFLINE = 29
    CERTIFICATE_IS_INVALID = 30


class SocketProtectionLevel(enum.IntEnum):
    """Windows.Networking.Sockets.SocketProtectionLevel. netrt: every TLS level means TLS 1.2 or 1.3, except TLS13 (1.3 only); see docs/tls.md."""

    __module__ = "netrt"

    PLAIN_SOCKET = 0
    SSL = 1
    SSL_ALLOW_NULL_ENCRYPTION = 2
    BLUETOOTH_ENCRYPTION_ALLOW_NULL_AUTHENTICATION = 3
    BLUETOOTH_ENCRYPTION_WITH_AUTHENTICATION = 4
    SSL3_ALLOW_WEAK_ENCRYPTION = 5
    TLS10 = 6
    TLS11 = 7
    TLS12 = 8
    UNSPECIFIED = 9
    TLS13 = 10


class SocketQualityOfService(enum.IntEnum):
    """Windows.Networking.Sockets.SocketQualityOfService."""

    __module__ = "netrt"

    NORMAL = 0
    LOW_LATENCY = 1


class SocketSslErrorSeverity(enum.IntEnum):
    """Windows.Networking.Sockets.SocketSslErrorSeverity."""

    __module__ = "netrt"

    NONE = 0
    IGNORABLE = 1
    FATAL = 2


class ChainValidationResult(enum.IntEnum):
    """Windows.Security.Cryptography.Certificates.ChainValidationResult."""

    __module__ = "netrt"

    SUCCESS = 0
    UNTRUSTED = 1
    REVOKED = 2
    EXPIRED = 3
    INCOMPLETE_CHAIN = 4
    INVALID_SIGNATURE = 5
    WRONG_USAGE = 6
    INVALID_NAME = 7
    INVALID_CERTIFICATE_AUTHORITY_POLICY = 8
    BASIC_CONSTRAINTS_ERROR = 9
    UNKNOWN_CRITICAL_EXTENSION = 10
    REVOCATION_INFORMATION_MISSING = 11
    REVOCATION_FAILURE = 12
    OTHER_ERRORS = 13


class ClientCertificateMode(enum.IntEnum):
    """netrt extension (WinRT has no TLS listener, so PyWinRT has no such enum): whether a TLS
    listener asks its clients for a certificate (``StreamSocketListenerControl.client_certificate_mode``)."""

    __module__ = "netrt"

    NONE = 0
    OPTIONAL = 1
    REQUIRED = 2


class TlsVersion(enum.IntEnum):
    """netrt extension (WinRT has no such property): ``StreamSocketInformation.negotiated_tls_version``.
    The values are the TLS wire versions, so ``TLS13 == 0x0304 == 772`` holds."""

    __module__ = "netrt"

    NONE = 0
    TLS12 = 0x0303
    TLS13 = 0x0304


class CertificateChainPolicy(enum.IntEnum):
    """Windows.Security.Cryptography.Certificates.CertificateChainPolicy. netrt implements BASE and
    SSL; NT_AUTHENTICATION and MICROSOFT_ROOT are Windows-only (``validate`` raises E_NOTIMPL)."""

    __module__ = "netrt"

    BASE = 0
    SSL = 1
    NT_AUTHENTICATION = 2
    MICROSOFT_ROOT = 3


class ByteOrder(enum.IntEnum):
    """Windows.Storage.Streams.ByteOrder (netrt default: BIG_ENDIAN)."""

    __module__ = "netrt"

    LITTLE_ENDIAN = 0
    BIG_ENDIAN = 1


class UnicodeEncoding(enum.IntEnum):
    """Windows.Storage.Streams.UnicodeEncoding."""

    __module__ = "netrt"

    UTF8 = 0
    UTF16_L_E = 1
    UTF16_B_E = 2


class InputStreamOptions(enum.IntFlag):
    """Windows.Storage.Streams.InputStreamOptions (flags)."""

    __module__ = "netrt"

    NONE = 0x0
    PARTIAL = 0x1
    READ_AHEAD = 0x2


class WebErrorStatus(enum.IntEnum):
    """Windows.Web.WebErrorStatus: what a failed web or WebSocket operation means."""

    __module__ = "netrt"

    UNKNOWN = 0
    CERTIFICATE_COMMON_NAME_IS_INCORRECT = 1
    CERTIFICATE_EXPIRED = 2
    CERTIFICATE_CONTAINS_ERRORS = 3
    CERTIFICATE_REVOKED = 4
    CERTIFICATE_IS_INVALID = 5
    SERVER_UNREACHABLE = 6
    TIMEOUT = 7
    ERROR_HTTP_INVALID_SERVER_RESPONSE = 8
    CONNECTION_ABORTED = 9
    CONNECTION_RESET = 10
    DISCONNECTED = 11
    HTTP_TO_HTTPS_ON_REDIRECTION = 12
    HTTPS_TO_HTTP_ON_REDIRECTION = 13
    CANNOT_CONNECT = 14
    HOST_NAME_NOT_RESOLVED = 15
    OPERATION_CANCELED = 16
    REDIRECT_FAILED = 17
    UNEXPECTED_STATUS_CODE = 18
    UNEXPECTED_REDIRECTION = 19
    UNEXPECTED_CLIENT_ERROR = 20
    UNEXPECTED_SERVER_ERROR = 21
    INSUFFICIENT_RANGE_SUPPORT = 22
    MISSING_CONTENT_LENGTH_SUPPORT = 23
    MULTIPLE_CHOICES = 300
    MOVED_PERMANENTLY = 301
    FOUND = 302
    SEE_OTHER = 303
    NOT_MODIFIED = 304
    USE_PROXY = 305
    TEMPORARY_REDIRECT = 307
    BAD_REQUEST = 400
    UNAUTHORIZED = 401
    PAYMENT_REQUIRED = 402
    FORBIDDEN = 403
    NOT_FOUND = 404
    METHOD_NOT_ALLOWED = 405
    NOT_ACCEPTABLE = 406
    PROXY_AUTHENTICATION_REQUIRED = 407
    REQUEST_TIMEOUT = 408
    CONFLICT = 409
    GONE = 410
    LENGTH_REQUIRED = 411
    PRECONDITION_FAILED = 412
    REQUEST_ENTITY_TOO_LARGE = 413
    REQUEST_URI_TOO_LONG = 414
    UNSUPPORTED_MEDIA_TYPE = 415
    REQUESTED_RANGE_NOT_SATISFIABLE = 416
    EXPECTATION_FAILED = 417
    INTERNAL_SERVER_ERROR = 500
    NOT_IMPLEMENTED = 501
    BAD_GATEWAY = 502
    SERVICE_UNAVAILABLE = 503
    GATEWAY_TIMEOUT = 504
    HTTP_VERSION_NOT_SUPPORTED = 505

