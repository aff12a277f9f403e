"""What one 64-byte round trip of bench.py costs, counted: netrt vs asyncio streams.

    .venv/bin/python bench/python/rtt_counts.py [--case rtt|rtt-inproc] [--n 1000] [--select]

Runs bench.py's `netrt_rtt` and `asyncio_rtt` (the echo process, or both ends in one loop) with
N and 2N round trips and prints the difference divided by N, so connection set-up cancels out:

- CPU time of the whole process (user, system), its context switches, voluntary and
  involuntary, and its minor page faults, on all threads (`getrusage(RUSAGE_SELF)`);
- CPU time by thread (the loop's thread, `python`, and netrt's runtime threads), from the
  kernel's per-thread CPU clocks;
- with `--select`: the loop's iterations (`selector.select` calls), how many of them found
  nothing ready, and how many slept (the loop thread's voluntary context switches across the
  call: the data was not there yet when the loop looked). Counting wraps the selector, which
  costs both sides the same few microseconds per iteration; the other figures are then taken
  with the wrapper in place too.

Counts, unlike the wall clock, do not move with the machine's load; the wall-clock time per
round trip is printed for orientation only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402


class SelectCounter:
    """Wraps a loop's selector: counts iterations, empty ones, and ones that slept."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.calls = self.empty = self.slept = 0
        selector = loop._selector  # type: ignore[attr-defined]
        inner = selector.select

        def select(timeout: float | None = None):  # type: ignore[no-untyped-def]
            before = resource.getrusage(resource.RUSAGE_THREAD).ru_nvcsw
            events = inner(timeout)
            self.calls += 1
            self.empty += not events
            self.slept += resource.getrusage(resource.RUSAGE_THREAD).ru_nvcsw > before
            return events

        selector.select = select


def thread_cpu() -> dict[str, float]:
    """CPU time so far (µs) of this process's threads, summed by thread name: the loop's thread
    (`python`) and netrt's runtime threads (`netrt-worker`, ...)."""
    out: dict[str, float] = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/comm") as f:
                name = f.read().strip()
            # The kernel's per-thread CPU clock of `tid` (CPUCLOCK_SCHED | CPUCLOCK_PERTHREAD).
            cpu = time.clock_gettime((~int(tid) << 3) | 6)
        except OSError:
            continue  # the thread ended meanwhile
        out[name] = out.get(name, 0.0) + cpu * 1e6
    return out


def run(case: str, side: str, n: int, port: int | None, count_select: bool) -> dict[str, float]:
    counter: list[SelectCounter] = []

    async def main() -> float:
        if count_select:
            counter.append(SelectCounter(asyncio.get_running_loop()))
        rtt = bench.netrt_rtt if side == "netrt" else bench.asyncio_rtt
        return await rtt(port if case == "rtt" else None, n)

    before = resource.getrusage(resource.RUSAGE_SELF)
    threads_before = thread_cpu()
    start = time.perf_counter()
    asyncio.run(main())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    threads_after = thread_cpu()
    out = {
        "wall µs": wall * 1e6,
        "user µs": (after.ru_utime - before.ru_utime) * 1e6,
        "sys µs": (after.ru_stime - before.ru_stime) * 1e6,
        "voluntary cs": after.ru_nvcsw - before.ru_nvcsw,
        "involuntary cs": after.ru_nivcsw - before.ru_nivcsw,
        "minor faults": after.ru_minflt - before.ru_minflt,
    }
    for name, cpu in sorted(threads_after.items()):
        out[f"{name} cpu µs"] = cpu - threads_before.get(name, 0.0)
    if counter:
        c = counter[0]
        out.update({"selects": c.calls, "empty selects": c.empty, "selects that slept": c.slept})
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--case", choices=["rtt", "rtt-inproc"], default="rtt")
    p.add_argument("--n", type=int, default=1000, help="round trips of the smaller run (default 1000)")
    p.add_argument("--select", action="store_true", help="also count the loop's iterations")
    p.add_argument("--sides", default="netrt,asyncio")
    p.add_argument("--pin", action="store_true",
                   help="this process on CPU 0, the echo process on CPU 1 (as an idle machine places them)")
    args = p.parse_args()
    peer = subprocess.Popen([sys.executable, "-c", bench.ECHO_PEER, str(bench.MSG)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert peer.stdout is not None
        port = int(peer.stdout.readline())
        if args.pin:
            os.sched_setaffinity(0, {0})
            os.sched_setaffinity(peer.pid, {1})
        for side in args.sides.split(","):
            run(args.case, side, 200, port, args.select)  # warm-up
            small = run(args.case, side, args.n, port, args.select)
            large = run(args.case, side, 2 * args.n, port, args.select)
            per = {k: (large[k] - small[k]) / args.n for k in small}
            print(f"{side} {args.case}: " + ", ".join(f"{k} {v:.2f}" for k, v in per.items()), flush=True)
    finally:
        peer.kill()
        peer.wait()


if __name__ == "__main__":
    main()
