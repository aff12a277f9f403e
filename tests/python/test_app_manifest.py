"""The app manifest from Python. Loading one locks the process's policy, so the denials run in
a child interpreter; this process never loads a manifest and stays unrestricted."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import netrt
from netrt import AppManifest, NetworkDirection

HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<Package xmlns="http://schemas.microsoft.com/appx/manifest/foundation/windows10">\n'
    "  <Capabilities>\n"
)
TAIL = "  </Capabilities>\n</Package>\n"
E_ILLEGAL_METHOD_CALL = 0x8000000E - (1 << 32)


def test_without_a_manifest_everything_is_allowed() -> None:
    assert not AppManifest.is_loaded()
    AppManifest.check_access(NetworkDirection.LISTEN, "::", 0)
    AppManifest.check_access(NetworkDirection.OUTBOUND, "10.0.0.1", 80)
    with pytest.raises(netrt.NetworkError) as e:
        AppManifest.capabilities()
    assert e.value.hresult == E_ILLEGAL_METHOD_CALL
    with pytest.raises(ValueError):
        AppManifest.check_access(7, "127.0.0.1", 80)
    with pytest.raises(ValueError):
        AppManifest.check_access(NetworkDirection.OUTBOUND, "localhost", 80)


CHILD = textwrap.dedent(
    """
    import asyncio, sys
    import netrt
    from netrt import AppManifest, HostName, NetworkDirection, SocketError, SocketErrorStatus

    bad, good = sys.argv[1], sys.argv[2]
    try:
        AppManifest.load(bad)
        raise SystemExit("a malformed manifest loaded")
    except ValueError as e:
        assert isinstance(e, netrt.InvalidArgumentError)
        assert "line 4: unknown capability" in str(e), e
    assert not AppManifest.is_loaded()
    AppManifest.load(good)
    try:
        AppManifest.load(good)
        raise SystemExit("a second manifest loaded")
    except netrt.NetworkError as e:
        assert e.hresult == 0x8000000E - (1 << 32), hex(e.hresult)
        assert "already loaded" in str(e)
    assert AppManifest.source() == good
    assert AppManifest.capabilities() == ["internetClient"]
    assert AppManifest.has_capability("internetClient")
    assert not AppManifest.has_capability("internetClientServer")
    AppManifest.check_access(NetworkDirection.OUTBOUND, "93.184.216.34", 443)
    try:
        AppManifest.check_access(NetworkDirection.OUTBOUND, "192.168.1.1", 80)
        raise SystemExit("a private address was allowed")
    except PermissionError as e:
        assert "privateNetworkClientServer" in str(e)

    async def main() -> None:
        sock = netrt.StreamSocket()
        try:
            await sock.connect_async(HostName("localhost"), "9")
            raise SystemExit("connected to loopback without the exemption")
        except PermissionError as e:
            assert isinstance(e, netrt.NetworkError)
            assert e.hresult == 0x8007271D - (1 << 32) and e.winerror == e.hresult, hex(e.hresult)
            assert SocketError.get_status(e.hresult) == SocketErrorStatus.UNKNOWN
            assert "loopback exemption" in str(e), e
            print("connect_async(localhost):", hex(e.hresult & 0xFFFFFFFF), e)
        listener = netrt.StreamSocketListener()
        try:
            await listener.bind_service_name_async("")
            raise SystemExit("listened with only internetClient")
        except PermissionError as e:
            assert e.hresult == 0x80070005 - (1 << 32), hex(e.hresult)
            assert "internetClientServer" in str(e)
        assert AppManifest.dropped_connections() == 0 and AppManifest.dropped_datagrams() == 0

    asyncio.run(main())
    print("child ok")
    """
)


def test_the_same_denial_as_in_c_and_cpp(tmp_path: Path) -> None:
    bad = tmp_path / "bad.appxmanifest"
    bad.write_text(HEAD + '    <Capability Name="internetclient" />\n' + TAIL)
    good = tmp_path / "Package.appxmanifest"
    good.write_text(HEAD + '    <Capability Name="internetClient" />\n' + TAIL)
    env = {k: v for k, v in os.environ.items() if k != "NETRT_MANIFEST"}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(bad), str(good)], capture_output=True, text=True, timeout=60, env=env
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "child ok" in proc.stdout
