"""The "UpgradeToSslAsync" C# sample (see examples/README.md), line by line in Python: a plain connection, a
length-prefixed hello with DataWriter, then STARTTLS.

    python examples/python/upgrade_to_ssl.py HOST PORT [--ca ca.pem]

Try it against examples/python/listener_echo.py --starttls.
"""

import asyncio

from _common import parser, trust

from netrt import DataWriter, HostName, SocketError, SocketErrorStatus, SocketProtectionLevel, StreamSocket


def NotifyUser(message: str) -> None:
    print(message)


async def main(host: str, port: str, ca: str | None) -> None:
    # Define some variables and set values
    clientSocket = StreamSocket()
    trust(clientSocket, ca)

    serverHost = HostName(host)
    serverServiceName = port

    # Try to connect to contoso using HTTP (port 80)
    try:
        # Call ConnectAsync method with a plain socket
        await clientSocket.connect_async(serverHost, serverServiceName, SocketProtectionLevel.PLAIN_SOCKET)

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

    # Now try to send some data
    writer = DataWriter(clientSocket.output_stream)
    hello = "Hello, World! ☺ "
    len_ = writer.measure_string(hello)  # Gets the UTF-8 string length.
    writer.write_int32(len_)
    writer.write_string(hello)
    NotifyUser("Client: sending hello")

    try:
        # Call StoreAsync method to store the hello message
        await writer.store_async()

        NotifyUser("Client: sent data")

        writer.detach_stream()  # Detach stream, if not, DataWriter destructor will close it.
    except OSError as exception:
        NotifyUser("Store failed with error: " + str(exception))
        # Could retry the store, but for this simple example
        # just close the socket.

        clientSocket.close()
        clientSocket = None
        return

    # Now upgrade the client to use SSL
    try:
        # Try to upgrade to SSL
        await clientSocket.upgrade_to_ssl_async(SocketProtectionLevel.SSL, serverHost)

        NotifyUser("Client: upgrade to SSL completed")

        # Add code to send and receive data
        # The close clientSocket when done
    except OSError as exception:
        # If this is an unknown status it means that the error is fatal and retry will likely fail.
        if SocketError.get_status(getattr(exception, "hresult", 0)) == SocketErrorStatus.UNKNOWN:
            raise

        NotifyUser("Upgrade to SSL failed with error: " + str(exception))

        clientSocket.close()
        clientSocket = None
        return

    clientSocket.close()


if __name__ == "__main__":
    args = parser(__doc__).parse_args()
    asyncio.run(main(args.host, args.port, args.ca))
