"""netrt's Python projection vs asyncio streams (issue 6's bench; method in BENCHMARKS.md).

    .venv/bin/python bench/python/bench.py [--pairs N] [--quick]

Run it with the .venv python after `bash tests/python/run.sh` (or `pip install ./bindings/python`)
has installed the package. Every figure is a ratio taken in this run: netrt and the baseline
alternate (A B A B ...), and the table gives the median ratio of the pairs with min/max.

- bulk: one connection on 127.0.0.1, both ends in this process and this event loop, written in
  64 KiB chunks and read in up to 64 KiB pieces. netrt: `output_stream.write_async` /
  `input_stream.read_async(PARTIAL)`; baseline: asyncio `StreamWriter.write` + `drain` /
  `StreamReader.read`. Ratio = netrt MB/s / asyncio MB/s (higher is better).
- TLS bulk: the same over TLS (ECDSA P-256 certificate made by openssl now); netrt's TLS
  listener and client vs asyncio + `ssl` on both ends.
- ping-pong: a 64-byte message echoed back, one at a time, by a plain blocking-socket echo
  server in another process (the same neutral peer for both). netrt: `DataWriter.store_async` +
  `DataReader.load_async`; baseline: `write` + `drain` + `readexactly`. Ratio = netrt p50 RTT /
  asyncio p50 RTT (lower is better). The in-process variant (both ends in one loop) is shown too.
  Each pair opens both connections in one loop and uses them in turn, in blocks (`rtt_pair`), so
  both sides meet the same moments of the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import netrt
from netrt import (
    Certificate,
    DataReader,
    DataWriter,
    InputStreamOptions,
    SocketProtectionLevel,
    StreamSocket,
    StreamSocketListener,
)

CHUNK = 64 * 1024
MSG = 64

# ------------------------------------------------------------------ certificates (openssl)

LAUNCH = Path(__file__).resolve().parents[2] / "tests" / "peers" / "launch"


def make_pki(d: Path) -> None:
    """The test PKI (tests/peers/launch pki): ca.pem, and leaf.pem/leaf.key for 127.0.0.1."""
    subprocess.run([str(LAUNCH), "pki", str(d)], check=True, timeout=300)


# ------------------------------------------------------------------ netrt

async def netrt_pair(tls: Path | None) -> tuple[StreamSocketListener, StreamSocket, StreamSocket]:
    listener = StreamSocketListener()
    level = SocketProtectionLevel.PLAIN_SOCKET
    if tls:
        listener.control.server_certificate = Certificate.from_pem((tls / "leaf.pem").read_text(),
                                                                  (tls / "leaf.key").read_text())
        level = SocketProtectionLevel.TLS12
    loop = asyncio.get_running_loop()
    accepted: asyncio.Future[StreamSocket] = loop.create_future()
    listener.add_connection_received(lambda _s, a: loop.call_soon_threadsafe(accepted.set_result, a.socket))
    await listener.bind_service_name_async("", level)
    client = StreamSocket()
    if tls:
        client.control.trusted_root_certificates.append(Certificate.from_pem((tls / "ca.pem").read_text()))
    await client.connect_async("127.0.0.1", listener.information.local_port, level)
    return listener, client, await accepted


async def netrt_bulk(total: int, tls: Path | None) -> float:
    listener, client, server = await netrt_pair(tls)
    chunk = os.urandom(CHUNK)

    async def send() -> None:
        out = client.output_stream
        for _ in range(total // CHUNK):
            await out.write_async(chunk)

    async def receive() -> None:
        inp, buf, got = server.input_stream, netrt.Buffer(CHUNK), 0
        while got < total:
            got += len(await inp.read_async(buf, CHUNK, InputStreamOptions.PARTIAL))

    start = time.perf_counter()
    await asyncio.gather(send(), receive())
    elapsed = time.perf_counter() - start
    for o in (client, server, listener):
        o.close()
    return total / elapsed / 1e6


class NetrtPing:
    """A netrt client for the ping-pong: to the echo process (`port`) or, with `port` None, to a
    netrt echo task in this loop."""

    @classmethod
    async def open(cls, port: int | None) -> NetrtPing:
        self = cls()
        self.listener = self.server = self.echo = None
        if port is None:  # in-process echo with netrt on the other end too
            self.listener, self.client, self.server = await netrt_pair(None)
            self.echo = asyncio.create_task(netrt_echo(self.server))
        else:
            self.client = StreamSocket()
            await self.client.connect_async("127.0.0.1", str(port))
        self.writer = DataWriter(self.client.output_stream)
        self.reader = DataReader(self.client.input_stream)
        return self

    async def ping(self, count: int, samples: list[int]) -> None:
        """`count` round trips, appending each one's time (ns) to `samples`."""
        writer, reader, msg = self.writer, self.reader, b"x" * MSG
        for _ in range(count):
            t = time.perf_counter_ns()
            writer.write_bytes(msg)
            await writer.store_async()
            await reader.load_async(MSG)
            reader.read_bytes(MSG)
            samples.append(time.perf_counter_ns() - t)

    async def close(self) -> None:
        self.client.close()
        if self.listener is not None:
            await self.echo
            self.server.close()
            self.listener.close()


async def netrt_rtt(port: int | None, count: int) -> float:
    ping, samples = await NetrtPing.open(port), []
    await ping.ping(count, samples)
    await ping.close()
    return statistics.median(samples[count // 10:]) / 1e3


async def netrt_echo(sock: StreamSocket) -> None:
    reader, writer = DataReader(sock.input_stream), DataWriter(sock.output_stream)
    try:
        while await reader.load_async(MSG) == MSG:
            writer.write_bytes(reader.read_bytes(MSG))
            await writer.store_async()
    except OSError:
        pass


# ------------------------------------------------------------------ asyncio

def ssl_contexts(tls: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tls / "leaf.pem", tls / "leaf.key")
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(tls / "ca.pem")
    return server, client


async def asyncio_bulk(total: int, tls: Path | None) -> float:
    server_ctx, client_ctx = ssl_contexts(tls) if tls else (None, None)
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        got = 0
        while got < total:
            data = await reader.read(CHUNK)
            if not data:
                break
            got += len(data)
        done.set_result(None)
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_ctx)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=client_ctx,
                                                   server_hostname="127.0.0.1" if tls else None)
    chunk = os.urandom(CHUNK)
    start = time.perf_counter()
    for _ in range(total // CHUNK):
        writer.write(chunk)
        await writer.drain()
    await done
    elapsed = time.perf_counter() - start
    writer.close()
    server.close()
    await server.wait_closed()
    return total / elapsed / 1e6


class AsyncioPing:
    """The asyncio streams client for the ping-pong, as `NetrtPing`."""

    @classmethod
    async def open(cls, port: int | None) -> AsyncioPing:
        self = cls()
        self.server = None
        self.echoed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if port is None:
            async def echo(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
                try:
                    while True:
                        w.write(await r.readexactly(MSG))
                        await w.drain()
                except (asyncio.IncompleteReadError, ConnectionError):
                    w.close()
                self.echoed.set_result(None)

            self.server = await asyncio.start_server(echo, "127.0.0.1", 0)
            port = self.server.sockets[0].getsockname()[1]
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)
        return self

    async def ping(self, count: int, samples: list[int]) -> None:
        """`count` round trips, appending each one's time (ns) to `samples`."""
        writer, reader, msg = self.writer, self.reader, b"x" * MSG
        for _ in range(count):
            t = time.perf_counter_ns()
            writer.write(msg)
            await writer.drain()
            await reader.readexactly(MSG)
            samples.append(time.perf_counter_ns() - t)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()
        if self.server is not None:
            await self.echoed
            self.server.close()
            await self.server.wait_closed()


async def asyncio_rtt(port: int | None, count: int) -> float:
    ping, samples = await AsyncioPing.open(port), []
    await ping.ping(count, samples)
    await ping.close()
    return statistics.median(samples[count // 10:]) / 1e3


# ------------------------------------------------------------------ the ping-pong pairs

RTT_BLOCKS = 10


async def rtt_pair(port: int | None, count: int) -> tuple[float, float]:
    """One pair of the ping-pong rows: the p50 RTT (µs) of netrt and of asyncio streams, each
    over `count` round trips on one connection, the two connections open side by side in this
    loop and used in turn, `RTT_BLOCKS` blocks each (netrt first in even blocks, asyncio in
    odd ones), after an uncounted warm-up block each.

    Whole runs one after the other would compare two moments: the shared 2-vCPU VMs these
    figures come from have spells of ~0.1-1 s in which a round trip costs ~30 % more CPU for
    asyncio and netrt alike (docs/perf-log.md, 2026-12-07), and a spell that covered one side's
    run and not the other's made a pair read 1.33x or 0.75x. In blocks of a few ms, both sides
    see the same spells."""
    sides = (await NetrtPing.open(port), await AsyncioPing.open(port))
    samples: tuple[list[int], list[int]] = ([], [])
    block = max(1, count // RTT_BLOCKS)
    for side in sides:
        await side.ping(block, [])
    for b in range(RTT_BLOCKS):
        for i in ((0, 1) if b % 2 == 0 else (1, 0)):
            await sides[i].ping(block, samples[i])
    for side in sides:
        await side.close()
    return statistics.median(samples[0]) / 1e3, statistics.median(samples[1]) / 1e3


async def first_asyncio_connection(port: int | None) -> None:
    """A throwaway asyncio connection with a few round trips. The first asyncio streams
    connection of a process runs ~2x slower for its whole life (CPython 3.11, without netrt
    imported too; later ones do not): left in the first pair, it made that pair read ~0.45x."""
    ping = await AsyncioPing.open(port)
    await ping.ping(10, [])
    await ping.close()


# ------------------------------------------------------------------ the neutral echo peer

ECHO_PEER = r"""
import selectors, socket, sys
# One thread serves every connection: the two clients of a pair, open side by side, meet the
# same echo thread and so the same CPU placement (a thread per connection gave each client a
# placement of its own, and a pair's two sides differed by up to 3x for that alone).
n = int(sys.argv[1])
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(16)
print(srv.getsockname()[1], flush=True)
sel = selectors.DefaultSelector()
sel.register(srv, selectors.EVENT_READ)
pending = {}
while True:
    for key, _ in sel.select():
        s = key.fileobj
        if s is srv:
            c, _ = srv.accept()
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sel.register(c, selectors.EVENT_READ)
            pending[c] = b""
            continue
        try:
            x = s.recv(65536)
        except ConnectionError:
            x = b""
        if not x:
            sel.unregister(s); pending.pop(s, None); s.close()
            continue
        b = pending[s] + x
        whole = len(b) - len(b) % n
        if whole:
            s.sendall(b[:whole])  # blocking socket: 64 B always fits
        pending[s] = b[whole:]
"""


# ------------------------------------------------------------------ harness

Case = Callable[[], Awaitable[float]]


def pairs(name: str, a: Case, b: Case, n: int, higher_is_better: bool, unit: str) -> dict[str, object]:
    return measured_pairs(name, lambda: (asyncio.run(a()), asyncio.run(b())), n, higher_is_better, unit)


def measured_pairs(name: str, pair: Callable[[], tuple[float, float]], n: int, higher_is_better: bool,
                   unit: str) -> dict[str, object]:
    ratios, av, bv = [], [], []
    for i in range(n):
        x, y = pair()
        av.append(x)
        bv.append(y)
        ratios.append(x / y)
        print(f"  {name} pair {i + 1}: netrt {x:.1f} {unit}, asyncio {y:.1f} {unit}, ratio {x / y:.2f}",
              file=sys.stderr, flush=True)
    return {
        "name": name, "unit": unit, "netrt": statistics.median(av), "asyncio": statistics.median(bv),
        "median": statistics.median(ratios), "min": min(ratios), "max": max(ratios),
        "better": "higher" if higher_is_better else "lower",
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pairs", type=int, default=5, help="interleaved A/B pairs per figure (default 5)")
    p.add_argument("--quick", action="store_true", help="smaller transfers (a smoke run)")
    p.add_argument("--only", help="comma-separated subset: bulk,tls,rtt,rtt-inproc")
    args = p.parse_args()
    bulk = (16 if args.quick else 256) * 2**20
    tls_bulk = (8 if args.quick else 96) * 2**20
    count = 300 if args.quick else 3000
    only = set(args.only.split(",")) if args.only else {"bulk", "tls", "rtt", "rtt-inproc"}

    with tempfile.TemporaryDirectory() as tmp:
        pki = Path(tmp)
        make_pki(pki)
        peer = subprocess.Popen([sys.executable, "-c", ECHO_PEER, str(MSG)], stdout=subprocess.PIPE, text=True)
        try:
            assert peer.stdout is not None
            port = int(peer.stdout.readline())
            rows = []
            if "bulk" in only:
                rows.append(pairs("bulk loopback throughput", lambda: netrt_bulk(bulk, None),
                                  lambda: asyncio_bulk(bulk, None), args.pairs, True, "MB/s"))
            if "tls" in only:
                rows.append(pairs("TLS bulk throughput", lambda: netrt_bulk(tls_bulk, pki),
                                  lambda: asyncio_bulk(tls_bulk, pki), args.pairs, True, "MB/s"))
            if {"rtt", "rtt-inproc"} & only:
                asyncio.run(first_asyncio_connection(None))
            if "rtt" in only:
                rows.append(measured_pairs("64-byte ping-pong p50 RTT (echo process)",
                                           lambda: asyncio.run(rtt_pair(port, count)), args.pairs, False, "µs"))
            if "rtt-inproc" in only:
                rows.append(measured_pairs("64-byte ping-pong p50 RTT (in-process)",
                                           lambda: asyncio.run(rtt_pair(None, count)), args.pairs, False, "µs"))
        finally:
            peer.kill()
            peer.wait()

    print(f"\nnetrt {netrt.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"{args.pairs} interleaved pairs\n")
    print("| figure | netrt (median) | asyncio (median) | ratio netrt/asyncio: median [min, max] | better |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | {r['netrt']:.1f} {r['unit']} | {r['asyncio']:.1f} {r['unit']} | "
              f"**{r['median']:.2f}×** [{r['min']:.2f}, {r['max']:.2f}] | {r['better']} |")


if __name__ == "__main__":
    main()
