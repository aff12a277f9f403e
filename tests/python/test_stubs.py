"""The stubs match the modules: `python -m mypy.stubtest netrt` checks `netrt/__init__.pyi` and
every subpackage stub (the `netrt.windows.*` aliases) against the installed package."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import Broker


@pytest.mark.timeout(300)
def test_stubtest_passes(broker: Broker) -> None:
    # stubtest reads every class attribute, also the static properties that ask the socket
    # broker (SocketActivityInformation.all_sockets): the private broker answers them.
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "netrt"], capture_output=True, text=True, timeout=280
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
