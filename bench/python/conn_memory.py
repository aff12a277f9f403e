"""Memory per accepted connection: a netrt echo server vs an asyncio streams echo server.

Each server runs in its own process and accepts N connections from this process; every
connection gets an echo loop that is waiting in a read (netrt: ``read_async(Buffer(4096), 4096,
PARTIAL)``, a new Buffer per read, which holds memory only once filled; asyncio:
``reader.read(4096)``). Once all N are accepted and have echoed one message, the server reports
its resident set size; the figure is (RSS with N connections - RSS before any) / N. Servers
alternate (netrt, asyncio, netrt, ...), and the median of the pairs' ratios is reported with its
range, as every figure in BENCHMARKS.md. ``--netrt-buffer per-connection`` measures the other
way to write the netrt loop: one Buffer per connection, reused by every read (``read_async``
fills the caller's Buffer, so each connection then keeps its 4 KiB once its first message came).

Also measures large writes: the peak RSS while ``write_async`` of 256 MiB from a ``bytes`` is
pending and while ``DataWriter.write_bytes`` + ``store_async`` of 256 MiB runs, as multiples of
the data's size beyond the caller's own copy.

    python bench/python/conn_memory.py [--connections N] [--pairs P]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import statistics
import subprocess
import sys
import time

READ = 4096


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def netrt_server(n: int, buffer_per_read: bool) -> None:
    import netrt
    from netrt import Buffer, InputStreamOptions, StreamSocketListener

    listener = StreamSocketListener()
    accepted = 0
    all_in = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def echo(sock: netrt.StreamSocket) -> None:
        inp, out = sock.input_stream, sock.output_stream
        buf = Buffer(READ)
        while True:
            data = await inp.read_async(Buffer(READ) if buffer_per_read else buf, READ, InputStreamOptions.PARTIAL)
            if len(data) == 0:
                return
            await out.write_async(data)
            del data  # a per-read Buffer is garbage once echoed

    def on_connection(_listener: object, args: netrt.StreamSocketListenerConnectionReceivedEventArgs) -> None:
        sock = args.socket

        def start() -> None:
            nonlocal accepted
            loop.create_task(echo(sock))
            accepted += 1
            if accepted == n:
                all_in.set()

        loop.call_soon_threadsafe(start)

    listener.add_connection_received(on_connection)
    await listener.bind_endpoint_async(netrt.HostName("127.0.0.1"), "")
    await serve(n, int(listener.information.local_port), all_in)


async def asyncio_server(n: int) -> None:
    accepted = 0
    all_in = asyncio.Event()

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        if accepted == n:
            all_in.set()
        while data := await reader.read(READ):
            writer.write(data)
            await writer.drain()

    server = await asyncio.start_server(echo, "127.0.0.1", 0, backlog=4096)
    await serve(n, server.sockets[0].getsockname()[1], all_in)


async def serve(n: int, port: int, all_in: asyncio.Event) -> None:
    """Protocol with the parent: print the baseline RSS and the port, wait for every
    connection, print the RSS then, and exit when stdin closes."""
    print(f"{rss_kib()} {port}", flush=True)
    await all_in.wait()
    await asyncio.sleep(0.5)  # every echo loop has answered and is waiting in its read
    print(rss_kib(), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def per_connection(kind: str, n: int, netrt_buffer: str) -> float:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--connections", str(n), "--netrt-buffer", netrt_buffer],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # asyncio reports the echo tasks cancelled at exit
        text=True,
    )
    assert proc.stdout and proc.stdin
    base, port = map(int, proc.stdout.readline().split())
    socks = []
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        socks.append(s)
        if i % 500 == 499:
            time.sleep(0.01)  # let the accept backlog drain
    for s in socks:
        s.sendall(b"ping")
    for s in socks:
        assert s.recv(16) == b"ping"
    loaded = int(proc.stdout.readline())
    proc.stdin.close()
    for s in socks:
        s.close()
    proc.wait(timeout=300)  # a loaded machine takes long to end 10,000 asyncio tasks
    return (loaded - base) / n


def large_writes() -> dict[str, float]:
    """Peak RSS beyond the caller's own 256 MiB while the writes are pending (in MiB)."""
    import netrt
    from netrt import DataWriter, HostName, StreamSocket

    size = 256 << 20
    out: dict[str, float] = {}

    async def run() -> None:
        server = socket.create_server(("127.0.0.1", 0))
        port = server.getsockname()[1]
        for name in ("write_async", "DataWriter.store_async"):
            sock = StreamSocket()
            await sock.connect_async(HostName("127.0.0.1"), str(port))
            peer, _ = server.accept()
            peer.setblocking(False)
            data = os.urandom(1 << 20) * 256
            before = rss_kib()
            peak = before
            if name == "write_async":
                op = sock.output_stream.write_async(data)
            else:
                writer = DataWriter(sock.output_stream)
                writer.write_bytes(data)
                peak = max(peak, rss_kib())
                op = writer.store_async()
            received = 0
            while received < size:
                peak = max(peak, rss_kib())
                try:
                    received += len(peer.recv(1 << 20))
                except BlockingIOError:
                    await asyncio.sleep(0.001)
            await op
            out[name] = (peak - before) / 1024
            sock.close()
            peer.close()
        server.close()

    asyncio.run(run())
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", type=int, default=10_000)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--serve", choices=("netrt", "asyncio"))
    ap.add_argument("--netrt-buffer", choices=("per-read", "per-connection"), default="per-read")
    args = ap.parse_args()
    raise_fd_limit()
    if args.serve:
        if args.serve == "netrt":
            asyncio.run(netrt_server(args.connections, args.netrt_buffer == "per-read"))
        else:
            asyncio.run(asyncio_server(args.connections))
        return
    ratios, nets, asys = [], [], []
    for _ in range(args.pairs):
        a = per_connection("netrt", args.connections, args.netrt_buffer)
        b = per_connection("asyncio", args.connections, args.netrt_buffer)
        nets.append(a)
        asys.append(b)
        ratios.append(a / b)
    print(
        f"memory per accepted connection, {args.connections:,} echo connections, netrt Buffer "
        f"{args.netrt_buffer} (KiB): "
        f"netrt {statistics.median(nets):.2f}  asyncio {statistics.median(asys):.2f}  "
        f"ratio {statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f}), target <= 1.0"
    )
    for name, mib in large_writes().items():
        print(f"large write, 256 MiB from bytes, {name}: peak {mib:.0f} MiB beyond the caller's copy "
              f"({mib / 256:.2f}x the data; target <= 1 copy)")


if __name__ == "__main__":
    main()
