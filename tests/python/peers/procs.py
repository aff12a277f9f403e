"""Third-party peers for the Python tests: `openssl s_server` and a Python `ssl` STARTTLS
peer, each binding 127.0.0.1 on an ephemeral port and reporting it; and `openssl s_client`,
which connects to a netrt listener. Every peer is stopped by `close()`.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

STARTTLS_PEER = r'''
import socket, ssl, struct, sys
cert, key = sys.argv[1], sys.argv[2]
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
print("PORT", srv.getsockname()[1], flush=True)
srv.settimeout(20)
conn, _ = srv.accept(); conn.settimeout(20)
def exact(n):
    b = b""
    while len(b) < n:
        chunk = conn.recv(n - len(b))
        if not chunk: raise SystemExit("peer closed")
        b += chunk
    return b
n = struct.unpack(">i", exact(4))[0]
print("HELLO", exact(n).decode("utf-8"), flush=True)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(cert, key)
tls = ctx.wrap_socket(conn, server_side=True)
print("TLS", tls.version(), flush=True)
line = b""
while not line.endswith(b"\n"):
    chunk = tls.recv(100)
    if not chunk: break
    line += chunk
tls.sendall(b"echo:" + line)
print("ECHOED", line.decode().strip(), flush=True)
try: tls.unwrap()
except Exception: pass
'''


class Peer:
    """A running peer process; its stdin stays open (s_server drops clients at stdin EOF)."""

    def __init__(self, args: list[str], parse_port: Callable[[str], int | None] | None) -> None:
        self.proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self._lines: list[str] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._collect, daemon=True).start()
        self.port = 0
        if parse_port is None:  # a client: nothing to wait for
            return
        deadline = time.monotonic() + 10
        while True:
            for line in self.lines():
                port = parse_port(line)
                if port:
                    self.port = port
                    return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"peer did not report a port: {args}\n{self.output()}")
            time.sleep(0.01)

    def _collect(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._lock:
                self._lines.append(line)

    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)

    def output(self) -> str:
        return "".join(self.lines())

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
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


def openssl_s_server(cert: Path, key: Path, *extra: str) -> Peer:
    args = ["openssl", "s_server", "-accept", "127.0.0.1:0", "-naccept", "4", "-cert", str(cert), "-key", str(key)]
    args += extra

    def port(line: str) -> int | None:
        return int(line.split(":")[-1]) if line.startswith("ACCEPT 127.0.0.1:") else None

    return Peer(args, port)


def python_starttls_server(cert: Path, key: Path) -> Peer:
    def port(line: str) -> int | None:
        return int(line.split()[1]) if line.startswith("PORT ") else None

    return Peer([sys.executable, "-c", STARTTLS_PEER, str(cert), str(key)], port)


def openssl_s_client(port: int | str, *extra: str) -> Peer:
    """`openssl s_client` connected to 127.0.0.1:`port`; what is written with `send()` goes to
    the server, what the server sends shows in `output()`."""
    args = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-ign_eof", *extra]
    return Peer(args, None)
