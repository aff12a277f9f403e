"""The test PKI, made by `tests/peers/launch pki` with the `openssl` command line (never by
netrt); the files are listed at the top of tests/peers/pki.py."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from peers.procs import LAUNCH


@dataclass
class Pki:
    dir: Path

    def path(self, name: str) -> Path:
        return self.dir / name

    def text(self, name: str) -> str:
        return (self.dir / name).read_text()


def make_pki(d: Path) -> Pki:
    """The shared directory `d`, made (or reused when made less than a day ago) by the launcher."""
    subprocess.run([str(LAUNCH), "pki", "--reuse", str(d)], check=True, timeout=300)
    return Pki(d)
