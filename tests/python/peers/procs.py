"""Third-party peers for the Python tests, started by tests/peers/launch (the one place that
knows how to start each peer and learn its port; contract in tests/peers/README.md): `openssl
s_server`, the Python `ssl` STARTTLS peer, `openssl s_client` (which connects to a netrt
listener) and any program that prints its port. Every peer is stopped by `close()`.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

LAUNCH = Path(__file__).resolve().parents[2] / "peers" / "launch"


class Peer:
    """`launch <args>`: the peer's port, its output (a log file) and its stdin."""

    def __init__(self, args: list[str]) -> None:
        self.proc = subprocess.Popen([str(LAUNCH), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        self.proc.stdout.close()
        port, sep, log = line.removeprefix("PORT ").rstrip("\n").partition(" LOG ")
        if not line.startswith("PORT ") or not sep:
            self.close()
            raise RuntimeError(f"tests/peers/launch {args} did not start its peer (its stderr is above)")
        self.port = int(port)
        self._log = Path(log)

    def output(self) -> str:
        try:
            return self._log.read_text(errors="replace")
        except FileNotFoundError:  # stopped
            return ""

    def wait_for_output(self, needle: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while needle not in self.output():
            if time.monotonic() > deadline:
                raise AssertionError(f"peer never printed {needle!r}; output:\n{self.output()}")
            time.sleep(0.02)
        return self.output()

    def send(self, text: str) -> None:
        """Writes `text` to the peer's stdin (what s_client sends over the connection)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def close(self) -> None:
        """End of file on the launcher's stdin: it stops the peer and exits."""
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)


def openssl_s_server(cert: Path, key: Path, *extra: str) -> Peer:
    return Peer(["s_server", "--naccept", "4", "--cert", str(cert), "--key", str(key), "--", *extra])


def python_starttls_server(cert: Path, key: Path) -> Peer:
    return Peer(["starttls", "--cert", str(cert), "--key", str(key)])


def openssl_s_client(port: int | str, *extra: str) -> Peer:
    """`openssl s_client` connected to 127.0.0.1:`port`; what is written with `send()` goes to
    the server, what the server sends shows in `output()`."""
    return Peer(["s_client", "--port", str(port), "--", *extra])


def program(port_after: str, *argv: str) -> Peer:
    """Any program that prints `port_after` followed by its port at the start of a line."""
    return Peer(["run", "--port-after", port_after, "--", *argv])
