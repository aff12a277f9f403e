"""How operations reach asyncio (docs/async.md, bindings/python/src/asyncop.rs, bridge.rs):
an operation that can finish at once finishes inside the call and `await` does not yield;
pending ones are handed to their loop through its eventfd bridge, also when several loops in
several threads await at once; and the process exits cleanly with work in flight."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading

import pytest

from conftest import Accepting, within
from netrt import AsyncStatus, DataReader, DataWriter, StreamSocket


async def test_ready_operations_complete_inside_the_call(accepting: Accepting) -> None:
    client = StreamSocket()
    await within(client.connect_async("127.0.0.1", accepting.port))
    server = await accepting.accept()
    op = client.output_stream.write_async(b"ready")
    assert op.status == AsyncStatus.COMPLETED, "the kernel took the bytes at once"
    reader = DataReader(server.input_stream)
    while reader.unconsumed_buffer_length < 5:
        await within(reader.load_async(5 - reader.unconsumed_buffer_length))
    assert reader.read_string(5) == "ready"
    client.close()
    server.close()


async def test_awaiting_a_finished_operation_does_not_yield(accepting: Accepting) -> None:
    client = StreamSocket()
    await within(client.connect_async("127.0.0.1", accepting.port))
    server = await accepting.accept()
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    t = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = ticks
    writer = DataWriter(client.output_stream)
    for _ in range(50):
        writer.write_int32(1)
        assert await writer.store_async() == 4
    assert ticks == before, "no await gave the loop a turn"
    t.cancel()
    client.close()
    server.close()


def _loop_in_thread(port: str, results: list[object], i: int) -> None:
    async def main() -> int:
        async with StreamSocket() as sock:
            await within(sock.connect_async("127.0.0.1", port))
            writer = DataWriter(sock.output_stream)
            writer.write_int32(i)
            await writer.store_async()
            reader = DataReader(sock.input_stream)
            assert await within(reader.load_async(4)) == 4
            return reader.read_int32()

    try:
        results[i] = asyncio.run(main())
    except BaseException as e:  # reported by the test
        results[i] = e


async def test_loops_in_several_threads_each_get_their_completions(accepting: Accepting) -> None:
    async def echo() -> None:
        while True:
            sock = await accepting.accepted.get()
            reader = DataReader(sock.input_stream)
            await reader.load_async(4)
            writer = DataWriter(sock.output_stream)
            writer.write_int32(reader.read_int32() * 10)
            await writer.store_async()

    server = asyncio.create_task(echo())
    results: list[object] = [None] * 4
    threads = [threading.Thread(target=_loop_in_thread, args=(accepting.port, results, i)) for i in range(4)]
    for t in threads:
        t.start()
    await asyncio.to_thread(lambda: [t.join(20) for t in threads])
    server.cancel()
    assert results == [0, 10, 20, 30]


EXIT_SCRIPT = r"""
import asyncio, netrt
async def main():
    loop = asyncio.get_running_loop()
    got = asyncio.Queue()
    listener = netrt.StreamSocketListener()
    listener.add_connection_received(lambda s, a: loop.call_soon_threadsafe(got.put_nowait, a.socket))
    await listener.bind_endpoint_async("127.0.0.1", "")
    port = listener.information.local_port
    for _ in range(5):
        s = netrt.StreamSocket()
        await s.connect_async("127.0.0.1", port)
        s.output_stream.write_async(b"x" * 100000)  # not awaited: still in flight at exit
        netrt.DataReader(s.input_stream).load_async(1)  # never completes
        op = s.output_stream.flush_async()
        op.completed = lambda op, status: None
    await got.get()
asyncio.run(main())
"""


@pytest.mark.timeout(120)
def test_the_process_exits_cleanly_with_operations_in_flight() -> None:
    for _ in range(8):
        proc = subprocess.run([sys.executable, "-c", EXIT_SCRIPT], capture_output=True, text=True, timeout=30)
        assert proc.returncode == 0, proc.stderr
