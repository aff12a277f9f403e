"""The shortcuts of reads and awaits on an asyncio loop lose nothing.

- A read started right after its socket sent (a request) finds a reply that is there already,
  whether it completes at its start, through the loop's watch, or in a blocking `get()`.
- The running loop is known without `asyncio.get_running_loop` when it is the thread's last
  one: awaiting outside a running loop must still fail, after a loop ran on the thread and in
  a child forked while a loop ran.
"""

from __future__ import annotations

import asyncio
import os
import socket

import pytest

from conftest import Pair, within
from netrt import Buffer, DataReader, DataWriter, HostName, InputStreamOptions, StreamSocket

PARTIAL = InputStreamOptions.PARTIAL

def answer(peer: socket.socket, request: bytes, reply: bytes) -> None:
    """The peer reads the request and replies before the netrt side starts its read (loopback
    delivers at once: the reply is in netrt's socket when this returns)."""
    got = b""
    while len(got) < len(request):
        got += peer.recv(len(request) - len(got))
    assert got == request
    peer.sendall(reply)


async def test_a_reply_already_there_when_a_load_starts_after_a_send_is_loaded(pair: Pair) -> None:
    sock, peer = pair
    writer, reader = DataWriter(sock.output_stream), DataReader(sock.input_stream)
    # The first round makes the loop watch the socket; the next rounds find it watched.
    for i in range(3):
        writer.write_bytes(b"ping%d" % i)
        assert await within(writer.store_async()) == 5
        answer(peer, b"ping%d" % i, b"pong%d" % i)
        assert await within(reader.load_async(5)) == 5
        assert reader.read_bytes(5) == b"pong%d" % i
    writer.detach_stream()
    reader.detach_stream()


async def test_a_reply_already_there_when_a_read_starts_after_a_send_is_read(pair: Pair) -> None:
    sock, peer = pair
    buf = Buffer(16)
    for i in range(3):
        assert await within(sock.output_stream.write_async(b"req%d" % i)) == 4
        answer(peer, b"req%d" % i, b"rep%d" % i)
        assert bytes(await within(sock.input_stream.read_async(buf, 16, PARTIAL))) == b"rep%d" % i


async def test_a_reply_already_there_reaches_a_blocking_get(pair: Pair) -> None:
    sock, peer = pair
    writer, reader = DataWriter(sock.output_stream), DataReader(sock.input_stream)
    writer.write_bytes(b"ask")
    assert await within(writer.store_async()) == 3
    answer(peer, b"ask", b"told")
    # Not awaited: the blocking waiter drives the parked load itself.
    assert reader.load_async(4).get(5) == 4
    assert reader.read_bytes(4) == b"told"
    writer.detach_stream()
    reader.detach_stream()


def test_awaiting_outside_a_running_loop_fails_after_a_loop_ran_on_this_thread() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    sock = StreamSocket()

    async def connect() -> None:
        # Pending when awaited: this thread's loop and its bridge are remembered.
        await within(sock.connect_async(HostName("127.0.0.1"), str(server.getsockname()[1])))

    asyncio.run(connect())
    peer, _ = server.accept()
    try:
        pending = sock.input_stream.read_async(Buffer(8), 8, PARTIAL)
        with pytest.raises(RuntimeError):
            pending.__await__()
        writer = DataWriter(sock.output_stream)
        writer.write_bytes(b"x")
        completed = writer.store_async()
        with pytest.raises(RuntimeError):
            completed.__await__()
        writer.detach_stream()
    finally:
        sock.close()
        peer.close()
        server.close()


async def test_a_child_forked_while_the_loop_runs_has_no_running_loop(pair: Pair) -> None:
    sock, peer = pair
    writer = DataWriter(sock.output_stream)
    writer.write_bytes(b"a")
    assert await within(writer.store_async()) == 1  # this thread's loop is the remembered one
    pid = os.fork()
    if pid == 0:  # the child: the loop object is there, but it does not run here
        code = 1
        try:
            writer.write_bytes(b"b")
            writer.store_async().__await__()
        except RuntimeError:
            code = 0
        except BaseException:
            code = 2
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    writer.detach_stream()
