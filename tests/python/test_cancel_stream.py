"""Cancelling reads loses nothing and blocks nothing.

A peer streams 4-byte big-endian counters every 2 ms. The client reads with
``read_async(buf, 64, PARTIAL)`` and gives up on most reads after a jittered 0.5-4 ms, in the
three ways asyncio code does: ``asyncio.wait_for`` timing out, ``op.cancel()``, and cancelling
the task that awaits the read. Whatever the timing, the bytes collected are exactly the counters
in order (a read that had taken bytes delivers them — itself, or through the next read when the
code awaiting it was cancelled), and the read started right after a cancel is never refused.
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
import threading
import time

import pytest

import netrt
from conftest import Pair, within
from netrt import AsyncStatus, Buffer, HostName, InputStreamOptions, StreamSocket

COUNTERS = 1500
E_ILLEGAL_METHOD_CALL = 0x8000000E - 2**32


def stream_counters(conn: socket.socket) -> None:
    try:
        for i in range(COUNTERS):
            conn.sendall(struct.pack(">I", i))
            threading.Event().wait(0.002)
        conn.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def check_counters(data: bytes) -> None:
    assert len(data) == 4 * COUNTERS, f"{len(data)} bytes, expected {4 * COUNTERS}: a gap or a duplicate"
    values = struct.unpack(f">{COUNTERS}I", data)
    gaps = [(i, v) for i, v in enumerate(values) if v != i]
    assert not gaps, f"first out-of-order counters: {gaps[:5]}"


async def test_cancelled_reads_lose_no_byte_and_never_refuse_the_next_read() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    sock = StreamSocket()
    await within(sock.connect_async(HostName("127.0.0.1"), str(port)))
    conn, _ = server.accept()
    server.close()
    peer = threading.Thread(target=stream_counters, args=(conn,), daemon=True)
    peer.start()
    stream = sock.input_stream
    buf = Buffer(64)
    rng = random.Random(5)
    got = bytearray()
    refusals = 0
    gave_up = {"wait_for": 0, "cancel": 0, "task": 0}

    def start() -> netrt.IAsyncOperation:
        nonlocal refusals
        while True:
            try:
                return stream.read_async(buf, 64, InputStreamOptions.PARTIAL)
            except netrt.NetworkError as e:
                if e.hresult != E_ILLEGAL_METHOD_CALL:
                    raise
                refusals += 1

    async def read_via(op: netrt.IAsyncOperation) -> bytes:
        return bytes(await op)

    try:
        done = False
        while not done:
            way = rng.choice(("wait_for", "cancel", "task"))
            t = rng.uniform(0.0005, 0.004)
            op = start()
            data: bytes | None = None
            if way == "wait_for":
                try:
                    data = bytes(await asyncio.wait_for(op, t))
                except TimeoutError:
                    gave_up[way] += 1
            elif way == "cancel":
                await asyncio.sleep(t)
                if op.status == AsyncStatus.STARTED:
                    op.cancel()
                    gave_up[way] += 1
                if op.status == AsyncStatus.COMPLETED:
                    data = bytes(await within(op))
                else:
                    assert op.status == AsyncStatus.CANCELED
            else:
                task = asyncio.ensure_future(read_via(op))
                await asyncio.sleep(t)
                task.cancel()
                try:
                    data = await task
                except asyncio.CancelledError:
                    gave_up[way] += 1
            if data is not None:
                if not data:
                    done = True
                got += data
        check_counters(bytes(got))
        assert refusals == 0, f"{refusals} reads refused right after a cancel"
        # Not about timing: the loop must have exercised each way of giving up.
        assert all(gave_up.values()), gave_up
    finally:
        sock.close()
        conn.close()
        peer.join(timeout=10)


async def read_into(op: netrt.IAsyncOperation) -> bytes:
    return bytes(await op)


async def test_a_task_cancelled_after_its_read_completed_but_before_it_resumed_loses_nothing(
    pair: Pair,
) -> None:
    """The read completes and the task awaiting it is cancelled in the same loop iteration,
    in that order: what `asyncio.timeout` does (and `asyncio.wait_for`, built on it since
    Python 3.12) when its deadline comes as the bytes arrive. The loop runs the callback of
    the readable socket before the timers that are due, so a timer's cancel reaches the task
    after the read's future was resolved and before the task resumed: the task sees
    CancelledError, and the bytes must go back to the stream."""
    sock, peer = pair
    buf = Buffer(16)
    op = sock.input_stream.read_async(buf, 16, InputStreamOptions.PARTIAL)
    task = asyncio.ensure_future(read_into(op))
    await asyncio.sleep(0)  # the task runs and waits on the read
    assert op.status == AsyncStatus.STARTED
    peer.sendall(b"kept")
    time.sleep(0.05)  # the loop is blocked: its next iteration finds the bytes there
    asyncio.get_running_loop().call_later(0, task.cancel)
    with pytest.raises(asyncio.CancelledError):
        await task
    assert op.status == AsyncStatus.CANCELED, "the completed read kept its bytes from the stream"
    assert buf.length == 0
    assert bytes(await within(sock.input_stream.read_async(buf, 16, InputStreamOptions.PARTIAL))) == b"kept"


async def test_throwing_into_the_await_after_the_read_completed_gives_the_bytes_back(pair: Pair) -> None:
    """The same race driven by hand: the await's future is resolved, then CancelledError is
    thrown into the await (as a task cancelled before resuming does) instead of stepping it."""
    sock, peer = pair
    buf = Buffer(16)
    op = sock.input_stream.read_async(buf, 16, InputStreamOptions.PARTIAL)
    it = op.__await__()
    fut = it.send(None)
    peer.sendall(b"back")
    await within(asyncio.wait({fut}))
    assert op.status == AsyncStatus.COMPLETED
    with pytest.raises(asyncio.CancelledError):
        it.throw(asyncio.CancelledError())
    assert op.status == AsyncStatus.CANCELED
    assert bytes(await within(sock.input_stream.read_async(buf, 16, InputStreamOptions.PARTIAL))) == b"back"
