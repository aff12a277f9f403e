"""The shortcuts of reads and awaits on an asyncio loop lose nothing.

- A read started right after its socket sent (a request) finds a reply that is there already,
  whether it completes at its start, through the loop's watch, or in a blocking `get()`.
- Also once the reads before it on that socket found nothing at their start (a read then skips
  its first `recv`, but for every fourth): awaited, waited for with `get()`, or left to the
  runtime by a Completed handler.
- The running loop is known without `asyncio.get_running_loop` when it is the thread's last
  one: awaiting outside a running loop must still fail, after a loop ran on the thread and in
  a child forked while a loop ran.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading

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


async def learn_that_replies_come_late(sock: StreamSocket, peer: socket.socket, reader: DataReader) -> None:
    """Rounds whose read starts before the peer replies: the socket's reads find nothing at
    their start."""
    for i in range(3):
        assert await within(sock.output_stream.write_async(b"late%d" % i)) == 5
        load = reader.load_async(4)
        answer(peer, b"late%d" % i, b"rep%d" % i)
        assert await within(load) == 4
        assert reader.read_bytes(4) == b"rep%d" % i


async def test_replies_already_there_after_late_ones_are_loaded_and_read(pair: Pair) -> None:
    sock, peer = pair
    reader = DataReader(sock.input_stream)
    await learn_that_replies_come_late(sock, peer, reader)
    buf = Buffer(16)
    # More rounds than the habit skips in a row: the re-probe and the skips after it.
    for i in range(20):
        assert await within(sock.output_stream.write_async(b"now%02d" % i)) == 5
        answer(peer, b"now%02d" % i, b"ok%02d" % i)
        if i % 2:
            assert await within(reader.load_async(4)) == 4
            assert reader.read_bytes(4) == b"ok%02d" % i
        else:
            assert bytes(await within(sock.input_stream.read_async(buf, 16, PARTIAL))) == b"ok%02d" % i
    reader.detach_stream()


async def test_a_reply_already_there_after_late_ones_reaches_a_blocking_get(pair: Pair) -> None:
    sock, peer = pair
    reader = DataReader(sock.input_stream)
    await learn_that_replies_come_late(sock, peer, reader)
    for i in range(3):
        assert await within(sock.output_stream.write_async(b"ask%d" % i)) == 4
        answer(peer, b"ask%d" % i, b"tld%d" % i)
        assert reader.load_async(4).get(5) == 4
        assert reader.read_bytes(4) == b"tld%d" % i
    reader.detach_stream()


async def test_a_reply_already_there_after_late_ones_completes_a_handled_load(pair: Pair) -> None:
    sock, peer = pair
    reader = DataReader(sock.input_stream)
    await learn_that_replies_come_late(sock, peer, reader)
    assert await within(sock.output_stream.write_async(b"hand")) == 4
    answer(peer, b"hand", b"led!")
    load = reader.load_async(4)
    done = threading.Event()
    # A Completed handler hands the load to the runtime: nobody awaits or waits for it.
    load.completed = lambda _op, _status: done.set()
    assert await within(asyncio.to_thread(done.wait, 5))
    assert load.get_results() == 4
    assert reader.read_bytes(4) == b"led!"
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
