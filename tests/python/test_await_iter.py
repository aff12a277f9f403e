"""The iterator an operation's `__await__` returns keeps the whole iterator protocol.

`await` steps it through its `am_send` slot (the result comes back without a StopIteration);
everything that drives awaitables the other way must see the same outcomes: `__next__` and
`send` end with `StopIteration(result)`, `throw` raises what was thrown in (and a pending
read is abandoned by it, losing nothing), `close` is accepted, and the type cannot be made
from Python.
"""

from __future__ import annotations

import asyncio
import socket
import types

import pytest

from conftest import STEP, Pair, within
from netrt import AsyncStatus, Buffer, DataReader, DataWriter, HostName, InputStreamOptions, StreamSocket


async def test_a_finished_operation_ends_next_and_send_with_its_result(pair: Pair) -> None:
    sock, _peer = pair
    writer = DataWriter(sock.output_stream)
    writer.write_bytes(b"abc")
    op = writer.store_async()
    assert await within(op) == 3
    it = op.__await__()
    assert iter(it) is it
    with pytest.raises(StopIteration) as stopped:
        next(it)
    assert stopped.value.value == 3
    with pytest.raises(StopIteration) as stopped:
        op.__await__().send(None)
    assert stopped.value.value == 3
    # Taken once: a second step of the same iterator ends with None, as a spent generator's.
    with pytest.raises(StopIteration) as stopped:
        it.send(None)
    assert stopped.value.value is None
    with pytest.raises(TypeError):
        type(it)()
    writer.detach_stream()


async def test_an_await_through_a_wrapping_coroutine_gets_the_result(pair: Pair) -> None:
    sock, peer = pair
    writer, reader = DataWriter(sock.output_stream), DataReader(sock.input_stream)

    @types.coroutine
    def by_hand(op):  # type: ignore[no-untyped-def]
        return (yield from op.__await__())

    writer.write_bytes(b"ping")
    assert await within(by_hand(writer.store_async())) == 4
    load = reader.load_async(4)
    peer.sendall(b"pong")
    assert await within(by_hand(load)) == 4
    assert reader.read_bytes(4) == b"pong"
    writer.detach_stream()
    reader.detach_stream()


async def test_throw_into_a_pending_read_raises_it_and_loses_no_bytes(pair: Pair) -> None:
    sock, peer = pair
    reader = DataReader(sock.input_stream)

    async def load() -> int:
        return await reader.load_async(4)

    coro = load()
    fut = coro.send(None)  # suspended on the pending read's future
    assert isinstance(fut, asyncio.Future)
    fut.cancel()
    with pytest.raises(asyncio.CancelledError):
        coro.throw(asyncio.CancelledError())
    peer.sendall(b"late")
    assert await within(reader.load_async(4)) == 4
    assert reader.read_bytes(4) == b"late"
    reader.detach_stream()


async def test_throw_with_a_type_and_value_and_close_are_accepted(pair: Pair) -> None:
    sock, _peer = pair
    reader = DataReader(sock.input_stream)
    load = reader.load_async(4)
    it = load.__await__()
    fut = next(it)
    assert isinstance(fut, asyncio.Future)
    with pytest.raises(ValueError, match="thrown"):
        it.throw(ValueError, "thrown")
    with pytest.raises(TypeError):
        it.throw()
    assert it.close() is None
    load.cancel()
    reader.detach_stream()


async def test_two_tasks_awaiting_one_pending_read_both_get_its_result(pair: Pair) -> None:
    sock, peer = pair
    reader = DataReader(sock.input_stream)
    load = reader.load_async(4)

    async def wait() -> int:
        return await load

    first, second = asyncio.create_task(wait()), asyncio.create_task(wait())
    await asyncio.sleep(0)  # both parked on the read
    peer.sendall(b"both")
    assert await within(asyncio.gather(first, second)) == [4, 4]
    assert reader.read_bytes(4) == b"both"
    reader.detach_stream()


async def test_a_pending_read_stepped_again_before_its_data_yields_its_future_again(pair: Pair) -> None:
    sock, peer = pair
    reader = DataReader(sock.input_stream)
    load = reader.load_async(4)
    it = load.__await__()
    fut = next(it)
    assert isinstance(fut, asyncio.Future) and fut._asyncio_future_blocking
    fut._asyncio_future_blocking = False  # as a task does when it takes the future
    assert next(it) is fut  # stepped again while pending: the same future, marked again
    assert fut._asyncio_future_blocking
    peer.sendall(b"late")
    for _ in range(int(STEP / 0.001)):  # the loop resolves the future once the data is there
        if fut.done():
            break
        await asyncio.sleep(0.001)
    with pytest.raises(StopIteration) as stopped:
        next(it)
    assert stopped.value.value == 4
    assert reader.read_bytes(4) == b"late"
    reader.detach_stream()


async def test_a_future_cancelled_without_its_task_seeing_it_gives_the_read_bytes_back(pair: Pair) -> None:
    # Nothing throws into the await: the loop completes the read, finds its future cancelled
    # and gives the bytes back to the stream, where the next read finds them.
    sock, peer = pair
    buf = Buffer(16)
    op = sock.input_stream.read_async(buf, 16, InputStreamOptions.PARTIAL)
    fut = next(op.__await__())
    fut.cancel()
    peer.sendall(b"back")
    for _ in range(int(STEP / 0.001)):
        if op.status != AsyncStatus.STARTED:
            break
        await asyncio.sleep(0.001)
    assert op.status == AsyncStatus.CANCELED
    again = Buffer(16)
    assert bytes(await within(sock.input_stream.read_async(again, 16, InputStreamOptions.PARTIAL))) == b"back"


class _OwnFuture(asyncio.Future):  # type: ignore[type-arg]
    pass


class _LoopWithOwnFutures(asyncio.SelectorEventLoop):
    def create_future(self) -> asyncio.Future:  # type: ignore[type-arg]
        return _OwnFuture(loop=self)


def test_a_loop_that_makes_its_own_futures_makes_those_of_pending_awaits() -> None:
    # netrt makes a pending await's future itself only for a loop whose `create_future` is
    # asyncio's own; any other loop is asked.
    async def main() -> tuple[type, bytes]:
        server = socket.create_server(("127.0.0.1", 0))
        sock = StreamSocket()
        await within(sock.connect_async(HostName("127.0.0.1"), str(server.getsockname()[1])))
        peer, _ = server.accept()
        server.close()
        reader = DataReader(sock.input_stream)
        load = reader.load_async(4)
        it = load.__await__()
        kind = type(next(it))
        peer.sendall(b"mine")
        with pytest.raises(StopIteration):
            while True:
                fut = next(it)
                fut._asyncio_future_blocking = False
                await within(fut)
        data = reader.read_bytes(4)
        sock.close()
        peer.close()
        return kind, data

    for _ in range(2):  # and again on a fresh loop of the same kind
        with asyncio.Runner(loop_factory=_LoopWithOwnFutures) as runner:
            assert runner.run(main()) == (_OwnFuture, b"mine")
    with asyncio.Runner() as runner:
        assert runner.run(main()) == (asyncio.Future, b"mine")
