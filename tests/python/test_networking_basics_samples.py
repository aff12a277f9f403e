"""The C# samples of examples/README.md, transliterated line by line to this API (the porting
rule in docs/projections.md), run against third-party peers on 127.0.0.1: `openssl s_server`
and a Python `ssl` peer.

Only the two literals the porting rule allows are replaced: "www.contoso.com" by "localhost" and the
service names "https"/"http" by the peer's port. `NotifyUser` records what the sample reports.
The test CA is added to the socket's trusted roots (the samples rely on the system store).
"""

from __future__ import annotations

import netrt
from conftest import within
from netrt import (
    Certificate,
    DataWriter,
    EndpointPair,
    HostName,
    SocketError,
    SocketErrorStatus,
    SocketProtectionLevel,
    StreamSocket,
)
from peers.pki import Pki


class Notes(list[str]):
    def __call__(self, message: str) -> None:
        self.append(message)


async def test_connect_async_with_ssl(s_server, ca: Certificate) -> None:  # type: ignore[no-untyped-def]
    peer = s_server()
    NotifyUser = Notes()

    # Define some variables and set values
    clientSocket = StreamSocket()
    clientSocket.control.trusted_root_certificates.append(ca)  # test setup

    serverHost = HostName("localhost")
    serverServiceName = str(peer.port)

    # Try to connect to contoso using HTTPS (port 443)
    try:
        # Call ConnectAsync method with SSL
        await within(clientSocket.connect_async(serverHost, serverServiceName, SocketProtectionLevel.SSL))

        NotifyUser("Connected")
    except Exception as exception:
        # If this is an unknown status it means that the error is fatal and retry will likely fail.
        if SocketError.get_status(exception.hresult) == SocketErrorStatus.UNKNOWN:  # type: ignore[attr-defined]
            raise

        NotifyUser("Connect failed with error: " + str(exception))
        clientSocket.close()
        clientSocket = None  # type: ignore[assignment]

    assert NotifyUser == ["Connected"]
    info = clientSocket.information
    assert info.protection_level == SocketProtectionLevel.SSL
    assert info.negotiated_tls_version in (0x0303, 0x0304)
    assert info.server_certificate is not None and info.server_certificate.subject == "localhost"
    assert info.server_certificate_errors == []
    # Add code to send and receive data using the clientSocket
    await within(clientSocket.output_stream.write_async(b"over tls\n"))
    peer.wait_for_output("over tls")
    # and then close the clientSocket
    clientSocket.close()


async def test_plain_connect_hello_then_upgrade_to_ssl(starttls_peer, ca: Certificate) -> None:  # type: ignore[no-untyped-def]
    NotifyUser = Notes()

    # Define some variables and set values
    clientSocket = StreamSocket()
    clientSocket.control.trusted_root_certificates.append(ca)  # test setup

    serverHost = HostName("localhost")
    serverServiceName = str(starttls_peer.port)

    # Try to connect to contoso using HTTP (port 80)
    try:
        # Call ConnectAsync method with a plain socket
        await within(clientSocket.connect_async(serverHost, serverServiceName, SocketProtectionLevel.PLAIN_SOCKET))

        NotifyUser("Connected")

    except Exception as exception:
        # If this is an unknown status it means that the error is fatal and retry will likely fail.
        if SocketError.get_status(exception.hresult) == SocketErrorStatus.UNKNOWN:  # type: ignore[attr-defined]
            raise

        NotifyUser("Connect failed with error: " + str(exception))
        clientSocket.close()
        clientSocket = None  # type: ignore[assignment]
        raise AssertionError(NotifyUser)

    # Now try to send some data
    writer = DataWriter(clientSocket.output_stream)
    hello = "Hello, World! ☺ "
    len_ = writer.measure_string(hello)  # Gets the UTF-8 string length.
    writer.write_int32(len_)
    writer.write_string(hello)
    NotifyUser("Client: sending hello")

    try:
        # Call StoreAsync method to store the hello message
        await within(writer.store_async())

        NotifyUser("Client: sent data")

        writer.detach_stream()  # Detach stream, if not, DataWriter destructor will close it.
    except Exception as exception:
        NotifyUser("Store failed with error: " + str(exception))
        clientSocket.close()
        clientSocket = None  # type: ignore[assignment]
        raise AssertionError(NotifyUser)

    # Now upgrade the client to use SSL
    try:
        # Try to upgrade to SSL
        await within(clientSocket.upgrade_to_ssl_async(SocketProtectionLevel.SSL, serverHost))

        NotifyUser("Client: upgrade to SSL completed")

        # Add code to send and receive data
        # The close clientSocket when done
    except Exception as exception:
        # If this is an unknown status it means that the error is fatal and retry will likely fail.
        if SocketError.get_status(exception.hresult) == SocketErrorStatus.UNKNOWN:  # type: ignore[attr-defined]
            raise

        NotifyUser("Upgrade to SSL failed with error: " + str(exception))
        clientSocket.close()
        clientSocket = None  # type: ignore[assignment]
        raise AssertionError(NotifyUser)

    assert NotifyUser == ["Connected", "Client: sending hello", "Client: sent data", "Client: upgrade to SSL completed"]
    starttls_peer.wait_for_output(f"HELLO {hello}")  # the peer prints it from its own process
    assert clientSocket.information.protection_level == SocketProtectionLevel.SSL
    assert clientSocket.information.negotiated_tls_version != 0
    await within(clientSocket.output_stream.write_async(b"secret\n"))
    reader = netrt.DataReader(clientSocket.input_stream)
    reader.input_stream_options = netrt.InputStreamOptions.PARTIAL
    got = ""
    while not got.endswith("\n"):
        n = await within(reader.load_async(64))
        assert n > 0, starttls_peer.output()
        got += reader.read_string(n)
    assert got == "echo:secret\n"
    clientSocket.close()


async def test_client_certificate_and_endpoint_pair_with_tls12(s_server, pki: Pki, ca: Certificate) -> None:  # type: ignore[no-untyped-def]
    peer = s_server("-Verify", "1", "-CAfile", str(pki.path("ca.pem")))
    destination = EndpointPair(None, "", HostName("localhost"), str(peer.port))

    async def GetClientCert() -> Certificate:
        return Certificate.from_pem(pki.text("client.pem"), pki.text("client.key"))

    socket = StreamSocket()
    socket.control.trusted_root_certificates.append(ca)  # test setup
    certificate = await GetClientCert()
    socket.control.client_certificate = certificate
    await within(socket.connect_async(destination, SocketProtectionLevel.TLS12))

    assert socket.control.client_certificate == certificate and certificate.has_private_key
    await within(socket.output_stream.write_async(b"with certificate\n"))
    out = peer.wait_for_output("with certificate")
    assert "netrt test client" in out, out
    socket.close()


async def test_untrusted_server_reports_status_and_chain_errors(s_server) -> None:  # type: ignore[no-untyped-def]
    peer = s_server()
    sock = StreamSocket()
    try:
        await within(sock.connect_async("localhost", str(peer.port), SocketProtectionLevel.TLS12))
        raise AssertionError("connected to an untrusted server")
    except netrt.NetworkError as e:
        assert SocketError.get_status(e.hresult) == SocketErrorStatus.CERTIFICATE_UNTRUSTED_ROOT, e
        assert e.hresult == 0x800B0109 - 2**32  # CERT_E_UNTRUSTEDROOT
    assert netrt.ChainValidationResult.UNTRUSTED in sock.information.server_certificate_errors
    assert sock.information.server_certificate_error_severity == netrt.SocketSslErrorSeverity.IGNORABLE

    sock = StreamSocket()
    sock.control.ignorable_server_certificate_errors.append(netrt.ChainValidationResult.UNTRUSTED)
    await within(sock.connect_async("localhost", str(peer.port), SocketProtectionLevel.TLS12))
    assert list(sock.control.ignorable_server_certificate_errors) == [netrt.ChainValidationResult.UNTRUSTED]
    sock.close()
