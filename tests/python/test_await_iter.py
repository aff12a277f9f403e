"""The iterator an operation's `__await__` returns keeps the whole iterator protocol.

`await` steps it through its `am_send` slot (the result comes back without a StopIteration);
everything that drives awaitables the other way must see the same outcomes: `__next__` and
`send` end with `StopIteration(result)`, `throw` raises what was thrown in (and a pending
read is abandoned by it, losing nothing), `close` is accepted, and the type cannot be made
from Python.
"""

from __future__ import annotations

import asyncio
import types

import pytest

from conftest import Pair, within
from netrt import DataReader, DataWriter


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
