"""MessageWebSocket and StreamWebSocket against real peers: the `websockets` server
(tests/peers/ws_server.py), nginx terminating TLS in front of it with auth_basic, tinyproxy,
and Digest authentication through lighttpd (SHA-256) and squid (a proxy, MD5)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

import netrt
from conftest import STEP, within
from netrt import (
    Certificate,
    DataWriter,
    InputStreamOptions,
    MessageWebSocket,
    MessageWebSocketMessageReceivedEventArgs,
    PasswordCredential,
    SocketMessageType,
    StreamWebSocket,
    Uri,
    WebErrorStatus,
    WebSocketClosedEventArgs,
    WebSocketError,
)
from peers.pki import Pki
from peers.procs import Peer
from peers.web import digest_server, nginx_tls_proxy, tinyproxy, ws_server

HRESULT_WSAEMSGSIZE = 0x80072738 - 2**32
E_NO_UNICODE_TRANSLATION = 0x80070459 - 2**32
WININET_E_CONNECTION_ABORTED = 0x80072EFE - 2**32
WININET_E_INVALID_SERVER_RESPONSE = 0x80072F78 - 2**32
WININET_E_SEC_INVALID_CERT = 0x80072F89 - 2**32
HTTP_E_STATUS_DENIED = 0x80190191 - 2**32
RO_E_CLOSED = 0x80000013 - 2**32


@pytest.fixture
def peers() -> Iterator[list[Peer]]:
    """Peers a test starts; all stopped at its end."""
    started: list[Peer] = []
    yield started
    for p in started:
        p.close()


def start(peers: list[Peer], *args: str) -> Peer:
    peer = ws_server(*args)
    peers.append(peer)
    return peer


def url(peer: Peer, path: str = "/echo", scheme: str = "ws", host: str = "127.0.0.1") -> str:
    return f"{scheme}://{host}:{peer.port}{path}"


def text_of(args: MessageWebSocketMessageReceivedEventArgs) -> str:
    reader = args.get_data_reader()
    return reader.read_string(reader.unconsumed_buffer_length)


def bytes_of(args: MessageWebSocketMessageReceivedEventArgs) -> bytes:
    reader = args.get_data_reader()
    return reader.read_bytes(reader.unconsumed_buffer_length)


async def send(ws: MessageWebSocket, kind: SocketMessageType, data: bytes) -> None:
    ws.control.message_type = kind
    assert await within(ws.output_stream.write_async(data)) == len(data)


async def collect(
    messages: AsyncIterator[MessageWebSocketMessageReceivedEventArgs],
) -> list[MessageWebSocketMessageReceivedEventArgs]:
    """Every message `messages` (`aiter(socket)`) yields until it ends (bounded)."""

    async def run() -> list[MessageWebSocketMessageReceivedEventArgs]:
        return [a async for a in messages]

    return await within(run())


async def next_message(messages: object) -> MessageWebSocketMessageReceivedEventArgs:
    return await within(messages.__anext__())  # type: ignore[attr-defined]


def closed_events(ws: MessageWebSocket | StreamWebSocket) -> asyncio.Future[tuple[object, WebSocketClosedEventArgs]]:
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[tuple[object, WebSocketClosedEventArgs]] = loop.create_future()

    def on_closed(sender: object, args: WebSocketClosedEventArgs) -> None:
        loop.call_soon_threadsafe(lambda: fut.done() or fut.set_result((sender, args)))

    ws.add_closed(on_closed)
    return fut


async def test_text_and_binary_echo_with_async_for(peers: list[Peer]) -> None:
    server = start(peers)
    with MessageWebSocket() as ws:
        await within(ws.connect_async(Uri(url(server))))
        messages = ws.__aiter__()
        await send(ws, SocketMessageType.UTF8, "héllo".encode())
        first = await next_message(messages)
        assert first.message_type == SocketMessageType.UTF8 and first.is_message_complete
        assert text_of(first) == "héllo"
        await send(ws, SocketMessageType.BINARY, b"\x00\xffbin")
        second = await next_message(messages)
        assert second.message_type == SocketMessageType.BINARY
        assert bytes_of(second) == b"\x00\xffbin"


async def test_a_str_is_accepted_where_a_uri_is_expected_and_a_bad_one_is_invalid_arg(peers: list[Peer]) -> None:
    server = start(peers)
    with MessageWebSocket() as ws:
        with pytest.raises(netrt.InvalidArgumentError, match="relative URL without a base"):
            ws.connect_async("no-scheme/echo")
        with pytest.raises(TypeError):
            ws.connect_async(42)  # type: ignore[arg-type]
        await within(ws.connect_async(url(server)))
        loop = asyncio.get_running_loop()
        got: asyncio.Future[tuple[object, MessageWebSocketMessageReceivedEventArgs]] = loop.create_future()
        ws.add_message_received(lambda s, a: loop.call_soon_threadsafe(got.set_result, (s, a)))
        await send(ws, SocketMessageType.UTF8, b"handler")
        sender, args = await within(got)
        assert sender is ws and text_of(args) == "handler"
        ws.close()
        with pytest.raises(netrt.NetworkError) as e:
            ws.set_request_header("X-Late", "1")
        assert e.value.hresult == RO_E_CLOSED


async def test_one_mebibyte_message_both_ways(peers: list[Peer]) -> None:
    server = start(peers)
    payload = bytes(range(256)) * 4096
    with MessageWebSocket() as ws:
        await within(ws.connect_async(url(server)))
        messages = ws.__aiter__()
        writer = DataWriter(ws.output_stream)
        writer.write_bytes(payload)
        assert await within(writer.store_async()) == len(payload)
        args = await next_message(messages)
        assert args.message_type == SocketMessageType.BINARY and bytes_of(args) == payload


async def test_fragments_sent_with_nonfinal_and_final_frames_make_one_message(peers: list[Peer]) -> None:
    server = start(peers)
    with MessageWebSocket() as ws:
        ws.control.message_type = SocketMessageType.UTF8
        await within(ws.connect_async(url(server)))
        messages = ws.__aiter__()
        assert await within(ws.send_nonfinal_frame_async(b"frag")) == 4
        assert await within(ws.send_nonfinal_frame_async(bytearray(b"men"))) == 3
        assert await within(ws.send_final_frame_async(memoryview(b"ted"))) == 3
        assert text_of(await next_message(messages)) == "fragmented"


async def test_the_servers_preferred_subprotocol_wins(peers: list[Peer]) -> None:
    server = start(peers, "--protocols", "chat.v2,chat.v1")
    with MessageWebSocket() as ws:
        ws.control.supported_protocols.extend(["chat.v1", "chat.v2"])
        assert list(ws.control.supported_protocols) == ["chat.v1", "chat.v2"]
        with pytest.raises(netrt.InvalidArgumentError):
            ws.control.supported_protocols.append("not a token")
        assert ws.information.protocol == ""
        await within(ws.connect_async(url(server)))
        assert ws.information.protocol == "chat.v2"


async def test_a_subprotocol_never_offered_fails_the_connect(peers: list[Peer]) -> None:
    server = start(peers, "--force-protocol", "rogue")
    with MessageWebSocket() as ws:
        ws.control.supported_protocols.append("chat.v1")
        with pytest.raises(netrt.NetworkError) as e:
            await within(ws.connect_async(url(server)))
        assert e.value.hresult == WININET_E_INVALID_SERVER_RESPONSE
        assert WebSocketError.get_status(e.value.hresult) == WebErrorStatus.ERROR_HTTP_INVALID_SERVER_RESPONSE


async def test_basic_auth_unauthorized_without_credential_then_success_with_it(peers: list[Peer]) -> None:
    server = start(peers, "--basic", "alice:s3cret")
    with MessageWebSocket() as ws:
        with pytest.raises(netrt.NetworkError) as e:
            await within(ws.connect_async(url(server)))
        assert e.value.hresult == HTTP_E_STATUS_DENIED
        assert WebSocketError.get_status(e.value.hresult) == WebErrorStatus.UNAUTHORIZED
    with MessageWebSocket() as ws:
        ws.control.server_credential = PasswordCredential("ws://127.0.0.1/", "alice", "wrong")
        with pytest.raises(netrt.NetworkError) as e:
            await within(ws.connect_async(url(server)))
        assert WebSocketError.get_status(e.value.hresult) == WebErrorStatus.UNAUTHORIZED
        # The control holds the credential object itself: fixing it fixes what is sent, and a
        # failed connect leaves the socket reusable.
        held = ws.control.server_credential
        assert held is not None and held.user_name == "alice"
        held.password = "s3cret"
        await within(ws.connect_async(url(server)))
        messages = ws.__aiter__()
        await send(ws, SocketMessageType.UTF8, b"authenticated")
        assert text_of(await next_message(messages)) == "authenticated"


async def test_close_code_and_reason_reach_the_server(peers: list[Peer]) -> None:
    server = start(peers)
    ws = MessageWebSocket()
    await within(ws.connect_async(url(server)))
    messages = ws.__aiter__()
    with pytest.raises(netrt.InvalidArgumentError):
        ws.close(1005, "reserved")
    with pytest.raises(netrt.InvalidArgumentError):
        ws.close(1000, "x" * 124)
    with pytest.raises(OverflowError):
        ws.close(70000, "")
    ws.close(4001, "bye now")
    server.wait_for_output("CLOSED 4001 bye now", timeout=STEP)
    # async for ends once the receive side is over.
    with pytest.raises(StopAsyncIteration):
        await within(messages.__anext__())


async def test_the_servers_close_frame_raises_closed_once_and_ends_async_for(peers: list[Peer]) -> None:
    server = start(peers)
    ws = MessageWebSocket()
    closed = closed_events(ws)
    await within(ws.connect_async(url(server, "/close?code=4002&reason=done")))
    sender, args = await within(closed)
    assert sender is ws
    assert (args.code, args.reason) == (4002, "done")
    received = await collect(aiter(ws))  # the receive side has ended: nothing more
    assert received == []
    ws.close()


async def test_max_message_size_exceeded_is_the_last_message_and_closes_with_1009(peers: list[Peer]) -> None:
    server = start(peers)
    with MessageWebSocket() as ws:
        ws.control.max_message_size = 10
        assert ws.control.max_message_size == 10
        with pytest.raises(netrt.InvalidArgumentError):
            ws.control.max_message_size = 0
        await within(ws.connect_async(url(server)))
        messages = aiter(ws)  # subscribed before the message that fails the connection
        await send(ws, SocketMessageType.BINARY, b"x" * 100)
        received = await collect(messages)
        assert len(received) == 1
        with pytest.raises(netrt.NetworkError) as e:
            received[0].get_data_reader()
        assert e.value.hresult == HRESULT_WSAEMSGSIZE
        with pytest.raises(netrt.NetworkError):
            received[0].get_data_stream()
        server.wait_for_output("CLOSED 1009", timeout=STEP)


async def test_stream_web_socket_echo_and_close_from_the_server(peers: list[Peer]) -> None:
    server = start(peers)
    with StreamWebSocket() as ws:
        assert ws.control.no_delay is True
        ws.control.no_delay = False
        ws.set_request_header("X-Netrt-Test", "1")
        await within(ws.connect_async(url(server)))
        with pytest.raises(netrt.NetworkError):
            ws.control.no_delay = True  # after connect: E_ILLEGAL_METHOD_CALL
        assert await within(ws.output_stream.write_async(b"stream bytes")) == 12
        got = b""
        while len(got) < 12:
            buf = await within(ws.input_stream.read_async(netrt.Buffer(64), 64, InputStreamOptions.PARTIAL))
            got += bytes(buf)
        assert got == b"stream bytes"
        assert ws.information.local_address is not None
        assert ws.information.bandwidth_statistics.unpack() is not None


async def test_server_custom_validation_reject_and_deferral(peers: list[Peer], pki: Pki, ca: Certificate) -> None:
    server = start(peers, "--tls", str(pki.path("leaf.pem")), str(pki.path("leaf.key")))
    target = url(server, scheme="wss", host="localhost")
    with MessageWebSocket() as ws:
        ws.control.trusted_root_certificates.append(ca)
        ws.add_server_custom_validation_requested(lambda _s, args: args.reject())
        with pytest.raises(netrt.NetworkError) as e:
            await within(ws.connect_async(target))
        assert e.value.hresult == WININET_E_SEC_INVALID_CERT
        assert WebSocketError.get_status(e.value.hresult) == WebErrorStatus.CERTIFICATE_IS_INVALID
    with MessageWebSocket() as ws:
        ws.control.trusted_root_certificates.append(ca)
        seen: list[str] = []
        loop = asyncio.get_running_loop()

        def validate(_s: MessageWebSocket, args: netrt.WebSocketServerCustomValidationRequestedEventArgs) -> None:
            assert args.server_certificate is not None
            seen.append(args.server_certificate.subject)
            deferral = args.get_deferral()
            loop.call_soon_threadsafe(loop.call_later, 0.05, deferral.complete)

        ws.add_server_custom_validation_requested(validate)
        await within(ws.connect_async(target))
        assert seen == ["localhost"]
        assert ws.information.server_certificate is not None
        assert ws.information.server_certificate_error_severity == netrt.SocketSslErrorSeverity.NONE


@pytest.fixture
def nginx(peers: list[Peer], pki: Pki, tmp_path: Path) -> Peer:
    upstream = start(peers)
    proxy = nginx_tls_proxy(
        tmp_path, pki.path("leaf.pem"), pki.path("leaf.key"), upstream.port, "bob", "hunter2"
    )
    peers.append(proxy)
    return proxy


async def test_wss_through_nginx_with_auth_basic(nginx: Peer, ca: Certificate) -> None:
    target = url(nginx, scheme="wss", host="localhost")
    with MessageWebSocket() as ws:
        ws.control.trusted_root_certificates.append(ca)
        with pytest.raises(netrt.NetworkError) as e:
            await within(ws.connect_async(target))
        assert WebSocketError.get_status(e.value.hresult) == WebErrorStatus.UNAUTHORIZED
    with MessageWebSocket() as ws:
        ws.control.trusted_root_certificates.append(ca)
        ws.control.server_credential = PasswordCredential(target, "bob", "hunter2")
        await within(ws.connect_async(Uri(target)))
        messages = ws.__aiter__()
        await send(ws, SocketMessageType.UTF8, b"via nginx")
        assert text_of(await next_message(messages)) == "via nginx"
        assert ws.information.server_certificate is not None


async def test_stream_web_socket_sees_the_servers_close_as_end_of_stream_and_closed(peers: list[Peer]) -> None:
    server = start(peers)
    with StreamWebSocket() as ws:
        closed = closed_events(ws)
        await within(ws.connect_async(Uri(url(server, "/close?code=4003&reason=stream%20over"))))
        end = await within(ws.input_stream.read_async(netrt.Buffer(16), 16, InputStreamOptions.PARTIAL))
        assert len(end) == 0
        sender, args = await within(closed)
        assert sender is ws
        assert (args.code, args.reason) == (4003, "stream over")


async def test_stream_web_socket_close_code_reaches_the_server(peers: list[Peer]) -> None:
    server = start(peers)
    ws = StreamWebSocket()
    await within(ws.connect_async(url(server)))
    ws.close(4004, "done streaming")
    server.wait_for_output("CLOSED 4004 done streaming", timeout=STEP)


async def test_through_tinyproxy_with_proxy_credential(peers: list[Peer], tmp_path: Path) -> None:
    server = start(peers)
    proxy = tinyproxy(tmp_path, ("pxuser", "pxpass"))
    peers.append(proxy)
    with MessageWebSocket() as ws:
        assert ws.control.proxy is None  # the environment's, by default
        ws.control.proxy = ""
        assert ws.control.proxy == ""
        with pytest.raises(netrt.InvalidArgumentError, match="only http://"):
            ws.control.proxy = "socks5://127.0.0.1:1080"
        ws.control.proxy = f"127.0.0.1:{proxy.port}"
        assert ws.control.proxy == f"http://127.0.0.1:{proxy.port}"
    await refused_then_tunnelled(server, proxy, ("pxuser", "pxpass"))
    proxy.wait_for_output("CONNECT", timeout=STEP)


async def refused_then_tunnelled(server: Peer, proxy: Peer, credential: tuple[str, str]) -> None:
    """Through `proxy`: 407 (ProxyAuthenticationRequired) without a ProxyCredential, an echo
    with `credential`."""
    with MessageWebSocket() as ws:
        ws.control.proxy = f"127.0.0.1:{proxy.port}"
        with pytest.raises(netrt.NetworkError) as e:
            await within(ws.connect_async(url(server)))
        assert WebSocketError.get_status(e.value.hresult) == WebErrorStatus.PROXY_AUTHENTICATION_REQUIRED
    with MessageWebSocket() as ws:
        ws.control.proxy = f"http://127.0.0.1:{proxy.port}"
        ws.control.proxy_credential = PasswordCredential("", *credential)
        await within(ws.connect_async(url(server)))
        messages = aiter(ws)
        await send(ws, SocketMessageType.BINARY, b"tunnelled")
        assert bytes_of(await next_message(messages)) == b"tunnelled"


async def pieces_until(
    messages: AsyncIterator[MessageWebSocketMessageReceivedEventArgs], complete: bool
) -> tuple[bytes, list[MessageWebSocketMessageReceivedEventArgs]]:
    """The pieces up to the first whose IsMessageComplete is `complete`, and their bytes."""
    pieces = [await next_message(messages)]
    while pieces[-1].is_message_complete != complete:
        pieces.append(await next_message(messages))
    return b"".join(bytes_of(p) for p in pieces), pieces


async def test_partial_message_pieces_arrive_before_the_message_is_complete(peers: list[Peer]) -> None:
    # The server sends its last fragment only once asked: pieces held back until the message
    # is complete would never be asked for, and the wait would run out.
    server = start(peers)
    with MessageWebSocket() as ws:
        ws.control.receive_mode = netrt.MessageWebSocketReceiveMode.PARTIAL_MESSAGE
        messages = aiter(ws)  # before connect: the server sends its first pieces at once
        await within(ws.connect_async(url(server, "/stepwise")))
        first = b""
        while first != b"first second ":
            piece = await next_message(messages)
            assert not piece.is_message_complete
            assert piece.message_type == SocketMessageType.UTF8
            first += bytes_of(piece)
        await send(ws, SocketMessageType.UTF8, b"next")
        # websockets ends the message with an empty final frame: the last piece can be empty.
        rest, _ = await pieces_until(messages, complete=True)
        assert rest == b"last"


async def test_invalid_utf8_fails_the_connection_with_1007(peers: list[Peer]) -> None:
    server = start(peers)
    with MessageWebSocket() as ws:
        messages = aiter(ws)  # before connect: the server sends its frame at once
        await within(ws.connect_async(url(server, "/badutf8")))
        received = await collect(messages)
        assert len(received) == 1
        with pytest.raises(netrt.NetworkError) as e:
            received[0].get_data_reader()
        assert e.value.hresult == E_NO_UNICODE_TRANSLATION
        server.wait_for_output("CLOSED 1007", timeout=STEP)


async def test_a_killed_server_is_connection_aborted_without_closed(peers: list[Peer]) -> None:
    server = start(peers)
    with MessageWebSocket() as ws:
        closed = closed_events(ws)
        await within(ws.connect_async(url(server)))
        messages = aiter(ws)
        await send(ws, SocketMessageType.BINARY, b"one")
        assert bytes_of(await next_message(messages)) == b"one"
        server.close()  # stops the server's process
        received = await collect(messages)
        assert len(received) == 1
        with pytest.raises(netrt.NetworkError) as e:
            received[0].get_data_reader()
        assert e.value.hresult == WININET_E_CONNECTION_ABORTED
        assert WebSocketError.get_status(e.value.hresult) == WebErrorStatus.CONNECTION_ABORTED
        assert not closed.done()


async def test_digest_sha256_through_lighttpd(peers: list[Peer]) -> None:
    upstream = start(peers)
    lighttpd = digest_server("lighttpd", "carol", "p@ss word", upstream.port)
    peers.append(lighttpd)
    with MessageWebSocket() as ws:
        with pytest.raises(netrt.NetworkError) as e:
            await within(ws.connect_async(url(lighttpd)))
        assert WebSocketError.get_status(e.value.hresult) == WebErrorStatus.UNAUTHORIZED
    with MessageWebSocket() as ws:
        ws.control.server_credential = PasswordCredential("", "carol", "p@ss word")
        await within(ws.connect_async(url(lighttpd)))
        messages = aiter(ws)
        await send(ws, SocketMessageType.BINARY, b"digest")
        assert bytes_of(await next_message(messages)) == b"digest"


async def test_proxy_digest_through_squid(peers: list[Peer]) -> None:
    server = start(peers)
    squid = digest_server("squid", "erin", "pr0xy")
    peers.append(squid)
    await refused_then_tunnelled(server, squid, ("erin", "pr0xy"))
    # squid logs a tunnel when it ends.
    squid.wait_for_output(f"CONNECT 127.0.0.1:{server.port} erin", timeout=STEP)
