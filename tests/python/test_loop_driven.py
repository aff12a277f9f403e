"""Reads awaited on an asyncio loop are driven by the loop itself (`loop.add_reader` on the
socket), fill the caller's Buffer, and keep every cancellation rule; event senders are the
objects the handlers were registered on.

Whether the loop watched the socket is observed through the loop's own `add_reader` /
`remove_reader` calls (recorded by wrapping them on the running loop), never through timing.
How long that registration lasts is test_loop_registration.py's subject.
"""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import netrt
from conftest import Pair, within
from netrt import (
    AsyncStatus,
    Buffer,
    DataReader,
    DatagramSocket,
    HostName,
    InputStreamOptions,
    SocketProtectionLevel,
    StreamSocket,
    StreamSocketListener,
)

PARTIAL = InputStreamOptions.PARTIAL
E_INVALIDARG = 0x80070057 - 2**32
ERROR_OPERATION_ABORTED = 0x800703E3 - 2**32


class Watched:
    """The fds the running loop was asked to watch and to stop watching."""

    def __init__(self) -> None:
        self.added: list[int] = []
        self.removed: list[int] = []
        #: The added fds that are sockets (not the loop's own wake-up fd, registered on first
        #: use).
        self.sockets: list[int] = []


@contextmanager
def watching() -> Iterator[Watched]:
    loop = asyncio.get_running_loop()
    seen = Watched()
    add, remove = loop.add_reader, loop.remove_reader

    def add_reader(fd, callback, *args):  # type: ignore[no-untyped-def]
        seen.added.append(fd)
        if getattr(callback, "__name__", "") == "_ready":
            seen.sockets.append(fd)
        return add(fd, callback, *args)

    def remove_reader(fd):  # type: ignore[no-untyped-def]
        seen.removed.append(fd)
        return remove(fd)

    loop.add_reader, loop.remove_reader = add_reader, remove_reader  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        del loop.add_reader, loop.remove_reader  # type: ignore[misc]


def send_later(peer: socket.socket, *chunks: bytes) -> threading.Thread:
    """Sends each chunk after a pause, from another thread (the loop keeps running meanwhile)."""

    def run() -> None:
        for chunk in chunks:
            threading.Event().wait(0.05)
            peer.sendall(chunk)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


async def test_a_pending_read_is_watched_by_the_loop_and_gets_data_sent_before_and_after(pair: Pair) -> None:
    sock, peer = pair
    buf = Buffer(64)
    peer.sendall(b"before")
    await asyncio.sleep(0.05)
    with watching() as seen:
        # Already there: complete when the call returns, nothing to watch.
        assert bytes(await within(sock.input_stream.read_async(buf, 64, PARTIAL))) == b"before"
        assert seen.added == []
        sender = send_later(peer, b"after")
        # Awaited right where it starts (no loop iteration in between): the loop claims it.
        assert bytes(await sock.input_stream.read_async(buf, 64, PARTIAL)) == b"after"
        sender.join()
    # The loop watched the socket, and keeps watching it for the next read (until the socket
    # closes: test_loop_registration.py).
    assert len(seen.sockets) == 1 and seen.removed == [], (seen.added, seen.removed)


async def test_load_async_is_loop_driven_too(pair: Pair) -> None:
    sock, peer = pair
    reader = DataReader(sock.input_stream)
    with watching() as seen:
        # InputStreamOptions.NONE: the load waits for all 4 bytes, across two arrivals.
        sender = send_later(peer, b"ab", b"cd")
        assert await reader.load_async(4) == 4
        sender.join()
    assert reader.read_bytes(4) == b"abcd"
    assert len(seen.sockets) == 1 and seen.removed == [], (seen.added, seen.removed)


async def test_cancelling_the_awaiting_task_loses_nothing_and_the_next_read_is_accepted(pair: Pair) -> None:
    sock, peer = pair
    buf = Buffer(16)
    for _ in range(20):
        task = asyncio.ensure_future(sock.input_stream.read_async(buf, 16, PARTIAL))
        await asyncio.sleep(0.002)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # Accepted at once (E_ILLEGAL_METHOD_CALL would mean the cancelled read still runs).
        sock.input_stream.read_async(buf, 16, PARTIAL).cancel()
    peer.sendall(b"0123456789")
    got = b""
    while len(got) < 10:
        got += bytes(await within(sock.input_stream.read_async(buf, 16, PARTIAL)))
    assert got == b"0123456789"


async def test_a_completed_read_whose_task_was_cancelled_gives_its_bytes_to_the_next_read(pair: Pair) -> None:
    sock, peer = pair
    buf = Buffer(16)
    op = sock.input_stream.read_async(buf, 16, PARTIAL)
    task = asyncio.ensure_future(op)
    await asyncio.sleep(0.02)
    peer.sendall(b"kept")
    # Cancel the task as soon as the read has completed (the loop completes it while it
    # runs); the task then sees CancelledError whatever the exact moment.
    while op.status == AsyncStatus.STARTED:
        await asyncio.sleep(0.001)
    task.cancel()
    try:
        result = await task  # the task had its result already
    except asyncio.CancelledError:
        # The task never got the result: it went back, the buffer was not touched, and the
        # next read returns the bytes.
        assert op.status == AsyncStatus.CANCELED
        assert buf.length == 0
        result = await within(sock.input_stream.read_async(buf, 16, PARTIAL))
    assert bytes(result) == b"kept"


@pytest.mark.parametrize("how", ["close", "cancel_io"])
async def test_close_or_cancel_io_from_another_thread_ends_the_loop_driven_read(pair: Pair, how: str) -> None:
    sock, peer = pair
    op = sock.input_stream.read_async(Buffer(16), 16, PARTIAL)
    task = asyncio.ensure_future(op)
    await asyncio.sleep(0.05)
    assert op.status == AsyncStatus.STARTED
    if how == "close":
        action = threading.Thread(target=sock.close)
    else:
        action = threading.Thread(target=lambda: sock.cancel_io_async().get(timeout=10))
    action.start()
    with pytest.raises(netrt.NetworkError) as raised:
        await within(task)
    action.join(timeout=10)
    assert raised.value.hresult == ERROR_OPERATION_ABORTED
    assert op.status == AsyncStatus.ERROR
    if how == "cancel_io":
        # The socket stays usable.
        peer.sendall(b"still")
        assert bytes(await within(sock.input_stream.read_async(Buffer(16), 16, PARTIAL))) == b"still"


async def test_get_from_a_thread_takes_over_a_loop_driven_read(pair: Pair) -> None:
    sock, peer = pair
    op = sock.input_stream.read_async(Buffer(16), 16, PARTIAL)
    task = asyncio.ensure_future(op)
    await asyncio.sleep(0.02)
    got: list[bytes] = []
    t = threading.Thread(target=lambda: got.append(bytes(op.get(timeout=10))))
    t.start()
    await asyncio.sleep(0.02)
    peer.sendall(b"both")
    assert bytes(await within(task)) == b"both"
    await asyncio.to_thread(t.join, 10)
    assert got == [b"both"]


async def test_a_read_with_a_completed_handler_is_not_loop_driven(pair: Pair) -> None:
    sock, peer = pair
    statuses: list[AsyncStatus] = []
    with watching() as seen:
        op = sock.input_stream.read_async(Buffer(16), 16, PARTIAL)
        op.completed = lambda _op, status: statuses.append(status)
        task = asyncio.ensure_future(op)
        await asyncio.sleep(0.02)
        peer.sendall(b"handled")
        assert bytes(await within(task)) == b"handled"
        # The socket was never registered (only the loop's own wake-up fd may have been).
        assert seen.sockets == [] and seen.removed == []
    for _ in range(1000):
        if statuses:
            break
        await asyncio.sleep(0.005)
    assert statuses == [AsyncStatus.COMPLETED]


async def test_tls_reads_deliver_what_rustls_holds_without_waiting_for_the_socket(s_server, ca) -> None:  # type: ignore[no-untyped-def]
    peer = s_server()
    sock = StreamSocket()
    sock.control.trusted_root_certificates.append(ca)
    try:
        await within(sock.connect_async(HostName("localhost"), str(peer.port), SocketProtectionLevel.TLS12))
        buf = Buffer(64)
        with watching() as seen:
            sender = threading.Timer(0.05, peer.send, ("0123456789\n",))
            sender.start()
            # One record; the read takes 2 bytes and the other 9 stay decrypted in netrt.
            assert bytes(await sock.input_stream.read_async(buf, 2, PARTIAL)) == b"01"
            sender.join()
        # The loop watched the socket for the first read (and keeps it registered); the rest
        # needs no socket readiness.
        assert len(seen.sockets) == 1 and seen.removed == [], (seen.added, seen.removed)
        got = b""
        while len(got) < 9:
            got += bytes(await within(sock.input_stream.read_async(buf, 64, PARTIAL)))
        assert got == b"23456789\n"
    finally:
        sock.close()


async def test_read_async_fills_the_callers_buffer(pair: Pair) -> None:
    sock, peer = pair
    buf = Buffer(8)
    peer.sendall(b"abc")
    result = await within(sock.input_stream.read_async(buf, 8, PARTIAL))
    assert result is buf
    assert buf.length == 3 and bytes(buf) == b"abc" and buf.capacity == 8
    peer.sendall(b"0123456789")
    result = await within(sock.input_stream.read_async(buf, 8, InputStreamOptions.NONE))
    assert result is buf and bytes(buf) == b"01234567"
    with pytest.raises(ValueError) as raised:
        sock.input_stream.read_async(buf, 9, PARTIAL)
    assert raised.value.hresult == E_INVALIDARG  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        sock.input_stream.read_async(bytearray(8), 8, PARTIAL)
    peer.close()
    result = await within(sock.input_stream.read_async(buf, 8, PARTIAL))
    assert bytes(result) == b"89"
    assert (await within(sock.input_stream.read_async(buf, 8, PARTIAL))).length == 0  # peer closed


async def test_event_senders_are_the_objects_the_handlers_were_added_to() -> None:
    loop = asyncio.get_running_loop()
    listener = StreamSocketListener()
    senders: asyncio.Queue[object] = asyncio.Queue()
    listener.add_connection_received(lambda s, a: loop.call_soon_threadsafe(senders.put_nowait, (s, a.socket)))
    await within(listener.bind_service_name_async(""))
    client = socket.create_connection(("127.0.0.1", int(listener.information.local_port)))
    sender, accepted = await within(senders.get())
    assert sender is listener
    accepted.close()
    client.close()
    listener.close()

    receiver = DatagramSocket()
    receiver.add_message_received(lambda s, a: loop.call_soon_threadsafe(senders.put_nowait, s))
    await within(receiver.bind_endpoint_async(HostName("127.0.0.1"), ""))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(b"x", ("127.0.0.1", int(receiver.information.local_port)))
    assert await within(senders.get()) is receiver
    receiver.close()


async def test_a_handler_does_not_keep_its_listener_alive() -> None:
    listener = StreamSocketListener()
    listener.add_connection_received(lambda s, a: None)
    await within(listener.bind_service_name_async(""))
    listener.close()
    gone = weakref.ref(listener)
    del listener
    gc.collect()
    assert gone() is None
