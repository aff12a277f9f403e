"""MessageWebSocket's pull receive (`receive_message_async`, a netrt extension, and `async for`,
which goes through it) against the `websockets` server (tests/peers/ws_server.py): order and
content, cancellation that loses nothing, the end of the receive side, and the rule between it
and MessageReceived."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

import netrt
from conftest import within
from netrt import MessageWebSocket, MessageWebSocketReceiveMode, SocketMessageType
from peers.procs import Peer
from peers.web import ws_server

E_ILLEGAL_METHOD_CALL = 0x8000000E - 2**32
RO_E_CLOSED = 0x80000013 - 2**32
WININET_E_CONNECTION_ABORTED = 0x80072EFE - 2**32


@pytest.fixture
def server() -> Iterator[Peer]:
    peer = ws_server()
    yield peer
    peer.close()


def direct() -> MessageWebSocket:
    ws = MessageWebSocket()
    ws.control.proxy = ""  # loopback: never through the environment's proxy
    return ws


async def connected(server: Peer, path: str, mode: MessageWebSocketReceiveMode | None = None) -> MessageWebSocket:
    ws = direct()
    if mode is not None:
        ws.control.receive_mode = mode
    await within(ws.connect_async(f"ws://127.0.0.1:{server.port}{path}"))
    return ws


async def send(ws: MessageWebSocket, kind: SocketMessageType, data: bytes) -> None:
    ws.control.message_type = kind
    await within(ws.output_stream.write_async(data))


async def test_messages_arrive_in_order_with_their_types(server: Peer) -> None:
    with await connected(server, "/echo") as ws:
        await send(ws, SocketMessageType.UTF8, "héllo".encode())
        await send(ws, SocketMessageType.BINARY, b"\x00\xff")
        await send(ws, SocketMessageType.BINARY, b"")
        got = [await within(ws.receive_message_async()) for _ in range(3)]
        assert [(a.message_type, a.is_message_complete, a.data()) for a in got] == [
            (SocketMessageType.UTF8, True, "héllo".encode()),
            (SocketMessageType.BINARY, True, b"\x00\xff"),
            (SocketMessageType.BINARY, True, b""),
        ]
        reader = got[0].get_data_reader()
        assert reader.read_string(reader.unconsumed_buffer_length) == "héllo"


async def test_fragmented_messages_whole_and_in_pieces(server: Peer) -> None:
    with await connected(server, "/fragmented") as ws:
        first, second = [await within(ws.receive_message_async()) for _ in range(2)]
        assert (first.message_type, first.data()) == (SocketMessageType.UTF8, b"fragmented text")
        assert (second.message_type, second.data()) == (SocketMessageType.BINARY, b"\x00\x01\x02\x03\x04")
    with await connected(server, "/fragmented", MessageWebSocketReceiveMode.PARTIAL_MESSAGE) as ws:
        for kind, whole in [(SocketMessageType.UTF8, b"fragmented text"), (SocketMessageType.BINARY, b"\x00\x01\x02\x03\x04")]:
            pieces = []
            while True:
                piece = await within(ws.receive_message_async())
                assert piece.message_type == kind
                pieces.append(piece.data())
                if piece.is_message_complete:
                    break
            assert b"".join(pieces) == whole
            assert len(pieces) > 1


async def receive(ws: MessageWebSocket) -> netrt.MessageWebSocketMessageReceivedEventArgs:
    return await ws.receive_message_async()


async def test_cancelled_receives_lose_nothing(server: Peer) -> None:
    count = 200
    with await connected(server, f"/count?n={count}") as ws:
        # The first receive is made before the server starts: from then on nothing is dropped.
        first = ws.receive_message_async()
        await send(ws, SocketMessageType.UTF8, b"go")
        seen: list[str] = [(await within(first)).data().decode()]
        while len(seen) < count:
            # A task receiving cancelled before it ran (it takes nothing), then a receive
            # cancelled after a turn of the loop (it may have taken a message by then: it then
            # completes with it, as a cancelled read completes with its bytes), then one that is
            # awaited.
            for turns in range(len(seen) % 3):
                if len(seen) == count:
                    break
                if turns == 0:
                    task = asyncio.create_task(receive(ws))
                    task.cancel()
                    with pytest.raises(asyncio.CancelledError):
                        await task
                    continue
                op = ws.receive_message_async()
                await asyncio.sleep(0)
                op.cancel()
                if op.status == netrt.AsyncStatus.COMPLETED:
                    seen.append(op.get_results().data().decode())
                else:
                    assert op.status == netrt.AsyncStatus.CANCELED, (op.status, op.error_code)
            if len(seen) < count:
                seen.append((await within(ws.receive_message_async())).data().decode())
        assert seen == [str(i) for i in range(count)]
        with pytest.raises(netrt.NetworkError) as e:
            await within(ws.receive_message_async())
        assert e.value.hresult == RO_E_CLOSED


async def test_async_for_ends_at_the_close_frame(server: Peer) -> None:
    with await connected(server, "/count?n=20") as ws:
        messages = aiter(ws)
        first = anext(messages)
        await send(ws, SocketMessageType.UTF8, b"go")
        assert (await within(first)).data() == b"0"
        assert [a.data() async for a in messages] == [str(i).encode() for i in range(1, 20)]


async def test_receive_after_close_and_after_a_dropped_connection(server: Peer) -> None:
    ws = await connected(server, "/echo")
    pending = asyncio.create_task(receive(ws))
    await asyncio.sleep(0)
    ws.close()
    with pytest.raises(netrt.NetworkError) as e:
        await within(pending)
    assert e.value.hresult == RO_E_CLOSED
    with pytest.raises(netrt.NetworkError) as e:
        ws.receive_message_async()
    assert e.value.hresult == RO_E_CLOSED

    with await connected(server, "/drop") as ws:
        await send(ws, SocketMessageType.BINARY, b"1")
        last = await within(ws.receive_message_async())
        with pytest.raises(netrt.NetworkError) as e:
            last.data()
        assert e.value.hresult == WININET_E_CONNECTION_ABORTED
        with pytest.raises(netrt.NetworkError) as e:
            await within(ws.receive_message_async())
        assert e.value.hresult == RO_E_CLOSED


async def test_no_pull_receive_while_a_message_received_handler_is_registered(server: Peer) -> None:
    ws = direct()
    with pytest.raises(netrt.NetworkError) as e:
        ws.receive_message_async()  # not connected
    assert e.value.hresult == E_ILLEGAL_METHOD_CALL
    await within(ws.connect_async(f"ws://127.0.0.1:{server.port}/echo"))
    loop = asyncio.get_running_loop()
    handled: asyncio.Future[bytes] = loop.create_future()
    token = ws.add_message_received(
        lambda _s, a: loop.call_soon_threadsafe(lambda: handled.done() or handled.set_result(a.data()))
    )
    with pytest.raises(netrt.NetworkError) as e:
        ws.receive_message_async()
    assert e.value.hresult == E_ILLEGAL_METHOD_CALL
    await send(ws, SocketMessageType.BINARY, b"to the handler")
    assert await within(handled) == b"to the handler"
    ws.remove_message_received(token)
    await send(ws, SocketMessageType.BINARY, b"pulled")
    assert (await within(ws.receive_message_async())).data() == b"pulled"
    first = ws.receive_message_async()
    with pytest.raises(netrt.NetworkError) as e:
        ws.receive_message_async()  # one at a time
    assert e.value.hresult == E_ILLEGAL_METHOD_CALL
    first.cancel()
    ws.close()


async def test_a_task_cancelled_after_its_receive_completed_loses_nothing(server: Peer) -> None:
    with await connected(server, "/echo") as ws:
        op = ws.receive_message_async()

        async def awaiting() -> netrt.MessageWebSocketMessageReceivedEventArgs:
            return await op

        task = asyncio.create_task(awaiting())
        await asyncio.sleep(0)  # the task awaits the receive (the loop drives it)
        await send(ws, SocketMessageType.BINARY, b"kept")
        # The receive completes on a turn of the loop; the task resumes on a later one (its
        # future's callbacks are scheduled): cancelled in between, it never sees the message.
        while op.status == netrt.AsyncStatus.STARTED:
            await asyncio.sleep(0)
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert op.status == netrt.AsyncStatus.CANCELED
        assert (await within(ws.receive_message_async())).data() == b"kept"


async def test_a_loop_driven_receive_ends_when_another_thread_closes_the_socket(server: Peer) -> None:
    ws = await connected(server, "/echo")
    pending = asyncio.create_task(receive(ws))
    await asyncio.sleep(0)  # pending on the loop, which watches the socket
    await asyncio.to_thread(ws.close)
    with pytest.raises(netrt.NetworkError) as e:
        await within(pending)
    assert e.value.hresult == RO_E_CLOSED


async def test_async_for_on_a_closed_socket_raises_at_once(server: Peer) -> None:
    ws = await connected(server, "/echo")
    ws.close()
    with pytest.raises(netrt.NetworkError) as e:
        aiter(ws)
    assert e.value.hresult == RO_E_CLOSED
