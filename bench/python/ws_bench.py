"""netrt's Python MessageWebSocket vs the `websockets` library's client (method in BENCHMARKS.md).

    .venv/bin/python bench/python/ws_bench.py --server target/release/netrt-bench [--pairs N] [--quick]

Both clients talk to the same echo server in another process (`netrt-bench --ws-echo-server`,
tokio-tungstenite), one message out and its echo back, one at a time, for 64 B, 64 KiB and
1 MiB binary messages. netrt, the fastest public way: `output_stream.write_async` (one write =
one message) and `receive_message_async()` (the pull receive, no dispatcher thread), its bytes
taken with `data()`; websockets: `send` and `recv`.
netrt and websockets alternate (A B, then B A, ...); the table gives the median ratio of
messages per second (netrt / websockets, higher is better) with min and max.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time

from websockets.asyncio.client import connect

import netrt
from netrt import MessageWebSocket

CASES = [(64, 3000, "64 B"), (64 * 1024, 500, "64 KiB"), (1024 * 1024, 50, "1 MiB")]


async def netrt_echo(url: str, size: int, count: int) -> float:
    payload = os.urandom(size)
    with MessageWebSocket() as ws:
        ws.control.proxy = ""  # loopback: never through the environment's proxy
        await ws.connect_async(url)
        out = ws.output_stream
        start = time.perf_counter()
        for _ in range(count):
            await out.write_async(payload)
            assert len((await ws.receive_message_async()).data()) == size
        return count / (time.perf_counter() - start)


async def websockets_echo(url: str, size: int, count: int) -> float:
    payload = os.urandom(size)
    async with connect(url, max_size=None, compression=None) as ws:
        start = time.perf_counter()
        for _ in range(count):
            await ws.send(payload)
            assert len(await ws.recv()) == size
        return count / (time.perf_counter() - start)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--server", required=True, help="the netrt-bench binary (its --ws-echo-server mode)")
    p.add_argument("--pairs", type=int, default=5, help="interleaved A/B pairs per figure (default 5)")
    p.add_argument("--quick", action="store_true", help="a tenth of the messages (a smoke run)")
    args = p.parse_args()
    server = subprocess.Popen([args.server, "--ws-echo-server"], stdout=subprocess.PIPE, text=True)
    rows = []
    try:
        assert server.stdout is not None
        url = f"ws://127.0.0.1:{server.stdout.readline().split()[1]}/"
        for size, count, label in CASES:
            count = max(count // 10, 5) if args.quick else count
            a, b = [], []
            for i in range(args.pairs):
                order = [True, False] if i % 2 == 0 else [False, True]
                for use_netrt in order:
                    echo = netrt_echo if use_netrt else websockets_echo
                    (a if use_netrt else b).append(asyncio.run(echo(url, size, count)))
                print(f"  {label} pair {i + 1}: netrt {a[-1]:.0f}, websockets {b[-1]:.0f} msgs/s",
                      file=sys.stderr, flush=True)
            ratios = [x / y for x, y in zip(a, b)]
            rows.append((label, statistics.median(a), statistics.median(b), statistics.median(ratios),
                         min(ratios), max(ratios)))
    finally:
        server.kill()
        server.wait()
    print(f"\nnetrt {netrt.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"{args.pairs} interleaved pairs\n")
    print("| echo, one at a time | netrt (median msgs/s) | websockets (median msgs/s) | "
          "ratio netrt/websockets: median [min, max] | target |")
    print("|---|---|---|---|---|")
    for label, a, b, median, low, high in rows:
        print(f"| {label} | {a:.0f} | {b:.0f} | **{median:.2f}×** [{low:.2f}, {high:.2f}] | ≥ 3× |")


if __name__ == "__main__":
    main()
