"""A loop keeps a socket registered (`loop.add_reader`) across the reads of that socket, as
asyncio's streams do, and lets go of it when the socket closes (on any thread), when another
loop reads it, or with the loop — never leaving a stale entry under a number the kernel may
give to another socket.

Registrations are observed through the loop's own `add_reader` / `remove_reader` calls and its
selector map; fd reuse through plain asyncio code on the reused number.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time

import pytest

import netrt
from conftest import Pair, within
from netrt import (
    AsyncStatus,
    Buffer,
    Certificate,
    DataReader,
    DataWriter,
    HostName,
    InputStreamOptions,
    SocketProtectionLevel,
    StreamSocket,
    StreamSocketListener,
)
from test_loop_driven import send_later, watching

PARTIAL = InputStreamOptions.PARTIAL


async def netrt_pair(pki: object | None) -> tuple[StreamSocketListener, StreamSocket, StreamSocket]:
    """A netrt client and the netrt socket its listener accepted (TLS 1.2 when `pki`)."""
    listener = StreamSocketListener()
    level = SocketProtectionLevel.PLAIN_SOCKET
    if pki is not None:
        listener.control.server_certificate = Certificate.from_pem(pki.text("leaf.pem"), pki.text("leaf.key"))  # type: ignore[attr-defined]
        level = SocketProtectionLevel.TLS12
    loop = asyncio.get_running_loop()
    accepted: asyncio.Future[StreamSocket] = loop.create_future()
    listener.add_connection_received(lambda _s, a: loop.call_soon_threadsafe(accepted.set_result, a.socket))
    await within(listener.bind_service_name_async("", level))
    client = StreamSocket()
    if pki is not None:
        client.control.trusted_root_certificates.append(Certificate.from_pem(pki.text("ca.pem")))  # type: ignore[attr-defined]
    await within(client.connect_async(HostName("127.0.0.1"), listener.information.local_port, level))
    return listener, client, await within(accepted)


async def wait_until(condition) -> None:  # type: ignore[no-untyped-def]
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.001)

    await within(poll())


def socketpair_on(fd: int) -> tuple[socket.socket, socket.socket, list[socket.socket]]:
    """A connected socket pair whose first end has number `fd` (made by taking the lowest free
    numbers until `fd` comes up), and the sockets made on the way (to close)."""
    made: list[socket.socket] = []
    for _ in range(256):
        a, b = socket.socketpair()
        if a.fileno() == fd:
            return a, b, made
        if b.fileno() == fd:
            return b, a, made
        made += [a, b]
    for s in made:
        s.close()
    raise AssertionError(f"fd {fd} was never handed out again (still reserved?)")


async def assert_plain_asyncio_reader_fires(fd: int) -> None:
    """Plain asyncio code registers a reader on a new socket with number `fd`: it fires."""
    end, partner, made = socketpair_on(fd)
    try:
        loop = asyncio.get_running_loop()
        fired: asyncio.Future[None] = loop.create_future()
        loop.add_reader(end.fileno(), lambda: fired.done() or fired.set_result(None))
        partner.send(b"x")
        try:
            await within(fired)
        finally:
            loop.remove_reader(end.fileno())
    finally:
        for s in [end, partner, *made]:
            s.close()


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "tls"])
async def test_the_registration_lasts_across_reads_and_ends_with_the_socket(pki, tls: bool) -> None:  # type: ignore[no-untyped-def]
    listener, client, server = await netrt_pair(pki if tls else None)
    rounds = 20
    with watching() as seen:
        cw, cr = DataWriter(client.output_stream), DataReader(client.input_stream)
        sw, sr = DataWriter(server.output_stream), DataReader(server.input_stream)

        async def echo() -> None:
            for _ in range(rounds):
                assert await sr.load_async(8) == 8
                sw.write_bytes(sr.read_bytes(8))
                await sw.store_async()

        echoing = asyncio.ensure_future(echo())
        for i in range(rounds):
            cw.write_bytes(b"%08d" % i)
            await within(cw.store_async())
            assert await within(cr.load_async(8)) == 8
            assert cr.read_bytes(8) == b"%08d" % i
        await within(echoing)
        # One registration per socket for all the reads (per-read registration: 2 per round).
        assert 1 <= len(seen.sockets) <= 2, seen.sockets
        assert seen.removed == []
        watched = set(seen.sockets)
        for s in (client, server, listener):
            s.close()
        # Closing ends it (for TLS after close_notify, on a runtime thread).
        await wait_until(lambda: watched <= set(seen.removed))
    loop = asyncio.get_running_loop()
    assert not watched & set(loop._selector.get_map())  # type: ignore[attr-defined]


@pytest.mark.parametrize("where", ["loop thread", "other thread"])
async def test_a_closed_socket_leaves_its_number_clean_for_the_next_socket(pair: Pair, where: str) -> None:  # noqa: F811
    sock, peer = pair
    buf = Buffer(16)
    with watching() as seen:
        sender = send_later(peer, b"one")
        assert bytes(await within(sock.input_stream.read_async(buf, 16, PARTIAL))) == b"one"
        sender.join()
        assert len(seen.sockets) == 1 and seen.removed == [], (seen.sockets, seen.removed)  # kept
        [fd] = seen.sockets
        if where == "loop thread":
            sock.close()
        else:
            closer = threading.Thread(target=sock.close)
            closer.start()
            await asyncio.to_thread(closer.join, 10)
        # The peer sees the end at once (no copy of the fd keeps the connection open).
        peer.settimeout(10)
        assert peer.recv(16) == b""
        await wait_until(lambda: fd in seen.removed)
    assert fd not in asyncio.get_running_loop()._selector.get_map()  # type: ignore[attr-defined]
    await assert_plain_asyncio_reader_fires(fd)


async def test_cancelling_the_task_after_data_arrived_loses_nothing_and_keeps_the_registration(pair: Pair) -> None:  # noqa: F811
    sock, peer = pair
    buf = Buffer(16)
    with watching() as seen:
        sender = send_later(peer, b"first")
        assert bytes(await within(sock.input_stream.read_async(buf, 16, PARTIAL))) == b"first"
        sender.join()
        for i in range(5):
            op = sock.input_stream.read_async(buf, 16, PARTIAL)
            task = asyncio.ensure_future(op)
            await asyncio.sleep(0.01)
            peer.sendall(b"kept%d" % i)
            while op.status == AsyncStatus.STARTED:
                await asyncio.sleep(0.001)
            task.cancel()
            try:
                result = bytes(await task)
            except asyncio.CancelledError:
                result = b""
            if op.status == AsyncStatus.CANCELED:
                # Given back: the next read has the bytes.
                result = bytes(await within(sock.input_stream.read_async(buf, 16, PARTIAL)))
            assert result == b"kept%d" % i
        assert len(seen.sockets) == 1 and seen.removed == [], (seen.sockets, seen.removed)


def test_two_loops_reading_one_socket_one_after_the_other() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    sock = StreamSocket()
    try:
        first.run_until_complete(within(sock.connect_async(HostName("127.0.0.1"), str(server.getsockname()[1]))))
        peer, _ = server.accept()

        async def read(data: bytes) -> bytes:
            sender = send_later(peer, data)
            got = bytes(await within(sock.input_stream.read_async(Buffer(16), 16, PARTIAL)))
            sender.join()
            return got

        assert first.run_until_complete(read(b"on first")) == b"on first"
        watched_first = set(first._selector.get_map())  # type: ignore[attr-defined]
        assert second.run_until_complete(read(b"on second")) == b"on second"
        [fd] = set(second._selector.get_map()) & watched_first  # type: ignore[attr-defined]
        # The first loop lets go of it when it runs next.
        first.run_until_complete(asyncio.sleep(0.01))
        assert fd not in first._selector.get_map()  # type: ignore[attr-defined]
        assert second.run_until_complete(read(b"again")) == b"again"
        sock.close()
        second.run_until_complete(asyncio.sleep(0.01))
        assert fd not in second._selector.get_map()  # type: ignore[attr-defined]
        second.run_until_complete(assert_plain_asyncio_reader_fires(fd))
        peer.close()
    finally:
        sock.close()
        server.close()
        first.close()
        second.close()


def test_a_loop_closed_while_a_read_waits_leaves_the_socket_usable_and_its_number_free() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    sock = StreamSocket()
    peer: socket.socket | None = None
    fds: list[int] = []

    async def start_a_read_and_leave() -> None:
        nonlocal peer
        await within(sock.connect_async(HostName("127.0.0.1"), str(server.getsockname()[1])))
        peer, _ = server.accept()
        with watching() as seen:
            op = sock.input_stream.read_async(Buffer(16), 16, PARTIAL)
            asyncio.ensure_future(op)
            await asyncio.sleep(0.05)
            fds.extend(seen.sockets)
        assert op.status == AsyncStatus.STARTED
        # asyncio.run cancels the task waiting for the read, then closes the loop.

    try:
        asyncio.run(start_a_read_and_leave())
        assert peer is not None and len(fds) == 1
        peer.sendall(b"late")

        async def read_on_a_new_loop() -> bytes:
            return bytes(await within(sock.input_stream.read_async(Buffer(16), 16, PARTIAL)))

        assert asyncio.run(read_on_a_new_loop()) == b"late"
        # Both loops are closed: closing the socket reserves nothing for them.
        sock.close()
        end, partner, made = socketpair_on(fds[0])
        for s in [end, partner, *made]:
            s.close()
    finally:
        sock.close()
        server.close()
        if peer is not None:
            peer.close()


async def test_a_socket_handed_to_the_broker_leaves_the_loop_at_once(broker) -> None:  # type: ignore[no-untyped-def]
    from test_broker import connected, register

    task = register("python-loop-registration")
    sock, conn = await connected(task)
    loop = asyncio.get_running_loop()
    with conn:
        with watching() as seen:
            sender = send_later(conn, b"before")
            assert bytes(await within(sock.input_stream.read_async(Buffer(16), 16, PARTIAL))) == b"before"
            sender.join()
            [fd] = seen.sockets
            sock.transfer_ownership("python-loop-registration-1")
            # The broker holds the connection now: data for it must not reach this loop (a kernel
            # registration left behind would report it under `fd` on every iteration).
            conn.sendall(b"for the broker")
            await wait_until(lambda: fd in seen.removed)
        assert fd not in loop._selector.get_map()  # type: ignore[attr-defined]
        assert fd not in [f for f, _ in loop._selector._selector.poll(0)]  # type: ignore[attr-defined]
        back = netrt.SocketActivityInformation.all_sockets["python-loop-registration-1"].stream_socket
        assert bytes(await within(back.input_stream.read_async(Buffer(32), 32, PARTIAL))) == b"for the broker"
        back.close()
    task.unregister(False)


def _epoll_sets() -> dict[int, set[int]]:
    """The fds each epoll instance of this process watches (`/proc/self/fdinfo`), by epoll fd."""
    sets = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}") != "anon_inode:[eventpoll]":
                continue
            with open(f"/proc/self/fdinfo/{name}") as info:
                sets[int(name)] = {int(line.split()[1]) for line in info if line.startswith("tfd:")}
        except OSError:
            continue  # closed meanwhile
    return sets


def _also_in_another_epoll(loop: asyncio.AbstractEventLoop) -> set[int]:
    """The fds the loop's selector watches that another epoll instance (netrt's runtime
    reactor) watches too. The selector's own dups (netrt keeps one) watch the same set."""
    sets = _epoll_sets()
    mine = sets[loop._selector.fileno()]  # type: ignore[attr-defined]
    return set().union(*(s & mine for s in sets.values() if s != mine))


async def test_a_read_the_runtime_took_over_leaves_the_socket_to_the_loop_again(pair: Pair) -> None:
    # The loop is held up past the grace period between a load's start and its await: the
    # runtime takes the read and waits for the socket in its reactor. The reads after it are
    # the loop's again, and the socket leaves the reactor (which would otherwise wake a
    # runtime thread at every packet for the rest of the connection).
    sock, peer = pair
    loop = asyncio.get_running_loop()
    reader = DataReader(sock.input_stream)

    async def loop_driven_load(data: bytes) -> None:
        load = reader.load_async(4)
        loop.call_soon(peer.sendall, data)
        assert await within(load) == 4
        assert reader.read_bytes(4) == data

    await loop_driven_load(b"mine")  # the loop watches the socket from here on
    load = reader.load_async(4)
    time.sleep(0.05)
    assert _also_in_another_epoll(loop), "the runtime waits for the socket too"
    peer.sendall(b"held")
    assert await within(load) == 4
    assert reader.read_bytes(4) == b"held"
    for data in (b"next", b"more"):
        await loop_driven_load(data)
    assert not _also_in_another_epoll(loop)
    reader.detach_stream()
