"""Windows.Foundation, where PyWinRT puts it (``winrt.windows.foundation``): the names netrt implements.

PyWinRT code ports by renaming ``winrt`` to ``netrt``. Each name is the same object as
``netrt.<name>``; the flat ``netrt`` namespace stays the primary one.
"""

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
