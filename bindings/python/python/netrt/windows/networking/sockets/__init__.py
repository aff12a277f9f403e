"""Windows.Networking.Sockets, where PyWinRT puts it (``winrt.windows.networking.sockets``): the names netrt implements.

PyWinRT code ports by renaming ``winrt`` to ``netrt``. Each name is the same object as
``netrt.<name>``; the flat ``netrt`` namespace stays the primary one.
"""

from netrt import (
    BandwidthStatistics as BandwidthStatistics,
    ClientCertificateMode as ClientCertificateMode,
    DatagramSocket as DatagramSocket,
    DatagramSocketControl as DatagramSocketControl,
    DatagramSocketInformation as DatagramSocketInformation,
    DatagramSocketMessageReceivedEventArgs as DatagramSocketMessageReceivedEventArgs,
    RoundTripTimeStatistics as RoundTripTimeStatistics,
    SocketError as SocketError,
    SocketErrorStatus as SocketErrorStatus,
    SocketProtectionLevel as SocketProtectionLevel,
    SocketQualityOfService as SocketQualityOfService,
    SocketSslErrorSeverity as SocketSslErrorSeverity,
    StreamSocket as StreamSocket,
    StreamSocketControl as StreamSocketControl,
    StreamSocketInformation as StreamSocketInformation,
    StreamSocketListener as StreamSocketListener,
    StreamSocketListenerConnectionReceivedEventArgs as StreamSocketListenerConnectionReceivedEventArgs,
    StreamSocketListenerControl as StreamSocketListenerControl,
    StreamSocketListenerInformation as StreamSocketListenerInformation,
    TlsVersion as TlsVersion,
    WebSocketError as WebSocketError,
)

__all__ = [
    "BandwidthStatistics",
    "ClientCertificateMode",
    "DatagramSocket",
    "DatagramSocketControl",
    "DatagramSocketInformation",
    "DatagramSocketMessageReceivedEventArgs",
    "RoundTripTimeStatistics",
    "SocketError",
    "SocketErrorStatus",
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
    "TlsVersion",
    "WebSocketError",
]
