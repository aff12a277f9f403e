"""Windows.Foundation, where PyWinRT puts it (``winrt.windows.foundation``): the names netrt implements.

PyWinRT code ports by renaming ``winrt`` to ``netrt``. Each name is the same object as
``netrt.<name>``; the flat ``netrt`` namespace stays the primary one.
"""

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
