"""Windows.Networking, where PyWinRT puts it (``winrt.windows.networking``): the names netrt implements.

PyWinRT code ports by renaming ``winrt`` to ``netrt``. Each name is the same object as
``netrt.<name>``; the flat ``netrt`` namespace stays the primary one.
"""

from netrt import (
    EndpointPair as EndpointPair,
    HostName as HostName,
    HostNameSortOptions as HostNameSortOptions,
    HostNameType as HostNameType,
)

__all__ = [
    "EndpointPair",
    "HostName",
    "HostNameSortOptions",
    "HostNameType",
]
