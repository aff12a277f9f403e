"""Shared fixtures: a test PKI, third-party peers, and netrt listeners on 127.0.0.1:0."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
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


class Broker:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.socket = directory / "run" / "broker.sock"
        self.log = directory / "brokerd.log"

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """A private netrt-brokerd (``$NETRT_BROKERD``, which run.sh builds) on a socket in a fresh
    directory, named to this process and its children by NETRT_BROKER_SOCKET, so no test talks
    to (or starts) the user's own broker."""
    brokerd = os.environ.get("NETRT_BROKERD", "")
    assert brokerd and os.access(brokerd, os.X_OK), (
        "NETRT_BROKERD must name netrt-brokerd (tests/python/run.sh builds it)"
    )
    b = Broker(tmp_path_factory.mktemp("broker"))
    (b.dir / "state").mkdir()
    saved = {k: os.environ.get(k) for k in ("NETRT_BROKER_SOCKET", "NETRT_BROKER_ACTIVATION")}
    os.environ["NETRT_BROKER_SOCKET"] = str(b.socket)  # this process and its children
    os.environ.pop("NETRT_BROKER_ACTIVATION", None)
    with open(b.log, "wb") as log:
        daemon = subprocess.Popen(
            [brokerd, "--socket", str(b.socket), "--state-dir", str(b.dir / "state"), "--retry-base-ms", "50"],
            stderr=log,
            env={**os.environ, "NETRT_BROKER_LOG": "debug"},
        )
    try:
        deadline = time.monotonic() + 10
        while not b.socket.exists():
            assert daemon.poll() is None, f"netrt-brokerd exited:\n{b.log_tail()}"
            assert time.monotonic() < deadline, "netrt-brokerd did not listen"
            time.sleep(0.01)
        yield b
    finally:
        daemon.terminate()
        daemon.wait(10)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


#: A netrt socket and its plain-socket peer.
Pair = tuple[netrt.StreamSocket, socket.socket]


@pytest.fixture
async def pair() -> AsyncIterator[Pair]:
    """A netrt StreamSocket connected to a plain Python socket (the peer), both closed after."""
    server = socket.create_server(("127.0.0.1", 0))
    sock = netrt.StreamSocket()
    await within(sock.connect_async(netrt.HostName("127.0.0.1"), str(server.getsockname()[1])))
    peer, _ = server.accept()
    server.close()
    yield sock, peer
    sock.close()
    peer.close()
