# Re-exports only: see the flat `netrt` stub for the types.

from netrt import (
    AsyncStatus as AsyncStatus,
    IAsyncAction as IAsyncAction,
    IAsyncOperation as IAsyncOperation,
)

__all__ = [
    "AsyncStatus",
    "IAsyncAction",
    "IAsyncOperation",
]
