# Re-exports only: see the flat `netrt` stub for the types.

from netrt import (
    AsyncStatus as AsyncStatus,
    Deferral as Deferral,
    IAsyncAction as IAsyncAction,
    IAsyncActionWithProgress as IAsyncActionWithProgress,
    IAsyncOperation as IAsyncOperation,
    IAsyncOperationWithProgress as IAsyncOperationWithProgress,
    Uri as Uri,
    WwwFormUrlDecoder as WwwFormUrlDecoder,
    WwwFormUrlDecoderEntry as WwwFormUrlDecoderEntry,
)

__all__ = [
    "AsyncStatus",
    "Deferral",
    "IAsyncAction",
    "IAsyncActionWithProgress",
    "IAsyncOperation",
    "IAsyncOperationWithProgress",
    "Uri",
    "WwwFormUrlDecoder",
    "WwwFormUrlDecoderEntry",
]
