# Re-exports only: see the flat `netrt` stub for the types.

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
