"""Shared fixtures: a test PKI, third-party peers, and netrt listeners on 127.0.0.1:0."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import netrt  # noqa: E402
from peers.pki import Pki, make_pki  # noqa: E402
from peers.procs import Peer, openssl_s_server, python_starttls_server  # noqa: E402

#: Every await in a test is bounded by this (seconds).
STEP = 10.0


async def within(aw):  # type: ignore[no-untyped-def]
    return await asyncio.wait_for(aw, STEP)


@pytest.fixture(scope="session")
def pki() -> Pki:
    return make_pki(Path(__file__).resolve().parents[2] / "target" / "test-pki")


@pytest.fixture
def ca(pki: Pki) -> netrt.Certificate:
    return netrt.Certificate.from_pem(pki.text("ca.pem"))


@pytest.fixture
def s_server(pki: Pki) -> Iterator[object]:
    peers: list[Peer] = []

    def start(*extra: str) -> Peer:
        peer = openssl_s_server(pki.path("leaf.pem"), pki.path("leaf.key"), *extra)
        peers.append(peer)
        return peer

    yield start
    for p in peers:
        p.close()


@pytest.fixture
def starttls_peer(pki: Pki) -> Iterator[Peer]:
    peer = python_starttls_server(pki.path("leaf.pem"), pki.path("leaf.key"))
    yield peer
    peer.close()


class Accepting:
    """A netrt listener on 127.0.0.1:0 whose accepted sockets land in an asyncio queue."""

    def __init__(self) -> None:
        self.listener = netrt.StreamSocketListener()
        self.accepted: asyncio.Queue[netrt.StreamSocket] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def on_connection(sender: netrt.StreamSocketListener, args: netrt.StreamSocketListenerConnectionReceivedEventArgs) -> None:
            loop.call_soon_threadsafe(self.accepted.put_nowait, args.socket)

        self.token = self.listener.add_connection_received(on_connection)
        self.port = ""

    async def bind(self) -> Accepting:
        await within(self.listener.bind_endpoint_async(netrt.HostName("127.0.0.1"), ""))
        self.port = self.listener.information.local_port
        return self

    async def accept(self) -> netrt.StreamSocket:
        return await within(self.accepted.get())


@pytest.fixture
async def accepting() -> AsyncIterator[Accepting]:
    a = await Accepting().bind()
    yield a
    a.listener.close()
