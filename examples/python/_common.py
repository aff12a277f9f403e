"""Command-line plumbing shared by the examples (not part of the samples themselves)."""

from __future__ import annotations

import argparse

import netrt


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("host", nargs="?", default="localhost", help="server host name (default: localhost)")
    p.add_argument("port", nargs="?", default="443", help="server port or service name (default: 443)")
    p.add_argument("--ca", metavar="PEM", help="trust this CA in addition to the system store")
    return p


def trust(socket: netrt.StreamSocket, ca_pem: str | None) -> None:
    """Adds the --ca certificate to the socket's trusted roots (a netrt extension)."""
    if ca_pem:
        with open(ca_pem) as f:
            socket.control.trusted_root_certificates.append(netrt.Certificate.from_pem(f.read()))
