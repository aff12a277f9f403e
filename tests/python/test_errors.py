"""Exceptions (docs/errors.md): NetworkError(OSError) with hresult/winerror/errno, the
subclasses that also inherit the built-ins, closed objects, and argument checking."""

from __future__ import annotations

import builtins
import pickle

import pytest

import netrt
from conftest import within
from netrt import (
    DataReader,
    DataWriter,
    HostName,
    NetworkError,
    SocketError,
    SocketErrorStatus,
    SocketProtectionLevel,
    StreamSocket,
    WebError,
    WebErrorStatus,
)

RO_E_CLOSED = -2147483629
E_INVALIDARG = 0x80070057 - 2**32
E_BOUNDS = 0x8000000B - 2**32
E_ILLEGAL_METHOD_CALL = 0x8000000E - 2**32


def closed_port() -> str:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    return str(port)


async def test_refused_connection_is_connection_refused() -> None:
    sock = StreamSocket()
    with pytest.raises(netrt.ConnectionRefusedError) as info:
        await within(sock.connect_async(HostName("127.0.0.1"), closed_port()))
    e = info.value
    assert isinstance(e, builtins.ConnectionRefusedError) and isinstance(e, NetworkError)
    assert isinstance(e, OSError)
    assert SocketError.get_status(e.hresult) == SocketErrorStatus.CONNECTION_REFUSED
    assert e.hresult == e.winerror == 0x8007274D - 2**32  # HRESULT_FROM_WIN32(WSAECONNREFUSED)
    assert e.errno == 111  # ECONNREFUSED
    assert "refused" in str(e).lower() and "HRESULT" not in str(e)
    # The socket is reusable after a failed connect, as in WinRT.
    sock.close()


def test_exceptions_pickle_across_processes() -> None:
    e = netrt.TimeoutError(0x8007274C - 2**32, "timed out", 110)
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is netrt.TimeoutError
    assert (back.hresult, str(back), back.errno) == (e.hresult, "timed out", 110)


@pytest.mark.parametrize(
    ("hresult", "cls", "builtin"),
    [
        (0x8007274D, "ConnectionRefusedError", builtins.ConnectionRefusedError),
        (0x80072746, "ConnectionResetError", builtins.ConnectionResetError),
        (0x80072745, "ConnectionAbortedError", builtins.ConnectionAbortedError),
        (0x8007274C, "TimeoutError", builtins.TimeoutError),
        (0x80070102, "TimeoutError", builtins.TimeoutError),
        (0x80070005, "PermissionError", builtins.PermissionError),
        (0x8007271D, "PermissionError", builtins.PermissionError),
        (0x80070057, "InvalidArgumentError", builtins.ValueError),
        (0x8000000B, "OutOfBoundsError", builtins.IndexError),
        (0x80004001, "NotImplementedError", builtins.NotImplementedError),
        (0x80000013, "NetworkError", OSError),
        (0x800B0109, "NetworkError", OSError),
    ],
)
def test_the_error_table(hresult: int, cls: str, builtin: type) -> None:
    signed = hresult - 2**32
    assert netrt._netrt._error_class(signed) == cls
    assert issubclass(getattr(netrt, cls), builtin)
    assert issubclass(getattr(netrt, cls), NetworkError)


async def test_closed_objects_fail_with_ro_e_closed() -> None:
    sock = StreamSocket()
    sock.close()
    sock.close()  # idempotent
    with pytest.raises(NetworkError) as info:
        await within(sock.connect_async("127.0.0.1", "9"))
    assert info.value.hresult == RO_E_CLOSED

    writer = DataWriter()
    writer.close()
    with pytest.raises(NetworkError) as info:
        writer.write_byte(1)
    assert info.value.hresult == RO_E_CLOSED

    reader = DataReader.from_buffer(b"x")
    with reader:
        pass
    with pytest.raises(NetworkError) as info:
        reader.read_byte()
    assert info.value.hresult == RO_E_CLOSED

    listener = netrt.StreamSocketListener()
    listener.close()
    with pytest.raises(NetworkError) as info:
        await within(listener.bind_service_name_async(""))
    assert info.value.hresult == RO_E_CLOSED


def test_bad_argument_types_raise_before_reaching_rust() -> None:
    sock = StreamSocket()
    with pytest.raises(TypeError):
        HostName(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sock.connect_async(5, "80")  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        sock.connect_async("127.0.0.1", 80)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        sock.connect_async("127.0.0.1", "80", "TLS12")  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        sock.connect_async()  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        sock.upgrade_to_ssl_async(SocketProtectionLevel.TLS12, None)  # type: ignore[arg-type]
    writer = DataWriter()
    with pytest.raises(OverflowError):
        writer.write_byte(256)
    with pytest.raises(OverflowError):
        writer.write_int32(2**31)
    with pytest.raises(OverflowError):
        writer.write_uint32(-1)
    with pytest.raises(TypeError):
        writer.write_int32(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        writer.write_bytes("text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        writer.write_date_time(0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        DataReader(writer)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sock.control.no_delay = "yes"  # type: ignore[assignment]
    with pytest.raises(TypeError):
        netrt.Certificate(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        netrt.StreamSocketControl()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        SocketError()  # type: ignore[call-arg]
    assert writer.unstored_buffer_length == 0, "nothing was written by the failed calls"


async def test_invalid_values_are_the_value_error_subclass() -> None:
    with pytest.raises(ValueError) as info:
        HostName("exa mple.com")
    assert isinstance(info.value, netrt.InvalidArgumentError)
    assert info.value.hresult == E_INVALIDARG

    with pytest.raises(netrt.InvalidArgumentError):
        StreamSocket().connect_async("127.0.0.1", "80", 99)  # not a SocketProtectionLevel

    # Argument and state errors are raised by the call itself, before anything is awaited (the
    # rule of every netrt projection); network failures arrive through the operation.
    with pytest.raises(ValueError):
        StreamSocket().connect_async("localhost", "443", SocketProtectionLevel.SSL3_ALLOW_WEAK_ENCRYPTION)
    with pytest.raises(NetworkError) as not_connected:
        StreamSocket().upgrade_to_ssl_async(SocketProtectionLevel.TLS12, HostName("localhost"))
    assert not_connected.value.hresult == E_ILLEGAL_METHOD_CALL

    with pytest.raises(netrt.InvalidArgumentError):
        StreamSocket().control.ignorable_server_certificate_errors.append(netrt.ChainValidationResult.REVOKED)

    with pytest.raises(netrt.InvalidArgumentError):
        StreamSocket().connect_async("127.0.0.1", "80", SocketProtectionLevel.TLS12, object())  # type: ignore[call-overload]

    # Malformed DER is a CRYPT_E_ASN1_* error, as on Windows, not an argument error.
    with pytest.raises(NetworkError) as bad:
        netrt.Certificate(b"\x30\x03\x02\x01\x01")
    assert bad.value.hresult in (0x80093102 - 2**32, 0x80093103 - 2**32, 0x8009310B - 2**32)


def test_reading_past_the_end_is_the_index_error_subclass() -> None:
    reader = DataReader.from_buffer(b"\x00\x01")
    with pytest.raises(IndexError) as info:
        reader.read_int32()
    assert isinstance(info.value, netrt.OutOfBoundsError)
    assert info.value.hresult == E_BOUNDS
    assert reader.read_int16() == 1, "a failed read consumes nothing"


async def test_state_errors_keep_their_hresult() -> None:
    sock = StreamSocket()
    with pytest.raises(NetworkError) as info:
        await within(sock.output_stream.write_async(b"x"))
    assert info.value.hresult == E_ILLEGAL_METHOD_CALL
    assert type(info.value) is NetworkError


def test_status_statics() -> None:
    assert SocketError.get_status(0x8007274D - 2**32) is SocketErrorStatus.CONNECTION_REFUSED
    assert SocketError.get_status(0) == SocketErrorStatus.UNKNOWN
    assert WebError.get_status(0x80190194 - 2**32) == WebErrorStatus.NOT_FOUND
    assert netrt.WebSocketError.get_status(0x80190194 - 2**32) == WebErrorStatus.NOT_FOUND
    syndication = netrt.SyndicationError.get_status
    assert syndication(0x83750002 - 2**32) is netrt.SyndicationErrorStatus.INVALID_XML
    assert syndication(0x83750003 - 2**32) is netrt.SyndicationErrorStatus.MISSING_REQUIRED_ELEMENT
    assert syndication(0x80190194 - 2**32) is netrt.SyndicationErrorStatus.UNKNOWN
    with pytest.raises(OverflowError):
        SocketError.get_status(2**32)
