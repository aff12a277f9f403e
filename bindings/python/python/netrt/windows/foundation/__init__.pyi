# Re-exports only: see the flat `netrt` stub for the types.

from netrt import (
    AsyncStatus as AsyncStatus,
    Deferral as Deferral,
    IAsyncAction as IAsyncAction,
    IAsyncOperation as IAsyncOperation,
    Uri as Uri,
    WwwFormUrlDecoder as WwwFormUrlDecoder,
    WwwFormUrlDecoderEntry as WwwFormUrlDecoderEntry,
)

__all__ = [
    "AsyncStatus",
    "Deferral",
    "IAsyncAction",
    "IAsyncOperation",
    "Uri",
    "WwwFormUrlDecoder",
    "WwwFormUrlDecoderEntry",
]
