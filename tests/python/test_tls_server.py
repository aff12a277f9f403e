"""The TLS server side (netrt extension, docs/tls.md): listeners bound with a TLS level,
client certificates on accepted sockets, and server STARTTLS (`upgrade_to_ssl_as_server_async`),
driven by `openssl s_client` and by netrt's own client. Certificates come from openssl at test
time (peers/pki.py)."""

from __future__ import annotations

import asyncio
import datetime
import socket
from collections.abc import AsyncIterator, Iterator

import pytest

import netrt
from conftest import within
from netrt import (
    Certificate,
    ClientCertificateMode,
    DataReader,
    InputStreamOptions,
    SocketProtectionLevel,
    StreamSocket,
    StreamSocketListener,
)
from peers.pki import Pki
from peers.procs import Peer, openssl_s_client

NETRT_E_STARTTLS_PLAINTEXT_PENDING = -2147220991  # 0x80040201
RO_E_CLOSED = -2147483629


@pytest.fixture
def leaf(pki: Pki) -> Certificate:
    return Certificate.from_pem(pki.text("leaf.pem"), pki.text("leaf.key"))


@pytest.fixture
def client_cert(pki: Pki) -> Certificate:
    return Certificate.from_pem(pki.text("client.pem"), pki.text("client.key"))


@pytest.fixture
def s_client() -> Iterator[object]:
    peers: list[Peer] = []

    def start(port: str, *extra: str) -> Peer:
        peer = openssl_s_client(port, *extra)
        peers.append(peer)
        return peer

    yield start
    for p in peers:
        p.close()


class Listening:
    """A StreamSocketListener bound with `level` on every address, port chosen by the system;
    accepted sockets land in an asyncio queue."""

    def __init__(self) -> None:
        self.listener = StreamSocketListener()
        self.accepted: asyncio.Queue[StreamSocket] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        self.listener.add_connection_received(
            lambda sender, args: loop.call_soon_threadsafe(self.accepted.put_nowait, args.socket)
        )
        self.port = ""

    async def bind(self, level: SocketProtectionLevel) -> Listening:
        await within(self.listener.bind_service_name_async("", level))
        self.port = self.listener.information.local_port
        return self

    async def accept(self) -> StreamSocket:
        return await within(self.accepted.get())


@pytest.fixture
async def listening() -> AsyncIterator[Listening]:
    lst = Listening()
    yield lst
    lst.listener.close()


async def send(sock: StreamSocket, text: str) -> None:
    await within(sock.output_stream.write_async(text.encode()))


async def read_line(reader: DataReader) -> str:
    """One line through "\\n", leaving anything after it loaded in the reader."""
    line = bytearray()
    while True:
        while reader.unconsumed_buffer_length > 0:
            b = reader.read_byte()
            line.append(b)
            if b == ord("\n"):
                return line.decode()
        assert await within(reader.load_async(512)) > 0, f"peer closed; got {bytes(line)!r}"


async def read_exact(sock: StreamSocket, n: int) -> bytes:
    reader = DataReader(sock.input_stream)
    got = 0
    while got < n:
        loaded = await within(reader.load_async(n - got))
        assert loaded > 0, "peer closed"
        got += loaded
    data = reader.read_bytes(n)
    reader.detach_stream()
    return data


def partial_reader(sock: StreamSocket) -> DataReader:
    reader = DataReader(sock.input_stream)
    reader.input_stream_options = InputStreamOptions.PARTIAL
    return reader


async def test_listener_control_tls_properties(leaf: Certificate, ca: Certificate) -> None:
    listener = StreamSocketListener()
    control = listener.control
    assert control.server_certificate is None
    assert control.client_certificate_mode is ClientCertificateMode.NONE
    assert list(control.trusted_root_certificates) == []
    control.server_certificate = leaf
    control.client_certificate_mode = ClientCertificateMode.OPTIONAL
    control.trusted_root_certificates.append(ca)
    assert control.server_certificate == leaf and control.server_certificate.has_private_key
    assert control.client_certificate_mode is ClientCertificateMode.OPTIONAL
    assert list(control.trusted_root_certificates) == [ca]
    with pytest.raises(netrt.InvalidArgumentError):
        control.server_certificate = ca  # no private key
    with pytest.raises(netrt.InvalidArgumentError):
        control.client_certificate_mode = 7  # type: ignore[assignment]
    with pytest.raises(TypeError):
        control.client_certificate_mode = "REQUIRED"  # type: ignore[assignment]
    control.server_certificate = None
    assert control.server_certificate is None
    listener.close()


async def test_tls_level_without_server_certificate_is_invalid_arg() -> None:
    with StreamSocketListener() as listener:
        with pytest.raises(ValueError) as info:
            await within(listener.bind_service_name_async("", SocketProtectionLevel.TLS12))
        assert isinstance(info.value, netrt.InvalidArgumentError)


async def test_tls_listener_serves_openssl_s_client(
    listening: Listening, leaf: Certificate, pki: Pki, s_client
) -> None:  # type: ignore[no-untyped-def]
    listening.listener.control.server_certificate = leaf
    await listening.bind(SocketProtectionLevel.TLS12)
    client = s_client(
        listening.port, "-CAfile", str(pki.path("ca.pem")), "-verify_return_error", "-servername", "localhost"
    )
    accepted = await listening.accept()
    info = accepted.information
    assert info.protection_level == SocketProtectionLevel.TLS12
    assert info.negotiated_tls_version in (0x0303, 0x0304)
    assert info.server_name == "localhost", "the SNI the client sent"
    assert info.client_certificate is None
    client.send("from s_client\n")
    assert await read_exact(accepted, 14) == b"from s_client\n"
    await send(accepted, "from netrt server\n")
    out = await asyncio.to_thread(client.wait_for_output, "from netrt server")
    assert "Verify return code: 0 (ok)" in out, out
    accepted.close()


async def test_tls_listener_serves_a_netrt_client(listening: Listening, leaf: Certificate, ca: Certificate) -> None:
    listening.listener.control.server_certificate = leaf
    await listening.bind(SocketProtectionLevel.TLS12)
    async with StreamSocket() as client:
        client.control.trusted_root_certificates.append(ca)
        await within(client.connect_async("localhost", listening.port, SocketProtectionLevel.TLS13))
        accepted = await listening.accept()
        assert client.information.negotiated_tls_version == 0x0304
        assert client.information.negotiated_tls_version is netrt.TlsVersion.TLS13
        assert client.information.server_certificate == leaf
        assert accepted.information.negotiated_tls_version == 0x0304
        assert accepted.information.cipher_suite == client.information.cipher_suite != ""
        await send(client, "ping")
        assert await read_exact(accepted, 4) == b"ping"
        await send(accepted, "pong")
        assert await read_exact(client, 4) == b"pong"
        accepted.close()


async def test_required_client_certificate_is_visible_on_the_accepted_socket(
    listening: Listening, leaf: Certificate, ca: Certificate, client_cert: Certificate
) -> None:
    control = listening.listener.control
    control.server_certificate = leaf
    control.client_certificate_mode = ClientCertificateMode.REQUIRED
    control.trusted_root_certificates.append(ca)
    await listening.bind(SocketProtectionLevel.TLS12)
    with pytest.raises(netrt.NetworkError):
        control.client_certificate_mode = ClientCertificateMode.NONE  # frozen once bound

    client = StreamSocket()
    client.control.trusted_root_certificates.append(ca)
    client.control.client_certificate = client_cert
    await within(client.connect_async("localhost", listening.port, SocketProtectionLevel.TLS12))
    accepted = await listening.accept()
    presented = accepted.information.client_certificate
    assert presented is not None and presented == client_cert
    assert presented.subject == "netrt test client" and not presented.has_private_key
    assert accepted.information.server_certificate is None
    await send(client, "ping")
    assert await read_exact(accepted, 4) == b"ping"
    client.close()
    accepted.close()

    # Without a certificate the client is refused: at the handshake (TLS 1.2) or at its first
    # read (TLS 1.3, where the client finishes the handshake first).
    anonymous = StreamSocket()
    anonymous.control.trusted_root_certificates.append(ca)
    with pytest.raises(netrt.NetworkError):
        await within(anonymous.connect_async("localhost", listening.port, SocketProtectionLevel.TLS12))
        await within(DataReader(anonymous.input_stream).load_async(1))
    anonymous.close()


async def serve_starttls(sock: StreamSocket, leaf: Certificate) -> StreamSocket:
    """The server half of an SMTP-like STARTTLS exchange on an accepted plain socket."""
    reader = partial_reader(sock)
    await send(sock, "220 netrt ESMTP test\r\n")
    ehlo = await read_line(reader)
    assert ehlo.upper().startswith(("EHLO", "HELO")), ehlo
    await send(sock, "250-netrt greets you\r\n250 STARTTLS\r\n")
    assert (await read_line(reader)).rstrip() == "STARTTLS"
    await send(sock, "220 Go ahead\r\n")
    reader.detach_stream()  # nothing is left unconsumed: the upgrade may go ahead
    await within(sock.upgrade_to_ssl_as_server_async(SocketProtectionLevel.TLS12, leaf))
    return sock


async def test_server_starttls_with_a_netrt_client(listening: Listening, leaf: Certificate, ca: Certificate) -> None:
    await listening.bind(SocketProtectionLevel.PLAIN_SOCKET)
    client = StreamSocket()
    client.control.trusted_root_certificates.append(ca)
    await within(client.connect_async("localhost", listening.port))
    server = asyncio.create_task(serve_starttls(await listening.accept(), leaf))

    reader = partial_reader(client)
    assert (await read_line(reader)).startswith("220 ")
    await send(client, "EHLO me\r\n")
    assert (await read_line(reader)).startswith("250-")
    assert await read_line(reader) == "250 STARTTLS\r\n"
    await send(client, "STARTTLS\r\n")
    assert await read_line(reader) == "220 Go ahead\r\n"
    reader.detach_stream()
    await within(client.upgrade_to_ssl_async(SocketProtectionLevel.TLS12, netrt.HostName("localhost")))
    tls_server = await within(server)
    assert tls_server.information.protection_level == SocketProtectionLevel.TLS12
    assert tls_server.information.negotiated_tls_version != 0
    assert client.information.server_certificate == leaf
    await send(client, "over tls\n")
    assert await read_exact(tls_server, 9) == b"over tls\n"
    client.close()
    tls_server.close()


async def test_server_starttls_with_openssl_s_client(
    listening: Listening, leaf: Certificate, pki: Pki, s_client
) -> None:  # type: ignore[no-untyped-def]
    await listening.bind(SocketProtectionLevel.PLAIN_SOCKET)
    client = s_client(listening.port, "-starttls", "smtp", "-CAfile", str(pki.path("ca.pem")), "-verify_return_error")
    tls = await within(serve_starttls(await listening.accept(), leaf))
    await send(tls, "250 secret reply\r\n")
    out = await asyncio.to_thread(client.wait_for_output, "secret reply")
    assert "Verify return code: 0 (ok)" in out, out
    tls.close()


async def test_server_starttls_injection_is_refused(listening: Listening, leaf: Certificate) -> None:
    await listening.bind(SocketProtectionLevel.PLAIN_SOCKET)
    attacker = socket.create_connection(("127.0.0.1", int(listening.port)), timeout=10)
    try:
        accepted = await listening.accept()
        reader = partial_reader(accepted)
        # STARTTLS and an injected command in one segment, as in CVE-2011-0411.
        attacker.sendall(b"STARTTLS\r\nRCPT TO:<victim@example.com>\r\n")
        assert await read_line(reader) == "STARTTLS\r\n"
        with pytest.raises(netrt.NetworkError) as info:
            await within(accepted.upgrade_to_ssl_as_server_async(SocketProtectionLevel.TLS12, leaf))
        assert info.value.hresult == NETRT_E_STARTTLS_PLAINTEXT_PENDING, info.value
        assert "plaintext" in str(info.value)
        # The connection was closed.
        with pytest.raises(netrt.NetworkError) as closed:
            await within(accepted.input_stream.read_async(netrt.Buffer(1), 1, InputStreamOptions.NONE))
        assert closed.value.hresult == RO_E_CLOSED
    finally:
        attacker.close()


async def test_client_starttls_injection_is_refused(listening: Listening, ca: Certificate) -> None:
    await listening.bind(SocketProtectionLevel.PLAIN_SOCKET)
    client = StreamSocket()
    client.control.trusted_root_certificates.append(ca)
    await within(client.connect_async("localhost", listening.port))
    accepted = await listening.accept()
    # A man in the middle answers STARTTLS and appends a forged plaintext reply.
    await send(accepted, "220 Go ahead\r\n250 forged\r\n")
    reader = partial_reader(client)
    assert await read_line(reader) == "220 Go ahead\r\n"
    with pytest.raises(netrt.NetworkError) as info:
        await within(client.upgrade_to_ssl_async(SocketProtectionLevel.TLS12, netrt.HostName("localhost")))
    assert info.value.hresult == NETRT_E_STARTTLS_PLAINTEXT_PENDING
    accepted.close()
    client.close()


async def test_upgrade_as_server_checks_its_arguments(leaf: Certificate) -> None:
    sock = StreamSocket()
    with pytest.raises(TypeError):
        sock.upgrade_to_ssl_as_server_async(SocketProtectionLevel.TLS12, b"not a certificate")  # type: ignore[arg-type]
    with pytest.raises(netrt.NetworkError) as info:
        await within(sock.upgrade_to_ssl_as_server_async(SocketProtectionLevel.TLS12, leaf))
    assert info.value.hresult == 0x8000000E - 2**32  # E_ILLEGAL_METHOD_CALL: not connected
    sock.close()


async def test_tls_listener_bound_to_loopback_serves_openssl_s_client(
    leaf: Certificate, pki: Pki, s_client
) -> None:  # type: ignore[no-untyped-def]
    lst = Listening()
    lst.listener.control.server_certificate = leaf
    await within(lst.listener.bind_endpoint_async("127.0.0.1", "", SocketProtectionLevel.TLS12))
    port = lst.listener.information.local_port
    client = s_client(port, "-CAfile", str(pki.path("ca.pem")), "-verify_return_error", "-servername", "localhost")
    accepted = await lst.accept()
    assert accepted.information.protection_level == SocketProtectionLevel.TLS12
    assert accepted.information.local_address.canonical_name == "127.0.0.1"
    client.send("over loopback\n")
    assert await read_exact(accepted, 14) == b"over loopback\n"
    await send(accepted, "from netrt server\n")
    out = await asyncio.to_thread(client.wait_for_output, "from netrt server")
    assert "Verify return code: 0 (ok)" in out, out
    accepted.close()
    lst.listener.close()


async def test_tls_endpoint_bind_without_server_certificate_is_invalid_arg() -> None:
    with StreamSocketListener() as listener:
        with pytest.raises(netrt.InvalidArgumentError):
            await within(listener.bind_endpoint_async("127.0.0.1", "", SocketProtectionLevel.TLS12))


async def test_client_without_client_hello_is_dropped_after_the_listener_handshake_timeout(leaf: Certificate) -> None:
    lst = Listening()
    control = lst.listener.control
    assert control.tls_handshake_timeout == datetime.timedelta(seconds=30)
    with pytest.raises(netrt.InvalidArgumentError):
        control.tls_handshake_timeout = datetime.timedelta(microseconds=-1)
    control.tls_handshake_timeout = datetime.timedelta(milliseconds=300)
    assert control.tls_handshake_timeout == datetime.timedelta(milliseconds=300)
    control.server_certificate = leaf
    await within(lst.listener.bind_endpoint_async("127.0.0.1", "", SocketProtectionLevel.TLS12))
    with pytest.raises(netrt.NetworkError) as info:
        control.tls_handshake_timeout = datetime.timedelta(0)  # fixed once bound
    assert info.value.hresult == 0x8000000E - 2**32  # E_ILLEGAL_METHOD_CALL
    port = int(lst.listener.information.local_port)

    def silent_client() -> bytes:
        # Connects and never sends a ClientHello; the server hangs up (end of stream or reset).
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            try:
                return s.recv(1)
            except ConnectionResetError:
                return b""

    assert await asyncio.to_thread(silent_client) == b""
    assert lst.accepted.empty(), "a client that never said hello was delivered"
    lst.listener.close()
