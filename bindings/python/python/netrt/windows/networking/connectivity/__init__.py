"""Windows.Networking.Connectivity, where PyWinRT puts it (``winrt.windows.networking.connectivity``): the names netrt implements.

PyWinRT code ports by renaming ``winrt`` to ``netrt``. Each name is the same object as
``netrt.<name>``; the flat ``netrt`` namespace stays the primary one.
"""

from netrt import (
    IPInformation as IPInformation,
)

__all__ = [
    "IPInformation",
]
