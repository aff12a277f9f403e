"""Windows.Web, where PyWinRT puts it (``winrt.windows.web``): the names netrt implements.

PyWinRT code ports by renaming ``winrt`` to ``netrt``. Each name is the same object as
``netrt.<name>``; the flat ``netrt`` namespace stays the primary one.
"""

from netrt import (
    WebError as WebError,
    WebErrorStatus as WebErrorStatus,
)

__all__ = [
    "WebError",
    "WebErrorStatus",
]
