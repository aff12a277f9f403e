"""The pure-Python enums match core's values and PyWinRT's declarations."""

from __future__ import annotations

import enum
import re

import pytest

import netrt
from netrt import _netrt

ENUMS = [
    "SocketErrorStatus",
    "WebErrorStatus",
    "SocketProtectionLevel",
    "SocketQualityOfService",
    "SocketSslErrorSeverity",
    "ChainValidationResult",
    "ByteOrder",
    "UnicodeEncoding",
    "InputStreamOptions",
    "HostNameType",
    "HostNameSortOptions",
    "ClientCertificateMode",
    "TlsVersion",
    "CertificateChainPolicy",
    "SocketMessageType",
    "MessageWebSocketReceiveMode",
    "SyndicationFormat",
    "SyndicationErrorStatus",
    "SyndicationTextType",
    "NetworkDirection",
    "SocketActivityKind",
    "SocketActivityTriggerReason",
    "SocketActivityConnectedStandbyAction",
    "CreationCollisionOption",
]


def pywinrt_name(winrt: str) -> str:
    """PyWinRT's member spelling: an underscore before every capital but the first, upper-cased
    (Tls12 → TLS12, Utf16LE → UTF16_L_E, PlainSocket → PLAIN_SOCKET)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", winrt).upper()


@pytest.mark.parametrize("name", ENUMS)
def test_python_enum_matches_core(name: str) -> None:
    py_enum = getattr(netrt, name)
    core = {pywinrt_name(n): v for n, v in _netrt._core_enum(name)}
    assert {n: m.value for n, m in py_enum.__members__.items()} == core


def test_kinds_follow_pywinrt() -> None:
    flags = {"InputStreamOptions", "HostNameSortOptions"}
    for name in [*ENUMS, "AsyncStatus"]:
        base = enum.IntFlag if name in flags else enum.IntEnum
        assert issubclass(getattr(netrt, name), base), name
    assert netrt.SocketProtectionLevel.TLS13 == 10
    assert [m.value for m in netrt.AsyncStatus] == [0, 1, 2, 3]
