"""Times Python feedparser on one feed file: parses it REPEAT times in this process and prints
the best time in seconds (the syndication bench's baseline; bench/src/syndication.rs runs it).

  feedparser_parse.py FILE [REPEAT]
"""

import sys
import time

import feedparser


def main() -> None:
    data = open(sys.argv[1], "rb").read()
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        parsed = feedparser.parse(data)
        best = min(best, time.perf_counter() - start)
        if not parsed.entries:
            sys.exit(f"feedparser found no entries in {sys.argv[1]}")
    print(f"{best:.6f}")


if __name__ == "__main__":
    main()
