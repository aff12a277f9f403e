"""netrt's Python MessageWebSocket vs the `websockets` library's client (method in BENCHMARKS.md).

    .venv/bin/python bench/python/ws_bench.py --server target/release/netrt-bench [--pairs N] [--quick]
        [--only asyncio|blocking]

Both clients talk to the same echo server in another process (`netrt-bench --ws-echo-server`,
tokio-tungstenite), one message out and its echo back, one at a time, for 64 B, 64 KiB and
1 MiB binary messages. netrt, the fastest public way: `output_stream.write_async` (one write =
one message) and `receive_message_async()` (the pull receive, no dispatcher thread), its bytes
taken with `data()`; websockets: `send` and `recv`.
netrt and websockets alternate (A B, then B A, ...); the table gives the median ratio of
messages per second (netrt / websockets, higher is better) with min and max.

The third column is the floor: the least any asyncio client can do per message against this
server — a bare `asyncio.Protocol` that writes one pre-built masked frame and waits for the
echo's bytes (no parsing, no copies, no API). floor / websockets is the ceiling of the
netrt / websockets ratio on this machine (run after each pair; its median is shown).

Round trips here are bounded by the loop, the kernel and the server as much as by the client, so
the second table gives what the client itself spends: CPU time of the client process (every
thread, netrt's runtime threads included; `time.process_time`) per message, and websockets'
figure divided by netrt's (higher is better for netrt).

The same tables follow for blocking clients, which do not pay an event loop's cost per message:
netrt with `.get()` on each operation (the WinRT-style synchronous wait; the waiting thread
drives the socket itself), the `websockets` library's threading client (`websockets.sync`),
and a floor of a plain blocking socket that sends the pre-built frame with `sendall` and
reads the echo into one preallocated buffer with `recv_into`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from websockets.asyncio.client import connect
from websockets.sync.client import connect as connect_sync

import netrt
from netrt import MessageWebSocket

Measured = tuple[float, float]  # (messages per second, client CPU seconds per message)

CASES = [(64, 3000, "64 B"), (64 * 1024, 500, "64 KiB"), (1024 * 1024, 50, "1 MiB")]


class _Clock:
    """Wall clock and process CPU time from `start()` to `stop(count)`."""

    def start(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def stop(self, count: int) -> Measured:
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        return count / wall, cpu / count


async def netrt_echo(url: str, size: int, count: int) -> Measured:
    payload = os.urandom(size)
    with MessageWebSocket() as ws:
        ws.control.proxy = ""  # loopback: never through the environment's proxy
        await ws.connect_async(url)
        out = ws.output_stream
        clock = _Clock()
        clock.start()
        for _ in range(count):
            await out.write_async(payload)
            assert len((await ws.receive_message_async()).data()) == size
        return clock.stop(count)


async def websockets_echo(url: str, size: int, count: int) -> Measured:
    payload = os.urandom(size)
    async with connect(url, max_size=None, compression=None) as ws:
        clock = _Clock()
        clock.start()
        for _ in range(count):
            await ws.send(payload)
            assert len(await ws.recv()) == size
        return clock.stop(count)


class _Floor(asyncio.Protocol):
    """Collects what arrives; `take(n)` waits until n bytes are there and drops them."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.want = 0
        self.waiter: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if self.waiter is not None and len(self.buf) >= self.want and not self.waiter.done():
            self.waiter.set_result(None)

    async def take(self, n: int) -> None:
        if len(self.buf) < n:
            self.want = n
            self.waiter = asyncio.get_running_loop().create_future()
            await self.waiter
            self.waiter = None
        del self.buf[:n]

    async def take_through(self, marker: bytes) -> None:
        while marker not in self.buf:
            self.want = len(self.buf) + 1
            self.waiter = asyncio.get_running_loop().create_future()
            await self.waiter
            self.waiter = None
        del self.buf[: self.buf.index(marker) + len(marker)]


def _length_field(size: int) -> bytes:
    if size < 126:
        return bytes([size])
    if size < 65536:
        return bytes([126]) + size.to_bytes(2, "big")
    return bytes([127]) + size.to_bytes(8, "big")


def _masked_frame(size: int) -> tuple[bytes, int]:
    """One masked binary frame of `size` random bytes, and the length of its unmasked echo."""
    mask, payload = os.urandom(4), os.urandom(size)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    length = _length_field(size)
    return bytes([0x82, length[0] | 0x80]) + length[1:] + mask + masked, 1 + len(length) + size


async def floor_echo(url: str, size: int, count: int) -> Measured:
    host, port = url.split("//")[1].rstrip("/").split(":")
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_connection(_Floor, host, int(port))
    transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    transport.write(
        f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    await proto.take_through(b"\r\n\r\n")
    frame, echo = _masked_frame(size)
    clock = _Clock()
    clock.start()
    for _ in range(count):
        transport.write(frame)
        await proto.take(echo)
    measured = clock.stop(count)
    transport.close()
    return measured


def netrt_echo_blocking(url: str, size: int, count: int) -> Measured:
    payload = os.urandom(size)
    with MessageWebSocket() as ws:
        ws.control.proxy = ""  # loopback: never through the environment's proxy
        ws.connect_async(url).get()
        out = ws.output_stream
        clock = _Clock()
        clock.start()
        for _ in range(count):
            out.write_async(payload).get()
            assert len(ws.receive_message_async().get().data()) == size
        return clock.stop(count)


def websockets_echo_sync(url: str, size: int, count: int) -> Measured:
    payload = os.urandom(size)
    with connect_sync(url, max_size=None, compression=None) as ws:
        clock = _Clock()
        clock.start()
        for _ in range(count):
            ws.send(payload)
            assert len(ws.recv()) == size
        return clock.stop(count)


def _recv_exactly(sock: socket.socket, view: memoryview) -> None:
    got = 0
    while got < len(view):
        n = sock.recv_into(view[got:])
        if n == 0:
            raise ConnectionError("the echo server closed the connection")
        got += n


def floor_echo_blocking(url: str, size: int, count: int) -> Measured:
    host, port = url.split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        head = b""
        while not head.endswith(b"\r\n\r\n"):  # the server sends nothing more before our first frame
            byte = sock.recv(1)
            if not byte:
                raise ConnectionError("the echo server closed the connection during the handshake")
            head += byte
        frame, echo = _masked_frame(size)
        view = memoryview(bytearray(echo))
        clock = _Clock()
        clock.start()
        for _ in range(count):
            sock.sendall(frame)
            _recv_exactly(sock, view)
        return clock.stop(count)


def _cpu_row(label: str, a: list[Measured], b: list[Measured], floor: list[Measured]) -> str:
    us = lambda runs: statistics.median(cpu for _, cpu in runs) * 1e6  # noqa: E731
    savings = [y[1] / x[1] for x, y in zip(a, b)]
    return (f"| {label} | {us(a):.1f} | {us(b):.1f} | {us(floor):.1f} | **{statistics.median(savings):.2f}×** "
            f"[{min(savings):.2f}, {max(savings):.2f}] |")


Client = Callable[[str, int, int], Measured]
GROUPS: dict[str, tuple[str, Client, Client, Client]] = {
    "asyncio": ("asyncio clients", lambda *a: asyncio.run(netrt_echo(*a)),
                lambda *a: asyncio.run(websockets_echo(*a)), lambda *a: asyncio.run(floor_echo(*a))),
    "blocking": ("blocking clients: netrt `.get()`, websockets.sync, a plain socket", netrt_echo_blocking,
                 websockets_echo_sync, floor_echo_blocking),
}


def _run_group(url: str, group: str, pairs: int, quick: bool) -> None:
    title, netrt_client, websockets_client, floor_client = GROUPS[group]
    rows, cpu_rows = [], []
    for size, count, label in CASES:
        count = max(count // 10, 5) if quick else count
        a: list[Measured] = []
        b: list[Measured] = []
        floor: list[Measured] = []
        for i in range(pairs):
            order = [True, False] if i % 2 == 0 else [False, True]
            for use_netrt in order:
                echo = netrt_client if use_netrt else websockets_client
                (a if use_netrt else b).append(echo(url, size, count))
            floor.append(floor_client(url, size, count))
            print(f"  {group} {label} pair {i + 1}: netrt {a[-1][0]:.0f}, websockets {b[-1][0]:.0f}, "
                  f"floor {floor[-1][0]:.0f} msgs/s; client CPU per message netrt "
                  f"{a[-1][1] * 1e6:.1f} µs, websockets {b[-1][1] * 1e6:.1f} µs, "
                  f"floor {floor[-1][1] * 1e6:.1f} µs", file=sys.stderr, flush=True)
        ratios = [x[0] / y[0] for x, y in zip(a, b)]
        ceilings = [f[0] / y[0] for f, y in zip(floor, b)]
        rate = lambda runs: statistics.median(r for r, _ in runs)  # noqa: E731
        rows.append((label, rate(a), rate(b), rate(floor),
                     statistics.median(ratios), min(ratios), max(ratios), statistics.median(ceilings)))
        cpu_rows.append(_cpu_row(label, a, b, floor))
    print(f"\n{title}, {pairs} interleaved pairs\n")
    print("| echo, one at a time | netrt (median msgs/s) | websockets (median msgs/s) | "
          "floor (median msgs/s) | ratio netrt/websockets: median [min, max] | floor/websockets | target |")
    print("|---|---|---|---|---|---|---|")
    for label, a_rate, b_rate, f_rate, median, low, high, ceiling in rows:
        print(f"| {label} | {a_rate:.0f} | {b_rate:.0f} | {f_rate:.0f} | **{median:.2f}×** [{low:.2f}, {high:.2f}] | "
              f"{ceiling:.2f}× | ≥ 3× |")
    print("\n| client CPU per message | netrt (median µs) | websockets (median µs) | floor (median µs) | "
          "websockets/netrt: median [min, max] |")
    print("|---|---|---|---|---|")
    for row in cpu_rows:
        print(row)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--server", required=True, help="the netrt-bench binary (its --ws-echo-server mode)")
    p.add_argument("--pairs", type=int, default=5, help="interleaved A/B pairs per figure (default 5)")
    p.add_argument("--quick", action="store_true", help="a tenth of the messages (a smoke run)")
    p.add_argument("--only", choices=sorted(GROUPS), help="one group of clients (default: both)")
    args = p.parse_args()
    server = subprocess.Popen([args.server, "--ws-echo-server"], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = f"ws://127.0.0.1:{server.stdout.readline().split()[1]}/"
        print(f"netrt {netrt.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        for group in [args.only] if args.only else list(GROUPS):
            _run_group(url, group, args.pairs, args.quick)
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    main()
