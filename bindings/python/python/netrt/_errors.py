"""netrt's exceptions (docs/errors.md).

Every failure is a :class:`NetworkError`, an :class:`OSError` carrying the HRESULT. Failures
with a Python meaning are raised as subclasses that also inherit the matching built-in, so
ordinary ``except ConnectionRefusedError:`` / ``except ValueError:`` clauses catch them.

Which class an HRESULT gets is decided in one place, the native module's error conversion
(``bindings/python/src/errors.rs``); the classes themselves are defined only here.
"""

from __future__ import annotations

import builtins

__all__ = [
    "NetworkError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "ConnectionAbortedError",
    "TimeoutError",
    "PermissionError",
    "InvalidArgumentError",
    "OutOfBoundsError",
    "NotImplementedError",
]


class NetworkError(OSError):
    """A failed netrt operation.

    ``hresult`` (and its PyWinRT alias ``winerror``) is the signed 32-bit HRESULT; pass it to
    ``SocketError.get_status`` or ``WebError.get_status``. ``errno`` is the native errno when
    the failure came from the OS, else ``None``. ``str(e)`` is the detail message.
    """

    __module__ = "netrt"

    hresult: int
    winerror: int

    def __init__(self, hresult: int, message: str = "", errno: int | None = None) -> None:
        super().__init__(errno, message)
        self.hresult = hresult
        self.winerror = hresult

    def __str__(self) -> str:
        return self.strerror or f"HRESULT 0x{self.hresult & 0xFFFFFFFF:08X}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(0x{self.hresult & 0xFFFFFFFF:08X}, {self.strerror!r})"

    def __reduce__(self):  # type: ignore[no-untyped-def]  # pickled across processes
        return (type(self), (self.hresult, self.strerror, self.errno))


class ConnectionRefusedError(NetworkError, builtins.ConnectionRefusedError):
    """The peer refused the connection (SocketErrorStatus.CONNECTION_REFUSED)."""

    __module__ = "netrt"


class ConnectionResetError(NetworkError, builtins.ConnectionResetError):
    """The peer reset the connection (CONNECTION_RESET_BY_PEER, NETWORK_DROPPED_CONNECTION_ON_RESET)."""

    __module__ = "netrt"


class ConnectionAbortedError(NetworkError, builtins.ConnectionAbortedError):
    """The connection was aborted locally (SOFTWARE_CAUSED_CONNECTION_ABORT)."""

    __module__ = "netrt"


class TimeoutError(NetworkError, builtins.TimeoutError):
    """A connect or handshake timed out (CONNECTION_TIMED_OUT), or a ``get(timeout)`` wait did."""

    __module__ = "netrt"


class PermissionError(NetworkError, builtins.PermissionError):
    """Access denied: E_ACCESSDENIED, or WSAEACCES (a capability check or EACCES/EPERM)."""

    __module__ = "netrt"


class InvalidArgumentError(NetworkError, builtins.ValueError):
    """E_INVALIDARG: an argument had the right type but a value netrt rejects."""

    __module__ = "netrt"


class OutOfBoundsError(NetworkError, builtins.IndexError):
    """E_BOUNDS: reading or indexing past the end (e.g. a DataReader read before LoadAsync)."""

    __module__ = "netrt"


class NotImplementedError(NetworkError, builtins.NotImplementedError):
    """E_NOTIMPL: something netrt does not do (yet), e.g. transferring a TLS socket to the broker."""

    __module__ = "netrt"
