"""examples/python/ run as a user would: the echo listener (TLS with a required client
certificate, and STARTTLS) in one process, the ported samples against it in others."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from peers.pki import Pki
from peers.procs import Peer, program

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "python"


def listener(*args: str) -> Peer:
    return program("listening on port ", sys.executable, "-u", str(EXAMPLES / "listener_echo.py"), *args)


def run(example: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / example), *args], capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.fixture
def tls_listener(pki: Pki) -> Iterator[Peer]:
    peer = listener("--tls", str(pki.path("leaf.pem")), str(pki.path("leaf.key")),
                    "--require-client-cert", str(pki.path("ca.pem")))
    yield peer
    peer.close()


def test_client_certificate_and_connect_ssl_samples(tls_listener: Peer, pki: Pki) -> None:
    ca = ["--ca", str(pki.path("ca.pem"))]
    out = run("client_certificate.py", "localhost", str(tls_listener.port),
              "--cert", str(pki.path("client.pem")), "--key", str(pki.path("client.key")), *ca)
    assert "Connected as 'netrt test client' to 'localhost'" in out
    assert "Echo: hello with a certificate" in out
    tls_listener.wait_for_output("client certificate 'netrt test client'")
    # TLS 1.3: the client finishes its handshake before the server checks for a certificate.
    assert run("tls_connect.py", "localhost", str(tls_listener.port), *ca).startswith("Connected\n")


def test_upgrade_sample_against_the_starttls_listener(pki: Pki) -> None:
    peer = listener("--starttls", str(pki.path("leaf.pem")), str(pki.path("leaf.key")))
    try:
        out = run("upgrade_to_ssl.py", "localhost", str(peer.port), "--ca", str(pki.path("ca.pem")))
        assert out.splitlines() == [
            "Connected", "Client: sending hello", "Client: sent data", "Client: upgrade to SSL completed",
        ]
        peer.wait_for_output("hello 'Hello, World! ☺ '; upgrading")
    finally:
        peer.close()
