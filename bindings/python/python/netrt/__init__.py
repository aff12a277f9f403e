"""netrt: the Windows Runtime networking model for Python, in the PyWinRT style.

Classes keep their WinRT names (``StreamSocket``, ``HostName``, ``DataWriter``, ...) with
snake_case members (``connect_async``, ``control.no_delay``); the Windows namespaces are
flattened into this package, and also laid out as PyWinRT lays them out
(``netrt.windows.networking.sockets``, ``netrt.windows.storage.streams``, ...: the same objects,
so PyWinRT code ports by renaming ``winrt`` to ``netrt``). Every ``*_async`` method returns an ``IAsyncOperation`` that is
awaitable in asyncio and has ``get(timeout=None)``; failures raise ``NetworkError`` (an
``OSError`` carrying the HRESULT). See docs/projections.md, docs/async.md and docs/errors.md.
"""

from netrt._enums import (
    AsyncStatus,
    ByteOrder,
    CertificateChainPolicy,
    ChainValidationResult,
    ClientCertificateMode,
    HostNameSortOptions,
    HostNameType,
    InputStreamOptions,
    MessageWebSocketReceiveMode,
    NetworkDirection,
    SocketErrorStatus,
    SocketProtectionLevel,
    SocketMessageType,
    SocketQualityOfService,
    SocketSslErrorSeverity,
    TlsVersion,
    UnicodeEncoding,
    WebErrorStatus,
)
from netrt._errors import (
    ConnectionAbortedError,
    ConnectionRefusedError,
    ConnectionResetError,
    InvalidArgumentError,
    NetworkError,
    OutOfBoundsError,
    PermissionError,
    TimeoutError,
)
from netrt._netrt import (
    AppManifest,
    BandwidthStatistics,
    Buffer,
    Certificate,
    CertificateChain,
    CertificateKeyUsages,
    ChainBuildingParameters,
    ChainValidationParameters,
    DataReader,
    DataReaderLoadOperation,
    DataWriter,
    DataWriterStoreOperation,
    DatagramSocket,
    DatagramSocketControl,
    DatagramSocketInformation,
    DatagramSocketMessageReceivedEventArgs,
    Deferral,
    EndpointPair,
    HostName,
    IAsyncOperation,
    IInputStream,
    IOutputStream,
    IPInformation,
    MessageWebSocket,
    MessageWebSocketControl,
    MessageWebSocketInformation,
    MessageWebSocketMessageReceivedEventArgs,
    PasswordCredential,
    RoundTripTimeStatistics,
    SocketError,
    StreamSocket,
    StreamSocketControl,
    StreamSocketInformation,
    StreamSocketListener,
    StreamSocketListenerConnectionReceivedEventArgs,
    StreamSocketListenerControl,
    StreamSocketListenerInformation,
    StreamWebSocket,
    StreamWebSocketControl,
    StreamWebSocketInformation,
    SubjectAlternativeNameInfo,
    Uri,
    WebError,
    WebSocketClosedEventArgs,
    WebSocketError,
    WebSocketServerCustomValidationRequestedEventArgs,
    WwwFormUrlDecoder,
    WwwFormUrlDecoderEntry,
    __version__,
)

IAsyncAction = IAsyncOperation
"""``IAsyncAction`` is an ``IAsyncOperation`` whose result is ``None``."""


def _register_abcs() -> None:
    import collections.abc

    from netrt._netrt import _Vector

    collections.abc.MutableSequence.register(_Vector)
    collections.abc.Sequence.register(WwwFormUrlDecoder)


_register_abcs()
del _register_abcs

# The exception classes named like built-ins (ConnectionRefusedError, TimeoutError, ...) are
# left out of __all__ so that `from netrt import *` never shadows the built-ins.
__all__ = [
    "AppManifest",
    "AsyncStatus",
    "BandwidthStatistics",
    "Buffer",
    "ByteOrder",
    "Certificate",
    "CertificateChain",
    "CertificateChainPolicy",
    "CertificateKeyUsages",
    "ChainBuildingParameters",
    "ChainValidationParameters",
    "ChainValidationResult",
    "ClientCertificateMode",
    "DataReader",
    "DataReaderLoadOperation",
    "DataWriter",
    "DataWriterStoreOperation",
    "DatagramSocket",
    "DatagramSocketControl",
    "DatagramSocketInformation",
    "DatagramSocketMessageReceivedEventArgs",
    "Deferral",
    "EndpointPair",
    "HostName",
    "HostNameSortOptions",
    "HostNameType",
    "IAsyncAction",
    "IAsyncOperation",
    "IInputStream",
    "IOutputStream",
    "IPInformation",
    "InputStreamOptions",
    "InvalidArgumentError",
    "MessageWebSocket",
    "MessageWebSocketControl",
    "MessageWebSocketInformation",
    "MessageWebSocketMessageReceivedEventArgs",
    "MessageWebSocketReceiveMode",
    "NetworkDirection",
    "NetworkError",
    "OutOfBoundsError",
    "PasswordCredential",
    "RoundTripTimeStatistics",
    "SocketError",
    "SocketErrorStatus",
    "SocketMessageType",
    "SocketProtectionLevel",
    "SocketQualityOfService",
    "SocketSslErrorSeverity",
    "StreamSocket",
    "StreamSocketControl",
    "StreamSocketInformation",
    "StreamSocketListener",
    "StreamSocketListenerConnectionReceivedEventArgs",
    "StreamSocketListenerControl",
    "StreamSocketListenerInformation",
    "StreamWebSocket",
    "StreamWebSocketControl",
    "StreamWebSocketInformation",
    "SubjectAlternativeNameInfo",
    "TlsVersion",
    "UnicodeEncoding",
    "Uri",
    "WebError",
    "WebErrorStatus",
    "WebSocketClosedEventArgs",
    "WebSocketError",
    "WebSocketServerCustomValidationRequestedEventArgs",
    "WwwFormUrlDecoder",
    "WwwFormUrlDecoderEntry",
]
