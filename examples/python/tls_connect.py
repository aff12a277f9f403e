"""The "ConnectAsync with SSL" C# sample (see examples/README.md), line by line in Python.

    python examples/python/tls_connect.py HOST PORT [--ca ca.pem]
"""

import asyncio

from _common import parser, trust

from netrt import HostName, SocketError, SocketErrorStatus, SocketProtectionLevel, StreamSocket


def NotifyUser(message: str) -> None:
    print(message)


async def main(host: str, port: str, ca: str | None) -> None:
    # Define some variables and set values
    clientSocket = StreamSocket()
    trust(clientSocket, ca)

    serverHost = HostName(host)
    serverServiceName = port

    # Try to connect to contoso using HTTPS (port 443)
    try:
        # Call ConnectAsync method with SSL
        await clientSocket.connect_async(serverHost, serverServiceName, SocketProtectionLevel.SSL)

        NotifyUser("Connected")
    except OSError as exception:
        # If this is an unknown status it means that the error is fatal and retry will likely fail.
        if SocketError.get_status(getattr(exception, "hresult", 0)) == SocketErrorStatus.UNKNOWN:
            raise

        NotifyUser("Connect failed with error: " + str(exception))
        # Could retry the connection, but for this simple example
        # just close the socket.

        clientSocket.close()
        clientSocket = None
        return

    # Add code to send and receive data using the clientSocket
    info = clientSocket.information
    NotifyUser(f"TLS 0x{info.negotiated_tls_version:04x} {info.cipher_suite}, server {info.server_certificate.subject!r}")
    # and then close the clientSocket
    clientSocket.close()


if __name__ == "__main__":
    args = parser(__doc__).parse_args()
    asyncio.run(main(args.host, args.port, args.ca))
